/* lib/text/meta.c: document metadata by rule (title, type, date, case numbers,
 * committee, addressee).
 * Owns: the rules below and their Danish vocabulary.
 * Not here: passages and headings (segment.c), normalization (norm.c): every string
 *   we return is ark_norm of an original line, so it is NFC and repaired.
 * Why: a result must say what document it comes from, of which kind and date, and
 *   which case numbers it carries, so a user can cite it (DOMAIN.md, Provenance).
 *
 * Rules, all on the first lines of the document unless said otherwise:
 *  - addressee: the first short "Til X" line; X.
 *  - title: the first line that is not a bare document-type word ("Orientering"),
 *    an address line ("Til …", "Kære …") or a bare date; a leading date is cut
 *    ("24-06-26 Svar til …" → "Svar til …"); a title wrapped over two lines (the next
 *    line short and the first ending in "i", "og", "for" …, or both in capitals) is
 *    joined; an all-capitals title is written in capitals only at word starts
 *    ("FALLSTUDIE KØBENHAVN" → "Fallstudie København"). A catalogue whose first line
 *    is "Nr. 1: X" gets "Nr. 1–N: X m.fl." with N the highest well-formed number.
 *  - type: svar ("Svar til" in the title), orientering (a line "Orientering", a
 *    "Til Økonomiudvalget" line, or "Sagen er til … orientering"), fallstudie,
 *    katalog (three or more "Nr. N" headings), then referat, dagsorden, notat, bilag,
 *    sag by keyword at the top, else dokument.
 *  - date: the first date in the title line; else the first line that is only a
 *    date (the case block); else the first date in the first 3000 bytes that dates
 *    the document itself: at the start of a line, after a label ("Dato: …") or in a
 *    dateline ("København, den 3. maj 2026"). A date inside running prose ("På mødet
 *    den 10. december 2024 blev ØU forelagt …") is the date of something else. Last,
 *    the format's own date (a PDF's CreationDate, ark_source.date).
 *    Formats: 24-06-26, 09-06-2026, 19/5 2026, 29.05.2019, 10. december 2024.
 *  - case numbers: "YYYY-NNNNN…" and "YYYY - NNNNN" anywhere (5 to 8 digits after the
 *    year, so "2023-2026" is a period, not a case); deduplicated, in order.
 *  - committee: "ØU" when the document names Økonomiudvalget or ØU. */
#include "arkivar/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "arkivar/buf.h"

#define TOP_LINES 40

typedef struct mline {
    char *t;  /* ark_norm of the line */
    size_t n;
    size_t off; /* byte offset of the line in the source */
} mline;

static int isdig(char c) { return c >= '0' && c <= '9'; }

/* Write y-m-d as "YYYY-MM-DD" (callers checked the ranges). */
static void put_iso(char iso[11], int y, int m, int d) {
    iso[0] = (char)('0' + y / 1000 % 10);
    iso[1] = (char)('0' + y / 100 % 10);
    iso[2] = (char)('0' + y / 10 % 10);
    iso[3] = (char)('0' + y % 10);
    iso[4] = '-';
    iso[5] = (char)('0' + m / 10);
    iso[6] = (char)('0' + m % 10);
    iso[7] = '-';
    iso[8] = (char)('0' + d / 10);
    iso[9] = (char)('0' + d % 10);
    iso[10] = '\0';
}

