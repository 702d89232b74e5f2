/* lib/search/engine.c: the engine's lifecycle (include/arkivar/search.h).
 * Owns: opening the shards and checking their format, refreshing (the acronym table
 * with them: learned.c), statistics, the
 * term frequencies the stages ask for, and what a passage holds (the snippet's oracle).
 * The stages of a search, each in its own file (engine.h is what they share):
 *   compile.c  the parsed query -> one Xapian query, with the Danish analysis chain
 *   search.c   running it: the page rule, the rerank, facets, counts, snippets
 *   spell.c    "Mente du": the words the index knows, for words it does not
 *   suggest.c  completions of the word being typed
 *   doc.c      passages and document records as stored, and the document view
 *   learned.c  the acronym table: the index's definitions merged with the file
 * Not here: parsing (query.c), windows and offsets (snippet.c), Xapian (index.h). */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/index.h"
#include "arkivar/schema.h"
#include "snippet.h"

typedef struct fmt_check {
    int bad;
    char seen[16];
} fmt_check;

static int note_format(const char *v, size_t n, void *user) {
    fmt_check *c = user;
    snprintf(c->seen, sizeof c->seen, "%.*s", (int)(n < 15 ? n : 15), v);
    if (n != strlen(ARK_INDEX_FORMAT) || memcmp(v, ARK_INDEX_FORMAT, n) != 0) c->bad = 1;
    return 0;
}

/* Every shard must be in the layout this engine reads (record.h). */
static int check_format(ark_engine *e, ark_err *err) {
    fmt_check c = {0, {0}};
    int rc = ark_rdb_get_meta_each(e->db, ARK_META_FORMAT, note_format, &c, err);
    if (rc) return rc;
    uint64_t passages = 0;
    if ((rc = ark_rdb_stats(e->db, NULL, &passages, err))) return rc;
    if (c.bad || (passages > 0 && !c.seen[0]))
        return ark_err_set(err, ARK_EINDEX,
                           "the index was written by another version of arkivar-indexer "
                           "(format %s, this server reads %s): run arkivar-indexer again",
                           c.seen[0] ? c.seen : "1", ARK_INDEX_FORMAT);
    return 0;
}

int ark_engine_open(const char *const *shards, size_t nshards, const ark_an *an,
                    ark_engine **out, ark_err *err) {
    *out = NULL;
    ark_engine *e = calloc(1, sizeof *e);
    if (!e) return ark_err_set(err, ARK_ENOMEM, "engine");
    int rc = ark_rdb_open(shards, nshards, &e->db, err);
    if (rc == 0) rc = check_format(e, err);
    if (rc == 0) rc = ark_an_clone(an, &e->an, err);
    /* the merge waits: the server gives the file next, and merging twice cost a fifth
     * of an open on 20,000 definitions (callgrind) */
    if (rc == 0) rc = ark_learned_read(e, err);
    e->syn_stale = 1;
    if (rc) {
        ark_engine_close(e);
        return rc;
    }
    *out = e;
    return 0;
}

void ark_engine_set_shard_policy(int partial, unsigned timeout_ms) {
    ark_rdb_set_shard_policy(partial, timeout_ms);
}

size_t ark_engine_shards(ark_engine *e, size_t *answered, const char **missing, size_t max) {
    if (answered) *answered = 0;
    return e ? ark_rdb_missing(e->db, answered, missing, max) : 0;
}

/* The shards into res: copies, so that res outlives a reopen of the engine. */
int ark_engine_note_shards(ark_engine *e, ark_results *res, ark_err *err) {
    const char *down[64];
    size_t answered = 0, total = ark_engine_shards(e, &answered, down, 64);
    res->shards_total = total;
    res->shards_answered = answered;
    size_t n = total - answered < 64 ? total - answered : 64;
    if (!n) return 0;
    if (!(res->shards_missing = calloc(n, sizeof *res->shards_missing)))
        return ark_err_set(err, ARK_ENOMEM, "search: shards");
    for (size_t i = 0; i < n; i++) {
        if (!(res->shards_missing[i] = strdup(down[i])))
            return ark_err_set(err, ARK_ENOMEM, "search: shards");
        res->nshards_missing = i + 1;
    }
    return 0;
}

void ark_engine_close(ark_engine *e) {
    if (!e) return;
    ark_near_forget(e);
    ark_rdb_close(e->db);
    ark_an_free(e->an);
    ark_synonyms_free(e->learned);
    ark_synonyms_free(e->syn);
    ark_buf_free(&e->scratch);
    free(e);
}

int ark_engine_set_synonyms(ark_engine *e, const ark_synonyms *s) {
    const ark_synonyms *old = e->file;
    e->file = s;
    int rc = ark_learned_merge(e, NULL);
    if (rc) e->file = old;
    else e->syn_stale = 0;
    return rc;
}

int ark_engine_table(ark_engine *e, ark_err *err) {
    if (!e->syn_stale) return 0;
    int rc = ark_learned_merge(e, err);
    if (rc == 0) e->syn_stale = 0;
    return rc;
}

size_t ark_engine_acronyms(ark_engine *e, size_t *learned) {
    if (learned) *learned = ark_synonyms_count(e->learned);
    return ark_engine_table(e, NULL) == 0 ? ark_synonyms_count(e->syn) : 0;
}

/* A new revision may add or remove documents that define acronyms: the table follows. */
int ark_engine_refresh(ark_engine *e, ark_err *err) {
    int changed = 0;
    int rc = ark_rdb_reopen(e->db, &changed, err);
    if (rc == 0 && changed && (rc = ark_learned_read(e, err)) == 0) {
        e->syn_stale = 1; /* merged now; should that fail, before the next query */
        rc = ark_engine_table(e, err);
    }
    return rc;
}

/* Sum the ARK_META_NDOCS record of every shard. */
static int add_count(const char *v, size_t n, void *user) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), v);
    *(uint64_t *)user += strtoull(tmp, NULL, 10);
    return 0;
}

int ark_engine_stats_get(ark_engine *e, ark_engine_stats *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    int rc = ark_rdb_stats(e->db, &out->revision, &out->passages, err);
    if (rc) return rc;
    size_t up = 0;
    out->shards = ark_rdb_shards_seen(e->db, &up);
    out->shards_up = up;
    return ark_rdb_get_meta_each(e->db, ARK_META_NDOCS, add_count, &out->documents, err);
}


int ark_engine_freq(ark_engine *e, const char *t, uint64_t *f, ark_err *err) {
    *f = 0;
    return ark_rdb_termfreq(e->db, t, strlen(t), f, err);
}

static int passage_has(void *user, const char *term) {
    ark_passage_ref *p = user;
    int yes = 0;
    if (ark_rdb_cooccur(p->e->db, p->uid, strlen(p->uid), term, strlen(term), &yes, NULL)) return 0;
    return yes;
}

void ark_passage_oracle(ark_engine *e, const char *doc_id, size_t id_len, uint32_t ordinal,
                        ark_passage_ref *p, ark_snip_oracle *o) {
    p->e = e;
    snprintf(p->uid, sizeof p->uid, ARK_PFX_UID "%.*s#%u", (int)id_len, doc_id, (unsigned)ordinal);
    o->has = passage_has;
    o->user = p;
}
