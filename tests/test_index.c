/* tests/test_index.c: include/arkivar/index.h against a real Xapian database in /tmp.
 * Covers: documents, add/delete, metadata, spelling, transactions (a run closed without
 * a commit leaves the last commit), reader reopen, locking, missing shards, local and
 * remote shards, every query operator, date sort, facets, and errors that
 * Xapian reports by throwing (each must come back as a code). */
#include "arkivar/index.h"

#include <dirent.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static ark_err err;

/* Like E() in tap.h, plus the detail from err. */
#define EE(expr)                                                                      \
    do {                                                                              \
        err.msg[0] = '\0';                                                            \
        int rc_ = (expr);                                                             \
        if (!ok(rc_ == 0, "%s", #expr))                                               \
            printf("#   %s: %s\n", ark_strerror(rc_), err.msg);                       \
    } while (0)

static char tmpdir[] = "/tmp/arkivar-test-index-XXXXXX";

static char *path(const char *name) {
    static char buf[4][512];
    static int k;
    char *p = buf[k++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void rm_rf(const char *p) {
    struct stat st;
    if (lstat(p, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(p);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char sub[1024];
                snprintf(sub, sizeof sub, "%s/%s", p, e->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(p);
    } else {
        unlink(p);
    }
}

/* A passage: space-separated words as positional terms, the uid and the filters as
 * boolean terms, the slots as values. Any passage with the uid is replaced the way
 * arkivar-indexer replaces a changed file's passages: delete by the term, then add. */
static int add_passage(ark_wdb *w, const char *uid, const char *words, const char *doc,
                       const char *date, const char *type, const char *year, const char *data) {
    ark_xdoc *d = ark_xdoc_new();
    if (!d) return ARK_ENOMEM;
    int rc = 0;
    char buf[512];
    uint32_t pos = 0;
    snprintf(buf, sizeof buf, "%s", words);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if ((rc = ark_xdoc_add_posting(d, t, strlen(t), pos++)) != 0) goto out;
    char term[128];
    snprintf(term, sizeof term, "XDOC%s", doc);
    if ((rc = ark_xdoc_add_boolean(d, term, strlen(term))) != 0) goto out;
    snprintf(term, sizeof term, "XTYPE%s", type);
    if ((rc = ark_xdoc_add_boolean(d, term, strlen(term))) != 0) goto out;
    if ((rc = ark_xdoc_add_boolean(d, uid, strlen(uid))) != 0) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_DOC, doc, strlen(doc))) != 0) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_DATE, date, strlen(date))) != 0) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_TYPE, type, strlen(type))) != 0) goto out;
    if ((rc = ark_xdoc_set_value(d, ARK_SLOT_YEAR, year, strlen(year))) != 0) goto out;
    if ((rc = ark_xdoc_set_data(d, data, strlen(data))) != 0) goto out;
    if ((rc = ark_wdb_delete_term(w, uid, strlen(uid), &err)) != 0) goto out;
    rc = ark_wdb_add(w, d, &err);
out:
    ark_xdoc_free(d);
    return rc;
}

/* ---- collectors for the callbacks ---- */

typedef struct strs {
    char s[16][64];
    uint64_t f[16];
    int n, stop_after;
} strs;

