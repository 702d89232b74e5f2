/* lib/ingest/db.c: the databases a document is written into (include/arkivar/ingest.h).
 * Owns: the lock a folder without a database is held by (the one Xapian's writers
 * take), creating an empty database under it, and who holds a document id.
 * Not here: building a new index from many files (indexer/fresh.c, under the same lock),
 * writing documents (build.c).
 * Why: the indexer and the server's push writer both create the intern database when
 * a first intern document comes; neither may create it under the other's new index, and
 * the one that comes second must find the database there, whole. */
#define _GNU_SOURCE /* F_OFD_SETLK: the lock Xapian takes */
#include "arkivar/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arkivar/record.h"
#include "arkivar/schema.h"

int ark_newdb_lock(const char *dir, ark_err *err) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/flintlock", dir) >= (int)sizeof path) {
        ark_err_set(err, ARK_EINVAL, "%s: path too long", dir);
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        ark_err_set(err, ARK_EIO, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    /* The lock Xapian's writers and its compactor take: the first byte, open-file-
     * description lock, so that a writer started meanwhile finds DIR locked. */
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
    if (fcntl(fd, F_OFD_SETLK, &lk) != 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EACCES)
            ark_err_set(err, ARK_ELOCKED, "%s", dir);
        else
            ark_err_set(err, ARK_EIO, "cannot lock %s: %s", path, strerror(e));
        return -1;
    }
    return fd;
}

/* A new index's scratch folder in dir (ARK_NEWDB_SCRATCH + PID) whose process lives: an
 * arkivar-indexer between releasing the lock and its merge (fresh.c). A killed run's
 * folder does not count: the next run clears it. */
static int merge_under_way(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int busy = 0;
    size_t pl = strlen(ARK_NEWDB_SCRATCH);
    struct dirent *e;
    while (!busy && (e = readdir(d))) {
        if (strncmp(e->d_name, ARK_NEWDB_SCRATCH, pl) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + pl, &end, 10);
        busy = *end == '\0' && pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    }
    closedir(d);
    return busy;
}

/* Remove the files in dir and dir itself (a scratch database: files only). */
static void rm_flat(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    closedir(d);
    rmdir(dir);
}

/* Move the tables of the closed database at from into dir, its revision file last:
 * until that rename dir holds no database (ark_db_exists). */
static int move_tables(const char *from, const char *dir, ark_err *err) {
    DIR *d = opendir(from);
    if (!d) return ark_err_set(err, ARK_EIO, "cannot read %s: %s", from, strerror(errno));
    int rc = 0;
    char a[PATH_MAX], b[PATH_MAX];
    for (int pass = 0; pass < 2 && !rc; pass++) {
        rewinddir(d);
        struct dirent *e;
        while (!rc && (e = readdir(d))) {
            const char *n = e->d_name;
            if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "flintlock")) continue;
            if ((strcmp(n, "iamglass") == 0) != (pass == 1)) continue;
            if (snprintf(a, sizeof a, "%s/%s", from, n) >= (int)sizeof a ||
                snprintf(b, sizeof b, "%s/%s", dir, n) >= (int)sizeof b)
                rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", dir);
            else if (rename(a, b) != 0)
                rc = ark_err_set(err, ARK_EIO, "cannot move %s to %s: %s", a, b, strerror(errno));
        }
    }
    closedir(d);
    if (rc) return rc;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) rc = ark_err_set(err, ARK_EIO, "cannot sync %s: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    return rc;
}

