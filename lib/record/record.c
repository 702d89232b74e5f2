/* lib/record/record.c: the stored form of passages and documents.
 * Owns: a small varint/length-prefixed binary layout for passages, and a
 * tab-separated line for documents.
 * Not here: compression. Xapian's glass backend deflates document data itself; a
 * second zlib pass here made the index no smaller (callgrind: 6% of the indexer's
 * instructions, docdata.glass 1,753 KB with it, 1,737 KB without, 2 MB corpus).
 * Why binary for passages: a search reads 10 to 100 of them per request; decoding
 * must be a few pointer moves, not a JSON parse. Documents are read once per result
 * and kept readable for debugging with xapian-inspect / delve. */
#include "arkivar/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PREC_MAGIC 0xA3    /* 0xA2: before page_end, still read (page_end = page) */
#define PREC_MAGIC_V1 0xA2

static int put_varint(ark_buf *b, uint64_t v) {
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) tmp[n] |= 0x80;
        n++;
    } while (v);
    return ark_buf_append(b, tmp, n);
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return -1;
        unsigned char c = *(*p)++;
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

static int put_str(ark_buf *b, const char *s, size_t n) {
    int rc = put_varint(b, n);
    return rc ? rc : ark_buf_append(b, s, n);
}

static int get_str(const unsigned char **p, const unsigned char *end, const char **s,
                   size_t *n) {
    uint64_t len;
    if (get_varint(p, end, &len) || len > (uint64_t)(end - *p)) return -1;
    *s = (const char *)*p;
    *n = (size_t)len;
    *p += len;
    return 0;
}

int ark_prec_encode(const ark_prec *p, ark_buf *out) {
    int rc = 0;
    unsigned char magic = PREC_MAGIC;
    if ((rc = ark_buf_append(out, &magic, 1))) return rc;
    uint64_t nums[] = {p->ordinal,  p->start, p->end,     p->line_start,
                       p->line_end, p->page,  p->page_end};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if ((rc = put_varint(out, nums[i]))) return rc;
    if ((rc = put_str(out, p->doc_id, p->doc_id_len))) return rc;
    if ((rc = put_str(out, p->heading, p->heading_len))) return rc;
    return put_str(out, p->text, p->text_len);
}

int ark_prec_decode(const char *data, size_t len, ark_prec *p, ark_buf *scratch,
                    ark_err *err) {
    const unsigned char *q = (const unsigned char *)data, *end = q + len;
    uint64_t nums[7];
    memset(p, 0, sizeof *p);
    if (len < 1 || (*q != PREC_MAGIC && *q != PREC_MAGIC_V1)) goto bad;
    size_t nnums = *q++ == PREC_MAGIC ? 7 : 6;
    for (size_t i = 0; i < nnums; i++)
        if (get_varint(&q, end, &nums[i])) goto bad;
    if (nnums == 6) nums[6] = nums[5];
    p->ordinal = (uint32_t)nums[0];
    p->start = nums[1];
    p->end = nums[2];
    p->line_start = (uint32_t)nums[3];
    p->line_end = (uint32_t)nums[4];
    p->page = (uint32_t)nums[5];
    p->page_end = (uint32_t)nums[6];
    if (get_str(&q, end, &p->doc_id, &p->doc_id_len)) goto bad;
    if (get_str(&q, end, &p->heading, &p->heading_len)) goto bad;
    if (get_str(&q, end, &p->text, &p->text_len) || q != end) goto bad;
    return 0;
bad:
    return ark_err_set(err, ARK_EINVAL, "corrupt passage record (%zu bytes)", len);
}

/* Documents: "v3\thash\tbytes\tmtime\tnpassages\ttitle\ttype\tdate\tcommittee\taddressee\tcases
 * \troot\tformat\turl\tfields". v2 had no format, url or fields, v1 no root either; both
 * are still read (as ""), so an old index can be listed while it is rebuilt.
 * Normalized metadata never holds tabs or newlines (ark_norm collapses whitespace),
 * but we replace them anyway so a bad record can never shift the fields. */
static int put_field(ark_buf *b, const char *s) {
    int rc = ark_buf_putc(b, '\t');
    for (const char *c = s ? s : ""; !rc && *c; c++)
        rc = ark_buf_putc(b, (*c == '\t' || *c == '\n') ? ' ' : *c);
    return rc;
}

int ark_drec_encode(const ark_drec *d, ark_buf *out) {
    int rc = ark_buf_printf(out, "v3\t%s\t%llu\t%llu\t%u", d->hash, (unsigned long long)d->bytes,
                            (unsigned long long)d->mtime, d->npassages);
    const char *f[] = {d->title,     d->type,         d->date, d->committee,
                       d->addressee, d->case_numbers, d->root, d->format,
                       d->url,       d->fields};
    for (size_t i = 0; !rc && i < sizeof f / sizeof f[0]; i++) rc = put_field(out, f[i]);
    return rc;
}

int ark_drec_decode(char *data, size_t len, ark_drec *d, ark_err *err) {
    char *field[15];
    size_t n = 0;
    char *p = data, *end = data + len;
    memset(d, 0, sizeof *d);
    while (n < 15) {
        field[n++] = p;
        char *tab = memchr(p, '\t', (size_t)(end - p));
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    size_t want = strcmp(field[0], "v1") == 0   ? 11
                  : strcmp(field[0], "v2") == 0 ? 12
                  : strcmp(field[0], "v3") == 0 ? 15
                                                : 0;
    if (n != want || strlen(field[1]) != 32)
        return ark_err_set(err, ARK_EINVAL, "corrupt document record");
    memcpy(d->hash, field[1], 33);
    d->bytes = strtoull(field[2], NULL, 10);
    d->mtime = strtoull(field[3], NULL, 10);
    d->npassages = (uint32_t)strtoul(field[4], NULL, 10);
    d->title = field[5];
    d->type = field[6];
    d->date = field[7];
    d->committee = field[8];
    d->addressee = field[9];
    d->case_numbers = field[10];
    d->root = n >= 12 ? field[11] : "";
    d->format = n == 15 ? field[12] : "";
    d->url = n == 15 ? field[13] : "";
    d->fields = n == 15 ? field[14] : "";
    return 0;
}

void ark_content_hash(const void *p, size_t len, char out[33]) {
    /* Two independent 32-bit checksums over the bytes plus the length: a change that
     * keeps all three equal is not a realistic edit. zlib's crc32 is SIMD-fast. */
    uLong c1 = crc32(0L, Z_NULL, 0), c2 = adler32(0L, Z_NULL, 0);
    const unsigned char *b = p;
    size_t left = len;
    while (left) {
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        c1 = crc32(c1, b, chunk);
        c2 = adler32(c2, b, chunk);
        b += chunk;
        left -= chunk;
    }
    snprintf(out, 33, "%08lx%08lx%016llx", c1 & 0xffffffffUL, c2 & 0xffffffffUL,
             (unsigned long long)len);
}
