#!/usr/bin/env bash
# tests/t_indexer.sh: the indexer against a real Xapian index on disk (TAP).
# Indexes corpus/, re-indexes after a change, a deletion and an addition, checks
# counts, provenance and that nothing stale remains; bad input gets per-file errors
# and the right exit code; a run killed mid-way leaves the last good index.
set -u
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-idx.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed+1)); fi; }
termfreq() { xapian-delve -t "$2" "$1" 2>/dev/null | sed -n 's/.*termfreq \([0-9]*\).*/\1/p' | head -1; }
doccount() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }

cp -r corpus "$T/corpus"
IDX=$T/idx

"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" 2>"$T/err1"; rc=$?
ok $rc "indexing corpus/ exits 0"
grep -q "5 files indexed" "$T/err1"; ok $? "summary says 5 files indexed"
grep -qE "MB/s" "$T/err1"; ok $? "summary has MB/s"
p1=$(doccount "$IDX")
[ "${p1:-0}" -gt 100 ]; ok $? "more than 100 passages ($p1)"
[ "$(termfreq "$IDX" D000_92fe6cf18886d868.txt)" -gt 5 ]; ok $? "passages of 000 carry their document term"
[ "$(termfreq "$IDX" Zsamarbejd)" -gt 3 ]; ok $? "stemmed terms present (Zsamarbejd)"
[ -n "$(termfreq "$IDX" Fkobenhavn)" ]; ok $? "folded stems present (Fkobenhavn)"
[ -n "$(termfreq "$IDX" Pskol)" ] && [ -n "$(termfreq "$IDX" Pmad)" ]; ok $? "compound parts present (Pskol, Pmad from skolemadsordningen)"
[ -n "$(termfreq "$IDX" XS2026-0179043)" ]; ok $? "case number filter term present"

"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" 2>"$T/err2"; rc=$?
ok $rc "re-index exits 0"
grep -q "0 files indexed, 5 unchanged" "$T/err2"; ok $? "unchanged files are skipped"
[ "$(doccount "$IDX")" = "$p1" ]; ok $? "passage count unchanged"

# a change, a deletion and an addition in one run
printf '\nEt nyt afsnit om zebrafinkeudvalget og deres arbejde.\n' >> "$T/corpus/002_1152fea116605285.txt"
rm "$T/corpus/003_9fe98847643c27d8.txt"
mkdir -p "$T/corpus/sub"
printf 'Notat\n\nDette notat handler om kvægavl i Ørestaden og om tværgående samarbejde.\n' > "$T/corpus/sub/nyt.md"
"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" 2>"$T/err3"; rc=$?
ok $rc "update run exits 0"
grep -q "2 files indexed, 3 unchanged, 1 removed" "$T/err3"; ok $? "one changed + one added, one removed ($(tail -1 "$T/err3"))"
[ -z "$(termfreq "$IDX" D003_9fe98847643c27d8.txt)" ]; ok $? "no passage of the deleted document remains"
[ -z "$(termfreq "$IDX" fallstudie)" ] || [ "$(termfreq "$IDX" fallstudie)" = 0 ]; ok $? "no term only the deleted document had remains"
[ -n "$(termfreq "$IDX" zebrafinkeudvalget)" ]; ok $? "the changed document's new words are found"
[ -n "$(termfreq "$IDX" Dsub/nyt.md)" ]; ok $? "the new document has id sub/nyt.md (relative path)"

# a CPR number never reaches the index (DOMAIN.md)
printf 'Notat\n\nBorgeren med CPR-nr. 010190-1234 har klaget over sagsbehandlingen.\n' > "$T/corpus/cpr.txt"
"$BIN/arkivar-indexer" --quiet --index "$IDX" "$T/corpus"
[ -n "$(termfreq "$IDX" sagsbehandlingen)" ] && [ -z "$(termfreq "$IDX" 010190-1234)" ] && \
    [ -z "$(termfreq "$IDX" 010190)" ] && ! xapian-delve -a "$IDX" 2>/dev/null | grep -q "0101901234\|010190"
ok $? "a CPR number in a document is masked: neither it nor its parts are index terms"
rm "$T/corpus/cpr.txt"

# bad input: per-file errors and exit code 1, the rest indexed
printf '' > "$T/corpus/empty.txt"
head -c 4000 /dev/urandom > "$T/corpus/binary.txt"
printf 'Gyldig tekst \xff\xfe med \xc3 ugyldig UTF-8 om budgetforhandlingerne.\n' > "$T/corpus/bad-utf8.txt"
"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" "$T/missing-path" 2>"$T/err4"; rc=$?
[ $rc = 1 ]; ok $? "bad files give exit code 1 (got $rc)"
grep -q "empty.txt" "$T/err4" && grep -q "binary.txt" "$T/err4" && grep -q "missing-path" "$T/err4"; ok $? "each bad file is named on stderr"
[ -n "$(termfreq "$IDX" budgetforhandlingerne)" ]; ok $? "invalid UTF-8 is repaired, not fatal"
xapian-check "$IDX" >/dev/null 2>&1; ok $? "xapian-check passes"

