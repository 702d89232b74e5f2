#!/usr/bin/env bash
# tests/t_theme.sh: the site's theme folder, accessibility statement and robots.txt over
# real HTTP (TAP, issue 15): --theme DIR's theme.css linked after the built-in style and
# served from /theme/ under the strict CSP, its logo in the header, theme.ini's name and
# footer shown escaped, the accessibility link on every page (the flag winning over
# theme.ini), a SIGHUP that reads the folder again (and keeps the theme in use when the
# folder has gone bad), bad folders refused at start naming the file and line (also
# through the config file's theme key), GET /robots.txt, and the pager's markup.
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

scratch t_theme
"$INDEXER" --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1 || { echo "1..1"; echo "not ok 1 - index corpus/"; exit 1; }

TH=$TMP/theme
mkdir -p "$TH"
cat >"$TH/theme.ini" <<'EOF'
# Aarhus' look
name = Aarhus <b>Kommune</b>
footer = Drevet af "ITK" & Borgerservice
accessibility-url = https://was.digst.dk/aarhus-dk
EOF
printf '.top{background:#003b5c}\n' >"$TH/theme.css"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>\n' >"$TH/logo.svg"

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 --theme "$TH" ||
    { echo "1..1"; echo "not ok 1 - server starts with --theme"; cat "$TMP/server.log" | diag; exit 1; }
export TMP BASE

fetch() {
    local name=$1 url=$2
    shift 2
    curl -s -o "$TMP/$name" -D - "$@" "$url" | tr -d '\r' | tr 'A-Z' 'a-z' >"$TMP/$name.h"
}
hdr() { grep -q "$2" "$TMP/$1.h" || { echo "no header $2 in $1:"; cat "$TMP/$1.h"; return 1; }; }
body_has() { grep -qF -- "$2" "$TMP/$1" || { echo "no '$2' in $1"; return 1; }; }
body_lacks() { ! grep -qF -- "$2" "$TMP/$1" || { echo "'$2' found in $1"; return 1; }; }
export -f fetch hdr body_has body_lacks

fetch p1 "$BASE/?q=innovation"
check "theme.css is linked after the built-in <style>, with its content's hash" python3 - "$TMP/p1" "$TH/theme.css" <<'PY'
import hashlib, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<link rel="stylesheet" href="/theme/theme\.css\?v=([0-9a-f]{16})">', page)
assert m, "no theme link"
assert page.index("</style>") < m.start(), "theme linked before the built-in style"
h = 1469598103934665603
for b in open(sys.argv[2], "rb").read():
    h = ((h ^ b) * 1099511628211) % 2**64
assert m.group(1) == "%016x" % h, (m.group(1), "%016x" % h)
PY
fetch css "$BASE/theme/theme.css"
check "/theme/theme.css is the file, as text/css, under a CSP that lets the page load it" bash -c "
    hdr css ' 200' && hdr css '^content-type: text/css' && cmp -s \"\$TMP/css\" '$TH/theme.css' &&
    hdr p1 \"^content-security-policy: .*style-src 'self' 'unsafe-inline'; img-src 'self';\" &&
    hdr p1 \"^content-security-policy: default-src 'none'; script-src 'self'\""
fetch logo "$BASE/theme/logo.svg"
check "the logo is in the header and served as SVG" bash -c "
    body_has p1 '<a class=\"brand\" href=\"/\"><img class=\"logo\" src=\"/theme/logo.svg?v=' &&
    hdr logo ' 200' && hdr logo '^content-type: image/svg+xml' && cmp -s \"\$TMP/logo\" '$TH/logo.svg'"
fetch nope "$BASE/theme/logo.png"
fetch nope2 "$BASE/theme/../theme.ini"
fetch nope3 "$BASE/theme/theme.ini"
check "the theme serves only its style sheet and logo (404 for theme.ini, the other logo)" bash -c "
    hdr nope ' 404' && hdr nope3 ' 404' && ! grep -q accessibility \"\$TMP/nope3\" && ! grep -q accessibility \"\$TMP/nope2\""
check "the name replaces Arkivar in the title, the header and OpenSearch, escaped" bash -c "
    body_has p1 '<title>innovation – Aarhus &lt;b&gt;Kommune&lt;/b&gt;</title>' &&
    body_has p1 'alt=\"\">Aarhus &lt;b&gt;Kommune&lt;/b&gt;<span>' && body_lacks p1 '<b>Kommune' &&
    curl -s '$BASE/opensearch.xml' | grep -qF '<ShortName>Aarhus &lt;b&gt;Kommune&lt;/b&gt;</ShortName>'"
check "the footer text is shown, escaped, with the accessibility statement linked" bash -c "
    body_has p1 '<footer class=\"foot\"><div class=\"wrap\">Drevet af &quot;ITK&quot; &amp; Borgerservice <a' &&
    body_has p1 '<a class=\"a11y\" href=\"https://was.digst.dk/aarhus-dk\">Tilgængelighedserklæring</a>'"
fetch home "$BASE/"
fetch doc "$BASE/doc/000_92fe6cf18886d868.txt"
fetch miss "$BASE/doc/nope.txt"
check "the accessibility link is on the start page, the document view and its 404 too" bash -c "
    for p in home doc miss; do body_has \$p 'href=\"https://was.digst.dk/aarhus-dk\">Tilgængelighedserklæring</a>' || exit 1; done"

