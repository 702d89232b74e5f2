/* lib/search/compile.c: a parsed query into one Xapian query (engine.h).
 * Owns: what each typed word meets in the index (its exact form, stem, folded forms,
 * compound parts, an acronym's expansions), phrases, filters and the AND node's rules
 * (stop words, adjacent words that the index knows as one compound, expansions typed
 * in full that stand for an acronym).
 * Ranking: every query word is an OR of the index terms it can meet, weighted
 * exact > stem > fold > compound part, so the typed form ranks first. The words of a
 * query are all optional; passages holding all of them, near each other or in their
 * heading or title are raised by the rerank of the candidates (search.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/schema.h"
#include "engine.h"

#define WILDCARD_MAX 64
/* Terms all the wildcards of one query may expand to. Xapian cannot stop a running
 * match, so the work is bounded by what goes in: 64 clauses of "ab*" (a 1000-byte
 * query) expanded to 64 x 2 x 64 = 8192 terms and took 130 ms on a 2 MB index, with
 * one such query per thread at a time. The first four prefix words (two wildcards
 * each, as typed and folded) keep their 64 each; further ones get what is left, at
 * least WILDCARD_FLOOR, so a query of many prefixes still finds something for each. */
#define WILDCARD_BUDGET 512
#define WILDCARD_FLOOR 4

/* A query constructor returns NULL only when out of memory. The builders below skip a
 * NULL part so that their code stays simple, so a failure is remembered here, and
 * ark_compile fails the whole query rather than answer a query with a part missing
 * (tests/test_faults.c compares every answer under failing allocations with the
 * clean one). One compilation per thread at a time. */
static _Thread_local int alloc_failed;
static _Thread_local unsigned wildcard_left; /* of WILDCARD_BUDGET, reset per compilation */
static _Thread_local ark_rdb *wildcard_db;    /* the index wildcards expand in (its shards') */

static uint32_t wildcard_take(void) {
    unsigned k = wildcard_left < WILDCARD_MAX ? wildcard_left : WILDCARD_MAX;
    if (k < WILDCARD_FLOOR) k = WILDCARD_FLOOR;
    wildcard_left = wildcard_left > k ? wildcard_left - k : 0;
    return k;
}

static ark_xq *got(ark_xq *q) {
    if (!q) alloc_failed = 1;
    return q;
}

/* How many passages hold t; a failed lookup fails the compilation. */
/* A failed lookup fails the query, as a failed allocation does, with the index's reason. */
static uint64_t freq_of(qbuild *b, const char *t) {
    uint64_t f = 0;
    if (b->rc) return 0;
    b->rc = ark_engine_freq(b->e, t, &f, &b->err);
    return f;
}

/* How much each way of meeting a word counts (see the top comment). */
#define W_EXACT 1.0
#define W_STEM 0.7
#define W_FOLD 0.5
#define W_PART 0.35
#define W_SYN 0.6    /* an acronym's expansion, or the reverse */
#define W_NEAR 0.8   /* the indexed word an unknown typed word stands for (spell.c) */
#define W_STOP 0.2   /* a stop word alone */

/* Stop words (lib/analysis/stop.c) are weighted down so that they do not drown the
 * ranking, but kept, because inside a phrase they count ("på tværs af"). */
static int is_stopword(const char *w) { return ark_an_is_stopword(w, strlen(w)); }

static ark_xq *term(const char *t, double w) {
    ark_xq *q = got(ark_xq_term(t, strlen(t), 1, 0));
    if (q && w != 1.0) {
        ark_xq *s = got(ark_xq_scale(q, w));
        ark_xq_free(q);
        q = s;
    }
    return q;
}

static ark_xq *scale_free(ark_xq *q, double w) {
    if (!q || w == 1.0) return q;
    ark_xq *s = got(ark_xq_scale(q, w));
    ark_xq_free(q);
    return s;
}

/* Combine and free the parts (NULL parts are skipped; any NULL makes the result NULL
 * only when no part is left, so a failed optional boost never loses the query). */
static ark_xq *combine_free(ark_xq_op op, ark_xq **v, size_t n, uint32_t window) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i]) v[k++] = v[i];
    ark_xq *q = k ? (k == 1 && op != ARK_XQ_PHRASE && op != ARK_XQ_NEAR ? v[0]
                                                                         : got(ark_xq_combine(op, v, k, window)))
                  : got(ark_xq_match_nothing());
    if (!(k == 1 && q == v[0]))
        for (size_t i = 0; i < k; i++) ark_xq_free(v[i]);
    return q;
}

/* A weight a word of a phrase counts, set aside for the phrase to add back
 * (weights_back). */
static void set_aside(qbuild *b, ark_xq *q) {
    if (!q) return;
    if (b->nexacts == b->cap_exacts) {
        size_t cap = b->cap_exacts ? 2 * b->cap_exacts : 16;
        ark_xq **v = realloc(b->exacts, cap * sizeof *v);
        if (!v) {
            ark_xq_free(q);
            b->oom = 1;
            return;
        }
        b->exacts = v;
        b->cap_exacts = cap;
    }
    b->exacts[b->nexacts++] = q;
}

/* q, a phrase (or one word of one) of plain terms that only place it, with the weights
 * its words set aside from mark on: FILTER(OR(weights), q, lengths). That weighs what a
 * phrase of weighted words weighed, as Xapian weighs a phrase's parts by passage, not by
 * position, and the weights lead: Xapian checks the phrase's positions only in a passage
 * whose weight could still reach the page. AND_MAYBE(q × 0, weights) checked every
 * passage holding the words ("et objekt", synth-100MB: 28 against 11.5 ms). Xapian weighs
 * such a passage before the rest of the query is at it, so the passages' lengths
 * (ark_xq_lengths) stand inside the FILTER, at the passage before it is weighed. Inside
 * a phrase still being built the weights wait for that one (Xapian's phrases take terms
 * and ORs of plain terms only). Takes q. */
