/* lib/search/engine.h: what the stages of the engine share (not public: search.h is).
 * Owns: the engine handle, the state of one query's compilation (its words, which the
 * rerank, the snippets and the spelling read back), and the few calls one stage makes
 * into another. See engine.c for the map of the stages. */
#ifndef ARK_SEARCH_ENGINE_H
#define ARK_SEARCH_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"
#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "arkivar/index.h"
#include "arkivar/query.h"
#include "arkivar/record.h"
#include "arkivar/schema.h"
#include "arkivar/search.h"
#include "qword.h"
#include "snippet.h"
#include "synonyms.h"

#define MAX_QWORDS 32
#define NEAR_MEMO 8 /* unknown words of one request whose near word is remembered */

/* An unknown word and the word it stands for (NULL: none), for one request: the search
 * replaces the word (compile.c) and "Mente du" names it (spell.c), from one lookup. */
typedef struct near_memo {
    char word[ARK_MAX_TERM + 1];
    char *near;
} near_memo;

struct ark_engine {
    ark_rdb *db;
    ark_an *an;
    const ark_synonyms *file; /* borrowed: data/acronyms.txt (ark_engine_set_synonyms) */
    ark_synonyms *learned;    /* what the index's documents define (learned.c) */
    ark_synonyms *syn;        /* the table queries use: the file over the learned; NULL
                               * when both are empty (learned.c) */
    int syn_stale;            /* syn is not yet merged from file and learned: at open, the
                               * merge waits for ark_engine_set_synonyms or the first query */
    ark_buf scratch;          /* passage decoding */
    near_memo near[NEAR_MEMO];
    size_t nnear;
};

/* Which shards answered e's last read, into res (engine.c). 0 or ARK_ENOMEM. */
int ark_engine_note_shards(ark_engine *e, ark_results *res, ark_err *err);

/* One query being compiled (compile.c), then run (search.c). */
typedef struct qbuild {
    ark_engine *e;
    ark_qword words[MAX_QWORDS]; /* positive words, for highlighting and spelling */
    size_t nwords;
    int phrases;                 /* phrases numbered so far */
    int cur_phrase;              /* words remembered now belong to this phrase (0: none) */
    int oom;                     /* an allocation failed: the query is not usable */
    int rc;                      /* a lookup in the index failed (err says why): the same */
    int near;                    /* typed words replaced by the word they stand for */
    int via;                     /* ARK_VIA_* of the words remembered now (qword.h) */
    ark_err err;
    /* explain=1 only (issue 15): the parts the top-level OR sums, each a copy of its
     * query with what the user typed for it, so that the weight of each part alone in a
     * passage is its exact share of the passage's weight. Empty without explain. */
    int explain;
    int and_depth;               /* and_query nesting: parts are kept at depth 1 */
    struct ark_xpart { ark_xq *q; char *label; } *xparts;
    size_t nxparts, cap_xparts;
    /* The exact forms of the words of the phrases being built: the index holds a word's
     * exact form without positions (ark_an_exact_counted), so a phrase is placed by its
     * words' stems and their exact forms are added back beside it (compile.c). */
    ark_xq **exacts;
    size_t nexacts, cap_exacts;
    int phrase_depth;            /* phrases being built around the current word */
} qbuild;

/* compile.c: the Xapian query for a parsed query, filling b->words; NULL when nothing
 * in it is searchable (or b->oom). */
ark_xq *ark_compile(qbuild *b, const ark_qnode *tree);
/* compile.c: q restricted by the request's filters (search.h); takes q (which may be
 * NULL: every passage), NULL on out of memory. Returns q itself when no filter is set. */
ark_xq *ark_compile_filters(ark_engine *e, ark_xq *q, const ark_search_req *req);

/* compile.c: a query as both the search and the document view run it: q parsed into
 * out->tree, compiled into out->xq with its words in out->b, restricted by req's filters.
 * 0 (out->searchable is 0 when nothing in q is searchable; out->xq is NULL when, in
 * addition, no filter is set), the parser's
 * error (ARK_EINVAL, ARK_ETOOBIG), or ARK_ENOMEM. Free out with ark_prepared_free in
 * every case. */
