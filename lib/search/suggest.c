/* lib/search/suggest.c: completions of a typed prefix (search.h, GET /api/suggest).
 * Owns: the words that complete the last word of the text typed so far: first those that
 * follow the words before it in the records ("Søren M" -> "Søren Magne"), then the most
 * frequent index words with the prefix, with the Danish spellings a folded prefix may
 * stand for; each shown as the records write it ("ØKF", "TechBBQ", "Søren"), and none
 * that is no word to complete (a number, "københavn1" of a footnote, a two-letter
 * fragment but for an acronym, a masked number, a head that only stands before a hyphen:
 * "Sundheds-").
 * Not here: "Mente du" (spell.c); the written forms are W terms (schema.h), made by
 * ark_an_written at index time.
 * Why bounded: the route answers on the server's connection threads at every keystroke
 * (issue 14: p99 under 2 ms at 100 MB), so each step reads a fixed amount: 20,000 terms
 * per spelling of the prefix, 32 passages of context, 4 x max candidates shown or
 * refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "arkivar/record.h"
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

/* What a term is made of: its characters, letters, digits, and whether anything else
 * (a hyphen, an apostrophe, the dots of an amount or an address) is in it. */
typedef struct shape {
    size_t chars, letters, digits;
    int other;
} shape;

static shape shape_of(const char *t, size_t len) {
    shape s = {0, 0, 0, 0};
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)t;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 1) {
            s.other = 1;
            break;
        }
        utf8proc_category_t c = utf8proc_category(cp);
        if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) s.letters++;
        else if (c == UTF8PROC_CATEGORY_ND) s.digits++;
        else if (!(c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME)) s.other = 1;
        s.chars++;
        i += (size_t)n;
    }
    return s;
}

/* A term that may be a completion at all: letters only, at least two. Digits glued to
 * letters are a footnote ("København1", "network2") as often as a code ("CO2", "F2"),
 * and the index cannot tell them apart; nobody completes a number. */
static int may_complete(const char *t, size_t len) {
    shape s = shape_of(t, len);
    return !s.other && !s.digits && s.letters >= 2 && !is_masked(t, len);
}

/* No lowercase letter in s: an acronym or a code as written ("ØU", "CO2", "F2"). */
static int all_capitals(const char *s) {
    const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
    size_t len = strlen(s);
    int letters = 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 1) return 0;
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_LL) return 0;
        letters += c == UTF8PROC_CATEGORY_LU;
        i += (size_t)n;
    }
    return letters > 0;
}

/* ---- How the records write a word ---------------------------------------------------- */

/* Danish writes its nouns in lowercase: a capital is a name, an acronym, a title, or
 * the start of a sentence (which the index does not count, ark_an_written). A word is
 * shown with its capitals when fewer than one in LOWER_SHARE of the passages that hold
 * it write it in lowercase ("København", "ØKF"); "kommune", capitalized in "Københavns
 * Kommune" in most of its passages, stays "kommune". Passages, not occurrences: a W term
 * is boolean, so that BM25's passage lengths never count it. */
#define LOWER_SHARE 10
#define MAX_FORMS 16

typedef struct forms {
    char *word; /* the exact term */
    size_t wl;
    uint64_t heads;   /* passages with it before a hyphen ("Sundheds- og") */
    uint64_t unknown; /* ... with a capital only because a sentence starts there */
    char form[MAX_FORMS][ARK_MAX_WRITTEN + 1];
    uint64_t count[MAX_FORMS];
    size_t n;
} forms;

static int collect_form(const char *t, size_t len, uint64_t tf, void *user) {
    forms *f = user;
    const char *w = t + 1 + f->wl + 1; /* past "W", the word, " " */
    size_t wl = len - (size_t)(w - t);
    if (wl && w[wl - 1] == '-') {
        f->heads += tf;
        wl--;
    }
    if (!wl) {
        f->unknown += tf;
        return 0;
    }
    if (wl == f->wl && memcmp(w, f->word, wl) == 0) return 0; /* lowercase, before a hyphen */
    for (size_t i = 0; i < f->n; i++)
        if (strlen(f->form[i]) == wl && memcmp(f->form[i], w, wl) == 0) {
            f->count[i] += tf;
            return 0;
        }
    if (f->n == MAX_FORMS) return 1; /* enough to know */
    memcpy(f->form[f->n], w, wl);
    f->form[f->n][wl] = '\0';
    f->count[f->n++] = tf;
    return 0;
}

