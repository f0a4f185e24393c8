#!/bin/bash
# examples/test.sh: run examples/console.py through its scenario, as an
# application role given grant_usage(), and check what it prints and how it
# exits.  Prints TAP; exits non-zero when a check fails.
#
#   bash examples/test.sh                 # in a throwaway cluster (pg_virtualenv)
#   bash examples/test.sh --use-existing  # in the server the libpq environment
#                                         # names (PGHOST, PGPORT, PGUSER, ...),
#                                         # as a superuser: a scratch database
#                                         # and role, both dropped at the end
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != --use-existing ]; then
	# -t: a cluster in a temporary directory even as root, so that this can
	# run beside another pg_virtualenv (make test's); dropped at the end.
	exec pg_virtualenv -t bash "$here/test.sh" --use-existing
fi

python=/usr/bin/python3
db=sid_examples_$$
role=sid_console_$$
password=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
log=$(mktemp -d /tmp/sid-examples.XXXXXX)
holder=

cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	dropdb --if-exists --force "$db" 2>/dev/null
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" 2>/dev/null
	rm -rf "$log"
}
trap cleanup EXIT

n=0
failed=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ -n "${out:-}" ] && sed 's/^/#   /' <<<"exit $rc; output:
$out"
	return 0
}
# check DESCRIPTION COMMAND...: one TAP line, passing when COMMAND succeeds
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# has / lacks REGEX: does the last run's output (stdout and stderr) match?
has() { grep -Eq -- "$1" <<<"$out"; }
lacks() { ! grep -Eq -- "$1" <<<"$out"; }
exited() { [ "$rc" = "$1" ]; }

