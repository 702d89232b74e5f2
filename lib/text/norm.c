/* lib/text/norm.c: normalization of an original byte range into display/search text.
 * Owns: ark_norm(): UTF-8 repair, control-character removal, glyph repair, line-end
 *   hyphenation, markdown mark removal, whitespace collapsing, NFC, and the byte map
 *   from every output byte back to the original byte that produced it.
 * Not here: deciding where passages start and end (segment.c), tokens (analysis/).
 * Why: provenance is only exact if passage text is a pure function of an original
 *   range; one pass with a map lets snippets highlight the real bytes of the source.
 *
 * Design: pass 1 walks the input once, decoding with utf8proc_iterate (bounded by
 * in_len, so input may end anywhere, even mid-sequence, without overreading) and
 * appends to a growable buffer with a parallel map. Pass 2 applies NFC chunk by chunk:
 * a chunk is one ASCII character followed by the non-ASCII characters up to the next
 * ASCII one. No ASCII character composes with what precedes it, so NFC of the whole is
 * the concatenation of NFC of the chunks; chunks made only of characters below U+0300
 * (and a few stable punctuation ranges) are already NFC and are copied, so ordinary
 * Danish text never reaches utf8proc and nothing is allocated per character. */
#include "arkivar/text.h"

#include "pii.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct nbuf {
    char *s;
    uint32_t *map; /* NULL when the caller did not ask for a map */
    size_t len, cap;
} nbuf;

static int nb_grow(nbuf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 8) return ARK_ENOMEM;
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) return ARK_ENOMEM;
    b->s = s;
    if (b->map) {
        uint32_t *m = realloc(b->map, cap * sizeof *m);
        if (!m) return ARK_ENOMEM;
        b->map = m;
    }
    b->cap = cap;
    return 0;
}

/* Append n bytes that all come from original offset `at`. */
static int nb_put(nbuf *b, const char *p, size_t n, size_t at) {
    if (nb_grow(b, n) != 0) return ARK_ENOMEM;
    memcpy(b->s + b->len, p, n);
    if (b->map)
        for (size_t i = 0; i < n; i++) b->map[b->len + i] = (uint32_t)at;
    b->len += n;
    return 0;
}

/* Decode one code point at p (at most n bytes). Invalid or truncated UTF-8 yields
 * U+FFFD and consumes one byte, so every byte is consumed exactly once. */