/* The word as it is shown, into shown (cap bytes): the records' own form, or the term;
 * *junk is set when it is no word to complete. 0, or the index's error. */
static int written_form(ark_engine *e, const char *word, char *shown, size_t cap, int *junk,
                        ark_err *err) {
    forms f;
    size_t wl = strlen(word);
    char pfx[ARK_MAX_TERM + 3];
    uint64_t total = 0;
    *junk = 0;
    memset(&f, 0, sizeof f);
    f.word = (char *)word;
    f.wl = wl;
    pfx[0] = ARK_PFX_WRITTEN;
    memcpy(pfx + 1, word, wl);
    pfx[wl + 1] = ' ';
    pfx[wl + 2] = '\0';
    int rc = ark_engine_freq(e, word, &total, err);
    if (rc == 0) rc = ark_rdb_terms(e->db, pfx, collect_form, &f, err);
    if (rc) return rc;
    uint64_t caps = 0;
    size_t best = 0;
    for (size_t i = 0; i < f.n; i++) {
        caps += f.count[i];
        if (f.count[i] > f.count[best]) best = i;
    }
    /* lowercase: the passages no W term covers, and those written as the term before a
     * hyphen ("sundheds-"); a passage with two forms makes it an estimate */
    uint64_t lower = total > f.unknown + caps ? total - f.unknown - caps : 0;
    /* a suspended compound's head ("Sundheds- og Omsorgsforvaltningen"): before a hyphen
     * in three of four of its passages; "AI", "tech" also stand alone */
    if (total && f.heads * 4 >= total * 3) *junk = 1;
    const char *s = word;
    if (f.n && lower * LOWER_SHARE < lower + caps) s = f.form[best];
    size_t sl = strlen(s);
    if (sl >= cap) sl = cap - 1;
    memcpy(shown, s, sl);
    shown[sl] = '\0';
    /* two letters: an acronym ("ØU", "KK"), else a fragment ("bl", "kø") or a stop word */
    if (shape_of(word, wl).chars < 3 && !all_capitals(shown)) *junk = 1;
    return 0;
}

/* ---- The most frequent words with the prefix ----------------------------------------- */

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
    if (!may_complete(t, len)) return 0;
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

/* ---- The words that follow the words before it ---------------------------------------- */

/* "Søren M": the words with the prefix that directly follow "søren" in passages that
 * hold it (the records' own bigrams, and trigrams with the word before: "Teknik og M"
 * -> "Miljøforvaltningen"), counted over the first CTX_PASSAGES such passages of the
 * rarer of the two words before. A rare context is read whole; a common one is sampled,
 * and what commonly follows it shows in any sample. */
#define CTX_PASSAGES 32
#define CTX_BYTES 65536
#define CTX_MAX 64

#define CTX_FORMS 3

typedef struct ctx_cand {
    char word[ARK_MAX_TERM + 1];
    unsigned score; /* 1 a word after the previous word, 2 more after both words */
    char form[CTX_FORMS][ARK_MAX_TERM + 1]; /* as written there: "Københavns Kommune" */
    unsigned count[CTX_FORMS];
} ctx_cand;

typedef struct ctx {
    char prev[2][ARK_MAX_TERM + 1]; /* [0] the word before the prefix, [1] the one before it */
    int nprev;
    int fold;                       /* the typed words are ASCII: compare folded */
    char pfx[ARK_MAX_TERM * 2 + 1]; /* the prefix, folded when fold */
    size_t pfx_len;
    ctx_cand v[CTX_MAX];
    size_t n;
    size_t passages, bytes;
    ark_engine *e;
} ctx;

static int is_ascii(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return 0;
    return 1;
}

/* The key a token is compared by: its lowercase form, folded when the user typed ASCII
 * ("Soren M" meets "Søren Magne"). */
static size_t key_of(const ctx *c, const char *low, size_t ll, char *out, size_t cap) {
    if (c->fold && !is_ascii(low, ll)) return ark_fold(low, ll, out, cap);
    size_t n = ll < cap - 1 ? ll : cap - 1;
    memcpy(out, low, n);
    out[n] = '\0';
    return n;
}

