/* lib/util/err.c: error codes to text, and filling the caller's ark_err.
 * Owns: nothing but the table of messages. */
#include "arkivar/err.h"

#include <stdarg.h>
#include <stdio.h>

const char *ark_strerror(int code) {
    switch (code) {
    case ARK_OK: return "success";
    case ARK_ENOMEM: return "out of memory";
    case ARK_EIO: return "input/output error";
    case ARK_EINVAL: return "invalid argument";
    case ARK_ENOTFOUND: return "not found";
    case ARK_EINDEX: return "index error";
    case ARK_ELOCKED: return "index is locked by another writer";
    case ARK_EMODIFIED: return "index was modified; reopen";
    case ARK_EBINARY: return "binary file";
    case ARK_EEMPTY: return "empty file";
    case ARK_ETOOBIG: return "too big";
    case ARK_EINTERNAL: return "internal error";
    case ARK_EFORMAT: return "not a readable file of its format";
    case ARK_EUNAVAIL: return "a shard does not answer";
    default: return "unknown error";
    }
}

int ark_err_set(ark_err *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
