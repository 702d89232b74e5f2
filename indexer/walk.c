/* indexer/walk.c: expand PATH arguments into source files with their document ids.
 * Owns: directory recursion (sorted, hidden entries skipped, symlinks to folders not
 * followed so a loop cannot hang a run) and the id of each file.
 * Not here: which files can be read (lib/text decides by extension and content). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arkivar/text.h"

#define MAX_DEPTH 64

static int push(ark_walk *w, const char *id, const char *path) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        ark_src_file *v = realloc(w->v, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    char *i = strdup(id), *p = strdup(path);
    if (!i || !p) {
        free(i);
        free(p);
        return ARK_ENOMEM;
    }
    w->v[w->n].id = i;
    w->v[w->n].path = p;
    w->n++;
    return 0;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rel is the id prefix ("" at the top); path the folder to read. */
static int walk_dir(ark_walk *w, const char *path, const char *rel, int depth, ark_err *err) {
    if (depth > MAX_DEPTH) {
        fprintf(stderr, "arkivar-indexer: %s: folders nested too deep, skipped\n", path);
        w->nerrors++;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "arkivar-indexer: %s: %s\n", path, strerror(errno));
        w->nerrors++;
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
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
    /* qsort(NULL, 0) is undefined (UBSan aborts): an empty folder has no names. */
    if (n) qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(path) + strlen(names[i]) + 2;
        size_t rlen = strlen(rel) + strlen(names[i]) + 2;
        char *child = malloc(plen), *crel = malloc(rlen);
        if (!child || !crel) {
            free(child);
            free(crel);
            rc = ARK_ENOMEM;
            break;
        }
        snprintf(child, plen, "%s/%s", path, names[i]);
        snprintf(crel, rlen, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        struct stat st;
        if (lstat(child, &st) != 0) {
            fprintf(stderr, "arkivar-indexer: %s: %s\n", child, strerror(errno));
            w->nerrors++;
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(w, child, crel, depth + 1, err);
        } else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && ark_loader_for(child)) {
            if (S_ISLNK(st.st_mode) && (stat(child, &st) != 0 || !S_ISREG(st.st_mode))) {
                /* dangling or pointing at a folder: not followed */
            } else {
                rc = push(w, crel, child);
            }
        } else if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && ark_loader_for(child)) {
            /* A FIFO is never opened (it would block); say why the name is skipped. */
            fprintf(stderr, "arkivar-indexer: %s: not a regular file (FIFO, socket or device), skipped\n", child);
            w->nerrors++;
        }
        free(child);
        free(crel);
    }
out:
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(d);
    if (rc) ark_err_set(err, rc, "reading %s", path);
    return rc;
}

int ark_walk_add(ark_walk *w, const char *path, ark_err *err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "arkivar-indexer: %s: %s\n", path, strerror(errno));
        w->nerrors++;
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t len = strlen(path);
        char *p = strdup(path);
        if (!p) return ark_err_set(err, ARK_ENOMEM, "walk");
        while (len > 1 && p[len - 1] == '/') p[--len] = '\0';
        int rc = walk_dir(w, p, "", 0, err);
        free(p);
        return rc;
    }
    if (!ark_loader_for(path)) {
        fprintf(stderr, "arkivar-indexer: %s: not a supported format (.txt, .md)\n", path);
        w->nerrors++;
        return 0;
    }
    const char *base = strrchr(path, '/');
    int rc = push(w, base ? base + 1 : path, path);
    return rc ? ark_err_set(err, rc, "walk") : 0;
}

static int cmp_file(const void *a, const void *b) {
    return strcmp(((const ark_src_file *)a)->id, ((const ark_src_file *)b)->id);
}

void ark_walk_finish(ark_walk *w) {
    if (w->n) qsort(w->v, w->n, sizeof *w->v, cmp_file);
    size_t out = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (out > 0 && strcmp(w->v[out - 1].id, w->v[i].id) == 0) {
            fprintf(stderr, "arkivar-indexer: %s: same document id as %s, skipped\n",
                    w->v[i].path, w->v[out - 1].path);
            w->nerrors++;
            free(w->v[i].id);
            free(w->v[i].path);
            continue;
        }
        w->v[out++] = w->v[i];
    }
    w->n = out;
}

void ark_walk_free(ark_walk *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].id);
        free(w->v[i].path);
    }
    free(w->v);
    memset(w, 0, sizeof *w);
}
