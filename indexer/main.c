/* indexer/main.c: arkivar-indexer, the command that builds or updates an index.
 * Owns: flags, the one transaction around a whole run, removal of documents whose
 * files are gone, progress on a terminal, the summary line and the exit code.
 * Why one transaction: readers (the server) must see the old index or the new one,
 * never half; a run killed at any point leaves the last good index. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arkivar/analysis.h"
#include "arkivar/index.h"
#include "arkivar/record.h"
#include "build.h"
#include "walk.h"

enum { EXIT_FILES_FAILED = 1, EXIT_USAGE = 2, EXIT_FATAL = 3 };

static void usage(FILE *f) {
    fputs("usage: arkivar-indexer --index DIR [--words FILE] [--quiet] PATH...\n"
          "\n"
          "Build the Arkivar index at DIR from the .txt and .md files under each PATH\n"
          "(files or folders, recursively), or bring it up to date: unchanged files are\n"
          "skipped, changed files replaced, documents whose files are gone removed.\n"
          "One run is one transaction: readers see the old index or the new one.\n"
          "\n"
          "  --index DIR    the index folder (created if missing)\n"
          "  --words FILE   word list for compound splitting (default /usr/share/dict/danish)\n"
          "  --quiet        no progress and no summary line\n"
          "  --help         this text\n"
          "\n"
          "Exit status: 0 all files indexed; 1 some files could not be read (the rest\n"
          "was indexed, reasons on stderr); 2 bad usage; 3 the index could not be\n"
          "written (nothing changed).\n",
          f);
}

/* mkdir -p: `make run` indexes into var/index on a fresh checkout. */
static int mkdir_p(const char *path) {
    char buf[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Document ids stored in the index, to find the ones whose files are gone. */
typedef struct id_list {
    char **v;
    size_t n, cap;
    int rc;
} id_list;

static int collect_id(const char *key, size_t len, void *user) {
    id_list *l = user;
    if (len < 2) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return l->rc = ARK_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strndup(key + 1, len - 1))) return l->rc = ARK_ENOMEM;
    l->n++;
    return 0;
}

static int count_id(const char *key, size_t len, void *user) {
    (void)key;
    ((id_list *)user)->n += len > 1;
    return 0;
}

