/* lib/search/search.c: running a compiled query (include/arkivar/search.h).
 * Owns: the page rule (a document's weaker passages do not push others off the page),
 * the rerank of the candidates on their text, facets, the per-document match counts,
 * snippets with highlights, the corrected rerun when nothing matched, and, with
 * explain=1, why each result ranks where it does (issue 15).
 * Not here: building the query (compile.c), windows and offsets (snippet.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arkivar/schema.h"
#include "engine.h"
#include "snippet.h"

#define PAGE_POOL 20         /* candidates past the page for the per-document rule */
#define RANK_POOL 30         /* Xapian's top hits the rerank orders, at the least */
#define PER_DOC_DEMOTE 0.7   /* see the page rule in run(); tuned on tests/relevance */
#define W_PROX 0.3   /* all the words within a few positions of each other (rerank) */
#define W_FIELD 0.5  /* the words in the passage's heading or the document's title */
#define W_ALL 0.7    /* every meaningful word of the query in the passage (rerank) */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* How many passages of each result's document match: the "12 steder i dokumentet" a
 * reader sees. The match counts them when it sees every match (ark_hit.group_matches);
 * else count exactly: the query filtered to the page's documents (cheap: a few
 * documents' passages), counted per document in one pass rather than one query per
 * result. */
static int note_count(const char *id, size_t len, uint64_t n, void *user) {
    ark_results *out = user;
    for (size_t i = 0; i < out->n; i++) {
        ark_result *r = &out->v[i];
        if (strlen(r->doc.id) == len && memcmp(r->doc.id, id, len) == 0 && n > 0)
            r->doc_matches = (uint32_t)n;
    }
    return 0;
}

static int count_in_docs(ark_engine *e, const ark_xq *xq, ark_results *out, ark_err *err) {
    ark_xq *d[100];
    size_t nd = 0;
    for (size_t i = 0; i < out->n && nd < sizeof d / sizeof d[0]; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) seen = strcmp(out->v[j].doc.id, out->v[i].doc.id) == 0;
        if (seen) continue;
        char t[ARK_MAX_ID + 2];
        int tl = snprintf(t, sizeof t, ARK_PFX_DOC "%s", out->v[i].doc.id);
        if (!(d[nd] = ark_xq_term(t, (size_t)tl, 1, 0))) goto oom;
        nd++;
    }
    if (!nd) return 0;
    ark_xq *docs = ark_xq_combine(ARK_XQ_OR, d, nd, 0);
    for (size_t i = 0; i < nd; i++) ark_xq_free(d[i]);
    nd = 0;
    if (!docs) goto oom;
    ark_xq *pair[2] = {(ark_xq *)xq, docs};
    ark_xq *f = ark_xq_combine(ARK_XQ_FILTER, pair, 2, 0);
    ark_xq_free(docs);
    if (!f) goto oom;
    int rc = ark_rdb_count_by(e->db, f, ARK_SLOT_DOC, note_count, out, err);
    ark_xq_free(f);
    return rc;
oom:
    for (size_t i = 0; i < nd; i++) ark_xq_free(d[i]);
    return ark_err_set(err, ARK_ENOMEM, "count");
}

/* The candidates' documents' titles, looked up and matched once per document per
 * request (a document has many candidate passages). */
typedef struct doc_title {
    char id[ARK_MAX_ID + 1];
    int words;      /* how many query words the title holds */
    int have;       /* d holds the document's record, for the page to take */
    ark_docinfo d;
} doc_title;

#define MAX_TITLES 64

static int title_words(ark_engine *e, qbuild *b, doc_title *t, size_t *n, const char *id,
                       size_t len, int *words, ark_err *err) {
    *words = 0;
    if (len > ARK_MAX_ID) return 0;
    for (size_t i = 0; i < *n; i++)
        if (strlen(t[i].id) == len && memcmp(t[i].id, id, len) == 0) {
            *words = t[i].words;
            return 0;
        }
    ark_docinfo d;
    int rc = 0, unused = 0;
    int lrc = ark_load_docinfo(e, id, len, &d, err);
    if (lrc && lrc != ARK_ENOTFOUND) return lrc; /* not found: no title, no bonus */
    if (lrc == 0 && d.title && *d.title)
        rc = ark_snippet_cover(e->an, d.title, strlen(d.title), b->words, b->nwords, 1000,
                               words, &unused);
    if (rc == 0 && *n < MAX_TITLES) {
        doc_title *slot = &t[(*n)++];
        memcpy(slot->id, id, len);
        slot->id[len] = '\0';
        slot->words = *words;
        slot->have = lrc == 0;
        if (slot->have) slot->d = d; /* kept for the page (take_docinfo) */
    } else if (lrc == 0) {
        ark_docinfo_free(&d);
    }
    return rc;
}

