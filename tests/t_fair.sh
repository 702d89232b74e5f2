#!/usr/bin/env bash
# tests/t_fair.sh: one address cannot starve another (TAP).
# Owns: the short forms of the attacks of scripts/fair-attack.sh: 300 slowloris sockets
# from 127.0.0.2, and 64 keep-alive connections of the most expensive query from
# 127.0.0.3, each while 127.0.0.1 searches (every answer 200 within 1 s); that the
# slowloris sockets are cut at --request-timeout and per address; that the flood gets
# 503 + Retry-After and its forged X-Forwarded-For is not believed; the Host
# allow-list, frame-ancestors and X-Forwarded-Proto from trusted proxies only.
# Why a generated 1 MB corpus: on corpus/ (5 documents) no query is expensive.
# Needs curl and python3. ARK_BIN (default bin) says where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 "$SERVER" "$INDEXER" scripts/fair_attack.py scripts/gen-corpus.py

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_fair.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

if ! { python3 scripts/gen-corpus.py "$TMP/c" --size 1MB --jobs 2 &&
       "$INDEXER" --quiet --index "$TMP/idx" "$TMP/c"; } >"$TMP/indexer.log" 2>&1; then
    echo "not ok 1 - a 1 MB corpus is generated and indexed"
    diag <"$TMP/indexer.log"
    echo "1..1"
    exit 1
fi

# stop_server: SIGTERM, a clean exit and a silent sanitizer.
stop_server() {
    kill -TERM "$PID"
    local rc=0 gone=0
    for _ in $(seq 1 100); do
        kill -0 "$PID" 2>/dev/null || { gone=1; break; }
        sleep 0.1
    done
    if [ $gone = 1 ]; then wait "$PID"; rc=$?; else rc=timeout; fi
    PID=
    if [ "$rc" = 0 ]; then ok "$1: SIGTERM, exit 0"; else not_ok "$1: SIGTERM, exit 0 (got $rc)"; fi
    check "$1: no sanitizer report" bash -c "
        ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' '$2'"
}

# fig JSON EXPR: python's verdict on one figure; prints the figures when it fails.
fig() { /usr/bin/python3 -c 'import json, sys
f = json.load(open(sys.argv[1])); ok = eval(sys.argv[2])
print(json.dumps(f)); sys.exit(0 if ok else 1)' "$1" "$2"; }

# The honest client's answers must come within 1 s. Under ASan (ARK_BUILD=*-san) every
# search costs ~3x and the flood's 3,000 503s a second share the two cores with it:
# 127.0.0.1's max there was 1.1 to 4 s over four runs, so in that build the latency
# points are TAP TODOs (reported, not failing; the sanitizer run is for memory errors,
# and t_bench skips it altogether). The figures are the optimized build's.
MAX_MS=1000
SAN_TODO=
case "${ARK_BUILD:-build}" in *-san) SAN_TODO=" # TODO latency under ASan is not the optimized build's" ;; esac
# latency DESC FILE EXPR: a check, a TODO point under ASan.
latency() {
    local out
    if out=$(fig "$2" "$3" 2>&1); then ok "$1$SAN_TODO"; else
        if [ -n "$SAN_TODO" ]; then n=$((n + 1)); echo "not ok $n - $1$SAN_TODO"; else not_ok "$1"; fi
        printf '%s\n' "$out" | head -5 | diag
    fi
}
PORT=$(free_port)
if start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 --request-timeout 3 \
        --per-address-queue 16; then ok "server starts"; else
    not_ok "server starts"
    diag <"$TMP/server.log"
    echo "1..$n"
    exit 1
fi
check "the ready line names the ceiling and the per-address limit" \
    grep -q '1024 connections, 256 per address)$' "$TMP/server.log"

# ---- slowloris from 127.0.0.2 -------------------------------------------------------------

timeout 60 python3 scripts/fair_attack.py --port "$PORT" --slowloris 300 --drip 0.5 \
    --searches 20 --duration 5 >"$TMP/slow.json" 2>"$TMP/slow.err"
check "300 slowloris sockets: every search of 127.0.0.1 is a 200" \
    fig "$TMP/slow.json" 'f["search"]["status"] == {"200": f["search"]["answers"]} and f["search"]["answers"] >= 20'
latency "300 slowloris sockets: every search answered within 1 s" "$TMP/slow.json" "f['search']['max_ms'] < $MAX_MS"
check "one address holds at most 256 connections (the rest refused at once)" \
    fig "$TMP/slow.json" 'f["slowloris"]["refused_at_once"] > 0'
check "a head dripped every 0.5 s is cut at --request-timeout 3 (not only idle time)" \
    fig "$TMP/slow.json" 'f["slowloris"]["closed_by_server"] >= 200 and f["slowloris"]["longest_held_s"] < 4.5'

