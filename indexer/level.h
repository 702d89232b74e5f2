/* indexer/level.h: which access level a source file has.
 * Owns: reading a file's sidecar (NAME.meta.json beside it) and the folder defaults
 * (.arkivar.json in its folder or any folder above it, up to its root), both JSON
 * objects whose "access" member names a level (include/arkivar/access.h).
 * Why fail closed: a sidecar that cannot be read or parsed, or names no known level,
 * makes the file an error (not indexed at any level), never a public document. */
#ifndef ARK_INDEXER_LEVEL_H
#define ARK_INDEXER_LEVEL_H

#include "arkivar/access.h"
#include "arkivar/err.h"

#define ARK_SIDECAR_SUFFIX ".meta.json"
#define ARK_FOLDER_META ".arkivar.json"
#define ARK_SIDECAR_MAX (64 * 1024) /* bytes; a larger sidecar is an error */

/* The level of the file at path (as found, inside root dir root): its sidecar's
 * "access", else that of the nearest .arkivar.json from its folder up to root, else
 * ARK_LEVEL_PUBLIC. 0 and *out, or ARK_EINVAL (a sidecar that is not a JSON object, or
 * whose "access" is not a level name: err names the file), ARK_EIO, ARK_ENOMEM. */
int ark_level_of(const char *path, const char *root, ark_level *out, ark_err *err);

/* The "access" member of the JSON object text[0, len): 1 and the level, 0 when the
 * object has none, or ARK_EINVAL when text is not one JSON object or access is not a
 * level name. */
int ark_level_from_json(const char *text, size_t len, ark_level *out);

#endif
