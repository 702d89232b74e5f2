/* include/arkivar/index.h: the only door to Xapian (implemented in lib/index/shim_*.cc).
 * Owns: opaque handles on writable and readable databases, Xapian documents and queries,
 * and the translation of every Xapian exception into an ARK_E* code and message.
 * Not here: what terms mean or how queries are built from user text (lib/search).
 * Why: xapian-core is C++; no C++ type and no exception may cross into C.
 *
 * Every fallible function returns 0 or a negative ARK_E* code and fills err.
 * Strings cross as pointer + length; strings returned are malloc'ed and transferred.
 * Handles are not thread-safe: one handle per thread. */
#ifndef ARKIVAR_INDEX_H
#define ARKIVAR_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"
#include "arkivar/schema.h"

/* Value slots, term prefixes and limits: schema.h. */

/* ---- Documents to add -------------------------------------------------------------- */

typedef struct ark_xdoc ark_xdoc;

ark_xdoc *ark_xdoc_new(void); /* NULL on out of memory */
void ark_xdoc_free(ark_xdoc *d);
/* Positional term (pos is 0-based; Xapian's positions are pos + 1). */
int ark_xdoc_add_posting(ark_xdoc *d, const char *term, size_t len, uint32_t pos);
/* Term that counts in ranking (wdf) but has no position: folded forms and compound
 * parts, which phrases never use; positions are the largest part of an index. */
int ark_xdoc_add_term(ark_xdoc *d, const char *term, size_t len, uint32_t wdf);
/* Term without position or weight (filters: type, year, document, case number). */
int ark_xdoc_add_boolean(ark_xdoc *d, const char *term, size_t len);
int ark_xdoc_set_value(ark_xdoc *d, unsigned slot, const char *v, size_t len);
int ark_xdoc_set_data(ark_xdoc *d, const void *data, size_t len);

/* ---- Writable database: one writer, one transaction per indexing run -------------- */

typedef struct ark_wdb ark_wdb;

/* Open or create the database at dir. ARK_ELOCKED if another writer holds it. */
int ark_wdb_open(const char *dir, ark_wdb **out, ark_err *err);
/* Close; an open transaction is cancelled (the last commit stays). Accepts NULL. */
void ark_wdb_close(ark_wdb *w);

/* A new index built in parts (indexer/fresh.c): whether dir holds a committed
 * database; a scratch part (created empty, no fsync); and the merge of parts, in order,
 * into a new compacted database at dest (which must hold none): part k's docids follow
 * part k-1's, metadata and spelling frequencies are united. */
int ark_db_exists(const char *dir);
int ark_wdb_open_scratch(const char *dir, ark_wdb **out, ark_err *err);
int ark_db_merge(const char *const *parts, size_t n, const char *dest, ark_err *err);

int ark_wdb_begin(ark_wdb *w, ark_err *err);  /* begin_transaction(flushed) */
int ark_wdb_commit(ark_wdb *w, ark_err *err); /* commit_transaction: all or nothing */

/* Add a document. To replace one, delete by its unique term first (indexer/build.c). */
int ark_wdb_add(ark_wdb *w, const ark_xdoc *d, ark_err *err);
/* Delete every document indexed by term (e.g. all passages of one source file). */
int ark_wdb_delete_term(ark_wdb *w, const char *term, size_t len, ark_err *err);

/* User metadata (document-level records, stored once): value "" deletes the key. */
int ark_wdb_set_meta(ark_wdb *w, const char *key, const char *val, size_t val_len,
                     ark_err *err);
/* *val malloc'ed (transferred), NULL with 0 when the key is absent. */
int ark_wdb_get_meta(ark_wdb *w, const char *key, char **val, size_t *val_len,
                     ark_err *err);
/* Call fn for each metadata key starting with prefix; stop early when fn returns != 0. */
typedef int (*ark_key_fn)(const char *key, size_t len, void *user);
int ark_wdb_meta_keys(ark_wdb *w, const char *prefix, ark_key_fn fn, void *user,
                      ark_err *err);
/* Add a word seen freq times to Xapian's spelling table (for "Mente du"). */
int ark_wdb_add_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                              ark_err *err);
int ark_wdb_doccount(ark_wdb *w, uint64_t *out, ark_err *err);

/* ---- Readable database: one or more shards (local dirs or "tcp:host:port") -------- */

typedef struct ark_rdb ark_rdb;

/* Open the shards listed; each spec is a directory or "tcp:HOST:PORT" (xapian-tcpsrv).
 * ARK_ENOTFOUND when a directory holds no index. */
int ark_rdb_open(const char *const *specs, size_t nspecs, ark_rdb **out, ark_err *err);
void ark_rdb_close(ark_rdb *r);
/* Bring the handle to the latest committed revision; *changed = 1 if it moved. */
int ark_rdb_reopen(ark_rdb *r, int *changed, ark_err *err);
/* Revision of the first shard, document (passage) count, and the number of distinct
 * values of ARK_SLOT_DOC is not tracked here (see metadata). */
