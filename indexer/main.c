/* indexer/main.c: arkivar-indexer, the command that builds or updates an index.
 * Owns: flags, one pass per access level (each file's level from level.h, each level's
 * database its own transaction), the removal guard, progress on a terminal, the summary
 * line and the exit code. What a pass removes and refuses is planned in plan.c.
 * Why one transaction a database: readers (the server) must see its old state or the
 * new one, never half; a run killed at any point leaves the last good index.
 * Why removal is guarded: a run removes only documents of its own PATHs whose files it
 * could have seen and did not find (walk.h), and refuses to remove more than
 * REMOVE_SHARE_PCT of the index without --allow-removals: an unmounted share, a typo in
 * a PATH or a half-synced folder must never empty the index. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arkivar/analysis.h"
#include "arkivar/index.h"
#include "arkivar/ingest.h"
#include "arkivar/record.h"
#include "arkivar/text.h"
#include "arkivar/schema.h"
#include "fresh.h"
#include "plan.h"
#include "progress.h"
#include "pipeline.h"
#include "walk.h"

enum { EXIT_FILES_FAILED = 1, EXIT_USAGE = 2, EXIT_FATAL = 3, EXIT_LOCKED = 4 };

/* How long a run waits for another writer of the index (arkivar-server's push writer,
 * which holds it for one batch at a time, or another run) before it gives up. */
#define WAIT_DEFAULT_S 60

/* A run that would remove more than this share of the index's documents is refused
 * unless --allow-removals. Strictly more: removing 1 document of 5 is allowed, so is
 * any removal from an index of 5 or more documents that stays within a fifth. */
#define REMOVE_SHARE_PCT 20

