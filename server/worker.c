/* server/worker.c: one ark_engine per server thread and access level.
 * Owns: a _Thread_local engine pointer per pool thread and level, and a mutex-protected
 * list of all engines opened, for shutdown.
 * Not here: choosing threads (MHD's pool in http.c).
 * Why lazily: MHD creates its pool threads itself, so a thread's first request is the
 * first moment we run on it; opening costs one Xapian open, once per thread.
 * Why acronym tables are counted: an engine borrows its table, and a pool thread may be
 * inside a search with it when SIGHUP brings a new one. Each engine holds a reference;
 * a thread moves its engines to the new table when it next asks for one (one relaxed
 * load of a generation number per request), and the last one to let go of the old table
 * frees it. No request waits for a reload, and a reload waits for no request. */
#include "worker.h"

#include "arkivar/index.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* An acronym table and how many hold it: each engine using it, and the worker while it
 * is the current one. */
typedef struct syn_ref {
    ark_synonyms *s;
    size_t users;
    int owned;            /* 0: ark_worker_init's, the caller frees it */
    struct syn_ref *next; /* every table not yet freed */
} syn_ref;

typedef struct worker_slot {
    ark_engine *e;
    syn_ref *syn;          /* the table e uses (held) */
    unsigned syn_gen;      /* g_syn_gen when e took it */
    uint64_t refreshed_ms; /* CLOCK_MONOTONIC time of the last open or refresh */
    int closed;            /* the engine searches the intern database too */
} worker_slot;

#define MAX_SPECS 257 /* the server's shards and the intern database */

static const char *g_specs[MAX_SPECS]; /* the shards, then the intern database */
static size_t g_nshards;
static const char *g_closed;
static const ark_an *g_an;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ark_engine **g_all;   /* every engine opened, guarded by g_lock */
static size_t g_nall, g_capall;
static syn_ref g_syn_init;   /* ark_worker_init's table (never freed here) */
static syn_ref *g_syn_cur;   /* the table new engines take, guarded by g_lock */
static syn_ref *g_syn_all;   /* every table with users, guarded by g_lock */
static atomic_uint g_syn_gen; /* bumped, under g_lock, when g_syn_cur changes */

static _Thread_local worker_slot t_slots[ARK_NLEVELS];

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ark_worker_init(const char *const *shards, size_t nshards, const char *closed,
                     const ark_an *an, const ark_synonyms *syn) {
    g_nshards = nshards < MAX_SPECS - 1 ? nshards : MAX_SPECS - 1;
    for (size_t i = 0; i < g_nshards; i++) g_specs[i] = shards[i];
    g_specs[g_nshards] = closed;
    g_closed = closed;
    g_an = an;
    g_syn_init = (syn_ref){.s = (ark_synonyms *)syn, .users = 1, .owned = 0, .next = NULL};
    g_syn_cur = g_syn_all = &g_syn_init;
}

/* Let go of r (g_lock held); the last holder frees it. */
static void syn_release_locked(syn_ref *r) {
    if (!r || --r->users > 0) return;
    for (syn_ref **p = &g_syn_all; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    if (r->owned) {
        ark_synonyms_free(r->s);
        free(r);
    }
}

/* Give slot's engine the current table, letting go of the one it had. 0, or ARK_ENOMEM
 * (merging it with the index's learned acronyms failed). */
static int syn_take(worker_slot *slot) {
    pthread_mutex_lock(&g_lock);
    syn_ref *old = slot->syn;
    slot->syn = g_syn_cur;
    if (slot->syn) slot->syn->users++;
    slot->syn_gen = atomic_load_explicit(&g_syn_gen, memory_order_relaxed);
    syn_release_locked(old);
    pthread_mutex_unlock(&g_lock);
    return ark_engine_set_synonyms(slot->e, slot->syn ? slot->syn->s : NULL);
}

static void syn_drop(worker_slot *slot) {
    pthread_mutex_lock(&g_lock);
    syn_release_locked(slot->syn);
    pthread_mutex_unlock(&g_lock);
    slot->syn = NULL;
}

int ark_worker_set_synonyms(ark_synonyms *s) {
    syn_ref *r = calloc(1, sizeof *r);
    if (!r) {
        ark_synonyms_free(s);
        return ARK_ENOMEM;
    }
    *r = (syn_ref){.s = s, .users = 1, .owned = 1};
    pthread_mutex_lock(&g_lock);
    r->next = g_syn_all;
    g_syn_all = r;
    syn_ref *old = g_syn_cur;
    g_syn_cur = r;
    atomic_fetch_add_explicit(&g_syn_gen, 1, memory_order_relaxed);
    syn_release_locked(old);
    pthread_mutex_unlock(&g_lock);
    return 0;
}

/* The intern database is there to be searched: its folder holds one. Not the folder
 * alone: a new intern database is made in it under a lock (by an indexer run in parts,
 * or by the push writer), and until its revision file is written there is nothing to
 * open; the intern engine would fail every request meanwhile. */
static int closed_present(void) {
    return g_closed && ark_db_exists(g_closed);
}

static int track(ark_engine *e, ark_err *err) {
    int rc = 0;
    pthread_mutex_lock(&g_lock);
    if (g_nall == g_capall) {
        size_t cap = g_capall ? g_capall * 2 : 16;
        ark_engine **v = realloc(g_all, cap * sizeof *v);
        if (!v) {
            rc = ark_err_set(err, ARK_ENOMEM, "cannot track engine: out of memory");
            goto out;
        }
        g_all = v;
        g_capall = cap;
    }
    g_all[g_nall++] = e;
out:
    pthread_mutex_unlock(&g_lock);
    return rc;
}

static void untrack(ark_engine *e) {
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_nall; i++)
        if (g_all[i] == e) {
            g_all[i] = g_all[--g_nall];
            break;
        }
    pthread_mutex_unlock(&g_lock);
}