static ark_xq *weights_back(qbuild *b, ark_xq *q, size_t mark) {
    if (b->phrase_depth > 0 || b->nexacts <= mark) return q;
    size_t n = b->nexacts - mark;
    b->nexacts = mark;
    if (!q) { /* the weights alone would match passages without the phrase */
        for (size_t i = 0; i < n; i++) ark_xq_free(b->exacts[mark + i]);
        return NULL;
    }
    ark_xq *v[3] = {combine_free(ARK_XQ_OR, b->exacts + mark, n, 0), q,
                    got(ark_xq_lengths(b->e->db))};
    return combine_free(ARK_XQ_FILTER, v, 3, 0);
}

/* A word of a phrase: the plain terms that place it, with its weights set aside
 * (weights_back). The index keeps a word's positions in its stem, not in its exact form
 * (ark_an_exact_counted), and the exact form stands only where its stem does. */
static ark_xq *phrase_word(qbuild *b, const ark_qword *w) {
    ark_xq *v[3];
    size_t n = 0;
    set_aside(b, term(w->exact, W_EXACT));
    if (!w->exact_counted) v[n++] = term(w->exact, 1.0);
    /* A stop word is taken as typed: its stem is the same word under another term (or
     * another word's: "dette", "det"), and reading both position lists doubled the
     * cost of the phrase. */
    if (!w->stop_in_phrase) {
        set_aside(b, term(w->stem, W_STEM));
        v[n++] = term(w->stem, 1.0);
        if (w->lemma[0]) { /* "regler" also as "regel" */
            set_aside(b, term(w->lemma, W_STEM));
            v[n++] = term(w->lemma, 1.0);
        }
    }
    return combine_free(ARK_XQ_OR, v, n, 0);
}

/* Everything one word can meet, OR'ed with its weights. */
static ark_xq *word_query(qbuild *b, const ark_qword *w) {
    ark_xq *v[8];
    size_t n = 0;
    if (w->prefix) {
        v[n++] = got(ark_xq_wildcard_in(wildcard_db, w->exact, strlen(w->exact), wildcard_take()));
        v[n++] = got(ark_xq_wildcard_in(wildcard_db, w->fold, strlen(w->fold), wildcard_take()));
        ark_xq *q = combine_free(ARK_XQ_OR, v, n, 0);
        if (!w->in_phrase) return scale_free(q, W_STEM);
        set_aside(b, q ? got(ark_xq_scale(q, W_STEM)) : NULL);
        return q;
    }
    if (w->in_phrase) return phrase_word(b, w);
    v[n++] = term(w->exact, W_EXACT);
    v[n++] = term(w->stem, W_STEM);
    if (w->lemma[0]) v[n++] = term(w->lemma, W_STEM); /* "regler" also as "regel" */
    /* the folded form as typed first, the folded stem (other inflections) a little below */
    if (w->fold2[0]) v[n++] = term(w->fold2, W_FOLD);
    if (w->fold[0]) v[n++] = term(w->fold, w->fold2[0] ? W_FOLD * 0.7 : W_FOLD);
    if (w->alt[0]) v[n++] = term(w->alt, W_FOLD); /* "århus" in the old spelling "aarhus" */
    v[n++] = term(w->part, W_PART);
    if (w->nparts) {
        /* the compound's parts inside another compound, or as separate words
         * ("innovationsprojekter" → "projekter om innovation") */
        ark_xq *p[ARK_QWORD_MAX_PARTS], *z[ARK_QWORD_MAX_PARTS];
        for (size_t i = 0; i < w->nparts; i++) {
            p[i] = term(w->parts[i], 1.0);
            char zt[ARK_MAX_TERM + 2];
            snprintf(zt, sizeof zt, "%c%s", ARK_PFX_STEM, w->parts[i] + 1);
            z[i] = term(zt, 1.0);
        }
        v[n++] = scale_free(combine_free(ARK_XQ_AND, p, w->nparts, 0), W_PART);
        v[n++] = scale_free(combine_free(ARK_XQ_AND, z, w->nparts, 0), W_PART * 0.8);
    }
    return combine_free(ARK_XQ_OR, v, n, 0);
}

static void remember(qbuild *b, const ark_qword *w) {
    if (b->nwords >= MAX_QWORDS) return;
    ark_qword *r = &b->words[b->nwords++];
    *r = *w;
    if (!r->via) r->via = b->via;
    if (b->cur_phrase) {
        r->phrase_id = b->cur_phrase;
        r->phrase_idx = 0;
        for (size_t i = 0; i + 1 < b->nwords; i++)
            r->phrase_idx += b->words[i].phrase_id == b->cur_phrase;
    }
}

/* The words remembered from here to phrase_end belong to one new phrase (none when it is
 * negated: nothing of it is marked), so that they are marked only where all of them
 * stand in order. Returns what phrase_end restores: phrases nest (an acronym inside a
 * quoted phrase has expansions of several words). */
static int phrase_begin(qbuild *b, int negated) {
    int outer = b->cur_phrase;
    b->cur_phrase = negated ? 0 : ++b->phrases;
    return outer;
}

static void phrase_end(qbuild *b, int outer) {
    int id = b->cur_phrase, len = 0;
    for (size_t i = 0; id && i < b->nwords; i++) len += b->words[i].phrase_id == id;
    for (size_t i = 0; id && i < b->nwords; i++)
        if (b->words[i].phrase_id == id) b->words[i].phrase_len = len;
    b->cur_phrase = outer;
}

/* Words the query meets without their being typed: the acronym of an expansion typed in
 * full, a filter's case number, the pieces of a hyphenated word. They are marked where
 * the text holds them (as a phrase when there are several), as written (exact or stem),
 * and never count in the rerank (mark_only), so the ranking stays as it was. */
