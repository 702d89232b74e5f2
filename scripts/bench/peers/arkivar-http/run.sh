#!/bin/bash
# Arkivar over HTTP: bin/arkivar-server of this checkout on 127.0.0.1 (a free port the
# kernel picks; its ready line names it), queried at /api/search?q=...&limit=10 with the
# harness's one-connection driver (../common/http_bench.c, rows counted by "rank":), and
# under load with N connections by the project's driver (scripts/bench_http.c).
# Stopped by the PID in its pid file. See ../common/lib.sh for the interface and
# ../common/arkivar.sh for the index (built from CORPUS_DIR, not from PASSAGES).
source "$(dirname "$0")/../common/lib.sh"
source "$PEERS_DIR/common/arkivar.sh"
PIDF=$WORK/server.pid
PORTF=$WORK/server.port
TPL='/api/search?q={q}&limit=10'
running() { [ -s "$PIDF" ] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }
stop() {
    if running; then
        local pid; pid=$(cat "$PIDF"); kill -TERM "$pid"
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PIDF" "$PORTF"
}
start() {
    running && return 0
    : >"$WORK/server.log"
    "$ARK_BIN/arkivar-server" --index "$ARK_IDX" --listen 127.0.0.1:0 --acronyms "$ARK_ACRONYMS" \
        </dev/null >/dev/null 2>"$WORK/server.log" &
    echo $! >"$PIDF"
    local port=
    for _ in $(seq 1 300); do
        port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$WORK/server.log" | head -1)
        [ -n "$port" ] && break
        running || { cat "$WORK/server.log" >&2; echo "arkivar-http: the server exited" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$WORK/server.log" >&2; echo "arkivar-http: no ready line in 30 s" >&2; stop; exit 1; }
    echo "$port" >"$PORTF"
}
case "${1:-}" in
build)
    ark_make
    gcc -O2 -Wall -D_GNU_SOURCE -o "$BUILD/http_bench" "$PEERS_DIR/common/http_bench.c"
    cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -pthread \
        -o "$BUILD/ark_bench_http" "$ARK_ROOT/scripts/bench_http.c"
    ;;
index) stop; ark_index ;;
start) start ;;
query)
    "$BUILD/http_bench" query 127.0.0.1 "$(cat "$PORTF")" "$TPL" "$(translate arkivar "$2")" "$3" "$4" \
        '"rank":' ${5:+"$5"} ;;
load) "$BUILD/ark_bench_http" 127.0.0.1 "$(cat "$PORTF")" "$TPL" "$(translate arkivar "$2")" "$3" "$4" http ;;
size) du -sb "$ARK_IDX" | cut -f1 ;;
stop) stop ;;
*) echo "usage: $0 build|index PASSAGES|start|query QUERIES PASSES LOG [SHOW]|size|stop|load QUERIES CONNS SECONDS" >&2; exit 2 ;;
esac
