/* server/writer.c: the push writer thread. See writer.h. */
#include "writer.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arkivar/analysis.h"
#include "arkivar/index.h"
#include "arkivar/ingest.h"
#include "arkivar/record.h"
#include "arkivar/schema.h"
#include "arkivar/text.h"
#include "spool.h"

/* A level's analyzer learns the words of every document pushed to it; past this many it
 * starts again from the word list, so a long-running server's memory stays bounded. */
#define LEARNED_MAX (1u << 20)

static struct {
    const char *index, *words;
    char intern[PATH_MAX], scratch[PATH_MAX];
    ark_an *an[ARK_NLEVELS]; /* the writer thread's own; NULL until the first document */
    size_t learned[ARK_NLEVELS];
    pthread_t tid;
    int started;
    atomic_int stop;
} W;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleep ms, in slices, returning early when the writer is stopped. */
static void nap(uint64_t ms) {
    uint64_t end = now_ms() + ms;
    while (!atomic_load(&W.stop)) {
        uint64_t now = now_ms();
        if (now >= end) return;
        uint64_t d = end - now < 20 ? end - now : 20;
        struct timespec ts = {0, (long)d * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static int count_key(const char *key, size_t len, void *user) {
    *(uint64_t *)user += len > 1;
    return 0;
}

/* The database's document count (ARK_META_NDOCS; counted when an old index lacks it). */
static int read_ndocs(ark_wdb *w, int64_t *out, ark_err *err) {
    char *v = NULL;
    size_t n = 0;
    int rc = ark_wdb_get_meta(w, ARK_META_NDOCS, &v, &n, err);
    if (rc) return rc;
    if (v) {
        *out = strtoll(v, NULL, 10);
        free(v);
        return 0;
    }
    uint64_t c = 0;
    rc = ark_wdb_meta_keys(w, ARK_PFX_DOC, count_key, &c, err);
    *out = (int64_t)c;
    return rc;
}

/* Level lv's analyzer, with the vocabulary its pushed documents taught it. */
static ark_an *analyzer(ark_level lv, ark_err *err) {
    if (W.an[lv] && W.learned[lv] > LEARNED_MAX) {
        ark_an_free(W.an[lv]);
        W.an[lv] = NULL;
    }
    if (!W.an[lv] && ark_an_new(W.words, &W.an[lv], err) == 0) W.learned[lv] = 0;
    return W.an[lv];
}

/* Write one PUT entry (its body in the spool) as document e->id into b: the learning
 * pass (its words for compound splitting, as an indexer run's), then prepare and write.
 * *wrote: it was written. A file that no longer loads is named and dropped (0); the
 * index or memory failing is returned. */
static int put_one(ark_build *b, ark_level lv, const ark_spool_entry *e, unsigned mask, int exists,
                   int *wrote, ark_err *err) {
    char path[PATH_MAX];
    *wrote = 0;
    if (ark_spool_body(e, path, sizeof path)) return ark_err_set(err, ARK_EINVAL, "spool path too long");
    ark_an *an = analyzer(lv, err);
    if (!an) return err->code ? err->code : ARK_ENOMEM;
    ark_wcount words = ARK_WCOUNT_INIT;
    ark_err lerr = {0, ""};
    int rc = ark_build_learn(path, mask, "", 1, &words, &lerr);
    for (size_t k = 0; rc == ARK_BUILD_INDEXED && k < words.n; k++) {
        size_t len;
        const char *w = ark_wcount_word(&words, k, &len);
        if (ark_an_add_word(an, w, len) == ARK_ENOMEM) rc = ARK_ENOMEM;
    }
    W.learned[lv] += words.n;
    ark_wcount_free(&words);
    if (rc == ARK_ENOMEM) return ark_err_set(err, ARK_ENOMEM, "%s: learning its words", e->id);
    ark_built x = {0};
    ark_build_prepare(an, e->id, ARK_ROOT_PUSH, path, mask, "", 1, &x);
    rc = 0;
    if (x.rc == ARK_BUILD_INDEXED) {
        if (!(rc = ark_build_write(b, e->id, exists, &x, err))) *wrote = 1;
    } else if (ark_build_fatal(x.rc)) {
        *err = x.err;
        rc = x.rc;
    } else {
        /* Checked when it was accepted; only a loader changed meanwhile gets here. */
        fprintf(stderr, "arkivar-server: push: %s: %s%s%s; not written\n", e->id,
                ark_strerror(x.rc), x.err.msg[0] ? ": " : "", x.err.msg);
    }
    ark_built_free(&x);
    return rc;
}

/* One database's part of a batch: every entry, in order, into the shard of its id
 * (ingest.h), each shard one transaction. A PUT at lv is written; any other entry of an
 * id this database holds from a push removes it (a DELETE, or a PUT that moved the id
 * to the other level). *mask_text: the database's masking (public pass: read; a new
 * intern database gets the same). */
static int pass(ark_level lv, const char *dir, const ark_spool_entry *v, size_t n, char *mask_text,
                size_t mask_cap, ark_err *err) {
    ark_shards *s = calloc(1, sizeof *s);
    int64_t ndocs[ARK_SHARDS_MAX] = {0};
    char *fmt = NULL, *mask = NULL;
    size_t flen = 0, mlen = 0;
    if (!s) return ark_err_set(err, ARK_ENOMEM, "push: opening %s", dir);
    int rc = ark_shards_open(s, dir, err);
    if (!rc) rc = ark_wdb_get_meta(s->b[0].w, ARK_META_FORMAT, &fmt, &flen, err);
    if (!rc) rc = ark_wdb_get_meta(s->b[0].w, ARK_META_MASK, &mask, &mlen, err);
    if (!rc && fmt && strcmp(fmt, ARK_INDEX_FORMAT) != 0)
        rc = ark_err_set(err, ARK_EINDEX, "%s has index format %s, this server writes %s: run "
                         "arkivar-indexer on it first", dir, fmt, ARK_INDEX_FORMAT);
    if (!rc && lv == ARK_LEVEL_PUBLIC) snprintf(mask_text, mask_cap, "%s", mask ? mask : "cpr");
    unsigned m = mask && strstr(mask, "contacts") ? ARK_MASK_CONTACTS : 0;
    free(fmt);
    free(mask);
    if (!rc) rc = ark_shards_begin(s, err);
    for (size_t k = 0; !rc && k < s->n; k++) rc = read_ndocs(s->b[k].w, &ndocs[k], err);
    size_t put = 0, removed = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        const ark_spool_entry *e = &v[i];
        int mine = e->op == ARK_SPOOL_PUT && e->level == lv, exists = 0, wrote = 0;
        unsigned k = ark_shard_of(e->id, s->n);
        ark_build *b = &s->b[k];
        char root[PATH_MAX];
        if ((rc = ark_build_root_of(b, e->id, &exists, root, sizeof root, err))) break;
        if (exists && strcmp(root, ARK_ROOT_PUSH) != 0) {
            /* An indexer run took the id from a folder after the push was accepted. */
            if (mine || e->op == ARK_SPOOL_DELETE)
                fprintf(stderr, "arkivar-server: push: %s: now indexed from %s; the %s is "
                        "dropped\n", e->id, root, mine ? "PUT" : "DELETE");
            continue;
        }
        if (mine) {
            rc = put_one(b, lv, e, m, exists, &wrote, err);
            ndocs[k] += wrote && !exists;
            put += (size_t)wrote;
        } else if (exists) {
            rc = ark_build_remove(b, e->id, err);
            ndocs[k]--;
            removed++;
        }
    }
    if (!rc) rc = ark_shards_flush(s, err);
    for (size_t k = 0; !rc && k < s->n; k++) {
        char nd[32];
        int len = snprintf(nd, sizeof nd, "%lld", (long long)(ndocs[k] < 0 ? 0 : ndocs[k]));
        rc = ark_wdb_set_meta(s->b[k].w, ARK_META_NDOCS, nd, (size_t)len, err);
    }
    if (!rc && (put || removed)) rc = ark_shards_commit(s, err);
    ark_shards_close(s); /* without a commit: cancelled, the last commits stay */
    free(s);
    return rc;
}

/* A batch into the index: the public database first (a document that moves to intern
 * leaves it before it enters the intern one, as in an indexer run), then the intern
 * one when an entry goes there or it exists (to remove what leaves it). */
static int apply(const ark_spool_entry *v, size_t n, ark_err *err) {
    char mask[64] = "cpr";
    int to_intern = 0;
    for (size_t i = 0; i < n; i++) to_intern |= v[i].op == ARK_SPOOL_PUT && v[i].level == ARK_LEVEL_INTERN;
    int rc = pass(ARK_LEVEL_PUBLIC, W.index, v, n, mask, sizeof mask, err);
    if (rc || (!to_intern && !ark_db_exists(W.intern))) return rc;
    if (!ark_db_exists(W.intern)) {
        /* cut like the public index, as an indexer run cuts a new intern database */
        const char *meta[] = {ARK_META_FORMAT, ARK_INDEX_FORMAT, ARK_META_MASK, mask};
        char **pub = NULL;
        size_t npub = 0;
        if ((rc = ark_db_shards(W.index, &pub, &npub, err))) return rc;
        ark_db_shards_free(pub, npub);
        if ((rc = ark_newdb_create_shards(W.intern, (unsigned)npub, W.scratch, meta, 2, err))) return rc;
    }
    return pass(ARK_LEVEL_INTERN, W.intern, v, n, mask, sizeof mask, err);
}

static void *writer_main(void *unused) {
    ark_spool_entry *batch = malloc(ARK_WRITER_BATCH * sizeof *batch);
    uint64_t last_commit = 0, pause = 0;
    char last_msg[sizeof ((ark_err *)0)->msg] = "";
    while (batch && !atomic_load(&W.stop)) {
        size_t n = ark_spool_peek(batch, ARK_WRITER_BATCH, ARK_WRITER_BATCH_BYTES, 1000);
        if (!n || atomic_load(&W.stop)) continue;
        uint64_t now = now_ms();
        if (now < last_commit + ARK_WRITER_COMMIT_MS) { /* gather what comes meanwhile */
            nap(last_commit + ARK_WRITER_COMMIT_MS - now);
            n = ark_spool_peek(batch, ARK_WRITER_BATCH, ARK_WRITER_BATCH_BYTES, 0);
        }
        ark_err err = {0, ""};
        uint64_t t0 = now_ms();
        int rc = apply(batch, n, &err);
        if (rc == 0) {
            ark_spool_done(n);
            last_commit = now_ms();
            pause = 0;
            if (last_msg[0]) fprintf(stderr, "arkivar-server: push: writing again\n");
            last_msg[0] = '\0';
            fprintf(stderr, "arkivar-server: push: %zu written in %llu ms, %zu waiting\n", n,
                    (unsigned long long)(last_commit - t0), ark_spool_waiting());
            continue;
        }
        /* Locked (an indexer run): try again soon. Anything else (a full disk, memory):
         * the entries stay in the spool, tried again with a growing pause, and the
         * reason is said once. */
        if (rc == ARK_ELOCKED) pause = pause ? (pause * 2 < ARK_WRITER_LOCKED_MAX_MS ? pause * 2 : ARK_WRITER_LOCKED_MAX_MS) : 20;
        else pause = pause >= 1000 ? (pause * 2 < 30000 ? pause * 2 : 30000) : 1000;
        if (rc != ARK_ELOCKED && strcmp(last_msg, err.msg) != 0) {
            fprintf(stderr, "arkivar-server: push: cannot write %zu documents: %s%s%s; trying again\n",
                    n, ark_strerror(rc), err.msg[0] ? ": " : "", err.msg);
            snprintf(last_msg, sizeof last_msg, "%s", err.msg[0] ? err.msg : ark_strerror(rc));
        }
        nap(pause);
    }
    free(batch);
    return NULL;
}

int ark_writer_start(const char *index_dir, const char *words, ark_err *err) {
    W.index = index_dir;
    W.words = words;
    const char *spool = ark_spool_dir();
    if (!spool) return ark_err_set(err, ARK_EIO, "the spool is not open");
    if (snprintf(W.intern, sizeof W.intern, "%s/%s", index_dir, ark_level_dir(ARK_LEVEL_INTERN)) >=
            (int)sizeof W.intern ||
        snprintf(W.scratch, sizeof W.scratch, "%s/.newdb", spool) >= (int)sizeof W.scratch)
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", index_dir);
    atomic_store(&W.stop, 0);
    int e = pthread_create(&W.tid, NULL, writer_main, NULL);
    if (e) return ark_err_set(err, ARK_EIO, "cannot start the push writer: %s", strerror(e));
    W.started = 1;
    return 0;
}

void ark_writer_stop(void) {
    if (!W.started) return;
    atomic_store(&W.stop, 1);
    ark_spool_wake();
    pthread_join(W.tid, NULL);
    W.started = 0;
    for (int l = 0; l < ARK_NLEVELS; l++) {
        ark_an_free(W.an[l]);
        W.an[l] = NULL;
    }
}
