/* indexer/level.c: a file's access level from its sidecar or its folders. See level.h.
 * The JSON reader is strict and small: the sidecar is one object; its members may hold
 * any JSON value (the archive's other metadata will live there too), and only "access"
 * is read. Strings are compared as they are (no escapes are decoded in "access"). */
#include "level.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct jp {
    const char *s;
    size_t n, at;
    int depth;
} jp;

static void ws(jp *p) {
    while (p->at < p->n && (p->s[p->at] == ' ' || p->s[p->at] == '\t' || p->s[p->at] == '\n' ||
                            p->s[p->at] == '\r'))
        p->at++;
}

/* A string at p->at: 0 and [*b, *e) its raw inside, or -1. */
static int str(jp *p, size_t *b, size_t *e) {
    if (p->at >= p->n || p->s[p->at] != '"') return -1;
    *b = ++p->at;
    while (p->at < p->n && p->s[p->at] != '"') {
        unsigned char c = (unsigned char)p->s[p->at];
        if (c < 0x20) return -1;
        if (c == '\\') {
            if (++p->at >= p->n || !strchr("\"\\/bfnrtu", p->s[p->at])) return -1;
            if (p->s[p->at] == 'u') {
                for (int k = 0; k < 4; k++)
                    if (++p->at >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->at])) return -1;
            }
        }
        p->at++;
    }
    if (p->at >= p->n) return -1;
    *e = p->at++;
    return 0;
}

static int value(jp *p);

static int word(jp *p, const char *w) {
    size_t l = strlen(w);
    if (p->n - p->at < l || memcmp(p->s + p->at, w, l) != 0) return -1;
    p->at += l;
    return 0;
}

static int number(jp *p) {
    size_t s = p->at;
    if (p->at < p->n && p->s[p->at] == '-') p->at++;
    size_t d = p->at;
    while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9') p->at++;
    if (p->at == d) return -1;
    if (p->at < p->n && p->s[p->at] == '.') {
        size_t f = ++p->at;
        while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9') p->at++;
        if (p->at == f) return -1;
    }
    if (p->at < p->n && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
        p->at++;
        if (p->at < p->n && (p->s[p->at] == '+' || p->s[p->at] == '-')) p->at++;
        size_t x = p->at;
        while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9') p->at++;
        if (p->at == x) return -1;
    }
    return p->at > s ? 0 : -1;
}

/* A container: members of an object (keys then values) or elements of an array. When
 * access is not NULL (the top object), the "access" member's raw string goes there. */
static int container(jp *p, char close, size_t access[2], int *has) {
    if (++p->depth > 32) return -1;
    p->at++;
    ws(p);
    if (p->at < p->n && p->s[p->at] == close) {
        p->at++;
        p->depth--;
        return 0;
    }
    for (;;) {
        ws(p);
        size_t kb = 0, ke = 0;
        if (close == '}') {
            if (str(p, &kb, &ke)) return -1;
            ws(p);
            if (p->at >= p->n || p->s[p->at] != ':') return -1;
            p->at++;
            ws(p);
        }
        size_t vb = p->at;
        if (value(p)) return -1;
        if (access && ke - kb == 6 && memcmp(p->s + kb, "access", 6) == 0) {
            if (p->s[vb] != '"' || *has) return -1; /* not a string, or twice */
            access[0] = vb + 1;
            access[1] = p->at - 1;
            *has = 1;
        }
        ws(p);
        if (p->at < p->n && p->s[p->at] == ',') {
            p->at++;
            continue;
        }
        if (p->at < p->n && p->s[p->at] == close) {
            p->at++;
            p->depth--;
            return 0;
        }
        return -1;
    }
}

static int value(jp *p) {
    ws(p);
    if (p->at >= p->n) return -1;
    size_t b, e;
    switch (p->s[p->at]) {
    case '{': return container(p, '}', NULL, NULL);
    case '[': return container(p, ']', NULL, NULL);
    case '"': return str(p, &b, &e);
    case 't': return word(p, "true");
    case 'f': return word(p, "false");
    case 'n': return word(p, "null");
    default: return number(p);
    }
}

int ark_level_from_json(const char *text, size_t len, ark_level *out) {
    jp p = {text, len, 0, 0};
    size_t access[2] = {0, 0};
    int has = 0;
    ws(&p);
    if (p.at >= p.n || text[p.at] != '{' || container(&p, '}', access, &has)) return ARK_EINVAL;
    ws(&p);
    if (p.at != p.n) return ARK_EINVAL;
    if (!has) return 0;
    if (ark_level_parse(text + access[0], access[1] - access[0], out) != 0) return ARK_EINVAL;
    return 1;
}

/* The level in the JSON file at path: 1 (with *out), 0 (no file, or no "access"), or
 * an error. */
static int level_in(const char *path, ark_level *out, ark_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR) return 0;
        return ark_err_set(err, ARK_EIO, "%s: %s", path, strerror(errno));
    }
    char *buf = malloc(ARK_SIDECAR_MAX + 1);
    if (!buf) {
        fclose(f);
        return ark_err_set(err, ARK_ENOMEM, "%s", path);
    }
    size_t n = fread(buf, 1, ARK_SIDECAR_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) rc = ark_err_set(err, ARK_EIO, "%s: cannot read", path);
    else if (n > ARK_SIDECAR_MAX)
        rc = ark_err_set(err, ARK_EINVAL, "%s: more than %d bytes", path, ARK_SIDECAR_MAX);
    else if ((rc = ark_level_from_json(buf, n, out)) < 0)
        rc = ark_err_set(err, ARK_EINVAL,
                         "%s: not a JSON object with \"access\": \"offentlig\" or \"intern\"",
                         path);
    free(buf);
    return rc;
}

int ark_level_of(const char *path, const char *root, ark_level *out, ark_err *err) {
    char p[4096];
    *out = ARK_LEVEL_PUBLIC;
    if (snprintf(p, sizeof p, "%s%s", path, ARK_SIDECAR_SUFFIX) >= (int)sizeof p)
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", path);
    int rc = level_in(p, out, err);
    if (rc) return rc < 0 ? rc : 0;
    /* The folders from the file's own up to the root. */
    size_t rl = strlen(root);
    memcpy(p, path, strlen(path) + 1);
    for (;;) {
        char *slash = strrchr(p, '/');
        if (!slash) break;
        *slash = '\0';
        size_t dl = strlen(p);
        if (dl < rl || memcmp(p, root, rl) != 0) break; /* only folders inside the root */
        char meta[4096 + sizeof ARK_FOLDER_META + 1];
        snprintf(meta, sizeof meta, "%s/%s", p, ARK_FOLDER_META);
        if ((rc = level_in(meta, out, err))) return rc < 0 ? rc : 0;
        if (dl == rl) break;
    }
    return 0;
}