static int walk_has(const ark_walk *w, const char *id) {
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(w->v[mid].id, id);
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

static void progress(const ark_build *b, size_t done, size_t total, double t0) {
    double dt = now_s() - t0;
    fprintf(stderr, "\r%zu/%zu files, %llu passages, %.1f MB, %.1f MB/s   ", done, total,
            (unsigned long long)b->passages, (double)b->bytes / 1e6,
            dt > 0 ? (double)b->bytes / 1e6 / dt : 0.0);
}

int main(int argc, char **argv) {
    const char *index = NULL, *words = NULL;
    int quiet = 0;
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"words", required_argument, 0, 'w'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "i:w:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': index = optarg; break;
        case 'w': words = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default:
            fputs("Try 'arkivar-indexer --help'.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (!index || !*index || optind >= argc) {
        fprintf(stderr, "arkivar-indexer: %s\nTry 'arkivar-indexer --help'.\n",
                !index || !*index ? "--index DIR is required" : "no PATH to index");
        return EXIT_USAGE;
    }
    /* A closed pipe on stderr must not kill a run between two index writes. */
    signal(SIGPIPE, SIG_IGN);

    int status = 0;
    ark_err err = {0};
    ark_walk walk = {0};
    ark_an *an = NULL;
    ark_wdb *w = NULL;
    ark_build b = {0};
    id_list stored = {0};
    double t0 = now_s();
    int tty = !quiet && isatty(2);

    for (int i = optind; i < argc; i++) {
        if (ark_walk_add(&walk, argv[i], &err)) goto fatal;
    }
    ark_walk_finish(&walk);
    if (walk.n == 0 && walk.nerrors > 0) {
        /* Every PATH was unusable: removing all documents would lose the index. */
        fprintf(stderr, "arkivar-indexer: nothing to index; index left unchanged\n");
        ark_walk_free(&walk);
        return EXIT_FILES_FAILED;
    }
    if (ark_an_new(words, &an, &err)) goto fatal;
    if (mkdir_p(index) != 0) {
        ark_err_set(&err, ARK_EIO, "cannot create %s: %s", index, strerror(errno));
        goto fatal;
    }
    if (ark_wdb_open(index, &w, &err)) goto fatal;
    if (ark_wdb_meta_keys(w, "D", collect_id, &stored, &err) || stored.rc) {
        if (stored.rc) ark_err_set(&err, stored.rc, "listing documents");
        goto fatal;
    }
    if (ark_wdb_begin(w, &err)) goto fatal;
    b.an = an;
    b.w = w;
    {
        /* An index written by another layout version is rebuilt, not patched. */
        char *fmt = NULL;
        size_t flen = 0;
        if (ark_wdb_get_meta(w, "format", &fmt, &flen, &err)) goto fatal;
        b.force = stored.n > 0 && (!fmt || flen != strlen(ARK_INDEX_FORMAT) ||
                                   memcmp(fmt, ARK_INDEX_FORMAT, flen) != 0);
        free(fmt);
        if (b.force && !quiet)
            fprintf(stderr, "arkivar-indexer: %s has another index format: re-indexing every file\n",
                    index);
        if (ark_wdb_set_meta(w, "format", ARK_INDEX_FORMAT, strlen(ARK_INDEX_FORMAT), &err))
            goto fatal;
    }

    double last = t0;
    for (size_t i = 0; i < walk.n; i++) {
        ark_err ferr = {0};
        int rc = ark_build_file(&b, walk.v[i].id, walk.v[i].path, &ferr);
        if (rc == ARK_BUILD_INDEXED) {
            b.files_indexed++;
        } else if (rc == ARK_BUILD_UNCHANGED) {
            b.files_unchanged++;
        } else if (rc == ARK_EINDEX || rc == ARK_ENOMEM || rc == ARK_EINTERNAL) {
            err = ferr;
            goto fatal;
        } else {
            b.files_failed++;
            fprintf(stderr, "%sarkivar-indexer: %s: %s%s%s\n", tty ? "\r" : "", walk.v[i].path,
                    ark_strerror(rc), ferr.msg[0] ? ": " : "", ferr.msg);
        }
        if (tty && now_s() - last > 0.5) {
            progress(&b, i + 1, walk.n, t0);
            last = now_s();
        }
    }
    for (size_t i = 0; i < stored.n; i++) {
        if (walk_has(&walk, stored.v[i])) continue;
        if (ark_build_remove(&b, stored.v[i], &err)) goto fatal;
        b.files_removed++;
    }
    /* The document count, for /health without walking every record. */
    id_list now = {0};
    int crc = ark_wdb_meta_keys(w, "D", count_id, &now, &err);
    if (crc == 0) {
        char nd[32];
        int len = snprintf(nd, sizeof nd, "%zu", now.n);
        crc = ark_wdb_set_meta(w, "ndocs", nd, (size_t)len, &err);
    }
    if (crc) goto fatal;
    if (ark_wdb_commit(w, &err)) goto fatal;
    if (tty) fputs("\r\033[K", stderr);

    double dt = now_s() - t0;
    if (!quiet) {
        uint64_t total = 0;
        ark_wdb_doccount(w, &total, NULL);
        fprintf(stderr,
                "arkivar-indexer: %llu files indexed, %llu unchanged, %llu removed, %llu failed; "
                "%llu passages, %.2f MB in %.2f s (%.2f MB/s); index holds %llu passages\n",
                (unsigned long long)b.files_indexed, (unsigned long long)b.files_unchanged,
                (unsigned long long)b.files_removed,
                (unsigned long long)(b.files_failed + walk.nerrors),
                (unsigned long long)b.passages, (double)b.bytes / 1e6, dt,
                dt > 0 ? (double)b.bytes / 1e6 / dt : 0.0, (unsigned long long)total);
    }
    status = (b.files_failed || walk.nerrors) ? EXIT_FILES_FAILED : 0;
    goto out;

fatal:
    if (tty) fputs("\r\033[K", stderr);
    fprintf(stderr, "arkivar-indexer: %s%s%s; index left unchanged\n", ark_strerror(err.code),
            err.msg[0] ? ": " : "", err.msg);
    status = EXIT_FATAL;
out:
    ark_wdb_close(w); /* cancels an open transaction: the last commit stays */
    ark_build_free(&b);
    ark_an_free(an);
    for (size_t i = 0; i < stored.n; i++) free(stored.v[i]);
    free(stored.v);
    ark_walk_free(&walk);
    return status;
}
