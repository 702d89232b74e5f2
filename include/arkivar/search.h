/* include/arkivar/search.h: the engine's query side: user text in, ranked passages out.
 * Owns: reading a user's query, turning it into a Xapian query with the Danish analysis
 * chain, running it, decoding passages and document records, choosing snippets and
 * computing highlight offsets; the whole-document view; suggestions.
 * Not here: HTTP, JSON and HTML (server/), Xapian itself (index.h).
 * Why: the server must stay a thin translator; everything a search means lives here.
 *
 * Threads: an ark_engine is used by one thread at a time; open one per server thread.
 * Memory: results are transferred to the caller and freed with their _free function. */
#ifndef ARKIVAR_SEARCH_H
#define ARKIVAR_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"
#include "arkivar/err.h"

typedef struct ark_engine ark_engine;

/* Open the nshards shards (index directories or "tcp:HOST:PORT", searched as one) into
 * *out, with a clone of the analyzer an (borrowed only during the call). Returns 0,
 * ARK_ENOTFOUND (no index at a path), ARK_EINVAL (a malformed tcp: spec), ARK_EINDEX (a
 * Xapian error, or an index written by another layout version: run the indexer
 * again), ARK_ENOMEM. *out is transferred: close with ark_engine_close; NULL on error. */
int ark_engine_open(const char *const *shards, size_t nshards, const ark_an *an,
                    ark_engine **out, ark_err *err);
/* Close the engine and its shards; accepts NULL. */
void ark_engine_close(ark_engine *e);
/* Pick up a newer committed revision, if any (cheap when there is none; call before each
 * request). A new revision rebuilds the acronym table (see the acronyms below). 0, or
 * ARK_EINDEX / ARK_ENOMEM, after which e is still usable (its old acronym table). */
int ark_engine_refresh(ark_engine *e, ark_err *err);

typedef struct ark_engine_stats {
    uint64_t revision, passages, documents;
    uint64_t shards, shards_up; /* databases searched (a sharded index's each); those up
                                 * as the process last found them (ark_rdb_shards_seen) */
} ark_engine_stats;
/* The open revision and its counts into *out. 0, ARK_EINDEX, ARK_EMODIFIED, ARK_ENOMEM. */
int ark_engine_stats_get(ark_engine *e, ark_engine_stats *out, ark_err *err);
/* The process's policy for remote shards that do not answer (issue 16), before any
 * ark_engine_open: partial 1 answers from the others, 0 fails with ARK_EUNAVAIL;
 * timeout_ms (0: 10000) bounds each answer of a remote shard. ark_rdb_set_shard_policy. */
void ark_engine_set_shard_policy(int partial, unsigned timeout_ms);
/* e's shards: returns how many were given, *answered (may be NULL) how many are up;
 * missing[0..max) the specs of those down, borrowed until ark_engine_close. */
size_t ark_engine_shards(ark_engine *e, size_t *answered, const char **missing, size_t max);

/* ---- Acronyms and their expansions ------------------------------------------------------
 * An engine's table is what the index's documents define ("Økonomiforvaltningen (ØKF)",
 * found at index time: ARK_META_ACRONYMS, schema.h), built when it opens and again when
 * a refresh finds another revision, merged with a file (data/acronyms.txt) whose entries
 * add to it and replace what was learned for their acronym (lib/search/learned.c). */

typedef struct ark_synonyms ark_synonyms;

/* Read "ACRONYM = expansion; expansion" lines ('#' comments). ARK_EIO if unreadable,
 * ARK_EINVAL naming the line when a line has no '='. Transferred: ark_synonyms_free. */
int ark_synonyms_load(const char *path, ark_synonyms **out, ark_err *err);
void ark_synonyms_free(ark_synonyms *s); /* accepts NULL */
size_t ark_synonyms_count(const ark_synonyms *s); /* acronyms in s */
/* The acronyms of e's table, and into *learned (may be NULL) how many acronyms the
 * index's documents define (those the file replaces included). */
