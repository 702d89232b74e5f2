#!/usr/bin/env bash
# tests/t_pdf.sh: PDF files through the indexer and the server (TAP).
# Owns: the PDF loader seen from outside: a 3-page fixture (tests/fixtures/pdf/, made by
# tests/mkpdf.py) is searchable with the page of each passage right; a truncated PDF, a
# text file named .pdf, an encrypted and a damaged PDF are each named on stderr with
# the reason, and the run goes on to exit 1; 5,001 pages are refused, 5,000 read.
# Why: page numbers are the point of reading PDFs; a page off by one sends a reader to
# the wrong page, and only a word that is on one page alone shows it.
# Needs curl, python3, pdftotext (poppler-utils) and qpdf. ARK_BIN: where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
FIX=$(dirname "$0")/fixtures/pdf/lokalplan.pdf
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 pdftotext qpdf "$SERVER" "$INDEXER"
if [ ! -f "$FIX" ]; then echo "not ok 1 - $FIX is missing (python3 tests/mkpdf.py)"; echo "1..1"; exit 1; fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_pdf.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

# ---- the fixture itself, read by another program (pdftotext) --------------------------
# page_has N WORD / page_lacks N WORD: pdftotext's text of page N holds WORD / does not.
page_has() { pdftotext -q -f "$1" -l "$1" "$FIX" - | grep -q "$2"; }
page_lacks() { ! page_has "$@"; }
check "fixture: page 1 holds Ærøvej (WinAnsi æøå)" page_has 1 "Ærøvej"
check "fixture: vandløb is on page 2 only" bash -c "$(declare -f page_has page_lacks); FIX='$FIX'
    page_has 2 vandløb && page_lacks 1 vandløb && page_lacks 3 vandløb"
check "fixture: skøjtebane is on page 3 only" bash -c "$(declare -f page_has page_lacks); FIX='$FIX'
    page_has 3 skøjtebane && page_lacks 1 skøjtebane && page_lacks 2 skøjtebane"
check "fixture: tests/mkpdf.py still writes it byte for byte" bash -c "
    python3 '$(dirname "$0")/mkpdf.py' '$TMP/regen' && cmp '$TMP/regen/lokalplan.pdf' '$FIX'"

# ---- a folder with one good PDF and four bad ones --------------------------------------
mkdir -p "$TMP/c"
cp "$FIX" "$TMP/c/lokalplan.pdf"
head -c 1200 "$FIX" >"$TMP/c/afkortet.pdf"
printf 'Bare en tekstfil med et forkert navn.\n' >"$TMP/c/tekst.pdf"
printf '%%PDF-1.4\nikke andet end st\xc3\xb8j\n%%%%EOF\n' >"$TMP/c/skadet.pdf"
qpdf --encrypt u o 256 -- "$FIX" "$TMP/c/krypteret.pdf"

"$INDEXER" --index "$TMP/idx" "$TMP/c" >"$TMP/indexer.out" 2>"$TMP/indexer.err"
rc=$?
if [ "$rc" = 1 ]; then ok "indexer exits 1 when files could not be read"; else
    not_ok "indexer exits 1 when files could not be read (exit $rc)"
    diag <"$TMP/indexer.err"
fi
# named FILE REASON: the indexer's stderr names FILE with REASON on one line.
named() { grep -F "$TMP/c/$1" "$TMP/indexer.err" | grep -qF "$2" || { cat "$TMP/indexer.err"; return 1; }; }
check "truncated PDF named: no %%EOF" named afkortet.pdf "truncated PDF (no %%EOF"
check "text file named .pdf: not named, read as text" bash -c "! grep -qF '$TMP/c/tekst.pdf' '$TMP/indexer.err'"
check "encrypted PDF named with poppler's reason" named krypteret.pdf "cannot read the PDF: Document is encrypted"
check "damaged PDF named with poppler's reason" named skadet.pdf "cannot read the PDF: "
check "the good PDF and the text are indexed, the run went on" grep -q "2 files indexed, 0 unchanged, 0 removed, 3 failed" "$TMP/indexer.err"
check "only the bad files are named" bash -c "[ \$(grep -c '$TMP/c/' '$TMP/indexer.err') = 3 ]"

