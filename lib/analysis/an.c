/* lib/analysis/an.c: the analyzer: Snowball danish stems, compound splitting, index terms.
 * Owns: the word list (an open-addressing hash set shared by clones, reference-counted),
 * one sb_stemmer per analyzer, ark_an_split and ark_an_terms (the prefixes in analysis.h).
 * Not here: token boundaries (tok.c), lowercasing and folding (fold.c), Xapian (index.h).
 * Why: Danish writes compounds as one word ("skolemadsordningen") and users search for
 * the parts ("skolemad", "innovation projekter"); Snowball does not split them, so the
 * parts are found against a full-form word list plus the corpus's own vocabulary. */
#include "arkivar/analysis.h"
#include "arkivar/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <libstemmer.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#define ARK_DEFAULT_WORDS "/usr/share/dict/danish"
#ifndef MAP_POPULATE /* Linux: fault the file in one go; elsewhere page by page */
#define MAP_POPULATE 0
#endif

/* ---- the word set ------------------------------------------------------------------ */

/* A slot holds the word's hash and its offset in the pool (0 = empty; the pool's first
 * byte is a dummy). At the offset: one length byte, then the bytes. 8 bytes a slot and
 * one allocation for all strings keep 313k words at ~8 MB and the load under 150 ms. */
typedef struct slot {
    uint32_t h, off;
} slot;

typedef struct ark_dict {
    atomic_int refs;
    slot *tab;
    size_t cap, count; /* cap: a power of two, kept at least 1.5 times count */
    unsigned char *pool;
    size_t pool_len, pool_cap;
    uint64_t *filter; /* FILTER_BITS bits, one per hash value: see dict_has */
} ark_dict;

/* Most probes of a split ask for a substring that is no word ("innovationsp…"). A 512 KiB
 * bitmap of the words' hashes (7% of its bits set for 313k words) stays in cache and
 * answers ~93% of those misses without touching the 4 MiB table. */
#define FILTER_BITS (1u << 22)
static inline uint32_t filter_bit(uint32_t h) { return (h >> 7 ^ h << 5) & (FILTER_BITS - 1); }

/* Splits are memoized per analyzer: running text repeats its words (Zipf), and a split
 * costs up to n^2/2 probes into a 4 MiB table, mostly cache misses. Direct-mapped, so a
 * lookup is one hash and one compare. ark_an_add_word may change answers, so it bumps a
 * generation instead of clearing 300 KB per added word. */
#define SPLIT_MAX 8 /* parts considered; a 9-part compound is noise, not a word */
#define MEMO_SIZE 2048
typedef struct split_memo {
    uint32_t h, gen;
    uint8_t len, np; /* len 0: empty */
    uint8_t cut[SPLIT_MAX][2]; /* byte [begin, end) of each part in w */
    char w[ARK_MAX_TERM];
} split_memo;

struct ark_an {
    ark_dict *d;
    struct sb_stemmer *st;
    split_memo *memo;
    uint32_t gen; /* starts at 1: a zeroed entry is never current */
};

#define FNV_INIT 2166136261u
static inline uint32_t fnv_step(uint32_t h, unsigned char c) { return (h ^ c) * 16777619u; }
static uint32_t fnv(const char *s, size_t len) {
    uint32_t h = FNV_INIT;
    for (size_t i = 0; i < len; i++) h = fnv_step(h, (unsigned char)s[i]);
    return h;
}

/* A pool entry is a length byte then the word; the length byte's top bit marks a word
 * learned from the corpus (ark_an_add_word) rather than read from the word list. */
#define LEARNED 0x80

/* 0: absent; 1: in the word list; 2: learned from the corpus. */
static int dict_find(const ark_dict *d, uint32_t h, const char *s, size_t len) {
    if (!d->cap) return 0;
    uint32_t fb = filter_bit(h); /* mixes in bits the table index does not use */
    if (!(d->filter[fb >> 6] >> (fb & 63) & 1)) return 0;
    size_t mask = d->cap - 1, i = h & mask;
    for (;;) {
        const slot *e = &d->tab[i];
        if (!e->off) return 0;
        unsigned char lb = d->pool[e->off];
        if (e->h == h && (lb & ~LEARNED) == len && memcmp(d->pool + e->off + 1, s, len) == 0)
            return lb & LEARNED ? 2 : 1;
        i = (i + 1) & mask;
    }
}

