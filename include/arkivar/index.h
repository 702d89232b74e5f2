/* include/arkivar/index.h: the only door to Xapian (implemented in lib/index/shim_*.cc).
 * Owns: opaque handles on writable and readable databases, Xapian documents and queries,
 * and the translation of every Xapian exception into an ARK_E* code and message.
 * Not here: what terms mean or how queries are built from user text (lib/search).
 * Why: xapian-core is C++; no C++ type and no exception may cross into C.
 *
 * Errors: a fallible function returns 0 or a negative ARK_E* code (err.h) and, when err is
 * not NULL, fills it with the call's name and the detail (err may be NULL everywhere).
 * Besides the codes listed for a function, any of them can return ARK_ENOMEM (out of
 * memory), ARK_EINDEX (any other Xapian error: its type and message in err) and
 * ARK_EINTERNAL (an exception we did not expect).
 * Reads on an ark_rdb that race a writer's commit reopen and retry, at most 3 times;
 * those marked "retried" return ARK_EMODIFIED when every retry lost.
 * Ownership: strings cross as pointer + length and are copied on the way in. A string or
 * array handed out is malloc'ed and transferred (free() it, or the named _free), unless
 * said otherwise; what a callback gets is borrowed until the callback returns.
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

/* A new, empty document: transferred, free it with ark_xdoc_free. NULL on out of memory. */
ark_xdoc *ark_xdoc_new(void);
/* Free d. Accepts NULL. */
void ark_xdoc_free(ark_xdoc *d);

/* The ark_xdoc_* setters copy what they are given and take no err.
 * ARK_EINVAL: d NULL, or a NULL pointer with a length. */

/* Positional term (pos is 0-based; Xapian's positions are pos + 1). ARK_EINVAL also for
 * an empty term or pos == UINT32_MAX. */
int ark_xdoc_add_posting(ark_xdoc *d, const char *term, size_t len, uint32_t pos);
/* Term that counts in ranking (wdf) but has no position: folded forms and compound
 * parts, which phrases never use; positions are the largest part of an index.
 * ARK_EINVAL also for an empty term. */
int ark_xdoc_add_term(ark_xdoc *d, const char *term, size_t len, uint32_t wdf);
/* Term without position or weight (filters: type, year, document, case number).
 * ARK_EINVAL also for an empty term. */
int ark_xdoc_add_boolean(ark_xdoc *d, const char *term, size_t len);
/* Value of slot; an empty value (len 0) removes it, as in Xapian. */
int ark_xdoc_set_value(ark_xdoc *d, unsigned slot, const char *v, size_t len);
/* The document's data (the stored passage, record.h); len 0 empties it. */
int ark_xdoc_set_data(ark_xdoc *d, const void *data, size_t len);

/* ---- Writable database: one writer, one transaction per indexing run -------------- */

typedef struct ark_wdb ark_wdb;

/* Xapian holds a writer's postings in maps until it flushes them, by default every
 * 10,000 documents; at that size the maps outgrow the cache and their inserts were a
 * sixth of a build's time. A writer here flushes every ARK_WDB_FLUSH passages: inside
 * its transaction, or outside one (a part of a fresh build) as a commit. Xapian reads the
 * count from XAPIAN_FLUSH_THRESHOLD when it opens a database, which ark_wdb_set_flush
 * sets unless the environment already does. Call it once in a program that writes,
 * before any thread starts: setenv is not thread-safe. */
#define ARK_WDB_FLUSH 500
void ark_wdb_set_flush(void);
/* fn(arg), when Xapian ends the process inside a commit (a full disk in some phases of
 * it: the process then exits with ARK_WDB_COMMIT_DIED); a fresh build removes its
 * scratch parts there. NULL: nothing. Set it before the writers start, clear it after. */
void ark_wdb_on_abort(void (*fn)(void *), void *arg);

/* Open the database in directory dir, or create it there. A directory left by a
 * creation that died before its first commit is started afresh.
 * *out: the handle, transferred (ark_wdb_close); NULL on failure.
 * ARK_EINVAL: dir NULL or "", or out NULL. ARK_ELOCKED: another writer holds dir.
 * ARK_EINDEX: dir cannot be opened as a database (message names dir). */