/* Parse a date at s[i]; on success write ISO into iso and return its length in s. */
static size_t parse_date(const char *s, size_t n, size_t i, char iso[11]) {
    static const char *const months[] = {"januar", "februar", "marts", "april", "maj",
                                         "juni", "juli", "august", "september", "oktober",
                                         "november", "december"};
    if (i > 0 && (isdig(s[i - 1]) || s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == '.'))
        return 0;
    size_t k = i;
    int d = 0, m = 0, y = 0, nd = 0, ny = 0;
    while (k < n && isdig(s[k]) && nd < 3) d = d * 10 + (s[k++] - '0'), nd++;
    if (nd < 1 || nd > 2 || k >= n) return 0;
    char sep = s[k];
    if (sep == '-' || sep == '/' || sep == '.') {
        size_t k2 = k + 1;
        int nm = 0;
        while (k2 < n && isdig(s[k2]) && nm < 3) m = m * 10 + (s[k2++] - '0'), nm++;
        if (nm >= 1 && nm <= 2 && k2 < n) {
            char sep2 = s[k2];
            int ok = (sep == '/' && (sep2 == ' ' || sep2 == '-')) || sep2 == sep;
            if (ok) {
                size_t k3 = k2 + 1;
                while (k3 < n && isdig(s[k3]) && ny < 5) y = y * 10 + (s[k3++] - '0'), ny++;
                if ((ny == 4 || (ny == 2 && sep == '-')) && !(k3 < n && isdig(s[k3]))) {
                    if (k3 < n && s[k3] == '-' && k3 + 1 < n && isdig(s[k3 + 1])) return 0;
                    if (ny == 2) y += 2000;
                    if (d >= 1 && d <= 31 && m >= 1 && m <= 12 && y >= 1900 && y <= 2100) {
                        put_iso(iso, y, m, d);
                        return k3 - i;
                    }
                }
            }
        }
        /* "10. december 2024" */
        if (sep == '.' && k + 1 < n && s[k + 1] == ' ') {
            size_t k2b = k + 2;
            for (int mi = 0; mi < 12; mi++) {
                size_t ml = strlen(months[mi]);
                if (k2b + ml < n && strncasecmp(s + k2b, months[mi], ml) == 0 && s[k2b + ml] == ' ') {
                    size_t k3 = k2b + ml + 1;
                    y = 0, ny = 0;
                    while (k3 < n && isdig(s[k3]) && ny < 5) y = y * 10 + (s[k3++] - '0'), ny++;
                    if (ny == 4 && d >= 1 && d <= 31 && y >= 1900 && y <= 2100) {
                        put_iso(iso, y, mi + 1, d);
                        return k3 - i;
                    }
                }
            }
        }
    }
    return 0;
}

static size_t find_date(const char *s, size_t n, char iso[11], size_t *at) {
    for (size_t i = 0; i < n; i++) {
        if (!isdig(s[i])) continue;
        size_t l = parse_date(s, n, i, iso);
        if (l) {
            if (at) *at = i;
            return l;
        }
    }
    return 0;
}

/* Does the date at s[at] date the document? Only what precedes it on its line counts:
 * nothing, a label ending in ':' ("Dato: ", "Mødedato:"), or a place and a comma, with
 * an optional "den" ("København, den "). Any other words before it are prose. */
static int own_date(const char *s, size_t at) {
    size_t b = at;
    while (b > 0 && s[b - 1] != '\n') b--;
    size_t e = at;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    if (e == b) return 1;
    if (s[e - 1] == ':') return 1;
    if (e - b > 4 && strncasecmp(s + e - 3, "den", 3) == 0 && s[e - 4] == ' ') e -= 4;
    while (e > b && s[e - 1] == ' ') e--;
    if (e == b || s[e - 1] != ',') return 0;
    for (size_t i = b; i < e - 1; i++) /* the place: one or two words, no sentence */
        if (s[i] == '.' || s[i] == ',') return 0;
    return e - 1 - b <= 40;
}

static int is_type_word(const char *t) {
    static const char *const w[] = {"orientering", "notat", "referat", "dagsorden", "bilag",
                                    "svar", "sag", "indstilling", "beslutning", NULL};
    for (int i = 0; w[i]; i++)
        if (strcasecmp(t, w[i]) == 0) return 1;
    return 0;
}

static int all_caps(const char *t, size_t n) {
    int letters = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) return 0;
        utf8proc_category_t k = utf8proc_category(c);
        if (k == UTF8PROC_CATEGORY_LL) return 0;
        if (k == UTF8PROC_CATEGORY_LU) letters++;
        i += (size_t)l;
    }
    return letters >= 3;
}