static void ctx_note(ctx *c, const char *low, const char *as, size_t as_len, unsigned score) {
    ctx_cand *x = NULL;
    for (size_t i = 0; i < c->n && !x; i++)
        if (strcmp(c->v[i].word, low) == 0) x = &c->v[i];
    if (!x) {
        if (c->n == CTX_MAX) return;
        x = &c->v[c->n++];
        snprintf(x->word, sizeof x->word, "%s", low);
    }
    x->score += score;
    if (as_len > ARK_MAX_TERM) return;
    for (size_t i = 0; i < CTX_FORMS; i++) {
        if (!x->count[i]) {
            memcpy(x->form[i], as, as_len);
            x->form[i][as_len] = '\0';
        } else if (strlen(x->form[i]) != as_len || memcmp(x->form[i], as, as_len) != 0) {
            continue;
        }
        x->count[i]++;
        return;
    }
}

/* The form the context writes most, or NULL. */
static const char *ctx_form(const ctx_cand *x) {
    size_t best = 0;
    for (size_t i = 1; i < CTX_FORMS; i++)
        if (x->count[i] > x->count[best]) best = i;
    return x->count[best] ? x->form[best] : NULL;
}

static int ctx_passage(const char *data, size_t len, void *user) {
    ctx *c = user;
    ark_prec p;
    if (ark_prec_decode(data, len, &p, NULL, NULL) != 0) return 0;
    if (++c->passages > CTX_PASSAGES || (c->bytes += p.text_len) > CTX_BYTES) return 1;
    ark_tok t;
    ark_token tok;
    uint32_t next0 = UINT32_MAX, next1 = UINT32_MAX; /* the positions after prev[0], prev[1] */
    int tri = 0;                                      /* prev[0] came right after prev[1] */
    ark_tok_init(&t, p.text, p.text_len);
    while (ark_tok_next(&t, &tok)) {
        char low[ARK_MAX_TERM + 1], key[2 * ARK_MAX_TERM + 1];
        unsigned char c0 = (unsigned char)tok.p[0];
        /* most tokens are neither a word before the prefix nor a completion: they are
         * passed by their first letter, unlowered */
        if (c0 < 0x80) {
            char l0 = (char)(c0 >= 'A' && c0 <= 'Z' ? c0 + 32 : c0);
            if (l0 != c->prev[0][0] && (c->nprev < 2 || l0 != c->prev[1][0]) && l0 != c->pfx[0])
                continue;
        }
        size_t ll = ark_lower(tok.p, tok.len, low, sizeof low);
        size_t kl = key_of(c, low, ll, key, sizeof key);
        if (tok.pos == next0 && kl >= c->pfx_len && memcmp(key, c->pfx, c->pfx_len) == 0 &&
            (tok.kind == ARK_TOK_WORD || tok.kind == ARK_TOK_ACRONYM || tok.kind == ARK_TOK_ALNUM))
            ctx_note(c, low, tok.p, tok.len, tri ? 3 : 1);
        int is0 = strcmp(key, c->prev[0]) == 0, is1 = c->nprev == 2 && strcmp(key, c->prev[1]) == 0;
        if (is0) {
            tri = tok.pos == next1;
            next0 = tok.pos + 1;
        }
        if (is1) next1 = tok.pos + 1;
    }
    return 0;
}

static int by_score(const void *a, const void *b) {
    const ctx_cand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return strcmp(x->word, y->word);
}

/* The completions in the context of the words q[0, ws) before the prefix low[0, ln),
 * best first, into c. 0, or the index's error. */
