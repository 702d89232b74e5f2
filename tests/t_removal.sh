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

# mkcorpus DIR: the five corpus documents, two of them in a sub-folder.
mkcorpus() {
    mkdir -p "$1/sub"
    cp corpus/000_92fe6cf18886d868.txt corpus/001_cd1fcdf664451ee5.txt corpus/002_1152fea116605285.txt "$1/"
    cp corpus/003_9fe98847643c27d8.txt corpus/004_d98ee981822f2781.txt "$1/sub/"
}

# Removal is scoped to the PATHs of the run.
mkcorpus "$T/a"
mkdir -p "$T/more"
printf 'Notat\n\nOm zebrafinker i Ørestaden og deres fodring.\n' > "$T/more/extra.txt"
I=$T/idx-scope
"$IDXR" --index "$I" "$T/a" 2>/dev/null
"$IDXR" --index "$I" "$T/more" 2>"$T/e-scope"; rc=$?
[ $rc = 0 ] && [ "$(docs "$I")" = 6 ] && has_doc "$I" extra.txt && has_doc "$I" sub/003_9fe98847643c27d8.txt
ok $? "indexing more/ in its own run adds to the index, corpus documents stay (exit $rc, $(docs "$I") documents)"
rm "$T/a/001_cd1fcdf664451ee5.txt"
"$IDXR" --index "$I" "$T/a" 2>"$T/e-del"; rc=$?
[ $rc = 0 ] && ! has_doc "$I" 001_cd1fcdf664451ee5.txt && [ "$(docs "$I")" = 5 ] && has_doc "$I" extra.txt
ok $? "a file deleted from a folder that was read is removed, that one only (exit $rc)"

# A missing or empty PATH removes nothing.
mv "$T/a" "$T/a.away"
"$IDXR" --index "$I" "$T/a" 2>"$T/e-missing"; rc=$?
[ $rc = 1 ] && [ "$(docs "$I")" = 5 ] && grep -q "$T/a: No such file" "$T/e-missing"
ok $? "a missing PATH: exit 1, named, nothing removed (exit $rc)"
mkdir "$T/a"
"$IDXR" --index "$I" "$T/a" 2>"$T/e-emptyp"; rc=$?
[ $rc = 1 ] && [ "$(docs "$I")" = 5 ] && grep -q "$T/a: empty, but the index holds 4 documents from it; nothing removed" "$T/e-emptyp"
ok $? "an empty PATH (an unmounted share): exit 1, named, nothing removed (exit $rc)"
"$IDXR" --index "$I" "$T/a" "$T/more" 2>/dev/null; rc=$?
[ $rc = 1 ] && [ "$(docs "$I")" = 5 ]; ok $? "the same with another PATH beside it (exit $rc)"
rmdir "$T/a"; mv "$T/a.away" "$T/a"

# More than 20 % of the index removed: refused unless --allow-removals.
rm "$T/a/sub/003_9fe98847643c27d8.txt" "$T/a/sub/004_d98ee981822f2781.txt"
printf 'Notat\n\nEt nyt notat om vindmøller ved kysten.\n' > "$T/a/new.txt"
before=$(xapian-delve "$I" 2>/dev/null | sed -n 's/^number of documents = //p')
"$IDXR" --index "$I" "$T/a" 2>"$T/e-share"; rc=$?
after=$(xapian-delve "$I" 2>/dev/null | sed -n 's/^number of documents = //p')
[ $rc = 1 ] && [ "$(docs "$I")" = 5 ] && [ "$before" = "$after" ] && ! has_doc "$I" new.txt && \
    grep -q "would remove 2 of the index's 5 documents" "$T/e-share" && grep -q -- "--allow-removals" "$T/e-share"
ok $? "removing 2 of 5 documents is refused: exit 1, nothing removed, nothing indexed (exit $rc)"
"$IDXR" --index "$I" --allow-removals "$T/a" 2>"$T/e-allow"; rc=$?
[ $rc = 0 ] && [ "$(docs "$I")" = 4 ] && has_doc "$I" new.txt && ! has_doc "$I" sub/004_d98ee981822f2781.txt
ok $? "--allow-removals lets the same run through (exit $rc, $(docs "$I") documents)"
"$IDXR" --help | grep -q -- "--allow-removals"; ok $? "--help documents --allow-removals"

# Ids are unique across roots: a clash is refused, the stored document kept.
mkdir -p "$T/b"
printf 'Notat\n\nEn anden fil med samme navn om kloakering.\n' > "$T/b/new.txt"
"$IDXR" --index "$I" "$T/b" 2>"$T/e-clash"; rc=$?
[ $rc = 1 ] && grep -q "new.txt: document id \"new.txt\" is already in the index from $(realpath "$T/a")" "$T/e-clash" && \
    [ -n "$(termfreq "$I" vindmøller)" ] && [ -z "$(termfreq "$I" kloakering)" ]
