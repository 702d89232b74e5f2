/* lib/search/synonyms.h: the acronym table as the query builder reads it (private). */
#ifndef ARK_SEARCH_SYNONYMS_H
#define ARK_SEARCH_SYNONYMS_H

#include <stddef.h>

#include "arkivar/search.h"

typedef struct ark_syn_entry {
    char *acronym;          /* lowercased: "øu" */
    char **expansions;      /* as written: "Økonomiudvalget", "Teknik- og Miljøforvaltningen" */
    size_t nexpansions;
} ark_syn_entry;

struct ark_synonyms {
    ark_syn_entry *v;
    size_t n;
};

/* The entry whose acronym is lower (lowercased, len bytes), or NULL. */
const ark_syn_entry *ark_syn_find(const ark_synonyms *s, const char *lower, size_t len);

#endif
