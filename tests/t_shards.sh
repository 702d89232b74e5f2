#!/usr/bin/env bash
# tests/t_shards.sh: one server over several shards, local and remote (TAP).
# Two halves of corpus/ are indexed separately; one is served by xapian-tcpsrv (Xapian's
# own remote backend), the server searches both at once, finds documents of either,
# counts them together, opens a document of the remote shard, and sees a new revision
# of a shard replicated with xapian-replicate.
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-shards.XXXXXX)
SRV=""; TCP=""; REPSRV=""
cleanup() {
    for p in $SRV $TCP $REPSRV; do kill "$p" 2>/dev/null; done
    for p in $SRV $TCP $REPSRV; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
. "$(dirname "$0")/lib.sh"
port() { free_port; }
json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

mkdir -p "$T/a" "$T/b"
cp corpus/000_* corpus/001_* corpus/002_* "$T/a/"
cp corpus/003_* corpus/004_* "$T/b/"
"$BIN/arkivar-indexer" --quiet --index "$T/idx-a" "$T/a"; ok $? "shard a indexed (3 documents)"
"$BIN/arkivar-indexer" --quiet --index "$T/idx-b" "$T/b"; ok $? "shard b indexed (2 documents)"

# shard b behind Xapian's remote backend. xapian-tcpsrv signals its whole process group
# on exit, so it gets a group of its own.
TP=$(port)
setsid xapian-tcpsrv --port "$TP" --interface 127.0.0.1 "$T/idx-b" >"$T/tcpsrv.log" 2>&1 & TCP=$!
for _ in $(seq 50); do grep -q "Listening" "$T/tcpsrv.log" 2>/dev/null && break; sleep 0.1; done
P=$(port)
"$BIN/arkivar-server" --index "$T/idx-a" --shard "tcp:127.0.0.1:$TP" --listen "127.0.0.1:$P" \
    2>"$T/server.log" & SRV=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P/health" >/dev/null && break; sleep 0.1; done
H=$(curl -sf "http://127.0.0.1:$P/health")
[ "$(echo "$H" | json 'd["documents"]')" = 5 ]; ok $? "health counts the documents of both shards ($H)"

# "fallstudie" and "Trafikplan" are only in shard b; "beslutningsmandat" only in a
R=$(curl -sf "http://127.0.0.1:$P/api/search?q=Trafikplan+beslutningsmandat&limit=20")
ids=$(echo "$R" | json '" ".join(sorted({r["doc"]["id"] for r in d["results"]}))')
echo "$ids" | grep -q 004_ && echo "$ids" | grep -q 000_; ok $? "one query finds documents of the local and the remote shard ($ids)"
t=$(echo "$R" | json 'next(r["doc"]["title"] for r in d["results"] if r["doc"]["id"].startswith("004_"))')
[ -n "$t" ]; ok $? "a remote shard's result carries its document record (title: $t)"
code=$(curl -s -o "$T/doc.json" -w '%{http_code}' "http://127.0.0.1:$P/api/doc/003_9fe98847643c27d8.txt")
[ "$code" = 200 ] && [ "$(json 'len(d["passages"])' <"$T/doc.json")" -gt 10 ]; ok $? "a document of the remote shard opens as passages"
S=$(curl -sf "http://127.0.0.1:$P/api/search?q=fallstudie+OR+beslutningsmandat&sort=date&limit=5")
[ "$(echo "$S" | json 'len(d["results"])')" -gt 1 ]; ok $? "sorting by date works across shards"
kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=""

# a replica of shard a kept by xapian-replicate, served and refreshed without a restart
RP=$(port)
mkdir -p "$T/master"
ln -s "$T/idx-a" "$T/master/a"
setsid xapian-replicate-server -p "$RP" -I 127.0.0.1 "$T/master" >"$T/repsrv.log" 2>&1 & REPSRV=$!
sleep 0.5
xapian-replicate -h 127.0.0.1 -p "$RP" -m a -o "$T/replica" >"$T/rep1.log" 2>&1; ok $? "xapian-replicate copies shard a"
P2=$(port)
"$BIN/arkivar-server" --index "$T/replica" --listen "127.0.0.1:$P2" 2>"$T/server2.log" & SRV=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$P2/health" >/dev/null && break; sleep 0.1; done
before=$(curl -sf "http://127.0.0.1:$P2/health" | json 'd["passages"]')
[ "${before:-0}" -gt 0 ]; ok $? "the server answers from the replica ($before passages)"
printf 'Notat\n\nDette notat om zebrafinkeudvalget er kun i den nye revision.\n' > "$T/a/nyt.txt"
"$BIN/arkivar-indexer" --quiet --index "$T/idx-a" "$T/a"
xapian-replicate -h 127.0.0.1 -p "$RP" -m a -o "$T/replica" >"$T/rep2.log" 2>&1; ok $? "xapian-replicate brings the new revision"
found=0
for _ in $(seq 30); do
    c=$(curl -sf "http://127.0.0.1:$P2/api/search?q=zebrafinkeudvalget" | json 'len(d["results"])')
    [ "${c:-0}" -gt 0 ] && { found=1; break; }; sleep 0.1
done
[ $found = 1 ]; ok $? "the server sees the replicated revision without a restart"
echo "1..$n"
exit $((failed > 0))
