/* server/api.h: the JSON API, one function per route (routes.c calls them).
 * Owns: GET /api/search (JSON, or terminal text with format=text), /api/doc/ID,
 * /api/suggest (OpenSearch suggestions), /health (and its /live and /ready) and /metrics.
 * Not here: the URL space (routes.c), replies and limits (reply.h), the HTML site
 * (page.h), the engine (lib/search). Each fills r and never fails: out of memory or an
 * engine error becomes an error reply. */
#ifndef ARKIVAR_SERVER_API_H
#define ARKIVAR_SERVER_API_H

#include "reply.h"

/* The query parameters each route takes (NULL-terminated): any other one is refused
 * (routes.c, ark_params_check). */
extern const char *const ark_api_search_params[];
extern const char *const ark_api_doc_params[];
extern const char *const ark_api_suggest_params[];

void ark_api_search(const ark_api_req *req, ark_reply *r);
/* id is percent-decoded (%2F gives ids with folders); only looked up in the index. With
 * q, every passage says whether it matches and where the query's words are. */
void ark_api_doc(const ark_api_req *req, const char *id, ark_reply *r);
void ark_api_suggest(const ark_api_req *req, ark_reply *r);
void ark_api_health(ark_reply *r);
/* /health/live: the process answers (never touches the index). /health/ready: the
 * index can be searched, with its revision and the age of its last commit; else 503
 * not_ready. */
void ark_api_health_live(ark_reply *r);
void ark_api_health_ready(ark_reply *r);
/* /api/openapi.json: the OpenAPI document compiled in (server/static/openapi.json). */
void ark_api_openapi(ark_reply *r);
/* /metrics is served even when the index cannot be read (its gauges are left out). */
void ark_api_metrics(const ark_api_req *req, ark_reply *r);

#endif
