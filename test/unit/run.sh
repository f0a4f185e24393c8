#!/bin/bash
# test/unit/run.sh: the pure C core under ASan and UBSan, as one TAP stream.
# Called by `make test` (test/run-all.sh); runs on its own too.
#
#   1. builds test/unit/unit.c with src/sid_core.c and the server's
#      libpgport.a (CRC-32C), -fsanitize=address,undefined
#      -fno-sanitize-recover=all, and runs it: its TAP lines are renumbered
#      into this stream, sanitizer reports become "# " comments;
#   2. a short libFuzzer pass (test/fuzz/run.sh with a million
#      executions) on a copy of the seed corpus: one line
#      "ok N - fuzz: X executions, no crash".
#
# Builds go to a temporary directory, never into the repository.  Exits
# non-zero if anything failed.
#
#   UNIT_CC=gcc|clang      compiler for the unit tests (default gcc, else clang)
#   UNIT_FUZZ_RUNS=n       executions of the short fuzz pass (default 1000000)
#   UNIT_FUZZ_MAX_TIME=s   and at most s seconds (default 20)
#   SID_UNIT_SEED=n        another seed for the unit tests' random values
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
pg_config=${PG_CONFIG:-pg_config}

work=$(mktemp -d /tmp/service_id-unit.XXXXXX)
trap 'rm -rf "$work"' EXIT

n=0
failed=0
emit() {					# $1: 0 for ok   $2: description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
comment() { sed -e 's/^/# /' "$@"; }

inc=$("$pg_config" --includedir-server)
pgport=
for d in "$("$pg_config" --pkglibdir)" "$("$pg_config" --libdir)"; do
	if [ -f "$d/libpgport.a" ]; then pgport=$d/libpgport.a; break; fi
done

# ---- 1. unit tests
build_unit() {				# $1: compiler
	"$1" -std=gnu99 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Wno-unused-parameter -Wno-ignored-attributes \
		-Wno-unknown-warning-option \
		-I"$top/src" -I"$inc" \
		"$here/unit.c" "$top/src/sid_core.c" "$pgport" \
		-o "$work/unit" >"$work/build.log" 2>&1
}
cc=${UNIT_CC:-}
if [ -z "$pgport" ]; then
	emit 1 "unit tests: libpgport.a not found (install postgresql-server-dev-15)"
elif { [ -n "$cc" ] && build_unit "$cc"; } ||
	{ [ -z "$cc" ] && { cc=gcc; build_unit gcc; } } ||
	{ [ -z "${UNIT_CC:-}" ] && { cc=clang; build_unit clang; } }; then
	emit 0 "unit tests build with $cc -fsanitize=address,undefined against $(basename "$pgport")"
	(cd "$work" && ./unit) >"$work/unit.out" 2>"$work/unit.err"
	rc=$?
	plan=
	tests=0
	notok=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			tests=$((tests + 1)); notok=$((notok + 1))
			emit 1 "$(echo "$line" | sed -E 's/^not ok [0-9]+ - //')" ;;
		"ok "*)
			tests=$((tests + 1))
			emit 0 "$(echo "$line" | sed -E 's/^ok [0-9]+ - //')" ;;
		1..*)
			plan=${line#1..} ;;
		*)
			echo "$line" ;;
		esac
	done <"$work/unit.out"
	[ -s "$work/unit.err" ] && comment "$work/unit.err" | head -n 60
	if [ "$plan" != "$tests" ]; then
		emit 1 "unit tests ran to the end (plan ${plan:-missing}, $tests ran, exit status $rc)"
	elif [ "$rc" != 0 ] && [ "$notok" = 0 ]; then
		emit 1 "unit tests exited with status $rc"
	fi
else
	emit 1 "unit tests build with ${UNIT_CC:-gcc or clang} -fsanitize=address,undefined"
	grep -v 'gnu_printf\|pg_attribute_printf\|^ *\^\|^In file included\|warnings generated' \
		"$work/build.log" | head -n 40 | comment
fi

# ---- 2. a short fuzz pass
FUZZ_RUNS=${UNIT_FUZZ_RUNS:-1000000} FUZZ_MAX_TIME=${UNIT_FUZZ_MAX_TIME:-20} \
	bash "$top/test/fuzz/run.sh" >"$work/fuzz.out" 2>&1
rc=$?
comment "$work/fuzz.out"
execs=$(sed -n 's/^fuzz: \([0-9][0-9]*\) executions.*/\1/p' "$work/fuzz.out" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ]; then
	emit 0 "fuzz: $execs executions, no crash"
else
	emit 1 "fuzz: ${execs:-0} executions, exit status $rc"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
