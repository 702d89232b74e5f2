/* server/send.h: an ark_reply onto the wire.
 * Owns: turning a route's reply into a libmicrohttpd response with the headers every
 * answer carries (nosniff, Cache-Control, the pages' CSP, CORS on /api/…, Allow,
 * WWW-Authenticate, Retry-After), gzip when the client takes it, queuing it, the access
 * log line and the metrics of the request.
 * Not here: deciding the answer (routes, push.c), the request checks (http.c).
 * Why apart: http.c's callbacks (the searches and the pushed documents) answer by it,
 * and a reply is sent the same way whichever answered it. */
#ifndef ARKIVAR_SERVER_SEND_H
#define ARKIVAR_SERVER_SEND_H

#include <microhttpd.h>
#include <stdint.h>

#include "metrics.h"
#include "reply.h"

/* CLOCK_MONOTONIC in microseconds. */
uint64_t ark_now_us(void);

/* Queue r on c with the common headers, log it (method, log_path, status, bytes, the
 * time since t0_us) and count it under route. r's body is transferred to MHD (r->body
 * is empty after). url: the request's path (CORS is for /api/… only). Returns MHD's
 * answer to queuing (MHD_NO closes the connection). */
enum MHD_Result ark_send_reply(struct MHD_Connection *c, const char *method, const char *url,
                               const char *log_path, ark_route route, uint64_t t0_us,
                               ark_reply *r);

#endif