ok $? "an id the index holds from another root is refused, exit 1, the stored document kept (exit $rc)"
"$IDXR" --index "$I" "$T/a" 2>"$T/e-after"; rc=$?
[ $rc = 0 ] && has_doc "$I" new.txt; ok $? "the other root still owns it, unchanged (exit $rc)"
I2=$T/idx-clash2
"$IDXR" --index "$I2" "$T/a" "$T/b" 2>"$T/e-clash2"; rc=$?
[ $rc = 1 ] && grep -q "$(realpath "$T/b")/new.txt: document id \"new.txt\" is also found under $(realpath "$T/a")" "$T/e-clash2" && \
    [ -n "$(termfreq "$I2" vindmøller)" ] && [ -z "$(termfreq "$I2" kloakering)" ]
ok $? "two PATHs of one run with the same id: the first PATH wins, the other is refused (exit $rc)"

# A folder that cannot be read (EACCES) keeps its documents. As root, chmod 000 does not
# stop reads, so the indexer then runs as nobody (setpriv), over files nobody owns.
mkcorpus "$T/p"
I3=$T/idx-perm
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$T"; chown -R 65534:65534 "$T/p"; mkdir -p "$I3"; chown 65534:65534 "$I3"
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
else
    as_user() { "$@"; }
fi
as_user "$IDXR" --index "$I3" "$T/p" 2>/dev/null
chmod 000 "$T/p/sub"
as_user ls "$T/p/sub" >/dev/null 2>&1; [ $? != 0 ]; ok $? "the indexer's user really cannot read sub/"
rm "$T/p/002_1152fea116605285.txt"
as_user "$IDXR" --index "$I3" "$T/p" 2>"$T/e-perm"; rc=$?
chmod 755 "$T/p/sub"
[ $rc = 1 ] && grep -q "sub: Permission denied; the documents under it are kept" "$T/e-perm" && \
    has_doc "$I3" sub/003_9fe98847643c27d8.txt && has_doc "$I3" sub/004_d98ee981822f2781.txt && \
    ! has_doc "$I3" 002_1152fea116605285.txt
ok $? "an unreadable sub-folder keeps its documents, exit 1; a file gone beside it is removed (exit $rc)"

# Symlinks: followed to files inside the PATHs of the run, never out of them.
mkdir -p "$T/s" "$T/outside"
cp corpus/000_92fe6cf18886d868.txt "$T/s/a.txt"
printf 'Hemmelig\n\nroot:adgangskodehash:19000:0:99999:7:::\n' > "$T/outside/shadow"
ln -s "$T/outside/shadow" "$T/s/x.txt"
ln -s a.txt "$T/s/alias.txt"
ln -s "$T/nowhere" "$T/s/dangling.txt"
I4=$T/idx-link
"$IDXR" --index "$I4" "$T/s" 2>"$T/e-link"; rc=$?
[ $rc = 1 ] && grep -q "x.txt: symbolic link to $(realpath "$T/outside/shadow"), outside the PATHs of this run: not followed" "$T/e-link"
ok $? "a symlink out of the PATHs is refused and named, exit 1 (exit $rc)"
! has_doc "$I4" x.txt && [ -z "$(termfreq "$I4" adgangskodehash)" ]; ok $? "its target is not indexed"
has_doc "$I4" alias.txt && has_doc "$I4" a.txt; ok $? "a symlink to a file inside the PATH is followed (own id)"
mkdir -p "$T/s2"
printf 'Notat\n\nOm havnebadet og vandkvaliteten.\n' > "$T/s2/b.txt"
ln -s "$T/s2/b.txt" "$T/s/to-b.txt"
"$IDXR" --index "$I4" "$T/s" "$T/s2" 2>/dev/null
has_doc "$I4" to-b.txt && ! has_doc "$I4" x.txt; ok $? "a symlink into another PATH of the same run is followed, the outside one still not"

# A moved folder: its documents' files are gone from the old root, so the ids follow
# the files to the new one instead of being refused as clashes.
mkdir -p "$T/mv-a" "$T/mv-b"
cp corpus/000_92fe6cf18886d868.txt corpus/001_cd1fcdf664451ee5.txt "$T/mv-a/"
I5=$T/idx-move
"$IDXR" --index "$I5" "$T/mv-a" 2>/dev/null
mv "$T/mv-a" "$T/mv-b/docs"
"$IDXR" --index "$I5" "$T/mv-b/docs" 2>"$T/e-move"; rc=$?
[ $rc = 0 ] && grep -q "moved here from" "$T/e-move" && [ "$(docs "$I5")" = 2 ]
ok $? "a moved folder's files keep their ids, exit 0 (exit $rc, $(docs "$I5") documents)"
mkdir -p "$T/mv-c"
cp "$T/mv-b/docs/000_92fe6cf18886d868.txt" "$T/mv-c/"
"$IDXR" --index "$I5" "$T/mv-c" 2>"$T/e-clash"; rc=$?
[ $rc = 1 ] && grep -q "already in the index from" "$T/e-clash"
ok $? "a copy elsewhere while the original stays is still a clash, exit 1 (exit $rc)"

echo "1..$n"
exit $((failed > 0))
