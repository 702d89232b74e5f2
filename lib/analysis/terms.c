/* lib/analysis/terms.c: the index terms of a token.
 * Owns: ark_an_forms, the one producer of a word's forms (exact, stem, folded form and
 * folded stem, the stems of its compound parts) for the indexer and the query side, and
 * ark_an_terms, the one place that says which of them (with the prefixes of schema.h) a
 * token of each kind puts into the index, deduplicated at one position; and
 * ark_an_term_spans, the same terms with the bytes of the token each stands for (the
 * highlighter marks a compound's part, not the whole word).
 * Not here: token boundaries (tok.c), lowercasing and folding (fold.c), stems (stem.c),
 * compound parts (compound.c), Xapian (index.h).
 * Why: the indexer writes these terms, and a query word (lib/search/qword.c) must ask
 * for the same forms the index holds, so a change to how a form is made is made here. */
#include "an_int.h"

#include <utf8proc.h>

#include "arkivar/schema.h"

#define SEEN_MAX 48

/* One token's terms, deduplicated: the same term twice at one position only adds
 * weight that the text does not have ("co2" and "Zco2" are two terms, "6" and "6" one). */
typedef struct emitter {
    ark_term_fn fn;
    ark_span_fn sfn; /* instead of fn: ark_an_term_spans */
    void *user;
    uint32_t pos;
    int exact_counted;     /* the exact form emitted now carries no position */
    size_t at, end;        /* the bytes of the lowercase form the next terms stand for */
    const uint32_t *map;   /* lowercase offset -> token offset (sfn only); NULL: whole token */
    size_t tok_len;
    size_t nseen;
    uint32_t seen_h[SEEN_MAX];
    uint8_t seen_len[SEEN_MAX];
    char seen[SEEN_MAX][ARK_MAX_TERM];
} emitter;

static void emit(emitter *e, char prefix, const char *s, size_t len) {
    char t[ARK_MAX_TERM + 1];
    size_t o = 0;
    if (prefix) t[o++] = prefix;
    len = ark_utf8_cut(s, len, ARK_MAX_TERM - o);
    if (len == 0) return;
    memcpy(t + o, s, len);
    o += len;
    t[o] = '\0';
    uint32_t h = ark_fnv(t, o);
    for (size_t i = 0; i < e->nseen; i++)
        if (e->seen_h[i] == h && e->seen_len[i] == o && memcmp(e->seen[i], t, o) == 0) return;
    if (e->nseen < SEEN_MAX) {
        e->seen_h[e->nseen] = h;
        e->seen_len[e->nseen] = (uint8_t)o;
        memcpy(e->seen[e->nseen], t, o);
        e->nseen++;
    }
    if (!e->sfn) {
        int counted = prefix == ARK_PFX_FOLD || prefix == ARK_PFX_PART || (!prefix && e->exact_counted);
        e->fn(t, o, counted ? ARK_NOPOS : e->pos, e->user);
        return;
    }
    size_t a = e->map ? e->map[e->at] : 0, b = e->map ? e->map[e->end] : e->tok_len;
    e->sfn(t, o, a, b, e->user);
}

/* The next terms stand for low[at, end) (offsets in the token's whole lowercase form). */
static void span(emitter *e, size_t at, size_t end) {
    e->at = at;
    e->end = end;
}

static void emit_stem(ark_an *an, emitter *e, char prefix, const char *s, size_t len) {
    char st[ARK_MAX_TERM + 1];
    size_t n = ark_an_stem(an, s, len, st, sizeof st);
    emit(e, prefix, st, n);
}

static int has_letter(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z')) return 1;
    }
    return 0;
}

/* The fold is of the stem as well as of the word, so that a user without æøå meets every
 * inflection ("okonomiudvalg" → Fokonomiudvalg ← "Økonomiudvalget"), and the folded word
 * as typed ("aarligt" meets "årligt", not every "år"). */
/* f->lemma_stem: the stem of head[0, hn) + lemma[0, ln), kept when it differs from the
 * word's own stem. */
static void set_lemma(ark_an *an, ark_forms *f, const char *head, size_t hn,
                      const char *lemma, size_t ln) {
    char whole[ARK_MAX_TERM + 1];
    if (hn + ln > ARK_MAX_TERM) return;
    memcpy(whole, head, hn);
    memcpy(whole + hn, lemma, ln);
    f->lemma_stem_len = ark_an_stem(an, whole, hn + ln, f->lemma_stem, sizeof f->lemma_stem);
    if (f->lemma_stem_len == f->stem_len && memcmp(f->lemma_stem, f->stem, f->stem_len) == 0)
        f->lemma_stem_len = 0;
    f->lemma_stem[f->lemma_stem_len] = '\0';
}

