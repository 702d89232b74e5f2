/* lib/search/spell.c: "Mente du" (engine.h, search.h).
 * Owns: each unknown word of a query replaced by Xapian's spelling suggestion from the
 * index's own vocabulary.
 * Not here: the rerun with the correction (search.c), completions (suggest.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/schema.h"
#include "engine.h"

/* Xapian's spelling suggestion for one token as typed, when the index knows the token
 * in no form (exact, stem, folded, as a compound part); NULL otherwise. Only words are
 * corrected: numbers, amounts, acronyms ("KFF"), codes and hyphenated words never are.
 * *real is cleared when the token is not a Danish word either; fail is filled when a
 * lookup failed. */
static char *correct_token(ark_engine *e, const ark_token *tok, int *real, ark_err *fail) {
    char low[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(tok->p, tok->len, low, sizeof low);
    if (tok->kind != ARK_TOK_WORD || ln < 3 || memchr(low, '-', ln) || memchr(low, '\'', ln))
        return NULL;
    ark_qword w;
    ark_token lt = {low, ln, 0, ARK_TOK_WORD, 0};
    ark_qword_init(&w, e->an, &lt, 0);
    const char *forms[] = {w.exact, w.stem, w.fold, w.part};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        uint64_t f = 0;
        if (!forms[i][0]) continue;
        if (ark_engine_freq(e, forms[i], &f, fail) || f) return NULL; /* failed, or known */
    }
    char *sugg = NULL;
    if (ark_rdb_spelling(e->db, low, ln, &sugg, fail) != 0 || !sugg || !*sugg) {
        free(sugg);
        return NULL;
    }
    /* "rød" is Danish even when no record says it: suggest "nød", never impose it */
    if (!ark_an_is_word(e->an, low, ln)) *real = 0;
    return sugg;
}

/* text with its unknown words corrected, or NULL when none is (or fail->code). The
 * bytes between the words stay as typed. */
static char *correct_text(ark_engine *e, const char *text, int *real, ark_err *fail) {
    ark_buf out = ARK_BUF_INIT;
    ark_tok t;
    ark_token tok;
    size_t at = 0, len = strlen(text);
    int changed = 0;
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) {
        char *sugg = correct_token(e, &tok, real, fail);
        if (!sugg) continue;
        if (ark_buf_append(&out, text + at, tok.start - at) || ark_buf_puts(&out, sugg))
            ark_err_set(fail, ARK_ENOMEM, "spelling");
        at = tok.start + tok.len;
        changed = 1;
        free(sugg);
    }
    if (changed && ark_buf_append(&out, text + at, len - at)) ark_err_set(fail, ARK_ENOMEM, "spelling");
    if (!changed || fail->code) {
        ark_buf_free(&out);
        return NULL;
    }
    return ark_buf_take(&out);
}

/* Correct the plain words of the tree in place: not a phrase (its words were chosen
 * as written), not a negated part (nobody wants a correction of what they excluded),
 * not prefixes or filters, never an operator (the parser has taken those out). */
static int correct_node(ark_engine *e, ark_qnode *n, int *real, ark_err *fail) {
    int changed = 0;
    if (n->negated) return 0;
    switch (n->kind) {
    case ARK_Q_WORD: {
        char *c = correct_text(e, n->text, real, fail);
        if (c) {
            free(n->text);
            n->text = c;
            changed = 1;
        }
        break;
    }
    case ARK_Q_AND:
    case ARK_Q_OR:
        for (size_t i = 0; i < n->nkids; i++) changed |= correct_node(e, n->kids[i], real, fail);
        break;
    default: break;
    }
    return changed;
}

/* "Mente du": the parsed query with each unknown word replaced by Xapian's spelling
 * suggestion from the index's own vocabulary, written back in query syntax. NULL when
 * every word is known or nothing better exists. */
char *ark_spelling_for(ark_engine *e, const char *q, int *all_real, ark_err *fail) {
    ark_qnode *tree = NULL;
    *all_real = 1;
    int rc = ark_query_parse(q, strlen(q), &tree, NULL);
    if (rc != 0) {
        if (rc == ARK_ENOMEM) ark_err_set(fail, rc, "spelling");
        return NULL;
    }
    char *out = NULL;
    if (correct_node(e, tree, all_real, fail) && !fail->code && !(out = ark_query_format(tree)))
        ark_err_set(fail, ARK_ENOMEM, "spelling");
    ark_qnode_free(tree);
    return out;
}
