#!/usr/bin/env bash
# tests/t_group.sh: results grouped by document over real HTTP (TAP, issue 15).
# Owns: /api/search?group=doc (one entry per document in the order of its best
# passage, its best passages nested, at most 3, the count of its further matches;
# limit and offset count documents; group=passage and no group as before; other values
# 400 bad_parameter; format=text alike), the page's one headline per document with its passages and
# "N flere i dette dokument", and a document whose sidecar gives a title and a url:
# the headline is the title, never the file name, and the original is linked.
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
require curl python3 "$SERVER" "$INDEXER"

scratch t_group
# The corpus, one document of it with a sidecar naming its title and original.
mkdir -p "$TMP/c"
cp corpus/*.txt "$TMP/c/"
cat >"$TMP/c/001_cd1fcdf664451ee5.txt.meta.json" <<'JSON'
{"title": "Innovation & partnerskaber <i>i indkøb</i>", "url": "https://www.kk.dk/sag/2024-17?a=1&b=2"}
JSON
"$INDEXER" --index "$TMP/idx" "$TMP/c" >"$TMP/indexer.log" 2>&1 || { echo "1..1"; echo "not ok 1 - index the corpus"; exit 1; }
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 ||
    { echo "1..1"; echo "not ok 1 - server starts"; exit 1; }
export TMP BASE

get() { curl -s -o "$TMP/$1" -w '%{http_code}' "$BASE$2"; }

get g_all '/api/search?q=innovation&group=doc&limit=100' >/dev/null
get p_all '/api/search?q=innovation&limit=100' >/dev/null
check "group=doc: one entry per document, in the order of each one's first passage" python3 - "$TMP/g_all" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["group"] == "doc" and d["more"] is False, (d.get("group"), d.get("more"))
ids = [r["doc"]["id"] for r in d["results"]]
assert len(ids) == len(set(ids)) and len(ids) >= 4, ids
assert d["total_results"] == len(ids), (d["total_results"], len(ids))
assert [r["rank"] for r in d["results"]] == list(range(1, len(ids) + 1))
ranks = [r["passages"][0]["rank"] for r in d["results"]]
assert ranks == sorted(ranks) and ranks[0] == 1, ranks
PY
check "each document: at most 3 passages in rank order, doc_matches and further_matches that add up" python3 - "$TMP/g_all" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
many = 0
for r in d["results"]:
    ps = r["passages"]
    assert 1 <= len(ps) <= 3, len(ps)
    assert [p["rank"] for p in ps] == sorted(p["rank"] for p in ps)
    assert r["score"] == ps[0]["score"]
    assert r["further_matches"] == r["doc_matches"] - len(ps), r
    assert "doc" not in ps[0] and {"passage", "snippet", "highlights"} <= set(ps[0])
    many += len(ps) == 3 and r["further_matches"] > 0
assert many >= 1, "no document with 3 passages and more"
PY
get g1 '/api/search?q=innovation&group=doc&limit=2' >/dev/null
get g2 '/api/search?q=innovation&group=doc&limit=2&offset=2' >/dev/null
check "limit and offset count documents; more says a page follows" python3 - "$TMP/g1" "$TMP/g2" "$TMP/g_all" <<'PY'
import json, sys
a, b, full = (json.load(open(p)) for p in sys.argv[1:])
ids = lambda d: [r["doc"]["id"] for r in d["results"]]
assert ids(a) == ids(full)[:2] and ids(b) == ids(full)[2:4], (ids(a), ids(b), ids(full))
assert a["more"] is True and a["total_results"] >= 3, (a["more"], a["total_results"])
assert [r["rank"] for r in b["results"]] == [3, 4]
assert a["results"][0]["passages"] == full["results"][0]["passages"]
PY
check "without group, and with group=passage, results are passages as before" python3 - "$TMP/p_all" "$BASE" <<'PY'
import json, sys, urllib.request
d = json.load(open(sys.argv[1]))
assert "group" not in d and all("passage" in r and "passages" not in r for r in d["results"])
ids = [r["doc"]["id"] for r in d["results"]]
assert len(ids) > len(set(ids)), "no document with two passages"
e = json.load(urllib.request.urlopen(sys.argv[2] + "/api/search?q=innovation&limit=100&group=passage"))
e["took_ms"] = d["took_ms"]
assert e == d
PY
code=$(get bad '/api/search?q=innovation&group=document')
check "another group value is 400 bad_parameter" bash -c "[ $code = 400 ] &&
    python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))[\"error\"]; assert e[\"code\"] == \"bad_parameter\" and \"group\" in e[\"message\"], e' '$TMP/bad'"
get gtxt '/api/search?q=innovation&group=doc&format=text&limit=100' >/dev/null
check "group=doc with format=text: each document's title once, its passages, its further matches" python3 - "$TMP/gtxt" "$TMP/g_all" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
full = json.load(open(sys.argv[2]))
titles = re.findall(r"^(\d+)\. ", text, re.M)
assert titles == [str(r["rank"]) for r in full["results"]], titles
blocks = re.split(r"^\d+\. ", text, flags=re.M)[1:]
for b, r in zip(blocks, full["results"]):
    assert len(re.findall(r"^   %s  linje" % re.escape(r["doc"]["id"]), b, re.M)) == len(r["passages"]), r["doc"]["id"]
    more = re.search(r"^   \((\d+) flere i dette dokument\)$", b, re.M)
    assert (more.group(1) if more else "0") == str(r["further_matches"]), (r["doc"]["id"], more)
PY
check "group=doc keeps the filters: type=svar gives only svar documents" python3 - "$BASE" <<'PY'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/search?q=innovation&group=doc&type=svar"))
assert d["results"] and all(r["doc"]["type"] == "svar" for r in d["results"]), [r["doc"]["type"] for r in d["results"]]
PY

check "a query of over 100 passages: the scan reads on past the engine's first 100 and finds every document" python3 - "$BASE" <<'PY'
import json, sys, urllib.request
get = lambda u: json.load(urllib.request.urlopen(sys.argv[1] + u))
flat = []
for off in (0, 100, 200):
    flat += [r["doc"]["id"] for r in get("/api/search?q=og&limit=100&offset=%d" % off)["results"]]
assert len(flat) > 200, len(flat)
g = get("/api/search?q=og&group=doc&limit=100")
ids = [r["doc"]["id"] for r in g["results"]]
assert sorted(ids) == sorted(set(flat)) and g["more"] is False and g["total_results"] == len(ids), (ids, sorted(set(flat)))
last = get("/api/search?q=og&group=doc&limit=1&offset=%d" % (len(ids) - 1))
assert [r["doc"]["id"] for r in last["results"]] == ids[-1:] and last["more"] is False
assert get("/api/search?q=og&group=doc&offset=%d" % len(ids))["results"] == []
PY

# The page: one headline per document.
get page '/?q=innovation' >/dev/null
check "the page shows each document once, with up to 3 passages and 'N flere i dette dokument'" python3 - "$TMP/page" "$TMP/g_all" <<'PY'
import html, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
full = json.load(open(sys.argv[2]))
hits = re.findall(r'<li class="hit">(.*?)</li>\n', page, re.S)
assert len(hits) == len(full["results"]), (len(hits), len(full["results"]))
heads = [re.search(r'<h2><a href="/doc/([^?"#]+)', h).group(1) for h in hits]
assert len(heads) == len(set(heads)), heads
assert heads == [r["doc"]["id"] for r in full["results"]], heads
for h, r in zip(hits, full["results"]):
    assert h.count('<div class="psg-hit">') == len(r["passages"]), (r["doc"]["id"], h.count('<div class="psg-hit">'))
    more = re.search(r'<p class="more"><a href="/doc/([^"]+)">(\d+) flere i dette dokument</a></p>', h)
    if r["further_matches"]:
        assert more and more.group(2) == str(r["further_matches"]), (r["doc"]["id"], more)
        assert more.group(1) == r["doc"]["id"] + "?q=innovation", more.group(1)
    else:
        assert not more
    for p in r["passages"]:
        assert '#p%d">linje' % p["passage"]["ordinal"] in h, (r["doc"]["id"], p["passage"]["ordinal"])
PY
check "a title from the sidecar is the headline (escaped), never the file name; the original is linked" python3 - "$TMP/page" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<h2><a href="/doc/001_cd1fcdf664451ee5\.txt[^"]*">([^<]*)</a></h2>\n<p class="meta">(.*?)</p>', page)
assert m, "no headline for 001"
assert m.group(1) == "Innovation &amp; partnerskaber &lt;i&gt;i indkøb&lt;/i&gt;", m.group(1)
assert '<a href="https://www.kk.dk/sag/2024-17?a=1&amp;b=2">Originalen</a>' in m.group(2), m.group(2)
for h2 in re.findall(r"<h2>.*?</h2>", page):
    assert ".txt</a>" not in h2, h2  # every corpus document has a title
PY
check "group=doc carries the sidecar's url and title in doc" python3 - "$TMP/g_all" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d["results"] if r["doc"]["id"] == "001_cd1fcdf664451ee5.txt"][0]
assert r["doc"]["url"] == "https://www.kk.dk/sag/2024-17?a=1&b=2" and r["doc"]["title"].startswith("Innovation &"), r["doc"]
PY
get txt '/api/search?q=innovation&doc=001_cd1fcdf664451ee5.txt&format=text&limit=1' >/dev/null
check "format=text names the original's address under a result whose metadata has one" bash -c "
    grep -qxF '   Originalen: https://www.kk.dk/sag/2024-17?a=1&b=2' '$TMP/txt' &&
    grep -qF 'Innovation & partnerskaber <i>i indkøb</i>' '$TMP/txt' &&
    ! curl -s '$BASE/api/search?q=innovation&doc=000_92fe6cf18886d868.txt&format=text' | grep -q Originalen"
get pg2 '/?q=innovation&limit=2&page=2' >/dev/null
check "page 2 of two documents a page starts at 3 with other documents" python3 - "$TMP/pg2" "$TMP/g_all" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
full = json.load(open(sys.argv[2]))
assert '<ol class="hits" start="3">' in page
heads = re.findall(r'<li class="hit">\n<h2><a href="/doc/([^?"#]+)', page)
assert heads == [r["doc"]["id"] for r in full["results"]][2:4], heads
PY

kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
echo "1..$n"
[ $failed = 0 ]
