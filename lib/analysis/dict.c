/* lib/analysis/dict.c: the word set that compound splitting looks parts up in.
 * Owns: loading the word list (one word a line, mapped), the open-addressing hash set
 * with its pool and bit filter, reference counting for clones, and the words learned
 * from the corpus (ark_an_add_word, ark_an_is_word).
 * Not here: the split itself (compound.c), the analyzer's lifecycle (stem.c).
 * Why: Snowball does not split compounds, so the parts are found against a full-form
 * word list plus the corpus's own vocabulary ("techvirksomheder" is in neither list);
 * 313k words must load in well under a second at every server start. */
#include "an_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#define ARK_DEFAULT_WORDS "/usr/share/dict/danish"
#ifndef MAP_POPULATE /* Linux: fault the file in one go; elsewhere page by page */
#define MAP_POPULATE 0
#endif

static void dict_put_slot(ark_dict_slot *tab, size_t cap, ark_dict_slot e) {
    size_t mask = cap - 1, i = e.h & mask;
    while (tab[i].off) i = (i + 1) & mask;
    tab[i] = e;
}

static int dict_grow(ark_dict *d, size_t want) {
    size_t cap = d->cap ? d->cap : 1024;
    while (cap < want + want / 2) cap *= 2; /* load <= 2/3: 313k words fit 512k slots, 4 MiB */
    if (cap == d->cap) return 0;
    ark_dict_slot *t = calloc(cap, sizeof *t);
    if (!t) return ARK_ENOMEM;
    for (size_t i = 0; i < d->cap; i++)
        if (d->tab[i].off) dict_put_slot(t, cap, d->tab[i]);
    free(d->tab);
    d->tab = t;
    d->cap = cap;
    return 0;
}

static int pool_reserve(ark_dict *d, size_t extra) {
    if (d->pool_len + extra <= d->pool_cap) return 0;
    size_t cap = d->pool_cap ? d->pool_cap : 4096;
    while (cap < d->pool_len + extra) cap *= 2;
    if (cap > UINT32_MAX) return ARK_ENOMEM; /* offsets are 32-bit */
    unsigned char *p = realloc(d->pool, cap);
    if (!p) return ARK_ENOMEM;
    d->pool = p;
    d->pool_cap = cap;
    return 0;
}

static int dict_add_h(ark_dict *d, const char *s, size_t len, uint32_t h, int learned) {
    if (len == 0 || len > ARK_MAX_TERM) return 0;
    if (ark_dict_has(d, h, s, len)) return 0;
    int rc;
    if ((d->count + 1) * 3 > d->cap * 2 && (rc = dict_grow(d, d->count + 1)) != 0) return rc;
    if ((rc = pool_reserve(d, len + 1)) != 0) return rc;
    ark_dict_slot e = {h, (uint32_t)d->pool_len};
    d->pool[d->pool_len] = (unsigned char)(len | (learned ? ARK_DICT_LEARNED : 0));
    memcpy(d->pool + d->pool_len + 1, s, len);
    d->pool_len += len + 1;
    dict_put_slot(d->tab, d->cap, e);
    uint32_t fb = ark_dict_filter_bit(h);
    d->filter[fb >> 6] |= (uint64_t)1 << (fb & 63);
    d->count++;
    return 0;
}

static int dict_learn(ark_dict *d, const char *s, size_t len) {
    return dict_add_h(d, s, len, ark_fnv(s, len), 1);
}

void ark_dict_unref(ark_dict *d) {
    if (!d || atomic_fetch_sub(&d->refs, 1) != 1) return;
    free(d->tab);
    free(d->pool);
    free(d->filter);
    free(d);
}

void ark_dict_ref(ark_dict *d) { atomic_fetch_add(&d->refs, 1); }

/* Is every character a letter (Unicode L* or a combining mark)? Words with digits,
 * hyphens or apostrophes ("A-aktie", "ABC'en") never serve as compound parts. */
