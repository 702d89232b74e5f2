/* server/config.h: the server's configuration file (--config FILE), an INI file.
 * Owns: reading the file with libinih, one `key = value` line at a time, and naming the
 * file and line of anything wrong with it.
 * Not here: what a key means and which values it takes: each key is a flag's name
 * without its dashes, and its value goes through the flag's own check (main.c), so the
 * file and the command line cannot drift apart.
 * Why libinih: a small, well-worn parser (Debian's libinih-dev) for the format every
 * operator knows, rather than a parser of our own. */
#ifndef ARKIVAR_SERVER_CONFIG_H
#define ARKIVAR_SERVER_CONFIG_H

#include <stddef.h>

#include "arkivar/err.h"

/* Called for each key of the [server] section, in file order: return 0, or write why
 * the value is wrong (or that the key is unknown) into msg (n bytes) and return -1. */
typedef int (*ark_config_apply)(void *user, const char *key, const char *value, char *msg,
                                size_t n);

/* Read the INI file at path: every `key = value` of its [server] section goes to apply.
 * 0, or the first error with "PATH:LINE: why" in err: ARK_ENOTFOUND/ARK_EIO (cannot be
 * read), ARK_EINVAL (a syntax error, a key outside [server], another section, a line
 * longer than libinih reads (199 bytes in Debian's build), or what apply said), ARK_ENOMEM. Keys before the error may
 * have been applied. */
int ark_config_read(const char *path, ark_config_apply apply, void *user, ark_err *err);

#endif
