#!/usr/bin/python3
"""Relevance scores of a running arkivar-server against tests/relevance/queries.tsv.

    /usr/bin/python3 tests/relevance/score.py --server http://127.0.0.1:PORT
        [--queries FILE] [--corpus DIR] [--baseline] [--floor FILE] [--show] [--markdown]
        [--summary FILE]

For every judged query it asks the server for the top 10 (GET /api/search?q=...&limit=10) and
grades each result by its passage: the passage text (GET /api/doc/ID, fetched once per document,
matched on passage.ordinal) is relevant with grade g when it contains the quote of a judgment
g:doc_id:quote for that document (whitespace collapsed on both sides, case-sensitive).

Measures, per query, then averaged per kind and over all queries:
  nDCG@10   graded gain (the grade itself, 1 or 2) with the standard 1/log2(rank+1) discount,
            divided by the DCG of the ideal ranking of all judged passages (grades sorted);
  MRR       1/rank of the first result with grade >= 1 (0 when none is in the top 10);
  Recall@10 judged passages found in the top 10 / judged passages.
A judged passage is credited once, however often it is returned.
The table also gives, per kind, "max2/doc": the best nDCG@10 any ranking can reach that shows at
most two passages of a document (arkivar-server's collapse), to tell collapse losses from ranking.

--baseline  also runs the same queries on plain Xapian: a temporary index of the same passages
            (one Xapian document per passage, taken from /api/doc/ID for every file in --corpus),
            TermGenerator + Stem("danish") + STEM_SOME with positions, QueryParser (danish,
            STEM_SOME, default OR, FLAG_DEFAULT|PHRASE|BOOLEAN|LOVEHATE|WILDCARD), BM25, top 10.
            Field filters (type:, dato:, sag:, udvalg:, doc:) cannot be expressed there; the
            baseline gets every query text as it is. Needs the xapian module (python3-xapian),
            which Debian's /usr/bin/python3 has.
--floor F   TSV "kind<TAB>min_ndcg" (kind "all" for the overall mean); exit status 1, naming the
            kind, when Arkivar's nDCG@10 for a kind is below its floor.
--show      per-query detail: the ranked results with their grades, and the judged passages missed.
--markdown  print the table as markdown as well.
--summary F write "kind<TAB>n<TAB>ndcg<TAB>mrr<TAB>recall[<TAB>base_ndcg<TAB>base_mrr<TAB>base_recall]"
            lines (kind "all" last) for scripts such as tests/t_relevance.sh.
Exit status: 0 fine, 1 a floor is not met, 2 usage, server or data error.
"""

import argparse
import json
import math
import os
import re
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

KINDS = ["plain", "inflection", "compound", "folding", "acronym", "phrase", "question",
         "misspelling", "syntax", "apostrophe", "unknown", "number", "filter", "lemma", "unitname"]
K = 10
HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    print("score.py: " + msg, file=sys.stderr)
    sys.exit(2)


def ws(s):
    return re.sub(r"\s+", " ", s).strip()


# ---- judgments ---------------------------------------------------------------------------

class Judgment:
    __slots__ = ("grade", "doc", "quote")

    def __init__(self, grade, doc, quote):
        self.grade, self.doc, self.quote = grade, doc, quote


def load_queries(path):
    queries = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) < 3:
                die("%s:%d: need kind, query and at least one judgment" % (path, lineno))
            kind, query = cells[0].strip(), cells[1]
            judgments = []
            for cell in cells[2:]:
                parts = cell.split(":", 2)
                if len(parts) != 3 or parts[0] not in ("1", "2") or not parts[2].strip():
                    die("%s:%d: bad judgment %r (want grade:doc_id:quote)" % (path, lineno, cell))
                judgments.append(Judgment(int(parts[0]), parts[1], ws(parts[2])))
            queries.append({"kind": kind, "query": query, "judgments": judgments, "line": lineno})
    return queries


# ---- server ------------------------------------------------------------------------------

