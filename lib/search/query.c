/* lib/search/query.c: the query language parser.
 * Owns: lexing user text into words, phrases, operators and filters, and a forgiving
 * recursive-descent parse into ark_qnode trees; printing trees back.
 * Not here: analysis of the words (engine.c runs them through analysis.h).
 * Why forgiving: people type into a search box, not a compiler; every byte sequence
 * must give a sensible query, so errors are repaired, never reported. */
#include "arkivar/query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arkivar/buf.h"

#define MAX_LEX 256

typedef enum { L_WORD, L_PHRASE, L_LPAREN, L_RPAREN, L_OR, L_NOT } lex_kind;

typedef struct lex {
    lex_kind kind;
    int neg;        /* '-' glued to the front */
    const char *p;  /* word or phrase body */
    size_t len;
    const char *val; /* field:"quoted value": the value without its quotes, else NULL */
    size_t val_len;
} lex;

typedef struct parser {
    const char *q;  /* the text parsed: nodes' offsets count from here */
    lex v[MAX_LEX];
    size_t n, at;
    size_t nodes;
    int depth;
    int oom;
} parser;

static const char *const FIELDS[][2] = {
    {"type", "type"}, {"dato", "dato"}, {"date", "dato"}, {"sag", "sag"},
    {"doc", "doc"},   {"udvalg", "udvalg"}, {"typ", "type"}, {"felt", "felt"},
};

static int is_field(const char *p, size_t len) {
    for (size_t f = 0; f < sizeof FIELDS / sizeof FIELDS[0]; f++)
        if (strlen(FIELDS[f][0]) == len && strncasecmp(p, FIELDS[f][0], len) == 0) return 1;
    return 0;
}

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void lex_all(parser *ps, const char *q, size_t len) {
    size_t i = 0;
    while (i < len && ps->n < MAX_LEX) {
        unsigned char c = (unsigned char)q[i];
        if (is_space(c)) { i++; continue; }
        lex *l = &ps->v[ps->n];
        memset(l, 0, sizeof *l);
        if (c == '-' && i + 1 < len && (q[i + 1] == '"' || q[i + 1] == '(' ||
                                         !is_space((unsigned char)q[i + 1]))) {
            /* "-word" excludes; a lone "-" between words is punctuation */
            if (q[i + 1] != '-') { l->neg = 1; i++; c = (unsigned char)q[i]; }
        }
        if (c == '(') { l->kind = L_LPAREN; i++; ps->n++; continue; }
        if (c == ')') { i++; if (!l->neg) { l->kind = L_RPAREN; ps->n++; } continue; }
        if (c == '"') {
            size_t s = ++i;
            while (i < len && q[i] != '"') i++;
            l->kind = L_PHRASE;
            l->p = q + s;
            l->len = i - s;
            if (i < len) i++; /* the closing quote; an unclosed one runs to the end */
            ps->n++;
            continue;
        }
        size_t s = i;
        while (i < len && !is_space((unsigned char)q[i]) && q[i] != '(' && q[i] != ')' &&
               q[i] != '"')
            i++;
        l->kind = L_WORD;
        l->p = q + s;
        l->len = i - s;
        if (l->len > 1 && q[i - 1] == ':' && i < len && q[i] == '"' && is_field(l->p, l->len - 1)) {
            /* doc:"Bilag 1.txt": a filter's value may be quoted; unclosed, it runs to the end */
            size_t v = ++i;
            while (i < len && q[i] != '"') i++;
            l->val = q + v;
            l->val_len = i - v;
            if (i < len) i++;
        }
        if (!l->neg && l->len == 2 && memcmp(l->p, "OR", 2) == 0) l->kind = L_OR;
        else if (!l->neg && l->len == 1 && *l->p == '|') l->kind = L_OR;
        else if (!l->neg && l->len == 3 && memcmp(l->p, "NOT", 3) == 0) l->kind = L_NOT;
        else if (!l->neg && l->len == 3 && memcmp(l->p, "AND", 3) == 0) continue;
        ps->n++;
    }
}

