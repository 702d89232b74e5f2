#!/usr/bin/env bash
# tests/t_sharded.sh: an index written as shards by arkivar-indexer --shards (issue 16;
# TAP). The corpus as one index and as 3 shards gives the same answers (every query of
# scripts/queries.txt, two pages each: tests/same_answers.py), also with two shards behind
# xapian-tcpsrv; each document lives on the shard a hash of its id names, comes back
# there when its file changes and leaves it when the file goes; intern documents get
# their own 3 shards; a push lands on its shard; another shard count is refused; the
# shards of a run killed before its stub are no index and are cleared by the next run.
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-sharded.XXXXXX)
PID=""; PA=""; TB=""; TC=""
stop_group() { [ -n "$1" ] && { kill -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; }; }
cleanup() {
    for p in $PID $PA; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    stop_group "$TB"; stop_group "$TC"
    rm -rf "$T"
}
trap cleanup EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
. "$(dirname "$0")/lib.sh"
require curl /usr/bin/python3 xapian-tcpsrv xapian-delve "$BIN/arkivar-indexer" "$BIN/arkivar-server" "$BIN/arkivar-keys"
PY=/usr/bin/python3
json() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# docs_of DIR: the document ids whose records shard DIR holds, sorted (its metadata)
docs_of() {
    $PY - "$1" <<'PYEOF'
import sys, xapian
db = xapian.Database(sys.argv[1])
print(" ".join(sorted(k.decode()[1:] for k in db.metadata_keys(b"D") if len(k) > 1)))
PYEOF
}
# shard_of ID N: FNV-1a of the id's bytes modulo N, as lib/ingest/shards.c
shard_of() {
    $PY -c 'import sys
h = 1469598103934665603
for b in sys.argv[1].encode():
    h = ((h ^ b) * 1099511628211) % 2**64
print(h % int(sys.argv[2]))' "$1" "$2"
}

