/* lib/search/qword.c: what one query word meets in the index. See qword.h. */
#include "qword.h"

#include <stdio.h>
#include <string.h>

#include "arkivar/schema.h"

static void set_prefixed(char *dst, char prefix, const char *s, size_t n) {
    size_t at = 0;
    if (prefix) dst[at++] = prefix;
    if (n > ARK_MAX_TERM) n = ARK_MAX_TERM;
    memcpy(dst + at, s, n);
    dst[at + n] = '\0';
}

/* stem without its last unstressed e before a final l, n or r, a doubled consonant before
 * it made single: "regel" → "regl", "middel" → "midl", "himmel" → "himl"; "" otherwise. */
static void elided(const char *s, size_t n, char *out) {
    out[0] = '\0';
    if (n < 4 || s[n - 2] != 'e' || !strchr("lnr", s[n - 1])) return;
    size_t k = n - 2; /* s[0, k) is before the e */
    if (!strchr("bcdfghjklmnpqrstvwxz", s[k - 1])) return;
    if (k >= 2 && s[k - 1] == s[k - 2]) k--;
    memcpy(out, s, k);
    out[k] = s[n - 1];
    out[k + 1] = '\0';
}

void ark_qword_init(ark_qword *w, ark_an *an, const ark_token *tok, int prefix) {
    char low[ARK_MAX_TERM + 1];
    ark_forms f;
    memset(w, 0, sizeof *w);
    w->prefix = prefix;
    size_t n = ark_lower(tok->p, tok->len, low, sizeof low);
    /* The forms are the index's own (ark_an_forms); what follows is query policy. */
    ark_an_forms(an, low, n, prefix ? 0 : ARK_FORMS_PARTS, &f);
    set_prefixed(w->exact, 0, f.exact, f.exact_len);
    w->exact_counted = ark_an_exact_counted(tok->kind, &f);
    char canon[ARK_MAX_TERM + 1];
    size_t cl = prefix ? 0 : ark_number_canon(low, n, canon, sizeof canon);
    if (cl) { /* "3500" and "3.500" meet in "3500"; the needles cannot see it */
        w->exact_counted = 0;
        set_prefixed(w->exact, 0, canon, cl);
        set_prefixed(w->stem, ARK_PFX_STEM, canon, cl);
        set_prefixed(w->part, ARK_PFX_PART, canon, cl);
        return;
    }
    if (prefix) {
        set_prefixed(w->fold, ARK_PFX_FOLD, f.fold, f.fold_len);
        set_prefixed(w->need_raw, 0, f.exact, f.exact_len);
        set_prefixed(w->need_fold, 0, w->fold + 1, strlen(w->fold + 1));
        return;
    }
    /* The index folds the stem; always asked, because the index holds F terms exactly
     * for the words a user without æøå cannot type ("kobenhavns"). */
    set_prefixed(w->fold, ARK_PFX_FOLD, f.fold_stem, f.fold_stem_len);
    /* The stemmer reads "cirkulaer" as cirkula+er, but the index folded the stem of
     * "cirkulær", which keeps its æ: the folded unstemmed form is the second key. */
    set_prefixed(w->fold2, ARK_PFX_FOLD, f.fold, f.fold_len);
    if (strcmp(w->fold2, w->fold) == 0) w->fold2[0] = '\0';
    /* Typed with æ, ø, å (or é, ü …), the word needs no folding: its exact form and stem
     * find the text, and folded terms would only count the same occurrences again
     * ("Københavns klimaplaner" ranked passages with Københavns alone too high). */
    int plain_ascii = 1;
    for (size_t i = 0; i < n; i++) plain_ascii &= (unsigned char)low[i] < 0x80;
    if (!plain_ascii) w->fold[0] = w->fold2[0] = '\0';
    /* Place names keep the old spelling beside the new, both ways: "Aalborg" typed meets
     * "Ålborg" through its folded terms; "Århus" typed meets "Aarhus" through this. */
    if (!plain_ascii && !prefix) {
        size_t o = 0;
        for (size_t i = 0; i < n && o + 2 < sizeof w->alt; i++) {
            unsigned char c = (unsigned char)low[i], d = i + 1 < n ? (unsigned char)low[i + 1] : 0;
            const char *r = c == 0xC3 && d == 0xA5 ? "aa" : c == 0xC3 && d == 0xA6 ? "ae"
                            : c == 0xC3 && d == 0xB8 ? "oe" : NULL;
            if (r) {
                memcpy(w->alt + o, r, 2);
                o += 2;
                i++;
            } else w->alt[o++] = (char)c;
        }
        w->alt[o] = '\0';
        if (o == n && memcmp(w->alt, low, n) == 0) w->alt[0] = '\0';
    }
    set_prefixed(w->stem, ARK_PFX_STEM, f.stem, f.stem_len);
    set_prefixed(w->part, ARK_PFX_PART, f.stem, f.stem_len);
    if (f.lemma_stem_len) {
        set_prefixed(w->lemma, ARK_PFX_STEM, f.lemma_stem, f.lemma_stem_len);
        set_prefixed(w->need_lemma, 0, f.lemma_stem, f.lemma_stem_len);
    }
    elided(f.stem, f.stem_len, w->need_elided);
    /* A word of more parts than a qword holds asks for none of them. */
    if (f.nparts <= ARK_QWORD_MAX_PARTS)
        for (size_t i = 0; i < f.nparts; i++)
            set_prefixed(w->parts[w->nparts++], ARK_PFX_PART, f.parts[i], f.part_len[i]);
    set_prefixed(w->need_raw, 0, w->stem + 1, strlen(w->stem + 1));
    /* fold2 (the folded form) begins with the folded stem, so one needle serves both */
    if (w->fold[0]) set_prefixed(w->need_fold, 0, w->fold + 1, strlen(w->fold + 1));
    /* A number's other writings ("900000" for "900.000", "20260179043" for
     * "2026-0179043") are no substring of the token: no needle, its terms decide. */
    if (n && low[0] >= '0' && low[0] <= '9') w->need_raw[0] = w->need_fold[0] = '\0';
}

