#!/usr/bin/env bash
# bench/report.sh WORK OUT — turn the measurements bench/run.sh left in WORK
# (results.tsv, type.tsv, load.txt) into OUT/results.md, OUT/ratios.tsv
# (every ratio with its median tps, range and the target of issue 9 where it
# has one) and the data files bench/plot.gp draws (WORK/*.dat).  Called by
# run.sh, which exports the R_* variables used below.
set -euo pipefail
work=$1 out=$2
export LC_ALL=C

# --- per (phase, pair, fsync, clients): medians over the paired rounds -----
awk -F'\t' '
function median(a, n,   i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
NR > 1 {
	key = $1 "\t" $2 "\t" $3 "\t" $4
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	tps[key, $5, $6] = $9; script[key, $6] = $7; db[key, $6] = $8
	if ($5 > maxr[key]) maxr[key] = $5
}
# One group: role sr against role br over the rounds that have both.
function group(key, name, sr, br,   n, r, i, s, b, q, lo, hi) {
	n = 0
	for (r = 1; r <= maxr[key]; r++)
		if ((key, r, sr) in tps && (key, r, br) in tps) {
			n++; s[n] = tps[key, r, sr]; b[n] = tps[key, r, br]; q[n] = s[n] / b[n]
		}
	if (n == 0) return
	lo = q[1]; hi = q[1]
	for (i = 2; i <= n; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
	split(key, f, "\t")
	printf "%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\t%d\t%s\t%s\n", f[1], name, f[3], f[4],
		median(s, n), median(b, n), median(q, n), lo, hi, n,
		script[key, sr] "@" db[key, sr], script[key, br] "@" db[key, br]
}
END {
	# pairs; where a round also measured the PL/pgSQL apply (role plpgsql),
	# two more groups: PL/pgSQL against the same baseline, C against PL/pgSQL
	for (k = 1; k <= nk; k++) {
		split(order[k], f, "\t")
		group(order[k], f[2], "subject", "baseline")
		group(order[k], f[2] "_plpgsql", "plpgsql", "baseline")
		group(order[k], f[2] "_c_vs_plpgsql", "subject", "plpgsql")
	}
}' "$work/results.tsv" >"$work/groups.tsv"
# columns: phase pair fsync clients subj_tps base_tps ratio min max rounds subj base
# (pair apply_plpgsql: PL/pgSQL apply / floor; apply_c_vs_plpgsql: C / PL/pgSQL)

# The goals of issue 9 (a minimum ratio; none where it sets none):
#   durable (fsync on), 1 pinned client and 2 clients: apply and
#     register_filing >= 0.8x their floors, check_instance >= 0.8x a PK select;
#   CPU only (fsync off), 2 clients: apply and register_filing >= 0.4x;
#   at 1 M instances / 5 M numbers within 10 % of the small database: >= 0.9x;
#   C >= 3x the PL/pgSQL apply CPU only (fsync off).
target() {									# target PHASE PAIR FSYNC CLIENTS -> minimum ratio
	case $1/$2/$3/$4 in
		small/apply/on/*|small/register/on/*|small/check/on/*) echo 0.8 ;;
		small/apply/off/2|small/register/off/2) echo 0.4 ;;
		scale/apply/*|scale/check/*) echo 0.9 ;;
		small/apply_c_vs_plpgsql/off/*) echo 3 ;;
		*) echo "" ;;
	esac
}
label() {
	case $1/$2 in
		small/apply) echo "apply_service_id|floor: one uuid-keyed INSERT" ;;
		small/apply_plpgsql) echo "PL/pgSQL apply (bench/plpgsql_apply.sql)|floor: one uuid-keyed INSERT" ;;
		small/apply_c_vs_plpgsql) echo "apply_service_id (C)|PL/pgSQL apply" ;;
		small/register) echo "register_filing|floor + the same queue read" ;;
		small/check) echo "check_instance|primary-key SELECT of the instance" ;;
		scale/apply) echo "apply_service_id, at scale|the same, small database" ;;
		scale/check) echo "check_instance, at scale|the same, small database" ;;
		*) echo "$1 $2|?" ;;
	esac
}
# One group's row of groups.tsv: phase pair fsync clients.
grp() { awk -F'\t' -v p="$1" -v n="$2" -v f="$3" -v c="$4" '$1 == p && $2 == n && $3 == f && $4 == c' "$work/groups.tsv"; }
# The rows of the targets table, in the order of issue 9.
goal_rows() {
	local f c
	for c in 1 2; do echo "small apply on $c"; done
	for c in 1 2; do echo "small register on $c"; done
	for c in 1 2; do echo "small check on $c"; done
	echo "small apply off 2"; echo "small register off 2"
	for c in 1 2; do echo "scale apply $R_SCALE_FSYNC $c"; done
	for c in 1 2; do echo "scale check $R_SCALE_FSYNC $c"; done
	for c in 1 2; do echo "small apply_c_vs_plpgsql off $c"; done
}
ok() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { m = op == "ge" ? v >= t : v <= t; print m ? "yes" : "**no**" }'; }

# --- the type --------------------------------------------------------------
read -r p_scan p_uuid p_sid < <(awk -F'\t' '
function median(a, n,   i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
$1 == "parse" { v[$3, ++n[$3]] = $4 }
END {
	split("scan uuid service_id", k, " ")
	for (i = 1; i <= 3; i++) { m = 0; for (j = 1; j <= n[k[i]]; j++) a[++m] = v[k[i], j]; printf "%.1f ", median(a, m) }
	print ""
}' "$work/type.tsv")
idx() { awk -F'\t' -v m="$1" -v t="$2" '$1 == "index" && $2 == m && $3 == t { print $4 }' "$work/type.tsv"; }
ix_c_uuid=$(idx create uuid) ix_c_sid=$(idx create service_id)
ix_i_uuid=$(idx insert uuid) ix_i_sid=$(idx insert service_id)
parse_ratio=$(awk -v s="$p_sid" -v u="$p_uuid" 'BEGIN { printf "%.3f", s / u }')
parse_net=$(awk -v s="$p_sid" -v u="$p_uuid" -v c="$p_scan" 'BEGIN { printf "%.3f", (s - c) / (u - c) }')
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }

# --- results.md -------------------------------------------------------------
{
	echo "# service_id benchmark results"
	echo
	if [ "$R_SMOKE" = 1 ]; then echo "**Smoke run: tiny sizes, the numbers mean nothing.**"; echo; fi
	echo "Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
	echo "checkout at commit ${R_COMMIT} when it started, PostgreSQL ${R_PGVERSION}, $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)),"
	echo "$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; the machine was shared with other work, so absolute"
	echo "figures are noisy — the ratios come from runs alternated in the same session."
	echo "Library: ${R_LIB}."
	if [ -n "$R_LIB_CHANGED" ]; then
		echo
		echo "(The installed library was replaced ${R_LIB_CHANGED}; every run measured the copy.)"
		echo
	fi
	echo "Cluster: pg_virtualenv, ${R_SETTINGS}; fsync as stated per row."
	echo "pgbench -M prepared, ${R_SECONDS} s per run, ${R_ROUNDS} rounds, 1 client (pinned with its backend to one core) and 2 clients;"
	echo "total wall time $((R_TOTAL / 60)) min $((R_TOTAL % 60)) s."
	echo
	echo "## Targets (the goals of issue 9)"
	echo
	echo "| what | fsync | clients | measured | range | target | met |"
	echo "|---|---|---|---|---|---|---|"
	while read -r phase pair fsync c; do
		IFS='|' read -r subj base <<<"$(label "$phase" "$pair")"
		t=$(target "$phase" "$pair" "$fsync" "$c")
		IFS=$'\t' read -r _ _ _ _ st bt ratio lo hi n _ _ <<<"$(grp "$phase" "$pair" "$fsync" "$c")"
		if [ -z "${ratio:-}" ]; then
			echo "| $subj vs $base | $fsync | $c | not measured | | >= ${t}x | **no** |"
		else
			echo "| $subj vs $base | $fsync | $c | ${ratio}x | $lo–$hi | >= ${t}x | $(ok "$ratio" "$t" ge) |"
		fi
		ratio=
	done < <(goal_rows)
	echo "| parsing $R_TYPE_N texts: service_id vs uuid (whole query) | - | 1 | ${parse_ratio}x | | <= 1.2x | $(ok "$parse_ratio" 1.2 le) |"
	echo "| the same, parsing only (reading the texts subtracted) | - | 1 | ${parse_net}x | | <= 1.2x | $(ok "$parse_net" 1.2 le) |"
	echo "| btree on $R_TYPE_N values (CREATE INDEX): service_id vs uuid | - | - | $(mb "$ix_c_sid") vs $(mb "$ix_c_uuid") | | equal | $([ "$ix_c_sid" = "$ix_c_uuid" ] && echo yes || echo '**no**') |"
	echo
	echo "At scale: the large database against the small one (fsync = $R_SCALE_FSYNC); C against"
	echo "PL/pgSQL: the two applies measured in the same rounds (table below)."
	echo
	echo "## apply_service_id: C, PL/pgSQL and the floor in the same rounds"
	echo
	echo "Each round runs the C apply, the floor and the PL/pgSQL apply (bench/plpgsql_apply.sql:"
	echo "the same tables, the same rules, plain PL/pgSQL), C first in odd rounds and PL/pgSQL"
	echo "first in even ones.  Median tps; ratios are medians of the per-round ratios."
	echo
	echo "| fsync | clients | C tps | PL/pgSQL tps | floor tps | C / floor | PL/pgSQL / floor | C / PL/pgSQL |"
	echo "|---|---|---|---|---|---|---|---|"
	for fsync in on off; do
		for c in 1 2; do
			IFS=$'\t' read -r _ _ _ _ st bt r1 _ _ _ _ _ <<<"$(grp small apply "$fsync" "$c")"
			IFS=$'\t' read -r _ _ _ _ pt _ r2 _ _ _ _ _ <<<"$(grp small apply_plpgsql "$fsync" "$c")"
			IFS=$'\t' read -r _ _ _ _ _ _ r3 _ _ _ _ _ <<<"$(grp small apply_c_vs_plpgsql "$fsync" "$c")"
			[ -n "${r1:-}" ] || continue
			echo "| $fsync | $c | $st | ${pt:-–} | $bt | ${r1}x | ${r2:+${r2}x} | ${r3:+${r3}x} |"
			r1= r2= r3= pt=
		done
	done
	echo
	echo "fsync = on: durable commits; fsync = off: the CPU cost alone.  Issue 9 asks"
	echo "C >= 3x PL/pgSQL with fsync = off.  Before the runs, bench/plpgsql_check.sql gave"
	echo "both functions the same calls: ${R_PLCHECK}."
	echo
	echo "## Throughput (median tps over the rounds; ratio = median of the per-round ratios, with its range)"
	echo
	echo "| subject | baseline | fsync | clients | subject tps | baseline tps | ratio | range | target |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r phase pair fsync c st bt ratio lo hi n _ _; do
		IFS='|' read -r subj base <<<"$(label "$phase" "$pair")"
		t=$(target "$phase" "$pair" "$fsync" "$c")
		echo "| $subj | $base | $fsync | $c | $st | $bt | ${ratio}x | $lo–$hi | ${t:+>= ${t}x} |"
	done <"$work/groups.tsv"
	echo
	echo "With fsync = off the commit no longer waits for the disk, so the ratio is"
	echo "the CPU cost of the subject against its baseline.  check_instance and its"
	echo "baseline commit nothing, so fsync does not enter them; they run once."
	echo
	echo "## The type against uuid ($R_TYPE_N values, one backend, medians of $R_TYPE_ROUNDS rounds)"
	echo
	echo "| | uuid | service_id | ratio |"
	echo "|---|---|---|---|"
	echo "| count(t::T) over $R_TYPE_N texts, ms | $p_uuid | $p_sid | ${parse_ratio}x |"
	echo "| the same less count(t) ($p_scan ms), ms | $(awk -v a="$p_uuid" -v c="$p_scan" 'BEGIN { printf "%.1f", a - c }') | $(awk -v a="$p_sid" -v c="$p_scan" 'BEGIN { printf "%.1f", a - c }') | ${parse_net}x |"
	echo "| btree built by CREATE INDEX | $(mb "$ix_c_uuid") ($ix_c_uuid bytes) | $(mb "$ix_c_sid") ($ix_c_sid bytes) | $(awk -v a="$ix_c_sid" -v b="$ix_c_uuid" 'BEGIN { printf "%.3f", a / b }')x |"
	echo "| btree grown by $R_TYPE_N INSERTs in random order | $(mb "$ix_i_uuid") | $(mb "$ix_i_sid") | $(awk -v a="$ix_i_sid" -v b="$ix_i_uuid" 'BEGIN { printf "%.3f", a / b }')x |"
	echo
	echo "Both types are 16 bytes, aligned alike, so their indexes are the same size;"
	echo "grown by random inserts, the page splits fall differently and the sizes"
	echo "differ by chance.  The uuid figure is core's text-to-uuid cast (uuid_in);"
	echo "the service_id one is its validating cast (syntax, version, CRC-32C check)."
	echo
	echo "## At scale"
	echo
	echo "bench_large is bench_small plus $R_SCALE_INSTANCES instances with 5 numbers each"
	echo "(and an audit row per number), loaded with bench/load_scale.sh in ${R_LOAD_SECONDS} s:"
	echo
	echo '```'
	cat "$work/load.txt"
	echo '```'
	echo
	echo "| database | instances | numbers | audit rows | size |"
	echo "|---|---|---|---|---|"
	while read -r d i nn a sz; do
		echo "| $d | $i | $nn | $a | $(mb "$sz") |"
	done <<<"$R_DB_SIZES"
	echo
	echo "(Counts at the end of the run, the numbers the benchmark itself issued included.)"
	echo "apply_service_id and check_instance alternated between the two databases"
	echo "(fsync = $R_SCALE_FSYNC); the ratio is large / small."
	echo
	echo "## How it is measured"
	echo
	cat <<'EOF'
- **Alternation.** Every subject runs beside its baseline in the same
  session, subject first in odd rounds and baseline first in even ones
  (ABBA), so drifts in the machine's load fall on both.  Ratios are taken
  per round and their median reported.
- **Clients.** With 1 client, pgbench and its backend are pinned to the
  same core (`taskset`; the backend inherits the postmaster's affinity):
  on this VM a wake-up across cores adds tens of microseconds to every
  round trip, and how much varies several-fold with the load of the
  machine, which would swamp what is measured.  With 2 clients nothing is
  pinned (one pgbench thread per client).
- **The floor** is one `INSERT` of a row keyed by `gen_random_uuid()` and
  shaped like a number row (key, instance, account, timestamp).
- **The PL/pgSQL apply** (`plbase.apply_service_id`, bench/plpgsql_apply.sql)
  is apply_service_id as a DBA would write it in plain PL/pgSQL: argument
  checks, the slot claimed by one `UPDATE … RETURNING` of the counter row,
  one join for the instance, product and region, every eligibility reason,
  `service_id.gen_service_id()`, an `INSERT` of the number and one of its
  audit row; `SECURITY DEFINER`, pinned `search_path`.  Its tables are
  copies of the extension's (columns, defaults, CHECKs, indexes, storage
  parameters, foreign keys; own sequences) in schema `plbase`, without the
  extension's guard triggers (the C apply fires none in 1.2).  As for any
  SQL `INSERT`, PostgreSQL checks its rows' CHECK constraints and, at
  commit, the foreign key to the instance (which locks the instance row);
  the C apply's direct writes skip both, its rows being right by
  construction under the counter lock it holds.  It reads
  the same instances, products and regions, and runs on the same pool
  segment in the same order as the C apply, on counters of its own.
  Before anything is measured, bench/plpgsql_check.sql gives both
  functions the same 53 calls (bad arguments, strangers, every
  eligibility reason, the allowance running out) and requires the same
  SQLSTATE, the same reasons and the same rows written.  After each run:
  one number and one audit row in `plbase` per transaction.
- **apply_service_id** picks instance `permute(slot mod N, N, seed)` (fixed seed) of a pool
  segment of N eligible instances, where client c's k-th call uses slot
  `base + c + clients*k`: a random order that asks no instance for more
  than its 5 numbers as long as slots stay below 5N.  run.sh advances
  `base` after each run by clients*(transactions+1) and starts a fresh
  segment of instances (loaded with bench/load_scale.sh) when the next run
  could pass 5N.  After each run it checks that exactly one number (one
  `issued` audit event) was written per transaction.
- **register_filing** needs an unused number per transaction.  They are
  pre-issued into `bench_queue(id, number)` (5 per instance on `r-`
  instances, loaded with bench/load_scale.sh, topped up between runs), and
  each transaction takes position `nextval('bench_pos')`, which also names
  the website (`w<v>.example.com`, unique) and the filing account.  A
  sequence rather than `DELETE … RETURNING … SKIP LOCKED`: it costs the same
  to the subject and its baseline, writes nothing to the queue, and never
  hands out a number twice.  The baseline does the same work short of the
  extension: its own sequence over the same queue (wrapping), the same
  index read of the number, the same website text, then the floor's INSERT.
  After each run: one filing per transaction, and the queue not overrun.
- **check_instance** (with the purchasing account) and its baseline, the
  instance row by primary key, read a random instance of the pool.
- **At scale** the same scripts run on two databases that differ only by
  the loaded instances and numbers; check_instance reads a random instance
  of all those in its database.
EOF
} >"$out/results.md"

# --- ratios.tsv: every ratio, with the target of issue 9 where it has one --
{
	printf 'phase\tpair\tsubject\tbaseline\tfsync\tclients\tsubject_tps\tbaseline_tps\tratio\tmin\tmax\trounds\ttarget\tmet\n'
	while IFS=$'\t' read -r phase pair fsync c st bt ratio lo hi n _ _; do
		IFS='|' read -r subj base <<<"$(label "$phase" "$pair")"
		t=$(target "$phase" "$pair" "$fsync" "$c")
		m=; [ -n "$t" ] && m=$(ok "$ratio" "$t" ge | tr -d '*')
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$pair" "$subj" "$base" \
			"$fsync" "$c" "$st" "$bt" "$ratio" "$lo" "$hi" "$n" "${t:+>=$t}" "$m"
	done <"$work/groups.tsv"
	printf 'type\tparse\tservice_id cast of %s texts\tuuid cast\t-\t1\t\t\t%s\t\t\t%s\t<=1.2\t%s\n' "$R_TYPE_N" \
		"$parse_ratio" "$R_TYPE_ROUNDS" "$(ok "$parse_ratio" 1.2 le | tr -d '*')"
	printf 'type\tparse_net\tthe same less the scan\tuuid cast less the scan\t-\t1\t\t\t%s\t\t\t%s\t<=1.2\t%s\n' \
		"$parse_net" "$R_TYPE_ROUNDS" "$(ok "$parse_net" 1.2 le | tr -d '*')"
	printf 'type\tbtree_bytes\tservice_id btree (CREATE INDEX)\tuuid btree\t-\t-\t%s\t%s\t%s\t\t\t1\t=1\t%s\n' \
		"$ix_c_sid" "$ix_c_uuid" "$(awk -v a="$ix_c_sid" -v b="$ix_c_uuid" 'BEGIN { printf "%.3f", a / b }')" \
		"$([ "$ix_c_sid" = "$ix_c_uuid" ] && echo yes || echo no)"
} >"$out/ratios.tsv"

# --- data for plot.gp ------------------------------------------------------
# small_PAIR.dat: clients, subject and baseline tps with fsync on, then off,
# then the PL/pgSQL apply with fsync on and off (NaN but for apply).
gcol() {									# gcol PHASE PAIR FSYNC CLIENTS COLUMN
	awk -F'\t' -v ph="$1" -v p="$2" -v f="$3" -v c="$4" -v col="$5" \
		'$1 == ph && $2 == p && (f == "*" || $3 == f) && $4 == c { v = $col } END { print (v == "" ? "NaN" : v) }' "$work/groups.tsv"
}
for pair in apply register check; do
	for c in 1 2; do
		echo "$c $(gcol small "$pair" on "$c" 5) $(gcol small "$pair" on "$c" 6)" \
			"$(gcol small "$pair" off "$c" 5) $(gcol small "$pair" off "$c" 6)" \
			"$(gcol small "${pair}_plpgsql" on "$c" 5) $(gcol small "${pair}_plpgsql" off "$c" 5)"
	done >"$work/small_$pair.dat"
	for c in 1 2; do
		echo "$c $(gcol scale "$pair" '*' "$c" 5) $(gcol scale "$pair" '*' "$c" 6)"
	done >"$work/scale_$pair.dat"
done
# ratios.dat: label, ratio at 1 and 2 clients, target (NaN: none)
while IFS='|' read -r label phase pair fsync t; do
	echo "\"$label\" $(gcol "$phase" "$pair" "$fsync" 1 7) $(gcol "$phase" "$pair" "$fsync" 2 7) $t"
done >"$work/ratios.dat" <<'EOF'
apply|small|apply|on|0.8
register|small|register|on|0.8
check|small|check|on|0.8
apply, fsync off|small|apply|off|0.4
register, fsync off|small|register|off|0.4
PL/pgSQL apply, fsync off|small|apply_plpgsql|off|NaN
apply@scale|scale|apply|*|0.9
check@scale|scale|check|*|0.9
EOF
