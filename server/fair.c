/* server/fair.c: round-robin between client addresses over a pool of search threads.
 * See fair.h. One mutex guards everything: it is held for a few pointer moves per job,
 * never while a job runs. An address's record lives while it has jobs waiting or
 * running and is freed after, so a scan of many addresses leaves nothing behind. */
#include "fair.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 1024 /* addresses with jobs at once are bounded by the connections */
#define NCOST 4096    /* the cost memory: direct-mapped, a collision only costs the fast path */

/* What an address's searches cost lately: the last one's time, or half the remembered
 * one when that is more, so a run of cheap searches brings an expensive address back
 * to the fast path after a few, and one expensive search puts it on the queue. */
typedef struct cost_rec {
    unsigned char key[ARK_FAIR_KEY];
    uint64_t us;
} cost_rec;

typedef struct addr_rec {
    unsigned char key[ARK_FAIR_KEY];
    struct addr_rec *bucket_next;
    struct addr_rec *ring_prev, *ring_next; /* in the ring while it has jobs waiting */
    ark_fair_job *head, *tail;
    size_t waiting, running;
} addr_rec;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_work = PTHREAD_COND_INITIALIZER;
static addr_rec *g_buckets[NBUCKETS];
static addr_rec *g_ring;      /* the address whose turn is next; NULL when none waits */
static size_t g_waiting, g_addresses;
static unsigned g_queue;
static int g_open;            /* accepting jobs */
static int g_stopping;
static pthread_t *g_threads;
static unsigned g_nthreads;
static size_t g_cap; /* jobs an expensive address may run at once: all threads but one */
static cost_rec g_cost[NCOST];

static size_t bucket_of(const unsigned char *k) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < ARK_FAIR_KEY; i++) h = (h ^ k[i]) * 16777619u;
    return h % NBUCKETS;
}

static addr_rec *find(const unsigned char *k, int make) {
    size_t b = bucket_of(k);
    for (addr_rec *a = g_buckets[b]; a; a = a->bucket_next)
        if (memcmp(a->key, k, ARK_FAIR_KEY) == 0) return a;
    if (!make) return NULL;
    addr_rec *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    memcpy(a->key, k, ARK_FAIR_KEY);
    a->bucket_next = g_buckets[b];
    g_buckets[b] = a;
    return a;
}

static void forget_if_idle(addr_rec *a) {
    if (a->waiting || a->running) return;
    addr_rec **p = &g_buckets[bucket_of(a->key)];
    while (*p != a) p = &(*p)->bucket_next;
    *p = a->bucket_next;
    free(a);
}

static void ring_add(addr_rec *a) { /* at the end: its turn comes after everyone's */
    if (!g_ring) {
        a->ring_prev = a->ring_next = a;
        g_ring = a;
        return;
    }
    a->ring_prev = g_ring->ring_prev;
    a->ring_next = g_ring;
    g_ring->ring_prev->ring_next = a;
    g_ring->ring_prev = a;
}

static void ring_remove(addr_rec *a) {
    if (a->ring_next == a) {
        g_ring = NULL;
    } else {
        a->ring_prev->ring_next = a->ring_next;
        a->ring_next->ring_prev = a->ring_prev;
        if (g_ring == a) g_ring = a->ring_next;
    }
    a->ring_prev = a->ring_next = NULL;
}

/* The next job of a, whose turn it is; the lock is held. */
static ark_fair_job *take_from(addr_rec *a, addr_rec **from) {
    g_ring = a;
    ark_fair_job *j = a->head;
    a->head = j->next;
    if (!a->head) a->tail = NULL;
    a->waiting--;
    a->running++;
    g_waiting--;
    if (a->waiting) g_ring = a->ring_next; /* one job per turn */
    else {
        ring_remove(a);
        g_addresses--;
    }
    *from = a;
    return j;
}

static ark_fair_job *take(addr_rec **from) { return take_from(g_ring, from); }

static cost_rec *cost_of(const unsigned char *k);

/* How many jobs a may run at once; the lock is held. An address whose searches are
 * expensive lately runs on all threads but one (g_cap), so that one is kept for the
 * other addresses: with all threads on one address's 1 s queries (limit=100 under a
 * flood, 200 connections), another address's search waited up to 8 s for a thread to
 * come free. One whose searches are cheap may run on every thread: another address then
 * waits for one cheap search at most, and two clients behind one address (a proxy, or
 * two of the benchmark's) were held to one thread of two (0.5x the throughput). */
static size_t cap_of(const addr_rec *a) {
    const cost_rec *c = cost_of(a->key);
    int known = memcmp(c->key, a->key, ARK_FAIR_KEY) == 0;
    return known && c->us < ARK_FAIR_CHEAP_US ? g_nthreads : g_cap;
}

/* The next job in round-robin order from an address running fewer jobs than its cap,
 * or NULL; the lock is held. */
