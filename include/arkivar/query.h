/* include/arkivar/query.h: the query language, read the way a search box must read it.
 * Owns: parsing user text into a small tree (words, "phrases", -exclusions, OR,
 * parentheses, prefix*, field:value filters) and printing it back ("parsed").
 * Not here: what a word matches (analysis.h, lib/search/engine.c).
 * Why: a search box never shows a syntax error: unbalanced quotes or parentheses,
 * stray operators and symbols are read as plain words, so every input parses.
 *
 * Syntax:  word  "a phrase"  -word  -"a phrase"  a OR b  (a OR b) c  innovat*
 *          type:orientering  dato:2026  dato:2026-01-01..2026-06-30
 *          sag:2026-0179043  doc:ID  udvalg:ØU
 * Memory: the tree is transferred; free with ark_qnode_free. */
#ifndef ARKIVAR_QUERY_H
#define ARKIVAR_QUERY_H

#include <stddef.h>

#include "arkivar/err.h"

#define ARK_QUERY_MAX_BYTES 1000 /* longer queries are refused (ARK_EINVAL) */
#define ARK_QUERY_MAX_NODES 64   /* clauses beyond this are dropped */

typedef enum ark_qkind {
    ARK_Q_WORD = 1, /* text: one word as typed (may still hold '-', '.', digits) */
    ARK_Q_PHRASE,   /* words[nwords] */
    ARK_Q_PREFIX,   /* text: the part before '*' */
    ARK_Q_FILTER,   /* field (type, dato, sag, doc, udvalg) and text (the value) */
    ARK_Q_AND,      /* kids: all optional, more matched rank first ("default AND") */
    ARK_Q_OR,       /* kids: explicit OR */
} ark_qkind;

typedef struct ark_qnode {
    ark_qkind kind;
    int negated;    /* -word, -"phrase", -(…) */
    size_t at;      /* ARK_Q_WORD typed bare: where text starts in the parsed string (it
                       is a verbatim copy); (size_t)-1 for any other node (a quoted word) */
    char *text;
    char *field;
    char **words; size_t nwords;
    struct ark_qnode **kids; size_t nkids;
} ark_qnode;

/* Parse q (q_len bytes, need not be NUL-terminated; borrowed for the call) into *out.
 * Always yields a tree for any input of at most ARK_QUERY_MAX_BYTES; *out may be an AND
 * with no kids when the text holds nothing searchable. Returns 0, ARK_EINVAL only for
 * over-long input, ARK_ENOMEM; *out is NULL on error, else transferred (free with
 * ark_qnode_free). */
int ark_query_parse(const char *q, size_t q_len, ark_qnode **out, ark_err *err);
void ark_qnode_free(ark_qnode *n); /* the node and all below it; accepts NULL */

/* The tree in query syntax, canonical ("a b" → `a b`, OR upper-case, filters as
 * field:value): parsing it again gives the same tree. Transferred (free with free());
 * NULL when out of memory, never a part of the text. */
char *ark_query_format(const ark_qnode *n);

#endif
