/* lib/search/spell.c: "Mente du" (engine.h, search.h).
 * Owns: each unknown word of a query replaced by Xapian's spelling suggestion from the
 * index's own vocabulary.
 * Not here: the rerun with the correction (search.c), completions (suggest.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "arkivar/schema.h"
#include "engine.h"

int ark_word_known(ark_engine *e, const ark_qword *w, int *yes, ark_err *fail) {
    const char *forms[] = {w->exact, w->stem, w->fold, w->fold2, w->alt, w->lemma, w->part};
    *yes = 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !*yes; i++) {
        uint64_t f = 0;
        if (!forms[i][0]) continue;
        if (ark_engine_freq(e, forms[i], &f, fail)) return -1;
        *yes = f > 0;
    }
    return 0;
}

/* Is the candidate c[0, n) a word the index has (its stem or its exact form)? */
static int index_has(ark_engine *e, ark_an *an, const char *c, size_t n, ark_err *fail) {
    ark_qword w;
    ark_token t = {c, n, 0, ARK_TOK_WORD, 0};
    ark_qword_init(&w, an, &t, 0);
    uint64_t f = 0;
    if (ark_engine_freq(e, w.stem, &f, fail) || f) return f > 0;
    return ark_engine_freq(e, w.exact, &f, fail) == 0 && f > 0;
}

#define NEAR_MIN 5   /* shorter words have too many neighbours to guess one */
#define NEAR_TAILS 3 /* compound tails corrected at most, per word */

static int near_lookup(ark_engine *e, const char *low, size_t ln, char **out, ark_err *fail) {
    *out = NULL;
    if (ln < NEAR_MIN || ln > ARK_MAX_TERM || memchr(low, '-', ln) || memchr(low, '\'', ln))
        return 0;
    char *s = NULL;
    if (ark_rdb_spelling(e->db, low, ln, &s, fail)) return -1;
    if (s && *s) {
        *out = s;
        return 0;
    }
    free(s);
    /* A typo inside a long compound ("innovationsparnerskab") is more than two edits
     * from every inflection the index holds. Keep a head the index knows, correct the
     * tail alone, and take the whole when the index has it (in any inflection). The
     * longest heads first, and NEAR_TAILS of them at most: a spelling lookup costs more
     * than the rest of a query ("beskyttelsesindstillingerne" tried 9 tails, 20 ms). */
    ark_qword all;
    ark_token wt = {low, ln, 0, ARK_TOK_WORD, 0};
    ark_qword_init(&all, e->an, &wt, 0);
    if (all.nparts >= 2) return 0; /* known words joined: no typo inside */
    int tails = 0;
    for (size_t cut = ln - 4; cut >= 4 && tails < NEAR_TAILS && !fail->code; cut--) {
        if (((unsigned char)low[cut] & 0xC0) == 0x80) continue;
        ark_qword h;
        ark_token ht = {low, cut, 0, ARK_TOK_WORD, 0};
        ark_qword_init(&h, e->an, &ht, 0);
        int yes = 0;
        if (ark_word_known(e, &h, &yes, fail) || !yes) continue;
        char *tail = NULL;
        tails++;
        if (ark_rdb_spelling(e->db, low + cut, ln - cut, &tail, fail)) return -1;
        if (tail && *tail && cut + strlen(tail) <= ARK_MAX_TERM) {
            char whole[ARK_MAX_TERM + 1];
            snprintf(whole, sizeof whole, "%.*s%s", (int)cut, low, tail);
            if (index_has(e, e->an, whole, strlen(whole), fail) && (*out = strdup(whole))) {
                free(tail);
                return 0;
            }
        }
        free(tail);
    }
    return fail->code ? -1 : 0;
}

int ark_near_word(ark_engine *e, const char *low, size_t ln, char **out, ark_err *fail) {
    *out = NULL;
    if (ln > ARK_MAX_TERM) return 0;
    for (size_t i = 0; i < e->nnear; i++)
        if (strlen(e->near[i].word) == ln && memcmp(e->near[i].word, low, ln) == 0) {
            if (e->near[i].near && !(*out = strdup(e->near[i].near)))
                return ark_err_set(fail, ARK_ENOMEM, "spelling"), -1;
            return 0;
        }
    if (near_lookup(e, low, ln, out, fail)) return -1;
    if (e->nnear < NEAR_MEMO) {
        near_memo *m = &e->near[e->nnear];
        m->near = *out ? strdup(*out) : NULL;
        if (!*out || m->near) { /* not remembered when the copy failed */
            memcpy(m->word, low, ln);
            m->word[ln] = '\0';
            e->nnear++;
        }
    }
    return 0;
}

void ark_near_forget(ark_engine *e) {
    for (size_t i = 0; i < e->nnear; i++) free(e->near[i].near);
    e->nnear = 0;
}

/* Xapian's spelling suggestion for one token as typed, when the index knows the token
 * in no form (exact, stem, folded, as a compound part) and it is no Danish word either:
 * "rod" and "bøger" are words even where no record has them, and proposing "god" or
 * "øget" for them is a joke. Only words are corrected: numbers, amounts, acronyms
 * ("KFF"), codes and hyphenated words never are. NULL otherwise; fail is filled when a
 * lookup failed. */
