#!/bin/bash
# test/sqlsmith/run.sh — sqlsmith against service_id (issue 8, "Machinery").
#
#   test/sqlsmith/run.sh [test|long]
#
# Starts a throwaway cluster (pg_virtualenv -t, so it never collides with
# another suite's cluster), loads test/sqlsmith/seed.sql (data in every state,
# through the API; an application role and a reader; the schema on the
# search path), then lets sqlsmith generate random queries with a fixed seed,
# as the superuser and as the application role (which sees only what
# grant_usage gives it).  sqlsmith runs each query in a transaction it rolls
# back, so the data stays as seeded.
#
# Fails when the server crashed or restarted, on any PANIC or assertion
# failure, on any internal error (XX000, XX001, XX002) whose LOCATION is in
# service_id's own source files, or when the invariants
# (test/invariants.sql) no longer hold afterwards.  Core's own internal
# errors are listed as notes.  Prints TAP (plan 1..6) and a summary as
# "# " comments; exits non-zero on failure.
#
# sqlsmith picks functions uniformly from the whole catalog, where
# service_id's are 1 %; a focused run shows it a narrowed copy of pg_proc
# and pg_type instead (seed.sql, smith_catalog), in which they are a third.
#
# Profiles:
#   test   6 000 queries (3 500 as superuser, 2 500 as the application role),
#          focused; about a minute on two cores                 (make test)
#   long   200 000 queries in chunks of 10 000, alternating the two roles,
#          each chunk with its own seed, every fourth chunk on the whole
#          catalog; about 30 minutes                            (make fuzz)
#
# Artifacts (SQLSMITH_OUT; kept after a failure): every generated query
# (queries-K-ROLE-seedS.sql.gz), sqlsmith's own reports (sqlsmith-*.err),
# analysis/{failures.txt,notes.txt,codes.tsv,ours.tsv}, and after a failure
# the server log (server.log.gz).
#
# Environment:
#   SQLSMITH_SEED=n      base seed (default 8; chunk k uses n + k)
#   SQLSMITH_QUERIES=n   total queries instead of the profile's
#   SQLSMITH_SECONDS=n   long profile: stop after n seconds instead
#   SQLSMITH_CHUNK=n     queries per sqlsmith run in the long profile (10000)
#   SQLSMITH_FOCUS=0     let sqlsmith see the whole catalog in every run (see seed.sql)
#   SQLSMITH_OUT=dir     where the artifacts go (default: a temp directory,
#                        removed after a passing run)
#   SQLSMITH_KEEP=1      keep the artifacts of a passing run too
#   SQLSMITH_DESTDIR=dir test another build of the extension, installed with
#                        make install DESTDIR=dir (not the system-wide one)
set -u

# The whole script is one group, read before it starts: editing the file
# (or checking out another commit) during a long run cannot change it.
{
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ "${1:-}" = --inner ]; then
	inner=1
	shift
fi
profile=${1:-test}
case $profile in
	test|long) ;;
	*) echo "usage: $0 [test|long]" >&2; exit 2 ;;
esac