# an index of another layout version is rebuilt by the indexer and refused by the server
xapian-delve "$IDX" >/dev/null 2>&1
/usr/bin/python3 -c "import xapian,sys; db=xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN); db.set_metadata('format', '1'); db.commit()" "$IDX"
"$BIN/arkivar-server" --index "$IDX" --listen 127.0.0.1:0 2>"$T/err5" & spid=$!
sleep 1; kill $spid 2>/dev/null; wait $spid; rc=$?
[ $rc = 1 ] && grep -q "another version of arkivar-indexer" "$T/err5"; ok $? "the server refuses an index of another format, saying why (exit $rc)"
"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" 2>"$T/err6"
grep -q "re-indexing every file" "$T/err6" && grep -q " 0 unchanged" "$T/err6"; ok $? "the indexer re-indexes every file of an index of another format"
"$BIN/arkivar-indexer" --index "$IDX" "$T/corpus" 2>"$T/err7"
grep -q "0 files indexed" "$T/err7"; ok $? "after which nothing is re-indexed again"

"$BIN/arkivar-indexer" --quiet --index "$T/new/var/index" corpus; rc=$?
[ $rc = 0 ] && [ -f "$T/new/var/index/iamglass" ]; ok $? "the index's missing parent folders are created (make run on a fresh checkout)"
touch "$T/afile"
"$BIN/arkivar-indexer" --quiet --index "$T/afile/idx" corpus 2>"$T/err8"; rc=$?
[ $rc = 3 ] && grep -q "cannot create" "$T/err8"; ok $? "an index path under a file: exit 3 with the reason"

"$BIN/arkivar-indexer" 2>/dev/null; rc=$?; [ $rc = 2 ]; ok $? "no arguments: usage error exit 2"
"$BIN/arkivar-indexer" --index "$IDX" --bogus x 2>/dev/null; rc=$?; [ $rc = 2 ]; ok $? "unknown flag: exit 2"
"$BIN/arkivar-indexer" --help | grep -q "usage:"; ok $? "--help prints usage"

# a run killed at any point leaves the last good index
before=$(doccount "$IDX")
mkdir -p "$T/big"
for i in $(seq 1 60); do for f in corpus/*.txt; do cp "$f" "$T/big/$i-$(basename "$f")"; done; done
for delay in 0.2 0.5 1.0; do
    "$BIN/arkivar-indexer" --index "$IDX" "$T/big" 2>/dev/null & pid=$!
    sleep $delay
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        after=$(doccount "$IDX")
        [ "$after" = "$before" ] && xapian-check "$IDX" >/dev/null 2>&1
        ok $? "SIGKILL after ${delay}s leaves the last good index ($after passages)"
    else
        # big/ is its own root: indexing corpus/ no longer removes it, so it is the new
        # last good index.
        wait $pid; n=$((n+1)); echo "ok $n # skip the run finished before ${delay}s"
        before=$(doccount "$IDX")
    fi
done
# progress on a non-terminal (cron, systemd): whole lines, as often as --progress says
mkdir -p "$T/prog"
for i in $(seq 1 40); do cp corpus/001_* "$T/prog/copy$i.txt"; done
"$BIN/arkivar-indexer" --progress 0.05 --threads 1 --index "$T/prog-idx" "$T/prog" 2>"$T/prog.log"; rc=$?
lines=$(grep -c '^arkivar-indexer: progress: [0-9]* of 40 files, [0-9.]* of [0-9.]* MB, [0-9]* passages, [0-9.]* MB/s, .* left$' "$T/prog.log")
[ $rc = 0 ] && [ "$lines" -ge 2 ] && ! grep -q $'\r' "$T/prog.log"
ok $? "--progress: a line every so often, no carriage returns ($lines lines: $(grep -m1 progress "$T/prog.log"))"
"$BIN/arkivar-indexer" --progress 0 --index "$T/prog-idx2" "$T/prog" 2>"$T/prog0.log"
! grep -q progress "$T/prog0.log" && grep -q 'files indexed' "$T/prog0.log"; ok $? "--progress 0: none, the summary stays"
"$BIN/arkivar-indexer" --progress soon --index "$T/prog-idx3" "$T/prog" 2>/dev/null; rc=$?
[ $rc = 2 ] && [ ! -e "$T/prog-idx3" ]; ok $? "--progress soon is a usage error (exit $rc)"
echo "1..$n"
exit $((failed > 0))
