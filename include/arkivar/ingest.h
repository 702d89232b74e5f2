/* include/arkivar/ingest.h: one source file into the index (implemented in lib/ingest/).
 * Owns: what a document's metadata says beside it (its sidecar, a markdown file's front
 * matter, a folder's default level: sidecar.c); the mapping from a loaded, segmented
 * and analysed file to Xapian documents and its stored record, and writing, replacing
 * and removing them in a writable database (build.c); the counted word sets both need
 * (wcount.c).
 * Not here: which files a run covers and in which order (indexer/walk.c, plan.c), the
 * transaction and its commit (the caller: indexer/main.c, server/writer.c), loading and
 * cutting the text (text.h), terms (analysis.h), Xapian (index.h).
 * Why in lib/: the indexer and the server's push route (PUT /api/documents/ID) must
 * turn a file into the same documents, records and spelling words, or a pushed document
 * would be searched differently from an indexed one. Dependencies point one way:
 * indexer/ → lib/ingest ← server/.
 *
 * Errors: a fallible function returns 0 (or a non-negative result named below) or a
 * negative ARK_E* code (err.h), with the reason in err when err is not NULL; the
 * message names the file, the document id or the sidecar member.
 * Ownership: strings given are borrowed for the call; what a struct here holds is
 * transferred to the caller with it and freed with its _free function (each accepts
 * NULL and a zeroed struct).
 * Threads: nothing here holds global state. ark_build_learn and ark_build_prepare run on
 * any thread (with an analyzer of their own); everything taking an ark_build touches the
 * writable database: one writer thread. */
#ifndef ARKIVAR_INGEST_H
#define ARKIVAR_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/access.h"
#include "arkivar/analysis.h"
#include "arkivar/buf.h"
#include "arkivar/err.h"
#include "arkivar/index.h"

/* ---- Counted words: bytes → count --------------------------------------------------------
 * An open-addressing hash table over one pool of word bytes; adding a word bumps its
 * count. Iteration is in insertion order, so what a caller writes from it does not depend
 * on hash layout. Why: Xapian's add_spelling reads the table for every call; a writer
 * says each word once with its count instead, and the learning pass hands each file's
 * words over once. */

typedef struct ark_wcount_slot {
    uint32_t h, idx; /* idx: 1-based entry number, 0 = empty */
} ark_wcount_slot;

typedef struct ark_wcount {
    ark_wcount_slot *tab;
    size_t cap;    /* a power of two, at least 1.5 times n */
    uint64_t *ent; /* per entry: pool offset << 24 | length (a word is at most 255 bytes) */
    uint32_t *cnt; /* per entry: the count */
    size_t n, ecap;
    char *pool;
    size_t pool_len, pool_cap;
} ark_wcount;

#define ARK_WCOUNT_INIT {0}

/* Add n to the count of word[0, len); 0, or ARK_ENOMEM (the set is unchanged). Words
 * over 255 bytes are ignored (0). */
int ark_wcount_add(ark_wcount *m, const char *word, size_t len, uint32_t n);
/* Entry i (0 <= i < m->n), in insertion order: borrowed until the next add or reset. */
const char *ark_wcount_word(const ark_wcount *m, size_t i, size_t *len);
/* Empty the set, keeping its memory for reuse. */
void ark_wcount_reset(ark_wcount *m);
void ark_wcount_free(ark_wcount *m);

/* ---- Sidecars: what the source system says about a document ------------------------------
 * A file's sidecar is NAME.meta.json beside it: its access level and the metadata the
 * source system knows better than the text. A folder's .arkivar.json (in the file's
 * folder or any folder above it, up to its root) gives the level of everything beneath.
 * Why fail closed: a sidecar that cannot be read or parsed, names no known level or gives
 * a member of the wrong kind makes the file an error (not indexed at any level), never a
 * public document or a silently guessed one.
 *
 * The sidecar is one JSON object. Read members: "access" ("offentlig" | "intern"),
 * "title", "type", "committee" (strings), "date" ("YYYY-MM-DD"), "case_numbers" (an
 * array of strings), "url" (http or https, at most ARK_URL_MAX bytes) and "fields" (an
 * object of at most ARK_FIELDS_MAX strings; keys [a-z0-9_], at most ARK_FIELD_KEY_MAX
 * bytes; values at most ARK_FIELD_VALUE_MAX bytes): free fields that become filters.
 * Others are allowed and ignored; each read member at most once. A folder's .arkivar.json
 * is read for "access" only. */

