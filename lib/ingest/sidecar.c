/* lib/ingest/sidecar.c: a file's sidecar, its front matter and its access level
 * (include/arkivar/ingest.h).
 * Owns: the sidecar's JSON reader, the front matter's YAML subset, the folder defaults.
 * The JSON reader is strict and small: one object, whose members may hold any JSON
 * value; the members read are decoded (escapes, \u with surrogate pairs, to UTF-8).
 * Why in lib/: the server reads a pushed document's metadata (PUT /api/documents/ID)
 * with the same rules, and the same messages, as the indexer reads a sidecar. */
#include "arkivar/ingest.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arkivar/buf.h"
#include "arkivar/record.h"

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

static int hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (uint32_t)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

/* A string at p->at: 0 and [*b, *e) its raw inside (escapes checked), or -1. */
static int str(jp *p, size_t *b, size_t *e) {
    if (p->at >= p->n || p->s[p->at] != '"') return -1;
    *b = ++p->at;
    while (p->at < p->n && p->s[p->at] != '"') {
        unsigned char c = (unsigned char)p->s[p->at];
        if (c < 0x20) return -1;
        if (c == '\\') {
            if (++p->at >= p->n || !strchr("\"\\/bfnrtu", p->s[p->at])) return -1;
            uint32_t u;
            if (p->s[p->at] == 'u' && (p->n - p->at < 5 || hex4(p->s + p->at + 1, &u))) return -1;
            if (p->s[p->at] == 'u') p->at += 4;
        }
        p->at++;
    }
    if (p->at >= p->n) return -1;
    *e = p->at++;
    return 0;
}