/* The record of document id for a result: the rerank's copy when it has one (each is
 * taken once; a second passage of the document loads it again). */
static int take_docinfo(ark_engine *e, doc_title *t, size_t n, const char *id, size_t len,
                        ark_docinfo *d, ark_err *err) {
    for (size_t i = 0; i < n; i++)
        if (t[i].have && strlen(t[i].id) == len && memcmp(t[i].id, id, len) == 0) {
            *d = t[i].d;
            t[i].have = 0;
            return 0;
        }
    return ark_load_docinfo(e, id, len, d, err);
}

/* The rerank of the candidates (the page and PAGE_POOL more), on their text rather than
 * as Xapian subqueries: OP_NEAR reads the position lists of every matching passage (8x
 * the instructions of a whole query on "innovation projekter"), and AND_MAYBE boosts
 * keep Xapian from skipping passages; the candidates are few and their text is at hand.
 * A passage gains W_ALL when it holds all of the n meaningful words, up to W_PROX when
 * they sit within 3n+4 tokens, and up to W_FIELD when its heading or its document's
 * title holds them, in proportion to how many do. */
typedef struct boosts {
    double all, prox, field; /* what each boost added to the factor 1 */
    int title;               /* the field boost is the title's (else the heading's) */
} boosts;

static int rerank_bonus(ark_engine *e, qbuild *b, const ark_hit *h, size_t nwords,
                        doc_title *titles, size_t *ntitles, boosts *bo, ark_err *err) {
    ark_prec p;
    int distinct = 0, best = 0, head = 0, title = 0, unused = 0;
    int rc = ark_prec_decode(h->data, h->data_len, &p, &e->scratch, err);
    uint32_t window = (uint32_t)(3 * nwords + 4);
    if (rc == 0 && nwords >= 2) /* all words, and near: nothing to say of one word */
        rc = ark_snippet_cover(e->an, p.text, p.text_len, b->words, b->nwords, window,
                               &distinct, &best);
    if (rc == 0 && p.heading_len)
        rc = ark_snippet_cover(e->an, p.heading, p.heading_len, b->words, b->nwords, 1000, &head,
                               &unused);
    if (rc == 0) rc = title_words(e, b, titles, ntitles, p.doc_id, p.doc_id_len, &title, err);
    if (rc) return rc == ARK_ENOMEM ? ark_err_set(err, rc, "rerank") : rc;
    double n = (double)nwords;
    *bo = (boosts){0, 0, 0, title > head};
    if (nwords >= 2 && (size_t)distinct >= nwords) bo->all = W_ALL;
    if (nwords >= 2 && best >= 2) bo->prox = W_PROX * (best - 1) / (n - 1);
    int field = head > title ? head : title;
    if (field > 0) bo->field = W_FIELD * (field > (int)nwords ? 1.0 : field / n);
    return 0;
}

typedef struct ranked {
    size_t i;      /* index into the hits */
    double eff;    /* score after the page rule */
    /* how eff came from Xapian's weight, for explain=1: eff = weight x demote x
     * (1 + the boosts) x pool (1 when a factor did not apply) */
    double demote, pool;
    boosts bo;
    int reranked;  /* the boosts were computed */
} ranked;

/* A copy of s, or NULL; *oom set when s was there but the copy failed. */
static char *dup_or(const char *s, int *oom) {
    char *c = ark_dupz(s, strlen(s));
    if (!c) *oom = 1;
    return c;
}

/* How term t of the query meets the query word w (ark_explain_term.kind), NULL when it
 * does not: which of the word's forms (qword.h) it is. */
