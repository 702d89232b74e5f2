/* server/routes.h: the URL space: which path runs which route.
 * Owns: the route table (the JSON API of api.h and the site of page.h), which routes
 * refuse query parameters they do not take, and the route a path counts under in
 * /metrics.
 * Not here: what a route answers (api.c, page.c), HTTP mechanics (http.c). */
#ifndef ARKIVAR_SERVER_ROUTES_H
#define ARKIVAR_SERVER_ROUTES_H

#include "metrics.h"
#include "reply.h"

/* The route a path belongs to (for metrics), without running it. */
ark_route ark_route_of(const char *path);

/* Run the route for req->path and fill r; an unknown path is a JSON 404. Never fails
 * (see reply.h for the reply that cannot be built). */
void ark_route_run(const ark_api_req *req, ark_reply *r);

#endif
