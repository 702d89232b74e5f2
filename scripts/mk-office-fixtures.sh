#!/bin/sh
# scripts/mk-office-fixtures.sh: the DOCX, ODT and PDF fixtures of tests/t_office.sh, made
# from two corpus documents by LibreOffice.
# Owns: cutting corpus/000 (an answer to a council member) and corpus/002 (a briefing to
#   ØU) to their first blocks, marking their headings, and writing per document:
#     NAME.txt   the text as the tests index it, headings as markdown ("## Resumé")
#     NAME.html  the same text for LibreOffice: <h1>-<h4> headings, <p> blocks, <br> lines
#     NAME.docx, NAME.odt, NAME.pdf   LibreOffice's conversions of NAME.html, so the
#                headings are paragraph styles (Heading 1 …), not marks in the text
#   orientering.html has a <title>, which LibreOffice writes as the documents' dc:title;
#   svar.html has none.
# Why: the loaders must be tested on files a real word processor wrote, and the .txt
#   beside them says what the same text gives as plain text. The output is committed;
#   this script says how it was made. LibreOffice writes timestamps, so a rerun differs
#   in bytes, not in text.
# Needs LibreOffice (only this script does; not scripts/install-deps.sh):
#   apt-get install -y --no-install-recommends libreoffice-writer-nogui
#   scripts/mk-office-fixtures.sh [OUTDIR]      (default tests/fixtures/office)
set -eu

cd "$(dirname "$0")/.."
OUT=${1:-tests/fixtures/office}
command -v soffice >/dev/null || { echo "mk-office-fixtures: soffice missing (libreoffice-writer-nogui)" >&2; exit 1; }
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mk-office.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

python3 - "$OUT" <<'PY'
import html, re, sys

out = sys.argv[1]

def blocks(path):
    """The document's blocks (runs of lines between blank lines), each a list of lines."""
    text = open(path, encoding="utf-8").read()
    return [[l.rstrip() for l in b.split("\n")] for b in re.split(r"\n\s*\n", text.strip("\n"))
            if b.strip()]

def svar(bs):
    """corpus/000: "## **x**" and "### **x**" are headings of level 2 and 3, a whole-line
    "**Ad N: …**" one of level 4."""
    for b in bs:
        m = re.fullmatch(r"(#{1,6}) \*\*(.*)\*\*", b[0]) if len(b) == 1 else None
        if m: yield len(m.group(1)), [m.group(2)]
        elif len(b) == 1 and re.fullmatch(r"\*\*(.*)\*\*", b[0]): yield 4, [b[0][2:-2]]
        else: yield 0, b

def orientering(bs):
    """corpus/002: the line naming the matter is the title (level 1); a short line alone,
    not ending in punctuation nor an address ("Til …"), a heading of level 2."""
    for i, b in enumerate(bs):
        if b[0].startswith("Orientering om "): yield 1, b
        elif (i > 0 and len(b) == 1 and len(b[0]) < 80 and b[0][-1] not in ".,:;"
              and not b[0].startswith("Til ")):
            yield 2, b
        else: yield 0, b

DOCS = [  # name, source, blocks kept, heading rule, <title>
    ("svar", "corpus/000_92fe6cf18886d868.txt", 14, svar, None),
    ("orientering", "corpus/002_1152fea116605285.txt", 11, orientering,
     "Orientering om TECH og iværksættermiljøet i udviklings- og omstillingsplanen"),
]

for name, src, keep, rule, title in DOCS:
    units = list(rule(blocks(src)[:keep]))
    txt = "\n\n".join(("#" * lvl + " " + b[0]) if lvl else "\n".join(b) for lvl, b in units)
    with open("%s/%s.txt" % (out, name), "w", encoding="utf-8") as f:
        f.write(txt + "\n")
    body = "\n".join("<h%d>%s</h%d>" % (lvl, html.escape(b[0]), lvl) if lvl
                     else "<p>%s</p>" % "<br>".join(html.escape(l) for l in b) for lvl, b in units)
    head = "<title>%s</title>" % html.escape(title) if title else ""
    with open("%s/%s.html" % (out, name), "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">%s</head><body>\n'
                '%s\n</body></html>\n' % (head, body))
PY

# A private profile, so a desktop LibreOffice of the same user neither blocks nor changes it.
for fmt in 'docx:MS Word 2007 XML' 'odt:writer8' 'pdf:writer_pdf_Export'; do
    soffice --headless --norestore "-env:UserInstallation=file://$TMP/profile" \
        --infilter='HTML (StarWriter)' --convert-to "$fmt" --outdir "$OUT" \
        "$OUT/svar.html" "$OUT/orientering.html" >/dev/null
done
ls -l "$OUT"
