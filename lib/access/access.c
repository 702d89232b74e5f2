/* lib/access/access.c: access levels, key hashing and the key file. See access.h.
 * The hash: BLAKE2b (crypto_generichash) keyed with a constant of this program, so a
 * key file's hashes mean nothing elsewhere. A key holds 256 random bits, so no salt or
 * slow hash is needed: nobody can guess one from its hash. */
#include "arkivar/access.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[ARK_NLEVELS] = {"offentlig", "intern"};

const char *ark_level_dir(ark_level l) { return l == ARK_LEVEL_INTERN ? "intern" : ""; }

const char *ark_level_name(ark_level l) {
    return (unsigned)l < ARK_NLEVELS ? level_names[l] : "?";
}

int ark_level_parse(const char *s, size_t len, ark_level *out) {
    for (int l = 0; l < ARK_NLEVELS; l++)
        if (strlen(level_names[l]) == len && memcmp(s, level_names[l], len) == 0) {
            *out = (ark_level)l;
            return 0;
        }
    return ARK_EINVAL;
}

static const char *const right_names[] = {"write"}; /* bit 0, bit 1, ... */
#define NRIGHTS (sizeof right_names / sizeof right_names[0])

const char *ark_right_name(unsigned r) {
    for (unsigned i = 0; i < NRIGHTS; i++)
        if (r == 1u << i) return right_names[i];
    return NULL;
}

int ark_rights_parse(const char *s, size_t len, unsigned *out) {
    unsigned rights = 0;
    for (size_t at = 0; at <= len;) {
        size_t end = at;
        while (end < len && s[end] != ',') end++;
        unsigned bit = 0;
        for (unsigned i = 0; i < NRIGHTS && !bit; i++)
            if (strlen(right_names[i]) == end - at && memcmp(s + at, right_names[i], end - at) == 0)
                bit = 1u << i;
        if (!bit || (rights & bit)) return ARK_EINVAL; /* unknown, empty or twice */
        rights |= bit;
        at = end + 1;
    }
    *out = rights;
    return 0;
}

static const unsigned char hash_key[] = "arkivar key file, version 1";

int ark_key_new(char text[ARK_KEY_TEXT + 1]) {
    unsigned char raw[ARK_KEY_BYTES];
    if (sodium_init() < 0) return ARK_EINTERNAL;
    randombytes_buf(raw, sizeof raw);
    memcpy(text, "ark_", 4);
    sodium_bin2hex(text + 4, ARK_KEY_TEXT - 4 + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

void ark_key_hash(const char *text, size_t len, uint8_t out[ARK_KEY_HASH]) {
    if (sodium_init() < 0) abort(); /* once; later calls return at once (cannot fail after) */
    crypto_generichash(out, ARK_KEY_HASH, (const unsigned char *)text, len, hash_key,
                       sizeof hash_key - 1);
}

int ark_key_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > ARK_KEY_NAME_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* The next space-separated field of line[at, end) into f (NUL-terminated, cap bytes):
 * its length, 0 at the end, or cap when it does not fit. */
static size_t field(const char *line, size_t end, size_t *at, char *f, size_t cap) {
    while (*at < end && (line[*at] == ' ' || line[*at] == '\t')) (*at)++;
    size_t s = *at;
    while (*at < end && line[*at] != ' ' && line[*at] != '\t') (*at)++;
    size_t n = *at - s;
    if (n >= cap) return cap;
    memcpy(f, line + s, n);
    f[n] = '\0';
    return n;
}

int ark_keys_parse(const char *text, size_t len, ark_keys *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    size_t cap = 0, lineno = 0;
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && text[end] != '\n') end++;
        lineno++;
        size_t e = end;
        if (e > at && text[e - 1] == '\r') e--;
        size_t p = at;
        at = end + 1;
        while (p < e && (text[p] == ' ' || text[p] == '\t')) p++;
        if (p == e || text[p] == '#') continue;
        char name[ARK_KEY_NAME_MAX + 2], level[16], hex[2 * ARK_KEY_HASH + 2], rights[64], extra[2];
        ark_key_entry k;
        size_t hl = 0, rl = 0;
        k.rights = 0;
        if (field(text, e, &p, name, sizeof name) >= sizeof name || !ark_key_name_ok(name) ||
            field(text, e, &p, level, sizeof level) >= sizeof level ||
            ark_level_parse(level, strlen(level), &k.level) != 0 ||
            field(text, e, &p, hex, sizeof hex) != 2 * ARK_KEY_HASH ||
            sodium_hex2bin(k.hash, sizeof k.hash, hex, 2 * ARK_KEY_HASH, NULL, &hl, NULL) != 0 ||
            hl != ARK_KEY_HASH || (rl = field(text, e, &p, rights, sizeof rights)) >= sizeof rights ||
            (rl && ark_rights_parse(rights, rl, &k.rights) != 0) ||
            field(text, e, &p, extra, sizeof extra) != 0) {
            ark_keys_free(out);
            return ark_err_set(err, ARK_EINVAL, "line %zu: not NAME LEVEL HASH [write]", lineno);
        }
        memcpy(k.name, name, strlen(name) + 1);
        if (ark_keys_find(out, k.name)) {
            ark_keys_free(out);
            return ark_err_set(err, ARK_EINVAL, "line %zu: the name %s is there twice", lineno,
                               k.name);
        }
        if (out->n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            ark_key_entry *v = realloc(out->v, nc * sizeof *v);
            if (!v) {
                ark_keys_free(out);
                return ark_err_set(err, ARK_ENOMEM, "key file");
            }
            out->v = v;
            cap = nc;
        }
        out->v[out->n++] = k;
    }
    return 0;
}

