/* include/arkivar/analysis.h: the Danish analysis chain, one for index, query and highlight.
 * Owns: tokenizing NFC UTF-8 with byte offsets, lowercasing, folding (æ/ø/å ↔ ae/oe/aa),
 * Snowball danish stemming, and splitting compounds against a word list.
 * Not here: normalization of damaged text (text.h), Xapian (index.h).
 * Why: the same tokens must produce index terms, query terms and highlight offsets,
 * so `samarbejdet` is highlighted for the query `samarbejde`.
 *
 * Term prefixes written to the index (see ark_an_terms):
 *   (none)  exact lowercase form            "københavns"       counted, no position (a
 *                                                              word's stem holds them);
 *                                                              positional for stop words,
 *                                                              numbers, e-mail addresses
 *                                                              and URLs
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

/* The tokenizer's state: the caller's (on its stack), read through ark_tok_next only;
 * nothing to free. */
typedef struct ark_tok {
    const char *text;
    size_t len, at;
    uint32_t pos;
} ark_tok;

/* ---- Tokens, lowercase, folding: no analyzer needed, none can fail ---------------- */

/* Start tokenizing text[0, len). text is borrowed: it must outlive t and every token
 * taken from it; it need not be NUL-terminated, and is never read at or past len.
 * text NULL gives no tokens. t: the caller's, not NULL. */
void ark_tok_init(ark_tok *t, const char *text, size_t len);

/* The next token: 1 and *out filled, or 0 at the end (and at every call after it).
 * Hyphenated compounds like "EAT-skolemadsordningen" stay one WORD token; a hanging
 * hyphen ("tech-", "-samarbejder") is not part of the word. out->p is borrowed from the
 * text given to ark_tok_init. t and out: the caller's, not NULL. */
int ark_tok_next(ark_tok *t, ark_token *out);

/* Lowercase s[0, len) (utf8proc_tolower per character, recomposed to NFC) into out, a
 * buffer of cap bytes; every apostrophe (’ ‘ ʼ ´) becomes ASCII ', so "KL's" typed
 * meets "KL’s" printed, and superscript and subscript digits become 0-9 ("m²" → "m2"); invalid UTF-8 bytes are dropped, so the output is always valid
 * UTF-8. Writes a NUL and returns the byte length before it, cut at a character boundary
 * when cap is short. out NULL or cap 0: writes nothing, returns 0. s need not be
 * NUL-terminated (NULL only with len 0). */
size_t ark_lower(const char *s, size_t len, char *out, size_t cap);

/* Fold an already-lowercased form for people without a Danish keyboard:
 * æ→ae, ø→o, oe→o, å→a, aa→a, ä→ae, ö→o, ü→u, é→e, è→e … so that "kobenhavn",
 * "koebenhavn" and "københavn" share one key. Into out (cap bytes, NUL-terminated, cut at
 * a character boundary when short); returns the byte length written. Invalid bytes are
 * dropped. out NULL or cap 0: returns 0. lower need not be NUL-terminated. */
size_t ark_fold(const char *lower, size_t len, char *out, size_t cap);

/* ---- The analyzer: stemmer + compound dictionary ---------------------------------- */

/* Opaque. One per thread: its stemmer and split memo are not thread-safe; clones share
 * the word list. */
typedef struct ark_an ark_an;

/* A new analyzer with the word list at words_path, one word a line (NULL or "": the
 * default /usr/share/dict/danish). A missing file is not an error: compounds then rely on
 * the vocabulary added with ark_an_add_word. *out is transferred: free it with
 * ark_an_free. Returns 0, or, with the reason in err (may be NULL) and *out NULL:
 *   ARK_EINVAL  out is NULL, or the word list is not a regular file under 1 GiB
 *   ARK_EIO     the word list exists but cannot be opened, stat'ed or mapped
 *   ARK_ENOMEM  out of memory (the stemmer, the word set, the split memo) */
int ark_an_new(const char *words_path, ark_an **out, ark_err *err);

/* Free an analyzer from ark_an_new or ark_an_clone; the word list goes with the last
 * analyzer that shares it. NULL is accepted. */
void ark_an_free(ark_an *an);

