/* tests/fuzz/fuzz_cpr.c: libFuzzer target for CPR masking.
 * The input's first bytes choose a valid CPR number and one of the spellings that
 * extraction produces (separators, dotted dates, letter-spacing, fullwidth digits, a
 * line break or a line-end hyphen inside it); the rest is any text put before and
 * after it. Wherever the number lands, no digit of it may survive: neither in the
 * normalized whole (checked through the byte map) nor in any passage the segmenter
 * cuts (headings are ark_norm of their own line, the same function). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const seps[] = {"-", "\xE2\x80\x93", "\xE2\x80\x90", "\xE2\x80\x91",
                                   "\xE2\x88\x92", "\xE2\x80\x94", "/", ".", "_", ",",
                                   ":", "- ", " - ", " ", "", "-\n", " \n", "\xC2\xA0"};
#define NSEPS (sizeof seps / sizeof seps[0])

static size_t put_digit(char *o, int d, int wide) {
    if (!wide) {
        o[0] = (char)('0' + d);
        return 1;
    }
    o[0] = (char)0xEF; /* U+FF10 + d */
    o[1] = (char)0xBC;
    o[2] = (char)(0x90 + d);
    return 3;
}

static size_t put(char *o, const char *s) {
    size_t n = strlen(s);
    memcpy(o, s, n);
    return n;
}

/* Spell the ten digits d[] into o; returns the length. */
static size_t spell(char *o, const int *d, unsigned form, unsigned arg, int wide) {
    size_t n = 0;
    switch (form % 4) {
    case 0: /* DDMMYY sep SSSS */
        for (int i = 0; i < 10; i++) {
            if (i == 6) n += put(o + n, seps[arg % NSEPS]);
            n += put_digit(o + n, d[i], wide);
        }
        break;
    case 1: { /* DD.MM.YY SSSS */
        static const char *const ds[] = {".", "/", " ", "-"};
        static const char *const ss[] = {"-", " ", " - ", "\xE2\x80\x93"};
        for (int i = 0; i < 10; i++) {
            if (i == 2 || i == 4) n += put(o + n, ds[arg % 4]);
            if (i == 6) n += put(o + n, ss[(arg / 4) % 4]);
            n += put_digit(o + n, d[i], wide);
        }
        break;
    }
    case 2: /* letter-spaced, maybe with " - " */
        for (int i = 0; i < 10; i++) {
            if (i > 0) n += put(o + n, i == 6 && (arg & 1) ? " - " : " ");
            n += put_digit(o + n, d[i], wide);
        }
        break;
    default: /* a line-end hyphen repaired inside the number */
        for (int i = 0; i < 10; i++) {
            if (i == (int)(1 + arg % 9)) n += put(o + n, "-\n");
            n += put_digit(o + n, d[i], wide);
        }
        break;
    }
    return n;
}

/* No byte of out that comes from [lo, hi) of the input may be a digit. */
static void check(const char *out, size_t len, const uint32_t *map, size_t base, size_t lo,
                  size_t hi) {
    for (size_t i = 0; i < len; i++) {
        size_t at = base + map[i];
        if (at < lo || at >= hi) continue;
        unsigned char c = (unsigned char)out[i];
        if ((c >= '0' && c <= '9') ||
            (c == 0xEF && i + 2 < len && (unsigned char)out[i + 1] == 0xBC &&
             (unsigned char)out[i + 2] >= 0x90 && (unsigned char)out[i + 2] <= 0x99)) {
            fprintf(stderr, "unmasked CPR digit at output %zu: %.*s\n", i, (int)len, out);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 8) return 0;
    int d[10];
    d[0] = (data[0] % 31 + 1) / 10;
    d[1] = (data[0] % 31 + 1) % 10;
    d[2] = (data[1] % 12 + 1) / 10;
    d[3] = (data[1] % 12 + 1) % 10;
    for (int i = 4; i < 10; i++) d[i] = (data[2 + i / 2] >> (4 * (i & 1))) % 10;
    unsigned form = data[6] & 7, arg = data[7];
    int wide = (data[6] >> 3) & 1;
    data += 8;
    size_t rest = size - 8, half = rest / 2;

    /* prefix " a " CPR " a " suffix: letters fence the number off, so the digits of the
     * text around it cannot make it a longer number. */
    size_t cap = rest + 128;
    char *in = malloc(cap + 1);
    if (!in) return 0;
    size_t n = 0;
    memcpy(in, data, half);
    n = half;
    n += put(in + n, "\n a ");
    size_t lo = n;
    n += spell(in + n, d, form, arg, wide);
    size_t hi = n;
    n += put(in + n, " a\n");
    memcpy(in + n, data + half, rest - half);
    n += rest - half;
    in[n] = '\0';

    char *out = NULL;
    size_t out_len = 0;
    uint32_t *map = NULL;
    if (ark_norm(in, n, &out, &out_len, &map) != 0) abort();
    check(out, out_len, map, 0, lo, hi);
    free(out);
    free(map);

    ark_source src = {in, n, NULL, 0, NULL, 0, 0};
    ark_passages ps = {0};
    if (ark_segment(&src, &ps, NULL) == 0) {
        for (size_t i = 0; i < ps.n; i++) {
            const ark_passage *p = &ps.v[i];
            if (ark_norm(in + p->start, p->end - p->start, &out, &out_len, &map) != 0) abort();
            check(out, out_len, map, p->start, lo, hi);
            free(out);
            free(map);
        }
    }
    ark_passages_free(&ps);
    free(in);
    return 0;
}