static int dict_has(const ark_dict *d, uint32_t h, const char *s, size_t len) {
    return dict_find(d, h, s, len) != 0;
}

static void dict_put_slot(slot *tab, size_t cap, slot e) {
    size_t mask = cap - 1, i = e.h & mask;
    while (tab[i].off) i = (i + 1) & mask;
    tab[i] = e;
}

static int dict_grow(ark_dict *d, size_t want) {
    size_t cap = d->cap ? d->cap : 1024;
    while (cap < want + want / 2) cap *= 2; /* load <= 2/3: 313k words fit 512k slots, 4 MiB */
    if (cap == d->cap) return 0;
    slot *t = calloc(cap, sizeof *t);
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
    if (dict_has(d, h, s, len)) return 0;
    int rc;
    if ((d->count + 1) * 3 > d->cap * 2 && (rc = dict_grow(d, d->count + 1)) != 0) return rc;
    if ((rc = pool_reserve(d, len + 1)) != 0) return rc;
    slot e = {h, (uint32_t)d->pool_len};
    d->pool[d->pool_len] = (unsigned char)(len | (learned ? LEARNED : 0));
    memcpy(d->pool + d->pool_len + 1, s, len);
    d->pool_len += len + 1;
    dict_put_slot(d->tab, d->cap, e);
    uint32_t fb = filter_bit(h);
    d->filter[fb >> 6] |= (uint64_t)1 << (fb & 63);
    d->count++;
    return 0;
}

static int dict_learn(ark_dict *d, const char *s, size_t len) {
    return dict_add_h(d, s, len, fnv(s, len), 1);
}

static void dict_unref(ark_dict *d) {
    if (!d || atomic_fetch_sub(&d->refs, 1) != 1) return;
    free(d->tab);
    free(d->pool);
    free(d->filter);
    free(d);
}

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
            uint32_t h = fnv(w, l);
            __builtin_prefetch(&d->tab[h & (d->cap - 1)]);
            __builtin_prefetch(&d->filter[filter_bit(h) >> 6]);
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

/* ---- the analyzer ------------------------------------------------------------------ */

static int an_with_dict(ark_dict *d, ark_an **out, ark_err *err) {
    ark_an *an = calloc(1, sizeof *an);
    if (!an) return ark_err_set(err, ARK_ENOMEM, "analyzer");
    an->st = sb_stemmer_new("danish", "UTF_8");
    if (!an->st) {
        free(an);
        return ark_err_set(err, ARK_ENOMEM, "libstemmer: cannot create the danish stemmer");
    }
    if (!(an->memo = calloc(MEMO_SIZE, sizeof *an->memo))) {
        sb_stemmer_delete(an->st);
        free(an);
        return ark_err_set(err, ARK_ENOMEM, "analyzer split cache");
    }
    an->d = d;
    an->gen = 1;
    *out = an;
    return 0;
}

int ark_an_new(const char *words_path, ark_an **out, ark_err *err) {
    int rc;
    ark_an *an = NULL;
    ark_dict *d = NULL;
    if (!out) return ark_err_set(err, ARK_EINVAL, "ark_an_new: out is NULL");
    *out = NULL;
    if (!(d = calloc(1, sizeof *d))) {
        rc = ark_err_set(err, ARK_ENOMEM, "analyzer dictionary");
        goto out;
    }
    atomic_init(&d->refs, 1);
    d->pool_len = 1; /* offset 0 marks an empty slot */
    if (!(d->filter = calloc(FILTER_BITS / 64, sizeof *d->filter))) {
        rc = ark_err_set(err, ARK_ENOMEM, "analyzer dictionary filter");
        goto out;
    }
    if ((rc = pool_reserve(d, 1)) != 0) {
        ark_err_set(err, rc, "analyzer dictionary");
        goto out;
    }
    int given = words_path && *words_path;
    if ((rc = dict_load(d, given ? words_path : ARK_DEFAULT_WORDS, err)) != 0) goto out;
    if ((rc = an_with_dict(d, &an, err)) != 0) goto out;
    *out = an;
    return 0;
out:
    dict_unref(d);
    return rc;
}

int ark_an_clone(const ark_an *src, ark_an **out, ark_err *err) {
    if (!src || !out) return ark_err_set(err, ARK_EINVAL, "ark_an_clone: NULL argument");
    atomic_fetch_add(&src->d->refs, 1);
    int rc = an_with_dict(src->d, out, err);
    if (rc) dict_unref(src->d);
    return rc;
}

