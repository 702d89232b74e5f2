/* lib/text/acronym.c: acronym definitions found in a text (include/arkivar/text.h).
 * Owns: the Schwartz-Hearst detector (Schwartz & Hearst 2003, "A simple algorithm for
 * identifying abbreviation definitions in biomedical text") with the Danish rules below.
 * Not here: storing what it finds (lib/ingest/build.c), counting it over documents and
 * merging it with data/acronyms.txt (lib/search/learned.c).
 * Why: issue 14, class 2: a query for an acronym must find its name spelled out, and the
 * reverse, without anyone keeping a list; the records define most acronyms they use.
 *
 * The two patterns: "long form (SF)" and "SF (long form)". The short form (SF) is one
 * word of 2 to 10 characters that starts with a letter (Æ, Ø, Å count), holds letters,
 * digits and "-&./" only, and at least two capitals (one capital is an ordinary word:
 * "(Bilag)", "(Norge)"; a year, a number or a case number starts with no letter). The
 * long form is at most min(|SF| + 5, 2 |SF|) words, within its sentence; the SF's
 * characters are matched right to left in it, case ignored, and the SF's first character
 * must start a word. That is what lets one compound carry several letters
 * ("Økonomiforvaltningen (ØKF)") and a suspended compound keep its hyphen ("Kultur- og
 * Fritidsforvaltningen (KFF)"). A long form is never just a stop word at either end
 * ("i Tyskland (IT)" is no definition of IT): a trailing one is dropped before matching,
 * and a match that begins on one is tried again on the words after it. */
#include "arkivar/text.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#define SF_MIN 2
#define SF_MAX 10
#define WIN_MAX 512 /* bytes before '(' looked at: 15 long words */
#define INSIDE_MAX 200 /* bytes between the parentheses */

/* One decoded character and where it starts in the text. */
typedef struct cp {
    int32_t c;    /* lowercased */
    uint32_t at;  /* byte offset of the character */
    unsigned alnum : 1, space : 1;
} cp;

static int is_alnum(int32_t c) {
    utf8proc_category_t k = utf8proc_category(c);
    return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO) ||
           k == UTF8PROC_CATEGORY_ND;
}

/* Decode s[0, n) into v (at most cap), lowercased; the number decoded, or 0 on bad UTF-8. */
static size_t decode(const char *s, size_t n, cp *v, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) return 0;
        v[k].c = utf8proc_tolower(c);
        v[k].at = (uint32_t)i;
        v[k].alnum = (unsigned)is_alnum(c);
        v[k].space = c == ' ';
        k++;
        i += (size_t)l;
    }
    return k;
}

/* Whether s[0, n) can be a short form (see the top comment). */
static int valid_sf(const char *s, size_t n) {
    size_t chars = 0, caps = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) return 0;
        utf8proc_category_t k = utf8proc_category(c);
        int letter = k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
        if (chars == 0 && !letter) return 0;
        if (!letter && k != UTF8PROC_CATEGORY_ND && (c == 0 || !strchr("-&./", (int)c))) return 0;
        if (k == UTF8PROC_CATEGORY_LU) caps++;
        chars++;
        i += (size_t)l;
    }
    return chars >= SF_MIN && chars <= SF_MAX && caps >= 2;
}

static int is_stop(const char *w, size_t n) {
    static const char *const stop[] = {
        "og", "i", "af", "for", "til", "p\xC3\xA5", "med", "at", "en", "et", "den", "det", "de",
        "som", "er", "om", "fra", "ved", "eller", "samt", "the", "of", "and", "in", "a", NULL};
    char low[8];
    if (n >= sizeof low) return 0;
    for (size_t i = 0; i < n; i++) low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    for (int i = 0; stop[i]; i++)
        if (strlen(stop[i]) == n && memcmp(stop[i], low, n) == 0) return 1;
    return 0;
}

/* Words of t[a, b) (single spaces between them: passage text is normalized). */
static size_t count_words(const char *t, size_t a, size_t b) {
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        if (t[i] != ' ' && (i == a || t[i - 1] == ' ')) n++;
    return n;
}

/* The best long form of sf in t[a, b), into [*lo, *hi): Schwartz & Hearst's
 * findBestLongForm, on characters. 1 when found. */
static int best_long_form(const char *t, size_t a, size_t b, const cp *s, size_t ns,
                          size_t *lo, size_t *hi) {
    cp l[WIN_MAX];
    size_t nl = decode(t + a, b - a, l, WIN_MAX);
    if (!nl) return 0;
    long li = (long)nl - 1;
    for (long si = (long)ns - 1; si >= 0; si--) {
        if (!s[si].alnum) continue;
        while ((li >= 0 && l[li].c != s[si].c) || (si == 0 && li > 0 && l[li - 1].alnum)) li--;
        if (li < 0) return 0;
        li--;
    }
    long start = li + 1;
    while (start > 0 && !l[start - 1].space) start--;
    *lo = a + l[start].at;
    *hi = b;
    return 1;
}

/* The long form of sf[0, ns) in the window t[a, b) (words before '(' or inside the
 * parentheses), with the stop-word, length and self rules; 1 and [*lo, *hi) when found. */
