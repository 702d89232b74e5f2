/* server/accesslog.c: the access log, one line a request on stderr.
 * Owns: escaping what a client sent (method, path) into a log field that no terminal or
 * viewer shows as something else, writing the line with one write(), and the keyed hash
 * that stands for the query when --log-query-hash asks for one.
 * Why: a request line is the attacker's text; a log line must be the server's. The
 * query is personal data (people search for names) and never reaches the log. */
#include "accesslog.h"

#include "json.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <sodium.h>
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

static int g_json; /* --log-format json */
void ark_log_set_json(int on) { g_json = on; }

/* --log-query-hash: a BLAKE2b key drawn once per process. Keyed, because an unkeyed
 * hash of a name is the name: anyone holding the log hashes a list of the municipality's
 * residents and matches. With a key that never leaves the process the hash only says
 * "the same query as that line", within one run of the server. Set before the threads
 * start, read-only after. */
static int g_qhash;
static unsigned char g_qkey[crypto_generichash_KEYBYTES];

int ark_log_set_query_hash(int on) {
    if (on) {
        if (sodium_init() < 0) return -1;
        randombytes_buf(g_qkey, sizeof g_qkey);
    } else {
        sodium_memzero(g_qkey, sizeof g_qkey);
    }
    g_qhash = on;
    return 0;
}

int ark_log_query_hash_on(void) { return g_qhash; }

void ark_log_query_hash(const char *q, size_t n, char out[ARK_LOG_QHASH_HEX + 1]) {
    unsigned char h[crypto_generichash_BYTES_MIN]; /* 16 bytes; the log shows the first 8 */
    crypto_generichash(h, sizeof h, (const unsigned char *)q, n, g_qkey, sizeof g_qkey);
    sodium_bin2hex(out, ARK_LOG_QHASH_HEX + 1, h, ARK_LOG_QHASH_HEX / 2);
}

void ark_log_addr(const unsigned char key[16], char *out, size_t cap) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!inet_ntop(memcmp(key, mapped, 12) == 0 ? AF_INET : AF_INET6,
                   memcmp(key, mapped, 12) == 0 ? key + 12 : key, out, (socklen_t)cap))
        snprintf(out, cap, "-");
}

void ark_request_id(const char *given, char out[ARK_REQUEST_ID_MAX + 1]) {
    size_t n = given ? strlen(given) : 0;
    int ok = n >= 1 && n <= ARK_REQUEST_ID_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)given[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    if (ok) {
        memcpy(out, given, n + 1);
        return;
    }
    static _Atomic uint64_t next;
    uint64_t v = atomic_fetch_add(&next, 1);
    if (v == 0) { /* the first: a random start, so restarts do not repeat ids */
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) r = (uint64_t)time(NULL) << 20;
        uint64_t zero = 1;
        atomic_compare_exchange_strong(&next, &zero, r | 1);
        v = r;
    }
    snprintf(out, ARK_REQUEST_ID_MAX + 1, "%016llx", (unsigned long long)v);
}

/* s into a JSON string's inside: the log fields hold no control byte, only " and \ to
 * escape. */
static void json_field(char *dst, size_t cap, const char *s) {
    size_t o = 0;
    for (; *s && o + 3 < cap; s++) {
        if (*s == '"' || *s == '\\') dst[o++] = '\\';
        dst[o++] = *s;
    }
    dst[o] = '\0';
}

/* One line with one write(), so lines from concurrent requests never interleave. The
 * query string is left out on purpose: users search for names and other personal data,
 * which does not belong in a log file. With --log-query-hash a last field stands for
 * the q parameter: its keyed hash, or - when the request has none. */
void ark_access_log(const ark_log_line *l) {
    char m[40], line[LOG_PATH_MAX * 2 + 400], when[40];
    ark_log_field(m, sizeof m, l->method);
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + w, sizeof when - w, ".%03ldZ", ts.tv_nsec / 1000000);
    const char *client = l->client && *l->client ? l->client : "-";
    const char *rid = l->request_id && *l->request_id ? l->request_id : "-";
    char qh[ARK_LOG_QHASH_HEX + 1] = "-";
    if (g_qhash && l->query) ark_log_query_hash(l->query, strlen(l->query), qh);
    int n;
    if (g_json) {
        char jp[LOG_PATH_MAX * 2 + 1], jm[80], jr[2 * ARK_REQUEST_ID_MAX + 1];
        json_field(jp, sizeof jp, l->path);
        json_field(jm, sizeof jm, m);
        json_field(jr, sizeof jr, rid);
        n = snprintf(line, sizeof line,
                     "{\"time\":\"%s\",\"client\":\"%s\",\"request_id\":\"%s\",\"method\":\"%s\","
                     "\"route\":\"%s\",\"status\":%d,\"bytes\":%zu,\"duration_us\":%llu%s%s%s}\n",
                     when, client, jr, jm, jp, l->status, l->bytes,
                     (unsigned long long)l->micros,
                     !g_qhash ? "" : l->query ? ",\"query_hash\":\"" : ",\"query_hash\":null",
                     g_qhash && l->query ? qh : "", g_qhash && l->query ? "\"" : "");
    } else {
        n = snprintf(line, sizeof line, "%s %s %s %s %s %d %zu %llu%s%s\n", when, client, rid, m,
                     l->path, l->status, l->bytes, (unsigned long long)l->micros,
                     g_qhash ? " " : "", g_qhash ? qh : "");
    }
    if (n > 0) {
        ssize_t wr = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        (void)wr; /* nothing sensible to do when stderr is gone */
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
