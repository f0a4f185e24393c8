#!/usr/bin/env bash
# bench/run.sh — `make bench`: service_id against its baselines.
#
#   bash bench/run.sh            the full benchmark (about 26 minutes on 2
#                                cores); writes bench/results.md,
#                                bench/results.tsv (every run),
#                                bench/ratios.tsv (every ratio beside its
#                                target) and bench/chart.png
#   bash bench/run.sh --smoke    every pgbench script, the loader, the type
#                                measurements and the chart, tiny and fast
#                                (for `make test`); writes nothing under
#                                bench/; exits non-zero if anything fails
#
# It makes a throwaway cluster with pg_virtualenv (fsync = on,
# synchronous_commit = on, full_page_writes = on: durable), and in it:
#   0. checks the PL/pgSQL baseline of apply_service_id
#      (bench/plpgsql_apply.sql, schema plbase) against the C function:
#      the same outcome for the same calls, the same rows written
#      (bench/plpgsql_check.sql, in a database of its own);
#   1. parses 1 M texts as service_id and as uuid, and builds btree indexes
#      on 1 M values of each (bench/type_costs.sql);
#   2. with fsync = on, runs each subject alternated with its baseline
#      (ABBA order across rounds), at 1 and 2 clients, ROUNDS rounds of
#      SECONDS each:
#        apply_service_id            vs the floor (one uuid-keyed INSERT),
#                                    and the PL/pgSQL apply in the same
#                                    rounds (C, floor, PL/pgSQL, then the
#                                    reverse order in the next round)
#        register_filing             vs the floor plus the same queue read
#        check_instance              vs a primary-key SELECT of the instance
#   3. the same write runs with fsync = off (pure CPU cost; the read-only
#      pair does not commit anything, so fsync does not enter it);
#   4. at scale: a database with 1 M more instances and 5 M more numbers
#      (bench/load_scale.sh, timed) against an identical one without them,
#      apply_service_id and check_instance alternated between the two.
# One-client runs pin pgbench and its backend to one core (taskset): the
# machine is a VM whose cross-core wake-ups add tens of microseconds to
# every round trip.  Medians over the rounds; a ratio is the median of the
# per-round ratios of the paired runs.  Every write run is checked
# afterwards: as many numbers issued (or filings registered) as pgbench
# counted transactions (for the PL/pgSQL apply, as many numbers and audit
# rows in plbase).  The build measured is the one installed when the
# run starts (the library is copied; see "The build under test" below).
#
# Environment: BENCH_SECONDS (default 12), BENCH_ROUNDS (3),
# BENCH_SCALE_INSTANCES (1000000), BENCH_SCALE_FSYNC (on), BENCH_OUT
# (directory for the results; default bench/, or a temporary directory
# removed at the end for --smoke).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
smoke=0
for a in "$@"; do
	case $a in
		--smoke) smoke=1 ;;
		-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
		*) echo "run.sh: unknown argument $a" >&2; exit 2 ;;
	esac
done

# ---------------------------------------------------------------------------
# Outside the cluster: make one and run this script again inside it.
# ---------------------------------------------------------------------------
if [ -z "${BENCH_IN_CLUSTER:-}" ]; then
	for t in pg_virtualenv pgbench psql gnuplot; do
		command -v "$t" >/dev/null || { echo "run.sh: $t is not installed" >&2; exit 1; }
	done
	# -t: a private cluster directory, so that other throwaway clusters on
	# the machine do not collide with this one.
	exec pg_virtualenv -t -v 15 \
		-o fsync=on -o synchronous_commit=on -o full_page_writes=on \
		-o shared_buffers=512MB -o max_wal_size=4GB \
		-o log_checkpoints=on -o log_min_messages=warning \
		env BENCH_IN_CLUSTER=1 bash "$here/run.sh" "$@"
fi

