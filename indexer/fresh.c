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

#define MAX_THREADS 16
/* A part's B-tree grows with it, and each of its commits (one every ARK_WDB_FLUSH
 * passages) writes the blocks its batch touched: at 1 GB, two parts of 500 MB each wrote
 * 163 GB and spent 640 s in the kernel. So a part holds about PART_KB of source, the
 * threads take the parts in turn, and the merge reads them all in one pass. At most
 * MAX_PARTS (each open database holds seven files while they are merged); past
 * MAX_PARTS parts of PART_KB the parts grow instead. ARK_PART_KB in the environment sets
 * another size (the tests make parts of a few KB), and the run then says how many. */
#define PART_KB 32768
#define MAX_PARTS 64
#define SCRATCH_PREFIX ARK_NEWDB_SCRATCH

typedef struct part {
    size_t lo, hi;      /* its share of the files */
    char dir[PATH_MAX]; /* its scratch database */
    ark_build b;        /* its writer, totals and spelling counts */
    char **msg;         /* by file - lo: why the file was skipped, or NULL */
    ark_err err;        /* what stopped it */
    int rc;
} part;

/* One thread: its own analyzer, and the parts it takes in turn. */
typedef struct worker {
    ark_fresh *f;
    const ark_fresh_file *files;
    part *parts;
    size_t nparts;
    ark_an *an;
} worker;

/* Shared by the workers: the next part to take, progress and the stop of the whole run. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned running;
    atomic_size_t next;
    atomic_uint_fast64_t files, bytes, passages;
    atomic_int stop;
} run = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0, 0};

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

static void worker_done(void) {
    pthread_mutex_lock(&run.mu);
    run.running--;
    pthread_cond_broadcast(&run.cv);
    pthread_mutex_unlock(&run.mu);
}

/* One part: its share of the files, prepared and written in order. No transaction: a part
 * is scratch, so Xapian commits it every ARK_WDB_FLUSH passages, which frees what a
 * transaction would hold to its end (at 100 MB 182 against 55 MB) and keeps its maps of
 * pending postings small. The merge is the run's one atomic step. Every part but the
 * first is committed and closed here; the first takes the index's metadata at the end. */
