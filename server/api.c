/* server/api.c: the JSON API (api.h).
 * Owns: the parameters of each API route, the JSON field names of every response and
 * the terminal text format (format=text).
 * Not here: which path runs which handler (routes.c), replies, limits and errors
 * (reply.c), HTTP mechanics (http.c), JSON syntax (json.c).
 * Why: the field names are a contract with web pages, scripts and the tests; keeping
 * them in one file makes a rename visible in review. */
#include "api.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arkivar/err.h"
#include "arkivar/schema.h"
#include "arkivar/search.h"
#include "assets.h"
#include "group.h"
#include "json.h"
#include "metrics.h"
#include "worker.h"

static const char text_type[] = "text/plain; charset=utf-8";
static const char metrics_type[] = "text/plain; version=0.0.4; charset=utf-8";

#define TEXT_WIDTH 100 /* columns for wrapped snippets in format=text */

/* ---- shared JSON pieces ------------------------------------------------------------ */

static void json_docinfo(ark_json *j, const ark_docinfo *d, int full) {
    ark_json_obj_begin(j);
    ark_json_kstr(j, "id", d->id);
    ark_json_kstr(j, "title", d->title);
    ark_json_kstr(j, "type", d->type);
    ark_json_kstr(j, "date", d->date);
    ark_json_key(j, "case_numbers");
    ark_json_arr_begin(j);
    for (size_t i = 0; i < d->ncase_numbers; i++) ark_json_str(j, d->case_numbers[i]);
    ark_json_arr_end(j);
    if (*d->url) ark_json_kstr(j, "url", d->url);
    if (full) {
        ark_json_kstr(j, "committee", d->committee);
        ark_json_kstr(j, "addressee", d->addressee);
        ark_json_kstr(j, "format", d->format);
        ark_json_key(j, "fields");
        ark_json_obj_begin(j);
        for (size_t i = 0; i < d->nfields; i++) {
            const char *eq = strchr(d->fields[i], '=');
            char key[64];
            if (!eq || (size_t)(eq - d->fields[i]) >= sizeof key) continue;
            memcpy(key, d->fields[i], (size_t)(eq - d->fields[i]));
            key[eq - d->fields[i]] = '\0';
            ark_json_kstr(j, key, eq + 1);
        }
        ark_json_obj_end(j);
        ark_json_ku64(j, "passages", d->npassages);
        ark_json_ku64(j, "bytes", d->bytes);
    }
    ark_json_obj_end(j);
}

/* Byte ranges [start, end) into a text of len bytes, as [[s, e], ...]; a range that
 * would point outside the text is left out. */
static void json_ranges(ark_json *j, const uint32_t (*v)[2], size_t n, size_t len) {
    ark_json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        uint32_t s = v[i][0], e = v[i][1];
        if (s >= e || e > len) continue;
        ark_json_arr_begin(j);
        ark_json_u64(j, s);
        ark_json_u64(j, e);
        ark_json_arr_end(j);
    }
    ark_json_arr_end(j);
}

/* A passage; with its text for the document view, and with the marks of a query. */
static void json_passage(ark_json *j, const ark_passage_info *p, int with_text,
                         const ark_doc_mark *m) {
    ark_json_obj_begin(j);
    ark_json_ku64(j, "ordinal", p->ordinal);
    ark_json_kstr(j, "heading", p->heading);
    ark_json_ku64(j, "start", p->start);
    ark_json_ku64(j, "end", p->end);
    ark_json_ku64(j, "line_start", p->line_start);
    ark_json_ku64(j, "line_end", p->line_end);
    ark_json_key(j, "page");
    if (p->page) /* 0 means the source has no pages */
        ark_json_u64(j, p->page);
    else
        ark_json_null(j);
    if (p->page_end > p->page) ark_json_ku64(j, "page_end", p->page_end); /* runs on */
    if (with_text) {
        ark_json_key(j, "text");
        ark_json_strn(j, p->text ? p->text : "", p->text ? p->text_len : 0);
    }
    if (m) {
        ark_json_kbool(j, "matched", m->matched);
        ark_json_key(j, "marks");
        json_ranges(j, (const uint32_t(*)[2])m->ranges, m->n, p->text_len);
    }
    ark_json_obj_end(j);
}

static void json_facets(ark_json *j, const ark_facet_count *v, size_t n) {
    ark_json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        ark_json_obj_begin(j);
        ark_json_kstr(j, "value", v[i].value);
        ark_json_ku64(j, "count", v[i].count);
        ark_json_obj_end(j);
    }
    ark_json_arr_end(j);
}

/* ---- GET /api/search ------------------------------------------------------------- */

static void json_factors(ark_json *j, const char *key, const ark_explain_factor *v, size_t n) {
    ark_json_key(j, key);
    ark_json_arr_begin(j);
    for (size_t i = 0; i < n; i++) {
        ark_json_obj_begin(j);
        ark_json_kstr(j, "name", v[i].name);
        ark_json_key(j, "value");
        ark_json_double(j, v[i].value, 6);
        ark_json_obj_end(j);
    }
    ark_json_arr_end(j);
}

