#!/usr/bin/env bash
# tests/t_relevance.sh: ranking quality against the judged queries in tests/relevance/ (TAP).
# Builds an index of corpus/ with arkivar-indexer, starts arkivar-server on a free port, runs
# tests/relevance/score.py (nDCG@10, MRR, Recall@10 per query kind, next to plain Xapian BM25 on
# the same passages) and gives one test point per kind and one overall: Arkivar's nDCG@10 must
# not fall below tests/relevance/floor.tsv. The full table follows as diagnostics.
# Needs curl and Debian's /usr/bin/python3 with the xapian module (package python3-xapian).
# ARK_BIN (default bin) says where the binaries are; PYTHON overrides /usr/bin/python3.
set -u

ARK_BIN=${ARK_BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
DIR=tests/relevance
PID=

. "$(dirname "$0")/lib.sh"
require curl "$SERVER" "$INDEXER"
if ! "$PYTHON" -c 'import xapian' 2>/dev/null; then
    echo "1..1"
    echo "not ok 1 - $PYTHON has the xapian module (needed for the plain-Xapian baseline)"
    echo "# $PYTHON cannot 'import xapian': install Debian's python3-xapian (apt-get install python3-xapian)"
    echo "# and run with Debian's /usr/bin/python3 (a pyenv or venv python does not see it), or set PYTHON."
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_relevance.XXXXXX")
cleanup() {
    # Only the server this script started, by its PID.
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT

if ! "$INDEXER" --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1; then
    echo "1..1"
    echo "not ok 1 - arkivar-indexer builds an index of corpus/"
    sed 's/^/# /' "$TMP/indexer.log"
    exit 1
fi
if ! start_server "$PORT" "$TMP/server.log" --index "$TMP/idx"; then
    echo "1..1"
    echo "not ok 1 - arkivar-server answers /health"
    sed 's/^/# /' "$TMP/server.log"
    exit 1
fi

# score.py exits 1 when a floor is not met; the per-kind verdicts below come from the summary.
"$PYTHON" "$DIR/score.py" --server "$BASE" --baseline --floor "$DIR/floor.tsv" \
    --summary "$TMP/summary.tsv" >"$TMP/score.out" 2>"$TMP/score.err"
rc=$?
if [ $rc -ge 2 ] || [ ! -s "$TMP/summary.tsv" ]; then
    echo "1..1"
    echo "not ok 1 - score.py scores the judged queries (exit $rc)"
    sed 's/^/# /' "$TMP/score.err" "$TMP/score.out"
    exit 1
fi

n=0
failed=0
while IFS=$'\t' read -r kind count ndcg mrr recall bndcg bmrr brecall; do
    floor=$(awk -F'\t' -v k="$kind" '$1 == k { print $2 }' "$DIR/floor.tsv")
    n=$((n + 1))
    label="kind $kind"; [ "$kind" = all ] && label="overall"
    if [ -z "$floor" ]; then
        echo "not ok $n - $label: nDCG@10 $ndcg, no floor in $DIR/floor.tsv (plain Xapian $bndcg)"
        failed=$((failed + 1))
    elif awk -v a="$ndcg" -v f="$floor" 'BEGIN { exit !(a + 0 >= f + 0) }'; then
        echo "ok $n - $label: nDCG@10 $ndcg >= floor $floor (plain Xapian $bndcg; $count queries)"
    else
        echo "not ok $n - $label: nDCG@10 $ndcg < floor $floor (plain Xapian $bndcg; $count queries)"
        failed=$((failed + 1))
    fi
    # issue #5: Arkivar must beat plain Xapian on every kind of query
    n=$((n + 1))
    if awk -v a="$ndcg" -v b="$bndcg" 'BEGIN { exit !(a + 0 >= b + 0) }'; then
        echo "ok $n - $label: Arkivar nDCG@10 $ndcg >= plain Xapian $bndcg"
    else
        echo "not ok $n - $label: Arkivar nDCG@10 $ndcg < plain Xapian $bndcg"
        failed=$((failed + 1))
    fi
done <"$TMP/summary.tsv"

sed 's/^/# /' "$TMP/score.out"
[ -s "$TMP/score.err" ] && sed 's/^/# /' "$TMP/score.err"
echo "1..$n"
[ $failed = 0 ]
