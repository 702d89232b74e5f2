/* lib/analysis/stem.c: the analyzer object and its Snowball danish stemmer.
 * Owns: ark_an_new, ark_an_clone and ark_an_free (one sb_stemmer and one split memo per
 * analyzer, the word set shared), and ark_an_stem.
 * Not here: the word set (dict.c), compound splitting (compound.c), terms (terms.c).
 * Why: libstemmer's stemmer keeps state between calls, so each thread needs its own,
 * while the 8 MB word set is loaded once and shared read-only by every clone. */
#include "an_int.h"

#include <libstemmer.h>
#include <stdlib.h>

static int an_with_dict(ark_dict *d, ark_an **out, ark_err *err) {
    ark_an *an = calloc(1, sizeof *an);
    if (!an) return ark_err_set(err, ARK_ENOMEM, "analyzer");
    an->st = sb_stemmer_new("danish", "UTF_8");
    if (!an->st) {
        free(an);
        return ark_err_set(err, ARK_ENOMEM, "libstemmer: cannot create the danish stemmer");
    }
    if (ark_split_memo_new(an) != 0) {
        sb_stemmer_delete(an->st);
        free(an);
        return ark_err_set(err, ARK_ENOMEM, "analyzer split cache");
    }
    an->d = d;
    *out = an;
    return 0;
}

int ark_an_new(const char *words_path, ark_an **out, ark_err *err) {
    int rc;
    ark_dict *d = NULL;
    if (!out) return ark_err_set(err, ARK_EINVAL, "ark_an_new: out is NULL");
    *out = NULL;
    if ((rc = ark_dict_new(words_path, &d, err)) != 0) return rc;
    if ((rc = an_with_dict(d, out, err)) != 0) ark_dict_unref(d);
    return rc;
}

int ark_an_clone(const ark_an *src, ark_an **out, ark_err *err) {
    if (!src || !out) return ark_err_set(err, ARK_EINVAL, "ark_an_clone: NULL argument");
    ark_dict_ref(src->d);
    int rc = an_with_dict(src->d, out, err);
    if (rc) ark_dict_unref(src->d);
    return rc;
}

void ark_an_free(ark_an *an) {
    if (!an) return;
    sb_stemmer_delete(an->st);
    ark_dict_unref(an->d);
    ark_split_memo_free(an);
    free(an);
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
    n = ark_utf8_cut(s, n, cap - 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}