static int put_utf8(ark_buf *b, uint32_t cp) {
    char o[4];
    size_t n;
    if (cp < 0x80) { o[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (char)(0x80 | (cp >> 6 & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return ark_buf_append(b, o, n);
}

/* The decoded text of a checked string's inside s[b, e): malloc'ed, or NULL (memory, or
 * a lone surrogate or a NUL: *bad set). */
static char *unescape(const char *s, size_t b, size_t e, int *bad) {
    ark_buf o = ARK_BUF_INIT;
    int rc = ark_buf_append(&o, "", 0);
    for (size_t i = b; !rc && i < e; i++) {
        if (s[i] != '\\') { rc = ark_buf_putc(&o, s[i]); continue; }
        char c = s[++i];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = strchr(from, c);
        if (c != 'u') { rc = ark_buf_putc(&o, to[k - from]); continue; }
        uint32_t cp = 0, lo = 0;
        hex4(s + i + 1, &cp);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < e && s[i + 1] == '\\' && s[i + 2] == 'u' &&
            hex4(s + i + 3, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
        } else if ((cp >= 0xD800 && cp < 0xE000) || cp == 0) {
            *bad = 1;
            ark_buf_free(&o);
            return NULL;
        }
        rc = put_utf8(&o, cp);
    }
    if (rc) {
        ark_buf_free(&o);
        return NULL;
    }
    return ark_buf_take(&o);
}

static int value(jp *p);

static int word(jp *p, const char *w) {
    size_t l = strlen(w);
    if (p->n - p->at < l || memcmp(p->s + p->at, w, l) != 0) return -1;
    p->at += l;
    return 0;
}

static int digits(jp *p) {
    size_t d = p->at;
    while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9') p->at++;
    return p->at > d ? 0 : -1;
}

static int number(jp *p) {
    if (p->at < p->n && p->s[p->at] == '-') p->at++;
    if (digits(p)) return -1;
    if (p->at < p->n && p->s[p->at] == '.') {
        p->at++;
        if (digits(p)) return -1;
    }
    if (p->at < p->n && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
        p->at++;
        if (p->at < p->n && (p->s[p->at] == '+' || p->s[p->at] == '-')) p->at++;
        if (digits(p)) return -1;
    }
    return 0;
}

/* One member of the top object: its key s[kb, ke) and value s[vb, ve). */
typedef int (*member_fn)(const char *s, size_t kb, size_t ke, size_t vb, size_t ve, void *user);

/* A container at p->at (object when close is '}'); for the top object, fn sees each
 * member. */
static int container(jp *p, char close, member_fn fn, void *user) {
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
        if (fn && fn(p->s, kb, ke, vb, p->at, user)) return -1;
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

typedef struct reader {
    ark_sidecar *sc;
    const char *bad;    /* the member that is wrong ("" : the JSON itself) */
    int seen;           /* bits: members read, so a repeated one is refused */
    int oom;
} reader;

static const char *const members[] = {"access",       "title", "date",  "type", "committee",
                                      "case_numbers", "url",   "fields"};

/* The decoded string value s[vb, ve), or NULL (not a string: r->bad; memory: r->oom). */
static char *string_of(reader *r, const char *s, size_t vb, size_t ve) {
    if (s[vb] != '"') return NULL;
    int bad = 0;
    char *v = unescape(s, vb + 1, ve - 1, &bad);
    if (!v && !bad) r->oom = 1;
    return v;
}

static int date_ok(const char *d) {
    static const char shape[] = "dddd-dd-dd";
    if (strlen(d) != sizeof shape - 1) return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (d[i] < '0' || d[i] > '9') : d[i] != '-') return 0;
    int m = (d[5] - '0') * 10 + d[6] - '0', day = (d[8] - '0') * 10 + d[9] - '0';
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

static int cases_of(reader *r, const char *s, size_t vb, size_t ve) {
    ark_sidecar *sc = r->sc;
    if (s[vb] != '[') return -1;
    jp p = {s, ve, vb + 1, 0};
    sc->has_cases = 1;
    for (;;) {
        ws(&p);
        if (p.at < p.n && s[p.at] == ']') return 0;
        size_t b, e;
        if (str(&p, &b, &e)) return -1;
        char *v = string_of(r, s, b - 1, e + 1);
        if (!v) return -1;
        char **nv = realloc(sc->case_numbers, (sc->ncase_numbers + 1) * sizeof *nv);
        if (!nv) {
            free(v);
            r->oom = 1;
            return -1;
        }
        sc->case_numbers = nv;
        sc->case_numbers[sc->ncase_numbers++] = v;
        ws(&p);
        if (p.at < p.n && s[p.at] == ',') p.at++;
    }
}

/* An address a page may link to: http or https, printable, bounded. */
static int url_ok(const char *u) {
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) return 0;
    size_t n = strlen(u);
    if (n > ARK_URL_MAX || n < 9) return 0;
    for (const unsigned char *c = (const unsigned char *)u; *c; c++)
        if (*c <= ' ' || *c == 0x7f) return 0;
    return 1;
}

static int field_key_ok(const char *s, size_t b, size_t e) {
    if (e <= b || e - b > ARK_FIELD_KEY_MAX) return 0;
    for (size_t i = b; i < e; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* "fields": an object of string members; into sc->fields as "key=value" + separator. */
static int fields_of(reader *r, const char *s, size_t vb, size_t ve) {
    if (s[vb] != '{') return -1;
    jp p = {s, ve, vb + 1, 0};
    ark_buf b = {0};
    size_t n = 0;
    for (;;) {
        ws(&p);
        if (p.at < p.n && s[p.at] == '}') break;
        size_t kb, ke, b2, e2;
        if (str(&p, &kb, &ke) || !field_key_ok(s, kb, ke) || ++n > ARK_FIELDS_MAX) goto bad;
        ws(&p);
        if (p.at >= p.n || s[p.at] != ':') goto bad;
        p.at++;
        ws(&p);
        if (str(&p, &b2, &e2)) goto bad;
        char *v = string_of(r, s, b2 - 1, e2 + 1);
        if (!v) goto bad;
        size_t vn = strlen(v);
        for (char *c = v; *c; c++)
            if (*c == ARK_FIELD_SEP || *c == '\t' || *c == '\n' || *c == '\r') *c = ' ';
        int rc = vn > ARK_FIELD_VALUE_MAX ? -1 : ark_buf_append(&b, s + kb, ke - kb);
        if (!rc) rc = ark_buf_putc(&b, '=');
        if (!rc) rc = ark_buf_append(&b, v, vn);
        if (!rc) rc = ark_buf_putc(&b, ARK_FIELD_SEP);
        free(v);
        if (rc) {
            if (rc == ARK_ENOMEM) r->oom = 1;
            goto bad;
        }
        ws(&p);
        if (p.at < p.n && s[p.at] == ',') p.at++;
    }
    if (ark_buf_putc(&b, '\0')) {
        r->oom = 1;
        goto bad;
    }
    r->sc->fields = b.data;
    return 0;
bad:
    ark_buf_free(&b);
    return -1;
}

static int read_member(const char *s, size_t kb, size_t ke, size_t vb, size_t ve, void *user) {
    reader *r = user;
    ark_sidecar *sc = r->sc;
    size_t k;
    for (k = 0; k < sizeof members / sizeof members[0]; k++)
        if (strlen(members[k]) == ke - kb && memcmp(s + kb, members[k], ke - kb) == 0) break;
    if (k == sizeof members / sizeof members[0]) return 0; /* not read today */
    r->bad = members[k];
    if (r->seen & 1 << k) return -1; /* twice */
    r->seen |= 1 << k;
    if (k == 5) return cases_of(r, s, vb, ve);
    if (k == 7) return fields_of(r, s, vb, ve);
    char *v = string_of(r, s, vb, ve);
    if (!v) return -1;
    int rc = 0;
    switch (k) {
    case 0:
        rc = ark_level_parse(v, strlen(v), &sc->level) ? -1 : 0;
        sc->has_level = rc == 0;
        free(v);
        break;
    case 1: sc->title = v; break;
    case 2:
        if (date_ok(v)) sc->date = v;
        else { free(v); rc = -1; }
        break;
    case 3: sc->type = v; break;
    case 6:
        if (url_ok(v)) sc->url = v;
        else { free(v); rc = -1; }
        break;
    default: sc->committee = v; break;
    }
    return rc;
}

/* A member read well is no longer the one to blame: JSON that breaks after it (a
 * missing '}') is "not one JSON object", not a fault of the last member. */
static int on_member(const char *s, size_t kb, size_t ke, size_t vb, size_t ve, void *user) {
    int rc = read_member(s, kb, ke, vb, ve, user);
    if (rc == 0) ((reader *)user)->bad = "";
    return rc;
}

int ark_sidecar_parse(const char *text, size_t len, ark_sidecar *out, ark_err *err) {
    ark_sidecar keep = {.raw = out->raw, .raw_len = out->raw_len};
    *out = keep;
    reader r = {out, "", 0, 0};
    jp p = {text, len, 0, 0};
    ws(&p);
    int rc = p.at < p.n && text[p.at] == '{' ? container(&p, '}', on_member, &r) : -1;
    if (rc == 0) {
        ws(&p);
        if (p.at != p.n) rc = -1, r.bad = "";
    }
    if (rc == 0) return 0;
    out->raw = NULL;
    ark_sidecar_free(out);
    *out = keep;
    if (r.oom) return ark_err_set(err, ARK_ENOMEM, "sidecar");
    if (!*r.bad) return ark_err_set(err, ARK_EINVAL, "not one JSON object");
    return ark_err_set(err, ARK_EINVAL, "\"%s\" is not %s", r.bad,
                       !strcmp(r.bad, "access")         ? "\"offentlig\" or \"intern\" (once)"
                       : !strcmp(r.bad, "date")         ? "a date \"YYYY-MM-DD\" (once)"
                       : !strcmp(r.bad, "case_numbers") ? "an array of strings (once)"
                       : !strcmp(r.bad, "url")          ? "an http(s) address (once)"
                       : !strcmp(r.bad, "fields")
                           ? "an object of at most 32 strings, keys [a-z0-9_] (once)"
                                                        : "a string (once)");
}

void ark_sidecar_free(ark_sidecar *s) {
    if (!s) return;
    free(s->title);
    free(s->date);
    free(s->type);
    free(s->committee);
    free(s->url);
    free(s->fields);
    for (size_t i = 0; i < s->ncase_numbers; i++) free(s->case_numbers[i]);
    free(s->case_numbers);
    free(s->raw);
    memset(s, 0, sizeof *s);
}

/* The JSON file at path into out (raw and parsed): 0 (absent: nothing), or an error
 * naming the file. */
static int read_json(const char *path, ark_sidecar *out, ark_err *err) {
    memset(out, 0, sizeof *out);
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
    int rc = 0;
    if (bad) rc = ark_err_set(err, ARK_EIO, "%s: cannot read", path);
    else if (n > ARK_SIDECAR_MAX)
        rc = ark_err_set(err, ARK_EINVAL, "%s: more than %d bytes", path, ARK_SIDECAR_MAX);
    if (rc) {
        free(buf);
        return rc;
    }
    out->raw = buf;
    out->raw_len = n;
    ark_err perr = {0, ""};
    if ((rc = ark_sidecar_parse(buf, n, out, &perr))) {
        ark_sidecar_free(out);
        return ark_err_set(err, rc, "%s: %s", path, perr.msg);
    }
    return 0;
}

int ark_sidecar_read(const char *path, ark_sidecar *out, ark_err *err) {
    char p[4096];
    memset(out, 0, sizeof *out);
    if (snprintf(p, sizeof p, "%s%s", path, ARK_SIDECAR_SUFFIX) >= (int)sizeof p)
        return ark_err_set(err, ARK_EINVAL, "%s: path too long", path);
    return read_json(p, out, err);
}

/* ---- YAML front matter ----------------------------------------------------------------- */

/* The line at s[*at] ([b, e) without its newline); 0 at the end. */
static int next_line(const char *s, size_t n, size_t *at, size_t *b, size_t *e) {
    if (*at >= n) return 0;
    *b = *at;
    while (*at < n && s[*at] != '\n') (*at)++;
    *e = *at;
    if (*e > *b && s[*e - 1] == '\r') (*e)--;
    if (*at < n) (*at)++;
    return 1;
}

static int line_is(const char *s, size_t b, size_t e, const char *w) {
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    return e - b == strlen(w) && memcmp(s + b, w, e - b) == 0;
}

size_t ark_front_len(const char *text, size_t len) {
    size_t at = 0, b, e;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        at = 3; /* a BOM */
    if (!next_line(text, len, &at, &b, &e) || !line_is(text, b, e, "---")) return 0;
    while (next_line(text, len, &at, &b, &e))
        if (line_is(text, b, e, "---") || line_is(text, b, e, "...")) return at;
    return 0; /* never closed: not front matter */
}

/* A scalar s[b, e) (trimmed) as a JSON string into j: plain, 'single' or "double". */
static int put_scalar(ark_buf *j, const char *s, size_t b, size_t e) {
    while (b < e && (s[b] == ' ' || s[b] == '\t')) b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    int rc = ark_buf_putc(j, '"');
    if (e - b >= 2 && s[b] == '"' && s[e - 1] == '"') {
        return rc ? rc : (ark_buf_append(j, s + b + 1, e - b - 2) || ark_buf_putc(j, '"'));
    }
    if (e - b >= 2 && s[b] == '\'' && s[e - 1] == '\'') b++, e--;
    for (size_t i = b; !rc && i < e; i++) {
        if (s[i] == '\'' && i + 1 < e && s[i + 1] == '\'') i++; /* '' in single quotes */
        if (s[i] == '"' || s[i] == '\\') rc = ark_buf_putc(j, '\\');
        if (!rc) rc = (unsigned char)s[i] < 0x20 ? ark_buf_printf(j, "\\u%04x", s[i]) : ark_buf_putc(j, s[i]);
    }
    return rc ? rc : ark_buf_putc(j, '"');
}

/* A flow list "[a, b]" s[b, e) as a JSON array of strings into j (no nesting). */
static int put_flow(ark_buf *j, const char *s, size_t b, size_t e) {
    int rc = ark_buf_putc(j, '[');
    size_t i = b + 1, start = i;
    int any = 0;
    e--; /* the ']' */
    for (; !rc && i <= e; i++) {
        if (i < e && s[i] != ',') continue;
        size_t x = start, y = i;
        while (x < y && (s[x] == ' ' || s[x] == '\t')) x++;
        if (x < y || i < e) {
            if (any) rc = ark_buf_putc(j, ',');
            if (!rc) rc = put_scalar(j, s, start, i);
            any = 1;
        }
        start = i + 1;
    }
    return rc ? rc : ark_buf_putc(j, ']');
}

int ark_front_parse(const char *text, size_t len, ark_sidecar *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    size_t flen = ark_front_len(text, len), at = 0, b, e, lineno = 0;
    if (!flen) return 0;
    ark_buf j = ARK_BUF_INIT;
    int rc = ark_buf_putc(&j, '{'), nmembers = 0, in_list = 0;
    next_line(text, flen, &at, &b, &e); /* the opening --- */
    lineno++;
    while (!rc && next_line(text, flen, &at, &b, &e)) {
        lineno++;
        if (line_is(text, b, e, "---") || line_is(text, b, e, "...")) break;
        size_t x = b;
        while (x < e && (text[x] == ' ' || text[x] == '\t')) x++;
        if (x == e || text[x] == '#') continue;
        if (text[x] == '-' && (x + 1 == e || text[x + 1] == ' ')) { /* an item of a block list */
            if (!in_list) goto bad;
            if (in_list > 1) rc = ark_buf_putc(&j, ',');
            if (!rc) rc = put_scalar(&j, text, x + 1, e);
            in_list = 2;
            continue;
        }
        if (in_list) rc = ark_buf_putc(&j, ']');
        in_list = 0;
        if (x != b) goto bad; /* nested mappings are not read */
        const char *colon = memchr(text + b, ':', e - b);
        if (!colon || colon == text + b) goto bad;
        size_t k = (size_t)(colon - text), v = k + 1;
        if (v < e && text[v] != ' ' && text[v] != '\t') goto bad;
        while (v < e && (text[v] == ' ' || text[v] == '\t')) v++;
        size_t ve = e;
        while (ve > v && (text[ve - 1] == ' ' || text[ve - 1] == '\t')) ve--;
        if (nmembers++ && !rc) rc = ark_buf_putc(&j, ',');
        if (!rc) rc = put_scalar(&j, text, b, k);
        if (!rc) rc = ark_buf_putc(&j, ':');
        if (rc) break;
        if (v == ve) { /* a block list follows */
            rc = ark_buf_putc(&j, '[');
            in_list = 1;
        } else if (text[v] == '[' && text[ve - 1] == ']') {
            rc = put_flow(&j, text, v, ve);
        } else if (text[v] == '[' || text[v] == '{') {
            goto bad; /* an unclosed list, or a flow mapping: not read */
        } else {
            rc = put_scalar(&j, text, v, ve);
        }
    }
    if (!rc && in_list) rc = ark_buf_putc(&j, ']');
    if (!rc) rc = ark_buf_putc(&j, '}');
    if (rc) {
        ark_buf_free(&j);
        return ark_err_set(err, ARK_ENOMEM, "front matter");
    }
    ark_err perr = {0, ""};
    rc = ark_sidecar_parse(j.data, j.len, out, &perr);
    ark_buf_free(&j);
    if (rc) return ark_err_set(err, rc, "front matter: %s", perr.msg);
    return 0;
bad:
    ark_buf_free(&j);
    return ark_err_set(err, ARK_EINVAL, "front matter, line %zu: not `key: value` or `- item`",
                       lineno);
}

int ark_front_file(const char *path) {
    const char *dot = strrchr(path, '.');
    return dot && (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0);
}

/* A .md or .markdown file's front matter (its first ARK_SIDECAR_MAX bytes). */
static int front_of(const char *path, ark_sidecar *out, ark_err *err) {
    memset(out, 0, sizeof *out);
    if (!ark_front_file(path)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0; /* the loader says why */
    char *buf = malloc(ARK_SIDECAR_MAX);
    if (!buf) {
        fclose(f);
        return ark_err_set(err, ARK_ENOMEM, "%s", path);
    }
    size_t n = fread(buf, 1, ARK_SIDECAR_MAX, f);
    fclose(f);
    ark_err perr = {0, ""};
    int rc = ark_front_parse(buf, n, out, &perr);
    free(buf);
    return rc ? ark_err_set(err, rc, "%s: %s", path, perr.msg) : 0;
}

int ark_level_of(const char *path, const char *root, ark_level *out, ark_err *err) {
    char p[4096];
    ark_sidecar sc;
    *out = ARK_LEVEL_PUBLIC;
    int rc = ark_sidecar_read(path, &sc, err);
    if (rc) return rc;
    int has = sc.has_level;
    if (has) *out = sc.level;
    ark_sidecar_free(&sc);
    if (!has) { /* the front matter's, after the sidecar's: fail closed on a bad one too */
        if ((rc = front_of(path, &sc, err))) return rc;
        has = sc.has_level;
        if (has) *out = sc.level;
        ark_sidecar_free(&sc);
    }
    if (has) return 0;
    /* The folders from the file's own up to the root. */
    size_t rl = strlen(root);
    if (strlen(path) >= sizeof p) return ark_err_set(err, ARK_EINVAL, "%s: path too long", path);
    memcpy(p, path, strlen(path) + 1);
    for (;;) {
        char *slash = strrchr(p, '/');
        if (!slash) break;
        *slash = '\0';
        size_t dl = strlen(p);
        if (dl < rl || memcmp(p, root, rl) != 0) break; /* only folders inside the root */
        char meta[4096 + sizeof ARK_FOLDER_META + 1];
        snprintf(meta, sizeof meta, "%s/%s", p, ARK_FOLDER_META);
        if ((rc = read_json(meta, &sc, err))) return rc;
        has = sc.has_level;
        if (has) *out = sc.level;
        ark_sidecar_free(&sc);
        if (has) return 0;
        if (dl == rl) break;
    }
    return 0;
}