# ------------------------------------------------------------------------
# Outside: make the artifact directory, start the cluster, run ourselves
# inside it, and turn every line that is not TAP into a comment.
# ------------------------------------------------------------------------
if [ -z "${inner:-}" ]; then
	for tool in sqlsmith pg_virtualenv perl timeout; do
		if ! command -v "$tool" >/dev/null; then
			echo "1..1"
			echo "not ok 1 - $tool is installed (make deps installs it)"
			exit 1
		fi
	done
	if [ -n "${SQLSMITH_OUT:-}" ]; then
		out=$SQLSMITH_OUT
		mkdir -p "$out" || exit 1
		made_out=
	else
		out=$(mktemp -d /tmp/service_id-sqlsmith.XXXXXX) || exit 1
		made_out=1
	fi
	chmod 755 "$out"
	# -t: a cluster in a temporary directory even as root, so that a
	# concurrent pg_virtualenv (make test, make bench) does not collide with
	# ours; and a port of our own, away from 5432 where the others start.
	if [ -z "${PGPORT:-}" ]; then
		for try in $(seq 1 50); do
			port=$(( 20000 + (RANDOM % 20000) ))
			if [ ! -e "/var/run/postgresql/.s.PGSQL.$port" ] && [ ! -e "/tmp/.s.PGSQL.$port" ] &&
				! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				export PGPORT=$port
				break
			fi
		done
	fi
	# Another build of the extension, installed with make install DESTDIR=dir
	# (Debian's extension_destdir looks there first).
	build_opts=()
	if [ -n "${SQLSMITH_DESTDIR:-}" ]; then
		build_opts=(-o "extension_destdir=$SQLSMITH_DESTDIR"
					-o "dynamic_library_path=$SQLSMITH_DESTDIR$(pg_config --pkglibdir):\$libdir")
	fi
	pg_virtualenv -t "${build_opts[@]}" \
		-o log_error_verbosity=verbose \
		-o "log_line_prefix=%m [%p] %q%u@%d " \
		-o log_min_messages=warning \
		-o log_min_error_statement=error \
		-o lc_messages=C \
		-o track_activity_query_size=65536 \
		-o track_functions=all \
		-o restart_after_crash=on \
		-o statement_timeout=120s \
		-o jit=off \
		-o autovacuum=off \
		bash "$0" --inner "$profile" "$out" 2>&1 |
		sed -u -e '/^\(not \)\?ok [0-9]/b' -e '/^1\.\.[0-9]/b' -e '/^#/b' -e 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 0 ] && [ -n "$made_out" ] && [ -z "${SQLSMITH_KEEP:-}" ]; then
		rm -rf "$out"
	else
		echo "# artifacts: $out"
	fi
	exit "$rc"
fi

# ------------------------------------------------------------------------
# Inside pg_virtualenv: PGHOST, PGPORT, PGUSER (the superuser), PGPASSWORD.
# ------------------------------------------------------------------------
out=$2
db=sid_smith
seed=${SQLSMITH_SEED:-8}
chunk=${SQLSMITH_CHUNK:-10000}
budget=${SQLSMITH_SECONDS:-}
focus=${SQLSMITH_FOCUS:-1}
if [ "$profile" = test ]; then
	total=${SQLSMITH_QUERIES:-6000}
else
	total=${SQLSMITH_QUERIES:-200000}
	[ -n "$budget" ] && [ -z "${SQLSMITH_QUERIES:-}" ] && total=1000000000
fi

# The server log: pg_virtualenv -t keeps it next to the cluster's config.
log=$(pg_lsclusters -h 2>/dev/null | awk '$2 == "regress" { print $NF }' | head -n 1)
if [ ! -f "$log" ]; then
	log="$(dirname "${PG_CLUSTER_CONF_ROOT:-/etc/postgresql}")/log/postgresql-$PGVERSION-regress.log"
fi

psql_su() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

