/* server/group.h: search results grouped by document (issue 15).
 * Owns: turning the engine's ranked passages into documents in rank order, each with
 * its best passages (at most ARK_GROUP_PASSAGES) and the count of its further matches,
 * paged by documents: the page's result list and /api/search?group=doc.
 * Not here: rendering (results.c, api.c), the ranking itself (lib/search).
 * Why over the engine's order, in the server: the engine ranks passages, and a
 * document's first passage in that order is its best, so documents taken in the order
 * of their first passage are ranked by their best passage, and every page of documents
 * cuts one order as the pages of passages do (search.c: no result on two pages). A
 * page of documents reads the engine's passages ARK_GROUP_WINDOW at a time from the
 * first, until it has seen one document past the page: one engine call for the first
 * pages of a usual query, more for deep pages or one document's many passages, never
 * past ARK_API_MAX_OFFSET passages. */
#ifndef ARKIVAR_SERVER_GROUP_H
#define ARKIVAR_SERVER_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/access.h"
#include "arkivar/err.h"
#include "arkivar/search.h"

#define ARK_GROUP_PASSAGES 3 /* a document's passages shown under its headline */
#define ARK_GROUP_WINDOW 100 /* passages asked of the engine at a time (its most) */

typedef struct ark_group {
    const ark_result *best[ARK_GROUP_PASSAGES]; /* in rank order; borrowed from the groups */
    size_t n;
    uint32_t rank;    /* the document's place, 1-based, offset included */
    uint32_t further; /* the document's matching passages not in best */
} ark_group;

typedef struct ark_groups {
    ark_results first;     /* the first window: totals, facets, suggestion, shards */
    ark_results *windows;  /* the later windows that hold a passage of v (owned) */
    size_t nwindows;
    ark_group *v; size_t n; /* the page's documents */
    uint32_t documents;    /* documents seen, the one past the page included: all of
                            * them when !more, else a lower bound */
    int more;              /* a document follows the page */
    double took_ms;        /* every engine call's */
} ark_groups;

/* The documents [offset, offset + limit) of sr's query (sr's own offset and limit are
 * not used), for level lv, into *out (free with ark_groups_free whatever the result).
 * 0, or what ark_worker_search returned, with *opened and err as it sets them. */
int ark_groups_search(ark_level lv, const ark_search_req *sr, uint32_t offset, uint32_t limit,
                      ark_groups *out, int *opened, ark_err *err);
void ark_groups_free(ark_groups *g); /* accepts NULL; *g is empty after */

#endif
