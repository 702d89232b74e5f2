/* lib/search/learned.c: the engine's acronym table: what the index's documents define,
 * merged with data/acronyms.txt.
 * Owns: reading the definitions (one ARK_META_ACRONYMS entry per document, schema.h) from
 * every shard, counting each long form by the documents that give it, choosing the long
 * forms an acronym keeps, merging with the file, and the per-expansion keys a query
 * compares (compile.c's ark_expansion_keys).
 * Not here: finding definitions in text (lib/text/acronym.c), storing them with their
 * document (lib/ingest/build.c), the table's entries and lookup (synonyms.c).
 * Why at open and on a changed index, not per query: issue 14, class 2. The definitions
 * live with their documents, so updates and removals need no bookkeeping; the table is
 * their sum, rebuilt when the engine sees another revision.
 *
 * Choice of long forms: an acronym keeps each long form (compared lowercased) that at
 * least half as many documents give as its most common one, the most common first, at
 * most LEARNED_FORMS: "TMF" keeps both names of a renamed administration when both are
 * in use, but a one-off misreading beside a name given by ten documents goes. A file
 * entry replaces what was learned for its acronym; the file's other entries add to it.
 *
 * Cost, bounded: one metadata read per document that defines anything (documents that
 * define none have no entry); at most LEARNED_PAIRS_MAX pairs are counted (about 80 bytes
 * each while the table is built, freed after) and the table keeps the LEARNED_MAX
 * acronyms the most documents define. Then one analysis of each expansion, for its keys.
 * Measured (callgrind, instructions): 20,000 entries of 2 pairs, 5,003 acronyms: 127 M to
 * read (Xapian's metadata walk 75 M, the sort 41 M), 53 M to merge; 185 entries: 1.2 M.
 * Each engine pays it, so each server thread and level, at open and on a new revision. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "arkivar/schema.h"

#define LEARNED_FORMS 4
#define LEARNED_MAX 10000
#define LEARNED_PAIRS_MAX 200000
#define SF_BYTES 40 /* 10 characters (lib/text/acronym.c) of at most 4 bytes */
#define LF_MAX 520  /* bytes of a long form: the detector looks at 512 at most */

/* Every pair read, as "sf_lower\0lf_lower\0lf\0" records in one pool. */
typedef struct pairs {
    ark_buf pool;
    size_t *at; /* record offsets */
    size_t n, cap;
    int rc;
    const ark_an *an; /* the word list: a short form that is a word is not learned */
} pairs;

static int add_pair(pairs *p, const char *sf, size_t sfn, const char *lf, size_t lfn) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        size_t *v = realloc(p->at, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        p->at = v;
        p->cap = cap;
    }
    char sl[4 * SF_BYTES + 1], ll[4 * LF_MAX + 1]; /* room for a lowercase that grows */
    size_t sn = ark_lower(sf, sfn, sl, sizeof sl);
    /* "SAND (standard er 1)", "DAG (DAY på engelsk)": a Danish word set in capitals is
     * no acronym to learn; a query for the word would meet the "expansion". One that
     * is both (SKAT) belongs in data/acronyms.txt. */
    if (p->an && ark_an_is_word(p->an, sl, sn)) return 0;
    size_t ln = ark_lower(lf, lfn, ll, sizeof ll);
    size_t at = p->pool.len;
    if (ark_buf_append(&p->pool, sl, sn + 1) || ark_buf_append(&p->pool, ll, ln + 1) ||
        ark_buf_append(&p->pool, lf, lfn) || ark_buf_append(&p->pool, "", 1))
        return ARK_ENOMEM;
    p->at[p->n++] = at;
    return 0;
}

/* One document's entry: "SF\tlong form\n" lines. */
static int read_entry(const char *key, size_t klen, const char *val, size_t vlen, void *user) {
    pairs *p = user;
    for (const char *l = val, *end = val + vlen, *nl; l < end; l = nl + 1) {
        if (!(nl = memchr(l, '\n', (size_t)(end - l)))) nl = end;
        const char *tab = memchr(l, '\t', (size_t)(nl - l));
        /* what the detector cannot have written is skipped, not cut */
        if (!tab || tab == l || tab + 1 == nl || tab - l > SF_BYTES || nl - tab - 1 > LF_MAX)
            continue;
        if (p->n >= LEARNED_PAIRS_MAX) return 1;
        if ((p->rc = add_pair(p, l, (size_t)(tab - l), tab + 1, (size_t)(nl - tab - 1)))) return 1;
    }
    return 0;
}

/* Records by acronym, then long form, then as read (so a long form's first written form
 * is the one kept). The pool holds them in reading order. */
static int cmp_pair(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int c = strcmp(x, y);
    if (c) return c;
    c = strcmp(x + strlen(x) + 1, y + strlen(y) + 1);
    if (c) return c;
    return x < y ? -1 : x > y;
}

/* A long form of one acronym and the documents that give it. */
typedef struct form {
    const char *written;
    uint32_t docs;
} form;

static int cmp_form(const void *a, const void *b) {
    const form *x = a, *y = b;
    return x->docs != y->docs ? (x->docs > y->docs ? -1 : 1) : strcmp(x->written, y->written);
}

static int cmp_docs(const void *a, const void *b) {
    const ark_syn_entry *x = a, *y = b;
    return x->docs != y->docs ? (x->docs > y->docs ? -1 : 1) : strcmp(x->acronym, y->acronym);
}

/* The pairs sorted by acronym, then long form, into entries: one per acronym, with the
 * long forms the top comment says. */
