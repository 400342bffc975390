# bench-plot.gp: the plots of ovsdp-bench, run by it as
#   gnuplot -e "outdir='..'; datadir='..'; names_one_port='a b'; ..." bench-plot.gp
# from the data files it writes (see bench-report.c).

# ovsdp-bench reads this line for the report's versions.
print sprintf("version: gnuplot %.1f patchlevel %s", GPVAL_VERSION, GPVAL_PATCHLEVEL)

set terminal pngcairo size 900,560 noenhanced font ",10"
set grid
set key bottom right

# Latency CDFs: the y axis is the fraction of probes SENT, so a lossy
# system's curve stops below 1.
set logscale x
set xlabel "latency (us, kernel receive timestamp - send time)"
set ylabel "fraction of probes sent"
set yrange [0:1.02]

set output outdir."/latency-one-port.png"
set title "Test 1: one port, probes 1 ms apart (".title_extra.")"
plot for [i=1:words(names_one_port)] sprintf("%s/cdf-one_port-%d.dat", datadir, i) \
	using 1:2 with steps lw 2 title word(names_one_port, i)

set output outdir."/latency-under-load.png"
set title "Tests 3 (solid: loaded port) and 4 (dashed: idle port beside loaded ones) (".title_extra.")"
plot for [i=1:words(names_loaded_port)] sprintf("%s/cdf-loaded_port-%d.dat", datadir, i) \
	using 1:2 with steps lw 2 lc i title word(names_loaded_port, i)." (3)", \
     for [i=1:words(names_idle_port)] sprintf("%s/cdf-idle_port-%d.dat", datadir, i) \
	using 1:2 with steps lw 2 dt 2 lc i title word(names_idle_port, i)." (4)"

unset logscale x
set yrange [0:*]
# Bars: the median over the repetitions, error bars their min and max
# (columns y, ymin, ymax of each test in loss.dat and throughput.dat).
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set xtics nomirror
set key top right

if (bars) {
	set output outdir."/loss-under-load.png"
	set title "Probe loss under load, median and min-max of the repetitions (".title_extra.")"
	set xlabel ""
	set ylabel "probes lost (%)"
	set yrange [0:105]
	plot datadir."/loss.dat" using 2:3:4:xtic(1) title "3: loaded port", \
	     "" using 5:6:7 title "4: idle port"

	set output outdir."/throughput.png"
	set title "Test 6: upcalls handled per second, median and min-max (".title_extra.")"
	set ylabel "upcalls executed to the local port per second"
	set yrange [0:*]
	plot datadir."/throughput.dat" using 2:3:4:xtic(1) title "one flood port", \
	     "" using 5:6:7 title "all ports flooded"
}