#define ARK_SIDECAR_SUFFIX ".meta.json"
#define ARK_FOLDER_META ".arkivar.json"
#define ARK_SIDECAR_MAX (64 * 1024) /* bytes; a larger sidecar is an error */
#define ARK_URL_MAX 2048
#define ARK_FIELDS_MAX 32
#define ARK_FIELD_KEY_MAX 32
#define ARK_FIELD_VALUE_MAX 100

typedef struct ark_sidecar {
    int has_level;
    ark_level level;
    char *title, *date, *type, *committee; /* NULL: not given (the text's guess stays) */
    char *url;                             /* the original's http(s) address, or NULL */
    char *fields;                          /* "key=value" pairs as in ark_drec, or NULL */
    char **case_numbers;                   /* with has_cases: what the system says */
    size_t ncase_numbers;
    int has_cases;
    char *raw;                             /* the sidecar's bytes (for the content hash) */
    size_t raw_len;
} ark_sidecar;

/* The sidecar of the document at path (path + ARK_SIDECAR_SUFFIX) into *out (zeroed
 * first; free with ark_sidecar_free): 0 (out->raw NULL when there is none), ARK_EINVAL
 * (not a JSON object, an unknown level, a member of the wrong kind or twice, over
 * ARK_SIDECAR_MAX bytes: err names the file and the member), ARK_EIO, ARK_ENOMEM. */
int ark_sidecar_read(const char *path, ark_sidecar *out, ark_err *err);
/* The same from the sidecar's text[0, len) (need not be NUL-terminated): 0, or
 * ARK_EINVAL with err naming the member ("\"date\" is not a date \"YYYY-MM-DD\" (once)";
 * "not one JSON object" when the JSON itself is wrong), ARK_ENOMEM. out->raw and
 * out->raw_len are kept as the caller set them (ark_sidecar_free frees raw); on failure
 * *out holds nothing else. */
int ark_sidecar_parse(const char *text, size_t len, ark_sidecar *out, ark_err *err);
void ark_sidecar_free(ark_sidecar *s); /* accepts NULL */

/* A markdown file's YAML front matter: text[0, len) begins with a line "---" and the
 * matter ends at the next line "---" (or "..."). Returns its length in bytes (through the
 * closing line), or 0 when text has none. The matter is read as a sidecar is, with the
 * same members, in the YAML most front matter uses: `key: value` lines (plain, 'single'
 * or "double" quoted scalars), `key: [a, b]` and block lists of `- item` lines; '#'
 * comments. parse: 0 into *out (zeroed first; ark_sidecar_free), ARK_EINVAL naming the
 * line or the member, ARK_ENOMEM. */
size_t ark_front_len(const char *text, size_t len);
/* 1 for a markdown source file (.md, .markdown, in any case), whose front matter is
 * read. */
int ark_front_file(const char *path);
int ark_front_parse(const char *text, size_t len, ark_sidecar *out, ark_err *err);

/* The level of the file at path (inside root dir root): its sidecar's "access", else its
 * front matter's (a .md or .markdown file), else that of the nearest .arkivar.json from its
 * folder up to root, else ARK_LEVEL_PUBLIC.
 * 0 and *out, or an error as ark_sidecar_read (err names the file). */
int ark_level_of(const char *path, const char *root, ark_level *out, ark_err *err);

/* ---- Building: a file into passage documents and its record ------------------------------
 * load → segment → metadata (the sidecar over the front matter over the text's guesses)
 * → terms → stored records; and whether the file changed since it was indexed (its
 * content hash, of the bytes and the sidecar's text). Split into what needs no index
 * (learn, prepare: any thread) and what writes it (write, remove: the writer). */

/* The writer's side: the writable database and the totals. */
typedef struct ark_build {
    ark_wdb *w;    /* borrowed, inside a transaction (the caller begins and commits it) */
    ark_wcount spell; /* spelling words written so far with their counts, not yet flushed */
    /* totals, counted by the caller (ark_build_write adds passages and bytes) */
    uint64_t files_indexed, files_unchanged, files_failed, files_removed;
    uint64_t passages, bytes;
} ark_build;

/* ark_build_learn and ark_build_prepare return one of these, or a negative code. */
enum { ARK_BUILD_INDEXED = 0, ARK_BUILD_UNCHANGED = 1 };

/* Spelling words held before they are written (about 40 MB at 24-byte words). */
#define ARK_BUILD_SPELL_FLUSH (1u << 20)

/* What one file becomes before the index is touched: its passage documents, its record,
 * its spelling words. Built on any thread (ark_build_prepare), written by the writer
 * (ark_build_write). Zero it before use; free with ark_built_free. */
