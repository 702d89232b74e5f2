#!/bin/sh
# scripts/fuzz.sh: build the libFuzzer targets (clang, ASan+UBSan) and run each.
#   scripts/fuzz.sh [RUNS] [SECONDS]   default 1000000 runs per target, at most 600 s each
# Prints, per target: executions, seconds, executions/s, coverage and whether it crashed
# (an input that takes over 10 s counts as a crash: a hang).
# tests/t_fuzz.sh runs a short version in `make test` so a regression still fails CI.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
SECS=${2:-600}
OUT=${FUZZ_OUT:-build-fuzz}
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT"
# poppler-glib, libxml2, libzip: lib/text/*.c holds the PDF, HTML and DOCX/ODT loaders
# (pdf.c, html.c, office.c), linked by every text target; fuzz_office calls the last.
FLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude $(pkg-config --cflags poppler-glib libxml-2.0 libzip)"
LIBS="$(pkg-config --libs libutf8proc zlib poppler-glib libxml-2.0 libzip) -lstemmer"
COMMON="lib/util/err.c lib/util/buf.c"

build() { # name sources...
    name=$1; shift
    # shellcheck disable=SC2086
    $CC $FLAGS -o "$OUT/$name.tmp" "$@" $COMMON $LIBS && mv "$OUT/$name.tmp" "$OUT/$name"
}
build fuzz_query tests/fuzz/fuzz_query.c lib/search/query.c
build fuzz_text tests/fuzz/fuzz_text.c lib/text/*.c
build fuzz_cpr tests/fuzz/fuzz_cpr.c lib/text/*.c
# The analyzer's lemma table is compiled in from data/lemmas.txt, as the Makefile does.
EMBED_INCLUDE=an_int.h sh scripts/embed.sh ark_lemmas_text data/lemmas.txt >"$OUT/lemmas_text.c"
build fuzz_tok tests/fuzz/fuzz_tok.c lib/analysis/*.c "$OUT/lemmas_text.c" -Ilib/analysis
build fuzz_office tests/fuzz/fuzz_office.c lib/text/*.c
# fuzz_office's seeds: the bodies of the office fixtures (python3's zipfile unpacks them).
mkdir -p "$OUT/seeds-office"
python3 -c '
import sys, zipfile
for f in sys.argv[2:]:
    z = zipfile.ZipFile(f)
    part = "content.xml" if f.endswith(".odt") else "word/document.xml"
    open("%s/%s.xml" % (sys.argv[1], f.rsplit("/", 1)[-1]), "wb").write(z.read(part))
' "$OUT/seeds-office" tests/fixtures/office/*.docx tests/fixtures/office/*.odt

status=0
printf '%-12s %10s %8s %10s %8s  %s\n' target runs seconds execs/s cov result
for t in fuzz_query fuzz_text fuzz_cpr fuzz_tok fuzz_office; do
    seeds=corpus
    [ $t = fuzz_query ] && seeds=tests/fuzz/seeds-query
    [ $t = fuzz_office ] && seeds="$OUT/seeds-office"
    work="$OUT/$t-corpus"
    mkdir -p "$work"
    start=$(date +%s.%N)
    # a crashing input is written under $OUT (the log names it), never into the tree
    if "$OUT/$t" -runs="$RUNS" -max_total_time="$SECS" -max_len=8192 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$OUT/$t-" \
        "$work" "$seeds" >"$OUT/$t.log" 2>&1; then res=ok; else res=CRASH; status=1; fi
    end=$(date +%s.%N)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$OUT/$t.log" | tail -1 | cut -d' ' -f2)
    awk -v t="$t" -v n="${execs:-0}" -v s="$start" -v e="$end" -v c="${cov:-?}" -v r="$res" \
        'BEGIN { d = e - s; printf "%-12s %10d %8.1f %10.0f %8s  %s\n", t, n, d, n / d, c, r }'
    [ $res = ok ] || tail -30 "$OUT/$t.log"
done
exit $status
