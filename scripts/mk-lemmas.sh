#!/bin/sh
# scripts/mk-lemmas.sh: write data/lemmas.txt, the inflections Snowball's Danish stemmer
# cannot join to their word because an e drops out (regel/regler, middel/midler,
# eksempel/eksempler, himmel/himlen, åben/åbne), from Debian's hunspell-da.
# Why a file: the table is small (about 3,000 forms), the indexer and the server must
# use the same one (it is compiled in: lib/analysis/lemma.c), and hunspell's stem() is
# costly per token. Needs hunspell, hunspell-da and wdanish (run as root to install).
#   scripts/mk-lemmas.sh [OUT]        (default data/lemmas.txt)
set -eu
OUT=${1:-data/lemmas.txt}
for p in hunspell hunspell-da wdanish; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
hunspell -d da_DK -s </usr/share/dict/danish >"$TMP" 2>/dev/null
python3 - "$TMP" "$OUT" <<'PY'
import re, sys
src, out = sys.argv[1], sys.argv[2]
# A lemma ending in e + l, n or r (after a consonant, maybe doubled: middel) whose
# inflected form starts with the lemma less that e (and less the doubling): "regl-er".
shape = re.compile(r"^(.*?)(([bcdfghjklmnpqrstvwxz])\3?)e([lnr])$")
pairs = {}
for line in open(src, encoding="utf-8", errors="replace"):
    f = line.split()
    if len(f) != 2 or f[0] == f[1]:
        continue
    word, lemma = f
    m = shape.match(lemma)
    if not m:
        continue
    base, cons, c1, last = m.groups()
    if (word.startswith(base + c1 + last) or word.startswith(base + cons + last)) and not word.startswith(lemma):
        pairs.setdefault(word, set()).add(lemma)
with open(out, "w", encoding="utf-8") as o:
    o.write("# data/lemmas.txt: Danish forms whose e drops out, and their word (written by\n")
    o.write("# scripts/mk-lemmas.sh from hunspell-da; edit that script, not this file).\n")
    for w in sorted(pairs):
        if len(pairs[w]) == 1:  # an ambiguous form is left to the stemmer
            o.write("%s %s\n" % (w, next(iter(pairs[w]))))
PY
echo "mk-lemmas: $(grep -vc '^#' "$OUT") forms in $OUT" >&2
