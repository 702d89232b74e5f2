#!/usr/bin/env bash
# tests/t_fulldisk.sh: the indexer on a full disk, a small tmpfs (TAP; needs root).
# Owns: a run that meets ENOSPC, for a new index (parts under DIR/.build-PID, then the
# merge) and for an update (one transaction) in each phase Xapian 1.4.22 fails in: an
# error from a flush inside the transaction (an add), an error from the commit,
# "Modifications failed ... couldn't open at the old revision", and the commit Xapian
# aborts (std::terminate). Each must exit 3 naming "No space left
# on device", leave no scratch or temp file, keep the last index (same count,
# xapian-check clean, a server on it answers as before), and the next run with room
# must succeed. The tmpfs sizes are where those phases fall for this corpus (seed 2026),
# index format 9, a flush every 500 passages (found by scanning sizes; each is
# mid-window: the commit's error falls between 15616 and 16000 KB)
# and Xapian 1.4.22; the first case checks that the update needs more room than given.
# Why: before, a failed update left its table files grown and the next run aborted
# (exit 134, "terminate called after throwing an instance of 'Xapian::DatabaseError'").
# Needs root (mount), curl, python3, xapian-check; ARK_BIN says where the binaries are.
set -u

ARK_BIN=${ARK_BIN:-bin}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl python3 xapian-check xapian-delve mount umount "$SERVER" "$INDEXER"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_fulldisk.XXXXXX")
M=$TMP/mnt
mkdir -p "$M"
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    mountpoint -q "$M" && umount "$M"
    rm -rf "$TMP"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=1m tmpfs "$M" || ! umount "$M"; then
    echo "not ok 1 - mount -t tmpfs works (the test needs root)"
    echo "1..1"
    exit 1
fi
if ! /usr/bin/python3 scripts/gen-corpus.py "$TMP/gen" --size 2MB --seed 2026 >/dev/null 2>&1; then
    echo "not ok 1 - scripts/gen-corpus.py makes a 2 MB corpus"
    echo "1..1"
    exit 1
fi

count() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
# stray DIR: files in DIR that are neither Xapian's tables nor its lock (scratch
# parts, the compactor's temp files, anything else).
stray() { ls -A "$1" | grep -Ev '^(flintlock|iamglass|(postlist|docdata|termlist|position|spelling|synonym)\.glass)$'; }
no_stray() { local s; s=$(stray "$1"); [ -z "$s" ] && return 0; echo "stray: $s"; return 1; }
# full_run LOG ARGS...: run the indexer; passes when it exits 3 and LOG names ENOSPC.
full_run() {
    local log=$1 rc
    shift
    "$INDEXER" --quiet "$@" 2>"$log"
    rc=$?
    [ $rc = 3 ] && grep -q "No space left on device" "$log" && return 0
    echo "exit $rc"
    cat "$log"
    return 1
}

# ---- A new index: the parts or the merge do not fit -----------------------------------
mount -t tmpfs -o size=8m tmpfs "$M"
# A scratch part's commit() that fails on the full disk leaks 112 bytes (and a string)
# inside libxapian 1.4.22, allocated and lost by Xapian itself: in the sanitizer build
# that leak alone is suppressed, for this one run; ours are still reported.
printf 'leak:libxapian.so\n' >"$TMP/lsan.supp"
export LSAN_SUPP="suppressions=$TMP/lsan.supp"
check "new index on 8 MB: exit 3, the message names ENOSPC" env LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}$LSAN_SUPP" \
    bash -c "$(declare -f full_run); INDEXER='$INDEXER' full_run '$TMP/new.log' --index '$M/idx' '$TMP/gen'"
grep "arkivar-indexer" "$TMP/new.log" | head -3 | diag
check "new index: no scratch part, no table, no temp file left" no_stray "$M/idx"
[ "$(ls -A "$M/idx" | grep -c .glass)" = 0 ] && [ ! -e "$M/idx/iamglass" ] && ok "new index: DIR shows no index" || not_ok "new index: DIR shows no index"
mount -o remount,size=64m "$M"
check "new index: the next run with room succeeds" "$INDEXER" --quiet --index "$M/idx" "$TMP/gen"
check "new index: xapian-check is clean" xapian-check "$M/idx"
check "new index: nothing stray after the good run" no_stray "$M/idx"
umount "$M"

