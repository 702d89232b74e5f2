/* lib/search/snippet.c: snippet windows and highlight offsets. See snippet.h. */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"

typedef struct match {
    uint32_t start, end; /* the marked bytes: the token, or the part of it that matched */
    uint32_t mask; /* which query words (bit i = w[i]) this token matches */
    uint32_t pos;  /* token position */
    uint32_t h0, h1; /* its hits: hits[h0, h1) */
} match;

/* One token meeting one query word, before the passage decides what counts. */
enum { HIT_WORD, HIT_PART_P, HIT_PART_Z, HIT_GUESS };
typedef struct hit {
    uint32_t start, end; /* bytes of the text */
    uint32_t pos;
    uint8_t word, kind, part, ok;
} hit;

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* … */

/* A word of a quoted phrase counts only where the whole phrase stands: "Lab" alone in
 * "DOLL Living Lab" is not a match for "Copenhagen Solutions Lab". Matches are in token
 * order, so the phrase's next word, if present, is the next match at the next position. */
static void keep_whole_phrases(const ark_qword *w, size_t nw, match *m, size_t *n) {
    uint32_t phrase_bits = 0, keep_bits[64] = {0};
    size_t lim = nw < 32 ? nw : 32;
    for (size_t i = 0; i < lim; i++)
        if (w[i].phrase_id && w[i].phrase_len > 1) phrase_bits |= 1u << i;
    if (!phrase_bits) return;
    uint32_t *keep = *n <= 64 ? keep_bits : calloc(*n, sizeof *keep);
    if (!keep) return; /* out of memory: marks a little too much, nothing worse */
    for (size_t s = 0; s < *n; s++) {
        for (size_t i = 0; i < lim; i++) {
            if (!(phrase_bits >> i & 1) || w[i].phrase_idx != 0 || !(m[s].mask >> i & 1)) continue;
            /* one token may hold the whole phrase: "one-stop-shop" for "one stop shop" */
            uint32_t all = 0;
            for (size_t j = 0; j < lim; j++)
                if (w[j].phrase_id == w[i].phrase_id) all |= 1u << j;
            if ((m[s].mask & all) == all) {
                keep[s] |= all;
                continue;
            }
            /* word i starts phrase w[i].phrase_id here: follow it */
            size_t at = s;
            int len = w[i].phrase_len, got = 1;
            while (got < len) {
                size_t next = (size_t)-1;
                for (size_t j = 0; j < lim; j++)
                    if (w[j].phrase_id == w[i].phrase_id && w[j].phrase_idx == got) next = j;
                if (next == (size_t)-1 || at + 1 >= *n || m[at + 1].pos != m[at].pos + 1 ||
                    !(m[at + 1].mask >> next & 1))
                    break;
                at++;
                got++;
            }
            if (got < len) continue;
            for (size_t t = s, g = 0; t <= at; t++, g++) /* mark the run as kept */
                for (size_t j = 0; j < lim; j++)
                    if (w[j].phrase_id == w[i].phrase_id && w[j].phrase_idx == (int)g)
                        keep[t] |= 1u << j;
        }
    }
    size_t out = 0;
    for (size_t s = 0; s < *n; s++) {
        m[s].mask = (m[s].mask & ~phrase_bits) | (m[s].mask & keep[s]);
        if (m[s].mask) m[out++] = m[s];
    }
    *n = out;
    if (keep != keep_bits) free(keep);
}

/* A query of stop words alone: then they are what is matched and counted. */
static int only_stop_query(const ark_qword *w, size_t nw) {
    int only = 1;
    for (size_t i = 0; i < nw; i++) only &= w[i].stop || w[i].mark_only;
    return only;
}

typedef struct hits {
    hit *v;
    size_t n, cap;
} hits;

static int push(hits *h, hit x) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 32;
        hit *v = realloc(h->v, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = x;
    return 0;
}

/* The server's word list is not the indexer's: the indexer also learns the words of its
 * run ("street", "lab", "tech"), so the index may hold a compound part ("Pstreet" of
 * "StreetLab") that this analyzer cannot find. A token then qualifies as holding w as a
 * part when the piece around w's stem is a word this analyzer cannot split and does not
 * know, the stem starting it or after 3 bytes or more; the index then says whether the
 * passage holds the part (ark_snip_oracle), and only the stem is marked. Returns the
 * stem's offset in low, or -1. */