void ark_an_forms(ark_an *an, const char *lower, size_t len, unsigned what, ark_forms *out) {
    ark_forms *f = out;
    f->exact_len = ark_utf8_cut(lower, len, ARK_MAX_TERM);
    memcpy(f->exact, lower, f->exact_len);
    f->exact[f->exact_len] = '\0';
    const char *w = f->exact;
    size_t n = f->exact_len;
    f->letters = has_letter(w, n);
    f->stem_len = ark_an_stem(an, w, n, f->stem, sizeof f->stem);
    f->fold_len = ark_fold(w, n, f->fold, sizeof f->fold);
    f->folds = f->fold_len != n || memcmp(f->fold, w, n) != 0;
    f->fold_stem_len = ark_fold(f->stem, f->stem_len, f->fold_stem, sizeof f->fold_stem);
    f->nparts = 0;
    f->lemma_stem_len = 0;
    f->lemma_stem[0] = '\0';
    if (!f->letters) return; /* no letters: never a compound, no lemma */
    size_t ll = 0;
    const char *lemma = ark_lemma_of(w, n, &ll);
    if (lemma) set_lemma(an, f, "", 0, lemma, ll);
    if (!(what & ARK_FORMS_PARTS)) return;
    uint8_t cut[ARK_SPLIT_MAX][2];
    size_t np = an ? ark_split_cuts(an, w, n, cut, ARK_FORMS_MAX_PARTS) : 0;
    for (size_t i = 0; i < np; i++) {
        f->part_at[i][0] = cut[i][0];
        f->part_at[i][1] = cut[i][1];
        f->part_len[i] = ark_an_stem(an, w + cut[i][0], (size_t)(cut[i][1] - cut[i][0]),
                                     f->parts[i], sizeof f->parts[i]);
    }
    f->nparts = np;
    /* the last part as written: w[cut[np - 1][0], n), the word's end */
    size_t last = np ? n - cut[np - 1][0] : 0;
    if (!lemma && np >= 2 && last < n && cut[np - 1][1] == n &&
        (lemma = ark_lemma_of(w + n - last, last, &ll)))
        set_lemma(an, f, w, n - last, lemma, ll);
}

int ark_an_exact_counted(ark_tok_kind kind, const ark_forms *f) {
    return kind != ARK_TOK_NUMBER && kind != ARK_TOK_EMAIL && kind != ARK_TOK_URL && f->letters &&
           !ark_an_is_stopword(f->exact, f->exact_len);
}

/* exact, Z stem, F folded form and folded stem (when folding changes the word), P parts
 * of a lowercase word (of a word-like token: WORD, ACRONYM, ALNUM), which stands at
 * offset at of the token's lowercase form. */
static void word_terms(ark_an *an, emitter *e, const char *low, size_t at, size_t len, int parts) {
    ark_forms f;
    ark_an_forms(an, low + at, len, parts ? ARK_FORMS_PARTS : 0, &f);
    span(e, at, at + f.exact_len);
    e->exact_counted = ark_an_exact_counted(ARK_TOK_WORD, &f);
    emit(e, 0, f.exact, f.exact_len);
    e->exact_counted = 0;
    if (!f.letters) return; /* "6" in "6-by-samarbejde": no stem, no fold */
    emit(e, ARK_PFX_STEM, f.stem, f.stem_len);
    if (f.lemma_stem_len) emit(e, ARK_PFX_STEM, f.lemma_stem, f.lemma_stem_len); /* regler → regel */
    if (f.folds) {
        emit(e, ARK_PFX_FOLD, f.fold, f.fold_len);
        emit(e, ARK_PFX_FOLD, f.fold_stem, f.fold_stem_len);
    }
    for (size_t i = 0; i < f.nparts; i++) {
        span(e, at + f.part_at[i][0], at + f.part_at[i][1]);
        emit(e, ARK_PFX_PART, f.parts[i], f.part_len[i]);
    }
}

/* Length of a hyphen (-, U+2010, U+2011) at s[i], else 0. */
static size_t hyphen_at(const char *s, size_t len, size_t i) {
    if (s[i] == '-') return 1;
    if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x90 || (unsigned char)s[i + 2] == 0x91))
        return 3;
    return 0;
}

static size_t apos_at(const char *s, size_t len, size_t i) {
    if (s[i] == '\'') return 1;
    if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x99)
        return 3;
    return 0;
}