static const char *term_kind(const ark_qword *w, const char *t) {
    if (strcmp(t, w->exact) == 0) return "exact";
    if (strcmp(t, w->stem) == 0) return "stem";
    if (w->lemma[0] && strcmp(t, w->lemma) == 0) return "lemma";
    if ((w->fold[0] && strcmp(t, w->fold) == 0) || (w->fold2[0] && strcmp(t, w->fold2) == 0))
        return "folded";
    if (w->alt[0] && strcmp(t, w->alt) == 0) return "old_spelling";
    if (w->part[0] && strcmp(t, w->part) == 0) return "part_of";
    for (size_t i = 0; i < w->nparts; i++) {
        if (strcmp(t, w->parts[i]) == 0) return "compound_part";
        if (t[0] == ARK_PFX_STEM && strcmp(t + 1, w->parts[i] + 1) == 0) return "compound_part_word";
    }
    return NULL;
}

static const char *via_name(int via) {
    switch (via) {
    case ARK_VIA_EXPANSION: return "expansion";
    case ARK_VIA_ACRONYM: return "acronym";
    case ARK_VIA_COMPOUND: return "compound";
    case ARK_VIA_NEAR: return "near";
    case ARK_VIA_PIECE: return "piece";
    }
    return "typed";
}

/* A term of the ranked query rather than a filter's boolean term (schema.h: the
 * analysed terms are lowercase or carry Z, F or P). */
static int ranked_term(const char *t) {
    return !(t[0] >= 'A' && t[0] <= 'Z') || t[0] == ARK_PFX_STEM || t[0] == ARK_PFX_FOLD ||
           t[0] == ARK_PFX_PART;
}

void ark_explain_free(ark_explain *x) {
    if (!x) return;
    for (size_t i = 0; i < x->nparts; i++) free(x->parts[i].query);
    for (size_t i = 0; i < x->nterms; i++) {
        free(x->terms[i].term);
        free(x->terms[i].word);
    }
    free(x->parts);
    free(x->terms);
    free(x);
}

/* explain=1 (issue 15): why hit h ranks where it does, into *out (transferred). Only
 * here, for the page's results, so a search without explain does none of this work:
 * one filtered match per part of the query and per term the passage holds. weighed is
 * the OR of the parts: the terms that can weigh, not a negated word's or a filter's. */
static int explain_hit(ark_engine *e, const qbuild *b, const ark_xq *weighed, const ark_hit *h,
                       const ranked *rk, const char *doc_id, uint32_t ordinal, double score,
                       ark_explain **out, ark_err *err) {
    char uid[ARK_TERM_BUF];
    int ul = snprintf(uid, sizeof uid, ARK_PFX_UID "%s#%u", doc_id, (unsigned)ordinal);
    if (ul < 0 || (size_t)ul >= sizeof uid) return ark_err_set(err, ARK_EINTERNAL, "explain: id");
    ark_xterms xt = {0};
    int rc = 0, oom = 0;
    ark_explain *x = calloc(1, sizeof *x);
    if (!x) return ark_err_set(err, ARK_ENOMEM, "explain");
    x->xapian_weight = h->score;
    x->score = score;
    if (b->nxparts && !(x->parts = calloc(b->nxparts, sizeof *x->parts))) oom = 1;
    for (size_t i = 0; !oom && i < b->nxparts; i++) {
        ark_explain_part *pt = &x->parts[x->nparts++];
        if (!(pt->query = dup_or(b->xparts[i].label, &oom))) break;
        if ((rc = ark_rdb_weight_in(e->db, b->xparts[i].q, uid, (size_t)ul, &pt->weight, err)))
            goto out;
    }
    if (oom) goto out;
    if ((rc = ark_rdb_terms_in(e->db, weighed, h->docid, uid, (size_t)ul, &xt, err))) goto out;
    x->doclen = xt.doclen;
    if (xt.n && !(x->terms = calloc(xt.n, sizeof *x->terms))) { oom = 1; goto out; }
    for (size_t i = 0; i < xt.n; i++) {
        const char *t = xt.v[i].term;
        if (!ranked_term(t)) continue;
        const ark_qword *w = NULL;
        const char *kind = NULL;
        /* Several words may name a term ("Zmiljø": the word "miljø" and a part of
         * "miljøforvaltningen"): the word whose own form it is wins over one it is a
         * compound part of, and a word the user typed over one the query only marks. */
        int best = 4;
        for (size_t k = 0; k < b->nwords; k++) {
            const char *kd = term_kind(&b->words[k], t);
            int rank = !kd ? 4 : (strncmp(kd, "compound_part", 13) == 0) * 2 + b->words[k].mark_only;
            if (rank < best) {
                best = rank;
                kind = kd;
                w = &b->words[k];
            }
        }
        ark_explain_term *o = &x->terms[x->nterms++];
        o->kind = kind ? kind : "other";
        o->via = via_name(w ? w->via : ARK_VIA_TYPED);
        o->wdf = xt.v[i].wdf;
        o->termfreq = xt.v[i].termfreq;
        o->weight = xt.v[i].weight;
        if (!(o->term = dup_or(t, &oom)) || !(o->word = dup_or(w ? w->exact : "", &oom))) goto out;
    }
    if (rk->reranked) {
        const struct { const char *name; double v; } bo[3] = {
            {"all_words", rk->bo.all}, {"proximity", rk->bo.prox},
            {rk->bo.title ? "title" : "heading", rk->bo.field}};
        double f = 1.0;
        for (size_t i = 0; i < 3; i++)
            if (bo[i].v > 0) {
                x->boosts[x->nboosts++] = (ark_explain_factor){bo[i].name, bo[i].v};
                f += bo[i].v;
            }
        x->factors[x->nfactors++] = (ark_explain_factor){"rerank", f};
    }
    if (rk->demote != 1.0) x->factors[x->nfactors++] = (ark_explain_factor){"per_doc", rk->demote};
    if (rk->pool != 1.0) x->factors[x->nfactors++] = (ark_explain_factor){"pool", rk->pool};
out:
    ark_xterms_free(&xt);
    if (oom && !rc) rc = ark_err_set(err, ARK_ENOMEM, "explain");
    if (rc) ark_explain_free(x);
    else *out = x;
    return rc;
}

