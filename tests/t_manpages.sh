#!/usr/bin/env bash
# tests/t_manpages.sh: the manual pages and the programs agree on their flags (TAP).
# Owns: for arkivar-indexer, arkivar-keys and arkivar-server, that every long flag their
# --help names has an entry in their page (man/*.1, man/*.8: a .TP item whose tag is the
# flag), and that every flag the page has an entry for is in --help; also that the page's
# SYNOPSIS names only flags of the program; and that the configuration file's example
# has a key for each of the server's flags. A flag that --help names after another
# program ("a running arkivar-server --keys FILE") is that program's and is not counted.
# Why: the pages are written by hand beside the usage text in each main.c; a flag added
# to one and not the other went unnoticed until an operator looked (issue 15).
# Needs python3 and the programs (ARK_BIN).
set -u

ARK_BIN=${ARK_BIN:-bin}
n=0
failed=0

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"

require python3 "$ARK_BIN/arkivar-indexer" "$ARK_BIN/arkivar-keys" "$ARK_BIN/arkivar-server"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_manpages.XXXXXX")
trap 'rm -rf "$T"' EXIT

# flags KIND FILE PROG: the long flags of PROG, one a line, sorted.
#   help: every --flag of FILE (the --help text), but those right after another program's
#         name on the same line;
#   man:  the flags that tag a .TP item of the page FILE (".B \-\-flag", ".BI \-\-flag …");
#   synopsis: every flag in the page's SYNOPSIS.
flags() {
    python3 - "$@" <<'PY'
import re, sys
kind, path, prog = sys.argv[1:4]
text = open(path, encoding="utf-8").read()
flag = r"--[a-z][a-z0-9-]*"
out = set()
if kind == "help":
    for line in text.splitlines():
        for m in re.finditer(flag, line):
            before = line[:m.start()].rstrip().split()
            if before and before[-1].startswith("arkivar-") and before[-1] != prog:
                continue
            out.add(m.group())
else:
    lines = text.replace("\\-", "-").splitlines()
    if kind == "man":
        for prev, line in zip(lines, lines[1:]):
            m = re.match(r"\.(?:B|BI|BR|IR|RB)\s+(" + flag + ")", line)
            if prev.strip() == ".TP" and m:
                out.add(m.group(1))
    else:  # synopsis
        inside = False
        for line in lines:
            if line.startswith(".SH"):
                inside = line.split(None, 1)[1].strip('"') == "SYNOPSIS"
            elif inside:
                out.update(re.findall(flag, line))
print("\n".join(sorted(out)))
PY
}

for page in man/arkivar-indexer.1 man/arkivar-keys.1 man/arkivar-server.8; do
    prog=$(basename "${page%.*}")
    if ! "$ARK_BIN/$prog" --help >"$T/$prog.help" 2>&1; then
        not_ok "$prog --help exits 0"
        continue
    fi
    flags help "$T/$prog.help" "$prog" >"$T/$prog.h"
    flags man "$page" "$prog" >"$T/$prog.m"
    flags synopsis "$page" "$prog" >"$T/$prog.s"
    nh=$(wc -l <"$T/$prog.h")
    check "$prog: each of the $nh flags of --help has an entry in $page" \
        bash -c "m=\$(comm -23 '$T/$prog.h' '$T/$prog.m'); [ -z \"\$m\" ] || { echo 'not in the page:' \$m; exit 1; }"
    check "$prog: each flag with an entry in $page is in --help" \
        bash -c "m=\$(comm -13 '$T/$prog.h' '$T/$prog.m'); [ -z \"\$m\" ] || { echo 'not in --help:' \$m; exit 1; }"
    check "$prog: the SYNOPSIS of $page names only flags of --help" \
        bash -c "m=\$(comm -13 '$T/$prog.h' '$T/$prog.s'); [ -z \"\$m\" ] || { echo 'not in --help:' \$m; exit 1; }"
done

# The configuration file's example (dist/arkivar.conf, installed as arkivar.conf.example)
# says it has every key: each key is a flag's name, so each server flag but --config,
# --help and --version must be a key there, and each key there a flag.
sed -n 's/^; *\([a-z][a-z0-9-]*\) *=.*/--\1/p' dist/arkivar.conf | sort -u >"$T/conf.k"
grep -vxE -- '--(config|help|version)' "$T/arkivar-server.h" >"$T/conf.f"
check "dist/arkivar.conf has a key for each flag of arkivar-server (but --config, --help, --version)" \
    bash -c "m=\$(comm -23 '$T/conf.f' '$T/conf.k'); [ -z \"\$m\" ] || { echo 'no key for:' \$m; exit 1; }"
check "each key of dist/arkivar.conf is a flag of arkivar-server" \
    bash -c "m=\$(comm -13 '$T/conf.f' '$T/conf.k'); [ -z \"\$m\" ] || { echo 'no flag for:' \$m; exit 1; }"

# The check itself: a flag missing from a page is caught (a copy of the server's page
# without its --log-query-hash entry).
sed '/^\.B \\-\\-log\\-query\\-hash$/{N;d}' man/arkivar-server.8 >"$T/cut.8"
flags man "$T/cut.8" arkivar-server >"$T/cut.m"
check "a page without an entry for one flag is caught" \
    bash -c "[ \"\$(comm -23 '$T/arkivar-server.h' '$T/cut.m')\" = --log-query-hash ]"

echo "1..$n"
[ "$failed" = 0 ]
