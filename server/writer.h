/* server/writer.h: the one thread that writes pushed documents into the index.
 * Owns: taking the spool's entries in order (spool.h), loading and preparing them with
 * the indexer's own code (lib/ingest: the same loaders, analysis, records and spelling),
 * and writing a batch of them into each level's database (the public one at INDEX, the
 * intern one at INDEX/intern) as one transaction per database, the public one first;
 * then the entries leave the spool. At start, whatever the spool holds is written first.
 * Not here: accepting a push (push.c), the durability of an accepted one (spool.c).
 * Why batches: a Xapian commit fsyncs every table (tens of ms); a commit at most every
 * ARK_WRITER_COMMIT_MS keeps a pushed document searchable within a second (the search
 * threads reopen every ARK_WORKER_REFRESH_MS) at any rate of pushes.
 * Why open and close the database per batch: Xapian takes one writer per database. An
 * arkivar-indexer run waits for the lock (--wait) and gets it between two batches; while
 * it holds it the writer retries with a growing pause, up to ARK_WRITER_LOCKED_MAX_MS,
 * and pushed documents wait in the spool (durable) until the run has committed.
 * One source per id: an entry whose id a folder now holds (an indexer run took the id
 * after the push was accepted) is dropped with a message, never written over it. */
#ifndef ARKIVAR_SERVER_WRITER_H
#define ARKIVAR_SERVER_WRITER_H

#include "arkivar/err.h"

#define ARK_WRITER_COMMIT_MS 200             /* at most one commit per database this often */
#define ARK_WRITER_BATCH 256                 /* entries per batch at most */
#define ARK_WRITER_BATCH_BYTES (32u << 20)   /* bodies per batch at most (one bigger goes alone) */
#define ARK_WRITER_LOCKED_MAX_MS 1000        /* the longest pause between tries for the lock */

/* Start the writer on the index folder index_dir (borrowed until ark_writer_stop), with
 * the word list words (NULL: the default; as --words) for compound splitting: each level
 * learns its own vocabulary from its pushed documents, as an indexer run does from its
 * files. The spool must be open. 0, or ARK_EIO / ARK_ENOMEM (no thread). */
int ark_writer_start(const char *index_dir, const char *words, ark_err *err);

/* Stop after the batch being written (its entries are done or stay in the spool), and
 * join the thread. Accepts a writer that never started. */
void ark_writer_stop(void);

#endif