/* "FALLSTUDIE KØBENHAVN" → "Fallstudie København". */
static int title_case(ark_buf *o, const char *t, size_t n) {
    int start = 1;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)t + i, (utf8proc_ssize_t)(n - i), &c);
        if (l <= 0) return ARK_EINTERNAL;
        int isl = utf8proc_category(c) == UTF8PROC_CATEGORY_LU || utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
        if (isl && !start) c = utf8proc_tolower(c);
        start = !isl;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t el = utf8proc_encode_char(c, enc);
        if (ark_buf_append(o, enc, (size_t)el) != 0) return ARK_ENOMEM;
        i += (size_t)l;
    }
    return 0;
}

/* A line that ends in a preposition or conjunction continues on the next line. */
static int ends_function_word(const char *t, size_t n) {
    static const char *const fw[] = {"i", "og", "for", "til", "af", "med", "p\xC3\xA5", "om",
                                     "ved", "fra", "samt", "eller", "the", "of", "and", NULL};
    size_t k = n;
    while (k > 0 && t[k - 1] != ' ') k--;
    for (int i = 0; fw[i]; i++)
        if (strlen(fw[i]) == n - k && memcmp(fw[i], t + k, n - k) == 0) return 1;
    return 0;
}

static int add_case(ark_meta *m, const char *s, size_t *cap) {
    for (size_t i = 0; i < m->ncase_numbers; i++)
        if (strcmp(m->case_numbers[i], s) == 0) return 0;
    if (m->ncase_numbers == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        char **v = realloc(m->case_numbers, nc * sizeof *v);
        if (!v) return ARK_ENOMEM;
        m->case_numbers = v;
        *cap = nc;
    }
    char *d = strdup(s);
    if (!d) return ARK_ENOMEM;
    m->case_numbers[m->ncase_numbers++] = d;
    return 0;
}

/* Case numbers "2026-0179043", "2026 - 11781" in raw bytes. */
static int scan_cases(ark_meta *m, const char *s, size_t n) {
    size_t cap = 0;
    for (size_t i = 0; i + 9 < n; i++) {
        if (!(s[i] == '1' || s[i] == '2') || (i > 0 && (isdig(s[i - 1]) || s[i - 1] == '-')))
            continue;
        if (!(isdig(s[i + 1]) && isdig(s[i + 2]) && isdig(s[i + 3]))) continue;
        size_t k = i + 4;
        while (k < n && s[k] == ' ') k++;
        if (k >= n || s[k] != '-') continue;
        k++;
        while (k < n && s[k] == ' ') k++;
        size_t d0 = k;
        while (k < n && isdig(s[k])) k++;
        if (k - d0 < 5 || k - d0 > 8 || (k < n && (s[k] == '-' || s[k] == '/'))) continue;
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%.4s-%.*s", s + i, (int)(k - d0), s + d0);
        int rc = add_case(m, tmp, &cap);
        if (rc) return rc;
        i = k - 1;
    }
    return 0;
}

static int contains(const char *h, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(h + i, needle, k) == 0) return 1;
    return 0;
}

/* "ØU" as a word: not inside a longer run of letters. */
static int has_word_OU(const char *s, size_t n) {
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(s + i, "\xC3\x98U", 3) != 0) continue;
        int before = i == 0 || !isalpha((unsigned char)s[i - 1]);
        int after = i + 3 >= n || !(isalpha((unsigned char)s[i + 3]) || (unsigned char)s[i + 3] >= 0x80);
        if (before && after) return 1;
    }
    return 0;
}