static void remember_marks(qbuild *b, const char *text) {
    ark_tok t;
    ark_token tok;
    size_t len = strlen(text), ntok = 0;
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) ntok++;
    int outer = ntok > 1 ? phrase_begin(b, 0) : b->cur_phrase;
    if (ntok <= 1) b->cur_phrase = 0;
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok)) {
        ark_qword w;
        ark_qword_init(&w, b->e->an, &tok, 0);
        w.in_phrase = 1;
        w.mark_only = 1;
        remember(b, &w);
    }
    if (ntok > 1) phrase_end(b, outer);
    else b->cur_phrase = outer;
}

/* A case number as the text may write it: "2026-0179043" as one token, and its digit
 * groups apart ("2026 - 11781") as a phrase. */
static void remember_case(qbuild *b, const char *value) {
    char joined[ARK_MAX_TERM + 1], apart[ARK_MAX_TERM + 1];
    size_t nj = 0, na = 0;
    for (const char *c = value; *c && na < ARK_MAX_TERM; c++) {
        unsigned char u = (unsigned char)*c;
        int alnum = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                    u >= 0x80;
        if (u != ' ') joined[nj++] = *c;
        apart[na++] = alnum ? *c : ' ';
    }
    joined[nj] = apart[na] = '\0';
    remember_marks(b, joined);
    if (strcmp(joined, apart) != 0) remember_marks(b, apart);
}

static ark_xq *text_query(qbuild *b, const char *text, int prefix, int in_phrase, int negated,
                          int depth);

/* An acronym's expansions, or an expansion's acronym, as one alternative. */
static ark_xq *synonym_query(qbuild *b, const ark_syn_entry *s, int negated, int depth) {
    ark_xq *v[8];
    size_t n = 0;
    int via = b->via;
    b->via = ARK_VIA_EXPANSION;
    for (size_t i = 0; i < s->nexpansions && n < 8; i++) {
        /* an expansion of several words is a phrase: "Københavns Kommune" for KK is
         * marked where it stands whole, never "Kommune" alone */
        int outer = phrase_begin(b, negated);
        v[n++] = text_query(b, s->expansions[i], 0, 0, negated, depth + 1);
        phrase_end(b, outer);
    }
    b->via = via;
    return scale_free(combine_free(ARK_XQ_OR, v, n, 0), W_SYN);
}

/* A hyphenated word ("one-stop-shop") also meets its pieces written apart, as a phrase,
 * and each of its pieces anywhere in the passage, weighted as a compound's parts ("AI-
 * projekter" is some way towards a passage on AI, as plain Xapian's "AI projekter" is).
 * The reverse is handled by the phrase builder: the index keeps the joined form. */
static ark_xq *with_pieces(qbuild *b, const ark_qword *w, ark_xq *q, int negated) {
    if (!q || w->prefix || !strchr(w->exact, '-')) return q;
    ark_xq *p[16];
    ark_qword pw[16];
    size_t n = 0, mark = b->nexacts;
    const char *s = w->exact;
    while (*s && n < 16) {
        size_t len = strcspn(s, "-");
        if (len) {
            ark_token tok = {s, len, 0, ARK_TOK_WORD, 0};
            ark_qword_init(&pw[n], b->e->an, &tok, 0);
            pw[n].in_phrase = 1;
            pw[n].via = ARK_VIA_PIECE;
            p[n] = word_query(b, &pw[n]);
            n++;
        }
        s += len + (s[len] == '-');
    }
    if (n < 2) {
        for (size_t i = 0; i < n; i++) ark_xq_free(p[i]);
        for (size_t i = mark; i < b->nexacts; i++) ark_xq_free(b->exacts[i]); /* theirs */
        b->nexacts = mark;
        return q;
    }
    if (!negated) { /* marked where the text writes them apart: "One stop shop" */
        int outer = phrase_begin(b, 0);
        for (size_t i = 0; i < n; i++) {
            pw[i].mark_only = 1;
            remember(b, &pw[i]);
        }
        phrase_end(b, outer);
        for (size_t i = 0; !w->in_phrase && i < n; i++) { /* a typed word's pieces alone too */
            pw[i].in_phrase = 0;
            remember(b, &pw[i]);
        }
    }
    /* copies the pieces' weights; in a phrase the word stays a phrase of its own */
    ark_xq *apart = w->in_phrase ? NULL : got(ark_xq_combine(ARK_XQ_OR, b->exacts + mark, b->nexacts - mark, 0));
    ark_xq *alt[3] = {q, weights_back(b, combine_free(ARK_XQ_PHRASE, p, n, 0), mark),
                      apart ? scale_free(apart, W_PART) : NULL};
    return combine_free(ARK_XQ_OR, alt, 3, 0);
}

/* A typed word the index knows in no form stands for the word it holds nearest to
 * (ark_near_word): the records' own misspelling of a word typed right, or the word typed
 * with a typo, even beside words that match. Only a bare word of five letters or more
 * is replaced, and never a word of the Danish word list ("bøger" is never "øget"; most
 * words typed are in it, so most words cost no lookup here); *w becomes the indexed
 * word's and 1 is returned. */
static int near_word(qbuild *b, const ark_token *tok, ark_qword *w) {
    if (tok->kind != ARK_TOK_WORD || w->prefix || w->in_phrase || strlen(w->exact) < 5 ||
        ark_an_is_word(b->e->an, w->exact, strlen(w->exact)))
        return 0;
    int yes = 0;
    if (b->rc) return 0;
    if (ark_word_known(b->e, w, &yes, &b->err)) b->rc = b->err.code;
    if (yes || b->rc) return 0;
    char *near = NULL;
    if (ark_near_word(b->e, w->exact, strlen(w->exact), &near, &b->err)) b->rc = b->err.code;
    if (!near) return 0;
    ark_token nt = {near, strlen(near), 0, ARK_TOK_WORD, 0};
    ark_qword nw;
    ark_qword_init(&nw, b->e->an, &nt, 0);
    nw.in_phrase = w->in_phrase;
    nw.stop = w->stop;
    nw.stop_in_phrase = w->stop_in_phrase;
    *w = nw;
    free(near);
    return 1;
}

