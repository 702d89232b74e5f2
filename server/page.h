/* server/page.h: the search site, rendered on the server.
 * Owns: the HTML of the search page (GET /, GET /?q=…), the document view
 * (GET /doc/ID?q=…#pN), their 404 page, the OpenSearch description (GET
 * /opensearch.xml), the progressive-enhancement script and the icon (GET /static/…),
 * the theme's files (GET /theme/…) and GET /robots.txt.
 * Not here: HTTP headers and CSP (http.c), the JSON API (api.c), escaping (html.c),
 * searching itself (lib/search).
 * Why server-rendered: municipal PCs may run with JavaScript off; every feature of the
 * page (results, marks, filters, paging, "Mente du") works as plain links and forms,
 * and the script only adds suggestions while typing. */
#ifndef ARKIVAR_SERVER_PAGE_H
#define ARKIVAR_SERVER_PAGE_H

#include "reply.h"

#define ARK_PAGE_LIMIT 10     /* results per page unless ?limit= says otherwise */
#define ARK_PAGE_MAX_LIMIT 50

extern const char ark_page_html_type[]; /* "text/html; charset=utf-8" */

/* Each fills r (status, type, body); never fails: out of memory or an engine error
 * becomes an error page. */
void ark_page_search(const ark_api_req *req, ark_reply *r);
void ark_page_doc(const ark_api_req *req, const char *id, ark_reply *r);
void ark_page_opensearch(const ark_api_req *req, ark_reply *r);
/* path is the whole request path ("/static/arkivar.js"); unknown files are a 404. */
void ark_page_static(const char *path, ark_reply *r);
/* GET /theme/theme.css, /theme/logo.svg or .png: the served theme's files (theme.h);
 * what it lacks is a 404. */
void ark_page_theme(const char *path, ark_reply *r);
/* GET /robots.txt: crawlers may read the pages, not /api/. */
void ark_page_robots(ark_reply *r);

#endif
