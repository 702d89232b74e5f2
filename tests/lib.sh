# tests/lib.sh: what the shell integration tests share (sourced, not run).
# Owns: a free port on 127.0.0.1 and starting a server there: it sets PID (stop it by
# that PID, never by name) and waits until /health answers.
# Why: five tests started servers with five copies of the same loop.

# free_port: a port nobody listens on right now.
free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# scratch NAME: TMP, a fresh folder under $TMPDIR for this test, and on exit the server
# the test started (PID: by its PID, never by name) killed and TMP removed.
scratch() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap scratch_cleanup EXIT
}
scratch_cleanup() {
    if [ -n "${PID:-}" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}

# start_server PORT LOG ARGS...: run arkivar-server ARGS on 127.0.0.1:PORT in the
# background, stderr to LOG; sets PID. Returns 0 once /health answers, 1 if the server
# died or did not answer within 10 s. SERVER names the binary (default $ARK_BIN/arkivar-server).
start_server() {
    local port=$1 log=$2
    shift 2
    "${SERVER:-${ARK_BIN:-bin}/arkivar-server}" --listen "127.0.0.1:$port" "$@" 2>"$log" &
    PID=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
        kill -0 "$PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# makefile_version: the VERSION the Makefile gives every program (run from the checkout).
makefile_version() {
    sed -n 's/^VERSION := *//p' "$(dirname "${BASH_SOURCE[0]}")/../Makefile"
}

# json_field EXPR: the JSON on stdin as d, EXPR over it printed as JSON (UTF-8 as is):
# json_field 'd["doc"]["title"]' prints "Svar til ØU".
json_field() {
    /usr/bin/python3 -c 'import sys, json; d = json.load(sys.stdin); print(json.dumps(eval(sys.argv[1], {"d": d}), ensure_ascii=False))' "$1"
}

# require TOOL_OR_BINARY...: each a command on PATH or an executable file; else a failing
# TAP plan and exit 1 (a test that cannot find what it tests fails; it does not skip).
require() {
    local x
    for x in "$@"; do
        if [ "${x#*/}" != "$x" ]; then [ -x "$x" ] && continue
        else command -v "$x" >/dev/null && continue; fi
        echo "not ok 1 - $x is missing (make all; scripts/install-deps.sh installs the tools)"
        echo "1..1"
        exit 1
    done
}

