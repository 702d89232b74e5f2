/* lib/search/doc.c: passages and documents as the index stores them (search.h).
 * Owns: decoding a stored passage and a document's record (record.h) into what the
 * API returns, freeing them, and the document view (one page of a document's passages,
 * in order, with the marks of a query).
 * Not here: the bytes of the records (lib/record), finding passages (search.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/record.h"
#include "arkivar/schema.h"
#include "engine.h"
#include "snippet.h"

char *ark_dupz(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The parts of s between separators sep into a new array *v of *n strings: cases are
 * "a,b" (no trailing comma), fields "k=v" + ARK_FIELD_SEP each (a trailing one). */
static int split_list(const char *s, char sep, char ***v, size_t *n) {
    *n = 0;
    if (!*s) return 0;
    size_t cap = 1;
    for (const char *c = s; *c; c++) cap += *c == sep;
    if (!(*v = calloc(cap, sizeof **v))) return ARK_ENOMEM;
    for (;;) {
        const char *c = strchr(s, sep);
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len && !((*v)[*n] = ark_dupz(s, len))) return ARK_ENOMEM;
        *n += len > 0;
        if (!c) break;
        s = c + 1;
    }
    return 0;
}

int ark_load_docinfo(ark_engine *e, const char *id, size_t id_len, ark_docinfo *d,
                     ark_err *err) {
    char key[ARK_MAX_ID + 2];
    char *v = NULL;
    size_t n = 0;
    memset(d, 0, sizeof *d);
    if (id_len > ARK_MAX_ID) return ark_err_set(err, ARK_ENOTFOUND, "no such document");
    snprintf(key, sizeof key, ARK_PFX_DOC "%.*s", (int)id_len, id);
    int rc = ark_rdb_get_meta(e->db, key, &v, &n, err);
    if (rc) return rc;
    if (!v || n == 0) {
        free(v);
        return ark_err_set(err, ARK_ENOTFOUND, "no such document: %.*s", (int)id_len, id);
    }
    char *z = ark_dupz(v, n);
    free(v);
    if (!z) return ark_err_set(err, ARK_ENOMEM, "document record");
    ark_drec r;
    rc = ark_drec_decode(z, n, &r, err);
    if (rc == 0) {
        d->id = ark_dupz(id, id_len);
        d->title = strdup(r.title);
        d->type = strdup(r.type);
        d->date = strdup(r.date);
        d->committee = strdup(r.committee);
        d->addressee = strdup(r.addressee);
        d->format = strdup(*r.format ? r.format : "text");
        d->url = strdup(r.url);
        d->npassages = r.npassages;
        d->bytes = r.bytes;
        rc = split_list(r.case_numbers, ',', &d->case_numbers, &d->ncase_numbers);
        if (!rc) rc = split_list(r.fields, ARK_FIELD_SEP, &d->fields, &d->nfields);
        if (!rc && (!d->id || !d->title || !d->type || !d->date || !d->committee ||
                    !d->addressee || !d->format || !d->url))
            rc = ARK_ENOMEM;
        if (rc) ark_err_set(err, rc, "document record");
    }
    free(z);
    if (rc) ark_docinfo_free(d);
    return rc;
}

int ark_decode_passage(ark_engine *e, const char *data, size_t len, ark_prec *p,
                       ark_passage_info *out, ark_err *err) {
    int rc = ark_prec_decode(data, len, p, &e->scratch, err);
    if (rc) return ark_err_set(err, ARK_EINDEX, "%s: run arkivar-indexer again", err ? err->msg : "corrupt passage");
    memset(out, 0, sizeof *out);
    out->ordinal = p->ordinal;
    out->start = p->start;
    out->end = p->end;
    out->line_start = p->line_start;
    out->line_end = p->line_end;
    out->page = p->page;
    out->page_end = p->page_end;
    out->heading = ark_dupz(p->heading, p->heading_len);
    out->text = ark_dupz(p->text, p->text_len);
    out->text_len = p->text_len;
    if (!out->heading || !out->text) {
        ark_passage_info_free(out);
        return ark_err_set(err, ARK_ENOMEM, "passage");
    }
    return 0;
}