static long guess_part(ark_an *an, const ark_qword *w, const char *low, size_t ll) {
    const char *needle = w->need_raw;
    size_t nl = strlen(needle);
    const char *at = nl >= 3 ? strstr(low, needle) : NULL;
    if (!at) return -1;
    size_t k = (size_t)(at - low), a = k, b = k + nl;
    while (a > 0 && low[a - 1] != '-' && low[a - 1] != '\'') a--;
    while (b < ll && low[b] != '-' && low[b] != '\'') b++;
    if (b - a <= nl || (k > a && k - a < 3)) return -1;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)low[i];
        if (c < 0x80 && (c < 'a' || c > 'z')) return -1; /* a compound is letters */
    }
    char parts[2][ARK_MAX_TERM + 1];
    if (ark_an_is_word(an, low + a, b - a) || ark_an_split(an, low + a, b - a, parts, 2))
        return -1;
    return (long)k;
}

/* The byte pairs that begin the needles of the words the token loop looks at
 * (ark_qword_may_match): a token of plain ASCII without "aa" or "oe" (so it folds to
 * its own lowercase form) that holds none of the pairs holds no needle, meets no word,
 * and is passed over before it is lowercased: most tokens of a passage. A word whose
 * needle is shorter than a pair, or which has none, turns this off (returns 0). */
typedef struct pairs {
    uint64_t bit[16]; /* 1024 bits, by pair_at() */
} pairs;

static unsigned pair_at(unsigned char a, unsigned char b) { return ((unsigned)a * 31u + b) & 1023u; }

static unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int pair_add(pairs *p, const char *needle) {
    if (!needle[0] || !needle[1]) return 0;
    unsigned h = pair_at((unsigned char)needle[0], (unsigned char)needle[1]);
    p->bit[h >> 6] |= 1ull << (h & 63);
    return 1;
}

static int pairs_of(const ark_qword *w, size_t nw, int only_stop, pairs *p) {
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < nw; i++) {
        if (!(only_stop || !w[i].stop || w[i].phrase_len > 1)) continue; /* never looked at */
        if (!pair_add(p, w[i].need_raw)) return 0;
        for (size_t k = 0; k < w[i].nparts; k++)
            if (!pair_add(p, w[i].parts[k] + 1)) return 0;
        if ((w[i].alt[0] && !pair_add(p, w[i].alt)) || (w[i].need_lemma[0] && !pair_add(p, w[i].need_lemma)) ||
            (w[i].need_elided[0] && !pair_add(p, w[i].need_elided)) ||
            (w[i].need_fold[0] && !pair_add(p, w[i].need_fold)))
            return 0;
    }
    return 1;
}

/* 0 when tok is plain ASCII, folds to itself and holds none of p's pairs: no needle. */
static int may_hold(const pairs *p, const char *tok, size_t len) {
    const unsigned char *b = (const unsigned char *)tok;
    for (size_t k = 0; k < len; k++)
        if (b[k] >= 0x80) return 1;
    for (size_t k = 0; k + 1 < len; k++) {
        unsigned char x = ascii_lower(b[k]), y = ascii_lower(b[k + 1]);
        if ((x == 'a' && y == 'a') || (x == 'o' && y == 'e')) return 1;
        unsigned h = pair_at(x, y);
        if (p->bit[h >> 6] >> (h & 63) & 1) return 1;
    }
    return 0;
}

/* All matching tokens of text, in order, with their hits in *hl. *out malloc'ed.
 * For marks (for_cover 0), a word's own parts count across the passage and oracle
 * (may be NULL) confirms guessed parts. For the rerank's cover (for_cover 1), the
 * parts count only where one compound holds them all, as before the marks learned
 * parts: a passage with "klima" in one word and "plan" in another is a weak match of
 * "klimaplan", not a passage that holds the word (measured: tests/relevance fell 0.908
 * -> 0.907 overall, compound 0.947 -> 0.939, when the cover counted scattered parts). */
