/* lib/search/synonyms.h: the acronym table as the query builder reads it (private). */
#ifndef ARK_SEARCH_SYNONYMS_H
#define ARK_SEARCH_SYNONYMS_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/search.h"

typedef struct ark_syn_entry {
    char *acronym;          /* lowercased: "øu" */
    char **expansions;      /* as written: "Økonomiudvalget", "Teknik- og Miljøforvaltningen" */
    size_t nexpansions;
    /* Per expansion, filled in an engine's table (learned.c), else NULL: the keys of its
     * tokens, each ended by '\n', and the key of it whole (compile.c's value keys), so a
     * query compares strings instead of analysing every expansion again. */
    char **keys, **whole;
    uint32_t docs;          /* learned: documents that define it so; 0 from the file */
} ark_syn_entry;

struct ark_synonyms {
    ark_syn_entry *v;
    size_t n;
    int sorted;             /* v in acronym byte order: ark_syn_find halves it */
};

/* The entry whose acronym is lower (lowercased, len bytes), or NULL. */
const ark_syn_entry *ark_syn_find(const ark_synonyms *s, const char *lower, size_t len);

/* A new entry at the end of s for acronym[0, len) (lowercased here), with no expansion:
 * NULL on out of memory (s unchanged). Borrowed until the next add to s. */
ark_syn_entry *ark_syn_add(ark_synonyms *s, const char *acronym, size_t len);
/* Add a copy of x[0, len) to e's expansions: 0 or ARK_ENOMEM (e unchanged). */
int ark_syn_add_expansion(ark_syn_entry *e, const char *x, size_t len);

#endif