/* A new analyzer sharing an's word list (cheap: its own stemmer and split memo; the word
 * list is reference-counted and frozen from now on, see ark_an_add_word). For one analyzer
 * per thread. *out is transferred (ark_an_free), in any order with an. Returns 0, or,
 * with the reason in err (may be NULL) and *out not written:
 *   ARK_EINVAL  an or out is NULL
 *   ARK_ENOMEM  out of memory */
int ark_an_clone(const ark_an *an, ark_an **out, ark_err *err);

/* Add a lowercased word (lower[0, len), copied) to the compound vocabulary, e.g. from the
 * corpus itself. A word longer than ARK_MAX_TERM or with anything but letters can never
 * be a compound part and is skipped (returns 0). Not thread-safe: call before cloning.
 * Returns 0, or:
 *   ARK_EINVAL  an or lower is NULL, or an's word list is already shared with a clone
 *   ARK_ENOMEM  out of memory (the vocabulary is unchanged) */
int ark_an_add_word(ark_an *an, const char *lower, size_t len);

/* 1 if the lowercased word lower[0, len) is in the word list itself (not only learned
 * from the corpus): a real Danish word, so a spelling correction must not replace it
 * unasked. 0 otherwise, and when an or lower is NULL. Safe on clones in many threads. */
int ark_an_is_word(const ark_an *an, const char *lower, size_t len);

/* 1 if the lowercased word lower[0, len) is a stop word (lib/analysis/stop.c): one that
 * carries little meaning alone ("og", "det", "hvornår", "får"). */
int ark_an_is_stopword(const char *lower, size_t len);
/* 1 if the stop word list is in strcmp order (its binary search needs it); for tests. */
int ark_an_stopwords_sorted(void);

/* Snowball danish stem of the lowercased word lower[0, len) into out (cap bytes,
 * NUL-terminated, cut at a character boundary when short); returns its length. Cannot
 * fail: an NULL, a word over 4 * ARK_MAX_TERM bytes, or a stemmer out of memory gives the
 * word itself. out NULL or cap 0: returns 0. */
size_t ark_an_stem(ark_an *an, const char *lower, size_t len, char *out, size_t cap);

/* Split a lowercased word into compound parts (each at least 3 letters, linking s/e
 * dropped), e.g. "skolemadsordningen" → skole, mad, ordningen, into parts[0, n) as
 * NUL-terminated copies; parts is the caller's array of max entries. Returns n, 2 to
 * max; 0 when the word is no compound, has a non-letter, is under 7 letters or over
 * ARK_MAX_TERM bytes, needs more than max parts, when max < 2, an or lower is NULL, or
 * the word list is empty. Cannot fail. */
size_t ark_an_split(ark_an *an, const char *lower, size_t len,
                    char parts[][ARK_MAX_TERM + 1], size_t max);

/* ---- The forms of a word: one producer for the index and the query ---------------- */

#define ARK_FORMS_MAX_PARTS 8 /* a compound with more parts gets none */
/* The canonical form of a number, lowercase low[0, n) of digits and '.' or ',' between
 * them, as Danish writes amounts: thousands without a separator, a decimal comma
 * ("900.000" → "900000", "1.5" → "1,5", "1.234,5" → "1234,5", "12,500,000" →
 * "12500000"). Into out (cap bytes, NUL-terminated); returns its length, or 0 when the
 * form is already canonical ("1,5", "150") or not such a number ("29.05.2019"). The
 * indexer writes this form beside the number as written, and a query asks for it. */
size_t ark_number_canon(const char *low, size_t n, char *out, size_t cap);

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
    char lemma_stem[ARK_MAX_TERM + 1]; /* the stem of the word's lemma when an e dropped
                                          out of it ("regler" → "regel"; a compound's last
                                          part too: "udviklingsmidler" → "udviklingsmiddel"):
                                          a second Z term; "" when none or the same stem */
    size_t lemma_stem_len;
    size_t nparts; /* compound parts; 0 unless ARK_FORMS_PARTS and the word is a compound */
    char parts[ARK_FORMS_MAX_PARTS][ARK_MAX_TERM + 1]; /* stem of each part: P terms */
    size_t part_len[ARK_FORMS_MAX_PARTS];
    size_t part_at[ARK_FORMS_MAX_PARTS][2]; /* the part as written: bytes [0], [1] of exact */
} ark_forms;