static int find_matches(ark_an *an, const char *text, size_t len, const ark_qword *w,
                        size_t nw, const ark_snip_oracle *oracle, int for_cover, match **out,
                        size_t *n, hits *hl) {
    size_t cap = 16;
    match *m = NULL;
    *n = 0;
    ark_tok t;
    ark_token tok;
    ark_tokterms tt;
    int only_stop = only_stop_query(w, nw); /* a query of stop words alone still marks them */
    if (nw > 32) nw = 32;
    pairs pr;
    int use_pairs = pairs_of(w, nw, only_stop, &pr);
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) {
        if (use_pairs && !may_hold(&pr, tok.p, tok.len)) continue;
        /* Cheap first: which words could match at all (ark_qword_may_match); most
         * tokens of a passage meet none, and their terms are never computed. */
        char low[ARK_MAX_TERM + 1], folded[2 * ARK_MAX_TERM + 1];
        size_t ll = ark_lower(tok.p, tok.len, low, sizeof low);
        const char *fold = low; /* ASCII without "aa" or "oe" folds to itself */
        for (size_t k = 0; k < ll; k++) {
            unsigned char c = (unsigned char)low[k];
            if (c >= 0x80 || (k + 1 < ll && ((c == 'a' && low[k + 1] == 'a') ||
                                            (c == 'o' && low[k + 1] == 'e')))) {
                ark_fold(low, ll, folded, sizeof folded);
                fold = folded;
                break;
            }
        }
        uint32_t maybe = 0;
        /* a stop word inside a phrase of several words counts there: "og" in
         * "Teknik- og Miljøforvaltningen", an acronym's expansion */
        for (size_t i = 0; i < nw; i++)
            if ((only_stop || !w[i].stop || w[i].phrase_len > 1) &&
                ark_qword_may_match(&w[i], low, fold))
                maybe |= 1u << i;
        if (!maybe) continue;
        ark_tokterms_of(an, &tok, &tt);
        for (size_t i = 0; i < nw; i++) {
            if (!(maybe >> i & 1)) continue;
            ark_qmeet q;
            int rc = 0;
            hit x = {0, 0, tok.pos, (uint8_t)i, HIT_WORD, 0, 0};
            if (!ark_qword_meet(&w[i], &tt, &q)) {
                long k;
                if (!oracle || w[i].prefix || w[i].in_phrase || w[i].stop || !w[i].part[0] ||
                    (k = guess_part(an, &w[i], low, ll)) < 0)
                    continue;
                uint32_t map[ARK_MAX_TERM + 1];
                size_t ke = (size_t)k + strlen(w[i].need_raw);
                int mapped = ark_lower_map(tok.p, tok.len, low, ll, map);
                x.kind = HIT_GUESS;
                x.start = (uint32_t)(tok.start + (mapped ? map[k] : 0));
                x.end = (uint32_t)(tok.start + (mapped ? map[ke] : tok.len));
                if (push(hl, x)) return ARK_ENOMEM;
                continue;
            }
            if (q.word) {
                x.start = (uint32_t)(tok.start + q.at[0]);
                x.end = (uint32_t)(tok.start + q.at[1]);
                rc = push(hl, x);
            }
            for (size_t p = 0; rc == 0 && p < w[i].nparts; p++) {
                if (!((q.part_p | q.part_z) >> p & 1)) continue;
                x.kind = (q.part_p >> p & 1) ? HIT_PART_P : HIT_PART_Z;
                x.part = (uint8_t)p;
                x.start = (uint32_t)(tok.start + q.part_at[p][0]);
                x.end = (uint32_t)(tok.start + q.part_at[p][1]);
                rc = push(hl, x);
            }
            if (rc) return ARK_ENOMEM;
        }
    }
    /* The passage decides: a word's own parts count where every part stands in it, all
     * as compound parts or all as words (the Xapian query's two ANDs), unless the word
     * itself stands in it; a guessed part counts when the index says the passage holds
     * it. */
    unsigned have_p[32] = {0}, have_z[32] = {0};
    int guessed[32] = {0}, whole[32] = {0};
    for (size_t k = 0; k < hl->n; k++) {
        hit *x = &hl->v[k];
        if (x->kind == HIT_WORD) whole[x->word] = 1;
        else if (x->kind == HIT_PART_P) have_p[x->word] |= 1u << x->part;
        else if (x->kind == HIT_PART_Z) have_z[x->word] |= 1u << x->part;
        else if (x->kind == HIT_GUESS) guessed[x->word] = 1;
    }
    for (size_t i = 0; i < nw; i++)
        if (guessed[i]) guessed[i] = oracle->has(oracle->user, w[i].part) ? 1 : -1;
    for (size_t k = 0; k < hl->n; k++) {
        hit *x = &hl->v[k];
        unsigned all = w[x->word].nparts ? (1u << w[x->word].nparts) - 1 : 0;
        /* where the word itself stands, its parts elsewhere are noise ("forvaltningen"
         * in Teknikforvaltningen for Økonomiforvaltningen) */
        int parts = !whole[x->word];
        x->ok = x->kind == HIT_WORD || (parts && x->kind == HIT_PART_P && have_p[x->word] == all) ||
                (parts && x->kind == HIT_PART_Z && have_z[x->word] == all) ||
                (x->kind == HIT_GUESS && guessed[x->word] == 1);
    }
    for (size_t k = 0; for_cover && k < hl->n;) { /* the parts of one compound only */
        size_t j = k;
        unsigned in_token[32] = {0};
        for (; j < hl->n && hl->v[j].pos == hl->v[k].pos; j++)
            if (hl->v[j].kind == HIT_PART_P) in_token[hl->v[j].word] |= 1u << hl->v[j].part;
        for (; k < j; k++) {
            hit *x = &hl->v[k];
            unsigned all = (1u << w[x->word].nparts) - 1;
            if (x->kind == HIT_PART_Z) x->ok = 0;
            else if (x->kind == HIT_PART_P) x->ok = in_token[x->word] == all;
        }
    }
    /* One match per token: the words it meets, the bytes they cover. */
    for (size_t k = 0; k < hl->n;) {
        size_t j = k;
        uint32_t mask = 0;
        while (j < hl->n && hl->v[j].pos == hl->v[k].pos) {
            if (hl->v[j].ok) mask |= 1u << hl->v[j].word;
            j++;
        }
        if (mask) {
            if (!m || *n == cap) {
                if (m) cap *= 2;
                match *mm = realloc(m, cap * sizeof *m);
                if (!mm) { free(m); return ARK_ENOMEM; }
                m = mm;
            }
            m[(*n)++] = (match){0, 0, mask, hl->v[k].pos, (uint32_t)k, (uint32_t)j};
        }
        k = j;
    }
    keep_whole_phrases(w, nw, m, n);
    /* the bytes of what is kept (a phrase's word may have been dropped from a token) */
    for (size_t i = 0; i < *n; i++) {
        int first = 1;
        for (uint32_t k = m[i].h0; k < m[i].h1; k++) {
            const hit *x = &hl->v[k];
            if (!x->ok || !(m[i].mask >> x->word & 1)) continue;
            if (first || x->start < m[i].start) m[i].start = x->start;
            if (first || x->end > m[i].end) m[i].end = x->end;
            first = 0;
        }
    }
    if (!m && !(m = malloc(sizeof *m))) return ARK_ENOMEM;
    *out = m;
    return 0;
}