/* The queries of each token of a typed word, appended to parts (a typed word may hold
 * several tokens: "mio.kr.", "CO2-udledning"). Phrases collect the tokens of all their
 * words into one flat list: Xapian's phrases take terms, not phrases, as parts. */
static void token_queries(qbuild *b, const char *text, int prefix, int in_phrase, int negated,
                          int depth, ark_xq **parts, size_t *n, size_t max) {
    ark_tok t;
    ark_token tok;
    size_t len = strlen(text);
    ark_tok_init(&t, text, len);
    while (ark_tok_next(&t, &tok) && *n < max) {
        ark_qword w;
        ark_qword_init(&w, b->e->an, &tok, prefix && tok.start + tok.len == len);
        w.in_phrase = in_phrase || depth > 0;
        w.stop = is_stopword(w.exact) && !(in_phrase && depth == 0);
        w.stop_in_phrase = w.in_phrase && is_stopword(w.exact);
        int near = depth == 0 && !negated && near_word(b, &tok, &w);
        b->near += near;
        if (near) w.via = ARK_VIA_NEAR;
        if (!negated) remember(b, &w);
        ark_xq *q = with_pieces(b, &w, word_query(b, &w), negated);
        if (near) q = scale_free(q, W_NEAR);
        const ark_syn_entry *s =
            depth == 0 && !w.prefix ? ark_syn_find(b->e->syn, w.exact, strlen(w.exact)) : NULL;
        if (q && s) {
            ark_xq *alt[2] = {q, synonym_query(b, s, negated, depth)};
            q = combine_free(ARK_XQ_OR, alt, 2, 0);
        }
        if (!q) {
            b->oom = 1;
            break;
        }
        parts[(*n)++] = q;
    }
}

static ark_xq *text_query(qbuild *b, const char *text, int prefix, int in_phrase, int negated,
                          int depth) {
    ark_xq *parts[32];
    size_t n = 0, mark = b->nexacts, ntok = 0;
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, text, strlen(text));
    while (ntok < 2 && ark_tok_next(&t, &tok)) ntok++;
    b->phrase_depth += ntok > 1; /* its tokens are one phrase ("mio.kr.") */
    token_queries(b, text, prefix, in_phrase || ntok > 1, negated, depth, parts, &n, 32);
    b->phrase_depth -= ntok > 1;
    ark_xq *q = n == 0 ? NULL : n == 1 ? parts[0] : combine_free(ARK_XQ_PHRASE, parts, n, 0);
    return weights_back(b, q, mark);
}

static ark_xq *node_query(qbuild *b, const ark_qnode *n, int negated);

typedef struct serial_terms {
    const char *serial; /* "0179043" */
    size_t len;
    char t[32][ARK_TERM_BUF];
    size_t n;
} serial_terms;

static int collect_serial(const char *term, size_t len, uint64_t freq, void *user) {
    serial_terms *s = user;
    const char *dash = memchr(term, '-', len);
    if (dash && (size_t)(term + len - dash - 1) == s->len && memcmp(dash + 1, s->serial, s->len) == 0 &&
        len < ARK_TERM_BUF && s->n < 32) {
        memcpy(s->t[s->n], term, len);
        s->t[s->n++][len] = '\0';
    }
    return 0;
}

/* sag: a case number as it is written ("2026-0179043", "2026 - 11781"), run together
 * ("20260179043"), or its serial alone ("0179043": the case numbers of any year that
 * end in it, found among the index's case terms). */
static ark_xq *case_query(ark_engine *e, char *term_, size_t len) {
    size_t p = strlen(ARK_PFX_CASE), digits = 0;
    for (size_t i = p; i < len; i++) digits += term_[i] >= '0' && term_[i] <= '9';
    if (digits == len - p && digits >= 9 && digits <= 12) { /* "20260179043" */
        memmove(term_ + p + 5, term_ + p + 4, len - p - 4);
        term_[p + 4] = '-';
        len++;
    } else if (digits == len - p && digits >= 5 && digits <= 8 && e) {
        serial_terms *s = calloc(1, sizeof *s);
        if (!s) return got(NULL);
        s->serial = term_ + p;
        s->len = digits;
        ark_xq *v[32];
        size_t n = 0;
        if (ark_rdb_terms(e->db, ARK_PFX_CASE, collect_serial, s, NULL) == 0)
            for (; n < s->n; n++) v[n] = got(ark_xq_term(s->t[n], strlen(s->t[n]), 1, 0));
        free(s);
        if (!n) return got(ark_xq_match_nothing());
        return combine_free(ARK_XQ_OR, v, n, 0);
    }
    return got(ark_xq_term(term_, len, 1, 0));
}

/* The key a filter value is compared by: folded ("økonomiudvalget" → "okonomiudvalget"),
 * then stemmed ("orienteringer" → "orientering"), so that a value matches the index's
 * whatever its inflection and however æøå were typed. */
static size_t value_key(ark_engine *e, const char *v, size_t n, char *out, size_t cap) {
    char low[ARK_MAX_TERM + 1], fold[ARK_MAX_TERM + 1];
    size_t ln = ark_lower(v, n, low, sizeof low);
    size_t fl = ark_fold(low, ln, fold, sizeof fold);
    return ark_an_stem(e->an, fold, fl, out, cap);
}

typedef struct value_terms {
    ark_engine *e;
    size_t plen;          /* the prefix of the terms scanned */
    char keys[8][ARK_MAX_TERM + 1]; /* what the value may stand for */
    size_t nkeys;
    char t[16][ARK_TERM_BUF];
    size_t n;
} value_terms;

