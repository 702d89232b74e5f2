#!/usr/bin/env bash
# tests/t_openapi.sh: /api/openapi.json against a real validator and the real server (TAP).
# Validates the served document with openapi-spec-validator (OpenAPI 3.0), checks that it
# is server/static/openapi.json as compiled in, that it names every route of the route
# table (server/routes.c), and runs each documented example request (x-arkivar-examples)
# against a server on corpus/: the status, and the answer against the documented schema
# (openapi-schema-validator, nullable and all). Every documented parameter of an /api
# route is taken, an undocumented one refused. Needs curl and a python3 with
# openapi_spec_validator (pip install openapi-spec-validator, or Debian's
# python3-openapi-spec-validator): without it the test fails, it does not skip.
set -u

ARK_BIN=${ARK_BIN:-bin}
n=0
failed=0
PID=
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tap.sh"
require curl "$ARK_BIN/arkivar-server" "$ARK_BIN/arkivar-indexer"

PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import openapi_spec_validator, openapi_schema_validator' 2>/dev/null; then
        PY=$p; break
    fi
done
if [ -z "$PY" ]; then
    echo "not ok 1 - a python3 with openapi_spec_validator (pip install openapi-spec-validator)"
    echo "1..1"
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/t_openapi.XXXXXX")
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$ARK_BIN/arkivar-indexer" --quiet --index "$TMP/idx" corpus >"$TMP/indexer.log" 2>&1 ||
    { echo "not ok 1 - arkivar-indexer builds corpus/"; echo "1..1"; exit 1; }
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
if start_server "$PORT" "$TMP/server.log" --index "$TMP/idx" --threads 2; then ok "server starts"; else
    not_ok "server starts"; diag <"$TMP/server.log"; echo "1..$n"; exit 1
fi

check "GET /api/openapi.json is 200 JSON" bash -c "[ \$(curl -s -o '$TMP/oa.json' -w '%{http_code} %{content_type}' '$BASE/api/openapi.json' | tr ' ' _) = '200_application/json;_charset=utf-8' ]"
check "it is server/static/openapi.json, as compiled in" cmp "$TMP/oa.json" server/static/openapi.json
check "openapi-spec-validator: a valid OpenAPI 3.0 document" "$PY" -c '
import json, sys
from openapi_spec_validator import validate
d = json.load(open(sys.argv[1]))
assert d["openapi"].startswith("3.0"), d["openapi"]
validate(d)' "$TMP/oa.json"
check "it names every route of the route table (server/routes.c)" "$PY" - "$TMP/oa.json" <<'PY'
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
check "every documented example answers 200 with the documented fields" "$PY" - "$TMP/oa.json" "$BASE" <<'PY'
import copy, json, sys, urllib.request
from openapi_schema_validator import OAS30Validator
d = json.load(open(sys.argv[1]))
base = sys.argv[2]
def inline(x):
    if isinstance(x, dict):
        if "$ref" in x:
            node = d
            for part in x["$ref"][2:].split("/"):
                node = node[part]
            return inline(copy.deepcopy(node))
        return {k: inline(v) for k, v in x.items()}
    if isinstance(x, list):
        return [inline(v) for v in x]
    return x
seen = 0
for path, ops in d["paths"].items():
    op = ops.get("get")
    if not op:
        continue
    examples = op.get("x-arkivar-examples")
    assert examples, "no example for GET " + path
    for ex in examples:
        with urllib.request.urlopen(base + ex) as r:
            assert r.status == 200, (ex, r.status)
            ctype, body = r.headers.get("Content-Type", ""), r.read()
        content = op["responses"]["200"]["content"]
        want = next(iter(content))
        if want.startswith("application/json"):
            assert ctype.startswith("application/json"), (ex, ctype)
            OAS30Validator(inline(content[want]["schema"])).validate(json.loads(body))
        elif want != "*/*":
            assert ctype.startswith(want), (ex, ctype, want)
        seen += 1
print("# %d examples" % seen)
assert seen >= 15, seen
PY

check "every error answer is the documented Error, with a documented code" "$PY" - "$TMP/oa.json" "$BASE" <<'PY'
import copy, json, sys, urllib.error, urllib.request
from openapi_schema_validator import OAS30Validator
d = json.load(open(sys.argv[1]))
base = sys.argv[2]
schema = d["components"]["schemas"]["Error"]
for ex, st in [("/api/search", 400), ("/api/search?q=x&limit=0", 400), ("/api/search?q=x&limt=3", 400),
               ("/api/doc/nope.txt", 404), ("/nope", 404), ("/static/nope", 404)]:
    try:
        urllib.request.urlopen(base + ex)
        raise AssertionError(ex + " answered 200")
    except urllib.error.HTTPError as e:
        assert e.code == st, (ex, e.code)
        OAS30Validator(schema).validate(json.loads(e.read()))
PY

check "every documented parameter of an /api route is taken, an undocumented one refused" "$PY" - "$TMP/oa.json" "$BASE" <<'PY'
import json, sys, urllib.error, urllib.parse, urllib.request
d = json.load(open(sys.argv[1]))
base = sys.argv[2]
# a value of the right shape for each parameter
value = {"q": "kommune", "limit": "3", "offset": "0", "sort": "date", "format": "json", "type": "svar",
         "date": "2026", "year": "2026", "from": "2026-01-01", "to": "2026-12-31", "case": "2026-0179043",
         "committee": "ØU", "doc": "000_92fe6cf18886d868.txt", "count": "5"}
def code(url):
    try:
        urllib.request.urlopen(url).read()
        return None
    except urllib.error.HTTPError as e:
        return json.loads(e.read())["error"]["code"]
checked = 0
for path, ops in d["paths"].items():
    if not path.startswith("/api/") or "get" not in ops:
        continue
    url = base + path.replace("{id}", "000_92fe6cf18886d868.txt")
    params = [p for p in ops["get"].get("parameters", []) if p["in"] == "query"]
    for p in params:
        if p["name"] == "from" and path == "/api/search":
            got = code(url + "?" + urllib.parse.urlencode({"from": "2026-01-01", "q": "kommune"}))
        else:
            got = code(url + "?" + urllib.parse.urlencode({p["name"]: value[p["name"]]}))
        assert got != "unknown_parameter", (path, p["name"])
        checked += 1
    got = code(url + "?zz_undocumented=1")
    assert got == "unknown_parameter", (path, got)
print("# %d parameters" % checked)
assert checked >= 17, checked  # search 13, doc 3, suggest 1
PY

kill -TERM "$PID"; wait "$PID" 2>/dev/null; rc=$?; PID=
[ $rc = 0 ] && ok "SIGTERM: server exits 0" || not_ok "SIGTERM: server exits 0 (exit $rc)"
check "no sanitizer report in the server's stderr" bash -c "
    ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Undefined)' '$TMP/server.log'"
echo "1..$n"
[ $failed = 0 ]
