/* lib/analysis/fold.c: lowercasing and the æ/ø/å folding key.
 * Owns: ark_lower (Unicode lowercase, NFC) and ark_fold (the lossy key that lets
 * "kobenhavn", "koebenhavn" and "københavn" meet).
 * Not here: tokenizing (tok.c), stemming (stem.c) and compounds (compound.c), the stored text, which
 * keeps its æ/ø/å (DOMAIN.md: never destroy the letters in displayed text).
 * Why: lowercasing runs on every token of every document, so it must not allocate on
 * the common path; folding is a separate "F" term so "rød" and "rod" never rank equal. */
#include "arkivar/analysis.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Largest l <= max with s[l] on a character boundary (UTF-8 continuation bytes are 10xxxxxx). */
static size_t cut(const char *s, size_t len, size_t max) {
    if (len <= max) return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

size_t ark_lower(const char *s, size_t len, char *out, size_t cap) {
    if (!out || cap == 0) return 0;
    const unsigned char *u = (const unsigned char *)s, *end = u + len;
    size_t o = 0, i = 0;
    int rare = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (o + 1 >= cap) break;
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            i++;
            continue;
        }
        /* Latin-1 letters (Æ Ø Å É …, the common case beyond ASCII) by hand: U+00C0-U+00DE
         * lowercase by +0x20, except ×; the rest of U+00C0-U+00FF is already lowercase. */
        if (c == 0xC3 && i + 1 < len && (u[i + 1] & 0xC0) == 0x80) {
            if (o + 2 >= cap) break;
            unsigned char d = u[i + 1];
            out[o++] = (char)0xC3;
            out[o++] = (char)(d >= 0x80 && d <= 0x9E && d != 0x97 ? d + 0x20 : d);
            i += 2;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u + i, end - (u + i), &cp);
        if (n < 1) { /* invalid byte: dropped, so every output is valid UTF-8 (a Xapian term) */
            i++;
            continue;
        }
        /* Beyond Latin Extended B (U+0300 starts the combining marks) a string may not be in
         * NFC after lowercasing; General Punctuation (’ ‐ ‑) is safe and common in words. */
        if (cp >= 0x300 && !(cp >= 0x2000 && cp <= 0x206F)) rare = 1;
        if (cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4) cp = '\'';
        else if (cp == 0xB2 || cp == 0xB3) cp = '0' + (cp - 0xB0);
        else if (cp == 0xB9) cp = '1';
        else if (cp >= 0x2080 && cp <= 0x2089) cp = '0' + (cp - 0x2080);
        else if (cp >= 0x2070 && cp <= 0x2079 && cp != 0x2071 && cp != 0x2072 && cp != 0x2073)
            cp = '0' + (cp - 0x2070);
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), enc);
        if (o + (size_t)m >= cap) break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
        i += (size_t)n;
    }
    out[o] = '\0';
    if (rare) {
        /* The rare path: recompose to NFC (utf8proc allocates). On failure the simple
         * lowercase stands; it is still valid UTF-8. */
        utf8proc_uint8_t *nfc = NULL;
        utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)out, (utf8proc_ssize_t)o, &nfc,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        if (m >= 0 && nfc) {
            size_t k = cut((const char *)nfc, (size_t)m, cap - 1);
            memcpy(out, nfc, k);
            out[k] = '\0';
            o = k;
        }
        free(nfc);
    }
    return o;
}

/* Each character lowercased alone, as ark_lower does it in its loop; only the NFC
 * recomposition of the rare path can join characters, and then the map is refused. */
int ark_lower_map(const char *s, size_t len, const char *low, size_t ll, uint32_t *map) {
    if (!map || (!s && len) || (!low && ll)) return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len && o < ll) {
        size_t n = 1;
        if (u[i] >= 0x80) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t r = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
            n = r < 1 ? 1 : (size_t)r;
        }
        char one[16];
        size_t k = ark_lower(s + i, n, one, sizeof one);
        if (k > ll - o) break; /* low was cut before this character */
        if (memcmp(low + o, one, k) != 0) return 0;
        for (size_t j = 0; j < k; j++) map[o + j] = (uint32_t)i;
        o += k;
        i += n;
    }
    if (o != ll) return 0;
    map[ll] = (uint32_t)i;
    return 1;
}

/* The folding of one lowercase code point, or NULL to keep it. A small table on purpose:
 * it covers Danish and the Latin-1 letters of German/French/Nordic names in the records,
 * not a general transliteration. */
static const char *fold_cp(int32_t cp) {
    switch (cp) {
    case 0xE6: return "ae"; /* æ */
    case 0xE4: return "ae"; /* ä */
    case 0xF8: return "o";  /* ø */
    case 0xF6: return "o";  /* ö */
    case 0xF3: case 0xF2: case 0xF4: case 0xF5: return "o";
    case 0xE5: return "a";  /* å */
    case 0xE1: case 0xE0: case 0xE2: case 0xE3: return "a";
    case 0xE9: case 0xE8: case 0xEA: case 0xEB: return "e";
    case 0xED: case 0xEC: case 0xEE: case 0xEF: return "i";
    case 0xFC: case 0xFA: case 0xF9: case 0xFB: return "u";
    case 0xFD: case 0xFF: return "y";
    case 0xF1: return "n";
    case 0xE7: return "c";
    case 0xDF: return "ss";
    default: return NULL;
    }
}

size_t ark_fold(const char *lower, size_t len, char *out, size_t cap) {
    if (!out || cap == 0) return 0;
    const unsigned char *u = (const unsigned char *)lower, *end = u + len;
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (o + 1 >= cap) break;
            out[o++] = (char)c;
            /* The old transliteration: "oe" for ø, "aa" for å. Only on the input's own
             * ASCII pairs, so "søerne" (ø + e) and "soeerne" both give "soerne". */
            i += ((c == 'o' || c == 'a') && i + 1 < len && u[i + 1] == (c == 'o' ? 'e' : 'a')) ? 2 : 1;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u + i, end - (u + i), &cp);
        if (n < 1) {
            i++;
            continue;
        }
        const char *f = fold_cp(cp);
        size_t m = f ? strlen(f) : (size_t)n;
        if (o + m >= cap) break;
        memcpy(out + o, f ? f : (const char *)u + i, m);
        o += m;
        i += (size_t)n;
    }
    out[o] = '\0';
    return o;
}
