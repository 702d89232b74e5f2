/* server/client.h: the client of a request, as far as the server can trust it
 * (client.c). Set-up functions (ark_http_set_cors, …, ark_http_listen) are in http.h. */
#ifndef ARKIVAR_SERVER_CLIENT_H
#define ARKIVAR_SERVER_CLIENT_H

#include <microhttpd.h>
#include <stddef.h>

#include "fair.h"
#include "http.h"

/* The Content-Security-Policy of the pages (with --frame-ancestors); static. */
const char *ark_http_csp(void);
/* 1 when --trusted-proxy named any peer. */
int ark_http_have_proxies(void);
/* 1 when --cors named any origin (or *). */
int ark_http_cors_on(void);

/* 1 for the JSON API's paths (/api/…): CORS applies to them only. */
int ark_is_api(const char *url);
/* The address key of the request's client into key: the peer, or, when the peer is a
 * trusted proxy, the rightmost X-Forwarded-For address that is not one (*trusted 1). */
void ark_client_key(struct MHD_Connection *c, unsigned char key[ARK_FAIR_KEY], int *trusted);
/* 1 when the request's Host passes --allow-host (always, without it). */
int ark_host_allowed(struct MHD_Connection *c);
/* The Access-Control-Allow-Origin for origin, or NULL (borrowed, static). */
const char *ark_cors_allow(const char *origin);
/* "http://HOST" (https when a trusted proxy says so) for absolute URLs into out. */
void ark_request_base(struct MHD_Connection *c, int trusted, char *out, size_t cap);
/* The Access-Control-Allow-Headers of a preflight (the requested ones when plain). */
const char *ark_preflight_headers(struct MHD_Connection *c);

#endif