# ---- An update: one transaction that does not fit --------------------------------------
mkdir -p "$TMP/up"
cp -r corpus "$TMP/up/seed"
for kb in 10240 15872 16704 17216; do
    rm -rf "$TMP/up/gen"
    mount -t tmpfs -o size=${kb}k tmpfs "$M"
    "$INDEXER" --quiet --index "$M/idx" "$TMP/up" 2>"$TMP/base.log" || { not_ok "update/$kb: base index"; diag <"$TMP/base.log"; umount "$M"; continue; }
    before=$(count "$M/idx")
    PORT=$(free_port)
    if ! start_server "$PORT" "$TMP/server.log" --index "$M/idx" --threads 2; then
        not_ok "update/$kb: server starts"; diag <"$TMP/server.log"; umount "$M"; continue
    fi
    total0=$(curl -s "http://127.0.0.1:$PORT/api/search?q=kommune" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    cp -r "$TMP/gen" "$TMP/up/gen"
    check "update/$kb KB: exit 3, the message names ENOSPC" full_run "$TMP/up-$kb.log" --index "$M/idx" "$TMP/up"
    grep "arkivar-indexer" "$TMP/up-$kb.log" | head -1 | cut -c1-200 | diag
    check "update/$kb KB: the index holds the last run ($before passages)" test "$(count "$M/idx")" = "$before"
    check "update/$kb KB: xapian-check is clean" xapian-check "$M/idx"
    check "update/$kb KB: no file beside Xapian's tables (v.tmp, ...)" no_stray "$M/idx"
    sleep 0.3 # the server's revision check (200 ms)
    health=$(curl -s "http://127.0.0.1:$PORT/health")
    total1=$(curl -s "http://127.0.0.1:$PORT/api/search?q=kommune" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    check "update/$kb KB: the server still answers from the last run ($total0 results)" \
        test "$total1" = "$total0" -a -n "$total0"
    check "update/$kb KB: /health counts the last run's $before passages" \
        python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["passages"] != int(sys.argv[2]))' "$health" "$before"
    # the table files stay at their grown size (Xapian never truncates); the next run
    # writes into those free blocks first, and needs only room for the rest
    mount -o remount,size=$((kb + 40960))k "$M"
    check "update/$kb KB: the next run with room succeeds" "$INDEXER" --quiet --index "$M/idx" "$TMP/up"
    after=$(count "$M/idx")
    check "update/$kb KB: it holds the new run ($after > $before passages)" test "${after:-0}" -gt "$before"
    check "update/$kb KB: xapian-check is clean after it" xapian-check "$M/idx"
    sleep 0.3
    total2=$(curl -s "http://127.0.0.1:$PORT/api/search?q=kommune" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    check "update/$kb KB: the server answers from the new run" test "${total2:-0}" -gt "${total0:-0}"
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null
    PID=
    umount "$M"
done
# the sizes must still meet the four phases (else pick new ones: the diagnostics above
# say which phase each met; the writer flushes every ARK_WDB_FLUSH passages, index.h)
check "update: 10240 KB fails in a flush inside the transaction" grep -q "ark_wdb_add: DatabaseError: Error writing" "$TMP/up-10240.log"
check "update: 15872 KB fails in the commit" grep -q "ark_wdb_commit: DatabaseError: Error writing" "$TMP/up-15872.log"
check "update: 16704 KB fails and Xapian cannot reopen the old revision" grep -q "Modifications failed" "$TMP/up-16704.log"
check "update: 17216 KB is the commit Xapian aborts" grep -q "Xapian aborted inside its commit" "$TMP/up-17216.log"

echo "1..$n"
[ "$failed" = 0 ]
