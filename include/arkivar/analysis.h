/* include/arkivar/analysis.h: the Danish analysis chain, one for index, query and highlight.
 * Owns: tokenizing NFC UTF-8 with byte offsets, lowercasing, folding (æ/ø/å ↔ ae/oe/aa),
 * Snowball danish stemming, and splitting compounds against a word list.
 * Not here: normalization of damaged text (text.h), Xapian (index.h).
 * Why: the same tokens must produce index terms, query terms and highlight offsets,
 * so `samarbejdet` is highlighted for the query `samarbejde`.
 *
 * Term prefixes written to the index (see ark_an_terms):
 *   (none)  exact lowercase form            "københavns"       positional
 *   Z       Snowball stem of the form       "Zkøbenhavn"       positional
 *   F       folded stem (ø→o, æ→ae, å→a …)  "Fkobenhavn"       counted, no position
 *           and folded form                 "Fkobenhavns"      (only for words that folding
 *                                                              changes)
 *   P       stem of a compound part         "Pskole" "Pmad"    counted, no position
 */
#ifndef ARKIVAR_ANALYSIS_H
#define ARKIVAR_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"
#include "arkivar/schema.h"


typedef enum ark_tok_kind {
    ARK_TOK_WORD = 1,   /* letters (may hold inner hyphens: "6-by-samarbejde") */
    ARK_TOK_NUMBER,     /* 2026-0179043, 1,1, 150, 46, 2023-27 */
    ARK_TOK_ALNUM,      /* CO2, F2, TechBBQ2 */
    ARK_TOK_ACRONYM,    /* ØU, KK, ReVUS (2+ letters, 2+ capitals) */
    ARK_TOK_EMAIL,      /* name@kk.dk */
    ARK_TOK_URL,        /* https://…, www.… */
} ark_tok_kind;

typedef struct ark_token {
    const char *p;    /* borrowed: points into the tokenized text */
    size_t len;       /* byte length in the original text */
    size_t start;     /* byte offset of p in the text */
    ark_tok_kind kind;
    uint32_t pos;     /* 0-based token position (for phrases) */
} ark_token;

typedef struct ark_tok {
    const char *text;
    size_t len, at;
    uint32_t pos;
} ark_tok;

/* Tokenize text[0, len); borrowed: text must outlive the tokenizer. Never reads past len. */
void ark_tok_init(ark_tok *t, const char *text, size_t len);
/* Next token: 1 and *out filled, or 0 at the end. Hyphenated compounds like
 * "EAT-skolemadsordningen" stay one WORD token; a hanging hyphen ("tech-", "-samarbejder")
 * is not part of the word. */
int ark_tok_next(ark_tok *t, ark_token *out);

/* Lowercase (Unicode case folding, NFC) of s into out (size cap, NUL-terminated);
 * returns the byte length written, cut at a character boundary if cap is short. */
size_t ark_lower(const char *s, size_t len, char *out, size_t cap);

/* Fold an already-lowercased form for people without a Danish keyboard:
 * æ→ae, ø→o, oe→o, å→a, aa→a, ä→ae, ö→o, ü→u, é→e, è→e … so that "kobenhavn",
 * "koebenhavn" and "københavn" share one key. Returns the byte length written. */
size_t ark_fold(const char *lower, size_t len, char *out, size_t cap);

/* ---- The analyzer: stemmer + compound dictionary ---------------------------------- */

typedef struct ark_an ark_an; /* opaque; one per thread (the stemmer is not thread-safe) */

/* New analyzer. words_path: a word list, one word a line (NULL or "" = default
 * /usr/share/dict/danish; a missing file is not fatal, compounds then rely on the
 * vocabulary added below). Transferred: free with ark_an_free. */
int ark_an_new(const char *words_path, ark_an **out, ark_err *err);
void ark_an_free(ark_an *an);
/* Share the word list of an existing analyzer (cheap: a new stemmer, the dictionary
 * is reference-counted and read-only). For one analyzer per server thread. */
int ark_an_clone(const ark_an *an, ark_an **out, ark_err *err);

/* Add a word (lowercased) to the compound vocabulary, e.g. from the corpus itself.
 * Not thread-safe: call before cloning. */
int ark_an_add_word(ark_an *an, const char *lower, size_t len);

/* 1 if the lowercased word is in the word list itself (not only learned from the
 * corpus): a real Danish word, so a spelling correction must not replace it unasked. */
int ark_an_is_word(const ark_an *an, const char *lower, size_t len);

/* Snowball danish stem of a lowercased word into out; returns length. */
size_t ark_an_stem(ark_an *an, const char *lower, size_t len, char *out, size_t cap);

/* Split a lowercased word into compound parts (each at least 3 letters, linking s/e
 * dropped), e.g. "skolemadsordningen" → skole, mad, ordningen. Writes up to max parts
 * as NUL-terminated strings into parts[i] (each ARK_MAX_TERM+1 bytes); returns the
 * number of parts, 0 when the word is not a compound. */
size_t ark_an_split(ark_an *an, const char *lower, size_t len,
                    char parts[][ARK_MAX_TERM + 1], size_t max);

/* ---- The forms of a word: one producer for the index and the query ---------------- */

#define ARK_FORMS_MAX_PARTS 8 /* a compound with more parts gets none */
enum { ARK_FORMS_PARTS = 1 }; /* ark_an_forms: also split the word into compound parts */

/* The forms one lowercased word has in the index, unprefixed: the caller adds the prefix
 * of schema.h that says which term a form is (ARK_PFX_STEM, ARK_PFX_FOLD, ARK_PFX_PART).
 * Each string is NUL-terminated and at most ARK_MAX_TERM bytes; _len is its length. */
typedef struct ark_forms {
    char exact[ARK_MAX_TERM + 1];     /* the word itself (cut at ARK_MAX_TERM bytes) */
    size_t exact_len;
    char stem[ARK_MAX_TERM + 1];      /* Snowball stem of the word: the Z term */
    size_t stem_len;
    char fold[ARK_MAX_TERM + 1];      /* the word folded (ark_fold): an F term */
    size_t fold_len;
    char fold_stem[ARK_MAX_TERM + 1]; /* the stem folded: an F term */
    size_t fold_stem_len;
    int letters; /* 0: no letter ("6", "2026"): the index holds the exact form alone */
    int folds;   /* 1: folding changes the word, and only then has the index its F terms */
    size_t nparts; /* compound parts; 0 unless ARK_FORMS_PARTS and the word is a compound */
    char parts[ARK_FORMS_MAX_PARTS][ARK_MAX_TERM + 1]; /* stem of each part: P terms */
    size_t part_len[ARK_FORMS_MAX_PARTS];
} ark_forms;

/* Compute, once, every form of the lowercased word lower[0, len) into *out (what:
 * 0 or ARK_FORMS_PARTS). All forms are filled whatever letters and folds say, so the
 * query side may ask for terms the index lacks; which forms become index terms is
 * ark_an_terms's rule. Cannot fail. an NULL: each stem is the word itself, no parts.
 * lower: borrowed for the call, need not be NUL-terminated, not NULL; out: the
 * caller's, not NULL. */
void ark_an_forms(ark_an *an, const char *lower, size_t len, unsigned what, ark_forms *out);

/* The index terms of one token, with their prefixes (see the top of this file).
 * Calls emit(term, term_len, pos, user) for each; pos is the token's position. */
typedef void (*ark_term_fn)(const char *term, size_t len, uint32_t pos, void *user);
void ark_an_terms(ark_an *an, const ark_token *tok, ark_term_fn emit, void *user);

#endif