/* explain=1 (issue 15): the fields of ark_explain, with six decimals, so that a reader
 * can redo the sums (parts to xapian_weight, factors to score). */
static void json_explain(ark_json *j, const ark_explain *x) {
    ark_json_obj_begin(j);
    ark_json_key(j, "xapian_weight");
    ark_json_double(j, x->xapian_weight, 6);
    ark_json_ku64(j, "doclen", x->doclen);
    ark_json_key(j, "parts");
    ark_json_arr_begin(j);
    for (size_t i = 0; i < x->nparts; i++) {
        ark_json_obj_begin(j);
        ark_json_kstr(j, "query", x->parts[i].query);
        ark_json_key(j, "weight");
        ark_json_double(j, x->parts[i].weight, 6);
        ark_json_obj_end(j);
    }
    ark_json_arr_end(j);
    ark_json_key(j, "terms");
    ark_json_arr_begin(j);
    for (size_t i = 0; i < x->nterms; i++) {
        const ark_explain_term *t = &x->terms[i];
        ark_json_obj_begin(j);
        ark_json_kstr(j, "term", t->term);
        ark_json_kstr(j, "word", t->word);
        ark_json_kstr(j, "kind", t->kind);
        ark_json_kstr(j, "via", t->via);
        ark_json_ku64(j, "wdf", t->wdf);
        ark_json_ku64(j, "termfreq", t->termfreq);
        ark_json_key(j, "weight");
        ark_json_double(j, t->weight, 6);
        ark_json_obj_end(j);
    }
    ark_json_arr_end(j);
    json_factors(j, "boosts", x->boosts, x->nboosts);
    json_factors(j, "factors", x->factors, x->nfactors);
    ark_json_key(j, "score");
    ark_json_double(j, x->score, 6);
    ark_json_obj_end(j);
}

/* What a search answer says before its results: the query, the counts, "Mente du",
 * the shards. total_results and more are the caller's (documents for group=doc). */
static void json_search_head(ark_json *j, const char *q, const ark_results *res,
                             uint64_t total_results, double took_ms) {
    ark_json_kstr(j, "query", q);
    ark_json_kstr(j, "parsed", res->parsed ? res->parsed : "");
    ark_json_ku64(j, "total", res->total);
    ark_json_kbool(j, "total_exact", !res->total_estimated); /* else total is Xapian's estimate */
    ark_json_ku64(j, "total_results", total_results);
    ark_json_key(j, "took_ms");
    ark_json_double(j, took_ms, 3);
    ark_json_kstr(j, "suggestion", res->suggestion); /* null when none */
    ark_json_kbool(j, "corrected", res->corrected);
    if (res->shards_total > 1) { /* issue 16: who answered, when there are several */
        ark_json_key(j, "shards");
        ark_json_obj_begin(j);
        ark_json_ku64(j, "answered", res->shards_answered);
        ark_json_ku64(j, "total", res->shards_total);
        ark_json_key(j, "missing");
        ark_json_arr_begin(j);
        for (size_t i = 0; i < res->nshards_missing; i++) ark_json_str(j, res->shards_missing[i]);
        ark_json_arr_end(j);
        ark_json_obj_end(j);
    }
}

/* One passage's hit: its rank and score, where it is, its snippet and marks; with_doc
 * adds the document (a result of its own), else it sits under its document's entry. */
static void json_hit(ark_json *j, const ark_result *x, int with_doc) {
    ark_json_obj_begin(j);
    ark_json_ku64(j, "rank", x->rank);
    ark_json_key(j, "score");
    ark_json_double(j, x->score, 4);
    if (with_doc) {
        ark_json_ku64(j, "doc_matches", x->doc_matches);
        ark_json_key(j, "doc");
        json_docinfo(j, &x->doc, 0);
    }
    ark_json_key(j, "passage");
    json_passage(j, &x->passage, 0, NULL);
    ark_json_key(j, "snippet");
    ark_json_strn(j, x->snippet ? x->snippet : "", x->snippet ? x->snippet_len : 0);
    ark_json_key(j, "highlights");
    json_ranges(j, (const uint32_t(*)[2])x->highlights, x->nhighlights, x->snippet_len);
    if (x->explain) {
        ark_json_key(j, "explain");
        json_explain(j, x->explain);
    }
    ark_json_obj_end(j);
}

static void json_search_tail(ark_json *j, const ark_results *res) {
    ark_json_key(j, "facets");
    ark_json_obj_begin(j);
    ark_json_key(j, "type");
    json_facets(j, res->types, res->ntypes);
    ark_json_key(j, "year");
    json_facets(j, res->years, res->nyears);
    ark_json_obj_end(j);
}

