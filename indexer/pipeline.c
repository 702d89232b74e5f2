/* indexer/pipeline.c: jobs on several threads, results in order. See pipeline.h. */
#include "pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "arkivar/err.h"

/* Jobs handed out ahead of the consumer, per thread: enough that a worker is not idle
 * while the writer takes one slow file, few enough that results stay small. */
#define WINDOW_PER_THREAD 4

typedef struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* any change: a result is ready, one was consumed, stop */
    size_t n, next_job, next_consume, window, max_bytes, pending_bytes;
    void **res;
    size_t *bytes;
    char *done;
    int stop;
    ark_pipe_job_fn job;
    void *ctx;
} pipe_t;

typedef struct worker {
    pipe_t *p;
    unsigned runner;
} worker;

/* Called with the lock held. */
static int can_take(const pipe_t *p) {
    return !p->stop && p->next_job < p->n && p->next_job < p->next_consume + p->window &&
           (p->next_job == p->next_consume || p->pending_bytes < p->max_bytes);
}

/* Run job j outside the lock and file its result; called and returns with the lock held. */
static void run_one(pipe_t *p, unsigned runner) {
    size_t j = p->next_job++, b = 0;
    pthread_mutex_unlock(&p->mu);
    void *r = p->job(p->ctx, runner, j, &b);
    pthread_mutex_lock(&p->mu);
    p->res[j % p->window] = r;
    p->bytes[j % p->window] = b;
    p->done[j % p->window] = 1;
    p->pending_bytes += b;
    pthread_cond_broadcast(&p->cv);
}

static void *work(void *arg) {
    worker *w = arg;
    pipe_t *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!can_take(p) && !p->stop && p->next_job < p->n) pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next_job >= p->n) break;
        run_one(p, w->runner);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int ark_pipe_run(size_t n, unsigned threads, size_t max_bytes, ark_pipe_job_fn job,
                 ark_pipe_consume_fn consume, ark_pipe_drop_fn drop, void *ctx) {
    if (threads < 1) threads = 1;
    pipe_t p = {.n = n, .window = (size_t)threads * WINDOW_PER_THREAD, .max_bytes = max_bytes,
                .job = job, .ctx = ctx};
    int rc = 0;
    p.res = calloc(p.window, sizeof *p.res);
    p.bytes = calloc(p.window, sizeof *p.bytes);
    p.done = calloc(p.window, 1);
    worker *ws = calloc(threads, sizeof *ws);
    pthread_t *tids = calloc(threads, sizeof *tids);
    unsigned started = 0;
    if (!p.res || !p.bytes || !p.done || !ws || !tids) {
        rc = ARK_ENOMEM;
        goto out;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    /* A worker that cannot be started is not an error: fewer threads do the same work. */
    for (unsigned t = 1; t < threads && n > 1; t++) {
        ws[started] = (worker){&p, t};
        if (pthread_create(&tids[started], NULL, work, &ws[started]) == 0) started++;
    }

    pthread_mutex_lock(&p.mu);
    while (p.next_consume < n && !p.stop) {
        size_t k = p.next_consume % p.window;
        if (p.done[k]) {
            void *r = p.res[k];
            p.done[k] = 0;
            p.res[k] = NULL;
            p.pending_bytes -= p.bytes[k];
            size_t i = p.next_consume++;
            pthread_cond_broadcast(&p.cv);
            pthread_mutex_unlock(&p.mu);
            int crc = consume(ctx, i, r);
            pthread_mutex_lock(&p.mu);
            if (crc) {
                rc = crc;
                p.stop = 1;
                pthread_cond_broadcast(&p.cv);
            }
        } else if (can_take(&p)) {
            run_one(&p, 0);
        } else {
            pthread_cond_wait(&p.cv, &p.mu);
        }
    }
    p.stop = 1;
    pthread_cond_broadcast(&p.cv);
    pthread_mutex_unlock(&p.mu);
    for (unsigned t = 0; t < started; t++) pthread_join(tids[t], NULL);
    for (size_t k = 0; k < p.window; k++)
        if (p.done[k] && drop) drop(ctx, p.res[k]);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
out:
    free(p.res);
    free(p.bytes);
    free(p.done);
    free(ws);
    free(tids);
    return rc;
}