static int collect_key(const char *key, size_t len, void *user) {
    strs *c = user;
    if (c->n < 16) snprintf(c->s[c->n], 64, "%.*s", (int)len, key);
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static int collect_term(const char *term, size_t len, uint64_t freq, void *user) {
    strs *c = user;
    if (c->n < 16) {
        snprintf(c->s[c->n], 64, "%.*s", (int)len, term);
        c->f[c->n] = freq;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static int collect_data(const char *data, size_t len, void *user) {
    return collect_key(data, len, user);
}

static int count_term(const char *term, size_t len, uint64_t freq, void *user) {
    (*(int *)user)++;
    return 0;
}

/* ---- searching helpers ---- */

static ark_xq *T(const char *t) { return ark_xq_term(t, strlen(t), 1, 0); }

static ark_xq *comb2(ark_xq_op op, ark_xq *a, ark_xq *b, uint32_t window) {
    ark_xq *v[2] = {a, b};
    ark_xq *q = ark_xq_combine(op, v, 2, window);
    ark_xq_free(a);
    ark_xq_free(b);
    return q;
}

/* Number of hits of q with default options (-1 on error); the data of the first hit. */
static long nhits(ark_rdb *r, ark_xq *q, char *first, size_t first_len) {
    ark_search_opts o;
    ark_hits h;
    ark_search_opts_default(&o);
    o.limit = 100;
    if (first) first[0] = '\0';
    int rc = q ? ark_rdb_search(r, q, &o, &h, &err) : ARK_ENOMEM;
    ark_xq_free(q);
    if (rc != 0) {
        printf("#   search: %s: %s\n", ark_strerror(rc), err.msg);
        return -1;
    }
    if (first && h.n) snprintf(first, first_len, "%s", h.v[0].data);
    long n = (long)h.n;
    ark_hits_free(&h);
    return n;
}

static void build_main_index(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("db"), &w, &err));
    if (!w) return;
    EE(ark_wdb_begin(w, &err));
    EE(add_passage(w, "Qp1", "kommunen har besluttet byggetilladelse", "D1", "20240101",
                   "afgoerelse", "2024", "p1"));
    EE(add_passage(w, "Qp2", "byggetilladelse er givet af kommunen", "D1", "20240101",
                   "afgoerelse", "2024", "p2"));
    EE(add_passage(w, "Qp3", "klage over kommunens afgoerelse", "D2", "20250505", "klage",
                   "2025", "p3"));
    EE(add_passage(w, "Qp4", "besluttet har kommunen ikke", "D3", "20230303", "referat",
                   "2023", "p4"));

    /* One xdoc added twice: two passages (the database keeps its own copy). */
    ark_xdoc *d = ark_xdoc_new();
    ok(d != NULL, "ark_xdoc_new");
    EE(ark_xdoc_add_posting(d, "slettes", 7, 0));
    EE(ark_xdoc_add_boolean(d, "XDOCD4", 6));
    EE(ark_xdoc_set_data(d, "p5", 2));
    EE(ark_wdb_add(w, d, &err));
    EE(ark_wdb_add(w, d, &err));
    ark_xdoc_free(d);

    uint64_t n = 0;
    EE(ark_wdb_doccount(w, &n, &err));
    is_int(n, 6, "six passages before replace and delete");

    /* Replace by uid (delete, add): same count, new data. */
    EE(add_passage(w, "Qp3", "klage over kommunens afgoerelse om byggetilladelse", "D2",
                   "20250505", "klage", "2025", "p3b"));
    EE(ark_wdb_doccount(w, &n, &err));
    is_int(n, 6, "replace by uid keeps the count");
    EE(ark_wdb_delete_term(w, "XDOCD4", 6, &err));
    EE(ark_wdb_doccount(w, &n, &err));
    is_int(n, 4, "delete_term removed both passages of D4");

    /* Metadata. */
    EE(ark_wdb_set_meta(w, "doc:D1", "title one", 9, &err));
    EE(ark_wdb_set_meta(w, "doc:D2", "title two", 9, &err));
    EE(ark_wdb_set_meta(w, "doc:D3", "gone", 4, &err));
    EE(ark_wdb_set_meta(w, "doc:D3", "", 0, &err));
    EE(ark_wdb_set_meta(w, "other", "x", 1, &err));
    char *val = NULL;
    size_t vlen = 99;
    EE(ark_wdb_get_meta(w, "doc:D2", &val, &vlen, &err));
    is_str(val, "title two", "wdb get_meta");
    is_int(vlen, 9, "wdb get_meta length");
    free(val);
    EE(ark_wdb_get_meta(w, "doc:D3", &val, &vlen, &err));
    ok(val == NULL && vlen == 0, "set_meta with \"\" deletes the key");
    strs keys = {0};
    EE(ark_wdb_meta_keys(w, "doc:", collect_key, &keys, &err));
    is_int(keys.n, 2, "two keys with prefix doc:");
    is_str(keys.s[0], "doc:D1", "first key");
    is_str(keys.s[1], "doc:D2", "second key");

    EE(ark_wdb_add_spelling_freq(w, "byggetilladelse", 15, 1, &err));
    EE(ark_wdb_add_spelling_freq(w, "kommunen", 8, 1, &err));
    /* a word seen 3 times in one call, and a count of 0 adds nothing */
    EE(ark_wdb_add_spelling_freq(w, "sagsbehandling", 14, 3, &err));
    EE(ark_wdb_add_spelling_freq(w, "sagsbehandlinger", 16, 0, &err));
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
}

static void test_reads(ark_rdb *r) {
    uint64_t rev = 0, n = 0;
    EE(ark_rdb_stats(r, &rev, &n, &err));
    is_int(n, 4, "reader: doccount");
    ok(rev > 0, "reader: revision %llu > 0", (unsigned long long)rev);

    EE(ark_rdb_termfreq(r, "kommunen", 8, &n, &err));
    is_int(n, 3, "termfreq kommunen");
    EE(ark_rdb_termfreq(r, "fraværende", strlen("fraværende"), &n, &err));
    is_int(n, 0, "termfreq of an absent term is 0");
    EE(ark_rdb_termfreq(r, "Qp3", 3, &n, &err));
    is_int(n, 1, "a replaced uid is on one passage");
    EE(ark_rdb_termfreq(r, "XDOCD4", 6, &n, &err));
    is_int(n, 0, "a deleted term is gone");

    strs ts = {0};
    EE(ark_rdb_terms(r, "klag", collect_term, &ts, &err));
    is_int(ts.n, 1, "one term with prefix klag");
    is_str(ts.s[0], "klage", "term klage");
    is_int(ts.f[0], 1, "termfreq of klage from the iterator");
    strs us = {0};
    EE(ark_rdb_terms(r, "Q", collect_term, &us, &err));
    is_int(us.n, 4, "four uids");
    is_str(us.s[0], "Qp1", "uids in byte order (1)");
    is_str(us.s[3], "Qp4", "uids in byte order (4)");
    strs stop = {.stop_after = 2};
    EE(ark_rdb_terms(r, "Q", collect_term, &stop, &err));
    is_int(stop.n, 2, "terms: callback returning nonzero stops");

    /* A passage by its uid: the passages of its unique term. */
    strs us3 = {0};
    EE(ark_rdb_each_with_term(r, "Qp3", 3, collect_data, &us3, &err));
    is_int(us3.n, 1, "uid Qp3: one passage");
    is_str(us3.s[0], "p3b", "uid Qp3: the replacement's data");
    strs none = {0};
    EE(ark_rdb_each_with_term(r, "Qnope", 5, collect_data, &none, &err));
    is_int(none.n, 0, "an unknown uid: no passage, no error");

    strs ds = {0};
    EE(ark_rdb_each_with_term(r, "XDOCD1", 6, collect_data, &ds, &err));
    is_int(ds.n, 2, "each_with_term: two passages of D1");
    is_str(ds.s[0], "p1", "each_with_term in docid order (1)");
    is_str(ds.s[1], "p2", "each_with_term in docid order (2)");

    char *val = NULL;
    size_t vlen = 0;
    EE(ark_rdb_get_meta(r, "doc:D1", &val, &vlen, &err));
    is_str(val, "title one", "rdb get_meta");
    free(val);
    EE(ark_rdb_get_meta(r, "absent", &val, &vlen, &err));
    ok(val == NULL && vlen == 0, "rdb get_meta of an absent key");
    EE(ark_rdb_get_meta(r, "other", &val, &vlen, &err));
    is_str(val, "x", "rdb get_meta of a key outside doc:");
    free(val);

    char *sug = NULL;
    EE(ark_rdb_spelling(r, "byggetiladelse", 14, &sug, &err));
    is_str(sug, "byggetilladelse", "spelling suggestion");
    free(sug);
    EE(ark_rdb_spelling(r, "kommunen", 8, &sug, &err));
    is_str(sug, "", "no suggestion for a correct word");
    free(sug);
    EE(ark_rdb_spelling(r, "sagsbehandlimg", 14, &sug, &err));
    is_str(sug, "sagsbehandling", "spelling suggestion of a word added with a count");
    free(sug);
    EE(ark_rdb_spelling(r, "sagsbehandlingerr", 17, &sug, &err));
    is_str(sug, "", "a count of 0 adds no word (sagsbehandlinger would be one edit away)");
    free(sug);
}

static void test_queries(ark_rdb *r) {
    char first[64];
    is_int(nhits(r, T("kommunen"), NULL, 0), 3, "term query");
    is_int(nhits(r, comb2(ARK_XQ_AND, T("kommunen"), T("besluttet"), 0), NULL, 0), 2, "AND");
    is_int(nhits(r, comb2(ARK_XQ_OR, T("klage"), T("besluttet"), 0), NULL, 0), 3, "OR");
    is_int(nhits(r, comb2(ARK_XQ_PHRASE, T("kommunen"), T("har"), 0), first, sizeof first), 1,
           "PHRASE matches only adjacent, ordered positions");
    is_str(first, "p1", "PHRASE hit");
    is_int(nhits(r, comb2(ARK_XQ_PHRASE, T("har"), T("byggetilladelse"), 0), NULL, 0), 0,
           "PHRASE does not match words two apart");
    is_int(nhits(r, comb2(ARK_XQ_PHRASE, T("har"), T("byggetilladelse"), 3), NULL, 0), 1,
           "PHRASE with window 3");
    is_int(nhits(r, comb2(ARK_XQ_NEAR, T("kommunen"), T("besluttet"), 3), NULL, 0), 2,
           "NEAR ignores order");
    is_int(nhits(r, comb2(ARK_XQ_AND_NOT, T("kommunen"), T("byggetilladelse"), 0), first,
                 sizeof first),
           1, "AND_NOT");
    is_str(first, "p4", "AND_NOT hit");
    is_int(nhits(r, comb2(ARK_XQ_AND_MAYBE, T("klage"), T("kommunen"), 0), NULL, 0), 1,
           "AND_MAYBE");
    is_int(nhits(r, comb2(ARK_XQ_SYNONYM, T("klage"), T("besluttet"), 0), NULL, 0), 3,
           "SYNONYM");
    is_int(nhits(r, comb2(ARK_XQ_MAX, T("klage"), T("besluttet"), 0), NULL, 0), 3, "MAX");
    is_int(nhits(r, comb2(ARK_XQ_ELITE_SET, T("klage"), T("besluttet"), 0), NULL, 0), 3,
           "ELITE_SET");
    is_int(nhits(r, comb2(ARK_XQ_FILTER, T("kommunen"), T("XTYPEafgoerelse"), 0), NULL, 0), 2,
           "FILTER");
    is_int(nhits(r, comb2(ARK_XQ_FILTER, T("kommunen"), ark_xq_lengths(r), 0), NULL, 0), 3,
           "FILTER by the passages' lengths: the query's own matches");
    is_int(nhits(r, ark_xq_wildcard("kommun", 6, 0), NULL, 0), 4, "wildcard kommun*");
    is_int(nhits(r, ark_xq_wildcard("kommun", 6, 1), NULL, 0), 3,
           "wildcard bounded to the most frequent expansion");
    is_int(nhits(r, ark_xq_value_range(ARK_SLOT_DATE, "20240101", "20241231"), NULL, 0), 2,
           "value range");
    is_int(nhits(r, ark_xq_value_range(ARK_SLOT_DATE, "20240601", NULL), first, sizeof first), 1,
           "value >=");
    is_str(first, "p3b", "value >= hit");
    is_int(nhits(r, ark_xq_value_range(ARK_SLOT_DATE, NULL, "20231231"), first, sizeof first), 1,
           "value <=");
    is_str(first, "p4", "value <= hit");
    is_int(nhits(r, ark_xq_value_range(ARK_SLOT_DATE, NULL, NULL), NULL, 0), 4,
           "value range open at both ends");
    is_int(nhits(r, ark_xq_match_all(), NULL, 0), 4, "match all");
    is_int(nhits(r, ark_xq_match_nothing(), NULL, 0), 0, "match nothing");
    is_int(nhits(r, ark_xq_combine(ARK_XQ_AND, NULL, 0, 0), NULL, 0), 0,
           "combine of nothing matches nothing");
    ok(ark_xq_combine((ark_xq_op)99, NULL, 0, 0) == NULL, "unknown operator -> NULL");

    /* Scale: the same document scores twice as much. */
    ark_search_opts o;
    ark_hits h1, h2;
    ark_search_opts_default(&o);
    ark_xq *q = T("klage");
    ark_xq *qs = ark_xq_scale(q, 2.0);
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    EE(ark_rdb_search(r, qs, &o, &h2, &err));
    ok(h1.n == 1 && h2.n == 1 && h1.v[0].score > 0 &&
           h2.v[0].score > 1.99 * h1.v[0].score && h2.v[0].score < 2.01 * h1.v[0].score,
       "OP_SCALE_WEIGHT doubles the score");
    ark_hits_free(&h1);
    ark_hits_free(&h2);
    ark_xq_free(qs);
    ark_xq_free(q);

    /* Paging and totals. */
    ark_search_opts_default(&o);
    o.offset = 1;
    o.limit = 2;
    q = ark_xq_match_all();
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    is_int(h1.n, 2, "offset 1 limit 2: two hits");
    is_int(h1.total, 4, "total is all matches");
    ok(h1.total_lower <= 4 && h1.total_upper >= 4, "bounds around the total");
    ark_hits_free(&h1);

    /* Sort by date, newest and oldest first. */
    ark_search_opts_default(&o);
    o.sort_by_date = 1;
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    ok(h1.n == 4 && !strcmp(h1.v[0].data, "p3b") && !strcmp(h1.v[3].data, "p4"),
       "sort newest first");
    ark_hits_free(&h1);
    o.sort_by_date = -1;
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    ok(h1.n == 4 && !strcmp(h1.v[0].data, "p4") && !strcmp(h1.v[3].data, "p3b"),
       "sort oldest first");
    ark_hits_free(&h1);

    /* Facets over year and type. */
    ark_search_opts_default(&o);
    o.facet_slots[0] = ARK_SLOT_YEAR;
    o.facet_slots[1] = ARK_SLOT_TYPE;
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    is_int(h1.nfacets, 2, "two facets");
    is_int(h1.facets[0].slot, ARK_SLOT_YEAR, "facet 0 is the year");
    is_int(h1.facets[0].n, 3, "three years");
    ok(h1.facets[0].n && !strcmp(h1.facets[0].values[0], "2024") && h1.facets[0].counts[0] == 2,
       "most frequent year first: 2024 x 2");
    uint64_t sum = 0;
    for (size_t i = 0; i < h1.facets[1].n; i++) sum += h1.facets[1].counts[i];
    is_int(sum, 4, "type counts add up to the matches");
    ark_hits_free(&h1);
    ok(h1.v == NULL && h1.n == 0 && h1.nfacets == 0, "ark_hits_free zeroes");
    ark_hits_free(NULL);
    ark_xq_free(q);

    /* Hits are passages: D1's two passages are two hits, each with its document's key. */
    q = T("byggetilladelse");
    ark_search_opts_default(&o);
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    is_int(h1.n, 3, "three passages of two documents");
    int d1 = 0;
    for (size_t i = 0; i < h1.n; i++) d1 += !strcmp(h1.v[i].key, "D1");
    is_int(d1, 2, "two hits carry the key D1");
    ark_hits_free(&h1);

    /* Groups: each hit's document's matches, counted by the match that saw them all. */
    ark_search_opts_default(&o);
    o.group_slot = ARK_SLOT_DOC;
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    int right = 0;
    for (size_t i = 0; i < h1.n; i++)
        right += h1.v[i].group_matches == (strcmp(h1.v[i].key, "D1") == 0 ? 2u : 1u);
    is_int(right, 3, "group_matches: 2 for D1's passages, 1 for D2's");
    ark_hits_free(&h1);
    /* A match that stops before the last match cannot say: 0, count them apart. */
    ark_search_opts_default(&o);
    o.group_slot = ARK_SLOT_DOC;
    o.limit = 1;
    o.check_at_least = 1;
    ark_xq_free(q);
    q = ark_xq_match_all();
    EE(ark_rdb_search(r, q, &o, &h1, &err));
    ok(h1.n == 1 && !strcmp(h1.v[0].key, "D1") && h1.v[0].group_matches == 0,
       "group_matches is 0 when the match stopped early (D1 has 2, it saw 1)");
    ark_hits_free(&h1);
    ark_xq_free(q);
}

/* A run that never commits leaves the last commit. */
/* Explaining a hit (issue 15): the weight a query gives one passage is the weight the
 * search gave it, a one-term query's weight is positive and scales as the query does,
 * and the terms a passage holds come with their wdf and frequency. */
static void test_explain(ark_rdb *r) {
    ark_search_opts o;
    ark_hits h;
    ark_search_opts_default(&o);
    ark_xq *half = T("byggetilladelse");
    ark_xq *q = comb2(ARK_XQ_OR, T("kommunen"), ark_xq_scale(half, 0.5), 0);
    ark_xq_free(half);
    ark_xq *q2 = comb2(ARK_XQ_FILTER, ark_xq_copy(q), T("XTYPEafgoerelse"), 0);
    ok(q && q2, "explain: queries");
    if (!q || !q2) return;
    EE(ark_rdb_search(r, q, &o, &h, &err));
    double w = -1;
    int same = h.n > 0;
    for (size_t i = 0; i < h.n; i++) {
        char uid[8];
        snprintf(uid, sizeof uid, "Q%s", h.v[i].data); /* the data is the uid's name */
        if (strcmp(h.v[i].data, "p3b") == 0) strcpy(uid, "Qp3");
        EE(ark_rdb_weight_in(r, q, uid, strlen(uid), &w, &err));
        if (w < h.v[i].score - 1e-9 || w > h.v[i].score + 1e-9) {
            printf("#   %s: weight_in %g, search %g\n", uid, w, h.v[i].score);
            same = 0;
        }
    }
    ok(same, "weight_in gives each hit the weight the search gave it");
    ark_hits_free(&h);
    EE(ark_rdb_weight_in(r, q, "Qp4", 3, &w, &err));
    double wk = 0, wb = 0, wb2 = 0;
    ark_xq *k = T("kommunen"), *b = T("byggetilladelse"), *bs = ark_xq_scale(b, 0.5);
    EE(ark_rdb_weight_in(r, k, "Qp1", 3, &wk, &err));
    EE(ark_rdb_weight_in(r, b, "Qp1", 3, &wb, &err));
    EE(ark_rdb_weight_in(r, bs, "Qp1", 3, &wb2, &err));
    ok(wk > 0 && wb > 0 && wb2 > 0.49 * wb && wb2 < 0.51 * wb, "one term's weight, scaled by half");
    EE(ark_rdb_weight_in(r, q, "Qp1", 3, &w, &err));
    ok(w > wk + wb2 - 1e-9 && w < wk + wb2 + 1e-9, "an OR's weight is the sum of its parts'");
    EE(ark_rdb_weight_in(r, b, "Qp4", 3, &w, &err));
    ok(w == 0, "weight_in of a passage the query does not match is 0");
    EE(ark_rdb_weight_in(r, q2, "Qp3", 3, &w, &err));
    ok(w == 0, "weight_in of a passage the filter leaves out is 0");
    ark_xq_free(k);
    ark_xq_free(b);
    ark_xq_free(bs);

    /* p2 holds "byggetilladelse er givet af kommunen": both query terms. */
    ark_hits h2;
    ark_xq *only = T("Qp2");
    EE(ark_rdb_search(r, only, &o, &h2, &err));
    ark_xq_free(only);
    ark_xterms xt;
    if (h2.n == 1) {
        EE(ark_rdb_terms_in(r, q2, h2.v[0].docid, "Qp2", 3, &xt, &err));
        /* every leaf, the filter's boolean term too: the caller tells them apart */
        ok(xt.n == 3, "terms_in: the three terms of the query it holds (%zu)", xt.n);
        if (xt.n == 3) {
            is_str(xt.v[0].term, "XTYPEafgoerelse", "terms_in in byte order (1)");
            is_str(xt.v[1].term, "byggetilladelse", "terms_in in byte order (2)");
            is_str(xt.v[2].term, "kommunen", "terms_in in byte order (3)");
            ok(xt.v[2].wdf == 1 && xt.v[2].termfreq == 3 && xt.v[2].weight > 0,
               "terms_in: wdf, termfreq and weight of kommunen");
        }
        is_int(xt.doclen, 5, "terms_in: the passage's length");
        ark_xterms_free(&xt);
        ark_xterms_free(&xt);
        ok(xt.n == 0 && xt.v == NULL, "xterms_free twice is harmless");
    } else {
        ok(0, "the passage Qp2 by its uid");
    }
    ark_hits_free(&h2);
    ok(ark_rdb_weight_in(NULL, q, "Qp1", 3, &w, &err) == ARK_EINVAL, "weight_in: no database");
    ok(ark_rdb_terms_in(r, NULL, 1, "Qp1", 3, &xt, &err) == ARK_EINVAL, "terms_in: no query");
    ok(ark_xq_copy(NULL) == NULL, "xq_copy of NULL");
    ark_xq_free(q);
    ark_xq_free(q2);
}

static void test_transactions(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("db"), &w, &err));
    EE(ark_wdb_begin(w, &err));
    int rc = ark_wdb_begin(w, &err);
    is_int(rc, ARK_EINVAL, "begin inside a transaction");
    EE(add_passage(w, "Qt1", "uafsluttet", "T1", "20260101", "x", "2026", "t1"));
    EE(add_passage(w, "Qt2", "uafsluttet", "T1", "20260101", "x", "2026", "t2"));
    EE(ark_wdb_delete_term(w, "XDOCD1", 6, &err));
    ark_wdb_close(w); /* no commit */

    const char *spec = path("db");
    ark_rdb *r = NULL;
    uint64_t n = 0;
    EE(ark_rdb_open(&spec, 1, &r, &err));
    EE(ark_rdb_stats(r, NULL, &n, &err));
    is_int(n, 4, "close without commit: the old revision is intact");
    ark_rdb_close(r);
}