static void search_json(ark_reply *r, const char *q, const ark_results *res) {
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    json_search_head(&j, q, res, res->total_results, res->took_ms);
    ark_json_key(&j, "results");
    ark_json_arr_begin(&j);
    for (size_t i = 0; i < res->n; i++) json_hit(&j, &res->v[i], 1);
    ark_json_arr_end(&j);
    json_search_tail(&j, res);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
}

/* group=doc: one entry per document, its best passages nested (group.h). */
static void search_json_groups(ark_reply *r, const char *q, const ark_groups *g) {
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    json_search_head(&j, q, &g->first, g->documents, g->took_ms);
    ark_json_kstr(&j, "group", "doc");
    ark_json_kbool(&j, "more", g->more);
    ark_json_key(&j, "results");
    ark_json_arr_begin(&j);
    for (size_t i = 0; i < g->n; i++) {
        const ark_group *d = &g->v[i];
        ark_json_obj_begin(&j);
        ark_json_ku64(&j, "rank", d->rank);
        ark_json_key(&j, "score");
        ark_json_double(&j, d->best[0]->score, 4);
        ark_json_ku64(&j, "doc_matches", d->best[0]->doc_matches);
        ark_json_ku64(&j, "further_matches", d->further);
        ark_json_key(&j, "doc");
        json_docinfo(&j, &d->best[0]->doc, 0);
        ark_json_key(&j, "passages");
        ark_json_arr_begin(&j);
        for (size_t k = 0; k < d->n; k++) json_hit(&j, d->best[k], 0);
        ark_json_arr_end(&j);
        ark_json_obj_end(&j);
    }
    ark_json_arr_end(&j);
    json_search_tail(&j, &g->first);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
}

/* Text for a terminal: valid UTF-8, runs of whitespace as one space, and no control
 * characters at all, so a document cannot send escape sequences to the user's
 * terminal. st carries a pending space across calls, so text split into pieces (around
 * highlight marks) keeps its spaces; leading and trailing whitespace is dropped. */
typedef struct text_state {
    int space;   /* whitespace seen since the last character written */
    int started; /* something was written */
    size_t cols, max; /* code points written; when max > 0, cut there with "…" */
    int cut;          /* max was reached: the rest is dropped */
} text_state;

static void text_put_st(ark_buf *b, const char *s, size_t len, text_state *st, int *rc) {
    for (size_t i = 0; *rc == 0 && !st->cut && i < len;) {
        uint32_t cp;
        size_t n = ark_json_utf8_next(s + i, len - i, &cp);
        int ws = cp == ' ' || cp == 0xA0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
                 cp == 0x2028 || cp == 0x2029;
        if (ws) {
            st->space = 1;
        } else {
            if (st->max && st->cols >= st->max) {
                *rc = ark_buf_puts(b, "\xE2\x80\xA6");
                st->cut = 1;
                return;
            }
            if (st->space && st->started) {
                *rc = ark_buf_putc(b, ' ');
                st->cols++;
            }
            st->cols++;
            st->space = 0;
            st->started = 1;
            if (*rc == 0) *rc = ark_json_utf8_put(b, cp);
        }
        i += n;
    }
}

static void text_put(ark_buf *b, const char *s, size_t len, int *rc) {
    text_state st = {0, 0, 0, 0, 0};
    text_put_st(b, s, len, &st, rc);
}

/* Headings can be a whole question; keep the location line readable. */
static void text_put_max(ark_buf *b, const char *s, size_t max, int *rc) {
    text_state st = {0, 0, 0, max, 0};
    text_put_st(b, s, strlen(s), &st, rc);
}

/* The snippet with [[ ]] around highlights, cleaned by text_put, wrapped at TEXT_WIDTH
 * with a 3-space indent. Words longer than a line are left whole. */
