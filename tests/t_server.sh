#!/usr/bin/env bash
# tests/t_server.sh: arkivar-server end to end, over real HTTP (TAP).
# Builds an index of corpus/ with arkivar-indexer, starts the server on a free port and
# checks the contract clients rely on: JSON field names and types, snippets that are
# really in the source at the given offsets, highlights on the query word, paging,
# the text format, gzip, every error status, HEAD, health and metrics, a new revision
# seen without restart, and a clean exit on SIGTERM.
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
# check DESCRIPTION COMMAND...: one test point from a command's exit status.

require curl python3 "$SERVER" "$INDEXER"

scratch t_server

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT

# ---- setup -----------------------------------------------------------------------------

# The index is built from a copy of corpus/: the re-index below adds a file to it, and a
# document id belongs to the folder it was indexed from.
cp -R corpus "$TMP/corpus"
if ! "$INDEXER" --index "$TMP/idx" "$TMP/corpus" >"$TMP/indexer.log" 2>&1; then
    echo "1..1"
    echo "not ok 1 - arkivar-indexer builds an index of corpus/"
    diag <"$TMP/indexer.log"
    exit 1
fi

up=0
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 && up=1
if [ $up = 1 ]; then ok "server answers /health after start"; else
    not_ok "server answers /health after start"
    diag <"$TMP/server.log"
    echo "1..$n"
    exit 1
fi
check "ready line names address, threads, revision and passages" \
    grep -Eq "^arkivar-server: listening on http://127\.0\.0\.1:$PORT \(2 threads, index .*, revision [0-9]+, [0-9]+ passages, [0-9]+ acronyms \([0-9]+ learned\), [0-9]+ connections, [0-9]+ per address\)$" "$TMP/server.log"

# get NAME URL [curl args...]: body to $TMP/NAME, headers to $TMP/NAME.h; prints status.
get() {
    local name=$1 url=$2
    shift 2
    curl -s -o "$TMP/$name" -D "$TMP/$name.h" -w '%{http_code}' "$@" "$url"
}
# status_is WANT NAME URL [curl args...]
status_is() {
    local want=$1 got
    got=$(get "${@:2}")
    [ "$got" = "$want" ] || { echo "status $got, want $want"; head -c 400 "$TMP/$2"; return 1; }
}
# header_has NAME REGEX: the saved headers of NAME match REGEX (case-insensitive).
header_has() { tr -d '\r' <"$TMP/$1.h" | grep -Eiq "$2" || { echo "no header /$2/ in:"; cat "$TMP/$1.h"; return 1; }; }
# pycheck NAME: run the python on stdin with the body of NAME as sys.argv[1].
pycheck() { python3 - "$TMP/$1" "${@:2}"; }

# ---- JSON contract -----------------------------------------------------------------------

check "GET /health is 200" status_is 200 health "$BASE/health"
check "/health has status, version, revision, passages, documents" pycheck health "$(makefile_version)" <<'PY'
import json, sys
h = json.load(open(sys.argv[1], encoding="utf-8"))
assert h["status"] == "ok", h
assert h["version"] == sys.argv[2], (h, sys.argv[2])
for k in ("revision", "passages", "documents"):
    assert isinstance(h[k], int) and not isinstance(h[k], bool), (k, h)
assert h["documents"] >= 5 and h["passages"] >= h["documents"], h
PY

check "GET /health/live is 200 ok" bash -c "[ \"\$(curl -s '$BASE/health/live')\" = '{\"status\":\"ok\"}' ]"
check "GET /health/ready is 200 with the revision and the commit's age" bash -c "curl -sf '$BASE/health/ready' |
    python3 -c 'import json,sys; h=json.load(sys.stdin); assert h[\"status\"] == \"ready\" and h[\"revision\"] >= 1 and 0 <= h[\"last_commit_age_s\"] < 600, h'"

check "GET /api/search?q=innovation is 200" status_is 200 s1 "$BASE/api/search?q=innovation"