static int by_effective(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->eff != y->eff) return x->eff < y->eff ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i); /* stable: Xapian's order breaks ties */
}

/* The search of q; *near (may be NULL) says whether a typed word was replaced by the word
 * it stands for (compile.c, near_word). */
static int run(ark_engine *e, const char *q, const ark_search_req *req, ark_results *out,
               int *near, ark_err *err) {
    ranked *order = NULL;
    ark_xq *weighed = NULL; /* explain=1: the OR of the query's parts (explain_hit) */
    doc_title titles[MAX_TITLES];
    size_t ntitles = 0;
    ark_hits hits = {0};
    ark_prepared pq;
    int rc = ark_prepare(e, q, req, &pq, err);
    if (rc) goto out;
    free(out->parsed);
    if (!(out->parsed = ark_query_format(pq.tree))) {
        rc = ark_err_set(err, ARK_ENOMEM, "query");
        goto out;
    }
    if (!pq.xq) goto out; /* nothing searchable: no results */
    qbuild *b = pq.b;
    if (near) *near = b->near > 0;
    ark_xq *xq = pq.xq;
    if (req->explain && b->nxparts) { /* the parts alone: the terms that may weigh */
        ark_xq **v = malloc(b->nxparts * sizeof *v);
        for (size_t i = 0; v && i < b->nxparts; i++) v[i] = b->xparts[i].q;
        weighed = v ? ark_xq_combine(ARK_XQ_OR, v, b->nxparts, 0) : NULL;
        free(v);
        if (!weighed) {
            rc = ark_err_set(err, ARK_ENOMEM, "explain");
            goto out;
        }
    }

    ark_search_opts o;
    ark_search_opts_default(&o);
    /* The page rule: at most per_doc passages of one document compete at full score; a
     * further passage competes at PER_DOC_DEMOTE of its score. So a document's weaker
     * passages do not push other documents off the page, yet when one document holds the
     * only good answers, they are shown before weak matches elsewhere. (Compounding the
     * factor per passage measured worse on tests/relevance: 0.891 vs 0.903 inflection.)
     * The rule needs candidates past the page, hence PAGE_POOL.
     * Paging: the rerank orders Xapian's top `pool` hits (RANK_POOL, or the page size
     * and PAGE_POOL), a number that does not depend on the offset; hits past it follow in
     * Xapian's order. So every page of a query cuts one order: no passage is shown on two
     * pages or skipped, and the score falls from page to page. */
    uint32_t per_doc = req->per_doc ? req->per_doc : 2;
    uint32_t pool = req->limit + PAGE_POOL > RANK_POOL ? req->limit + PAGE_POOL : RANK_POOL;
    o.offset = 0;
    o.limit = req->offset + req->limit > pool ? req->offset + req->limit : pool;
    o.sort_by_date = req->sort_by_date;
    o.facet_slots[0] = ARK_SLOT_TYPE;
    o.facet_slots[1] = ARK_SLOT_YEAR;
    o.group_slot = ARK_SLOT_DOC; /* each document's matches, when the match sees them all */
    if ((rc = ark_rdb_search(e->db, xq, &o, &hits, err))) goto out;
    size_t nprox = 0; /* the query's meaningful words, for proximity */
    for (size_t i = 0; i < b->nwords; i++) nprox += !b->words[i].stop && !b->words[i].mark_only;
    if (!(order = malloc((hits.n ? hits.n : 1) * sizeof *order))) {
        rc = ark_err_set(err, ARK_ENOMEM, "results");
        goto out;
    }
    size_t ranked_n = hits.n < pool ? hits.n : pool;
    for (size_t i = ranked_n; i < hits.n; i++)
        order[i] = (ranked){.i = i, .eff = hits.v[i].score, .demote = 1.0, .pool = 1.0};
    for (size_t i = 0; i < ranked_n; i++) {
        uint32_t before = 0; /* passages of the same document ranked above this one */
        for (size_t j = 0; j < i; j++) before += strcmp(hits.v[j].key, hits.v[i].key) == 0;
        ranked rk = {.i = i, .eff = hits.v[i].score, .demote = 1.0, .pool = 1.0};
        if (before >= per_doc && !req->sort_by_date) rk.demote = PER_DOC_DEMOTE;
        rk.eff *= rk.demote;
        if (nprox >= 1 && !req->sort_by_date) { /* see rerank_bonus() */
            if ((rc = rerank_bonus(e, b, &hits.v[i], nprox, titles, &ntitles, &rk.bo, err)))
                goto out;
            rk.reranked = 1;
            rk.eff *= 1.0 + rk.bo.all + rk.bo.prox + rk.bo.field;
        }
        if (req->sort_by_date) rk.eff = -(double)i; /* by date: as is */
        order[i] = rk;
    }
    qsort(order, ranked_n, sizeof *order, by_effective);
    /* Past the pool, Xapian's weights scaled to fall on from the pool's last score. */
    if (ranked_n < hits.n && !req->sort_by_date && hits.v[ranked_n].score > 0) {
        double f = order[ranked_n - 1].eff / hits.v[ranked_n].score;
        for (size_t i = ranked_n; i < hits.n; i++) {
            order[i].pool = f < 1.0 ? f : 1.0;
            order[i].eff *= order[i].pool;
        }
    }

    out->total = hits.total;
    out->total_estimated = hits.total_lower != hits.total_upper;
    out->total_results = hits.total;
    for (size_t f = 0; f < hits.nfacets; f++) {
        ark_facet *fa = &hits.facets[f];
        ark_facet_count *v = calloc(fa->n ? fa->n : 1, sizeof *v);
        if (!v) { rc = ark_err_set(err, ARK_ENOMEM, "facets"); goto out; }
        size_t k = 0;
        for (size_t i = 0; i < fa->n; i++) {
            if (!fa->values[i] || !*fa->values[i]) continue;
            if (!(v[k].value = strdup(fa->values[i]))) break;
            v[k++].count = fa->counts[i];
        }
        if (fa->slot == ARK_SLOT_TYPE) { out->types = v; out->ntypes = k; }
        else { out->years = v; out->nyears = k; }
    }
    out->v = calloc(req->limit ? req->limit : 1, sizeof *out->v);
    if (!out->v) { rc = ark_err_set(err, ARK_ENOMEM, "results"); goto out; }
    size_t target = req->snippet_bytes ? req->snippet_bytes : 240, counted = 0;
    for (size_t k = req->offset; k < hits.n && out->n < req->limit; k++) {
        const ark_hit *h = &hits.v[order[k].i];
        ark_result *r = &out->v[out->n];
        ark_prec p;
        if ((rc = ark_decode_passage(e, h->data, h->data_len, &p, &r->passage, err))) goto out;
        r->rank = req->offset + (uint32_t)out->n + 1;
        r->score = req->sort_by_date ? h->score : order[k].eff; /* what ranked it */
        out->n++;
        if ((rc = take_docinfo(e, titles, ntitles, p.doc_id, p.doc_id_len, &r->doc, err)))
            goto out;
        r->doc_matches = h->group_matches ? (uint32_t)h->group_matches : 0;
        counted += r->doc_matches > 0;
        ark_snip s;
        ark_passage_ref pr;
        ark_snip_oracle orc;
        ark_passage_oracle(e, p.doc_id, p.doc_id_len, p.ordinal, &pr, &orc);
        if ((rc = ark_snippet_make(e->an, r->passage.text, r->passage.text_len, b->words,
                                   b->nwords, target, &orc, &s))) {
            ark_err_set(err, rc, "snippet");
            goto out;
        }
        r->snippet = s.text;
        r->snippet_len = s.len;
        r->highlights = s.hl;
        r->nhighlights = s.nhl;
        if (req->explain &&
            (rc = explain_hit(e, b, weighed ? weighed : xq, h, &order[k], r->doc.id,
                              r->passage.ordinal, r->score,
                              &r->explain, err)))
            goto out;
    }
    if (counted < out->n) { /* the match did not see every match: count them apart */
        for (size_t i = 0; i < out->n; i++) out->v[i].doc_matches = 1;
        rc = count_in_docs(e, xq, out, err);
    }
out:
    for (size_t i = 0; i < ntitles; i++)
        if (titles[i].have) ark_docinfo_free(&titles[i].d);
    free(order);
    ark_xq_free(weighed);
    ark_hits_free(&hits);
    ark_prepared_free(&pq);
    return rc;
}