static int text_snippet(ark_buf *out, const ark_result *x) {
    int rc = 0;
    ark_buf flat = ARK_BUF_INIT;
    size_t len = x->snippet ? x->snippet_len : 0;
    size_t at = 0;
    text_state st = {0, 0, 0, 0, 0};
    /* in order and apart (search.h); one that is not, or points outside, is skipped */
    for (size_t i = 0; rc == 0 && i < x->nhighlights; i++) {
        uint32_t s = x->highlights[i][0], e = x->highlights[i][1];
        if (s >= e || e > len || s < at) continue;
        text_put_st(&flat, x->snippet + at, s - at, &st, &rc);
        /* The marks go where the word starts: after a pending space, not before it. */
        if (rc == 0 && st.space && st.started) rc = ark_buf_putc(&flat, ' ');
        st.space = 0;
        st.started = 1;
        if (rc == 0) rc = ark_buf_puts(&flat, "[[");
        text_put_st(&flat, x->snippet + s, e - s, &st, &rc);
        if (rc == 0) rc = ark_buf_puts(&flat, "]]");
        at = e;
    }
    if (rc == 0 && len > at) text_put_st(&flat, x->snippet + at, len - at, &st, &rc);
    if (rc) goto out;

    /* flat has single spaces only; greedy wrap on them. */
    size_t col = 0, i = 0;
    while (rc == 0 && i < flat.len) {
        size_t w = i, wcols = 0;
        while (w < flat.len && flat.data[w] != ' ') {
            uint32_t cp;
            w += ark_json_utf8_next(flat.data + w, flat.len - w, &cp);
            wcols++;
        }
        if (col == 0) {
            rc = ark_buf_puts(out, "   ");
            col = 3;
        } else if (col + 1 + wcols > TEXT_WIDTH) {
            rc = ark_buf_puts(out, "\n   ");
            col = 3;
        } else {
            rc = ark_buf_putc(out, ' ');
            col++;
        }
        if (rc == 0) rc = ark_buf_append(out, flat.data + i, w - i);
        col += wcols;
        i = w < flat.len ? w + 1 : w;
    }
    if (rc == 0 && col) rc = ark_buf_putc(out, '\n');
out:
    ark_buf_free(&flat);
    return rc ? ARK_ENOMEM : 0;
}

/* The first lines of a text answer: the count, the query, the time, which results are
 * shown (first..last, 0 when none) and "Mente du". */
static int text_head(ark_buf *b, const char *q, const ark_results *res, double took_ms,
                     uint32_t first, uint32_t last) {
    int rc = ark_buf_printf(b, "%s%llu resultater for \"", res->total_estimated ? "ca. " : "",
                            (unsigned long long)res->total);
    text_put(b, q, strlen(q), &rc);
    if (rc == 0) rc = ark_buf_printf(b, "\" (%.1f ms)", took_ms);
    if (rc == 0 && first)
        rc = ark_buf_printf(b, ", viser %u\xE2\x80\x93%u", (unsigned)first, (unsigned)last);
    if (rc == 0) rc = ark_buf_putc(b, '\n');
    if (rc == 0 && res->suggestion) {
        rc = ark_buf_puts(b, "Mente du: ");
        text_put(b, res->suggestion, strlen(res->suggestion), &rc);
        if (rc == 0 && res->corrected) rc = ark_buf_puts(b, " (resultaterne herunder er for den)");
        if (rc == 0) rc = ark_buf_putc(b, '\n');
    }
    if (rc == 0) rc = ark_buf_putc(b, '\n');
    return rc;
}

/* "N. title (type, date)": a result's, or with group=doc a document's, first line. */
static int text_title(ark_buf *b, uint32_t rank, const ark_docinfo *d) {
    const char *title = d->title && *d->title ? d->title : d->id ? d->id : "";
    int rc = ark_buf_printf(b, "%u. ", (unsigned)rank);
    text_put_max(b, title, 120, &rc);
    int has_type = d->type && *d->type, has_date = d->date && *d->date;
    if (rc == 0 && (has_type || has_date)) {
        rc = ark_buf_puts(b, " (");
        if (has_type) text_put(b, d->type, strlen(d->type), &rc);
        if (rc == 0 && has_type && has_date) rc = ark_buf_puts(b, ", ");
        if (has_date) text_put(b, d->date, strlen(d->date), &rc);
        if (rc == 0) rc = ark_buf_putc(b, ')');
    }
    if (rc == 0) rc = ark_buf_putc(b, '\n');
    return rc;
}

/* Where a passage is (document, lines, pages, its document's matches when count, its
 * heading), then its snippet. */
static int text_passage(ark_buf *b, const ark_result *x, int count) {
    const ark_passage_info *p = &x->passage;
    int rc = ark_buf_puts(b, "   ");
    if (x->doc.id) text_put(b, x->doc.id, strlen(x->doc.id), &rc);
    if (rc == 0 && p->line_start == p->line_end)
        rc = ark_buf_printf(b, "  linje %u", (unsigned)p->line_start);
    else if (rc == 0)
        rc = ark_buf_printf(b, "  linje %u\xE2\x80\x93%u", (unsigned)p->line_start,
                            (unsigned)p->line_end);
    if (rc == 0 && p->page) rc = ark_buf_printf(b, "  side %u", (unsigned)p->page);
    if (rc == 0 && p->page_end > p->page) rc = ark_buf_printf(b, "\xE2\x80\x93%u", (unsigned)p->page_end);
    if (rc == 0 && count && x->doc_matches > 1)
        rc = ark_buf_printf(b, "  (%u steder i dokumentet)", (unsigned)x->doc_matches);
    if (rc == 0 && p->heading && *p->heading) {
        rc = ark_buf_puts(b, "  \xC2\xA7 ");
        text_put_max(b, p->heading, 70, &rc);
    }
    if (rc == 0) rc = ark_buf_putc(b, '\n');
    if (rc == 0) rc = text_snippet(b, x);
    return rc;
}

