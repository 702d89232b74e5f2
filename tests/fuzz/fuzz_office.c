/* tests/fuzz/fuzz_office.c: libFuzzer target for the DOCX and ODT loader's XML walk.
 * The input is a document body: stored as content.xml of an ODT (when it names the
 * OpenDocument namespace) or as word/document.xml of a DOCX, in a zip written to a file
 * of this process, and loaded through ark_source_load. Any bytes must give one of the
 * loader's codes, and a loaded text must be NUL-free, of its stated length, and cut into
 * passages whose ranges lie inside it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "arkivar/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_zip(const char *path, const uint8_t *data, size_t size, int odt) {
    int e;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    if (!z) return -1;
    static const char mime[] = "application/vnd.oasis.opendocument.text";
    zip_source_t *m = odt ? zip_source_buffer(z, mime, sizeof mime - 1, 0) : NULL;
    zip_source_t *s = zip_source_buffer(z, data, size, 0);
    zip_int64_t i = -1;
    if (m && zip_file_add(z, "mimetype", m, 0) < 0) zip_source_free(m);
    if (s && (i = zip_file_add(z, odt ? "content.xml" : "word/document.xml", s, 0)) < 0)
        zip_source_free(s);
    if (i >= 0) zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
    return zip_close(z);
}

static char path[64];
static void remove_file(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz_office.%ld.docx", (long)getpid());
        atexit(remove_file);
    }
    int odt = memmem(data, size, "urn:oasis:names:tc:opendocument", 31) != NULL;
    if (write_zip(path, data, size, odt) != 0) return 0;
    ark_source src;
    ark_err err;
    int rc = ark_source_load(path, &src, &err);
    if (rc != 0 && rc != ARK_EFORMAT && rc != ARK_EEMPTY && rc != ARK_ETOOBIG && rc != ARK_ENOMEM)
        abort();
    if (rc != 0) return 0;
    if (!src.bytes || strlen(src.bytes) != src.len || !src.format) abort();
    if (strcmp(src.format, odt ? "odt" : "docx") != 0) abort();
    ark_passages ps = {0};
    if (ark_segment(&src, &ps, NULL) == 0)
        for (size_t i = 0; i < ps.n; i++)
            if (ps.v[i].start > ps.v[i].end || ps.v[i].end > src.len) abort();
    ark_passages_free(&ps);
    ark_source_free(&src);
    return 0;
}