# ---------------------------------------------------------------------------
# Inside: PGHOST, PGPORT, PGUSER (a superuser), PGPASSWORD are set.
# ---------------------------------------------------------------------------
if [ "$smoke" = 1 ]; then
	SECONDS_PER_RUN=0 ROUNDS=1 SMOKE_TX=40
	TYPE_N=2000 TYPE_ROUNDS=2
	POOL0=50 QUEUE_CHUNK=200 SCALE_INSTANCES=400
	out=${BENCH_OUT:-}				# by default, results go to a temporary directory
else
	SECONDS_PER_RUN=${BENCH_SECONDS:-12} ROUNDS=${BENCH_ROUNDS:-3} SMOKE_TX=0
	TYPE_N=1000000 TYPE_ROUNDS=5
	POOL0=200000 QUEUE_CHUNK=80000 SCALE_INSTANCES=${BENCH_SCALE_INSTANCES:-1000000}
	out=${BENCH_OUT:-$here}
fi
SCALE_FSYNC=${BENCH_SCALE_FSYNC:-on}
CLIENTS=(1 2)
work=$(mktemp -d /tmp/bench-work.XXXXXX)
chmod 755 "$work"
[ -n "$out" ] || out=$work/out
trap 'rm -rf "$work"' EXIT
tsv=$work/results.tsv
printf 'phase\tpair\tfsync\tclients\tround\trole\tscript\tdb\ttps\ttransactions\n' >"$tsv"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
t_start=$(date +%s)
log() { printf '[%s +%4ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - t_start))" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
q() { local db=$1; shift; "${PSQL[@]}" -d "$db" -c "$*"; }

# fsync is a SIGHUP setting: ALTER SYSTEM, reload, and wait until a new
# session sees it.
set_fsync() {
	q postgres "ALTER SYSTEM SET fsync = $1" >/dev/null
	q postgres "SELECT pg_reload_conf()" >/dev/null
	for _ in $(seq 50); do
		[ "$(q postgres 'SHOW fsync')" = "$1" ] && { log "fsync = $1 (SHOW fsync in a new session)"; return; }
		sleep 0.1
	done
	die "fsync did not become $1"
}

# ---------------------------------------------------------------------------
# Databases, pools and queues.  Per database: pmax (highest p- instance),
# the apply pool segment (lo, n) and its next free slot (base) for the C
# apply, and for the PL/pgSQL one (pl_base: plbase keeps counters of its
# own on the same instances); rmax (highest r- instance) and qsize (numbers
# in bench_queue); plbase (1 where bench/plpgsql_apply.sql is loaded).
# ---------------------------------------------------------------------------
declare -A PMAX SEG_LO SEG_N SEG_BASE PL_BASE RMAX QSIZE PLBASE
# Highest tps measured so far per script, fsync setting and client count,
# to size the pool and the queue for the next run (twice that, as the
# machine's load can swing a run's speed);
# until a run of the same kind has been measured, a guess well above what
# two cores can do (an underestimate would let apply reach an instance whose
# allowance is used up, and the run fail).
declare -A EST
est() {										# est SCRIPT C [SCRIPT_MEASURED_INSTEAD]
	local k v best=30000
	[ -n "${EST[$1/$FSYNC/$2]:-}" ] && { echo $((EST[$1/$FSYNC/$2] * 2 + 100)); return; }
	[ -n "${3:-}" ] && [ -n "${EST[$3/$FSYNC/$2]:-}" ] && { echo $((EST[$3/$FSYNC/$2] * 2 + 100)); return; }
	for k in "${!EST[@]}"; do v=${EST[$k]}; [ $((2 * v)) -gt "$best" ] && best=$((2 * v)); done
	echo "$best"
}
remember() {								# remember SCRIPT C TPS
	local t=${3%.*}
	[ "$t" -gt "${EST[$1/$FSYNC/$2]:-0}" ] && EST[$1/$FSYNC/$2]=$t
	true
}

load() {									# load DB ARGS...: the documented loader
	local db=$1; shift
	bash "$here/load_scale.sh" -d "$db" -q "$@" >/dev/null
}

make_db() {									# make_db DB
	local n
	createdb "$1"
	"${PSQL[@]}" -d "$1" -f "$here/setup.sql" >/dev/null
	# Point the extension's C functions at the copy of the library.
	# (module_pathname: '$libdir/service_id' up to 1.1, the bare 'service_id',
	# found through dynamic_library_path, from 1.2)
	n=$(q "$1" "WITH u AS (UPDATE pg_catalog.pg_proc SET probin = '$LIBCOPY'
					 WHERE probin ~ '(^|/)service_id(\\.so)?\$' RETURNING 1) SELECT count(*) FROM u")
	[ "$n" -gt 0 ] && [ "$(q "$1" "SELECT count(*) FROM pg_catalog.pg_proc
									WHERE probin ~ 'service_id' AND probin <> '$LIBCOPY'")" = 0 ] ||
		die "$1: could not point the extension's functions at $LIBCOPY"
	PMAX[$1]=0 SEG_LO[$1]=1 SEG_N[$1]=0 SEG_BASE[$1]=0 PL_BASE[$1]=0 RMAX[$1]=0 QSIZE[$1]=0 PLBASE[$1]=0
}

# The PL/pgSQL baseline in schema plbase (its tables copied from the
# extension's as they are now).
load_plbase() {								# load_plbase DB
	"${PSQL[@]}" -d "$1" -f "$here/plpgsql_apply.sql" >/dev/null
	PLBASE[$1]=1
}

# A fresh apply segment of m eligible instances with no numbers yet (and,
# where plbase is loaded, their plbase counter rows, which the extension's
# instance trigger makes for service_id).
new_segment() {								# new_segment DB M
	local db=$1 m=$2 lo=$((PMAX[$1] + 1))
	load "$db" -p p- -s "$lo" -i "$m" -k 0 --no-vacuum
	[ "${PLBASE[$db]}" = 1 ] &&
		q "$db" "INSERT INTO plbase.instance_usage (instance_id)
				 SELECT 'p-' || g FROM generate_series($lo, $((lo + m - 1))) g" >/dev/null
	SEG_LO[$db]=$lo SEG_N[$db]=$m SEG_BASE[$db]=0 PL_BASE[$db]=0 PMAX[$db]=$((lo + m - 1))
}

# Enough slots for one apply run at c clients: slots used are below
# base + c * (transactions + 1), and must stay below 5 * n.  SCRIPT apply
# uses SEG_BASE, apply_plpgsql PL_BASE (its own counters); a new segment
# serves both.
ensure_pool() {								# ensure_pool DB C SCRIPT
	local db=$1 c=$2 script=$3 need base
	if [ "$script" = apply ]; then base=${SEG_BASE[$db]}; else base=${PL_BASE[$db]}; fi
	if [ "$smoke" = 1 ]; then need=$((c * (c * SMOKE_TX + 1)))
	else need=$((c * ($(est "$script" "$c" apply) * SECONDS_PER_RUN + 1) + 1000)); fi
	if [ $((5 * SEG_N[$db] - base)) -lt "$need" ]; then
		local m=$(((need + 4) / 5 * 2)); [ "$m" -ge "$POOL0" ] || m=$POOL0
		log "$db: new apply pool segment of $m instances (p-$((PMAX[$db] + 1)) on)"
		new_segment "$db" "$m"
	fi
}

# Enough pre-issued numbers in bench_queue for one register run.
ensure_queue() {							# ensure_queue DB C
	local db=$1 c=$2 need used
	if [ "$smoke" = 1 ]; then need=$((c * SMOKE_TX))
	else need=$(($(est register "$c") * SECONDS_PER_RUN + 1000)); fi
	used=$(q "$db" "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bench_pos")
	while [ $((QSIZE[$db] - used)) -lt "$need" ]; do
		local m=$QUEUE_CHUNK lo=$((RMAX[$db] + 1))
		log "$db: pre-issuing $((5 * m)) numbers on r-$lo..r-$((lo + m - 1)) into bench_queue"
		load "$db" -p r- -s "$lo" -i "$m" -k 5 --no-vacuum
		q "$db" "INSERT INTO bench_queue (id, number)
				 SELECT ${QSIZE[$db]} + row_number() OVER (ORDER BY n.number), n.number
				   FROM generate_series($lo, $((lo + m - 1))) g
				   JOIN service_id.number_store n ON n.instance_id = 'r-' || g" >/dev/null
		RMAX[$db]=$((lo + m - 1)) QSIZE[$db]=$((QSIZE[$db] + 5 * m))
		q "$db" "VACUUM (ANALYZE) bench_queue" >/dev/null
	done
}

seqval() { q "$1" "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM $2"; }

# ---------------------------------------------------------------------------
# One pgbench run: sets TPS and NTX, fails on any failed transaction.
# ---------------------------------------------------------------------------
FAILED=0
pgb() {										# pgb DB SCRIPT CLIENTS VAR=VALUE...
	local db=$1 script=$2 c=$3; shift 3
	local args=(-n -M prepared -c "$c" -j "$c" -f "$here/scripts/$script.sql") v o rc=0 failed
	if [ "$smoke" = 1 ]; then args+=(-t "$SMOKE_TX"); else args+=(-T "$SECONDS_PER_RUN"); fi
	for v in "$@"; do args+=(-D "$v"); done
	if [ "$c" = 1 ]; then
		# One client: pgbench and its backend share one core (the backend
		# inherits the postmaster's affinity when it is forked).  Across
		# cores this VM adds tens of microseconds of wake-up latency to every
		# round trip, varying several-fold with the machine's load, which
		# would swamp the work being measured.
		taskset -pc "$PIN_CPU" "$POSTMASTER" >/dev/null
		o=$(taskset -c "$PIN_CPU" pgbench "${args[@]}" "$db" 2>&1) || rc=$?
		taskset -pc "$ALL_CPUS" "$POSTMASTER" >/dev/null
	else
		o=$(pgbench "${args[@]}" "$db" 2>&1) || rc=$?
	fi
	TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' <<<"$o")
	NTX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$o")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$o")
	if [ "$rc" != 0 ] || [ -z "$TPS" ] || [ -z "$NTX" ] || [ "$NTX" = 0 ] ||
		[ "${failed:-0}" != 0 ] || grep -q 'aborted' <<<"$o"; then
		echo "$o" >&2
		die "pgbench $script on $db with $c clients (exit $rc)"
	fi
}

