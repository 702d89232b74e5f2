/* lib/search/synonyms.c: the acronym table, and the acronym file (data/acronyms.txt).
 * Owns: the table's entries and lookup; reading "ACRONYM = expansion; expansion" lines.
 * Not here: what the index's documents define and the engine's table that merges it with
 * the file (learned.c), how an expansion is searched (compile.c runs it through the
 * analysis chain).
 * Why a file and not Xapian's synonym table: staff edit it by hand, and a multi-word
 * expansion must be searched as a phrase with stems and folding, which Xapian's
 * single-term synonyms cannot express. */
#include "synonyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/analysis.h"

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

ark_syn_entry *ark_syn_add(ark_synonyms *s, const char *acronym, size_t len) {
    ark_syn_entry *v = realloc(s->v, (s->n + 1) * sizeof *v);
    if (!v) return NULL;
    s->v = v;
    ark_syn_entry *e = &s->v[s->n];
    memset(e, 0, sizeof *e);
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(acronym, len, low, sizeof low);
    if (!(e->acronym = strndup(low, ln))) return NULL;
    s->n++;
    s->sorted = 0;
    return e;
}

int ark_syn_add_expansion(ark_syn_entry *e, const char *x, size_t len) {
    char **v = realloc(e->expansions, (e->nexpansions + 1) * sizeof *v);
    if (!v) return ARK_ENOMEM;
    e->expansions = v;
    if (!(e->expansions[e->nexpansions] = strndup(x, len))) return ARK_ENOMEM;
    e->nexpansions++;
    return 0;
}

static int add_entry(ark_synonyms *s, const char *acr, char *rhs) {
    ark_syn_entry *e = ark_syn_add(s, acr, strlen(acr));
    if (!e) return ARK_ENOMEM;
    for (char *part = strtok(rhs, ";"); part; part = strtok(NULL, ";")) {
        char *t = trim(part);
        if (*t && ark_syn_add_expansion(e, t, strlen(t))) return ARK_ENOMEM;
    }
    return 0;
}

int ark_synonyms_load(const char *path, ark_synonyms **out, ark_err *err) {
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return ark_err_set(err, ARK_EIO, "%s: %s", path, strerror(errno));
    ark_synonyms *s = calloc(1, sizeof *s);
    char line[4096];
    int rc = s ? 0 : ARK_ENOMEM, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *t = trim(line);
        if (!*t || *t == '#') continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = ark_err_set(err, ARK_EINVAL, "%s:%d: expected \"ACRONYM = expansion\"", path,
                             lineno);
            break;
        }
        *eq = '\0';
        char *acr = trim(t);
        if (!*acr) {
            rc = ark_err_set(err, ARK_EINVAL, "%s:%d: no acronym before '='", path, lineno);
            break;
        }
        rc = add_entry(s, acr, eq + 1);
        if (rc) ark_err_set(err, rc, "%s:%d", path, lineno);
    }
    fclose(f);
    if (rc) {
        ark_synonyms_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ark_synonyms_free(ark_synonyms *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        ark_syn_entry *e = &s->v[i];
        for (size_t j = 0; j < e->nexpansions; j++) {
            free(e->expansions[j]);
            if (e->keys) free(e->keys[j]);
            if (e->whole) free(e->whole[j]);
        }
        free(e->expansions);
        free(e->keys);
        free(e->whole);
        free(e->acronym);
    }
    free(s->v);
    free(s);
}

size_t ark_synonyms_count(const ark_synonyms *s) { return s ? s->n : 0; }

/* acronym against key[0, len) in byte order, as strcmp. */
static int cmp_key(const char *acronym, const char *key, size_t len) {
    size_t an = strlen(acronym);
    int c = memcmp(acronym, key, an < len ? an : len);
    return c ? c : an < len ? -1 : an > len;
}

const ark_syn_entry *ark_syn_find(const ark_synonyms *s, const char *lower, size_t len) {
    if (s && s->sorted) {
        /* the first entry not below the key (an engine's table: thousands learned) */
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_key(s->v[mid].acronym, lower, len) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo < s->n && cmp_key(s->v[lo].acronym, lower, len) == 0 ? &s->v[lo] : NULL;
    }
    for (size_t i = 0; s && i < s->n; i++)
        if (strlen(s->v[i].acronym) == len && memcmp(s->v[i].acronym, lower, len) == 0)
            return &s->v[i];
    return NULL;
}