/* A reader opened before a commit sees it after reopen; a second writer is locked out. */
static void test_reopen_and_lock(void) {
    const char *spec = path("db");
    ark_rdb *r = NULL;
    ark_wdb *w = NULL, *w2 = (ark_wdb *)&err;
    uint64_t n = 0, rev0 = 0, rev1 = 0;
    int changed = -1;
    EE(ark_rdb_open(&spec, 1, &r, &err));
    EE(ark_rdb_stats(r, &rev0, &n, &err));
    EE(ark_wdb_open(path("db"), &w, &err));

    int rc = ark_wdb_open(path("db"), &w2, &err);
    is_int(rc, ARK_ELOCKED, "second writer: ARK_ELOCKED");
    ok(w2 == NULL, "no handle when locked");

    EE(ark_wdb_begin(w, &err));
    EE(add_passage(w, "Qp7", "ny passage om kommunen", "D7", "20260624", "afgoerelse",
                   "2026", "p7"));
    EE(ark_wdb_commit(w, &err));
    EE(ark_rdb_stats(r, NULL, &n, &err));
    is_int(n, 4, "before reopen the reader sees its revision");
    EE(ark_rdb_reopen(r, &changed, &err));
    is_int(changed, 1, "reopen after a commit: changed");
    EE(ark_rdb_stats(r, &rev1, &n, &err));
    is_int(n, 5, "after reopen: the new passage");
    ok(rev1 > rev0, "revision moved (%llu -> %llu)", (unsigned long long)rev0,
       (unsigned long long)rev1);
    EE(ark_rdb_reopen(r, &changed, &err));
    is_int(changed, 0, "reopen without a commit: unchanged");

    /* Errors Xapian reports by throwing come back as codes. */
    char *val = NULL;
    rc = ark_wdb_get_meta(w, "", &val, NULL, &err);
    is_int(rc, ARK_EINDEX, "wdb get_meta with an empty key");
    ok(strstr(err.msg, "InvalidArgumentError") != NULL, "message has the Xapian type: %s",
       err.msg);
    rc = ark_rdb_get_meta(r, "", &val, NULL, &err);
    is_int(rc, ARK_EINDEX, "rdb get_meta with an empty key");
    char longkey[300];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    rc = ark_wdb_set_meta(w, longkey, "v", 1, &err);
    is_int(rc, ARK_EINDEX, "set_meta with a 299-byte key");
    ok(strstr(err.msg, "too long") != NULL, "message: %s", err.msg);
    ark_xdoc *d = ark_xdoc_new();
    EE(ark_xdoc_add_posting(d, longkey, strlen(longkey), 0));
    rc = ark_wdb_add(w, d, &err);
    is_int(rc, ARK_EINDEX, "add with a 299-byte term");
    is_int(ark_xdoc_add_posting(d, "", 0, 0), ARK_EINVAL, "empty term");
    is_int(ark_xdoc_add_posting(d, "x", 1, UINT32_MAX), ARK_EINVAL, "position out of range");
    ark_xdoc_free(d);
    is_int(ark_wdb_add(w, NULL, &err), ARK_EINVAL, "add without a document");

    ark_wdb_close(w);
    ark_rdb_close(r);
    ark_wdb_close(NULL);
    ark_rdb_close(NULL);
    ark_xq_free(NULL);
    ark_xdoc_free(NULL);
}