int ark_wdb_open(const char *dir, ark_wdb **out, ark_err *err);
/* Close w and free it. Inside a transaction the transaction is cancelled (the last commit
 * stays); outside one, Xapian commits what was changed. Reports no error: call
 * ark_wdb_commit to know. Accepts NULL. */
void ark_wdb_close(ark_wdb *w);

/* A new index built in parts (indexer/fresh.c). */
/* 1 if dir holds a database (glass's or chert's revision file, or a stub), else 0.
 * Never fails; dir must not be NULL. */
int ark_db_exists(const char *dir);
/* ---- Sharded indexes: one index as several databases (issue 16) -------------------
 * A sharded index is a folder holding its shards' databases (ARK_SHARD_NAME) and a
 * Xapian stub file, XAPIANDB, naming them ("auto shard-0" ...), written last: until it
 * is there the folder holds no index. Being Xapian's own format, the folder opens as
 * one database in Xapian's tools too (xapian-delve, xapian-tcpsrv, xapian-compact). */
#define ARK_SHARDS_MAX 64
#define ARK_SHARD_NAME "shard-%u" /* shard k's folder inside the index folder */
#define ARK_STUB_NAME "XAPIANDB"
/* The databases of the index at dir: *n 0 (no database there), 1 with (*dirs)[0] dir
 * itself (a plain database), or a stub's shards (their folders, resolved against dir).
 * *dirs: an array of *n strings, transferred (ark_db_shards_free). ARK_EFORMAT: a stub
 * that is not ours (a line other than "auto NAME" with NAME a plain relative folder
 * name, or more than ARK_SHARDS_MAX of them), naming the line. */
int ark_db_shards(const char *dir, char ***dirs, size_t *n, ark_err *err);
void ark_db_shards_free(char **dirs, size_t n);
/* Write dir's stub naming n shards ARK_SHARD_NAME 0..n-1 (which must all hold a
 * database), atomically (a temporary file, fsync, rename, the folder fsync'ed): the
 * switch that makes a sharded index appear whole. ARK_EIO names the step. */
int ark_db_write_stub(const char *dir, unsigned n, ark_err *err);

/* Create an empty scratch part at dir, overwriting any database there; no fsync, so a
 * crash can lose it. *out: transferred (ark_wdb_close); NULL on failure.
 * ARK_EINVAL: dir NULL or "", or out NULL. ARK_ELOCKED: another writer holds dir. */
int ark_wdb_open_scratch(const char *dir, ark_wdb **out, ark_err *err);
/* Merge the n committed parts (directories, in order, none NULL) into a new compacted
 * database at dest: part k's docids follow part k-1's; metadata and spelling frequencies
 * are united. The parts are left as they are. dest must hold no database (not checked;
 * dest equal to a part is ARK_EINDEX). ARK_EINVAL: parts NULL, n 0, dest NULL or "".
 * ARK_ENOTFOUND: a part holds no database. */
int ark_db_merge(const char *const *parts, size_t n, const char *dest, ark_err *err);

/* Begin a transaction (flushed: its commit writes to disk). Changes until ark_wdb_commit
 * are all or nothing. ARK_EINVAL: w NULL, or a transaction is already open. */
int ark_wdb_begin(ark_wdb *w, ark_err *err);
/* Commit the open transaction, or outside one the pending changes. Xapian ends the
 * transaction even when the commit fails. ARK_EINVAL: w NULL. Xapian 1.4.22 cannot
 * always fail a commit: when a write fails in some phases (ENOSPC) it terminates the
 * process. Then the reason ("... (No space left on device)") goes to stderr and the
 * process exits with ARK_WDB_COMMIT_DIED; the last commit stays intact on disk. */
#define ARK_WDB_COMMIT_DIED 3 /* = arkivar-indexer's "the index could not be written" */
int ark_wdb_commit(ark_wdb *w, ark_err *err);

/* Add a copy of d (borrowed: free it, or add it again, after). To replace a document,
 * delete by its unique term first (lib/ingest/build.c). ARK_EINVAL: w or d NULL.
 * ARK_EINDEX: e.g. a term longer than Xapian's limit (245 bytes). */
int ark_wdb_add(ark_wdb *w, const ark_xdoc *d, ark_err *err);
/* Delete every document indexed by term (e.g. all passages of one source file); none is
 * not an error. ARK_EINVAL: w or term NULL, or len 0. */
