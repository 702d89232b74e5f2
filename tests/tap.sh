# tests/tap.sh: TAP helpers for the shell tests that describe each check in words
# (sourced, not run; t_server, t_page, t_hostile, t_access …). They count in n and failed; the
# script prints the plan ("1..$n") and exits non-zero when failed > 0.
# Why apart from lib.sh: other tests keep their own `ok STATUS DESC`.
# TAP: ok DESC / not_ok DESC print the next test line; diag prefixes stdin with "# ".
n=${n:-0}
failed=${failed:-0}
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /'; }
# ok_if STATUS DESC: one test, passed when STATUS (a command's $?) is 0.
ok_if() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
# check DESC CMD ARGS...: one test, passed when CMD succeeds; its output (20 lines) is
# shown as a diagnostic when it fails.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; printf '%s\n' "$out" | head -20 | diag; fi
}
