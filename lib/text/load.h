/* lib/text/load.h: what the loaders of lib/text share (private to lib/text).
 * Owns: reading a file under the checks every format needs, and the loaders defined
 *   outside load.c (pdf.c, html.c, office.c), so load.c's table can name them.
 * Why: a new format must refuse links, FIFOs and oversized files exactly as text does. */
#ifndef ARKIVAR_TEXT_LOAD_H
#define ARKIVAR_TEXT_LOAD_H

#include <stddef.h>

#include "arkivar/text.h"

/* Read the regular file at path (a symbolic link, FIFO, device or directory is refused,
 * never opened for blocking) into *buf, NUL-terminated, *len bytes, transferred: free().
 * Returns 0, or ARK_EIO, ARK_ETOOBIG (over ARK_MAX_FILE_BYTES) or ARK_ENOMEM with the
 * reason in err; then *buf is NULL and *len 0. */
int ark_file_read(const char *path, char **buf, size_t *len, ark_err *err);

/* The PDF loader (pdf.c): an ark_loader_fn, see text.h for its contract and codes. */
int ark_pdf_load(const char *path, ark_source *out, ark_err *err);
/* The HTML loader (html.c): the same contract; ARK_EFORMAT when the file holds no markup. */
int ark_html_load(const char *path, ark_source *out, ark_err *err);
/* The DOCX and ODT loader (office.c): the same contract; which of the two a file is, its
 * zip's content says (format "docx" or "odt"). ARK_EFORMAT for an OLE compound file
 * (encrypted or old binary Word), no zip, a zip holding neither, or bad XML; ARK_ETOOBIG
 * past ARK_MAX_ZIP_ENTRIES, ARK_MAX_ZIP_RATIO or ARK_MAX_FILE_BYTES (text.h). */
int ark_office_load(const char *path, ark_source *out, ark_err *err);

#endif
