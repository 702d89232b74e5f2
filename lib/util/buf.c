/* lib/util/buf.c: growable byte buffer.
 * Owns: the growth policy (doubling, so n appends cost O(n) copies). */
#include "arkivar/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"

int ark_buf_reserve(ark_buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return 0;
    if (extra > ((size_t)-1) / 4) return ARK_ENOMEM;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) return ARK_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int ark_buf_append(ark_buf *b, const void *p, size_t n) {
    if (ark_buf_reserve(b, n) != 0) return ARK_ENOMEM;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ark_buf_puts(ark_buf *b, const char *s) { return ark_buf_append(b, s, strlen(s)); }

int ark_buf_putc(ark_buf *b, char c) { return ark_buf_append(b, &c, 1); }

int ark_buf_printf(ark_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return ARK_EINVAL;
    if ((size_t)n < sizeof tmp) return ark_buf_append(b, tmp, (size_t)n);
    if (ark_buf_reserve(b, (size_t)n) != 0) return ARK_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void ark_buf_reset(ark_buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

char *ark_buf_take(ark_buf *b) {
    char *p = b->data;
    if (!p) p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void ark_buf_free(ark_buf *b) {
    if (!b) return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
