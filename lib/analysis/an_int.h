/* lib/analysis/an_int.h: what the analyzer's files share (private to lib/analysis).
 * Owns: struct ark_an, the word set's layout and its lookups (ark_dict_*, defined in
 * dict.c), the split memo's entry points (ark_split_*, compound.c), the FNV hash both
 * use, and the cut of a string at a character boundary.
 * Not here: the public calls (analysis.h), the code behind each job (dict.c, stem.c,
 * compound.c, terms.c).
 * Why: the split probes the set up to n^2/2 times per word, hashing forward one byte at a
 * time; the probe must inline into that loop, so the set's layout sits in a header. */
#ifndef ARK_ANALYSIS_AN_INT_H
#define ARK_ANALYSIS_AN_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arkivar/analysis.h"

/* ---- lemmas (lemma.c) --------------------------------------------------------------- */

/* data/lemmas.txt as compiled in (the Makefile embeds it): "form lemma" lines. */
extern const char ark_lemmas_text[];
/* The lemma of the lowercase form low[0, len) when an e dropped out of it ("regler" →
 * "regel"), with its length in *n; NULL for any other word. Thread-safe. */
const char *ark_lemma_of(const char *low, size_t len, size_t *n);

/* ---- hashing and cutting ----------------------------------------------------------- */

#define ARK_FNV_INIT 2166136261u
static inline uint32_t ark_fnv_step(uint32_t h, unsigned char c) { return (h ^ c) * 16777619u; }
static inline uint32_t ark_fnv(const char *s, size_t len) {
    uint32_t h = ARK_FNV_INIT;
    for (size_t i = 0; i < len; i++) h = ark_fnv_step(h, (unsigned char)s[i]);
    return h;
}

/* Largest l <= max with s[l] on a character boundary. */
static inline size_t ark_utf8_cut(const char *s, size_t len, size_t max) {
    if (len <= max) return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

/* ---- the word set (dict.c) --------------------------------------------------------- */

/* A slot holds the word's hash and its offset in the pool (0 = empty; the pool's first
 * byte is a dummy). At the offset: one length byte, then the bytes. 8 bytes a slot and
 * one allocation for all strings keep 313k words at ~8 MB and the load under 150 ms. */
typedef struct ark_dict_slot {
    uint32_t h, off;
} ark_dict_slot;

typedef struct ark_dict {
    atomic_int refs;
    ark_dict_slot *tab;
    size_t cap, count; /* cap: a power of two, kept at least 1.5 times count */
    unsigned char *pool;
    size_t pool_len, pool_cap;
    uint64_t *filter; /* ARK_DICT_FILTER_BITS bits, one per hash value: see ark_dict_find */
} ark_dict;

/* Most probes of a split ask for a substring that is no word ("innovationsp…"). A 512 KiB
 * bitmap of the words' hashes (7% of its bits set for 313k words) stays in cache and
 * answers ~93% of those misses without touching the 4 MiB table. */
#define ARK_DICT_FILTER_BITS (1u << 22)
static inline uint32_t ark_dict_filter_bit(uint32_t h) {
    return (h >> 7 ^ h << 5) & (ARK_DICT_FILTER_BITS - 1);
}

/* A pool entry is a length byte then the word; the length byte's top bit marks a word
 * learned from the corpus (ark_an_add_word) rather than read from the word list. */
#define ARK_DICT_LEARNED 0x80

/* Is s[0, len) with hash h (ark_fnv) in the set? 0: absent; 1: in the word list;
 * 2: learned from the corpus. */
static inline int ark_dict_find(const ark_dict *d, uint32_t h, const char *s, size_t len) {
    if (!d->cap) return 0;
    uint32_t fb = ark_dict_filter_bit(h); /* mixes in bits the table index does not use */
    if (!(d->filter[fb >> 6] >> (fb & 63) & 1)) return 0;
    size_t mask = d->cap - 1, i = h & mask;
    for (;;) {
        const ark_dict_slot *e = &d->tab[i];
        if (!e->off) return 0;
        unsigned char lb = d->pool[e->off];
        if (e->h == h && (lb & ~ARK_DICT_LEARNED) == len &&
            memcmp(d->pool + e->off + 1, s, len) == 0)
            return lb & ARK_DICT_LEARNED ? 2 : 1;
        i = (i + 1) & mask;
    }
}

static inline int ark_dict_has(const ark_dict *d, uint32_t h, const char *s, size_t len) {
    return ark_dict_find(d, h, s, len) != 0;
}

/* A new set holding the word list at path (NULL or "": /usr/share/dict/danish; a missing
 * file gives an empty set). 0 and *out (one reference, dropped with ark_dict_unref), or
 * ARK_ENOMEM, ARK_EIO, ARK_EINVAL with the reason in err; *out is then NULL. */
int ark_dict_new(const char *path, ark_dict **out, ark_err *err);
/* Take one more reference for a clone; the set is read-only from then on. */
void ark_dict_ref(ark_dict *d);
/* Drop a reference; the last one frees the set. NULL is accepted. */
void ark_dict_unref(ark_dict *d);

/* ---- the analyzer ------------------------------------------------------------------ */

struct ark_split_memo; /* compound.c */

struct ark_an {
    ark_dict *d;
    struct sb_stemmer *st;
    struct ark_split_memo *memo;
    uint32_t gen; /* starts at 1: a zeroed entry is never current */
};

/* The split memo of a new analyzer: 0, or ARK_ENOMEM (an->memo stays NULL). */
int ark_split_memo_new(ark_an *an);
/* Free the memo; an->memo NULL is accepted. */
void ark_split_memo_free(ark_an *an);
/* The vocabulary changed: every memoized split is stale. */
void ark_split_forget(ark_an *an);
/* ark_an_split as byte ranges: part i is w[cut[i][0], cut[i][1]) (a linking s or e
 * between two parts is in neither); cut holds ARK_SPLIT_MAX entries. Returns the number
 * of parts, 0 or 2..max, under the same rules as ark_an_split. */
#define ARK_SPLIT_MAX 8
size_t ark_split_cuts(ark_an *an, const char *w, size_t len, uint8_t cut[][2], size_t max);

#endif