int ark_wdb_delete_term(ark_wdb *w, const char *term, size_t len, ark_err *err);

/* User metadata (document records, stored once), keyed by a NUL-terminated key. */
/* Set key to val; an empty value deletes the key. ARK_EINVAL: w or key NULL, or val NULL
 * with a length. ARK_EINDEX: an empty key, or one too long for Xapian (over 245 bytes). */
int ark_wdb_set_meta(ark_wdb *w, const char *key, const char *val, size_t val_len,
                     ark_err *err);
/* The value of key, uncommitted changes included. *val: malloc'ed, NUL-terminated,
 * transferred (free()); NULL, with *val_len 0, when the key is absent or on failure.
 * val_len may be NULL. ARK_EINVAL: w, key or val NULL. ARK_EINDEX: an empty key. */
int ark_wdb_get_meta(ark_wdb *w, const char *key, char **val, size_t *val_len,
                     ark_err *err);
/* fn(key, len, user) for each metadata key starting with prefix (NULL or "": all), in
 * byte order, until fn returns non-zero (still 0 then). ARK_EINVAL: w or fn NULL. */
typedef int (*ark_key_fn)(const char *key, size_t len, void *user);
int ark_wdb_meta_keys(ark_wdb *w, const char *prefix, ark_key_fn fn, void *user,
                      ark_err *err);
/* Add word, seen freq times, to Xapian's spelling table (for "Mente du"). len 0 or freq 0
 * adds nothing. ARK_EINVAL: w or word NULL. */
int ark_wdb_add_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                              ark_err *err);
/* A callback over stored bytes (borrowed for the call); non-zero stops the walk. */
typedef int (*ark_data_fn)(const char *data, size_t len, void *user);
/* Take freq back from word's count in the spelling table (a removed document's words);
 * the word leaves the table at 0, so it is never suggested again. 0, ARK_EINVAL (NULL w
 * or word), ARK_EINDEX, ARK_ENOMEM; len 0 or freq 0 does nothing. */
int ark_wdb_remove_spelling_freq(ark_wdb *w, const char *word, size_t len, uint32_t freq,
                                 ark_err *err);
/* Call fn(data, len, user) with the stored data of every document holding term, in
 * docid order, as the writer sees it (its own uncommitted changes too); a non-zero
 * return stops the walk. 0, ARK_EINVAL (NULL w, term or fn, or len 0), ARK_EINDEX,
 * ARK_ENOMEM. The data is borrowed for the call. */
int ark_wdb_each_with_term(ark_wdb *w, const char *term, size_t len, ark_data_fn fn, void *user,
                           ark_err *err);
/* *out: the number of documents, uncommitted changes included. ARK_EINVAL: w or out NULL. */
int ark_wdb_doccount(ark_wdb *w, uint64_t *out, ark_err *err);

/* ---- Readable database: one or more shards (local dirs or "tcp:host:port") -------- */

typedef struct ark_rdb ark_rdb;

/* Open the nspecs shards of specs as one database; each spec is a directory or
 * "tcp:HOST:PORT" (xapian-tcpsrv; HOST may be "[v6addr]"), copied. A remote shard must
 * connect within 2 s. *out: transferred (ark_rdb_close); NULL on failure.
 * ARK_EINVAL: specs NULL, nspecs 0, out NULL, a spec NULL or "", or a malformed tcp:
 * spec. ARK_ENOTFOUND: a local spec is not a directory, or holds no index.
 * ARK_EUNAVAIL: a remote shard cannot be reached (message names the spec), unless the
 * policy is partial and there are several shards: then it opens down (issue 16).
 * Every read of r: a remote shard that stops answering is left out and the read runs
 * on the others (partial), or the read fails with ARK_EUNAVAIL (fail); a shard down
 * is tried again on a read at most every ARK_SHARD_RETRY_MS. */
int ark_rdb_open(const char *const *specs, size_t nspecs, ark_rdb **out, ark_err *err);

#define ARK_SHARD_RETRY_MS 2000
/* The process's policy for remote shards, before any ark_rdb_open (not thread-safe):
 * partial 1 answers from the shards up, 0 fails (the default); timeout_ms bounds a
 * remote shard's every answer (default 10000; 0 keeps it) and its connect (at most
 * 2000 ms). */
