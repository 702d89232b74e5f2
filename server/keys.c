/* server/keys.c: the key file of a running server. See keys.h.
 * A request costs one hash and a compare per key; the file's stat is looked at once a
 * second at most, and a changed file is read and swapped in under a write lock. */
#include "keys.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define RECHECK_MS 1000

static pthread_rwlock_t g_lock = PTHREAD_RWLOCK_INITIALIZER;
static const char *g_path;    /* NULL: no --keys, every key is wrong */
static ark_keys g_keys;
static struct stat g_seen;    /* the file as last read */
static uint64_t g_checked_ms; /* when the file was last looked at */

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int same_file(const struct stat *a, const struct stat *b) {
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Read the file again (the write lock held). */
static int reload(ark_err *err) {
    struct stat st;
    ark_keys k;
    memset(&st, 0, sizeof st);
    stat(g_path, &st);
    int rc = ark_keys_load(g_path, &k, err);
    ark_keys_free(&g_keys);
    g_seen = st;
    if (rc == 0) g_keys = k;
    return rc;
}

int ark_keys_serve(const char *path, ark_err *err) {
    pthread_rwlock_wrlock(&g_lock);
    g_path = path;
    int rc = reload(err);
    g_checked_ms = now_ms();
    pthread_rwlock_unlock(&g_lock);
    return rc;
}

int ark_keys_reload(size_t *n, ark_err *err) {
    int rc = 0;
    pthread_rwlock_wrlock(&g_lock);
    if (g_path) {
        rc = reload(err);
        g_checked_ms = now_ms();
    }
    *n = g_keys.n;
    pthread_rwlock_unlock(&g_lock);
    return rc;
}

/* Once a second at most: a changed file is read again; one that fails grants nothing. */
static void recheck(void) {
    uint64_t now = now_ms();
    pthread_rwlock_rdlock(&g_lock);
    int due = g_path && now - g_checked_ms >= RECHECK_MS;
    pthread_rwlock_unlock(&g_lock);
    if (!due) return;
    pthread_rwlock_wrlock(&g_lock);
    if (now - g_checked_ms >= RECHECK_MS) {
        g_checked_ms = now;
        struct stat st;
        memset(&st, 0, sizeof st);
        int there = stat(g_path, &st) == 0;
        if (!there || !same_file(&st, &g_seen)) {
            ark_err err = {0, ""};
            if (reload(&err) != 0)
                fprintf(stderr, "arkivar-server: keys: %s; every key is refused until it is fixed\n",
                        err.msg);
        }
    }
    pthread_rwlock_unlock(&g_lock);
}

int ark_keys_grant(const char *authorization, ark_level *lv, unsigned *rights) {
    *lv = ARK_LEVEL_PUBLIC;
    *rights = 0;
    if (!authorization) return 0;
    const char *p = authorization;
    while (*p == ' ' || *p == '\t') p++;
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t')) return -1;
    p += 6;
    while (*p == ' ' || *p == '\t') p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    if (n == 0) return -1;
    recheck();
    pthread_rwlock_rdlock(&g_lock);
    const ark_key_entry *e = ark_keys_match(&g_keys, p, n);
    if (e) { /* copied under the lock: a reload frees the entries */
        *lv = e->level;
        *rights = e->rights;
    }
    pthread_rwlock_unlock(&g_lock);
    return e ? 1 : -1;
}

int ark_keys_level(const char *authorization, ark_level *lv) {
    unsigned rights;
    return ark_keys_grant(authorization, lv, &rights) < 0 ? -1 : 0;
}

int ark_keys_served(void) {
    pthread_rwlock_rdlock(&g_lock);
    int on = g_path != NULL;
    pthread_rwlock_unlock(&g_lock);
    return on;
}

void ark_keys_stop(void) {
    pthread_rwlock_wrlock(&g_lock);
    ark_keys_free(&g_keys);
    g_path = NULL;
    pthread_rwlock_unlock(&g_lock);
}