/* The original, for a terminal user to open: the metadata's http(s) address, cleaned as
 * all text here is. */
static int text_url(ark_buf *b, const ark_docinfo *d) {
    int rc = 0;
    if (!d->url || !*d->url) return 0;
    rc = ark_buf_puts(b, "   Originalen: ");
    text_put(b, d->url, strlen(d->url), &rc);
    if (rc == 0) rc = ark_buf_putc(b, '\n');
    return rc;
}

static void search_text(ark_reply *r, const char *q, const ark_results *res) {
    ark_buf *b = &r->body;
    ark_reply_reset(r, 200, text_type);
    int rc = text_head(b, q, res, res->took_ms, res->n ? res->v[0].rank : 0,
                       res->n ? res->v[res->n - 1].rank : 0);
    for (size_t i = 0; rc == 0 && i < res->n; i++) {
        const ark_result *x = &res->v[i];
        rc = text_title(b, x->rank, &x->doc);
        /* under the title, as under a document's with group=doc */
        if (rc == 0) rc = text_url(b, &x->doc);
        if (rc == 0) rc = text_passage(b, x, 1);
        if (rc == 0) rc = ark_buf_putc(b, '\n');
    }
    if (rc != 0) ark_api_error(r, ARK_API_INTERNAL, "out of memory while rendering the response");
}

/* group=doc as text: a document's title once, its passages beneath it, and how many
 * more of its passages match. */
static void search_text_groups(ark_reply *r, const char *q, const ark_groups *g) {
    ark_buf *b = &r->body;
    ark_reply_reset(r, 200, text_type);
    int rc = text_head(b, q, &g->first, g->took_ms, g->n ? g->v[0].rank : 0,
                       g->n ? g->v[g->n - 1].rank : 0);
    for (size_t i = 0; rc == 0 && i < g->n; i++) {
        const ark_group *d = &g->v[i];
        rc = text_title(b, d->rank, &d->best[0]->doc);
        if (rc == 0) rc = text_url(b, &d->best[0]->doc);
        for (size_t k = 0; rc == 0 && k < d->n; k++) rc = text_passage(b, d->best[k], 0);
        if (rc == 0 && d->further)
            rc = ark_buf_printf(b, "   (%u flere i dette dokument)\n", (unsigned)d->further);
        if (rc == 0) rc = ark_buf_putc(b, '\n');
    }
    if (rc != 0) ark_api_error(r, ARK_API_INTERNAL, "out of memory while rendering the response");
}

const char *const ark_api_search_params[] = {"q", "limit", "offset", "sort", "format", "type",
                                             "date", "year", "from", "to", "case", "committee",
                                             "doc", "group", "explain", NULL};

/* The filter parameters of /api/search: the query syntax's type:, dato:, sag:, udvalg:
 * and doc:, in the order of their fields in ark_search_req; year, from and to are other
 * spellings of date (see read_dates). */
static const char *const search_filters[] = {"type", "date", "case", "committee", "doc"};
#define NFILTERS (sizeof search_filters / sizeof search_filters[0])

/* Each filter parameter (NULL when absent or empty); 400 in r for an over-long one. */
static int read_filters(const ark_api_req *req, ark_reply *r, const char *v[NFILTERS]) {
    for (size_t i = 0; i < NFILTERS; i++) {
        v[i] = req->get(req->ctx, search_filters[i]);
        if (v[i] && !*v[i]) v[i] = NULL;
        if (v[i] && strlen(v[i]) > ARK_MAX_ID) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "parameter %s is longer than %d bytes",
                          search_filters[i], ARK_MAX_ID);
            return -1;
        }
    }
    return 0;
}

/* The n digits at s, and nothing else in them. */
static int digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* A date of len bytes at s: YYYY, YYYY-MM or YYYY-MM-DD, with a month 01-12 and a day
 * 01-31. The engine reads any digits as a date (dato:abc matches nothing); a caller
 * that sends a wrong date must learn it rather than get no results. */
static int date_ok(const char *s, size_t len) {
    if (len != 4 && len != 7 && len != 10) return 0;
    if (!digits(s, 4)) return 0;
    if (len >= 7) {
        if (s[4] != '-' || !digits(s + 5, 2)) return 0;
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12) return 0;
    }
    if (len == 10) {
        if (s[7] != '-' || !digits(s + 8, 2)) return 0;
        int d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > 31) return 0;
    }
    return 1;
}

/* The date filter from date (a date, or a range "A..B" with either end left out), year
 * (YYYY), or from and to (dates; either alone is an open range), at most one of the
 * three kinds, into buf as dato: reads it; *out NULL when none is given. 400 in r
 * (bad_parameter naming the parameter) for a bad value, a range that ends before it
 * starts, or two kinds at once. */
