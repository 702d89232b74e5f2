/* indexer/pipeline.h: run jobs 0..n-1 on several threads, consume their results in order.
 * Owns: the worker threads, which job runs next, the bound on results waiting to be
 * consumed (a window of jobs and of bytes), and stopping early.
 * Not here: what a job does (build.c) or what consuming means (main.c).
 * Why: Xapian's WritableDatabase takes one writer, but loading, segmenting and analysing
 * a file (building its Xapian documents) need no index. The writer consumes results in
 * job order whatever the thread count, so document ids, and so the whole index, do not
 * depend on it. The calling thread is the writer; while the next result is not ready it
 * runs jobs itself, so one thread (threads = 1) is the plain sequential loop. */
#ifndef ARK_INDEXER_PIPELINE_H
#define ARK_INDEXER_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

/* Run job i on runner r (0 = the calling thread, 1..threads-1 = workers; a runner never
 * runs two jobs at once, so per-runner state such as an analyzer needs no lock). Returns
 * the result (transferred to consume or drop; NULL is a valid result) and sets *bytes to
 * the memory it holds, roughly, for the bound. Must not touch the consumer's state. */
typedef void *(*ark_pipe_job_fn)(void *ctx, unsigned runner, size_t i, size_t *bytes);
/* Take result i, in order i = 0, 1, …, on the calling thread. Nonzero stops the run:
 * no more jobs start and the results not consumed go to drop. */
typedef int (*ark_pipe_consume_fn)(void *ctx, size_t i, void *result);
typedef void (*ark_pipe_drop_fn)(void *ctx, void *result);

/* Returns 0 when every result was consumed, the nonzero value consume returned, or
 * ARK_ENOMEM when the threads could not be set up (nothing ran). threads >= 1; at most
 * max_bytes of finished results wait for the consumer (one job beyond the limit runs
 * when it is the next to consume, so a big file never stalls the run). */
int ark_pipe_run(size_t n, unsigned threads, size_t max_bytes, ark_pipe_job_fn job,
                 ark_pipe_consume_fn consume, ark_pipe_drop_fn drop, void *ctx);


#endif
