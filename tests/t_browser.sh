#!/usr/bin/env bash
# tests/t_browser.sh: the search page in a real headless Chromium (TAP).
# Builds an index of corpus/ in a temporary directory, starts arkivar-server on a free
# port and runs tests/browser/browser.test.mjs (playwright-core driving Debian's
# chromium), which prints the TAP lines and writes docs/search.png, docs/document.png,
# docs/phone.png and docs/suggest.png. Needs chromium, node and npm: this test fails
# (does not skip) when they are missing, since CI installs them (scripts/install-deps.sh).
# playwright-core is pinned to 1.59.1, which still runs on Debian 12's node 18 (later
# releases ask for node 20).
# ARK_BIN (default bin) says where the binaries are; ARK_SHOTS overrides docs/.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
CHROMIUM=${ARK_CHROMIUM:-/usr/bin/chromium}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PID=

bail() { echo "1..1"; echo "not ok 1 - $1"; shift; for l in "$@"; do echo "# $l"; done; exit 1; }

[ -x "$CHROMIUM" ] || bail "chromium is installed" "$CHROMIUM not found: run scripts/install-deps.sh (Debian package chromium)"
command -v node >/dev/null || bail "node is installed" "node not found: run scripts/install-deps.sh (Debian package nodejs)"
for b in "$SERVER" "$INDEXER"; do
    [ -x "$b" ] || bail "$b is built" "run make first"
done
if [ ! -d "$HERE/browser/node_modules/playwright-core" ]; then
    command -v npm >/dev/null || bail "npm is installed" "npm not found: run scripts/install-deps.sh (Debian package npm)"
    echo "# installing playwright-core: npm ci --prefix tests/browser"
    if ! npm ci --prefix "$HERE/browser" --no-audit --no-fund >/dev/null 2>"${TMPDIR:-/tmp}/t_browser.npm.$$"; then
        msg=$(tail -5 "${TMPDIR:-/tmp}/t_browser.npm.$$")
        rm -f "${TMPDIR:-/tmp}/t_browser.npm.$$"
        bail "npm ci --prefix tests/browser installs playwright-core" "$msg"
    fi
    rm -f "${TMPDIR:-/tmp}/t_browser.npm.$$"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_browser.XXXXXX")
cleanup() {
    # Only the server this script started, by its PID.
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

. "$ROOT/tests/lib.sh"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT

"$INDEXER" --index "$TMP/idx" "$ROOT/corpus" >"$TMP/indexer.log" 2>&1 ||
    bail "arkivar-indexer builds an index of corpus/" "$(tail -5 "$TMP/indexer.log")"
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 || bail "server answers /health after start" "$(tail -5 "$TMP/server.log")"

SHOTS=${ARK_SHOTS:-$ROOT/docs}
mkdir -p "$SHOTS"
(cd "$HERE/browser" && ARK_BASE=$BASE ARK_SHOTS=$SHOTS ARK_CHROMIUM=$CHROMIUM node browser.test.mjs)
rc=$?
if [ $rc != 0 ]; then
    echo "# server log (last 20 lines):"
    tail -20 "$TMP/server.log" | sed 's/^/# /'
fi
exit $rc