static ark_qnode *node_new(parser *ps, ark_qkind kind) {
    if (ps->nodes >= ARK_QUERY_MAX_NODES * 4) return NULL;
    ark_qnode *n = calloc(1, sizeof *n);
    if (!n) ps->oom = 1;
    else { n->kind = kind; n->at = (size_t)-1; ps->nodes++; }
    return n;
}

static int add_kid(parser *ps, ark_qnode *parent, ark_qnode *kid) {
    if (!kid) return 0;
    if (parent->nkids >= ARK_QUERY_MAX_NODES) { ark_qnode_free(kid); return 0; }
    ark_qnode **k = realloc(parent->kids, (parent->nkids + 1) * sizeof *k);
    if (!k) { ps->oom = 1; ark_qnode_free(kid); return -1; }
    parent->kids = k;
    parent->kids[parent->nkids++] = kid;
    return 0;
}

static char *dup_n(parser *ps, const char *p, size_t n) {
    char *s = strndup(p, n);
    if (!s) ps->oom = 1;
    return s;
}

/* A bare word: a filter, a prefix, or a word. Leading/trailing ':' and '*' junk
 * ("*", ":foo", "type:") falls back to a plain word. */
static ark_qnode *word_node(parser *ps, const lex *l) {
    if (l->val) {
        size_t flen = l->len - 1;
        for (size_t f = 0; f < sizeof FIELDS / sizeof FIELDS[0]; f++) {
            if (strlen(FIELDS[f][0]) == flen && strncasecmp(l->p, FIELDS[f][0], flen) == 0 &&
                l->val_len > 0) {
                ark_qnode *n = node_new(ps, ARK_Q_FILTER);
                if (!n) return NULL;
                n->field = dup_n(ps, FIELDS[f][1], strlen(FIELDS[f][1]));
                n->text = dup_n(ps, l->val, l->val_len);
                return n;
            }
        }
        return NULL; /* an empty quoted value: nothing to filter on */
    }
    const char *colon = memchr(l->p, ':', l->len);
    if (colon && colon > l->p && colon + 1 < l->p + l->len) {
        size_t flen = (size_t)(colon - l->p);
        for (size_t f = 0; f < sizeof FIELDS / sizeof FIELDS[0]; f++) {
            if (strlen(FIELDS[f][0]) == flen && strncasecmp(l->p, FIELDS[f][0], flen) == 0) {
                ark_qnode *n = node_new(ps, ARK_Q_FILTER);
                if (!n) return NULL;
                n->field = dup_n(ps, FIELDS[f][1], strlen(FIELDS[f][1]));
                n->text = dup_n(ps, colon + 1, (size_t)(l->p + l->len - colon - 1));
                return n;
            }
        }
    }
    size_t len = l->len;
    int prefix = 0;
    while (len > 0 && l->p[len - 1] == '*') { len--; prefix = 1; }
    if (len == 0) return NULL;
    ark_qnode *n = node_new(ps, prefix && len >= 2 ? ARK_Q_PREFIX : ARK_Q_WORD);
    if (n) n->text = dup_n(ps, l->p, len);
    if (n && n->kind == ARK_Q_WORD) n->at = (size_t)(l->p - ps->q);
    return n;
}

static ark_qnode *phrase_node(parser *ps, const lex *l) {
    ark_qnode *n = node_new(ps, ARK_Q_PHRASE);
    if (!n) return NULL;
    size_t i = 0;
    while (i < l->len) {
        while (i < l->len && is_space((unsigned char)l->p[i])) i++;
        size_t s = i;
        while (i < l->len && !is_space((unsigned char)l->p[i])) i++;
        if (i == s) break;
        char **w = realloc(n->words, (n->nwords + 1) * sizeof *w);
        if (!w) { ps->oom = 1; break; }
        n->words = w;
        if (!(n->words[n->nwords] = dup_n(ps, l->p + s, i - s))) break;
        n->nwords++;
    }
    if (n->nwords == 0) { ark_qnode_free(n); return NULL; }
    if (n->nwords == 1) { /* "word" is just a word */
        n->kind = ARK_Q_WORD;
        n->text = n->words[0];
        free(n->words);
        n->words = NULL;
        n->nwords = 0;
    }
    return n;
}

