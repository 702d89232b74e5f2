#!/usr/bin/env bash
# scripts/bench-load.sh: query latency and throughput of arkivar-server, and of the engine
# without the server around it.
# Owns: building the two drivers (scripts/bench_http.c, scripts/bench_inproc.c) outside
# the tree, starting bin/arkivar-server on a free 127.0.0.1 port (stopped by its PID),
# a warm-up pass, then: /api/search at 1, 2, 16 and 64 keep-alive connections; the same
# queries in-process at 1 and 2 threads; the server's overhead as the ratio of the p50s
# at one connection; /api/suggest with prefixes of 1-5 letters. Prints markdown tables.
# Not here: building the index (scripts/bench-index.sh, called when the index is missing).
#
#   scripts/bench-load.sh [SIZE] [DATA_DIR]    default 100MB, /tmp/arkivar-bench
#   scripts/bench-load.sh --smoke [DATA_DIR]   CI: 2MB corpus, 1 and 16 connections for
#       3 s each; exits 1 if any request fails or a p99 is over 500 ms
# Env: DUR (seconds per search run, default 10), SUGGEST_DUR (per prefix length, 3),
#      QUERIES (default scripts/queries.txt), CONNS (default "1 2 16 64").
# Closed loop: each connection sends its next query when the previous answer is read.
# The machine's cores are shared by the server threads and the client threads.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
if [ "$smoke" = 1 ]; then
    SIZE=2MB; DATA=${1:-/tmp/arkivar-bench}
    DUR=${DUR:-3}; SUGGEST_DUR=${SUGGEST_DUR:-1}; CONNS=${CONNS:-"1 16"}; MAX_P99_MS=500
else
    SIZE=${1:-100MB}; DATA=${2:-/tmp/arkivar-bench}
    DUR=${DUR:-10}; SUGGEST_DUR=${SUGGEST_DUR:-3}; CONNS=${CONNS:-"1 2 16 64"}; MAX_P99_MS=
fi
QUERIES=${QUERIES:-scripts/queries.txt}
idx=$DATA/idx-$SIZE
runs=$DATA/runs
bb=$DATA/bin
die() { echo "bench-load: $*" >&2; exit 2; }

[ -x bin/arkivar-server ] || die "bin/arkivar-server is missing: run make first"
[ -f build/libarkivar.a ] || die "build/libarkivar.a is missing: run make first"
[ -s "$QUERIES" ] || die "no queries in $QUERIES"
mkdir -p "$runs" "$bb"

# ---- Drivers: our own C, built against this tree's library -----------------------------
CF="-O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wstrict-prototypes"
# shellcheck disable=SC2086
cc $CF -pthread -o "$bb/bench_http" scripts/bench_http.c
# shellcheck disable=SC2086
cc $CF -Iinclude -pthread -c -o "$bb/bench_inproc.o" scripts/bench_inproc.c
# shellcheck disable=SC2046
c++ -o "$bb/bench_inproc" "$bb/bench_inproc.o" build/libarkivar.a $(xapian-config --libs) \
    $(pkg-config --libs libmicrohttpd libutf8proc zlib) -lstemmer -lpthread -lm

# ---- The index ---------------------------------------------------------------------------
# CI must test this build's indexer too: the smoke index is rebuilt when it is older.
if [ ! -d "$idx" ] || { [ "$smoke" = 1 ] && [ bin/arkivar-indexer -nt "$idx" ]; }; then
    if [ "$smoke" = 1 ]; then scripts/bench-index.sh --smoke "$DATA" >/dev/null
    else scripts/bench-index.sh "$SIZE" "$DATA"; fi
fi

# ---- The server ----------------------------------------------------------------------------
srv_log=$runs/server-$SIZE.log
pid=
stop_server() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    pid=
}
trap stop_server EXIT
trap 'exit 130' INT TERM
# Port 0: the kernel picks a free port and the server's ready line names it (no race).
bin/arkivar-server --index "$idx" --listen 127.0.0.1:0 2>"$srv_log" &
pid=$!
port=
for _ in $(seq 300); do
    port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$srv_log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$srv_log" >&2; die "the server exited"; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$srv_log" >&2; die "the server did not say it was listening within 30 s"; }
ready=$(grep -m1 'listening on' "$srv_log")