size_t ark_engine_acronyms(ark_engine *e, size_t *learned);
/* Merge s into the acronym table of e's queries (borrowed: s must outlive e); NULL: the
 * learned definitions alone. 0, or ARK_ENOMEM (e keeps its table). */
int ark_engine_set_synonyms(ark_engine *e, const ark_synonyms *s);

/* ---- Document records ---------------------------------------------------------------- */

typedef struct ark_docinfo {
    char *id;           /* path relative to the indexed folder */
    char *title, *type, *date, *committee, *addressee;
    char **case_numbers; size_t ncase_numbers;
    char *format;       /* the source's format: "text", "markdown", "pdf", "html" … */
    char *url;          /* the original's http(s) address from its metadata, "" when none */
    char **fields; size_t nfields; /* the metadata's free fields, each "key=value" */
    uint32_t npassages;
    uint64_t bytes;
} ark_docinfo;

typedef struct ark_passage_info {
    uint32_t ordinal;
    uint64_t start, end;
    uint32_t line_start, line_end, page, page_end;
    char *heading;
    char *text; size_t text_len;
} ark_passage_info;

/* ---- Search -------------------------------------------------------------------------- */

typedef struct ark_search_req {
    const char *q;        /* user text, UTF-8 (invalid bytes are read as U+FFFD) */
    uint32_t offset, limit; /* limit 1..100 */
    int sort_by_date;     /* 0 relevance, 1 newest first, -1 oldest first */
    uint32_t per_doc;     /* at most this many passages per document (0 = default 2) */
    uint32_t snippet_bytes; /* target snippet size (0 = default 240) */
    /* Filters, each NULL for none: what the query syntax's type:, dato:, sag:,
     * udvalg: and doc: say, for a caller that holds them apart from the user's text (the
     * page's links, an API parameter). They restrict the matches and never change a
     * score; with one set, q may be empty (every passage that passes them). */
    const char *type;      /* document type, as type:X */
    const char *date;      /* "2026", "2026-03" or "2026-01-01..2026-06-30", as dato:X */
    const char *case_no;   /* case number, as sag:X */
    const char *committee; /* as udvalg:X */
    const char *doc;       /* one document's id: the search within it, as doc:X */
    int explain;           /* 1: each result gets its ark_explain (issue 15); 0: none, and
                            * no work is done for it */
} ark_search_req;

/* Why a passage ranks where it does (explain=1, issue 15): Xapian's weight, the share of
 * each part of the query, the index terms the passage holds, and the rerank's factors.
 * score = xapian_weight x the product of factors[]. */
typedef struct ark_explain_term {
    char *term;           /* the index term, prefix included ("Zsamarbejd"), copied */
    const char *kind;     /* how it meets the query word (static): "exact", "stem",
                           * "lemma", "folded", "old_spelling", "part_of" (the
                           * word as a part of a longer compound), "compound_part" (one of
                           * the word's own parts inside another compound),
                           * "compound_part_word" (that part as a word of its own),
                           * "other" (a term no query word names: a hyphenated phrase) */
    char *word;           /* the query word it comes from, lowercase, copied; "" for other */
    const char *via;      /* how that word entered the query (static): "typed",
                           * "expansion" (of an acronym typed), "acronym" (of an expansion
                           * typed), "compound" (two typed words joined), "near" (the
                           * indexed word an unknown typed word stands for), "piece" (of a
                           * hyphenated word) */
    uint32_t wdf;         /* occurrences in the passage */
    uint64_t termfreq;    /* passages holding it */
    double weight;        /* the BM25 weight of the term alone in this passage (before the
                           * query's weights for its kind, which apply only where its branch
                           * of the query matches: the exact split is parts[]) */
} ark_explain_term;

typedef struct ark_explain_part {
    char *query;          /* a part of the query, in query syntax: a word (a stop word
                           * too), a phrase, a prefix*, a compound of two typed words, an
                           * acronym of an expansion typed */
    double weight;        /* its exact share of xapian_weight: Xapian's weight of that
                           * part alone in this passage; the parts sum to xapian_weight */
} ark_explain_part;

