/* indexer/build.h: one source file into passage documents in the index.
 * Owns: load → segment → metadata → terms → stored records for one file, and the
 * decision whether the file changed since the last run (content hash); split into what
 * needs no index (learn, prepare: any thread) and what writes it (write: one thread).
 * Not here: which files a run covers (walk.h), the transaction (main.c). */
#ifndef ARK_INDEXER_BUILD_H
#define ARK_INDEXER_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"
#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "arkivar/index.h"
#include "wcount.h"

/* The run's side: the writable index and the totals. One writer, the calling thread of
 * ark_pipe_run (pipeline.h). */
typedef struct ark_build {
    ark_wdb *w;    /* borrowed, inside a transaction */
    ark_wcount spell; /* spelling words of the run with their counts, not yet written */
    /* totals of the run */
    uint64_t files_indexed, files_unchanged, files_failed, files_removed;
    uint64_t passages, bytes;
} ark_build;

enum { ARK_BUILD_INDEXED = 0, ARK_BUILD_UNCHANGED = 1 };

/* Spelling words held before they are written (about 40 MB at 24-byte words). */
#define ARK_BUILD_SPELL_FLUSH (1u << 20)

/* What one file becomes before the index is touched: its passage documents, its record,
 * its spelling words. Built on any thread (ark_build_prepare), written by the writer
 * (ark_build_write). Freed with ark_built_free. */
typedef struct ark_built {
    int rc;         /* as ark_build_prepare returned */
    ark_err err;    /* the reason when rc < 0 */
    ark_xdoc **docs; size_t ndocs;
    ark_buf drec;   /* the encoded document record */
    ark_wcount spell;
    uint64_t bytes; /* of the source */
} ark_built;

/* What the index holds for document id of root: *exists, and the stored content hash
 * ("" when the record names another root, so the file is indexed again). Reads the
 * index: the writer's thread only. */
int ark_build_stored(ark_build *b, const char *id, const char *root, int *exists,
                     char hash[33], ark_err *err);

/* The learning pass over one file: ARK_BUILD_UNCHANGED when its content hash is
 * old_hash (and !force), else ARK_BUILD_INDEXED with the words it adds to the compound
 * vocabulary counted into words (add them with ark_an_add_word before any file is
 * prepared), or a negative code for a bad file. Any thread; no index. */
int ark_build_learn(const char *path, unsigned mask, const char *old_hash, int force,
                    ark_wcount *words, ark_err *err);

/* Load, segment and analyse the file at path as document id of root (the canonical
 * folder the id is relative to, stored in the record) into out (zeroed by the caller).
 * Returns (and sets out->rc) ARK_BUILD_INDEXED, ARK_BUILD_UNCHANGED (content hash is
 * old_hash and !force), or a negative code: a bad file (ARK_EBINARY, ARK_EEMPTY,
 * ARK_ETOOBIG, ARK_EIO, ARK_EINVAL) is skipped; ARK_ENOMEM means the run must stop.
 * Any thread, with an analyzer of its own (an is not shared). */
int ark_build_prepare(ark_an *an, const char *id, const char *root, const char *path,
                      unsigned mask, const char *old_hash, int force, ark_built *out);

/* Write a prepared file: replace the old passages of id (exists: the index holds it),
 * store its record, count its spelling words. ARK_EINDEX / ARK_ENOMEM stop the run. */
int ark_build_write(ark_build *b, const char *id, int exists, const ark_built *in,
                    ark_err *err);

/* Whether a code from ark_build_prepare or ark_build_write stops the run (the index or
 * memory failed) rather than skipping one bad file. */
int ark_build_fatal(int rc);

/* The progress line on a terminal ("\r12/34 files, ..."), for either way of writing. */
void ark_build_progress(uint64_t done, uint64_t total, uint64_t passages, uint64_t bytes,
                        double seconds);

/* Write the spelling words counted so far; before the commit. */
int ark_build_flush(ark_build *b, ark_err *err);

/* Remove every passage and the record of document id. */
int ark_build_remove(ark_build *b, const char *id, ark_err *err);

void ark_built_free(ark_built *x);
void ark_build_free(ark_build *b);

#endif
