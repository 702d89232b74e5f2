/* indexer/walk.c: expand PATH arguments into source files with their document ids.
 * Owns: directory recursion (sorted, hidden entries skipped), the id and root of each
 * file, which files are followed, and the list of what could not be read.
 * Not here: which files can be read (lib/text decides by extension and content), what
 * is removed (main.c, from ark_walk_covers()).
 * Why these rules:
 *  - symlinks to folders are not followed, so a loop cannot hang a run;
 *  - a symlink to a file is followed only when its target lies inside a PATH of the
 *    run: `ln -s /etc/shadow corpus/x.txt` must not publish the file (the indexer
 *    may run as root); the link is stored resolved, and the loader opens with
 *    O_NOFOLLOW, so a file swapped for a link after the walk is not followed either;
 *  - FIFOs, sockets and devices are named and skipped, never opened (a FIFO blocks);
 *  - a folder or entry that cannot be read is remembered (root->kept): its documents
 *    stay, because a file we cannot see is not a file that is gone. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arkivar/text.h"

#define MAX_DEPTH 64

__attribute__((format(printf, 2, 3))) static void warn(ark_walk *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("arkivar-indexer: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    w->nerrors++;
}

/* The id a file name gives, with any CPR number in it masked (DOMAIN.md): ids are shown
 * in every result, URL and log line. */
static char *masked_id(const char *id) {
    char *m = strdup(id);
    if (m) ark_mask_pii(m, strlen(m), 0);
    return m;
}

static int push(ark_walk *w, const char *id, const char *path, size_t root, const char *link) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        ark_src_file *v = realloc(w->v, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    char *i = masked_id(id), *p = strdup(path), *l = link ? strdup(link) : NULL;
    if (!i || !p || (link && !l)) {
        free(i);
        free(p);
        free(l);
        return ARK_ENOMEM;
    }
    w->v[w->n++] = (ark_src_file){i, p, root, l, strcmp(i, id) != 0};
    w->roots[root].nfiles++;
    return 0;
}

/* Remember that id (a file, or a folder and everything under it) could not be read. */
static int keep(ark_walk *w, size_t root, const char *id) {
    ark_walk_root *r = &w->roots[root];
    if (r->nkept == r->capkept) {
        size_t cap = r->capkept ? r->capkept * 2 : 8;
        char **v = realloc(r->kept, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        r->kept = v;
        r->capkept = cap;
    }
    if (!(r->kept[r->nkept] = masked_id(id))) return ARK_ENOMEM;
    r->nkept++;
    return 0;
}

/* A folder the run cannot read: at the top the whole root fails, below it the folder's
 * documents are kept. */
static int unreadable(ark_walk *w, size_t root, const char *path, const char *rel,
                      const char *why) {
    if (!*rel) {
        warn(w, "%s: %s; nothing under it is removed", path, why);
        w->roots[root].failed = 1;
        return 0;
    }
    warn(w, "%s: %s; the documents under it are kept", path, why);
    return keep(w, root, rel);
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One entry of a folder: child is its path, crel its id. */
static int walk_entry(ark_walk *w, size_t root, const char *child, const char *crel,
                      int depth, ark_err *err);

/* rel is the id prefix ("" at the top); path the folder to read. */
static int walk_dir(ark_walk *w, size_t root, const char *path, const char *rel, int depth,
                    ark_err *err) {
    if (depth > MAX_DEPTH) return unreadable(w, root, path, rel, "folders nested too deep");
    DIR *d = opendir(path);
    if (!d) return unreadable(w, root, path, rel, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    for (;;) {
        errno = 0;
        if (!(de = readdir(d))) break;
        if (de->d_name[0] == '.') continue; /* ., .., and hidden files (.git, editor swap) */
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) { rc = ARK_ENOMEM; goto out; }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) { rc = ARK_ENOMEM; goto out; }
        n++;
    }
    /* A listing cut short: index what was listed, keep what might be missing. */
    if (errno && (rc = unreadable(w, root, path, rel, strerror(errno)))) goto out;
    /* qsort(NULL, 0) is undefined (UBSan aborts): an empty folder has no names. */
    if (n) qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        size_t rlen = strlen(rel) + strlen(names[i]) + 2;
        char *child = malloc(plen), *crel = malloc(rlen);
        if (child && crel) {
            snprintf(child, plen, "%s%s%s", path, strcmp(path, "/") ? "/" : "", names[i]);
            snprintf(crel, rlen, "%s%s%s", rel, *rel ? "/" : "", names[i]);
            rc = walk_entry(w, root, child, crel, depth, err);
        } else {
            rc = ARK_ENOMEM;
        }
        free(child);
        free(crel);
    }
out:
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(d);
    if (rc && (!err || err->code != rc)) ark_err_set(err, rc, "reading %s", path);
    return rc;
}