# console ARGS...: run the program as the application role; sets out and rc
console() {
	out=$(SERVICE_ID_DSN="dbname=$db user=$role password=$password" \
		SERVICE_ID_ACCOUNT=acct-alice "$python" "$here/console.py" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$log/all"
}
# as_app SQL: psql as the application role
as_app() {
	out=$(psql -X -q -At -v ON_ERROR_STOP=1 "dbname=$db user=$role password=$password" -c "$1" 2>&1)
	rc=$?
}
super() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# hold INSTANCE: in the background, a transaction that applies for a number
# on INSTANCE and commits only once the console waits for its lock; returns
# once it holds that lock.
hold() {
	PGAPPNAME=sid_holder psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -v inst="$1" \
		-v role="$role" >"$log/holder" 2>&1 <<-'SQL' &
	BEGIN;
	SELECT set_config('sid.waiter', :'role', true);
	SELECT service_id.apply_service_id(:'inst', 'acct-alice') IS NOT NULL;
	DO $$
	BEGIN
		FOR i IN 1..200 LOOP	-- 10 s at most
			PERFORM pg_stat_clear_snapshot();
			EXIT WHEN EXISTS (SELECT FROM pg_stat_activity
							   WHERE usename = current_setting('sid.waiter')
								 AND wait_event_type = 'Lock');
			PERFORM pg_sleep(0.05);
		END LOOP;
	END
	$$;
	COMMIT;
	SQL
	holder=$!
	for _ in $(seq 200); do
		[ "$(super -c "SELECT count(*) FROM pg_stat_activity
						WHERE application_name = 'sid_holder' AND wait_event = 'PgSleep'")" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}
holder_done() { wait "$holder"; local s=$?; holder=; [ $s = 0 ]; }

# ---------------------------------------------------------------------------
if ! "$python" -c 'import psycopg' 2>/dev/null; then
	echo "1..1"
	echo "not ok 1 - psycopg 3 is importable by $python # install python3-psycopg (make deps)"
	exit 1
fi
if ! createdb "$db" || ! super -v app_role="$role" -v app_password="$password" \
		-f "$here/setup.sql" >"$log/setup" 2>&1; then
	cat "$log/setup" 2>/dev/null
	echo "1..1"
	echo "not ok 1 - examples/setup.sql runs # server: ${PGHOST:-socket}:${PGPORT:-5432}"
	exit 1
fi
pass "examples/setup.sql makes the role and the sample data"

# Numbers reach the application only through the API.
as_app "SELECT count(*) FROM service_id.number_store"
check "the application role cannot read service_id.number_store" \
	eval '! exited 0 && has "permission denied for table number_store"'
as_app "SELECT count(*) FROM service_id.numbers"
check "nor the DBA view service_id.numbers" \
	eval '! exited 0 && has "permission denied for view numbers"'

# ICP No. Application
console instances
check "instances: exit 0" exited 0
check "instances: i-web01 offers Apply, with its allowance" has '^  i-web01 .* 5 of 5 left +\[Apply\]$'
check "instances: i-payg says pay-as-you-go does not qualify" has 'pay-as-you-go: switch it to a subscription'
check "instances: i-trial gives every reason, in words" \
	eval 'has "free trial" && has "too short in total" && has "not running" && has "no public IP" && has "outside mainland China"'
check "instances: i-old has expired" has 'It has expired: renew it'
check "instances: i-full has no slot left" \
	eval 'has "^  i-full .* 0 of 5 left +not available:" && has "All its numbers are taken"'
check "instances: lb-1 shows the product's hint" has 'Apply with the ECS instance behind the load balancer'
check "instances: another account's instance is not listed" lacks 'i-bob01'
check "instances: no reason code is shown raw" lacks '(not_subscription|allowance_used_up|product_not_supported)'

# Apply
console apply i-web01
check "apply: exit 0" exited 0
number=$(grep -Eo '[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' <<<"$out" | head -n1)
check "apply: prints the new number in full" test -n "$number"
console apply i-web01 --count 2
check "apply --count 2: two numbers at once" \
	eval 'exited 0 && [ "$(grep -c "^New service identification number" <<<"$out")" = 2 ]'
second=$(grep -Eo '[0-9a-f]{8}-[0-9a-f-]{27}$' <<<"$out" | head -n1)

# ICP No. Management
console numbers
check "numbers: exit 0" exited 0
check "numbers: masked but for the last four hex digits" has "^  \*{8}-\*{4}-\*{4}-\*{4}-\*{8}${number: -4}  i-web01 +unused"
check "numbers: no number shown in full" lacks '[0-9a-f]{8}-[0-9a-f]{4}-8'
check "numbers: the number acct-bob granted to acct-alice" has 'i-bob01 +unused .*granted by acct-bob'
console numbers --reveal
check "numbers --reveal: shows them in full" eval 'exited 0 && has "^  $number  i-web01"'

# File
console file www.example.cn "$number"
check "file: exit 0, a filing id" eval 'exited 0 && has "^Filed www.example.cn with number \*{8}-.*${number: -4}: filing [0-9]+\.$"'
console numbers
check "numbers: the number is used by www.example.cn" \
	has "${number: -4}  i-web01 +used .*www\.example\.cn \(filing [0-9]+, active\)"

# Refusals, one per SQLSTATE, each a message and exit 1 (never a traceback)
console file shop2.example.cn "$number"
check "23505: a used number is refused" \
	eval 'exited 1 && has "^This is already taken\.$" && has "ending in ${number: -4} has already been used"'
console file WWW.Example.CN "$second"
check "23505: a website with an active filing is refused" \
	eval 'exited 1 && has "^This is already taken\.$" && has "www.example.cn\" already has an active filing" && has "cancel it first"'
typo=${second:0:35}$(tr 0-9a-f 1-9a-f0 <<<"${second:35:1}")
console file typo.example.cn "$typo"
check "22P02: a mistyped number is caught" \
	eval 'exited 1 && has "not a valid service identification number" && has "check"'
console file "https://www.example.cn/" "$second"
check "22023: a website with a scheme and path" \
	eval 'exited 1 && has "^Some of what you entered is not valid" && has "Invalid website" && has "no scheme, port, path"'
console apply i-web01 --count 21
check "22023: more than 20 numbers at once" eval 'exited 1 && has "N must be between 1 and 20"'
console apply ins-elsewhere-123
check "P0002: an unknown instance, with the other-provider hint" \
	eval 'exited 1 && has "^We could not find that" && has "that provider.s filing platform"'
console apply i-bob01
check "42501: another account's instance" \
	eval 'exited 1 && has "^Your account is not allowed" && has "did not purchase instance"'
console apply i-trial
check "55000: an ineligible instance, every reason in the detail" \
	eval 'exited 1 && has "^This cannot be done in its current state" && has "free trial" && has "not running"'
console apply lb-1
check "55000: a load balancer, with the product's hint" has 'behind the load balancer'
console apply i-full
check "53400: no slot left" \
	eval 'exited 1 && has "^There are no numbers left on this instance" && has "Revoke an unused number"'
PGOPTIONS="-c default_transaction_read_only=on" console apply i-web01
check "25006: a read-only server" eval 'exited 1 && has "read-only for maintenance"'
console --account "o'brien');DROP--" instances
check "parameters are bound: an odd account id is just an account" \
	eval 'exited 0 && has "no instances"'

# Concurrency: another transaction holds swas-1's allowance counter.
if hold swas-1; then
	console apply swas-1
	check "read committed: a concurrent apply queues and succeeds" \
		eval 'exited 0 && lacks "trying again"'
	check "  (the other transaction committed)" holder_done
else
	fail "read committed: the other transaction holds the lock"
fi
if hold swas-1; then
	console --isolation repeatable-read apply swas-1
	check "repeatable read: 40001, retried, then issued" \
		eval 'exited 0 && has "busy \[40001\], trying again" && has "^New service identification number for swas-1"'
	check "  (the other transaction committed)" holder_done
else
	fail "repeatable read: the other transaction holds the lock"
fi
if hold swas-1; then
	console --isolation serializable --attempts 1 apply swas-1
	check "40001 with no retries left: a busy message" \
		eval 'exited 1 && has "^The service is busy" && lacks "could not serialize"'
	check "  (the other transaction committed)" holder_done
else
	fail "serializable: the other transaction holds the lock"
fi
out=$(super -c "SELECT consumed, remaining FROM service_id.check_instance('swas-1')")
check "swas-1: five numbers issued, none too many" test "$out" = "5|0"

out=$(cat "$log/all")
rc=-
check "no run printed a Python traceback" lacks 'Traceback'

echo "1..$n"
[ "$failed" = 0 ]