static int long_form(const char *t, size_t a, size_t b, const char *sf, size_t sfn, size_t *lo,
                     size_t *hi) {
    cp s[SF_MAX + 1];
    size_t ns = decode(sf, sfn, s, SF_MAX + 1);
    if (!ns) return 0;
    size_t maxw = ns + 5 < 2 * ns ? ns + 5 : 2 * ns;
    for (;;) {
        /* trailing stop words never end a long form */
        while (b > a) {
            size_t w = b;
            while (w > a && t[w - 1] != ' ') w--;
            if (!is_stop(t + w, b - w)) break;
            b = w > a ? w - 1 : a;
        }
        if (b <= a || !best_long_form(t, a, b, s, ns, lo, hi)) return 0;
        size_t w = *lo;
        while (w < *hi && t[w] != ' ') w++;
        if (!is_stop(t + *lo, w - *lo)) break;
        a = w; /* it began on a stop word: try the words after it */
        while (a < b && t[a] == ' ') a++;
    }
    while (*hi > *lo && t[*hi - 1] == '-') (*hi)--; /* "Complex Text Layout-" */
    if (count_words(t, *lo, *hi) > maxw || *hi - *lo <= sfn) return 0;
    /* a name is words: not a formula, a path or a quotation ("$ engelsk", "Kunde_ID -> x") */
    for (size_t i = *lo; i < *hi; i++)
        if ((t[i] && strchr("\"$=<>_|#*[]{}", t[i])) ||
            (i + 3 <= *hi && (memcmp(t + i, "\xE2\x80\x9D", 3) == 0 ||
                              memcmp(t + i, "\xE2\x80\x9C", 3) == 0)))
            return 0;
    /* "CSL Lab (CSL)": the long form may not hold the short form as a word */
    for (size_t i = *lo; i + sfn <= *hi; i++)
        if ((i == *lo || t[i - 1] == ' ') && memcmp(t + i, sf, sfn) == 0 &&
            (i + sfn == *hi || t[i + sfn] == ' '))
            return 0;
    return 1;
}

/* Where the sentence holding t[.., end) begins, at most WIN_MAX bytes back: after the
 * last ". ", "! ", "? ", ": ", "; ", ")" or "(" before end. */
static size_t sentence_start(const char *t, size_t end) {
    size_t floor_ = end > WIN_MAX ? end - WIN_MAX : 0;
    for (size_t i = end; i > floor_; i--) {
        char c = t[i - 1];
        if (c == '(' || c == ')') return i;
        if (c == ' ' && i >= 2 && t[i - 2] && strchr(".!?:;", t[i - 2])) return i;
    }
    /* a cut inside a character: move to the next character's start */
    while (floor_ < end && ((unsigned char)t[floor_] & 0xC0) == 0x80) floor_++;
    return floor_;
}

size_t ark_acronym_scan(const char *text, size_t len, ark_acronym_fn fn, void *user) {
    size_t found = 0;
    for (size_t open = 0; open < len; open++) {
        if (text[open] != '(') continue;
        size_t close = open + 1;
        while (close < len && close - open <= INSIDE_MAX && text[close] != ')' &&
               text[close] != '(')
            close++;
        if (close >= len || text[close] != ')') continue;
        /* the inside, trimmed, up to a "; ", ", ", " - ", " – " or "=": "HTML (Hypertext
         * Markup Language - på dansk …)", "UI (User Interface = brugerflade)" */
        size_t ia = open + 1, ib = close;
        while (ia < ib && text[ia] == ' ') ia++;
        for (size_t i = ia; i + 1 < ib; i++)
            if (((text[i] == ';' || text[i] == ',') && text[i + 1] == ' ') || text[i] == '=' ||
                (i > ia && text[i - 1] == ' ' && (text[i] == '-' || memcmp(text + i, "\xE2\x80\x93", 3) == 0))) {
                ib = i;
                break;
            }
        while (ib > ia && (text[ib - 1] == ' ' || text[ib - 1] == '-')) ib--;
        /* before: the words of its sentence up to the parenthesis */
        size_t be = open;
        while (be > 0 && text[be - 1] == ' ') be--;
        size_t ba = sentence_start(text, be);
        size_t lo, hi;
        if (ia < ib && valid_sf(text + ia, ib - ia)) {
            /* long form (SF) */
            if (be > ba && long_form(text, ba, be, text + ia, ib - ia, &lo, &hi)) {
                found++;
                if (fn(text + ia, ib - ia, text + lo, hi - lo, user)) break;
            }
        } else if (ia < ib && be > ba) {
            /* SF (long form): the SF is the word before the parenthesis */
            size_t w = be;
            while (w > ba && text[w - 1] != ' ') w--;
            /* the long form is what the parentheses hold, but for two words before it
             * at most ("ØKF (den nye Økonomiforvaltning)"): never a remark's tail */
            size_t se = be; /* "FFT- (…)": the hyphen of a suspended compound is not its */
            while (se > w && text[se - 1] == '-') se--;
            if (valid_sf(text + w, se - w) && long_form(text, ia, ib, text + w, se - w, &lo, &hi) &&
                count_words(text, ia, lo) <= 2) {
                found++;
                if (fn(text + w, se - w, text + lo, hi - lo, user)) break;
            }
        }
        open = close - 1; /* the loop steps to close */
    }
    return found;
}
