#!/bin/bash
# make test: install what is missing, build with warnings as errors, install,
# then run every suite and end with one line "N passed, N failed".
#
#   pg_regress + isolation   in a throwaway cluster (pg_virtualenv)
#   pgTAP (pg_prove)         in the same cluster
#   perl TAP                 clusters of their own (PostgreSQL::Test::Cluster),
#                            run as the postgres user
#   unit + short fuzz        the pure C core, with ASan and UBSan
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

bash test/deps.sh || exit 1
make -s clean >/dev/null
make -s PG_CFLAGS="-Wall -Wextra -Wno-unused-parameter -Werror" || { echo "0 passed, 1 failed"; exit 1; }
make -s install >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

out=$(mktemp -d /tmp/service_id-test.XXXXXX)
chmod 755 "$out"
trap 'rm -rf "$out"' EXIT

# 1-3. Suites that need one server.
pg_virtualenv bash test/run-suites.sh "$out"

# 4. Perl TAP tests: each makes its own clusters, which must not belong to root.
# They run as postgres, which must read the tree (the tests, SidTest.pm,
# test/invariants.sql).  A clone postgres cannot read (under /root, mode
# 700 on Debian, or made with umask 077) is copied first: the files git
# tracks or would track, or everything when this is not a git checkout.
if ls test/t/*.pl >/dev/null 2>&1; then
	tapdir="$out/tap"
	mkdir -p "$tapdir"
	chown postgres "$tapdir"
	echo "== perl TAP tests"
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
	(cd "$taptop" && runuser -u postgres -- env TESTDIR="$tapdir" SID_TOP="$taptop" \
		PATH="$(pg_config --bindir):$PATH" PG_REGRESS=/bin/true \
		prove -v -I "$(dirname "$(pg_config --pgxs)")/../../src/test/perl" \
		-I "$taptop/test/t" test/t/*.pl) >"$out/tap.log" 2>&1
	echo $? >"$out/tap.rc"
	grep -E '^(not )?ok |^# |^t/|^test/t|Result|Failed' "$out/tap.log" | grep -vE '^# (Subtest|Looks like)' | tail -n 200
fi

# 5. The pure C core: unit tests and a short fuzz pass, sanitized.
if [ -f test/unit/run.sh ]; then
	echo "== unit tests and short fuzz (ASan, UBSan)"
	bash test/unit/run.sh >"$out/unit.log" 2>&1
	echo $? >"$out/unit.rc"
	cat "$out/unit.log"
fi

# 6. The benchmark scripts, a few seconds each, so they cannot rot.
if [ -f bench/run.sh ]; then
	echo "== bench smoke"
	bash bench/run.sh --smoke >"$out/bench.log" 2>&1
	rc=$?
	tail -n 5 "$out/bench.log"
	if [ $rc = 0 ]; then echo "ok 1 - bench smoke" >"$out/bench.tap"; else echo "not ok 1 - bench smoke" >"$out/bench.tap"; fi
	echo $rc >"$out/bench.rc"
fi

# The tally.  pg_regress and isolation count a test per file; the TAP
# suites count assertions.  A suite that fails without a failing line
# (a crash, a bad plan) counts as one failure.
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
tally "$out/pgtap.log" "$out/pgtap.rc" '^ *ok [0-9]' '^ *not ok [0-9]'
tally "$out/tap.log" "$out/tap.rc" '^ *ok [0-9]' '^ *not ok [0-9]'
tally "$out/unit.log" "$out/unit.rc" '^ok [0-9]' '^not ok [0-9]'
tally "$out/bench.tap" "$out/bench.rc" '^ok [0-9]' '^not ok [0-9]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