# ---- filters as parameters (type, date, case, committee, doc): never written into q ----
get f0 "$BASE/api/search?q=kommune&limit=50" >/dev/null
FTYPE=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["results"][0]["doc"]["type"])' "$TMP/f0")
FDOC=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["results"][-1]["doc"]["id"])' "$TMP/f0")
FDOCQ=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$FDOC")
# only_type NAME URL: 200, results, every one of type $FTYPE
only_type() {
    status_is 200 "$1" "$2" && python3 - "$TMP/$1" "$FTYPE" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['results'] and all(x['doc']['type'] == sys.argv[2] for x in r['results']), \
    [x['doc']['type'] for x in r['results']]
PY
}
filter_ranks() {
    only_type f1 "$BASE/api/search?q=kommune&limit=50&type=$FTYPE" && python3 - "$TMP/f1" "$TMP/f0" <<'PY'
import json, sys
r, all_ = (json.load(open(a)) for a in sys.argv[1:3])
assert r['total'] < all_['total'], (r['total'], all_['total'])
assert r['query'] == 'kommune' and 'type' not in r['parsed'], (r['query'], r['parsed'])
PY
}
one_doc() {
    status_is 200 f4 "$BASE/api/search?q=kommune&limit=20&doc=$FDOCQ" && python3 - "$TMP/f4" "$FDOC" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['results'] and all(x['doc']['id'] == sys.argv[2] for x in r['results']), r['results'][:1]
PY
}
check "type= keeps only that type, q stays the user's text ($FTYPE)" filter_ranks
check "a filter alone needs no q: every passage of that type" only_type f2 "$BASE/api/search?type=$FTYPE&limit=20"
check "the filter holds the whole query, OR included (it once held only the last word)" \
    only_type f3 "$BASE/api/search?q=skolemad%20OR%20kommune&limit=50&type=$FTYPE"
check "doc= searches one document" one_doc
doc_marks() {
    status_is 200 f7 "$BASE/api/doc/$FDOCQ?q=kommune" && python3 - "$TMP/f7" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ps = r['passages']
assert r['query'] == 'kommune' and r['corrected'] is None, r.get('query')
assert r['matched'] == sum(p['matched'] for p in ps) > 0, r['matched']
for p in ps:
    b = p['text'].encode()
    last = 0
    for s_, e_ in p['marks']:
        assert last <= s_ < e_ <= len(b), (last, s_, e_)   # in order, not overlapping
        assert b[s_:e_].decode().lower().startswith('kommun'), b[s_:e_]
        last = e_
    assert not p['matched'] or p['marks'], p['ordinal']     # a matching passage is marked
PY
}
check "/api/doc/ID?q= says which passages match and marks the words (same analysis)" doc_marks
check "/api/doc/ID without q has no marks" bash -c "curl -s '$BASE/api/doc/$FDOCQ' | python3 -c 'import json,sys; r=json.load(sys.stdin); assert \"matched\" not in r and \"marks\" not in r[\"passages\"][0]'"
dated_from() {
    status_is 200 f8 "$BASE/api/search?from=2026-06-10&to=2026-12-31&limit=100" && python3 - "$TMP/f8" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['query'] == '' and r['results'], r.get('total')
assert all('2026-06-10' <= x['doc']['date'] <= '2026-12-31' for x in r['results']), [x['doc']['date'] for x in r['results']]
PY
}
check "from= and to= alone, no q: every result dated inside" dated_from
check "year= and q together hold every result to the year" bash -c "curl -s '$BASE/api/search?q=kommune&year=2026&limit=50' |
    python3 -c 'import json,sys; r=json.load(sys.stdin); assert r[\"results\"] and all(x[\"doc\"][\"date\"].startswith(\"2026\") for x in r[\"results\"])'"
check "date=1999 finds nothing" bash -c "curl -s '$BASE/api/search?q=kommune&date=1999' | grep -q '\"total\":0'"
check "an over-long filter is a 400" status_is 400 f6 "$BASE/api/search?q=kommune&committee=$(printf 'u%.0s' $(seq 1 300))"
check "search response carries JSON content type and safety headers" \
    bash -c "$(declare -f header_has); TMP='$TMP'; header_has s1 '^content-type: application/json; charset=utf-8' &&
             header_has s1 '^x-content-type-options: nosniff' && header_has s1 '^cache-control: no-store'"