static void drop_engine(ark_level lv);

/* Open lv's engine on this thread: the shards, and for intern the intern database
 * beside them when it is there. The offentlig engine never opens it. */
static int open_engine(ark_level lv, ark_err *err) {
    worker_slot *slot = &t_slots[lv];
    ark_engine *e = NULL;
    int closed = lv == ARK_LEVEL_INTERN && closed_present();
    int rc = ark_engine_open(g_specs, g_nshards + (size_t)closed, g_an, &e, err);
    if (rc != 0) goto out;
    if ((rc = track(e, err)) != 0) goto out;
    slot->e = e;
    slot->refreshed_ms = now_ms();
    slot->closed = closed;
    e = NULL;
    if ((rc = syn_take(slot)) != 0) {
        ark_err_set(err, rc, "acronym table: out of memory");
        drop_engine(lv);
    }
out:
    ark_engine_close(e);
    return rc;
}

static void drop_engine(ark_level lv) {
    worker_slot *slot = &t_slots[lv];
    if (!slot->e) return;
    untrack(slot->e);
    ark_engine_close(slot->e);
    slot->e = NULL;
    syn_drop(slot);
}

ark_engine *ark_worker_engine(ark_level lv, ark_err *err) {
    if ((unsigned)lv >= ARK_NLEVELS) lv = ARK_LEVEL_PUBLIC;
    worker_slot *slot = &t_slots[lv];
    if (!slot->e) {
        if (open_engine(lv, err) != 0) return NULL;
        return slot->e;
    }
    /* A table swapped in since (SIGHUP): this thread is between calls on e, so e can
     * take it now, and the old one is let go. */
    if (atomic_load_explicit(&g_syn_gen, memory_order_relaxed) != slot->syn_gen &&
        syn_take(slot) != 0) {
        ark_err_set(err, ARK_ENOMEM, "acronym table: out of memory");
        drop_engine(lv);
        return NULL;
    }
    uint64_t now = now_ms();
    if (now - slot->refreshed_ms < ARK_WORKER_REFRESH_MS) return slot->e;
    slot->refreshed_ms = now;
    ark_err rerr = {0, ""};
    /* An intern database made since this engine opened: open again to search it. */
    if (lv == ARK_LEVEL_INTERN && !slot->closed && closed_present()) {
        drop_engine(lv);
        if (open_engine(lv, err) != 0) return NULL;
        return slot->e;
    }
    if (ark_engine_refresh(slot->e, &rerr) == 0) return slot->e;
    /* A failed refresh (e.g. the index was replaced under us) must not fail requests
     * forever: start over with a fresh engine on this thread. */
    drop_engine(lv);
    if (open_engine(lv, err) != 0) return NULL;
    return slot->e;
}

int ark_worker_reopen(ark_level lv, ark_err *err) {
    if ((unsigned)lv >= ARK_NLEVELS) lv = ARK_LEVEL_PUBLIC;
    worker_slot *slot = &t_slots[lv];
    if (slot->e) {
        ark_err rerr = {0, ""};
        if (ark_engine_refresh(slot->e, &rerr) == 0) {
            slot->refreshed_ms = now_ms();
            return 0;
        }
        drop_engine(lv);
    }
    return open_engine(lv, err);
}

/* ---- engine calls with one retry ------------------------------------------------------ */

typedef int (*engine_call)(ark_engine *e, void *user, ark_err *err);