static void test_open_errors(void) {
    ark_rdb *r = (ark_rdb *)&err;
    const char *missing = path("nope");
    int rc = ark_rdb_open(&missing, 1, &r, &err);
    is_int(rc, ARK_ENOTFOUND, "rdb_open of a missing directory");
    ok(strstr(err.msg, missing) != NULL, "message names it: %s", err.msg);
    ok(r == NULL, "no handle on error");

    mkdir(path("empty"), 0700);
    const char *empty = path("empty");
    rc = ark_rdb_open(&empty, 1, &r, &err);
    is_int(rc, ARK_ENOTFOUND, "rdb_open of a directory without an index");
    ok(strstr(err.msg, empty) != NULL, "message names it: %s", err.msg);

    FILE *f = fopen(path("file"), "w");
    if (f) fclose(f);
    const char *file = path("file");
    rc = ark_rdb_open(&file, 1, &r, &err);
    is_int(rc, ARK_ENOTFOUND, "rdb_open of a plain file (Xapian would open it as a stub)");

    const char *specs[2] = {path("db"), path("nope")};
    rc = ark_rdb_open(specs, 2, &r, &err);
    is_int(rc, ARK_ENOTFOUND, "one missing shard of two fails the open");

    const char *bad = "tcp:localhost";
    rc = ark_rdb_open(&bad, 1, &r, &err);
    is_int(rc, ARK_EINVAL, "tcp spec without a port");
    const char *refused = "tcp:127.0.0.1:1";
    rc = ark_rdb_open(&refused, 1, &r, &err);
    ok(rc == ARK_EUNAVAIL, "tcp shard that refuses: %s", err.msg);
    ok(strstr(err.msg, refused) != NULL, "message names the shard");

    /* issue 16: partial opens without a remote shard that is down, and says which */
    const char *two[2] = {path("db"), refused};
    rc = ark_rdb_open(two, 2, &r, &err);
    is_int(rc, ARK_EUNAVAIL, "fail (the default): a refused shard of two fails the open");
    ark_rdb_set_shard_policy(1, 0);
    rc = ark_rdb_open(two, 2, &r, &err);
    is_int(rc, 0, "partial: a refused shard of two opens the other");
    if (rc == 0) {
        const char *down[4] = {NULL};
        size_t up = 9, total = ark_rdb_missing(r, &up, down, 4);
        ok(total == 2 && up == 1 && down[0] && strcmp(down[0], refused) == 0,
           "ark_rdb_missing: 1 of 2 up, %s down", down[0] ? down[0] : "none");
        uint64_t count = 0;
        is_int(ark_rdb_stats(r, NULL, &count, &err), 0, "the other shard reads");
        ok(count > 0, "its passages: %llu", (unsigned long long)count);
        ark_rdb_close(r);
    }
    rc = ark_rdb_open(&refused, 1, &r, &err);
    ok(rc == ARK_EUNAVAIL, "partial: a refused shard alone still fails the open");
    ark_rdb_set_shard_policy(0, 0);
}

