#!/usr/bin/python3
"""tests/same_answers.py BASE_A BASE_B QUERIES: do two servers give the same answers?

For every line of QUERIES, /api/search on both (limit 10, and a second page), compared
whole but for what differs by nature (took_ms, the shards object): the passages, their
order and scores' order, totals, facets, doc_matches, highlights, "Mente du". Ties may be broken otherwise,
and prefix queries' scores may differ (see answer). Prints "N of M differ" and the first differences; exit 1 when any differs.
Why a script: 200 queries through curl and a JSON parser each took half a minute."""
import json
import sys
import urllib.parse
import urllib.request


def answer(base, q, extra):
    url = base + "/api/search?" + urllib.parse.urlencode({"q": q, **extra})
    with urllib.request.urlopen(url, timeout=30) as r:
        d = json.load(r)
    for k in ("took_ms", "shards"):
        d.pop(k, None)
    res = d.get("results", [])
    for r in res:
        r.pop("rank", None)
    # Equal scores are a tie, which Xapian breaks by docid, and a sharded index numbers
    # its documents otherwise: within a tie, passages in (document, ordinal) order.
    key = lambda r: (-r.get("score", 0), r["doc"]["id"], r["passage"]["ordinal"])
    if "sort" not in extra:
        res.sort(key=key)
    if "*" in q:
        # Xapian 1.4 estimates an OP_SYNONYM's frequency (a prefix's expansion) in each
        # shard apart, so its weights differ by a few per cent: the same passages, the
        # same totals and facets, their scores not compared.
        for r in res:
            r.pop("score", None)
        res.sort(key=lambda r: (r["doc"]["id"], r["passage"]["ordinal"]))
    return d


def main():
    a, b, path = sys.argv[1:4]
    queries = [l.strip() for l in open(path, encoding="utf-8") if l.strip()]
    differ = 0
    n = 0
    for q in queries:
        for extra in ({"limit": "10"}, {"limit": "5", "offset": "5", "sort": "date"}):
            n += 1
            x, y = answer(a, q, extra), answer(b, q, extra)
            if x != y:
                differ += 1
                if differ <= int(__import__("os").environ.get("SHOW", "3")):
                    print("# differs: %r %r" % (q, extra))
                    xs, ys = json.dumps(x, sort_keys=True), json.dumps(y, sort_keys=True)
                    i = next((i for i in range(min(len(xs), len(ys))) if xs[i] != ys[i]), 0)
                    print("#  A: ..." + xs[max(0, i - 120):i + 120])
                    print("#  B: ..." + ys[max(0, i - 120):i + 120])
    print("# %d of %d answers differ" % (differ, n))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
