/* lib/analysis/lemma.c: the word of a form Snowball cannot join to it.
 * Owns: the table of Danish inflections whose unstressed e drops out (regel/regler,
 *   middel/midler, eksempel/eksempler, himmel/himlen, åben/åbne), read once from the
 *   text compiled in (data/lemmas.txt) and looked up by binary search.
 * Not here: making the table (scripts/mk-lemmas.sh, from hunspell-da), the terms it
 *   gives (terms.c: the lemma's stem is a second Z term, weighted as a stem).
 * Why: Snowball strips endings; it cannot put back an e, so "regler" (regl) and
 *   "regel" (regel) never met. A static table of 3,000 forms needs no allocation. */
#include "an_int.h"

#include <pthread.h>

#define MAX_LEMMAS 8192 /* data/lemmas.txt holds about 3,100; the rest would be ignored */

typedef struct lemma {
    const char *form, *word; /* into ark_lemmas_text, not NUL-terminated */
    uint8_t form_len, word_len;
} lemma;

static lemma table[MAX_LEMMAS];
static size_t ntable;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_form(const char *a, size_t an, const char *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* The file is sorted by form (mk-lemmas.sh writes it so); a line out of order, too long
 * or without its two words is skipped, so a hand edit cannot break the search. */
static void load(void) {
    const char *p = ark_lemmas_text;
    while (*p && ntable < MAX_LEMMAS) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (*p != '#' && sp && sp > p && end - sp > 1 && sp - p < 256 && end - sp - 1 < 256) {
            lemma l = {p, sp + 1, (uint8_t)(sp - p), (uint8_t)(end - sp - 1)};
            if (!ntable || cmp_form(table[ntable - 1].form, table[ntable - 1].form_len, l.form,
                                    l.form_len) < 0)
                table[ntable++] = l;
        }
        p = nl ? nl + 1 : end;
    }
}

const char *ark_lemma_of(const char *low, size_t len, size_t *n) {
    pthread_once(&once, load);
    size_t lo = 0, hi = ntable;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_form(table[mid].form, table[mid].form_len, low, len);
        if (c == 0) {
            *n = table[mid].word_len;
            return table[mid].word;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