static int collect_value(const char *term, size_t len, uint64_t freq, void *user) {
    value_terms *s = user;
    char key[ARK_MAX_TERM + 1];
    value_key(s->e, term + s->plen, len - s->plen, key, sizeof key);
    for (size_t i = 0; i < s->nkeys && s->n < 16 && len < ARK_TERM_BUF; i++)
        if (strcmp(key, s->keys[i]) == 0) {
            memcpy(s->t[s->n], term, len);
            s->t[s->n++][len] = '\0';
            break;
        }
    return 0;
}

/* type: and udvalg: against the values the index holds (a few dozen terms): a value
 * matches by its folded stem ("type:orienteringer", "udvalg:okonomiudvalget"), and a
 * committee also by the name its acronym stands for (data/acronyms.txt:
 * "udvalg:Økonomiudvalget" is ØU). The OR of the matching terms, or no match. */
static ark_xq *value_query(ark_engine *e, const char *prefix, const char *v) {
    value_terms *s = calloc(1, sizeof *s);
    if (!s) return got(NULL);
    s->e = e;
    s->plen = strlen(prefix);
    size_t vn = strlen(v);
    value_key(e, v, vn, s->keys[s->nkeys++], sizeof s->keys[0]);
    const ark_synonyms *syn = e->syn;
    for (size_t i = 0; syn && i < syn->n && s->nkeys < 8; i++)
        for (size_t j = 0; j < syn->v[i].nexpansions && s->nkeys < 8; j++) {
            if (strcmp(syn->v[i].whole[j], s->keys[0]) == 0) {
                const char *a = syn->v[i].acronym;
                value_key(e, a, strlen(a), s->keys[s->nkeys++], sizeof s->keys[0]);
                break;
            }
        }
    ark_xq *v_[16];
    size_t n = 0;
    if (ark_rdb_terms(e->db, prefix, collect_value, s, NULL) == 0)
        for (; n < s->n; n++) v_[n] = got(ark_xq_term(s->t[n], strlen(s->t[n]), 1, 0));
    free(s);
    if (!n) return got(ark_xq_match_nothing());
    return combine_free(ARK_XQ_OR, v_, n, 0);
}

static ark_xq *filter_query(ark_engine *e, const ark_qnode *n) {
    char term_[ARK_TERM_BUF];
    const char *prefix = NULL;
    if (strcmp(n->field, "dato") == 0) {
        /* dato:2026, dato:2026-03, dato:2026-01-01..2026-06-30 on the sortable date */
        const char *dots = strstr(n->text, "..");
        char lo[16] = "", hi[16] = "";
        size_t k = 0;
        for (const char *c = n->text; *c && (!dots || c < dots) && k < 8; c++)
            if (*c >= '0' && *c <= '9') lo[k++] = *c;
        lo[k] = '\0';
        k = 0;
        for (const char *c = dots ? dots + 2 : n->text; *c && k < 8; c++)
            if (*c >= '0' && *c <= '9') hi[k++] = *c;
        hi[k] = '\0';
        if (!lo[0] && !hi[0]) return got(ark_xq_match_nothing());
        strcat(hi, "~"); /* "2026" covers "20261231": '~' sorts after every digit */
        return got(ark_xq_value_range(ARK_SLOT_DATE, lo[0] ? lo : NULL, hi[1] ? hi : NULL));
    }
    if (e && strcmp(n->field, "type") == 0) return value_query(e, ARK_PFX_TYPE, n->text);
    if (e && strcmp(n->field, "udvalg") == 0) return value_query(e, ARK_PFX_COMMITTEE, n->text);
    if (strcmp(n->field, "type") == 0) prefix = ARK_PFX_TYPE;
    else if (strcmp(n->field, "sag") == 0) prefix = ARK_PFX_CASE;
    else if (strcmp(n->field, "udvalg") == 0) prefix = ARK_PFX_COMMITTEE;
    else if (strcmp(n->field, "felt") == 0) prefix = ARK_PFX_FIELD; /* felt:key=value */
    else if (strcmp(n->field, "doc") == 0) {
        snprintf(term_, sizeof term_, ARK_PFX_DOC "%s", n->text);
        return got(ark_xq_term(term_, strlen(term_), 1, 0));
    } else return got(ark_xq_match_nothing());
    size_t p = strlen(prefix);
    memcpy(term_, prefix, p);
    size_t len = p + ark_lower(n->text, strlen(n->text), term_ + p, sizeof term_ - p);
    if (strcmp(prefix, ARK_PFX_CASE) == 0) { /* "2026 - 11781" and "2026-11781" are one number */
        size_t k = p;
        for (size_t i = p; i < len; i++)
            if (term_[i] != ' ') term_[k++] = term_[i];
        len = k;
        if (len + 2 > sizeof term_) return got(ark_xq_match_nothing());
        return case_query(e, term_, len);
    }
    return got(ark_xq_term(term_, len, 1, 0));
}

#define MAX_KEYS 64

/* The keys of the typed words, in order, for meeting an acronym's expansion: every
 * token of every plain word, stop words too ("Kultur- og Fritidsforvaltningen"), each
 * folded and stemmed as value_key does, so a suspended compound, an inflection or a name
 * typed without æøå ("okonomiforvaltningen") is the expansion all the same. */
typedef struct word_keys {
    char k[MAX_KEYS][ARK_MAX_TERM + 1];
    int pos[MAX_KEYS]; /* and_query: the query part of the word the key comes from, -1 */
    size_t n;
} word_keys;

static void add_keys(ark_engine *e, word_keys *wk, const char *text) {
    ark_tok t;
    ark_token tok;
    ark_tok_init(&t, text, strlen(text));
    while (wk->n < MAX_KEYS && ark_tok_next(&t, &tok)) {
        wk->pos[wk->n] = -1;
        value_key(e, tok.p, tok.len, wk->k[wk->n++], sizeof wk->k[0]);
    }
}