static char *correct_token(ark_engine *e, const ark_token *tok, ark_err *fail) {
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(tok->p, tok->len, low, sizeof low);
    if (tok->kind != ARK_TOK_WORD || ln < 3 || memchr(low, '-', ln) || memchr(low, '\'', ln))
        return NULL;
    if (ark_an_is_word(e->an, low, ln)) return NULL;
    ark_qword w;
    ark_token lt = {low, ln, 0, ARK_TOK_WORD, 0};
    ark_qword_init(&w, e->an, &lt, 0);
    /* A compound of known words ("iværksættermiljø") is spelled right: when the records
     * misspell it, the search finds them (compile.c), and says nothing. */
    if (w.nparts >= 2) return NULL;
    int yes = 0;
    if (ark_word_known(e, &w, &yes, fail) || yes) return NULL; /* failed, or known */
    /* The search has looked up a word of NEAR_MIN letters or more already (compile.c,
     * near_word): ark_near_word remembers it. */
    char *sugg = NULL;
    int rc = ln >= NEAR_MIN ? ark_near_word(e, low, ln, &sugg, fail)
                            : ark_rdb_spelling(e->db, low, ln, &sugg, fail);
    if (rc || !sugg || !*sugg) {
        free(sugg);
        return NULL;
    }
    return sugg;
}

/* The suggestion (lowercase, from the index) in the case the word was typed in:
 * "Innovasjon" → "Innovation", "INOVATION" → "INNOVATION", else as it is. In place when
 * the case mapping keeps the length, which it does for the letters of the records. */
static void case_as_typed(const char *typed, size_t tn, char *sugg) {
    utf8proc_int32_t c0, c1 = 0;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)typed, (utf8proc_ssize_t)tn, &c0);
    if (k < 1 || !utf8proc_isupper(c0)) return;
    if ((size_t)k < tn) utf8proc_iterate((const utf8proc_uint8_t *)typed + k, (utf8proc_ssize_t)(tn - (size_t)k), &c1);
    int all = (size_t)k < tn && utf8proc_isupper(c1);
    size_t n = strlen(sugg);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t m = utf8proc_iterate((utf8proc_uint8_t *)sugg + i, (utf8proc_ssize_t)(n - i), &c);
        if (m < 1) return;
        utf8proc_uint8_t enc[4];
        if (utf8proc_encode_char(utf8proc_toupper(c), enc) == m) memcpy(sugg + i, enc, (size_t)m);
        i += (size_t)m;
        if (!all) return;
    }
}

typedef struct edit {
    size_t at, len; /* bytes of the typed query */
    char *with;
} edit;

typedef struct edits {
    edit v[ARK_QUERY_MAX_NODES];
    size_t n;
} edits;

/* The unknown words of one typed word (its tokens) into ed, at their place in q. */
static void correct_word(ark_engine *e, const ark_qnode *n, edits *ed, ark_err *fail) {
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, n->text, strlen(n->text));
    while (!fail->code && ed->n < ARK_QUERY_MAX_NODES && ark_tok_next(&t, &tok)) {
        char *sugg = correct_token(e, &tok, fail);
        if (!sugg) continue;
        case_as_typed(tok.p, tok.len, sugg);
        ed->v[ed->n++] = (edit){n->at + tok.start, tok.len, sugg};
    }
}

/* Correct the plain words of the tree: not a phrase or a quoted word (chosen as
 * written), not a negated part (nobody wants a correction of what they excluded), not
 * prefixes or filters, never an operator (the parser has taken those out). */
static void correct_node(ark_engine *e, const ark_qnode *n, edits *ed, ark_err *fail) {
    if (n->negated) return;
    if (n->kind == ARK_Q_WORD && n->at != (size_t)-1) correct_word(e, n, ed, fail);
    if (n->kind == ARK_Q_AND || n->kind == ARK_Q_OR)
        for (size_t i = 0; i < n->nkids; i++) correct_node(e, n->kids[i], ed, fail);
}

static int by_at(const void *a, const void *b) {
    const edit *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* "Mente du": q as typed, with each unknown word replaced by Xapian's spelling
 * suggestion from the index's own vocabulary in the case it was typed in; everything
 * else (operators, punctuation, names, numbers) stays byte for byte. NULL when no word
 * is corrected. */
char *ark_spelling_for(ark_engine *e, const char *q, ark_err *fail) {
    ark_qnode *tree = NULL;
    size_t qn = strlen(q);
    int rc = ark_query_parse(q, qn, &tree, NULL);
    if (rc != 0) {
        if (rc == ARK_ENOMEM) ark_err_set(fail, rc, "spelling");
        return NULL;
    }
    edits *ed = calloc(1, sizeof *ed);
    if (!ed) {
        ark_qnode_free(tree);
        ark_err_set(fail, ARK_ENOMEM, "spelling");
        return NULL;
    }
    correct_node(e, tree, ed, fail);
    ark_qnode_free(tree);
    char *out = NULL;
    if (ed->n && !fail->code) {
        qsort(ed->v, ed->n, sizeof ed->v[0], by_at);
        ark_buf b = ARK_BUF_INIT;
        size_t at = 0;
        int brc = 0;
        for (size_t i = 0; !brc && i < ed->n; i++) {
            if (ed->v[i].at < at || ed->v[i].at + ed->v[i].len > qn) continue;
            brc = ark_buf_append(&b, q + at, ed->v[i].at - at);
            if (!brc) brc = ark_buf_puts(&b, ed->v[i].with);
            at = ed->v[i].at + ed->v[i].len;
        }
        if (!brc) brc = ark_buf_append(&b, q + at, qn - at);
        if (brc) {
            ark_buf_free(&b);
            ark_err_set(fail, ARK_ENOMEM, "spelling");
        } else out = ark_buf_take(&b);
    }
    for (size_t i = 0; i < ed->n; i++) free(ed->v[i].with);
    free(ed);
    return out;
}
