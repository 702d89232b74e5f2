/* tests/test_ingest.c: include/arkivar/ingest.h's databases against real Xapian folders.
 * Covers: creating an empty database under the new-index lock (whole or none, once),
 * refusing while another writer or a new index's merge holds the folder, and who holds
 * an id (ark_owner_of through a reader, ark_build_root_of through the writer). The
 * preparing and writing of files is tried by test_faults and the indexer's tests. */
#include "arkivar/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arkivar/record.h"
#include "arkivar/schema.h"
#include "tap.h"

static char tmpdir[] = "/tmp/arkivar-test-ingest-XXXXXX";

static const char *at(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* A record of id with root into w's database, committed. */
static int put_record(const char *dir, const char *id, const char *root) {
    ark_wdb *w = NULL;
    ark_err err = {0, ""};
    ark_buf rec = ARK_BUF_INIT;
    ark_drec d = {.title = "t", .type = "", .date = "", .committee = "", .addressee = "",
                  .case_numbers = "", .root = root, .format = "text", .url = "", .fields = ""};
    memset(d.hash, '0', 32);
    char key[ARK_MAX_ID + 2];
    snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    int rc = ark_wdb_open(dir, &w, &err);
    if (!rc) rc = ark_drec_encode(&d, &rec);
    if (!rc) rc = ark_wdb_set_meta(w, key, rec.data, rec.len, &err);
    if (!rc) rc = ark_wdb_commit(w, &err);
    ark_wdb_close(w);
    ark_buf_free(&rec);
    return rc;
}

int main(void) {
    if (!mkdtemp(tmpdir)) return 1;
    ark_err err = {0, ""};
    const char *meta[] = {ARK_META_FORMAT, ARK_INDEX_FORMAT, ARK_META_MASK, "cpr"};
    char root[256];
    int exists = -1;

    /* No database yet: nothing is held, and a reader is not an error. */
    ok(ark_owner_of(at("none"), "a.txt", &exists, root, sizeof root, &err) == 0 && !exists,
       "a folder without a database holds no id");

    /* Created once, whole, with its metadata. */
    int rc = ark_newdb_create(at("intern"), at("scratch"), meta, 2, &err);
    struct stat st;
    ok(rc == 0 && ark_db_exists(at("intern")) && stat(at("scratch"), &st) != 0,
       "an empty database is created and its scratch folder is gone (%s)", err.msg);
    ark_wdb *w = NULL;
    char *v = NULL;
    size_t vl = 0;
    rc = ark_wdb_open(at("intern"), &w, &err);
    if (!rc) rc = ark_wdb_get_meta(w, ARK_META_FORMAT, &v, &vl, &err);
    ok(rc == 0 && v && strcmp(v, ARK_INDEX_FORMAT) == 0, "it holds the format (%s)", v ? v : "-");
    free(v);
    v = NULL;
    if (!rc) rc = ark_wdb_get_meta(w, ARK_META_NDOCS, &v, &vl, &err);
    ok(rc == 0 && v && strcmp(v, "0") == 0, "and a document count of 0");
    free(v);
    /* While a writer holds it, creating it again is nothing to do: it is there. */
    ok(ark_newdb_create(at("intern"), at("scratch"), meta, 2, &err) == 0,
       "creating it again changes nothing, even with a writer open");
    ark_wdb_close(w);

    /* A folder held by another writer (the lock a new index is built under). */
    mkdir(at("held"), 0777);
    int fd = ark_newdb_lock(at("held"), &err);
    ok(fd >= 0, "the new-index lock is taken");
    err = (ark_err){0, ""};
    ok(ark_newdb_lock(at("held"), &err) < 0 && err.code == ARK_ELOCKED, "a second take is ARK_ELOCKED");
    err = (ark_err){0, ""};
    ok(ark_newdb_create(at("held"), at("scratch"), meta, 2, &err) == ARK_ELOCKED &&
           !ark_db_exists(at("held")),
       "no database is created under another writer's lock (%s)", err.msg);
    close(fd);
    ark_wdb *x = NULL;
    ok(ark_wdb_open(at("held"), &x, &err) == 0, "Xapian's writer takes the folder once it is free");
    ark_wdb_close(x);

    /* A new index being merged: its scratch parts are there and their process lives. */
    mkdir(at("merging"), 0777);
    char part[64];
    snprintf(part, sizeof part, "merging/" ARK_NEWDB_SCRATCH "%ld", (long)getpid());
    mkdir(at(part), 0777);
    err = (ark_err){0, ""};
    ok(ark_newdb_create(at("merging"), at("scratch"), meta, 2, &err) == ARK_ELOCKED &&
           !ark_db_exists(at("merging")),
       "nor while a live run's parts wait for their merge (%s)", err.msg);
    rmdir(at(part));
    mkdir(at("merging/" ARK_NEWDB_SCRATCH "999999999"), 0777); /* no such process */
    ok(ark_newdb_create(at("merging"), at("scratch"), meta, 2, &err) == 0 && ark_db_exists(at("merging")),
       "a killed run's parts do not hold it");

    /* Who holds an id. */
    ok(put_record(at("intern"), "sager/a.txt", ARK_ROOT_PUSH) == 0 &&
           put_record(at("intern"), "b.txt", "/srv/corpus") == 0,
       "two records written");
    ok(ark_owner_of(at("intern"), "sager/a.txt", &exists, root, sizeof root, &err) == 0 && exists &&
           strcmp(root, ARK_ROOT_PUSH) == 0,
       "a pushed id: its root is push: (%s)", root);
    ok(ark_owner_of(at("intern"), "b.txt", &exists, root, sizeof root, &err) == 0 && exists &&
           strcmp(root, "/srv/corpus") == 0,
       "a folder's id: its folder");
    ok(ark_owner_of(at("intern"), "c.txt", &exists, root, sizeof root, &err) == 0 && !exists && !root[0],
       "an unknown id: not held");
    ark_build b = {0};
    rc = ark_wdb_open(at("intern"), &b.w, &err);
    ok(rc == 0 && ark_build_root_of(&b, "b.txt", &exists, root, sizeof root, &err) == 0 && exists &&
           strcmp(root, "/srv/corpus") == 0,
       "the writer reads the same root");
    ok(ark_build_remove(&b, "sager/a.txt", &err) == 0 &&
           ark_build_root_of(&b, "sager/a.txt", &exists, root, sizeof root, &err) == 0 && !exists,
       "a removed id is not held, uncommitted changes included");
    ark_wdb_close(b.w);
    ark_build_free(&b);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) printf("# could not remove %s\n", tmpdir);
    return done_testing();
}
