#!/bin/bash
# make fuzz: build test/fuzz/fuzz_parse.c with libFuzzer, ASan and UBSan and
# run it for 10 million executions, starting from a copy of
# test/fuzz/corpus (the repository is not modified).  Prints the executions,
# the time and the exit status; exits non-zero on a crash or a violated
# property, keeping the crashing input and the log under /tmp.
#
#   FUZZ_RUNS=n        executions (default 10000000)
#   FUZZ_MAX_TIME=s    stop after s seconds as well (default 0: no limit)
#   FUZZ_SEED=n        libFuzzer's random seed (default: libFuzzer picks one)
#   FUZZ_CC=clang-14   the compiler (needs -fsanitize=fuzzer)
#
# test/unit/run.sh calls this with a small FUZZ_RUNS for `make test`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
runs=${FUZZ_RUNS:-10000000}
max_time=${FUZZ_MAX_TIME:-0}
cc=${FUZZ_CC:-clang}
pg_config=${PG_CONFIG:-pg_config}

inc=$("$pg_config" --includedir-server) || exit 2
# Debian ships the static port library with the server's libraries.
pgport=
for d in "$("$pg_config" --pkglibdir)" "$("$pg_config" --libdir)"; do
	if [ -f "$d/libpgport.a" ]; then pgport=$d/libpgport.a; break; fi
done
if [ -z "$pgport" ]; then
	echo "fuzz: libpgport.a not found (install postgresql-server-dev-15)"
	exit 2
fi

work=$(mktemp -d /tmp/service_id-fuzz.XXXXXX)
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

# CRC-32C comes from the server's libpgport.a (pg_comp_crc32c and its
# SSE 4.2 / slicing-by-8 chooser), linked as it is.
if ! "$cc" -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wno-ignored-attributes -Wno-unused-parameter \
	-I"$top/src" -I"$inc" \
	"$here/fuzz_parse.c" "$top/src/sid_core.c" "$pgport" \
	-o "$work/fuzz_parse" >"$work/build.log" 2>&1; then
	echo "fuzz: build failed:"
	grep -v 'gnu_printf\|pg_attribute_printf\|^ *\^\|^In file included\|warnings generated' "$work/build.log" | head -n 40
	exit 2
fi

cp -r "$here/corpus" "$work/corpus"
seed_opt=()
[ -n "${FUZZ_SEED:-}" ] && seed_opt=("-seed=$FUZZ_SEED")

echo "fuzz: $cc ASan+UBSan, $runs runs (max time ${max_time}s), corpus of $(ls "$here/corpus" | wc -l) seeds"
start=$(date +%s.%N)
(cd "$work" && ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0} \
	./fuzz_parse -runs="$runs" -max_total_time="$max_time" -max_len=1100 \
	-dict="$here/sid.dict" -print_final_stats=1 -artifact_prefix="$work/" \
	"${seed_opt[@]}" corpus) >"$work/fuzz.log" 2>&1
rc=$?
end=$(date +%s.%N)

execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)
if [ -z "$execs" ]; then		# crashed before the final stats
	execs=$(grep -oE '^#[0-9]+' "$work/fuzz.log" | tail -n 1 | tr -d '#')
fi
execs=${execs:-0}
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { if (s > 0) printf "%d", n / s; else print 0 }')
seed=$(sed -n 's/.*Seed: \([0-9]*\).*/\1/p' "$work/fuzz.log" | head -n 1)
corp=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' )

echo "fuzz: $execs executions in ${secs}s ($rate exec/s), seed $seed, $corp, exit status $rc"
if [ "$rc" != 0 ]; then
	keep=1
	echo "fuzz: FAILED; log and crashing input kept in $work"
	grep -E 'ERROR|runtime error|property violated|SUMMARY|Test unit written|Base64' "$work/fuzz.log" | head -n 20
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
		[ -f "$f" ] || continue
		echo "fuzz: input $f:"
		od -A d -c "$f" | head -n 20
	done
fi
exit "$rc"
