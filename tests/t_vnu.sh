#!/usr/bin/env bash
# tests/t_vnu.sh: the site's pages pass the Nu HTML Checker (TAP, issue 15).
# Owns: running vnu.jar (the W3C's checker; npm's vnu-jar, pinned in
# tests/vnu/package-lock.json, installed by `npm ci --prefix tests/vnu` when missing) on
# the start page, a results page with its pager on page 2 (the current page's markup,
# once refused for aria-label on a <span>), the document view and its 404, with a theme
# (logo, footer) and the accessibility link, as the server sends them.
# Needs curl, java, node and npm: it fails (does not skip) when they are missing.
# ARK_BIN (default bin) says where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
HERE=$(cd "$(dirname "$0")" && pwd)
n=0
failed=0
PID=
. "$HERE/lib.sh"
. "$HERE/tap.sh"
require curl java npm "$SERVER" "$INDEXER"

VNU=$HERE/vnu/node_modules/vnu-jar/build/dist/vnu.jar
if [ ! -f "$VNU" ]; then
    echo "# installing vnu-jar: npm ci --prefix tests/vnu"
    if ! npm ci --prefix "$HERE/vnu" --no-audit --no-fund >/dev/null 2>&1 || [ ! -f "$VNU" ]; then
        echo "not ok 1 - npm ci --prefix tests/vnu installs vnu-jar"
        echo "1..1"
        exit 1
    fi
fi

scratch t_vnu
"$INDEXER" --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1 || { echo "1..1"; echo "not ok 1 - index corpus/"; exit 1; }
mkdir -p "$TMP/theme"
printf 'name = Aarhus Kommune\nfooter = Aarhus Kommune · Rådhuspladsen 2\n' >"$TMP/theme/theme.ini"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>\n' >"$TMP/theme/logo.svg"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 --theme "$TMP/theme" \
    --accessibility-url https://www.was.digst.dk/aarhus-dk || { echo "1..1"; echo "not ok 1 - server starts"; exit 1; }

pages="home:/ results:/?q=innovation&limit=2&page=2 many:/?q=og&limit=1&page=6 doc:/doc/000_92fe6cf18886d868.txt?q=innovation missing:/doc/nope.txt"
for p in $pages; do curl -s -o "$TMP/${p%%:*}.html" "$BASE${p#*:}"; done
check "the pages fetched hold a pager with the current page" grep -q '<span aria-current="page">2</span>' "$TMP/results.html"
# One run for all (a JVM's start is most of the time); its messages name each file.
files=()
for p in $pages; do files+=("$TMP/${p%%:*}.html"); done
check "the Nu HTML Checker finds no error in the start page, results, pager, document view and 404" \
    java -jar "$VNU" --errors-only "${files[@]}"

kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
echo "1..$n"
[ $failed = 0 ]