static int with_engine(ark_level lv, engine_call call, void *user, int *opened, ark_err *err) {
    *opened = 0;
    if ((unsigned)lv >= ARK_NLEVELS) lv = ARK_LEVEL_PUBLIC;
    for (int attempt = 0;; attempt++) {
        ark_engine *e = ark_worker_engine(lv, err);
        if (!e) return err->code ? err->code : ARK_EINTERNAL;
        *opened = 1;
        int rc = call(e, user, err);
        if (rc == ARK_EMODIFIED && attempt == 0 && ark_worker_reopen(lv, err) == 0) continue;
        /* Xapian's handles are not safe to use after an allocation failed inside them
         * (tests/test_faults.c saw the next search crash): this thread starts over with
         * a fresh engine on its next call. */
        if (rc == ARK_ENOMEM || rc == ARK_EINTERNAL) drop_engine(lv);
        return rc;
    }
}

typedef struct call_args {
    const ark_search_req *req;
    ark_results *res;
    const char *s, *q;
    ark_docview *v;
    const ark_doc_req *doc;
    size_t max, *n;
    char ***strings;
    ark_engine_stats *st;
} call_args;

static int do_search(ark_engine *e, void *user, ark_err *err) {
    call_args *a = user;
    memset(a->res, 0, sizeof *a->res);
    return ark_search(e, a->req, a->res, err);
}

static int do_doc(ark_engine *e, void *user, ark_err *err) {
    call_args *a = user;
    memset(a->v, 0, sizeof *a->v);
    return ark_doc_get(e, a->doc, a->v, err);
}

static int do_suggest(ark_engine *e, void *user, ark_err *err) {
    call_args *a = user;
    *a->strings = NULL;
    *a->n = 0;
    return ark_suggest(e, a->s, a->max, a->strings, a->n, err);
}

static int do_stats(ark_engine *e, void *user, ark_err *err) {
    return ark_engine_stats_get(e, ((call_args *)user)->st, err);
}

int ark_worker_search(ark_level lv, const ark_search_req *req, ark_results *res, int *opened,
                      ark_err *err) {
    call_args a = {.req = req, .res = res};
    memset(res, 0, sizeof *res);
    return with_engine(lv, do_search, &a, opened, err);
}

int ark_worker_doc(ark_level lv, const ark_doc_req *req, ark_docview *v, int *opened,
                   ark_err *err) {
    call_args a = {.doc = req, .v = v};
    memset(v, 0, sizeof *v);
    return with_engine(lv, do_doc, &a, opened, err);
}

int ark_worker_suggest(ark_level lv, const char *q, size_t max, char ***v, size_t *n,
                       int *opened, ark_err *err) {
    call_args a = {.s = q, .max = max, .strings = v, .n = n};
    *v = NULL;
    *n = 0;
    return with_engine(lv, do_suggest, &a, opened, err);
}

int ark_worker_stats(ark_level lv, ark_engine_stats *st, int *opened, ark_err *err) {
    call_args a = {.st = st};
    return with_engine(lv, do_stats, &a, opened, err);
}

void ark_worker_shutdown(void) {
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_nall; i++) ark_engine_close(g_all[i]);
    free(g_all);
    g_all = NULL;
    g_nall = g_capall = 0;
    /* The pool threads are gone with their references: every table is freed but
     * ark_worker_init's, which is the caller's. */
    for (syn_ref *r = g_syn_all, *next; r; r = next) {
        next = r->next;
        if (r->owned) {
            ark_synonyms_free(r->s);
            free(r);
        }
    }
    g_syn_all = g_syn_cur = NULL;
    pthread_mutex_unlock(&g_lock);
    for (int l = 0; l < ARK_NLEVELS; l++) {
        t_slots[l].e = NULL; /* pool threads are gone */
        t_slots[l].syn = NULL;
    }
}

/* The engine API tells the revision, not when it was written. A Xapian (glass) commit
 * renames a new revision file, iamglass, into the database's folder last (the push
 * writer's commits and the indexer's alike), so its mtime is the commit's time. Read
 * here rather than through lib/ because only /health/ready asks, and a stat costs
 * nothing next to opening a database; when the index layout changes, so must this. */
int ark_worker_last_commit(time_t *when) {
    int found = 0;
    for (size_t i = 0; i < g_nshards; i++) {
        char **dirs = NULL;
        size_t n = 0;
        if (strncmp(g_specs[i], "tcp:", 4) == 0) continue;
        if (ark_db_shards(g_specs[i], &dirs, &n, NULL) != 0) continue; /* a sharded index: each shard's */
        for (size_t k = 0; k < n; k++) {
            char path[PATH_MAX];
            struct stat st;
            if (snprintf(path, sizeof path, "%s/iamglass", dirs[k]) >= (int)sizeof path) continue;
            if (stat(path, &st) != 0) continue;
            if (!found || st.st_mtime > *when) *when = st.st_mtime;
            found = 1;
        }
        ark_db_shards_free(dirs, n);
    }
    return found ? 0 : ARK_ENOTFOUND;
}
