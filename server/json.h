/* server/json.h: a small streaming JSON writer on ark_buf.
 * Owns: JSON syntax (commas, nesting, key/value order) and string escaping; turning
 * any bytes into valid UTF-8 (each invalid byte becomes U+FFFD).
 * Not here: what the documents look like (api.c), HTTP (http.c).
 * Why: index text comes from PDF extraction and may hold broken UTF-8 and control
 * characters; a response must be valid JSON whatever the index holds.
 *
 * Errors are sticky: after the first failure (out of memory, nesting too deep, a value
 * where a key is due) every call does nothing, and ark_json_finish() returns the code.
 * So renderers write a whole document without checking each call. */
#ifndef ARKIVAR_SERVER_JSON_H
#define ARKIVAR_SERVER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/buf.h"

#define ARK_JSON_MAX_DEPTH 32

typedef struct ark_json {
    ark_buf *b;       /* borrowed: the caller owns and frees it */
    int rc;           /* first error, 0 while all is well */
    unsigned depth;
    unsigned char count[ARK_JSON_MAX_DEPTH]; /* per level: 0 until a member is written */
    unsigned char is_obj[ARK_JSON_MAX_DEPTH];
    int key_pending;  /* a key was written, its value is due */
} ark_json;

void ark_json_init(ark_json *j, ark_buf *b);
/* 0 when the document is complete and balanced, else ARK_ENOMEM or ARK_EINVAL. */
int ark_json_finish(ark_json *j);

void ark_json_obj_begin(ark_json *j);
void ark_json_obj_end(ark_json *j);
void ark_json_arr_begin(ark_json *j);
void ark_json_arr_end(ark_json *j);
void ark_json_key(ark_json *j, const char *key); /* key: NUL-terminated, escaped too */

void ark_json_str(ark_json *j, const char *s);              /* NULL writes null */
void ark_json_strn(ark_json *j, const char *s, size_t len); /* NULL writes null */
void ark_json_u64(ark_json *j, uint64_t v);
void ark_json_i64(ark_json *j, int64_t v);
void ark_json_double(ark_json *j, double v, int decimals); /* NaN/inf write null */
void ark_json_bool(ark_json *j, int v);
void ark_json_null(ark_json *j);

/* A member of the open object: the key, then its value (as ark_json_key + the writer). */
void ark_json_kstr(ark_json *j, const char *key, const char *s);
void ark_json_ku64(ark_json *j, const char *key, uint64_t v);
void ark_json_kbool(ark_json *j, const char *key, int v);

/* Append s[0, len) as a quoted JSON string: ", \ and control characters escaped,
 * U+2028/U+2029 escaped (so the output is also a safe JavaScript literal), invalid
 * UTF-8 replaced by U+FFFD. 0 or ARK_ENOMEM. */
int ark_json_escape(ark_buf *b, const char *s, size_t len);

/* Decode one code point from s[0, len) (len > 0). Returns the bytes consumed (1..4)
 * and sets *cp; an invalid or truncated sequence, an overlong form, a surrogate or a
 * value above U+10FFFF consumes 1 byte and yields U+FFFD. Shared with the text and
 * HTML renderers so all three read broken input the same way. */
size_t ark_json_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Append code point cp as UTF-8. 0 or ARK_ENOMEM. */
int ark_json_utf8_put(ark_buf *b, uint32_t cp);

#endif