typedef struct ark_built {
    int rc;         /* as ark_build_prepare returned */
    ark_err err;    /* the reason when rc < 0 */
    ark_xdoc **docs; size_t ndocs;
    ark_buf drec;   /* the encoded document record */
    ark_buf acronyms; /* its acronym definitions, as ARK_META_ACRONYMS holds them (schema.h) */
    ark_wcount spell;
    uint64_t bytes; /* of the source */
} ark_built;

/* What the index holds for document id of root: *exists (the index holds a record of
 * id, from any root), and the stored content hash into hash ("" when the record names
 * another root, or cannot be decoded, so the file is indexed again). An id longer than
 * ARK_MAX_ID is not held (0). Reads the writable database, uncommitted changes included:
 * the writer's thread only. 0, or the index's error. */
int ark_build_stored(ark_build *b, const char *id, const char *root, int *exists,
                     char hash[33], ark_err *err);

/* The learning pass over one file: ARK_BUILD_UNCHANGED when its content hash is
 * old_hash (and !force), else ARK_BUILD_INDEXED with the words it adds to the compound
 * vocabulary counted into words (the caller's; add them with ark_an_add_word before any
 * file is prepared), or a negative code for a bad file (as ark_build_prepare). mask:
 * ARK_MASK_* (text.h). Any thread; no index. */
int ark_build_learn(const char *path, unsigned mask, const char *old_hash, int force,
                    ark_wcount *words, ark_err *err);

/* Load, segment and analyse the file at path (and its sidecar, path.meta.json) as
 * document id of root (stored in the record: the canonical folder the id is relative to)
 * into out (zeroed by the caller; free with ark_built_free whatever the result).
 * Returns (and sets out->rc) ARK_BUILD_INDEXED, ARK_BUILD_UNCHANGED (content hash is
 * old_hash and !force), or a negative code with the reason in out->err: a bad file
 * (ARK_EBINARY, ARK_EEMPTY, ARK_ETOOBIG, ARK_EIO, ARK_EINVAL: also an id over ARK_MAX_ID
 * bytes or a bad sidecar, ARK_EFORMAT) is skipped; ARK_ENOMEM means the caller must stop
 * (ark_build_fatal). Any thread, with an analyzer of its own (an is not shared). */
int ark_build_prepare(ark_an *an, const char *id, const char *root, const char *path,
                      unsigned mask, const char *old_hash, int force, ark_built *out);

/* Write a prepared file (in: ARK_BUILD_INDEXED, borrowed): replace the old passages of id
 * (exists: the index holds it; their words leave the spelling table), store its record
 * and its acronym definitions (none: the old ones go),
 * count its spelling words (written by ark_build_flush, or here once
 * ARK_BUILD_SPELL_FLUSH are held). 0, or ARK_EINDEX / ARK_ENOMEM, which stop the run:
 * the transaction must then be cancelled (ark_wdb_close without a commit). */
int ark_build_write(ark_build *b, const char *id, int exists, const ark_built *in,
                    ark_err *err);

/* Whether a code from ark_build_prepare or ark_build_write stops the run (the index or
 * memory failed) rather than skipping one bad file. */
int ark_build_fatal(int rc);

/* Write the spelling words counted so far; before the commit. 0 or the index's error. */
int ark_build_flush(ark_build *b, ark_err *err);

/* Remove every passage, the record and the acronym definitions of document id, and take
 * its words back from the spelling table. An id the index does not hold is not an error (nothing changes).
 * 0 or the index's error. */
int ark_build_remove(ark_build *b, const char *id, ark_err *err);

/* The root the record of id names into root (cap bytes, cut to fit; "" for a v1 record
 * or one that does not decode), and *exists, as ark_build_stored reads them (uncommitted
 * changes included). The push writer's check that an id is its own (ARK_ROOT_PUSH,
 * record.h) before it replaces or removes it. 0 or the index's error. */
int ark_build_root_of(ark_build *b, const char *id, int *exists, char *root, size_t cap,
                      ark_err *err);

void ark_built_free(ark_built *x); /* accepts NULL; *x is zeroed */
void ark_build_free(ark_build *b); /* frees b->spell; not b->w; accepts NULL */

/* ---- Shards: every writer of one index (issue 16) ---------------------------------------
 * An index may be several databases (a sharded index, index.h). A document lives on shard
 * ark_shard_of(id, n), a stable hash of its id, so a re-index puts it back where it was
 * and a removal finds it there: its passages, its record, its acronym definitions and
 * its spelling words, so that each shard is a whole index of its documents. A plain
 * index is the set of one. Each shard is its own transaction, committed in shard order:
 * a reader may see one shard's commit before the next, never half a document; a run
 * that dies between two commits is finished by the next run (what was committed is
 * then unchanged). Writers open the shards in order, so two never deadlock. */