/* A TCP port on 127.0.0.1 that nobody listens on right now (0 if none is found). */
static unsigned free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof a;
    unsigned port = 0;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

/* ark_rdb_meta_prefix_each's keys and values as "k=v;" into acc, until max are seen. */
typedef struct meta_acc {
    char s[256];
    int seen, max;
} meta_acc;

static int collect_meta(const char *k, size_t kl, const char *v, size_t vl, void *user) {
    meta_acc *a = user;
    size_t n = strlen(a->s);
    snprintf(a->s + n, sizeof a->s - n, "%.*s=%.*s;", (int)kl, k, (int)vl, v);
    return ++a->seen >= a->max;
}

/* The metadata of every shard under a prefix: Xapian's combined database reads only the
 * first shard's (the learned acronyms are stored per document, in its shard). */
static void check_meta_each(ark_rdb *r, const char *want, const char *what) {
    meta_acc a = {"", 0, 100};
    EE(ark_rdb_meta_prefix_each(r, "Atest/", collect_meta, &a, &err));
    is_str(a.s, want, what);
}

/* Two local shards, and (if xapian-tcpsrv is installed) a remote one. */
static void test_shards(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("shard2"), &w, &err));
    EE(add_passage(w, "Qs1", "kommunen i shard to", "S1", "20210101", "referat", "2021",
                   "s1"));
    EE(ark_wdb_set_meta(w, "Atest/two", "2", 1, &err));
    EE(ark_wdb_set_meta(w, "Atest/three", "3", 1, &err));
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
    w = NULL;
    EE(ark_wdb_open(path("db"), &w, &err));
    EE(ark_wdb_set_meta(w, "Atest/one", "1", 1, &err));
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);

    const char *specs[3] = {path("db"), path("shard2"), NULL};
    ark_rdb *r = NULL;
    uint64_t rev = 0, n = 0;
    EE(ark_rdb_open(specs, 2, &r, &err));
    EE(ark_rdb_stats(r, &rev, &n, &err));
    is_int(n, 6, "two local shards: 5 + 1 passages");
    ok(rev > 0, "revision of the first shard: %llu", (unsigned long long)rev);
    is_int(nhits(r, T("kommunen"), NULL, 0), 5, "search across shards");
    is_int(nhits(r, comb2(ARK_XQ_FILTER, T("kommunen"), ark_xq_lengths(r), 0), NULL, 0), 5,
           "the lengths leaf on shards: every passage");
    char first[64];
    is_int(nhits(r, T("Qs1"), first, sizeof first), 1, "a uid in the second shard");
    is_str(first, "s1", "its data");
    check_meta_each(r, "Atest/one=1;Atest/three=3;Atest/two=2;",
                    "metadata by prefix: both shards, each in key order");
    meta_acc stop = {"", 0, 2};
    EE(ark_rdb_meta_prefix_each(r, "Atest/", collect_meta, &stop, &err));
    is_str(stop.s, "Atest/one=1;Atest/three=3;", "metadata by prefix: a non-zero return stops");
    is_int(ark_rdb_meta_prefix_each(r, "", collect_meta, &stop, &err), ARK_EINVAL,
           "metadata by prefix: an empty prefix is ARK_EINVAL");
    ark_rdb_close(r);

    if (access("/usr/bin/xapian-tcpsrv", X_OK) != 0) {
        ok(0, "xapian-tcpsrv is missing (xapian-tools; scripts/install-deps.sh installs it)");
        return;
    }
    /* A port nobody listens on now, asked of the kernel; if xapian-tcpsrv still cannot
     * have it (taken in between) it exits, and the next try takes another. */
    char portstr[16], spec[64];
    pid_t pid = -1;
    int rc = -1;
    for (int attempt = 0; attempt < 5 && rc != 0; attempt++) {
        unsigned port = free_port();
        snprintf(portstr, sizeof portstr, "%u", port);
        snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", port);
        pid = fork();
        if (pid == 0) {
            /* On SIGTERM xapian-tcpsrv kills its whole process group (its connection
             * children): give it a group of its own, or it takes this test and prove along. */
            setpgid(0, 0);
            int devnull = open("/dev/null", 1);
            if (devnull >= 0) {
                dup2(devnull, 1);
                dup2(devnull, 2);
            }
            execl("/usr/bin/xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1", "--port",
                  portstr, path("shard2"), (char *)NULL);
            _exit(127);
        }
        specs[1] = spec;
        for (int i = 0; i < 100 && rc != 0 && pid > 0; i++) {
            if (waitpid(pid, NULL, WNOHANG) == pid) pid = -1; /* it could not listen */
            else if ((rc = ark_rdb_open(specs, 2, &r, &err)) != 0) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        }
        if (rc != 0 && pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
            pid = -1;
        }
    }
    ok(rc == 0, "open a local and a remote shard: %s", rc ? err.msg : "ok");
    if (rc == 0) {
        EE(ark_rdb_stats(r, &rev, &n, &err));
        is_int(n, 6, "local + remote doccount");
        is_int(nhits(r, T("shard"), NULL, 0), 1, "search reaches the remote shard");
        check_meta_each(r, "Atest/one=1;Atest/three=3;Atest/two=2;",
                        "metadata by prefix: a remote shard's too");
        ark_rdb_close(r);
        const char *only = spec;
        EE(ark_rdb_open(&only, 1, &r, &err));
        EE(ark_rdb_stats(r, &rev, &n, &err));
        is_int(rev, 0, "a remote first shard reports revision 0");
        ark_rdb_close(r);
    }
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* A reader left behind by several commits must still answer (reopen + retry inside).
 * With xapian-core 1.4.22 this sequence makes the terms walk throw DatabaseModifiedError
 * (checked by instrumenting the shim's retry), so it exercises the retry path. */
static void test_stale_reader(void) {
    ark_wdb *w = NULL;
    char uid[32], words[256], data[32];
    EE(ark_wdb_open(path("race"), &w, &err));
    for (int i = 0; i < 200; i++) {
        snprintf(uid, sizeof uid, "Qr%03d", i);
        snprintf(words, sizeof words, "ord%d ord%d fælles runde0", i, i * 7);
        snprintf(data, sizeof data, "r%d", i);
        add_passage(w, uid, words, "R", "20260101", "x", "2026", data);
    }
    EE(ark_wdb_commit(w, &err));
    const char *spec = path("race");
    ark_rdb *r = NULL;
    EE(ark_rdb_open(&spec, 1, &r, &err));
    int failures = 0;
    for (int round = 1; round <= 6; round++) {
        for (int i = 0; i < 200; i++) {
            snprintf(uid, sizeof uid, "Qr%03d", i);
            snprintf(words, sizeof words, "nyt%d ord%d fælles runde%d", i * round, i, round);
            snprintf(data, sizeof data, "r%d.%d", i, round);
            if (add_passage(w, uid, words, "R", "20260101", "x", "2026", data)) failures++;
        }
        if (ark_wdb_commit(w, &err)) failures++;
    }
    is_int(failures, 0, "six rounds of rewrites committed");
    int nterms = 0;
    EE(ark_rdb_terms(r, "", count_term, &nterms, &err));
    ok(nterms > 0, "stale reader still lists terms (%d)", nterms);
    long n = nhits(r, T("fælles"), NULL, 0);
    ok(n == 100, "stale reader still searches (%ld hits of the first 100)", n);
    ark_rdb_close(r);
    ark_wdb_close(w);
}

/* The year facet of q over r's matches: how many passages of year y. */
static uint64_t year_count(ark_rdb *r, const char *q, const char *y) {
    ark_search_opts o;
    ark_hits h;
    ark_search_opts_default(&o);
    o.facet_slots[0] = ARK_SLOT_YEAR;
    o.group_slot = ARK_SLOT_DOC;
    ark_xq *x = T(q);
    uint64_t n = 0;
    if (ark_rdb_search(r, x, &o, &h, &err) == 0) {
        for (size_t i = 0; h.nfacets && i < h.facets[0].n; i++)
            if (!strcmp(h.facets[0].values[i], y)) n = h.facets[0].counts[i];
        ark_hits_free(&h);
    }
    ark_xq_free(x);
    return n;
}

/* Two readers of one index share its value tables; one that reopens after a commit
 * grows them, and the one left at the old revision still counts its own matches. */
static void test_shared_tables(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("shared"), &w, &err));
    EE(add_passage(w, "Qs1", "budget vedtaget", "S1", "20240101", "referat", "2024", "s1"));
    EE(add_passage(w, "Qs2", "budget forslag", "S2", "20250101", "referat", "2025", "s2"));
    EE(ark_wdb_commit(w, &err));
    const char *spec = path("shared");
    ark_rdb *a = NULL, *b = NULL;
    EE(ark_rdb_open(&spec, 1, &a, &err));
    EE(ark_rdb_open(&spec, 1, &b, &err));
    is_int(year_count(a, "budget", "2025"), 1, "reader a: one 2025 passage");
    EE(add_passage(w, "Qs3", "budget igen", "S3", "20250202", "referat", "2025", "s3"));
    EE(add_passage(w, "Qs4", "budget sidst", "S3", "20250202", "referat", "2025", "s4"));
    EE(ark_wdb_commit(w, &err));
    int changed = 0;
    EE(ark_rdb_reopen(b, &changed, &err));
    is_int(year_count(b, "budget", "2025"), 3, "reader b, reopened: the new passages count");
    is_int(year_count(a, "budget", "2025"), 1, "reader a, not reopened: its own matches");
    ark_hits h;
    ark_search_opts o;
    ark_search_opts_default(&o);
    o.group_slot = ARK_SLOT_DOC;
    ark_xq *x = T("igen");
    EE(ark_rdb_search(b, x, &o, &h, &err));
    ok(h.n == 1 && !strcmp(h.v[0].key, "S3") && h.v[0].group_matches == 1,
       "a new document's key and count from the grown table");
    ark_hits_free(&h);
    ark_xq_free(x);
    ark_rdb_close(a);
    ark_rdb_close(b);
    ark_wdb_close(w);
}

