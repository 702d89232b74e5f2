/* include/arkivar/err.h: error codes and the error buffer every fallible call fills.
 * Owns: the ARK_E* codes (negative, in their own range so they never collide with
 * errno), ark_strerror(), and ark_err, the caller's buffer for the detailed message.
 * Why: one way out of every function: return a code, name the file/term/document in err. */
#ifndef ARKIVAR_ERR_H
#define ARKIVAR_ERR_H

#include <stddef.h>

enum {
    ARK_OK = 0,
    ARK_ENOMEM = -30001,    /* out of memory */
    ARK_EIO = -30002,       /* read/write/stat failed (errno in the message) */
    ARK_EINVAL = -30003,    /* bad argument or bad input (query, flag, request) */
    ARK_ENOTFOUND = -30004, /* no such document, path, term or index */
    ARK_EINDEX = -30005,    /* Xapian reported an error (type and message in err) */
    ARK_ELOCKED = -30006,   /* the index is locked by another writer */
    ARK_EMODIFIED = -30007, /* the index changed under a reader; reopen and retry */
    ARK_EBINARY = -30008,   /* input file is binary, not text */
    ARK_EEMPTY = -30009,    /* input file holds no text */
    ARK_ETOOBIG = -30010,   /* input exceeds a size limit */
    ARK_EINTERNAL = -30011, /* our own bug: an exception or state we did not expect */
    ARK_EFORMAT = -30012,   /* input file is not the format its name says, or is damaged
                               or encrypted (a .pdf that poppler cannot open) */
    ARK_EUNAVAIL = -30013,  /* a remote shard does not answer (down, or past its timeout) */
};

/* The detail of the last error: filled by the failing call, read by the caller. */
typedef struct ark_err {
    int code;
    char msg[512];
} ark_err;

/* Static text of a code (never NULL, never freed). */
const char *ark_strerror(int code);

/* Fill err (may be NULL) with code and a printf-style message; returns code so a
 * caller can write `return ark_err_set(err, ARK_EIO, "read %s: %s", ...)`. */
int ark_err_set(ark_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