static ark_qnode *parse_or(parser *ps);

static ark_qnode *parse_unary(parser *ps) {
    lex *l = &ps->v[ps->at];
    int neg = l->neg;
    ark_qnode *n = NULL;
    if (l->kind == L_NOT) { /* NOT x == -x; a trailing NOT is a word */
        ps->at++;
        if (ps->at < ps->n && ps->v[ps->at].kind != L_RPAREN && ps->v[ps->at].kind != L_OR) {
            n = parse_unary(ps);
            if (n) n->negated = !n->negated;
            return n;
        }
        return word_node(ps, l);
    }
    ps->at++;
    switch (l->kind) {
    case L_WORD: n = word_node(ps, l); break;
    case L_PHRASE: n = phrase_node(ps, l); break;
    case L_LPAREN:
        if (ps->depth >= 16) break; /* deep nesting: the parens are ignored */
        ps->depth++;
        n = parse_or(ps);
        ps->depth--;
        if (ps->at < ps->n && ps->v[ps->at].kind == L_RPAREN) ps->at++;
        break;
    default: break;
    }
    if (n && neg) n->negated = !n->negated;
    return n;
}

static ark_qnode *flatten(ark_qnode *n) {
    if (n && (n->kind == ARK_Q_AND || n->kind == ARK_Q_OR) && n->nkids == 1 && !n->negated) {
        ark_qnode *k = n->kids[0];
        free(n->kids);
        free(n);
        return k;
    }
    return n;
}

static ark_qnode *parse_and(parser *ps) {
    ark_qnode *and = node_new(ps, ARK_Q_AND);
    if (!and) return NULL;
    while (ps->at < ps->n && !ps->oom) {
        lex_kind k = ps->v[ps->at].kind;
        if (k == L_OR || (k == L_RPAREN && ps->depth > 0)) break;
        if (k == L_RPAREN) { ps->at++; continue; } /* stray ')' */
        add_kid(ps, and, parse_unary(ps));
    }
    return flatten(and);
}

static ark_qnode *parse_or(parser *ps) {
    ark_qnode *first = parse_and(ps);
    if (ps->at >= ps->n || ps->v[ps->at].kind != L_OR) return first;
    ark_qnode *or = node_new(ps, ARK_Q_OR);
    if (!or) return first;
    add_kid(ps, or, first);
    while (ps->at < ps->n && ps->v[ps->at].kind == L_OR && !ps->oom) {
        ps->at++; /* "a OR" and "OR b": a dangling OR just joins what is there */
        add_kid(ps, or, parse_and(ps));
    }
    /* empty AND kids (from "OR OR") carry nothing */
    size_t out = 0;
    for (size_t i = 0; i < or->nkids; i++) {
        ark_qnode *k = or->kids[i];
        if (k->kind == ARK_Q_AND && k->nkids == 0) ark_qnode_free(k);
        else or->kids[out++] = k;
    }
    or->nkids = out;
    return flatten(or);
}