size_t ark_expansion_keys(ark_engine *e, const char *x, char *out, size_t cap) {
    ark_tok t;
    ark_token tok;
    size_t n = 0, nk = 0;
    if (!cap) return 0;
    ark_tok_init(&t, x, strlen(x));
    while (nk++ < MAX_KEYS && ark_tok_next(&t, &tok)) {
        char k[ARK_MAX_TERM + 1];
        size_t kl = value_key(e, tok.p, tok.len, k, sizeof k);
        if (n + kl + 2 > cap) {
            out[0] = '\0';
            return 0;
        }
        memcpy(out + n, k, kl);
        out[n + kl] = '\n';
        n += kl + 1;
    }
    out[n] = '\0';
    return n;
}

size_t ark_expansion_whole_key(ark_engine *e, const char *x, char *out, size_t cap) {
    return value_key(e, x, strlen(x), out, cap);
}

/* Where the expansion's key sequence (xk: ark_expansion_keys, computed with the table)
 * occurs among the typed words' keys (its first key into *at, its length into *len):
 * then the acronym is a fitting alternative ("Økonomiudvalget" → ØU). 0 when it does
 * not. No analysis here: an engine's table holds thousands of learned expansions. */
static int expansion_in(const char *xk, const word_keys *q, size_t *at, size_t *len) {
    for (size_t i = 0; *xk && i < q->n; i++) {
        const char *p = xk;
        size_t j = 0;
        for (; i + j < q->n && *p; j++) {
            size_t kl = strlen(q->k[i + j]);
            if (strncmp(p, q->k[i + j], kl) != 0 || p[kl] != '\n') break;
            p += kl + 1;
        }
        if (!*p) {
            *at = i, *len = j;
            return 1;
        }
    }
    return 0;
}

/* q op (the parts combined with inner): filters and negations applied to the words.
 * Frees q and the parts; NULL on out of memory. */
static ark_xq *apply_free(ark_xq *q, ark_xq_op op, ark_xq_op inner, ark_xq **parts, size_t n) {
    ark_xq *o = combine_free(inner, parts, n, 0);
    ark_xq *pair[2] = {q, o};
    ark_xq *r = o ? got(ark_xq_combine(op, pair, 2, 0)) : NULL;
    ark_xq_free(q);
    ark_xq_free(o);
    return r;
}

/* explain=1 (issue 15): keep a copy of q, one of the parts the top-level OR sums, with
 * what was typed for it in query syntax (NULL: formatting it ran out of memory). */
static void keep_part(qbuild *b, const ark_xq *q, const char *label) {
    if (!q) return;
    if (!label) { /* an explanation with a part unnamed is no explanation */
        b->oom = 1;
        return;
    }
    if (b->nxparts == b->cap_xparts) {
        size_t cap = b->cap_xparts ? 2 * b->cap_xparts : 8;
        struct ark_xpart *v = realloc(b->xparts, cap * sizeof *v);
        if (!v) { b->oom = 1; return; }
        b->xparts = v;
        b->cap_xparts = cap;
    }
    ark_xq *c = got(ark_xq_copy(q));
    char *l = ark_dupz(label, strlen(label));
    if (!c || !l) {
        ark_xq_free(c);
        free(l);
        b->oom = 1;
        return;
    }
    b->xparts[b->nxparts++] = (struct ark_xpart){c, l};
}

/* AND node: the words are all optional, OR'ed; boosts for passages that hold all of
 * them, hold them close together, or sit under a heading or title that holds them;
 * negatives AND_NOT; filters FILTER. */