wait_ready() {					# the server may be in crash recovery
	local i
	for i in $(seq 1 120); do
		pg_isready -q -d "$db" && psql -XAtqc 'SELECT 1' -d "$db" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

funcstats() {					# calls per function of the extension since the last reset
	psql -XAtq -F $'\t' -d "$db" -c "
		SELECT p.oid::regprocedure::text, coalesce(s.calls, 0)
		  FROM pg_proc p LEFT JOIN pg_stat_user_functions s ON s.funcid = p.oid
		 WHERE p.pronamespace = 'service_id'::regnamespace
		 ORDER BY p.oid::regprocedure::text COLLATE \"C\"" 2>/dev/null
}

echo "1..6"

# 1. The database and its data.
seed_ok=1
createdb "$db" || seed_ok=
if [ -n "$seed_ok" ]; then
	psql_su -At -v smith_password="$PGPASSWORD" -f "$here/seed.sql" >"$out/seed.log" 2>&1 || seed_ok=
fi
if [ -n "$seed_ok" ]; then
	missing=$(psql_su -At -c "
		SELECT string_agg(x, ', ') FROM (
			SELECT 'number ' || s AS x FROM unnest('{unused,used,revoked,invalid}'::text[]) s
			 WHERE NOT EXISTS (SELECT FROM service_id.numbers WHERE state = s)
			UNION ALL SELECT 'granted number'
			 WHERE NOT EXISTS (SELECT FROM service_id.numbers WHERE grantee IS NOT NULL)
			UNION ALL SELECT 'filing ' || m || '/' || st
			  FROM unnest('{service_id,direct,trustpass}'::text[]) m,
				   unnest('{active,cancelled,access_removed}'::text[]) st
			 WHERE NOT EXISTS (SELECT FROM service_id.filings WHERE method = m AND status = st)
			UNION ALL SELECT 'audit ' || a
			  FROM unnest('{issued,revoked,invalidated,registered,cancelled,access_removed}'::text[]) a
			 WHERE NOT EXISTS (SELECT FROM service_id.audit WHERE action = a)) x" 2>&1) || seed_ok=
fi
if [ -n "$seed_ok" ] && [ -z "$missing" ]; then
	echo "ok 1 - seed: instances, numbers, filings and audit rows in every state"
	grep -E '^(numbers|filings|audit|granted|instances) ' "$out/seed.log" | sed 's/^/#   /'
	ver=$(psql_su -At -c "SELECT extversion FROM pg_extension WHERE extname = 'service_id'")
	# The library a backend actually loaded (Linux: from /proc).
	lib=$(psql_su -At -c "SELECT service_id.gen_service_id() IS NULL" \
		-c "SELECT substring(l from ' (/\S*service_id\S*[.]so)') FROM regexp_split_to_table(
				pg_read_file('/proc/' || pg_backend_pid() || '/maps'), E'\n') l
			 WHERE l ~ 'service_id[^/]*[.]so' LIMIT 1" 2>/dev/null | tail -n 1)
	echo "#   extension version $ver (${lib:-library path unknown}), $(psql -XAtc 'SELECT version()' | cut -d, -f1)"
else
	echo "not ok 1 - seed: instances, numbers, filings and audit rows in every state"
	echo "#   missing: ${missing:-?}"
	tail -n 20 "$out/seed.log" | sed 's/^/#   /'
	for i in 2 3 4 5 6; do echo "not ok $i - # skipped: no seed"; done
	exit 1
fi

# 2. sqlsmith: a list of runs (role, seed, queries), run one after another.
start_time=$(psql -XAtc 'SELECT pg_postmaster_start_time()' -d "$db")
psql -XAtqc 'SELECT pg_stat_reset()' -d "$db" >/dev/null
funcstats >"$out/funcs-before.tsv"
log_start=$(stat -c %s "$log")
began=$(date +%s)

declare -A ran=([superuser]=0 [app]=0)
dumps=()
smith_ok=1
smith_problems=
k=0
remaining=$total
while [ "$remaining" -gt 0 ]; do
	if [ "$profile" = test ]; then
		# 7/12 of the queries as the superuser, the rest as the application role.
		case $k in
			0) role=superuser; n=$(( total * 7 / 12 )) ;;
			*) role=app; n=$remaining ;;
		esac
	else
		n=$(( remaining < chunk ? remaining : chunk ))
		if [ $(( k % 2 )) = 0 ]; then role=superuser; else role=app; fi
	fi
	remaining=$(( remaining - n ))
	[ "$n" -gt 0 ] || continue
	limit=$(( n / 10 + 120 ))	# seconds; far above what the queries need
	if [ -n "$budget" ]; then
		left=$(( began + budget - $(date +%s) ))
		[ "$left" -le 0 ] && break
		[ "$left" -lt "$limit" ] && limit=$left
	fi
	if [ $role = superuser ]; then target="dbname=$db"; else target="dbname=$db user=sid_app"; fi
	# Focused: sqlsmith reads smith_catalog.pg_proc (see seed.sql).  The
	# long profile runs every fourth chunk on the whole catalog.
	catalog=focused
	if [ "$focus" = 0 ] || { [ "$profile" = long ] && [ $(( k % 4 )) = 2 ]; }; then
		catalog=whole
	fi
	if [ $catalog = focused ]; then
		path='-c search_path=smith_catalog,pg_catalog,public,service_id'
	else
		path=
	fi
	s=$(( seed + k ))
	qfile="$out/queries-$k-$role-seed$s.sql.gz"
	dumps+=("$qfile")
	t0=$(date +%s%N)
	PGOPTIONS=$path timeout -s INT -k 15 "$limit" sqlsmith --target="$target" --seed="$s" --max-queries="$n" \
		--exclude-catalog --verbose --dump-all-queries 2>"$out/sqlsmith-$k-$role.err" | gzip -1 >"$qfile"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s%N)
	# sqlsmith's report (every few hundred queries and at the end).
	q=$(grep -E '^queries: [0-9]+' "$out/sqlsmith-$k-$role.err" | tail -n 1 | awk '{ print $2 }')
	q=${q:-0}
	ran[$role]=$(( ${ran[$role]} + q ))
	printf '#   run %d: %-9s %-7s seed %-4s %7d queries in %6.1f s, %s\n' "$k" "$role" "$catalog" "$s" "$q" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')" \
		"$(grep -E '^error rate' "$out/sqlsmith-$k-$role.err" | tail -n 1)"
	if [ $rc != 0 ]; then
		if [ $rc = 124 ] && [ -n "$budget" ] && [ $(( $(date +%s) - began )) -ge "$budget" ]; then
			:				# the time budget ran out: a normal end
		else
			smith_ok=
			smith_problems+=" run $k ($role) exited with $rc;"
			grep -v '^[.etSC]*$' "$out/sqlsmith-$k-$role.err" | tail -n 5 | sed 's/^/#     /'
		fi
	fi
	if ! wait_ready; then
		smith_ok=
		smith_problems+=" server does not answer after run $k;"
		break
	fi
	k=$(( k + 1 ))