static int popcount(uint32_t x) { return __builtin_popcount(x); }

/* Move a cut to a space so the snippet has whole words; never splits UTF-8
 * because the space is ASCII. dir < 0 looks left, > 0 right, within slack bytes. */
static size_t snap(const char *text, size_t len, size_t at, int dir, size_t slack) {
    if (at == 0 || at >= len) return at;
    for (size_t d = 0; d <= slack; d++) {
        size_t p = dir < 0 ? (at >= d ? at - d : 0) : at + d;
        if (p == 0 || p >= len) return p;
        if (text[p] == ' ') return dir < 0 ? p + 1 : p;
    }
    /* no space near: step to a character boundary at least */
    while (at < len && ((unsigned char)text[at] & 0xC0) == 0x80) at++;
    return at;
}

int ark_snippet_make(ark_an *an, const char *text, size_t len, const ark_qword *w, size_t nw,
                     size_t target, const ark_snip_oracle *oracle, ark_snip *out) {
    match *m = NULL;
    size_t nm = 0;
    hits hl = {0};
    memset(out, 0, sizeof *out);
    int rc = find_matches(an, text, len, w, nw, oracle, 0, &m, &nm, &hl);
    free(hl.v);
    if (rc) return rc;

    size_t from = 0, to = len;
    if (len > target) {
        /* Best window: most distinct query words, then most matches; it starts a little
         * before its first match so the reader sees what leads up to it. */
        size_t best = 0, best_score = 0;
        for (size_t i = 0; i < nm; i++) {
            uint32_t mask = 0;
            size_t count = 0;
            for (size_t j = i; j < nm && m[j].end - m[i].start <= target * 3 / 4; j++) {
                mask |= m[j].mask;
                count++;
            }
            size_t score = (size_t)popcount(mask) * 1000 + count;
            if (score > best_score) { best_score = score; best = i; }
        }
        size_t lead = target / 5;
        from = nm ? (m[best].start > lead ? m[best].start - lead : 0) : 0;
        /* start at a sentence start if one is close before the match */
        if (nm && from > 0) {
            for (size_t p = m[best].start; p > from + 1; p--)
                if (text[p - 1] == ' ' && (text[p - 2] == '.' || text[p - 2] == ':')) {
                    from = p;
                    break;
                }
        }
        from = snap(text, len, from, -1, 24);
        to = from + target < len ? from + target : len;
        if (to < len) to = snap(text, len, to, 1, 24);
        if (to >= len) { /* the window hit the end: use the room before instead */
            to = len;
            from = len > target ? snap(text, len, len - target, -1, 24) : 0;
            if (nm && from > m[best].start) from = snap(text, len, m[best].start, -1, 24);
        }
        while (to > from && text[to - 1] == ' ') to--;
    }

    size_t pre = from > 0 ? sizeof ELLIPSIS - 1 : 0, post = to < len ? sizeof ELLIPSIS - 1 : 0;
    out->len = pre + (to - from) + post;
    out->text = malloc(out->len + 1);
    out->hl = malloc((nm ? nm : 1) * sizeof *out->hl);
    if (!out->text || !out->hl) {
        free(m);
        ark_snip_free(out);
        return ARK_ENOMEM;
    }
    memcpy(out->text, ELLIPSIS, pre);
    memcpy(out->text + pre, text + from, to - from);
    memcpy(out->text + pre + (to - from), ELLIPSIS, post);
    out->text[out->len] = '\0';
    for (size_t i = 0; i < nm; i++) {
        if (m[i].start < from || m[i].end > to) continue;
        out->hl[out->nhl][0] = (uint32_t)(m[i].start - from + pre);
        out->hl[out->nhl][1] = (uint32_t)(m[i].end - from + pre);
        out->nhl++;
    }
    free(m);
    return 0;
}

