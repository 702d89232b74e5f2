#!/usr/bin/env bash
# scripts/bench-shards.sh: what sharding costs and buys on one machine (issue 16,
# docs/scaling.md). The generated corpus is indexed as 1, 2 and 4 shards
# (arkivar-indexer --shards N, a fresh build each, timed), then each index is searched
# over HTTP: its shards local, and the same shards behind xapian-tcpsrv on 127.0.0.1
# (one per shard; the server reaches each over loopback). Prints a markdown table.
#
#   scripts/bench-shards.sh [SIZE] [DATA_DIR]   default 100MB, /tmp/arkivar-bench
#   scripts/bench-shards.sh --smoke [DATA_DIR]  CI: 2MB, 1 and 2 shards, 2 s runs; exits 1
#       when a build fails, a request fails, or the shards' answers count otherwise
# Env: DUR (seconds per run, default 10), SHARDS (default "1 2 4"), QUERIES.
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
if [ "$smoke" = 1 ]; then SIZE=2MB; DATA=${1:-/tmp/arkivar-bench}; DUR=${DUR:-2}; SHARDS=${SHARDS:-"1 2"}
else SIZE=${1:-100MB}; DATA=${2:-/tmp/arkivar-bench}; DUR=${DUR:-10}; SHARDS=${SHARDS:-"1 2 4"}; fi
QUERIES=${QUERIES:-scripts/queries.txt}
corpus=$DATA/corpus-$SIZE
runs=$DATA/runs
bb=$DATA/bin
die() { echo "bench-shards: $*" >&2; exit 2; }
[ -x bin/arkivar-server ] && [ -x bin/arkivar-indexer ] || die "run make first"
command -v xapian-tcpsrv >/dev/null || die "xapian-tcpsrv is missing (xapian-tools)"
mkdir -p "$runs" "$bb"
[ -d "$corpus" ] || python3 scripts/gen-corpus.py "$corpus" --size "$SIZE" --jobs 2 >/dev/null
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread -o "$bb/bench_http" scripts/bench_http.c
mb=$(du -sm "$corpus" | cut -f1)

pids=""
stop_all() { for p in $pids; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; pids=""; }
trap stop_all EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# serve ARGS...: arkivar-server on a port of its choosing; sets port (and adds its PID)
serve() {
    local log=$runs/shards-server.log
    setsid bin/arkivar-server --listen 127.0.0.1:0 "$@" 2>"$log" &
    pids="$pids $!"
    port=""
    for _ in $(seq 300); do
        port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$log" | head -1)
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    cat "$log" >&2; die "the server did not start"
}
fail=0
# measure LABEL: warm-up, then 1 and 2 connections; prints "p50 p99 qps1 qps2"
measure() {
    local tpl='/api/search?q={q}&limit=10' a b
    "$bb/bench_http" 127.0.0.1 "$port" "$tpl" "$QUERIES" 1 0 warmup >/dev/null || fail=1
    a=$("$bb/bench_http" 127.0.0.1 "$port" "$tpl" "$QUERIES" 1 "$DUR" "$1") || fail=1
    b=$("$bb/bench_http" 127.0.0.1 "$port" "$tpl" "$QUERIES" 2 "$DUR" "$1") || fail=1
    echo "$(awk '{print $7, $9, $6}' <<<"$a") $(awk '{print $6}' <<<"$b")"
}
# total_of: the exact totals of the first 30 queries, as one line (an estimated total, of a
# query with more matches than the engine counts, is left out: its estimate may differ)
total_of() {
    python3 - "$port" "$QUERIES" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
out = []
for q in [l.strip() for l in open(sys.argv[2], encoding="utf-8") if l.strip()][:30]:
    url = "http://127.0.0.1:%s/api/search?%s" % (sys.argv[1], urllib.parse.urlencode({"q": q, "limit": 1}))
    d = json.load(urllib.request.urlopen(url, timeout=60))
    out.append("%s=%s" % (q, d["total"] if d.get("total_exact") else "~"))
print(";".join(out))
PYEOF
}

rows=()
want_total=""
for n in $SHARDS; do
    idx=$DATA/idx-$SIZE-shards$n
    rm -rf "$idx"
    t0=$(date +%s.%N)
    bin/arkivar-indexer --quiet --index "$idx" --shards "$n" "$corpus" || { echo "bench-shards: FAIL: --shards $n build" >&2; fail=1; continue; }
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    rate=$(awk -v m="$mb" -v s="$secs" 'BEGIN {printf "%.2f", m / s}')
    size=$(du -sm "$idx" | cut -f1)
    serve --index "$idx"
    tot=$(total_of); [ -z "$want_total" ] && want_total=$tot
    [ "$tot" = "$want_total" ] || { echo "bench-shards: FAIL: $n shards count otherwise than 1: $tot / $want_total" >&2; fail=1; }
    read -r p50 p99 q1 q2 < <(measure "local$n")
    stop_all
    rows+=("| $n | local | $secs | $rate | $size | $p50 | $p99 | $q1 | $q2 |")
    # the same shards, all but the first each behind its own xapian-tcpsrv
    if [ "$n" -gt 1 ]; then
        args=(--index "$idx/shard-0")
        for k in $(seq 1 $((n - 1))); do
            tp=$(free_port)
            setsid xapian-tcpsrv --port "$tp" --interface 127.0.0.1 "$idx/shard-$k" >"$runs/tcpsrv-$tp.log" 2>&1 &
            pids="$pids $!"
            for _ in $(seq 50); do grep -q Listening "$runs/tcpsrv-$tp.log" && break; sleep 0.1; done
            args+=(--shard "tcp:127.0.0.1:$tp")
        done
        serve "${args[@]}"
        tot=$(total_of)
        [ "$tot" = "$want_total" ] || { echo "bench-shards: FAIL: $n shards over tcpsrv count otherwise: $tot / $want_total" >&2; fail=1; }
        read -r p50 p99 q1 q2 < <(measure "remote$n")
        rows+=("| $n | 1 local + $((n - 1)) over tcpsrv | | | | $p50 | $p99 | $q1 | $q2 |")
    fi
    stop_all
    [ "$smoke" = 1 ] || rm -rf "$idx"
done

echo "Shards on corpus-$SIZE ($mb MB, $(find "$corpus" -type f | wc -l) files), $(grep -c . "$QUERIES") queries,"\
     "limit=10, ${DUR} s per run, $(nproc) cores shared by indexer/server/client; $(date +%Y-%m-%d)"
echo
echo "| shards | layout | index s | MB/s | index MB | p50 ms | p99 ms | req/s 1 conn | req/s 2 conns |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
[ "$fail" = 0 ] || { echo "bench-shards: FAIL" >&2; exit 1; }
