/* lib/analysis/stop.c: the words that carry little meaning alone.
 * Owns: the stop word list and ark_an_is_stopword, for the query (compile.c weighs a
 *   lone stop word down and takes one in a phrase as typed) and the index (terms.c keeps
 *   the positions of a stop word's exact form, so that a phrase finds "dette afsnit" and
 *   not "det afsnit": Snowball gives "dette" and "det" one stem).
 * Not here: what a stop word weighs (compile.c).
 * Why here: the two sides must agree; a word added here is positional in the index only
 *   after a re-index, so a change to the list is a change of ARK_INDEX_FORMAT.
 * The function words, and what a question is made of: its question words ("hvornår",
 * "hvor mange") and the light verbs that carry no topic ("får", "bruger", "gør",
 * "findes"), so that in "hvor mange penge får TechBBQ" the name is what counts. */
#include "an_int.h"

#include <string.h>

static const char *const stop[] = {
    "af", "alle", "and", "at", "blev", "bliver", "bruge", "bruger", "bruges", "brugt", "da",
    "de", "dem", "den", "denne", "der", "deres", "det", "dette", "du", "efter", "eller", "en",
    "er", "et", "fandtes", "fik", "findes", "for", "fra", "få", "fået", "får", "før", "give",
    "giver", "gjort", "gør", "gøre", "han", "har", "havde", "have", "hun", "hvad", "hvem",
    "hvilke", "hvilken", "hvilket", "hvis", "hvor", "hvordan", "hvorfor", "hvorledes",
    "hvornår", "hvorvidt", "i", "ikke", "in", "jeg", "kan", "kunne", "man", "mange", "med",
    "meget", "men", "mod", "ned", "noget", "nogle", "nu", "når", "of", "og", "også", "om", "op",
    "os", "over", "på", "sig", "sin", "sine", "skal", "skulle", "som", "så", "the", "til", "to",
    "ud", "under", "var", "ved", "vi", "vil", "ville", "være", "været"};

int ark_an_is_stopword(const char *lower, size_t len) {
    /* sorted by strcmp (tests/test_an.c checks): a binary search */
    size_t lo = 0, hi = sizeof stop / sizeof stop[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t ml = strlen(stop[mid]);
        int c = memcmp(lower, stop[mid], len < ml ? len : ml);
        if (c == 0) c = len < ml ? -1 : len > ml;
        if (c == 0) return 1;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return 0;
}

int ark_an_stopwords_sorted(void) {
    for (size_t i = 1; i < sizeof stop / sizeof stop[0]; i++)
        if (strcmp(stop[i - 1], stop[i]) >= 0) return 0;
    return 1;
}
