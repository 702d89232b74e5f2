#!/usr/bin/env bash
# tests/t_shard_down.sh: a remote shard that is down, hung or back (issue 16; TAP).
# The corpus as three shards, two behind xapian-tcpsrv. One tcpsrv is killed: the server
# answers from the others within the timeout and names it in "shards.missing"; started
# again on its port, it rejoins within seconds without restarting the server. A stopped
# (SIGSTOP) tcpsrv gives an answer within the timeout, not a hang. --on-shard-failure
# fail answers 503 instead, and will not start with a shard down; partial starts.
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-shard-down.XXXXXX)
PID=""; SRV=""; TB=""; TC=""
# xapian-tcpsrv forks a child per connection and gets a process group of its own
# (setsid): it is stopped by its group, whose id is its PID.
stop_group() { [ -n "$1" ] && { kill -CONT -- "-$1" 2>/dev/null; kill -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; }; }
# KEEP=1 copies the servers' logs to /tmp/server*.log (an ASan report lands there).
cleanup() {
    [ -n "$SRV" ] && { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
    stop_group "$TB"; stop_group "$TC"
    [ -n "${KEEP:-}" ] && cp "$T"/server*.log /tmp/ 2>/dev/null; rm -rf "$T"
}
trap cleanup EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
. "$(dirname "$0")/lib.sh"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# tcpsrv PORT DIR: start xapian-tcpsrv; echoes its PID once it listens.
tcpsrv() {
    setsid xapian-tcpsrv --port "$1" --interface 127.0.0.1 "$2" >"$T/tcpsrv-$1.log" 2>&1 &
    local p=$!
    for _ in $(seq 50); do grep -q "Listening" "$T/tcpsrv-$1.log" 2>/dev/null && break; sleep 0.1; done
    echo "$p"
}

mkdir -p "$T/a" "$T/b" "$T/c"
cp corpus/000_* corpus/001_* "$T/a/"
cp corpus/002_* corpus/003_* "$T/b/"
cp corpus/004_* "$T/c/"
for s in a b c; do "$BIN/arkivar-indexer" --quiet --index "$T/idx-$s" "$T/$s" || exit 1; done
PB=$(free_port); PC=$(free_port)
TB=$(tcpsrv "$PB" "$T/idx-b"); TC=$(tcpsrv "$PC" "$T/idx-c")
C="tcp:127.0.0.1:$PC"
SHARDS=(--index "$T/idx-a" --shard "tcp:127.0.0.1:$PB" --shard "$C")
# one thread: each thread's engine finds a shard down or back on its own next request
TIMEOUT=1500
P=$(free_port)
start_server "$P" "$T/server.log" "${SHARDS[@]}" --threads 1 --shard-timeout $TIMEOUT
ok $? "the server starts over three shards, two remote"; SRV=$PID
# a word in every document: each shard has results
Q="http://127.0.0.1:$P/api/search?q=og&limit=100"
R=$(curl -sf --max-time 20 "$Q")
total=$(echo "$R" | json 'd["total"]')
sh=$(echo "$R" | json '(d["shards"]["answered"], d["shards"]["total"], d["shards"]["missing"])')
[ "$sh" = "(3, 3, [])" ]; ok $? "all three answer: shards $sh, total $total"
ids=$(echo "$R" | json '" ".join(sorted({r["doc"]["id"][:3] for r in d["results"]}))')
[ "$ids" = "000 001 002 003 004" ]; ok $? "results from every shard ($ids)"

stop_group "$TC"; TC=""
R=$(curl -s --max-time 20 -w '\n%{http_code} %{time_total}' "$Q")
read -r code secs <<<"$(echo "$R" | tail -1)"; R=$(echo "$R" | sed '$d')
[ "$code" = 200 ]; ok $? "a killed tcpsrv: the server still answers 200 ($code in ${secs}s)"
m=$(echo "$R" | json '(d["shards"]["answered"], d["shards"]["missing"])')
[ "$m" = "(2, ['$C'])" ]; ok $? "shards.missing names it ($m)"
ids=$(echo "$R" | json '" ".join(sorted({r["doc"]["id"][:3] for r in d["results"]}))')
[ "$ids" = "000 001 002 003" ]; ok $? "the results are those of the others ($ids)"
/usr/bin/python3 -c "import sys; sys.exit(0 if $secs < 2 * $TIMEOUT / 1000 + 1 else 1)"
ok $? "within the timeout (${secs}s)"
hs=$(curl -s --max-time 20 "http://127.0.0.1:$P/health/ready" | json '(d["status"], d["shards"]["answered"], d["shards"]["total"])')
up=$(curl -s --max-time 20 "http://127.0.0.1:$P/metrics" | sed -n 's/^arkivar_shards_up //p')
[ "$hs" = "('ready', 2, 3)" ] && [ "$up" = 2 ]; ok $? "/health/ready and /metrics say 2 of 3 shards answer ($hs; arkivar_shards_up $up)"
# each thread's engine reads on its own; what they report is what the process last found
seen=""
for _ in 1 2 3 4 5; do
    seen="$seen $(curl -s --max-time 20 "http://127.0.0.1:$P/health/ready" | json 'd["shards"]["answered"]')"
done
[ "$seen" = " 2 2 2 2 2" ]; ok $? "and so does every /health/ready after it ($seen)"
[ "$(grep -c "shard $C does not answer" "$T/server.log")" = 1 ]
ok $? "the log says once that it left ($(grep -c "shard $C does not answer" "$T/server.log") lines)"

TC=$(tcpsrv "$PC" "$T/idx-c")
whole=""
for _ in $(seq 40); do
    R=$(curl -sf --max-time 20 "$Q")
    [ "$(echo "$R" | json 'd["shards"]["missing"]')" = "[]" ] && { whole=1; break; }
    sleep 0.25
done
[ -n "$whole" ]; ok $? "tcpsrv started again on its port: the answer is whole again"
t2=$(echo "$R" | json 'd["total"]'); [ "$t2" = "$total" ]; ok $? "with the same total as before ($total, now $t2)"

kill -STOP -- "-$TC"
R=$(curl -s --max-time 30 -w '\n%{http_code} %{time_total}' "$Q")
read -r code secs <<<"$(echo "$R" | tail -1)"; R=$(echo "$R" | sed '$d')
[ "$code" = 200 ] && [ "$(echo "$R" | json 'd["shards"]["missing"]')" = "['$C']" ]
ok $? "a hung (SIGSTOP) tcpsrv: a partial answer naming it ($code in ${secs}s)"
/usr/bin/python3 -c "import sys; sys.exit(0 if $secs < 2 * $TIMEOUT / 1000 + 1 else 1)"
ok $? "within twice the timeout, not a hang (${secs}s)"
R=$(curl -s --max-time 30 -w '\n%{http_code} %{time_total}' "$Q")
read -r code secs <<<"$(echo "$R" | tail -1)"
# it is tried again at most every 2 s, and such a try costs at most the timeout
/usr/bin/python3 -c "import sys; sys.exit(0 if $secs < 2 * $TIMEOUT / 1000 + 1 else 1)"
[ $? = 0 ] && [ "$code" = 200 ]; ok $? "the next request too ($code in ${secs}s)"
stop_group "$TC"; TC=""
kill "$SRV"; wait "$SRV"; ok $? "the server stops cleanly"; SRV=""

# partial: down at start, the server starts and says so
P=$(free_port)
start_server "$P" "$T/server2.log" "${SHARDS[@]}" --threads 1 --shard-timeout $TIMEOUT
ok $? "partial: a shard down at start does not stop the server"; SRV=$PID
grep -q "shard $C does not answer" "$T/server2.log" && grep -q "2 of 3 shards" "$T/server2.log"
ok $? "its ready line says so"
Q="http://127.0.0.1:$P/api/search?q=og&limit=100"
m=$(curl -sf --max-time 20 "$Q" | json 'd["shards"]["missing"]')
[ "$m" = "['$C']" ]; ok $? "and the search names it ($m)"
TC=$(tcpsrv "$PC" "$T/idx-c")
whole=""
for _ in $(seq 40); do
    [ "$(curl -sf --max-time 20 "$Q" | json 'd["shards"]["missing"]')" = "[]" ] && { whole=1; break; }
    sleep 0.25
done
[ -n "$whole" ]; ok $? "it joins once its tcpsrv starts"
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=""

# fail: 503 while a shard is down, whole again once it is back
P=$(free_port)
start_server "$P" "$T/server3.log" "${SHARDS[@]}" --threads 1 --shard-timeout $TIMEOUT \
    --on-shard-failure fail
ok $? "fail: the server starts with all shards up"; SRV=$PID
Q="http://127.0.0.1:$P/api/search?q=og&limit=100"
stop_group "$TC"; TC=""
code=$(curl -s -o "$T/fail.json" --max-time 20 -w '%{http_code}' "$Q")
[ "$code" = 503 ]; ok $? "fail: a killed tcpsrv gives 503 ($code: $(cat "$T/fail.json"))"
hdr=$(curl -s -D - -o "$T/fail2.json" --max-time 20 "$Q" | tr -d '\r')
echo "$hdr" | grep -q "^HTTP/1.1 503" && echo "$hdr" | grep -qi "^retry-after: 2"
ok $? "fail: and so does the next request, with Retry-After ($(head -1 "$T/fail2.json"))"
TC=$(tcpsrv "$PC" "$T/idx-c")
code=""
for _ in $(seq 40); do
    code=$(curl -s -o /dev/null --max-time 20 -w '%{http_code}' "$Q")
    [ "$code" = 200 ] && break; sleep 0.25
done
[ "$code" = 200 ]; ok $? "fail: 200 again once it is back"
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=""
stop_group "$TC"; TC=""
"$BIN/arkivar-server" "${SHARDS[@]}" --listen "127.0.0.1:$(free_port)" --on-shard-failure fail \
    2>"$T/server4.log" & SRV=$!
wait "$SRV"; rc=$?; SRV=""
[ "$rc" != 0 ] && grep -q "$C" "$T/server4.log" && ! grep -q "left out" "$T/server4.log"
ok $? "fail: a shard down at start stops the server with a clear error, not a 'left out' ($(tail -1 "$T/server4.log"))"
echo "1..$n"
exit $((failed > 0))
