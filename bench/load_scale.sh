#!/usr/bin/env bash
# bench/load_scale.sh — bulk-load instances and issued numbers into a
# service_id database, for benchmarks and for capacity planning.
#
# What it writes, per instance n in [start, start + instances):
#   service_id.instance       one eligible, running, subscription ECS (every
#                             4th a Simple Application Server) instance,
#                             instance_id = PREFIX||n, account_id = acct-PREFIX||n,
#                             spread over the mainland regions of
#                             service_id.region;
#   service_id.number_store   K unused numbers (service_id.gen_service_id(),
#                             the generator apply uses), applicant = purchaser;
#   service_id.audit_store    one 'issued' row per number, as apply writes it
#                             (unless --no-audit).
# The extension's triggers run as for any INSERT: each instance gets its
# allowance counter, each number adds one to it (so K may not exceed the
# product's allowance, 5), and the guards check every row.  Nothing goes
# through apply_service_ids(): one SQL statement per batch instead of one
# function call per 20 numbers is what makes millions of rows practical.
# Loaded numbers are indistinguishable from issued ones, except that their
# audit rows carry detail {"loaded": true}.
#
# Work is committed in batches (--batch instances and their numbers per
# transaction), so an interrupted load keeps what it finished: rerun with
# --start set past the last batch reported.  Progress goes to stderr; the
# summary (rows, seconds, rates, table and index sizes) to stdout.
#
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGPASSWORD) or --dbname.  The role needs INSERT on the three tables (the
# extension's owner or a superuser; an application role granted only
# grant_usage() may not write numbers directly, by design).
#
# Examples:
#   bash bench/load_scale.sh -d mydb -i 1000000 -k 5      # 1 M instances, 5 M numbers
#   bash bench/load_scale.sh -d mydb -i 200000 -k 0 -p pool-   # eligible instances only
#
# For capacity planning, the summary's sizes divided by the row counts give
# bytes per instance and per number, tables and indexes separately.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//; s/^#$//'
	echo
	cat <<'EOF'
Options:
  -d, --dbname DB        database (default: $PGDATABASE)
  -i, --instances N      instances to create (default 1000000)
  -k, --per-instance K   numbers per instance, 0 to 5 (default 5)
  -p, --prefix P         instance id prefix (default cap-)
  -s, --start S          number of the first instance (default 1)
  -b, --batch B          instances per transaction (default 50000)
      --no-audit         do not write the 'issued' audit rows
      --no-vacuum        skip the final VACUUM (ANALYZE) of the tables
  -q, --quiet            no progress lines
  -h, --help             this text
EOF
	echo
}

instances=1000000 per=5 prefix=cap- start=1 batch=50000
audit=1 vacuum=1 quiet=0 db=${PGDATABASE:-}
while [ $# -gt 0 ]; do
	case $1 in
		-d|--dbname) db=$2; shift 2 ;;
		-i|--instances) instances=$2; shift 2 ;;
		-k|--per-instance) per=$2; shift 2 ;;
		-p|--prefix) prefix=$2; shift 2 ;;
		-s|--start) start=$2; shift 2 ;;
		-b|--batch) batch=$2; shift 2 ;;
		--no-audit) audit=0; shift ;;
		--no-vacuum) vacuum=0; shift ;;
		-q|--quiet) quiet=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "load_scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
for v in instances per start batch; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "load_scale.sh: --$v must be a whole number" >&2; exit 2; }
done
[ "$per" -le 5 ] || { echo "load_scale.sh: --per-instance may not exceed the allowance (5)" >&2; exit 2; }
[ "$batch" -ge 1 ] || batch=1
[[ $prefix =~ ^[A-Za-z0-9_.-]*$ ]] || { echo "load_scale.sh: --prefix: letters, digits, _ . - only" >&2; exit 2; }

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
[ -n "$db" ] && PSQL+=(-d "$db")

now() { date +%s.%N; }
fmt() { awk -v s="$1" 'BEGIN { s = int(s + 0.5); if (s >= 3600) printf "%dh%02dm%02ds", s/3600, s%3600/60, s%60; else if (s >= 60) printf "%dm%02ds", s/60, s%60; else printf "%ds", s }'; }
progress() { [ "$quiet" = 1 ] || echo "load_scale: $*" >&2; }

"${PSQL[@]}" -c "SELECT 1 FROM pg_extension WHERE extname = 'service_id'" | grep -q 1 ||
	{ echo "load_scale.sh: extension service_id is not installed in this database" >&2; exit 1; }

total_numbers=$((instances * per))
progress "loading $instances instances ${prefix}${start}..${prefix}$((start + instances - 1)), $per numbers each ($total_numbers numbers), audit=$audit, $batch instances per transaction"

t0=$(now) t_inst=0 t_num=0 done_inst=0
lo=$start
end=$((start + instances - 1))
while [ "$lo" -le "$end" ]; do
	hi=$((lo + batch - 1)); [ "$hi" -le "$end" ] || hi=$end

	a=$(now)
	"${PSQL[@]}" -v lo="$lo" -v hi="$hi" -v prefix="$prefix" <<'SQL'
