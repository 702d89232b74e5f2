#!/usr/bin/env bash
# tests/t_removal.sh: what the indexer may remove, follow and wait for (TAP).
# Owns: the safety rules of a run: removal scoped to the run's PATHs, nothing removed
# from a PATH that is missing, empty or unreadable, the share limit (--allow-removals),
# id clashes between roots, symlinks out of the PATHs, FIFOs, an empty folder.
# Why separate from t_indexer.sh: each case builds its own small index, so a failure
# names one rule. Runs under `make SAN=1 test` too (the empty-folder walk hit UBSan).
set -u
BIN=${ARK_BIN:-bin}
IDXR=$BIN/arkivar-indexer
T=$(mktemp -d /tmp/ark-rm.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
termfreq() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | head -1; }
has_doc() { [ -n "$(termfreq "$1" "D$2")" ]; }
# docs IDX: the number of documents (records "D<id>") the index holds.
docs() { /usr/bin/python3 -c "import xapian,sys; db=xapian.Database(sys.argv[1]); print(sum(1 for k in db.metadata_keys('D') if len(k)>1))" "$1" 2>/dev/null; }

# An empty folder: a fresh index, exit 0, no crash (qsort(NULL, 0) under UBSan).
mkdir -p "$T/empty"
"$IDXR" --index "$T/idx-empty" "$T/empty" 2>"$T/e-empty"; rc=$?
[ $rc = 0 ] && [ "$(docs "$T/idx-empty")" = 0 ]; ok $? "an empty folder into a new index: exit 0, no documents (got $rc)"

# A FIFO never blocks a run: not as a PATH, not inside a folder.
mkdir -p "$T/fifo"
cp corpus/000_92fe6cf18886d868.txt "$T/fifo/a.txt"
mkfifo "$T/fifo/x.txt"
timeout 20 "$IDXR" --index "$T/idx-fifo" "$T/fifo/x.txt" "$T/fifo/a.txt" 2>"$T/e-fifo1"; rc=$?
[ $rc = 1 ] && grep -q "x.txt.*not a regular file" "$T/e-fifo1"; ok $? "a FIFO given as PATH is refused at once, exit 1 (got $rc)"
has_doc "$T/idx-fifo" a.txt; ok $? "the other PATH is indexed"
timeout 20 "$IDXR" --index "$T/idx-fifo" "$T/fifo" 2>"$T/e-fifo2"; rc=$?
[ $rc = 1 ] && grep -q "x.txt.*not a regular file" "$T/e-fifo2"; ok $? "a FIFO inside a folder is named and skipped, exit 1 (got $rc)"

echo "1..$n"
exit $((failed > 0))
