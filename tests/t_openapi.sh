#!/usr/bin/env bash
# tests/t_openapi.sh: /api/openapi.json against a real validator and the real server (TAP).
# Validates the served document with @apidevtools/swagger-parser (OpenAPI 3.0, every $ref
# resolved), and that the validator refuses a copy with a broken $ref; checks that it is
# server/static/openapi.json as compiled in, that it names every route of the route table
# (server/routes.c; /usr/bin/python3, standard library only), and runs each documented
# example request (x-arkivar-examples) against a server on corpus/: the status, and the
# answer against the documented schema (ajv, nullable and all). Every documented parameter
# of an /api route is taken, an undocumented one refused. The validator checks are
# tests/openapi/check.mjs, with swagger-parser and ajv pinned in tests/openapi/package-lock.json
# and installed by `npm ci --prefix tests/openapi` when node_modules is missing, as
# tests/t_browser.sh gets playwright-core. Needs curl, node and npm (scripts/install-deps.sh):
# without them, or when npm ci fails, the test fails; it does not skip.
set -u

ARK_BIN=${ARK_BIN:-bin}
n=0
failed=0
PID=
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"
require curl "$ARK_BIN/arkivar-server" "$ARK_BIN/arkivar-indexer"

HERE=$(cd "$(dirname "$0")" && pwd)
bail() { echo "not ok 1 - $1"; shift; printf '%s\n' "$@" | diag; echo "1..1"; exit 1; }
command -v node >/dev/null || bail "node is installed" "node not found: run scripts/install-deps.sh (Debian package nodejs)"
if [ ! -d "$HERE/openapi/node_modules/@apidevtools/swagger-parser" ] || [ ! -d "$HERE/openapi/node_modules/ajv" ]; then
    command -v npm >/dev/null || bail "npm is installed" "npm not found: run scripts/install-deps.sh (Debian package npm)"
    echo "# installing @apidevtools/swagger-parser and ajv: npm ci --prefix tests/openapi"
    npmlog=$(mktemp "${TMPDIR:-/tmp}/t_openapi.npm.XXXXXX")
    if ! npm ci --prefix "$HERE/openapi" --no-audit --no-fund >/dev/null 2>"$npmlog"; then
        msg=$(tail -5 "$npmlog")
        rm -f "$npmlog"
        bail "npm ci --prefix tests/openapi installs @apidevtools/swagger-parser and ajv" "$msg"
    fi
    rm -f "$npmlog"
fi
CHECK=(node "$HERE/openapi/check.mjs")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_openapi.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$ARK_BIN/arkivar-indexer" --quiet --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1 ||
    { echo "not ok 1 - arkivar-indexer builds corpus/"; echo "1..1"; exit 1; }
# A theme folder with a style sheet, so that /theme/{file}'s example has a file to serve.
mkdir -p "$TMP/theme" && printf '.top{background:#003b5c}\n' >"$TMP/theme/theme.css"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
if start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2 --theme "$TMP/theme"; then ok "server starts"; else
    not_ok "server starts"; diag <"$TMP/server.log"; echo "1..$n"; exit 1
fi

check "GET /api/openapi.json is 200 JSON" bash -c "[ \$(curl -s -o '$TMP/oa.json' -w '%{http_code} %{content_type}' '$BASE/api/openapi.json' | tr ' ' _) = '200_application/json;_charset=utf-8' ]"
check "it is server/static/openapi.json, as compiled in" cmp "$TMP/oa.json" server/static/openapi.json
check "swagger-parser: a valid OpenAPI 3.0 document" "${CHECK[@]}" validate "$TMP/oa.json"
# The validator must see a broken document: a $ref to a schema that does not exist.
sed '0,/"#\/components\/schemas\/Passage"/s//"#\/components\/schemas\/NoSuchSchema"/' "$TMP/oa.json" >"$TMP/broken.json"
refuses() { ! cmp -s "$1" "$2" && ! "${CHECK[@]}" validate "$2"; }
check "swagger-parser refuses a copy with a broken \$ref" refuses "$TMP/oa.json" "$TMP/broken.json"
check "it names every route of the route table (server/routes.c)" /usr/bin/python3 - "$TMP/oa.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
table = open("server/routes.c").read()
table = table[table.index("} routes[] = {"):]
routes = re.findall(r'\{"(/[^"]*)", ARK_ROUTE', table) + ["/api/documents/"]  # ARK_PUSH_PREFIX
spec = {re.sub(r"\{[^}]+\}$", "", p) for p in d["paths"]}
missing = [r for r in routes if r not in spec]
assert not missing, missing
PY

# Each example: its status, and the body against the 200 answer's schema.
check "every documented example answers 200 with the documented fields" "${CHECK[@]}" examples "$TMP/oa.json" "$BASE"
check "every error answer is the documented Error, with a documented code" "${CHECK[@]}" errors "$TMP/oa.json" "$BASE"
check "every documented parameter of an /api route is taken, an undocumented one refused" "${CHECK[@]}" params "$TMP/oa.json" "$BASE"

kill -TERM "$PID"; wait "$PID" 2>/dev/null; rc=$?; PID=
[ $rc = 0 ] && ok "SIGTERM: server exits 0" || not_ok "SIGTERM: server exits 0 (exit $rc)"
check "no sanitizer report in the server's stderr" bash -c "
    ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' '$TMP/server.log'"
echo "1..$n"
[ $failed = 0 ]