int ark_query_parse(const char *q, size_t q_len, ark_qnode **out, ark_err *err) {
    *out = NULL;
    if (q_len > ARK_QUERY_MAX_BYTES)
        return ark_err_set(err, ARK_EINVAL, "query longer than %d bytes", ARK_QUERY_MAX_BYTES);
    parser *ps = calloc(1, sizeof *ps);
    if (!ps) return ark_err_set(err, ARK_ENOMEM, "query parser");
    ps->q = q;
    lex_all(ps, q, q_len);
    /* An OR with nothing on one side ("OR", "a OR") is the word "or" only when alone. */
    ark_qnode *n = NULL;
    while (ps->at < ps->n && !ps->oom) {
        size_t before = ps->at;
        ark_qnode *part = parse_or(ps);
        if (!n) n = part;
        else if (part) { /* parse_or stopped at a stray ')' at depth 0: keep going */
            if (n->kind != ARK_Q_AND || n->negated) {
                ark_qnode *and = node_new(ps, ARK_Q_AND);
                if (!and) { ark_qnode_free(part); break; }
                add_kid(ps, and, n);
                n = and;
            }
            add_kid(ps, n, part);
        }
        if (ps->at < ps->n && ps->v[ps->at].kind == L_RPAREN) ps->at++;
        else if (ps->at < ps->n && ps->v[ps->at].kind == L_OR) ps->at++;
        /* Out of nodes (ARK_QUERY_MAX_NODES), a parse can consume nothing: the rest of
         * the query is dropped rather than looped over forever (found by fuzzing). */
        if (ps->at == before) break;
    }
    if (!n && !ps->oom) n = node_new(ps, ARK_Q_AND);
    int oom = ps->oom;
    free(ps);
    if (oom || !n) {
        ark_qnode_free(n);
        return ark_err_set(err, ARK_ENOMEM, "query parser");
    }
    *out = n;
    return 0;
}

void ark_qnode_free(ark_qnode *n) {
    if (!n) return;
    for (size_t i = 0; i < n->nkids; i++) ark_qnode_free(n->kids[i]);
    for (size_t i = 0; i < n->nwords; i++) free(n->words[i]);
    free(n->kids);
    free(n->words);
    free(n->text);
    free(n->field);
    free(n);
}

/* Appends n in query syntax; 0 or ARK_ENOMEM (the first failed append). */
static int format_into(const ark_qnode *n, ark_buf *b, int nested) {
    int rc = n->negated ? ark_buf_putc(b, '-') : 0;
    switch (n->kind) {
    case ARK_Q_WORD: if (!rc) rc = ark_buf_puts(b, n->text); break;
    case ARK_Q_PREFIX:
        if (!rc) rc = ark_buf_puts(b, n->text);
        if (!rc) rc = ark_buf_putc(b, '*');
        break;
    case ARK_Q_FILTER:
        if (rc) break;
        if (strpbrk(n->text, " \t\"()"))
            rc = ark_buf_printf(b, "%s:\"%s\"", n->field, n->text);
        else
            rc = ark_buf_printf(b, "%s:%s", n->field, n->text);
        break;
    case ARK_Q_PHRASE:
        if (!rc) rc = ark_buf_putc(b, '"');
        for (size_t i = 0; !rc && i < n->nwords; i++) {
            if (i) rc = ark_buf_putc(b, ' ');
            if (!rc) rc = ark_buf_puts(b, n->words[i]);
        }
        if (!rc) rc = ark_buf_putc(b, '"');
        break;
    case ARK_Q_AND:
    case ARK_Q_OR: {
        int paren = (nested || n->negated) && n->nkids > 1;
        if (paren && !rc) rc = ark_buf_putc(b, '(');
        for (size_t i = 0; !rc && i < n->nkids; i++) {
            if (i) rc = ark_buf_puts(b, n->kind == ARK_Q_OR ? " OR " : " ");
            if (!rc) rc = format_into(n->kids[i], b, 1);
        }
        if (paren && !rc) rc = ark_buf_putc(b, ')');
        break;
    }
    }
    return rc;
}

char *ark_query_format(const ark_qnode *n) {
    ark_buf b = ARK_BUF_INIT;
    if (n && format_into(n, &b, 0) != 0) {
        ark_buf_free(&b);
        return NULL;
    }
    return ark_buf_take(&b);
}
