/* server/keys.h: which level a request's key grants.
 * Owns: the key file the server was given (--keys), read again within a second of any
 * change (arkivar-keys replaces it atomically), and reading `Authorization: Bearer KEY`.
 * Not here: the hash and the file format (include/arkivar/access.h).
 * Why fail closed: a key file that cannot be read or parsed any more grants nothing
 * until it can (every key then gets 401), rather than what it granted before. */
#ifndef ARKIVAR_SERVER_KEYS_H
#define ARKIVAR_SERVER_KEYS_H

#include "arkivar/access.h"
#include "arkivar/err.h"

/* Serve keys from the file at path (borrowed: it must outlive the server). 0, or the
 * error of reading it (ARK_ENOTFOUND, ARK_EIO, ARK_EINVAL naming the line). */
int ark_keys_serve(const char *path, ark_err *err);

/* Read the file again now (SIGHUP), as a change would within a second: *n keys and 0,
 * or the error, and then no key is granted until the file reads again (see the top).
 * Nothing to do without --keys (0, *n = 0). */
int ark_keys_reload(size_t *n, ark_err *err);

/* The level an Authorization header value grants: 0 with *lv, or -1 when it is not a
 * Bearer key of the file (wrong, revoked, malformed, or no --keys): a 401. NULL (no
 * header) is anonymous: ARK_LEVEL_PUBLIC. */
int ark_keys_level(const char *authorization, ark_level *lv);

/* The same with the key's rights (ARK_RIGHT_* of access.h): 1 for a key of the file
 * (*lv, *rights), 0 for no header (ARK_LEVEL_PUBLIC, no rights), -1 as above. */
int ark_keys_grant(const char *authorization, ark_level *lv, unsigned *rights);

/* 1 when the server reads a key file (--keys), else 0. */
int ark_keys_served(void);

void ark_keys_stop(void);

#endif
