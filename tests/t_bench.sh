#!/usr/bin/env bash
# tests/t_bench.sh: the benchmarks' smoke runs (TAP), so that a regression that breaks
# them, or makes a request fail or take over 500 ms at p99, fails `make test`. The real
# runs, which print the README's figures, are scripts/bench-index.sh and bench-load.sh;
# docs/scaling.md's, scripts/bench-shards.sh.
set -u
cd "$(dirname "$0")/.."
case "${ARK_BUILD:-build}" in
*-san) echo "1..0 # SKIP the benchmarks measure the optimized build (bin/, build/)"; exit 0 ;;
esac
D=$(mktemp -d /tmp/ark-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT
n=0; failed=0
run() { # description command...
    local what=$1; shift
    n=$((n+1))
    if "$@" >"$D/out.$n" 2>&1; then echo "ok $n - $what"
    else echo "not ok $n - $what"; failed=$((failed+1)); fi
    sed 's/^/# /' "$D/out.$n" | tail -15
}
run "indexing benchmark, smoke run (2 MB generated corpus)" bash scripts/bench-index.sh --smoke "$D"
run "load benchmark, smoke run (1 and 16 connections, no error, p99 < 500 ms)" bash scripts/bench-load.sh --smoke "$D"
run "shard benchmark, smoke run (1 and 2 shards, local and over tcpsrv, same totals)" bash scripts/bench-shards.sh --smoke "$D"
echo "1..$n"
exit $((failed > 0))