check "search JSON has every field with the right type" pycheck s1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
def isint(v): return isinstance(v, int) and not isinstance(v, bool)
def isnum(v): return isinstance(v, (int, float)) and not isinstance(v, bool)
def isstr_or_null(v): return v is None or isinstance(v, str)
assert r["query"] == "innovation", r["query"]
assert isinstance(r["parsed"], str)
assert isint(r["total"]) and r["total"] > 0, r["total"]
assert r["total_exact"] is True, r["total_exact"]   # the corpus is far under the 1000 checked
assert isnum(r["took_ms"]) and r["took_ms"] >= 0
assert isstr_or_null(r["suggestion"])
assert isinstance(r["corrected"], bool)
res = r["results"]
assert isinstance(res, list) and 1 <= len(res) <= 10, len(res)
for i, x in enumerate(res):
    assert x["rank"] == i + 1, (i, x["rank"])
    assert isnum(x["score"]) and isint(x["doc_matches"]) and x["doc_matches"] >= 1
    d = x["doc"]
    assert isinstance(d["id"], str) and d["id"]
    for k in ("title", "type", "date"):
        assert isstr_or_null(d[k]), (k, d)
    assert isinstance(d["case_numbers"], list) and all(isinstance(c, str) for c in d["case_numbers"])
    p = x["passage"]
    for k in ("ordinal", "start", "end", "line_start", "line_end"):
        assert isint(p[k]), (k, p)
    assert p["start"] < p["end"] and 1 <= p["line_start"] <= p["line_end"], p
    assert isstr_or_null(p["heading"])
    assert p["page"] is None or (isint(p["page"]) and p["page"] > 0), p
    assert isinstance(x["snippet"], str) and x["snippet"]
    n = len(x["snippet"].encode("utf-8"))
    assert isinstance(x["highlights"], list) and x["highlights"], x
    for h in x["highlights"]:
        assert isinstance(h, list) and len(h) == 2 and isint(h[0]) and isint(h[1]), h
        assert 0 <= h[0] < h[1] <= n, (h, n)
f = r["facets"]
for k in ("type", "year"):
    assert isinstance(f[k], list), f
    for e in f[k]:
        assert isinstance(e["value"], str) and isint(e["count"]) and e["count"] > 0, e
PY

check "each snippet's words are in the source bytes [start, end)" pycheck s1 <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
def squash(s):  # letters and digits only: survives re-joined hyphenation and spacing
    return "".join(ch for ch in s.lower() if ch.isalnum())
bad = []
for x in r["results"]:
    p = x["passage"]
    raw = open("corpus/" + x["doc"]["id"], "rb").read()[p["start"]:p["end"]]
    src = squash(re.sub(r"\s+", " ", raw.decode("utf-8", "replace")))
    for w in x["snippet"].replace("\u2026", " ").split():
        sw = squash(w)
        if sw and sw not in src:
            bad.append((x["doc"]["id"], p["ordinal"], w))
assert not bad, bad[:10]
PY

check "GET /api/search?q=samarbejde is 200" status_is 200 s2 "$BASE/api/search?q=samarbejde"
check "highlights cover a form of the query word (samarbejd…)" pycheck s2 <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["results"], "no results"
seen = 0
for x in r["results"]:
    b = x["snippet"].encode("utf-8")
    for s, e in x["highlights"]:
        w = b[s:e].decode("utf-8").lower()
        # "contains", not "starts with": a compound such as innovationssamarbejde may be
        # highlighted as the whole word.
        assert "samarbejd" in w, (x["doc"]["id"], w)
        seen += 1
assert seen, "no highlights"
PY

check "GET /api/search for a quoted phrase is 200" status_is 200 s2p "$BASE/api/search?q=%22Copenhagen+Solutions+Lab%22&limit=20"
check "a phrase's words are highlighted only where the whole phrase stands" pycheck s2p <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["results"], "no results"
for x in r["results"]:
    b = x["snippet"].encode("utf-8")
    marks = [b[s:e].decode("utf-8") for s, e in x["highlights"]]
    assert marks and len(marks) % 3 == 0, (x["doc"]["id"], marks)
    for i in range(0, len(marks), 3):
        # the phrase's words in order, in any inflection ("Copenhagen Solutions Labs")
        got = [m.lower() for m in marks[i:i + 3]]
        assert all(g.startswith(w) for g, w in zip(got, ["copenhagen", "solution", "lab"])), (x["doc"]["id"], marks)
PY