# ---- the page limit: 5,000 pages are read, 5,001 refused ----------------------------------
mkdir -p "$TMP/big" "$TMP/limit"
python3 "$(dirname "$0")/mkpdf.py" --pages 5001 "$TMP/big/mange.pdf"
python3 "$(dirname "$0")/mkpdf.py" --pages 5000 "$TMP/limit/grænse.pdf"
check "5,001 pages: refused by name with the limit, exit 1" bash -c "
    '$INDEXER' --quiet --index '$TMP/idx-big' '$TMP/big' 2>'$TMP/big.err'; rc=\$?
    cat '$TMP/big.err'; [ \$rc = 1 ] && grep -qF '$TMP/big/mange.pdf: 5001 pages, the limit is 5000' '$TMP/big.err'"
check "5,000 pages: indexed, exit 0" "$INDEXER" --quiet --index "$TMP/idx-limit" "$TMP/limit"

# ---- searched through the server --------------------------------------------------------
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
if start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2; then ok "server starts"; else
    not_ok "server starts"
    diag <"$TMP/server.log"
    echo "1..$n"
    exit 1
fi

# hit WORD PAGE: /api/search?q=WORD finds lokalplan.pdf first, in a passage on PAGE whose
# snippet holds WORD, and only that passage.
hit() {
    curl -sf -G "$BASE/api/search" --data-urlencode "q=$1" | python3 -c '
import json, sys
word, page = sys.argv[1], int(sys.argv[2])
r = json.load(sys.stdin)
assert r["total"] == 1, r
h = r["results"][0]
assert h["doc"]["id"] == "lokalplan.pdf", h["doc"]
assert h["passage"]["page"] == page, (h["passage"], page)
assert word.lower() in h["snippet"].lower(), h["snippet"]
' "$1" "$2"
}
check "vandløb (only on page 2): passage.page 2" hit vandløb 2
check "skøjtebane (only on page 3): passage.page 3" hit skøjtebane 3
check "ærøvej, Danish letters folded: passage.page 1" hit ærøvej 1
check "title from the PDF's metadata" bash -c "curl -sf -G '$BASE/api/search' --data-urlencode q=skøjtebane |
    python3 -c 'import json,sys; t=json.load(sys.stdin)[\"results\"][0][\"doc\"][\"title\"]; assert t == \"Lokalplan 12 for Ærøvej\", t'"

# The document view: the extracted text, page by page, offsets into that text in order.
check "/api/doc/lokalplan.pdf shows the text with pages 1, 2, 3" bash -c "curl -sf '$BASE/api/doc/lokalplan.pdf' | python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = d[\"passages\"]
text = \" \".join(p[\"text\"] for p in ps)
for w in (\"Ærøvej\", \"vandløb\", \"skøjtebane\", \"Økonomien\"):
    assert w in text, (w, text)
assert sorted({p[\"page\"] for p in ps}) == [1, 2, 3], ps
pages = [p[\"page\"] for p in ps]
assert pages == sorted(pages), pages
for a, b in zip(ps, ps[1:]):
    assert a[\"start\"] < a[\"end\"] <= b[\"start\"] < b[\"end\"], (a, b)
assert ps[-1][\"end\"] <= d[\"doc\"][\"bytes\"], (ps[-1], d[\"doc\"])
'"

check "/api/doc/tekst.pdf: format text, its one line" bash -c "curl -sf '$BASE/api/doc/tekst.pdf' | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"doc\"][\"format\"] == \"text\", d[\"doc\"]
assert [p[\"text\"] for p in d[\"passages\"]] == [\"Bare en tekstfil med et forkert navn.\"], d
'"

# SIGTERM, so LeakSanitizer reports in the sanitizer build.
kill -TERM "$PID"
wait "$PID" 2>/dev/null
check "server stops cleanly, no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$TMP/server.log' '$TMP/indexer.err' '$TMP/big.err'"
PID=

echo "1..$n"
[ "$failed" -eq 0 ]
