/* lib/text/segment.h: what segment.c and cuts.c share (private to lib/text).
 * Owns: the line and unit records of the segmenter, the growable-vector macro and the
 *   character tests both files read text with.
 * Why: the cuts (running headers and footers, sentences over a break) are a stage of
 *   their own, kept apart so that segment.c stays a readable list of rules. */
#ifndef ARKIVAR_TEXT_SEGMENT_H
#define ARKIVAR_TEXT_SEGMENT_H

#include <stdint.h>
#include <stdlib.h>
#include <utf8proc.h>

#include "arkivar/text.h"

enum { L_EMPTY, L_WS, L_TEXT, L_SKIP }; /* SKIP: a running header or footer */
enum { H_NONE, H_MD, H_BOLD, H_AD, H_NR, H_SHORT };
enum { U_PARA, U_ITEM, U_HEAD };

typedef struct line {
    size_t s, e;   /* the line without its '\n' */
    size_t ts, te; /* trimmed of whitespace; ts == te unless TEXT */
    int kind;
} line;

typedef struct tline {
    size_t li;      /* index into lines */
    unsigned E, W;  /* empty and whitespace-only lines before it */
    int bullet, strong;
    int32_t first;  /* first code point */
    unsigned char last; /* last byte */
    size_t trail;   /* trailing whitespace bytes */
    int pb;         /* a page break (form feed) in the gap before it */
} tline;

typedef struct unit {
    size_t s, e;    /* trimmed original range */
    size_t est;     /* estimated normalized length */
    int type;
    int colon;      /* ends in ':' */
    int island;     /* what interrupted a sentence (rule 6): a passage of its own */
} unit;

typedef struct pspan {
    size_t s, e;
    long head;      /* index of the heading unit, -1 for none */
    int self;       /* a heading without body: its own passage */
    size_t est;     /* estimated normalized length */
} pspan;

#define VEC_PUSH(v, n, cap, item, rc, label)                                   \
    do {                                                                       \
        if ((n) == (cap)) {                                                    \
            size_t nc_ = (cap) ? (cap) * 2 : 64;                               \
            void *np_ = realloc((v), nc_ * sizeof *(v));                       \
            if (!np_) { (rc) = ARK_ENOMEM; goto label; }                       \
            (v) = np_;                                                         \
            (cap) = nc_;                                                       \
        }                                                                      \
        (v)[(n)++] = (item);                                                   \
    } while (0)

static inline size_t decode(const unsigned char *p, size_t n, int32_t *cp) {
    if (p[0] < 0x80) { *cp = p[0]; return 1; }
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)(n > 4 ? 4 : n), &c);
    if (k <= 0 || c < 0) { *cp = 0xFFFD; return 1; }
    *cp = c;
    return (size_t)k;
}

/* Byte length of a whitespace character at p (the ones ark_norm collapses), or 0. */
static inline size_t ws_len(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c > 0x20 && c < 0x80) return 0;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') return 1;
    if (c == 0xC2 && n >= 2 && (p[1] == 0xA0 || p[1] == 0x85)) return 2;
    if (c == 0xE2 && n >= 3 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
        return 3;
    if (c == 0xE2 && n >= 3 && p[1] == 0x81 && p[2] == 0x9F) return 3;
    if (c == 0xE3 && n >= 3 && p[1] == 0x80 && p[2] == 0x80) return 3;
    if (c == 0xE1 && n >= 3 && p[1] == 0x9A && p[2] == 0x80) return 3;
    return 0;
}

static inline int is_upper(int32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
}
static inline int is_lower(int32_t c) {
    if (c < 0x80) return c >= 'a' && c <= 'z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
}
static inline int is_letter(int32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}
static inline int is_digit(int32_t c) { return c >= '0' && c <= '9'; }
static inline int sentence_end(unsigned char c) { return c == '.' || c == '!' || c == '?' || c == ':'; }

/* cuts.c: rule 0 (running headers and footers) and rule 5b (a sentence around case
 * metadata), and a passage's text and pages with the cuts. C, nC, capC: the vector of
 * cuts, grown with VEC_PUSH; on ARK_ENOMEM it keeps what it had. */
int ark_seg_furniture(const unsigned char *b, const ark_source *src, line *L, size_t nL,
                      ark_span **C, size_t *nC, size_t *capC);
/* Returns the new number of units; *rc is 0 or ARK_ENOMEM. */
size_t ark_seg_join_interrupted(const unsigned char *b, unit *U, size_t nU, ark_span **C,
                                size_t *nC, size_t *capC, int *rc);
/* Sort the cuts and merge those that overlap; returns the new count. */
size_t ark_seg_sort_cuts(ark_span *C, size_t nC);
/* The first cut lying inside (s, e), or NULL. */
const ark_span *ark_seg_cut_inside(const ark_span *C, size_t nC, size_t s, size_t e);
/* The normalized text of bytes [s, e) without the cuts inside, each a line break. */
int ark_seg_text(const unsigned char *b, size_t s, size_t e, const ark_span *C, size_t nC,
                 unsigned mask, char **out, size_t *out_len);
/* The number of the page holding byte off, 0 when src has no pages. */
uint32_t ark_seg_page_at(const ark_source *src, size_t off);

#endif
