/* tests/test_routes.c: every route answered without a socket (TAP).
 * A real index of corpus/ (built by $ARK_BIN/arkivar-indexer into a temporary folder),
 * the real worker and engine, and requests handed to ark_route_run as http.c would hand
 * them: the status, content type and body of the JSON API and of the site, the
 * parameter checks, and the search's own promises (highlights in order and on word
 * boundaries, filters that hold every result, a document view's marks); and the push
 * route driven as http.c drives it (push.c): who may push, which ids, what is refused
 * and why, and an accepted PUT and DELETE waiting in the spool in order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/keys.h"
#include "../server/push.h"
#include "../server/routes.h"
#include "../server/spool.h"
#include "../server/worker.h"
#include "arkivar/analysis.h"
#include "arkivar/search.h"
#include "tap.h"

/* ---- a request from "name=value" pairs ---------------------------------------------- */

typedef struct params {
    const char *kv[16]; /* "name=value", already decoded */
    size_t n;
} params;

static const char *get(void *ctx, const char *name) {
    const params *p = ctx;
    size_t len = strlen(name);
    for (size_t i = 0; i < p->n; i++)
        if (strncmp(p->kv[i], name, len) == 0 && p->kv[i][len] == '=') return p->kv[i] + len + 1;
    return NULL;
}

/* The names, as http.c gives them: in order, repeats included. */
static size_t names(void *ctx, const char **out, size_t max) {
    static char buf[16][64];
    const params *p = ctx;
    for (size_t i = 0; i < p->n && i < max; i++) {
        size_t len = strcspn(p->kv[i], "=");
        snprintf(buf[i], sizeof buf[i], "%.*s", (int)len, p->kv[i]);
        out[i] = buf[i];
    }
    return p->n;
}

/* Run path with the pairs (NULL-terminated) and keep the reply in *r. */
static void run(ark_reply *r, const char *path, ...) {
    params p = {{0}, 0};
    va_list ap;
    va_start(ap, path);
    for (const char *kv; (kv = va_arg(ap, const char *)) && p.n < 16;) p.kv[p.n++] = kv;
    va_end(ap);
    ark_buf_free(&r->body);
    *r = (ark_reply){.status = 0, .body = ARK_BUF_INIT};
    ark_api_req req = {.path = path, .get = get, .names = names, .ctx = &p, .conns = 1,
                       .base = "http://127.0.0.1:1"};
    ark_route_run(&req, r);
}

static const char *body(const ark_reply *r) { return r->body.data ? r->body.data : ""; }

static int has(const ark_reply *r, const char *s) { return strstr(body(r), s) != NULL; }

/* How many times s occurs in the body. */
static int count(const ark_reply *r, const char *s) {
    int n = 0;
    for (const char *p = body(r); (p = strstr(p, s)); p += strlen(s)) n++;
    return n;
}

/* Whether the error reply r has code c (and the code's status). */
static int is_error(const ark_reply *r, ark_api_code c) {
    char want[96];
    snprintf(want, sizeof want, "\"status\":%d,\"code\":\"%s\",\"message\":\"",
             ark_api_code_status(c), ark_api_code_name(c));
    return r->status == ark_api_code_status(c) && has(r, want);
}

/* The whole of a file, NUL-terminated, or NULL. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    ark_buf b = ARK_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ark_buf_append(&b, chunk, n);
    fclose(f);
    if (ark_buf_puts(&b, "") != 0) { ark_buf_free(&b); return NULL; }
    return ark_buf_take(&b);
}

/* The table of error codes: names unique, lowercase with '_', statuses of errors; and
 * README.md's table lists each with its status (issue 15: one table in the code, the
 * documentation checked against it). */
