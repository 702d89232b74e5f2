/* indexer/wcount.h: a counted set of words (bytes → count), for one file or one run.
 * Owns: an open-addressing hash table over one pool of word bytes; adding a word bumps
 * its count. Iteration is in insertion order, so what a caller writes from it does not
 * depend on hash layout.
 * Not here: what the words are (build.c) or where they go (the spelling table, the
 * compound vocabulary).
 * Why: Xapian's add_spelling reads the table for every call; a run says each word once
 * with its count instead, and the learning pass hands each file's words over once. */
#ifndef ARK_INDEXER_WCOUNT_H
#define ARK_INDEXER_WCOUNT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ark_wcount_slot {
    uint32_t h, idx; /* idx: 1-based entry number, 0 = empty */
} ark_wcount_slot;

typedef struct ark_wcount {
    ark_wcount_slot *tab;
    size_t cap;    /* a power of two, at least 1.5 times n */
    uint64_t *ent; /* per entry: pool offset << 24 | length (a word is at most 255 bytes) */
    uint32_t *cnt; /* per entry: the count */
    size_t n, ecap;
    char *pool;
    size_t pool_len, pool_cap;
} ark_wcount;

#define ARK_WCOUNT_INIT {0}

/* Add n to the count of word[0, len); 0, or ARK_ENOMEM (the set is unchanged). Words
 * over 255 bytes are ignored (0). */
int ark_wcount_add(ark_wcount *m, const char *word, size_t len, uint32_t n);
/* Entry i (0 <= i < m->n), in insertion order: borrowed until the next add or reset. */
const char *ark_wcount_word(const ark_wcount *m, size_t i, size_t *len);
/* Empty the set, keeping its memory for reuse. */
void ark_wcount_reset(ark_wcount *m);
void ark_wcount_free(ark_wcount *m);

#endif