void ark_rdb_set_shard_policy(int partial, unsigned timeout_ms);
/* The shards of r: returns how many were given; *answered (may be NULL) how many are
 * up. specs[0..max) get the specs of those down, borrowed until ark_rdb_close. */
size_t ark_rdb_missing(ark_rdb *r, size_t *answered, const char **specs, size_t max);
/* As ark_rdb_missing, but *answered counts the shards up as the process last found them,
 * through whichever handle read last: what a health check should say, where r itself
 * may not have read since a shard left or came back. */
size_t ark_rdb_shards_seen(ark_rdb *r, size_t *answered);
/* Close r and free it. Accepts NULL. */
void ark_rdb_close(ark_rdb *r);
/* Bring r to the latest committed revision; *changed (changed may be NULL) is 1 if it
 * moved or the shards up changed (issue 16), else 0. Not retried after a commit.
 * ARK_EINVAL: r NULL. */
int ark_rdb_reopen(ark_rdb *r, int *changed, ark_err *err);
/* *revision: the first shard's revision (0 when it is remote); *doccount: passages in
 * all shards. Either pointer may be NULL. Retried. ARK_EINVAL: r NULL. */
int ark_rdb_stats(ark_rdb *r, uint64_t *revision, uint64_t *doccount, ark_err *err);
/* The value of key: from the first shard that has it (a document's record lives in the
 * shard of its passages). *val and *val_len as in ark_wdb_get_meta. Retried.
 * ARK_EINVAL: r, key or val NULL. ARK_EINDEX: an empty key. */
int ark_rdb_get_meta(ark_rdb *r, const char *key, char **val, size_t *val_len,
                     ark_err *err);
/* fn(value, len, user) for key's value in each shard that has it (e.g. "ndocs"), in
 * shard order, until fn returns non-zero (still 0 then). Retried; fn runs after the
 * reads, so never twice for a shard. ARK_EINVAL: r, key or fn NULL. */
int ark_rdb_get_meta_each(ark_rdb *r, const char *key, ark_data_fn fn, void *user,
                          ark_err *err);
/* fn(key, klen, value, vlen, user) for every metadata key starting with prefix (not
 * NULL or "") in every shard, shard after shard, each shard's keys in byte order, until
 * fn returns non-zero (still 0 then). Each shard is read on its own: Xapian's metadata of
 * a combined database is the first shard's. A remote shard whose server cannot list
 * metadata is skipped. Retried without reporting a key twice. ARK_EINVAL: r, prefix or
 * fn NULL, or prefix "". */
typedef int (*ark_meta_fn)(const char *key, size_t klen, const char *val, size_t vlen,
                           void *user);
int ark_rdb_meta_prefix_each(ark_rdb *r, const char *prefix, ark_meta_fn fn, void *user,
                             ark_err *err);
/* *out: the number of passages holding term (0 when absent). Retried.
 * ARK_EINVAL: r or out NULL, or term NULL with a length. */
int ark_rdb_termfreq(ark_rdb *r, const char *term, size_t len, uint64_t *out,
                     ark_err *err);
/* *out: 1 when some passage holds both term a and term b, else 0; for a passage's
 * unique term (ARK_PFX_UID) as a, whether that passage holds b. Each list skips ahead
 * to the other's docid, so a one-passage list costs a lookup or two. Retried. ARK_EINVAL: r or out NULL, or a
 * term NULL with a length. */
int ark_rdb_cooccur(ark_rdb *r, const char *a, size_t alen, const char *b, size_t blen, int *out,
                    ark_err *err);
/* fn(term, len, termfreq, user) for the terms starting with prefix (NULL or "": all), in
 * byte order, until fn returns non-zero (still 0 then). Retried without reporting a term
 * twice. ARK_EINVAL: r or fn NULL. */
typedef int (*ark_term_iter_fn)(const char *term, size_t len, uint64_t freq, void *user);
int ark_rdb_terms(ark_rdb *r, const char *prefix, ark_term_iter_fn fn, void *user,
                  ark_err *err);
/* Xapian's spelling suggestion for word (at most 2 edits away), "" when none or len 0.
 * *out: malloc'ed, NUL-terminated, transferred (free()); NULL on failure. Retried.
 * ARK_EINVAL: r or out NULL, or word NULL with a length. */
