/* server/html.h: a small HTML writer on ark_buf.
 * Owns: escaping for element text and quoted attribute values (& < > " '), percent-
 * encoding for URL query values and path segments, and a sticky error so a renderer
 * writes a whole page without checking every call (as json.h does for JSON).
 * Not here: what a page shows (page.c), HTTP headers (http.c).
 * Why: the page shows users' queries and extracted document text; every byte of both
 * goes through these functions, so markup injection has exactly one place to be
 * stopped, and one place to be reviewed. */
#ifndef ARKIVAR_SERVER_HTML_H
#define ARKIVAR_SERVER_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/buf.h"

typedef struct ark_html {
    ark_buf *b; /* borrowed */
    int rc;     /* first error (ARK_ENOMEM), 0 while all is well; later calls do nothing */
} ark_html;

void ark_html_init(ark_html *h, ark_buf *b);

/* Trusted markup: only for string literals of our own. */
void ark_html_raw(ark_html *h, const char *s);
void ark_html_printf(ark_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Untrusted text, safe in element content and in "…"/'…' attribute values: & < > " '
 * become entities, invalid UTF-8 becomes U+FFFD, control characters (except \n, \t)
 * become spaces. NULL writes nothing. */
void ark_html_text(ark_html *h, const char *s);
void ark_html_textn(ark_html *h, const char *s, size_t len);

/* Untrusted text as a URL query value: everything but A-Z a-z 0-9 - . _ ~ is
 * percent-encoded (UTF-8 bytes as they are), so the result is also safe in an
 * attribute without further escaping. */
void ark_html_urlq(ark_html *h, const char *s);
/* The same for a path: '/' is kept, so "a/b.txt" stays readable. */
void ark_html_urlpath(ark_html *h, const char *s);

/* Escape s[0, len) into out (the former page API, kept for callers without an
 * ark_html). 0 or ARK_ENOMEM. */
int ark_html_escape(ark_buf *out, const char *s, size_t len);

#endif