typedef struct ark_explain_factor {
    const char *name;     /* static: "rerank", "per_doc", "pool" */
    double value;
} ark_explain_factor;

typedef struct ark_explain {
    double xapian_weight; /* BM25 (k1 1, b 0.5) of the whole query */
    uint32_t doclen;
    ark_explain_part *parts; size_t nparts;
    /* the query's terms the passage holds, in byte order; a prefix* word's expansions
     * are not among them (its weight is in its part) */
    ark_explain_term *terms; size_t nterms;
    /* The rerank's boosts (search.c), each added to 1 to make the "rerank" factor:
     * "all_words" (every meaningful word in the passage), "proximity" (the words close
     * together), "heading" or "title" (the words in the passage's heading or document
     * title); only those that applied. */
    ark_explain_factor boosts[3]; size_t nboosts;
    /* The factors the weight was multiplied by: "rerank" (1 + the boosts), "per_doc"
     * (a document's passage past per_doc), "pool" (past the reranked pool: Xapian's
     * weight scaled to fall on from it); only those that applied. */
    ark_explain_factor factors[3]; size_t nfactors;
    double score;         /* the result's score */
} ark_explain;

typedef struct ark_result {
    uint32_t rank;        /* 1-based, offset included */
    double score;         /* what ranked it: Xapian's weight times the rerank's and the page
                             rule's factors, so it falls as rank grows (sorted by date:
                             Xapian's weight alone) */
    uint32_t doc_matches; /* passages of this document that matched */
    ark_docinfo doc;
    ark_passage_info passage; /* text filled */
    char *snippet; size_t snippet_len;
    /* The query's words in the snippet: byte [start, end), in order, not overlapping,
     * each on character boundaries: a whole token, or the part of one that matched (a
     * compound's part, a hyphenated word's piece). */
    uint32_t (*highlights)[2]; size_t nhighlights;
    ark_explain *explain; /* with req->explain: why it ranks here; else NULL */
} ark_result;

typedef struct ark_facet_count { char *value; uint64_t count; } ark_facet_count;

typedef struct ark_results {
    char *parsed;         /* the query as understood, in query syntax */
    uint64_t total;       /* estimated matching passages */
    int total_estimated;  /* 1 when total is Xapian's estimate (its bounds differ), 0 when the count */
    uint64_t total_results; /* estimated results after the per-document limit: paging */
    double took_ms;
    char *suggestion;     /* "Mente du" text, NULL when none */
    int corrected;        /* 1 when the results are for the suggestion: nothing matched as
                             typed, or its unknown words were searched as the words the
                             suggestion puts in their place */
    ark_result *v; size_t n;
    ark_facet_count *types; size_t ntypes;  /* facet: document type */
    ark_facet_count *years; size_t nyears;  /* facet: year */
    /* Which shards answered (issue 16): with --on-shard-failure partial a remote shard
     * that is down is left out. shards_missing: the specs of those down, copied. */
    size_t shards_total, shards_answered;
    char **shards_missing; size_t nshards_missing;
} ark_results;

/* Run req into *out (overwritten; free with ark_results_free whatever the result).
 * Returns 0; ARK_EINVAL for an unusable request (empty q without a filter, q over
 * ARK_QUERY_MAX_BYTES, limit outside 1..100), err saying why; ARK_EINDEX or ARK_EMODIFIED
 * when the index failed (its reason in err; after ARK_EMODIFIED refresh and retry);
 * ARK_ENOMEM. Never a partial answer: on an error out holds no results. Highlights are
 * sorted, non-overlapping and on character boundaries (ark_result). out->suggestion
 * ("Mente du") is for q alone, without the filters. */
int ark_search(ark_engine *e, const ark_search_req *req, ark_results *out, ark_err *err);
void ark_results_free(ark_results *r); /* accepts NULL; *r is empty after */
void ark_explain_free(ark_explain *x); /* accepts NULL; ark_results_free calls it */

/* ---- One document as passages (GET /api/doc/ID) ---------------------------------------- */