int ark_keys_read(const char *path, char **text, size_t *len, ark_err *err) {
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ark_err_set(err, errno == ENOENT ? ARK_ENOTFOUND : ARK_EIO, "%s: %s", path,
                           strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            char *b = nc <= (1u << 24) ? realloc(buf, nc + 1) : NULL;
            if (!b) {
                rc = ark_err_set(err, nc > (1u << 24) ? ARK_ETOOBIG : ARK_ENOMEM, "%s: too big",
                                 path);
                break;
            }
            buf = b;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) rc = ark_err_set(err, ARK_EIO, "%s: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    if (!buf && !(buf = malloc(1))) return ark_err_set(err, ARK_ENOMEM, "%s", path);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int ark_keys_load(const char *path, ark_keys *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    char *buf;
    size_t n;
    int rc = ark_keys_read(path, &buf, &n, err);
    if (rc) return rc;
    rc = ark_keys_parse(buf, n, out, err);
    if (rc && err) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%.200s: %.300s", path, err->msg);
        memcpy(err->msg, msg, sizeof msg);
    }
    free(buf);
    return rc;
}

const ark_key_entry *ark_keys_match(const ark_keys *k, const char *text, size_t len) {
    uint8_t h[ARK_KEY_HASH];
    const ark_key_entry *found = NULL;
    ark_key_hash(text, len, h);
    for (size_t i = 0; k && i < k->n; i++) {
        int same = sodium_memcmp(h, k->v[i].hash, ARK_KEY_HASH) == 0;
        if (same && !found) found = &k->v[i];
    }
    return found;
}

int ark_keys_check(const ark_keys *k, const char *text, size_t len) {
    const ark_key_entry *e = ark_keys_match(k, text, len);
    return e ? (int)e->level : -1;
}

const ark_key_entry *ark_keys_find(const ark_keys *k, const char *name) {
    for (size_t i = 0; k && i < k->n; i++)
        if (strcmp(k->v[i].name, name) == 0) return &k->v[i];
    return NULL;
}

void ark_keys_free(ark_keys *k) {
    if (!k) return;
    free(k->v);
    k->v = NULL;
    k->n = 0;
}
