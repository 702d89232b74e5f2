#!/usr/bin/env bash
# tests/t_benchpeers.sh: a smoke run of the peer benchmark (scripts/bench/run-all.sh), TAP.
# Owns: running the harness end to end on the five documents of corpus/ with the peers that
# need no service (arkivar-http, arkivar-inproc, xapian, sqlite; one index build, one timed
# pass, 1 s of load at 1 and 2 connections), then checking that every peer produced figures,
# that Arkivar answered every query of every pass without an error, and that the table and
# the plot were written.
# Not here: PostgreSQL and Sphinx (services, slow to start: the full run only), and the
# figures' values (a shared machine; the real runs are in docs/performance.md).
# Why: the harness is the project's own code now; a change that breaks a peer or makes the
# server answer an error must fail `make test`. A missing tool fails the test, it never skips.
set -u
cd "$(dirname "$0")/.."
case "${ARK_BUILD:-build}" in
*-san) echo "1..0 # SKIP the harness measures the optimized build (bin/, build/)"; exit 0 ;;
esac
D=$(mktemp -d /tmp/ark-benchpeers.XXXXXX)
trap 'rm -rf "$D"' EXIT
n=0; failed=0
ok() { # condition-status description
    n=$((n+1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi
}
PEERS="arkivar-http arkivar-inproc xapian sqlite"
NQ=$(grep -c . scripts/bench/queries/queries.txt)

miss=""
for t in /usr/bin/time python3 gcc g++ xapian-config xapian-compact gnuplot /usr/include/sqlite3.h; do
    command -v "$t" >/dev/null 2>&1 || [ -e "$t" ] || miss="$miss $t"
done
ok "$([ -z "$miss" ]; echo $?)" "what the smoke run needs is installed${miss:+ (missing:$miss; make deps)}"

st=0
bash scripts/bench/run-all.sh --no-setup --data-dir "$D" --peers "$PEERS" --index-reps 1 --passes 1 \
    --load-conns "1 2" --load-seconds 1 --label smoke "$PWD/corpus" >"$D/out" 2>"$D/err" || st=$?
ok "$st" "run-all.sh on corpus/ with $PEERS exits 0"
[ "$st" = 0 ] || tail -20 "$D/err" | sed 's/^/# /'

J=$D/results/smoke.json
[ -s "$J" ]; ok $? "the results JSON is written"
# Every peer: index figures, latency percentiles, QPS at 1 and 2 clients, a by-class table.
for p in $PEERS; do
    python3 - "$J" "$p" >"$D/why.$p" 2>&1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["peers"].get(sys.argv[2])
if s is None:
    sys.exit("no figures at all")
need = ["index_wall_s", "index_cpu_s", "index_mb", "index_maxrss_mb", "p50_ms", "p95_ms", "p99_ms",
        "qps1", "qps2", "p50_by_class_ms"]
gone = [k for k in need if s.get(k) is None]
if gone:
    sys.exit("missing: " + ", ".join(gone))
if s["queries"] != 300 or s["index_mb"] <= 0 or s["qps1"] <= 0 or s["qps2"] <= 0:
    sys.exit("implausible: %r" % {k: s[k] for k in ("queries", "index_mb", "qps1", "qps2")})
EOF
    ok $? "$p: index, latency, QPS 1 and 2 clients, by-class figures"
    sed 's/^/# /' "$D/why.$p"
done

R=$D/runs/smoke
for p in arkivar-http arkivar-inproc; do
    # 1 warm-up + 1 timed pass, then one pass of each of the 2 clients: every query answered.
    lines=$(cat "$R/$p/lat.tsv" "$R/$p/conc-a.tsv" "$R/$p/conc-b.tsv" 2>/dev/null | awk -F'\t' '$4 >= 0' | wc -l)
    [ "$lines" = $((4 * NQ)) ]; ok $? "$p: all $((4 * NQ)) queries answered (got $lines)"
    [ ! -e "$R/$p/failed" ] && [ -e "$R/$p/query.err" ] && [ ! -s "$R/$p/query.err" ]
    ok $? "$p: no failed call, nothing on the drivers' stderr"
    head -3 "$R/$p/query.err" 2>/dev/null | sed 's/^/# /'
    # The show file holds real answers with snippets, not empty pages.
    hits=$(grep -c '^Q[0-9]* .* -> [1-9][0-9]* rows' "$R/$p/show.txt" 2>/dev/null)
    [ "${hits:-0}" -ge 100 ]; ok $? "$p: at least 100 of the $NQ queries find passages in corpus/ (found: ${hits:-0})"
done
python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))["peers"]["arkivar-http"].get("load", [])
ok = [x["conns"] for x in l if x["requests"] > 0 and x["errors"] == 0]
sys.exit(0 if ok == [1, 2] else "load rows: %r" % l)' "$J"
ok $? "arkivar-http: load at 1 and 2 connections, no failed request"
grep -q '^| Arkivar (HTTP) |' "$D/results/smoke.md" && grep -q "Times the best peer" "$D/results/smoke.md" &&
    grep -q "Times Xapian" "$D/results/smoke.md"
ok $? "the table has Arkivar's rows and both ratio tables"
grep -q '<svg' "$D/results/smoke-by-class.svg" 2>/dev/null; ok $? "the by-class plot is an SVG"
echo "1..$n"
exit $((failed > 0))
