/* server/page.h: the HTML front page (GET /).
 * Owns: the markup of the search page and HTML escaping of anything put into it.
 * Not here: results (fetched by the browser from /api/search), HTTP headers (http.c).
 * Why its own module: a later issue grows this into the full search page; until then it
 * is a form that needs no JavaScript. */
#ifndef ARKIVAR_SERVER_PAGE_H
#define ARKIVAR_SERVER_PAGE_H

#include <stddef.h>

#include "arkivar/buf.h"

extern const char ark_page_html_type[]; /* "text/html; charset=utf-8" */

/* Append the front page to out, with q (may be NULL) pre-filled in the search box.
 * 0 or ARK_ENOMEM. */
int ark_page_home(const char *q, ark_buf *out);

/* Append s[0, len) with & < > " ' escaped and invalid UTF-8 and control characters
 * replaced, safe in element text and in quoted attribute values. 0 or ARK_ENOMEM. */
int ark_page_escape(ark_buf *out, const char *s, size_t len);

#endif