int ark_rdb_spelling(ark_rdb *r, const char *word, size_t len, char **out, ark_err *err);
/* fn(data, len, user) with the data of every passage indexed by term (len 0: every
 * passage), in docid order, until fn returns non-zero (still 0 then). No passage is not
 * an error. Retried without reporting a passage twice. ARK_EINVAL: r or fn NULL, or term
 * NULL with a length. */
int ark_rdb_each_with_term(ark_rdb *r, const char *term, size_t len, ark_data_fn fn,
                           void *user, ark_err *err);

/* ---- Queries (a tree of Xapian::Query built from C) -------------------------------- */

typedef struct ark_xq ark_xq;

typedef enum ark_xq_op {
    ARK_XQ_AND, ARK_XQ_OR, ARK_XQ_AND_NOT, ARK_XQ_AND_MAYBE, ARK_XQ_FILTER,
    ARK_XQ_PHRASE, ARK_XQ_NEAR, ARK_XQ_SYNONYM, ARK_XQ_MAX, ARK_XQ_ELITE_SET,
} ark_xq_op;

/* Each returns a new query, transferred (ark_xq_free), or NULL on out of memory or on
 * the bad arguments named. Query arguments are borrowed: the result keeps its own copy,
 * so free them whenever you like. Strings are copied. */
/* Term query. wqf: within-query frequency (0 is read as 1); pos: query position, 0 = none
 * (Xapian uses it only for order and description). NULL: term NULL with a length. */
ark_xq *ark_xq_term(const char *term, size_t len, uint32_t wqf, uint32_t pos);
/* Every document; no document. */
ark_xq *ark_xq_match_all(void);
ark_xq *ark_xq_match_nothing(void);
/* Every document, unweighted, for r: where it stands in a FILTER beside a phrase, the
 * weight of the FILTER's first part uses the lengths of the passage it is at. Xapian
 * weighs a phrase's candidates before the rest of the query reaches them (to skip the
 * position check where the weight is too low), and r's one local index ranks with the
 * passages' lengths from a table (lib/index/shim_bm25.cc), set by this source where it
 * stands. MatchAll for shards and remote indexes, which rank with Xapian's lengths. */
ark_xq *ark_xq_lengths(const ark_rdb *r);
/* op over subs[0..n); n 0 matches nothing. window: the PHRASE/NEAR window or the
 * ELITE_SET size, 0 lets Xapian choose. NULL: subs NULL with n > 0, a sub NULL, or op not
 * an ark_xq_op. */
ark_xq *ark_xq_combine(ark_xq_op op, ark_xq *const *subs, size_t n, uint32_t window);
/* q with its weights times factor. NULL: q NULL, or factor < 0. */
ark_xq *ark_xq_scale(const ark_xq *q, double factor);
/* Terms starting with prefix, as synonyms; expanded when run, to the max_expansion most
 * frequent (0: all). NULL: prefix NULL with a length. */
ark_xq *ark_xq_wildcard(const char *prefix, size_t len, uint32_t max_expansion);
/* The same for a search of r: on an index of several shards expanded here over all
 * their terms, as one index would (Xapian expands in each shard apart); else as above. */
ark_xq *ark_xq_wildcard_in(ark_rdb *r, const char *prefix, size_t len, uint32_t max_expansion);
/* Documents whose value in slot is within [lo, hi], in byte order. lo and hi are
 * NUL-terminated, NULL for an open end (both NULL: every document). */
ark_xq *ark_xq_value_range(unsigned slot, const char *lo, const char *hi);
/* Free q. Accepts NULL. */
void ark_xq_free(ark_xq *q);
/* A copy of q, transferred (ark_xq_free); NULL: q NULL or out of memory. Cheap: Xapian
 * queries share their tree. */
ark_xq *ark_xq_copy(const ark_xq *q);

/* ---- Running a query --------------------------------------------------------------- */

typedef struct ark_search_opts {
    uint32_t offset, limit;
    int sort_by_date;      /* 0 = relevance, 1 = newest first, -1 = oldest first */
    int facet_slots[4];    /* value slots to count over the matches (-1 = unused) */
    uint32_t check_at_least; /* for exact-enough totals; 0 = offset + limit, and at least
                                1000 when facets are asked for */
    int group_slot;        /* count each hit's value of this slot over the matches (-1) */
} ark_search_opts;