static int write_part(worker *wk, part *p, int keep_open) {
    const ark_fresh *f = wk->f;
    int rc = ark_wdb_open_scratch(p->dir, &p->b.w, &p->err);
    for (size_t i = p->lo; !rc && i < p->hi && !atomic_load(&run.stop); i++) {
        const ark_fresh_file *file = &wk->files[i];
        ark_built x = {0};
        ark_build_prepare(wk->an, file->id, file->root, file->path, f->mask, "", 0, &x);
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
    if (!rc && !keep_open) rc = ark_wdb_commit(p->b.w, &p->err);
    if (!keep_open) {
        ark_wdb_close(p->b.w);
        p->b.w = NULL;
    }
    return rc;
}

static void *work(void *arg) {
    worker *wk = arg;
    for (size_t k; !atomic_load(&run.stop) && (k = atomic_fetch_add(&run.next, 1)) < wk->nparts;) {
        part *p = &wk->parts[k];
        if ((p->rc = write_part(wk, p, k == 0))) atomic_store(&run.stop, 1);
    }
    worker_done();
    return NULL;
}

/* The source bytes of one part: PART_KB, or ARK_PART_KB (*told set: it was). */
static uint64_t part_bytes(int *told) {
    const char *v = getenv("ARK_PART_KB");
    char *end;
    *told = 0;
    if (!v || !*v) return (uint64_t)PART_KB << 10;
    unsigned long long kb = strtoull(v, &end, 10);
    if (*end || kb < 1 || kb > (1ULL << 30)) {
        fprintf(stderr, "arkivar-indexer: ARK_PART_KB=%s is no size from 1 to 2^30 KB; "
                        "parts of %d KB\n", v, PART_KB);
        return (uint64_t)PART_KB << 10;
    }
    *told = 1;
    return (uint64_t)kb << 10;
}

/* Cut files into contiguous shares of about equal bytes, none empty: at least min_parts
 * (<= n), one per part_bytes(), at most MAX_PARTS and n. Returns how many. */
static size_t split(part *parts, size_t min_parts, const ark_fresh_file *files, size_t n) {
    uint64_t *size = calloc(n ? n : 1, sizeof *size), total = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        uint64_t one = stat(files[i].path, &st) == 0 ? (uint64_t)st.st_size + 1 : 1;
        if (size) size[i] = one;
        total += one;
    }
    int told;
    uint64_t each = part_bytes(&told), want = (total + each - 1) / each;
    size_t nparts = want > MAX_PARTS ? MAX_PARTS : (size_t)want;
    if (nparts < min_parts) nparts = min_parts;
    if (nparts > n) nparts = n;
    if (nparts < 1) nparts = 1; /* no files: one empty part, for the metadata */
    if (told)
        fprintf(stderr, "arkivar-indexer: ARK_PART_KB=%llu: a new index written in %zu parts\n",
                (unsigned long long)(each >> 10), nparts);
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
    return nparts;
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
    size_t nthreads = f->threads < 1 ? 1 : f->threads > MAX_THREADS ? MAX_THREADS : f->threads;
    worker workers[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    size_t started = 0, nparts = 0;
    char scratch[PATH_MAX];
    int rc = 0;
    memset(workers, 0, sizeof workers);
    atomic_store(&run.stop, 0);
    atomic_store(&run.next, 0);
    atomic_store(&run.files, 0);
    atomic_store(&run.bytes, 0);
    atomic_store(&run.passages, 0);

    part *parts = calloc(MAX_PARTS, sizeof *parts);
    if (!parts) {
        close(lock_fd);
        return ark_err_set(err, ARK_ENOMEM, "planning the parts");
    }
    if (snprintf(scratch, sizeof scratch, "%s/" SCRATCH_PREFIX "%ld", f->dir, (long)getpid()) >=
            (int)sizeof scratch - 8 ||
        mkdir(scratch, 0700) != 0) {
        close(lock_fd);
        free(parts);
        return ark_err_set(err, ARK_EIO, "cannot create %s: %s", scratch, strerror(errno));
    }
    nparts = split(parts, nthreads < n ? nthreads : n, files, n);
    if (nthreads > nparts) nthreads = nparts;
    for (size_t k = 0; k < nparts && !rc; k++) {
        part *p = &parts[k];
        if (snprintf(p->dir, sizeof p->dir, "%s/%zu", scratch, k) >= (int)sizeof p->dir)
            rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", scratch);
        else if (!(p->msg = calloc(p->hi - p->lo + 1, sizeof *p->msg)))
            rc = ark_err_set(err, ARK_ENOMEM, "planning the parts");
    }
    for (size_t t = 0; t < nthreads && !rc; t++) {
        worker *wk = &workers[t];
        *wk = (worker){.f = f, .files = files, .parts = parts, .nparts = nparts};
        if (t == 0) wk->an = f->an;
        else rc = ark_an_clone(f->an, &wk->an, err);
    }
    run.running = 0;
    ark_wdb_on_abort(remove_scratch, scratch); /* Xapian may end the process in a commit */
    for (size_t t = 0; t < nthreads && !rc; t++) {
        pthread_mutex_lock(&run.mu);
        run.running++;
        pthread_mutex_unlock(&run.mu);
        if (pthread_create(&tids[t], NULL, work, &workers[t]) != 0) {
            worker_done();
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
    for (size_t t = 0; t < started; t++) pthread_join(tids[t], NULL);

    /* what the parts did, in walk order; a part no thread reached (the run stopped) has
     * no database and no counts */
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
    if (!rc && atomic_load(&run.next) < nparts)
        rc = ark_err_set(err, ARK_EINTERNAL, "a part of the index was not written");
    /* the index's own metadata, with the parts' documents, in the first part */
    for (size_t i = 0; !rc && i < f->nmeta; i++)
        rc = ark_wdb_set_meta(parts[0].b.w, f->meta[2 * i], f->meta[2 * i + 1],
                              strlen(f->meta[2 * i + 1]), err);
    if (!rc) {
        char nd[32];
        int len = snprintf(nd, sizeof nd, "%llu", (unsigned long long)indexed);
        rc = ark_wdb_set_meta(parts[0].b.w, ARK_META_NDOCS, nd, (size_t)len, err);
    }
    if (!rc) rc = ark_wdb_commit(parts[0].b.w, err);
    ark_wdb_close(parts[0].b.w);
    parts[0].b.w = NULL;
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
        ark_wdb_close(p->b.w); /* a part whose run stopped before its close */
        ark_build_free(&p->b);
    }
    for (size_t t = 1; t < nthreads; t++) ark_an_free(workers[t].an);
    free(parts);
    return rc;
}
