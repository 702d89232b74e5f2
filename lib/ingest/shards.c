/* lib/ingest/shards.c: every writer of one index, and which shard a document lives on
 * (include/arkivar/ingest.h). */
#include "arkivar/ingest.h"

#include <string.h>

unsigned ark_shard_of(const char *id, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a: stable across builds and machines */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return n > 1 ? (unsigned)(h % n) : 0;
}

int ark_shards_open(ark_shards *s, const char *dir, ark_err *err) {
    memset(s, 0, sizeof *s);
    char **dirs = NULL;
    size_t n = 0;
    int rc = ark_db_shards(dir, &dirs, &n, err);
    if (rc == 0 && n == 0) rc = ark_err_set(err, ARK_ENOTFOUND, "%s holds no index", dir);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        if ((rc = ark_wdb_open(dirs[k], &s->b[k].w, err))) break;
        s->n = k + 1;
    }
    ark_db_shards_free(dirs, n);
    if (rc) ark_shards_close(s);
    return rc;
}

ark_build *ark_shards_for(ark_shards *s, const char *id) {
    return &s->b[ark_shard_of(id, s->n)];
}

int ark_shards_begin(ark_shards *s, ark_err *err) {
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->n; k++) rc = ark_wdb_begin(s->b[k].w, err);
    return rc;
}

int ark_shards_set_meta(ark_shards *s, const char *key, const char *val, size_t len, ark_err *err) {
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->n; k++) rc = ark_wdb_set_meta(s->b[k].w, key, val, len, err);
    return rc;
}

int ark_shards_flush(ark_shards *s, ark_err *err) {
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->n; k++) rc = ark_build_flush(&s->b[k], err);
    return rc;
}

int ark_shards_commit(ark_shards *s, ark_err *err) {
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < s->n; k++) rc = ark_wdb_commit(s->b[k].w, err);
    return rc;
}

ark_build ark_shards_totals(const ark_shards *s) {
    ark_build t = {0};
    for (size_t k = 0; k < s->n; k++) {
        const ark_build *b = &s->b[k];
        t.files_indexed += b->files_indexed;
        t.files_unchanged += b->files_unchanged;
        t.files_failed += b->files_failed;
        t.files_removed += b->files_removed;
        t.passages += b->passages;
        t.bytes += b->bytes;
    }
    return t;
}

void ark_shards_close(ark_shards *s) {
    if (!s) return;
    for (size_t k = 0; k < ARK_SHARDS_MAX; k++) {
        ark_wdb_close(s->b[k].w);
        ark_build_free(&s->b[k]);
    }
    memset(s, 0, sizeof *s);
}