static int read_dates(const ark_api_req *req, const char *date, char *buf, size_t cap,
                      const char **out, ark_reply *r) {
    const char *year = req->get(req->ctx, "year"), *from = req->get(req->ctx, "from"),
               *to = req->get(req->ctx, "to");
    if (year && !*year) year = NULL;
    if (from && !*from) from = NULL;
    if (to && !*to) to = NULL;
    *out = NULL;
    if ((date != NULL) + (year != NULL) + (from || to) > 1) {
        ark_api_error(r, ARK_API_BAD_PARAMETER, "give one of date, year or from/to, not %s",
                      date && year ? "date and year" : date ? "date and from/to" : "year and from/to");
        return -1;
    }
    if (date) {
        const char *dots = strstr(date, "..");
        size_t a = dots ? (size_t)(dots - date) : strlen(date);
        const char *b = dots ? dots + 2 : NULL;
        if ((!dots && !date_ok(date, a)) || (dots && !a && !*b) ||
            (dots && a && !date_ok(date, a)) || (b && *b && !date_ok(b, strlen(b))) ||
            (dots && a && *b && strncmp(date, b, a < strlen(b) ? a : strlen(b)) > 0)) {
            ark_api_error(r, ARK_API_BAD_PARAMETER,
                          "date must be YYYY, YYYY-MM or YYYY-MM-DD, or a range A..B of them "
                          "(either end may be left out), not %.40s", date);
            return -1;
        }
        *out = date;
    } else if (year) {
        if (strlen(year) != 4 || !digits(year, 4)) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "year must be YYYY, not %.40s", year);
            return -1;
        }
        *out = year;
    } else if (from || to) {
        const char *bad = from && !date_ok(from, strlen(from)) ? "from"
                          : to && !date_ok(to, strlen(to)) ? "to" : NULL;
        if (bad) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "%s must be YYYY, YYYY-MM or YYYY-MM-DD, not %.40s",
                          bad, bad[0] == 'f' ? from : to);
            return -1;
        }
        /* compared on their common length: to=2025 takes in 2025-12-31 */
        if (from && to && strncmp(from, to, strlen(from) < strlen(to) ? strlen(from) : strlen(to)) > 0) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "from (%s) is after to (%s)", from, to);
            return -1;
        }
        snprintf(buf, cap, "%s..%s", from ? from : "", to ? to : "");
        *out = buf;
    }
    return 0;
}

void ark_api_search(const ark_api_req *req, ark_reply *r) {
    const char *f[NFILTERS];
    char range[32];
    if (read_filters(req, r, f)) return;
    if (read_dates(req, f[1], range, sizeof range, &f[1], r)) return;
    int any = 0;
    for (size_t i = 0; i < NFILTERS; i++) any |= f[i] != NULL;
    /* with a filter, q may be left out or empty: every passage that passes it */
    const char *q0 = req->get(req->ctx, "q");
    const char *q = any && (!q0 || ark_is_blank(q0)) ? "" : ark_need_q(req, r);
    if (!q) return;
    unsigned long limit = 10, offset = 0;
    const char *s = req->get(req->ctx, "limit");
    if (s && ark_parse_uint(s, 1, ARK_API_MAX_LIMIT, &limit) != 0) {
        ark_api_error(r, ARK_API_BAD_LIMIT, "limit must be an integer from 1 to %d", ARK_API_MAX_LIMIT);
        return;
    }
    s = req->get(req->ctx, "offset");
    if (s && ark_parse_uint(s, 0, ARK_API_MAX_OFFSET, &offset) != 0) {
        ark_api_error(r, ARK_API_BAD_OFFSET, "offset must be an integer from 0 to %d", ARK_API_MAX_OFFSET);
        return;
    }
    int by_date = 0;
    s = req->get(req->ctx, "sort");
    if (s && *s && strcmp(s, "relevance") != 0) {
        if (strcmp(s, "date") != 0) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "sort must be date or relevance");
            return;
        }
        by_date = 1;
    }
    int text = 0;
    s = req->get(req->ctx, "format");
    if (s && *s && strcmp(s, "json") != 0) {
        if (strcmp(s, "text") != 0) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "format must be json or text");
            return;
        }
        text = 1;
    }
    /* group=doc: limit and offset count documents (group.h). */
    int by_doc = 0;
    s = req->get(req->ctx, "group");
    if (s && *s && strcmp(s, "passage") != 0) {
        if (strcmp(s, "doc") != 0) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "group must be doc or passage, not %.40s", s);
            return;
        }
        by_doc = 1;
    }

    /* explain=1: why each result ranks where it does (issue 15); strict, as sort and
     * format are, so a typo is told rather than ignored */
    int explain = 0;
    s = req->get(req->ctx, "explain");
    if (s && *s && strcmp(s, "0") != 0) {
        if (strcmp(s, "1") != 0) {
            ark_api_error(r, ARK_API_BAD_PARAMETER, "explain must be 0 or 1");
            return;
        }
        explain = 1;
    }

    ark_search_req sr = {.q = q, .offset = (uint32_t)offset, .limit = (uint32_t)limit,
                         .sort_by_date = by_date, .type = f[0], .date = f[1], .case_no = f[2],
                         .committee = f[3], .doc = f[4], .explain = explain};
    ark_results res;
    ark_err err = {0, ""};
    int opened;
    if (by_doc) {
        ark_groups g;
        int grc = ark_groups_search(req->level, &sr, sr.offset, sr.limit, &g, &opened, &err);
        if (!ark_reply_engine_failed(r, "search failed", grc, opened, &err)) {
            if (text) search_text_groups(r, q, &g);
            else search_json_groups(r, q, &g);
        }
        ark_groups_free(&g);
        return;
    }
    int rc = ark_worker_search(req->level, &sr, &res, &opened, &err);
    if (ark_reply_engine_failed(r, "search failed", rc, opened, &err)) return;
    if (text)
        search_text(r, q, &res);
    else
        search_json(r, q, &res);
    ark_results_free(&res);
}

