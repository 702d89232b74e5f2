#!/usr/bin/env bash
# tests/t_office.sh: DOCX and ODT through the indexer and the server, and files that are
# not what their names say (TAP).
# Owns: the DOCX/ODT loader seen from outside: the fixtures (tests/fixtures/office/, made
# by scripts/mk-office-fixtures.sh with LibreOffice from two corpus documents) give the
# same passages, under the same headings, as their .txt; headings come from the styles
# (also through styles.xml alone, and from a Danish style id alone); the title from
# dc:title; /api/doc says the format. A PDF named .docx is read as PDF, a text named .pdf
# as text. Hostile files (truncated, a zip bomb, one that lies about its size, invalid
# XML, a DTD, deep nesting, too many entries, an encrypted document, a spreadsheet, noise
# named .pdf, a 100 MB page) are each named on stderr with the reason while the rest is
# indexed (exit 1), in bounded time; a table of 10,000 columns is read, bounded.
# Why: case records come as Word files, misnamed and damaged as often as not; headings
# are what a reader needs to place a passage, and here they are the author's own.
# Needs curl, python3 and timeout. ARK_BIN: where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
FIX=$(dirname "$0")/fixtures/office
PDFFIX=$(dirname "$0")/fixtures/pdf/lokalplan.pdf
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 timeout "$SERVER" "$INDEXER"
for f in svar.txt svar.docx svar.odt svar.pdf orientering.txt orientering.docx orientering.odt \
    orientering.pdf; do
    if [ ! -f "$FIX/$f" ]; then echo "not ok 1 - $FIX/$f is missing (scripts/mk-office-fixtures.sh)"; echo "1..1"; exit 1; fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/t_office.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

# ---- the fixtures themselves, read by Python's zipfile, not by our loader --------------
check "fixture: svar.docx's headings are paragraph styles (Heading2-4), no '#' in its text" python3 -c '
import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read("word/document.xml").decode()
styles = set(re.findall(r"<w:pStyle w:val=\"(Heading\d)\"", x))
assert styles == {"Heading2", "Heading3", "Heading4"}, styles
assert not re.search(r"<w:t[^>]*>#", x), "a heading written as text"' "$FIX/svar.docx"
check "fixture: orientering.odt's headings are text:h with outline levels 1 and 2" python3 -c '
import re, sys, zipfile
x = zipfile.ZipFile(sys.argv[1]).read("content.xml").decode()
assert set(re.findall(r"<text:h [^>]*text:outline-level=\"(\d)\"", x)) == {"1", "2"}, x[:300]' \
    "$FIX/orientering.odt"
check "fixture: orientering.docx carries a dc:title, svar.docx an empty one" python3 -c '
import re, sys, zipfile
t = lambda f: re.search(r"<dc:title>(.*?)</dc:title>|<dc:title/>", zipfile.ZipFile(f).read("docProps/core.xml").decode())
assert t(sys.argv[1]).group(1).startswith("Orientering om TECH"), t(sys.argv[1])
assert not t(sys.argv[2]).group(1), t(sys.argv[2])' "$FIX/orientering.docx" "$FIX/svar.docx"

# ---- one folder: the fixtures, variants made from them, misnamed and hostile files -------
mkdir -p "$T/c"
for f in svar.txt svar.docx svar.odt svar.pdf orientering.txt orientering.docx orientering.odt \
    orientering.pdf; do cp "$FIX/$f" "$T/c/$f"; done
