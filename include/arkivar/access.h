/* include/arkivar/access.h: access levels and the keys that grant them.
 * Owns: the levels a document can have (offentlig, intern) and their names, where each
 * level's database lives inside an index folder, and the key file: random 256-bit keys
 * that only their holders know, stored as keyed hashes (libsodium crypto_generichash),
 * compared in constant time.
 * Not here: which level a file has (lib/ingest/sidecar.c reads its sidecar), answering
 * requests (server/keys.c loads the file and checks a request's Bearer key).
 * Why one module: the indexer, the server and arkivar-keys must agree on the names, the
 * folder and the hash, or a key or a closed document would fall between them.
 *
 * Key file: one key a line, `NAME LEVEL HASH [RIGHTS]` (NAME [A-Za-z0-9._-], at most 64
 * bytes; LEVEL a level name; HASH 64 hex digits; RIGHTS, optional, a comma-separated list
 * of right names, today only "write"); '#' lines and blank lines are ignored. A key
 * without RIGHTS searches the levels up to LEVEL, which is what every key file written
 * before rights existed says. "write" adds pushing and deleting documents
 * (PUT/DELETE /api/documents/ID) at the levels up to LEVEL, never above it. */
#ifndef ARKIVAR_ACCESS_H
#define ARKIVAR_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "arkivar/err.h"

typedef enum ark_level {
    ARK_LEVEL_PUBLIC = 0, /* "offentlig": anyone, without a key (the default) */
    ARK_LEVEL_INTERN = 1, /* "intern": only with a key that grants it */
} ark_level;
#define ARK_NLEVELS 2

/* The folder, inside an index folder, of the database of documents at level l > public
 * ("intern"); the public database is the index folder itself. */
const char *ark_level_dir(ark_level l);
/* The level's name ("offentlig", "intern"). */
const char *ark_level_name(ark_level l);
/* The level named s[0, len): 0 and *out, or ARK_EINVAL for any other name. */
int ark_level_parse(const char *s, size_t len, ark_level *out);

#define ARK_KEY_BYTES 32                        /* a key's randomness: 256 bits */
#define ARK_KEY_TEXT (4 + 2 * ARK_KEY_BYTES)    /* "ark_" + hex: what a client sends */
#define ARK_KEY_HASH 32
#define ARK_KEY_NAME_MAX 64

/* A new key's text ("ark_" + 64 hex digits, NUL-terminated) into text, from the
 * system's random source. 0, or ARK_EINTERNAL when libsodium cannot start. */
int ark_key_new(char text[ARK_KEY_TEXT + 1]);
/* The keyed hash of a key's text as it is sent (len bytes): what the key file stores. */
void ark_key_hash(const char *text, size_t len, uint8_t out[ARK_KEY_HASH]);

/* What a key may do besides searching, as bits of ark_key_entry.rights. */
enum { ARK_RIGHT_WRITE = 1 }; /* "write": push and delete documents at its levels */

/* The name of right bit r ("write"), or NULL for a bit that names none. */
const char *ark_right_name(unsigned r);
/* The rights a comma-separated list s[0, len) names ("write"): 0 and *out, or
 * ARK_EINVAL for an unknown name, an empty item or a name twice. */
int ark_rights_parse(const char *s, size_t len, unsigned *out);

typedef struct ark_key_entry {
    char name[ARK_KEY_NAME_MAX + 1];
    ark_level level;
    unsigned rights; /* ARK_RIGHT_* bits; 0: search only */
    uint8_t hash[ARK_KEY_HASH];
} ark_key_entry;

typedef struct ark_keys {
    ark_key_entry *v;
    size_t n;
} ark_keys;

/* Parse a key file's text (len bytes) into *out (zeroed first; free with ark_keys_free).
 * 0, ARK_EINVAL naming the line that is not `NAME LEVEL HASH [RIGHTS]` or repeats a name,
 * ARK_ENOMEM. */
int ark_keys_parse(const char *text, size_t len, ark_keys *out, ark_err *err);
/* The text of the key file at path into *text (NUL-terminated, *len bytes; transferred:
 * free()). 0, ARK_ENOTFOUND (no such file), ARK_EIO, ARK_ETOOBIG (over 16 MB), ARK_ENOMEM. */
int ark_keys_read(const char *path, char **text, size_t *len, ark_err *err);
/* Read and parse the file at path: as ark_keys_read, then as ark_keys_parse (the message
 * naming the file). */
int ark_keys_load(const char *path, ark_keys *out, ark_err *err);
/* The level the key text[0, len) grants, or -1 when no entry holds its hash. Every
 * entry is compared, in constant time (sodium_memcmp), whichever matches. */
int ark_keys_check(const ark_keys *k, const char *text, size_t len);
/* The entry whose hash is the key text[0, len)'s, compared as ark_keys_check does, or
 * NULL. Borrowed from k: valid until k is freed. */
const ark_key_entry *ark_keys_match(const ark_keys *k, const char *text, size_t len);
/* The entry named name, or NULL. */
const ark_key_entry *ark_keys_find(const ark_keys *k, const char *name);
void ark_keys_free(ark_keys *k); /* accepts NULL */

/* 1 when s is a valid key name. */
int ark_key_name_ok(const char *s);

#endif
