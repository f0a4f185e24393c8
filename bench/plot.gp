# bench/plot.gp — the chart of bench/results.md: median tps against clients,
# each subject (solid) beside its baseline (dashed); fsync on in blue, off in
# red (tps on a log scale, so equal ratios look equally far apart); the
# last panel, every ratio against its target.
#   gnuplot -e "datadir='DIR'; outfile='FILE'; bulk='+1 M instances'" bench/plot.gp
# DIR holds the files bench/report.sh writes: small_{apply,register,check}.dat
# (clients, subject and baseline tps with fsync on, then off, then the
# PL/pgSQL apply with fsync on and off),
# scale_{apply,check}.dat (clients, large and small tps) and ratios.dat.

if (!exists("bulk")) bulk = "+1 M instances"
set terminal pngcairo size 1500,950 font ",10" noenhanced
set output outfile
set multiplot layout 2,3 title "service_id benchmark: median tps against clients (subject solid, baseline dashed)"
set grid ytics
set xrange [0.7:2.3]
set xtics ("1" 1, "2" 2)
set xlabel "clients"
set ylabel "tps"
set logscale y
set yrange [*:*]
set ytics format "%.0f"
set key bottom right box opaque
on = "#1f77b4"
off = "#d62728"

set title "apply_service_id (C) and PL/pgSQL (dotted) vs the floor (uuid INSERT)"
plot datadir.'/small_apply.dat' u 1:2 w lp lw 2 pt 7 lc rgb on t 'C apply, fsync on', \
     '' u 1:3 w lp lw 2 dt 2 pt 6 lc rgb on t 'floor, fsync on', \
     '' u 1:6 w lp lw 2 dt 3 pt 4 lc rgb on t 'PL/pgSQL apply, fsync on', \
     '' u 1:4 w lp lw 2 pt 7 lc rgb off t 'C apply, fsync off', \
     '' u 1:5 w lp lw 2 dt 2 pt 6 lc rgb off t 'floor, fsync off', \
     '' u 1:7 w lp lw 2 dt 3 pt 4 lc rgb off t 'PL/pgSQL apply, fsync off'

set title "register_filing vs the floor + the same queue read"
plot datadir.'/small_register.dat' u 1:2 w lp lw 2 pt 7 lc rgb on t 'register_filing, fsync on', \
     '' u 1:3 w lp lw 2 dt 2 pt 6 lc rgb on t 'floor + queue, fsync on', \
     '' u 1:4 w lp lw 2 pt 7 lc rgb off t 'register_filing, fsync off', \
     '' u 1:5 w lp lw 2 dt 2 pt 6 lc rgb off t 'floor + queue, fsync off'

set title "check_instance vs primary-key SELECT (read-only)"
plot datadir.'/small_check.dat' u 1:2 w lp lw 2 pt 7 lc rgb on t 'check_instance', \
     '' u 1:3 w lp lw 2 dt 2 pt 6 lc rgb on t 'PK select'

set title "at scale: apply_service_id, large vs small database"
plot datadir.'/scale_apply.dat' u 1:2 w lp lw 2 pt 7 lc rgb "#2ca02c" t 'apply, large ('.bulk.')', \
     '' u 1:3 w lp lw 2 dt 2 pt 6 lc rgb "#2ca02c" t 'apply, small'

set title "at scale: check_instance, large vs small database"
plot datadir.'/scale_check.dat' u 1:2 w lp lw 2 pt 7 lc rgb "#9467bd" t 'check_instance, large', \
     '' u 1:3 w lp lw 2 dt 2 pt 6 lc rgb "#9467bd" t 'check_instance, small'

set title "ratios (fsync on unless said; scale: large / small); targets 0.4, 0.8, 0.9"
unset logscale y
set ytics format "%g"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set xrange [-0.6:7.6]
set xtics auto rotate by -20
unset xlabel
set ylabel "ratio"
set yrange [0:*]
set key top left box opaque
set arrow 1 from graph 0, first 0.8 to graph 1, first 0.8 nohead dt 2 lw 1.5 lc rgb "black" front
set arrow 2 from graph 0, first 0.9 to graph 1, first 0.9 nohead dt 3 lw 1.5 lc rgb "black" front
set arrow 3 from graph 0, first 1.0 to graph 1, first 1.0 nohead lw 0.5 lc rgb "gray" back
set arrow 4 from graph 0, first 0.4 to graph 1, first 0.4 nohead dt 4 lw 1.5 lc rgb "black" front
plot datadir.'/ratios.dat' u 2:xtic(1) t '1 client' lc rgb "#7f7f7f", \
     '' u 3 t '2 clients' lc rgb "#17becf"

unset multiplot
