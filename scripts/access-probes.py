#!/usr/bin/env python3
"""scripts/access-probes.py: do closed documents leak to anonymous requests?

Sends the same N anonymous probes to two servers: A serves an index of the public
documents alone, B the same documents plus closed (intern) ones. Every answer must be
byte-identical, timing fields aside: searches of the closed documents' words, their typos
and prefixes, suggestions, "Mente du", totals, facets, paging, sorting, filters, document
views (of closed ids too), the page, /health and /metrics. Prints one line of figures
and each difference (at most 10); exit 1 when any answer differs.

  access-probes.py --a http://127.0.0.1:PA --b http://127.0.0.1:PB --n 10000 WORD...
WORDs: the closed documents' distinctive words; --ids: their document ids."""
import argparse, json, random, re, sys, urllib.error, urllib.parse, urllib.request

COMMON = ["innovation", "samarbejde", "kommune", "udvalg", "budget", "svar", "borger",
          "klima", "skole", "projekt", "medarbejder", "personale", "sag", "notat", "fortrolig"]


def typos(w):
    out = set()
    for i in range(len(w)):
        out.add(w[:i] + w[i + 1:])                       # a letter left out
        if i + 1 < len(w):
            out.add(w[:i] + w[i + 1] + w[i] + w[i + 2:])  # two swapped
        out.add(w[:i] + "e" + w[i + 1:])                 # one replaced
    out.discard(w)
    return sorted(out)


def probes(words, ids, n, seed):
    rnd = random.Random(seed)
    terms = []
    for w in words:
        lw = w.lower()
        terms += [w, lw, lw.upper(), lw + "s", lw + "en", "personale" + lw, lw + "projektet"]
        terms += typos(lw)
    prefixes = [w.lower()[:k] for w in words for k in range(2, len(w) + 1)]
    q = lambda s: urllib.parse.quote(s)
    fixed = ["/health", "/", "/api/suggest?q=", "/opensearch.xml"]
    for i in ids:
        fixed += ["/api/doc/" + q(i), "/doc/" + q(i), "/api/search?doc=" + q(i)]
    for t in words:
        fixed += ["/api/search?q=type:notat+" + q(t), "/api/search?q=%22" + q(t) + "%22"]
    pool = []
    while len(fixed) + len(pool) < n:
        kind = rnd.randrange(9)
        t = rnd.choice(terms)
        c = rnd.choice(COMMON)
        if kind == 0:
            pool.append("/api/search?q=" + q(t))
        elif kind == 1:
            pool.append("/api/search?q=" + q(c + " " + t) + "&limit=%d" % rnd.choice([1, 5, 10, 20]))
        elif kind == 2:
            pool.append("/api/suggest?q=" + q(rnd.choice(prefixes)))
        elif kind == 3:
            pool.append("/api/search?q=" + q(c) + "&offset=%d&limit=10" % rnd.choice([0, 10, 20, 50]))
        elif kind == 4:
            pool.append("/api/search?q=" + q(c) + "&sort=date&limit=5")
        elif kind == 5:
            pool.append("/?q=" + q(rnd.choice([t, c, c + " " + t])))
        elif kind == 6:
            pool.append("/api/search?q=" + q(t + "*"))
        elif kind == 7:
            pool.append("/api/search?type=notat&q=" + q(rnd.choice([t, c])))
        else:
            pool.append("/api/search?q=" + q(c) + "&type=" + rnd.choice(["notat", "dokument", "svar"]))
    return fixed + pool


# Timing fields ("took_ms", the page's "0,4&nbsp;ms"), and the server's own address.
TIMING = re.compile(r'"took_ms":[0-9.eE+-]+|[0-9][0-9.,]*(?:&nbsp;| )ms\b')


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def metrics_view(body):
    # Counts that depend on the index; the request counters and latencies differ by run.
    keep = [l for l in body.splitlines() if re.match(r"arkivar_(index|documents|passages|revision)", l)]
    return "\n".join(keep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ids", default="")
    ap.add_argument("words", nargs="+")
    o = ap.parse_args()
    ids = [i for i in o.ids.split(",") if i]
    ps = probes(o.words, ids, o.n, o.seed) + ["/metrics"]
    diff = 0
    statuses = {}
    for p in ps:
        sa, ba = fetch(o.a, p)
        sb, bb = fetch(o.b, p)
        if p == "/metrics":
            ba, bb = metrics_view(ba), metrics_view(bb)
        ba = TIMING.sub("", ba).replace(o.a, "SERVER")
        bb = TIMING.sub("", bb).replace(o.b, "SERVER")
        statuses[sb] = statuses.get(sb, 0) + 1
        if sa != sb or ba != bb:
            diff += 1
            if diff <= 10:
                print("differs: %s\n  A %d %.300s\n  B %d %.300s" % (p, sa, ba, sb, bb))
    st = ", ".join("%d: %d" % kv for kv in sorted(statuses.items()))
    print("probes %d, answers that differ %d (statuses %s)" % (len(ps), diff, st))
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
