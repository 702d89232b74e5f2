#!/usr/bin/env bash
# tests/t_fuzz.sh: a short run of every libFuzzer target (TAP), so that a parser or
# segmenter regression found by fuzzing fails `make test`. The long run (a million
# executions each) is scripts/fuzz.sh.
set -u
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/ark-fuzz.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
if ! command -v clang >/dev/null; then
    echo "not ok 1 - clang is missing (scripts/install-deps.sh installs it)"; echo "1..1"; exit 1
fi
# A crash is kept: its log's end and the input (in hex) go to this test's output, which
# is all a CI run leaves, and both are copied out of the temporary folder.
keep_crash() { # target
    keep=${ARK_FUZZ_KEEP:-/tmp}/ark-fuzz-$1-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$keep" && cp "$OUT/$1.log" "$OUT/$1"-* "$keep"/ 2>/dev/null
    echo "# $1: log and input kept in $keep"
    tail -40 "$OUT/$1.log" | sed 's/^/# /'
    for a in "$OUT/$1"-crash-* "$OUT/$1"-timeout-* "$OUT/$1"-leak-* "$OUT/$1"-oom-*; do
        [ -f "$a" ] || continue
        echo "# input ${a##*/} ($(wc -c <"$a") bytes), first 1024 in hex:"
        od -An -tx1 -N1024 "$a" | sed 's/^/# /'
    done
}
FUZZ_OUT=$OUT sh scripts/fuzz.sh "${ARK_FUZZ_RUNS:-3000}" 60 >"$OUT/table" 2>&1
n=0; failed=0
while read -r t runs secs rate cov res; do
    case "$t" in fuzz_*) ;; *) continue ;; esac
    n=$((n+1))
    if [ "$res" = ok ] && [ "$runs" -gt 0 ]; then
        echo "ok $n - $t: $runs executions in ${secs}s without a crash (coverage $cov)"
    else
        echo "not ok $n - $t crashed"; failed=$((failed+1))
        keep_crash "$t"
    fi
done <"$OUT/table"
if [ $n -lt 5 ]; then
    sed 's/^/# /' "$OUT/table"; n=$((n+1)); echo "not ok $n - every fuzz target built and ran"
    failed=$((failed+1))
fi
echo "1..$n"
exit $((failed > 0))