/* Fill o with the defaults: offset 0, limit 10, by relevance, no facets, check_at_least 0,
 * no group.
 * Accepts NULL (does nothing). */
void ark_search_opts_default(ark_search_opts *o);

/* One hit: a passage. Every pointer belongs to the ark_hits that holds it. */
typedef struct ark_hit {
    uint32_t docid;
    double score;            /* BM25 weight */
    char *data;              /* the passage's data, data_len bytes (and a NUL) */
    size_t data_len;
    char *key;               /* value of ARK_SLOT_DOC, NUL-terminated ("" when none) */
    uint64_t group_matches;  /* matches sharing the hit's group_slot value; 0 = not
                                counted (the match did not see every match, or a remote
                                shard took part): count them with ark_rdb_count_by */
} ark_hit;

/* Counts of a facet slot's values over the matches: at most 50, most frequent first (ties
 * in byte order); values NUL-terminated. */
typedef struct ark_facet {
    int slot;
    char **values; uint64_t *counts; size_t n;
} ark_facet;

typedef struct ark_hits {
    ark_hit *v; size_t n;   /* the page, best first (or in date order) */
    uint64_t total;         /* matching passages (estimated) */
    uint64_t total_lower, total_upper;
    ark_facet facets[4]; size_t nfacets; /* one per slot asked for, in the order asked */
} ark_hits;

/* Run q (borrowed) with o (NULL: the defaults) and fill *out, transferred: free it with
 * ark_hits_free. *out is zeroed first and holds nothing on failure. Retried.
 * ARK_EINVAL: r, q or out NULL. */
int ark_rdb_search(ark_rdb *r, const ark_xq *q, const ark_search_opts *o, ark_hits *out,
                   ark_err *err);
/* Free what h holds and zero it (so twice is harmless); not h itself. Accepts NULL. */
void ark_hits_free(ark_hits *h);

/* ---- Explaining one hit (explain=1, issue 15) ---------------------------------------- */

/* The BM25 weight q gives the passage whose unique term (ARK_PFX_UID) is uid[0, len),
 * into *w: Xapian's own weight, the scheme and statistics of ark_rdb_search (q filtered
 * to that passage, so the figure is what the whole match gives it), 0 when the passage
 * does not match q. Retried. ARK_EINVAL: r, q, uid or w NULL. */
int ark_rdb_weight_in(ark_rdb *r, const ark_xq *q, const char *uid, size_t len, double *w,
                      ark_err *err);

/* One term of a query that a passage holds. */
typedef struct ark_xterm {
    char *term; size_t len;  /* the index term, prefix included, NUL-terminated */
    uint32_t wdf;            /* its occurrences in the passage */
    uint64_t termfreq;       /* passages holding it, in all shards */
    double weight;           /* the BM25 weight the term alone (wqf 1, no scaling) gives the
                              * passage: ark_rdb_weight_in of the one-term query */
} ark_xterm;

typedef struct ark_xterms {
    ark_xterm *v; size_t n;  /* in byte order of the terms */
    uint32_t doclen;         /* the passage's length, as BM25 reads it */
} ark_xterms;

/* The terms of q (its leaves; a wildcard's expansions are not among them) that the
 * passage docid (a docid of ark_rdb_search's hits: r's combined numbering), whose unique
 * term is uid[0, len), holds, into *out (transferred: ark_xterms_free; zeroed first,
 * empty on failure). Costs a one-term match per term held: for explaining a page, not
 * for every search. Retried. ARK_EINVAL: r, q, uid or out NULL. */
int ark_rdb_terms_in(ark_rdb *r, const ark_xq *q, uint32_t docid, const char *uid, size_t len,
                     ark_xterms *out, ark_err *err);
void ark_xterms_free(ark_xterms *t); /* accepts NULL; *t is empty after */

/* Exact number of passages matching q for each value of slot among them: fn(value,
 * len, count, user) once per value, in byte order of the values, until fn returns
 * non-zero (still 0 then). Unweighted and exhaustive, so for small sets (q filtered to
 * the documents of one page). Retried; fn runs after the match, so never twice.
 * ARK_EINVAL: r, q or fn NULL, or slot < 0. */
int ark_rdb_count_by(ark_rdb *r, const ark_xq *q, int slot, ark_term_iter_fn fn, void *user,
                     ark_err *err);

#endif