static void wordish_terms(ark_an *an, emitter *e, const char *low, size_t len) {
    size_t i, hy = 0;
    for (i = 0; i < len; i++)
        if (hyphen_at(low, len, i)) hy++;
    if (!hy) {
        word_terms(an, e, low, 0, len, 1);
        /* "ØU's", "KK’s": the genitive after an apostrophe also indexes the bare form */
        for (i = 0; i < len; i++) {
            if (apos_at(low, len, i)) {
                word_terms(an, e, low, 0, i, 0);
                break;
            }
        }
        return;
    }
    /* "EAT-skolemadsordningen": the whole, then every piece with its own compounds, so
     * "skolemadsordningen" and "skolemad" both reach it. */
    word_terms(an, e, low, 0, len, 0);
    size_t s = 0;
    for (i = 0; i <= len;) {
        size_t hl = i < len ? hyphen_at(low, len, i) : 1;
        if (!hl) {
            i++;
            continue;
        }
        if (i > s) word_terms(an, e, low, s, i - s, 1);
        i += hl;
        s = i;
    }
}

static int is_alnum_cp(int32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) || c == UTF8PROC_CATEGORY_ND;
}

/* P terms of the word pieces of an e-mail address or URL: "kk", "dk", "borgerservice". */
static void piece_terms(ark_an *an, emitter *e, const char *low, size_t len) {
    const unsigned char *u = (const unsigned char *)low;
    size_t i = 0, s = 0;
    int in = 0;
    while (i <= len) {
        utf8proc_int32_t cp = 0;
        size_t n = 1;
        if (i < len) {
            utf8proc_ssize_t r = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
            if (r < 1) cp = -1;
            else n = (size_t)r;
        }
        int a = i < len && cp >= 0 && is_alnum_cp(cp);
        if (a && !in) {
            s = i;
            in = 1;
        } else if (!a && in) {
            size_t pl = i - s;
            in = 0;
            if (!((pl == 4 && !memcmp(low + s, "http", 4)) ||
                  (pl == 5 && !memcmp(low + s, "https", 5)) ||
                  (pl == 3 && !memcmp(low + s, "www", 3)))) {
                span(e, s, i);
                emit_stem(an, e, ARK_PFX_PART, low + s, pl);
            }
        }
        i += n;
    }
}

size_t ark_number_canon(const char *low, size_t n, char *out, size_t cap) {
    size_t seps = 0, dots = 0, commas = 0, last = 0;
    int bad = n == 0 || low[0] < '0' || low[0] > '9' || low[n - 1] < '0' || low[n - 1] > '9';
    for (size_t i = 0; !bad && i < n; i++) {
        char c = low[i];
        if (c == '.' || c == ',') {
            bad = low[i + 1] < '0' || low[i + 1] > '9'; /* "1..5": no number */
            seps++;
            dots += c == '.';
            commas += c == ',';
            last = i;
        } else bad = c < '0' || c > '9';
    }
    if (bad || seps == 0 || n + 1 > cap) return 0;
    /* Which separator is the decimal one, if any: the last, when both kinds occur or a
     * lone one is not followed by exactly three digits; none when every group after a
     * separator of the one kind has three digits (thousands). */
    int groups3 = 1;
    for (size_t i = 0; i < n; i++)
        if (low[i] == '.' || low[i] == ',') {
            size_t k = i + 1;
            while (k < n && low[k] >= '0' && low[k] <= '9') k++;
            groups3 &= k - i - 1 == 3;
        }
    size_t dec = (size_t)-1;
    if (dots && commas) dec = last;
    else if (seps == 1 && (!groups3 || commas)) dec = last; /* "1,500" is 1.5 in Danish */
    else if (!groups3) return 0; /* "29.05.2019", "1.2.3": a date or a code */
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == dec) out[o++] = ',';
        else if (low[i] != '.' && low[i] != ',') out[o++] = low[i];
    }
    out[o] = '\0';
    return o == n && memcmp(out, low, n) == 0 ? 0 : o;
}

/* A case number "2026-0179043" (four digits, a dash, five to eight digits) is also
 * written without its dash, as some systems print it: "20260179043". */
static size_t case_joined(const char *low, size_t n, char *out) {
    if (n < 10 || n > 13 || low[4] != '-') return 0;
    for (size_t i = 0; i < n; i++)
        if (i != 4 && (low[i] < '0' || low[i] > '9')) return 0;
    memcpy(out, low, 4);
    memcpy(out + 4, low + 5, n - 5);
    out[n - 1] = '\0';
    return n - 1;
}

