/* lib/text/pdf.c: the PDF loader, through poppler's GLib API (libpoppler-glib).
 * Owns: refusing what is not a whole PDF (no "%PDF-" at the start, no "%%EOF" near
 *   the end, encrypted, damaged, too many pages, too much text), and turning a PDF into
 *   an ark_source: the text of each page in poppler's reading order, pages separated by
 *   PAGE_SEP, pages[] saying where each begins, and the Info dictionary's title.
 * Not here: reading the file (ark_file_read, same checks as text), cutting passages
 *   (segment.c gives each passage the page its first byte lies on), OCR: a scan has no
 *   text and is refused as empty.
 * Why: provenance counts bytes of the extracted text, the text the document view shows;
 *   page numbers are what a reader of the PDF needs to find the passage again. */
#include "load.h"

#include <glib.h>
#include <poppler.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A form feed marks the page break for anyone reading the text; the blank line after
 * it ends the paragraph, so no passage starts on one page and runs into the next. */
#define PAGE_SEP "\n\f\n\n"

/* poppler-glib creates poppler's global parameters on the first document it opens,
 * unguarded; the indexer loads files on several threads, so opening is serialized.
 * Extracting the pages' text, the slow part, is not. */
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;

/* A truncated download must not be indexed as half a document (poppler would repair
 * it silently): a PDF ends with "%%EOF", within its last 1024 bytes as readers allow. */
static int has_eof_mark(const char *buf, size_t len) {
    size_t from = len > 1024 ? len - 1024 : 0;
    for (size_t i = from; i + 5 <= len; i++)
        if (memcmp(buf + i, "%%EOF", 5) == 0) return 1;
    return 0;
}

static int grow(char **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    char *nb = realloc(*buf, c);
    if (!nb) return ARK_ENOMEM;
    *buf = nb;
    *cap = c;
    return 0;
}

/* The title, trimmed; NULL when the PDF has none (or only whitespace). */
static int take_title(PopplerDocument *doc, char **out) {
    *out = NULL;
    gchar *t = poppler_document_get_title(doc);
    if (!t) return 0;
    const char *s = t;
    size_t n = strlen(s);
    while (n && (unsigned char)*s <= ' ') s++, n--;
    while (n && (unsigned char)s[n - 1] <= ' ') n--;
    int rc = 0;
    if (n && g_utf8_validate(s, (gssize)n, NULL) && !(*out = strndup(s, n))) rc = ARK_ENOMEM;
    g_free(t);
    return rc;
}

/* The document's CreationDate as "YYYY-MM-DD" into out, or "" (none, or out of range). */
static void take_date(PopplerDocument *doc, char out[11]) {
    out[0] = '\0';
    GDateTime *t = poppler_document_get_creation_date_time(doc);
    if (!t) return;
    int y = g_date_time_get_year(t), m = g_date_time_get_month(t);
    int d = g_date_time_get_day_of_month(t);
    char iso[32];
    if (y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
        memcpy(out, iso, 11);
    }
    g_date_time_unref(t);
}

int ark_pdf_load(const char *path, ark_source *out, ark_err *err) {
    char *raw = NULL, *text = NULL;
    size_t raw_len = 0, len = 0, cap = 0;
    GBytes *bytes = NULL;
    PopplerDocument *doc = NULL;
    GError *gerr = NULL;
    ark_page *pages = NULL;
    int rc, npages = 0, any_text = 0;
    memset(out, 0, sizeof *out);

    if ((rc = ark_file_read(path, &raw, &raw_len, err)) != 0) goto out;
    if (raw_len < 5 || memcmp(raw, "%PDF-", 5) != 0) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: not a PDF (does not start with %%PDF-)", path);
        goto out;
    }
    if (!has_eof_mark(raw, raw_len)) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: truncated PDF (no %%%%EOF at its end)", path);
        goto out;
    }
    /* poppler reads the bytes in place: raw outlives doc (freed after it, below). */
    bytes = g_bytes_new_static(raw, raw_len);
    pthread_mutex_lock(&open_mu);
    doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    pthread_mutex_unlock(&open_mu);
    if (!doc) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: cannot read the PDF: %s", path,
                         gerr && gerr->message ? gerr->message : "poppler gave no reason");
        goto out;
    }
    npages = poppler_document_get_n_pages(doc);
    if (npages < 0 || (unsigned)npages > ARK_MAX_PDF_PAGES) {
        rc = ark_err_set(err, ARK_ETOOBIG, "%s: %d pages, the limit is %u", path, npages,
                         ARK_MAX_PDF_PAGES);
        goto out;
    }
    if (npages == 0) {
        rc = ark_err_set(err, ARK_EEMPTY, "%s: a PDF without pages", path);
        goto out;
    }
    if (!(pages = calloc((size_t)npages, sizeof *pages))) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0; i < npages; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        gchar *t = page ? poppler_page_get_text(page) : NULL;
        size_t tl = t ? strlen(t) : 0;
        if (page) g_object_unref(page);
        pages[i].start = len;
        pages[i].number = (uint32_t)i + 1;
        for (size_t k = 0; k < tl && !any_text; k++) any_text = (unsigned char)t[k] > ' ';
        /* A page that inflates to more than the file limit is refused, like a big file. */
        if (len + tl + sizeof PAGE_SEP > ARK_MAX_FILE_BYTES) {
            g_free(t);
            rc = ark_err_set(err, ARK_ETOOBIG, "%s: more than %u bytes of text by page %d",
                             path, (unsigned)ARK_MAX_FILE_BYTES, i + 1);
            goto out;
        }
        if (grow(&text, &cap, len + tl + sizeof PAGE_SEP)) {
            g_free(t);
            rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
            goto out;
        }
        if (tl) memcpy(text + len, t, tl);
        len += tl;
        g_free(t);
        if (i + 1 < npages) {
            memcpy(text + len, PAGE_SEP, sizeof PAGE_SEP - 1);
            len += sizeof PAGE_SEP - 1;
        }
        text[len] = '\0';
    }
    if (!any_text) {
        rc = ark_err_set(err, ARK_EEMPTY, "%s: no text in %d page%s (a scan? there is no OCR)",
                         path, npages, npages == 1 ? "" : "s");
        goto out;
    }
    if ((rc = take_title(doc, &out->title)) != 0) {
        rc = ark_err_set(err, rc, "%s: out of memory", path);
        goto out;
    }
    take_date(doc, out->date);
    out->bytes = text;
    out->len = len;
    out->pages = pages;
    out->npages = (size_t)npages;
    out->is_markdown = 0;
    out->format = "pdf";
    text = NULL;
    pages = NULL;
out:
    if (doc) g_object_unref(doc);
    if (bytes) g_bytes_unref(bytes);
    if (gerr) g_error_free(gerr);
    free(raw);
    free(text);
    free(pages);
    return rc;
}
