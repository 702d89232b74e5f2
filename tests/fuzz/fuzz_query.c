/* tests/fuzz/fuzz_query.c: libFuzzer target for the query parser.
 * Any bytes must parse (or be refused as too long), print, and re-parse; never crash,
 * leak or read out of bounds (run under ASan/UBSan by scripts/fuzz.sh). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ark_qnode *n = NULL;
    int rc = ark_query_parse((const char *)data, size, &n, NULL);
    if (size > ARK_QUERY_MAX_BYTES) {
        if (rc != ARK_EINVAL || n) abort();
        return 0;
    }
    if (rc != 0 || !n) abort();
    char *f = ark_query_format(n);
    ark_qnode *again = NULL;
    if (!f) abort();
    /* The printed form may be longer than the input ("a|b" → "a OR b"), and then past
     * the limit: refusing it is right. Any other refusal is a bug. */
    int rc2 = ark_query_parse(f, strlen(f), &again, NULL);
    if (rc2 != 0 && !(rc2 == ARK_EINVAL && strlen(f) > ARK_QUERY_MAX_BYTES)) abort();
    free(f);
    ark_qnode_free(again);
    ark_qnode_free(n);
    return 0;
}
