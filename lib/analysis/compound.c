/* lib/analysis/compound.c: splitting a Danish compound into its parts.
 * Owns: ark_an_split (the fewest-parts split with linking s/e, against the word set),
 * the rules on heads and last parts that the word list would otherwise allow, and the
 * per-analyzer memo of splits.
 * Not here: the word set (dict.c), the stems of the parts and their terms (terms.c).
 * Why: Danish writes compounds as one word ("skolemadsordningen") and users search for
 * the parts ("skolemad", "innovation projekter"); Snowball does not split them. */
#include "an_int.h"

#include <stdlib.h>
#include <utf8proc.h>

/* Splits are memoized per analyzer: running text repeats its words (Zipf), and a split
 * costs up to n^2/2 probes into a 4 MiB table, mostly cache misses. Direct-mapped, so a
 * lookup is one hash and one compare. ark_an_add_word may change answers, so it bumps a
 * generation instead of clearing 300 KB per added word. */
#define SPLIT_MAX ARK_SPLIT_MAX /* parts considered; a 9-part compound is noise, not a word */
#define MEMO_SIZE 2048
typedef struct ark_split_memo {
    uint32_t h, gen;
    uint8_t len, np; /* len 0: empty */
    uint8_t cut[SPLIT_MAX][2]; /* byte [begin, end) of each part in w */
    char w[ARK_MAX_TERM];
} split_memo;

int ark_split_memo_new(ark_an *an) {
    if (!(an->memo = calloc(MEMO_SIZE, sizeof *an->memo))) return ARK_ENOMEM;
    an->gen = 1;
    return 0;
}

void ark_split_memo_free(ark_an *an) {
    free(an->memo);
    an->memo = NULL;
}

void ark_split_forget(ark_an *an) {
    if (++an->gen == 0) { /* wrapped after 4e9 words: clear for real once */
        memset(an->memo, 0, MEMO_SIZE * sizeof *an->memo);
        an->gen = 1;
    }
}

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
    int known = ark_dict_find(d, ark_fnv(w, len), w, len) == 1; /* learned words do not count */
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
        uint32_t h = ARK_FNV_INIT;
        for (size_t j = i + 1; j + MIN_PART <= n; j++) {
            for (size_t k = b[j - 1]; k < b[j]; k++) h = ark_fnv_step(h, u[k]);
            if (j - i < min_part) continue;
            if (!ark_dict_has(d, h, w + b[i], (size_t)(b[j] - b[i]))) continue;
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
        if (!ark_dict_has(d, ark_fnv(w + b[i], bl), w + b[i], bl)) continue;
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

size_t ark_split_cuts(ark_an *an, const char *w, size_t len, uint8_t cut[][2], size_t max) {
    if (!an || !w || max < 2 || len > ARK_MAX_TERM || len < MIN_WORD || !an->d->count) return 0;
    size_t np;
    uint32_t h = ark_fnv(w, len);
    split_memo *m = &an->memo[h & (MEMO_SIZE - 1)];
    if (m->gen == an->gen && m->len == len && m->h == h && memcmp(m->w, w, len) == 0) {
        np = m->np;
        memcpy(cut, m->cut, sizeof m->cut);
    } else {
        /* Always computed for SPLIT_MAX: the fewest-parts split does not depend on max,
         * so a smaller max only turns a longer answer into 0 below. */
        np = split_core(an->d, w, len, cut, SPLIT_MAX);
        m->h = h;
        m->gen = an->gen;
        m->len = (uint8_t)len;
        m->np = (uint8_t)np;
        memcpy(m->cut, cut, sizeof m->cut);
        memcpy(m->w, w, len);
    }
    return np > max ? 0 : np;
}

size_t ark_an_split(ark_an *an, const char *w, size_t len, char parts[][ARK_MAX_TERM + 1],
                    size_t max) {
    uint8_t cut[SPLIT_MAX][2];
    size_t np = ark_split_cuts(an, w, len, cut, max);
    for (size_t i = 0; i < np; i++) {
        size_t pl = (size_t)(cut[i][1] - cut[i][0]);
        memcpy(parts[i], w + cut[i][0], pl);
        parts[i][pl] = '\0';
    }
    return np;
}
