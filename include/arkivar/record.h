/* include/arkivar/record.h: the stored form of passages and documents.
 * Owns: encoding and decoding the data of one passage (provenance + text; Xapian's
 * glass backend compresses document data, so we do not) and the record of one source
 * document (hash, metadata), stored once in the index's metadata under ARK_PFX_DOC + id
 * (schema.h), never copied into every passage.
 * Not here: Xapian (index.h), terms (analysis.h).
 * Why: the indexer writes and the server reads the same bytes; one codec keeps them honest.
 * The terms and keys around them: schema.h. */
#ifndef ARKIVAR_RECORD_H
#define ARKIVAR_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "arkivar/schema.h"


typedef struct ark_prec {   /* a passage as stored */
    const char *doc_id; size_t doc_id_len;
    uint32_t ordinal;
    uint64_t start, end;
    uint32_t line_start, line_end, page;
    const char *heading; size_t heading_len;
    const char *text; size_t text_len;
    uint32_t page_end;      /* page of the last byte (== page unless it runs on) */
} ark_prec;

/* Append the encoded passage to out. 0, or ARK_ENOMEM. */
int ark_prec_encode(const ark_prec *p, ark_buf *out);
/* Decode data (len bytes) into *p; the strings in p point into data, so they are
 * borrowed until data is freed (scratch is unused, kept for a future format; may be
 * NULL). 0, or ARK_EINVAL on corrupt data. */
int ark_prec_decode(const char *data, size_t len, ark_prec *p, ark_buf *scratch,
                    ark_err *err);

typedef struct ark_drec {   /* a document as stored (all strings NUL-terminated) */
    char hash[33];          /* hex content hash */
    uint64_t bytes, mtime;
    uint32_t npassages;
    const char *title, *type, *date, *committee, *addressee;
    const char *case_numbers; /* comma-separated */
    const char *root;       /* canonical folder (realpath) the id is relative to; "" in a
                               v1 record, written before roots were stored; ARK_ROOT_PUSH
                               for a document pushed over HTTP */
    const char *format;     /* the source's format (ark_source.format); "" before v3 */
    const char *url;        /* the original's address from the metadata, "" when none */
    const char *fields;     /* the metadata's free fields: "key=value" pairs, each ended
                               by ARK_FIELD_SEP; "" when none */
} ark_drec;

#define ARK_FIELD_SEP '\x1f' /* ends each "key=value" of ark_drec.fields */

/* The root of a document pushed over HTTP (PUT /api/documents/ID), which has no folder.
 * No walk produces it (a walk's roots are absolute canonical paths, and "" is the v1
 * record's), so no arkivar-indexer run removes, replaces or moves a pushed document, nor
 * counts it against its removal guard; a folder's file whose id a push holds is refused.
 * The push route, likewise, refuses an id that a folder holds (409): one source per id. */
#define ARK_ROOT_PUSH "push:"

/* Append the encoded record (tab-separated, versioned; a tab or newline inside a field
 * is written as a space) to out. 0, or ARK_ENOMEM. */
int ark_drec_encode(const ark_drec *d, ark_buf *out);
/* Decode in place: data[len] must be '\0'; tabs become NULs and the strings point
 * into data (borrowed until data is freed). Reads v3 and the older v2 (format, url and
 * fields "") and v1 (root "" too).
 * 0, or ARK_EINVAL on a corrupt record. */
int ark_drec_decode(char *data, size_t len, ark_drec *d, ark_err *err);

/* Content hash of len bytes at p as 32 hex chars and a NUL into out; cannot fail. */
void ark_content_hash(const void *p, size_t len, char out[33]);

#endif