static int walk_entry(ark_walk *w, size_t root, const char *child, const char *crel,
                      int depth, ark_err *err) {
    struct stat st;
    if (lstat(child, &st) != 0) {
        warn(w, "%s: %s; its document is kept", child, strerror(errno));
        return keep(w, root, crel);
    }
    if (S_ISDIR(st.st_mode)) return walk_dir(w, root, child, crel, depth + 1, err);
    if (!ark_loader_for(child)) return 0;
    if (S_ISREG(st.st_mode)) return push(w, crel, child, root, NULL);
    if (!S_ISLNK(st.st_mode)) {
        /* Never opened: a FIFO would block the run while it holds the write lock. */
        warn(w, "%s: not a regular file (FIFO, socket or device), skipped", child);
        w->roots[root].nfiles++;
        return 0;
    }
    /* A symlink: resolved here, checked against the roots in ark_walk_finish(). */
    char target[PATH_MAX];
    if (!realpath(child, target)) {
        if (errno == ENOENT) return 0; /* dangling: the file it named is gone */
        warn(w, "%s: %s; its document is kept", child, strerror(errno));
        return keep(w, root, crel);
    }
    if (stat(target, &st) != 0) {
        warn(w, "%s: %s; its document is kept", child, strerror(errno));
        return keep(w, root, crel);
    }
    if (S_ISDIR(st.st_mode)) return 0; /* links to folders are not followed (loops) */
    if (!S_ISREG(st.st_mode)) {
        warn(w, "%s: link to %s, not a regular file, skipped", child, target);
        w->roots[root].nfiles++;
        return 0;
    }
    return push(w, crel, target, root, child);
}

static int add_root(ark_walk *w, const char *path, size_t *root) {
    if (w->nroots == w->caproots) {
        size_t cap = w->caproots ? w->caproots * 2 : 8;
        ark_walk_root *v = realloc(w->roots, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        w->roots = v;
        w->caproots = cap;
    }
    ark_walk_root *r = &w->roots[w->nroots];
    memset(r, 0, sizeof *r);
    if (!(r->arg = strdup(path))) return ARK_ENOMEM;
    *root = w->nroots++;
    return 0;
}

int ark_walk_add(ark_walk *w, const char *path, ark_err *err) {
    size_t ri;
    char real[PATH_MAX], dir[PATH_MAX];
    int rc = add_root(w, path, &ri);
    if (rc) return ark_err_set(err, rc, "walk");
    ark_walk_root *r = &w->roots[ri];
    struct stat st;
    if (stat(path, &st) != 0 || !realpath(path, real)) {
        warn(w, "%s: %s; nothing under it is removed", path, strerror(errno));
        r->failed = 1;
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!(r->dir = strdup(real)) || !(r->real = strdup(real)))
            return ark_err_set(err, ARK_ENOMEM, "walk");
        return walk_dir(w, ri, r->dir, "", 0, err);
    }
    /* A file PATH: named by the user, so followed wherever it points; its id is the name
     * it was given under, its root the folder that name is in. */
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!S_ISREG(st.st_mode)) {
        warn(w, "%s: not a regular file (FIFO, socket or device), skipped", path);
        r->failed = 1;
        return 0;
    }
    if (!ark_loader_for(path)) {
        char exts[128] = "";
        for (size_t i = 0; ark_loader_ext(i); i++) {
            size_t at = strlen(exts);
            snprintf(exts + at, sizeof exts - at, "%s%s", i ? ", " : "", ark_loader_ext(i));
        }
        warn(w, "%s: not a supported format (%s)", path, exts);
        r->failed = 1;
        return 0;
    }
    char parent[PATH_MAX];
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == path) snprintf(parent, sizeof parent, "/");
    else snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    if (!realpath(parent, dir)) {
        warn(w, "%s: %s; nothing under it is removed", parent, strerror(errno));
        r->failed = 1;
        return 0;
    }
    if (!(r->dir = strdup(dir)) || !(r->real = strdup(real)) || !(r->only = masked_id(base)) ||
        (rc = push(w, base, real, ri, NULL)))
        return ark_err_set(err, ARK_ENOMEM, "walk");
    return 0;
}

/* p is dir or lies under it (both canonical). */
static int under(const char *p, const char *dir) {
    size_t len = strlen(dir);
    if (len == 1 && dir[0] == '/') return 1;
    return strncmp(p, dir, len) == 0 && (p[len] == '\0' || p[len] == '/');
}

