/* lib/text/pii.c: masking personal data in normalized text.
 * Owns: what a CPR number (and, with ARK_MASK_CONTACTS, an e-mail address or a Danish
 * phone number) looks like once a PDF or a clerk has written it down, and replacing
 * each of its digits (and an address's local part) with 'X'.
 * Not here: normalization (norm.c calls this between its two passes).
 * Why: DOMAIN.md: a CPR number is never shown and never searchable. Extracted text
 * spells one in many ways, so matching works on the number's shape, not on one regular
 * expression: the text is read as chains of digit groups, joined by at most one
 * separator with a space on either side, and a chain is masked where a run of its
 * groups has the shape of a CPR number whose first six digits are a valid DDMMYY.
 *
 * The shapes (gaps: '-' and the other dashes, '/', '.', '_', ',', ':', a space, or a
 * separator with spaces around it, "- " and " - "; digits may be fullwidth, which is
 * what NFKC would make ASCII):
 *   DDMMYYSSSS           one group of ten digits
 *   DDMMYY?SSSS          six digits, any gap, four digits
 *   DD?MM?YY?SSSS        a dotted, slashed, dashed or spaced date (the same gap
 *                        twice), then a dash or a space before the serial
 *   D D M M Y Y - S S S S  letter-spaced: ten single digits apart by spaces, with at
 *                        most one dash among them, not inside a longer such run
 * A hyphen that ark_norm kept from a line-end hyphenation between two digits joins the
 * two parts into one group ("2001-⏎901119" is ten digits). The valid-date rule is kept
 * and there is no modulus-11 check (CPR numbers since 2007 need not pass it). */
#include "pii.h"

#include <stdlib.h>
#include <string.h>

#include "arkivar/text.h"

#define DROP 0xFF /* never a byte of UTF-8: marks the bytes a masked character gives up */

/* The code point at s[i] and its length; the input is valid UTF-8 (ark_norm replaced
 * anything else), but a DROP byte or a truncated tail still decodes safely. */
static int32_t cp_at(const unsigned char *s, size_t len, size_t i, size_t *l) {
    unsigned c = s[i];
    size_t need = c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 0;
    if (need == 0 || i + need > len) {
        *l = 1;
        return c < 0x80 ? (int32_t)c : 0xFFFD;
    }
    *l = need;
    if (need == 1) return (int32_t)c;
    int32_t v = (int32_t)(c & (0x7F >> need));
    for (size_t k = 1; k < need; k++) v = (v << 6) | (s[i + k] & 0x3F);
    return v;
}

/* The value of a digit whose NFKC form is an ASCII digit, else -1. */
static int digit_of(int32_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 0xFF10 && c <= 0xFF19) return c - 0xFF10;             /* fullwidth */
    if (c >= 0x1D7CE && c <= 0x1D7FF) return (c - 0x1D7CE) % 10;   /* mathematical */
    if (c >= 0x1FBF0 && c <= 0x1FBF9) return c - 0x1FBF0;          /* segmented */
    return -1;
}

/* The separator a character stands for ('-' for every dash), or 0. */
static char sep_of(int32_t c) {
    switch (c) {
    case '-': case '/': case '.': case '_': case ',': case ':': return (char)c;
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0x2E3A: case 0x2E3B: case 0xFE58: case 0xFE63: case 0xFF0D: return '-';
    case 0x2044: case 0x2215: case 0xFF0F: return '/';
    case 0xFF0E: return '.';
    case 0xFF1A: return ':';
    case 0xFF0C: return ',';
    case 0xFF3F: return '_';
    default: return 0;
    }
}

/* One run of digits in a chain. */
typedef struct grp {
    size_t s, e;    /* byte range in the text */
    unsigned nd;    /* digits (counted up to a bound) */
    char d[10];     /* the first ten digits, as ASCII */
    char gap;       /* before this group: 0 (first), ' ' (spaces only), or the separator */
    char joined;    /* a line-end hyphen joins two of its parts */
    char plus;      /* a '+' stands right before it */
} grp;

typedef struct masker {
    unsigned char *s;
    size_t len;
    const size_t *joins;
    size_t njoins, nextjoin; /* joins are met in increasing order */
    int dropped;
    grp *g;
    size_t ng, cap;
} masker;

static int is_join(masker *m, size_t at) {
    while (m->nextjoin < m->njoins && m->joins[m->nextjoin] < at) m->nextjoin++;
    return m->nextjoin < m->njoins && m->joins[m->nextjoin] == at;
}

static int valid_ddmm(const char *d) {
    int dd = (d[0] - '0') * 10 + (d[1] - '0'), mm = (d[2] - '0') * 10 + (d[3] - '0');
    return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12;
}