static int count_pairs(pairs *p, ark_synonyms *out) {
    /* the pool no longer grows: its records can be sorted by address */
    const char **recs = p->n ? malloc(p->n * sizeof *recs) : NULL;
    if (p->n && !recs) return ARK_ENOMEM;
    for (size_t k = 0; k < p->n; k++) recs[k] = p->pool.data + p->at[k];
    if (p->n) qsort(recs, p->n, sizeof *recs, cmp_pair); /* qsort(NULL, 0) is undefined */
    int rc = 0;
    form forms[64];
    for (size_t i = 0, j; !rc && i < p->n; i = j) {
        const char *sf = recs[i], *prev = NULL;
        size_t nf = 0;
        int skipped = 0; /* the run of the current long form is past forms[]'s room */
        for (j = i; j < p->n && strcmp(recs[j], sf) == 0; j++) {
            const char *rec = recs[j];
            const char *ll = rec + strlen(rec) + 1, *written = ll + strlen(ll) + 1;
            if (prev && strcmp(ll, prev) == 0) {
                if (!skipped) forms[nf - 1].docs++;
            } else if (nf < 64) {
                forms[nf].written = written;
                forms[nf++].docs = 1;
                skipped = 0;
            } else {
                skipped = 1;
            }
            prev = ll;
        }
        qsort(forms, nf, sizeof *forms, cmp_form);
        ark_syn_entry *e = ark_syn_add(out, sf, strlen(sf));
        if (!e) rc = ARK_ENOMEM;
        else e->docs = forms[0].docs;
        for (size_t k = 0; !rc && k < nf && k < LEARNED_FORMS && 2 * forms[k].docs >= forms[0].docs;
             k++)
            rc = ark_syn_add_expansion(e, forms[k].written, strlen(forms[k].written));
    }
    free(recs);
    if (rc) return rc;
    if (out->n > LEARNED_MAX) {
        qsort(out->v, out->n, sizeof *out->v, cmp_docs);
        ark_synonyms tail = {out->v + LEARNED_MAX, out->n - LEARNED_MAX, 0};
        for (size_t k = 0; k < tail.n; k++) {
            for (size_t x = 0; x < tail.v[k].nexpansions; x++) free(tail.v[k].expansions[x]);
            free(tail.v[k].expansions);
            free(tail.v[k].acronym);
        }
        out->n = LEARNED_MAX;
    }
    return 0;
}

int ark_learned_read(ark_engine *e, ark_err *err) {
    pairs p = {ARK_BUF_INIT, NULL, 0, 0, 0, e->an};
    ark_synonyms *t = calloc(1, sizeof *t);
    int rc = t ? 0 : ARK_ENOMEM;
    if (!rc) rc = ark_rdb_meta_prefix_each(e->db, ARK_META_ACRONYMS, read_entry, &p, err);
    if (!rc) rc = p.rc;
    if (!rc) rc = count_pairs(&p, t);
    if (rc == ARK_ENOMEM) ark_err_set(err, rc, "learned acronyms: out of memory");
    free(p.at);
    ark_buf_free(&p.pool);
    if (rc) {
        ark_synonyms_free(t);
        return rc;
    }
    ark_synonyms_free(e->learned);
    e->learned = t;
    return 0;
}

/* A copy of x into the table, with its keys. */
static int copy_entry(ark_engine *e, ark_synonyms *s, const ark_syn_entry *x) {
    ark_syn_entry *c = ark_syn_add(s, x->acronym, strlen(x->acronym));
    if (!c) return ARK_ENOMEM;
    c->docs = x->docs;
    for (size_t j = 0; j < x->nexpansions; j++)
        if (ark_syn_add_expansion(c, x->expansions[j], strlen(x->expansions[j]))) return ARK_ENOMEM;
    if (!c->nexpansions) return 0;
    if (!(c->keys = calloc(c->nexpansions, sizeof *c->keys)) ||
        !(c->whole = calloc(c->nexpansions, sizeof *c->whole)))
        return ARK_ENOMEM;
    for (size_t j = 0; j < c->nexpansions; j++) {
        char k[2048];
        ark_expansion_keys(e, c->expansions[j], k, sizeof k);
        if (!(c->keys[j] = strdup(k))) return ARK_ENOMEM;
        ark_expansion_whole_key(e, c->expansions[j], k, sizeof k);
        if (!(c->whole[j] = strdup(k))) return ARK_ENOMEM;
    }
    return 0;
}

static int cmp_acronym(const void *a, const void *b) {
    return strcmp(((const ark_syn_entry *)a)->acronym, ((const ark_syn_entry *)b)->acronym);
}

int ark_learned_merge(ark_engine *e, ark_err *err) {
    ark_synonyms *s = calloc(1, sizeof *s);
    int rc = s ? 0 : ARK_ENOMEM;
    const ark_synonyms *file = e->file, *learned = e->learned;
    /* an acronym the file gives twice: its first line counts, as it always did */
    for (size_t i = 0; !rc && file && i < file->n; i++)
        if (!ark_syn_find(s, file->v[i].acronym, strlen(file->v[i].acronym)))
            rc = copy_entry(e, s, &file->v[i]);
    for (size_t i = 0; !rc && learned && i < learned->n; i++) {
        const char *a = learned->v[i].acronym;
        if (!ark_syn_find(file, a, strlen(a))) rc = copy_entry(e, s, &learned->v[i]);
    }
    if (rc) {
        ark_synonyms_free(s);
        return ark_err_set(err, rc, "acronym table: out of memory");
    }
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_acronym);
    s->sorted = 1;
    ark_synonyms_free(e->syn);
    e->syn = s->n ? s : NULL;
    if (!s->n) ark_synonyms_free(s);
    return 0;
}