# SIGHUP: a new name and style sheet are served; a folder gone bad keeps the theme in use.
sed -i 's/^name = .*/name = Aarhus Kommune/' "$TH/theme.ini"
printf '.top{background:#600}\n' >"$TH/theme.css"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q 'SIGHUP: theme from' "$TMP/server.log" && break; sleep 0.1; done
fetch p2 "$BASE/?q=innovation"
fetch css2 "$BASE/theme/theme.css"
check "SIGHUP reads the theme again: the new name and style sheet (a new ?v=)" bash -c "
    body_has p2 '<title>innovation – Aarhus Kommune</title>' && cmp -s \"\$TMP/css2\" '$TH/theme.css' &&
    [ \"\$(grep -o 'theme.css?v=[0-9a-f]*' \"\$TMP/p1\")\" != \"\$(grep -o 'theme.css?v=[0-9a-f]*' \"\$TMP/p2\")\" ]"
printf 'colour = red\n' >>"$TH/theme.ini"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q 'the theme in use is kept' "$TMP/server.log" && break; sleep 0.1; done
fetch p3 "$BASE/?q=innovation"
check "a SIGHUP with a bad theme.ini keeps the theme in use and says why, naming the line" bash -c "
    grep -qF 'theme.ini:5: unknown key' \"\$TMP/server.log\" && body_has p3 '<title>innovation – Aarhus Kommune</title>' &&
    kill -0 $PID"
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=

# --accessibility-url wins over theme.ini's; without a theme the built-in look stays.
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_server "$PORT" "$TMP/server2.log" --index "$TMP/idx" --threads 2 --accessibility-url /om/tilgaengelighed ||
    { echo "not ok - server starts with --accessibility-url"; }
fetch q1 "$BASE/?q=innovation"
fetch r1 "$BASE/robots.txt"
check "--accessibility-url alone: the link in the foot, the built-in name, no theme link" bash -c "
    body_has q1 '<a class=\"a11y\" href=\"/om/tilgaengelighed\">Tilgængelighedserklæring</a>' &&
    body_has q1 '<title>innovation – Arkivar</title>' && body_lacks q1 '/theme/' &&
    body_has q1 'Arkivar – fuldtekstsøgning i kommunens sagsakter.'"
check "GET /robots.txt: plain text, the page allowed, /api/ disallowed" bash -c "
    hdr r1 ' 200' && hdr r1 '^content-type: text/plain' && body_has r1 'User-agent: *' &&
    body_has r1 'Allow: /' && body_has r1 'Disallow: /api/'"
fetch g1 "$BASE/?q=innovation&limit=1&page=2"
check "the pager's current page is a span with aria-current and no aria-label" bash -c "
    body_has g1 '<li><span aria-current=\"page\">2</span></li>' && ! grep -q '<span[^>]*aria-label' \"\$TMP/g1\""
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
printf 'accessibility-url = https://was.digst.dk/aarhus-dk\n' >"$TH/theme.ini"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_server "$PORT" "$TMP/server3.log" --index "$TMP/idx" --threads 2 --theme "$TH" --accessibility-url https://a.example.dk/was ||
    { echo "not ok - server starts with both"; }
fetch q2 "$BASE/"
check "--accessibility-url wins over theme.ini's accessibility-url" bash -c "
    body_has q2 'href=\"https://a.example.dk/was\">Tilgængelighedserklæring' && body_lacks q2 'aarhus-dk'"
kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=

# Bad folders: a non-zero exit at start, the message naming the file (and line).
refused() { # EXPECTED-TEXT ARGS...: the server exits non-zero, saying EXPECTED-TEXT
    local want=$1
    shift
    timeout 10 "$SERVER" --index "$TMP/idx" --listen 127.0.0.1:0 "$@" >/dev/null 2>"$TMP/bad.log"
    local rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] && grep -qF -- "$want" "$TMP/bad.log" || { echo "exit $rc:"; cat "$TMP/bad.log"; return 1; }
}
B=$TMP/bad
mkdir -p "$B"
check "a missing theme folder is refused, named" refused "theme folder $TMP/none: No such file" --theme "$TMP/none"
printf 'name = X\ncolour = red\n' >"$B/theme.ini"
check "an unknown theme.ini key is refused with its file and line" refused "$B/theme.ini:2: unknown key 'colour'" --theme "$B"
printf 'name = X\nname = Y\n' >"$B/theme.ini"
check "a repeated key is refused" refused "$B/theme.ini:2: key 'name' given twice" --theme "$B"
printf 'just words\n' >"$B/theme.ini"
check "a line that is not key = value is refused" refused "$B/theme.ini:1: expected \"key = value\"" --theme "$B"
printf 'accessibility-url = javascript:alert(1)\n' >"$B/theme.ini"
check "an accessibility-url that is not http(s) or a local path is refused" refused "$B/theme.ini:1: the accessibility statement's address must start with" --theme "$B"
: >"$B/theme.ini"
mkdir "$B/theme.css"
check "a theme.css that cannot be read is refused, named" refused "$B/theme.css: not a regular file" --theme "$B"
rmdir "$B/theme.css"
printf 'not a png' >"$B/logo.png"
check "a logo.png that is not a PNG is refused" refused "$B/logo.png: not a PNG image" --theme "$B"
printf '\x89PNG\r\n\x1a\n0000' >"$B/logo.png"
cp "$TH/logo.svg" "$B/logo.svg"
check "both logos are refused" refused "both logo.svg and logo.png" --theme "$B"
check "a bad --accessibility-url is a usage error (exit 2)" bash -c "
    '$SERVER' --index '$TMP/idx' --accessibility-url 'ftp://x' 2>/dev/null; [ \$? = 2 ]"
printf '[server]\ntheme = %s\n' "$B" >"$TMP/arkivar.conf"
check "the config file's theme key reads the folder (and its error names the file)" refused "both logo.svg and logo.png" --config "$TMP/arkivar.conf"

echo "1..$n"
[ $failed = 0 ]