INSERT INTO service_id.instance
	(instance_id, account_id, product, region, billing, subscribed_months,
	 expires_at, public_ip, status, trial)
SELECT :'prefix' || g, 'acct-' || :'prefix' || g,
	   CASE WHEN g % 4 = 0 THEN 'simple_application_server' ELSE 'ecs' END,
	   r.a[1 + g % cardinality(r.a)],
	   'subscription', 3 + g % 34,
	   now() + interval '1 year' + (g % 365) * interval '1 day',
	   '198.18.0.0'::inet + (g % 131072), 'running', false
  FROM generate_series(:lo::bigint, :hi::bigint) g,
	   (SELECT array_agg(region ORDER BY region) AS a
		  FROM service_id.region WHERE mainland) r;
SQL
	b=$(now)
	if [ "$per" -gt 0 ]; then
		if [ "$audit" = 1 ]; then
			"${PSQL[@]}" -v lo="$lo" -v hi="$hi" -v prefix="$prefix" -v per="$per" <<'SQL'
WITH n AS (
	INSERT INTO service_id.number_store (number, instance_id, applicant)
	SELECT service_id.gen_service_id(), :'prefix' || g, 'acct-' || :'prefix' || g
	  FROM generate_series(:lo::bigint, :hi::bigint) g, generate_series(1, :per) j
	RETURNING number, instance_id, applicant)
INSERT INTO service_id.audit_store (account_id, action, number, instance_id, detail)
SELECT applicant, 'issued', number, instance_id, '{"loaded": true}' FROM n;
SQL
		else
			"${PSQL[@]}" -v lo="$lo" -v hi="$hi" -v prefix="$prefix" -v per="$per" <<'SQL'
INSERT INTO service_id.number_store (number, instance_id, applicant)
SELECT service_id.gen_service_id(), :'prefix' || g, 'acct-' || :'prefix' || g
  FROM generate_series(:lo::bigint, :hi::bigint) g, generate_series(1, :per) j;
SQL
		fi
	fi
	c=$(now)
	t_inst=$(awk -v t="$t_inst" -v a="$a" -v b="$b" 'BEGIN { print t + b - a }')
	t_num=$(awk -v t="$t_num" -v b="$b" -v c="$c" 'BEGIN { print t + c - b }')
	done_inst=$((done_inst + hi - lo + 1))
	el=$(awk -v a="$t0" -v c="$c" 'BEGIN { print c - a }')
	eta=$(awk -v el="$el" -v d="$done_inst" -v n="$instances" 'BEGIN { print el / d * (n - d) }')
	progress "$(printf '%3d%%  instances %d/%d  numbers %d  elapsed %s  eta %s  (last batch: %.1f s; through %s%d)' \
		$((done_inst * 100 / instances)) "$done_inst" "$instances" $((done_inst * per)) \
		"$(fmt "$el")" "$(fmt "$eta")" "$(awk -v a="$a" -v c="$c" 'BEGIN { print c - a }')" "$prefix" "$hi")"
	lo=$((hi + 1))
done

t_vac=0
if [ "$vacuum" = 1 ]; then
	progress "VACUUM (ANALYZE) of instance, instance_usage, number_store, audit_store"
	a=$(now)
	"${PSQL[@]}" -c 'VACUUM (ANALYZE) service_id.instance' -c 'VACUUM (ANALYZE) service_id.instance_usage' \
		-c 'VACUUM (ANALYZE) service_id.number_store' -c 'VACUUM (ANALYZE) service_id.audit_store'
	t_vac=$(awk -v a="$a" -v b="$(now)" 'BEGIN { print b - a }')
fi
t_all=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')

awk -v a="$audit" -v i="$instances" -v n="$total_numbers" -v ti="$t_inst" -v tn="$t_num" -v tv="$t_vac" -v ta="$t_all" 'BEGIN {
	printf "loaded %d instances in %.1f s (%.0f/s)\n", i, ti, (ti > 0 ? i / ti : 0)
	printf "loaded %d numbers%s in %.1f s (%.0f/s)\n", n, (a ? " and their audit rows" : ""), tn, (tn > 0 ? n / tn : 0)
	printf "vacuum/analyze %.1f s; total %.1f s\n", tv, ta
}'
"${PSQL[@]}" -F $'\t' <<'SQL'
SELECT format('%-28s rows~ %10s  table %8s  indexes %8s', c.relname, greatest(c.reltuples, 0)::bigint,
			  pg_size_pretty(pg_table_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid)))
  FROM pg_class c
 WHERE c.relnamespace = 'service_id'::regnamespace AND c.relkind = 'r'
   AND c.relname IN ('instance', 'instance_usage', 'number_store', 'audit_store')
 ORDER BY c.relname;
SQL
