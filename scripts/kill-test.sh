#!/usr/bin/env bash
# scripts/kill-test.sh: SIGKILL the indexer at random moments, many times, and check that
# every kill leaves the last good index: same passage count, xapian-check clean, and
# searchable. tests/t_indexer.sh runs three kills; this runs hundreds.
#   scripts/kill-test.sh [KILLS] [SIZE]     default 200 kills on a generated 5MB corpus
set -u
cd "$(dirname "$0")/.."
KILLS=${1:-200}
SIZE=${2:-5MB}
T=$(mktemp -d /tmp/ark-kill.XXXXXX)
trap 'rm -rf "$T"' EXIT
BIN=${ARK_BIN:-bin}
/usr/bin/python3 scripts/gen-corpus.py "$T/corpus" --size "$SIZE" >/dev/null 2>&1 || { echo "gen-corpus failed"; exit 1; }
"$BIN/arkivar-indexer" --quiet --index "$T/idx" corpus || exit 1
count() { xapian-delve "$T/idx" 2>/dev/null | sed -n 's/^number of documents = //p'; }
good=$(count)
start=$(date +%s)
"$BIN/arkivar-indexer" --quiet --index "$T/full" "$T/corpus"
full_ms=$(( ($(date +%s) - start) * 1000 ))
[ "$full_ms" -lt 1000 ] && full_ms=1000
ok=0; finished=0; bad=0
for i in $(seq 1 "$KILLS"); do
    "$BIN/arkivar-indexer" --quiet --index "$T/idx" "$T/corpus" & pid=$!
    sleep "$(awk -v r="$RANDOM" -v m="$full_ms" 'BEGIN { printf "%.3f", (r / 32767) * m / 1000 }')"
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        now=$(count)
        if [ "$now" = "$good" ] && xapian-check "$T/idx" >/dev/null 2>&1; then ok=$((ok+1))
        else bad=$((bad+1)); echo "kill $i: index has $now passages (want $good) or fails xapian-check"; fi
    else
        wait $pid; finished=$((finished+1))
        # the run completed: the new index is the good one now; start over from corpus/
        rm -rf "$T/idx"; "$BIN/arkivar-indexer" --quiet --index "$T/idx" corpus
    fi
done
echo "kills: $KILLS, index intact after kill: $ok, runs that finished first: $finished, damaged: $bad"
[ $bad = 0 ]