/* A query's length leaves read the table of the match they run in, and none in any
 * other: counting by value after a search, on a reader opened after that search's
 * reader (and its tables) were gone, reads nothing freed (ASan) and counts right. */
static void test_lengths_outside_match(void) {
    const char *shared = path("shared"), *db = path("db");
    ark_rdb *a = NULL, *c = NULL;
    EE(ark_rdb_open(&shared, 1, &a, &err));
    is_int(nhits(a, comb2(ARK_XQ_FILTER, T("budget"), ark_xq_lengths(a), 0), NULL, 0), 4,
           "a length leaf in a search");
    ark_rdb_close(a);
    EE(ark_rdb_open(&db, 1, &c, &err));
    strs docs = {0};
    ark_xq *q = comb2(ARK_XQ_FILTER, T("kommunen"), ark_xq_lengths(c), 0);
    EE(ark_rdb_count_by(c, q, ARK_SLOT_DOC, collect_term, &docs, &err));
    ark_xq_free(q);
    uint64_t total = 0;
    for (int i = 0; i < docs.n && i < 16; i++) total += docs.f[i];
    is_int((long)total, nhits(c, T("kommunen"), NULL, 0),
           "counted by document outside a ranked match: every match");
    ark_rdb_close(c);
}

/* A passage longer than the length table's 16 bits: the search ranks every passage with
 * its true length, the long one too, as Xapian's own BM25Weight does with Xapian's own
 * lengths (the same index beside an empty shard ranks that way), and the short ones still
 * rank by length (the long one, holding the word as often, last). */