/* Compute, once, every form of the lowercased word lower[0, len) into *out (what:
 * 0 or ARK_FORMS_PARTS). All forms are filled whatever letters and folds say, so the
 * query side may ask for terms the index lacks; which forms become index terms is
 * ark_an_terms's rule. Cannot fail. an NULL: each stem is the word itself, no parts.
 * lower: borrowed for the call, need not be NUL-terminated, not NULL; out: the
 * caller's, not NULL. */
void ark_an_forms(ark_an *an, const char *lower, size_t len, unsigned what, ark_forms *out);

/* ---- Index terms -------------------------------------------------------------------- */

/* Receives one term: term[0, len) is NUL-terminated, at most ARK_MAX_TERM bytes with its
 * prefix, and borrowed: valid only during the call. pos is the token's position, or
 * ARK_NOPOS for a term that is only counted (see the prefixes at the top of this file). */
#define ARK_NOPOS UINT32_MAX
typedef void (*ark_term_fn)(const char *term, size_t len, uint32_t pos, void *user);

/* The index terms of one token, with their prefixes (see the top of this file) and
 * deduplicated: calls emit(term, len, tok->pos, user) for each, in a fixed order (for a
 * word: exact, Z, F, P; the pieces of a hyphenated word after the whole). The forms come
 * from ark_an_forms. Cannot fail. an, tok, tok->p or emit NULL: no call. */
void ark_an_terms(ark_an *an, const ark_token *tok, ark_term_fn emit, void *user);

/* 1 when the exact form of a token of this kind with these forms is written without
 * positions: a word's stem stands at each of its positions (an exact form is one
 * inflection of its stem), so a phrase is placed by the stems, and the index keeps a
 * third fewer positions. 0 for stop words (a phrase takes them as typed, and "dette"
 * and "det" have one stem), numbers, e-mail addresses, URLs and words without a letter
 * (no stem). The one rule for the indexer and the query. */
int ark_an_exact_counted(ark_tok_kind kind, const ark_forms *f);

/* The written forms of a word token (WORD, ACRONYM, ALNUM; others have none), as W
 * terms (schema.h), for completions that keep the records' case: emit(term, len,
 * tok->pos, user) for the token and the bare form before an apostrophe, or for each
 * piece of a hyphenated word (as ark_an_terms has their exact terms), when the
 * text writes it otherwise than its exact term or a hyphen follows it (text[0,
 * text_len) is what tok was taken from, so the byte after the token can be read).
 * Once per token each; at most ARK_MAX_WRITTEN bytes, a longer form has none. Cannot
 * fail. */
void ark_an_written(const ark_token *tok, const char *text, size_t text_len, ark_term_fn emit,
                    void *user);

/* ---- Where a term stands in its token: for highlights ------------------------------ */

/* Receives one term as ark_term_fn does, with the bytes of the token it comes from:
 * tok->p[start, end), on character boundaries. That is the whole token for its exact
 * form, stem and folds; a hyphen piece ("skolemadsordningen" in
 * "EAT-skolemadsordningen") for the piece's terms; a compound part ("samarbejder" in
 * "leverandørsamarbejder") for a P term. */
typedef void (*ark_span_fn)(const char *term, size_t len, size_t start, size_t end,
                            void *user);

/* The terms of ark_an_terms, the same ones in the same order, each with its bytes in
 * the token. When the token's lowercase form is not its characters lowercased one by
 * one (ark_lower_map fails), every span is the whole token. Cannot fail; the NULL
 * cases of ark_an_terms. Costs more than ark_an_terms: for the few tokens a highlight
 * looks at, not for indexing. */
void ark_an_term_spans(ark_an *an, const ark_token *tok, ark_span_fn emit, void *user);

/* Where each byte of low[0, ll), the ark_lower of s[0, len) (or the start of it, when
 * it was cut), comes from in s: map[i] is the offset in s of the character that byte i
 * belongs to, map[ll] the end in s of what low covers; map has ll + 1 entries. Returns
 * 1, or 0 (map unusable) when low is not s lowercased character by character, which
 * NFC recomposition across characters can cause. */
int ark_lower_map(const char *s, size_t len, const char *low, size_t ll, uint32_t *map);

#endif
