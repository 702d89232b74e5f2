#!/usr/bin/env bash
# tests/t_docview.sh: the document view in pages of passages, /api/doc/ID and /doc/ID (TAP).
# Owns: from/count paging (the default and the maximum page, the total, the next
# offset), the 400 JSON errors for bad parameters, the marks of a query per page with
# the whole document's match count, the page's links to the other pages, and that the
# answer for a big document stays bounded by one page.
# Why apart from t_server.sh: it needs a document of hundreds of passages, built here
# from corpus/ (about 400 KB), in an index of its own.
# Needs curl and python3. ARK_BIN (default bin) says where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 xapian-delve "$SERVER" "$INDEXER"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_docview.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/c"
for i in 1 2 3; do cat corpus/*.txt; done >"$TMP/c/stor.txt"
if ! "$INDEXER" --quiet --index "$TMP/idx" "$TMP/c" 2>"$TMP/indexer.log"; then
    echo "not ok 1 - arkivar-indexer indexes the big document"; diag <"$TMP/indexer.log"; echo "1..1"; exit 1
fi
TOTAL=$(xapian-delve "$TMP/idx" | sed -n 's/^number of documents = //p')
BYTES=$(stat -c %s "$TMP/c/stor.txt")
PORT=$(free_port)
if start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2; then ok "server starts"; else
    not_ok "server starts"; diag <"$TMP/server.log"; echo "1..$n"; exit 1
fi
BASE=http://127.0.0.1:$PORT
export TOTAL BYTES BASE
check "the document has more than 3 pages of passages ($TOTAL)" test "${TOTAL:-0}" -gt 300

# js URL PYTHON: the JSON answer of URL (200) as r in PYTHON
js() {
    curl -s -o "$TMP/body" -w '%{http_code}' "$1" >"$TMP/status"
    [ "$(cat "$TMP/status")" = 200 ] || { echo "status $(cat "$TMP/status"): $(head -c 300 "$TMP/body")"; return 1; }
    python3 -c "import json, os, sys
r = json.load(open('$TMP/body', encoding='utf-8'))
total, nbytes, size = int(os.environ['TOTAL']), int(os.environ['BYTES']), os.path.getsize('$TMP/body')
$2"
}
# bad URL: a 400 JSON error
bad() {
    local got
    got=$(curl -s -o "$TMP/bad" -w '%{http_code}' "$1")
    [ "$got" = 400 ] && python3 -c "import json,sys; e=json.load(open('$TMP/bad'))['error']; assert e['status']==400 and e['message'], e" ||
        { echo "status $got: $(head -c 300 "$TMP/bad")"; return 1; }
}

check "/api/doc/ID: the first page of 100 passages, the total, next = 100" js "$BASE/api/doc/stor.txt" '
assert r["total_passages"] == total and r["from"] == 0 and r["count"] == 100 and r["next"] == 100, r
assert [p["ordinal"] for p in r["passages"]] == list(range(100))'
check "from=100&count=50: passages 100..149, next = 150" js "$BASE/api/doc/stor.txt?from=100&count=50" '
assert r["from"] == 100 and r["count"] == 50 and r["next"] == 150, r
assert [p["ordinal"] for p in r["passages"]] == list(range(100, 150))'
check "count=200 (the maximum) gives 200" js "$BASE/api/doc/stor.txt?count=200" 'assert r["count"] == 200 and r["next"] == 200'
check "the last page: the rest, next = null" js "$BASE/api/doc/stor.txt?from=$((TOTAL - 7))" '
assert r["count"] == 7 and r["next"] is None and r["passages"][-1]["ordinal"] == total - 1, r'
check "walking the pages by next gives every passage once, in order" python3 -c "
import json, urllib.request
seen, nxt = [], 0
while nxt is not None:
    r = json.load(urllib.request.urlopen('$BASE/api/doc/stor.txt?count=200&from=%d' % nxt))
    seen += [p['ordinal'] for p in r['passages']]
    nxt = r['next']
assert seen == list(range($TOTAL)), len(seen)"
for q in "count=201" "count=0" "count=-1" "count=abc" "from=abc" "from=-1" "from=1e3" "from=99999999999" "from=$TOTAL"; do
    check "400 JSON error for $q" bad "$BASE/api/doc/stor.txt?$q"
done
check "the answer is bounded by its page: 100 passages of a ${BYTES}-byte document" js "$BASE/api/doc/stor.txt" '
assert size < 100000 and size * 4 < nbytes, (size, nbytes)'
check "count=200 stays bounded too" js "$BASE/api/doc/stor.txt?count=200" 'assert size < 200000 and size * 2 < nbytes, (size, nbytes)'

# ---- a query's marks, per page ------------------------------------------------------------
check "q=: matched and first_match are the whole document's, the same on every page; marks are the page's" python3 -c "
import json, urllib.request
pages = [json.load(urllib.request.urlopen('$BASE/api/doc/stor.txt?q=samarbejde&count=200&from=%d' % f)) for f in range(0, $TOTAL, 200)]
m = pages[0]['matched']
assert m > 3 and all(p['matched'] == m for p in pages), [p['matched'] for p in pages]
flags = [x['ordinal'] for p in pages for x in p['passages'] if x['matched']]
assert len(flags) == m, (len(flags), m)
assert all(p['first_match'] == flags[0] for p in pages)
for p in pages:
    for x in p['passages']:
        assert x['matched'] <= bool(x['marks']), x['ordinal']
        for a, b in x['marks']:
            assert 'samarbej' in x['text'].encode()[a:b].decode().lower(), x['text'].encode()[a:b]"

# ---- the page /doc/ID -----------------------------------------------------------------------
page() { curl -s -o "$TMP/page" -w '%{http_code}' "$1"; }
check "/doc/ID shows 100 passages and a link to the next page" bash -c "
[ \"\$(curl -s -o '$TMP/p1' -w '%{http_code}' '$BASE/doc/stor.txt?q=samarbejde')\" = 200 ] &&
[ \"\$(grep -o 'class=\"psg[^\"]*\" id=\"p[0-9]*\"' '$TMP/p1' | wc -l)\" = 100 ] &&
grep -q 'rel=\"next\" href=\"/doc/stor.txt?q=samarbejde&amp;from=100\"' '$TMP/p1' &&
! grep -q 'rel=\"prev\"' '$TMP/p1'"
check "/doc/ID?from=100 shows passage 100, links back and on" bash -c "
[ \"\$(curl -s -o '$TMP/p2' -w '%{http_code}' '$BASE/doc/stor.txt?from=100')\" = 200 ] &&
grep -q 'id=\"p100\"' '$TMP/p2' && ! grep -q 'id=\"p99\"' '$TMP/p2' &&
grep -q 'rel=\"prev\" href=\"/doc/stor.txt\"' '$TMP/p2' && grep -q 'rel=\"next\" href=\"/doc/stor.txt?from=200\"' '$TMP/p2'"
check "/doc/ID?from=abc is 400" test "$(page "$BASE/doc/stor.txt?from=abc")" = 400
check "/doc/ID past the last page is 404" test "$(page "$BASE/doc/stor.txt?from=$TOTAL")" = 404
check "a search result deep in the document links to its page" bash -c "
curl -s '$BASE/?q=samarbejde&limit=50' | grep -o 'href=\"/doc/stor.txt[^\"]*\"' | python3 -c '
import re, sys
links = sys.stdin.read().split()
deep = [l for l in links if re.search(r\"#p([0-9]+)\", l) and int(re.search(r\"#p([0-9]+)\", l).group(1)) >= 100]
assert deep, links
for l in deep:
    o = int(re.search(r\"#p([0-9]+)\", l).group(1))
    assert \"from=%d\" % (o // 100 * 100) in l, l'"

kill -TERM "$PID"
wait "$PID" 2>/dev/null
check "the server stopped cleanly (no sanitizer report)" bash -c "! grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' '$TMP/server.log'"
PID=
echo "1..$n"
[ "$failed" = 0 ]
