/* lib/text/load.c: from a path to an ark_source.
 * Owns: the loader table (extension → loader; PDF's is in pdf.c, HTML's in html.c, DOCX
 *   and ODT's in office.c), choosing the loader by the file's first bytes, the plain-text
 *   loader, and the checks that refuse a file (not a regular file, too big, empty,
 *   binary); ark_file_read() does the first two for every loader. Opening never blocks: FIFOs and devices are refused, not read;
 *   nor does it follow a symlink in the last component (callers pass resolved paths).
 * Not here: repairing the text (norm.c); invalid UTF-8 is not an error, it is repaired
 *   there so a single bad byte never costs a whole document.
 * Why: provenance offsets count the original bytes, so a loader hands them over
 *   unchanged; a new format only needs one row in the table. Archives are full of
 *   misnamed files (a .pdf that is a text export, a .docx that is a PDF): the extension
 *   says which files to read, the content says how. */
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

/* A web page's start: "<!DOCTYPE html" or "<html", in any case, after a BOM and white
 * space. A page may start with anything else too, so only its name says it is one then. */
static int looks_html(const unsigned char *p, size_t n) {
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' || p[i] == '\f'))
        i++;
    static const char *const starts[] = {"<!doctype html", "<html"};
    for (size_t k = 0; k < 2; k++) {
        size_t l = strlen(starts[k]);
        if (n - i > l && strncasecmp((const char *)p + i, starts[k], l) == 0 &&
            (p[i + l] == '>' || p[i + l] == ' ' || p[i + l] == '\t' || p[i + l] == '\r' ||
             p[i + l] == '\n'))
            return 1;
    }
    return 0;
}

/* The loader a file's first bytes name: a PDF, a zip (DOCX or ODT: office.c reads which),
 * an OLE compound file (encrypted or old binary Word: office.c refuses it by name), a
 * web page; NULL when they name none of these, and the extension decides. */
static ark_loader_fn by_content(const unsigned char *p, size_t n) {
    if (n >= 5 && memcmp(p, "%PDF-", 5) == 0) return ark_pdf_load;
    if (n >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) return ark_office_load;
    if (n >= 8 && memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) return ark_office_load;
    if (looks_html(p, n)) return ark_html_load;
    return NULL;
}

static int open_regular(const char *path, int *fdp, struct stat *st, ark_err *err);

/* The first cap bytes of path (fewer when it is shorter) into head, under the checks
 * of ark_file_read but the size's. */
static int read_head(const char *path, unsigned char *head, size_t cap, size_t *n, ark_err *err) {
    struct stat st;
    int fd, rc = open_regular(path, &fd, &st, err);
    *n = 0;
    if (rc) return rc;
    while (*n < cap) {
        ssize_t r = read(fd, head + *n, cap - *n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            rc = ark_err_set(err, ARK_EIO, "read %s: %s", path, strerror(errno));
            break;
        }
        if (r == 0) break;
        *n += (size_t)r;
    }
    close(fd);
    return rc;
}

int ark_source_load(const char *path, ark_source *out, ark_err *err) {
    ark_loader_fn fn = ark_loader_for(path);
    if (!fn) return ark_err_set(err, ARK_EINVAL, "%s: no loader for this file type",
                                path ? path : "(null)");
    unsigned char head[512];
    size_t n;
    memset(out, 0, sizeof *out);
    int rc = read_head(path, head, sizeof head, &n, err);
    if (rc) return rc;
    ark_loader_fn by = by_content(head, n);
    if (by) return by(path, out, err);
    if (fn != ark_pdf_load && fn != ark_office_load) return fn(path, out, err);
    /* Named for a format with a signature it lacks: it is text (a .pdf that is a text
     * export is read as the text it is, format "text"), or nothing we can read. */
    rc = load_text(path, out, err);
    if (rc == ARK_EBINARY)
        rc = ark_err_set(err, ARK_EFORMAT, "%s: %s, nor text", path,
                         fn == ark_pdf_load ? "not a PDF (it does not start with %PDF-)"
                                            : "not a DOCX or ODT (not a zip archive)");
    return rc;
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

/* Open path for reading if it is a regular file: *fdp is then the caller's to close. */
static int open_regular(const char *path, int *fdp, struct stat *st, ark_err *err) {
    int fd;
    *fdp = -1;
    /* O_NONBLOCK: a FIFO opened for reading waits for a writer, and the indexer would
     * wait forever holding the index's write lock. The type is checked on the open
     * descriptor, so a file swapped for a FIFO or a device after the walk is refused too.
     * O_NOFOLLOW: the caller decides which links to follow and hands over the resolved
     * path (indexer/walk.c), so a file swapped for a link after that is not followed. */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) < 0) {
        if (errno == ELOOP)
            return ark_err_set(err, ARK_EIO, "%s: a symbolic link, not followed", path);
        return ark_err_set(err, ARK_EIO, "open %s: %s", path, strerror(errno));
    }
    int rc = 0;
    if (fstat(fd, st) != 0)
        rc = ark_err_set(err, ARK_EIO, "stat %s: %s", path, strerror(errno));
    else if (S_ISDIR(st->st_mode))
        rc = ark_err_set(err, ARK_EIO, "read %s: %s", path, strerror(EISDIR));
    else if (!S_ISREG(st->st_mode))
        rc = ark_err_set(err, ARK_EIO, "%s: not a regular file (FIFO, socket or device)", path);
    if (rc) close(fd);
    else *fdp = fd;
    return rc;
}

int ark_file_read(const char *path, char **bufp, size_t *lenp, ark_err *err) {
    int rc = 0, fd = -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat st;
    *bufp = NULL;
    *lenp = 0;

    if ((rc = open_regular(path, &fd, &st, err)) != 0) goto out;
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