static void test_codes(void) {
    int sound = 1;
    for (int i = 0; i < ARK_API_NCODES; i++) {
        const char *n = ark_api_code_name((ark_api_code)i);
        int st = ark_api_code_status((ark_api_code)i);
        if (!n || !*n || st < 400 || st > 599) { sound = 0; continue; }
        for (const char *p = n; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || *p == '_')) sound = 0;
        for (int k = 0; k < i; k++)
            if (strcmp(n, ark_api_code_name((ark_api_code)k)) == 0) sound = 0;
    }
    ok(sound && !ark_api_code_name(ARK_API_NCODES) && ark_api_code_status(ARK_API_NCODES) == 500,
       "error codes: %d, each named once in [a-z_] with a 4xx/5xx status", ARK_API_NCODES);
    char *readme = slurp("README.md");
    int listed = readme != NULL;
    for (int i = 0; readme && i < ARK_API_NCODES; i++) {
        char row[96];
        snprintf(row, sizeof row, "\n| `%s` | %d |", ark_api_code_name((ark_api_code)i),
                 ark_api_code_status((ark_api_code)i));
        if (!strstr(readme, row)) listed = 0, printf("#   README.md lacks the row %s\n", row + 1);
    }
    ok(listed, "README.md's table lists every error code with its status");
    free(readme);
    char *oa = slurp("server/static/openapi.json");
    listed = oa != NULL;
    for (int i = 0; oa && i < ARK_API_NCODES; i++) {
        char name[64];
        snprintf(name, sizeof name, "\"%s\"", ark_api_code_name((ark_api_code)i));
        if (!strstr(oa, name)) listed = 0, printf("#   openapi.json lacks %s\n", name);
    }
    ok(listed, "server/static/openapi.json names every error code");
    free(oa);
    ark_reply r = {.body = ARK_BUF_INIT};
    ark_api_error(&r, ARK_API_BAD_LIMIT, "limit %s", "x");
    ok(is_error(&r, ARK_API_BAD_LIMIT) && has(&r, "\"message\":\"limit x\"}}"),
       "an error body: status, code, message (%s)", body(&r));
    ark_api_error(&r, (ark_api_code)-1, "ours");
    ok(is_error(&r, ARK_API_INTERNAL), "a code outside the table answers internal, not garbage");
    ark_buf_free(&r.body);
}

/* ---- the search's promises, read from the engine's own results ------------------------ */

static int continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Highlights in order, apart, inside the snippet, on character boundaries, each inside
 * one word (a whole token, or the part of a compound that matched). */
static int highlights_sound(const ark_results *res) {
    for (size_t i = 0; i < res->n; i++) {
        const ark_result *x = &res->v[i];
        uint32_t at = 0;
        for (size_t k = 0; k < x->nhighlights; k++) {
            uint32_t s = x->highlights[k][0], e = x->highlights[k][1];
            if (s < at || s >= e || e > x->snippet_len) return 0;
            if (continuation((unsigned char)x->snippet[s])) return 0;
            if (e < x->snippet_len && continuation((unsigned char)x->snippet[e])) return 0;
            if (memchr(x->snippet + s, ' ', e - s)) return 0;
            at = e;
        }
    }
    return 1;
}

/* ---- PUT and DELETE /api/documents/ID, as http.c drives push.c -------------------- */

typedef struct hdrs {
    const char *kv[8]; /* "Name: value" */
} hdrs;

static const char *header(void *ctx, const char *name) {
    const hdrs *h = ctx;
    size_t len = strlen(name);
    for (size_t i = 0; i < 8 && h->kv[i]; i++)
        if (strncmp(h->kv[i], name, len) == 0 && h->kv[i][len] == ':') return h->kv[i] + len + 2;
    return NULL;
}

/* A whole request: begin, the body in pieces of 7 bytes, end. The status. */
static int push(ark_reply *r, const char *method, const char *id, const char *bodytext, ...) {
    hdrs h = {{0}};
    va_list ap;
    va_start(ap, bodytext);
    for (size_t i = 0; i < 8; i++)
        if (!(h.kv[i] = va_arg(ap, const char *))) break;
    va_end(ap);
    ark_buf_free(&r->body);
    *r = (ark_reply){.status = 0, .body = ARK_BUF_INIT};
    ark_push_req req = {method, id, header, &h};
    ark_push *p = NULL;
    if (ark_push_begin(&req, &p, r) != 0) return r->status;
    size_t n = bodytext ? strlen(bodytext) : 0;
    for (size_t at = 0; at < n; at += 7)
        if (ark_push_data(p, bodytext + at, n - at < 7 ? n - at : 7, r) != 0) {
            ark_push_free(p);
            return r->status;
        }
    ark_push_end(p, r);
    ark_push_free(p);
    return r->status;
}

