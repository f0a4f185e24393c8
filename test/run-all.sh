#!/bin/bash
# make test: install what is missing, build with warnings as errors, install,
# then run every suite and end with one line "N passed, N failed".
#
#   pg_regress + isolation   in a throwaway cluster (pg_virtualenv), and in
#   pgTAP (pg_prove)         the same cluster: the reference's examples
#   reference examples       (test/doc) and the example application
#   example application      (examples/)
#   perl TAP                 clusters of their own (PostgreSQL::Test::Cluster),
#                            run as the postgres user; 005_upgrade uses the
#                            libraries of earlier releases, built from git
#   unit + short fuzz        the pure C core, with ASan and UBSan
#   bench smoke              every benchmark script, tiny
#   sqlsmith                 random SQL over the extension (its own cluster)
#   guard fuzzer             random API calls and hand-written DML, one and
#                            several sessions, invariants after each step
#   packaging                versions agree; make dist; make deb, installed,
#                            tested and removed (last: it reinstalls the tree)
#
# Each suite's log is kept in $SID_TEST_LOGS if set (else removed).
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

bash test/deps.sh || exit 1
make -s clean >/dev/null
make -s PG_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Werror" || { echo "0 passed, 1 failed"; exit 1; }
make -s install >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

out=$(mktemp -d /tmp/service_id-test.XXXXXX)
chmod 755 "$out"
cleanup() {
	if [ -n "${SID_TEST_LOGS:-}" ]; then
		mkdir -p "$SID_TEST_LOGS" && cp -r "$out"/*.log "$SID_TEST_LOGS"/ 2>/dev/null
	fi
	rm -rf "$out"
}
trap cleanup EXIT

# run_suite NAME COMMAND...: runs it, keeps its output in $out/NAME.log and
# its exit status in $out/NAME.rc, shows the TAP and summary lines.
run_suite() {
	local name=$1
	shift
	echo "== $name"
	"$@" >"$out/$name.log" 2>&1
	echo $? >"$out/$name.rc"
	grep -E '^(not )?ok [0-9]|^# |^1\.\.[0-9]|passed|failed|^== ' "$out/$name.log" |
		grep -vE '^# (Subtest|Looks like)' | tail -n 400
}

# 1. Suites that need one server: pg_regress, isolation, pgTAP, the
# reference's examples and the example application (test/run-suites.sh).
pg_virtualenv -t bash test/run-suites.sh "$out"

# 2. Perl TAP tests: each makes its own clusters, which must not belong to
# root.  They run as postgres, which must read the tree (the tests,
# SidTest.pm, test/invariants.sql).  A clone postgres cannot read (under
# /root, mode 700 on Debian, or made with umask 077) is copied first: the
# files git tracks or would track, or everything when this is not a git
# checkout.  The upgrade test needs the libraries of earlier releases.
if ls test/t/*.pl >/dev/null 2>&1; then
	tapdir="$out/tap"
	mkdir -p "$tapdir"
	chown postgres "$tapdir"
	taptop=$top
	if ! runuser -u postgres -- sh -c 'cd "$1" && test -r Makefile && test -r test/invariants.sql &&
			for f in test/t/*; do test -r "$f" || exit 1; done' sh "$top" 2>/dev/null; then
		taptop="$out/tree"
		mkdir -p "$taptop"
		if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git -C "$top" ls-files -z -co --exclude-standard |
				while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
				tar -C "$top" --null -T - -cf - | tar -C "$taptop" -xf -
		else
			cp -a "$top/." "$taptop/"
		fi
		chmod -R go+rX "$taptop"
		echo "postgres cannot read $top: running the perl TAP tests from a readable copy, $taptop"
	fi
	releases=
	if bash test/old-releases.sh "$out/releases" >"$out/releases.log" 2>&1; then
		releases="$out/releases"
	else
		echo "earlier releases not built (see below): the upgrade test skips"
		cat "$out/releases.log"
	fi
	run_suite tap sh -c 'cd "$1" && runuser -u postgres -- env TESTDIR="$2" SID_TOP="$1" \
		SID_OLD_RELEASES="$3" PATH="$(pg_config --bindir):$PATH" PG_REGRESS=/bin/true \
		prove -v -I "$(dirname "$(pg_config --pgxs)")/../../src/test/perl" \
		-I "$1/test/t" test/t/*.pl' sh "$taptop" "$tapdir" "$releases"
fi

# 3. The pure C core: unit tests and a short fuzz pass, sanitized; and the
# layers of the C code (no file includes one above it).
[ -f test/unit/run.sh ] && run_suite unit bash test/unit/run.sh
run_suite layers bash test/layers.sh

# 4. The benchmark scripts, a few seconds each, so they cannot rot.
if [ -f bench/run.sh ]; then
	run_suite bench-smoke bash bench/run.sh --smoke
	if [ "$(cat "$out/bench-smoke.rc")" = 0 ]; then
		echo "ok 1 - bench smoke" >>"$out/bench-smoke.log"
	else
		echo "not ok 1 - bench smoke" >>"$out/bench-smoke.log"
	fi
fi

# 5. Hunting for what nobody designed: sqlsmith, and the guard fuzzer.
[ -f test/sqlsmith/run.sh ] && run_suite sqlsmith bash test/sqlsmith/run.sh test
[ -f test/guard_fuzz/run.sh ] && run_suite guard-fuzz bash test/guard_fuzz/run.sh test

# 6. Packaging: the versions agree, make dist, make deb (installed, tested,
# removed; it reinstalls the tree's build at the end, so it runs last).
if [ -d test/packaging ]; then
	run_suite versions bash test/packaging/versions.sh
	run_suite dist bash test/packaging/dist.sh
	run_suite deb bash test/packaging/deb.sh
fi

# The tally.  pg_regress and isolation count a test per file; the TAP
# suites count assertions.  A suite that fails without a failing line (a
# crash, a bad plan) counts as one failure.
passed=0
failed=0
tally() {					# $1 log  $2 rc file  $3 ok-regex  $4 fail-regex
	[ -f "$1" ] || return 0
	local p f rc
	p=$(grep -cE "$3" "$1")
	f=$(grep -cE "$4" "$1")
	rc=$(cat "$2" 2>/dev/null || echo 1)
	if [ "$rc" != 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
}
tally "$out/regress.log" "$out/regress.rc" '^test .* \.\.\. ok' '^test .* \.\.\. FAILED|\.\.\. failed'
for suite in pgtap doc example tap unit layers bench-smoke sqlsmith guard-fuzz versions dist deb; do
	tally "$out/$suite.log" "$out/$suite.rc" '^ *ok [0-9]' '^ *not ok [0-9]'
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
