#!/usr/bin/env bash
# tests/t_access.sh: closed records (intern) never reach an anonymous request (TAP).
# Owns: the access levels end to end: sidecars and folder defaults set a document's
# level, the indexer keeps intern documents in their own database, arkivar-keys makes
# and revokes keys, and the server answers anonymous requests from the public database
# only. The leak check: two servers, one on the public documents alone and one on the
# same plus closed documents with words of their own; 2,000 anonymous probes must get
# byte-identical answers from both (scripts/access-probes.py; scripts/access-leak.sh runs
# 10,000). With a key the closed documents are found; a wrong or revoked key gets 401.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
KEYS=$ARK_BIN/arkivar-keys
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 xapian-delve "$SERVER" "$INDEXER" "$KEYS"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_access.XXXXXX")
PA=; PB=
cleanup() {
    for p in $PA $PB; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
has_term() { xapian-delve -t "$2" "$1" 2>&1 | grep -q '^Posting List'; }
docs() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }

mkdir -p "$T/src"
cp corpus/*.txt "$T/src/"
"$INDEXER" --quiet --index "$T/a" "$T/src" 2>"$T/a.log"
ok_if $? "the public documents alone index (A)"

# The closed documents: a folder whose .arkivar.json makes it intern, and one file
# beside the public ones made intern by its own sidecar. Their words are their own
# (Qorvandel, Blimpfjord, Zyxwarbling) and shared ones (innovation, samarbejde), whose
# counts must not move in the public database either.
mkdir -p "$T/src/lukket/2026"
echo '{"access": "intern"}' > "$T/src/lukket/.arkivar.json"
printf '# Personalesag om Zyxwarbling\n\nLukket punkt: personalesagen om medarbejderen Qorvandel, hendes innovation og samarbejde med kommunen, og fratrædelsen.\n' > "$T/src/lukket/2026/personale.txt"
printf '# Notat om Blimpfjordprojektet\n\nFortroligt notat: Blimpfjord-projektet og innovation i samarbejde med Qorvandel på Trompelund.\n' > "$T/src/notat.txt"
echo '{"access": "intern", "sag": "2026-0001"}' > "$T/src/notat.txt.meta.json"
"$INDEXER" --quiet --index "$T/b" "$T/src" 2>"$T/b.log"
ok_if $? "the same plus closed documents index (B)"
[ "$(docs "$T/b")" = "$(docs "$T/a")" ] && [ "$(docs "$T/b/intern")" = 2 ]
ok_if $? "B's public database holds exactly A's passages; its intern database the 2 closed ones"
! has_term "$T/b" qorvandel && has_term "$T/b/intern" qorvandel && ! has_term "$T/b" Zblimpfjord
ok_if $? "the closed words are in the intern database only"

# A sidecar that is not valid fails closed: the file is indexed nowhere (exit 1).
mkdir -p "$T/bad"
printf 'Hemmeligt\n\nOm Vrimlebort.\n' > "$T/bad/x.txt"
echo '{"access": "hemmelig"}' > "$T/bad/x.txt.meta.json"
"$INDEXER" --quiet --index "$T/c" "$T/bad" 2>"$T/c.log"; rc=$?
[ $rc = 1 ] && grep -q 'x.txt.meta.json' "$T/c.log" && ! has_term "$T/c" vrimlebort && [ "$(docs "$T/c")" = 0 ]
ok_if $? "a sidecar with an unknown level: the file is refused and named, indexed nowhere (exit $rc)"

KEYFILE="$T/keys"
KEY=$("$KEYS" add "$KEYFILE" anna intern); rc=$?
[ $rc = 0 ] && [ ${#KEY} = 68 ] && [ "$(stat -c %a "$KEYFILE")" = 600 ] && ! grep -q "${KEY#ark_}" "$KEYFILE"
ok_if $? "arkivar-keys add prints a 256-bit key once; the file (mode 600) holds only its hash"
"$KEYS" add "$KEYFILE" anna intern >/dev/null 2>&1; rc=$?
[ $rc = 1 ]; ok_if $? "a second key of the same name is refused (exit $rc)"

PORT_A=$(free_port)
start_server "$PORT_A" "$T/sa.log" --index "$T/a" --threads 2; ok_if $? "server A starts"; PA=$PID
PORT_B=$(free_port)
start_server "$PORT_B" "$T/sb.log" --index "$T/b" --threads 2 --keys "$KEYFILE"; ok_if $? "server B starts"; PB=$PID
A=http://127.0.0.1:$PORT_A; B=http://127.0.0.1:$PORT_B

python3 scripts/access-probes.py --a "$A" --b "$B" --n 2000 --ids "notat.txt,lukket/2026/personale.txt" \
    Qorvandel Blimpfjord Zyxwarbling Blimpfjordprojektet >"$T/probes.log" 2>&1
ok_if $? "2,000 anonymous probes: byte-identical answers from A and B ($(tail -1 "$T/probes.log"))"
[ $failed = 0 ] || diag <"$T/probes.log"

auth() { curl -s -H "Authorization: Bearer $1" "$B$2"; }
total() { python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])'; }
[ "$(auth "$KEY" "/api/search?q=Qorvandel" | total)" = 2 ] && [ "$(curl -s "$B/api/search?q=Qorvandel" | total)" = 0 ]
ok_if $? "with the key both closed documents are found; without it none"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$B/api/doc/notat.txt")
code2=$(curl -s -o /dev/null -w '%{http_code}' "$B/api/doc/notat.txt")
[ "$code" = 200 ] && [ "$code2" = 404 ]; ok_if $? "a closed document: 200 with the key, 404 without ($code, $code2)"
[ "$(auth "$KEY" "/api/suggest?q=qorv")" = '["qorv",["Qorvandel"]]' ] && [ "$(curl -s "$B/api/suggest?q=qorv")" = '["qorv",[]]' ]
ok_if $? "completions of closed words only with the key"
body=$(auth "ark_0000" "/api/search?q=innovation"); code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ark_0000" "$B/api/search?q=x")
[ "$code" = 401 ] && echo "$body" | grep -q '"status":401'; ok_if $? "a wrong key gets 401 with the JSON error"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic YTpi" "$B/health")
[ "$code" = 401 ]; ok_if $? "another scheme than Bearer gets 401 ($code)"
"$KEYS" revoke "$KEYFILE" anna; rc=$?
sleep 1.2
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$B/api/search?q=Qorvandel")
[ $rc = 0 ] && [ "$code" = 401 ]; ok_if $? "a revoked key gets 401 within a second, no restart ($code)"
KEY2=$("$KEYS" add "$KEYFILE" bo intern)
sleep 1.2
[ "$(auth "$KEY2" "/api/search?q=Qorvandel" | total)" = 2 ]; ok_if $? "a key added to the running server's file works within a second"

# A document changes level: it leaves one database and enters the other in one run.
echo '{"access": "offentlig"}' > "$T/src/notat.txt.meta.json"
"$INDEXER" --quiet --index "$T/b" "$T/src" 2>"$T/b2.log"; rc=$?
sleep 0.5
sugg() { python3 -c 'import sys, json; print(json.load(sys.stdin)["suggestion"])'; }
[ $rc = 0 ] && [ "$(curl -s "$B/api/search?q=Blimpfjord" | total)" = 1 ] && [ "$(auth "$KEY2" "/api/search?q=Blimpfjord" | total)" = 1 ] && \
    [ "$(curl -s "$B/api/search?q=trompelnd" | sugg)" = trompelund ]
ok_if $? "made public: anonymous requests find it, key holders find it once (exit $rc)"
echo '{"access": "intern"}' > "$T/src/notat.txt.meta.json"
"$INDEXER" --quiet --index "$T/b" "$T/src" 2>"$T/b3.log"; rc=$?
sleep 0.5
[ $rc = 0 ] && [ "$(curl -s "$B/api/search?q=Blimpfjord" | total)" = 0 ] && ! has_term "$T/b" blimpfjord && \
    [ "$(auth "$KEY2" "/api/search?q=Blimpfjord" | total)" = 1 ]
ok_if $? "made intern again: gone from the public database, found with the key (exit $rc)"
[ "$(curl -s "$B/api/search?q=trompelnd" | sugg)" = None ] && [ "$(auth "$KEY2" "/api/search?q=trompelnd" | sugg)" = trompelund ]
ok_if $? "its words left the public spelling table: no \"Mente du\" of them without the key"

for p in $PA $PB; do kill -TERM "$p" 2>/dev/null; wait "$p"; done; PA=; PB=
! grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$T/sa.log" "$T/sb.log"; ok_if $? "the servers stop cleanly"
echo "1..$n"
[ $failed = 0 ]