void ark_an_free(ark_an *an) {
    if (!an) return;
    sb_stemmer_delete(an->st);
    dict_unref(an->d);
    free(an->memo);
    free(an);
}

int ark_an_is_word(const ark_an *an, const char *lower, size_t len) {
    return an && lower && len <= ARK_MAX_TERM && dict_find(an->d, fnv(lower, len), lower, len) == 1;
}

int ark_an_add_word(ark_an *an, const char *lower, size_t len) {
    if (!an || !lower) return ARK_EINVAL;
    /* Clones read the set without locks, so it is frozen once shared. */
    if (atomic_load(&an->d->refs) > 1) return ARK_EINVAL;
    if (len > ARK_MAX_TERM || !all_letters(lower, len)) return 0; /* never a compound part */
    int rc = dict_learn(an->d, lower, len);
    if (++an->gen == 0) { /* wrapped after 4e9 words: clear for real once */
        memset(an->memo, 0, MEMO_SIZE * sizeof *an->memo);
        an->gen = 1;
    }
    return rc;
}

/* Largest l <= max with s[l] on a character boundary. */
static size_t cut(const char *s, size_t len, size_t max) {
    if (len <= max) return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

size_t ark_an_stem(ark_an *an, const char *lower, size_t len, char *out, size_t cap) {
    if (!out || cap == 0) return 0;
    const char *s = lower;
    size_t n = len;
    if (an && an->st && len <= 4 * ARK_MAX_TERM) {
        const sb_symbol *r = sb_stemmer_stem(an->st, (const sb_symbol *)lower, (int)len);
        if (r) { /* NULL only when out of memory: the unstemmed form is the safe answer */
            s = (const char *)r;
            n = (size_t)sb_stemmer_length(an->st);
        }
    }
    n = cut(s, n, cap - 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

/* ---- compound splitting ------------------------------------------------------------ */

#define MIN_PART 3 /* letters; shorter parts ("i", "og", "en") split nearly anything */
#define MIN_WORD 7

static int in_list(const char *const *list, const char *s, size_t len) {
    for (int i = 0; list[i]; i++)
        if (list[i][0] == s[0] && strncmp(list[i], s, len) == 0 && list[i][len] == '\0') return 1;
    return 0;
}

/* Prefix-like words that the dictionary lists on their own but that make silly heads:
 * "for"+"slag", "sam"+"arbejde", "hver"+"dagen". A real compound with one of them as its
 * head still gets its exact and stem terms; it only loses the P terms. */
static int bad_head(const char *s, size_t len) {
    static const char *const heads[] = {
        "for", "fra", "til", "med", "mod", "ind", "sam", "gen", "mis", "van", "bag", "hen",
        "ned", "over", "under", "efter", "uden", "ved", "per", "pro", "ens", "ene", "den",
        "det", "der", "her", "som", "man", "han", "hun", "vor", "jeg", "end", "ret", "tre",
        "and", "ter", "rer", "ser", "ste", "fore", "frem", "fors", "hvor", "hver", "des",
        "derud", "eks", "bor", "inde", "del", "ana", "kan", "vil", "skal", "sys", NULL};
    return len <= 5 && in_list(heads, s, len);
}

/* Derivational endings that are also words: "mulig"+"hed", "forbind"+"else",
 * "park"+"ring", "regering" = "reger"+"ingen". Never a last part. */
static int bad_last(const char *s, size_t len) {
    static const char *const lasts[] = {
        "hed", "heder", "heden", "hedens", "hederne", "hedernes", "heds", "else", "elses",
        "elsen", "elser", "elserne", "ende", "endes", "ing", "inger", "ingen", "ingens",
        "ingerne", "ring", "ringen", "ringer", "ringerne", "ler", "lers", "ser", "ter",
        "ters", "sen", "ret", "ske", "lig", "lige", "ligt", "ligere", "ligste", "isme",
        "ion", "ioner", "ionen", "ionerne", "ionens", "skab", "skaber", "skabet", "skabs",
        "skaberne", "skabets", "ens", "det", "net", "let", "ere", "rede", "dige", "ene",
        "ers", "tet", "terne", "over", "under", "efter", "om", "ende", "elig", NULL};
    return len <= 8 && in_list(lasts, s, len);
}

/* The split of w as byte ranges into cut; returns the number of parts (0, or 2..max). */
static size_t split_core(const ark_dict *d, const char *w, size_t len, uint8_t cut[][2], size_t max) {
    /* b[k]: byte offset of character k; n characters. */
    uint8_t b[ARK_MAX_TERM + 1];
    size_t n = 0;
    const unsigned char *u = (const unsigned char *)w;
    for (size_t i = 0; i < len;) {
        size_t cl;
        if (u[i] < 0x80) {
            if (u[i] < 'a' || u[i] > 'z') return 0;
            cl = 1;
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t r = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
            if (r < 1) return 0;
            utf8proc_category_t c = utf8proc_category(cp);
            if (!(c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME)) return 0;
            cl = (size_t)r;
        }
        b[n++] = (uint8_t)i;
        i += cl;
    }
    b[n] = (uint8_t)len;
    if (n < MIN_WORD) return 0;
    /* A word the list knows as a whole ("mulighed", "regeringen", "teknologi") is split
     * only into two parts of 4+ letters: most of its short splits are accidents, while
     * real compounds the list knows ("arbejdsmarked", "økonomiudvalget") pass. */
    int known = dict_find(d, fnv(w, len), w, len) == 1; /* learned words do not count */
    size_t min_part = known ? 4 : MIN_PART;
    if (known) max = 2;

    /* Dynamic programming over character positions. State k: the heads cover [0, k),
     * with their linking letter. cost[k]: fewest heads; from[k], hend[k]: the last
     * head is w[from[k], hend[k]); hend[k] < k means a linking s/e was dropped.
     * Each reachable start hashes forward incrementally, so the whole split costs
     * O(n^2) bytes hashed and at most n^2/2 set probes, with n <= ARK_MAX_TERM. */
    enum { INF = 0xFF };
    uint8_t cost[ARK_MAX_TERM + 1], from[ARK_MAX_TERM + 1], hend[ARK_MAX_TERM + 1];
    memset(cost, INF, n + 1);
    cost[0] = 0;
    for (size_t i = 0; i + 2 * MIN_PART <= n; i++) {
        if (cost[i] == INF || cost[i] + 2u > max) continue;
        uint32_t h = FNV_INIT;
        for (size_t j = i + 1; j + MIN_PART <= n; j++) {
            for (size_t k = b[j - 1]; k < b[j]; k++) h = fnv_step(h, u[k]);
            if (j - i < min_part) continue;
            if (!dict_has(d, h, w + b[i], (size_t)(b[j] - b[i]))) continue;
            if (bad_head(w + b[i], (size_t)(b[j] - b[i]))) continue;
            uint8_t c = (uint8_t)(cost[i] + 1);
            /* The head as it stands. On a tie with the same head minus a linking 's'
             * ("innovations" vs "innovation"+s) keep the shorter head: the s is a joint.
             * On a tie with a linking 'e' ("skol"+e vs "skole") keep the whole word. */
            if (c < cost[j] || (c == cost[j] && from[j] == i && hend[j] < j && u[b[j] - 1] == 'e')) {
                cost[j] = c;
                from[j] = (uint8_t)i;
                hend[j] = (uint8_t)j;
            }
            if ((u[b[j]] == 's' || u[b[j]] == 'e') && j + 1 + MIN_PART <= n && c < cost[j + 1]) {
                cost[j + 1] = c;
                from[j + 1] = (uint8_t)i;
                hend[j + 1] = (uint8_t)j;
            }
        }
    }

    /* The last part must be a whole word of the list (inflected forms are listed), so
     * "kom"+"munen" never happens. Fewest parts wins; then the longest last part. */
    size_t best = INF, bi = 0;
    for (size_t i = MIN_PART; i + min_part <= n; i++) {
        if (cost[i] == INF || cost[i] + 1u >= best || cost[i] + 1u > max) continue;
        size_t bl = (size_t)(len - b[i]);
        if (bad_last(w + b[i], bl)) continue;
        if (!dict_has(d, fnv(w + b[i], bl), w + b[i], bl)) continue;
        best = cost[i] + 1u;
        bi = i;
    }
    if (best == INF) return 0;

    size_t np = best, k = bi;
    cut[np - 1][0] = b[bi];
    cut[np - 1][1] = (uint8_t)len;
    for (size_t p = np - 1; p > 0; p--) {
        size_t s = from[k], e = hend[k];
        cut[p - 1][0] = b[s];
        cut[p - 1][1] = b[e];
        k = s;
    }
    return np;
}

size_t ark_an_split(ark_an *an, const char *w, size_t len, char parts[][ARK_MAX_TERM + 1],
                    size_t max) {
    if (!an || !w || max < 2 || len > ARK_MAX_TERM || len < MIN_WORD || !an->d->count) return 0;
    uint8_t cut[SPLIT_MAX][2];
    size_t np;
    uint32_t h = fnv(w, len);
    split_memo *m = &an->memo[h & (MEMO_SIZE - 1)];
    if (m->gen == an->gen && m->len == len && m->h == h && memcmp(m->w, w, len) == 0) {
        np = m->np;
        memcpy(cut, m->cut, sizeof cut);
    } else {
        /* Always computed for SPLIT_MAX: the fewest-parts split does not depend on max,
         * so a smaller max only turns a longer answer into 0 below. */
        np = split_core(an->d, w, len, cut, SPLIT_MAX);
        m->h = h;
        m->gen = an->gen;
        m->len = (uint8_t)len;
        m->np = (uint8_t)np;
        memcpy(m->cut, cut, sizeof cut);
        memcpy(m->w, w, len);
    }
    if (np > max) return 0;
    for (size_t i = 0; i < np; i++) {
        size_t pl = (size_t)(cut[i][1] - cut[i][0]);
        memcpy(parts[i], w + cut[i][0], pl);
        parts[i][pl] = '\0';
    }
    return np;
}

/* ---- index terms ------------------------------------------------------------------- */

#define SEEN_MAX 48

/* One token's terms, deduplicated: the same term twice at one position only adds
 * weight that the text does not have ("co2" and "Zco2" are two terms, "6" and "6" one). */
typedef struct emitter {
    ark_term_fn fn;
    void *user;
    uint32_t pos;
    size_t nseen;
    uint32_t seen_h[SEEN_MAX];
    uint8_t seen_len[SEEN_MAX];
    char seen[SEEN_MAX][ARK_MAX_TERM];
} emitter;

static void emit(emitter *e, char prefix, const char *s, size_t len) {
    char t[ARK_MAX_TERM + 1];
    size_t o = 0;
    if (prefix) t[o++] = prefix;
    len = cut(s, len, ARK_MAX_TERM - o);
    if (len == 0) return;
    memcpy(t + o, s, len);
    o += len;
    t[o] = '\0';
    uint32_t h = fnv(t, o);
    for (size_t i = 0; i < e->nseen; i++)
        if (e->seen_h[i] == h && e->seen_len[i] == o && memcmp(e->seen[i], t, o) == 0) return;
    if (e->nseen < SEEN_MAX) {
        e->seen_h[e->nseen] = h;
        e->seen_len[e->nseen] = (uint8_t)o;
        memcpy(e->seen[e->nseen], t, o);
        e->nseen++;
    }
    e->fn(t, o, e->pos, e->user);
}

static void emit_stem(ark_an *an, emitter *e, char prefix, const char *s, size_t len) {
    char st[ARK_MAX_TERM + 1];
    size_t n = ark_an_stem(an, s, len, st, sizeof st);
    emit(e, prefix, st, n);
}

static int has_letter(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z')) return 1;
    }
    return 0;
}

/* exact, Z stem, F folded stem (when folding changes the word), P parts of a
 * lowercase word. The fold is of the stem so that a user without æøå meets every
 * inflection too: "okonomiudvalg" → Fokonomiudvalg ← "Økonomiudvalget". */
static void word_terms(ark_an *an, emitter *e, const char *low, size_t len, int parts) {
    emit(e, 0, low, len);
    if (!has_letter(low, len)) return; /* "6" in "6-by-samarbejde": no stem, no fold */
    emit_stem(an, e, ARK_PFX_STEM, low, len);
    char f[ARK_MAX_TERM + 1], st[ARK_MAX_TERM + 1];
    size_t fl = ark_fold(low, len, f, sizeof f);
    if (fl != len || memcmp(f, low, len) != 0) {
        /* the folded form as typed ("aarligt" meets "årligt", not every "år"), and the
         * folded stem for the other inflections */
        emit(e, ARK_PFX_FOLD, f, fl);
        size_t sl = ark_an_stem(an, low, len, st, sizeof st);
        emit(e, ARK_PFX_FOLD, f, ark_fold(st, sl, f, sizeof f));
    }
    if (!parts) return;
    char p[8][ARK_MAX_TERM + 1];
    size_t np = ark_an_split(an, low, len, p, 8);
    for (size_t i = 0; i < np; i++) emit_stem(an, e, ARK_PFX_PART, p[i], strlen(p[i]));
}

/* Length of a hyphen (-, U+2010, U+2011) at s[i], else 0. */
static size_t hyphen_at(const char *s, size_t len, size_t i) {
    if (s[i] == '-') return 1;
    if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x90 || (unsigned char)s[i + 2] == 0x91))
        return 3;
    return 0;
}