/* ---- GET /api/doc/ID ------------------------------------------------------------- */

const char *const ark_api_doc_params[] = {"q", "from", "count", NULL};

void ark_api_doc(const ark_api_req *req, const char *id, ark_reply *r) {
    if (!*id) {
        ark_api_error(r, ARK_API_NOT_FOUND, "no document id after /api/doc/");
        return;
    }
    const char *q = req->get(req->ctx, "q");
    if (q && strlen(q) > ARK_API_MAX_Q) {
        ark_api_error(r, ARK_API_QUERY_TOO_LONG, "parameter q is longer than %d bytes", ARK_API_MAX_Q);
        return;
    }
    if (q && ark_is_blank(q)) q = NULL;
    /* One page of passages: a view holds at most ARK_DOC_PAGE_MAX of them, so that the
     * server's memory stays flat whatever the document's size. */
    unsigned long from = 0, count = ARK_DOC_PAGE;
    const char *s = req->get(req->ctx, "from");
    if (s && ark_parse_uint(s, 0, UINT32_MAX, &from) != 0) {
        ark_api_error(r, ARK_API_BAD_PARAMETER, "from must be an integer from 0 to %lu", (unsigned long)UINT32_MAX);
        return;
    }
    s = req->get(req->ctx, "count");
    if (s && ark_parse_uint(s, 1, ARK_DOC_PAGE_MAX, &count) != 0) {
        ark_api_error(r, ARK_API_BAD_PARAMETER, "count must be an integer from 1 to %d", ARK_DOC_PAGE_MAX);
        return;
    }
    ark_doc_req dr = {.id = id, .q = q, .from = from, .count = count};
    ark_docview v;
    ark_err err = {0, ""};
    int opened;
    int rc = ark_worker_doc(req->level, &dr, &v, &opened, &err);
    if (rc == ARK_ENOTFOUND && opened) {
        ark_api_error(r, ARK_API_NOT_FOUND, "no document %.200s", id);
        return;
    }
    if (ark_reply_engine_failed(r, "document lookup failed", rc, opened, &err)) return;
    if (from > 0 && from >= v.total) {
        ark_api_error(r, ARK_API_BAD_PARAMETER, "from is past the document's last passage (it has %zu)", v.total);
        ark_docview_free(&v);
        return;
    }
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    ark_json_key(&j, "doc");
    json_docinfo(&j, &v.doc, 1);
    ark_json_ku64(&j, "total_passages", v.total);
    ark_json_ku64(&j, "from", v.from);
    ark_json_ku64(&j, "count", v.n);
    ark_json_key(&j, "next"); /* the from of the next page, or null on the last */
    if (v.from + v.n < v.total) ark_json_u64(&j, v.from + v.n);
    else ark_json_null(&j);
    if (q) {
        ark_json_kstr(&j, "query", q);
        ark_json_key(&j, "corrected");
        if (v.corrected) ark_json_str(&j, v.corrected);
        else ark_json_null(&j);
        ark_json_ku64(&j, "matched", v.nmatched); /* in the whole document */
        ark_json_key(&j, "first_match");
        if (v.first_match != SIZE_MAX) ark_json_u64(&j, v.first_match);
        else ark_json_null(&j);
    }
    ark_json_key(&j, "passages");
    ark_json_arr_begin(&j);
    for (size_t i = 0; i < v.n; i++)
        json_passage(&j, &v.passages[i], 1, v.marks ? &v.marks[i] : NULL);
    ark_json_arr_end(&j);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
    ark_docview_free(&v);
}

/* ---- GET /api/suggest (OpenSearch suggestions) -------------------------------------- */

const char *const ark_api_suggest_params[] = {"q", NULL};

