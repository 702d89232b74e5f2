#!/usr/bin/env bash
# tests/t_replicas.sh: two Arkivar servers on replicas behind HAProxy (issue 16; TAP), as
# docs/scaling.md shows. The master index is copied to two replicas by xapian-replicate;
# HAProxy balances /api/ over the two servers and checks each one's /health/ready. A
# re-index replicated again is seen through the balancer on both; a server killed is taken
# out by the check and every request still answers; started again, it is taken back.
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-replicas.XXXXXX)
SA=""; SB=""; RS=""; HP=""
stop_group() { [ -n "$1" ] && { kill -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; }; }
cleanup() {
    for p in $SA $SB $HP; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    stop_group "$RS"
    rm -rf "$T"
}
trap cleanup EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
. "$(dirname "$0")/lib.sh"
require curl haproxy xapian-delve xapian-replicate xapian-replicate-server "$BIN/arkivar-indexer" "$BIN/arkivar-server"
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

mkdir -p "$T/c" "$T/master"
cp corpus/* "$T/c/"
"$BIN/arkivar-indexer" --quiet --index "$T/master/idx" "$T/c"; ok $? "the master index"
RP=$(free_port)
setsid xapian-replicate-server -p "$RP" -I 127.0.0.1 "$T/master" >"$T/repsrv.log" 2>&1 & RS=$!
replicate() { # both replicas, one pass each
    xapian-replicate -h 127.0.0.1 -p "$RP" -m idx -o "$T/r1" >>"$T/rep.log" 2>&1 &&
    xapian-replicate -h 127.0.0.1 -p "$RP" -m idx -o "$T/r2" >>"$T/rep.log" 2>&1
}
for _ in $(seq 30); do replicate && break; sleep 0.2; done
docs() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
m=$(docs "$T/master/idx")
[ -n "$m" ] && [ "$(docs "$T/r1")" = "$m" ] && [ "$(docs "$T/r2")" = "$m" ]
ok $? "xapian-replicate copies the master to two replicas ($m passages each)"

A=$(free_port); B=$(free_port); H=$(free_port); S=$(free_port)
"$BIN/arkivar-server" --index "$T/r1" --listen "127.0.0.1:$A" --threads 2 2>"$T/a.log" & SA=$!
"$BIN/arkivar-server" --index "$T/r2" --listen "127.0.0.1:$B" --threads 2 2>"$T/b.log" & SB=$!
cat >"$T/haproxy.cfg" <<CFG
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
    retries 2
    option redispatch
frontend search
    bind 127.0.0.1:$H
    default_backend arkivar
frontend stats
    bind 127.0.0.1:$S
    stats enable
    stats uri /stats
backend arkivar
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 200ms fall 2 rise 2
    server a 127.0.0.1:$A check
    server b 127.0.0.1:$B check
CFG
haproxy -c -f "$T/haproxy.cfg" >"$T/hcheck.log" 2>&1; ok $? "HAProxy accepts the configuration of docs/scaling.md"
haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 & HP=$!
# status NAME: the server's state in HAProxy's CSV stats (UP, DOWN, ...)
status() { curl -sf "http://127.0.0.1:$S/stats;csv" | awk -F, -v s="$1" '$1 == "arkivar" && $2 == s {print $18}'; }
up=0
for _ in $(seq 100); do [ "$(status a)" = UP ] && [ "$(status b)" = UP ] && { up=1; break; }; sleep 0.1; done
[ $up = 1 ]; ok $? "both servers pass the /health/ready check ($(status a), $(status b))"

Q="http://127.0.0.1:$H/api/search?q=kommunen&limit=3"
direct=$(curl -sf "http://127.0.0.1:$A/api/search?q=kommunen&limit=3" | json '[r["passage"]["start"] for r in d["results"]]')
via=$(curl -sf "$Q" | json '[r["passage"]["start"] for r in d["results"]]')
[ -n "$direct" ] && [ "$via" = "$direct" ]; ok $? "a search through the balancer gives the replica's answer ($via)"

printf 'Notat\n\nDette notat om snespurvebestanden er kun i den nye revision.\n' >"$T/c/nyt.txt"
"$BIN/arkivar-indexer" --quiet --index "$T/master/idx" "$T/c"; ok $? "the master is re-indexed"
replicate; ok $? "and replicated again to both replicas"
seen=0
for _ in $(seq 50); do
    c=0
    for _ in 1 2 3 4; do
        [ "$(curl -sf "http://127.0.0.1:$H/api/search?q=snespurvebestanden" | json 'd["total"]')" = 1 ] && c=$((c+1))
    done
    [ $c = 4 ] && { seen=1; break; }; sleep 0.1
done
[ $seen = 1 ]; ok $? "both servers answer the new revision through the balancer, without a restart"

kill "$SA"; wait "$SA" 2>/dev/null; SA=""
good=0
for _ in $(seq 20); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$Q")" = 200 ] && good=$((good+1))
done
[ $good = 20 ]; ok $? "one server killed: every request still answers ($good of 20)"
down=0
for _ in $(seq 50); do [ "$(status a)" = DOWN ] && { down=1; break; }; sleep 0.1; done
[ $down = 1 ]; ok $? "the check takes it out ($(status a))"
"$BIN/arkivar-server" --index "$T/r1" --listen "127.0.0.1:$A" --threads 2 2>"$T/a2.log" & SA=$!
back=0
for _ in $(seq 100); do [ "$(status a)" = UP ] && { back=1; break; }; sleep 0.1; done
[ $back = 1 ]; ok $? "started again, it is taken back ($(status a))"

echo "1..$n"
exit $((failed > 0))