int ark_meta_extract(const ark_source *src, const ark_passages *ps, ark_meta *out,
                     ark_err *err) {
    int rc = 0;
    mline lines[TOP_LINES];
    size_t nl = 0;
    ark_buf title = ARK_BUF_INIT;
    char date[11] = "";
    memset(out, 0, sizeof *out);
    const char *s = src->bytes;
    size_t n = src->len;

    /* The first text lines, normalized. */
    for (size_t i = 0; i < n && nl < TOP_LINES;) {
        const char *e = memchr(s + i, '\n', n - i);
        size_t end = e ? (size_t)(e - s) : n;
        char *t;
        size_t tl;
        if ((rc = ark_norm_mask(s + i, end - i, src->mask, &t, &tl, NULL)) != 0) goto out;
        if (tl) {
            lines[nl].t = t;
            lines[nl].n = tl;
            lines[nl].off = i;
            nl++;
        } else {
            free(t);
        }
        i = end + 1;
    }

    /* Addressee. */
    const char *addressee = "";
    for (size_t i = 0; i < nl && i < 12; i++)
        if (strncmp(lines[i].t, "Til ", 4) == 0 && lines[i].n < 100) {
            addressee = lines[i].t + 4;
            break;
        }

    /* Catalogue: count "Nr. N" headings across the document. */
    size_t nr = 0;
    int nr_max = 0;
    for (size_t i = 0; i + 4 < n; i++) {
        if ((i == 0 || s[i - 1] == '\n' || s[i - 1] == ' ') && memcmp(s + i, "Nr.", 3) == 0) {
            size_t k = i + 3;
            while (k < n && s[k] == ' ') k++;
            if (k < n && isdig(s[k])) {
                /* at a line start, after optional spaces */
                size_t b0 = i;
                while (b0 > 0 && s[b0 - 1] == ' ') b0--;
                if (b0 > 0 && s[b0 - 1] != '\n') continue;
                nr++;
                int v = 0;
                size_t k2 = k;
                while (k2 < n && isdig(s[k2]) && v < 1000) v = v * 10 + (s[k2++] - '0');
                /* Well-formed only: "Nr. 10:" or "Nr. 3 –"; "Nr. 76:" is garbled
                 * numbering (two numbers run together) and is not trusted. */
                if (k2 - k <= 2 && v <= (int)nr + 1 && v > nr_max) nr_max = v;
            }
        }
    }
    int katalog = nr >= 3;

    /* Title. */
    size_t ti = 0;
    while (ti < nl) {
        const char *t = lines[ti].t;
        char iso[11];
        size_t at = 0, dl = find_date(t, lines[ti].n, iso, &at);
        if (is_type_word(t) || strncmp(t, "Til ", 4) == 0 || strncmp(t, "Kære ", 6) == 0 ||
            (dl && at == 0 && dl == lines[ti].n)) {
            ti++;
            continue;
        }
        break;
    }
    if (ti < nl) {
        const char *t = lines[ti].t;
        size_t tn = lines[ti].n;
        char iso[11];
        size_t at = 0, dl = find_date(t, tn, iso, &at);
        if (dl) {
            memcpy(date, iso, 11);
            if (at == 0) {
                t += dl;
                tn -= dl;
                while (tn && *t == ' ') t++, tn--;
            }
        }
        if (katalog && strncmp(t, "Nr.", 3) == 0) {
            const char *c = memchr(t, ':', tn);
            const char *rest = c ? c + 1 : t;
            while (*rest == ' ') rest++;
            if ((rc = ark_buf_printf(&title, "Nr. 1\xE2\x80\x93%d: %s m.fl.", nr_max, rest)) != 0) goto out;
        } else {
            int caps = all_caps(t, tn);
            if (caps) rc = title_case(&title, t, tn);
            else rc = ark_buf_append(&title, t, tn);
            if (rc) goto out;
            /* A title wrapped onto a second line. */
            if (ti + 1 < nl && tn < 160 && t[tn - 1] != '.') {
                const mline *nx = &lines[ti + 1];
                int join = (caps && all_caps(nx->t, nx->n)) ||
                           (!caps && ends_function_word(t, tn) && nx->n < 60 && !is_type_word(nx->t) &&
                            nx->t[nx->n - 1] != '.' && nx->off - lines[ti].off < 400);
                if (join) {
                    if ((rc = ark_buf_putc(&title, ' ')) != 0) goto out;
                    if (caps) rc = title_case(&title, nx->t, nx->n);
                    else rc = ark_buf_append(&title, nx->t, nx->n);
                    if (rc) goto out;
                }
            }
        }
        if (title.len > 200) {
            size_t cut = 200;
            while (cut > 0 && title.data[cut] != ' ') cut--;
            title.len = cut;
            title.data[cut] = '\0';
            if ((rc = ark_buf_puts(&title, "\xE2\x80\xA6")) != 0) goto out;
        }
    }

    /* A title the format carries (a PDF's Info /Title) is the author's own: it wins over
     * the rules above, which guess from the first lines. */
    if (src->title && *src->title) {
        char *t;
        size_t tl;
        if ((rc = ark_norm_mask(src->title, strlen(src->title), src->mask, &t, &tl, NULL)) != 0)
            goto out;
        if (tl) {
            title.len = 0;
            rc = ark_buf_append(&title, t, tl);
        }
        free(t);
        if (rc) goto out;
    }

    /* Type. */
    const char *type = "dokument";
    const char *tt = title.data ? title.data : "";
    size_t top = n < 3000 ? n : 3000;
    int orient = 0, fall = 0;
    for (size_t i = 0; i < nl && i < 12; i++) {
        if (strcasecmp(lines[i].t, "orientering") == 0 ||
            strcmp(lines[i].t, "Til \xC3\x98konomiudvalget") == 0)
            orient = 1;
        if (strncasecmp(lines[i].t, "fallstudie", 10) == 0 || strncasecmp(lines[i].t, "casestudie", 10) == 0)
            fall = 1;
    }
    if (contains(s, top, "Sagen er til") && contains(s, top, "orientering")) orient = 1;
    if (strncmp(tt, "Orientering", 11) == 0) orient = 1;
    if (contains(tt, strlen(tt), "Svar til") || contains(tt, strlen(tt), "svar til")) type = "svar";
    else if (orient) type = "orientering";
    else if (fall) type = "fallstudie";
    else if (katalog) type = "katalog";
    else if (contains(s, top, "Referat") || contains(s, top, "referat")) type = "referat";
    else if (contains(s, top, "Dagsorden")) type = "dagsorden";
    else if (contains(s, top, "Notat") || contains(s, top, "NOTAT")) type = "notat";
    else if (strncmp(tt, "Bilag", 5) == 0) type = "bilag";
    else if (contains(s, top, "Sagsnummer") || contains(s, top, "Sagsfremstilling")) type = "sag";

    /* Date: title, then a date-only line, then the first date near the top. */
    if (!date[0]) {
        for (size_t i = 0; i < n && !date[0];) {
            const char *e = memchr(s + i, '\n', n - i);
            size_t end = e ? (size_t)(e - s) : n;
            size_t a = i, z = end;
            while (a < z && isspace((unsigned char)s[a])) a++;
            while (z > a && isspace((unsigned char)s[z - 1])) z--;
            if (z - a >= 6 && z - a <= 20 && isdig(s[a])) {
                char iso[11];
                if (parse_date(s, z, a, iso) == z - a) memcpy(date, iso, 11);
            }
            i = end + 1;
        }
    }
    for (size_t at = 0, l; !date[0] && at < top; at += l ? l : 1) { /* own dates only */
        char iso[11];
        size_t k = 0;
        if (!(l = find_date(s + at, top - at, iso, &k))) break;
        at += k;
        if (own_date(s, at)) memcpy(date, iso, 11);
    }
    if (!date[0] && src->date[0]) memcpy(date, src->date, 11); /* the format's, last */

    if ((rc = scan_cases(out, s, n)) != 0) goto out;

    const char *committee = "";
    if (contains(s, n, "\xC3\x98konomiudvalg") || has_word_OU(s, n)) committee = "\xC3\x98U";

    out->title = title.data ? ark_buf_take(&title) : strdup("");
    out->type = strdup(type);
    out->date = strdup(date);
    out->committee = strdup(committee);
    out->addressee = strdup(addressee);
    if (!out->title || !out->type || !out->date || !out->committee || !out->addressee)
        rc = ARK_ENOMEM;
out:
    (void)ps;
    for (size_t i = 0; i < nl; i++) free(lines[i].t);
    ark_buf_free(&title);
    if (rc) {
        ark_meta_free(out);
        ark_err_set(err, rc, "meta: %s", ark_strerror(rc));
    }
    return rc;
}

void ark_meta_free(ark_meta *m) {
    if (!m) return;
    free(m->title);
    free(m->type);
    free(m->date);
    for (size_t i = 0; i < m->ncase_numbers; i++) free(m->case_numbers[i]);
    free(m->case_numbers);
    free(m->committee);
    free(m->addressee);
    memset(m, 0, sizeof *m);
}