static void test_push(const char *dir, const char *idx) {
    ark_reply r = {.body = ARK_BUF_INIT};
    int st;
    const char *good[] = {"a.txt", "sager/2026/svar.pdf", "Bilag 1 (endelig).md", "æøå/ØU.txt", ".skjult.txt"};
    const char *bad[] = {"", "/etc/x.txt", "../x.txt", "a/../b.txt", "a/./b.txt", "a//b.txt", "a/",
                         "a\\b.txt", "a\x01.txt", "\xc3.txt", "\xed\xa0\x80.txt", "\xc0\xaf.txt"};
    int all = 1;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (ark_push_id_problem(good[i])) all = 0, printf("#   refused: %s\n", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!ark_push_id_problem(bad[i])) all = 0, printf("#   accepted: %s\n", bad[i]);
    char longid[ARK_MAX_ID + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    ok(all && ark_push_id_problem(longid) && !ark_push_id_problem(longid + 1),
       "push ids: relative paths of UTF-8 up to 200 bytes; '..', '.', '//', absolute, control, bad UTF-8 refused");
    ok(ark_push_route("/api/documents/a.txt", "PUT") && ark_push_route("/api/documents/a.txt", "POST") &&
           !ark_push_route("/api/documents/a.txt", "GET") && !ark_push_route("/api/doc/a.txt", "PUT"),
       "push routes: any method but GET, HEAD and OPTIONS under /api/documents/");

    ark_push_init(idx, 64);
    st = push(&r, "PUT", "a.txt", "x", NULL);
    ok(st == 404, "without --keys every push is 404 (%d)", r.status);
    run(&r, "/api/documents/a.txt", NULL);
    ok(r.status == 404, "and so is a GET of a push address (%d)", r.status);

    char keyfile[128], key_w[ARK_KEY_TEXT + 1], key_r[ARK_KEY_TEXT + 1], line[512];
    snprintf(keyfile, sizeof keyfile, "%s/keys", dir);
    FILE *f = fopen(keyfile, "w");
    E(ark_key_new(key_w));
    E(ark_key_new(key_r));
    uint8_t h[ARK_KEY_HASH];
    for (int k = 0; k < 2 && f; k++) {
        ark_key_hash(k ? key_r : key_w, ARK_KEY_TEXT, h);
        int n = snprintf(line, sizeof line, "%s offentlig ", k ? "r" : "w");
        for (int i = 0; i < ARK_KEY_HASH; i++) n += snprintf(line + n, sizeof line - (size_t)n, "%02x", h[i]);
        fprintf(f, "%s%s\n", line, k ? "" : " write");
    }
    if (f) fclose(f);
    ark_err err = {0, ""};
    size_t replayed = 0;
    E(ark_keys_serve(keyfile, &err));
    E(ark_spool_open(idx, &replayed, &err));
    char aw[128], ar[128];
    snprintf(aw, sizeof aw, "Authorization: Bearer %s", key_w);
    snprintf(ar, sizeof ar, "Authorization: Bearer %s", key_r);

    st = push(&r, "PUT", "a.txt", "x", NULL);
    ok(st == 401 && r.authenticate && is_error(&r, ARK_API_UNAUTHORIZED),
       "no key: 401 unauthorized with WWW-Authenticate");
    st = push(&r, "PUT", "a.txt", "x", ar, NULL);
    ok(st == 403 && has(&r, "write") && is_error(&r, ARK_API_FORBIDDEN), "a key without write: 403 forbidden");
    st = push(&r, "POST", "a.txt", "x", aw, NULL);
    ok(st == 405 && r.allow && strcmp(r.allow, "PUT, DELETE") == 0,
       "POST: 405, Allow: PUT, DELETE");
    st = push(&r, "PUT", "../a.txt", "x", aw, NULL);
    ok(is_error(&r, ARK_API_BAD_DOCUMENT_ID) && has(&r, ".."), "an unsafe id: 400 bad_document_id (%s)", body(&r));
    st = push(&r, "PUT", "a.txt", "x", aw, "X-Arkivar-Metadata: {\"case_numbers\": 5}", NULL);
    ok(is_error(&r, ARK_API_BAD_METADATA) && has(&r, "case_numbers"),
       "bad metadata: 400 naming the member (%s)", body(&r));
    st = push(&r, "PUT", "a.txt", "x", aw, "Content-Length: 65", NULL);
    ok(is_error(&r, ARK_API_PAYLOAD_TOO_LARGE), "Content-Length past --max-upload: 413 payload_too_large");
    st = push(&r, "PUT", "a.txt", "Tekst om noget, som er laengere end fire og tres bytes i alt, ja.", aw, NULL);
    ok(st == 413,
       "a body that grows past it: 413");
    st = push(&r, "PUT", "000_92fe6cf18886d868.txt", "Tekst.", aw, NULL);
    ok(is_error(&r, ARK_API_CONFLICT), "a folder's id: 409 conflict (%s)", body(&r));
    st = push(&r, "PUT", "a.xlsx", "Tekst.", aw, NULL);
    ok(is_error(&r, ARK_API_UNSUPPORTED_FORMAT), "a format no loader reads: 415 unsupported_format");
    st = push(&r, "PUT", "a.txt", " \n", aw, NULL);
    ok(is_error(&r, ARK_API_NO_TEXT), "no text: 422 no_text");
    st = push(&r, "PUT", "ny/010190-1234.txt", "Et nyt svar om byggeri.", aw,
            "X-Arkivar-Metadata: {\"title\": \"Nyt\"}", NULL);
    ok(st == 202 &&
           has(&r, "\"id\":\"ny/XXXXXX-XXXX.txt\"") && has(&r, "\"status\":\"accepted\""),
       "a PUT: 202, the id's CPR number masked (%s)", body(&r));
    ark_spool_entry e;
    ok(ark_spool_latest("ny/XXXXXX-XXXX.txt", &e) && e.op == ARK_SPOOL_PUT && e.bytes == 23,
       "it waits in the spool for the writer");
    st = push(&r, "DELETE", "ny/XXXXXX-XXXX.txt", NULL, aw, NULL);
    ok(st == 202 &&
           ark_spool_latest("ny/XXXXXX-XXXX.txt", &e) && e.op == ARK_SPOOL_DELETE,
       "a DELETE of an id still in the spool: 202, after it in order");
    st = push(&r, "DELETE", "ny/XXXXXX-XXXX.txt", NULL, aw, NULL);
    ok(st == 404, "a second DELETE: 404 (nobody holds it)");
    ark_spool_close();
    ark_keys_stop();
    ark_buf_free(&r.body);
}

int main(void) {
    const char *bin = getenv("ARK_BIN") ? getenv("ARK_BIN") : "bin";
    char dir[] = "/tmp/ark-routes.XXXXXX", cmd[512];
    if (!mkdtemp(dir)) return 1;
    snprintf(cmd, sizeof cmd, "%s/arkivar-indexer --quiet --index %s/idx corpus", bin, dir);
    int built = system(cmd);
    ok(built == 0, "the indexer builds corpus/ (%s)", cmd);
    if (built != 0) return done_testing();

    char idx[64];
    snprintf(idx, sizeof idx, "%s/idx", dir);
    const char *shards[] = {idx};
    ark_an *an = NULL;
    ark_synonyms *syn = NULL;
    ark_err err = {0, ""};
    E(ark_an_new(NULL, &an, &err));
    E(ark_synonyms_load("data/acronyms.txt", &syn, &err));
    ark_worker_init(shards, 1, NULL, an, syn);
    ark_reply r = {.body = ARK_BUF_INIT};
    test_codes();

    /* the route table */
    is_int(ark_route_of("/api/search"), ARK_ROUTE_SEARCH, "/api/search is the search route");
    is_int(ark_route_of("/api/doc/a/b.txt"), ARK_ROUTE_DOC, "/api/doc/… is the document route");
    is_int(ark_route_of("/api/docx"), ARK_ROUTE_OTHER, "/api/docx is no route");
    is_int(ark_route_of("/doc/x"), ARK_ROUTE_PAGE, "/doc/… belongs to the site");
    is_int(ark_route_of("/static/arkivar.js"), ARK_ROUTE_PAGE, "/static/… belongs to the site");

    /* the JSON API */
    run(&r, "/api/search", "q=innovation", NULL);
    ok(r.status == 200 && strcmp(r.content_type, "application/json; charset=utf-8") == 0,
       "search: 200 JSON (%d)", r.status);
    ok(has(&r, "\"query\":\"innovation\"") && has(&r, "\"results\":[{") &&
           has(&r, "\"facets\":{\"type\":["),
       "search: query, results and facets");
    ok(count(&r, "\"rank\":") == 10, "search: ten results by default (%d)", count(&r, "\"rank\":"));
    /* the match checks at least 1000 passages (facets): the corpus's counts are exact */
    ok(has(&r, "\"total_exact\":true,\"total_results\":"), "search: total_exact beside total");
    run(&r, "/api/search", "q=\"- -\"", NULL);
    ok(r.status == 200 && has(&r, "\"total\":0,\"total_exact\":true"),
       "search: nothing searchable (a phrase of dashes) is an exact 0 (%.80s)", body(&r));
    run(&r, "/api/search", "q=innovation", "limit=3", "offset=2", NULL);
    ok(count(&r, "\"rank\":") == 3 && has(&r, "\"rank\":3,"), "search: limit and offset");
    run(&r, "/api/search", "q=innovation", "format=text", NULL);
    ok(r.status == 200 && strncmp(r.content_type, "text/plain", 10) == 0 && has(&r, "[["),
       "search: format=text marks the words with [[ ]]");
    run(&r, "/api/search", NULL);
    ok(is_error(&r, ARK_API_MISSING_QUERY) && has(&r, "missing parameter q"),
       "search: no q is a 400 missing_query");
    run(&r, "/api/search", "q=   ", NULL);
    ok(is_error(&r, ARK_API_MISSING_QUERY), "search: a blank q is a 400 missing_query");
    {
        char longq[ARK_API_MAX_Q + 4] = "q=";
        memset(longq + 2, 'a', ARK_API_MAX_Q + 1);
        longq[ARK_API_MAX_Q + 3] = '\0';
        run(&r, "/api/search", longq, NULL);
        ok(is_error(&r, ARK_API_QUERY_TOO_LONG), "search: q over 1000 bytes is query_too_long");
    }
    run(&r, "/api/search", "q=innovation", "limit=0", NULL);
    ok(is_error(&r, ARK_API_BAD_LIMIT), "search: limit=0 is a 400 bad_limit");
    run(&r, "/api/search", "q=innovation", "limit=101", NULL);
    ok(is_error(&r, ARK_API_BAD_LIMIT), "search: limit=101 is a 400 bad_limit");
    run(&r, "/api/search", "q=innovation", "offset=-1", NULL);
    ok(is_error(&r, ARK_API_BAD_OFFSET), "search: a negative offset is a 400 bad_offset");
    run(&r, "/api/search", "q=innovation", "sort=size", NULL);
    ok(is_error(&r, ARK_API_BAD_PARAMETER), "search: an unknown sort is a 400 bad_parameter");
    run(&r, "/api/search", "q=innovation", "limt=3", NULL);
    ok(is_error(&r, ARK_API_UNKNOWN_PARAMETER) && has(&r, "unknown parameter limt: /api/search takes q, limit,"),
       "search: a misspelt parameter is a 400 unknown_parameter naming it (%s)", body(&r));
    run(&r, "/api/search", "q=innovation", "limit=3", "limit=5", NULL);
    ok(is_error(&r, ARK_API_BAD_PARAMETER) && has(&r, "parameter limit is given twice"),
       "search: a parameter given twice is a 400 bad_parameter");
    run(&r, "/api/search", "q=innovation", "=x", NULL);
    is_int(r.status, 200, "search: a parameter without a name is none");
    run(&r, "/api/doc/000_92fe6cf18886d868.txt", "offset=3", NULL);
    ok(is_error(&r, ARK_API_UNKNOWN_PARAMETER) && has(&r, "takes q, from, count"),
       "doc: a parameter of another route is unknown here (%s)", body(&r));
    run(&r, "/api/suggest", "q=inno", "limit=3", NULL);
    ok(is_error(&r, ARK_API_UNKNOWN_PARAMETER), "suggest: takes q alone");
    run(&r, "/", "q=innovation", "utm_source=nyhedsbrev", NULL);
    ok(r.status == 200 && has(&r, "<mark>"), "the page takes what links add (utm_source)");
    run(&r, "/health", "probe=1", NULL);
    is_int(r.status, 200, "/health takes what probes add");
    run(&r, "/api/doc/000_92fe6cf18886d868.txt", "count=0", NULL);
    ok(is_error(&r, ARK_API_BAD_PARAMETER), "doc: count=0 is a 400 bad_parameter");
    run(&r, "/api/search", "type=svar", NULL);
    ok(r.status == 200 && count(&r, "\"type\":\"svar\"") >= count(&r, "\"rank\":") &&
           count(&r, "\"rank\":") > 0,
       "search: a filter alone answers, every result of that type");
    /* the corpus's dated documents are of 2026-06-09 and 2026-06-24 */
    run(&r, "/api/search", "from=2026-06-10", "limit=100", NULL);
    ok(r.status == 200 && has(&r, "\"date\":\"2026-06-24\"") && !has(&r, "\"date\":\"2026-06-09\"") &&
           !has(&r, "\"date\":\"\""),
       "search: from= alone, no q: only documents dated from that day");
    run(&r, "/api/search", "q=", "to=2026-06-09", "limit=100", NULL);
    ok(r.status == 200 && has(&r, "\"date\":\"2026-06-09\"") && !has(&r, "\"date\":\"2026-06-24\""),
       "search: to= with an empty q: only documents dated up to that day");
    run(&r, "/api/search", "q=kommune", "year=2026", "limit=100", NULL);
    ok(r.status == 200 && count(&r, "\"date\":\"2026-") == count(&r, "\"rank\":") && count(&r, "\"rank\":") > 0,
       "search: year= holds every result");
    run(&r, "/api/search", "q=kommune", "year=2025", NULL);
    ok(r.status == 200 && has(&r, "\"total\":0,"), "search: year=2025 finds nothing");
    const char *bad_dates[][2] = {{"year=26", "year"}, {"year=2026-01", "year"}, {"from=2026-13", "from"},
                                  {"to=2026-06-32", "to"}, {"date=abc", "date"}, {"date=2026..2024", "date"},
                                  {"date=..", "date"}, {"from=26", "from"}};
    int refused = 1;
    for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
        run(&r, "/api/search", "q=kommune", bad_dates[i][0], NULL);
        if (!is_error(&r, ARK_API_BAD_PARAMETER) || !has(&r, bad_dates[i][1]))
            refused = 0, printf("#   %s: %s\n", bad_dates[i][0], body(&r));
    }
    ok(refused, "search: a bad year, from, to or date is a 400 bad_parameter naming it");
    run(&r, "/api/search", "q=kommune", "from=2026-07-01", "to=2026-06", NULL);
    ok(is_error(&r, ARK_API_BAD_PARAMETER) && has(&r, "after"), "search: from after to is a 400");
    run(&r, "/api/search", "q=kommune", "from=2026-06", "to=2026-06", NULL);
    is_int(r.status, 200, "search: from and to of one month is that month");
    run(&r, "/api/search", "q=kommune", "year=2026", "date=2026", NULL);
    ok(is_error(&r, ARK_API_BAD_PARAMETER) && has(&r, "one of date, year or from/to"),
       "search: two kinds of date filter at once are a 400");
    run(&r, "/api/doc/000_92fe6cf18886d868.txt", "q=innovation", NULL);
    ok(r.status == 200 && has(&r, "\"matched\":true") && has(&r, "\"marks\":[["),
       "doc: with q, matching passages and their marks");
    run(&r, "/api/doc/nope.txt", NULL);
    ok(is_error(&r, ARK_API_NOT_FOUND), "doc: an unknown id is a JSON 404 not_found");
    run(&r, "/api/suggest", "q=innov", NULL);
    ok(r.status == 200 && has(&r, "[\"innov\",[\"innovation"), "suggest: completions (%s)",
       body(&r));
    run(&r, "/api/suggest", "q=", NULL);
    ok(r.status == 200 && strcmp(body(&r), "[\"\",[]]") == 0, "suggest: an empty box, no error");
    run(&r, "/health", NULL);
    ok(r.status == 200 && has(&r, "\"status\":\"ok\"") && has(&r, "\"documents\":5") &&
           has(&r, "\"version\":\"" ARK_VERSION "\""),
       "health: ok with the corpus's 5 documents (%s)", body(&r));
    run(&r, "/api/openapi.json", NULL);
    ok(r.status == 200 && has(&r, "\"openapi\": \"3.0.3\"") && strcmp(r.content_type, ark_api_json_type) == 0,
       "/api/openapi.json: the OpenAPI document, JSON");
    run(&r, "/api/openapi.json", "v=2", NULL);
    ok(is_error(&r, ARK_API_UNKNOWN_PARAMETER) && has(&r, "takes no parameters"),
       "/api/openapi.json takes no parameters");
    run(&r, "/health/live", NULL);
    ok(r.status == 200 && strcmp(body(&r), "{\"status\":\"ok\"}") == 0, "health/live: ok (%s)", body(&r));
    run(&r, "/health/ready", NULL);
    {
        const char *age = strstr(body(&r), "\"last_commit_age_s\":");
        long a = age ? strtol(age + 20, NULL, 10) : -1;
        ok(r.status == 200 && has(&r, "{\"status\":\"ready\",\"revision\":") && age && a >= 0 && a < 600,
           "health/ready: ready, with the revision and the age of the commit just made (%s)", body(&r));
    }
    ok(ark_route_of("/health/ready") == ARK_ROUTE_HEALTH && ark_route_of("/health/live") == ARK_ROUTE_HEALTH,
       "health/live and health/ready count as health in /metrics");
    run(&r, "/metrics", NULL);
    ok(r.status == 200 && has(&r, "arkivar_index_passages "), "metrics: the index gauges");
    ok(has(&r, "arkivar_build_info{version=\"" ARK_VERSION "\"} 1\n"), "metrics: the build_info gauge");
    run(&r, "/nope", NULL);
    ok(is_error(&r, ARK_API_NOT_FOUND) && has(&r, "no such route"),
       "an unknown path is a JSON 404 not_found");

    /* "Mente du" is the query as typed with its unknown words corrected: operators,
     * acronyms and phrases stay as they were written */
    run(&r, "/api/search", "q=innovatoin NOT kommunen", NULL);
    ok(has(&r, "\"suggestion\":\"innovation NOT kommunen\""), "Mente du keeps NOT as typed (%.160s)",
       strstr(body(&r), "\"suggestion\""));
    run(&r, "/api/search", "q=KFF innovatoin", NULL);
    ok(has(&r, "\"suggestion\":\"KFF innovation\""), "Mente du leaves an acronym alone");
    run(&r, "/api/search", "q=\"innovatoin projekter\"", NULL);
    ok(has(&r, "\"suggestion\":null"), "Mente du leaves a phrase as written");

    /* the site */
    run(&r, "/", NULL);
    ok(r.status == 200 && has(&r, "<form") && has(&r, "<style>"), "/: the start page");
    run(&r, "/", "q=innovation", "type=svar", NULL);
    ok(r.status == 200 && has(&r, "<mark>") && has(&r, "Dokumenttype: "),
       "/?q=&type=: results with marks and the chosen filter");
    run(&r, "/doc/000_92fe6cf18886d868.txt", "q=innovation", NULL);
    ok(r.status == 200 && has(&r, "class=\"psg hit\"") && has(&r, "<mark>"),
       "/doc/ID?q=: the document with its matching passages marked");
    run(&r, "/doc/nope.txt", NULL);
    is_int(r.status, 404, "/doc/ of an unknown id is a 404 page");
    run(&r, "/opensearch.xml", NULL);
    ok(r.status == 200 && has(&r, "http://127.0.0.1:1/?q={searchTerms}"),
       "/opensearch.xml names the server's own address");
    run(&r, "/static/arkivar.svg", NULL);
    ok(r.status == 200 && has(&r, "<svg"), "/static/arkivar.svg");

    /* the engine's promises, on its own results */
    ark_engine *e = ark_worker_engine(ARK_LEVEL_PUBLIC, &err);
    ok(e != NULL, "the worker's engine opens");
    const char *queries[] = {"innovation", "samarbejde kommunen", "\"større private virksomheder\"",
                             "skole*", "KFF", "Københavns Kommune"};
    int sound = 1, filtered = 1;
    for (size_t i = 0; e && i < sizeof queries / sizeof queries[0]; i++) {
        ark_search_req sr = {.q = queries[i], .limit = 20};
        ark_results res;
        if (ark_search(e, &sr, &res, &err) != 0) { sound = 0; continue; }
        sound &= highlights_sound(&res);
        ark_results_free(&res);
        sr.type = "svar";
        if (ark_search(e, &sr, &res, &err) != 0) { filtered = 0; continue; }
        for (size_t k = 0; k < res.n; k++) filtered &= strcmp(res.v[k].doc.type, "svar") == 0;
        ark_results_free(&res);
    }
    ok(sound, "highlights are in order, apart, inside the snippet, on character boundaries, "
              "each inside a word");
    ok(filtered, "a type filter holds every result");

    /* SIGHUP's swap of the acronym table: the next request uses the new one; the old is
     * freed once this thread's engines let go of it (ASan sees a use after free). */
    {
        char acr[96];
        snprintf(acr, sizeof acr, "%s/acronyms.txt", dir);
        FILE *f = fopen(acr, "w");
        ok(f && fputs("ZZQ = innovation\n", f) >= 0 && fclose(f) == 0, "a new acronyms file");
        run(&r, "/api/search", "q=ZZQ", NULL);
        ok(r.status == 200 && has(&r, "\"total\":0,"), "before the swap ZZQ finds nothing");
        run(&r, "/api/search", "q=BR", NULL);
        ok(r.status == 200 && has(&r, "Borgerrepræsentationen"), "and BR finds Borgerrepræsentationen");
        ark_synonyms *s2 = NULL, *s3 = NULL;
        E(ark_synonyms_load(acr, &s2, &err));
        is_int(ark_worker_set_synonyms(s2), 0, "the new table is swapped in");
        run(&r, "/api/search", "q=ZZQ", NULL);
        ok(r.status == 200 && has(&r, "\"results\":[{") && has(&r, "nnovation"),
           "after the swap ZZQ finds innovation");
        run(&r, "/api/search", "q=BR", NULL);
        ok(r.status == 200 && has(&r, "\"total\":0,"),
           "and BR, not in the new table, no longer finds Borgerrepræsentationen");
        E(ark_synonyms_load("data/acronyms.txt", &s3, &err));
        is_int(ark_worker_set_synonyms(s3), 0, "the old table is swapped back");
        run(&r, "/api/search", "q=ZZQ", NULL);
        ok(r.status == 200 && has(&r, "\"total\":0,"), "ZZQ is gone again (the new table freed)");
        run(&r, "/api/search", "q=BR", NULL);
        ok(r.status == 200 && has(&r, "Borgerrepræsentationen"), "and BR finds Borgerrepræsentationen again");
        is_int(ark_worker_set_synonyms(NULL), 0, "no table at all");
        run(&r, "/api/search", "q=innovation", NULL);
        ok(r.status == 200 && has(&r, "\"results\":[{"), "a search without acronyms");
        ark_synonyms *s4 = NULL;
        E(ark_synonyms_load("data/acronyms.txt", &s4, &err));
        is_int(ark_worker_set_synonyms(s4), 0, "a table held until shutdown frees it");
    }

    test_push(dir, idx);
    ark_worker_shutdown();

    /* not ready: an index folder that is gone (the engines reopened on first use) */
    char gone[96];
    snprintf(gone, sizeof gone, "%s/gone", dir);
    const char *gone_shards[] = {gone};
    ark_worker_init(gone_shards, 1, NULL, an, syn);
    run(&r, "/health/ready", NULL);
    ok(is_error(&r, ARK_API_NOT_READY) && r.retry_after == 1 && has(&r, "cannot open the index"),
       "health/ready: 503 not_ready with Retry-After without an index (%s)", body(&r));
    run(&r, "/health/live", NULL);
    is_int(r.status, 200, "health/live: still 200");
    ark_buf_free(&r.body);
    ark_worker_shutdown();
    ark_synonyms_free(syn);
    ark_an_free(an);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return done_testing();
}