static ark_xq *and_query(qbuild *b, ark_qnode *const *kids, size_t nkids) {
    ark_xq *pos[80], *neg[64], *fil[64];
    size_t np = 0, nn = 0, nf = 0;
    ark_xq *stopq[16];
    size_t nstop = 0;
    char *label[80] = {0}, *stoplabel[16] = {0}; /* explain=1: what was typed for each */
    b->and_depth++;
    char stems[64][ARK_MAX_TERM + 2], exacts[64][ARK_MAX_TERM + 2];
    int adjacent[64]; /* word i follows word i-1 directly in the query */
    size_t nstems = 0, prev_word = (size_t)-1;
    word_keys *keys = b->e->syn ? calloc(1, sizeof *keys) : NULL;
    if (b->e->syn && !keys) b->oom = 1;
    for (size_t i = 0; i < nkids && !b->oom && np < 60 && nn < 60 && nf < 60; i++) {
        const ark_qnode *k = kids[i];
        ark_xq *q = NULL;
        size_t first_key = keys ? keys->n : 0;
        if (keys && !k->negated && k->kind == ARK_Q_WORD) add_keys(b->e, keys, k->text);
        if (keys && !k->negated && k->kind == ARK_Q_PHRASE)
            for (size_t w = 0; w < k->nwords; w++) add_keys(b->e, keys, k->words[w]);
        if (k->kind == ARK_Q_FILTER) {
            if (!(q = filter_query(b->e, k))) { b->oom = 1; break; }
            /* the case number is marked where the text cites it */
            if (!k->negated && strcmp(k->field, "sag") == 0) remember_case(b, k->text);
            if (k->negated) neg[nn++] = q;
            else fil[nf++] = q;
            continue;
        }
        size_t first_word = b->nwords;
        if (k->kind == ARK_Q_WORD || k->kind == ARK_Q_PREFIX)
            q = text_query(b, k->text, k->kind == ARK_Q_PREFIX, 0, k->negated, 0);
        else
            q = node_query(b, k, k->negated);
        if (!q) continue;
        if (k->negated) {
            neg[nn++] = q;
            continue;
        }
        /* one typed word (what it only marks aside: a hyphenated word's pieces) */
        size_t typed = 0, one = first_word;
        for (size_t j = first_word; j < b->nwords; j++)
            if (!b->words[j].mark_only && typed++ == 0) one = j;
        /* a lone stop word counts little; everything else counts fully and in the boosts */
        int stop = k->kind == ARK_Q_WORD && typed == 1 && is_stopword(b->words[one].exact);
        if (stop) {
            /* a stop word may raise a passage, never bring one in on its own */
            if (nstop < 16) {
                if (b->explain) stoplabel[nstop] = ark_query_format(k);
                stopq[nstop++] = scale_free(q, W_STOP);
            } else ark_xq_free(q);
            continue;
        }
        if (b->explain) label[np] = ark_query_format(k);
        pos[np++] = q;
        for (size_t j = first_key; keys && j < keys->n; j++) keys->pos[j] = (int)(np - 1);
        if (!q) continue;
        if (k->kind == ARK_Q_WORD && typed == 1) {
            const ark_qword *w = &b->words[one];
            if (nstems < 64) {
                memcpy(stems[nstems], w->stem, sizeof w->stem);
                memcpy(exacts[nstems], w->exact, sizeof w->exact);
                adjacent[nstems] = prev_word == i - 1 && i > 0;
                nstems++;
            }
            prev_word = i;
        }
    }
    /* The typed words come first in pos; the alternatives below are only extra ways in.
     * Boosts for holding all the words, near each other, or in the heading or title are
     * not Xapian subqueries: AND_MAYBE boosts stop Xapian from skipping passages that
     * cannot reach the page (callgrind on 100 MB: 2.7x the instructions), so run()
     * applies them to the candidates instead (rerank_bonus). */
    /* "skole mad", "innovation ansvar": two typed words that the index knows as one
     * compound (with a linking s or e) also meet that compound, as strongly as a phrase */
    for (size_t i = 1; i < nstems && np < 70; i++) {
        if (!adjacent[i]) continue;
        static const char *const link[] = {"", "s", "e"};
        for (size_t l = 0; l < 3; l++) {
            char joined[ARK_MAX_TERM + 2];
            int jl = snprintf(joined, sizeof joined, "%s%s%s", exacts[i - 1], link[l], exacts[i]);
            if (jl <= 0 || (size_t)jl >= sizeof joined) continue;
            ark_token tok = {joined, (size_t)jl, 0, ARK_TOK_WORD, 0};
            ark_qword w;
            ark_qword_init(&w, b->e->an, &tok, 0);
            /* known as typed or in another inflection ("mad fællesskab" → madfællesskabet) */
            if (freq_of(b, w.exact) == 0 && freq_of(b, w.stem) == 0) continue;
            w.via = ARK_VIA_COMPOUND;
            remember(b, &w);
            /* its own term, rarer than either word, weighs about what the two do; scaled
             * up, a compound beat the words as typed apart (issue 14, class 7) */
            if (b->explain) label[np] = ark_dupz(w.exact, strlen(w.exact));
            pos[np++] = word_query(b, &w);
            break;
        }
    }
    /* acronyms for expansions typed in full */
    const ark_synonyms *syn = b->e->syn;
    /* The acronym stands for all the words of its expansion: it is an alternative of each
     * of them, so a passage that only has "ReVUS" meets "regional vækst- og
     * udviklingsstrategi" as fully as one that has the words (not as one word of three). */
    for (size_t i = 0; syn && keys && i < syn->n && np < 79; i++)
        for (size_t j = 0, at, len; j < syn->v[i].nexpansions; j++)
            if (expansion_in(syn->v[i].keys[j], keys, &at, &len)) {
                int last = -1, any = 0;
                for (size_t k = at; k < at + len; k++) {
                    int p = keys->pos[k];
                    if (p < 0 || p == last) continue;
                    ark_xq *alt[2] = {pos[p], term(syn->v[i].acronym, W_SYN)};
                    pos[p] = combine_free(ARK_XQ_OR, alt, 2, 0);
                    last = p;
                    any = 1;
                }
                if (!any) {
                    if (b->explain) label[np] = ark_dupz(syn->v[i].acronym, strlen(syn->v[i].acronym));
                    pos[np++] = term(syn->v[i].acronym, W_SYN);
                }
                int via = b->via;
                b->via = ARK_VIA_ACRONYM;
                remember_marks(b, syn->v[i].acronym); /* "ØKF" marked for Økonomiforvaltningen */
                b->via = via;
                break;
            }
    free(keys);
    if (b->explain && b->and_depth == 1) { /* the parts the top-level OR sums */
        for (size_t i = 0; i < np; i++) keep_part(b, pos[i], label[i]);
        for (size_t i = 0; i < nstop; i++) keep_part(b, stopq[i], stoplabel[i]);
    }
    for (size_t i = 0; b->explain && i < 80; i++) free(label[i]);
    for (size_t i = 0; b->explain && i < 16; i++) free(stoplabel[i]);
    b->and_depth--;
    ark_xq *stops = NULL; /* raise a passage (AND_MAYBE), never bring one in */
    if (np == 0 && nstop) { /* nothing but stop words: then they are the query */
        memcpy(pos, stopq, nstop * sizeof *stopq);
        np = nstop;
    } else if (nstop) {
        stops = combine_free(ARK_XQ_OR, stopq, nstop, 0);
    }
    ark_xq *q = NULL;
    if (np == 0) q = (nf || nn) ? got(ark_xq_match_all()) : NULL;
    else q = combine_free(ARK_XQ_OR, pos, np, 0);
    if (q && stops) {
        ark_xq *pair[2] = {q, stops};
        ark_xq *r = got(ark_xq_combine(ARK_XQ_AND_MAYBE, pair, 2, 0));
        if (r) {
            ark_xq_free(q);
            q = r;
        }
    }
    ark_xq_free(stops);
    if (q && nf) {
        q = apply_free(q, ARK_XQ_FILTER, ARK_XQ_AND, fil, nf);
        nf = 0;
    }
    if (q && nn) {
        q = apply_free(q, ARK_XQ_AND_NOT, ARK_XQ_OR, neg, nn);
        nn = 0;
    }
    for (size_t i = 0; i < nf; i++) ark_xq_free(fil[i]);
    for (size_t i = 0; i < nn; i++) ark_xq_free(neg[i]);
    return q;
}