void ark_docinfo_free(ark_docinfo *d) {
    if (!d) return;
    free(d->id);
    free(d->title);
    free(d->type);
    free(d->date);
    free(d->committee);
    free(d->addressee);
    for (size_t i = 0; i < d->ncase_numbers; i++) free(d->case_numbers[i]);
    free(d->case_numbers);
    free(d->format);
    free(d->url);
    for (size_t i = 0; i < d->nfields; i++) free(d->fields[i]);
    free(d->fields);
    memset(d, 0, sizeof *d);
}

void ark_passage_info_free(ark_passage_info *p) {
    if (!p) return;
    free(p->heading);
    free(p->text);
    memset(p, 0, sizeof *p);
}

typedef struct doc_collect {
    ark_engine *e;
    ark_docview *v;
    size_t cap, lo, hi; /* the page: ordinals [lo, hi) */
    size_t seen;        /* passages of the document */
    int rc;
    ark_err *err;
} doc_collect;

/* Keeps only the page's passages: the others are decoded into the engine's scratch
 * (for their ordinal) and dropped, so a view of a 17 MB document holds one page. */
static int collect_passage(const char *data, size_t len, void *user) {
    doc_collect *c = user;
    ark_prec p;
    c->seen++;
    if (ark_prec_decode(data, len, &p, &c->e->scratch, NULL) == 0 &&
        (p.ordinal < c->lo || p.ordinal >= c->hi))
        return 0;
    if (c->v->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        if (cap > c->hi - c->lo) cap = c->hi - c->lo;
        if (cap <= c->v->n) cap = c->v->n + 1; /* a corrupt record: decoded below */
        ark_passage_info *np = realloc(c->v->passages, cap * sizeof *np);
        if (!np) return c->rc = ark_err_set(c->err, ARK_ENOMEM, "document view");
        c->v->passages = np;
        c->cap = cap;
    }
    if ((c->rc = ark_decode_passage(c->e, data, len, &p, &c->v->passages[c->v->n], c->err)))
        return c->rc;
    c->v->n++;
    return 0;
}