static size_t apos_at(const char *s, size_t len, size_t i) {
    if (s[i] == '\'') return 1;
    if (i + 2 < len && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x99)
        return 3;
    return 0;
}

static void wordish_terms(ark_an *an, emitter *e, const char *low, size_t len) {
    size_t i, hy = 0;
    for (i = 0; i < len; i++)
        if (hyphen_at(low, len, i)) hy++;
    if (!hy) {
        word_terms(an, e, low, len, 1);
        /* "ØU's", "KK’s": the genitive after an apostrophe also indexes the bare form */
        for (i = 0; i < len; i++) {
            if (apos_at(low, len, i)) {
                word_terms(an, e, low, i, 0);
                break;
            }
        }
        return;
    }
    /* "EAT-skolemadsordningen": the whole, then every piece with its own compounds, so
     * "skolemadsordningen" and "skolemad" both reach it. */
    word_terms(an, e, low, len, 0);
    size_t s = 0;
    for (i = 0; i <= len;) {
        size_t hl = i < len ? hyphen_at(low, len, i) : 1;
        if (!hl) {
            i++;
            continue;
        }
        if (i > s) word_terms(an, e, low + s, i - s, 1);
        i += hl;
        s = i;
    }
}

static int is_alnum_cp(int32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) || c == UTF8PROC_CATEGORY_ND;
}