static void token_terms(ark_an *an, const ark_token *tok, emitter *e, const char *low, size_t ll) {
    span(e, 0, ll);
    switch (tok->kind) {
    case ARK_TOK_NUMBER: {
        emit(e, 0, low, ll);
        char canon[ARK_MAX_TERM + 1];
        size_t cl = ark_number_canon(low, ll, canon, sizeof canon);
        if (!cl) cl = case_joined(low, ll, canon);
        if (cl) emit(e, 0, canon, cl); /* "900.000" also as "900000" */
        /* "2026-0179043", "19/5", "09-06-2026": the pieces too, for a user who types
         * only the serial; "200.000" and "1,1" are one amount and are not cut. */
        int cutme = 0;
        for (size_t i = 0; i < ll; i++) cutme |= low[i] == '-' || low[i] == '/' || (unsigned char)low[i] >= 0x80;
        if (!cutme) break;
        size_t s = 0;
        for (size_t i = 0; i <= ll; i++) {
            int dig = i < ll && ((low[i] >= '0' && low[i] <= '9') || low[i] == '.' || low[i] == ',');
            if (dig) continue;
            if (i > s) {
                span(e, s, i);
                emit(e, ARK_PFX_PART, low + s, i - s);
            }
            s = i + 1;
        }
        break;
    }
    case ARK_TOK_EMAIL:
    case ARK_TOK_URL:
        emit(e, 0, low, ll);
        piece_terms(an, e, low, ll);
        break;
    case ARK_TOK_WORD:
    case ARK_TOK_ACRONYM:
    case ARK_TOK_ALNUM:
    default:
        wordish_terms(an, e, low, ll);
        break;
    }
}

void ark_an_terms(ark_an *an, const ark_token *tok, ark_term_fn fn, void *user) {
    if (!an || !tok || !fn || !tok->p) return;
    emitter e;
    e.fn = fn;
    e.sfn = NULL;
    e.user = user;
    e.pos = tok->pos;
    e.exact_counted = 0;
    e.nseen = 0;
    e.map = NULL;
    e.tok_len = tok->len;
    char low[ARK_MAX_TERM + 1];
    size_t ll = ark_lower(tok->p, tok->len, low, sizeof low);
    if (!ll) return;
    token_terms(an, tok, &e, low, ll);
}

void ark_an_term_spans(ark_an *an, const ark_token *tok, ark_span_fn fn, void *user) {
    if (!an || !tok || !fn || !tok->p) return;
    emitter e;
    e.fn = NULL;
    e.sfn = fn;
    e.user = user;
    e.pos = tok->pos;
    e.exact_counted = 0;
    e.nseen = 0;
    e.tok_len = tok->len;
    char low[ARK_MAX_TERM + 1];
    uint32_t map[ARK_MAX_TERM + 1];
    size_t ll = ark_lower(tok->p, tok->len, low, sizeof low);
    if (!ll) return;
    e.map = ark_lower_map(tok->p, tok->len, low, ll, map) ? map : NULL;
    token_terms(an, tok, &e, low, ll);
}

/* ---- written forms ------------------------------------------------------------------ */

/* Length of an apostrophe in the original text at s[i] (the ones ark_lower makes '). */
static size_t orig_apos_at(const unsigned char *s, size_t len, size_t i) {
    if (s[i] == '\'') return 1;
    if (i + 2 < len && s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0x98 || s[i + 2] == 0x99))
        return 3;
    if (i + 1 < len && ((s[i] == 0xCA && s[i + 1] == 0xBC) || (s[i] == 0xC2 && s[i + 1] == 0xB4)))
        return 2;
    return 0;
}

typedef struct written {
    ark_term_fn fn;
    void *user;
    uint32_t pos;
    size_t nseen;
    uint32_t seen[16];
} written;

/* Does a sentence (or a heading, a list item) start at text[at]? What comes before,
 * past spaces, opening quotes and bullets, is nothing or . ! ? : */
