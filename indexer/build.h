/* indexer/build.h: one source file into passage documents in the index.
 * Owns: load → segment → metadata → terms → stored records for one file, and the
 * decision whether the file changed since the last run (content hash).
 * Not here: which files a run covers (walk.h), the transaction (main.c). */
#ifndef ARK_INDEXER_BUILD_H
#define ARK_INDEXER_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"
#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "arkivar/index.h"

typedef struct ark_build {
    ark_an *an;    /* borrowed */
    ark_wdb *w;    /* borrowed, inside a transaction */
    ark_buf scratch;
    int force;     /* the index has another format: re-index every file */
    unsigned mask; /* ARK_MASK_* beyond CPR numbers (--mask-contacts) */
    /* totals of the run */
    uint64_t files_indexed, files_unchanged, files_failed, files_removed;
    uint64_t passages, bytes;
} ark_build;

enum { ARK_BUILD_INDEXED = 0, ARK_BUILD_UNCHANGED = 1 };

/* Index the file at path as document id from root (the canonical folder the id is
 * relative to, stored in the record), replacing its old passages. Returns
 * ARK_BUILD_INDEXED, ARK_BUILD_UNCHANGED (same content hash as stored), or a negative
 * code: a bad file (ARK_EBINARY, ARK_EEMPTY, ARK_ETOOBIG, ARK_EIO) leaves the index as
 * it was for that id; ARK_EINDEX / ARK_ENOMEM mean the run must stop. */
int ark_build_file(ark_build *b, const char *id, const char *root, const char *path,
                   ark_err *err);

/* Remove every passage and the record of document id. */
int ark_build_remove(ark_build *b, const char *id, ark_err *err);

void ark_build_free(ark_build *b);

#endif