static int inside_roots(const ark_walk *w, const char *target) {
    for (size_t i = 0; i < w->nroots; i++) {
        const ark_walk_root *r = &w->roots[i];
        if (r->failed || !r->real) continue;
        if (strcmp(target, r->real) == 0 || (!r->only && under(target, r->dir))) return 1;
    }
    return 0;
}

static void drop(ark_src_file *f) {
    free(f->id);
    free(f->path);
    free(f->link);
}

static int cmp_file(const void *a, const void *b) {
    const ark_src_file *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    if (x->root != y->root) return (x->root > y->root) - (x->root < y->root);
    return strcmp(x->path, y->path);
}

/* Two file names that differ only in a masked CPR number give one id: the second and
 * later (in path order, so the same files keep the same ids) get "~2", "~3" … before
 * the extension. Returns whether any id changed (the list must then be sorted again). */
static int disambiguate(ark_walk *w) {
    int changed = 0;
    for (size_t i = 1, k = 1; i < w->n; i++) {
        ark_src_file *a = &w->v[i - 1], *f = &w->v[i];
        if (!f->masked || strcmp(a->id, f->id) != 0 || strcmp(a->path, f->path) == 0 ||
            strcmp(w->roots[a->root].dir, w->roots[f->root].dir) != 0) {
            k = 1;
            continue;
        }
        k++;
        const char *slash = strrchr(f->id, '/'), *dot = strrchr(slash ? slash : f->id, '.');
        size_t at = dot ? (size_t)(dot - f->id) : strlen(f->id), len = strlen(f->id) + 24;
        char *id = malloc(len);
        if (!id) continue; /* out of memory: the file is dropped below as a repeat */
        snprintf(id, len, "%.*s~%zu%s", (int)at, f->id, k, f->id + at);
        fprintf(stderr, "arkivar-indexer: %s: its masked name repeats another's; id %s\n",
                f->path, id);
        free(f->id);
        f->id = id;
        changed = 1;
    }
    return changed;
}

void ark_walk_finish(ark_walk *w) {
    size_t out = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (w->v[i].link && !inside_roots(w, w->v[i].path)) {
            warn(w, "%s: symbolic link to %s, outside the PATHs of this run: not followed",
                 w->v[i].link, w->v[i].path);
            drop(&w->v[i]);
            continue;
        }
        w->v[out++] = w->v[i];
    }
    w->n = out;
    if (w->n) qsort(w->v, w->n, sizeof *w->v, cmp_file);
    if (disambiguate(w)) qsort(w->v, w->n, sizeof *w->v, cmp_file);
    /* The same (id, folder) twice: a PATH given twice, or a file inside a folder PATH. */
    out = 0;
    size_t group = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (out == 0 || strcmp(w->v[out - 1].id, w->v[i].id) != 0) group = out;
        int dup = 0;
        for (size_t j = group; j < out && !dup; j++)
            dup = strcmp(w->roots[w->v[j].root].dir, w->roots[w->v[i].root].dir) == 0;
        if (dup) {
            drop(&w->v[i]);
            continue;
        }
        w->v[out++] = w->v[i];
    }
    w->n = out;
}

size_t ark_walk_find(const ark_walk *w, const char *id) {
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(w->v[mid].id, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < w->n && strcmp(w->v[lo].id, id) == 0 ? lo : w->n;
}

static int is_kept(const ark_walk_root *r, const char *id) {
    for (size_t i = 0; i < r->nkept; i++) {
        size_t len = strlen(r->kept[i]);
        if (strncmp(id, r->kept[i], len) == 0 && (id[len] == '\0' || id[len] == '/')) return 1;
    }
    return 0;
}

int ark_walk_covers(const ark_walk *w, const char *dir, const char *id) {
    if (!*dir) {
        int folder = 0;
        for (size_t i = 0; i < w->nroots; i++) {
            if (w->roots[i].failed || is_kept(&w->roots[i], id)) return 0;
            folder |= !w->roots[i].only;
        }
        return folder;
    }
    for (size_t i = 0; i < w->nroots; i++) {
        const ark_walk_root *r = &w->roots[i];
        if (!r->failed && r->dir && strcmp(r->dir, dir) == 0 &&
            (!r->only || strcmp(r->only, id) == 0) && !is_kept(r, id))
            return 1;
    }
    return 0;
}

void ark_walk_free(ark_walk *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) drop(&w->v[i]);
    free(w->v);
    for (size_t i = 0; i < w->nroots; i++) {
        ark_walk_root *r = &w->roots[i];
        free(r->arg);
        free(r->dir);
        free(r->real);
        free(r->only);
        for (size_t k = 0; k < r->nkept; k++) free(r->kept[k]);
        free(r->kept);
    }
    free(w->roots);
    memset(w, 0, sizeof *w);
}