static int context_words(ark_engine *e, const char *q, size_t ws, const char *low, size_t ln,
                         ctx *c, ark_err *err) {
    char words[2][ARK_MAX_TERM + 1];
    size_t wl[2] = {0, 0};
    int nw = 0;
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, q, ws);
    while (ark_tok_next(&t, &tok)) { /* the last two tokens: words[0] the last */
        if (tok.kind == ARK_TOK_EMAIL || tok.kind == ARK_TOK_URL) continue;
        memcpy(words[1], words[0], sizeof words[0]);
        wl[1] = wl[0];
        wl[0] = ark_lower(tok.p, tok.len, words[0], sizeof words[0]);
        nw += nw < 2;
    }
    if (!nw) return 0;
    c->e = e;
    c->fold = is_ascii(q, ws) && is_ascii(low, ln);
    c->nprev = nw;
    for (int i = 0; i < nw; i++) key_of(c, words[i], wl[i], c->prev[i], sizeof c->prev[i]);
    c->pfx_len = key_of(c, low, ln, c->pfx, sizeof c->pfx);
    /* read the passages of the rarer word: fewer to read, and more telling */
    char term[ARK_MAX_TERM * 2 + 2], best[ARK_MAX_TERM * 2 + 2] = "";
    uint64_t best_tf = 0;
    for (int i = 0; i < nw; i++) {
        uint64_t tf = 0;
        snprintf(term, sizeof term, "%s", words[i]);
        int rc = ark_rdb_termfreq(e->db, term, strlen(term), &tf, err);
        if (rc == 0 && tf == 0 && c->fold) { /* "soren": the index's folded "Fsoren" */
            term[0] = ARK_PFX_FOLD;
            ark_fold(words[i], wl[i], term + 1, sizeof term - 1);
            rc = ark_rdb_termfreq(e->db, term, strlen(term), &tf, err);
        }
        if (rc) return rc;
        if (tf && (!best_tf || tf < best_tf)) {
            best_tf = tf;
            memcpy(best, term, sizeof best);
        }
    }
    if (!best_tf) return 0;
    int rc = ark_rdb_each_with_term(e->db, best, strlen(best), ctx_passage, c, err);
    if (rc == 0 && c->n) qsort(c->v, c->n, sizeof c->v[0], by_score);
    return rc;
}

/* ---- The answer --------------------------------------------------------------------- */

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
    ctx *c = calloc(1, sizeof *c);
    char **shown_words = calloc(max, sizeof *shown_words); /* the terms taken, for repeats */
    int rc = 0;
    if (!l || !c || !shown_words || !(*out = calloc(max, sizeof **out))) {
        rc = ark_err_set(err, ARK_ENOMEM, "suggest");
        goto done;
    }
    /* Folding: someone without æøå types "kob" for "køb…"; each spelling the prefix may
     * stand for is scanned (bounded: at most MAX_SPELLINGS prefixes). */
    char variants[MAX_SPELLINGS][ARK_MAX_TERM + 1];
    size_t nv = unfold(low, ln, variants);
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
    }
    if (rc == 0 && ws > 0) rc = context_words(e, q, ws, low, ln, c, err);
    /* The context's words first, then the most frequent; each shown as written, or
     * refused, at most 4 x max of them looked up. */
    size_t looked = 0;
    for (size_t i = 0; rc == 0 && i < c->n + l->n && *n < max && looked < 4 * max; i++) {
        const char *w = i < c->n ? c->v[i].word : l->v[i - c->n].word;
        size_t wl = strlen(w);
        int dup = 0, junk = 0;
        for (size_t k = 0; k < *n && !dup; k++) dup = strcmp(shown_words[k], w) == 0;
        if (dup || !may_complete(w, wl)) continue;
        char shown[ARK_MAX_WRITTEN + 1];
        looked++;
        if ((rc = written_form(e, w, shown, sizeof shown, &junk, err)) || junk) continue;
        /* after the words typed before it, the word as the records write it there */
        const char *there = i < c->n ? ctx_form(&c->v[i]) : NULL;
        if (there) snprintf(shown, sizeof shown, "%s", there);
        size_t sl = strlen(shown);
        char *s = malloc(ws + sl + 1);
        if (!s || !(shown_words[*n] = strdup(w))) {
            free(s);
            rc = ark_err_set(err, ARK_ENOMEM, "suggest");
            break;
        }
        memcpy(s, q, ws);
        memcpy(s + ws, shown, sl + 1);
        (*out)[(*n)++] = s;
    }
done:
    for (size_t i = 0; l && i < l->n; i++) free(l->v[i].word);
    free(l);
    free(c);
    for (size_t i = 0; shown_words && i < max; i++) free(shown_words[i]);
    free(shown_words);
    if (rc || !*n) {
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
