// tests/openapi/check.mjs: the checks of tests/t_openapi.sh that read the OpenAPI document as a validator does.
//   node check.mjs validate FILE         FILE is a valid OpenAPI 3.0 document
//   node check.mjs examples FILE BASE    every x-arkivar-examples request answers 200, its
//                                        body as the 200 answer's schema says
//   node check.mjs errors FILE BASE      error answers are the documented Error
//   node check.mjs params FILE BASE      every documented /api query parameter is taken,
//                                        an undocumented one refused (unknown_parameter)
// Exit 0 when the check holds; else the reason on stderr and exit 1.
// Why: @apidevtools/swagger-parser validates the document against the OpenAPI 3.0 schema
// and resolves every $ref (a broken one fails); ajv (v8, which knows OpenAPI's `nullable`)
// checks the live answers against the dereferenced schemas. Both come pinned from
// package-lock.json (npm ci), so a fresh Debian 12 with its node 18 can run this.
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv";

const [cmd, file, base] = process.argv.slice(2);
const load = () => JSON.parse(readFileSync(file, "utf8"));

function fail(...msg) {
    console.error(...msg);
    process.exit(1);
}
function assert(cond, ...msg) {
    if (!cond) fail("assertion failed:", ...msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))));
}

// The document with every $ref replaced by what it points to (the validator's own resolver).
const deref = () => SwaggerParser.dereference(load());

// An ajv that reads OpenAPI 3.0 schemas: `nullable` is one of ajv's own keywords; the other
// OpenAPI-only keywords are annotations here; x-… extensions are ignored. Strict, but a
// schema may require a property it does not describe (the document's own, "openapi").
function ajv() {
    const a = new Ajv({ strict: true, strictRequired: false, allErrors: true, validateFormats: false });
    a.addVocabulary(["example", "externalDocs", "xml", "discriminator"]);
    return a;
}
function stripExtensions(x) {
    if (Array.isArray(x)) return x.map(stripExtensions);
    if (x && typeof x === "object")
        return Object.fromEntries(Object.entries(x).filter(([k]) => !k.startsWith("x-")).map(([k, v]) => [k, stripExtensions(v)]));
    return x;
}
function validateAgainst(a, schema, value, what) {
    const v = a.compile(stripExtensions(schema));
    if (!v(value)) fail(what, "does not match its schema:", a.errorsText(v.errors), "\n" + JSON.stringify(value).slice(0, 400));
}

// GET base+path: status, content type, body (as text). Redirects are followed; no gzip.
async function get(path) {
    const r = await fetch(base + path, { headers: { "accept-encoding": "identity" } });
    return { status: r.status, ctype: r.headers.get("content-type") || "", body: await r.text() };
}

async function validate() {
    const d = load();
    assert(typeof d.openapi === "string" && d.openapi.startsWith("3.0"), "openapi is 3.0.x:", d.openapi);
    try {
        await SwaggerParser.validate(d);
    } catch (e) {
        fail("swagger-parser:", e.message);
    }
}

async function examples() {
    const d = await deref();
    const a = ajv();
    let seen = 0;
    for (const [path, ops] of Object.entries(d.paths)) {
        const op = ops.get;
        if (!op) continue;
        const exs = op["x-arkivar-examples"];
        assert(exs && exs.length, "no example for GET " + path);
        for (const ex of exs) {
            const r = await get(ex);
            assert(r.status === 200, ex, r.status);
            const content = op.responses["200"].content;
            const want = Object.keys(content)[0];
            if (want.startsWith("application/json")) {
                assert(r.ctype.startsWith("application/json"), ex, r.ctype);
                validateAgainst(a, content[want].schema, JSON.parse(r.body), ex);
            } else if (want !== "*/*") {
                assert(r.ctype.startsWith(want), ex, r.ctype, want);
            }
            seen++;
        }
    }
    console.log(`# ${seen} examples`);
    assert(seen >= 15, "examples:", seen);
}

async function errors() {
    const d = await deref();
    const a = ajv();
    const schema = d.components.schemas.Error;
    for (const [ex, st] of [["/api/search", 400], ["/api/search?q=x&limit=0", 400], ["/api/search?q=x&limt=3", 400],
                            ["/api/doc/nope.txt", 404], ["/nope", 404], ["/static/nope", 404]]) {
        const r = await get(ex);
        assert(r.status === st, ex, r.status);
        validateAgainst(a, schema, JSON.parse(r.body), ex);
    }
}

async function params() {
    const d = load();
    // a value of the right shape for each parameter
    const value = { q: "kommune", limit: "3", offset: "0", sort: "date", format: "json", type: "svar",
                    date: "2026", year: "2026", from: "2026-01-01", to: "2026-12-31", case: "2026-0179043",
                    committee: "ØU", doc: "000_92fe6cf18886d868.txt", count: "5", group: "doc", explain: "1" };
    const code = async (url) => {
        const r = await get(url);
        return r.status < 400 ? null : JSON.parse(r.body).error.code;
    };
    let checked = 0;
    for (const [path, ops] of Object.entries(d.paths)) {
        if (!path.startsWith("/api/") || !ops.get) continue;
        const url = path.replace("{id}", "000_92fe6cf18886d868.txt");
        for (const p of (ops.get.parameters || []).filter((p) => p.in === "query")) {
            assert(p.name in value, "no test value for parameter", p.name);
            const q = p.name === "from" && path === "/api/search" ? { from: "2026-01-01", q: "kommune" } : { [p.name]: value[p.name] };
            const got = await code(url + "?" + new URLSearchParams(q));
            assert(got !== "unknown_parameter", path, p.name);
            checked++;
        }
        const got = await code(url + "?zz_undocumented=1");
        assert(got === "unknown_parameter", path, got);
    }
    console.log(`# ${checked} parameters`);
    assert(checked >= 18, "parameters:", checked); // search 14, doc 3, suggest 1
}

const cmds = { validate, examples, errors, params };
if (!cmds[cmd] || !file || (cmd !== "validate" && !base))
    fail("usage: node check.mjs validate FILE | {examples|errors|params} FILE BASE");
cmds[cmd]().catch((e) => fail(e.stack || String(e)));
