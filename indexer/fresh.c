/* indexer/fresh.c: a new index, written on every core. See fresh.h. */
#include "fresh.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arkivar/index.h"
#include "arkivar/ingest.h"
#include "arkivar/schema.h"
#include "pipeline.h"

#define MAX_PARTS 16
#define SCRATCH_PREFIX ARK_NEWDB_SCRATCH

typedef struct part {
    ark_fresh *f;
    const ark_fresh_file *files;
    size_t lo, hi;      /* its share of the files */
    char dir[PATH_MAX]; /* its scratch database */
    ark_an *an;
    ark_build b;        /* its writer, totals and spelling counts */
    char **msg;         /* by file - lo: why the file was skipped, or NULL */
    ark_err err;        /* what stopped it */
    int rc;
} part;

/* Shared by the parts: progress and the stop of the whole run. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned running;
    atomic_uint_fast64_t files, bytes, passages;
    atomic_int stop;
} run = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0};

int ark_fresh_lock(const char *dir, ark_err *err) {
    char path[PATH_MAX];
    int fd = ark_newdb_lock(dir, err);
    if (fd < 0) return -1;
    /* A run killed before its merge left its scratch parts: nobody else can be using
     * them now that we hold the lock. */
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)) != 0) continue;
            if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
                ark_newdb_remove(path);
        }
        closedir(d);
    }
    ark_newdb_clear_shards(dir); /* and a sharded run killed before its stub (fresh.h) */
    return fd;
}

static void remove_scratch(void *dir) { ark_newdb_remove(dir); }

static void part_done(void) {
    pthread_mutex_lock(&run.mu);
    run.running--;
    pthread_cond_broadcast(&run.cv);
    pthread_mutex_unlock(&run.mu);
}

/* One thread: its share of the files, prepared and written in order. */
static void *write_part(void *arg) {
    part *p = arg;
    const ark_fresh *f = p->f;
    /* No transaction: a part is scratch, so Xapian commits it every ARK_WDB_FLUSH
     * passages, which frees what a transaction would hold to its end (at 100 MB 182
     * against 55 MB) and keeps its maps of pending postings small. The merge is the
     * run's one atomic step. */
    int rc = ark_wdb_open_scratch(p->dir, &p->b.w, &p->err);
    for (size_t i = p->lo; !rc && i < p->hi && !atomic_load(&run.stop); i++) {
        const ark_fresh_file *file = &p->files[i];
        ark_built x = {0};
        ark_build_prepare(p->an, file->id, file->root, file->path, f->mask, "", 0, &x);
        if (x.rc == ARK_BUILD_INDEXED) {
            if (!(rc = ark_build_write(&p->b, file->id, 0, &x, &p->err))) p->b.files_indexed++;
            atomic_fetch_add(&run.bytes, x.bytes);
            atomic_fetch_add(&run.passages, x.ndocs);
        } else if (ark_build_fatal(x.rc)) {
            p->err = x.err;
            rc = x.rc;
        } else {
            p->b.files_failed++;
            char *m = malloc(sizeof x.err.msg + 64);
            if (m)
                snprintf(m, sizeof x.err.msg + 64, "%s%s%s", ark_strerror(x.rc),
                         x.err.msg[0] ? ": " : "", x.err.msg);
            p->msg[i - p->lo] = m; /* NULL: out of memory, the count still says it */
        }
        ark_built_free(&x);
        atomic_fetch_add(&run.files, 1);
    }
    if (!rc) rc = ark_build_flush(&p->b, &p->err);
    if (rc) atomic_store(&run.stop, 1);
    p->rc = rc;
    part_done();
    return NULL;
}

/* Cut files into nparts contiguous shares of about equal bytes, none empty (n >= nparts). */
static void split(part *parts, size_t nparts, const ark_fresh_file *files, size_t n) {
    uint64_t *size = calloc(n ? n : 1, sizeof *size), total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        uint64_t one = stat(files[i].path, &st) == 0 ? (uint64_t)st.st_size + 1 : 1;
        if (size) size[i] = one;
        total += one;
    }
    size_t i = 0;
    uint64_t sum = 0;
    for (size_t k = 0; k < nparts; k++) {
        parts[k].lo = i;
        if (k + 1 == nparts) {
            i = n;
        } else {
            uint64_t goal = total / nparts * (k + 1);
            size_t last = n - (nparts - 1 - k); /* a file left for each later part */
            do sum += size ? size[i++] : (i++, total / n);
            while (i < last && sum + (size ? size[i] : total / n) / 2 <= goal);
        }
        parts[k].hi = i;
    }
    free(size);
}

static void remove_tables(const char *dir) {
    static const char *const names[] = {"iamglass", "postlist.glass", "docdata.glass",
                                        "termlist.glass", "position.glass", "spelling.glass",
                                        "synonym.glass"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path) unlink(path);
}