static void test_long_passage(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("long"), &w, &err));
    EE(add_passage(w, "Ql1", "budget vedtaget", "L1", "20240101", "referat", "2024", "l1"));
    EE(add_passage(w, "Ql2", "budget forslag til byraadet", "L2", "20240101", "referat", "2024", "l2"));
    for (int i = 0; i < 6; i++) { /* so that "budget" is a rare word, weighed by length */
        char uid[16], data[16];
        snprintf(uid, sizeof uid, "Qf%d", i);
        snprintf(data, sizeof data, "f%d", i);
        EE(add_passage(w, uid, "andet emne helt", "LF", "20240101", "referat", "2024", data));
    }
    ark_xdoc *d = ark_xdoc_new();
    int rc = d ? 0 : ARK_ENOMEM;
    uint32_t pos = 0;
    if (!rc) rc = ark_xdoc_add_posting(d, "budget", 6, pos++);
    while (!rc && pos < 70000) rc = ark_xdoc_add_posting(d, "fyld", 4, pos++);
    if (!rc) rc = ark_xdoc_add_boolean(d, "Ql3", 3);
    if (!rc) rc = ark_xdoc_set_value(d, ARK_SLOT_DOC, "L3", 2);
    if (!rc) rc = ark_xdoc_set_data(d, "l3", 2);
    if (!rc) rc = ark_wdb_add(w, d, &err);
    ark_xdoc_free(d);
    ok(rc == 0, "a passage of 70000 terms");
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
    EE(ark_wdb_open(path("long-empty"), &w, &err));
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
    const char *one = path("long"), *two[2] = {path("long"), path("long-empty")};
    ark_rdb *r = NULL, *ref = NULL;
    EE(ark_rdb_open(&one, 1, &r, &err));
    EE(ark_rdb_open(two, 2, &ref, &err));
    ark_search_opts o;
    ark_hits h = {0}, hr = {0};
    ark_search_opts_default(&o);
    ark_xq *q = T("budget");
    EE(ark_rdb_search(r, q, &o, &h, &err));
    EE(ark_rdb_search(ref, q, &o, &hr, &err));
    int same = h.n == 3 && hr.n == 3;
    for (size_t i = 0; same && i < h.n; i++) {
        same = !strcmp(h.v[i].data, hr.v[i].data) && h.v[i].score > hr.v[i].score - 1e-9 &&
               h.v[i].score < hr.v[i].score + 1e-9;
        if (!same)
            printf("#   %s %g against Xapian's %s %g\n", h.v[i].data, h.v[i].score, hr.v[i].data,
                   hr.v[i].score);
    }
    ok(same, "beside a passage too long for the table, the scores of Xapian's own lengths");
    ok(h.n == 3 && !strcmp(h.v[0].data, "l1") && !strcmp(h.v[2].data, "l3"),
       "the shortest passage first, the longest last");
    ark_hits_free(&h);
    ark_hits_free(&hr);
    ark_xq_free(q);
    ark_rdb_close(r);
    ark_rdb_close(ref);
}

/* A passage of wdf copies of word, filled with "fyld" to len terms. */
static int add_counted(ark_wdb *w, const char *word, int wdf, int len, const char *data) {
    ark_xdoc *d = ark_xdoc_new();
    int rc = d ? 0 : ARK_ENOMEM;
    char uid[32];
    int ul = snprintf(uid, sizeof uid, "Qc%s", data);
    for (int p = 0; !rc && p < len; p++) {
        const char *t = p < wdf ? word : "fyld";
        rc = ark_xdoc_add_posting(d, t, strlen(t), (uint32_t)p);
    }
    if (!rc) rc = ark_xdoc_add_boolean(d, uid, (size_t)ul);
    if (!rc) rc = ark_xdoc_set_value(d, ARK_SLOT_DOC, data, strlen(data));
    if (!rc) rc = ark_xdoc_set_data(d, data, strlen(data));
    if (!rc) rc = ark_wdb_add(w, d, &err);
    ark_xdoc_free(d);
    return rc;
}

/* q's top ten on r, pruned as Xapian prunes (check_at_least 0), and weighed in full
 * (every match checked, so no bound is used): the same passages, the same scores. *top
 * is the first hit's data. */