/* How many groups from g on form a CPR number, or 0. */
static size_t cpr_at(const grp *G, size_t n, size_t g) {
    const grp *a = &G[g];
    if (a->nd == 10) return valid_ddmm(a->d) ? 1 : 0;
    if (a->nd == 6 && g + 1 < n && G[g + 1].nd == 4) return valid_ddmm(a->d) ? 2 : 0;
    if (a->nd == 2 && g + 3 < n && G[g + 1].nd == 2 && G[g + 2].nd == 2 && G[g + 3].nd == 4) {
        char dg = G[g + 1].gap, sg = G[g + 3].gap;
        char d[4] = {a->d[0], a->d[1], G[g + 1].d[0], G[g + 1].d[1]};
        if (dg == G[g + 2].gap && strchr("./ -", dg) && (sg == ' ' || sg == '-') && valid_ddmm(d))
            return 4;
        return 0;
    }
    if (a->nd == 1 && g + 9 < n && (g == 0 || G[g - 1].nd != 1) &&
        (g + 10 >= n || G[g + 10].nd != 1)) {
        char d[4];
        int dashes = 0;
        for (size_t k = 0; k < 10; k++) {
            const grp *x = &G[g + k];
            if (x->nd != 1) return 0;
            if (k > 0 && x->gap != ' ' && !(x->gap == '-' && ++dashes == 1)) return 0;
            if (k < 4) d[k] = x->d[0];
        }
        return valid_ddmm(d) ? 10 : 0;
    }
    return 0;
}

static int is_year(const char *d) {
    return (d[0] == '1' && d[1] == '9') || (d[0] == '2' && d[1] == '0');
}

/* How many groups from g on form a Danish phone number: eight digits as one group,
 * 4+4 (not two years) or 2+2+2+2 apart by spaces, after an optional +45 or 0045; a number
 * that runs on through a space into more digits is something else. Or 0. */
static size_t phone_at(const grp *G, size_t n, size_t g) {
    size_t h = g;
    if (G[g].gap == ' ') return 0;
    if (G[h].nd == 10 && G[h].plus && memcmp(G[h].d, "45", 2) == 0) return 1;
    if (h + 1 < n && G[h + 1].gap == ' ' &&
        ((G[h].plus && G[h].nd == 2 && memcmp(G[h].d, "45", 2) == 0) ||
         (G[h].nd == 4 && memcmp(G[h].d, "0045", 4) == 0)))
        h++;
    size_t k = 0;
    if (G[h].nd == 8) k = 1;
    else if (G[h].nd == 4 && h + 1 < n && G[h + 1].nd == 4) k = 2;
    else if (G[h].nd == 2 && h + 3 < n && G[h + 1].nd == 2 && G[h + 2].nd == 2 && G[h + 3].nd == 2)
        k = 4;
    if (k == 0) return 0;
    for (size_t i = h; i < h + k; i++) {
        if (G[i].joined) return 0;
        if (i > h && G[i].gap != ' ') return 0; /* "2020-2023" is a period */
    }
    if (k == 2 && is_year(G[h].d) && is_year(G[h + 1].d)) return 0; /* "2020 2023" too */
    if (h + k < n && G[h + k].gap == ' ') return 0;
    return h + k - g;
}

/* Every character of s[s, e) becomes 'X' but the joins of a number and the punctuation
 * of an address's local part (. _ - + %). The ranges hold nothing else: a number's digit
 * groups (read_chain) or a local part (mask_emails). */
static void mask_range(masker *m, size_t s, size_t e) {
    for (size_t i = s; i < e;) {
        size_t l;
        int32_t c = cp_at(m->s, m->len, i, &l);
        if (c != '.' && c != '-' && c != '_' && c != '+' && c != '%') {
            m->s[i] = 'X';
            for (size_t k = 1; k < l; k++) m->s[i + k] = DROP;
            if (l > 1) m->dropped = 1;
        }
        i += l;
    }
}

static int push_grp(masker *m, const grp *x) {
    if (m->ng == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        grp *g = realloc(m->g, cap * sizeof *g);
        if (!g) return -1;
        m->g = g;
        m->cap = cap;
    }
    m->g[m->ng++] = *x;
    return 0;
}

/* Read the chain of digit groups that starts at i; returns where the last group ends.
 * Out of memory ends the chain early: what was read is still examined. */