int ark_fresh_build(ark_fresh *f, const ark_fresh_file *files, size_t n, int lock_fd,
                    ark_err *err) {
    size_t nparts = f->threads < 1 ? 1 : f->threads > MAX_PARTS ? MAX_PARTS : f->threads;
    if (nparts > n) nparts = n ? n : 1;
    part parts[MAX_PARTS];
    pthread_t tids[MAX_PARTS];
    size_t started = 0;
    char scratch[PATH_MAX];
    int rc = 0;
    memset(parts, 0, sizeof parts);
    atomic_store(&run.stop, 0);
    atomic_store(&run.files, 0);
    atomic_store(&run.bytes, 0);
    atomic_store(&run.passages, 0);

    if (snprintf(scratch, sizeof scratch, "%s/" SCRATCH_PREFIX "%ld", f->dir, (long)getpid()) >=
            (int)sizeof scratch - 8 ||
        mkdir(scratch, 0700) != 0) {
        close(lock_fd);
        return ark_err_set(err, ARK_EIO, "cannot create %s: %s", scratch, strerror(errno));
    }
    split(parts, nparts, files, n);
    for (size_t k = 0; k < nparts && !rc; k++) {
        part *p = &parts[k];
        p->f = f;
        p->files = files;
        if (snprintf(p->dir, sizeof p->dir, "%s/%zu", scratch, k) >= (int)sizeof p->dir)
            rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", scratch);
        else if (!(p->msg = calloc(p->hi - p->lo + 1, sizeof *p->msg)))
            rc = ark_err_set(err, ARK_ENOMEM, "planning the parts");
        else if (k == 0) p->an = f->an;
        else rc = ark_an_clone(f->an, &p->an, err);
    }
    run.running = 0;
    ark_wdb_on_abort(remove_scratch, scratch); /* Xapian may end the process in a commit */
    for (size_t k = 0; k < nparts && !rc; k++) {
        pthread_mutex_lock(&run.mu);
        run.running++;
        pthread_mutex_unlock(&run.mu);
        if (pthread_create(&tids[k], NULL, write_part, &parts[k]) != 0) {
            part_done();
            atomic_store(&run.stop, 1);
            rc = ark_err_set(err, ARK_ENOMEM, "cannot start a thread");
            break;
        }
        started++;
    }
    pthread_mutex_lock(&run.mu);
    while (run.running > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000L; /* progress lines may be due this often (--progress) */
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&run.cv, &run.mu, &ts);
        /* the whole run's: earlier calls (shards) count in f's totals */
        ark_progress_show(f->prog, f->files_done + atomic_load(&run.files),
                          f->bytes + atomic_load(&run.bytes), f->passages + atomic_load(&run.passages), 0);
    }
    pthread_mutex_unlock(&run.mu);
    for (size_t k = 0; k < started; k++) pthread_join(tids[k], NULL);

    /* what the parts did, in walk order */
    uint64_t indexed = 0;
    f->files_done += n;
    for (size_t k = 0; k < nparts; k++) {
        part *p = &parts[k];
        if (!rc && p->rc) {
            rc = p->rc;
            *err = p->err;
        }
        indexed += p->b.files_indexed;
        f->files_indexed += p->b.files_indexed;
        f->files_failed += p->b.files_failed;
        f->passages += p->b.passages;
        f->bytes += p->b.bytes;
        for (size_t i = p->lo; p->msg && i < p->hi; i++) {
            if (!p->msg[i - p->lo]) continue;
            ark_progress_clear(f->prog);
            fprintf(stderr, "arkivar-indexer: %s: %s\n", files[i].shown, p->msg[i - p->lo]);
        }
    }
    /* the index's own metadata, with the parts' documents, in the first part */
    for (size_t i = 0; !rc && i < f->nmeta; i++)
        rc = ark_wdb_set_meta(parts[0].b.w, f->meta[2 * i], f->meta[2 * i + 1],
                              strlen(f->meta[2 * i + 1]), err);
    if (!rc) {
        char nd[32];
        int len = snprintf(nd, sizeof nd, "%llu", (unsigned long long)indexed);
        rc = ark_wdb_set_meta(parts[0].b.w, ARK_META_NDOCS, nd, (size_t)len, err);
    }
    for (size_t k = 0; k < nparts; k++) {
        if (!rc) rc = ark_wdb_commit(parts[k].b.w, err);
        ark_wdb_close(parts[k].b.w);
        parts[k].b.w = NULL;
    }
    /* The compactor takes DIR's lock itself; no writer can have created a database
     * there while we held it. */
    close(lock_fd);
    if (!rc) {
        const char *dirs[MAX_PARTS];
        for (size_t k = 0; k < nparts; k++) dirs[k] = parts[k].dir;
        if ((rc = ark_db_merge(dirs, nparts, f->dir, err))) remove_tables(f->dir);
    }
    ark_wdb_on_abort(NULL, NULL);
    ark_newdb_remove(scratch);
    for (size_t k = 0; k < nparts; k++) {
        part *p = &parts[k];
        for (size_t i = p->lo; p->msg && i < p->hi; i++) free(p->msg[i - p->lo]);
        free(p->msg);
        if (k > 0) ark_an_free(p->an);
        ark_build_free(&p->b);
    }
    return rc;
}