static int all_letters(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (u[i] < 0x80) {
            if (!((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z')) return 0;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 1) return 0;
        utf8proc_category_t c = utf8proc_category(cp);
        if (!(c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME)) return 0;
        i += (size_t)n;
    }
    return len > 0;
}

/* One line of the word list as a set member: lowercased, letters only. Returns the
 * word (the line itself, or scratch when lowering changed it) or NULL to skip it. */
static const char *dict_norm_line(const char *s, size_t *len, char *scratch) {
    size_t i, n = *len;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 'a' || c > 'z') break;
    }
    if (i == n) return n && n <= ARK_MAX_TERM ? s : NULL; /* the common case: lowercase ASCII */
    if (n > ARK_MAX_TERM || !all_letters(s, n)) return NULL;
    *len = ark_lower(s, n, scratch, ARK_MAX_TERM + 1);
    return scratch;
}

static int dict_load(ark_dict *d, const char *path, ark_err *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
    const char *buf;
    void *map = NULL;
    size_t got = 0;
    if (fd < 0) {
        /* Not fatal: compounds then rely on the vocabulary added with ark_an_add_word. */
        if (errno == ENOENT) return 0;
        return ark_err_set(err, ARK_EIO, "word list %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ark_err_set(err, ARK_EIO, "word list %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)1 << 30) {
        rc = ark_err_set(err, ARK_EINVAL, "word list %s: not a regular file under 1 GiB", path);
        goto out;
    }
    got = (size_t)st.st_size;
    if (got == 0) goto out;
    /* Mapped, not read: saves copying 4 MB through the kernel on every server start. */
    if ((map = mmap(NULL, got, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED) {
        map = NULL;
        rc = ark_err_set(err, ARK_EIO, "word list %s: mmap: %s", path, strerror(errno));
        goto out;
    }
    buf = map;
    size_t lines = 0;
    for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++) lines++;
    if ((rc = dict_grow(d, d->count + lines + 1)) != 0 || (rc = pool_reserve(d, got + 1)) != 0) {
        ark_err_set(err, rc, "word list %s: %zu words", path, lines);
        goto out;
    }
    /* Inserts hit random slots of a 4 MiB table: hash a batch of lines first and
     * prefetch their slots, so the cache misses overlap instead of queueing. */
    enum { BATCH = 16 };
    char scratch[BATCH][ARK_MAX_TERM + 1];
    const char *bw[BATCH];
    size_t bl[BATCH], nb = 0;
    uint32_t bh[BATCH];
    for (size_t i = 0; i < got || nb;) {
        if (i < got && nb < BATCH) {
            const char *nl = memchr(buf + i, '\n', got - i);
            size_t e = nl ? (size_t)(nl - buf) : got, l = e - i;
            if (l && buf[e - 1] == '\r') l--;
            const char *w = dict_norm_line(buf + i, &l, scratch[nb]);
            i = e + 1;
            if (!w) continue;
            uint32_t h = ark_fnv(w, l);
            __builtin_prefetch(&d->tab[h & (d->cap - 1)]);
            __builtin_prefetch(&d->filter[ark_dict_filter_bit(h) >> 6]);
            bw[nb] = w;
            bl[nb] = l;
            bh[nb++] = h;
            continue;
        }
        for (size_t k = 0; k < nb; k++) {
            if ((rc = dict_add_h(d, bw[k], bl[k], bh[k], 0)) != 0) {
                ark_err_set(err, rc, "word list %s", path);
                goto out;
            }
        }
        nb = 0;
    }
out:
    if (map) munmap(map, got);
    close(fd);
    return rc;
}

int ark_dict_new(const char *path, ark_dict **out, ark_err *err) {
    int rc;
    ark_dict *d = NULL;
    *out = NULL;
    if (!(d = calloc(1, sizeof *d))) return ark_err_set(err, ARK_ENOMEM, "analyzer dictionary");
    atomic_init(&d->refs, 1);
    d->pool_len = 1; /* offset 0 marks an empty slot */
    if (!(d->filter = calloc(ARK_DICT_FILTER_BITS / 64, sizeof *d->filter))) {
        rc = ark_err_set(err, ARK_ENOMEM, "analyzer dictionary filter");
        goto out;
    }
    if ((rc = pool_reserve(d, 1)) != 0) {
        ark_err_set(err, rc, "analyzer dictionary");
        goto out;
    }
    int given = path && *path;
    if ((rc = dict_load(d, given ? path : ARK_DEFAULT_WORDS, err)) != 0) goto out;
    *out = d;
    return 0;
out:
    ark_dict_unref(d);
    return rc;
}

/* ---- the words of the analyzer ----------------------------------------------------- */

int ark_an_is_word(const ark_an *an, const char *lower, size_t len) {
    return an && lower && len <= ARK_MAX_TERM &&
           ark_dict_find(an->d, ark_fnv(lower, len), lower, len) == 1;
}

int ark_an_add_word(ark_an *an, const char *lower, size_t len) {
    if (!an || !lower) return ARK_EINVAL;
    /* Clones read the set without locks, so it is frozen once shared. */
    if (atomic_load(&an->d->refs) > 1) return ARK_EINVAL;
    if (len > ARK_MAX_TERM || !all_letters(lower, len)) return 0; /* never a compound part */
    int rc = dict_learn(an->d, lower, len);
    ark_split_forget(an);
    return rc;
}