static int by_ordinal(const void *a, const void *b) {
    const ark_passage_info *x = a, *y = b;
    return (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

/* The query's matches are read this many at a time: enough to count a document's
 * matches in a few rounds, few enough to hold (records of about 1 KB each). */
#define MATCH_BATCH 1000

/* Which passages of the whole document match q (nmatched, first_match), which of the
 * page's do, and where q's words are in each of the page's. 0, or ARK_ENOMEM and a
 * Xapian error; an unusable q gives no marks. */
static int find_marks(ark_engine *e, const char *q, ark_docview *v, ark_err *err) {
    ark_hits hits = {0};
    ark_search_req only = {.doc = v->doc.id};
    ark_prepared pq;
    v->first_match = SIZE_MAX;
    int rc = ark_prepare(e, q, &only, &pq, NULL);
    if (rc == ARK_ENOMEM) rc = ark_err_set(err, rc, "document view");
    else if (rc) rc = 0; /* too long or not a query: no marks */
    if (rc || !pq.searchable) goto out;
    qbuild *b = pq.b;
    ark_xq *xq = pq.xq;
    if (!(v->marks = calloc(v->n ? v->n : 1, sizeof *v->marks))) {
        rc = ark_err_set(err, ARK_ENOMEM, "document view");
        goto out;
    }
    ark_search_opts o;
    ark_search_opts_default(&o);
    o.limit = MATCH_BATCH;
    for (o.offset = 0;; o.offset += MATCH_BATCH) {
        if ((rc = ark_rdb_search(e->db, xq, &o, &hits, err))) goto out;
        for (size_t i = 0; i < hits.n; i++) {
            ark_prec p;
            if (ark_prec_decode(hits.v[i].data, hits.v[i].data_len, &p, &e->scratch, NULL))
                continue;
            v->nmatched++;
            if (p.ordinal < v->first_match) v->first_match = p.ordinal;
            size_t lo = 0, hi = v->n; /* the page's passages are in ordinal order */
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (v->passages[mid].ordinal < p.ordinal) lo = mid + 1;
                else hi = mid;
            }
            if (lo < v->n && v->passages[lo].ordinal == p.ordinal) v->marks[lo].matched = 1;
        }
        size_t got = hits.n;
        ark_hits_free(&hits);
        if (got < MATCH_BATCH || o.offset + MATCH_BATCH > v->total) break;
    }
    for (size_t i = 0; i < v->n; i++) {
        const ark_passage_info *p = &v->passages[i];
        ark_snip s; /* a target of the whole text: the "snippet" is the passage itself */
        ark_passage_ref pr;
        ark_snip_oracle orc;
        ark_passage_oracle(e, v->doc.id, strlen(v->doc.id), p->ordinal, &pr, &orc);
        if (ark_snippet_make(e->an, p->text, p->text_len, b->words, b->nwords, p->text_len, &orc,
                             &s)) {
            rc = ark_err_set(err, ARK_ENOMEM, "document view");
            goto out;
        }
        free(s.text);
        v->marks[i].ranges = s.hl;
        v->marks[i].n = s.nhl;
    }
out:
    ark_hits_free(&hits);
    ark_prepared_free(&pq);
    return rc;
}

static void marks_free(ark_docview *v) {
    for (size_t i = 0; v->marks && i < v->n; i++) free(v->marks[i].ranges);
    free(v->marks);
    v->marks = NULL;
    v->nmatched = 0;
    v->first_match = SIZE_MAX;
}

int ark_doc_get(ark_engine *e, const ark_doc_req *req, ark_docview *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    out->first_match = SIZE_MAX;
    ark_near_forget(e); /* the index may have changed since the last request */
    if (!req || !req->id) return ark_err_set(err, ARK_EINVAL, "ark_doc_get: no document id");
    const char *id = req->id, *q = req->q;
    size_t count = req->count == 0 ? ARK_DOC_PAGE
                   : req->count > ARK_DOC_PAGE_MAX ? ARK_DOC_PAGE_MAX : req->count;
    int rc = ark_load_docinfo(e, id, strlen(id), &out->doc, err);
    if (rc) return rc;
    char term_[ARK_MAX_ID + 2];
    snprintf(term_, sizeof term_, ARK_PFX_DOC "%s", id);
    out->from = req->from;
    doc_collect c = {e, out, 0, req->from, req->from + count, 0, 0, err};
    if (c.hi < c.lo) c.hi = SIZE_MAX; /* from near SIZE_MAX */
    rc = ark_rdb_each_with_term(e->db, term_, strlen(term_), collect_passage, &c, err);
    if (!rc) rc = c.rc;
    if (rc) {
        ark_docview_free(out);
        return rc;
    }
    out->total = c.seen;
    if (out->n) qsort(out->passages, out->n, sizeof *out->passages, by_ordinal);
    if (q && strspn(q, " \t\r\n") < strlen(q)) {
        rc = find_marks(e, q, out, err);
        if (rc == 0 && out->nmatched == 0) {
            /* As a search answers the correction when nothing matched ("Mente du"). */
            ark_err fail = {0, ""};
            char *sugg = ark_spelling_for(e, q, &fail);
            if (fail.code) {
                rc = fail.code;
                if (err) *err = fail;
            }
            if (sugg) {
                ark_docview again = *out;
                again.marks = NULL;
                again.nmatched = 0;
                rc = find_marks(e, sugg, &again, err);
                if (rc == 0 && again.nmatched > 0) {
                    marks_free(out);
                    out->marks = again.marks;
                    out->nmatched = again.nmatched;
                    out->first_match = again.first_match;
                    out->corrected = sugg;
                    sugg = NULL;
                } else {
                    marks_free(&again);
                }
            }
            free(sugg);
        }
        if (rc) ark_docview_free(out);
    }
    return rc;
}

void ark_docview_free(ark_docview *v) {
    if (!v) return;
    ark_docinfo_free(&v->doc);
    marks_free(v);
    for (size_t i = 0; i < v->n; i++) ark_passage_info_free(&v->passages[i]);
    free(v->passages);
    free(v->corrected);
    memset(v, 0, sizeof *v);
}
