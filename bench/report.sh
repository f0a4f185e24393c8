#!/usr/bin/env bash
# bench/report.sh WORK OUT — turn the measurements bench/run.sh left in WORK
# (results.tsv, type.tsv, load.txt) into OUT/results.md and the data files
# bench/plot.gp draws (WORK/*.dat).  Called by run.sh, which exports the
# R_* variables used below.
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
END {
	for (k = 1; k <= nk; k++) {
		key = order[k]; n = 0
		for (r = 1; r <= maxr[key]; r++)
			if ((key, r, "subject") in tps && (key, r, "baseline") in tps) {
				n++; s[n] = tps[key, r, "subject"]; b[n] = tps[key, r, "baseline"]; q[n] = s[n] / b[n]
			}
		lo = q[1]; hi = q[1]
		for (i = 2; i <= n; i++) { if (q[i] < lo) lo = q[i]; if (q[i] > hi) hi = q[i] }
		printf "%s\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\t%d\t%s\t%s\n", key, median(s, n), median(b, n),
			median(q, n), lo, hi, n, script[key, "subject"] "@" db[key, "subject"],
			script[key, "baseline"] "@" db[key, "baseline"]
	}
}' "$work/results.tsv" >"$work/groups.tsv"
# columns: phase pair fsync clients subj_tps base_tps ratio min max rounds subj base

target() {									# target PHASE PAIR -> minimum ratio
	case $1 in small) echo 0.8 ;; scale) echo 0.9 ;; esac
}
label() {
	case $1/$2 in
		small/apply) echo "apply_service_id|floor: one uuid-keyed INSERT" ;;
		small/register) echo "register_filing|floor + the same queue read" ;;
		small/check) echo "check_instance|primary-key SELECT of the instance" ;;
		scale/apply) echo "apply_service_id, at scale|the same, small database" ;;
		scale/check) echo "check_instance, at scale|the same, small database" ;;
	esac
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
	echo "## Targets"
	echo
	echo "| what | clients | measured | target | met |"
	echo "|---|---|---|---|---|"
	while IFS=$'\t' read -r phase pair fsync c st bt ratio lo hi n _ _; do
		[ "$phase" = small ] && [ "$fsync" != on ] && continue
		IFS='|' read -r subj base <<<"$(label "$phase" "$pair")"
		t=$(target "$phase")
		echo "| $subj vs $base (fsync = $fsync) | $c | ${ratio}x | >= ${t}x | $(ok "$ratio" "$t" ge) |"
	done <"$work/groups.tsv"
	echo "| parsing $R_TYPE_N texts: service_id vs uuid (whole query) | 1 | ${parse_ratio}x | <= 1.2x | $(ok "$parse_ratio" 1.2 le) |"
	echo "| the same, parsing only (reading the texts subtracted) | 1 | ${parse_net}x | <= 1.2x | $(ok "$parse_net" 1.2 le) |"
	echo "| btree on $R_TYPE_N values (CREATE INDEX): service_id vs uuid | - | $(mb "$ix_c_sid") vs $(mb "$ix_c_uuid") | equal | $([ "$ix_c_sid" = "$ix_c_uuid" ] && echo yes || echo '**no**') |"
	echo
	echo "## Throughput (median tps over the rounds; ratio = median of the per-round ratios, with its range)"
	echo
	echo "| subject | baseline | fsync | clients | subject tps | baseline tps | ratio | range |"
	echo "|---|---|---|---|---|---|---|---|"
	while IFS=$'\t' read -r phase pair fsync c st bt ratio lo hi n _ _; do
		IFS='|' read -r subj base <<<"$(label "$phase" "$pair")"
		echo "| $subj | $base | $fsync | $c | $st | $bt | ${ratio}x | $lo–$hi |"
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

# --- data for plot.gp ------------------------------------------------------
for pair in apply register check; do
	for c in 1 2; do
		row() { awk -F'\t' -v p="$pair" -v f="$1" -v c="$c" -v col="$2" \
			'$1 == "small" && $2 == p && $3 == f && $4 == c { v = $col } END { print (v == "" ? "NaN" : v) }' "$work/groups.tsv"; }
		echo "$c $(row on 5) $(row on 6) $(row off 5) $(row off 6)"
	done >"$work/small_$pair.dat"
	for c in 1 2; do
		awk -F'\t' -v p="$pair" -v c="$c" \
			'$1 == "scale" && $2 == p && $4 == c { v = $5 " " $6 } END { print c, (v == "" ? "NaN NaN" : v) }' "$work/groups.tsv"
	done >"$work/scale_$pair.dat"
done
{
	for k in small/apply small/register small/check scale/apply scale/check; do
		awk -F'\t' -v ph="${k%/*}" -v p="${k#*/}" '
			$1 == ph && $2 == p && (ph == "scale" || $3 == "on") { r[$4] = $7 }
			END { printf "\"%s%s\" %s %s %s\n", p, ph == "scale" ? "@scale" : "",
				  ("1" in r) ? r["1"] : "NaN", ("2" in r) ? r["2"] : "NaN", ph == "scale" ? 0.9 : 0.8 }' "$work/groups.tsv"
	done
} >"$work/ratios.dat"