done
ended=$(date +%s)
sleep 1							# let the last backend report its statistics
queries=$(( ${ran[superuser]} + ${ran[app]} ))
secs=$(( ended - began ))
[ "$queries" -eq 0 ] && { smith_ok=; smith_problems+=" no query ran;"; }
if [ -n "$smith_ok" ]; then
	echo "ok 2 - sqlsmith ran $queries queries (superuser ${ran[superuser]}, application role ${ran[app]})"
else
	echo "not ok 2 - sqlsmith ran $queries queries (superuser ${ran[superuser]}, application role ${ran[app]}):$smith_problems"
fi
[ "$secs" -gt 0 ] && echo "#   $secs s, $(( queries / secs )) queries/s"

# 3-5. The server log.
end_time=$(psql -XAtc 'SELECT pg_postmaster_start_time()' -d "$db" 2>/dev/null)
funcstats >"$out/funcs-after.tsv"
mkdir -p "$out/analysis"
counts=$(perl "$here/analyze.pl" "$log" "$log_start" "$out/analysis" "${dumps[@]}")
eval "$counts"				# crashes= restarts= panics= asserts= ours_internal= core_internal= errors= fatals=
: "${crashes:=?}" "${restarts:=?}" "${panics:=?}" "${asserts:=?}" "${ours_internal:=?}"

if [ "$crashes" = 0 ] && [ "$restarts" = 0 ] && [ "$start_time" = "$end_time" ]; then
	echo "ok 3 - the server never crashed or restarted"
else
	echo "not ok 3 - the server never crashed or restarted: $crashes crashes, $restarts restarts, start time $start_time -> ${end_time:-?}"
fi
if [ "$panics" = 0 ] && [ "$asserts" = 0 ]; then
	echo "ok 4 - no PANIC and no assertion failure"