static size_t read_chain(masker *m, size_t i) {
    const unsigned char *s = m->s;
    size_t p = i, l;
    char gap = 0;
    m->ng = 0;
    for (;;) {
        grp x = {.s = p, .gap = gap, .plus = p > 0 && s[p - 1] == '+'};
        for (;;) {
            if (p >= m->len) break;
            int v = digit_of(cp_at(s, m->len, p, &l));
            if (v >= 0) {
                if (x.nd < 10) x.d[x.nd] = (char)('0' + v);
                if (x.nd < 1000) x.nd++;
                p += l;
            } else if (s[p] == '-' && p + 1 < m->len && is_join(m, p) &&
                       digit_of(cp_at(s, m->len, p + 1, &l)) >= 0) {
                x.joined = 1;
                p++;
            } else {
                break;
            }
        }
        x.e = p;
        if (push_grp(m, &x) != 0) return p;
        /* The gap: [space] [separator] [space], not empty, then a digit. */
        size_t q = p;
        int sp = 0;
        char sep = 0;
        if (q < m->len && s[q] == ' ') { sp = 1; q++; }
        if (q < m->len && (sep = sep_of(cp_at(s, m->len, q, &l))) != 0) {
            q += l;
            if (q < m->len && s[q] == ' ') q++;
        }
        if (!sp && !sep) return p;
        if (q >= m->len || digit_of(cp_at(s, m->len, q, &l)) < 0) return p;
        gap = sep ? sep : ' ';
        p = q;
    }
}

static void mask_numbers(masker *m, unsigned what) {
    for (size_t i = 0; i < m->len;) {
        unsigned c = m->s[i];
        size_t l = 1;
        if (c < 0x80 ? (c < '0' || c > '9')
                     : (c != 0xEF && c != 0xF0) || digit_of(cp_at(m->s, m->len, i, &l)) < 0) {
            i += l; /* a continuation byte is skipped on its own: cheap and safe */
            continue;
        }
        size_t end = read_chain(m, i);
        for (size_t g = 0; g < m->ng;) {
            size_t k = cpr_at(m->g, m->ng, g);
            if (!k && (what & ARK_MASK_CONTACTS)) k = phone_at(m->g, m->ng, g);
            if (!k) { g++; continue; }
            for (size_t j = g; j < g + k; j++) mask_range(m, m->g[j].s, m->g[j].e);
            g += k;
        }
        i = end > i ? end : i + 1;
    }
}

static int local_char(const unsigned char *s, size_t i) {
    unsigned c = s[i];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
}

static int domain_char(unsigned c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* E-mail addresses: the local part (who) is masked, the domain (which organisation)
 * stays: "mette.hansen@kk.dk" → "XXXXX.XXXXXX@kk.dk". The local part may hold Danish
 * letters (two-byte UTF-8), the domain is ASCII (IDN domains are rare in records). */
static void mask_emails(masker *m) {
    unsigned char *s = m->s;
    for (size_t a = 1; a + 3 < m->len; a++) {
        if (s[a] != '@') continue;
        size_t b = a;
        for (;;) {
            if (b > 0 && local_char(s, b - 1)) b--;
            else if (b > 1 && s[b - 2] >= 0xC2 && s[b - 2] < 0xE0 && (s[b - 1] & 0xC0) == 0x80) b -= 2;
            else break;
        }
        while (b < a && s[b] == '.') b++;
        if (b == a) continue;
        /* Domain: labels apart by single dots, at least two, the last of 2+ letters. */
        size_t e = a + 1, labels = 0, last = 0, dot_end = a + 1;
        while (e < m->len) {
            size_t l0 = e;
            while (e < m->len && domain_char(s[e])) e++;
            if (e == l0) break;
            labels++;
            last = e - l0;
            dot_end = e;
            if (e + 1 < m->len && s[e] == '.' && domain_char(s[e + 1])) e++;
            else break;
        }
        if (labels < 2 || last < 2) continue;
        mask_range(m, b, a);
        a = dot_end;
    }
}

size_t ark_pii_mask(char *s_, size_t len, uint32_t *map, const size_t *joins, size_t njoins,
                    unsigned what) {
    masker m = {.s = (unsigned char *)s_, .len = len, .joins = joins, .njoins = njoins};
    mask_numbers(&m, what);
    if (what & ARK_MASK_CONTACTS) mask_emails(&m);
    free(m.g);
    if (!m.dropped) return len;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (m.s[i] == DROP) continue;
        m.s[o] = m.s[i];
        if (map) map[o] = map[i];
        o++;
    }
    return o;
}

size_t ark_mask_pii(char *s, size_t len, unsigned what) {
    size_t n = ark_pii_mask(s, len, NULL, NULL, 0, what | ARK_MASK_CPR);
    if (n < len) s[n] = '\0';
    return n;
}
