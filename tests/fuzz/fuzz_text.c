/* tests/fuzz/fuzz_text.c: libFuzzer target for normalization and segmentation.
 * Any bytes (a damaged extraction) must normalize and segment, the cuts must be sorted,
 * disjoint and inside the text, and every passage's text must equal the normalization of
 * its own byte range with the cuts inside it as line breaks: provenance holds for any
 * input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *out = NULL;
    size_t out_len = 0;
    uint32_t *map = NULL;
    if (ark_norm((const char *)data, size, &out, &out_len, &map) != 0) abort();
    for (size_t i = 0; i + 1 <= out_len; i++)
        if (map[i] > size || (i && map[i] < map[i - 1])) abort();
    free(out);
    free(map);

    ark_source src = {0};
    src.bytes = malloc(size + 1);
    if (!src.bytes) return 0;
    memcpy(src.bytes, data, size);
    src.bytes[size] = '\0';
    src.len = size;
    ark_passages ps = {0};
    if (ark_segment(&src, &ps, NULL) == 0) {
        for (size_t c = 0; c < ps.ncuts; c++)
            if (ps.cuts[c].start >= ps.cuts[c].end || ps.cuts[c].end > size ||
                (c && ps.cuts[c].start < ps.cuts[c - 1].end))
                abort();
        char *joined = malloc(size + 1);
        if (!joined) abort();
        for (size_t i = 0; i < ps.n; i++) {
            const ark_passage *p = &ps.v[i];
            if (p->start > p->end || p->end > size) abort();
            size_t n = 0, at = p->start;
            for (size_t c = 0; c < ps.ncuts; c++) {
                if (ps.cuts[c].start <= p->start || ps.cuts[c].end >= p->end) continue;
                memcpy(joined + n, src.bytes + at, ps.cuts[c].start - at);
                n += ps.cuts[c].start - at;
                joined[n++] = '\n';
                at = ps.cuts[c].end;
            }
            memcpy(joined + n, src.bytes + at, p->end - at);
            n += p->end - at;
            char *t = NULL;
            size_t tl = 0;
            if (ark_norm(joined, n, &t, &tl, NULL) != 0) abort();
            if (tl != p->text_len || memcmp(t, p->text, tl) != 0) abort();
            free(t);
        }
        free(joined);
        ark_meta m = {0};
        if (ark_meta_extract(&src, &ps, &m, NULL) == 0) ark_meta_free(&m);
    }
    ark_passages_free(&ps);
    ark_source_free(&src);
    return 0;
}