int ark_snippet_cover(ark_an *an, const char *text, size_t len, const ark_qword *w, size_t nw,
                      uint32_t window, int *distinct, int *best) {
    match *m = NULL;
    size_t nm = 0;
    hits hl = {0};
    *best = *distinct = 0;
    int rc = find_matches(an, text, len, w, nw, NULL, 1, &m, &nm, &hl);
    free(hl.v);
    if (rc) return rc;
    uint32_t all = 0, counted = 0; /* what is only marked never counts, nor a stop word */
    for (size_t i = 0; i < nw && i < 32; i++)
        if (!w[i].mark_only && (!w[i].stop || only_stop_query(w, nw))) counted |= 1u << i;
    for (size_t i = 0; i < nm; i++) m[i].mask &= counted;
    /* two pointers over the matches: the window [m[i].pos, m[j].pos] of at most
     * `window` tokens with the most distinct query words */
    for (size_t i = 0, j = 0; i < nm; i++) {
        all |= m[i].mask;
        if (j < i) j = i;
        while (j + 1 < nm && m[j + 1].pos - m[i].pos < window) j++;
        uint32_t mask = 0;
        for (size_t k = i; k <= j; k++) mask |= m[k].mask;
        if (popcount(mask) > *best) *best = popcount(mask);
    }
    *distinct = popcount(all);
    free(m);
    return 0;
}

void ark_snip_free(ark_snip *s) {
    if (!s) return;
    free(s->text);
    free(s->hl);
    memset(s, 0, sizeof *s);
}
