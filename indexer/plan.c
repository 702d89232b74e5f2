/* indexer/plan.c: what a run removes and refuses. See plan.h. */
#include "plan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arkivar/record.h"
#include "arkivar/schema.h"

static int collect_id(const char *key, size_t len, void *user) {
    doc_list *l = user;
    if (len < 2) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        stored_doc *v = realloc(l->v, cap * sizeof *v);
        if (!v) return l->rc = ARK_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n].id = strndup(key + 1, len - 1))) return l->rc = ARK_ENOMEM;
    l->v[l->n].root = NULL;
    l->v[l->n].remove = 0;
    l->n++;
    return 0;
}

int ark_stored_count(const char *key, size_t len, void *user) {
    (void)key;
    ((doc_list *)user)->n += len > 1;
    return 0;
}

static int cmp_doc(const void *a, const void *b) {
    return strcmp(((const stored_doc *)a)->id, ((const stored_doc *)b)->id);
}

/* List the index's documents with their roots, sorted by id: shard after shard, each
 * record read from the shard that listed it. */
int ark_stored_list(ark_shards *s, doc_list *l, ark_err *err) {
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->n; k++) {
        ark_wdb *w = s->b[k].w;
        size_t first = l->n;
        rc = ark_wdb_meta_keys(w, ARK_PFX_DOC, collect_id, l, err);
        if (rc == 0 && l->rc) rc = ark_err_set(err, l->rc, "listing documents");
        for (size_t i = first; rc == 0 && i < l->n; i++) {
            char key[ARK_MAX_ID + 2], *val = NULL, *z = NULL;
            size_t len = 0;
            ark_drec d;
            snprintf(key, sizeof key, ARK_PFX_DOC "%s", l->v[i].id);
            if ((rc = ark_wdb_get_meta(w, key, &val, &len, err))) break;
            if (val && (z = malloc(len + 1))) {
                memcpy(z, val, len);
                z[len] = '\0';
            }
            const char *root = z && ark_drec_decode(z, len, &d, NULL) == 0 ? d.root : "";
            if ((val && !z) || !(l->v[i].root = strdup(root)))
                rc = ark_err_set(err, ARK_ENOMEM, "listing documents");
            free(z);
            free(val);
        }
    }
    if (rc == 0 && l->n) qsort(l->v, l->n, sizeof *l->v, cmp_doc);
    return rc;
}

static size_t stored_find(const doc_list *l, const char *id) {
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(l->v[mid].id, id);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return l->n;
}

const char *ark_walk_root_dir(const ark_walk *w, size_t i) {
    return w->roots[w->v[i].root].dir;
}

static int at_level(const level_pass *lp, size_t i) { return lp->of[i] == (signed char)lp->lv; }

/* The walk found document id under root ("" : under any root), at this pass's level. */
static int walk_found(const ark_walk *w, const level_pass *lp, const char *id, const char *root) {
    for (size_t i = ark_walk_find(w, id); i < w->n && strcmp(w->v[i].id, id) == 0; i++)
        if (at_level(lp, i) && (!*root || strcmp(ark_walk_root_dir(w, i), root) == 0)) return 1;
    return 0;
}

/* A folder PATH that was read but holds no file, while the index holds documents from
 * it: most likely an unmounted share or an emptied sync folder. Its documents stay. */
void ark_plan_empty_roots(ark_walk *w, const doc_list *stored) {
    for (size_t r = 0; r < w->nroots; r++) {
        ark_walk_root *root = &w->roots[r];
        if (root->failed || root->only || root->nfiles > 0) continue;
        size_t held = 0;
        for (size_t i = 0; i < stored->n; i++)
            held += !*stored->v[i].root || strcmp(stored->v[i].root, root->dir) == 0;
        if (!held) continue;
        fprintf(stderr,
                "arkivar-indexer: %s: empty, but the index holds %zu document%s from it; "
                "nothing removed (an unmounted share?)\n",
                root->arg, held, held == 1 ? "" : "s");
        root->failed = 1;
        w->nerrors++;
    }
}

/* Mark the stored documents whose files this run could see and did not find at this
 * level (gone, or now at another level: a document moves by leaving one database and
 * entering the other). Returns how many are gone, not moved. */
size_t ark_plan_removals(const ark_walk *w, const level_pass *lp, doc_list *stored) {
    size_t n = 0;
    level_pass any[ARK_NLEVELS];
    for (int l = 0; l < ARK_NLEVELS; l++) any[l] = (level_pass){lp->of, (ark_level)l, NULL};
    for (size_t i = 0; i < stored->n; i++) {
        stored_doc *d = &stored->v[i];
        d->remove = ark_walk_covers(w, d->root, d->id) && !walk_found(w, lp, d->id, d->root);
        /* A move to another level is no loss: only files really gone count against
         * the removal guard. */
        int moved = 0;
        for (int l = 0; d->remove && l < ARK_NLEVELS; l++)
            moved |= l != (int)lp->lv && walk_found(w, &any[l], d->id, d->root);
        n += (size_t)(d->remove && !moved);
    }
    return n;
}

