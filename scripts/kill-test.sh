#!/usr/bin/env bash
# scripts/kill-test.sh: SIGKILL the indexer at random moments, many times, while a server
# answers queries on the index, and check that every kill leaves the last committed run
# and that the server never answers from a half state.
#   scripts/kill-test.sh [KILLS] [SIZE]     default 200 kills on a generated 5MB corpus
# The index flips between two states of one folder: A (all files of the corpus) and B
# (every other file moved aside), with --allow-removals, so each run adds or removes half
# the corpus in one transaction. After each kill: the index holds exactly the last
# committed state's passages and xapian-check is clean. Meanwhile a client queries the
# server without pause (/health and /api/search): every answer must be 200, with the
# passage count and the search total of state A or of state B, nothing in between.
# tests/t_indexer.sh runs three kills; this runs hundreds.
set -u
cd "$(dirname "$0")/.."
KILLS=${1:-200}
SIZE=${2:-5MB}
BIN=${ARK_BIN:-bin}
T=$(mktemp -d /tmp/ark-kill.XXXXXX)
SPID=; SPID2=; QPID=
cleanup() {
    for p in $QPID $SPID $SPID2; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
. tests/lib.sh
Q=${KILL_QUERY:-skolemad} # fewer matches than the engine counts exactly (1000) in A and B

/usr/bin/python3 scripts/gen-corpus.py "$T/gen" --size "$SIZE" >/dev/null 2>&1 || { echo "gen-corpus failed"; exit 1; }
mkdir -p "$T/corpus" "$T/aside"
find "$T/gen" -type f | sort | while read -r f; do mv "$f" "$T/corpus/"; done
count() { xapian-delve "$1" 2>/dev/null | sed -n 's/^number of documents = //p'; }
to_b() { ls "$T/corpus" | sort | awk 'NR % 2 == 0' | while read -r f; do mv "$T/corpus/$f" "$T/aside/"; done; }
to_a() { mv "$T/aside/"* "$T/corpus/"; }
# exec: `run ... &` must be the indexer itself, or kill -9 would hit a subshell
run() { exec "$BIN/arkivar-indexer" --quiet --allow-removals --index "$1" "$T/corpus"; }
total() {
    curl -s "http://127.0.0.1:$1/api/search?q=$Q&limit=1" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}

# state A in idx, state B in idxB: the two answers the server may give
(run "$T/idx") || exit 1
count_a=$(count "$T/idx")
cp -a "$T/idx" "$T/idxB"
to_b
start=$(date +%s%N)
(run "$T/idxB") || exit 1
ms_ab=$(( ($(date +%s%N) - start) / 1000000 ))
count_b=$(count "$T/idxB")
cp -a "$T/idxB" "$T/idxA"
to_a
start=$(date +%s%N)
(run "$T/idxA") || exit 1
ms_ba=$(( ($(date +%s%N) - start) / 1000000 ))
rm -rf "$T/idxA"
# kills fall anywhere in the longer run's time and a little past it, so that some runs
# finish and the index flips between A and B
full_ms=$(( (ms_ab > ms_ba ? ms_ab : ms_ba) * 6 / 5 ))
PORT=$(free_port)
start_server "$PORT" "$T/server.log" --index "$T/idx" --threads 2 || { echo "server failed"; cat "$T/server.log"; exit 1; }
SPID=$PID
PORT2=$(free_port)
start_server "$PORT2" "$T/server2.log" --index "$T/idxB" --threads 1 || { echo "server failed"; exit 1; }
SPID2=$PID
total_a=$(total "$PORT"); total_b=$(total "$PORT2")
kill -TERM "$SPID2"; wait "$SPID2" 2>/dev/null; SPID2=
rm -rf "$T/idxB"
echo "state A: $count_a passages, '$Q' $total_a results; state B: $count_b passages, $total_b results; a run takes $ms_ab ms (A to B), $ms_ba ms (B to A)"
[ "$count_a" != "$count_b" ] && [ "$total_a" != "$total_b" ] && [ "$total_a" -lt 1000 ] && [ "$total_b" -lt 1000 ] ||
    { echo "the two states must differ in passages and in exact totals (pick KILL_QUERY)"; exit 1; }

# the client: queries without pause until $T/stop exists; one summary line at the end
/usr/bin/python3 - "$PORT" "$Q" "$count_a" "$count_b" "$total_a" "$total_b" "$T/stop" >"$T/client.out" <<'PY' &
import http.client, json, os, sys
port, q, ca, cb, ta, tb, stop = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7]), sys.argv[7]
n = bad = errors = 0
seen = {}
c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
while not os.path.exists(stop):
    for path, key, ok in (("/health", "passages", (ca, cb)), ("/api/search?q=%s&limit=1" % q, "total", (ta, tb))):
        n += 1
        try:
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                errors += 1
                if errors <= 5: print("status %d for %s: %s" % (r.status, path, body[:200]))
                continue
            v = json.loads(body)[key]
            seen[(key, v)] = seen.get((key, v), 0) + 1
            if v not in ok:
                bad += 1
                if bad <= 5: print("%s %s is neither state's (%s)" % (path, v, ok))
        except Exception as e:
            errors += 1
            if errors <= 5: print("request failed: %r" % e)
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
print("client: %d requests, %d errors, %d answers from neither state; seen %s" % (n, errors, bad, sorted(seen.items())))
PY
QPID=$!

good=$count_a; state=A
ok=0; finished=0; bad=0
t0=$(date +%s)
for i in $(seq 1 "$KILLS"); do
    # the folder holds the state the run goes to; the index holds the last committed one
    if [ $state = A ]; then to_b; else to_a; fi
    run "$T/idx" & pid=$!
    sleep "$(awk -v r="$RANDOM" -v m="$full_ms" 'BEGIN { printf "%.3f", (r / 32767) * m / 1000 }')"
    if kill -9 $pid 2>/dev/null; then
        wait $pid 2>/dev/null
        now=$(count "$T/idx")
        if [ "$now" = "$good" ] && xapian-check "$T/idx" >/dev/null 2>&1; then ok=$((ok+1))
        else bad=$((bad+1)); echo "kill $i: index has $now passages (want $good) or fails xapian-check"; fi
        # back to the committed state's folder, so the next run flips again
        if [ $state = A ]; then to_a; else to_b; fi
    else
        if ! wait $pid; then
            bad=$((bad+1)); echo "run $i failed"
            if [ $state = A ]; then to_a; else to_b; fi
            continue
        fi
        finished=$((finished+1))
        if [ $state = A ]; then state=B; good=$count_b; else state=A; good=$count_a; fi
        [ "$(count "$T/idx")" = "$good" ] || { bad=$((bad+1)); echo "run $i finished but the index has $(count "$T/idx") passages (want $good)"; }
    fi
done
touch "$T/stop"
wait $QPID; QPID=
secs=$(( $(date +%s) - t0 ))
cat "$T/client.out"
kill -0 "$SPID" 2>/dev/null && srv=alive || srv=dead
echo "kills: $KILLS, index intact after kill: $ok, runs that finished first: $finished, damaged: $bad; server $srv; $secs s"
grep -q "0 errors, 0 answers from neither" "$T/client.out" && [ $bad = 0 ] && [ $srv = alive ]
