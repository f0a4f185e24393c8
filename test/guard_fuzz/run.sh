#!/bin/bash
# test/guard_fuzz/run.sh PROFILE — the guard fuzzer (fuzz.py) in a throwaway
# cluster of its own (pg_virtualenv, which works as root and drops the
# cluster afterwards), with TAP output for the test runner.
#
#   test   make test: a bounded run with a fixed seed, single-session then
#          concurrent (2-4 sessions); about a minute on two cores.
#   long   make fuzz: at least 1 000 000 steps (60 % single-session, 40 %
#          concurrent), seed from the clock unless given; hours (see the
#          README of fuzz.py for the measured rate).
#
# Environment:
#   GUARD_FUZZ_SEED          the seed (test default 1; long default: the clock)
#   GUARD_FUZZ_STEPS         total steps (test default 8000, long 1000000)
#   GUARD_FUZZ_MINUTES       a time budget on top (test default 3: a cap, not a target)
#   GUARD_FUZZ_ARGS          more arguments for fuzz.py (e.g. --keep-going)
#   GUARD_FUZZ_LOG           keep the full logs in this directory
#   GUARD_FUZZ_PG_OPTS       more pg_virtualenv options, e.g. to test another build:
#                            "-o extension_destdir=/path/to/DESTDIR"
#
# Output: TAP ("1..3", "ok N - ...", "not ok N - ..."), failures and their
# shortest reproductions as "# " lines; exit status 0 when all are ok.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ "${1:-}" = "--inner" ]; then
	# Inside pg_virtualenv: PGHOST, PGPORT, PGUSER, PGPASSWORD are set.
	profile=$2
	logdir=$3
	seed=$4
	steps=$5
	minutes=$6
	minimize=120
	[ "$profile" = long ] && minimize=900
	py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	single=$((steps * 6 / 10))
	conc=$((steps - single))
	n=0
	echo "1..3"
	run_part() {		# $1 label  $2 sessions  $3 steps  $4 minutes  $5 log
		local rc
		"$py" "$here/fuzz.py" --seed "$seed" --steps "$3" --sessions "$2" \
			--minutes "$4" --db-prefix "sidfuzz_${2%-*}" --minimize-seconds "$minimize" \
			${GUARD_FUZZ_ARGS:-} >"$5" 2>&1
		rc=$?
		n=$((n + 1))
		local summary
		summary=$(grep '^guard_fuzz summary:' "$5" | tail -n 1 | sed 's/^guard_fuzz summary: //')
		if [ $rc = 0 ]; then
			echo "ok $n - guard fuzz, $1: $summary"
		else
			echo "not ok $n - guard fuzz, $1 (exit $rc)"
			sed -n '/^=\{20,\}$/,/^=\{20,\}$/p' "$5" | sed 's/^/# /'
			grep -E '^(guard_fuzz|Traceback|  File|psycopg)' "$5" | tail -n 20 | sed 's/^/# /'
		fi
	}
	# half of the time budget each, so that the second part always runs
	half=$(awk -v m="$minutes" 'BEGIN { printf "%.2f", m / 2 }')
	run_part "single session" 1 "$single" "$half" "$logdir/single.log"
	run_part "concurrent, 2-4 sessions" 2-4 "$conc" "$half" "$logdir/concurrent.log"
	# The server log: no backend may have died, no PANIC, no assertion.
	n=$((n + 1))
	log=$(pg_lsclusters -h 2>/dev/null | awk '{ print $NF }' | head -n 1)
	if [ -n "$log" ] && [ -f "$log" ]; then
		bad=$(grep -E 'terminated by signal|PANIC:|TRAP:|server process .* exited with exit code [^0]' "$log" | head -n 5)
		if [ -z "$bad" ]; then
			echo "ok $n - server log: no crash, PANIC or failed assertion"
		else
			echo "not ok $n - server log: a backend died"
			echo "$bad" | sed 's/^/# /'
		fi
		cp "$log" "$logdir/server.log" 2>/dev/null
	else
		echo "ok $n - server log: not found, skipped # SKIP no log file"
	fi
	exit 0
fi

profile=${1:-test}
case "$profile" in
test)
	seed=${GUARD_FUZZ_SEED:-1}
	steps=${GUARD_FUZZ_STEPS:-8000}
	minutes=${GUARD_FUZZ_MINUTES:-3}
	;;
long)
	seed=${GUARD_FUZZ_SEED:-$(date +%s)}
	steps=${GUARD_FUZZ_STEPS:-1000000}
	minutes=${GUARD_FUZZ_MINUTES:-0}
	;;
*)
	echo "usage: $0 test|long" >&2
	exit 2
	;;
esac
[ "$minutes" = 0 ] && minutes=100000

if ! /usr/bin/python3 -c 'import psycopg' 2>/dev/null && ! python3 -c 'import psycopg' 2>/dev/null; then
	echo "1..1"
	echo "not ok 1 - guard fuzz: python3-psycopg (psycopg 3) is not installed"
	exit 1
fi

logdir=${GUARD_FUZZ_LOG:-}
keep=1
if [ -z "$logdir" ]; then
	logdir=$(mktemp -d /tmp/guard_fuzz.XXXXXX)
	keep=0
fi
mkdir -p "$logdir"
chmod 777 "$logdir"

# A free port, so that this cluster does not collide with another
# pg_virtualenv running at the same time.
port=
for _ in $(seq 1 100); do
	p=$((20000 + RANDOM % 20000))
	if ! (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "/var/run/postgresql/.s.PGSQL.$p" ]; then
		port=$p
		break
	fi
done

echo "# guard fuzz ($profile): seed $seed, $steps steps, logs in $logdir"
out=$(pg_virtualenv -t ${port:+-c "-p $port"} \
	-o fsync=off -o synchronous_commit=off -o full_page_writes=off \
	-o log_min_messages=log -o log_min_error_statement=panic -o log_checkpoints=off \
	-o restart_after_crash=on -o max_connections=60 ${GUARD_FUZZ_PG_OPTS:-} \
	bash "$0" --inner "$profile" "$logdir" "$seed" "$steps" "$minutes" 2>&1)
rc=$?
echo "$out" | grep -vE '^(Creating new PostgreSQL cluster|Dropping cluster)'
if [ $rc != 0 ] || ! echo "$out" | grep -q '^1\.\.'; then
	echo "not ok - guard fuzz: pg_virtualenv failed (exit $rc)"
	exit 1
fi
[ $keep = 0 ] && ! echo "$out" | grep -q '^not ok' && rm -rf "$logdir"
echo "$out" | grep -q '^not ok' && exit 1
exit 0
