#!/usr/bin/env bash
# tests/t_threads.sh: the indexer's threads change its speed, never its index (TAP).
# Indexes one corpus (corpus/ plus a generated 400 KB one) with --threads 1, 2 and 3, and
# in many small parts, and compares everything the index holds (tests/dump_index.py: documents with their data,
# values, terms, wdf and positions; metadata; the spelling table). A new index is written
# in parts merged by Xapian's compactor (indexer/fresh.h), so it is also compared with the
# same corpus written by the one writer of an update run into an existing empty index;
# a second writer meanwhile waits for it (or with --wait 0 is refused), and a run killed mid-way leaves no index and
# no scratch parts after the next run. Then an update run
# (a change, a deletion, an addition) with 1 and 2 threads; and the one-transaction
# guarantee with several threads: while a run is under way a reader sees the last good
# index, even as Xapian flushes inside the transaction, and a run killed mid-way leaves it
# (xapian-check clean).
# Needs Debian's /usr/bin/python3 with the xapian module (python3-xapian).
set -u
BIN=${ARK_BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d /tmp/ark-threads.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
doccount() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
dump() { "$PYTHON" tests/dump_index.py "$1" > "$2"; }

. tests/lib.sh
require "$BIN/arkivar-indexer" xapian-delve xapian-check
if ! "$PYTHON" -c 'import xapian' 2>/dev/null; then
    echo "not ok 1 - $PYTHON has no xapian module (python3-xapian)"; echo "1..1"; exit 1
fi
mkdir -p "$T/c"
cp -r corpus "$T/c/records"
"$PYTHON" scripts/gen-corpus.py "$T/c/gen" --size 400KB >/dev/null 2>&1
ok $? "generated a 400 KB corpus"

for t in 1 2 3; do
    "$BIN/arkivar-indexer" --quiet --threads $t --index "$T/idx$t" "$T/c"
    ok $? "--threads $t indexes the corpus"
    dump "$T/idx$t" "$T/dump$t"
done
[ "$(doccount "$T/idx1")" -gt 500 ]; ok $? "more than 500 passages ($(doccount "$T/idx1"))"
cmp -s "$T/dump1" "$T/dump2"; ok $? "--threads 2 gives the index of --threads 1 ($(wc -l < "$T/dump1") facts)"
cmp -s "$T/dump1" "$T/dump3"; ok $? "--threads 3 gives the index of --threads 1"
grep -q "^spelling " "$T/dump1"; ok $? "the spelling table is filled"
# many parts, taken in turn by the threads (indexer/fresh.c: a part of at most ARK_PART_KB)
ARK_PART_KB=24 "$BIN/arkivar-indexer" --threads 2 --index "$T/idxp" "$T/c" 2>"$T/parts.err"
rc=$?; parts=$(sed -nE 's/.*written in ([0-9]+) parts$/\1/p' "$T/parts.err")
[ $rc = 0 ] && [ "${parts:-0}" -ge 10 ]; ok $? "ARK_PART_KB=24: the run says it wrote ${parts:-no} parts (10 or more)"
dump "$T/idxp" "$T/dumpp"
cmp -s "$T/dump1" "$T/dumpp"; ok $? "and its index is the one of --threads 1"

# the one writer (an existing, empty index) writes what the parts and the merge wrote
"$PYTHON" -c 'import sys, xapian; xapian.WritableDatabase(sys.argv[1], xapian.DB_CREATE)' "$T/one"
"$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/one" "$T/c"
ok $? "the one writer indexes the corpus into an existing empty index"
dump "$T/one" "$T/dumpone"
cmp -s "$T/dump1" "$T/dumpone"; ok $? "a new index built in parts holds what the one writer writes"
s1=$(du -sk "$T/idx2" | cut -f1); s2=$(du -sk "$T/one" | cut -f1)
[ "$s1" -lt "$s2" ]; ok $? "the merged index is smaller (${s1} KB against ${s2} KB)"
ls -a "$T/idx2" | grep -q '^\.build-'; [ $? = 1 ]; ok $? "no scratch part is left in the index folder"

# a new index is locked while its parts are written; a killed build leaves nothing
for i in 1 2 3 4 5 6; do cp -r "$T/c/gen" "$T/c/big$i"; done
"$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/new" "$T/c" & pid=$!
for _ in $(seq 1 100); do ls -a "$T/new" 2>/dev/null | grep -q '^\.build-' && break; sleep 0.02; done
"$BIN/arkivar-indexer" --quiet --wait 0 --index "$T/new" "$T/c/records" 2>"$T/lock.err"; rc=$?
"$BIN/arkivar-indexer" --index "$T/new" "$T/c" 2>"$T/wait.err"; rc2=$?
wait $pid; first=$?
[ $rc = 4 ] && grep -q "locked" "$T/lock.err" && [ $first = 0 ]
ok $? "a second writer during a new build with --wait 0 is refused (exit $rc: $(head -c 120 "$T/lock.err")), the build ends well"
[ $rc2 = 0 ] && grep -q "waiting for the index's writer" "$T/wait.err" && grep -q " 0 failed" "$T/wait.err"
ok $? "without --wait 0 it waits for the build, then runs (exit $rc2: $(head -c 200 "$T/wait.err"))"
[ "$(doccount "$T/new")" -gt "$(doccount "$T/idx1")" ]; ok $? "the build holds all of its files"
rm -rf "$T/new"
"$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/new" "$T/c" & pid=$!
for _ in $(seq 1 100); do ls -a "$T/new" 2>/dev/null | grep -q '^\.build-' && break; sleep 0.02; done
sleep 0.3; kill -9 $pid; wait $pid 2>/dev/null
[ ! -e "$T/new/iamglass" ] && ! xapian-delve "$T/new" >/dev/null 2>&1
ok $? "a new build killed mid-way leaves no index for readers to open"
"$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/new" "$T/c/records"
ok $? "the next run builds the index"
[ "$(ls -a "$T/new" | grep -c '^\.build-')" = 0 ] && [ "$(doccount "$T/new")" -gt 0 ] && xapian-check "$T/new" >/dev/null 2>&1
ok $? "and clears the killed run's scratch parts ($(doccount "$T/new") passages, xapian-check clean)"
rm -rf "$T/new" "$T/c"/big*

# an update run: a change, a deletion and an addition, from the same starting index
printf '\nEt nyt afsnit om zebrafinkeudvalget og deres arbejde.\n' >> "$T/c/records/002_1152fea116605285.txt"
rm "$T/c/records/003_9fe98847643c27d8.txt"
printf 'Notat\n\nDette notat handler om kvægavl i Ørestaden og om tværgående samarbejde.\n' > "$T/c/nyt.md"
cp -r "$T/idx1" "$T/upd1"; cp -r "$T/idx1" "$T/upd2"
for t in 1 2; do
    "$BIN/arkivar-indexer" --threads $t --index "$T/upd$t" "$T/c" 2>"$T/log$t"
    ok $? "update run with --threads $t"
    dump "$T/upd$t" "$T/udump$t"
done
grep -q "2 files indexed, .* unchanged, 1 removed" "$T/log2"; ok $? "the update indexes 2 files, removes 1 ($(tail -1 "$T/log2"))"
cmp -s "$T/udump1" "$T/udump2"; ok $? "the update gives the same index with 1 and 2 threads"

# one transaction, with threads: readers see the old index until the commit
for i in 1 2 3 4 5 6; do cp -r "$T/c/gen" "$T/c/gen$i"; done
before=$(doccount "$T/upd2")
# Xapian writes its changes out every 500 documents here (not the default 10000), so the
# run flushes many times inside its transaction
XAPIAN_FLUSH_THRESHOLD=500 "$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/upd2" "$T/c" & pid=$!
seen=" "; polls=0
while kill -0 $pid 2>/dev/null; do
    c=$(doccount "$T/upd2"); polls=$((polls+1))
    [ -n "$c" ] && case "$seen" in *" $c "*) ;; *) seen="$seen$c ";; esac
    sleep 0.05
done
wait $pid; rc=$?
after=$(doccount "$T/upd2")
[ $rc = 0 ] && [ "$after" -gt "$before" ]; ok $? "the big run commits ($before -> $after passages)"
# a flush inside the run that readers could see would show a count in between
[ "$seen" = " $before " ] || [ "$seen" = " $before $after " ]
ok $? "readers saw the old index, then the new one, nothing in between (counts:$seen; $polls looks)"

cp -r "$T/idx1" "$T/kill"
good=$(doccount "$T/kill")
for delay in 0.3 0.8; do
    XAPIAN_FLUSH_THRESHOLD=500 "$BIN/arkivar-indexer" --quiet --threads 2 --index "$T/kill" "$T/c" & pid=$!
    sleep $delay
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        [ "$(doccount "$T/kill")" = "$good" ] && xapian-check "$T/kill" >/dev/null 2>&1
        ok $? "SIGKILL after ${delay}s with 2 threads leaves the last good index ($good passages)"
    else
        wait $pid; n=$((n+1)); echo "ok $n # skip the run finished before ${delay}s"
        good=$(doccount "$T/kill")
    fi
done
echo "1..$n"
exit $((failed > 0))
