/* lib/search/qword.h: one query word as the index sees it (private to lib/search).
 * Owns: the index terms a typed word can meet (exact, stem, folded, compound part,
 * compound whole) so that the Xapian query (engine.c) and the highlighter
 * (snippet.c) agree on what matches: `samarbejdet` is marked for `samarbejde`
 * exactly when the index would have matched it. The forms come from ark_an_forms, the
 * indexer's own producer; only the query policy is here (which forms to ask for). */
#ifndef ARK_SEARCH_QWORD_H
#define ARK_SEARCH_QWORD_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/analysis.h"

#define ARK_QWORD_MAX_PARTS 4

typedef struct ark_qword {
    char exact[ARK_MAX_TERM + 2]; /* lowercase form, no prefix */
    char stem[ARK_MAX_TERM + 2];  /* "Z" + stem */
    char fold[ARK_MAX_TERM + 2];  /* "F" + fold of the stem (as the index has it) */
    char fold2[ARK_MAX_TERM + 2]; /* "F" + fold of the form, "" when the same */
    char part[ARK_MAX_TERM + 2];  /* "P" + stem: the word as a part of larger compounds */
    char lemma[ARK_MAX_TERM + 2]; /* "Z" + the stem of its lemma when an e dropped out
                                     ("regler": "Zregel"), "" when none */
    char alt[ARK_MAX_TERM + 2];   /* the word in the old spelling with aa, ae, oe for å, æ,
                                     ø ("århus" → "aarhus"), "" when it has none */
    char parts[ARK_QWORD_MAX_PARTS][ARK_MAX_TERM + 2]; /* "P" + stem of its own parts */
    size_t nparts;
    int prefix;     /* prefix*: exact and fold are prefixes, the rest unused */
    int in_phrase;  /* only exact/stem count (phrases are strict) */
    int exact_counted; /* the index holds the exact form without positions: a phrase
                        * places the word by its stem (ark_an_exact_counted) */
    int stop;       /* a stop word outside a phrase: not highlighted beside real words */
    int stop_in_phrase; /* a stop word inside a phrase: matched as typed only */
    int phrase_id;  /* > 0: the word belongs to that phrase of the query ... */
    int phrase_idx; /* ... at this place (0-based) ... */
    int phrase_len; /* ... of this many words: highlighted only where the whole phrase is */
    int mark_only;  /* not typed as a word but marked where it stands (the acronym of an
                     * expansion typed in full, a filter's case number, the pieces of a
                     * hyphenated word): it never counts in the rerank's cover */
    int via;        /* how the word entered the query (ARK_VIA_*): what explain=1 says */
    /* What a token must contain to match (see ark_qword_may_match); "" = anything. */
    char need_raw[ARK_MAX_TERM + 2];  /* in its lowercase form: the stem (prefix: the form),
                                       * or the stem of one of its own parts (parts[i] + 1) */
    char need_fold[ARK_MAX_TERM + 2]; /* or, in its folded form, the folded stem */
    /* or, in its lowercase form, alt (the needle of the old spelling), or one of these:
     * the lemma's stem, and the word with its last unstressed e dropped ("regel" →
     * "regl", "middel" → "midl"), for the forms the lemma table joins to it */
    char need_lemma[ARK_MAX_TERM + 2];
    char need_elided[ARK_MAX_TERM + 2];
} ark_qword;

/* How a query word entered the query (ark_qword.via), for explain=1 (issue 15). */
enum {
    ARK_VIA_TYPED = 0,
    ARK_VIA_EXPANSION, /* an expansion of an acronym typed */
    ARK_VIA_ACRONYM,   /* the acronym of an expansion typed in full */
    ARK_VIA_COMPOUND,  /* two adjacent typed words as the compound the index knows */
    ARK_VIA_NEAR,      /* the indexed word an unknown typed word stands for */
    ARK_VIA_PIECE,     /* a piece of a hyphenated word */
};

/* Fill w from one token of the user's query. */
void ark_qword_init(ark_qword *w, ark_an *an, const ark_token *tok, int prefix);

/* The set of index terms one text token produces, for matching against qwords, each with
 * the bytes of the token it stands for (ark_an_term_spans). */
typedef struct ark_tokterms {
    char t[24][ARK_MAX_TERM + 2];
    uint32_t at[24][2]; /* term i stands for token bytes [at[i][0], at[i][1]) */
    size_t n;
} ark_tokterms;

void ark_tokterms_of(ark_an *an, const ark_token *tok, ark_tokterms *out);

/* How a text token meets a query word. A word with compound parts of its own
 * ("innovationsprojekter") also meets a passage that holds every part, as parts of
 * other compounds or as words ("projekter om innovation"), as the Xapian query does:
 * each token only says which parts it holds, and the passage decides (snippet.c). */
typedef struct ark_qmeet {
    int word;          /* the token meets the word itself: exact, stem, fold, or the word
                        * as a part of the token */
    uint32_t at[2];    /* ... at these bytes of the token (the part, the piece, or all) */
    unsigned part_p;   /* bit i: the token holds the word's own part i as a compound part */
    unsigned part_z;   /* bit i: ... as a word (its stem) */
    uint32_t part_at[ARK_QWORD_MAX_PARTS][2]; /* where part i is in the token */
} ark_qmeet;
/* Fill *m for token terms tt and query word w; 1 when the token meets w at all (the
 * word or any part), else 0. */
int ark_qword_meet(const ark_qword *w, const ark_tokterms *tt, ark_qmeet *m);

/* Can a token whose lowercase form is low and folded form fold match w at all? Every
 * index term of a token is a substring of its lowercase form (stems are prefixes of the
 * word or of its hyphen pieces, compound parts are pieces of it) and every F term a
 * substring of its folded form; so a token holding none of w's needles cannot match,
 * and its terms (stemming, compound splitting: most of a snippet's cost) need not be
 * computed. tests/test_an.c checks the substring property on the whole corpus. */
int ark_qword_may_match(const ark_qword *w, const char *low, const char *fold);
/* (fold may be the same pointer as low when the token folds to itself.) */

#endif
