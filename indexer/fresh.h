/* indexer/fresh.h: a new index, written on every core.
 * Owns: building an index where none exists yet. The files of the run are cut into
 * contiguous shares of about 32 MB (at least one per thread; fresh.c says why), each
 * written by whichever thread takes it next into a scratch database (DIR/.build-PID/N),
 * and the parts merged in order by Xapian's compactor into DIR: the documents, docids,
 * terms, positions, records and spelling that one writer would have written, in full
 * blocks.
 * Why: Xapian has one writer per database and the writer does two thirds of the work,
 * so one database cannot use a second core; and an index written incrementally leaves
 * its blocks part-empty (the compacted one is a quarter smaller).
 * Why only a new index: an update must be one transaction on the database that readers
 * already have open (main.c); here no reader has anything open, and DIR shows no index
 * until the compactor writes its revision file last.
 * Not here: which files, their order, the learning pass (main.c); one file (build.h). */
#ifndef ARK_INDEXER_FRESH_H
#define ARK_INDEXER_FRESH_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"
#include "arkivar/err.h"
#include "progress.h"

/* One file of the run, in walk order. */
typedef struct ark_fresh_file {
    const char *id, *root, *path;
    const char *shown; /* its name in messages (the link it was found as, or path) */
} ark_fresh_file;

typedef struct ark_fresh {
    const char *dir;      /* the index folder: exists, holds no database, locked */
    ark_an *an;           /* the run's analyzer, vocabulary learned; cloned per thread */
    unsigned mask;        /* ARK_MASK_* */
    unsigned threads;
    const char *const *meta; /* key, value, key, value, ...: index metadata to store */
    size_t nmeta;            /* pairs */
    ark_progress *prog;      /* the run's progress line (progress.h) */
    /* out, added to by each call (shards: one call each): totals of the run */
    size_t files_done;
    uint64_t files_indexed, files_failed, passages, bytes;
} ark_fresh;

/* Hold the index folder against other writers while no database is there to lock
 * (Xapian's own lock, on DIR/flintlock), and clear what a killed run left (scratch
 * parts, and the shards of a sharded index whose stub it never wrote: a sharded index
 * is built one shard after another, each one such a new index in its folder, and the
 * stub naming them written last). Returns an fd for ark_fresh_build, or -1 with err set: ARK_ELOCKED when
 * another writer holds DIR. */
int ark_fresh_lock(const char *dir, ark_err *err);

/* Index files[0..n) into the new index at f->dir; lock_fd from ark_fresh_lock is
 * closed here. Bad files are named on stderr (in walk order, after the writing) and
 * counted; ARK_ENOMEM or ARK_EINDEX stop the run and leave no index. */
int ark_fresh_build(ark_fresh *f, const ark_fresh_file *files, size_t n, int lock_fd,
                    ark_err *err);

#endif