class Server:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.docs = {}   # doc id -> {ordinal: text}

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")[:200]
            raise RuntimeError("%s: HTTP %d %s" % (path, e.code, body))
        except (urllib.error.URLError, OSError) as e:
            die("cannot reach %s%s: %s" % (self.base, path, e))

    def passages(self, doc_id):
        if doc_id not in self.docs:
            # the view comes in pages of passages: follow next to the last
            got, nxt = {}, 0
            while nxt is not None:
                d = self.get("/api/doc/%s?count=200&from=%d" % (urllib.parse.quote(doc_id, safe=""), nxt))
                got.update({p["ordinal"]: ws(p.get("text") or "") for p in d["passages"]})
                nxt = d.get("next")
            self.docs[doc_id] = got
        return self.docs[doc_id]

    def search(self, query):
        """Top K as [(doc_id, ordinal, passage_text)]; an HTTP error gives an empty list."""
        try:
            d = self.get("/api/search?" + urllib.parse.urlencode({"q": query, "limit": K}))
        except RuntimeError as e:
            print("score.py: warning: %s" % e, file=sys.stderr)
            return []
        out = []
        for r in d.get("results", [])[:K]:
            doc_id, ordinal = r["doc"]["id"], r["passage"]["ordinal"]
            out.append((doc_id, ordinal, self.passages(doc_id).get(ordinal, "")))
        return out


# ---- plain Xapian baseline ---------------------------------------------------------------

class Baseline:
    def __init__(self, server, doc_ids):
        try:
            import xapian
        except ImportError:
            die("--baseline needs the xapian module: run with /usr/bin/python3 "
                "(Debian package python3-xapian), not %s" % sys.executable)
        self.xapian = xapian
        self.tmp = tempfile.mkdtemp(prefix="arkivar-baseline.")
        db = xapian.WritableDatabase(os.path.join(self.tmp, "db"), xapian.DB_CREATE_OR_OVERWRITE)
        tg = xapian.TermGenerator()
        tg.set_stemmer(xapian.Stem("danish"))
        tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        n = 0
        for doc_id in doc_ids:
            for ordinal, text in sorted(server.passages(doc_id).items()):
                doc = xapian.Document()
                tg.set_document(doc)
                tg.index_text(text)          # with positions, for phrases
                doc.set_data("%s\t%d" % (doc_id, ordinal))
                db.add_document(doc)
                n += 1
        db.commit()
        db.close()
        self.db = xapian.Database(os.path.join(self.tmp, "db"))
        self.server = server
        self.passages = n
        qp = xapian.QueryParser()
        qp.set_stemmer(xapian.Stem("danish"))
        qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        qp.set_default_op(xapian.Query.OP_OR)
        qp.set_database(self.db)
        self.qp = qp
        self.flags = (xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_PHRASE |
                      xapian.QueryParser.FLAG_BOOLEAN | xapian.QueryParser.FLAG_LOVEHATE |
                      xapian.QueryParser.FLAG_WILDCARD)

    def search(self, query):
        xapian = self.xapian
        try:
            q = self.qp.parse_query(query, self.flags)
        except xapian.QueryParserError:
            q = self.qp.parse_query(query, 0)
        enq = xapian.Enquire(self.db)
        enq.set_query(q)             # BM25Weight is the default
        out = []
        for m in enq.get_mset(0, K):
            doc_id, ordinal = m.document.get_data().decode("utf-8").split("\t")
            ordinal = int(ordinal)
            out.append((doc_id, ordinal, self.server.passages(doc_id).get(ordinal, "")))
        return out

    def close(self):
        self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- measures ----------------------------------------------------------------------------

def grade_results(results, judgments):
    """Grades of the ranked results (each judged passage credited once) and the judgments found."""
    found = set()
    grades = []
    for doc_id, _ordinal, text in results:
        g = 0
        for i, j in enumerate(judgments):
            if i not in found and j.doc == doc_id and j.quote in text:
                g = max(g, j.grade)
                found.add(i)
        grades.append(g)
    return grades, found


def measures(grades, judgments, found):
    dcg = sum(g / math.log2(r + 2) for r, g in enumerate(grades[:K]))
    ideal = sorted((j.grade for j in judgments), reverse=True)[:K]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    ndcg = dcg / idcg if idcg else 0.0
    mrr = next((1.0 / (r + 1) for r, g in enumerate(grades[:K]) if g >= 1), 0.0)
    recall = len(found) / len(judgments) if judgments else 0.0
    return ndcg, mrr, recall


