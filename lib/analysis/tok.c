/* lib/analysis/tok.c: the Danish tokenizer.
 * Owns: splitting NFC UTF-8 into WORD/NUMBER/ALNUM/ACRONYM/EMAIL/URL tokens with exact
 * byte offsets and positions.
 * Not here: lowercasing and folding (fold.c), stems (stem.c), compounds (compound.c),
 * index terms (terms.c), repair of damaged text such as line-end hyphenation (text.h).
 * Why: one tokenizer for index, query and highlight, so a highlighted span is always
 * the bytes a term came from. It never allocates and never reads text[len] or beyond:
 * the server feeds it raw query strings. */
#include "arkivar/analysis.h"

#include <utf8proc.h>

enum { K_LETTER = 1, K_UPPER = 2, K_DIGIT = 4 };

/* Decode one code point at p (p < end). Invalid bytes come back as cp = -1, length 1,
 * and are treated as separators by every caller. */
static inline size_t dec(const unsigned char *p, const unsigned char *end, int32_t *cp) {
    if (*p < 0x80) {
        *cp = *p;
        return 1;
    }
    /* Two-byte sequences (æ, ø, å, é …: most of Danish beyond ASCII) without a call. */
    if (*p >= 0xC2 && *p < 0xE0 && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
        *cp = ((int32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(p, end - p, &c);
    if (n < 1) {
        *cp = -1;
        return 1;
    }
    *cp = c;
    return (size_t)n;
}

/* Character class. ASCII by hand (the hot path), the rest from utf8proc's tables.
 * Combining marks count as letters so a decomposed "ø" never splits a word. */
static inline int cls(int32_t cp) {
    if (cp < 0) return 0;
    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z') return K_LETTER;
        if (cp >= 'A' && cp <= 'Z') return K_LETTER | K_UPPER;
        if (cp >= '0' && cp <= '9') return K_DIGIT;
        return 0;
    }
    /* Superscript and subscript digits ("m²", "CO₂") are digits: ark_lower writes them
     * as 0-9, so "m2" typed meets "m²" printed. */
    if (cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0x2070 && cp <= 0x2079) ||
        (cp >= 0x2080 && cp <= 0x2089))
        return cp == 0x2071 ? K_LETTER : K_DIGIT;
    /* Latin-1 letters by hand: À-Þ upper, ß-ÿ lower, but not × and ÷. */
    if (cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7)
        return cp <= 0xDE ? K_LETTER | K_UPPER : K_LETTER;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT: return K_LETTER | K_UPPER;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: return K_LETTER;
    case UTF8PROC_CATEGORY_ND: return K_DIGIT;
    default: return 0;
    }
}

static inline int is_hyphen(int32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }
/* What joins "KL’s": the apostrophes ark_lower makes one (’ ‘ ʼ ´, and the ASCII one). */
static inline int is_apos(int32_t cp) {
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4;
}
static inline int is_numjoin(int32_t cp) { return cp == '.' || cp == ',' || cp == '/'; }

void ark_tok_init(ark_tok *t, const char *text, size_t len) {
    t->text = text;
    t->len = text ? len : 0;
    t->at = 0;
    t->pos = 0;
}

static int ieq_prefix(const unsigned char *p, size_t avail, const char *lit) {
    size_t i;
    for (i = 0; lit[i]; i++) {
        if (i >= avail) return 0;
        unsigned char c = p[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c != (unsigned char)lit[i]) return 0;
    }
    return 1;
}

/* URL at s: "http://", "https://" or "www." followed by an ASCII alnum. Returns the
 * end offset, or 0 when there is no URL here. Trailing sentence punctuation and an
 * unbalanced ')' are not part of it: "(se https://www.kk.dk/x)." */
static size_t scan_url(const unsigned char *u, size_t len, size_t s) {
    size_t avail = len - s, i;
    if (ieq_prefix(u + s, avail, "https://")) i = s + 8;
    else if (ieq_prefix(u + s, avail, "http://")) i = s + 7;
    else if (ieq_prefix(u + s, avail, "www.")) i = s + 4;
    else return 0;
    if (i >= len || !(cls(u[i]) & (K_LETTER | K_DIGIT))) return 0;
    const unsigned char *end = u + len;
    int depth = 0;
    while (i < len) {
        int32_t cp;
        size_t n = dec(u + i, end, &cp);
        if (cp < 0) break;
        if (cp < 0x80) {
            if (cp <= 0x20 || cp == 0x7f || cp == '<' || cp == '>' || cp == '"' || cp == '`' ||
                cp == '{' || cp == '}' || cp == '|' || cp == '\\' || cp == '^')
                break;
        } else {
            utf8proc_category_t c = utf8proc_category(cp);
            /* Typographic quotes, dashes, spaces and controls end a URL in running text. */
            if ((c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO) ||
                (c >= UTF8PROC_CATEGORY_ZS && c <= UTF8PROC_CATEGORY_CN))
                break;
        }
        i += n;
    }
    for (size_t k = s; k < i; k++) depth += u[k] == '(' ? 1 : u[k] == ')' ? -1 : 0;
    while (i > s) {
        unsigned char c = u[i - 1];
        if (c == ')' && depth < 0) {
            depth++;
            i--;
        } else if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
                   c == '\'' || c == ']') {
            i--;
        } else {
            break;
        }
    }
    return i;
}