mkdir -p "$T/c"
cp corpus/* "$T/c/"
"$BIN/arkivar-indexer" --quiet --index "$T/one" "$T/c"; ok $? "the corpus as one index"
"$BIN/arkivar-indexer" --quiet --index "$T/three" --shards 3 "$T/c"; ok $? "the corpus as 3 shards"
[ "$(grep -c '^auto shard-[0-2]$' "$T/three/XAPIANDB")" = 3 ] && [ -f "$T/three/shard-2/iamglass" ]
ok $? "the index folder holds 3 shards and the stub naming them"
d1=$(xapian-delve "$T/one" | sed -n 's/^number of documents = //p')
d3=$(xapian-delve "$T/three" | sed -n 's/^number of documents = //p')
[ -n "$d1" ] && [ "$d1" = "$d3" ]; ok $? "Xapian opens the folder as one database with every passage ($d3 of $d1)"

placed=0; nonempty=0
for k in 0 1 2; do
    ids=$(docs_of "$T/three/shard-$k")
    [ -n "$ids" ] && nonempty=$((nonempty+1))
    for id in $ids; do [ "$(shard_of "$id" 3)" = $k ] || placed=1; done
done
[ $placed = 0 ] && [ $nonempty = 3 ]; ok $? "each document's record is on the shard its id's hash names, no shard empty"

P1=$(free_port); P3=$(free_port)
start_server "$P1" "$T/s1.log" --index "$T/one" --threads 2; PA=$PID
start_server "$P3" "$T/s3.log" --index "$T/three" --threads 2
ok $? "the server opens the sharded folder as its --index"
h=$(curl -sf "http://127.0.0.1:$P3/health")
[ "$(echo "$h" | json '(d["documents"], d["shards"])')" = "(5, {'answered': 3, 'total': 3})" ]
ok $? "/health counts 5 documents over the 3 shards ($h)"
m=$(curl -sf "http://127.0.0.1:$P3/metrics" | grep -E '^arkivar_shards(_up)? ' | tr '\n' ' ')
[ "$m" = "arkivar_shards 3 arkivar_shards_up 3 " ]; ok $? "/metrics: $m"
for p in k ko kom komm kommu ø øk øko be bev; do
    [ "$(curl -sf "http://127.0.0.1:$P1/api/suggest?q=$p")" = "$(curl -sf "http://127.0.0.1:$P3/api/suggest?q=$p")" ] || { echo "# suggest $p differs"; break; }
done; ok $? "suggestions are the same for 10 prefixes"
$PY tests/same_answers.py "http://127.0.0.1:$P1" "http://127.0.0.1:$P3" scripts/queries.txt >"$T/same.txt"; rc=$?
ok $rc "one index and 3 shards: the same answers ($(tail -1 "$T/same.txt"))"
[ $rc = 0 ] || cat "$T/same.txt"

# two of the shards behind Xapian's remote backend (each in a process group of its own)
TPB=$(free_port); TPC=$(free_port)
setsid xapian-tcpsrv --port "$TPB" --interface 127.0.0.1 "$T/three/shard-1" >"$T/tb.log" 2>&1 & TB=$!
setsid xapian-tcpsrv --port "$TPC" --interface 127.0.0.1 "$T/three/shard-2" >"$T/tc.log" 2>&1 & TC=$!
for _ in $(seq 50); do grep -q Listening "$T/tb.log" && grep -q Listening "$T/tc.log" && break; sleep 0.1; done
kill "$PID"; wait "$PID" 2>/dev/null
PR=$(free_port)
start_server "$PR" "$T/sr.log" --index "$T/three/shard-0" --shard "tcp:127.0.0.1:$TPB" \
    --shard "tcp:127.0.0.1:$TPC" --threads 2
$PY tests/same_answers.py "http://127.0.0.1:$P1" "http://127.0.0.1:$PR" scripts/queries.txt >"$T/same-r.txt"; rc=$?
ok $rc "one index and 3 shards, two of them remote: the same answers ($(tail -1 "$T/same-r.txt"))"
[ $rc = 0 ] || cat "$T/same-r.txt"
kill "$PID"; wait "$PID" 2>/dev/null; PID=""
stop_group "$TB"; stop_group "$TC"; TB=""; TC=""

# a changed file goes back to its shard; a removed one leaves it
victim=$(ls "$T/c" | grep '^001_' | head -1)
home=$(shard_of "$victim" 3)
printf '\n\nTillæg: kvælstofudledningen fra zebrafinkehuset er opgjort.\n' >>"$T/c/$victim"
"$BIN/arkivar-indexer" --quiet --index "$T/three" "$T/c"; ok $? "a second run on the sharded index"
where=""
for k in 0 1 2; do docs_of "$T/three/shard-$k" | tr ' ' '\n' | grep -qxF "$victim" && where="$where$k"; done
[ "$where" = "$home" ]; ok $? "the changed document is still on its shard only ($where, want $home)"
start_server "$P3" "$T/s3b.log" --index "$T/three" --threads 2
r=$(curl -sf "http://127.0.0.1:$P3/api/search?q=zebrafinkehuset")
[ "$(echo "$r" | json 'd["results"][0]["doc"]["id"]')" = "$victim" ] && [ "$(echo "$r" | json 'd["total"]')" = 1 ]
ok $? "the new text is found, once"
d3b=$(xapian-delve "$T/three" | sed -n 's/^number of documents = //p')
nvictim=$(curl -sf "http://127.0.0.1:$P3/api/doc/$victim" | json 'len(d["passages"])')
[ "$d3b" -ge "$d3" ] && [ "$d3b" -le $((d3 + 1)) ]; ok $? "the old passages are gone ($d3 -> $d3b passages; the document has $nvictim)"
kill "$PID"; wait "$PID" 2>/dev/null; PID=""
rm "$T/c/$victim"
"$BIN/arkivar-indexer" --quiet --index "$T/three" "$T/c"; ok $? "a run after a file was removed"
gone=1
for k in 0 1 2; do docs_of "$T/three/shard-$k" | tr ' ' '\n' | grep -qxF "$victim" && gone=0; done
[ $gone = 1 ]; ok $? "the removed document left its shard"

# the shard count is the index's
before=$(cat "$T/three/XAPIANDB")
"$BIN/arkivar-indexer" --quiet --index "$T/three" --shards 2 "$T/c" 2>"$T/two.err"; rc=$?
[ $rc = 2 ] && grep -q 'has 3 shards, not 2' "$T/two.err" && [ "$(cat "$T/three/XAPIANDB")" = "$before" ]
ok $? "--shards 2 on a 3-shard index is refused, nothing changed (exit $rc: $(head -c 100 "$T/two.err"))"
"$BIN/arkivar-indexer" --quiet --index "$T/x" --shards 0 "$T/c" 2>/dev/null; rc=$?
[ $rc = 2 ] && [ ! -e "$T/x/XAPIANDB" ]; ok $? "--shards 0 is a usage error (exit $rc)"

# intern documents: a sharded intern database of their own
mkdir -p "$T/m"
cp corpus/000_* "$T/m/"
printf 'Fortroligt notat om hvalrosbestanden.\n' >"$T/m/lukket.txt"
printf '{"access": "intern"}\n' >"$T/m/lukket.txt.meta.json"
"$BIN/arkivar-indexer" --quiet --index "$T/mix" --shards 3 "$T/m"; ok $? "a run with an intern document on a new 3-shard index"
[ "$(grep -c '^auto ' "$T/mix/intern/XAPIANDB" 2>/dev/null)" = 3 ]; ok $? "the intern database has 3 shards of its own"
home=$(shard_of lukket.txt 3)
[ "$(docs_of "$T/mix/intern/shard-$home")" = lukket.txt ]; ok $? "the intern document is on its intern shard ($home)"
pub=""; for k in 0 1 2; do pub="$pub$(docs_of "$T/mix/shard-$k")"; done
! echo "$pub" | grep -q lukket; ok $? "and in no public shard"
KR=$("$BIN/arkivar-keys" add "$T/keys-r" laeser intern)
start_server "$P3" "$T/s3m.log" --index "$T/mix" --keys "$T/keys-r" --threads 2
pubn=$(curl -sf "http://127.0.0.1:$P3/api/search?q=hvalrosbestanden" | json 'd["total"]')
keyn=$(curl -sf -H "Authorization: Bearer $KR" "http://127.0.0.1:$P3/api/search?q=hvalrosbestanden" | json 'd["total"]')
[ "$pubn" = 0 ] && [ "$keyn" = 1 ]; ok $? "an intern key finds it over the 6 shards, no key does not ($keyn, $pubn)"
kill "$PID"; wait "$PID" 2>/dev/null; PID=""

# a pushed document lands on its shard
KW=$("$BIN/arkivar-keys" add "$T/keys" skriver offentlig --write)
KWI=$("$BIN/arkivar-keys" add "$T/keys" lukket intern --write)
start_server "$P3" "$T/s3c.log" --index "$T/three" --keys "$T/keys" --threads 2
printf 'Notat\n\nPush-notat om narhvalbestanden i fjorden.\n' >"$T/push.txt"
code=$(curl -s -o "$T/put.out" -w '%{http_code}' -X PUT --data-binary @"$T/push.txt" \
    -H "Authorization: Bearer $KW" "http://127.0.0.1:$P3/api/documents/push-note.txt")
found=0
for _ in $(seq 50); do
    c=$(curl -sf "http://127.0.0.1:$P3/api/search?q=narhvalbestanden" | json 'd["total"]')
    [ "${c:-0}" = 1 ] && { found=1; break; }; sleep 0.2
done
[ "$code" = 202 ] && [ $found = 1 ]; ok $? "a PUT to the sharded index is searchable (HTTP $code)"
home=$(shard_of push-note.txt 3)
docs_of "$T/three/shard-$home" | tr ' ' '\n' | grep -qxF push-note.txt; ok $? "the pushed document is on its shard ($home)"
# the first intern push makes the intern database, cut like the public index
[ ! -e "$T/three/intern" ]; ok $? "no intern database yet"
printf 'Notat\n\nFortroligt push-notat om isbjørnebestanden.\n' >"$T/push-i.txt"
code=$(curl -s -o "$T/put-i.out" -w '%{http_code}' -X PUT --data-binary @"$T/push-i.txt" \
    -H "Authorization: Bearer $KWI" -H 'X-Arkivar-Metadata: {"access": "intern"}' \
    "http://127.0.0.1:$P3/api/documents/push-intern.txt")
made=0
for _ in $(seq 50); do [ -e "$T/three/intern/XAPIANDB" ] && { made=1; break; }; sleep 0.2; done
home=$(shard_of push-intern.txt 3)
sleep 0.5
[ "$code" = 202 ] && [ $made = 1 ] && [ "$(grep -c '^auto ' "$T/three/intern/XAPIANDB")" = 3 ] &&
    [ "$(docs_of "$T/three/intern/shard-$home")" = push-intern.txt ]
ok $? "an intern push makes 3 intern shards, the document on its own ($code, shard $home)"
kill "$PID"; wait "$PID" 2>/dev/null; PID=""

# a run killed before its stub: shards but no index; the next run builds it whole
mkdir -p "$T/half"
cp -r "$T/three/shard-0" "$T/half/"
PH=$(free_port)
"$BIN/arkivar-server" --index "$T/half" --listen "127.0.0.1:$PH" 2>"$T/half.log" & hp=$!
sleep 1; kill "$hp" 2>/dev/null; wait "$hp" 2>/dev/null; hrc=$?
grep -qi 'no index' "$T/half.log"; ok $? "shards without their stub are no index to the server ($(head -c 120 "$T/half.log"))"
"$BIN/arkivar-indexer" --quiet --index "$T/half" --shards 2 "$T/c"; rc=$?
dh=$(xapian-delve "$T/half" | sed -n 's/^number of documents = //p')
dc=$(xapian-delve "$T/three" | sed -n 's/^number of documents = //p')
[ $rc = 0 ] && [ "$(grep -c '^auto ' "$T/half/XAPIANDB")" = 2 ] && [ ! -e "$T/half/shard-2" ] && [ "$dh" -gt 0 ]
ok $? "the next run clears them and builds the index whole (2 shards, $dh passages)"

echo "1..$n"
exit $((failed > 0))
