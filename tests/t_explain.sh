#!/usr/bin/env bash
# tests/t_explain.sh: explain=1 on /api/search (issue 15), over a real index of corpus/ and
# a real server (TAP).
# Checks what a municipality reads in "explain" to see why a passage came first: the
# index terms the passage holds with their BM25 weights, mapped to the query word and
# its kind (exact form, stem, compound part, acronym expansion), the parts of the query
# summing to Xapian's weight, the rerank's boosts and factors multiplying to the score,
# the scores falling with the rank; no "explain" key without explain=1; 400 for a bad
# value. ARK_BIN (default bin) says where the binaries are.
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

scratch t_explain

if ! "$INDEXER" --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1; then
    echo "not ok 1 - arkivar-indexer builds an index of corpus/"
    diag <"$TMP/indexer.log"
    echo "1..1"
    exit 1
fi
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
if ! start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2; then
    echo "not ok 1 - server answers /health after start"
    diag <"$TMP/server.log"
    echo "1..1"
    exit 1
fi
ok "server answers /health after start"

# search NAME QUERY [curl -d args...]: the JSON answer to $TMP/NAME; prints the status.
search() {
    local name=$1 q=$2
    shift 2
    curl -s -G -o "$TMP/$name" -w '%{http_code}' "$BASE/api/search" --data-urlencode "q=$q" "$@"
}
# explained NAME QUERY [args]: 200 with explain=1, else say why.
explained() {
    local got
    got=$(search "$@" -d explain=1)
    [ "$got" = 200 ] || { echo "status $got"; head -c 400 "$TMP/$1"; return 1; }
}
# pycheck NAME ARGS...: the python on stdin with the body of NAME as sys.argv[1].
pycheck() { python3 - "$TMP/$1" "${@:2}"; }

# Every result of every query below must say the same things of itself: the checks each
# query runs first (common.py), then what is particular to it.
cat >"$TMP/common.py" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
res = d["results"]
assert res, "no results"
KINDS = {"exact", "stem", "lemma", "folded", "old_spelling", "part_of", "compound_part",
         "compound_part_word", "other"}
VIAS = {"typed", "expansion", "acronym", "compound", "near", "piece"}
prev = None
for r in res:
    x = r["explain"]
    # the parts of the query are exact shares of Xapian's weight
    s = sum(p["weight"] for p in x["parts"])
    assert abs(s - x["xapian_weight"]) <= 1e-5 * max(1, x["xapian_weight"]), (r["rank"], s, x["xapian_weight"])
    # the factors take Xapian's weight to the score, and the rerank factor is 1 + its boosts
    prod = x["xapian_weight"]
    for f in x["factors"]:
        prod *= f["value"]
    assert abs(prod - x["score"]) <= 1e-4 * max(1, x["score"]), (r["rank"], prod, x["score"])
    assert abs(x["score"] - r["score"]) <= 1e-4 * max(1, x["score"]), (r["rank"], x["score"], r["score"])
    rerank = [f["value"] for f in x["factors"] if f["name"] == "rerank"]
    if rerank:
        assert abs(rerank[0] - 1 - sum(b["value"] for b in x["boosts"])) < 1e-5, x
    # the score falls with the rank
    if prev is not None:
        assert prev >= x["score"] - 1e-9, ("rank", r["rank"], prev, x["score"])
    prev = x["score"]
    for t in x["terms"]:
        assert t["kind"] in KINDS and t["via"] in VIAS, t
        assert t["wdf"] >= 1 and t["termfreq"] >= 1 and t["weight"] > 0, t
        assert x["doclen"] >= t["wdf"], (x["doclen"], t)
# terms(R): {term: the term's entry} of result R (0-based)
def terms(i):
    return {t["term"]: t for t in res[i]["explain"]["terms"]}
PY
# pyx NAME: common.py, then the python on stdin, over the body of NAME.
pyx() { cat "$TMP/common.py" - >"$TMP/check.py"; python3 "$TMP/check.py" "$TMP/$1"; }