/* P terms of the word pieces of an e-mail address or URL: "kk", "dk", "borgerservice". */
static void piece_terms(ark_an *an, emitter *e, const char *low, size_t len) {
    const unsigned char *u = (const unsigned char *)low;
    size_t i = 0, s = 0;
    int in = 0;
    while (i <= len) {
        utf8proc_int32_t cp = 0;
        size_t n = 1;
        if (i < len) {
            utf8proc_ssize_t r = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
            if (r < 1) cp = -1;
            else n = (size_t)r;
        }
        int a = i < len && cp >= 0 && is_alnum_cp(cp);
        if (a && !in) {
            s = i;
            in = 1;
        } else if (!a && in) {
            size_t pl = i - s;
            in = 0;
            if (!((pl == 4 && !memcmp(low + s, "http", 4)) ||
                  (pl == 5 && !memcmp(low + s, "https", 5)) ||
                  (pl == 3 && !memcmp(low + s, "www", 3))))
                emit_stem(an, e, ARK_PFX_PART, low + s, pl);
        }
        i += n;
    }
}

void ark_an_terms(ark_an *an, const ark_token *tok, ark_term_fn fn, void *user) {
    if (!an || !tok || !fn || !tok->p) return;
    emitter e;
    e.fn = fn;
    e.user = user;
    e.pos = tok->pos;
    e.nseen = 0;
    char low[ARK_MAX_TERM + 1];
    size_t ll = ark_lower(tok->p, tok->len, low, sizeof low);
    if (!ll) return;
    switch (tok->kind) {
    case ARK_TOK_NUMBER: {
        emit(&e, 0, low, ll);
        /* "2026-0179043", "19/5", "09-06-2026": the pieces too, for a user who types
         * only the serial; "200.000" and "1,1" are one amount and are not cut. */
        int cutme = 0;
        for (size_t i = 0; i < ll; i++) cutme |= low[i] == '-' || low[i] == '/' || (unsigned char)low[i] >= 0x80;
        if (!cutme) break;
        size_t s = 0;
        for (size_t i = 0; i <= ll; i++) {
            int dig = i < ll && ((low[i] >= '0' && low[i] <= '9') || low[i] == '.' || low[i] == ',');
            if (dig) continue;
            if (i > s) emit(&e, ARK_PFX_PART, low + s, i - s);
            s = i + 1;
        }
        break;
    }
    case ARK_TOK_EMAIL:
    case ARK_TOK_URL:
        emit(&e, 0, low, ll);
        piece_terms(an, &e, low, ll);
        break;
    case ARK_TOK_WORD:
    case ARK_TOK_ACRONYM:
    case ARK_TOK_ALNUM:
    default:
        wordish_terms(an, &e, low, ll);
        break;
    }
}
