/* tests/test_accesslog.c: the access log's query hash (server/accesslog.h) (TAP).
 * ark_log_query_hash: 16 hex digits, the same for the same query, another for another
 * query, another after a new key (a restart); and ark_access_log's lines, captured from
 * stderr, in text and JSON: no field for the query by default, with the hash on its
 * hash and never the query's text (a name), "-" / null without a q. */
#include "../server/accesslog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

/* The line ark_access_log writes for l, read back from a file that stands in for fd 2. */
static void logged(const ark_log_line *l, char *out, size_t cap) {
    char path[] = "/tmp/test_accesslog.XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    out[0] = '\0';
    if (fd < 0 || saved < 0) return;
    unlink(path);
    dup2(fd, 2);
    ark_access_log(l);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, out, cap - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
}

static int is_hex16(const char *s) {
    if (strlen(s) != ARK_LOG_QHASH_HEX) return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return 0;
    return 1;
}

int main(void) {
    const char *name = "Vibeke Kragelund", *other = "Jens Mortensen";
    char a[ARK_LOG_QHASH_HEX + 1], b[ARK_LOG_QHASH_HEX + 1], c[ARK_LOG_QHASH_HEX + 1];
    char line[2048];
    ark_log_line l = {"GET", "/api/search", 200, 1234, 567, "127.0.0.1", "0123456789abcdef", name};

    logged(&l, line, sizeof line);
    if (!ok(strstr(line, " GET /api/search 200 1234 567\n") && !strstr(line, "Vibeke") &&
                !strstr(line, "Kragelund"),
            "by default: no query field, no query text"))
        printf("#   %s", line);
    ark_log_set_json(1);
    logged(&l, line, sizeof line);
    ok(strstr(line, "\"duration_us\":567}\n") && !strstr(line, "query") && !strstr(line, "Vibeke"),
       "by default in JSON: no query_hash, no query text");
    ark_log_set_json(0);

    ok(ark_log_set_query_hash(1) == 0 && ark_log_query_hash_on(), "the query hash turns on");
    ark_log_query_hash(name, strlen(name), a);
    ark_log_query_hash(name, strlen(name), b);
    ark_log_query_hash(other, strlen(other), c);
    ok(is_hex16(a) && is_hex16(c), "a hash is 16 lowercase hex digits (%s)", a);
    ok(strcmp(a, b) == 0, "the same query, the same hash");
    ok(strcmp(a, c) != 0, "another query, another hash");
    ark_log_query_hash("", 0, b);
    ok(is_hex16(b) && strcmp(a, b) != 0, "the empty query has a hash of its own");

    char want[64];
    snprintf(want, sizeof want, " GET /api/search 200 1234 567 %s\n", a);
    logged(&l, line, sizeof line);
    if (!ok(strstr(line, want) && !strstr(line, "Vibeke") && !strstr(line, "Kragelund"),
            "text: the hash is the last field, the query nowhere"))
        printf("#   %s", line);
    ark_log_set_json(1);
    snprintf(want, sizeof want, ",\"query_hash\":\"%s\"}\n", a);
    logged(&l, line, sizeof line);
    if (!ok(strstr(line, want) && !strstr(line, "Vibeke"), "JSON: \"query_hash\", the query nowhere"))
        printf("#   %s", line);
    l.query = NULL;
    logged(&l, line, sizeof line);
    ok(strstr(line, ",\"query_hash\":null}\n") != NULL, "JSON without q: \"query_hash\":null");
    ark_log_set_json(0);
    logged(&l, line, sizeof line);
    ok(strstr(line, " 567 -\n") != NULL, "text without q: -");

    /* A restart draws a new key: the hashes of one run say nothing about another's. */
    ok(ark_log_set_query_hash(1) == 0, "a new key");
    ark_log_query_hash(name, strlen(name), b);
    ok(is_hex16(b) && strcmp(a, b) != 0, "the same query under a new key has another hash");
    ok(ark_log_set_query_hash(0) == 0 && !ark_log_query_hash_on(), "and off again");
    l.query = name;
    logged(&l, line, sizeof line);
    ok(strstr(line, " 567\n") != NULL, "off: the line ends after the microseconds again");
    return done_testing();
}
