/* include/arkivar/text.h: from a source file to normalized passages with provenance.
 * Owns: loading (the format plug-in point), repair and normalization of extracted
 * text, layout detection and cutting into passages, document metadata and
 * acronym definitions by rule.
 * Not here: tokens and terms (analysis.h), the index (index.h).
 * Why: every passage must say exactly where it comes from, so normalization is a pure
 * function of an original byte range: passage.text == ark_norm(orig + start, end - start).
 *
 * Memory: every struct returned here is transferred to the caller and freed with its
 * own _free function; all strings inside are NUL-terminated UTF-8 in NFC. */
#ifndef ARKIVAR_TEXT_H
#define ARKIVAR_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"

/* ---- Loading: one source file, whatever its format ------------------------------ */

#define ARK_MAX_FILE_BYTES (64u << 20) /* larger files are refused with ARK_ETOOBIG; so is
                                           extracted text, or a zip entry inflated, past it */
#define ARK_MAX_PDF_PAGES 5000u         /* PDFs with more pages: ARK_ETOOBIG */
#define ARK_MAX_ZIP_ENTRIES 10000u      /* a .docx/.odt whose zip has more entries: ARK_ETOOBIG */
#define ARK_MAX_ZIP_RATIO 200u          /* a zip entry of over 1 MB inflating more than this to
                                           one (deflate's best is 1032): ARK_ETOOBIG (a bomb) */
/* XML in a .docx/.odt nested deeper than 256 elements (libxml2's limit) is ARK_EFORMAT. */

/* A page of a paged source (PDF); text sources have no pages (npages 0, page 0 "none"). */
typedef struct ark_page {
    uint64_t start; /* byte offset in ark_source.bytes where the page begins */
    uint32_t number; /* 1-based page number, 0 = the source has no pages */
} ark_page;

/* The original bytes of a document, exactly as the provenance offsets count them.
 * For .txt/.md these are the file's bytes. For a PDF they are its extracted text, page
 * after page, each page ended by a form feed and a blank line ("\f\n\n", so a
 * paragraph never runs across pages); pages[i].start is where page i + 1 begins. For a
 * web page, DOCX or ODT they are its text with paragraphs separated by blank lines and
 * headings as markdown headings ("## …"); a table row is one paragraph, cells joined
 * by " | " (lib/text/office.c says what of a DOCX or ODT is not read). */
typedef struct ark_source {
    char *bytes; /* transferred with the struct; NUL-terminated for convenience */
    size_t len;
    ark_page *pages; /* may be NULL when npages == 0 */
    size_t npages;
    char *title;     /* the format's own title (PDF Info /Title), NULL when none;
                        transferred with the struct; ark_meta_extract prefers it */
    int is_markdown; /* .md, or markdown headings seen */
    unsigned mask;   /* ARK_MASK_* beyond CPR numbers, set by the caller after loading */
    char date[11];   /* the format's own date, "YYYY-MM-DD" (a PDF's CreationDate, a
                        DOCX's dcterms:created, an ODT's meta:creation-date), or
                        "": ark_meta_extract takes it when the text dates nothing */
    const char *format; /* what the bytes were read from: "text", "markdown", "pdf",
                           "html", "docx", "odt" (static, never freed; NULL until loaded) */
} ark_source;

/* A loader: reads the file at path (a symbolic link is refused) into *out, whose
 * members are then transferred to the caller (ark_source_free). *out is zeroed first, so
 * on failure it holds nothing to free. Returns 0, or, with the reason in err (may be NULL):
 *   ARK_EIO      open, stat or read failed, a symbolic link, a directory, FIFO or device
 *   ARK_ETOOBIG  more than ARK_MAX_FILE_BYTES
 *   ARK_EEMPTY   nothing but whitespace
 *   ARK_EBINARY  a NUL or mostly non-text bytes in the first 8 KB (text formats)
 *   ARK_EFORMAT  a PDF that does not start with "%PDF-", lacks its "%%EOF" (truncated),
 *                is encrypted or damaged (poppler's message in err); a .html without
 *                markup; a DOCX/ODT that is an OLE compound file (encrypted, or old
 *                binary .doc), no zip or a damaged one, a zip without word/document.xml
 *                or an OpenDocument text mimetype, XML that is not well-formed, nested
 *                past 256, with a DTD or a namespace error (libxml2's message in err)
 *   ARK_ETOOBIG  also: a PDF of more than ARK_MAX_PDF_PAGES pages, or whose text
 *                comes to more than ARK_MAX_FILE_BYTES; a DOCX/ODT past
 *                ARK_MAX_ZIP_ENTRIES, an entry inflating past ARK_MAX_FILE_BYTES, past
 *                its declared size or at more than ARK_MAX_ZIP_RATIO, or text past
 *                ARK_MAX_FILE_BYTES
 *   ARK_ENOMEM   out of memory
 * path: borrowed for the call, not NULL; out: the caller's, not NULL. */
typedef int (*ark_loader_fn)(const char *path, ark_source *out, ark_err *err);

/* The loader for a path by its extension (.txt, .md, .text, .markdown, .pdf, .html, .htm,
 * .docx, .odt, in any case), or NULL when no loader handles it (the file is skipped, not
 * an error) or path is NULL: which files a walk reads. ark_source_load may read a file
 * with another loader, by its content. The function returned is static: never freed. */
ark_loader_fn ark_loader_for(const char *path);
/* The i-th extension the loaders handle (".txt" …, with the dot), NULL when i is past
 * the last: the one list, for messages that name the supported formats. Static. */
const char *ark_loader_ext(size_t i);

/* Load path, a file ark_loader_for() handles, with the loader its first bytes call for:
 * "%PDF-" the PDF loader, a zip (PK\3\4) or an OLE compound file the DOCX/ODT loader,
 * "<!DOCTYPE html" or "<html" (after a BOM and white space, any case) the HTML loader.
 * Other content is read by the extension's loader, except that a .pdf, .docx or .odt
 * without its signature is read as text (format "text"); if it is not text either,
 * ARK_EFORMAT ("not a PDF …, nor text"). Returns the loader's codes, or ARK_EINVAL (out
 * untouched) when no loader handles the path or it is NULL. */
int ark_source_load(const char *path, ark_source *out, ark_err *err);
/* Free the members of a loaded source and zero it; s itself is the caller's. Accepts NULL
 * and a source zeroed by a failed load. */
void ark_source_free(ark_source *s);

/* ---- Normalization -------------------------------------------------------------- */

/* Personal data that normalization masks (every digit, or letter of an address's local
 * part, becomes 'X'; byte offsets stay exact through the map). CPR numbers are always
 * masked, in every spelling extraction produces (lib/text/pii.c lists them); e-mail
 * addresses and phone numbers only when asked (arkivar-indexer --mask-contacts). */
enum { ARK_MASK_CPR = 1, ARK_MASK_CONTACTS = 2 };

/* Normalize an original byte range in[0, in_len) (borrowed for the call, need not be
 * NUL-terminated; NULL only with in_len 0) into display/search text:
 *  - invalid UTF-8 is replaced by U+FFFD (never fatal); NUL and control chars dropped;
 *  - broken glyphs repaired: Ƶ → "(", ƶ → ")", U+F0B7 and ● → "•";
 *  - line-end hyphenation joined (samar-\nbejder → samarbejder, also across blank
 *    lines) but real hyphens kept (offentlige-\nprivate, Sundheds- og, og -samarbejder);
 *  - markdown emphasis and heading marks removed (## **Title** → Title);
 *  - every run of whitespace (newlines included) becomes one space; leading and
 *    trailing whitespace dropped; the result is NFC;
 *  - CPR numbers (DDMMYY-SSSS, in any spelling) are masked, XXXXXX-XXXX: never shown,
 *    never indexed (see ARK_MASK_CPR above).
 * Returns 0 with *out a NUL-terminated string of *out_len bytes, transferred: free() it.
 * If map is not NULL, *map receives an array of *out_len + 1 entries, transferred (free()):
 * (*map)[i] is the offset in `in` of the original byte that produced output byte i,
 * and (*map)[*out_len] == offset just past the last consumed original byte.
 * On failure *out (and *map, if asked) are NULL, *out_len 0, and the code is:
 *   ARK_ENOMEM     out of memory, or in_len over 4 GiB when a map is asked for
 *   ARK_EINTERNAL  utf8proc refused to recompose the text to NFC
 * out and out_len: the caller's, not NULL; map may be NULL. */
int ark_norm(const char *in, size_t in_len, char **out, size_t *out_len, uint32_t **map);
/* The same with more to mask: mask is a set of ARK_MASK_* (CPR is always included). */
int ark_norm_mask(const char *in, size_t in_len, unsigned mask, char **out, size_t *out_len,
                  uint32_t **map);

/* Mask personal data in a string that did not come through ark_norm (a file name that
 * becomes a document id): s[0, len) is the caller's, rewritten in place; returns the new
 * length (shorter when fullwidth digits were masked; then s[new length] is set to NUL).
 * mask: a set of ARK_MASK_* (CPR is always included). No error return: out of memory
 * cuts a chain of digit groups short (lib/text/pii.c). s not NULL unless len is 0. */
size_t ark_mask_pii(char *s, size_t len, unsigned mask);

/* ---- Passages ------------------------------------------------------------------- */

typedef struct ark_passage {
    uint32_t ordinal;     /* 0-based position in the document */
    uint64_t start, end;  /* original byte range [start, end), trimmed of whitespace */
    uint32_t line_start;  /* 1-based line of byte start */
    uint32_t line_end;    /* 1-based line of byte end - 1 */
    uint32_t page;        /* page of byte start, 0 = the source has no pages */
    uint32_t page_end;    /* page of byte end - 1: > page when it runs across a break */
    char *heading;        /* normalized heading it sits under, "" when none */
    char *text;           /* ark_norm of bytes [start, end) without the cuts inside it */
    size_t text_len;
} ark_passage;

typedef struct ark_span {
    uint64_t start, end;  /* byte range [start, end) of ark_source.bytes */
} ark_span;

typedef struct ark_passages {
    ark_passage *v;
    size_t n;
    /* Cuts: byte ranges that are in no passage's text, sorted and disjoint. A running
     * header or footer (a line repeated at the top or bottom of most pages) is one; so
     * is what interrupts a sentence that runs on across it (a page break with its
     * header and footer, or a block of case metadata dropped into a paragraph by the
     * extraction, as in 002). The interrupted passage's range spans the cut, and its
     * text is the text on either side, joined as a wrapped line would be. What a cut
     * interrupting a sentence held (002's case numbers, not a repeated header) is a
     * passage of its own, inside the cut, after the passage it interrupts. */
    ark_span *cuts;
    size_t ncuts;
} ark_passages;

/* Cut a document into passages a reader would call paragraphs: detect the layout
 * (blank-line paragraphs, double-spaced extraction where whitespace-only lines are the
 * breaks, bullet lists, markdown), attach headings, split overlong paragraphs at
 * sentence ends, merge fragments. Headings themselves are not passages unless a
 * heading has no body. Passages cover all the document's text but the repeated headers
 * and footers of a paged source; every passage's text is masked with src->mask as
 * ark_norm_mask does. A passage's text is ark_norm_mask of its bytes with each cut
 * inside it (out->cuts) replaced by one line break.
 * src: borrowed for the call, not NULL. *out: the caller's struct, filled with members
 * transferred to it (ark_passages_free); on failure it is empty (v NULL, n 0). Returns 0,
 * or, with the code's text in err (may be NULL):
 *   ARK_ENOMEM     out of memory
 *   ARK_EINTERNAL  normalizing a passage failed (see ark_norm) */
int ark_segment(const ark_source *src, ark_passages *out, ark_err *err);
/* Free the passages' members and empty p; p itself is the caller's. NULL is accepted. */
void ark_passages_free(ark_passages *p);

/* ---- Document metadata ---------------------------------------------------------- */

typedef struct ark_meta {
    char *title;        /* never NULL; "" when none found */
    char *type;         /* svar, orientering, sag, fallstudie, katalog, notat, referat,
                           dagsorden, bilag, dokument (fallback) */
    char *date;         /* ISO 8601 "2026-06-24", "" when none */
    char **case_numbers; /* normalized "2026-0179043", "2026-11781" */
    size_t ncase_numbers;
    char *committee;    /* "ØU" …, "" when none */
    char *addressee;    /* "Emil Moselund Østergaard (B)", "Økonomiudvalget", "" */
} ark_meta;

/* The metadata of a document, found by rule (lib/text/meta.c lists the rules) in its
 * first lines and its whole text. src: borrowed for the call, not NULL. ps: the document's
 * passages, borrowed; no rule reads them yet (NULL is accepted today). *out: the caller's
 * struct, zeroed first, then filled with members transferred to it (ark_meta_free); on
 * failure it is empty again. Returns 0, or, with the code's text in err (may be NULL):
 *   ARK_ENOMEM     out of memory
 *   ARK_EINTERNAL  normalizing a line or title-casing the title failed */
int ark_meta_extract(const ark_source *src, const ark_passages *ps, ark_meta *out,
                     ark_err *err);
/* Free the members of m and zero it; m itself is the caller's. NULL is accepted. */
void ark_meta_free(ark_meta *m);

/* ---- Acronym definitions (lib/text/acronym.c) ------------------------------------ */

/* What ark_acronym_scan found: the short form sf[0, sf_len) ("ØKF") and its long form
 * lf[0, lf_len) ("Økonomiforvaltningen"), both borrowed from the scanned text for the
 * call. Return non-zero to stop the scan. */
typedef int (*ark_acronym_fn)(const char *sf, size_t sf_len, const char *lf, size_t lf_len,
                              void *user);

/* The acronym definitions text[0, len) gives ("Kultur- og Fritidsforvaltningen (KFF)",
 * "CSL (Copenhagen Solutions Lab)"), each handed to fn in the order of the text, by the
 * Schwartz-Hearst rules lib/text/acronym.c lists. text is a passage's text (normalized:
 * single spaces, NFC; need not be NUL-terminated). Pure: no allocation, no state.
 * Returns the number of definitions found (those handed to fn, the stopping one too). */
size_t ark_acronym_scan(const char *text, size_t len, ark_acronym_fn fn, void *user);

#endif
