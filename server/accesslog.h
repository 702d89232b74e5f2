/* server/accesslog.h: the access log's fields and lines (accesslog.c). */
#ifndef ARKIVAR_SERVER_ACCESSLOG_H
#define ARKIVAR_SERVER_ACCESSLOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_PATH_MAX 600 /* bytes of a path in the access log, escaped */

/* s[0, n) (or NUL-terminated s) as a log field into dst (cap bytes, NUL-terminated):
 * every byte or code point a log reader could be fooled by is written as %XX. */
void ark_log_field_n(char *dst, size_t cap, const char *s, size_t n);
void ark_log_field(char *dst, size_t cap, const char *s);
/* The raw request target's path (no query string), percent-decoded, as a log field. */
void ark_log_path_raw(char *dst, size_t cap, const char *uri);
/* One line "METHOD PATH STATUS BYTES MICROS" on stderr, with one write(). */
void ark_access_log(const char *method, const char *path, int status, size_t bytes,
                    uint64_t micros);

/* The first control byte (0x00-0x1F, 0x7F) of the raw path once decoded, plus 1; 0 if
 * none (the routes only see the decoded path, cut at a NUL). */
int ark_path_control(const char *uri);

#endif