fail=0
res=$runs/load-$SIZE.raw
: >"$res"
# run LABEL CMD...: one driver run; its line goes to $res; a failed request fails the run.
run() {
    local label=$1 line st=0
    shift
    line=$("$@") || st=$?
    [ -n "$line" ] || { echo "bench-load: $label: no result (exit $st)" >&2; fail=1; return; }
    echo "$line" >>"$res"
    if [ "$st" != 0 ]; then echo "bench-load: FAIL: $label: failed requests" >&2; fail=1; fi
    if [ -n "$MAX_P99_MS" ]; then
        awk -v l="$line" -v m="$MAX_P99_MS" 'BEGIN {split(l, f, " "); exit !(f[9] > m)}' &&
            { echo "bench-load: FAIL: $label: p99 $(awk '{print $9}' <<<"$line") ms > $MAX_P99_MS ms" >&2; fail=1; }
    fi
    return 0
}

search_tpl='/api/search?q={q}&limit=10'
nq=$(grep -c . "$QUERIES")
# Warm-up: every query once (page cache, per-thread engines, Xapian's caches).
run warmup "$bb/bench_http" 127.0.0.1 "$port" "$search_tpl" "$QUERIES" 1 0 warmup
for c in $CONNS; do
    run "search c=$c" "$bb/bench_http" 127.0.0.1 "$port" "$search_tpl" "$QUERIES" "$c" "$DUR" http
done

# Suggestions: the distinct 1..5-letter prefixes of the query words (by characters, so
# "kø" is a two-letter prefix), lowercased, in first-seen order.
for L in 1 2 3 4 5; do
    python3 - "$QUERIES" "$L" >"$runs/suggest-$L.txt" <<'EOF'
import re, sys
seen = []
for line in open(sys.argv[1], encoding="utf-8"):
    for w in re.findall(r"[^\W\d_]+", line.lower()):
        p = w[:int(sys.argv[2])]
        if len(w) >= int(sys.argv[2]) and p not in seen:
            seen.append(p)
print("\n".join(seen))
EOF
    run "suggest L=$L" "$bb/bench_http" 127.0.0.1 "$port" '/api/suggest?q={q}' \
        "$runs/suggest-$L.txt" 1 "$SUGGEST_DUR" "suggest$L"
done
stop_server

# In-process: the same queries through ark_search, no server running.
for t in 1 2; do
    if [ "$smoke" = 1 ] && [ "$t" = 2 ]; then break; fi
    run "inproc t=$t" "$bb/bench_inproc" "$idx" "$QUERIES" "$t" "$DUR" inproc
done

# ---- Tables ----------------------------------------------------------------------------------
out=$runs/load-$SIZE.md
{
    echo "Load on idx-$SIZE ($(sed -E 's/.*\(([^)]*)\).*/\1/' <<<"$ready")); $nq queries"\
         "($QUERIES), limit=10, ${DUR} s per run, $(nproc) cores shared by server and client;"\
         "$(date +%Y-%m-%d)"
    echo
    echo "GET /api/search over HTTP/1.1 keep-alive (closed loop: one request in flight per connection):"
    echo
    echo "| connections | requests | errors | req/s | p50 ms | p90 ms | p99 ms | mean ms | max ms |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk '$1 == "http" {printf "| %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f |\n", $2, $3, $4, $6, $7, $8, $9, $10, $11}' "$res"
    echo
    echo "The same queries in-process (ark_search, limit 10, one engine per thread):"
    echo
    echo "| threads | calls | errors | QPS | p50 ms | p90 ms | p99 ms | mean ms | max ms |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk '$1 == "inproc" {printf "| %d | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f |\n", $2, $3, $4, $6, $7, $8, $9, $10, $11}' "$res"
    echo
    awk '$1 == "http" && $2 == 1 {h = $7; hm = $10} $1 == "inproc" && $2 == 1 {i = $7; im = $10}
         END {if (h > 0 && i > 0) printf "Server overhead at 1 connection: HTTP p50 / in-process p50 = %.2f / %.2f ms = %.2fx (%+.2f ms); mean %.2f / %.2f ms = %.2fx\n", h, i, h / i, h - i, hm, im, hm / im}' "$res"
    echo
    echo "GET /api/suggest, 1 connection, ${SUGGEST_DUR} s per prefix length:"
    echo
    echo "| prefix letters | distinct prefixes | requests | errors | req/s | p50 ms | p99 ms | max ms |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for L in 1 2 3 4 5; do
        awk -v L="$L" -v n="$(grep -c . "$runs/suggest-$L.txt")" '$1 == "suggest" L {printf "| %d | %d | %d | %d | %.0f | %.2f | %.2f | %.1f |\n", L, n, $3, $4, $6, $7, $9, $11}' "$res"
    done
} | tee "$out"
echo "(raw driver lines: $res; server log: $srv_log)"
if [ "$smoke" = 1 ]; then
    [ "$fail" = 0 ] && echo "bench-load: smoke OK" || echo "bench-load: smoke FAILED" >&2
fi
exit "$fail"
