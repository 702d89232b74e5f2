/* lib/text/cuts.c: what no passage's text holds, and the passages that run across it.
 * Owns: rule 0 of segment.c (running headers and footers of a paged source, found by
 *   their recurring shape) and rule 5b (a sentence interrupted by a block of case
 *   metadata is joined around it), the order of the cuts, and a passage's text and
 *   pages when a cut lies inside its range.
 * Not here: the other rules (segment.c), what a passage's words are (norm.c).
 * Why: a letterhead on every page is not text, and a sentence cut in two at a page
 *   break is found by neither half; the range of a joined passage still spans exactly
 *   the bytes a reader sees it in. */
#include "segment.h"

#include <string.h>

typedef struct fkey {
    uint64_t h;     /* the line's shape: lowercase, digits as '#', no spaces */
    size_t page, li;
} fkey;

static uint64_t line_shape(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    int digit = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        int d = c >= '0' && c <= '9';
        if (d && digit) continue; /* "Side 3 af 12" and "Side 4 af 12": one shape */
        digit = d;
        if (d) c = '#';
        if (c == ' ' || c == '\t') continue;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

static int fkey_cmp(const void *a, const void *b) {
    const fkey *x = a, *y = b;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return (x->page > y->page) - (x->page < y->page);
}

static int span_cmp(const void *a, const void *b) {
    const ark_span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

#define FURNITURE_ZONE 2   /* text lines at the top and at the bottom of a page */
#define FURNITURE_MAX 150  /* bytes: a longer line is text, not a header */

/* Rule 0, for paged sources of 3 pages or more: a line among the first or last
 * FURNITURE_ZONE text lines of its page whose shape recurs there on at least 3 pages and
 * half of them is a running header or footer (letterhead, "Side 3 af 12", a bare page
 * number). It becomes L_SKIP and a cut. */
int ark_seg_furniture(const unsigned char *b, const ark_source *src, line *L, size_t nL,
                      ark_span **C, size_t *nC, size_t *capC) {
    int rc = 0;
    fkey *K = NULL;
    size_t nK = 0, capK = 0, li = 0;
    for (size_t p = 0; p < src->npages; p++) {
        uint64_t pe = p + 1 < src->npages ? src->pages[p + 1].start : src->len;
        while (li < nL && L[li].s < src->pages[p].start) li++;
        size_t first = li, last = li, from = nK;
        while (last < nL && L[last].s < pe) last++;
        for (int end = 0; end < 2; end++)
            for (size_t k = 0, got = 0; k < last - first && got < FURNITURE_ZONE; k++) {
                size_t at = end ? last - 1 - k : first + k;
                if (L[at].kind != L_TEXT) continue;
                got++;
                int dup = 0;
                for (size_t q = from; q < nK; q++) dup |= K[q].li == at;
                if (dup || L[at].te - L[at].ts > FURNITURE_MAX) continue;
                fkey f = {line_shape(b + L[at].ts, L[at].te - L[at].ts), p, at};
                VEC_PUSH(K, nK, capK, f, rc, out);
            }
        li = last;
    }
    if (nK) qsort(K, nK, sizeof *K, fkey_cmp);
    for (size_t i = 0, j; i < nK; i = j) {
        size_t pages = 0;
        for (j = i; j < nK && K[j].h == K[i].h; j++) pages += j == i || K[j].page != K[j - 1].page;
        if (pages < 3 || pages * 2 < src->npages) continue;
        for (size_t k = i; k < j; k++) {
            L[K[k].li].kind = L_SKIP;
            ark_span c = {L[K[k].li].s, L[K[k].li].e};
            VEC_PUSH(*C, *nC, *capC, c, rc, out);
        }
    }
out:
    free(K);
    return rc;
}

/* Does unit u end a sentence's words mid-way: on a letter, not on punctuation? */
static int ends_in_word(const unsigned char *b, const unit *u) {
    unsigned char c = b[u->e - 1];
    return (c >= 'a' && c <= 'z') || c >= 0x80;
}

/* Could unit u be a piece of case metadata dropped into a paragraph: short, starting
 * with a capital or a digit, holding no sentence? */
static int debris_like(const unsigned char *b, const unit *u) {
    if (u->type != U_PARA || u->est >= 80) return 0;
    int32_t c;
    decode(b + u->s, u->e - u->s, &c);
    if (!is_upper(c) && !is_digit(c)) return 0;
    for (size_t i = u->s; i < u->e; i++)
        if (b[i] == '!' || b[i] == '?' || (b[i] == '.' && (i + 1 == u->e || b[i + 1] == ' ')))
            return 0;
    return 1;
}

/* Does b[s, e) hold a date ("09-06-2026", "9/6 2026" is not needed) or a case number
 * ("2026-0179043", "2026 - 11781")? What marks a block as case metadata. */
static int holds_case_metadata(const unsigned char *b, size_t s, size_t e) {
    for (size_t i = s; i < e; i++) {
        if (!is_digit(b[i]) || (i > s && is_digit(b[i - 1]))) continue;
        size_t j = i, d1 = 0, d2 = 0, d3 = 0;
        while (j < e && is_digit(b[j])) j++, d1++;
        size_t k = j;
        while (k < e && b[k] == ' ') k++;
        if (k >= e || (b[k] != '-' && b[k] != '.' && b[k] != '/')) continue;
        char sep = (char)b[k++];
        while (k < e && b[k] == ' ') k++;
        while (k < e && is_digit(b[k])) k++, d2++;
        if (d1 == 4 && sep == '-' && d2 >= 5 && d2 <= 8) return 1; /* a case number */
        if (d1 > 2 || d2 == 0 || d2 > 2 || k >= e || b[k] != sep) continue;
        for (k++; k < e && is_digit(b[k]); k++) d3++;
        if (d3 == 2 || d3 == 4) return 1; /* a date */
    }
    return 0;
}

#define DEBRIS_UNITS 8    /* at most this many metadata lines interrupt a sentence */
#define DEBRIS_BYTES 400

/* Rule 6b: a paragraph that stops mid-sentence (on a word), followed by up to
 * DEBRIS_UNITS short metadata units holding a date or a case number, followed by a
 * paragraph that starts in lowercase, is one sentence: the two paragraphs become one unit around a cut, and the metadata
 * units, marked islands, follow it. Returns the new number of units. */
size_t ark_seg_join_interrupted(const unsigned char *b, unit *U, size_t nU, ark_span **C,
                                size_t *nC, size_t *capC, int *rcp) {
    int rc = 0;
    for (size_t k = 0; k + 2 < nU; k++) {
        unit *a = &U[k];
        if (a->type != U_PARA || a->island || a->est < 40 || !ends_in_word(b, a)) continue;
        size_t m = k + 1, tot = 0;
        while (m < nU && m - k - 1 < DEBRIS_UNITS && debris_like(b, &U[m])) tot += U[m++].est;
        if (m == k + 1 || m >= nU || tot > DEBRIS_BYTES || U[m].type != U_PARA ||
            !holds_case_metadata(b, U[k + 1].s, U[m - 1].e))
            continue;
        int32_t c;
        decode(b + U[m].s, U[m].e - U[m].s, &c);
        if (!is_lower(c)) continue;
        ark_span cut = {a->e, U[m].s};
        VEC_PUSH(*C, *nC, *capC, cut, rc, out);
        a->e = U[m].e;
        a->est += U[m].est + 1;
        a->colon = U[m].colon;
        for (size_t i = k + 1; i < m; i++) U[i].island = 1;
        memmove(&U[m], &U[m + 1], (nU - m - 1) * sizeof *U);
        nU--;
        k = m - 1;
    }
out:
    *rcp = rc;
    return nU;
}

/* The first cut lying inside (s, e): start > s and end < e, or NULL. */
const ark_span *ark_seg_cut_inside(const ark_span *C, size_t nC, size_t s, size_t e) {
    size_t lo = 0, hi = nC;
    while (lo < hi) { /* the first cut starting after s */
        size_t mid = (lo + hi) / 2;
        if (C[mid].start <= s) lo = mid + 1;
        else hi = mid;
    }
    return lo < nC && C[lo].end < e ? &C[lo] : NULL;
}

/* A passage's text: bytes [s, e) without the cuts inside, each one a line break. */
int ark_seg_text(const unsigned char *b, size_t s, size_t e, const ark_span *C, size_t nC,
                 unsigned mask, char **out, size_t *out_len) {
    const ark_span *c = ark_seg_cut_inside(C, nC, s, e);
    if (!c) return ark_norm_mask((const char *)b + s, e - s, mask, out, out_len, NULL);
    char *t = malloc(e - s + 1);
    if (!t) return ARK_ENOMEM;
    size_t n = 0, at = s;
    for (; c < C + nC && c->end < e; c++) {
        memcpy(t + n, b + at, c->start - at);
        n += c->start - at;
        t[n++] = '\n';
        at = c->end;
    }
    memcpy(t + n, b + at, e - at);
    n += e - at;
    int rc = ark_norm_mask(t, n, mask, out, out_len, NULL);
    free(t);
    return rc;
}

uint32_t ark_seg_page_at(const ark_source *src, size_t off) {
    if (!src->npages) return 0;
    size_t lo = 0, hi = src->npages;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (src->pages[mid].start <= off) lo = mid;
        else hi = mid;
    }
    return src->pages[lo].number;
}

size_t ark_seg_sort_cuts(ark_span *C, size_t nC) {
    if (nC == 0) return 0;
    qsort(C, nC, sizeof *C, span_cmp);
    size_t w = 0;
    for (size_t i = 0; i < nC; i++) {
        if (w && C[i].start < C[w - 1].end) {
            if (C[i].end > C[w - 1].end) C[w - 1].end = C[i].end;
        } else C[w++] = C[i];
    }
    return w;
}