check "search with limit=5 returns at most 5" status_is 200 s3 "$BASE/api/search?q=innovation&limit=5"
check "limit=5 gives 5 results ranked 1..5" pycheck s3 <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert [x["rank"] for x in r["results"]] == list(range(1, 1 + min(5, r["total"]))), r["results"]
PY
# The engine shows at most 2 passages per document (collapse), so 5 documents give at
# most 10 results: page with 5 to see a real second page, and check offset=10 too.
get p0 "$BASE/api/search?q=innovation&limit=5&offset=0" >/dev/null
get p1 "$BASE/api/search?q=innovation&limit=5&offset=5" >/dev/null
get p2 "$BASE/api/search?q=innovation&limit=10&offset=0" >/dev/null
get p3 "$BASE/api/search?q=innovation&limit=10&offset=10" >/dev/null
check "offset=5 gives other passages and ranks continue at 6" pycheck p0 "$TMP/p1" 6 <<'PY'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
b = json.load(open(sys.argv[2], encoding="utf-8"))
first = int(sys.argv[3])
assert b["results"], "page 2 is empty (total %d)" % a["total"]
ka = {(x["doc"]["id"], x["passage"]["ordinal"]) for x in a["results"]}
kb = {(x["doc"]["id"], x["passage"]["ordinal"]) for x in b["results"]}
assert not (ka & kb), ka & kb
assert [x["rank"] for x in b["results"]] == list(range(first, first + len(b["results"]))), b["results"]
PY
check "offset=10 gives other passages than offset=0, ranks from 11" pycheck p2 "$TMP/p3" <<'PY'
import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))
b = json.load(open(sys.argv[2], encoding="utf-8"))
ka = {(x["doc"]["id"], x["passage"]["ordinal"]) for x in a["results"]}
kb = {(x["doc"]["id"], x["passage"]["ordinal"]) for x in b["results"]}
assert not (ka & kb), ka & kb
assert [x["rank"] for x in b["results"]] == list(range(11, 11 + len(b["results"]))), b["results"]
PY
check "sort=date is accepted" status_is 200 sd "$BASE/api/search?q=innovation&sort=date"

check "format=text is 200 text/plain" bash -c "$(declare -f get status_is header_has); TMP='$TMP'
    status_is 200 t1 '$BASE/api/search?q=innovation&format=text' && header_has t1 '^content-type: text/plain; charset=utf-8'"
check "format=text shows the first title and [[ ]] marks" pycheck t1 "$TMP/s1" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
r = json.load(open(sys.argv[2], encoding="utf-8"))
first = r["results"][0]["doc"]
want = first["title"] or first["id"]
want = " ".join(want.split())
assert want in text, (want, text[:500])
assert "[[" in text and "]]" in text, text[:500]
assert first["id"] in text
assert all(len(l) <= 140 for l in text.splitlines()[2:] if l.startswith("   ") and "[[" in l), "snippet not wrapped"
PY

# ---- documents and suggestions -------------------------------------------------------------

DOC_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["doc"]["id"])' "$TMP/s1")
DOC_URL=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$DOC_ID")
check "GET /api/doc/ID is 200" status_is 200 d1 "$BASE/api/doc/$DOC_URL"
check "/api/doc has the document and its passages with text" pycheck d1 "$DOC_ID" <<'PY'
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
d = v["doc"]
assert d["id"] == sys.argv[2], d
for k in ("title", "type", "date", "case_numbers", "committee", "addressee", "passages", "bytes"):
    assert k in d, k
ps = v["passages"]
assert isinstance(ps, list) and len(ps) == d["passages"] and ps, (len(ps), d["passages"])
for p in ps:
    for k in ("ordinal", "heading", "start", "end", "line_start", "line_end", "page", "text"):
        assert k in p, (k, p)
    assert isinstance(p["text"], str)
raw = open("corpus/" + d["id"], "rb").read()
assert d["bytes"] == len(raw), (d["bytes"], len(raw))
PY

check "GET /api/suggest?q=inno is 200" status_is 200 g1 "$BASE/api/suggest?q=inno"
check "suggest is OpenSearch [q, [completions]]" pycheck g1 <<'PY'
import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(v, list) and len(v) == 2 and v[0] == "inno", v
assert isinstance(v[1], list) and 1 <= len(v[1]) <= 10 and all(isinstance(s, str) for s in v[1]), v
assert any(s.startswith("inno") for s in v[1]), v
PY

# ---- gzip ---------------------------------------------------------------------------------

check "Accept-Encoding: gzip gives a gzip body that decodes to JSON" bash -c "$(declare -f get status_is header_has); TMP='$TMP'
    status_is 200 z1 '$BASE/api/search?q=innovation' -H 'Accept-Encoding: gzip' &&
    header_has z1 '^content-encoding: gzip' && header_has z1 '^vary: accept-encoding' &&
    python3 -c 'import gzip, json, sys; json.loads(gzip.decompress(open(sys.argv[1], \"rb\").read()))' '$TMP/z1'"
