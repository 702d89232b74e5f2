#!/usr/bin/env bash
# tests/t_lengths.sh: BM25 with the passages' lengths from the value store ranks as
# Xapian's BM25Weight does (TAP; issue 10, lib/index/shim_bm25.cc).
# Owns: the same answers (scripts/queries.txt, two pages each, tests/same_answers.py:
# passages, scores, totals, facets) from one index, whose match reads the lengths from
# the server's table, and from the same index beside an empty shard, whose match asks
# Xapian (BM25Weight, the same statistics); and, after an update run adds, changes and
# removes files under a running server, from that server (its table grown from the
# docids it had) and from one started afresh.
# Why: a stale or missing length ranks silently wrong, and nothing else would notice.
# The corpus is small enough that no query matches 1,000 passages: past that, the two
# paths count facets on other subsets of the matches (count_shards), by design.
set -u
ARK_BIN=${ARK_BIN:-bin}
INDEXER=$ARK_BIN/arkivar-indexer
n=0
failed=0
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"
require curl python3 "$ARK_BIN/arkivar-server" "$INDEXER"
scratch t_lengths
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
Q=scripts/queries.txt

mkdir -p "$TMP/c" "$TMP/none"
cp corpus/*.txt "$TMP/c/"
/usr/bin/python3 scripts/gen-corpus.py "$TMP/c/gen" --size 300KB --seed 11 >/dev/null 2>&1
check "the first index is built" "$INDEXER" --quiet --index "$TMP/idx" "$TMP/c"
check "an index of nothing is built, the empty shard" "$INDEXER" --quiet --index "$TMP/empty" "$TMP/none"
passages() { curl -s "http://127.0.0.1:$1/health" | json_field 'd["passages"]'; }

P1=$(free_port)
start_server "$P1" "$TMP/s1.log" --index "$TMP/idx" || { not_ok "server 1 starts"; diag <"$TMP/s1.log"; }
PIDS+=("$PID")
before=$(passages "$P1")
/usr/bin/python3 tests/same_answers.py "http://127.0.0.1:$P1" "http://127.0.0.1:$P1" "$Q" >/dev/null 2>&1 # builds its table

# An update: a new folder, a changed file (new docids for its passages), a removed one.
/usr/bin/python3 scripts/gen-corpus.py "$TMP/c/more" --size 100KB --seed 12 >/dev/null 2>&1
# gen-corpus writes its files in numbered folders: the first two files, wherever they are
mapfile -t gen < <(find "$TMP/c/gen" -type f -name '*.txt' | sort | head -2)
check "the generated corpus has files to change (${#gen[@]})" test "${#gen[@]}" = 2
printf '\nTilføjet: kommunens nye plan for skolemad og trafik i byen.\n' >>"${gen[0]}"
rm -f "${gen[1]}"
check "the update run succeeds" "$INDEXER" --quiet --index "$TMP/idx" "$TMP/c"
after=$before
for _ in $(seq 1 100); do
    after=$(passages "$P1")
    [ "$after" != "$before" ] && break
    sleep 0.1
done
check "server 1 sees the update ($before -> $after passages)" test "$after" != "$before"

P2=$(free_port)
start_server "$P2" "$TMP/s2.log" --index "$TMP/idx" || { not_ok "server 2 starts"; diag <"$TMP/s2.log"; }
PIDS+=("$PID")
/usr/bin/python3 tests/same_answers.py "http://127.0.0.1:$P1" "http://127.0.0.1:$P2" "$Q" >"$TMP/d12" 2>&1
rc=$?
check "the updated server's answers are a fresh server's ($(tail -1 "$TMP/d12"))" test "$rc" = 0
[ "$rc" = 0 ] || diag <"$TMP/d12"

P3=$(free_port)
start_server "$P3" "$TMP/s3.log" --index "$TMP/idx" --shard "$TMP/empty" || { not_ok "server 3 starts"; diag <"$TMP/s3.log"; }
PIDS+=("$PID")
/usr/bin/python3 tests/same_answers.py "http://127.0.0.1:$P2" "http://127.0.0.1:$P3" "$Q" >"$TMP/d23" 2>&1
rc=$?
check "lengths from the table rank as Xapian's BM25Weight ($(tail -1 "$TMP/d23"))" test "$rc" = 0
[ "$rc" = 0 ] || diag <"$TMP/d23"
echo "1..$n"
[ "$failed" = 0 ]
