# tests/tap.sh: TAP helpers for the shell tests that describe each check in words
# (sourced, not run; t_server, t_page, t_hostile). They count in n and failed; the
# script prints the plan ("1..$n") and exits non-zero when failed > 0.
# Why apart from lib.sh: other tests keep their own `ok STATUS DESC`.
# TAP: ok DESC / not_ok DESC print the next test line; diag prefixes stdin with "# ".
n=${n:-0}
failed=${failed:-0}
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }
# check DESC CMD ARGS...: one test, passed when CMD succeeds; its output (20 lines) is
# shown as a diagnostic when it fails.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; printf '%s\n' "$out" | head -20 | diag; fi
}