def ceiling(judgments, per_doc):
    """Best nDCG@10 a ranking showing at most per_doc passages of a document can reach."""
    ideal = sorted((j.grade for j in judgments), reverse=True)[:K]
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    bydoc = {}
    for j in judgments:
        bydoc.setdefault(j.doc, []).append(j.grade)
    capped = sorted((g for gs in bydoc.values() for g in sorted(gs, reverse=True)[:per_doc]),
                    reverse=True)[:K]
    return sum(g / math.log2(r + 2) for r, g in enumerate(capped)) / idcg if idcg else 0.0


def evaluate(engine, queries):
    rows = []
    for q in queries:
        results = engine.search(q["query"])
        grades, found = grade_results(results, q["judgments"])
        ndcg, mrr, recall = measures(grades, q["judgments"], found)
        rows.append({"q": q, "results": results, "grades": grades, "found": found,
                     "ndcg": ndcg, "mrr": mrr, "recall": recall})
    return rows


def aggregate(rows):
    """{kind: (n, ndcg, mrr, recall)} with "all" over every query."""
    out = {}
    kinds = [k for k in KINDS if any(r["q"]["kind"] == k for r in rows)]
    kinds += sorted({r["q"]["kind"] for r in rows} - set(kinds))
    for kind in kinds + ["all"]:
        rs = [r for r in rows if kind == "all" or r["q"]["kind"] == kind]
        n = len(rs)
        out[kind] = (n, sum(r["ndcg"] for r in rs) / n, sum(r["mrr"] for r in rs) / n,
                     sum(r["recall"] for r in rs) / n)
    return out


def ceilings(queries, per_doc):
    out = {}
    for kind in list(dict.fromkeys(q["kind"] for q in queries)) + ["all"]:
        qs = [q for q in queries if kind == "all" or q["kind"] == kind]
        out[kind] = sum(ceiling(q["judgments"], per_doc) for q in qs) / len(qs)
    return out


# ---- output ------------------------------------------------------------------------------