# ---- a flood of the most expensive query from 127.0.0.3 ----------------------------------------

timeout 60 python3 scripts/fair_attack.py --port "$PORT" --flood 64 --searches 20 --duration 5 \
    >"$TMP/flood.json" 2>"$TMP/flood.err"
check "64 connections of expensive queries: every search of 127.0.0.1 is a 200" \
    fig "$TMP/flood.json" 'f["search"]["status"] == {"200": f["search"]["answers"]} and f["search"]["answers"] >= 20'
latency "64 connections of expensive queries: every search answered within 1 s" \
    "$TMP/flood.json" "f['search']['max_ms'] < $MAX_MS"
check "the flooding address gets 503, each with Retry-After: 1, and is still served" \
    fig "$TMP/flood.json" 'f["flood"]["503"] > 0 and f["flood"]["503_without_retry_after"] == 0 and f["flood"]["200"] > 0'
# Each flood request forged another X-Forwarded-For: believed, each would have had a
# queue of its own and none would have been refused.
check "a forged X-Forwarded-For from an untrusted peer is not believed (one queue, 503s)" \
    fig "$TMP/flood.json" 'f["flood"]["503"] > 0'
check "the server is still answering after both attacks" \
    bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT/api/search?q=kommune') = 200 ]"
check "the default CSP of the pages has frame-ancestors 'self'" bash -c "
    curl -s -D - -o /dev/null 'http://127.0.0.1:$PORT/' | grep -qi \"^content-security-policy: .*; frame-ancestors 'self'\""
stop_server "first server" "$TMP/server.log"

# ---- Host allow-list, frame-ancestors, trusted proxies ------------------------------------------

PORT=$(free_port)
export PORT
if start_server "$PORT" "$TMP/server2.log" --index "$TMP/idx" --threads 2 \
        --allow-host "arkivar.test,127.0.0.1" --frame-ancestors "'self' https://kommune.dk" \
        --trusted-proxy 127.0.0.1; then ok "server starts with --allow-host, --frame-ancestors, --trusted-proxy"; else
    not_ok "server starts with --allow-host, --frame-ancestors, --trusted-proxy"
    diag <"$TMP/server2.log"
    echo "1..$n"
    exit 1
fi
check "Host: evil.example (DNS rebinding) is a 421 JSON error" bash -c "
    [ \$(curl -s -o '$TMP/b421' -w '%{http_code}' -H 'Host: evil.example' 'http://127.0.0.1:$PORT/api/search?q=kommune') = 421 ] &&
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"error\"][\"status\"] == 421' '$TMP/b421'"
check "Host: evil.example is refused on the page too" \
    bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example:$PORT' 'http://127.0.0.1:$PORT/') = 421 ]"
check "a listed Host (any port) is served" \
    bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: ARKIVAR.test:8080' 'http://127.0.0.1:$PORT/api/search?q=kommune') = 200 ]"
check "the listen address, when listed, is served" \
    bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$PORT/health') = 200 ]"
check "--frame-ancestors reaches the page CSP" bash -c "
    curl -s -D - -o /dev/null 'http://127.0.0.1:$PORT/' | grep -qi \"^content-security-policy: .*; frame-ancestors 'self' https://kommune.dk\""
check "X-Forwarded-Proto from a trusted proxy is honoured (https in /opensearch.xml)" bash -c "
    curl -s -H 'X-Forwarded-Proto: https' 'http://127.0.0.1:$PORT/opensearch.xml' | grep -q 'https://127.0.0.1:$PORT/'"
check "X-Forwarded-Proto from an untrusted peer (127.0.0.4) is ignored" bash -c "
    curl -s --interface 127.0.0.4 -H 'X-Forwarded-Proto: https' 'http://127.0.0.1:$PORT/opensearch.xml' > '$TMP/osd' &&
    grep -q 'http://127.0.0.1:$PORT/' '$TMP/osd' && ! grep -q 'https://' '$TMP/osd'"
stop_server "second server" "$TMP/server2.log"

check "a --frame-ancestors that would add a directive is a usage error (exit 2)" bash -c "
    '$SERVER' --index '$TMP/idx' --frame-ancestors \"'self'; script-src *\" 2>/dev/null; [ \$? = 2 ]"
check "a bad --trusted-proxy is a usage error (exit 2)" bash -c "
    '$SERVER' --index '$TMP/idx' --trusted-proxy 10.0.0.0/8 2>/dev/null; [ \$? = 2 ]"
check "a bad --allow-host is a usage error (exit 2)" bash -c "
    '$SERVER' --index '$TMP/idx' --allow-host 'a.dk/x' 2>/dev/null; [ \$? = 2 ]"

if [ $failed -gt 0 ]; then
    echo "# server log (last 20 lines):"
    tail -20 "$TMP/server.log" | diag
fi
echo "1..$n"
[ $failed = 0 ]
