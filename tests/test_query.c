/* tests/test_query.c: the query language parser on every form and on hostile input. */
#include "arkivar/query.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

static void parses_as(const char *q, const char *want) {
    ark_qnode *n = NULL;
    ark_err err = {0};
    int rc = ark_query_parse(q, strlen(q), &n, &err);
    char *got = rc == 0 ? ark_query_format(n) : NULL;
    char descr[200];
    snprintf(descr, sizeof descr, "[%s] parses as [%s]", q, want);
    is_str(got, want, descr);
    free(got);
    ark_qnode_free(n);
}

/* Parse q placed right before a PROT_NONE page: any overread faults. */
static void guarded(const char *q) {
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    mprotect(m + pg, (size_t)pg, PROT_NONE);
    size_t len = strlen(q);
    char *p = m + pg - len;
    memcpy(p, q, len);
    ark_qnode *n = NULL;
    int rc = ark_query_parse(p, len, &n, NULL);
    char *f = n ? ark_query_format(n) : NULL;
    ok(rc == 0 && f, "guard page: [%s] parses without reading past the end", q);
    free(f);
    ark_qnode_free(n);
    munmap(m, (size_t)pg * 2);
}

int main(void) {
    parses_as("skolemad kartofler", "skolemad kartofler");
    parses_as("  innovation  ", "innovation");
    parses_as("\"Copenhagen Solutions Lab\"", "\"Copenhagen Solutions Lab\"");
    parses_as("partnerskab -OPP", "partnerskab -OPP");
    parses_as("partnerskab -\"offentlig-privat partnerskab\"", "partnerskab -\"offentlig-privat partnerskab\"");
    parses_as("innovat*", "innovat*");
    parses_as("a OR b", "a OR b");
    parses_as("(skole OR daginstitution) mad", "(skole OR daginstitution) mad");
    parses_as("type:orientering innovation", "type:orientering innovation");
    parses_as("dato:2026-01-01..2026-06-30", "dato:2026-01-01..2026-06-30");
    parses_as("sag:2026-0179043", "sag:2026-0179043");
    parses_as("udvalg:ØU innovation", "udvalg:ØU innovation");
    parses_as("Date:2026", "dato:2026");
    parses_as("doc:\"Bilag 1.txt\" budget", "doc:\"Bilag 1.txt\" budget");
    parses_as("doc:\"a.txt\"", "doc:a.txt");
    parses_as("doc:\"unclosed", "doc:unclosed");
    parses_as("x:\"foo bar\"", "x: \"foo bar\"");
    parses_as("doc:\"\" budget", "budget");
    parses_as("2026-0179043", "2026-0179043");
    parses_as("NOT OPP partnerskab", "-OPP partnerskab");
    parses_as("innovation AND partnerskab", "innovation partnerskab");
    /* forgiving: hostile and broken input reads as plain words */
    parses_as("\"unbalanced quote", "\"unbalanced quote\"");
    parses_as("(unclosed paren", "unclosed paren");
    parses_as("stray) paren", "stray paren");
    parses_as("OR", "");
    parses_as("a OR", "a");
    parses_as("OR b", "b");
    parses_as("a OR OR b", "a OR b");
    parses_as("-", "-");
    parses_as("*", "");
    parses_as("type:", "type:");
    parses_as(":x", ":x");
    parses_as("\"\"", "");
    parses_as("\"ord\"", "ord");
    parses_as("ØU's", "ØU's");
    parses_as("a - b", "a - b");
    parses_as("((((((((((((((((((((deep))))))))))))))))))))", "deep");

    ark_qnode *n = NULL;
    char big[ARK_QUERY_MAX_BYTES + 2];
    memset(big, 'a', sizeof big);
    ok(ark_query_parse(big, sizeof big, &n, NULL) == ARK_EINVAL && !n,
       "over-long query is refused with ARK_EINVAL");

    /* many clauses: bounded, never a crash */
    char many[ARK_QUERY_MAX_BYTES];
    size_t k = 0;
    while (k + 3 < sizeof many) { many[k++] = 'x'; many[k++] = ' '; }
    E(ark_query_parse(many, k, &n, NULL));
    ok(n && n->nkids <= ARK_QUERY_MAX_NODES, "clauses are capped at %d", ARK_QUERY_MAX_NODES);
    ark_qnode_free(n);

    /* found by scripts/fuzz.sh: once the node budget was spent, a word after a stray
     * ')' at the top made the parser loop forever */
    {
        char q[ARK_QUERY_MAX_BYTES];
        size_t m = 0;
        while (m + 4 < sizeof q) { q[m++] = 'a'; q[m++] = ' '; q[m++] = ')'; q[m++] = ' '; }
        ark_qnode *h = NULL;
        int rc = ark_query_parse(q, m, &h, NULL);
        ok(rc == 0 && h, "a query past the node budget with stray parentheses ends");
        ark_qnode_free(h);
        m = 0; /* 254 words, OR, and more: the budget ends inside the OR (the fuzzer's case) */
        for (int i = 0; i < 254; i++) { q[m++] = 'a'; q[m++] = ' '; }
        memcpy(q + m, "OR \"b c\" d", 11);
        m += 11;
        rc = ark_query_parse(q, m, &h, NULL);
        ok(rc == 0 && h, "a query whose node budget runs out inside an OR ends");
        ark_qnode_free(h);
    }
    guarded("\"abc");
    guarded("abc*");
    guarded("-");
    guarded("type:x");
    guarded("(a OR");
    guarded("\xc3");

    /* every byte value as a one-byte query, and random junk, parse */
    int all = 1;
    for (int c = 0; c < 256; c++) {
        char q[1] = {(char)c};
        if (ark_query_parse(q, 1, &n, NULL) != 0) all = 0;
        ark_qnode_free(n);
    }
    ok(all, "every single byte parses");
    srand(2026);
    all = 1;
    for (int i = 0; i < 2000; i++) {
        char q[64];
        size_t len = (size_t)(rand() % 64);
        const char alpha[] = "ab \"()-*:OR\xc3\xb8";
        for (size_t j = 0; j < len; j++) q[j] = alpha[rand() % (int)(sizeof alpha - 1)];
        if (ark_query_parse(q, len, &n, NULL) != 0) all = 0;
        char *f = ark_query_format(n);
        ark_qnode *again = NULL;
        if (ark_query_parse(f, strlen(f), &again, NULL) != 0) all = 0;
        free(f);
        ark_qnode_free(again);
        ark_qnode_free(n);
    }
    ok(all, "2000 random junk queries parse, and their printed form parses again");
    return done_testing();
}