def print_table(ark, base, ceil, markdown):
    if markdown:
        if base:
            print("| kind | n | nDCG@10 Arkivar | nDCG@10 Xapian | MRR Arkivar | MRR Xapian "
                  "| Recall@10 Arkivar | Recall@10 Xapian | nDCG@10 max at 2/doc |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        else:
            print("| kind | n | nDCG@10 | MRR | Recall@10 | nDCG@10 max at 2/doc |")
            print("|---|---:|---:|---:|---:|---:|")
        for kind, (n, nd, mr, rc) in ark.items():
            name = "**all**" if kind == "all" else kind
            if base:
                _, bnd, bmr, brc = base[kind]
                print("| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |"
                      % (name, n, nd, bnd, mr, bmr, rc, brc, ceil[kind]))
            else:
                print("| %s | %d | %.3f | %.3f | %.3f | %.3f |" % (name, n, nd, mr, rc, ceil[kind]))
        return
    if base:
        print("%-12s %3s  %-35s  %-26s" % ("", "", "Arkivar", "plain Xapian"))
        print("%-12s %3s  %8s %8s %8s %8s  %8s %8s %8s" %
              ("kind", "n", "nDCG@10", "MRR", "R@10", "max2/doc", "nDCG@10", "MRR", "R@10"))
    else:
        print("%-12s %3s  %8s %8s %8s %8s" % ("kind", "n", "nDCG@10", "MRR", "R@10", "max2/doc"))
    for kind, (n, nd, mr, rc) in ark.items():
        if kind == "all":
            print("-" * (79 if base else 51))
        line = "%-12s %3d  %8.3f %8.3f %8.3f %8.3f" % (kind, n, nd, mr, rc, ceil[kind])
        if base:
            _, bnd, bmr, brc = base[kind]
            mark = "  <" if nd < bnd - 1e-9 else ""
            line += "  %8.3f %8.3f %8.3f%s" % (bnd, bmr, brc, mark)
        print(line)
    print("(max2/doc: the best nDCG@10 a ranking can reach that shows at most two passages of a"
          " document, as arkivar-server does)")
    if base and any(ark[k][1] < base[k][1] - 1e-9 for k in ark):
        print("('<': Arkivar's nDCG@10 is below plain Xapian's on this kind)")


def show(rows, base_rows):
    for i, r in enumerate(rows):
        q = r["q"]
        print("\n[%s] %s   nDCG %.3f  MRR %.3f  R %.3f" %
              (q["kind"], q["query"], r["ndcg"], r["mrr"], r["recall"]), end="")
        if base_rows:
            b = base_rows[i]
            print("   | Xapian nDCG %.3f  MRR %.3f  R %.3f" % (b["ndcg"], b["mrr"], b["recall"]), end="")
        print()
        for rank, ((doc_id, ordinal, text), g) in enumerate(zip(r["results"], r["grades"]), 1):
            print("  %2d. g=%d %s#%d  %s" % (rank, g, doc_id[:3], ordinal, text[:90]))
        if not r["results"]:
            print("  (no results)")
        for k, j in enumerate(q["judgments"]):
            if k not in r["found"]:
                print("  missed g=%d %s: %s" % (j.grade, j.doc[:3], j.quote))
        if base_rows:
            b = base_rows[i]
            print("  plain Xapian:")
            for rank, ((doc_id, ordinal, text), g) in enumerate(zip(b["results"], b["grades"]), 1):
                print("  %2d. g=%d %s#%d  %s" % (rank, g, doc_id[:3], ordinal, text[:90]))


def check_floor(path, ark):
    failed = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            kind, floor = line.split("\t")[:2]
            floor = float(floor)
            if kind not in ark:
                failed.append("%s: no queries of this kind" % kind)
            elif ark[kind][1] < floor:
                failed.append("%s: nDCG@10 %.3f < floor %.3f" % (kind, ark[kind][1], floor))
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True, help="base URL, e.g. http://127.0.0.1:8080")
    ap.add_argument("--queries", default=os.path.join(HERE, "queries.tsv"))
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "corpus"),
                    help="the indexed folder; its file names are the baseline's documents")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--floor")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--summary")
    a = ap.parse_args()

    queries = load_queries(a.queries)
    if not queries:
        die("no queries in " + a.queries)
    server = Server(a.server)

    # Every judged quote must name exactly one passage of its document, or the test set is stale.
    errors = []
    for q in queries:
        for j in q["judgments"]:
            try:
                hits = [o for o, t in server.passages(j.doc).items() if j.quote in t]
            except RuntimeError as e:
                errors.append("line %d: %s" % (q["line"], e))
                continue
            if len(hits) != 1:
                errors.append("line %d (%s): quote %r matches %d passages of %s"
                              % (q["line"], q["query"], j.quote, len(hits), j.doc))
    if errors:
        die("judgments do not fit the index:\n  " + "\n  ".join(errors))

    rows = evaluate(server, queries)
    ark = aggregate(rows)
    base_rows, base = None, None
    if a.baseline:
        doc_ids = sorted(f for f in os.listdir(a.corpus)
                         if os.path.isfile(os.path.join(a.corpus, f)) and not f.startswith("."))
        bl = Baseline(server, doc_ids)
        try:
            base_rows = evaluate(bl, queries)
        finally:
            bl.close()
        base = aggregate(base_rows)

    if a.show:
        show(rows, base_rows)
        print()
    ceil = ceilings(queries, 2)
    print_table(ark, base, ceil, False)
    if a.markdown:
        print()
        print_table(ark, base, ceil, True)

    if a.summary:
        with open(a.summary, "w", encoding="utf-8") as f:
            for kind, (n, nd, mr, rc) in ark.items():
                cells = [kind, str(n), "%.3f" % nd, "%.3f" % mr, "%.3f" % rc]
                if base:
                    cells += ["%.3f" % x for x in base[kind][1:]]
                f.write("\t".join(cells) + "\n")

    if a.floor:
        failed = check_floor(a.floor, ark)
        if failed:
            print("\nbelow floor (%s):" % a.floor)
            for f in failed:
                print("  " + f)
            sys.exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
