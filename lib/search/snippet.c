/* lib/search/snippet.c: snippet windows and highlight offsets. See snippet.h. */
#include "snippet.h"

#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"

typedef struct match {
    uint32_t start, end;
    uint32_t mask; /* which query words (bit i = w[i]) this token matches */
    uint32_t pos;  /* token position */
} match;

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

/* All matching tokens of text, in order. *out malloc'ed. */
static int find_matches(ark_an *an, const char *text, size_t len, const ark_qword *w,
                        size_t nw, match **out, size_t *n) {
    size_t cap = 16;
    match *m = malloc(cap * sizeof *m);
    if (!m) return ARK_ENOMEM;
    *n = 0;
    ark_tok t;
    ark_token tok;
    ark_tokterms tt;
    int only_stop = 1; /* a query of stop words alone still marks them */
    for (size_t i = 0; i < nw; i++) only_stop &= w[i].stop;
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) {
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
        uint32_t maybe = 0, mask = 0;
        for (size_t i = 0; i < nw && i < 32; i++)
            if ((only_stop || !w[i].stop) && ark_qword_may_match(&w[i], low, fold))
                maybe |= 1u << i;
        if (!maybe) continue;
        ark_tokterms_of(an, &tok, &tt);
        for (size_t i = 0; i < nw && i < 32; i++)
            if ((maybe >> i & 1) && ark_qword_matches(&w[i], &tt)) mask |= 1u << i;
        if (!mask) continue;
        if (*n == cap) {
            cap *= 2;
            match *mm = realloc(m, cap * sizeof *m);
            if (!mm) { free(m); return ARK_ENOMEM; }
            m = mm;
        }
        m[(*n)++] = (match){(uint32_t)tok.start, (uint32_t)(tok.start + tok.len), mask, tok.pos};
    }
    keep_whole_phrases(w, nw, m, n);
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
                     size_t target, ark_snip *out) {
    match *m = NULL;
    size_t nm = 0;
    memset(out, 0, sizeof *out);
    int rc = find_matches(an, text, len, w, nw, &m, &nm);
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
    *best = *distinct = 0;
    int rc = find_matches(an, text, len, w, nw, &m, &nm);
    if (rc) return rc;
    uint32_t all = 0;
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
