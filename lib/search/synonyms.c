/* lib/search/synonyms.c: the acronym file (data/acronyms.txt).
 * Owns: reading and looking up "ACRONYM = expansion; expansion" lines.
 * Not here: how an expansion is searched (engine.c runs it through the analysis chain).
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

static int add_entry(ark_synonyms *s, const char *acr, char *rhs) {
    ark_syn_entry *v = realloc(s->v, (s->n + 1) * sizeof *v);
    if (!v) return ARK_ENOMEM;
    s->v = v;
    ark_syn_entry *e = &s->v[s->n];
    memset(e, 0, sizeof *e);
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(acr, strlen(acr), low, sizeof low);
    if (!(e->acronym = strndup(low, ln))) return ARK_ENOMEM;
    s->n++;
    for (char *part = strtok(rhs, ";"); part; part = strtok(NULL, ";")) {
        char *t = trim(part);
        if (!*t) continue;
        char **x = realloc(e->expansions, (e->nexpansions + 1) * sizeof *x);
        if (!x) return ARK_ENOMEM;
        e->expansions = x;
        if (!(e->expansions[e->nexpansions] = strdup(t))) return ARK_ENOMEM;
        e->nexpansions++;
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
        for (size_t j = 0; j < s->v[i].nexpansions; j++) free(s->v[i].expansions[j]);
        free(s->v[i].expansions);
        free(s->v[i].acronym);
    }
    free(s->v);
    free(s);
}

size_t ark_synonyms_count(const ark_synonyms *s) { return s ? s->n : 0; }

const ark_syn_entry *ark_syn_find(const ark_synonyms *s, const char *lower, size_t len) {
    for (size_t i = 0; s && i < s->n; i++)
        if (strlen(s->v[i].acronym) == len && memcmp(s->v[i].acronym, lower, len) == 0)
            return &s->v[i];
    return NULL;
}
