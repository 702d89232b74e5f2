#!/usr/bin/env bash
# scripts/bench-index.sh: how fast bin/arkivar-indexer builds an index, and at what cost.
# Owns: generating the corpus when missing (scripts/gen-corpus.py), a fresh index build
# under /usr/bin/time -v, a second run over the unchanged corpus (the no-change
# re-index), the same corpus into an existing empty index (an update's one writer), and
# one table of the three: input MB, files, passages, wall and CPU seconds, MB/s,
# passages/s, peak RSS, index size on disk.
# Not here: query load (scripts/bench-load.sh reuses the index built here).
#
#   scripts/bench-index.sh [SIZE] [DATA_DIR]   default 100MB, /tmp/arkivar-bench
#   scripts/bench-index.sh --smoke [DATA_DIR]  CI: 2MB; fails unless passages > 0, the
#                                              fresh build and the one writer peak under
#                                              70 MB and the second run finds every
#                                              file unchanged
# Leaves DATA/corpus-SIZE, DATA/idx-SIZE and DATA/runs/index-SIZE.{log,time,md}.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
if [ "$smoke" = 1 ]; then SIZE=2MB; DATA=${1:-/tmp/arkivar-bench}
else SIZE=${1:-100MB}; DATA=${2:-/tmp/arkivar-bench}; fi

die() { echo "bench-index: $*" >&2; exit 1; }
[ -x bin/arkivar-indexer ] || die "bin/arkivar-indexer is missing: run make first"
if [ ! -x /usr/bin/time ]; then
    # GNU time gives the peak RSS (the shell's time builtin does not).
    [ "$(id -u)" -eq 0 ] || die "/usr/bin/time is missing: apt-get install time"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
fi

corpus=$DATA/corpus-$SIZE
idx=$DATA/idx-$SIZE
runs=$DATA/runs
mkdir -p "$runs"
if [ ! -d "$corpus" ]; then
    python3 scripts/gen-corpus.py "$corpus" --size "$SIZE" --jobs 2
fi
read -r files bytes < <(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{n++; b+=$1} END {print n+0, b+0}')

# One indexer run: NAME [INDEX], then fields "wall cpu rss_mb indexed unchanged passages status".
run_indexer() {
    local name=$1 into=${2:-$idx} log=$runs/index-$SIZE-$1.log tm=$runs/index-$SIZE-$1.time status=0
    /usr/bin/time -v -o "$tm" bin/arkivar-indexer --index "$into" "$corpus" 2>"$log" || status=$?
    local wall cpu rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tm")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$tm")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tm")
    # "arkivar-indexer: N files indexed, U unchanged, R removed, F failed; P passages, ..."
    local summary
    summary=$(grep -a '^arkivar-indexer: .* files indexed' "$log" | tail -1 || true)
    [ -n "$summary" ] || { cat "$log" >&2; die "$name run: no summary line (exit $status), see $log"; }
    local indexed unchanged passages
    indexed=$(sed -E 's/.*: ([0-9]+) files indexed.*/\1/' <<<"$summary")
    unchanged=$(sed -E 's/.* ([0-9]+) unchanged.*/\1/' <<<"$summary")
    passages=$(sed -E 's/.*; ([0-9]+) passages,.*/\1/' <<<"$summary")
    echo "$wall $cpu $rss $indexed $unchanged $passages $status"
}

rm -rf "$idx"
read -r w1 c1 r1 i1 _ p1 s1 < <(run_indexer build)
isize1=$(du -sb "$idx" | awk '{printf "%.1f", $1/1e6}')
read -r w2 c2 r2 i2 u2 p2 s2 < <(run_indexer reindex)
isize2=$(du -sb "$idx" | awk '{printf "%.1f", $1/1e6}')
# the same corpus into an index that exists (empty): an update's one writer and its one
# transaction, where a new index is written in parts on every core
one=$idx-one
rm -rf "$one" "$runs/empty"; mkdir -p "$runs/empty"
bin/arkivar-indexer --quiet --index "$one" "$runs/empty" || die "cannot make an empty index at $one"
read -r w3 c3 r3 i3 _ p3 s3 < <(run_indexer onewriter "$one")
isize3=$(du -sb "$one" | awk '{printf "%.1f", $1/1e6}')
[ "$smoke" = 1 ] || rm -rf "$one"

mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1e6}')
row() { # name wall cpu rss files_done passages index_mb
    awk -v n="$1" -v w="$2" -v c="$3" -v r="$4" -v f="$5" -v p="$6" -v s="$7" -v mb="$mb" \
        -v tf="$files" 'BEGIN {
        printf "| %s | %s | %d | %d | %d | %.2f | %.2f | %.2f | %.0f | %s | %s |\n",
            n, mb, tf, f, p, w, c, (w > 0 ? mb / w : 0), (w > 0 ? p / w : 0), r, s }'
}
out=$runs/index-$SIZE.md
{
    echo "Indexing corpus-$SIZE ($files files, $mb MB; $(nproc) cores; $(date +%Y-%m-%d))"
    echo
    echo "| run | input MB | files | files indexed | passages | wall s | CPU s | MB/s | passages/s | peak RSS MB | index MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    row "fresh build" "$w1" "$c1" "$r1" "$i1" "$p1" "$isize1"
    row "re-index, no change" "$w2" "$c2" "$r2" "$i2" "$p2" "$isize2"
    row "into an existing empty index (one writer)" "$w3" "$c3" "$r3" "$i3" "$p3" "$isize3"
} | tee "$out"
echo "(index MB: du of $idx; logs in $runs/index-$SIZE-*.log, /usr/bin/time -v in *.time)"

fail=0
[ "$s1" = 0 ] || { echo "bench-index: FAIL: fresh build exited $s1 (see $runs/index-$SIZE-build.log)" >&2; fail=1; }
[ "$s2" = 0 ] || { echo "bench-index: FAIL: re-index exited $s2" >&2; fail=1; }
[ "$s3" = 0 ] || { echo "bench-index: FAIL: the one writer exited $s3" >&2; fail=1; }
if [ "$smoke" = 1 ]; then
    [ "$p1" -gt 0 ] || { echo "bench-index: FAIL: no passages indexed" >&2; fail=1; }
    [ "$i1" = "$files" ] || { echo "bench-index: FAIL: $i1 of $files files indexed" >&2; fail=1; }
    # a fresh build's parts are committed every 500 passages (lib/index/shim_write.cc); at
    # Xapian's default of 10,000 this 2 MB build peaked at 91 MB, at 500 at 45 MB
    [ "$r1" -lt 70 ] || { echo "bench-index: FAIL: the fresh build peaked at $r1 MB (want < 70)" >&2; fail=1; }
    # and the one writer's transaction flushes as often (ark_wdb_set_flush): 91 MB unset
    [ "$r3" -lt 70 ] || { echo "bench-index: FAIL: the one writer peaked at $r3 MB (want < 70)" >&2; fail=1; }
    [ "$p3" = "$p1" ] || { echo "bench-index: FAIL: the one writer wrote $p3 passages, the build $p1" >&2; fail=1; }
    if [ "$i2" != 0 ] || [ "$u2" != "$files" ]; then
        echo "bench-index: FAIL: re-index touched $i2 files, $u2 of $files unchanged" >&2; fail=1
    fi
    [ "$fail" = 0 ] && echo "bench-index: smoke OK"
fi
exit "$fail"
