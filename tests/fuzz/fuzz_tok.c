/* tests/fuzz/fuzz_tok.c: libFuzzer target for the tokenizer and index terms.
 * Tokens must lie inside the input, in order, and every term must be non-empty and
 * at most ARK_MAX_TERM bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ark_an *an;

static void check_term(const char *term, size_t len, uint32_t pos, void *user) {
    (void)pos;
    (void)user;
    if (len == 0 || len > ARK_MAX_TERM || !term) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!an && ark_an_new(NULL, &an, NULL) != 0) abort();
    char *copy = malloc(size ? size : 1); /* exactly sized: ASan sees any overread */
    if (!copy) return 0;
    memcpy(copy, data, size);
    ark_tok t;
    ark_token tok;
    size_t last = 0;
    ark_tok_init(&t, copy, size);
    while (ark_tok_next(&t, &tok)) {
        if (tok.start < last || tok.start + tok.len > size || tok.p != copy + tok.start) abort();
        last = tok.start + tok.len;
        ark_an_terms(an, &tok, check_term, NULL);
    }
    free(copy);
    return 0;
}