check "explain=1 is 200 for samarbejde innovation" explained two "samarbejde innovation" -d limit=10
check "two words: the exact forms with positive weights, each part a word, all words boosted" pyx two <<'PY'
t = terms(0)
for w in ("samarbejde", "innovation"):
    assert w in t, sorted(t)
    assert t[w]["kind"] == "exact" and t[w]["word"] == w and t[w]["via"] == "typed", t[w]
    # the exact term's weight is the one its passage would have alone: positive, and
    # rarer terms weigh more for the same wdf
    assert t[w]["weight"] > 0
assert [p["query"] for p in res[0]["explain"]["parts"]] == ["samarbejde", "innovation"], res[0]["explain"]["parts"]
assert all(p["weight"] > 0 for p in res[0]["explain"]["parts"])
names = [b["name"] for b in res[0]["explain"]["boosts"]]
assert "all_words" in names, names
assert res[0]["explain"]["score"] >= res[1]["explain"]["score"]
PY

check "explain=1 is 200 for skolemad" explained comp "skolemad"
check "a compound's parts: Pskol and Pmad, kind compound_part of skolemad" pyx comp <<'PY'
t = terms(0)
for part in ("Pskol", "Pmad"):
    assert part in t, sorted(t)
    assert t[part]["kind"] == "compound_part" and t[part]["word"] == "skolemad", t[part]
PY

check "explain=1 is 200 for innovation (a part of longer compounds)" explained partof "innovation" -d limit=20
check "the word inside a compound: Pinnovation, kind part_of" pyx partof <<'PY'
found = [t for i in range(len(res)) for t in res[i]["explain"]["terms"] if t["term"] == "Pinnovation"]
assert found and all(t["kind"] == "part_of" and t["word"] == "innovation" for t in found), found
PY

check "explain=1 is 200 for TMF" explained acro "TMF"
check "an acronym: its expansion's terms, via expansion" pyx acro <<'PY'
t = terms(0)
assert any(v["via"] == "expansion" for v in t.values()), t
assert "teknikforvaltningen" in t and t["teknikforvaltningen"]["via"] == "expansion", sorted(t)
PY

check "explain=1 is 200 for kobenhavn" explained fold "kobenhavn"
check "typed without ø: the folded term, kind folded" pyx fold <<'PY'
found = [t for i in range(len(res)) for t in res[i]["explain"]["terms"] if t["kind"] == "folded"]
assert found and all(t["term"].startswith("F") and t["word"] == "kobenhavn" for t in found), found
PY

check "explain=1 is 200 for a phrase" explained phrase '"smart city"'
check "a phrase alone is one part, and its terms are there" pyx phrase <<'PY'
x = res[0]["explain"]
assert [p["query"] for p in x["parts"]] == ['"smart city"'], x["parts"]
assert {"smart", "city"} <= set(terms(0)), sorted(terms(0))
PY

check "explain=1 is 200 for a stem match" explained stem "partnerskaberne" -d limit=20
check "another inflection: the Z term, kind stem" pyx stem <<'PY'
found = [t for i in range(len(res)) for t in res[i]["explain"]["terms"] if t["term"] == "Zpartnerskab"]
assert found and all(t["kind"] == "stem" for t in found), found
PY

# Pages and sorts: the same sums past the first page, and by date the factors are none.
check "explain=1 is 200 on the second page" explained page2 "innovation" -d offset=10 -d limit=10
check "the second page says the same of itself" pyx page2 <<'PY'
assert res[0]["rank"] == 11
PY
check "explain=1 is 200 sorted by date" explained bydate "innovation" -d sort=date
check "sorted by date: Xapian's weight is the score, no factors" python3 - "$TMP/bydate" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    x = r["explain"]
    assert x["factors"] == [] and abs(x["score"] - x["xapian_weight"]) < 1e-5, x
PY