typedef struct ark_prepared {
    qbuild *b;
    ark_qnode *tree;
    ark_xq *xq;
    int searchable;
} ark_prepared;
/* 1 when the request sets a filter (type, date, case, committee or document). */
int ark_req_filtered(const ark_search_req *req);
int ark_prepare(ark_engine *e, const char *q, const ark_search_req *req, ark_prepared *out,
                ark_err *err);
void ark_prepared_free(ark_prepared *p);

/* spell.c: *yes = 1 when the index knows w in any form it is searched by (compile.c's
 * word_query): exact, stem, folded (as typed and as a stem), old spelling, lemma, as a
 * compound part. 0, or -1 with fail filled when a lookup failed. The one list of those
 * forms, for "Mente du" and for the search's replacement of unknown words alike. */
int ark_word_known(ark_engine *e, const ark_qword *w, int *yes, ark_err *fail);

/* spell.c: the word the index holds that low[0, ln) (lowercase, a word the index knows
 * in no form) most likely stands for: Xapian's spelling suggestion (two edits at most),
 * else, for a typo inside a long compound, a known head with its tail corrected
 * ("innovationsparnerskab" → "innovationspartnerskab", which the index has in some
 * inflection). *out transferred (free()), NULL when none or low is under 5 bytes.
 * Remembered until ark_near_forget, so a request looks each word up once.
 * 0, or -1 with fail filled when a lookup failed. */
int ark_near_word(ark_engine *e, const char *low, size_t ln, char **out, ark_err *fail);
/* spell.c: forget the near words remembered (at the start of a request, and at close). */
void ark_near_forget(ark_engine *e);

/* spell.c: q as typed with each word that neither the index nor the Danish word list
 * knows replaced by its spelling suggestion, in the typed case; NULL when no word is
 * replaced. fail (zeroed by the caller) gets the code and message when a lookup or an
 * allocation failed; then NULL says nothing. */
char *ark_spelling_for(ark_engine *e, const char *q, ark_err *fail);

/* learned.c: e->learned from the acronym definitions of the index's documents, in every
 * shard (the old table stays on failure). 0, ARK_ENOMEM or the index's error. */
int ark_learned_read(ark_engine *e, ark_err *err);
/* learned.c: e->syn from e->file and e->learned, sorted, with each expansion's keys.
 * 0 or ARK_ENOMEM (the old table stays). */
int ark_learned_merge(ark_engine *e, ark_err *err);
/* engine.c: e->syn merged if it is stale, before a query compiles (compile.c's
 * ark_prepare). 0 or ARK_ENOMEM. */
int ark_engine_table(ark_engine *e, ark_err *err);

/* compile.c: the keys an expansion is compared by, as a query's words are: each token's
 * value key ended by '\n' (ark_syn_entry.keys); and the value key of it whole, as type:
 * and udvalg: compare (ark_syn_entry.whole). Into out (cap bytes, NUL-terminated; ""
 * when it does not fit); returns the length. */
size_t ark_expansion_keys(ark_engine *e, const char *x, char *out, size_t cap);
size_t ark_expansion_whole_key(ark_engine *e, const char *x, char *out, size_t cap);

/* engine.c: how many passages hold term t, into *f (0 when the lookup failed). 0, or
 * the index's error (ARK_EINDEX, ARK_EMODIFIED, ARK_ENOMEM) with err filled. */
int ark_engine_freq(ark_engine *e, const char *t, uint64_t *f, ark_err *err);

/* engine.c: whether the passage (doc_id, ordinal) holds term: the snippet's oracle
 * (snippet.h). Fill o for that passage; p must outlive o. A failed lookup answers 0. */
typedef struct ark_passage_ref {
    ark_engine *e;
    char uid[ARK_TERM_BUF];
} ark_passage_ref;
void ark_passage_oracle(ark_engine *e, const char *doc_id, size_t id_len, uint32_t ordinal,
                        ark_passage_ref *p, ark_snip_oracle *o);

/* doc.c: a NUL-terminated copy of s[0..n) (NULL on out of memory); the record of
 * document id (ARK_ENOTFOUND when there is none); a stored passage decoded into p (its
 * strings point into e->scratch until the next decode) and copied into out. */
char *ark_dupz(const char *s, size_t n);
int ark_load_docinfo(ark_engine *e, const char *id, size_t id_len, ark_docinfo *d,
                     ark_err *err);
int ark_decode_passage(ark_engine *e, const char *data, size_t len, ark_prec *p,
                       ark_passage_info *out, ark_err *err);

#endif