check "curl --compressed decodes to valid JSON" bash -c "$(declare -f get status_is header_has); TMP='$TMP'
    status_is 200 z2 '$BASE/api/search?q=innovation' --compressed && header_has z2 '^content-encoding: gzip' &&
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' '$TMP/z2'"
check "gzip;q=0 is honoured (no Content-Encoding)" bash -c "$(declare -f get status_is); TMP='$TMP'
    status_is 200 z3 '$BASE/api/search?q=innovation' -H 'Accept-Encoding: gzip;q=0, identity' &&
    ! tr -d '\r' <'$TMP/z3.h' | grep -qi '^content-encoding' &&
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' '$TMP/z3'"

# ---- errors ----------------------------------------------------------------------------------

# err_is STATUS:CODE URL [curl args]: the status, and a JSON error body naming it and
# the machine-readable code (README.md's table).
err_is() {
    local want=${1%%:*} code=${1#*:} url=$2 got
    shift 2
    got=$(curl -s -o "$TMP/e" -D "$TMP/e.h" -w '%{http_code}' "$@" "$url")
    [ "$got" = "$want" ] || { echo "status $got, want $want"; head -c 300 "$TMP/e"; return 1; }
    python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["status"] == int(sys.argv[2]) and isinstance(e["message"], str) and e["message"], e
assert e["code"] == sys.argv[3], (e, sys.argv[3])' "$TMP/e" "$want" "$code"
}
export -f err_is
export TMP
check "400 when q is missing" err_is 400:missing_query "$BASE/api/search"
check "400 when q is empty" err_is 400:missing_query "$BASE/api/search?q="
check "400 when q is only whitespace" err_is 400:missing_query "$BASE/api/search?q=%20%20+"
check "400 when q is over 1000 bytes" err_is 400:query_too_long "$BASE/api/search?q=$(printf 'a%.0s' $(seq 1 1001))"
check "400 for limit=0" err_is 400:bad_limit "$BASE/api/search?q=innovation&limit=0"
check "400 for limit=abc" err_is 400:bad_limit "$BASE/api/search?q=innovation&limit=abc"
check "400 for limit=101" err_is 400:bad_limit "$BASE/api/search?q=innovation&limit=101"
check "400 for offset=-1" err_is 400:bad_offset "$BASE/api/search?q=innovation&offset=-1"
check "400 for offset=10001" err_is 400:bad_offset "$BASE/api/search?q=innovation&offset=10001"
check "400 for sort=size" err_is 400:bad_parameter "$BASE/api/search?q=innovation&sort=size"
check "400 for an unknown parameter, named" bash -c "err_is 400:unknown_parameter '$BASE/api/search?q=innovation&limt=3' && grep -q 'unknown parameter limt' \"\$TMP/e\""
check "400 for a parameter given twice" err_is 400:bad_parameter "$BASE/api/search?q=innovation&limit=3&limit=4"
check "400 for an unknown parameter of /api/doc" err_is 400:unknown_parameter "$BASE/api/doc/nope.txt?offset=3"
check "400 for an unknown parameter of /api/suggest" err_is 400:unknown_parameter "$BASE/api/suggest?q=inno&limit=3"
check "the page takes parameters links add (utm_source)" status_is 200 pgu "$BASE/?q=innovation&utm_source=x"
check "400 for a bad year, named" bash -c "err_is 400:bad_parameter '$BASE/api/search?q=kommune&year=26' && grep -q 'year must be YYYY' \"\$TMP/e\""
check "400 for a bad from date" err_is 400:bad_parameter "$BASE/api/search?from=2026-13-01"
check "400 for from after to" err_is 400:bad_parameter "$BASE/api/search?from=2026&to=2025"
check "400 for an over-long filter" err_is 400:bad_parameter "$BASE/api/search?q=kommune&committee=$(printf 'u%.0s' $(seq 1 300))"
check "400 for /api/doc's count=0" err_is 400:bad_parameter "$BASE/api/doc/nope.txt?count=0"
check "400 for a control byte in the path" err_is 400:bad_path "$BASE/api/doc/a%01b"
check "413 for a body over 1 KB" err_is 413:payload_too_large "$BASE/api/search?q=x" -X GET -H 'Content-Length: 2000'
check "404 for an unknown route" err_is 404:not_found "$BASE/nope"
check "404 for an unknown document" err_is 404:not_found "$BASE/api/doc/nope.txt"
check "404 for a path outside the corpus" err_is 404:not_found "$BASE/api/doc/..%2F..%2Fetc%2Fpasswd"
check "405 for POST, with Allow: GET, HEAD" bash -c "err_is 405:method_not_allowed '$BASE/api/search?q=innovation' -X POST --data-binary 'x=1' &&
    tr -d '\r' <\"\$TMP/e.h\" | grep -qi '^allow: GET, HEAD\$'"
check "405 for DELETE" err_is 405:method_not_allowed "$BASE/health" -X DELETE
check "414 for a URL over 8 KB" err_is 414:uri_too_long "$BASE/api/search?q=innovation&pad=$(head -c 9000 /dev/zero | tr '\0' a)"
check "431 for a 20 KB header" err_is 431:headers_too_large "$BASE/health" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)"
# Far past our limits, but inside libmicrohttpd's 256 KB pool: still our JSON answer.
check "414 JSON for a 40 KB URL" err_is 414:uri_too_long "$BASE/health?pad=$(head -c 40000 /dev/zero | tr '\0' a)"
check "431 JSON for a 40 KB header" err_is 431:headers_too_large "$BASE/health" -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' a)"

