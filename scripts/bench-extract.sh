#!/usr/bin/env bash
# scripts/bench-extract.sh: the loaders' throughput, pages/s and MB/s, on one text of a
# few hundred pages as .txt, .html, .docx, .odt and .pdf.
# Owns: building the driver (scripts/bench_extract.c) outside the tree against
#   build/libarkivar.a, writing the text (the five corpus documents, COPIES times over,
#   headings as <h2>/<h3>) as HTML, having LibreOffice convert it to DOCX, ODT and PDF,
#   and timing each file's load (the median of REPS) into a markdown table. Pages are the
#   PDF's (pdfinfo); the other formats hold the same text, so the same count is used
#   for them: "pages/s" is pages of this text per second in each format.
# Not here: the indexer's rate (scripts/bench-index.sh), which includes analysis.
# Needs LibreOffice, like scripts/mk-office-fixtures.sh (not in scripts/install-deps.sh):
#   apt-get install -y --no-install-recommends libreoffice-writer-nogui
#   scripts/bench-extract.sh [DATA_DIR]     default /tmp/arkivar-bench/extract
# Env: COPIES (default 7: about 300 pages), REPS (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${1:-/tmp/arkivar-bench/extract}
COPIES=${COPIES:-7}
REPS=${REPS:-5}
die() { echo "bench-extract: $*" >&2; exit 2; }
[ -f build/libarkivar.a ] || die "build/libarkivar.a is missing: run make first"
command -v soffice >/dev/null || die "soffice is missing (libreoffice-writer-nogui)"
command -v pdfinfo >/dev/null || die "pdfinfo is missing (poppler-utils)"
mkdir -p "$DATA/bin"

CF="-O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wstrict-prototypes"
# shellcheck disable=SC2086
cc $CF -Iinclude -c -o "$DATA/bin/bench_extract.o" scripts/bench_extract.c
# shellcheck disable=SC2046
c++ -o "$DATA/bin/bench_extract" "$DATA/bin/bench_extract.o" build/libarkivar.a \
    $(pkg-config --libs libutf8proc zlib poppler-glib libxml-2.0 libzip) -lpthread -lm

# ---- The text, in five formats -------------------------------------------------------------
python3 - "$DATA" "$COPIES" <<'PY'
import glob, html, re, sys
out, copies = sys.argv[1], int(sys.argv[2])
parts, plain = [], []
for k in range(copies):
    for f in sorted(glob.glob("corpus/*.txt")):
        for b in re.split(r"\n\s*\n", open(f, encoding="utf-8").read()):
            b = b.strip()
            if not b: continue
            m = re.fullmatch(r"(#{1,3}) \**(.*?)\**", b)
            if m:
                parts.append("<h%d>%s</h%d>" % (len(m.group(1)) + 1, html.escape(m.group(2)), len(m.group(1)) + 1))
                plain.append("#" * len(m.group(1)) + " " + m.group(2))
            else:
                parts.append("<p>%s</p>" % html.escape(" ".join(b.split())))
                plain.append(" ".join(b.split()))
open(out + "/tekst.html", "w", encoding="utf-8").write(
    '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>Benchmark</title></head><body>\n'
    + "\n".join(parts) + "\n</body></html>\n")
open(out + "/tekst.txt", "w", encoding="utf-8").write("\n\n".join(plain) + "\n")
PY
for fmt in 'docx:MS Word 2007 XML' 'odt:writer8' 'pdf:writer_pdf_Export'; do
    [ -s "$DATA/tekst.${fmt%%:*}" ] && [ "$DATA/tekst.${fmt%%:*}" -nt "$DATA/tekst.html" ] && continue
    soffice --headless --norestore "-env:UserInstallation=file://$DATA/lo-profile" \
        --infilter='HTML (StarWriter)' --convert-to "$fmt" --outdir "$DATA" "$DATA/tekst.html" \
        >/dev/null 2>&1
done
pages=$(pdfinfo "$DATA/tekst.pdf" | awk '/^Pages:/ { print $2 }')

# ---- The loads ------------------------------------------------------------------------------
echo "Loaders on the same text ($pages pages as PDF; median of $REPS loads; $(date +%F)):"
echo
echo "| format | file MB | text MB | ms per load | pages/s | file MB/s | text MB/s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for ext in txt html docx odt pdf; do
    IFS=$'\t' read -r format bytes text _ med _ < <("$DATA/bin/bench_extract" "$DATA/tekst.$ext" "$REPS")
    awk -v f="$format" -v b="$bytes" -v t="$text" -v ms="$med" -v p="$pages" 'BEGIN {
        s = ms / 1000
        printf "| %s | %.2f | %.2f | %.2f | %.0f | %.1f | %.1f |\n", f, b / 1e6, t / 1e6, ms, p / s, b / 1e6 / s, t / 1e6 / s }'
done