int ark_rdb_stats(ark_rdb *r, uint64_t *revision, uint64_t *doccount, ark_err *err);
int ark_rdb_get_meta(ark_rdb *r, const char *key, char **val, size_t *val_len,
                     ark_err *err);
/* fn(value, len, user) for the key's value in each shard that has it (e.g. "ndocs"). */
typedef int (*ark_data_fn)(const char *data, size_t len, void *user);
int ark_rdb_get_meta_each(ark_rdb *r, const char *key, ark_data_fn fn, void *user,
                          ark_err *err);
/* Number of passages holding the term (0 when absent). */
int ark_rdb_termfreq(ark_rdb *r, const char *term, size_t len, uint64_t *out,
                     ark_err *err);
/* Terms starting with prefix, in byte order: fn(term, len, termfreq, user); stops
 * when fn returns != 0. */
typedef int (*ark_term_iter_fn)(const char *term, size_t len, uint64_t freq, void *user);
int ark_rdb_terms(ark_rdb *r, const char *prefix, ark_term_iter_fn fn, void *user,
                  ark_err *err);
/* Xapian's spelling suggestion for one word, "" when none; *out malloc'ed. */
int ark_rdb_spelling(ark_rdb *r, const char *word, size_t len, char **out, ark_err *err);
/* Data of every passage indexed by term, in docid order: fn(data, len, user). */
int ark_rdb_each_with_term(ark_rdb *r, const char *term, size_t len, ark_data_fn fn,
                           void *user, ark_err *err);

/* ---- Queries (a tree of Xapian::Query built from C) -------------------------------- */

typedef struct ark_xq ark_xq;

typedef enum ark_xq_op {
    ARK_XQ_AND, ARK_XQ_OR, ARK_XQ_AND_NOT, ARK_XQ_AND_MAYBE, ARK_XQ_FILTER,
    ARK_XQ_PHRASE, ARK_XQ_NEAR, ARK_XQ_SYNONYM, ARK_XQ_MAX, ARK_XQ_ELITE_SET,
} ark_xq_op;

/* All return NULL on out of memory; the caller owns the result (ark_xq_free).
 * Combining functions borrow their arguments (they are copied; free them after). */
/* wqf: within-query frequency (0 is read as 1); pos: query position, 0 = none (Xapian
 * uses it only for order and description). */
ark_xq *ark_xq_term(const char *term, size_t len, uint32_t wqf, uint32_t pos);
ark_xq *ark_xq_match_all(void);
ark_xq *ark_xq_match_nothing(void);
ark_xq *ark_xq_combine(ark_xq_op op, ark_xq *const *subs, size_t n, uint32_t window);
ark_xq *ark_xq_scale(const ark_xq *q, double factor);
/* Terms starting with prefix (bounded: at most max_expansion terms, most frequent). */
ark_xq *ark_xq_wildcard(const char *prefix, size_t len, uint32_t max_expansion);
/* Value slot within [lo, hi] (byte order; NULL = open end). */
ark_xq *ark_xq_value_range(unsigned slot, const char *lo, const char *hi);
void ark_xq_free(ark_xq *q);

/* ---- Running a query --------------------------------------------------------------- */

typedef struct ark_search_opts {
    uint32_t offset, limit;
    int sort_by_date;      /* 0 = relevance, 1 = newest first, -1 = oldest first */
    int facet_slots[4];    /* value slots to count over the matches (-1 = unused) */
    uint32_t check_at_least; /* for exact-enough totals; 0 = offset + limit, or 1000
                                when facets are asked for */
} ark_search_opts;

void ark_search_opts_default(ark_search_opts *o);

typedef struct ark_hit {
    uint32_t docid;
    double score;
    char *data;              /* the passage's data (malloc'ed, owned by ark_hits) */
    size_t data_len;
    char *key;               /* value of ARK_SLOT_DOC, NUL-terminated (owned by ark_hits) */
} ark_hit;

typedef struct ark_facet {
    int slot;
    char **values; uint64_t *counts; size_t n; /* most frequent first */
} ark_facet;

typedef struct ark_hits {
    ark_hit *v; size_t n;
    uint64_t total;         /* matching passages (estimated) */
    uint64_t total_lower, total_upper;
    ark_facet facets[4]; size_t nfacets;
} ark_hits;

/* Run q; retries with reopen() on DatabaseModifiedError. *out is transferred. */
int ark_rdb_search(ark_rdb *r, const ark_xq *q, const ark_search_opts *o, ark_hits *out,
                   ark_err *err);
void ark_hits_free(ark_hits *h);

/* Exact number of passages matching q for each value of slot among them: fn(value,
 * len, count, user) once per value, in byte order of the values; fn returning non-zero
 * stops. Unweighted and exhaustive, so for small sets (q filtered to the documents of
 * one page). Retries with reopen() like ark_rdb_search. */
int ark_rdb_count_by(ark_rdb *r, const ark_xq *q, int slot, ark_term_iter_fn fn, void *user,
                     ark_err *err);

#endif
