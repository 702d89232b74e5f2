#!/usr/bin/env bash
# tests/t_haystack.sh: the five records hidden among thousands of other Danish documents (TAP).
# Owns: issue 14's scale check. The judged queries of tests/relevance/queries.tsv are run
# against an index of corpus/ alone and against one of corpus/ plus the 2,500 Danish pages
# of LibreOffice's help (Debian's libreoffice-help-da: real Danish prose on other
# subjects, with their own "eksempel", "åben", "regler" and "kommune"), and the answers
# must stay within a few points: MRR at most 0.05 and nDCG@10 at most 0.06 below the
# five records' figures overall, and of the queries whose right passage comes first on
# the five records, at most 2 % lose it from the first three among the thousands.
# Why not scripts/gen-corpus.py: its documents are a Markov chain over the five records
# themselves, so their sentences are the judged passages' own words, reshuffled; that
# measures near-duplicate detection, not whether the right passage rises among other
# documents (the README's relevance section gives both figures).
# ARK_BIN (default bin) says where the binaries are; PYTHON overrides /usr/bin/python3.
set -u

ARK_BIN=${ARK_BIN:-bin}
PYTHON=${PYTHON:-/usr/bin/python3}
SERVER=$ARK_BIN/arkivar-server
INDEXER=$ARK_BIN/arkivar-indexer
HELP=/usr/share/libreoffice/help/da/text
DIR=tests/relevance
n=0
failed=0
PID=

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require curl "$SERVER" "$INDEXER"
pages=$(find "$HELP" -name '*.html' 2>/dev/null | wc -l)
if [ "$pages" -lt 2000 ]; then
    echo "not ok 1 - $HELP holds the Danish help pages ($pages found; apt-get install libreoffice-help-da)"
    echo "1..1"
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/t_haystack.XXXXXX")
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT

# score INDEX OUT: the judged queries against a server on INDEX, summary into OUT.
score() {
    local port
    port=$(free_port)
    start_server "$port" "$T/s.log" --index "$1" --threads 2 || return 1
    "$PYTHON" "$DIR/score.py" --server "http://127.0.0.1:$port" --show --summary "$2" >"$2.show" 2>"$2.err"
    local rc=$?
    kill -TERM "$PID"; wait "$PID" 2>/dev/null; PID=
    [ $rc -lt 2 ] && [ -s "$2" ]
}

"$INDEXER" --quiet --index "$T/five" corpus 2>"$T/i1.log"; ok_if $? "corpus/ alone indexes"
t0=$(date +%s%N)
# A few help pages hold no text (screenshot lists): named and skipped, exit 1.
"$INDEXER" --quiet --index "$T/hay" corpus "$HELP" 2>"$T/i2.log"; rc=$?
docs=$(xapian-delve "$T/hay" 2>/dev/null | sed -n 's/^number of documents = //p')
[ $rc -le 1 ] && ! grep -v 'no text' "$T/i2.log" | grep -q . && [ "${docs:-0}" -gt 20000 ]
ok_if $? "corpus/ and $pages help pages index in $(( ($(date +%s%N) - t0) / 1000000 )) ms ($docs passages; exit $rc)"

score "$T/five" "$T/five.tsv"; ok_if $? "the judged queries score on the five records"
score "$T/hay" "$T/hay.tsv"; ok_if $? "the judged queries score among the help pages"

# Overall: within a few points.
read -r fn fm < <(awk -F'\t' '$1 == "all" { print $3, $4 }' "$T/five.tsv")
read -r hn hm < <(awk -F'\t' '$1 == "all" { print $3, $4 }' "$T/hay.tsv")
awk -v a="$fm" -v b="$hm" -v c="$fn" -v d="$hn" 'BEGIN { exit !(b >= a - 0.05 && d >= c - 0.06) }'
ok_if $? "among thousands: MRR $hm (five records $fm), nDCG@10 $hn ($fn)"

# Per query: a right passage first on the five records is still in the first three.
"$PYTHON" - "$T/five.tsv.show" "$T/hay.tsv.show" >"$T/drop.out" <<'PY'
import re, sys
def firsts(path):
    out, q = {}, None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^\[(\w+)\] (.*?)   nDCG", line)
        if m:
            q = m.group(2)
            out[q] = 99
        m = re.match(r"^\s+(\d+)\. g=([12]) ", line)
        if q and m and out[q] == 99:
            out[q] = int(m.group(1))
    return out
five, hay = firsts(sys.argv[1]), firsts(sys.argv[2])
lost = [q for q, r in five.items() if r == 1 and hay.get(q, 99) > 3]
for q in lost:
    print("# %s: first on the five records, rank %s among the help pages" % (q, hay.get(q)))
print("queries %d lost %d" % (sum(1 for r in five.values() if r == 1), len(lost)))
PY
read -r _ first _ lost < <(tail -1 "$T/drop.out")
[ "${first:-0}" -gt 100 ] && [ $(( lost * 50 )) -le "$first" ]
ok_if $? "of the queries answered first on the five records, at most 2 % lose the answer from the top 3 among the thousands ($(tail -1 "$T/drop.out"))"
grep '^#' "$T/drop.out" | head -20

echo "# kind: nDCG@10 and MRR on the five records -> among the help pages"
join -t $'\t' <(sort "$T/five.tsv") <(sort "$T/hay.tsv") |
    awk -F'\t' '{ printf "# %-12s %s %s -> %s %s\n", $1, $3, $4, $7, $8 }'
check "no sanitizer report" bash -c "! grep -E 'Sanitizer|runtime error' '$T/s.log' '$T/i1.log' '$T/i2.log'"
echo "1..$n"
[ "$failed" = 0 ]
