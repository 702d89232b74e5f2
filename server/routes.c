/* server/routes.c: the route table. See routes.h. */
#include "routes.h"

#include <string.h>

#include "api.h"
#include "page.h"
#include "push.h"

typedef void (*handler)(const ark_api_req *req, const char *rest, ark_reply *r);

/* One signature for the table; the argument a is what follows a prefix route's path. */
static void api_search(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_search(q, r); }
static void api_doc(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_doc(q, a, r); }
static void api_suggest(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_api_suggest(q, r);
}
static void api_health(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_health(r); }
static void api_openapi(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_openapi(r); }
static const char *const no_params[] = {NULL};
static void api_live(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_health_live(r); }
static void api_ready(const ark_api_req *q, const char *a, ark_reply *r) { ark_api_health_ready(r); }
static void api_metrics(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_api_metrics(q, r);
}
/* GET or HEAD of a pushed document's address: it is PUT or DELETEd there (push.c, through
 * http.c), and read at /api/doc/ID. */
static void api_documents(const ark_api_req *q, const char *a, ark_reply *r) {
    if (!ark_push_enabled()) {
        ark_api_error(r, ARK_API_NOT_FOUND, "no such route");
        return;
    }
    ark_api_error(r, ARK_API_METHOD_NOT_ALLOWED, "documents are PUT and DELETEd here; read one at /api/doc/ID");
    r->allow = "PUT, DELETE";
}
static void page_search(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_page_search(q, r);
}
static void page_doc(const ark_api_req *q, const char *a, ark_reply *r) { ark_page_doc(q, a, r); }
static void page_osd(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_page_opensearch(q, r);
}
static void page_static(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_page_static(q->path, r);
}
static void page_theme(const ark_api_req *q, const char *a, ark_reply *r) {
    ark_page_theme(q->path, r);
}
static void page_robots(const ark_api_req *q, const char *a, ark_reply *r) { ark_page_robots(r); }

/* A path ending in '/' is a prefix: what follows it is the route's argument (a
 * document id). The site counts as one route in /metrics. params: the query parameters
 * the route takes, any other refused with 400 unknown_parameter (issue 15); NULL takes
 * any. The JSON API is strict, for a misspelt "limt" is a bug its caller must see. The
 * pages are not: links from mail and other sites carry their own (utm_source, a form's
 * button name), and a visitor must still get the page. Nor are the monitoring routes,
 * whose probes and scrapers add their own, and the push address, which answers an
 * error anyway. */
static const struct route {
    const char *path;
    ark_route metric;
    handler run;
    const char *const *params;
} routes[] = {
    {"/api/search", ARK_ROUTE_SEARCH, api_search, ark_api_search_params},
    {"/api/doc/", ARK_ROUTE_DOC, api_doc, ark_api_doc_params},
    {"/api/suggest", ARK_ROUTE_SUGGEST, api_suggest, ark_api_suggest_params},
    {"/api/openapi.json", ARK_ROUTE_OTHER, api_openapi, no_params},
    {ARK_PUSH_PREFIX, ARK_ROUTE_DOCUMENTS, api_documents, NULL},
    {"/health", ARK_ROUTE_HEALTH, api_health, NULL},
    {"/health/live", ARK_ROUTE_HEALTH, api_live, NULL},
    {"/health/ready", ARK_ROUTE_HEALTH, api_ready, NULL},
    {"/metrics", ARK_ROUTE_METRICS, api_metrics, NULL},
    {"/", ARK_ROUTE_PAGE, page_search, NULL},
    {"/doc/", ARK_ROUTE_PAGE, page_doc, NULL},
    {"/opensearch.xml", ARK_ROUTE_PAGE, page_osd, NULL},
    {"/static/", ARK_ROUTE_PAGE, page_static, NULL},
    {"/theme/", ARK_ROUTE_PAGE, page_theme, NULL},
    {"/robots.txt", ARK_ROUTE_PAGE, page_robots, NULL},
};

/* The route of path, and in *rest what follows a prefix route's path; NULL for none. */
static const struct route *find(const char *path, const char **rest) {
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const char *p = routes[i].path;
        size_t n = strlen(p);
        int prefix = n > 1 && p[n - 1] == '/';
        if (prefix ? strncmp(path, p, n) == 0 : strcmp(path, p) == 0) {
            *rest = path + (prefix ? n : strlen(path));
            return &routes[i];
        }
    }
    return NULL;
}

ark_route ark_route_of(const char *path) {
    const char *rest;
    const struct route *r = find(path, &rest);
    return r ? r->metric : ARK_ROUTE_OTHER;
}

void ark_route_run(const ark_api_req *req, ark_reply *r) {
    const char *rest;
    const struct route *route = find(req->path, &rest);
    if (!route) ark_api_error(r, ARK_API_NOT_FOUND, "no such route");
    else if (!route->params || ark_params_check(req, route->path, route->params, r) == 0)
        route->run(req, rest, r);
}