cp "$PDFFIX" "$T/c/plan.docx"
printf 'Bare en tekstfil med et forkert navn om vejbump.\n' >"$T/c/tekst.pdf"
head -c 2000 "$FIX/svar.docx" >"$T/c/afkortet.docx"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' >"$T/c/krypteret.docx"
head -c 8000 /dev/urandom >>"$T/c/krypteret.docx"
{ printf 'x'; head -c 6000 /dev/urandom; } >"$T/c/stoej.pdf"
cat >"$T/mk.py" <<'PY'
import re, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
def doc(body): return '<?xml version="1.0"?><w:document %s><w:body>%s</w:body></w:document>' % (W, body)
def docx(name, document=None, extra=()):
    with zipfile.ZipFile("%s/%s" % (out, name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        if document is not None: z.writestr("word/document.xml", document)
        for k, v in extra: z.writestr(k, v)
def rewrite(name, fn, drop=()):
    """A copy of the fixture with each XML part passed through fn, parts in drop left out."""
    with zipfile.ZipFile(src) as a, zipfile.ZipFile("%s/%s" % (out, name), "w", zipfile.ZIP_DEFLATED) as b:
        for i in a.infolist():
            if i.filename in drop: continue
            d = a.read(i)
            b.writestr(i, fn(d.decode()).encode() if i.filename.endswith(".xml") else d)
# Style ids that say nothing ("S2"): only styles.xml's names ("Heading 2") make them headings.
rewrite("svar-ids.docx", lambda x: re.sub(r'(w:(?:styleId|val))="Heading(\d)"', r'\1="S\2"', x))
# Danish Word's ids, and no styles.xml at all: the id alone says it.
rewrite("svar-da.docx", lambda x: re.sub(r'"Heading(\d)"', r'"Overskrift\1"', x), drop=("word/styles.xml",))
# 10,000 columns, the word in the last one; empty cells in between cost nothing.
docx("kolonner.docx", doc("<w:tbl><w:tr>" + "".join(
    "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>" % ("kolonne%d" % i if i % 7 == 0 or i == 9999 else "")
    for i in range(10000)) + "</w:tr></w:tbl>"))
docx("ugyldig.docx", doc("<w:p><w:r><w:t>Ikke lukket</w:r></w:p>"))
docx("dyb.docx", doc("<w:p>" * 50000 + "</w:p>" * 50000))
docx("dtd.docx", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document %s><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p>'
     '</w:body></w:document>' % W)
docx("mangler.docx", None, [("word/styles.xml", "<w:styles %s/>" % W)])
# A zip bomb: 200 MB of spaces inside the body, about 200 KB on disk.
with zipfile.ZipFile("%s/bombe.docx" % out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    with z.open("word/document.xml", "w", force_zip64=True) as f:
        f.write(doc("<w:p><w:r><w:t>").encode())
        for _ in range(200): f.write(b" " * (1 << 20))
        f.write(b"</w:t></w:r></w:p></w:body></w:document>")
# 50 MB of spaces (under the file limit) whose headers say 1,000 bytes.
with zipfile.ZipFile("%s/loegner.docx" % out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("word/document.xml", doc("<w:p><w:r><w:t>" + " " * (50 << 20) + "</w:t></w:r></w:p>"))
b = bytearray(open("%s/loegner.docx" % out, "rb").read())
cd = b.rfind(b"PK\x01\x02")
b[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
lh = int.from_bytes(b[cd + 42:cd + 46], "little")
b[lh + 22:lh + 26] = (1000).to_bytes(4, "little")
open("%s/loegner.docx" % out, "wb").write(b)
with zipfile.ZipFile("%s/mange.docx" % out, "w") as z:
    for i in range(20000): z.writestr("word/media/e%d" % i, b"")
with zipfile.ZipFile("%s/regneark.odt" % out, "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", "<x/>")
PY
python3 "$T/mk.py" "$FIX/svar.docx" "$T/c"
ok_if $? "hostile and variant files written"
# A 100 MB page, in a folder of its own to time its refusal.
mkdir -p "$T/big"
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("<html><body>")
    for i in range(1 << 21): f.write("<p>Afsnit %07d om vandforsyning og kloak.</p>\n" % i)
    f.write("</body></html>")' "$T/big/stor.html"
size=$(stat -c %s "$T/big/stor.html")
[ "$size" -gt 100000000 ]; ok_if $? "the page is over 100 MB ($size bytes)"
start=$(date +%s)
timeout 300 "$INDEXER" --index "$T/i" "$T/c" >"$T/out" 2>"$T/err"
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc = 1 ]; then ok "indexer exits 1 when files could not be read ($secs s)"; else
    not_ok "indexer exits 1 when files could not be read (exit $rc, $secs s)"
    diag <"$T/err"
fi
# named FILE REASON: the indexer's stderr names FILE with REASON on one line.
named() { grep -F "$T/c/$1" "$T/err" | grep -qF "$2" || { cat "$T/err"; return 1; }; }
check "truncated DOCX: libzip's reason" named afkortet.docx "cannot read the zip (truncated or damaged?): "
check "zip bomb: refused by its declared size" named bombe.docx "word/document.xml inflates to 209715"
check "an entry inflating past its declared size: refused" named loegner.docx "inflates to more than the 1000 bytes it declares"
check "invalid XML: libxml2's reason" named ugyldig.docx "word/document.xml is not well-formed XML (line 1: "
check "nesting past 256: libxml2's depth limit" named dyb.docx "Excessive depth in document: 256"
check "a DTD (billion laughs): refused" named dtd.docx "carries a DTD"
check "no word/document.xml: named" named mangler.docx "neither a Word document (no word/document.xml)"
check "20,000 zip entries: over the limit" named mange.docx "20000 entries in the zip, the limit is 10000"
check "an encrypted DOCX (OLE compound file): named" named krypteret.docx "encrypted or old binary Word (.doc) file"
check "an OpenDocument spreadsheet: not a text" named regneark.odt "OpenDocument file of type application/vnd.oasis.opendocument.spreadsheet"
check "noise named .pdf: neither PDF nor text" named stoej.pdf "not a PDF (it does not start with %PDF-), nor text"
check "the rest is indexed, the bad ones counted" grep -q "13 files indexed, 0 unchanged, 0 removed, 11 failed" "$T/err"
check "only the bad files are named" bash -c "[ \$(grep -c '$T/c/' '$T/err') = 11 ]"

start=$(date +%s)
timeout 60 "$INDEXER" --quiet --index "$T/i-big" "$T/big" 2>"$T/big.err"
rc=$?
secs=$(( $(date +%s) - start ))
grep -qF "$T/big/stor.html: $size bytes, the limit is 67108864" "$T/big.err" && [ $rc = 1 ] && [ $secs -le 5 ]
ok_if $? "a 100 MB page: refused by the file limit in $secs s (exit $rc)"

# ---- searched through the server --------------------------------------------------------
PORT=$(free_port)
S=http://127.0.0.1:$PORT
if start_server "$PORT" "$T/s.log" --index "$T/i" --threads 2; then ok "server starts"; else
    not_ok "server starts"
    diag <"$T/s.log"
    echo "1..$n"
    exit 1
fi
for id in svar.txt svar.docx svar.odt svar-ids.docx svar-da.docx svar.pdf orientering.txt \
    orientering.docx orientering.odt plan.docx tekst.pdf kolonner.docx; do
    curl -sf "$S/api/doc/$id?count=200" >"$T/$id.json" || echo "{}" >"$T/$id.json"
done
# same A B: the documents' passages, (heading, text with white space as one space), agree.
same() {
    python3 - "$T/$1.json" "$T/$2.json" <<'PY'
import json, sys
def ps(f):
    d = json.load(open(f))
    return [(p["heading"], " ".join(p["text"].split())) for p in d["passages"]]
a, b = ps(sys.argv[1]), ps(sys.argv[2])
assert a and a == b, "\n".join(map(repr, [x for x in zip(a, b) if x[0] != x[1]][:3] or (len(a), len(b))))
PY
}
check "svar.docx: the passages and headings of svar.txt" same svar.txt svar.docx
check "svar.odt: the passages and headings of svar.txt" same svar.txt svar.odt
check "style ids that say nothing: headings through styles.xml's names" same svar.txt svar-ids.docx
check "Danish style ids (Overskrift2), no styles.xml: headings by the id" same svar.txt svar-da.docx
check "orientering.docx: the passages and headings of orientering.txt" same orientering.txt orientering.docx
check "orientering.odt: the passages and headings of orientering.txt" same orientering.txt orientering.odt
check "headings from the styles are the passages' headings" python3 -c '
import json, sys
hs = lambda f: {p["heading"] for p in json.load(open(f))["passages"]}
assert {"Spørgsmål", "Ad 1: Hvordan er innovationsansvar og innovationsledelse organisatorisk placeret i Københavns Kommune i dag?"} <= hs(sys.argv[1]), hs(sys.argv[1])
assert {"Resumé", "Sagsfremstilling"} <= hs(sys.argv[2]), hs(sys.argv[2])' "$T/svar.docx.json" "$T/orientering.odt.json"

# top ID Q: the text of the best passage of document ID for query Q.
top() { curl -sf -G "$S/api/search" --data-urlencode "q=$2" --data-urlencode "doc=$1" |
    json_field '" ".join(d["results"][0]["snippet"].split()) if d["results"] else None'; }
all=1
for q in innovationsansvar beslutningsmandat leverandørsamarbejde '"Copenhagen Solutions Lab"'; do
    want=$(top svar.txt "$q")
    [ "$want" != null ] || all=0
    for id in svar.docx svar.odt; do [ "$(top $id "$q")" = "$want" ] || { all=0; echo "# $id: $q"; }; done
done
for q in aflæggerbordet kapabiliteter '"formaliserede partnerskaber"'; do
    want=$(top orientering.txt "$q")
    [ "$want" != null ] || all=0
    for id in orientering.docx orientering.odt; do [ "$(top $id "$q")" = "$want" ] || { all=0; echo "# $id: $q"; }; done
done
[ $all = 1 ]; ok_if $? "the same queries find the same passages in the .txt, .docx and .odt"
check "the PDF made from the same text is found too, on page 1" bash -c "curl -sf -G '$S/api/search' --data-urlencode q=beslutningsmandat --data-urlencode doc=svar.pdf |
    python3 -c 'import json,sys; r=json.load(sys.stdin)[\"results\"][0]; assert r[\"passage\"][\"page\"] == 1, r'"

fmt() { json_field 'd["doc"]["format"]' <"$T/$1.json"; }
[ "$(fmt svar.docx)" = '"docx"' ] && [ "$(fmt svar.odt)" = '"odt"' ]
ok_if $? "/api/doc says format docx and odt"
[ "$(fmt plan.docx)" = '"pdf"' ] && [ "$(json_field 'd["passages"][0]["page"]' <"$T/plan.docx.json")" = 1 ]
ok_if $? "a PDF named .docx is read as PDF, with its pages"
[ "$(fmt tekst.pdf)" = '"text"' ] && grep -q 'vejbump' "$T/tekst.pdf.json"
ok_if $? "a text named .pdf is read as text"
title() { json_field 'd["doc"]["title"]' <"$T/$1.json"; }
[ "$(title orientering.docx)" = '"Orientering om TECH og iværksættermiljøet i udviklings- og omstillingsplanen"' ] &&
    [ "$(title orientering.odt)" = "$(title orientering.docx)" ] && [ "$(title svar.docx)" = "$(title svar.txt)" ]
ok_if $? "the title is dc:title when the document has one, else found as for text"
[ "$(curl -s -G "$S/api/search" --data-urlencode q=kolonne9999 | json_field 'd["results"][0]["doc"]["id"]')" = '"kolonner.docx"' ] &&
    [ "$(json_field 'd["doc"]["bytes"] < 30000 and max(len(p["text"]) for p in d["passages"]) <= 1500' <"$T/kolonner.docx.json")" = true ]
ok_if $? "10,000 columns: read as one row, bounded, its last cell found"

kill -TERM "$PID"
wait "$PID" 2>/dev/null
PID=
check "server stops cleanly, no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$T/s.log' '$T/err' '$T/big.err'"
echo "1..$n"
[ "$failed" -eq 0 ]
