/* lib/search/spell.c: the words the index knows, offered back (engine.h, search.h).
 * Owns: "Mente du" (each unknown word of a query replaced by Xapian's spelling
 * suggestion from the index's own vocabulary) and completions of a typed prefix, with
 * the Danish spellings a folded prefix may stand for.
 * Not here: the rerun with the correction (search.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/schema.h"
#include "engine.h"

/* Xapian's spelling suggestion for one token as typed, when the index knows the token
 * in no form (exact, stem, folded, as a compound part); NULL otherwise. Only words are
 * corrected: numbers, amounts, acronyms ("KFF"), codes and hyphenated words never are.
 * *real is cleared when the token is not a Danish word either; fail is filled when a
 * lookup failed. */
static char *correct_token(ark_engine *e, const ark_token *tok, int *real, ark_err *fail) {
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(tok->p, tok->len, low, sizeof low);
    if (tok->kind != ARK_TOK_WORD || ln < 3 || memchr(low, '-', ln) || memchr(low, '\'', ln))
        return NULL;
    ark_qword w;
    ark_token lt = {low, ln, 0, ARK_TOK_WORD, 0};
    ark_qword_init(&w, e->an, &lt, 0);
    const char *forms[] = {w.exact, w.stem, w.fold, w.part};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        uint64_t f = 0;
        if (!forms[i][0]) continue;
        if (ark_engine_freq(e, forms[i], &f, fail) || f) return NULL; /* failed, or known */
    }
    char *sugg = NULL;
    if (ark_rdb_spelling(e->db, low, ln, &sugg, fail) != 0 || !sugg || !*sugg) {
        free(sugg);
        return NULL;
    }
    /* "rød" is Danish even when no record says it: suggest "nød", never impose it */
    if (!ark_an_is_word(e->an, low, ln)) *real = 0;
    return sugg;
}

/* text with its unknown words corrected, or NULL when none is (or fail->code). The
 * bytes between the words stay as typed. */
static char *correct_text(ark_engine *e, const char *text, int *real, ark_err *fail) {
    ark_buf out = ARK_BUF_INIT;
    ark_tok t;
    ark_token tok;
    size_t at = 0, len = strlen(text);
    int changed = 0;
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) {
        char *sugg = correct_token(e, &tok, real, fail);
        if (!sugg) continue;
        if (ark_buf_append(&out, text + at, tok.start - at) || ark_buf_puts(&out, sugg))
            ark_err_set(fail, ARK_ENOMEM, "spelling");
        at = tok.start + tok.len;
        changed = 1;
        free(sugg);
    }
    if (changed && ark_buf_append(&out, text + at, len - at)) ark_err_set(fail, ARK_ENOMEM, "spelling");
    if (!changed || fail->code) {
        ark_buf_free(&out);
        return NULL;
    }
    return ark_buf_take(&out);
}

/* Correct the plain words of the tree in place: not a phrase (its words were chosen
 * as written), not a negated part (nobody wants a correction of what they excluded),
 * not prefixes or filters, never an operator (the parser has taken those out). */
static int correct_node(ark_engine *e, ark_qnode *n, int *real, ark_err *fail) {
    int changed = 0;
    if (n->negated) return 0;
    switch (n->kind) {
    case ARK_Q_WORD: {
        char *c = correct_text(e, n->text, real, fail);
        if (c) {
            free(n->text);
            n->text = c;
            changed = 1;
        }
        break;
    }
    case ARK_Q_AND:
    case ARK_Q_OR:
        for (size_t i = 0; i < n->nkids; i++) changed |= correct_node(e, n->kids[i], real, fail);
        break;
    default: break;
    }
    return changed;
}

/* "Mente du": the parsed query with each unknown word replaced by Xapian's spelling
 * suggestion from the index's own vocabulary, written back in query syntax. NULL when
 * every word is known or nothing better exists. */
char *ark_spelling_for(ark_engine *e, const char *q, int *all_real, ark_err *fail) {
    ark_qnode *tree = NULL;
    *all_real = 1;
    int rc = ark_query_parse(q, strlen(q), &tree, NULL);
    if (rc != 0) {
        if (rc == ARK_ENOMEM) ark_err_set(fail, rc, "spelling");
        return NULL;
    }
    char *out = NULL;
    if (correct_node(e, tree, all_real, fail) && !fail->code && !(out = ark_query_format(tree)))
        ark_err_set(fail, ARK_ENOMEM, "spelling");
    ark_qnode_free(tree);
    return out;
}

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