static ark_fair_job *pick(addr_rec **from) {
    addr_rec *a = g_ring;
    if (!a) return NULL;
    do {
        if (a->running < cap_of(a)) return take_from(a, from);
        a = a->ring_next;
    } while (a != g_ring);
    return NULL;
}

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static cost_rec *cost_of(const unsigned char *k) { return &g_cost[bucket_of(k) * 7 % NCOST]; }

static void charge(const unsigned char *k, uint64_t us) { /* the lock is held */
    cost_rec *c = cost_of(k);
    if (memcmp(c->key, k, ARK_FAIR_KEY) != 0) {
        memcpy(c->key, k, ARK_FAIR_KEY);
        c->us = us;
    } else {
        c->us = us > c->us / 2 ? us : c->us / 2;
    }
}

static void *thread_main(void *unused) {
    pthread_mutex_lock(&g_lock);
    for (;;) {
        addr_rec *a;
        ark_fair_job *j;
        while (!(j = pick(&a)) && !g_stopping) pthread_cond_wait(&g_work, &g_lock);
        if (!j) break; /* stopping, and nothing waits */
        pthread_mutex_unlock(&g_lock);
        uint64_t t0 = now_us();
        j->run(j, 1);
        uint64_t took = now_us() - t0;
        pthread_mutex_lock(&g_lock);
        charge(a->key, took);
        a->running--;
        if (a->waiting) pthread_cond_signal(&g_work); /* it may be below its cap again */
        forget_if_idle(a);
    }
    pthread_mutex_unlock(&g_lock);
    return NULL;
}

int ark_fair_start(unsigned threads, unsigned queue, ark_err *err) {
    if (threads < 1) threads = 1;
    g_threads = calloc(threads, sizeof *g_threads);
    if (!g_threads) return ark_err_set(err, ARK_ENOMEM, "cannot start the search threads: out of memory");
    g_queue = queue;
    g_cap = threads > 1 ? threads - 1 : 1;
    g_open = 1;
    for (g_nthreads = 0; g_nthreads < threads; g_nthreads++) {
        int e = pthread_create(&g_threads[g_nthreads], NULL, thread_main, NULL);
        if (e != 0) {
            ark_fair_stop();
            return ark_err_set(err, ARK_EIO, "cannot start search thread %u: %s", g_nthreads + 1, strerror(e));
        }
    }
    return 0;
}

int ark_fair_submit(const unsigned char *key, ark_fair_job *job) {
    int rc = 0;
    pthread_mutex_lock(&g_lock);
    addr_rec *a = g_open ? find(key, 1) : NULL;
    if (!g_open) {
        rc = ARK_EINVAL;
    } else if (!a) {
        rc = ARK_ENOMEM;
    } else if (a->waiting >= g_queue) {
        rc = ARK_ETOOBIG;
    } else {
        job->next = NULL;
        if (a->tail) a->tail->next = job;
        else a->head = job;
        a->tail = job;
        if (a->waiting++ == 0) {
            ring_add(a);
            g_addresses++;
        }
        g_waiting++;
        pthread_cond_signal(&g_work);
    }
    pthread_mutex_unlock(&g_lock);
    return rc;
}

int ark_fair_inline(const unsigned char *key) {
    pthread_mutex_lock(&g_lock);
    cost_rec *c = cost_of(key);
    int ok = g_open && g_waiting == 0 &&
             (memcmp(c->key, key, ARK_FAIR_KEY) != 0 || c->us < ARK_FAIR_CHEAP_US);
    pthread_mutex_unlock(&g_lock);
    return ok;
}

void ark_fair_charge(const unsigned char *key, uint64_t us) {
    pthread_mutex_lock(&g_lock);
    charge(key, us);
    pthread_mutex_unlock(&g_lock);
}

void ark_fair_counts(size_t *waiting, size_t *addresses) {
    pthread_mutex_lock(&g_lock);
    *waiting = g_waiting;
    *addresses = g_addresses;
    pthread_mutex_unlock(&g_lock);
}

void ark_fair_stop(void) {
    ark_fair_job *dropped = NULL;
    pthread_mutex_lock(&g_lock);
    g_open = 0;
    g_stopping = 1;
    /* Take every waiting job out, so the threads only finish what they run. */
    while (g_ring) {
        addr_rec *a;
        ark_fair_job *j = take(&a);
        a->running--;
        forget_if_idle(a);
        j->next = dropped;
        dropped = j;
    }
    pthread_cond_broadcast(&g_work);
    pthread_mutex_unlock(&g_lock);
    while (dropped) {
        ark_fair_job *j = dropped;
        dropped = j->next;
        j->run(j, 0);
    }
    for (unsigned i = 0; i < g_nthreads; i++) pthread_join(g_threads[i], NULL);
    free(g_threads);
    g_threads = NULL;
    g_nthreads = 0;
}
