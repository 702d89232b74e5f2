/* lib/text/load.c: from a path to an ark_source.
 * Owns: the loader table (extension → loader; PDF's is in pdf.c, HTML's in html.c, DOCX
 *   and ODT's in office.c), the plain-text
 *   loader, and the checks that refuse a file (not a regular file, too big, empty,
 *   binary); ark_file_read() does the first two for every loader. Opening never blocks: FIFOs and devices are refused, not read;
 *   nor does it follow a symlink in the last component (callers pass resolved paths).
 * Not here: repairing the text (norm.c); invalid UTF-8 is not an error, it is repaired
 *   there so a single bad byte never costs a whole document.
 * Why: provenance offsets count the original bytes, so a loader hands them over
 *   unchanged; a new format only needs one row in the table. */
#include "arkivar/text.h"

#include "load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int load_text(const char *path, ark_source *out, ark_err *err);

static const struct {
    const char *ext; /* with the dot, compared case-insensitively */
    ark_loader_fn fn;
    int markdown;
} loaders[] = {
    {".txt", load_text, 0},
    {".text", load_text, 0},
    {".md", load_text, 1},
    {".markdown", load_text, 1},
    {".pdf", ark_pdf_load, 0},
    {".html", ark_html_load, 1},
    {".htm", ark_html_load, 1},
    {".docx", ark_office_load, 0},
    {".odt", ark_office_load, 0},
};
#define NLOADERS (sizeof loaders / sizeof loaders[0])

static const char *ext_of(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : NULL;
}

ark_loader_fn ark_loader_for(const char *path) {
    const char *ext = path ? ext_of(path) : NULL;
    if (!ext) return NULL;
    for (size_t i = 0; i < NLOADERS; i++)
        if (strcasecmp(ext, loaders[i].ext) == 0) return loaders[i].fn;
    return NULL;
}

static int ext_is_markdown(const char *path) {
    const char *ext = ext_of(path);
    if (!ext) return 0;
    for (size_t i = 0; i < NLOADERS; i++)
        if (strcasecmp(ext, loaders[i].ext) == 0) return loaders[i].markdown;
    return 0;
}

const char *ark_loader_ext(size_t i) { return i < NLOADERS ? loaders[i].ext : NULL; }

int ark_source_load(const char *path, ark_source *out, ark_err *err) {
    ark_loader_fn fn = ark_loader_for(path);
    if (!fn) return ark_err_set(err, ARK_EINVAL, "%s: no loader for this file type",
                                path ? path : "(null)");
    return fn(path, out, err);
}

void ark_source_free(ark_source *s) {
    if (!s) return;
    free(s->bytes);
    free(s->pages);
    free(s->title);
    memset(s, 0, sizeof *s);
}

/* Binary: a NUL in the first 8 KB, or more than 10% of it control bytes or bytes
 * that cannot start or continue UTF-8 text. Extracted PDFs and Word text have stray
 * control characters, so one or two must not reject a document. */
static int looks_binary(const unsigned char *p, size_t n) {
    if (n > 8192) n = 8192;
    if (memchr(p, 0, n)) return 1;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
            c == 0x7F || c == 0xC0 || c == 0xC1 || c >= 0xF5)
            bad++;
    }
    return bad * 10 > n;
}

static int only_space(const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
        if (c == 0xC2 && i + 1 < n && p[i + 1] == 0xA0) { i++; continue; } /* NBSP */
        if (c == 0xEF && i + 2 < n && p[i + 1] == 0xBB && p[i + 2] == 0xBF) { i += 2; continue; } /* BOM */
        return 0;
    }
    return 1;
}

/* Markdown headings ("# ", "## " … at a line start) mark a markdown source even in a
 * .txt file (the corpus's 000 is one). */
static int has_md_heading(const char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && p[i - 1] != '\n') continue;
        size_t k = i;
        while (k < n && p[k] == '#' && k - i < 7) k++;
        if (k > i && k - i <= 6 && k < n && p[k] == ' ') return 1;
    }
    return 0;
}

int ark_file_read(const char *path, char **bufp, size_t *lenp, ark_err *err) {
    int rc = 0, fd = -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    *bufp = NULL;
    *lenp = 0;

    /* O_NONBLOCK: a FIFO opened for reading waits for a writer, and the indexer would
     * wait forever holding the index's write lock. The type is checked on the open
     * descriptor, so a file swapped for a FIFO or a device after the walk is refused too.
     * O_NOFOLLOW: the caller decides which links to follow and hands over the resolved
     * path (indexer/walk.c), so a file swapped for a link after that is not followed. */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) < 0) {
        if (errno == ELOOP)
            rc = ark_err_set(err, ARK_EIO, "%s: a symbolic link, not followed", path);
        else
            rc = ark_err_set(err, ARK_EIO, "open %s: %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ark_err_set(err, ARK_EIO, "stat %s: %s", path, strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = ark_err_set(err, ARK_EIO, "read %s: %s", path, strerror(EISDIR));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ark_err_set(err, ARK_EIO, "%s: not a regular file (FIFO, socket or device)", path);
        goto out;
    }
    if (st.st_size > (off_t)ARK_MAX_FILE_BYTES) {
        rc = ark_err_set(err, ARK_ETOOBIG, "%s: %lld bytes, the limit is %u", path,
                         (long long)st.st_size, (unsigned)ARK_MAX_FILE_BYTES);
        goto out;
    }
    /* Read to EOF rather than trusting st_size: a file may grow while we read it. */
    cap = (size_t)st.st_size + 1;
    if (cap < 4096) cap = 4096;
    for (;;) {
        if (!buf || len + 1 >= cap) {
            if (buf) cap *= 2;
            if (cap > (size_t)ARK_MAX_FILE_BYTES + 2) cap = (size_t)ARK_MAX_FILE_BYTES + 2;
            char *nb = realloc(buf, cap);
            if (!nb) { rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path); goto out; }
            buf = nb;
        }
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = ark_err_set(err, ARK_EIO, "read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0) break;
        len += (size_t)r;
        if (len > ARK_MAX_FILE_BYTES) {
            rc = ark_err_set(err, ARK_ETOOBIG, "%s: more than %u bytes", path,
                             (unsigned)ARK_MAX_FILE_BYTES);
            goto out;
        }
    }
    buf[len] = '\0';
    *bufp = buf;
    *lenp = len;
    buf = NULL;
out:
    if (fd >= 0) close(fd);
    free(buf);
    return rc;
}

static int load_text(const char *path, ark_source *out, ark_err *err) {
    char *buf = NULL;
    size_t len = 0;
    memset(out, 0, sizeof *out);
    int rc = ark_file_read(path, &buf, &len, err);
    if (rc) return rc;
    if (only_space((const unsigned char *)buf, len)) {
        rc = ark_err_set(err, ARK_EEMPTY, "%s: no text", path);
        goto out;
    }
    if (looks_binary((const unsigned char *)buf, len)) {
        rc = ark_err_set(err, ARK_EBINARY, "%s: binary, not text", path);
        goto out;
    }
    out->bytes = buf;
    out->len = len;
    out->pages = NULL;
    out->npages = 0;
    out->is_markdown = ext_is_markdown(path) || has_md_heading(buf, len);
    out->format = ext_is_markdown(path) ? "markdown" : "text";
    buf = NULL;
out:
    free(buf);
    return rc;
}
