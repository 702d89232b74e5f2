/* server/spool.c: the write-ahead spool of pushed documents. See spool.h. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEQ_DIGITS 16
#define TMP_PREFIX "tmp-"

struct ark_spool_tmp {
    char id[ARK_MAX_ID + 1];
    char body[PATH_MAX], meta[PATH_MAX], entry[PATH_MAX]; /* temporary names */
    int fd;
    uint64_t bytes;
    int finished, has_meta, put;
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static char g_dir[PATH_MAX];
static int g_open, g_lock_fd = -1, g_dir_fd = -1, g_woken;
static uint64_t g_next_seq = 1, g_bytes;
static ark_spool_entry *g_q; /* the queue: g_q[g_head .. g_head + g_n) */
static size_t g_head, g_n, g_cap;
static atomic_uint g_tmp_counter;

/* The id's extension (".pdf") when it is a plain one, else "": what the body is named
 * with, so that the loaders and the front matter see the document's format. */
static const char *ext_of(const char *id, char out[18]) {
    const char *slash = strrchr(id, '/'), *base = slash ? slash + 1 : id;
    const char *dot = strrchr(base, '.');
    out[0] = '\0';
    if (!dot || dot == base || strlen(dot) > 17 || !dot[1]) return out;
    for (const char *c = dot + 1; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            return out;
    memcpy(out, dot, strlen(dot) + 1);
    return out;
}

static int body_path(uint64_t seq, const char *id, char *path, size_t cap) {
    char ext[18];
    int n = snprintf(path, cap, "%s/%0*" PRIu64 "%s", g_dir, SEQ_DIGITS, seq, ext_of(id, ext));
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int ark_spool_body(const ark_spool_entry *e, char *path, size_t cap) {
    return body_path(e->seq, e->id, path, cap);
}

const char *ark_spool_dir(void) { return g_open ? g_dir : NULL; }

static int sync_dir(ark_err *err) {
    if (fsync(g_dir_fd) != 0)
        return ark_err_set(err, ARK_EIO, "cannot sync %s: %s", g_dir, strerror(errno));
    return 0;
}

/* Append e to the queue (g_mu held). */
static int enqueue(const ark_spool_entry *e) {
    if (g_head + g_n == g_cap) {
        if (g_head > 0) { /* slide down before growing */
            memmove(g_q, g_q + g_head, g_n * sizeof *g_q);
            g_head = 0;
        } else {
            size_t cap = g_cap ? g_cap * 2 : 64;
            ark_spool_entry *q = realloc(g_q, cap * sizeof *q);
            if (!q) return ARK_ENOMEM;
            g_q = q;
            g_cap = cap;
        }
    }
    g_q[g_head + g_n++] = *e;
    g_bytes += e->bytes;
    if (e->seq >= g_next_seq) g_next_seq = e->seq + 1;
    return 0;
}

static int cmp_seq(const void *a, const void *b) {
    uint64_t x = ((const ark_spool_entry *)a)->seq, y = ((const ark_spool_entry *)b)->seq;
    return x < y ? -1 : x > y;
}

/* "put intern 123\nsager/a.txt\n" into e (the id on a line of its own, as it is: it may
 * hold spaces); 0, or -1 for anything else. */
static int parse_entry(const char *text, size_t len, ark_spool_entry *e) {
    char op[8], lv[16], extra;
    unsigned long long bytes;
    const char *nl = memchr(text, '\n', len);
    if (!nl || len < 2 || text[len - 1] != '\n' || nl == text + len - 1) return -1;
    char head[64];
    size_t hl = (size_t)(nl - text);
    if (hl >= sizeof head) return -1;
    memcpy(head, text, hl);
    head[hl] = '\0';
    if (sscanf(head, "%7s %15s %llu %c", op, lv, &bytes, &extra) != 3) return -1;
    const char *id = nl + 1;
    size_t idlen = (size_t)(text + len - 1 - id);
    if (idlen == 0 || idlen > ARK_MAX_ID || memchr(id, '\n', idlen) || memchr(id, '\0', idlen))
        return -1;
    memcpy(e->id, id, idlen);
    e->id[idlen] = '\0';
    e->bytes = bytes;
    e->level = ARK_LEVEL_PUBLIC;
    if (strcmp(op, "put") == 0) {
        e->op = ARK_SPOOL_PUT;
        return ark_level_parse(lv, strlen(lv), &e->level) ? -1 : 0;
    }
    e->op = ARK_SPOOL_DELETE;
    e->bytes = 0;
    return strcmp(op, "delete") == 0 ? 0 : -1;
}

/* The entries in the folder into the queue, and what no entry names removed. */
static int replay(size_t *replayed, ark_err *err) {
    DIR *d = opendir(g_dir);
    if (!d) return ark_err_set(err, ARK_EIO, "cannot read %s: %s", g_dir, strerror(errno));
    struct dirent *de;
    int rc = 0;
    char path[PATH_MAX + 256];
    while (!rc && (de = readdir(d))) {
        const char *n = de->d_name;
        size_t nl = strlen(n);
        if (nl != SEQ_DIGITS + 6 || strcmp(n + SEQ_DIGITS, ".entry") != 0) continue;
        ark_spool_entry e = {0};
        char *end;
        e.seq = strtoull(n, &end, 10);
        char text[ARK_MAX_ID + 64];
        snprintf(path, sizeof path, "%s/%s", g_dir, n);
        FILE *f = fopen(path, "rb");
        size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
        if (f) fclose(f);
        text[len] = '\0';
        struct stat st;
        char body[PATH_MAX];
        if (end != n + SEQ_DIGITS || parse_entry(text, len, &e) != 0 ||
            (e.op == ARK_SPOOL_PUT &&
             (body_path(e.seq, e.id, body, sizeof body) || stat(body, &st) != 0))) {
            /* Never answered 202: the fsync of the folder comes after every rename. */
            fprintf(stderr, "arkivar-server: push: %s: not a whole spool entry; dropped\n", path);
            unlink(path);
            continue;
        }
        if (enqueue(&e)) rc = ark_err_set(err, ARK_ENOMEM, "reading the spool");
    }
    if (!rc && g_n) qsort(g_q, g_n, sizeof *g_q, cmp_seq);
    /* Then everything that is not an entry's: temporary files, bodies of dropped ones. */
    rewinddir(d);
    while (!rc && (de = readdir(d))) {
        const char *n = de->d_name;
        if (n[0] == '.' || strcmp(n, "lock") == 0) continue;
        char *end;
        uint64_t seq = strtoull(n, &end, 10);
        int keep = 0;
        if (end == n + SEQ_DIGITS)
            for (size_t i = 0; i < g_n && !keep; i++) keep = g_q[i].seq == seq;
        if (!keep && snprintf(path, sizeof path, "%s/%s", g_dir, n) < (int)sizeof path) unlink(path);
    }
    closedir(d);
    *replayed = g_n;
    return rc;
}

int ark_spool_open(const char *index_dir, size_t *replayed, ark_err *err) {
    *replayed = 0;
    if (snprintf(g_dir, sizeof g_dir, "%s/%s", index_dir, ARK_SPOOL_DIR) >= (int)sizeof g_dir - 64)
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", index_dir);
    if (mkdir(g_dir, 0700) != 0 && errno != EEXIST)
        return ark_err_set(err, ARK_EIO, "cannot create %s: %s", g_dir, strerror(errno));
    char lock[PATH_MAX + 8];
    snprintf(lock, sizeof lock, "%s/lock", g_dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return ark_err_set(err, ARK_EIO, "cannot create %s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return ark_err_set(err, ARK_ELOCKED, "%s is used by another arkivar-server", g_dir);
    }
    int dfd = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        close(fd);
        return ark_err_set(err, ARK_EIO, "cannot open %s: %s", g_dir, strerror(errno));
    }
    pthread_mutex_lock(&g_mu);
    g_lock_fd = fd;
    g_dir_fd = dfd;
    int rc = replay(replayed, err);
    g_open = rc == 0;
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void ark_spool_close(void) {
    pthread_mutex_lock(&g_mu);
    free(g_q);
    g_q = NULL;
    g_head = g_n = g_cap = 0;
    g_bytes = 0;
    g_open = 0;
    if (g_dir_fd >= 0) close(g_dir_fd);
    if (g_lock_fd >= 0) close(g_lock_fd);
    g_dir_fd = g_lock_fd = -1;
    pthread_mutex_unlock(&g_mu);
}

int ark_spool_full(void) {
    pthread_mutex_lock(&g_mu);
    int full = g_n >= ARK_SPOOL_MAX_ENTRIES || g_bytes >= ARK_SPOOL_MAX_BYTES;
    pthread_mutex_unlock(&g_mu);
    return full;
}

/* A temporary name in the spool folder: tmp-PID-N + suffix. */
static int tmp_name(char *out, size_t cap, unsigned n, const char *suffix) {
    int k = snprintf(out, cap, "%s/" TMP_PREFIX "%ld-%u%s", g_dir, (long)getpid(), n, suffix);
    return k < 0 || (size_t)k >= cap ? -1 : 0;
}

int ark_spool_tmp_new(const char *id, ark_spool_tmp **out, ark_err *err) {
    *out = NULL;
    if (!g_open) return ark_err_set(err, ARK_EIO, "the spool folder could not be opened at start");
    if (ark_spool_full())
        return ark_err_set(err, ARK_ETOOBIG, "%d documents or %llu MB wait for the index already",
                           ARK_SPOOL_MAX_ENTRIES, ARK_SPOOL_MAX_BYTES >> 20);
    ark_spool_tmp *t = calloc(1, sizeof *t);
    if (!t) return ark_err_set(err, ARK_ENOMEM, "out of memory");
    unsigned n = atomic_fetch_add(&g_tmp_counter, 1);
    char ext[18], meta[40];
    ext_of(id, ext);
    snprintf(meta, sizeof meta, "%s.meta.json", ext);
    snprintf(t->id, sizeof t->id, "%s", id);
    if (tmp_name(t->body, sizeof t->body, n, ext) || tmp_name(t->meta, sizeof t->meta, n, meta) ||
        tmp_name(t->entry, sizeof t->entry, n, ".entry")) {
        free(t);
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", g_dir);
    }
    t->fd = open(t->body, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (t->fd < 0) {
        int e = errno;
        free(t);
        return ark_err_set(err, ARK_EIO, "cannot create a file in %s: %s", g_dir, strerror(e));
    }
    *out = t;
    return 0;
}

int ark_spool_tmp_write(ark_spool_tmp *t, const char *data, size_t n, ark_err *err) {
    while (n) {
        ssize_t w = write(t->fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return ark_err_set(err, ARK_EIO, "cannot write the document: %s", strerror(errno));
        data += w;
        n -= (size_t)w;
        t->bytes += (uint64_t)w;
    }
    return 0;
}

/* text[0, n) into a new file at path, fsync'ed. */
static int write_file(const char *path, const char *text, size_t n, ark_err *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return ark_err_set(err, ARK_EIO, "cannot create %s: %s", path, strerror(errno));
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        done += (size_t)w;
    }
    int e = done == n && fsync(fd) == 0 ? 0 : errno ? errno : EIO;
    if (close(fd) != 0 && !e) e = errno;
    return e ? ark_err_set(err, ARK_EIO, "cannot write %s: %s", path, strerror(e)) : 0;
}

int ark_spool_tmp_finish(ark_spool_tmp *t, const char *json, size_t len, ark_err *err) {
    if (t->finished) return 0;
    int e = fsync(t->fd) == 0 ? 0 : errno;
    if (close(t->fd) != 0 && !e) e = errno;
    t->fd = -1;
    if (e) return ark_err_set(err, ARK_EIO, "cannot write the document: %s", strerror(e));
    t->finished = 1;
    if (len) {
        int rc = write_file(t->meta, json, len, err);
        if (rc) return rc;
        t->has_meta = 1;
    }
    return 0;
}

const char *ark_spool_tmp_path(const ark_spool_tmp *t) { return t->body; }

/* Write the entry text to tmp, then, holding the queue: the next number, every rename
 * (body, sidecar, the entry last), the folder's fsync, the queue. */
static int accept_entry(ark_spool_tmp *t, const char *tmp_entry, ark_spool_entry *e, ark_err *err) {
    char text[ARK_MAX_ID + 64];
    int tn = snprintf(text, sizeof text, "%s %s %" PRIu64 "\n%s\n",
                      e->op == ARK_SPOOL_PUT ? "put" : "delete",
                      e->op == ARK_SPOOL_PUT ? ark_level_name(e->level) : "-", e->bytes, e->id);
    int rc = write_file(tmp_entry, text, (size_t)tn, err);
    if (rc) return rc;
    char body[PATH_MAX], meta[PATH_MAX + 16], entry[PATH_MAX];
    pthread_mutex_lock(&g_mu);
    e->seq = g_next_seq;
    if (body_path(e->seq, e->id, body, sizeof body) ||
        snprintf(entry, sizeof entry, "%s/%0*" PRIu64 ".entry", g_dir, SEQ_DIGITS, e->seq) >= (int)sizeof entry)
        rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", g_dir);
    snprintf(meta, sizeof meta, "%s.meta.json", body);
    if (!rc && t && rename(t->body, body) != 0) rc = ark_err_set(err, ARK_EIO, "rename: %s", strerror(errno));
    if (!rc && t && t->has_meta && rename(t->meta, meta) != 0)
        rc = ark_err_set(err, ARK_EIO, "rename: %s", strerror(errno));
    if (!rc && rename(tmp_entry, entry) != 0) rc = ark_err_set(err, ARK_EIO, "rename: %s", strerror(errno));
    if (!rc) rc = sync_dir(err);
    if (!rc) rc = enqueue(e) ? ark_err_set(err, ARK_ENOMEM, "out of memory") : 0;
    if (rc) { /* not accepted: nothing of it may be replayed */
        unlink(entry);
        unlink(meta);
        unlink(body);
    } else {
        g_next_seq = e->seq + 1;
        pthread_cond_signal(&g_cv);
    }
    pthread_mutex_unlock(&g_mu);
    unlink(tmp_entry);
    return rc;
}

int ark_spool_put(ark_spool_tmp *t, ark_level lv, uint64_t *seq, ark_err *err) {
    ark_spool_entry e = {.op = ARK_SPOOL_PUT, .level = lv, .bytes = t->bytes};
    snprintf(e.id, sizeof e.id, "%s", t->id);
    int rc = t->finished ? accept_entry(t, t->entry, &e, err)
                         : ark_err_set(err, ARK_EINVAL, "ark_spool_put: body not finished");
    if (rc == 0) {
        t->put = 1;
        *seq = e.seq;
    }
    return rc;
}

int ark_spool_delete(const char *id, uint64_t *seq, ark_err *err) {
    if (!g_open) return ark_err_set(err, ARK_EIO, "the spool folder could not be opened at start");
    if (ark_spool_full())
        return ark_err_set(err, ARK_ETOOBIG, "%d documents wait for the index already",
                           ARK_SPOOL_MAX_ENTRIES);
    char tmp[PATH_MAX];
    if (tmp_name(tmp, sizeof tmp, atomic_fetch_add(&g_tmp_counter, 1), ".entry"))
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", g_dir);
    ark_spool_entry e = {.op = ARK_SPOOL_DELETE};
    snprintf(e.id, sizeof e.id, "%s", id);
    int rc = accept_entry(NULL, tmp, &e, err);
    if (rc == 0) *seq = e.seq;
    return rc;
}

void ark_spool_tmp_free(ark_spool_tmp *t) {
    if (!t) return;
    if (t->fd >= 0) close(t->fd);
    if (!t->put) {
        unlink(t->body);
        unlink(t->meta);
        unlink(t->entry);
    }
    free(t);
}

int ark_spool_latest(const char *id, ark_spool_entry *out) {
    int found = 0;
    pthread_mutex_lock(&g_mu);
    for (size_t i = g_n; i-- > 0 && !found;)
        if (strcmp(g_q[g_head + i].id, id) == 0) {
            *out = g_q[g_head + i];
            found = 1;
        }
    pthread_mutex_unlock(&g_mu);
    return found;
}

size_t ark_spool_waiting(void) {
    pthread_mutex_lock(&g_mu);
    size_t n = g_n;
    pthread_mutex_unlock(&g_mu);
    return n;
}

size_t ark_spool_peek(ark_spool_entry *v, size_t max, uint64_t max_bytes, int wait_ms) {
    pthread_mutex_lock(&g_mu);
    if (g_n == 0 && wait_ms > 0 && !g_woken) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait_ms / 1000;
        ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&g_cv, &g_mu, &ts);
    }
    g_woken = 0;
    size_t n = 0;
    uint64_t bytes = 0;
    for (; n < g_n && n < max; n++) {
        const ark_spool_entry *e = &g_q[g_head + n];
        if (n > 0 && bytes + e->bytes > max_bytes) break; /* a big one goes alone */
        bytes += e->bytes;
        v[n] = *e;
    }
    pthread_mutex_unlock(&g_mu);
    return n;
}

void ark_spool_done(size_t n) {
    char path[PATH_MAX];
    pthread_mutex_lock(&g_mu);
    if (n > g_n) n = g_n;
    ark_spool_entry *v = n ? malloc(n * sizeof *v) : NULL;
    if (v) memcpy(v, g_q + g_head, n * sizeof *v);
    pthread_mutex_unlock(&g_mu);
    /* The entry file first: a body without its entry is removed at the next start, an
     * entry without its body would be dropped there too; either way nothing is replayed
     * twice, and a replay would do no harm. */
    for (size_t i = 0; v && i < n; i++) {
        if (snprintf(path, sizeof path, "%s/%0*" PRIu64 ".entry", g_dir, SEQ_DIGITS, v[i].seq) <
            (int)sizeof path)
            unlink(path);
        if (v[i].op == ARK_SPOOL_PUT && body_path(v[i].seq, v[i].id, path, sizeof path) == 0) {
            unlink(path);
            if (strlen(path) + 11 < sizeof path) strcat(path, ".meta.json");
            unlink(path);
        }
    }
    free(v);
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < n; i++) g_bytes -= g_q[g_head + i].bytes;
    g_head += n;
    g_n -= n;
    if (g_n == 0) g_head = 0;
    pthread_mutex_unlock(&g_mu);
}

void ark_spool_wake(void) {
    pthread_mutex_lock(&g_mu);
    g_woken = 1;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}
