/* indexer/level.h: what a source file's sidecar says, and its access level.
 * Owns: reading a file's sidecar (NAME.meta.json beside it): its access level and the
 * metadata the source system knows better than the text (title, date, type, case
 * numbers, committee); and the folder defaults of the level (.arkivar.json in the file's
 * folder or any folder above it, up to its root).
 * Why fail closed: a sidecar that cannot be read or parsed, names no known level or
 * gives a field of the wrong kind makes the file an error (not indexed at any level),
 * never a public document or a silently guessed one.
 *
 * The sidecar is one JSON object. Read members: "access" ("offentlig" | "intern"),
 * "title", "type", "committee" (strings), "date" ("YYYY-MM-DD"), "case_numbers" (an
 * array of strings), "url" (http or https, at most ARK_URL_MAX bytes) and "fields" (an
 * object of at most ARK_FIELDS_MAX strings; keys [a-z0-9_], at most ARK_FIELD_KEY_MAX
 * bytes; values at most ARK_FIELD_VALUE_MAX bytes): free fields that become filters.
 * Others are allowed and ignored. A folder's .arkivar.json is read for "access" only. */
#ifndef ARK_INDEXER_LEVEL_H
#define ARK_INDEXER_LEVEL_H

#include <stddef.h>

#include "arkivar/access.h"
#include "arkivar/err.h"

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

/* The sidecar of the document at path into *out (zeroed first; free with
 * ark_sidecar_free): 0 (out->raw NULL when there is none), ARK_EINVAL (not a JSON object,
 * an unknown level, a member of the wrong kind: err names the file and the member),
 * ARK_EIO, ARK_ENOMEM. */
int ark_sidecar_read(const char *path, ark_sidecar *out, ark_err *err);
/* The same, from the sidecar's text (for the tests): 0 or ARK_EINVAL / ARK_ENOMEM. */
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

#endif
