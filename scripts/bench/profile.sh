#!/bin/bash
# scripts/bench/profile.sh: where Arkivar's query time goes, stage by stage.
# Owns: one pass of the benchmark's queries through the in-process driver
# (peers/arkivar-inproc/arkivar_bench.c) under valgrind's callgrind, and a table of the
# engine's functions by inclusive instructions, as a share of ark_search: the Xapian match
# (ark_rdb_search, Enquire::get_mset), the facets (ValueCountMatchSpy), per-document match counts (ark_rdb_count), the rerank's
# re-analysis of the candidates (ark_snippet_cover), snippets (ark_snippet_make), analysis
# (ark_an_*), spelling, parsing. Inclusive: a stage's figure contains the stages it calls.
# Not here: wall-clock figures (run-all.sh); this counts instructions, which a shared
# machine does not disturb, and cache misses are not in them.
#
#   scripts/bench/profile.sh [--data-dir DIR] [--top N] CORPUS_NAME
#
# Uses the index and the driver a run-all.sh run with arkivar-inproc left in DATA
# (DATA/work/CORPUS_NAME/arkivar-index/idx, DATA/build/arkivar_bench). Callgrind runs ~50x
# slower than native: about 30 s for synth-5MB, a few minutes for 100 MB.
# Then the stage table of scripts/profile-stages.sh for the same queries.
# Writes DATA/results/CORPUS_NAME-profile.md and prints it.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
DATA=/tmp/bench-data
TOP=18
while [ $# -gt 0 ]; do
    case "$1" in
    --data-dir) DATA=$2; shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
NAME=${1:?usage: profile.sh [--data-dir DIR] [--top N] CORPUS_NAME}
IDX=$DATA/work/$NAME/arkivar-index/idx
DRV=$DATA/build/arkivar_bench
for f in "$IDX" "$DRV"; do
    [ -e "$f" ] || { echo "profile.sh: $f is missing: run run-all.sh --peers arkivar-inproc $NAME first" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "profile.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
OUT=$DATA/runs/$NAME-profile
mkdir -p "$OUT" "$DATA/results"
python3 "$BENCH/peers/translate.py" arkivar <"$BENCH/queries/queries.txt" >"$OUT/queries.txt"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$DRV" query "$IDX" "$BENCH/../../data/acronyms.txt" "$OUT/queries.txt" 1 "$OUT/lat.tsv" 2>"$OUT/valgrind.log"
callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind.out" >"$OUT/annotate.txt" 2>/dev/null
nq=$(grep -c . "$OUT/queries.txt")
# Lines look like: "1,126,006,033 (28.15%)  /path/lib/index/shim_query.cc:ark_rdb_search [/bin]".
python3 - "$OUT/annotate.txt" "$NAME" "$nq" "$TOP" >"$DATA/results/$NAME-profile.md.tmp" <<'PY'
import re, sys
path, name, nq, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rows, seen = [], set()
# Opening the engine happens once, before the clock; the two Xapian functions are the match
# itself and the facet counts (type, year) of every matching passage.
STARTUP = {"ark_an_new", "dict_load", "ark_engine_open", "ark_synonyms_load", "ark_an_clone", "main"}
XAPIAN_STAGES = ("Xapian::Enquire::get_mset", "Xapian::ValueCountMatchSpy::operator")
for line in open(path, errors="replace"):
    if "=>" in line:  # a call site inside an annotated source line, not a function's total
        continue
    m = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*?):(\S.*?)(?: \[.*)?$", line.rstrip("\n"))
    if not m:
        continue
    ir, file, fn = int(m.group(1).replace(",", "")), m.group(2), m.group(3).strip()
    fn = re.sub(r"\.part\.\d+|\.constprop\.\d+|\.isra\.\d+", "", fn)
    fn = re.sub(r"\(.*\)( const)?$", "", fn)  # C++: drop the argument list
    mine = "/lib/" in file or file.startswith("lib/")
    if fn in STARTUP or fn in seen or not (mine or fn.startswith(XAPIAN_STAGES)):
        continue
    seen.add(fn)
    rows.append((ir, fn, re.sub(r"^(.*/)?lib/", "", file) if mine else "libxapian"))
total = next((r[0] for r in rows if r[1] == "ark_search"), None)
if not total:
    sys.exit("profile.sh: no ark_search in the profile")
print("Arkivar query profile, corpus %s: %d queries, one pass, limit 10 (callgrind, instructions "
      "inclusive of callees; %.1f M instructions per query in ark_search)\n" % (name, nq, total / nq / 1e6))
print("| function | where | M instructions per query | share of ark_search |")
print("|---|---|---:|---:|")
for ir, fn, where in sorted(rows, reverse=True)[:top]:
    print("| `%s` | %s | %.2f | %.1f %% |" % (fn, where, ir / nq / 1e6, 100.0 * ir / total))
PY
# The same queries by stage, in a warm engine (scripts/profile-stages.sh).
{
    echo
    echo "By stage (scripts/profile-stages.sh: a warm engine, one-time costs left out):"
    echo
    PROFILE_COLUMNS=${PROFILE_COLUMNS:-3} "$BENCH/../profile-stages.sh" "$IDX" "$OUT/queries.txt"
} >>"$DATA/results/$NAME-profile.md.tmp"
mv "$DATA/results/$NAME-profile.md.tmp" "$DATA/results/$NAME-profile.md"
cat "$DATA/results/$NAME-profile.md"