else
	echo "not ok 4 - no PANIC and no assertion failure: $panics PANIC, $asserts assertion failures"
fi
if [ "$ours_internal" = 0 ]; then
	echo "ok 5 - no internal error (XX000-XX002) raised from service_id's code"
else
	echo "not ok 5 - no internal error (XX000-XX002) raised from service_id's code: $ours_internal"
fi

# 6. The data after it all (every query was rolled back; a crash or a guard
# that wrote outside its transaction would show here).
if [ -f "$top/test/invariants.sql" ]; then
	# Every row whose column "ok" is not true, or the error if it failed.
	# The roles seed.sql gave grant_usage and grant_read to, for the ACL
	# rows; amcheck for the index rows.
	psql -XAtqc 'CREATE EXTENSION IF NOT EXISTS amcheck' -d "$db" >/dev/null 2>&1
	bad=$(PGOPTIONS='-c sid_invariants.usage_roles=sid_app -c sid_invariants.read_roles=sid_reader' \
		psql -XAq -v ON_ERROR_STOP=1 -P footer=off -F $'\x1f' -d "$db" -f "$top/test/invariants.sql" 2>&1 |
		awk -F $'\x1f' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ok") c = i; if (!c) print; next }
			$c != "t" { gsub(FS, " | "); print }')
	if [ -z "$bad" ]; then
		echo "ok 6 - invariants hold afterwards (test/invariants.sql)"
	else
		echo "not ok 6 - invariants hold afterwards (test/invariants.sql)"
		echo "$bad" | head -n 20 | sed 's/^/#   /'
	fi
else
	echo "ok 6 - # SKIP test/invariants.sql not found"
fi

# The summary.
echo "# summary: $queries queries, $errors errors in the server log, $fatals FATAL"
echo "#   errors by SQLSTATE (top 12):"
head -n 12 "$out/analysis/codes.tsv" | awk -F '\t' '{ printf "#     %-6s %-5s %7d  %s\n", $1, $2, $3, $4 }'
if [ -s "$out/analysis/ours.tsv" ]; then
	echo "#   messages raised from service_id's code (top 15 of $(wc -l <"$out/analysis/ours.tsv")):"
	head -n 15 "$out/analysis/ours.tsv" | awk -F '\t' '{ printf "#     %6d  %s %s: %s\n", $1, $2, $3, substr($4, 1, 90) }'
fi
# What the generated queries reached.
perl "$here/coverage.pl" "$out/funcs-before.tsv" "$out/funcs-after.tsv" "${dumps[@]}"
[ "$restarts" != 0 ] && echo "#   (a crash resets the statistics: the calls above are partial)"
if [ -s "$out/analysis/notes.txt" ]; then
	echo "# notes: internal errors raised from core ($core_internal), in $out/analysis/notes.txt:"
	grep -E '^(message|location):' "$out/analysis/notes.txt" | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/#   /'
fi
if [ -s "$out/analysis/failures.txt" ]; then
	echo "# FAILURES (also in $out/analysis/failures.txt):"
	head -c 30000 "$out/analysis/failures.txt" | sed 's/^/#   /'
	echo "#   To reproduce one: createdb x; psql -d x -v smith_password=x -f test/sqlsmith/seed.sql;"
	echo "#   then run its statement in a new session of x as the user named (sid_app: SET ROLE sid_app)."
	echo "#"
fi
failed=
[ -n "$smith_ok" ] || failed=1
[ "$crashes" = 0 ] && [ "$restarts" = 0 ] && [ "$start_time" = "$end_time" ] || failed=1
[ "$panics" = 0 ] && [ "$asserts" = 0 ] && [ "$ours_internal" = 0 ] || failed=1
[ -z "${bad:-}" ] || failed=1
if [ -n "$failed" ]; then
	gzip -c "$log" >"$out/server.log.gz" 2>/dev/null
	exit 1
fi
exit 0
}
