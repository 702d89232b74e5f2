#!/bin/bash
# scripts/bench/plot.sh: latency by query class per engine, as an SVG bar chart.
# Owns: turning one report JSON (peers/common/report.py) into a gnuplot data file and the
# plot: one group of bars per query class, one bar per engine, p50 in ms on a log scale
# (the engines differ by 10x and more on common terms), the p95 as an error bar.
# Not here: the figures themselves (report.py).
#
#   scripts/bench/plot.sh RESULTS.json OUT.svg
set -euo pipefail
json=${1:?usage: plot.sh RESULTS.json OUT.svg}
out=${2:?usage: plot.sh RESULTS.json OUT.svg}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot is missing (apt-get install gnuplot-nox)" >&2; exit 2; }
dat=$out.dat
# Columns: class, then p50 and p95 of each engine in the JSON's order.
python3 - "$json" >"$dat" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
order = ["arkivar-http", "arkivar-inproc", "xapian", "sqlite", "postgres", "sphinx"]  # the table's order
peers = sorted((p for p, s in r["peers"].items() if s.get("p50_by_class_ms")),
               key=lambda p: (order.index(p) if p in order else len(order), p))
classes = sorted({c for p in peers for c in r["peers"][p]["p50_by_class_ms"]})
print("class " + " ".join('"%s" "%s-p95"' % (p, p) for p in peers))
for c in classes:
    cells = []
    for p in peers:
        s = r["peers"][p]
        cells += ["%.4f" % s["p50_by_class_ms"].get(c, float("nan")), "%.4f" % s["p95_by_class_ms"].get(c, float("nan"))]
    print(c + " " + " ".join(cells))
PY
n=$(( ($(head -1 "$dat" | wc -w) - 1) / 2 ))
corpus=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["corpus"])' "$json")
gnuplot <<EOF2
set terminal svg size 1100,500 dynamic font "sans,11" background "white"
set output "$out.tmp"
set title "Latency by query class, corpus $corpus (bar: p50, whisker: p95)"
set ylabel "ms (log scale)"
set logscale y
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set key outside right top
set grid ytics
set xtics rotate by -25 nomirror
set yrange [0.01:*]
plot for [i=0:$n-1] "$dat" using (column(2+2*i)):(column(2+2*i)):(column(3+2*i)):xtic(1) title columnheader(2+2*i)
EOF2
mv "$out.tmp" "$out"
echo "plot.sh: wrote $out"