check "HEAD gives the headers of GET and no body" bash -c "
    s=\$(curl -s -I -o '$TMP/hd.h' -w '%{http_code} %{size_download}' '$BASE/api/search?q=innovation')
    [ \"\$s\" = '200 0' ] || { echo \"\$s\"; exit 1; }
    tr -d '\r' <'$TMP/hd.h' | grep -qi '^content-type: application/json' &&
    tr -d '\r' <'$TMP/hd.h' | grep -Eqi '^content-length: [1-9]'"

# ---- page, metrics --------------------------------------------------------------------------

check "GET / is an HTML page with a search form, query escaped" bash -c "$(declare -f get status_is header_has); TMP='$TMP'
    status_is 200 pg '$BASE/?q=%3Cscript%3Ex' && header_has pg '^content-type: text/html' &&
    grep -q '<form' '$TMP/pg' && grep -q '&lt;script&gt;x' '$TMP/pg' && ! grep -q '<script>x' '$TMP/pg'"
check "GET /metrics is Prometheus text" bash -c "$(declare -f get status_is header_has); TMP='$TMP'
    status_is 200 m1 '$BASE/metrics' && header_has m1 '^content-type: text/plain; version=0.0.4'"
check "/metrics counts requests by route and status, and has the histogram" bash -c "
    grep -Eq '^arkivar_requests_total\{route=\"search\",status=\"200\"\} [1-9]' '$TMP/m1' &&
    grep -Eq '^arkivar_requests_total\{route=\"search\",status=\"400\"\} [1-9]' '$TMP/m1' &&
    grep -Eq '^arkivar_request_duration_seconds_bucket\{route=\"search\",le=\"\+Inf\"\} [1-9]' '$TMP/m1' &&
    grep -Eq '^arkivar_request_duration_seconds_(sum|count)\{route=\"search\"\}' '$TMP/m1' &&
    grep -Eq '^arkivar_index_revision [0-9]+' '$TMP/m1' && grep -Eq '^arkivar_index_passages [1-9]' '$TMP/m1'"
check "/metrics has arkivar_build_info with the Makefile's version" \
    grep -Fqx "arkivar_build_info{version=\"$(makefile_version)\"} 1" "$TMP/m1"
check "--version prints the Makefile's version and exits 0" bash -c "
    [ \"\$('$SERVER' --version)\" = 'arkivar-server $(makefile_version)' ] &&
    [ \"\$('$INDEXER' --version)\" = 'arkivar-indexer $(makefile_version)' ] &&
    [ \"\$('$ARK_BIN/arkivar-keys' --version)\" = 'arkivar-keys $(makefile_version)' ]"
check "access log has TIME CLIENT REQUEST-ID METHOD PATH STATUS BYTES MICROSECONDS" \
    grep -Eq '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z 127\.0\.0\.1 [0-9a-f]{16} GET /api/search 200 [0-9]+ [0-9]+$' "$TMP/server.log"
check "X-Request-Id: a new one per answer, the client's own kept, and in the log" bash -c "
    a=\$(curl -sD - -o /dev/null '$BASE/health' | tr -d '\\r' | sed -n 's/^X-Request-Id: //Ip')
    b=\$(curl -sD - -o /dev/null '$BASE/health' | tr -d '\\r' | sed -n 's/^X-Request-Id: //Ip')
    c=\$(curl -sD - -o /dev/null -H 'X-Request-Id: lb-42.a_b' '$BASE/health' | tr -d '\\r' | sed -n 's/^X-Request-Id: //Ip')
    d=\$(curl -sD - -o /dev/null -H 'X-Request-Id: bad id\"' '$BASE/health' | tr -d '\\r' | sed -n 's/^X-Request-Id: //Ip')
    echo \"\$a \$b \$c \$d\"
    [ \${#a} = 16 ] && [ \"\$a\" != \"\$b\" ] && [ \"\$c\" = lb-42.a_b ] && [ \${#d} = 16 ] &&
    sleep 0.2 && grep -q ' lb-42.a_b GET /health 200 ' '$TMP/server.log'"
check "--log-format json: one JSON object a request, the same fields" bash -c "
    . tests/lib.sh; P=\$(free_port); SERVER='$SERVER'
    start_server \$P '$TMP/json.log' --index '$TMP/idx' --log-format json || exit 1
    curl -s -o /dev/null 'http://127.0.0.1:'\$P'/api/search?q=kommune'; kill \$PID; wait \$PID
    grep '\"route\":\"/api/search\"' '$TMP/json.log' | /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
assert set(d) == {\"time\", \"client\", \"request_id\", \"method\", \"route\", \"status\", \"bytes\", \"duration_us\"}, d
assert d[\"status\"] == 200 and d[\"client\"] == \"127.0.0.1\" and len(d[\"request_id\"]) == 16, d
assert \"kommune\" not in json.dumps(d), d'"
# The query is personal data: by default no trace of it; with --log-query-hash a keyed
# hash that tells the same query from another, in both formats. Words that are in no
# other URL of this test, so a hit can only be the query itself.
check "the default access log holds no query text" bash -c "
    . tests/lib.sh; P=\$(free_port); SERVER='$SERVER'
    start_server \$P '$TMP/noq.log' --index '$TMP/idx' || exit 1
    curl -s -o /dev/null 'http://127.0.0.1:'\$P'/api/search?q=Vibeke+Kragelund'; kill \$PID; wait \$PID
    grep -q ' GET /api/search 200 ' '$TMP/noq.log' && ! grep -qi 'vibeke\\|kragelund' '$TMP/noq.log'"
for fmt in text json; do
check "--log-query-hash --log-format $fmt: same query same hash, another query another, never the text" bash -c "
    . tests/lib.sh; P=\$(free_port); SERVER='$SERVER'
    start_server \$P '$TMP/qh-$fmt.log' --index '$TMP/idx' --log-format $fmt --log-query-hash || exit 1
    for q in Vibeke+Kragelund Vibeke+Kragelund Jens+Mortensen; do
        curl -s -o /dev/null 'http://127.0.0.1:'\$P'/api/search?q='\$q
    done
    curl -s -o /dev/null 'http://127.0.0.1:'\$P'/health'
    kill \$PID; wait \$PID
    ! grep -Eqi 'vibeke|kragelund|jens|mortensen' '$TMP/qh-$fmt.log' || { echo 'query text in the log'; exit 1; }
    /usr/bin/python3 - '$TMP/qh-$fmt.log' $fmt <<'PY'
import json, re, sys
lines = [l for l in open(sys.argv[1], encoding='utf-8') if 'GET /' in l or '\"method\"' in l]
if sys.argv[2] == 'json':
    recs = [json.loads(l) for l in lines]
    search = [r['query_hash'] for r in recs if r['route'] == '/api/search']
    health = [r['query_hash'] for r in recs if r['route'] == '/health']
else:
    recs = [l.split() for l in lines]
    assert all(len(r) == 9 for r in recs), recs
    search = [r[8] for r in recs if r[4] == '/api/search']
    health = [r[8] for r in recs if r[4] == '/health']
assert len(search) == 3 and all(re.fullmatch('[0-9a-f]{16}', h) for h in search), search
assert search[0] == search[1] != search[2], search
assert health and set(health) == {None if sys.argv[2] == 'json' else '-'}, health  # no q: no hash
PY"
done
check "log-query-hash = yes in the config file turns it on; another value is refused" bash -c "
    . tests/lib.sh; P=\$(free_port); SERVER='$SERVER'
    printf '[server]\\nlog-query-hash = yes\\n' >'$TMP/qh.conf'
    start_server \$P '$TMP/qhc.log' --index '$TMP/idx' --config '$TMP/qh.conf' || exit 1
    curl -s -o /dev/null 'http://127.0.0.1:'\$P'/api/search?q=Kragelund'; kill \$PID; wait \$PID
    grep -Eq ' GET /api/search 200 [0-9]+ [0-9]+ [0-9a-f]{16}\$' '$TMP/qhc.log' || { cat '$TMP/qhc.log'; exit 1; }
    printf '[server]\\nlog-query-hash = 1\\n' >'$TMP/qh.conf'
    '$SERVER' --config '$TMP/qh.conf' --index '$TMP/idx' 2>&1 | grep -q 'qh.conf:2: bad --log-query-hash 1 (want yes or no)'"
check "--log-format yaml is refused" bash -c "'$SERVER' --index '$TMP/idx' --log-format yaml 2>&1 | grep -q 'bad --log-format yaml'"
check "second server on the same port exits 1 with the reason" bash -c "
    '$SERVER' --index '$TMP/idx' --listen 127.0.0.1:$PORT 2>'$TMP/busy.log'; rc=\$?
    [ \$rc = 1 ] && grep -q 'arkivar-server: cannot listen on 127.0.0.1:$PORT: Address already in use' '$TMP/busy.log' ||
    { echo rc=\$rc; cat '$TMP/busy.log'; exit 1; }"
check "missing index exits 1 with a hint" bash -c "
    '$SERVER' --index '$TMP/none' --listen 127.0.0.1:0 2>'$TMP/none.log'; rc=\$?
    [ \$rc = 1 ] && grep -q 'arkivar-server: no index at $TMP/none (run arkivar-indexer --index $TMP/none corpus first)' '$TMP/none.log' ||
    { echo rc=\$rc; cat '$TMP/none.log'; exit 1; }"
check "unknown flag exits 2" bash -c "'$SERVER' --frobnicate 2>/dev/null; [ \$? = 2 ]"
check "--help exits 0 with usage" bash -c "'$SERVER' --help | grep -q '^usage: arkivar-server'"

# ---- a new revision is served without restart -----------------------------------------------

cat >"$TMP/corpus/999_zebrafinke.txt" <<'TXT'
Notat om zebrafinkeudvalg

Zebrafinkeudvalget mødes hver tirsdag og drøfter fuglekasser i parkerne.
TXT
if "$INDEXER" --index "$TMP/idx" "$TMP/corpus" >"$TMP/indexer2.log" 2>&1; then
    found=0
    for _ in $(seq 1 20); do
        total=$(curl -s "$BASE/api/search?q=zebrafinkeudvalg" |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])' 2>/dev/null)
        if [ "${total:-0}" -ge 1 ] 2>/dev/null; then found=1; break; fi
        sleep 0.1
    done
    if [ $found = 1 ]; then ok "a newly indexed document is found within 2 s, no restart"; else
        not_ok "a newly indexed document is found within 2 s, no restart"; fi
    # The facet tables were built by the searches above; the new passages must be counted.
    check "the new document's passages are counted in the facets" python3 -c '
import json, sys, urllib.request
r = json.load(urllib.request.urlopen(sys.argv[1] + "/api/search?q=zebrafinkeudvalg"))
n = sum(f["count"] for f in r["facets"]["type"])
assert r["total"] >= 1 and n == r["total"], (r["total"], r["facets"])
' "$BASE"
else
    not_ok "re-indexing the corpus copy with a new document"; diag <"$TMP/indexer2.log"
    diag <"$TMP/indexer2.log"
fi
check "server still healthy after the re-index" status_is 200 h2 "$BASE/health"

# ---- shutdown ---------------------------------------------------------------------------

kill -TERM "$PID"
gone=0
for _ in $(seq 1 50); do
    kill -0 "$PID" 2>/dev/null || { gone=1; break; }
    sleep 0.1
done
if [ $gone = 1 ]; then
    wait "$PID"
    rc=$?
    PID=
    if [ $rc = 0 ]; then ok "SIGTERM: server exits 0 within 5 s"; else not_ok "SIGTERM: server exits 0 within 5 s (exit $rc)"; fi
else
    not_ok "SIGTERM: server exits 0 within 5 s (still running)"
fi
# After SIGTERM the sanitizer build (make SAN=1) has written any leak report to stderr.
check "no sanitizer report (ASan, LeakSanitizer, UBSan) in the server's stderr" bash -c "
    ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' '$TMP/server.log'"
if [ $failed -gt 0 ]; then
    echo "# server log (last 30 lines):"
    tail -30 "$TMP/server.log" | diag
fi

echo "1..$n"
[ $failed = 0 ]