# One measured run of a script, checked, recorded.
measure() {									# measure PHASE PAIR ROLE SCRIPT DB C ROUND
	local phase=$1 pair=$2 role=$3 script=$4 db=$5 c=$6 r=$7 before after
	case $script in
		apply)
			ensure_pool "$db" "$c" apply
			before=$(seqval "$db" service_id.audit_event_id_seq)
			pgb "$db" apply "$c" k=0 base="${SEG_BASE[$db]}" nc="$c" lo="${SEG_LO[$db]}" n="${SEG_N[$db]}"
			after=$(seqval "$db" service_id.audit_event_id_seq)
			[ $((after - before)) = "$NTX" ] ||
				die "apply on $db: $NTX transactions but $((after - before)) numbers issued"
			SEG_BASE[$db]=$((SEG_BASE[$db] + c * (NTX + 1)))
			remember apply "$c" "$TPS"
			;;
		apply_plpgsql)
			[ "${PLBASE[$db]}" = 1 ] || die "$db has no plbase schema"
			ensure_pool "$db" "$c" apply_plpgsql
			before=$(q "$db" "SELECT (SELECT count(*) FROM plbase.number_store) || ' ' ||
								  (SELECT count(*) FROM plbase.audit_store)")
			pgb "$db" apply_plpgsql "$c" k=0 base="${PL_BASE[$db]}" nc="$c" lo="${SEG_LO[$db]}" n="${SEG_N[$db]}"
			after=$(q "$db" "SELECT (SELECT count(*) FROM plbase.number_store) || ' ' ||
								 (SELECT count(*) FROM plbase.audit_store)")
			[ $((${after% *} - ${before% *})) = "$NTX" ] && [ $((${after#* } - ${before#* })) = "$NTX" ] ||
				die "PL/pgSQL apply on $db: $NTX transactions but $((${after% *} - ${before% *})) numbers and $((${after#* } - ${before#* })) audit rows"
			PL_BASE[$db]=$((PL_BASE[$db] + c * (NTX + 1)))
			remember apply_plpgsql "$c" "$TPS"
			;;
		register)
			ensure_queue "$db" "$c"
			before=$(seqval "$db" service_id.filing_id_seq)
			pgb "$db" register "$c"
			after=$(seqval "$db" service_id.filing_id_seq)
			[ $((after - before)) = "$NTX" ] ||
				die "register_filing on $db: $NTX transactions but $((after - before)) filings"
			[ "$(seqval "$db" bench_pos)" -le "${QSIZE[$db]}" ] || die "bench_queue overrun on $db"
			remember register "$c" "$TPS"
			;;
		floor_queue)
			ensure_queue "$db" "$c"
			pgb "$db" floor_queue "$c" qn="${QSIZE[$db]}" ;;
		floor|check|pk_select)
			pgb "$db" "$script" "$c" pn="${PMAX[$db]}" ;;
		*) die "unknown script $script" ;;
	esac
	lib_check
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$pair" "$FSYNC" "$c" "$r" \
		"$role" "$script" "$db" "$TPS" "$NTX" >>"$tsv"
	log "$(printf '%-6s %-9s fsync=%-3s c=%d round %d  %-8s %-13s %-12s %9.0f tps' \
		"$phase" "$pair" "$FSYNC" "$c" "$r" "$role" "$script" "$db" "$TPS")"
}

# A pair: subject and baseline alternated, ABBA across rounds.
pair() {									# pair PHASE PAIR C ROUND SUBJ_SCRIPT SUBJ_DB BASE_SCRIPT BASE_DB
	local phase=$1 name=$2 c=$3 r=$4
	if [ $((r % 2)) = 1 ]; then
		measure "$phase" "$name" subject "$5" "$6" "$c" "$r"
		measure "$phase" "$name" baseline "$7" "$8" "$c" "$r"
	else
		measure "$phase" "$name" baseline "$7" "$8" "$c" "$r"
		measure "$phase" "$name" subject "$5" "$6" "$c" "$r"
	fi
}

# The apply trio: the C apply, the floor and the PL/pgSQL apply in one
# round, C first in odd rounds and PL/pgSQL first in even ones (the floor
# always between them), so that drifts fall alike on both implementations.
trio() {									# trio PHASE PAIR C ROUND DB
	local phase=$1 name=$2 c=$3 r=$4 db=$5
	if [ $((r % 2)) = 1 ]; then
		measure "$phase" "$name" subject apply "$db" "$c" "$r"
		measure "$phase" "$name" baseline floor "$db" "$c" "$r"
		measure "$phase" "$name" plpgsql apply_plpgsql "$db" "$c" "$r"
	else
		measure "$phase" "$name" plpgsql apply_plpgsql "$db" "$c" "$r"
		measure "$phase" "$name" baseline floor "$db" "$c" "$r"
		measure "$phase" "$name" subject apply "$db" "$c" "$r"
	fi
}

# ---------------------------------------------------------------------------
# 0. The cluster.
# ---------------------------------------------------------------------------
FSYNC=on
set_fsync on
R_COMMIT=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$here/.." diff --quiet HEAD -- src sql 2>/dev/null ||
	R_COMMIT="$R_COMMIT (with uncommitted changes to src/ or sql/)"
# The build under test is the one installed when the run starts: the
# library is copied, every database is made (CREATE EXTENSION) now, and the
# extension's C functions are pointed at the copy (pg_proc.probin, in this
# throwaway cluster only), so a `make install` during the run changes
# nothing here.  If the installed library does change, the report says so.
LIB=$("${PG_CONFIG:-pg_config}" --pkglibdir)/service_id.so
LIBCOPY=$work/lib/service_id.so
mkdir -p "$work/lib" && cp "$LIB" "$LIBCOPY" && chmod 755 "$work/lib" && chmod 644 "$LIBCOPY"
LIB_SUM=$(sha256sum "$LIBCOPY" | cut -c1-16) LIB_CHANGED= LIB_DATE=$(date -u -r "$LIB" "+%Y-%m-%d %H:%M UTC")
lib_check() {
	[ -n "$LIB_CHANGED" ] && return
	if [ "$(sha256sum "$LIB" | cut -c1-16)" != "$LIB_SUM" ]; then
		LIB_CHANGED="$(($(date +%s) - t_start)) s into the run"
		log "note: $LIB was reinstalled $LIB_CHANGED; this run goes on measuring its copy"
	fi
}
for db in bench_type bench bench_small bench_large bench_plcheck; do make_db "$db"; done
load_plbase bench
POSTMASTER=$(head -1 "$(q postgres 'SHOW data_directory')/postmaster.pid")
ALL_CPUS=0-$(($(nproc) - 1)) PIN_CPU=$(($(nproc) - 1))
taskset -p "$POSTMASTER" >/dev/null || die "cannot read the postmaster's CPU affinity"
pgversion=$(q postgres "SELECT current_setting('server_version')")
settings=$(q postgres "SELECT string_agg(name || ' = ' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('synchronous_commit', 'full_page_writes', 'wal_level',
	  'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_sync_method', 'autovacuum')")
log "PostgreSQL $pgversion; $settings"
if [ "$smoke" = 0 ]; then
	runs=$(( ROUNDS * ${#CLIENTS[@]} * (2 * (3 + 2 + 2) + 2) ))
	log "plan: $runs pgbench runs of ${SECONDS_PER_RUN}s ($((runs * SECONDS_PER_RUN / 60)) min) plus loading"
fi

# ---------------------------------------------------------------------------
# 0. The PL/pgSQL baseline against the C apply: the same calls, the same
# outcomes and rows (bench/plpgsql_check.sql; its NOTICEs go to the log).
# ---------------------------------------------------------------------------
log "checking plbase.apply_service_id against service_id.apply_service_id (bench/plpgsql_check.sql)"
load_plbase bench_plcheck
if ! "${PSQL[@]}" -d bench_plcheck -f "$here/plpgsql_check.sql" >"$work/plcheck.txt" 2>&1; then
	sed 's/^/    /' "$work/plcheck.txt" >&2
	die "the PL/pgSQL baseline does not do what the C apply does"
fi
grep -E 'WARNING|: same SQLSTATE' "$work/plcheck.txt" | sed 's/^/    /' >&2 || true
plcheck=$(sed -n 's/^.*NOTICE:  plpgsql check: \(.*\)$/\1/p' "$work/plcheck.txt" | tail -1)
[ -n "$plcheck" ] || die "bench/plpgsql_check.sql printed no summary"
log "plpgsql check: $plcheck"
dropdb bench_plcheck

# ---------------------------------------------------------------------------
# 1. The type against uuid.
# ---------------------------------------------------------------------------
log "type costs: parsing $TYPE_N texts ($TYPE_ROUNDS rounds), btree on $TYPE_N values"
"${PSQL[@]}" -d bench_type -v n="$TYPE_N" -v rounds="$TYPE_ROUNDS" -f "$here/type_costs.sql" |
	grep -E $'^(parse|index)\t' >"$work/type.tsv"
dropdb bench_type
[ "$(grep -c $'^parse\t' "$work/type.tsv")" = $((3 * TYPE_ROUNDS)) ] || die "type_costs.sql: parse rows missing"
[ "$(grep -c $'^index\t' "$work/type.tsv")" = 6 ] || die "type_costs.sql: index rows missing"

# ---------------------------------------------------------------------------
# 2. and 3. Small scale, fsync on then off.
# ---------------------------------------------------------------------------
log "setting up database bench"
new_segment bench "$POOL0"
ensure_queue bench 2
q bench "VACUUM (ANALYZE)" >/dev/null
q postgres "CHECKPOINT" >/dev/null

for FSYNC in on off; do
	set_fsync "$FSYNC"
	for r in $(seq "$ROUNDS"); do
		for c in "${CLIENTS[@]}"; do
			trio small apply "$c" "$r" bench
			pair small register "$c" "$r" register bench floor_queue bench
			[ "$FSYNC" = on ] && pair small check "$c" "$r" check bench pk_select bench
		done
	done
done

# ---------------------------------------------------------------------------
# 4. At scale: bench_large = bench_small + SCALE_INSTANCES instances with 5
# numbers each (and their audit rows).
# ---------------------------------------------------------------------------
log "setting up bench_small and bench_large"
for db in bench_small bench_large; do
	new_segment "$db" "$POOL0"
done
log "loading bench_large: $SCALE_INSTANCES instances, $((5 * SCALE_INSTANCES)) numbers (bench/load_scale.sh)"
t0=$(date +%s.%N)
bash "$here/load_scale.sh" -d bench_large -p p- -s $((PMAX[bench_large] + 1)) -i "$SCALE_INSTANCES" -k 5 \
	>"$work/load.txt" 2> >(if [ "$smoke" = 1 ]; then cat >/dev/null; else sed 's/^/    /' >&2; fi)
load_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
PMAX[bench_large]=$((PMAX[bench_large] + SCALE_INSTANCES))
sed 's/^/    /' "$work/load.txt" >&2
for db in bench_small bench_large; do q "$db" "VACUUM (ANALYZE)" >/dev/null; done
q postgres "CHECKPOINT" >/dev/null
# The two databases' apply segments are the same instances p-1..p-POOL0.
FSYNC=$SCALE_FSYNC
set_fsync "$FSYNC"
for r in $(seq "$ROUNDS"); do
	for c in "${CLIENTS[@]}"; do
		pair scale apply "$c" "$r" apply bench_large apply bench_small
		pair scale check "$c" "$r" check bench_large check bench_small
	done
done
db_sizes=$(for db in bench_small bench_large; do
	q "$db" "SELECT format('%s %s %s %s %s', current_database(),
		(SELECT count(*) FROM service_id.instance), (SELECT count(*) FROM service_id.number_store),
		(SELECT count(*) FROM service_id.audit_store), pg_database_size(current_database()))"
done)

# ---------------------------------------------------------------------------
# 5. Report.
# ---------------------------------------------------------------------------
total_seconds=$(($(date +%s) - t_start))
mkdir -p "$out"
cp "$tsv" "$out/results.tsv"
export LC_ALL=C
lib_check
R_LIB="a copy of $LIB taken at the start (sha256 $LIB_SUM…, installed $LIB_DATE)"
export R_LIB R_LIB_CHANGED=$LIB_CHANGED R_COMMIT R_PGVERSION=$pgversion R_SETTINGS=$settings R_SECONDS=$SECONDS_PER_RUN R_ROUNDS=$ROUNDS \
	R_SCALE_INSTANCES=$SCALE_INSTANCES R_SCALE_FSYNC=$SCALE_FSYNC R_LOAD_SECONDS=$load_seconds \
	R_TOTAL=$total_seconds R_SMOKE=$smoke R_DB_SIZES=$db_sizes R_TYPE_N=$TYPE_N R_TYPE_ROUNDS=$TYPE_ROUNDS \
	R_PLCHECK=$plcheck
bash "$here/report.sh" "$work" "$out"
bulk=$(awk -v n="$SCALE_INSTANCES" 'BEGIN { if (n >= 1000000) printf "+%g M instances, +%g M numbers", n / 1e6, 5 * n / 1e6; else printf "+%d instances, +%d numbers", n, 5 * n }')
gnuplot -e "datadir='$work'; outfile='$out/chart.png'; bulk='$bulk'" "$here/plot.gp" ||
	die "gnuplot failed"
[ -s "$out/chart.png" ] || die "chart.png was not written"
cat "$out/results.md"
log "done in $((total_seconds / 60)) min $((total_seconds % 60)) s"
