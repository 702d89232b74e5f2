/* lib/search/suggest.c: completions of a typed prefix (search.h, GET /api/suggest).
 * Owns: the most frequent index words that complete the last word of the text typed so
 * far, with the Danish spellings a folded prefix may stand for.
 * Not here: "Mente du" (spell.c). */
#include <stdlib.h>
#include <string.h>

#include "arkivar/schema.h"
#include "engine.h"

typedef struct cand {
    char *word;
    uint64_t freq;
} cand;

typedef struct cand_list {
    cand v[256];
    size_t n;
    size_t seen;
} cand_list;

/* A term that is what masking left of a number ("xxxxxx", "xxxxxx‐xxxx"): no word. */
static int is_masked(const char *t, size_t len) {
    size_t x = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == 'x') x++;
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 0xC3 && c < 0xE0)) return 0;
    }
    return x >= 2;
}

/* The candidates are a min-heap on frequency: the 256 most frequent terms seen so far,
 * the least frequent at the root, so each further term costs O(log 256), not a scan of
 * all 256 (which made one-letter prefixes cost milliseconds). Repeats (a term reached by
 * two spellings of the prefix) are merged once at the end. */
static void sift_down(cand *v, size_t n, size_t i) {
    for (;;) {
        size_t m = i, a = 2 * i + 1, b = a + 1;
        if (a < n && v[a].freq < v[m].freq) m = a;
        if (b < n && v[b].freq < v[m].freq) m = b;
        if (m == i) return;
        cand t = v[i];
        v[i] = v[m];
        v[m] = t;
        i = m;
    }
}

static int collect_cand(const char *t, size_t len, uint64_t f, void *user) {
    cand_list *l = user;
    if (++l->seen > 20000) return 1; /* bounded work per keystroke */
    if (len < 2 || memchr(t, '-', len) || is_masked(t, len)) return 0;
    size_t cap = sizeof l->v / sizeof l->v[0];
    if (l->n < cap) {
        if (!(l->v[l->n].word = ark_dupz(t, len))) return 0;
        l->v[l->n].freq = f;
        for (size_t i = l->n++; i > 0 && l->v[(i - 1) / 2].freq > l->v[i].freq; i = (i - 1) / 2) {
            cand x = l->v[i];
            l->v[i] = l->v[(i - 1) / 2];
            l->v[(i - 1) / 2] = x;
        }
        return 0;
    }
    if (f <= l->v[0].freq) return 0;
    char *w = ark_dupz(t, len);
    if (!w) return 0;
    free(l->v[0].word);
    l->v[0] = (cand){w, f};
    sift_down(l->v, l->n, 0);
    return 0;
}

static int by_word(const void *a, const void *b) {
    return strcmp(((const cand *)a)->word, ((const cand *)b)->word);
}

static int by_freq(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->freq != y->freq) return x->freq < y->freq ? 1 : -1;
    return strcmp(x->word, y->word);
}

#define MAX_SPELLINGS 16

/* The Danish spellings a folded prefix may stand for: o → ø, a → å/æ, aa → å, ae → æ,
 * oe → ø, each position independently; the typed form first. Returns how many. */
static size_t unfold(const char *low, size_t len, char out[][ARK_MAX_TERM + 1]) {
    size_t n = 1;
    memcpy(out[0], low, len);
    out[0][len] = '\0';
    for (size_t k = 0; k < n && n < MAX_SPELLINGS; k++) {
        const char *w = out[k];
        size_t wl = strlen(w);
        for (size_t i = 0; i < wl && n < MAX_SPELLINGS; i++) {
            static const struct { const char *from, *to; } rules[] = {
                {"aa", "\xc3\xa5"}, {"ae", "\xc3\xa6"}, {"oe", "\xc3\xb8"},
                {"o", "\xc3\xb8"},  {"a", "\xc3\xa5"},  {"a", "\xc3\xa6"},
            };
            for (size_t r = 0; r < sizeof rules / sizeof rules[0] && n < MAX_SPELLINGS; r++) {
                size_t fl = strlen(rules[r].from), tl = strlen(rules[r].to);
                if (strncmp(w + i, rules[r].from, fl) != 0 || wl - fl + tl > ARK_MAX_TERM)
                    continue;
                char alt[ARK_MAX_TERM + 1];
                memcpy(alt, w, i);
                memcpy(alt + i, rules[r].to, tl);
                memcpy(alt + i + tl, w + i + fl, wl - i - fl + 1);
                int dup = 0;
                for (size_t j = 0; j < n && !dup; j++) dup = strcmp(out[j], alt) == 0;
                if (!dup) memcpy(out[n++], alt, strlen(alt) + 1);
            }
        }
    }
    return n;
}

int ark_suggest(ark_engine *e, const char *q, size_t max, char ***out, size_t *n,
                ark_err *err) {
    *out = NULL;
    *n = 0;
    size_t qlen = strlen(q);
    while (qlen && (q[qlen - 1] == ' ')) qlen--;
    size_t ws = qlen;
    while (ws > 0 && q[ws - 1] != ' ') ws--;
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(q + ws, qlen - ws, low, sizeof low);
    if (ln == 0 || max == 0) return 0;
    cand_list *l = calloc(1, sizeof *l);
    if (!l) return ark_err_set(err, ARK_ENOMEM, "suggest");
    /* Folding: someone without æøå types "kob" for "køb…"; each spelling the prefix may
     * stand for is scanned (bounded: at most MAX_SPELLINGS prefixes). */
    char variants[MAX_SPELLINGS][ARK_MAX_TERM + 1];
    size_t nv = unfold(low, ln, variants);
    int rc = 0;
    for (size_t v = 0; rc == 0 && v < nv; v++) {
        l->seen = 0;
        rc = ark_rdb_terms(e->db, variants[v], collect_cand, l, err);
    }
    if (rc == 0 && l->n) {
        qsort(l->v, l->n, sizeof l->v[0], by_word);
        size_t kept = 0;
        for (size_t i = 0; i < l->n; i++) {
            if (kept && strcmp(l->v[kept - 1].word, l->v[i].word) == 0) {
                if (l->v[i].freq > l->v[kept - 1].freq) l->v[kept - 1].freq = l->v[i].freq;
                free(l->v[i].word);
                continue;
            }
            l->v[kept++] = l->v[i];
        }
        l->n = kept;
        qsort(l->v, l->n, sizeof l->v[0], by_freq);
        size_t k = l->n < max ? l->n : max;
        *out = calloc(k, sizeof **out);
        if (!*out) rc = ark_err_set(err, ARK_ENOMEM, "suggest");
        for (size_t i = 0; rc == 0 && i < k; i++) {
            size_t wl = strlen(l->v[i].word);
            char *s = malloc(ws + wl + 1);
            if (!s) { rc = ark_err_set(err, ARK_ENOMEM, "suggest"); break; }
            memcpy(s, q, ws);
            memcpy(s + ws, l->v[i].word, wl + 1);
            (*out)[(*n)++] = s;
        }
    }
    for (size_t i = 0; i < l->n; i++) free(l->v[i].word);
    free(l);
    if (rc) {
        ark_strings_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void ark_strings_free(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}