/* E-mail at s: local part (ASCII alnum, letters, "._%+-", at most 64 bytes, as RFC 5321
 * allows) '@' then dot-separated labels, at least one dot. Bounded so a long run of
 * "a.a.a.a…" costs O(64) per token, not O(n). Returns the end offset or 0. */
static size_t scan_email(const unsigned char *u, size_t len, size_t s) {
    const unsigned char *end = u + len;
    size_t i = s;
    while (i < len && i - s < 64) {
        int32_t cp;
        size_t n = dec(u + i, end, &cp);
        if (!(cls(cp) & (K_LETTER | K_DIGIT)) && cp != '.' && cp != '_' && cp != '%' &&
            cp != '+' && cp != '-')
            break;
        i += n;
    }
    if (i >= len || u[i] != '@' || i == s || u[i - 1] == '.') return 0;
    size_t d = i + 1, last_end = 0;
    int dots = 0;
    while (d < len && d - i < 255) {
        /* one label: starts and ends with alnum, may hold '-' inside */
        size_t l = d, lend = 0;
        while (l < len && l - i < 255) {
            int32_t cp;
            size_t n = dec(u + l, end, &cp);
            if (cls(cp) & (K_LETTER | K_DIGIT)) {
                l += n;
                lend = l;
            } else if (cp == '-' && l > d) {
                l += n;
            } else {
                break;
            }
        }
        if (!lend) break;
        last_end = lend;
        if (lend + 1 < len && u[lend] == '.') {
            int32_t cp;
            dec(u + lend + 1, end, &cp);
            if (!(cls(cp) & (K_LETTER | K_DIGIT))) break;
            dots++; /* the next label starts with an alnum, so it parses */
            d = lend + 1;
        } else {
            break;
        }
    }
    return dots ? last_end : 0;
}

int ark_tok_next(ark_tok *t, ark_token *out) {
    const unsigned char *u = (const unsigned char *)t->text;
    const unsigned char *end = u + t->len;
    size_t len = t->len, i = t->at;

    /* skip to the first letter or digit */
    int c0 = 0;
    while (i < len) {
        int32_t cp;
        size_t n = dec(u + i, end, &cp);
        c0 = cls(cp);
        if (c0 & (K_LETTER | K_DIGIT)) break;
        i += n;
    }
    if (i >= len) {
        t->at = len;
        return 0;
    }
    size_t s = i;
    ark_tok_kind kind;

    if (u[s] == 'h' || u[s] == 'H' || u[s] == 'w' || u[s] == 'W') {
        size_t e = scan_url(u, len, s);
        if (e) {
            i = e;
            kind = ARK_TOK_URL;
            goto done;
        }
    }

    /* A word or number: runs of letters/digits joined by an inner hyphen or apostrophe
     * (letter or digit on both sides), or by '.', ',', '/' between digits: "6-by-samarbejde",
     * "2026-0179043", "1,1", "19/5". A hyphen with nothing after it ("Sundheds- og") stays out. */
    int letters = 0, uppers = 0, digits = 0, hyphens = 0, last = 0;
    for (;;) {
        while (i < len) {
            int32_t cp;
            size_t n = dec(u + i, end, &cp);
            int c = cls(cp);
            if (!(c & (K_LETTER | K_DIGIT))) break;
            letters += (c & K_LETTER) != 0;
            uppers += (c & K_UPPER) != 0;
            digits += (c & K_DIGIT) != 0;
            last = c;
            i += n;
        }
        if (i >= len) break;
        int32_t j;
        size_t jn = dec(u + i, end, &j);
        if (i + jn >= len) break;
        int hy = is_hyphen(j);
        if (!hy && !is_apos(j) && !is_numjoin(j)) break;
        int32_t nx;
        dec(u + i + jn, end, &nx);
        int nc = cls(nx);
        if (is_numjoin(j) ? !((last & K_DIGIT) && (nc & K_DIGIT)) : !(nc & (K_LETTER | K_DIGIT)))
            break;
        hyphens += hy;
        i += jn;
    }

    if (i < len && (u[i] == '@' || u[i] == '.' || u[i] == '_' || u[i] == '%' || u[i] == '+' ||
                    u[i] == '-')) {
        size_t e = scan_email(u, len, s);
        if (e) {
            i = e;
            kind = ARK_TOK_EMAIL;
            goto done;
        }
    }

    if (!letters) kind = ARK_TOK_NUMBER;
    else if (hyphens) kind = ARK_TOK_WORD;
    else if (digits) kind = ARK_TOK_ALNUM;
    else if (uppers >= 2) kind = ARK_TOK_ACRONYM;
    else kind = ARK_TOK_WORD;

done:
    out->p = t->text + s;
    out->len = i - s;
    out->start = s;
    out->kind = kind;
    out->pos = t->pos++;
    t->at = i;
    return 1;
}