int ark_qword_may_match(const ark_qword *w, const char *low, const char *fold) {
    if (!w->need_raw[0]) return 1;
    if (strstr(low, w->need_raw)) return 1;
    /* any own part: a passage may hold them in different tokens (snippet.c) */
    for (size_t i = 0; i < w->nparts; i++)
        if (strstr(low, w->parts[i] + 1)) return 1;
    return (w->alt[0] && strstr(low, w->alt)) ||
           (w->need_lemma[0] && strstr(low, w->need_lemma)) ||
           (w->need_elided[0] && strstr(low, w->need_elided)) ||
           (w->need_fold[0] && (fold != low || strcmp(w->need_fold, w->need_raw) != 0) &&
            strstr(fold, w->need_fold));
}

static void collect(const char *term, size_t len, size_t start, size_t end, void *user) {
    ark_tokterms *tt = user;
    if (tt->n >= sizeof tt->t / sizeof tt->t[0]) return;
    tt->at[tt->n][0] = (uint32_t)start;
    tt->at[tt->n][1] = (uint32_t)end;
    set_prefixed(tt->t[tt->n++], 0, term, len);
}

void ark_tokterms_of(ark_an *an, const ark_token *tok, ark_tokterms *out) {
    out->n = 0;
    ark_an_term_spans(an, tok, collect, out);
}

/* The index of term in tt, or -1. */
static int find(const ark_tokterms *tt, const char *term) {
    for (size_t i = 0; i < tt->n; i++)
        if (strcmp(tt->t[i], term) == 0) return (int)i;
    return -1;
}

static int find_prefix(const ark_tokterms *tt, const char *prefix, char kind) {
    size_t n = strlen(prefix);
    for (size_t i = 0; i < tt->n; i++) {
        const char *t = tt->t[i];
        int tk = (t[0] >= 'A' && t[0] <= 'Z') ? t[0] : 0;
        if (tk == kind && strncmp(t, prefix, n) == 0) return (int)i;
    }
    return -1;
}

/* The bytes a match covers: the union of every matching term's bytes. */
static void cover(ark_qmeet *m, const ark_tokterms *tt, int i) {
    if (i < 0) return;
    if (!m->word) {
        m->at[0] = tt->at[i][0];
        m->at[1] = tt->at[i][1];
    } else {
        if (tt->at[i][0] < m->at[0]) m->at[0] = tt->at[i][0];
        if (tt->at[i][1] > m->at[1]) m->at[1] = tt->at[i][1];
    }
    m->word = 1;
}

int ark_qword_meet(const ark_qword *w, const ark_tokterms *tt, ark_qmeet *m) {
    memset(m, 0, sizeof *m);
    if (w->prefix) {
        cover(m, tt, find_prefix(tt, w->exact, 0));
        if (w->fold[0]) cover(m, tt, find_prefix(tt, w->fold, ARK_PFX_FOLD));
        return m->word;
    }
    cover(m, tt, find(tt, w->exact));
    cover(m, tt, find(tt, w->stem));
    if (w->lemma[0]) cover(m, tt, find(tt, w->lemma));
    if (w->in_phrase) return m->word;
    if (w->alt[0]) cover(m, tt, find(tt, w->alt));
    if (w->fold[0]) cover(m, tt, find(tt, w->fold));
    if (w->fold2[0]) cover(m, tt, find(tt, w->fold2));
    cover(m, tt, find(tt, w->part));
    for (size_t i = 0; i < w->nparts; i++) {
        int k = find(tt, w->parts[i]), z = -1;
        if (k < 0) { /* the part as a word: its stem, "Zprojekt" for "projekter" */
            char zt[ARK_MAX_TERM + 2];
            snprintf(zt, sizeof zt, "%c%s", ARK_PFX_STEM, w->parts[i] + 1);
            z = find(tt, zt);
        }
        if (k < 0 && z < 0) continue;
        if (k >= 0) m->part_p |= 1u << i;
        else m->part_z |= 1u << i;
        int j = k >= 0 ? k : z;
        m->part_at[i][0] = tt->at[j][0];
        m->part_at[i][1] = tt->at[j][1];
    }
    return m->word || m->part_p || m->part_z;
}