static inline size_t decode(const unsigned char *p, size_t n, int32_t *cp) {
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    /* Two-byte sequences (æ, ø, å, é …) without a library call. */
    if (p[0] >= 0xC2 && p[0] < 0xE0 && n >= 2 && (p[1] & 0xC0) == 0x80) {
        *cp = ((int32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)(n > 4 ? 4 : n), &c);
    if (k <= 0 || c < 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return (size_t)k;
}

/* Whitespace that collapses to one space: ASCII, NBSP, the Unicode spaces and line
 * separators. Zero-width characters are not here; they are dropped (is_drop). */
static int is_space_cp(int32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
           c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Invisible characters that carry nothing for display or search. */
static int is_drop_cp(int32_t c) {
    return (c < 0x20) || (c >= 0x7F && c < 0xA0) || c == 0xAD || c == 0x200B ||
           c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF;
}

static int is_letter_cp(int32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c >= 0xC0 && c < 0x250) return c != 0xD7 && c != 0xF7; /* Latin-1 and Extended */
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static int is_lower_cp(int32_t c) {
    if (c < 0x80) return c >= 'a' && c <= 'z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
}

static int is_upper_cp(int32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_LU;
}

/* ASCII and fullwidth digits: NFKC makes the second the first, so a fullwidth number
 * broken over a line joins like an ASCII one. */
static int is_digit_cp(int32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }

static inline int is_alnum_ascii(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Printable ASCII with no rule of its own: not space, '-', '#', '*' or '_'. */
static inline int plain_ascii(unsigned char c) {
    return c > 0x20 && c < 0x7F && c != '-' && c != '#' && c != '*' && c != '_';
}

/* Words after which a line-end hyphen is a suspended compound, not a split word:
 * "Sundheds-\nog Omsorgsforvaltningen", "Klima-, Miljø-\nog Teknik…". */
static int is_conj(const unsigned char *w, size_t n) {
    static const char *const conj[] = {"og", "eller", "samt", "and", "or", "el", "hhv", NULL};
    for (int i = 0; conj[i]; i++)
        if (strlen(conj[i]) == n && memcmp(conj[i], w, n) == 0) return 1;
    return 0;
}

enum { HY_JOIN, HY_KEEP_JOIN, HY_NUMBER_JOIN, HY_KEEP };

/* A hyphen at in[h] is followed, after optional trailing blanks, by a line break.
 * Decide what becomes of it. `w0` is where the alphanumeric run before the hyphen
 * starts (the part of the word after any inner hyphen), `r0` where the non-space run
 * containing it starts. *next receives the offset of the first character of the
 * next line's word (where processing resumes on a join).
 *
 * The rule (PDF extraction of Danish text, see DOMAIN.md):
 *  - next word starts with a lowercase letter: a split word, join without the hyphen
 *    (samar-\nbejder, ar-\n\nbejdet, Kø-\nbenhavn, og -samar-\n\nbejder); except
 *      - it is og/eller/samt: a suspended compound, keep "Sundheds- og";
 *      - the left part is an acronym or holds a digit (IT-\nudvikling, CO2-\nudledning,
 *        COOP-\nsupermarkeder): a compound with a real hyphen, keep and join;
 *      - both parts are full inflected word forms, the left ending in -e with at
 *        least 6 letters and the right ending in -e with at least 4 letters
 *        (offentlige-\nprivate): the coordinating compound of two adjectives, keep
 *        and join. Split syllables almost never end in -e on both sides, and the
 *        length floor keeps "place-\nret" and "gi-\nver" joining;
 *      - the run holds '/' or '@' (a URL or path): keep the hyphen, join;
 *  - digit after digit (2015-\n16): a range, keep and join (HY_NUMBER_JOIN, so the
 *    masker can read "2001-\n901119" as the one number it was);
 *  - an acronym before an uppercase word (DTU-\nWater): keep and join;
 *  - anything else (capital, digit, punctuation, end of input): keep the hyphen
 *    and let the line break become a space. */
static int hyphen_rule(const unsigned char *in, size_t n, size_t h, size_t w0, size_t r0,
                       size_t *next) {
    size_t j = h + 1;
    while (j < n && (in[j] == ' ' || in[j] == '\t' || in[j] == '\r')) j++;
    if (j >= n || in[j] != '\n') return HY_KEEP;
    while (j < n && (in[j] == ' ' || in[j] == '\t' || in[j] == '\r' || in[j] == '\n' ||
                     in[j] == '\f' || in[j] == '\v'))
        j++;
    if (j >= n) return HY_KEEP;
    *next = j;

    /* The left part: letters and digits from w0 to h. */
    size_t nupper = 0, nletters = 0, ndigits = 0;
    int32_t last = 0;
    for (size_t i = w0; i < h;) {
        int32_t c;
        i += decode(in + i, n - i, &c);
        if (is_digit_cp(c)) ndigits++;
        else {
            nletters++;
            if (is_upper_cp(c)) nupper++;
        }
        last = c;
    }
    int slash = 0;
    for (size_t i = r0; i < h; i++)
        if (in[i] == '/' || in[i] == '@') slash = 1;
    int acronym = nupper >= 2 || (nupper >= 1 && nletters <= 1);

    int32_t c0;
    decode(in + j, n - j, &c0);
    if (is_digit_cp(c0)) return is_digit_cp(last) ? HY_NUMBER_JOIN : HY_KEEP;
    if (!is_lower_cp(c0)) return acronym && is_upper_cp(c0) ? HY_KEEP_JOIN : HY_KEEP;

    /* The right word: letters from j. */
    size_t k = j, rletters = 0;
    int32_t rlast = 0;
    while (k < n) {
        int32_t c;
        size_t l = decode(in + k, n - k, &c);
        if (!is_letter_cp(c)) break;
        rletters++;
        rlast = c;
        k += l;
    }
    if (is_conj(in + j, k - j)) return HY_KEEP;
    if (acronym || ndigits > 0 || slash) return HY_KEEP_JOIN;
    if (last == 'e' && nletters >= 6 && rlast == 'e' && rletters >= 4) return HY_KEEP_JOIN;
    return HY_JOIN;
}

/* Is the chunk [p, p+n) already NFC without asking utf8proc? True when every code
 * point is below U+0300 (Latin-1 and Latin Extended are precomposed starters that
 * nothing before them can combine with) or in General Punctuation, or U+FFFD. */
static int chunk_is_stable(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n;) {
        int32_t c;
        i += decode(p + i, n - i, &c);
        if (c < 0x300 || (c >= 0x2010 && c <= 0x206F) || c == 0x20AC || c == 0xFFFD ||
            c == 0x25CF)
            continue;
        return 0;
    }
    return 1;
}

/* Pass 2: NFC. Returns 0 with b possibly replaced by a recomposed copy. */
static int apply_nfc(nbuf *b) {
    const unsigned char *s = (const unsigned char *)b->s;
    size_t i = 0, first = (size_t)-1;
    /* Find the first chunk that needs utf8proc; most documents have none. */
    while (i < b->len) {
        size_t j = i + (s[i] < 0x80 ? 1 : 0);
        while (j < b->len && s[j] >= 0x80) j++;
        if (j > i + 1 || (j == i + 1 && s[i] >= 0x80)) {
            if (!chunk_is_stable(s + i, j - i)) {
                first = i;
                break;
            }
        }
        i = j;
    }
    if (first == (size_t)-1) return 0;

    int rc = 0;
    nbuf o = {NULL, NULL, 0, 0};
    utf8proc_int32_t *tmp = NULL;
    size_t tcap = 0;
    if (b->map && !(o.map = malloc(sizeof *o.map))) return ARK_ENOMEM;
    if ((rc = nb_grow(&o, b->len + 16)) != 0) goto out;
    memcpy(o.s, b->s, first);
    if (b->map) memcpy(o.map, b->map, first * sizeof *o.map);
    o.len = first;
    for (i = first; i < b->len;) {
        size_t j = i + (s[i] < 0x80 ? 1 : 0);
        while (j < b->len && s[j] >= 0x80) j++;
        if (j == i) j = i + 1;
        if (chunk_is_stable(s + i, j - i)) {
            if ((rc = nb_grow(&o, j - i)) != 0) goto out;
            memcpy(o.s + o.len, s + i, j - i);
            if (b->map) memcpy(o.map + o.len, b->map + i, (j - i) * sizeof *o.map);
            o.len += j - i;
            i = j;
            continue;
        }
        utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
        utf8proc_ssize_t need = utf8proc_decompose(s + i, (utf8proc_ssize_t)(j - i), tmp,
                                                   (utf8proc_ssize_t)tcap, opt);
        if (need < 0) { rc = ARK_EINTERNAL; goto out; }
        if ((size_t)need > tcap) {
            size_t ncap = (size_t)need + 16;
            utf8proc_int32_t *t = realloc(tmp, ncap * sizeof *t);
            if (!t) { rc = ARK_ENOMEM; goto out; }
            tmp = t;
            tcap = ncap;
            need = utf8proc_decompose(s + i, (utf8proc_ssize_t)(j - i), tmp,
                                      (utf8proc_ssize_t)tcap, opt);
            if (need < 0) { rc = ARK_EINTERNAL; goto out; }
        }
        utf8proc_ssize_t m = utf8proc_normalize_utf32(tmp, need, opt);
        if (m < 0) { rc = ARK_EINTERNAL; goto out; }
        m = utf8proc_reencode(tmp, m, opt);
        if (m < 0) { rc = ARK_EINTERNAL; goto out; }
        /* Recomposed bytes all point at the chunk's first original byte: the map
         * stays non-decreasing and every entry names a byte that produced it. */
        if ((rc = nb_put(&o, (const char *)tmp, (size_t)m, b->map ? b->map[i] : 0)) != 0)
            goto out;
        i = j;
    }
    /* The entry past the end is written by the caller after this returns. */
    free(b->s);
    free(b->map);
    *b = o;
    o.s = NULL;
    o.map = NULL;
out:
    free(o.s);
    free(o.map);
    free(tmp);
    return rc;
}

/* Offsets in the output of hyphens kept from a line-end hyphenation between digits;
 * the masker reads them as part of a number (pii.h). Rare: most texts have none. */
typedef struct joins {
    size_t *v, n, cap;
} joins;

static int joins_add(joins *j, size_t at) {
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 8;
        size_t *v = realloc(j->v, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        j->v = v;
        j->cap = cap;
    }
    j->v[j->n++] = at;
    return 0;
}

int ark_norm(const char *in, size_t in_len, char **out, size_t *out_len, uint32_t **map) {
    return ark_norm_mask(in, in_len, ARK_MASK_CPR, out, out_len, map);
}

int ark_norm_mask(const char *in_, size_t in_len, unsigned mask, char **out, size_t *out_len,
                  uint32_t **map) {
    const unsigned char *in = (const unsigned char *)in_;
    int rc = 0;
    nbuf b = {NULL, NULL, 0, 0};
    joins dj = {NULL, 0, 0};
    *out = NULL;
    *out_len = 0;
    if (map) {
        *map = NULL;
        if (in_len > UINT32_MAX - 1) return ARK_ENOMEM;
        if (!(b.map = malloc(sizeof *b.map))) return ARK_ENOMEM;
    }
    if ((rc = nb_grow(&b, in_len + in_len / 8 + 16)) != 0) goto out;

    int pending_space = 0;   /* a whitespace run was seen after the last output */
    size_t space_at = 0;     /* where that run started */
    int at_line_start = 1;   /* only spaces/tabs since the last newline (or start) */
    size_t word0 = 0;        /* start of the current alphanumeric run in `in` */
    size_t run0 = 0;         /* start of the current non-space run in `in` */
    int in_word = 0, in_run = 0;
    size_t last_end = 0;     /* end of the original character behind the last output */

    for (size_t i = 0; i < in_len;) {
        /* Fast path: a run of printable ASCII that no rule touches is copied whole
         * (most of every document), so the per-character work below is the rare case. */
        if (plain_ascii(in[i]) && (!pending_space || b.len == 0)) {
            /* Single spaces between plain words are copied too: they are already
             * collapsed, and each maps to itself, the first byte of its run. */
            size_t j = i + 1, lastsp = (size_t)-1;
            for (;;) {
                while (j < in_len && plain_ascii(in[j])) j++;
                if (j + 1 < in_len && in[j] == ' ' && plain_ascii(in[j + 1])) {
                    lastsp = j;
                    j += 2;
                    continue;
                }
                break;
            }
            if (nb_grow(&b, j - i) != 0) { rc = ARK_ENOMEM; goto out; }
            memcpy(b.s + b.len, in + i, j - i);
            if (b.map)
                for (size_t k = i; k < j; k++) b.map[b.len + k - i] = (uint32_t)k;
            b.len += j - i;
            pending_space = 0;
            at_line_start = 0;
            if (lastsp != (size_t)-1) run0 = lastsp + 1;
            else if (!in_run) run0 = i;
            in_run = 1;
            /* The alphanumeric run that ends this copy (it may continue an earlier one). */
            size_t k = j;
            while (k > i && is_alnum_ascii(in[k - 1])) k--;
            if (k < j) {
                if (k > i || !in_word || lastsp != (size_t)-1) word0 = k;
                in_word = 1;
            } else {
                in_word = 0;
            }
            last_end = j;
            i = j;
            continue;
        }
        int32_t c;
        size_t l = decode(in + i, in_len - i, &c);

        if (is_space_cp(c)) {
            if (!pending_space) space_at = i;
            pending_space = 1;
            if (c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x85) at_line_start = 1;
            in_word = in_run = 0;
            i += l;
            continue;
        }
        if (is_drop_cp(c)) {
            i += l;
            continue;
        }
        /* Markdown heading marks: 1-6 '#' at the start of a line, then a space or the
         * line's end. A '#' elsewhere ("#1", "C#") is text. */
        if (c == '#' && at_line_start) {
            size_t k = i;
            while (k < in_len && in[k] == '#') k++;
            if (k - i <= 6 && (k == in_len || in[k] == ' ' || in[k] == '\t' ||
                               in[k] == '\n' || in[k] == '\r')) {
                i = k;
                continue;
            }
        }
        /* Markdown emphasis: runs of two or more '*' or '_' vanish. */
        if ((c == '*' || c == '_') && i + 1 < in_len && in[i + 1] == (unsigned char)c) {
            size_t k = i;
            while (k < in_len && in[k] == (unsigned char)c) k++;
            i = k;
            continue;
        }
        at_line_start = 0;

        if (pending_space) {
            if (b.len > 0 && (rc = nb_put(&b, " ", 1, space_at)) != 0) goto out;
            pending_space = 0;
        }

        if (c == '-' && in_word) {
            size_t next = 0;
            int r = hyphen_rule(in, in_len, i, word0, in_run ? run0 : word0, &next);
            if (r != HY_KEEP) {
                if (r == HY_NUMBER_JOIN && (rc = joins_add(&dj, b.len)) != 0) goto out;
                if (r != HY_JOIN) {
                    if ((rc = nb_put(&b, "-", 1, i)) != 0) goto out;
                    last_end = i + 1;
                }
                /* Continue with the next line's word as part of this word. */
                i = next;
                at_line_start = 0;
                continue;
            }
        }

        /* Glyph repair: extraction maps the PDF's parentheses and bullets to these. */
        const char *rep = NULL;
        if (c == 0x1B5) rep = "(";
        else if (c == 0x1B6) rep = ")";
        else if (c == 0xF0B7 || c == 0x25CF) rep = "\xE2\x80\xA2";
        if (rep) {
            if ((rc = nb_put(&b, rep, strlen(rep), i)) != 0) goto out;
            if (c != 0x1B5 && c != 0x1B6) {
                /* A bullet is followed by a space, whatever follows it in the source. */
                pending_space = 1;
                space_at = i;
            }
        } else if (c == 0xFFFD && l == 1) {
            if ((rc = nb_put(&b, "\xEF\xBF\xBD", 3, i)) != 0) goto out;
        } else {
            if ((rc = nb_put(&b, (const char *)in + i, l, i)) != 0) goto out;
        }
        last_end = i + l;

        int alnum = is_letter_cp(c) || is_digit_cp(c);
        if (alnum && !in_word) word0 = i;
        in_word = alnum;
        if (!in_run) run0 = i;
        in_run = 1;
        i += l;
    }

    /* Masking before NFC: NFC never composes a digit or a separator, so the numbers it
     * looks at are the same, and the join offsets are still those of pass 1. */
    b.len = ark_pii_mask(b.s, b.len, b.map, dj.v, dj.n, mask | ARK_MASK_CPR);
    if ((rc = apply_nfc(&b)) != 0) goto out;
    if ((rc = nb_grow(&b, 0)) != 0) goto out;
    b.s[b.len] = '\0';
    if (b.map) b.map[b.len] = (uint32_t)last_end;
    *out = b.s;
    *out_len = b.len;
    if (map) *map = b.map;
    free(dj.v);
    return 0;
out:
    free(b.s);
    free(b.map);
    free(dj.v);
    return rc;
}