static void usage(FILE *f) {
    fputs("usage: arkivar-indexer --index DIR [--words FILE] [--allow-removals]\n"
          "                       [--mask-contacts] [--threads N] [--wait SECONDS]\n"
          "                       [--shards N] [--progress SECONDS] [--quiet] PATH...\n"
          "\n"
          "Build the Arkivar index at DIR from the .txt, .md, .pdf and .html files under\n"
          "each PATH (files or folders, recursively), or bring it up to date: unchanged\n"
          "files are skipped, changed files replaced, documents whose files are gone\n"
          "removed.\n"
          "Each database is written in one transaction: readers see its old state or\n"
          "the new one. A file's sidecar NAME.meta.json (or its folder's .arkivar.json)\n"
          "can make it intern: it is then kept in DIR/intern, which only a key opens; the\n"
          "sidecar's title, date, type, committee and case_numbers win over the guesses.\n"
          "\n"
          "A document's id is its path relative to the PATH folder it was found under\n"
          "(for a file PATH: its name). Each document remembers that folder (its root),\n"
          "and a run removes only documents of its own PATHs: indexing more/ leaves the\n"
          "documents of corpus/ alone. Nothing is removed from a PATH that is missing,\n"
          "unreadable or empty, nor under a folder that cannot be read (exit 1). A file\n"
          "whose id the index holds from another root is refused (exit 1); index a\n"
          "common parent folder to keep both. Symlinks are followed only to files inside\n"
          "the PATHs of the run; FIFOs, sockets and devices are skipped. Documents pushed\n"
          "to arkivar-server (PUT /api/documents/ID) are never removed by a run, and a\n"
          "file with a pushed document's id is refused (exit 1).\n"
          "\n"
          "One writer at a time: while another holds the index (arkivar-server writing\n"
          "pushed documents, or another run), a run waits for it, up to --wait seconds.\n"
          "\n"
          "CPR numbers are masked (XXXXXX-XXXX) in every spelling, in text, headings,\n"
          "titles and document ids: they are never stored, shown or searchable.\n"
          "\n"
          "  --index DIR       the index folder (created if missing)\n"
          "  --words FILE      word list for compound splitting (default /usr/share/dict/danish)\n"
          "  --allow-removals  allow a run to remove more than 20 % of the index's\n"
          "                    documents; without it such a run changes nothing (exit 1)\n"
          "  --mask-contacts   also mask e-mail addresses (the part before @) and\n"
          "                    phone numbers; changing it re-indexes every file\n"
          "  --threads N       threads to use (default: one per core, at most 16); the\n"
          "                    index is the same whatever N\n"
          "  --shards N        a new index as N shards (1 to 64; default 1), each document\n"
          "                    on the one a hash of its id names, built one after another\n"
          "                    on every core; the index appears when all are whole (its\n"
          "                    stub, DIR/XAPIANDB, is written last). An index keeps its\n"
          "                    number: a run on it with another N changes nothing (exit 2)\n"
          "  --wait SECONDS    wait this long for another writer of the index (default 60;\n"
          "                    0: do not wait)\n"
          "  --progress SECONDS  when stderr is no terminal (cron, systemd), a progress\n"
          "                    line this often: files and MB done of the run's, the rate,\n"
          "                    the time left (default 5; 0: none). On a terminal one line\n"
          "                    is redrawn twice a second\n"
          "  --quiet           no progress and no summary line\n"
          "  --version         print the version and exit\n"
          "  --help            this text\n"
          "\n"
          "Exit status: 0 all files indexed; 1 some files could not be read or were\n"
          "refused, or a PATH was missing or empty (the rest was indexed, reasons on\n"
          "stderr), or the run would remove too much (nothing changed); 2 bad usage;\n"
          "3 the index could not be written (nothing changed); 4 another writer held\n"
          "the index for --wait seconds (nothing changed).\n",
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

/* Results in memory waiting for the writer, roughly (a passage's Xapian document holds
 * about eight times its text): bounds the run's memory whatever the file sizes. */
#define PIPE_MAX_BYTES (64u << 20)
#define MAX_THREADS 16

/* One file the run indexes, in walk order. */
typedef struct run_file {
    size_t w;      /* index in the walk */
    int exists;    /* the index holds its id */
    int unchanged; /* the learning pass found the stored content hash */
    char old[33];  /* stored content hash, "" when none or another root */
} run_file;

typedef struct run_ctx {
    const ark_walk *walk;
    run_file *files;
    ark_an *an[MAX_THREADS]; /* one per runner; an[0] is the run's own analyzer */
    ark_shards *s; /* the index's writers (one per shard), each with its totals */
    const char *dir;
    int fresh_fd;  /* >= 0: DIR holds no index yet, is locked, and is built in parts */
    unsigned nshards; /* of a new index */
    const char *const *meta; /* the index's own metadata, for a new index */
    size_t nmeta;
    unsigned mask;
    int force, tty;
    size_t ntake;
    ark_progress *prog;
    ark_err err; /* the error that stopped the run */
    /* Written files whose documents are freed by the next job, on whichever thread
     * runs it: a passage's Xapian document is hundreds of small allocations, and the
     * writer's thread is the one the run waits for. */
    pthread_mutex_t trash_mu;
    struct built_job *trash;
} run_ctx;

typedef struct built_job {
    ark_built x;
    struct built_job *next;
} built_job;

typedef struct learned {
    int rc;
    ark_wcount words;
} learned;

static void *learn_job(void *vc, unsigned runner, size_t i, size_t *bytes) {
    run_ctx *c = vc;
    const ark_src_file *f = &c->walk->v[c->files[i].w];
    learned *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    /* A bad file is reported once, by the second pass, in walk order. */
    if (strlen(f->id) > ARK_MAX_ID) l->rc = ARK_EINVAL;
    else l->rc = ark_build_learn(f->path, c->mask, c->files[i].old, c->force, &l->words, NULL);
    *bytes = l->words.pool_len + l->words.ecap * 12 + l->words.cap * 8;
    (void)runner;
    return l;
}

static void learn_drop(void *vc, void *r) {
    learned *l = r;
    (void)vc;
    if (l) ark_wcount_free(&l->words);
    free(l);
}

static int learn_consume(void *vc, size_t i, void *r) {
    run_ctx *c = vc;
    learned *l = r;
    int rc = 0;
    if (!l || l->rc == ARK_ENOMEM) {
        rc = ark_err_set(&c->err, ARK_ENOMEM, "learning the vocabulary");
    } else if (l->rc == ARK_BUILD_UNCHANGED) {
        c->files[i].unchanged = 1;
    } else if (l->rc == ARK_BUILD_INDEXED) {
        for (size_t k = 0; k < l->words.n && !rc; k++) {
            size_t len;
            const char *w = ark_wcount_word(&l->words, k, &len);
            if (ark_an_add_word(c->an[0], w, len) == ARK_ENOMEM)
                rc = ark_err_set(&c->err, ARK_ENOMEM, "learning the vocabulary");
        }
    }
    learn_drop(vc, l);
    return rc;
}

static void free_trash(built_job *j) {
    while (j) {
        built_job *next = j->next;
        ark_built_free(&j->x);
        free(j);
        j = next;
    }
}

static void *build_job(void *vc, unsigned runner, size_t i, size_t *bytes) {
    run_ctx *c = vc;
    const ark_src_file *f = &c->walk->v[c->files[i].w];
    pthread_mutex_lock(&c->trash_mu);
    built_job *trash = c->trash;
    c->trash = NULL;
    pthread_mutex_unlock(&c->trash_mu);
    free_trash(trash);
    built_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    ark_built *x = &j->x; /* first member: the result is x, freed as a built_job */
    if (c->files[i].unchanged) {
        x->rc = ARK_BUILD_UNCHANGED;
        return x;
    }
    ark_build_prepare(c->an[runner], f->id, c->walk->roots[f->root].dir, f->path, c->mask,
                      c->files[i].old, c->force, x);
    *bytes = (size_t)x->bytes * 8;
    return x;
}

static void build_drop(void *vc, void *r) {
    (void)vc;
    ark_built_free(r);
    free(r);
}

static int build_consume(void *vc, size_t i, void *r) {
    run_ctx *c = vc;
    ark_built *x = r;
    const ark_src_file *f = &c->walk->v[c->files[i].w];
    ark_build *b = ark_shards_for(c->s, f->id);
    int rc = 0;
    if (!x) {
        rc = ark_err_set(&c->err, ARK_ENOMEM, "%s: out of memory", f->path);
    } else if (x->rc == ARK_BUILD_INDEXED) {
        if (!(rc = ark_build_write(b, f->id, c->files[i].exists, x, &c->err)))
            b->files_indexed++;
    } else if (x->rc == ARK_BUILD_UNCHANGED) {
        b->files_unchanged++;
    } else if (ark_build_fatal(x->rc)) {
        c->err = x->err;
        rc = x->rc;
    } else {
        b->files_failed++;
        ark_progress_clear(c->prog);
        fprintf(stderr, "arkivar-indexer: %s: %s%s%s\n",
                f->link ? f->link : f->path, ark_strerror(x->rc), x->err.msg[0] ? ": " : "",
                x->err.msg);
    }
    if (x) {
        pthread_mutex_lock(&c->trash_mu);
        ((built_job *)x)->next = c->trash;
        c->trash = (built_job *)x;
        pthread_mutex_unlock(&c->trash_mu);
    }
    if (c->prog->mode != ARK_PROGRESS_OFF) {
        ark_build t = ark_shards_totals(c->s);
        ark_progress_show(c->prog, i + 1, t.bytes, t.passages, 0);
    }
    return rc;
}

/* A new index: every thread writes a part of it (fresh.h); a sharded one is built
 * shard after shard, each a new index in its folder, and appears with its stub. */
static int write_fresh(run_ctx *c, unsigned threads, ark_err *err) {
    ark_fresh_file *v = calloc(c->ntake ? c->ntake : 1, sizeof *v);
    if (!v) return ark_err_set(err, ARK_ENOMEM, "planning the run");
    ark_fresh fr = {.dir = c->dir, .an = c->an[0], .mask = c->mask, .threads = threads,
                    .meta = c->meta, .nmeta = c->nmeta, .prog = c->prog};
    int rc = 0;
    char shard[PATH_MAX];
    for (unsigned k = 0; rc == 0 && k < c->nshards; k++) {
        size_t n = 0;
        for (size_t i = 0; i < c->ntake; i++) {
            const ark_src_file *f = &c->walk->v[c->files[i].w];
            if (ark_shard_of(f->id, c->nshards) != k) continue;
            v[n++] = (ark_fresh_file){f->id, ark_walk_root_dir(c->walk, c->files[i].w), f->path,
                                      f->link ? f->link : f->path};
        }
        if (c->nshards == 1) {
            rc = ark_fresh_build(&fr, v, n, c->fresh_fd, err);
            c->fresh_fd = -1;
            break;
        }
        int fd = -1;
        if (snprintf(shard, sizeof shard, "%s/" ARK_SHARD_NAME, c->dir, k) >= (int)sizeof shard)
            rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", c->dir);
        else if (mkdir(shard, 0777) != 0 && errno != EEXIST)
            rc = ark_err_set(err, ARK_EIO, "cannot create %s: %s", shard, strerror(errno));
        else if ((fd = ark_fresh_lock(shard, err)) < 0)
            rc = err->code;
        else {
            fr.dir = shard;
            rc = ark_fresh_build(&fr, v, n, fd, err);
        }
    }
    /* The switch: DIR shows an index once its stub names the shards, all whole. */
    if (rc == 0 && c->nshards > 1) rc = ark_db_write_stub(c->dir, c->nshards, err);
    if (c->fresh_fd >= 0) close(c->fresh_fd);
    c->fresh_fd = -1;
    ark_build *b = &c->s->b[0];
    b->files_indexed += fr.files_indexed;
    b->files_failed += fr.files_failed;
    b->passages += fr.passages;
    b->bytes += fr.bytes;
    free(v);
    return rc;
}

/* Index the files the plan takes: a learning pass over all of them (the vocabulary
 * that compound splitting uses is the whole run's, before any file is analysed), then
 * analysis on every thread and the writes in walk order on this one; or, for a new
 * index, parts written on every thread and merged (write_fresh). */
static int index_files(run_ctx *c, const char *take, unsigned threads, ark_err *err) {
    const ark_walk *walk = c->walk;
    int rc = 0;
    for (size_t i = 0; i < walk->n; i++) c->ntake += (size_t)take[i];
    if (c->ntake && !(c->files = calloc(c->ntake, sizeof *c->files)))
        return ark_err_set(err, ARK_ENOMEM, "planning the run");
    for (size_t i = 0, k = 0; i < walk->n; i++) {
        if (!take[i]) continue;
        run_file *f = &c->files[k++];
        f->w = i;
        if (c->fresh_fd >= 0) continue; /* a new index holds nothing yet */
        if ((rc = ark_build_stored(ark_shards_for(c->s, walk->v[i].id), walk->v[i].id,
                                   ark_walk_root_dir(walk, i), &f->exists, f->old, err)))
            return rc;
    }
    if ((rc = ark_pipe_run(c->ntake, threads, PIPE_MAX_BYTES, learn_job, learn_consume,
                           learn_drop, c)))
        goto out;
    /* The progress of the writing: the files that change, by their sizes. */
    ark_progress *p = c->prog;
    p->files = c->ntake;
    p->bytes = 0;
    for (size_t i = 0; i < c->ntake; i++) {
        struct stat st;
        if (!c->files[i].unchanged && stat(walk->v[c->files[i].w].path, &st) == 0)
            p->bytes += (uint64_t)st.st_size;
    }
    p->t0 = p->last = ark_progress_now();
    if (c->fresh_fd >= 0) return write_fresh(c, threads, err);
    for (unsigned t = 1; t < threads; t++)
        if ((rc = ark_an_clone(c->an[0], &c->an[t], &c->err))) goto out;
    rc = ark_pipe_run(c->ntake, threads, PIPE_MAX_BYTES, build_job, build_consume, build_drop, c);
    free_trash(c->trash);
    c->trash = NULL;
    if (rc == 0) rc = ark_shards_flush(c->s, &c->err);
out:
    if (rc) *err = c->err.code ? c->err : (ark_err){rc, "indexing"};
    for (unsigned t = 1; t < threads; t++) {
        ark_an_free(c->an[t]);
        c->an[t] = NULL;
    }
    return rc;
}

/* What a run does, and what it did (over every level's pass). */
typedef struct run_opts {
    const char *words;
    int allow_removals, quiet, tty;
    ark_progress *prog; /* the run's progress line, one per level's pass */
    unsigned threads, mask;
    unsigned shards; /* --shards: of a new index, checked against an old one (0: not given) */
    unsigned new_shards; /* without --shards: of a new database (the public one's) */
    double t0;
    double wait_s;  /* --wait */
    int *waited;    /* the run said once that it waits for another writer */
} run_opts;

typedef struct run_totals {
    uint64_t indexed, unchanged, removed, failed, passages, bytes, held;
} run_totals;

static const char *const *meta_of(unsigned mask, size_t *n) {
    static const char *meta[2][4] = {{ARK_META_FORMAT, ARK_INDEX_FORMAT, ARK_META_MASK, "cpr"},
                                     {ARK_META_FORMAT, ARK_INDEX_FORMAT, ARK_META_MASK,
                                      "cpr,contacts"}};
    *n = 2;
    return meta[mask & ARK_MASK_CONTACTS ? 1 : 0];
}

/* Take the database at dir for writing: *w open, or for a folder with no database yet
 * *fresh_fd locked (fresh.h). Another writer holding it (ARK_ELOCKED: arkivar-server's
 * push writer holds it one batch at a time, so it is free again within a second) is
 * waited for, retrying with a growing pause, up to o->wait_s; then ARK_ELOCKED. */
static int take_writer(const char *dir, const run_opts *o, ark_shards *s, int *fresh_fd,
                       ark_err *err) {
    double deadline = now_s() + o->wait_s, pause = 0.02;
    for (;;) {
        int rc = 0;
        *fresh_fd = -1;
        /* No index there yet: it is built in parts on every core (fresh.h), under the
         * lock Xapian's writers take, so that a writer started meanwhile waits for us. */
        if (!ark_db_exists(dir)) {
            if ((*fresh_fd = ark_fresh_lock(dir, err)) < 0) rc = err->code;
            else if (ark_db_exists(dir)) { /* created before we held the lock */
                close(*fresh_fd);
                *fresh_fd = -1;
            }
        }
        if (rc == 0 && *fresh_fd < 0) rc = ark_shards_open(s, dir, err);
        if (rc != ARK_ELOCKED) return rc;
        double left = deadline - now_s();
        if (left <= 0)
            return ark_err_set(err, ARK_ELOCKED,
                               "%s is held by another writer (arkivar-server writing pushed "
                               "documents, or another arkivar-indexer) for more than %.0f s; "
                               "--wait SECONDS waits longer", dir, o->wait_s);
        if (!*o->waited && !o->quiet) {
            fprintf(stderr, "%sarkivar-indexer: waiting for the index's writer (%s)\n",
                    o->tty ? "\r\033[K" : "", dir);
            *o->waited = 1;
        }
        double p = pause < left ? pause : left;
        struct timespec ts = {(time_t)p, (long)((p - (double)(time_t)p) * 1e9)};
        nanosleep(&ts, NULL);
        if (pause < 0.5) pause *= 2;
    }
}

/* One level's pass: the files of the walk at level lp->lv into the database at dir (the
 * index folder for offentlig, its level folder for the others), as one transaction (or,
 * for a new database, in parts merged into it): plan, index, remove, commit. Returns 0,
 * EXIT_FILES_FAILED (the removal guard refused the run: nothing changed), EXIT_FATAL
 * (the database could not be written: nothing changed, the message printed) or
 * EXIT_LOCKED (another writer held it for --wait seconds: the same). */
static int index_level(const char *dir, const level_pass *lp, ark_walk *walk, const run_opts *o,
                       run_totals *tot) {
    int status = 0;
    ark_err err = {0};
    ark_an *an = NULL;
    ark_shards *s = calloc(1, sizeof *s);
    doc_list stored = {0};
    char *take = NULL;
    run_ctx run = {0};
    int force = 0, fresh = 0;
    run.fresh_fd = -1;
    pthread_mutex_init(&run.trash_mu, NULL);

    /* Each level learns its own vocabulary: the words of closed documents never shape
     * how the public ones are split (and so never show in their terms or statistics). */
    if (!s) {
        ark_err_set(&err, ARK_ENOMEM, "opening the index");
        goto fatal;
    }
    if (ark_an_new(o->words, &an, &err)) goto fatal;
    if (mkdir_p(dir) != 0) {
        ark_err_set(&err, ARK_EIO, "cannot create %s: %s", dir, strerror(errno));
        goto fatal;
    }
    if (take_writer(dir, o, s, &run.fresh_fd, &err)) goto fatal;
    fresh = run.fresh_fd >= 0;
    if (fresh) s->n = 1; /* the totals' */
    if (!fresh && ark_stored_list(s, &stored, &err)) goto fatal;
    unsigned want = o->shards ? o->shards : o->new_shards ? o->new_shards : 1;
    if (!fresh && o->shards && s->n != o->shards) {
        fprintf(stderr, "arkivar-indexer: %s has %zu shard%s, not %u: documents are placed by "
                "a hash of their id over the shards, so their number is the index's for "
                "good; build one with %u in a new folder and switch to it\n",
                dir, s->n, s->n == 1 ? "" : "s", o->shards, o->shards);
        status = EXIT_USAGE;
        goto out;
    }

    /* The plan, before anything is written: what goes, and which files are refused. */
    if (lp->lv == ARK_LEVEL_PUBLIC) ark_plan_empty_roots(walk, &stored);
    size_t nremove = ark_plan_removals(walk, lp, &stored);
    /* Pushed documents are never removed by a run, so they do not dilute the share. */
    size_t nfolder = ark_plan_folder_docs(&stored);
    if (nremove * 100 > nfolder * REMOVE_SHARE_PCT && !o->allow_removals) {
        fprintf(stderr,
                "arkivar-indexer: this run would remove %zu of the %s's %zu documents%s, "
                "more than %d %%:",
                nremove, lp->lv == ARK_LEVEL_PUBLIC ? "index" : "intern database", nfolder,
                nfolder < stored.n ? " from folders" : "", REMOVE_SHARE_PCT);
        for (size_t i = 0, shown = 0; i < stored.n && shown < 3; i++)
            if (stored.v[i].remove)
                fprintf(stderr, "%s %s", shown++ ? "," : "", stored.v[i].id);
        fprintf(stderr, "%s\narkivar-indexer: nothing indexed, nothing removed; if the files "
                        "are really gone (or have changed level), run again with --allow-removals\n",
                nremove > 3 ? ", ..." : "");
        status = EXIT_FILES_FAILED;
        goto out;
    }
    if (walk->n && !(take = calloc(walk->n, 1))) {
        ark_err_set(&err, ARK_ENOMEM, "planning the run");
        goto fatal;
    }
    ark_build *b0 = &s->b[0]; /* what the run counts, not a shard */
    b0->files_failed += ark_plan_clashes(walk, lp, &stored, take);
    long pushed = ark_plan_pushed_elsewhere(walk, lp, take, &err);
    if (pushed < 0) goto fatal;
    b0->files_failed += (uint64_t)pushed;

    size_t nmeta;
    const char *const *meta = meta_of(o->mask, &nmeta);
    const char *want_mask = meta[3];
    if (!fresh && ark_shards_begin(s, &err)) goto fatal;
    if (!fresh) {
        /* An index written by another layout version, or masking other data, is
         * rebuilt, not patched: unchanged files would keep what the last run masked. */
        char *fmt = NULL, *old_mask = NULL;
        size_t flen = 0, mlen = 0;
        ark_wdb *w = s->b[0].w; /* every shard has the same */
        if (ark_wdb_get_meta(w, ARK_META_FORMAT, &fmt, &flen, &err)) goto fatal;
        if (ark_wdb_get_meta(w, ARK_META_MASK, &old_mask, &mlen, &err)) { free(fmt); goto fatal; }
        int other_format = !fmt || flen != strlen(ARK_INDEX_FORMAT) ||
                           memcmp(fmt, ARK_INDEX_FORMAT, flen) != 0;
        int other_mask = !old_mask ? strcmp(want_mask, "cpr") != 0
                                   : mlen != strlen(want_mask) || memcmp(old_mask, want_mask, mlen) != 0;
        free(fmt);
        free(old_mask);
        force = stored.n > 0 && (other_format || other_mask);
        if (force && !o->quiet)
            fprintf(stderr, "arkivar-indexer: %s has another index format%s: re-indexing every file\n",
                    dir, other_format ? "" : " (masking changed)");
        for (size_t i = 0; i < 2 * nmeta; i += 2)
            if (ark_shards_set_meta(s, meta[i], meta[i + 1], strlen(meta[i + 1]), &err)) goto fatal;
    }

    run.walk = walk;
    run.dir = dir;
    run.meta = meta;
    run.nmeta = nmeta;
    run.an[0] = an;
    run.s = s;
    run.nshards = want;
    run.mask = o->mask;
    run.force = force;
    run.tty = o->tty;
    run.prog = o->prog;
    if (index_files(&run, take, o->threads, &err)) goto fatal;
    for (size_t i = 0; i < stored.n; i++) {
        if (!stored.v[i].remove) continue;
        ark_build *b = ark_shards_for(s, stored.v[i].id);
        if (ark_build_remove(b, stored.v[i].id, &err)) goto fatal;
        b->files_removed++;
    }
    ark_build t = ark_shards_totals(s);
    uint64_t held = t.passages;
    if (!fresh) {
        /* Each shard's document count, for /health without walking every record. */
        held = 0;
        for (size_t k = 0; k < s->n; k++) {
            doc_list now = {0};
            int crc = ark_wdb_meta_keys(s->b[k].w, ARK_PFX_DOC, ark_stored_count, &now, &err);
            if (crc == 0) {
                char nd[32];
                int len = snprintf(nd, sizeof nd, "%zu", now.n);
                crc = ark_wdb_set_meta(s->b[k].w, ARK_META_NDOCS, nd, (size_t)len, &err);
            }
            if (crc) goto fatal;
        }
        if (ark_shards_commit(s, &err)) goto fatal;
        for (size_t k = 0; k < s->n; k++) {
            uint64_t one = 0;
            ark_wdb_doccount(s->b[k].w, &one, NULL);
            held += one;
        }
    }
    tot->indexed += t.files_indexed;
    tot->unchanged += t.files_unchanged;
    tot->removed += t.files_removed;
    tot->failed += t.files_failed;
    tot->passages += t.passages;
    tot->bytes += t.bytes;
    tot->held += held;
    goto out;

fatal:
    if (o->tty) fputs("\r\033[K", stderr);
    fprintf(stderr, "arkivar-indexer: %s%s%s; %s left unchanged\n", ark_strerror(err.code),
            err.msg[0] ? ": " : "", err.msg,
            lp->lv == ARK_LEVEL_PUBLIC ? "index" : "the intern database");
    status = err.code == ARK_ELOCKED ? EXIT_LOCKED : EXIT_FATAL;
out:
    ark_shards_close(s); /* cancels open transactions: the last commits stay */
    free(s);
    if (run.fresh_fd >= 0) close(run.fresh_fd);
    ark_an_free(an);
    for (size_t i = 0; i < stored.n; i++) {
        free(stored.v[i].id);
        free(stored.v[i].root);
    }
    free(stored.v);
    free(take);
    free(run.files);
    pthread_mutex_destroy(&run.trash_mu);
    return status;
}

/* Each file's level from its sidecar or folders (level.h); a file whose sidecar is bad
 * gets -1: reported, indexed nowhere, and removed from wherever it was. Sets *any_closed
 * when a file is above offentlig. Returns the number of bad sidecars, or -1 (memory). */
static long read_levels(const ark_walk *walk, signed char *of, int *any_closed) {
    long bad = 0;
    for (size_t i = 0; i < walk->n; i++) {
        const ark_src_file *f = &walk->v[i];
        ark_level lv;
        ark_err err = {0, ""};
        int rc = ark_level_of(f->link ? f->link : f->path, walk->roots[f->root].dir, &lv, &err);
        if (rc == ARK_ENOMEM) return -1;
        if (rc) {
            fprintf(stderr, "arkivar-indexer: %s: %s; not indexed\n", f->link ? f->link : f->path,
                    err.msg);
            of[i] = -1;
            bad++;
            continue;
        }
        of[i] = (signed char)lv;
        *any_closed |= lv != ARK_LEVEL_PUBLIC;
    }
    return bad;
}

int main(int argc, char **argv) {
    const char *index = NULL;
    run_opts o = {0};
    double progress_s = ARK_PROGRESS_LOG_S;
    int waited = 0;
    o.wait_s = WAIT_DEFAULT_S;
    o.waited = &waited;
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    o.threads = nproc < 1 ? 1 : nproc > MAX_THREADS ? MAX_THREADS : (unsigned)nproc;
    ark_wdb_set_flush(); /* an update's one transaction flushes in small batches */
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"words", required_argument, 0, 'w'},
                                         {"allow-removals", no_argument, 0, 'R'},
                                         {"mask-contacts", no_argument, 0, 'M'},
                                         {"threads", required_argument, 0, 'T'},
                                         {"wait", required_argument, 0, 'W'},
                                         {"shards", required_argument, 0, 'S'},
                                         {"progress", required_argument, 0, 'P'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, 'V'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "i:w:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': index = optarg; break;
        case 'w': o.words = optarg; break;
        case 'R': o.allow_removals = 1; break;
        case 'M': o.mask |= ARK_MASK_CONTACTS; break;
        case 'T': {
            char *end;
            long t = strtol(optarg, &end, 10);
            if (*end || t < 1 || t > MAX_THREADS) {
                fprintf(stderr, "arkivar-indexer: --threads: a number from 1 to %d\n", MAX_THREADS);
                return EXIT_USAGE;
            }
            o.threads = (unsigned)t;
            break;
        }
        case 'P': {
            char *end;
            double s = strtod(optarg, &end);
            if (end == optarg || *end || !(s >= 0) || s > 86400) {
                fprintf(stderr, "arkivar-indexer: --progress: seconds from 0 to 86400\n");
                return EXIT_USAGE;
            }
            progress_s = s;
            break;
        }
        case 'S': {
            char *end;
            long k = strtol(optarg, &end, 10);
            if (*end || end == optarg || k < 1 || k > ARK_SHARDS_MAX) {
                fprintf(stderr, "arkivar-indexer: --shards: a number from 1 to %d\n", ARK_SHARDS_MAX);
                return EXIT_USAGE;
            }
            o.shards = (unsigned)k;
            break;
        }
        case 'W': {
            char *end;
            double s = strtod(optarg, &end);
            if (end == optarg || *end || !(s >= 0) || s > 86400) {
                fprintf(stderr, "arkivar-indexer: --wait: seconds from 0 to 86400\n");
                return EXIT_USAGE;
            }
            o.wait_s = s;
            break;
        }
        case 'q': o.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': puts("arkivar-indexer " ARK_VERSION); return 0;
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
    signed char *levels = NULL;
    run_totals tot = {0};
    o.t0 = now_s();
    o.tty = !o.quiet && isatty(2);
    ark_progress prog = {.mode = o.quiet || (!o.tty && progress_s == 0) ? ARK_PROGRESS_OFF
                                 : o.tty ? ARK_PROGRESS_TTY : ARK_PROGRESS_LOG,
                         .every = progress_s};
    o.prog = &prog;

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
    int any_closed = 0;
    long bad = 0;
    if (!(levels = calloc(walk.n ? walk.n : 1, 1)) || (bad = read_levels(&walk, levels, &any_closed)) < 0) {
        ark_err_set(&err, ARK_ENOMEM, "reading access levels");
        goto fatal;
    }
    tot.failed += (uint64_t)bad;

    /* The public database first: a document that becomes intern leaves it before it
     * enters the intern one, so a run killed between the two commits can leave it out of
     * both for a while, never in the public one. The intern database is only made when
     * a file is intern, or to empty it of documents that are no longer. */
    char closed_dir[4096];
    snprintf(closed_dir, sizeof closed_dir, "%s/%s", index, ark_level_dir(ARK_LEVEL_INTERN));
    level_pass pub = {levels, ARK_LEVEL_PUBLIC, closed_dir}, intern = {levels, ARK_LEVEL_INTERN, index};
    status = index_level(index, &pub, &walk, &o, &tot);
    /* A new intern database is cut like the public one: a key's searches then span
     * shards that line up (issue 16: restricted material keeps its own shard set). */
    char **pubdirs = NULL;
    size_t npub = 0;
    if (status == 0 && !o.shards && ark_db_shards(index, &pubdirs, &npub, NULL) == 0) {
        o.new_shards = (unsigned)npub;
        ark_db_shards_free(pubdirs, npub);
    }
    if (status == 0 && (any_closed || ark_db_exists(closed_dir)))
        status = index_level(closed_dir, &intern, &walk, &o, &tot);
    if (status) goto out;
    if (o.tty) fputs("\r\033[K", stderr);

    double dt = now_s() - o.t0;
    if (!o.quiet) {
        fprintf(stderr,
                "arkivar-indexer: %llu files indexed, %llu unchanged, %llu removed, %llu failed; "
                "%llu passages, %.2f MB in %.2f s (%.2f MB/s); index holds %llu passages\n",
                (unsigned long long)tot.indexed, (unsigned long long)tot.unchanged,
                (unsigned long long)tot.removed, (unsigned long long)(tot.failed + walk.nerrors),
                (unsigned long long)tot.passages, (double)tot.bytes / 1e6, dt,
                dt > 0 ? (double)tot.bytes / 1e6 / dt : 0.0, (unsigned long long)tot.held);
    }
    status = (tot.failed || walk.nerrors) ? EXIT_FILES_FAILED : 0;
    goto out;

fatal:
    if (o.tty) fputs("\r\033[K", stderr);
    fprintf(stderr, "arkivar-indexer: %s%s%s; index left unchanged\n", ark_strerror(err.code),
            err.msg[0] ? ": " : "", err.msg);
    status = EXIT_FATAL;
out:
    free(levels);
    ark_walk_free(&walk);
    return status;
}
