/* tests/test_record.c: the stored form of passages and documents round-trips. */
#include "arkivar/record.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

int main(void) {
    ark_buf enc = ARK_BUF_INIT, scratch = ARK_BUF_INIT;
    ark_prec in = {"000_92fe6cf18886d868.txt", 24, 7, 1234, 1500, 40, 44, 3,
                   "Ad 1: Hvordan er innovationsansvar", 34, "Kort tekst om æøå.", 21, 4};
    E(ark_prec_encode(&in, &enc));
    ark_prec out;
    E(ark_prec_decode(enc.data, enc.len, &out, &scratch, NULL));
    ok(out.ordinal == 7 && out.start == 1234 && out.end == 1500 && out.line_start == 40 &&
           out.line_end == 44 && out.page == 3 && out.page_end == 4,
       "numbers round-trip (pages 3-4)");
    {   /* a record written before page_end (magic 0xA2) reads with page_end = page */
        const unsigned char old[] = {0xA2, 1, 2, 3, 4, 5, 6, 1, 'a', 0, 1, 'x'};
        ark_prec o;
        ok(ark_prec_decode((const char *)old, sizeof old, &o, NULL, NULL) == 0 && o.page == 6 &&
               o.page_end == 6 && o.text_len == 1,
           "an older passage record still decodes, page_end = page");
    }
    ok(out.doc_id_len == 24 && memcmp(out.doc_id, in.doc_id, 24) == 0, "doc id round-trips");
    ok(out.text_len == in.text_len && memcmp(out.text, in.text, in.text_len) == 0,
       "short text round-trips");

    /* long text is deflated and still round-trips */
    char *longt = malloc(5000);
    for (int i = 0; i < 5000; i++) longt[i] = "samarbejde om innovation "[i % 25];
    in.text = longt;
    in.text_len = 5000;
    ark_buf_reset(&enc);
    E(ark_prec_encode(&in, &enc));
    ok(enc.len > 5000 && enc.len < 5100, "text stored as is: Xapian compresses data (%zu bytes)", enc.len);
    E(ark_prec_decode(enc.data, enc.len, &out, &scratch, NULL));
    ok(out.text_len == 5000 && memcmp(out.text, longt, 5000) == 0, "long text round-trips");

    /* corrupt input: every truncation is refused, never a crash */
    int all = 1;
    for (size_t cut = 0; cut < enc.len; cut++)
        if (ark_prec_decode(enc.data, cut, &out, &scratch, NULL) != ARK_EINVAL) all = 0;
    ok(all, "every truncation of a record is refused with ARK_EINVAL");
    free(longt);

    ark_drec d = {.bytes = 8957, .mtime = 1, .npassages = 30, .title = "Svar\ttil", .type = "svar",
                  .date = "2026-06-24", .committee = "", .addressee = "Emil",
                  .case_numbers = "2026-0179043,2026-11781", .root = "/srv/sager",
                  .format = "pdf", .url = "https://kk.dk/a", .fields = "k=v\x1fjournal=A 1\x1f"};
    ark_content_hash("abc", 3, d.hash);
    ok(strlen(d.hash) == 32, "content hash is 32 hex chars");
    char h2[33];
    ark_content_hash("abd", 3, h2);
    ok(strcmp(d.hash, h2) != 0, "a one-byte change changes the hash");
    ark_buf_reset(&enc);
    E(ark_drec_encode(&d, &enc));
    ark_drec back;
    E(ark_drec_decode(enc.data, enc.len, &back, NULL));
    is_str(back.title, "Svar til", "a tab inside a field cannot shift the fields");
    is_str(back.case_numbers, "2026-0179043,2026-11781", "case numbers round-trip");
    is_str(back.date, "2026-06-24", "date round-trips");
    ok(back.npassages == 30 && back.bytes == 8957, "numbers round-trip");
    is_str(back.root, "/srv/sager", "the root round-trips");
    ok(!strcmp(back.format, "pdf") && !strcmp(back.url, "https://kk.dk/a") &&
           !strcmp(back.fields, "k=v\x1fjournal=A 1\x1f"),
       "format, url and free fields round-trip (v3)");
    char v2[] = "v2\t0123456789abcdef0123456789abcdef\t1\t2\t3\tT\tsvar\t\t\t\t\t/srv";
    E(ark_drec_decode(v2, strlen(v2), &back, NULL));
    ok(!strcmp(back.root, "/srv") && !*back.format && !*back.url && !*back.fields,
       "a v2 record still decodes: format, url and fields \"\"");
    char v1[] = "v1\t0123456789abcdef0123456789abcdef\t1\t2\t3\tT\tsvar\t\t\t\t";
    E(ark_drec_decode(v1, strlen(v1), &back, NULL));
    ok(back.npassages == 3 && strcmp(back.root, "") == 0, "a v1 record (no root) still decodes, root \"\"");
    char bad[] = "v2\tjunk";
    ok(ark_drec_decode(bad, strlen(bad), &back, NULL) == ARK_EINVAL, "a bad record is refused");
    ark_buf_free(&enc);
    ark_buf_free(&scratch);
    return done_testing();
}