/* Where a query meets one passage of a document view. */
typedef struct ark_doc_mark {
    int matched;           /* the passage matches the query, as a search finds passages */
    uint32_t (*ranges)[2]; /* the query's words in the passage's text, found by the same
                            * analysis as a search's highlights: byte [start, end), in
                            * order, not overlapping, on character boundaries */
    size_t n;
} ark_doc_mark;

/* Which passages of which document a view asks for (GET /api/doc/ID?from=&count=). */
#define ARK_DOC_PAGE 100     /* passages in a view when count is 0 */
#define ARK_DOC_PAGE_MAX 200 /* at most: a view's memory is bounded by one page, whatever
                              * the document's size (a 17 MB document took 8 views to
                              * 261 MB when a view held all its passages) */
typedef struct ark_doc_req {
    const char *id; /* NUL-terminated, borrowed */
    const char *q;  /* the query to mark; NULL or blank: none */
    size_t from;    /* the first passage (ordinal, 0-based) */
    size_t count;   /* passages at most: 0 = ARK_DOC_PAGE; more than ARK_DOC_PAGE_MAX
                     * is ARK_DOC_PAGE_MAX */
} ark_doc_req;

typedef struct ark_docview {
    ark_docinfo doc;
    ark_passage_info *passages; size_t n; /* the page: ordinals from, from + 1, ... */
    size_t from;           /* as asked */
    size_t total;          /* passages in the whole document */
    ark_doc_mark *marks;   /* with a query: one per passage of the page; NULL without */
    size_t nmatched;       /* with a query: the passages of the whole document that match */
    size_t first_match;    /* with a query: the ordinal of the document's first matching
                            * passage, on this page or not; SIZE_MAX when none */
    char *corrected;       /* the spelling correction ("Mente du") the marks are for, when
                            * the query as typed matched nothing in the document; or NULL */
} ark_docview;

/* One page of the document req->id: its passages [from, from + count) into *out
 * (overwritten; free with ark_docview_free after success; emptied on error). The id is
 * looked up in the index, never opened as a file. Memory is bounded by the page: the
 * passages outside it are read from the index but not kept, and the query's matches
 * are read in batches. req->q (NULL or blank: none) adds the marks of that query,
 * compiled as a search compiles it (its filters too) and restricted to this document:
 * marks for the page's passages, nmatched and first_match for the whole document; a
 * query that cannot be used (too long) gives no marks rather than failing the view.
 * A from past the last passage gives an empty page. Returns 0, ARK_ENOTFOUND for an
 * unknown id, ARK_EINDEX or ARK_EMODIFIED when the index failed, ARK_ENOMEM. */
int ark_doc_get(ark_engine *e, const ark_doc_req *req, ark_docview *out, ark_err *err);
void ark_docview_free(ark_docview *v); /* accepts NULL; *v is empty after */

/* ---- Suggestions (GET /api/suggest) ------------------------------------------------------ */

/* Up to max completions of the last word of q, each the whole query with the last word
 * completed: first the words that follow the words before it in the records ("Søren M"
 * → "Søren Magne"), then the most frequent with the prefix (with folding: "kob" →
 * "København"); each as the records write it (lowercase unless they almost never do:
 * "ØKF", "TechBBQ"), never a number, a word with digits, a two-letter fragment (an
 * acronym in capitals is a word), a masked number or a head of a suspended compound
 * ("Sundheds- og": "sundheds").
 * *out is an array of *n malloc'ed strings, transferred (free with ark_strings_free;
 * NULL and 0 when there is none). Returns 0, ARK_EINDEX / ARK_EMODIFIED, ARK_ENOMEM. */
int ark_suggest(ark_engine *e, const char *q, size_t max, char ***out, size_t *n,
                ark_err *err);
void ark_strings_free(char **v, size_t n); /* accepts NULL */

/* Free what a record holds (not the struct itself); accept NULL. */
void ark_docinfo_free(ark_docinfo *d);
void ark_passage_info_free(ark_passage_info *p);

#endif