int ark_newdb_create(const char *dir, const char *scratch, const char *const *meta, size_t nmeta,
                     ark_err *err) {
    if (ark_db_exists(dir)) return 0; /* the common case; its writer may hold the lock */
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ark_err_set(err, ARK_EIO, "cannot create %s: %s", dir, strerror(errno));
    int fd = ark_newdb_lock(dir, err);
    if (fd < 0) return err && err->code ? err->code : ARK_EIO;
    int rc = 0;
    ark_wdb *w = NULL;
    if (ark_db_exists(dir)) goto out; /* made before we held the lock: it is there */
    if (merge_under_way(dir)) {
        rc = ark_err_set(err, ARK_ELOCKED, "%s: a new index is being merged there", dir);
        goto out;
    }
    /* Xapian's writer takes the lock we hold, so the database is made beside it and
     * moved in: nobody else can create one in dir meanwhile. */
    rm_flat(scratch);
    if ((rc = ark_wdb_open(scratch, &w, err))) goto out;
    for (size_t i = 0; !rc && i < nmeta; i++)
        rc = ark_wdb_set_meta(w, meta[2 * i], meta[2 * i + 1], strlen(meta[2 * i + 1]), err);
    if (!rc) rc = ark_wdb_set_meta(w, ARK_META_NDOCS, "0", 1, err);
    if (!rc) rc = ark_wdb_commit(w, err);
    ark_wdb_close(w);
    if (!rc) rc = move_tables(scratch, dir, err);
out:
    rm_flat(scratch);
    close(fd);
    return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

void ark_newdb_remove(const char *path) {
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void ark_newdb_clear_shards(const char *dir) {
    char path[PATH_MAX];
    for (unsigned k = 0; k < ARK_SHARDS_MAX; k++)
        if (snprintf(path, sizeof path, "%s/" ARK_SHARD_NAME, dir, k) < (int)sizeof path)
            ark_newdb_remove(path);
}

int ark_newdb_create_shards(const char *dir, unsigned n, const char *scratch,
                            const char *const *meta, size_t nmeta, ark_err *err) {
    if (n <= 1) return ark_newdb_create(dir, scratch, meta, nmeta, err);
    if (ark_db_exists(dir)) return 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ark_err_set(err, ARK_EIO, "cannot create %s: %s", dir, strerror(errno));
    /* The folder's lock, held to the stub: an indexer run building its shards holds it
     * too (indexer/fresh.h), so the two never build in one folder at once. */
    int fd = ark_newdb_lock(dir, err);
    if (fd < 0) return err && err->code ? err->code : ARK_EIO;
    int rc = 0;
    char path[PATH_MAX];
    if (ark_db_exists(dir)) goto out;
    /* Shards without a stub are what a killed run left, documents perhaps: never ours. */
    ark_newdb_clear_shards(dir);
    for (unsigned k = 0; !rc && k < n; k++) {
        if (snprintf(path, sizeof path, "%s/" ARK_SHARD_NAME, dir, k) >= (int)sizeof path)
            rc = ark_err_set(err, ARK_EINVAL, "%s: path too long", dir);
        else
            rc = ark_newdb_create(path, scratch, meta, nmeta, err);
    }
    if (!rc) rc = ark_db_write_stub(dir, n, err);
out:
    close(fd);
    return rc;
}

int ark_owner_of(const char *dir, const char *id, int *exists, char *root, size_t cap,
                 ark_err *err) {
    *exists = 0;
    if (cap) root[0] = '\0';
    if (!ark_db_exists(dir)) return 0;
    char key[ARK_MAX_ID + 2], *val = NULL;
    size_t len = 0;
    if (strlen(id) > ARK_MAX_ID) return 0;
    snprintf(key, sizeof key, ARK_PFX_DOC "%s", id);
    ark_rdb *r = NULL;
    const char *spec = dir;
    int rc = ark_rdb_open(&spec, 1, &r, err);
    if (rc == ARK_ENOTFOUND) rc = 0; /* gone meanwhile: it holds nothing */
    if (rc == 0 && r) rc = ark_rdb_get_meta(r, key, &val, &len, err);
    ark_rdb_close(r);
    if (rc || !val) goto out;
    *exists = 1;
    ark_drec d;
    if (ark_drec_decode(val, len, &d, NULL) == 0 && cap) snprintf(root, cap, "%s", d.root);
out:
    free(val);
    return rc;
}
