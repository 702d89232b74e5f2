/* include/arkivar/buf.h: a growable byte buffer with a stored length (sds-like).
 * Owns: one heap block; always NUL-terminated after any successful append.
 * Errors: appends return 0 or ARK_ENOMEM; after a failed append the buffer is
 * unchanged and still valid. Memory: ark_buf_free() frees the block; ark_buf_take()
 * transfers it to the caller (free with free()). */
#ifndef ARKIVAR_BUF_H
#define ARKIVAR_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ark_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
} ark_buf;

#define ARK_BUF_INIT {NULL, 0, 0}

/* Every append returns 0 or ARK_ENOMEM; on ARK_ENOMEM b is as it was (a failed append
 * never leaves half of its bytes). The data is kept NUL-terminated past len, so
 * b->data is a C string once anything was appended. b must not be NULL. */
int ark_buf_reserve(ark_buf *b, size_t extra);           /* room for extra bytes more */
int ark_buf_append(ark_buf *b, const void *p, size_t n); /* p may be NULL when n is 0 */
int ark_buf_puts(ark_buf *b, const char *s);
int ark_buf_putc(ark_buf *b, char c);
int ark_buf_printf(ark_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ark_buf_reset(ark_buf *b);  /* len = 0, keeps the block */
char *ark_buf_take(ark_buf *b);  /* transferred: caller frees ("" when empty, NULL on
                                  * out of memory); b is empty after */
void ark_buf_free(ark_buf *b);   /* accepts NULL; b is empty after */

#endif