static int sentence_start(const char *text, size_t at) {
    const unsigned char *u = (const unsigned char *)text;
    size_t i = at, steps = 0;
    while (i > 0 && steps++ < 24) {
        unsigned char c = u[i - 1];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '(' ||
            c == '[' || c == '\'' || c == '*' || c == '-') {
            i--;
            continue;
        }
        if (c >= 0x80) { /* a quote, a dash, a bullet, a no-break space: one character back */
            size_t k = i - 1;
            while (k > 0 && (u[k] & 0xC0) == 0x80) k--;
            static const char *const skip[] = {"\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x9e",
                                               "\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x93",
                                               "\xe2\x80\x94", "\xe2\x80\xa2", "\xe2\x97\x8f",
                                               "\xef\x82\xb7", "\xc2\xa0", "\xc2\xab", "\xc2\xbb"};
            int skipped = 0;
            for (size_t j = 0; j < sizeof skip / sizeof skip[0] && !skipped; j++)
                skipped = strlen(skip[j]) == i - k && memcmp(u + k, skip[j], i - k) == 0;
            if (!skipped) return 0;
            i = k;
            continue;
        }
        return c == '.' || c == '!' || c == '?' || c == ':';
    }
    return i == 0;
}

/* One W term for orig[0, len) (before_hyphen: a hyphen follows it), when the text
 * writes it otherwise than its exact term. A capital that only starts a sentence
 * ("Derfor", "Kommunen har") says nothing of the word's case: that form is written as
 * "" (unknown), neither capital nor lowercase; "ØKF" and "TechBBQ" at a sentence start
 * keep their case (initial). */
static void written_one(written *w, const char *orig, size_t len, int before_hyphen, int initial) {
    char low[ARK_MAX_TERM + 1], t[2 * ARK_MAX_TERM + 4];
    size_t ll = ark_lower(orig, len, low, sizeof low);
    if (!ll || !has_letter(low, ll)) return;
    if (!before_hyphen && ll == len && memcmp(low, orig, len) == 0) return; /* as its term */
    if (initial && len == ll) { /* Titlecase: only its first character differs */
        size_t n1 = 1;
        while (n1 < len && ((unsigned char)orig[n1] & 0xC0) == 0x80) n1++;
        if (memcmp(orig + n1, low + n1, len - n1) == 0 && memcmp(orig, low, n1) != 0) len = 0;
    }
    size_t n = 1 + ll + 1 + len + (size_t)before_hyphen;
    if (n > ARK_MAX_WRITTEN) return;
    t[0] = ARK_PFX_WRITTEN;
    memcpy(t + 1, low, ll);
    t[1 + ll] = ' ';
    memcpy(t + 2 + ll, orig, len);
    if (before_hyphen) t[n - 1] = '-';
    t[n] = '\0';
    uint32_t h = ark_fnv(t, n); /* once per token, as its exact term is */
    for (size_t i = 0; i < w->nseen; i++)
        if (w->seen[i] == h) return;
    if (w->nseen < sizeof w->seen / sizeof w->seen[0]) w->seen[w->nseen++] = h;
    w->fn(t, n, w->pos, w->user);
}

void ark_an_written(const ark_token *tok, const char *text, size_t text_len, ark_term_fn fn,
                    void *user) {
    if (!tok || !tok->p || !fn || !text || tok->start + tok->len > text_len) return;
    if (tok->kind != ARK_TOK_WORD && tok->kind != ARK_TOK_ACRONYM && tok->kind != ARK_TOK_ALNUM)
        return;
    written w = {fn, user, tok->pos, 0, {0}};
    const unsigned char *u = (const unsigned char *)tok->p;
    size_t len = tok->len, end = tok->start + len;
    /* a hanging hyphen: "Sundheds- og", "Klima-, Miljø-" */
    int hang = end < text_len && hyphen_at(text, text_len, end) > 0;
    size_t hy = 0;
    for (size_t i = 0; i < len; i++) hy += hyphen_at(tok->p, len, i) > 0;
    if (!hy) {
        int initial = sentence_start(text, tok->start);
        written_one(&w, tok->p, len, hang, initial);
        for (size_t i = 0; i < len; i++) {
            if (orig_apos_at(u, len, i)) { /* "ØU's": the bare form, as ark_an_terms has it */
                if (i) written_one(&w, tok->p, i, 0, initial);
                break;
            }
        }
        return;
    }
    /* "EAT-skolemadsordningen": each piece, every one but the last before a hyphen (the
     * whole is never completed: its term holds a hyphen) */
    int initial = sentence_start(text, tok->start);
    size_t s0 = 0;
    for (size_t i = 0; i <= len;) {
        size_t hl = i < len ? hyphen_at(tok->p, len, i) : 1;
        if (!hl) {
            i++;
            continue;
        }
        if (i > s0) written_one(&w, tok->p + s0, i - s0, i < len || hang, s0 == 0 && initial);
        i += hl;
        s0 = i;
    }
}

