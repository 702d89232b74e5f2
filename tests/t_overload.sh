#!/usr/bin/env bash
# tests/t_overload.sh: when connections pile up beyond what the server can serve in time,
# it answers 503 with Retry-After at once instead of letting everyone time out, and
# recovers when they go (TAP). The descriptor limit is lowered so that ~100 idle
# connections are "too many".
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-over.XXXXXX)
SRV=""; HOLD=""
cleanup() { for p in $HOLD $SRV; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
"$BIN/arkivar-indexer" --quiet --index "$T/idx" corpus
. "$(dirname "$0")/lib.sh"
P=$(free_port)
( ulimit -n 200; exec "$BIN/arkivar-server" --index "$T/idx" --listen "127.0.0.1:$P" --threads 2 2>"$T/log" ) & SRV=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/health" >/dev/null && break; sleep 0.1; done
# hold 100 idle connections open
/usr/bin/python3 - "$P" <<'PY' & HOLD=$!
import socket, sys, time
socks = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    socks.append(s)
time.sleep(60)
PY
sleep 1.5
code=$(curl -s -o "$T/body" -D "$T/h" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$P/api/search?q=innovation")
[ "$code" = 503 ]; ok $? "with connections piling up, a request gets 503 at once (got $code)"
grep -qi '^retry-after: 1' "$T/h"; ok $? "503 carries Retry-After"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"]["status"] == 503' "$T/body" 2>/dev/null
ok $? "503 body is the JSON error"
kill "$HOLD"; wait "$HOLD" 2>/dev/null; HOLD=""
code=""
for _ in $(seq 50); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$P/api/search?q=innovation")
    [ "$code" = 200 ] && break; sleep 0.1
done
[ "$code" = 200 ]; ok $? "when the connections go, requests are served again"
kill "$SRV"; wait "$SRV"; rc=$?; SRV=""
[ $rc = 0 ]; ok $? "the server shuts down cleanly after overload (exit $rc)"
echo "1..$n"
exit $((failed > 0))