size_t ark_plan_folder_docs(const doc_list *stored) {
    size_t n = 0;
    for (size_t i = 0; i < stored->n; i++) n += strcmp(stored->v[i].root, ARK_ROOT_PUSH) != 0;
    return n;
}

/* The file behind document id of root dir is still where the index found it. */
static int still_there(const char *dir, const char *id) {
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, id) >= (int)sizeof path) return 1;
    return lstat(path, &st) == 0 || errno != ENOENT;
}

/* Decide which walk entries are indexed (take[i] = 1). Ids must be unique across roots:
 * an id the index holds from another root is refused, the stored document kept, unless
 * its file is gone from there (a moved folder); of two entries of this run with one id,
 * the first PATH wins. Returns the number refused. */
size_t ark_plan_clashes(const ark_walk *w, const level_pass *lp, const doc_list *stored,
                              char *take) {
    size_t refused = 0;
    for (size_t g = 0; g < w->n;) {
        size_t end = g;
        while (end < w->n && strcmp(w->v[end].id, w->v[g].id) == 0) end++;
        int here = 0; /* an entry of this id at this pass's level: the others are another's */
        for (size_t i = g; i < end; i++) here |= at_level(lp, i);
        if (!here) {
            g = end;
            continue;
        }
        size_t s = stored_find(stored, w->v[g].id);
        const char *holder = s < stored->n && !stored->v[s].remove && *stored->v[s].root
                                 ? stored->v[s].root : NULL;
        if (holder && strcmp(holder, ARK_ROOT_PUSH) == 0) {
            /* Pushed over HTTP: the push is its source, until a DELETE of the id. */
            for (size_t i = g; i < end; i++) {
                if (!at_level(lp, i)) continue;
                refused++;
                fprintf(stderr,
                        "arkivar-indexer: %s: document id \"%s\" was pushed to the index "
                        "(PUT /api/documents/); not indexed (DELETE it there first)\n",
                        w->v[i].link ? w->v[i].link : w->v[i].path, w->v[i].id);
            }
            g = end;
            continue;
        }
        if (holder && !still_there(holder, w->v[g].id)) {
            /* The folder was moved (or the file moved out of it): the id follows it. */
            fprintf(stderr, "arkivar-indexer: %s: moved here from %s\n", w->v[g].path, holder);
            holder = NULL;
        }
        size_t winner = end;
        /* The winner among all entries of the id, whatever their level: one file per id. */
        for (size_t i = g; i < end && winner == end; i++)
            if (!holder || strcmp(ark_walk_root_dir(w, i), holder) == 0) winner = i;
        for (size_t i = g; i < end; i++) {
            if (!at_level(lp, i)) continue;
            if (i == winner) {
                take[i] = 1;
                continue;
            }
            refused++;
            fprintf(stderr,
                    "arkivar-indexer: %s: document id \"%s\" is %s %s; not indexed (index a "
                    "common parent folder to keep both)\n",
                    w->v[i].link ? w->v[i].link : w->v[i].path, w->v[i].id,
                    holder ? "already in the index from" : "also found under",
                    holder ? holder : ark_walk_root_dir(w, winner));
        }
        g = end;
    }
    return refused;
}

long ark_plan_pushed_elsewhere(const ark_walk *w, const level_pass *lp, char *take, ark_err *err) {
    if (!lp->other || !ark_db_exists(lp->other)) return 0;
    ark_rdb *r = NULL;
    int rc = ark_rdb_open(&lp->other, 1, &r, err);
    long refused = 0;
    for (size_t i = 0; rc == 0 && i < w->n; i++) {
        if (!take[i] || strlen(w->v[i].id) > ARK_MAX_ID) continue;
        char key[ARK_MAX_ID + 2], *val = NULL;
        size_t len = 0;
        ark_drec d;
        snprintf(key, sizeof key, ARK_PFX_DOC "%s", w->v[i].id);
        if ((rc = ark_rdb_get_meta(r, key, &val, &len, err)) == 0 && val &&
            ark_drec_decode(val, len, &d, NULL) == 0 && strcmp(d.root, ARK_ROOT_PUSH) == 0) {
            take[i] = 0;
            refused++;
            fprintf(stderr,
                    "arkivar-indexer: %s: document id \"%s\" was pushed to the index at another "
                    "level (PUT /api/documents/); not indexed (DELETE it there first)\n",
                    w->v[i].link ? w->v[i].link : w->v[i].path, w->v[i].id);
        }
        free(val);
    }
    ark_rdb_close(r);
    return rc ? -1 : refused;
}
