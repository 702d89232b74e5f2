/* indexer/walk.h: the list of source files an indexing run covers.
 * Owns: expanding the PATH arguments (files and folders, recursively) into
 * (document id, file path) pairs, sorted by id, without duplicates.
 * Why: the document id is the path relative to the indexed folder, so the same file
 * keeps its id however the indexer is called from. */
#ifndef ARK_INDEXER_WALK_H
#define ARK_INDEXER_WALK_H

#include <stddef.h>

#include "arkivar/err.h"

typedef struct ark_src_file {
    char *id;   /* relative to the PATH argument it was found under (a file: its name) */
    char *path; /* openable path */
} ark_src_file;

typedef struct ark_walk {
    ark_src_file *v;
    size_t n, cap;
    size_t nerrors; /* paths that could not be read; each reported on stderr */
} ark_walk;

/* Add everything under path. Missing or unreadable paths are reported on stderr and
 * counted in nerrors; only ARK_ENOMEM is returned as an error. */
int ark_walk_add(ark_walk *w, const char *path, ark_err *err);
/* Sort by id and drop duplicate ids (reported, counted as errors). */
void ark_walk_finish(ark_walk *w);
void ark_walk_free(ark_walk *w);

#endif
