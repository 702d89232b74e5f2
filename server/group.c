/* server/group.c: results grouped by document. See group.h.
 * The documents seen are kept in a small open-addressing table of their ids (copied:
 * the windows that hold no passage of the page are freed as soon as they are read),
 * since a deep page sees thousands of documents and a list would be searched once per
 * passage. */
#include "group.h"

#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "worker.h"

typedef struct seen_set {
    char **ids;       /* NULL: a free slot */
    uint32_t *place;  /* the document's place, 0-based */
    size_t cap, n;    /* cap a power of two, n <= cap / 2 */
} seen_set;

static uint64_t hash_id(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void seen_free(seen_set *s) {
    for (size_t i = 0; i < s->cap; i++) free(s->ids[i]);
    free(s->ids);
    free(s->place);
    memset(s, 0, sizeof *s);
}

/* The slot of id: where it is, or the free one where it would go. */
static size_t seen_slot(const seen_set *s, const char *id) {
    size_t i = (size_t)hash_id(id) & (s->cap - 1);
    while (s->ids[i] && strcmp(s->ids[i], id) != 0) i = (i + 1) & (s->cap - 1);
    return i;
}

static int seen_grow(seen_set *s) {
    seen_set g = {calloc(s->cap ? s->cap * 2 : 64, sizeof(char *)), NULL, s->cap ? s->cap * 2 : 64, s->n};
    if (!g.ids || !(g.place = calloc(g.cap, sizeof *g.place))) {
        free(g.ids);
        return ARK_ENOMEM;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->ids[i]) {
            size_t j = seen_slot(&g, s->ids[i]);
            g.ids[j] = s->ids[i];
            g.place[j] = s->place[i];
        }
    free(s->ids);
    free(s->place);
    *s = g;
    return 0;
}

/* The place of id (*place), adding it at place next when new (*added = 1). */
static int seen_find_add(seen_set *s, const char *id, uint32_t next, uint32_t *place, int *added) {
    if ((s->n + 1) * 2 > s->cap && seen_grow(s) != 0) return ARK_ENOMEM;
    size_t i = seen_slot(s, id);
    *added = !s->ids[i];
    if (*added) {
        if (!(s->ids[i] = strdup(id))) return ARK_ENOMEM;
        s->place[i] = next;
        s->n++;
    }
    *place = s->place[i];
    return 0;
}

void ark_groups_free(ark_groups *g) {
    if (!g) return;
    ark_results_free(&g->first);
    for (size_t i = 0; i < g->nwindows; i++) ark_results_free(&g->windows[i]);
    free(g->windows);
    free(g->v);
    memset(g, 0, sizeof *g);
}

/* Take the passages of win into the page's groups. 1 in *used when one went in, and
 * *stop once a document past the page is seen. */
static int take_window(ark_groups *out, seen_set *seen, const ark_results *win, uint32_t offset,
                       uint32_t limit, int *used, int *stop) {
    for (size_t i = 0; i < win->n; i++) {
        const ark_result *x = &win->v[i];
        uint32_t place;
        int added;
        if (seen_find_add(seen, x->doc.id ? x->doc.id : "", out->documents, &place, &added) != 0)
            return ARK_ENOMEM;
        if (added && out->documents == offset + limit) {
            out->more = 1;
            out->documents++; /* counted: the documents seen are at least this many */
            *stop = 1;
            return 0;
        }
        if (added) out->documents++;
        if (place < offset || place >= offset + limit) continue;
        ark_group *g = &out->v[place - offset];
        if (added) {
            out->n = place - offset + 1;
            g->rank = place + 1;
        }
        if (g->n < ARK_GROUP_PASSAGES) {
            g->best[g->n++] = x;
            *used = 1;
        }
    }
    return 0;
}

int ark_groups_search(ark_level lv, const ark_search_req *sr, uint32_t offset, uint32_t limit,
                      ark_groups *out, int *opened, ark_err *err) {
    int rc = 0, stop = 0;
    seen_set seen = {0};
    memset(out, 0, sizeof *out);
    *opened = 1;
    if (!(out->v = calloc(limit ? limit : 1, sizeof *out->v)))
        return ark_err_set(err, ARK_ENOMEM, "groups");
    for (uint32_t at = 0; !stop && at <= ARK_API_MAX_OFFSET; at += ARK_GROUP_WINDOW) {
        ark_search_req req = *sr;
        ark_results win;
        int used = 0;
        req.offset = at;
        req.limit = ARK_GROUP_WINDOW;
        req.per_doc = ARK_GROUP_PASSAGES; /* the passages shown compete at full score */
        if ((rc = ark_worker_search(lv, &req, &win, opened, err)) != 0) goto out;
        out->took_ms += win.took_ms;
        if ((rc = take_window(out, &seen, &win, offset, limit, &used, &stop)) != 0) {
            ark_results_free(&win);
            rc = ark_err_set(err, rc, "groups");
            goto out;
        }
        stop |= win.n < ARK_GROUP_WINDOW; /* the engine has no more */
        if (at == 0) {
            out->first = win;
        } else if (used) {
            ark_results *w = realloc(out->windows, (out->nwindows + 1) * sizeof *w);
            if (!w) {
                ark_results_free(&win);
                rc = ark_err_set(err, ARK_ENOMEM, "groups");
                goto out;
            }
            out->windows = w;
            out->windows[out->nwindows++] = win;
        } else {
            ark_results_free(&win);
        }
    }
    for (size_t i = 0; i < out->n; i++) {
        ark_group *g = &out->v[i];
        uint32_t m = g->n ? g->best[0]->doc_matches : 0;
        g->further = m > g->n ? m - (uint32_t)g->n : 0;
    }
out:
    seen_free(&seen);
    if (rc) ark_groups_free(out);
    return rc;
}