static int same_as_unpruned(ark_rdb *r, const char *t, char *top, size_t cap) {
    ark_xq *q = comb2(ARK_XQ_OR, T(t), T("sjaelden"), 0);
    ark_search_opts o, all;
    ark_search_opts_default(&o);
    ark_search_opts_default(&all);
    all.check_at_least = 1000000;
    ark_hits h = {0}, ha = {0};
    EE(ark_rdb_search(r, q, &o, &h, &err));
    EE(ark_rdb_search(r, q, &all, &ha, &err));
    int same = h.n == 10 && ha.n == 10;
    for (size_t i = 0; same && i < h.n; i++) {
        same = !strcmp(h.v[i].data, ha.v[i].data) && h.v[i].score == ha.v[i].score;
        if (!same)
            printf("#   %zu: %s %g, weighed in full %s %g\n", i, h.v[i].data, h.v[i].score,
                   ha.v[i].data, ha.v[i].score);
    }
    snprintf(top, cap, "%s", ha.n ? ha.v[0].data : "");
    ark_hits_free(&h);
    ark_hits_free(&ha);
    ark_xq_free(q);
    return same;
}

/* A term of 1000 passages or more is bounded by its best passage (shim_bm25.cc,
 * find_bound), so Xapian prunes it sooner; a bound below any passage's part would lose
 * that passage. "sjaelden" (10 passages of 100 terms) comes first; "alle" and "begge"
 * (1200 short passages each) hold the word once, and their best passage, last, four
 * times in four terms ("alle", 1 % above each "sjaelden" passage) or not yet ("begge").
 * After ten "sjaelden" passages Xapian needs more than the weakest of them, and drops
 * the OR's other side when its bound says it cannot reach that: so the best "alle"
 * passage is on the page only while its bound holds it (a bound 1.5 % low loses it), and
 * a "begge" passage added later only when its bound was brought up to date. */
static void test_term_bounds(void) {
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("bounds"), &w, &err));
    int rc = 0;
    char data[32];
    for (int i = 0; i < 10 && !rc; i++) {
        snprintf(data, sizeof data, "s%d", i);
        rc = add_counted(w, "sjaelden", 1, 100, data);
    }
    for (int i = 0; i < 1200 && !rc; i++) {
        snprintf(data, sizeof data, "a%d", i);
        rc = add_counted(w, "alle", 1, 10, data);
        snprintf(data, sizeof data, "b%d", i);
        if (!rc) rc = add_counted(w, "begge", 1, 10, data);
    }
    for (int i = 0; i < 2600 && !rc; i++) {
        snprintf(data, sizeof data, "f%d", i);
        rc = add_counted(w, "fyld", 0, 10, data);
    }
    if (!rc) rc = add_counted(w, "alle", 4, 4, "bedst");
    ok(rc == 0, "5011 passages");
    EE(ark_wdb_commit(w, &err));
    const char *spec = path("bounds");
    ark_rdb *r = NULL;
    char top[32];
    EE(ark_rdb_open(&spec, 1, &r, &err));
    ok(same_as_unpruned(r, "alle", top, sizeof top), "pruned by the term's bound, the page weighed in full");
    is_str(top, "bedst", "the best \"alle\" passage, past 2400 weaker ones, first");
    ok(same_as_unpruned(r, "begge", top, sizeof top), "and for a term without a strong passage");
    EE(add_counted(w, "begge", 12, 12, "ny"));
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
    ark_rdb *r2 = NULL; /* while r is open, the two share the index's tables and bounds */
    EE(ark_rdb_open(&spec, 1, &r2, &err));
    ok(same_as_unpruned(r2, "begge", top, sizeof top), "a passage added after the bound was found");
    is_str(top, "ny", "counts, first");
    ark_rdb_close(r2);
    ark_rdb_close(r);
}

/* The value tables keep codes in 1, 2 or 4 bytes as the values grow: documents past 255
 * and past 65535 distinct ones still give each hit its own document's key, and one
 * counted by the spy. */
static void test_wide_codes(void) {
    enum { N = 65600 };
    ark_wdb *w = NULL;
    EE(ark_wdb_open(path("wide"), &w, &err));
    int rc = 0;
    for (int i = 0; i < N && !rc; i++) {
        char doc[16], uid[16];
        int dl = snprintf(doc, sizeof doc, "d%d", i), ul = snprintf(uid, sizeof uid, "Qw%d", i);
        ark_xdoc *d = ark_xdoc_new();
        rc = d ? 0 : ARK_ENOMEM;
        if (!rc) rc = ark_xdoc_add_posting(d, "alle", 4, 0);
        if (!rc && (i < 3 || i % 100 == 0 || i > N - 3)) rc = ark_xdoc_add_posting(d, "nogle", 5, 1);
        if (!rc) rc = ark_xdoc_add_boolean(d, uid, (size_t)ul);
        if (!rc) rc = ark_xdoc_set_value(d, ARK_SLOT_DOC, doc, (size_t)dl);
        if (!rc) rc = ark_xdoc_set_data(d, doc, (size_t)dl);
        if (!rc) rc = ark_wdb_add(w, d, &err);
        ark_xdoc_free(d);
    }
    ok(rc == 0, "%d passages of as many documents", N);
    EE(ark_wdb_commit(w, &err));
    ark_wdb_close(w);
    const char *spec = path("wide");
    ark_rdb *r = NULL;
    EE(ark_rdb_open(&spec, 1, &r, &err));
    ark_search_opts o;
    ark_hits h = {0};
    ark_search_opts_default(&o);
    o.limit = 1000;
    o.group_slot = ARK_SLOT_DOC;
    ark_xq *q = T("nogle");
    EE(ark_rdb_search(r, q, &o, &h, &err));
    int right = h.n == 3 + (N - 1) / 100 + 2; /* 0 1 2, every 100th, the last two */
    for (size_t i = 0; right && i < h.n; i++) {
        right = h.v[i].key && !strcmp(h.v[i].key, h.v[i].data) && h.v[i].group_matches == 1;
        if (!right) printf("#   hit %s: key %s, %llu\n", h.v[i].data, h.v[i].key ? h.v[i].key : "-",
                           (unsigned long long)h.v[i].group_matches);
    }
    ok(right, "each hit its own document's key and count, past 1- and 2-byte codes (%zu hits)", h.n);
    ark_hits_free(&h);
    ark_xq_free(q);
    ark_rdb_close(r);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!mkdtemp(tmpdir)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    build_main_index();

    const char *spec = path("db");
    ark_rdb *r = NULL;
    EE(ark_rdb_open(&spec, 1, &r, &err));
    if (r) {
        test_reads(r);
        test_queries(r);
        test_explain(r);
        ark_rdb_close(r);
    }
    test_transactions();
    test_reopen_and_lock();
    test_open_errors();
    test_shards();
    test_stale_reader();
    test_shared_tables();
    test_lengths_outside_match();
    test_long_passage();
    test_wide_codes();
    test_term_bounds();

    ark_search_opts o;
    ark_search_opts_default(&o);
    ok(o.offset == 0 && o.limit == 10 && o.sort_by_date == 0 && o.facet_slots[3] == -1 &&
           o.check_at_least == 0 && o.group_slot == -1,
       "search options defaults");

    rm_rf(tmpdir);
    return done_testing();
}