static ark_xq *node_query(qbuild *b, const ark_qnode *n, int negated) {
    switch (n->kind) {
    case ARK_Q_AND: return and_query(b, n->kids, n->nkids);
    case ARK_Q_OR: {
        ark_xq *v[64];
        size_t k = 0;
        for (size_t i = 0; i < n->nkids && k < 64; i++) {
            ark_qnode *const one[1] = {n->kids[i]};
            ark_xq *q = and_query(b, one, 1);
            if (q) v[k++] = q;
        }
        return k ? combine_free(ARK_XQ_OR, v, k, 0) : NULL;
    }
    case ARK_Q_PHRASE: {
        ark_xq *parts[32];
        size_t np = 0, mark = b->nexacts;
        int outer = phrase_begin(b, negated);
        b->phrase_depth++;
        for (size_t i = 0; i < n->nwords && np < 32; i++)
            token_queries(b, n->words[i], 0, 1, negated, 0, parts, &np, 32);
        b->phrase_depth--;
        phrase_end(b, outer);
        ark_xq *q = np == 0 ? NULL : np == 1 ? parts[0] : combine_free(ARK_XQ_PHRASE, parts, np, 0);
        q = weights_back(b, q, mark);
        if (!q) return NULL;
        /* "one stop shop" also meets the hyphenated "one-stop-shop" */
        if (q && n->nwords >= 2) {
            ark_buf j = ARK_BUF_INIT;
            for (size_t i = 0; i < n->nwords; i++) {
                if (i) ark_buf_putc(&j, '-');
                ark_buf_puts(&j, n->words[i]);
            }
            char low[ARK_MAX_TERM + 1];
            size_t ll = j.data ? ark_lower(j.data, j.len, low, sizeof low) : 0;
            ark_buf_free(&j);
            if (ll && !strpbrk(low, " \"") && freq_of(b, low) > 0) {
                ark_xq *alt[2] = {q, term(low, W_EXACT + W_STEM)};
                q = combine_free(ARK_XQ_OR, alt, 2, 0);
            }
        }
        return q;
    }
    default: {
        ark_qnode *const one[1] = {(ark_qnode *)n};
        return and_query(b, one, 1);
    }
    }
}

ark_xq *ark_compile(qbuild *b, const ark_qnode *tree) {
    alloc_failed = 0;
    wildcard_left = WILDCARD_BUDGET;
    wildcard_db = b->e->db;
    ark_xq *q = node_query(b, tree, 0);
    wildcard_db = NULL;
    if (alloc_failed || b->rc) {
        ark_xq_free(q);
        b->oom |= alloc_failed;
        return NULL;
    }
    return q;
}

ark_xq *ark_compile_filters(ark_engine *e, ark_xq *q, const ark_search_req *req) {
    alloc_failed = 0;
    const struct { const char *field, *value; } f[] = {
        {"type", req->type}, {"dato", req->date}, {"sag", req->case_no},
        {"udvalg", req->committee}, {"doc", req->doc}};
    ark_xq *fil[5];
    size_t nf = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!f[i].value) continue;
        ark_qnode n = {.kind = ARK_Q_FILTER, .field = (char *)f[i].field,
                       .text = (char *)f[i].value};
        if (!(fil[nf++] = filter_query(e, &n))) {
            for (size_t k = 0; k + 1 < nf; k++) ark_xq_free(fil[k]);
            ark_xq_free(q);
            return NULL;
        }
    }
    if (!nf) return q;
    if (!q && !(q = got(ark_xq_match_all()))) {
        for (size_t k = 0; k < nf; k++) ark_xq_free(fil[k]);
        return NULL;
    }
    q = apply_free(q, ARK_XQ_FILTER, ARK_XQ_AND, fil, nf);
    if (alloc_failed) {
        ark_xq_free(q);
        return NULL;
    }
    return q;
}

int ark_req_filtered(const ark_search_req *req) {
    return req->type || req->date || req->case_no || req->committee || req->doc;
}

int ark_prepare(ark_engine *e, const char *q, const ark_search_req *req, ark_prepared *out,
                ark_err *err) {
    memset(out, 0, sizeof *out);
    if (!(out->b = calloc(1, sizeof *out->b))) return ark_err_set(err, ARK_ENOMEM, "query");
    out->b->e = e;
    out->b->explain = req->explain;
    int rc = ark_engine_table(e, err); /* the acronyms, once after an open */
    if (!rc) rc = ark_query_parse(q, strlen(q), &out->tree, err);
    if (rc) return rc;
    out->xq = ark_compile(out->b, out->tree);
    if (out->b->oom) return ark_err_set(err, ARK_ENOMEM, "query");
    if (out->b->rc) {
        if (err) *err = out->b->err;
        return out->b->rc;
    }
    out->searchable = out->xq != NULL;
    /* explain=1 and a query whose root is no AND (a phrase alone): the whole is its one
     * part */
    if (out->b->explain && !out->b->nxparts && out->xq) {
        char *whole = ark_query_format(out->tree);
        keep_part(out->b, out->xq, whole);
        free(whole);
        if (out->b->oom) return ark_err_set(err, ARK_ENOMEM, "query");
    }
    if (req->case_no) remember_case(out->b, req->case_no);
    if (!out->xq && !ark_req_filtered(req)) return 0;
    if (!(out->xq = ark_compile_filters(e, out->xq, req))) return ark_err_set(err, ARK_ENOMEM, "query");
    return 0;
}

void ark_prepared_free(ark_prepared *p) {
    ark_xq_free(p->xq);
    ark_qnode_free(p->tree);
    for (size_t i = 0; p->b && i < p->b->nxparts; i++) {
        ark_xq_free(p->b->xparts[i].q);
        free(p->b->xparts[i].label);
    }
    for (size_t i = 0; p->b && i < p->b->nexacts; i++) ark_xq_free(p->b->exacts[i]);
    if (p->b) free(p->b->xparts);
    if (p->b) free(p->b->exacts);
    free(p->b);
    memset(p, 0, sizeof *p);
}