# The page rule and the pool: a document's third passage is demoted (per_doc), and past
# the reranked candidates Xapian's weight is scaled (pool); the sums hold for both.
check "explain=1 is 200 for 30 results" explained many "innovation" -d limit=30
check "per_doc 0.7 on a document's third passage" pyx many <<'PY'
names = [{f["name"]: f["value"] for f in r["explain"]["factors"]} for r in res]
assert any(abs(n.get("per_doc", 0) - 0.7) < 1e-9 for n in names), names
PY
# ranks 41-50: the rerank orders 30 candidates for a page of 10 (search.c RANK_POOL)
check "explain=1 is 200 for ranks 41-50" explained pooled "innovation" -d offset=40 -d limit=10
check "past the candidates: the pool factor alone, below 1" pyx pooled <<'PY'
for r in res:
    names = {f["name"]: f["value"] for f in r["explain"]["factors"]}
    assert set(names) <= {"pool", "per_doc"} and 0 < names["pool"] < 1, (r["rank"], names)
PY

# Only what can weigh is listed: not a negated phrase's words the passage holds alone
# ("kommune" without "Københavns"), not a filter's terms.
check "explain=1 is 200 with a negated phrase" explained neg 'innovation -"københavns kommune"' -d limit=50
check "a negated phrase's words are not among the terms" pyx neg <<'PY'
assert any("ommune" in r["snippet"] for r in res), "no passage holds kommune: the check says nothing"
words = {t["word"] for r in res for t in r["explain"]["terms"]}
assert words == {"innovation"}, words
PY
check "explain=1 is 200 with a filter alone" explained filt "" -d type=svar -d limit=3
check "a filter alone: no weight, no parts, no terms" pyx filt <<'PY'
for r in res:
    x = r["explain"]
    assert x["xapian_weight"] == 0 and x["parts"] == [] and x["terms"] == [] and x["doclen"] > 0, x
PY

# A query answered as its correction ("Mente du") is explained as the correction.
check "explain=1 is 200 for a typo" explained typo "samarbjede"
check "the corrected query's terms are explained" pyx typo <<'PY'
assert d["corrected"] is True and d["suggestion"], (d["corrected"], d["suggestion"])
assert d["suggestion"] == "samarbejde", d["suggestion"]
assert all(any(t["word"] == "samarbejde" for t in r["explain"]["terms"]) for r in res), res[0]["explain"]
PY

# Without explain=1 there is no "explain" key, and nothing else changes.
s0=$(search plain "samarbejde innovation" -d limit=10)
s1=$(search zero "samarbejde innovation" -d limit=10 -d explain=0)
ok_if "$([ "$s0$s1" = 200200 ]; echo $?)" "explain absent and explain=0 are 200"
check "no explain key without explain=1; same ranks and scores as with it" python3 - "$TMP/plain" "$TMP/zero" "$TMP/two" <<'PY'
import json, sys
a, b, c = (json.load(open(p))["results"] for p in sys.argv[1:])
for res in (a, b):
    assert res and all("explain" not in r for r in res), res[0].keys()
key = lambda res: [(r["doc"]["id"], r["passage"]["ordinal"], r["score"]) for r in res]
assert key(a) == key(b) == key(c), (key(a), key(c))
PY

for bad in 2 yes -1 01 true; do
    code=$(search bad "innovation" -d "explain=$bad")
    check "explain=$bad is 400 bad_parameter" python3 - "$TMP/bad" "$code" <<'PY'
import json, sys
assert sys.argv[2] == "400", sys.argv[2]
e = json.load(open(sys.argv[1]))["error"]
assert e["code"] == "bad_parameter" and "explain" in e["message"], e
PY
done

# Under make SAN=1 (ARK_BIN=build-san/bin) the explain path runs under ASan and UBSan.
kill -TERM "$PID"; wait "$PID" 2>/dev/null; rc=$?; PID=
[ $rc = 0 ] && ok "SIGTERM: server exits 0" || not_ok "SIGTERM: server exits 0 (exit $rc)"
check "no sanitizer report in the server's stderr" bash -c "
    ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' '$TMP/server.log'"

echo "1..$n"
[ "$failed" = 0 ]