typedef struct ark_shards {
    size_t n;
    ark_build b[ARK_SHARDS_MAX]; /* shard k's writer (b[k].w), spelling words and totals */
} ark_shards;

/* The shard of document id among n (n >= 1): FNV-1a of its bytes, modulo n. */
unsigned ark_shard_of(const char *id, size_t n);
/* Open every shard's writer of the index at dir into *s (zeroed first), none in a
 * transaction. ARK_ENOTFOUND: dir holds no index; ARK_ELOCKED: another writer holds a
 * shard (none is left open); ARK_EFORMAT: its stub is not ours (ark_db_shards). */
int ark_shards_open(ark_shards *s, const char *dir, ark_err *err);
/* The writer of document id's shard. */
ark_build *ark_shards_for(ark_shards *s, const char *id);
/* On every shard: begin a transaction; set metadata key (an index's own: format,
 * masking); write the spelling words held; commit (in order; the first failure stops). */
int ark_shards_begin(ark_shards *s, ark_err *err);
int ark_shards_set_meta(ark_shards *s, const char *key, const char *val, size_t len, ark_err *err);
int ark_shards_flush(ark_shards *s, ark_err *err);
int ark_shards_commit(ark_shards *s, ark_err *err);
/* The shards' totals added up (files_*, passages, bytes). */
ark_build ark_shards_totals(const ark_shards *s);
/* Close every writer (an open transaction is cancelled: the last commit stays) and free
 * the spelling words; *s is zeroed. Accepts NULL. */
void ark_shards_close(ark_shards *s);

/* ---- The databases: creating one, who holds an id ---------------------------------------
 * A folder that holds no database yet is held by the lock Xapian's writers take
 * (flintlock's first byte, an open-file-description lock), so that a writer started
 * meanwhile finds it locked. arkivar-indexer builds a new index under it in parts, in
 * ARK_NEWDB_SCRATCH + its PID inside the folder, then releases it for the merge
 * (indexer/fresh.c); the server's push writer creates an empty one under it. */

#define ARK_NEWDB_SCRATCH ".build-" /* + PID: a new index's parts, inside its folder */

/* Lock dir (which must exist) against every other writer while it holds no database.
 * Returns the lock's descriptor (close it to release the lock), or -1 with err set:
 * ARK_ELOCKED when another writer holds dir, ARK_EIO, ARK_EINVAL (path too long). */
int ark_newdb_lock(const char *dir, ark_err *err);

/* Make dir (created if missing; its parent must exist) hold an empty database with the
 * metadata meta[0..2*nmeta) (key, value, key, value, ...) and ARK_META_NDOCS "0", unless
 * it holds one already (then 0, nothing changed). Made at scratch (a path on the same
 * file system, emptied and removed here) and moved in under ark_newdb_lock, the revision
 * file last, so that dir shows a whole database or none. ARK_ELOCKED: another writer
 * holds dir, or an arkivar-indexer run is merging a new index into it: try again later.
 * Else 0 or ARK_EIO / the index's error. */
int ark_newdb_create(const char *dir, const char *scratch, const char *const *meta, size_t nmeta,
                     ark_err *err);

/* Remove path and everything beneath it (a killed run's scratch part or shard); what
 * cannot be removed stays. */
void ark_newdb_remove(const char *path);
/* Remove the shards (ARK_SHARD_NAME) a killed run left in dir, which holds no index (no
 * stub names them) and whose lock (ark_newdb_lock) the caller holds. */
void ark_newdb_clear_shards(const char *dir);

/* The same for an index of n shards (index.h; n <= 1: ark_newdb_create): under dir's lock,
 * each shard made as above, then the stub, so that dir shows a whole index or none;
 * shards a killed run left without a stub are removed first. */
int ark_newdb_create_shards(const char *dir, unsigned n, const char *scratch,
                            const char *const *meta, size_t nmeta, ark_err *err);

/* Whether the database at dir (a folder; no database there holds nothing) holds document
 * id: *exists, and the root its record names into root (cap bytes, cut to fit; "" when
 * the record does not decode). Reads the last commit through a reader of its own; any
 * thread. 0, or the index's error (ARK_EINDEX, ARK_ENOMEM). */
int ark_owner_of(const char *dir, const char *id, int *exists, char *root, size_t cap,
                 ark_err *err);

#endif
