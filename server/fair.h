/* server/fair.h: a fair share of the engine threads between client addresses.
 * Owns: the search threads (as many as the server has cores, --threads), one bounded
 * queue of jobs per client address, and the round-robin order in which the threads
 * take jobs from the addresses that have some waiting; one address runs on all the
 * threads but one at most, so a thread is always free for another address soon.
 * Not here: what a job does (http.c runs a route and resumes its connection), which
 * address a request comes from (http.c, --trusted-proxy), engines (worker.c).
 * Why: MHD's pool threads serve their connections in turn, so when searches ran on
 * them, 64 connections of expensive queries from one address put every other
 * address's request behind up to 32 of them (3 s and more). Here a waiting address
 * takes the next free thread after at most one job of each other address, and an
 * address that fills its own queue gets 503 while everyone else is served. */
#ifndef ARKIVAR_SERVER_FAIR_H
#define ARKIVAR_SERVER_FAIR_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"

#define ARK_FAIR_KEY 16 /* an IPv6 address, or an IPv4 one mapped into it */

/* One job; the caller embeds it in its own request and keeps it alive until run()
 * has returned. run(job, 1) runs the job on a search thread; run(job, 0) tells that
 * it was dropped by ark_fair_stop() without running (answer it, do not search). */
typedef struct ark_fair_job {
    struct ark_fair_job *next; /* the queue's; not the caller's */
    void (*run)(struct ark_fair_job *job, int ran);
} ark_fair_job;

/* Start threads search threads; each address may have at most queue jobs waiting
 * (running ones not counted). ARK_ENOMEM or ARK_EIO (a thread could not start), err
 * saying why; then nothing is left running. Once per process. */
int ark_fair_start(unsigned threads, unsigned queue, ark_err *err);

/* Queue job for the address key (ARK_FAIR_KEY bytes, copied). 0: job->run will be
 * called once, on a search thread. ARK_ETOOBIG: this address has queue jobs waiting
 * already; ARK_ENOMEM; ARK_EINVAL: not started or stopping. On failure job->run is
 * never called. */
int ark_fair_submit(const unsigned char *key, ark_fair_job *job);

/* The fast path. Handing a search to a search thread and back costs two wake-ups
 * across cores (+0.23 ms at p50 in scripts/bench-load.sh --smoke, 0.95 → 1.18 ms), so
 * a search may run on the caller's thread instead while nothing waits in any queue and
 * its address's searches have been cheap lately (under ARK_FAIR_CHEAP_US; the cost is
 * remembered per address, ark_fair_charge). One expensive search puts its address on
 * the queue, and anything queued puts everyone on it: then the round-robin order holds.
 * 1: run it here and call ark_fair_charge() after; 0: ark_fair_submit() it. */
#define ARK_FAIR_CHEAP_US 20000
int ark_fair_inline(const unsigned char *key);
void ark_fair_charge(const unsigned char *key, uint64_t us);

/* Jobs waiting and addresses with jobs waiting, for tests and /metrics. */
void ark_fair_counts(size_t *waiting, size_t *addresses);

/* Refuse new jobs, drop the waiting ones (run(job, 0) on the calling thread), let the
 * running ones finish and join the threads. After this returns no job runs. Safe
 * without ark_fair_start(). */
void ark_fair_stop(void);

#endif
