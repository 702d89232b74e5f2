/* server/accesslog.c: the access log, one line a request on stderr.
 * Owns: escaping what a client sent (method, path) into a log field that no terminal or
 * viewer shows as something else, and writing the line with one write().
 * Why: a request line is the attacker's text; a log line must be the server's. */
#include "accesslog.h"

#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

static int hexval(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
}

/* A code point that must not reach the log as it is: controls (C0, DEL, C1), spaces
 * (fields are space-separated, and U+00A0 looks like one), line and paragraph
 * separators, format characters (bidi overrides and isolates U+202A-U+202E,
 * U+2066-U+2069, zero-width and soft hyphen, tags), surrogates, private use and
 * unassigned code points. A log reader's terminal or viewer would otherwise show a
 * line that is not what the client sent: reordered, hidden or forged. */
static int log_unsafe(uint32_t cp) {
    if (cp <= 0x20 || cp == '%' || (cp >= 0x7F && cp <= 0x9F)) return 1;
    if (cp < 0x7F) return 0;
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CN:
        return 1;
    default:
        return 0;
    }
}

/* Copy s[0, n) into a log field, bounded by cap: valid UTF-8 that is safe to show
 * passes; every byte of an unsafe code point (log_unsafe) and of invalid UTF-8 is
 * written as %XX, so the field stays one token and the original bytes can be read
 * back. Too long ends in "...". */
void ark_log_field_n(char *dst, size_t cap, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0, i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = ark_json_utf8_next(s + i, n - i, &cp);
        int bad = (cp == 0xFFFD && k == 1) || log_unsafe(cp); /* a real U+FFFD is 3 bytes */
        if (o + (bad ? 3 * k : k) + 4 > cap) break;
        for (size_t j = 0; j < k; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (bad) {
                dst[o++] = '%';
                dst[o++] = hex[c >> 4];
                dst[o++] = hex[c & 15];
            } else {
                dst[o++] = (char)c;
            }
        }
        i += k;
    }
    if (i < n) { dst[o++] = '.'; dst[o++] = '.'; dst[o++] = '.'; }
    dst[o] = '\0';
}

void ark_log_field(char *dst, size_t cap, const char *s) {
    ark_log_field_n(dst, cap, s ? s : "", s ? strlen(s) : 0);
}

/* The path as the log shows it: the raw request target up to '?', percent-decoded
 * with its length (so a %00 shows as %00 instead of ending the path), then escaped. */
void ark_log_path_raw(char *dst, size_t cap, const char *uri) {
    char dec[LOG_PATH_MAX];
    size_t n = 0;
    for (const char *p = uri; *p && *p != '?' && n < sizeof dec; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            dec[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            dec[n++] = *p;
        }
    }
    ark_log_field_n(dst, cap, dec, n);
}

/* One line per request on stderr, written with one write() so lines from pool threads
 * never interleave. path is already a log field (ark_log_field*). The query string is left
 * out on purpose: users search for names and other personal data, which does not
 * belong in a log file. */
void ark_access_log(const char *method, const char *path, int status, size_t bytes,
                       uint64_t micros) {
    char m[40], line[LOG_PATH_MAX + 200];
    ark_log_field(m, sizeof m, method);
    int n = snprintf(line, sizeof line, "%s %s %d %zu %llu\n", m, path, status, bytes,
                     (unsigned long long)micros);
    if (n > 0) {
        ssize_t w = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)w; /* nothing sensible to do when stderr is gone */
    }
}

/* The first control byte (0x00-0x1F, 0x7F) of the path once decoded, plus 1; 0 if none.
 * MHD hands routes the decoded path as a C string, so "/api/doc/ID%00.md" would reach
 * them as "/api/doc/ID": only the raw URI still shows what the client sent. */
int ark_path_control(const char *uri) {
    for (const char *p = uri; *p && *p != '?'; p++) {
        int b = (unsigned char)*p;
        if (b == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) b = hexval(p[1]) * 16 + hexval(p[2]);
        if (b < 0x20 || b == 0x7F) return b + 1;
    }
    return 0;
}
