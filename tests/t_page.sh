#!/usr/bin/env bash
# tests/t_page.sh: the HTML site and its integrations over real HTTP, without a browser
# (TAP): escaping of a hostile query in text, attributes and links, the document view
# and its 404, /opensearch.xml and its Host check, /static/arkivar.js, CSP, and CORS
# on /api/… (allowed and refused origins, preflight, OPTIONS elsewhere).
# Needs curl. ARK_BIN (default bin) says where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"
require curl python3 "$SERVER" "$INDEXER"

scratch t_page
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
"$INDEXER" --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1 || { echo "1..1"; echo "not ok 1 - index corpus/"; exit 1; }
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 \
    --cors https://a.example.dk,https://b.example.dk || { echo "1..1"; echo "not ok 1 - server starts"; exit 1; }
export TMP BASE

# fetch NAME URL [curl args]: body to $TMP/NAME, headers (lower-cased, no CR) to $TMP/NAME.h
fetch() {
    local name=$1 url=$2
    shift 2
    curl -s -o "$TMP/$name" -D - "$@" "$url" | tr -d '\r' | tr 'A-Z' 'a-z' >"$TMP/$name.h"
}
hdr() { grep -q "$2" "$TMP/$1.h" || { echo "no header $2 in $1:"; cat "$TMP/$1.h"; return 1; }; }
nohdr() { ! grep -q "$2" "$TMP/$1.h" || { echo "unexpected header $2 in $1"; return 1; }; }
body_has() { grep -qF -- "$2" "$TMP/$1" || { echo "no '$2' in $1"; return 1; }; }
body_lacks() { ! grep -qF -- "$2" "$TMP/$1" || { echo "'$2' found in $1"; return 1; }; }
export -f fetch hdr nohdr body_has body_lacks

HOSTILE='<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ENC=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$HOSTILE")
fetch h1 "$BASE/?q=$ENC"
check "hostile query: 200 HTML with strict CSP" bash -c "hdr h1 ' 200' && hdr h1 '^content-type: text/html; charset=utf-8' &&
    hdr h1 \"^content-security-policy: default-src 'none'; script-src 'self'\" && nohdr h1 'unsafe-eval'"
check "hostile query: no markup from it in the page" bash -c "body_lacks h1 '<img' && body_lacks h1 '<script>alert' &&
    body_lacks h1 'onerror=alert(1)>' && body_has h1 '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img'"
check "hostile query: percent-encoded in links" bash -c "body_has h1 'q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E'"
check "the page inlines server/static/arkivar.css byte for byte, serves arkivar.js and .svg as they are" \
    python3 - "$TMP/h1" "$BASE" <<'PY'
import re, sys, urllib.request
page = open(sys.argv[1], encoding="utf-8").read()
style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
assert style == open("server/static/arkivar.css", encoding="utf-8").read(), "inline CSS differs from the file"
for name in ("arkivar.js", "arkivar.svg"):
    got = urllib.request.urlopen(sys.argv[2] + "/static/" + name).read()
    assert got == open("server/static/" + name, "rb").read(), name
PY
check "the page's only script is /static/arkivar.js" bash -c "[ \$(grep -o '<script' \"\$TMP/h1\" | wc -l) = 1 ] && body_has h1 '<script src=\"/static/arkivar.js\" defer></script>'"
fetch d1 "$BASE/doc/000_92fe6cf18886d868.txt?q=$ENC"
check "hostile query on the document view is escaped" bash -c "body_lacks d1 '<img' && body_has d1 '&lt;img src=x'"
fetch r1 "$BASE/?q=innovation&type=svar"
check "type filter: results only of that type, filter shown removable" bash -c "body_has r1 'data-type=\"svar\"' &&
    body_lacks r1 'data-type=\"orientering\"' && body_has r1 'class=\"chip\" href=\"/?q=innovation\"'"
fetch r2 "$BASE/?q=innovation&type=%22%3E%3Cx"
check "a malformed type filter is ignored" bash -c "hdr r2 ' 200' && body_lacks r2 '\"><x' && body_lacks r2 'class=\"chip\"'"
fetch d2 "$BASE/doc/nope.txt"
check "unknown document: 404 HTML page" bash -c "hdr d2 ' 404' && hdr d2 'content-type: text/html' && body_has d2 'Dokumentet findes ikke'"
fetch o1 "$BASE/opensearch.xml" -H 'Host: arkivar.example.dk:8080'
check "/opensearch.xml names the host and both URL templates" bash -c "hdr o1 'content-type: application/opensearchdescription+xml' &&
    body_has o1 '<ShortName>Arkivar</ShortName>' && body_has o1 '<InputEncoding>UTF-8</InputEncoding>' &&
    body_has o1 'type=\"text/html\" method=\"get\" template=\"http://arkivar.example.dk:8080/?q={searchTerms}\"' &&
    body_has o1 'type=\"application/x-suggestions+json\" method=\"get\" template=\"http://arkivar.example.dk:8080/api/suggest?q={searchTerms}\"'"
fetch o2 "$BASE/opensearch.xml" -H 'Host: evil.dk/"><x'
check "/opensearch.xml falls back to the listen address for a bad Host" bash -c "body_has o2 'template=\"http://127.0.0.1:$PORT/?q={searchTerms}\"' && body_lacks o2 'evil'"
check "the page links the OpenSearch description" bash -c "body_has h1 '<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"Arkivar\" href=\"/opensearch.xml\">'"
fetch j1 "$BASE/static/arkivar.js"
check "/static/arkivar.js is JavaScript, cacheable" bash -c "hdr j1 ' 200' && hdr j1 'content-type: text/javascript' && hdr j1 'cache-control: public'"
fetch c1 "$BASE/api/suggest?q=inno" -H 'Origin: https://b.example.dk'
check "CORS: an allowed origin is echoed with Vary: Origin" bash -c "hdr c1 '^access-control-allow-origin: https://b.example.dk$' && hdr c1 '^vary: .*origin'"
fetch c2 "$BASE/api/suggest?q=inno" -H 'Origin: https://evil.example.dk'
check "CORS: another origin gets no Access-Control-Allow-Origin" bash -c "nohdr c2 'access-control-allow-origin' && hdr c2 ' 200'"
fetch c3 "$BASE/?q=inno" -H 'Origin: https://a.example.dk'
check "CORS: pages are not shared cross-origin" nohdr c3 'access-control-allow-origin'
fetch c4 "$BASE/api/search?q=inno" -X OPTIONS -H 'Origin: https://a.example.dk' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: x-requested-with'
check "CORS: preflight on /api/… is 204 with methods and headers" bash -c "hdr c4 ' 204' &&
    hdr c4 '^access-control-allow-origin: https://a.example.dk$' && hdr c4 '^access-control-allow-methods: get, head, options$' &&
    hdr c4 '^access-control-allow-headers: x-requested-with$'"
fetch c5 "$BASE/" -X OPTIONS
check "OPTIONS outside /api/… stays 405" hdr c5 ' 405'
fetch s1 "$BASE/api/suggest?q=kom"
check "/api/suggest is OpenSearch suggestions JSON" python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); assert d[0] == "kom" and isinstance(d[1], list) and all(s.lower().startswith("kom") for s in d[1]), d' "$TMP/s1"
check "--cors with a bad origin exits 2" bash -c "'$SERVER' --index '$TMP/idx' --cors 'https://a.dk/path' 2>/dev/null; [ \$? = 2 ]"

kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
echo "1..$n"
[ $failed = 0 ]
