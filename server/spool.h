/* server/spool.h: pushed documents that are accepted but not yet in the index.
 * Owns: the spool folder INDEX/.spool, one entry per accepted PUT or DELETE of
 * /api/documents/ID, made durable before the answer (a body is written to a temporary
 * file and fsync'ed, then renamed to its sequence number with its metadata and its entry
 * file, and the folder fsync'ed); the queue of entries in sequence order that the writer
 * (writer.h) takes, and their removal once the index has committed them; at start, the
 * entries a killed server left, replayed in order.
 * Not here: the HTTP side (push.c), writing the index (writer.c).
 * Why: an answer of 202 promises that the document survives a SIGKILL right after it.
 * Xapian commits are too slow to make per request (one fsync of every table), so the
 * spool is the write-ahead log and the writer commits batches of it; replaying an entry
 * twice gives the same index (a PUT replaces, a DELETE of nothing does nothing).
 *
 * Files: SEQ.entry holds "put LEVEL BYTES" or "delete - 0" and the id on a line of its
 * own (SEQ: 16 digits, so names sort as numbers); a PUT's body is SEQ plus the id's
 * extension (SEQ.pdf), its metadata the body's sidecar (SEQ.pdf.meta.json, as
 * arkivar-indexer reads sidecars).
 * The entry file is renamed last: an entry is there whole or not at all. Temporary files
 * start with "tmp-" and are removed at start. One server per index (the spool is not
 * shared between processes; a second server on the same index refuses pushes).
 * Threads: every function may be called from any thread. */
#ifndef ARKIVAR_SERVER_SPOOL_H
#define ARKIVAR_SERVER_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/access.h"
#include "arkivar/err.h"
#include "arkivar/schema.h"

#define ARK_SPOOL_DIR ".spool"
#define ARK_SPOOL_MAX_ENTRIES 4096          /* waiting entries; more: 503 until the writer */
#define ARK_SPOOL_MAX_BYTES (1024ull << 20) /* waiting bodies; catches up */

enum { ARK_SPOOL_PUT = 1, ARK_SPOOL_DELETE = 2 };

typedef struct ark_spool_entry {
    uint64_t seq;
    int op;           /* ARK_SPOOL_PUT or ARK_SPOOL_DELETE */
    ark_level level;  /* a PUT's level (from its metadata); a DELETE's is unused */
    uint64_t bytes;   /* a PUT's body */
    char id[ARK_MAX_ID + 1];
} ark_spool_entry;

/* Use INDEX/.spool (index_dir borrowed: it must outlive the spool), creating it when
 * missing, and read the entries a previous server left into the queue, in order (their
 * temporary files and bodies without an entry are removed, a PUT whose body is missing
 * dropped with a message). 0, or ARK_EIO (the folder cannot be made or read: pushes are
 * then refused with 503). *replayed: the entries found. */
int ark_spool_open(const char *index_dir, size_t *replayed, ark_err *err);
/* Forget the queue (the files stay for the next start). */
void ark_spool_close(void);
/* The spool folder ("INDEX/.spool"), or NULL before ark_spool_open succeeded. */
const char *ark_spool_dir(void);

/* ---- Accepting: the HTTP side -------------------------------------------------------- */

/* A PUT's body being received into a temporary file. */
typedef struct ark_spool_tmp ark_spool_tmp;

/* A temporary body file for document id (its extension is kept, so that loaders and
 * front matter see the document's format). *out: transferred (ark_spool_tmp_free).
 * ARK_EIO (with the reason), ARK_ETOOBIG (the queue is full: retry later), ARK_ENOMEM. */
int ark_spool_tmp_new(const char *id, ark_spool_tmp **out, ark_err *err);
/* Append data[0, n) to the body. 0 or ARK_EIO (a full disk: ENOSPC in the message). */
int ark_spool_tmp_write(ark_spool_tmp *t, const char *data, size_t n, ark_err *err);
/* fsync the body and write the metadata json[0, len) beside it as its sidecar (len 0:
 * none), fsync'ed too. Call once, after the last write. 0 or ARK_EIO. */
int ark_spool_tmp_finish(ark_spool_tmp *t, const char *json, size_t len, ark_err *err);
/* The temporary body's path (its sidecar is the path + ".meta.json"), for checking it
 * before it is accepted. Borrowed from t. */
const char *ark_spool_tmp_path(const ark_spool_tmp *t);
/* Accept the finished body as a PUT of its id at level lv: it gets the next sequence
 * number (*seq), becomes durable (renamed, folder fsync'ed), joins the queue, and the
 * writer is woken. t keeps nothing to remove after (free it). 0, ARK_EIO, ARK_ENOMEM. */
int ark_spool_put(ark_spool_tmp *t, ark_level lv, uint64_t *seq, ark_err *err);
/* Remove what t holds on disk unless it was put, and free it. Accepts NULL. */
void ark_spool_tmp_free(ark_spool_tmp *t);

/* Accept a DELETE of id: as ark_spool_put, with no body. ARK_ETOOBIG: the queue is full. */
int ark_spool_delete(const char *id, uint64_t *seq, ark_err *err);

/* The newest waiting entry of id into *out: 1, or 0 when none waits. */
int ark_spool_latest(const char *id, ark_spool_entry *out);
/* 1 when a new entry would be refused (ARK_SPOOL_MAX_ENTRIES or _BYTES reached). */
int ark_spool_full(void);

/* ---- Writing: the writer's side ------------------------------------------------------ */

/* Copy the first waiting entries into v (at most max, and past the first at most
 * max_bytes of bodies), in order; they stay queued until ark_spool_done. Waits up to
 * wait_ms for one (0: do not wait) unless ark_spool_wake is called. Returns how many. */
size_t ark_spool_peek(ark_spool_entry *v, size_t max, uint64_t max_bytes, int wait_ms);
/* The body of a PUT entry into path (cap bytes): 0, or -1 when it does not fit. */
int ark_spool_body(const ark_spool_entry *e, char *path, size_t cap);
/* The first n entries of the queue (as peeked) are in the index: remove their files,
 * then drop them from the queue. */
void ark_spool_done(size_t n);
/* Wake a waiting ark_spool_peek (shutdown). */
void ark_spool_wake(void);
/* Entries waiting now. */
size_t ark_spool_waiting(void);

#endif