void ark_api_suggest(const ark_api_req *req, ark_reply *r) {
    const char *q = req->get(req->ctx, "q");
    if (!q) {
        ark_api_error(r, ARK_API_MISSING_QUERY, "missing parameter q (the text typed so far)");
        return;
    }
    if (strlen(q) > ARK_API_MAX_Q) {
        ark_api_error(r, ARK_API_QUERY_TOO_LONG, "parameter q is longer than %d bytes", ARK_API_MAX_Q);
        return;
    }
    char **v = NULL;
    size_t n = 0;
    /* A search box asks on every keystroke, including an empty box: answer it
     * with no completions rather than an error. */
    if (!ark_is_blank(q)) {
        ark_err err = {0, ""};
        int opened;
        int rc = ark_worker_suggest(req->level, q, ARK_API_MAX_SUGGEST, &v, &n, &opened, &err);
        if (ark_reply_engine_failed(r, "suggest failed", rc, opened, &err)) return;
    }
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_arr_begin(&j);
    ark_json_str(&j, q);
    ark_json_arr_begin(&j);
    for (size_t i = 0; i < n && i < ARK_API_MAX_SUGGEST; i++) ark_json_str(&j, v[i]);
    ark_json_arr_end(&j);
    ark_json_arr_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
    ark_strings_free(v, n);
}

/* ---- GET /health and /metrics ----------------------------------------------------- */

static int engine_stats(ark_reply *r, ark_engine_stats *st) {
    ark_err err = {0, ""};
    int opened;
    int rc = ark_worker_stats(ARK_LEVEL_PUBLIC, st, &opened, &err);
    return ark_reply_engine_failed(r, "cannot read index statistics", rc, opened, &err) ? -1 : 0;
}

/* Several shards (a sharded index, --shard): how many answer (issue 16). */
static void health_shards(ark_json *j, const ark_engine_stats *st) {
    if (st->shards < 2) return;
    ark_json_key(j, "shards");
    ark_json_obj_begin(j);
    ark_json_ku64(j, "answered", st->shards_up);
    ark_json_ku64(j, "total", st->shards);
    ark_json_obj_end(j);
}

void ark_api_health(ark_reply *r) {
    ark_engine_stats st;
    if (engine_stats(r, &st) != 0) return;
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    ark_json_kstr(&j, "status", "ok");
    ark_json_kstr(&j, "version", ARK_VERSION);
    ark_json_ku64(&j, "revision", st.revision);
    ark_json_ku64(&j, "passages", st.passages);
    ark_json_ku64(&j, "documents", st.documents);
    health_shards(&j, &st);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
}

void ark_api_health_live(ark_reply *r) {
    ark_reply_reset(r, 200, ark_api_json_type);
    if (ark_buf_puts(&r->body, "{\"status\":\"ok\"}") != 0)
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
}

/* Ready: this thread's engine is open on the index and reads its statistics. The age is
 * for the operator's alert on a stale index (an indexer that stopped running); it does
 * not decide readiness, since an index nobody changes is still a good one. */
void ark_api_health_ready(ark_reply *r) {
    ark_engine_stats st;
    ark_err err = {0, ""};
    int opened;
    int rc = ark_worker_stats(ARK_LEVEL_PUBLIC, &st, &opened, &err);
    if (rc) {
        ark_api_error(r, ARK_API_NOT_READY, "%s: %s", opened ? "cannot read the index"
                      : "cannot open the index", err.msg[0] ? err.msg : ark_strerror(rc));
        r->retry_after = 1;
        return;
    }
    time_t when = 0, now = time(NULL);
    int have = ark_worker_last_commit(&when) == 0;
    ark_json j;
    ark_reply_reset(r, 200, ark_api_json_type);
    ark_json_init(&j, &r->body);
    ark_json_obj_begin(&j);
    ark_json_kstr(&j, "status", "ready");
    ark_json_ku64(&j, "revision", st.revision);
    ark_json_ku64(&j, "passages", st.passages);
    ark_json_key(&j, "last_commit_age_s"); /* null: only remote shards */
    if (have) ark_json_u64(&j, now > when ? (uint64_t)(now - when) : 0);
    else ark_json_null(&j);
    health_shards(&j, &st);
    ark_json_obj_end(&j);
    ark_reply_json(r, &j, 200, ark_api_json_type);
}

void ark_api_openapi(ark_reply *r) {
    ark_reply_reset(r, 200, ark_api_json_type);
    if (ark_buf_puts(&r->body, ark_assets_openapi) != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
        return;
    }
    r->cache = "public, max-age=3600"; /* changes only with the binary, as /static/ */
}

void ark_api_metrics(const ark_api_req *req, ark_reply *r) {
    ark_engine_stats st;
    /* Metrics must still be served when the index cannot be read: that is when an
     * operator looks at them. The index gauges are then left out. */
    int have = engine_stats(r, &st) == 0;
    ark_reply_reset(r, 200, metrics_type);
    if (ark_metrics_render(&r->body, have ? &st : NULL, req->conns) != 0)
        ark_api_error(r, ARK_API_INTERNAL, "out of memory while rendering metrics");
}
