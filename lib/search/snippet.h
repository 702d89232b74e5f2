/* lib/search/snippet.h: the best window of a passage around the matches (private).
 * Owns: finding which words of a passage match the query (through qword.h, so the
 * same analysis as the index), choosing a window of whole words that holds the most
 * distinct query words, and the byte offsets of each match inside the snippet: the
 * token, or the compound part that matched ("samarbejder" in "leverandørsamarbejder").
 * Why offsets and not tags: callers render them as HTML, terminal marks or JSON. */
#ifndef ARK_SEARCH_SNIPPET_H
#define ARK_SEARCH_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "qword.h"

typedef struct ark_snip {
    char *text;              /* transferred */
    size_t len;
    uint32_t (*hl)[2];       /* transferred: [start, end) byte offsets into text */
    size_t nhl;
} ark_snip;

/* What the index knows of the passage being marked: has(user, term) is 1 when the
 * passage holds term ("Pstreet"), 0 when not or when it cannot tell. Asked only for a
 * compound part that this analyzer's word list cannot find (snippet.c, guess_part). */
typedef struct ark_snip_oracle {
    int (*has)(void *user, const char *term);
    void *user;
} ark_snip_oracle;

/* Snippet of text (NFC, normalized passage text) for the query words w[0..nw).
 * target is the size in bytes to aim for; "…" marks a cut. oracle may be NULL (no
 * guessed parts). 0 or ARK_ENOMEM. */
int ark_snippet_make(ark_an *an, const char *text, size_t len, const ark_qword *w, size_t nw,
                     size_t target, const ark_snip_oracle *oracle, ark_snip *out);
/* How well text covers the query words (stop words and mark_only words aside):
 * *distinct of them occur in it, *best inside one window of `window` tokens. For
 * reranking. 0 or ARK_ENOMEM. */
int ark_snippet_cover(ark_an *an, const char *text, size_t len, const ark_qword *w, size_t nw,
                      uint32_t window, int *distinct, int *best);
void ark_snip_free(ark_snip *s);

#endif