int ark_search(ark_engine *e, const ark_search_req *req, ark_results *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    double t0 = now_ms();
    const char *q = req->q ? req->q : "";
    if (!*q && !ark_req_filtered(req)) return ark_err_set(err, ARK_EINVAL, "q is empty");
    if (strlen(q) > ARK_QUERY_MAX_BYTES)
        return ark_err_set(err, ARK_EINVAL, "q is longer than %d bytes", ARK_QUERY_MAX_BYTES);
    if (req->limit < 1 || req->limit > 100)
        return ark_err_set(err, ARK_EINVAL, "limit must be 1..100");
    int near = 0;
    ark_near_forget(e); /* the index may have changed since the last request */
    int rc = run(e, q, req, out, &near, err);
    if (rc == 0 && req->offset == 0) {
        ark_err fail = {0, ""};
        out->suggestion = ark_spelling_for(e, q, &fail);
        if (fail.code) {
            rc = fail.code;
            if (err) *err = fail;
        }
        if (rc == 0 && out->suggestion && out->total == 0) {
            /* Nothing found: answer the corrected query and say so. */
            ark_results again = {0};
            int rrc = run(e, out->suggestion, req, &again, NULL, err);
            if (rrc == 0 && again.n > 0) {
                again.suggestion = out->suggestion;
                out->suggestion = NULL;
                again.corrected = 1;
                ark_results_free(out);
                *out = again;
            } else {
                ark_results_free(&again);
                rc = rrc;
            }
        } else if (rc == 0 && out->suggestion && near && out->n > 0) {
            /* The unknown words were searched as the words they stand for: these are
             * the correction's results, and the page says so. */
            out->corrected = 1;
        }
    }
    if (rc == 0) rc = ark_engine_note_shards(e, out, err); /* issue 16 */
    out->took_ms = now_ms() - t0;
    if (rc) ark_results_free(out);
    return rc;
}

void ark_results_free(ark_results *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        ark_docinfo_free(&r->v[i].doc);
        ark_passage_info_free(&r->v[i].passage);
        free(r->v[i].snippet);
        free(r->v[i].highlights);
        ark_explain_free(r->v[i].explain);
    }
    free(r->v);
    for (size_t i = 0; i < r->ntypes; i++) free(r->types[i].value);
    for (size_t i = 0; i < r->nyears; i++) free(r->years[i].value);
    free(r->types);
    free(r->years);
    free(r->parsed);
    free(r->suggestion);
    for (size_t i = 0; i < r->nshards_missing; i++) free(r->shards_missing[i]);
    free(r->shards_missing);
    memset(r, 0, sizeof *r);
}
