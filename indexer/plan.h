/* indexer/plan.h: what a run removes and which files it refuses, before it writes.
 * Owns: the documents a database holds (with their roots), which of them a run removes
 * (files it could see and did not find at this level), refusing an empty root that
 * still has documents, and one file per document id across roots.
 * Not here: the walk itself (walk.h), writing (build.h, main.c).
 * Why apart: it is the guard against losing documents (an unmounted share, a moved
 * folder, a level changed), read before anything is written. */
#ifndef ARK_INDEXER_PLAN_H
#define ARK_INDEXER_PLAN_H

#include <stddef.h>

#include "arkivar/access.h"
#include "arkivar/err.h"
#include "arkivar/index.h"
#include "arkivar/ingest.h"
#include "walk.h"

/* The documents the index holds: id and the root their record names ("" for a record
 * from before roots were stored, or one that does not decode). */
typedef struct stored_doc {
    char *id, *root;
    int remove; /* planned: its file is gone from a folder this run read */
} stored_doc;

typedef struct doc_list {
    stored_doc *v;
    size_t n, cap;
    int rc;
} doc_list;

/* The files of a run at the level being written: lv[i] is file i's level (-1: its
 * sidecar is bad, so it belongs to no level), one pass per level (index_level). */
typedef struct level_pass {
    const signed char *of; /* per walk entry */
    ark_level lv;
    const char *other;     /* the other level's database folder (pushed ids), or NULL */
} level_pass;

/* The canonical folder walk entry i was found under. */
const char *ark_walk_root_dir(const ark_walk *w, size_t i);
/* List the index's documents (every shard's) with their roots, sorted by id, into l
 * (zeroed). */
int ark_stored_list(ark_shards *s, doc_list *l, ark_err *err);
/* An ark_key_fn that counts document keys into ((doc_list *)user)->n. */
int ark_stored_count(const char *key, size_t len, void *user);
/* Refuse (mark failed, report) a folder PATH that was read but is empty while the
 * database holds documents from it: an unmounted share; its documents stay. */
void ark_plan_empty_roots(ark_walk *w, const doc_list *stored);
/* Mark the stored documents to remove at this level; returns how many are gone (a move
 * to another level does not count). */
size_t ark_plan_removals(const ark_walk *w, const level_pass *lp, doc_list *stored);
/* The stored documents that came from folders (not pushed over HTTP: ARK_ROOT_PUSH,
 * record.h), which a run could remove: what its removal guard counts against. */
size_t ark_plan_folder_docs(const doc_list *stored);
/* Decide which walk entries of this level are indexed (take[i] = 1); returns the number
 * refused (an id held from another root or pushed over HTTP, or found twice). */
size_t ark_plan_clashes(const ark_walk *w, const level_pass *lp, const doc_list *stored,
                        char *take);
/* Refuse (take[i] = 0, report) the files taken at this level whose id a document pushed
 * over HTTP holds in the other level's database (lp->other; none there holds nothing):
 * one source per id across the levels too. Returns the number refused, or -1 with err
 * when that database cannot be read. */
long ark_plan_pushed_elsewhere(const ark_walk *w, const level_pass *lp, char *take, ark_err *err);

#endif
