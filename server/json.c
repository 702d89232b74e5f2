/* server/json.c: a small streaming JSON writer on ark_buf.
 * Owns: commas and nesting, string escaping, UTF-8 repair.
 * Not here: the shape of any response (api.c).
 * Why: extracted PDF text holds broken UTF-8 and stray control bytes; clients
 * (browsers, jq, python) reject the whole response for one bad byte. */
#include "json.h"

#include <math.h>
#include <stdio.h>

#include "arkivar/err.h"

void ark_json_init(ark_json *j, ark_buf *b) {
    j->b = b;
    j->rc = 0;
    j->depth = 0;
    j->key_pending = 0;
    j->count[0] = 0;
    j->is_obj[0] = 0;
}

int ark_json_finish(ark_json *j) {
    if (j->rc == 0 && (j->depth != 0 || j->key_pending)) j->rc = ARK_EINVAL;
    return j->rc;
}

static void put(ark_json *j, const char *s, size_t n) {
    if (j->rc == 0) j->rc = ark_buf_append(j->b, s, n);
}

/* Before any value: the comma, and a check that objects get keys first. */
static int before_value(ark_json *j) {
    if (j->rc) return 0;
    if (j->key_pending) {
        j->key_pending = 0;
        return 1;
    }
    if (j->depth > 0 && j->is_obj[j->depth]) {
        j->rc = ARK_EINVAL; /* a value where a key is due: our own bug, but keep output valid */
        return 0;
    }
    if (j->depth == 0 && j->count[0]) {
        j->rc = ARK_EINVAL; /* two top-level values */
        return 0;
    }
    if (j->depth > 0 && j->count[j->depth]) put(j, ",", 1);
    j->count[j->depth] = 1;
    return j->rc == 0;
}

static void open_level(ark_json *j, int obj) {
    if (!before_value(j)) return;
    if (j->depth + 1 >= ARK_JSON_MAX_DEPTH) {
        j->rc = ARK_EINVAL;
        return;
    }
    put(j, obj ? "{" : "[", 1);
    j->depth++;
    j->count[j->depth] = 0;
    j->is_obj[j->depth] = (unsigned char)obj;
}

static void close_level(ark_json *j, int obj) {
    if (j->rc) return;
    if (j->depth == 0 || j->is_obj[j->depth] != obj || j->key_pending) {
        j->rc = ARK_EINVAL;
        return;
    }
    put(j, obj ? "}" : "]", 1);
    j->depth--;
}

void ark_json_obj_begin(ark_json *j) { open_level(j, 1); }
void ark_json_obj_end(ark_json *j) { close_level(j, 1); }
void ark_json_arr_begin(ark_json *j) { open_level(j, 0); }
void ark_json_arr_end(ark_json *j) { close_level(j, 0); }

void ark_json_key(ark_json *j, const char *key) {
    if (j->rc) return;
    if (j->depth == 0 || !j->is_obj[j->depth] || j->key_pending) {
        j->rc = ARK_EINVAL;
        return;
    }
    if (j->count[j->depth]) put(j, ",", 1);
    j->count[j->depth] = 1;
    /* Keys are the routes' own ASCII names: quoted, not escaped. */
    size_t n = 0;
    int plain = 1;
    for (; key[n]; n++) plain &= key[n] >= 0x20 && key[n] < 0x7F && key[n] != '"' && key[n] != '\\';
    if (plain) {
        put(j, "\"", 1);
        put(j, key, n);
        put(j, "\":", 2);
    } else {
        if (j->rc == 0) j->rc = ark_json_escape(j->b, key, n);
        put(j, ":", 1);
    }
    j->key_pending = 1;
}

void ark_json_strn(ark_json *j, const char *s, size_t len) {
    if (!s) {
        ark_json_null(j);
        return;
    }
    if (!before_value(j)) return;
    j->rc = ark_json_escape(j->b, s, len);
}

void ark_json_str(ark_json *j, const char *s) {
    size_t n = 0;
    if (s)
        while (s[n]) n++;
    ark_json_strn(j, s, n);
}

/* Decimal digits by hand: a search answer holds a dozen integers per result, and
 * printf's machinery was most of the cost of writing them. */
static void put_u64(ark_json *j, uint64_t v) {
    char d[20];
    size_t n = sizeof d;
    do {
        d[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(j, d + n, sizeof d - n);
}

void ark_json_u64(ark_json *j, uint64_t v) {
    if (!before_value(j)) return;
    put_u64(j, v);
}

void ark_json_i64(ark_json *j, int64_t v) {
    if (!before_value(j)) return;
    if (v < 0) put(j, "-", 1);
    put_u64(j, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void ark_json_double(ark_json *j, double v, int decimals) {
    if (!isfinite(v)) { /* JSON has no NaN or Infinity */
        ark_json_null(j);
        return;
    }
    if (!before_value(j)) return;
    if (decimals < 0) decimals = 0;
    if (decimals > 17) decimals = 17;
    /* %.*f always writes a '.' decimal point: the server never calls setlocale. */
    j->rc = ark_buf_printf(j->b, "%.*f", decimals, v);
}

void ark_json_bool(ark_json *j, int v) {
    if (!before_value(j)) return;
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void ark_json_null(ark_json *j) {
    if (!before_value(j)) return;
    put(j, "null", 4);
}

size_t ark_json_utf8_next(const char *str, size_t len, uint32_t *cp) {
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    uint32_t v, min;
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07u; min = 0x10000;
    } else {
        goto bad; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (len < n) goto bad;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) goto bad;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) goto bad;
    *cp = v;
    return n;
bad:
    *cp = 0xFFFD;
    return 1;
}

int ark_json_utf8_put(ark_buf *b, uint32_t cp) {
    char o[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    return ark_buf_append(b, o, n);
}

int ark_json_escape(ark_buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t mark = b->len;
    /* Worst case 6 output bytes per input byte; reserve once for typical text. */
    if (ark_buf_reserve(b, len + len / 8 + 2) != 0) return ARK_ENOMEM;
    int rc = ark_buf_putc(b, '"');
    size_t i = 0;
    while (rc == 0 && i < len) {
        /* Copy the longest run of plain ASCII in one append. */
        size_t run = i;
        while (run < len) {
            unsigned char c = (unsigned char)s[run];
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7F) break;
            run++;
        }
        if (run > i) {
            rc = ark_buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = ark_buf_append(b, e, 2);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            switch (c) {
            case '\n': rc = ark_buf_append(b, "\\n", 2); break;
            case '\r': rc = ark_buf_append(b, "\\r", 2); break;
            case '\t': rc = ark_buf_append(b, "\\t", 2); break;
            case '\b': rc = ark_buf_append(b, "\\b", 2); break;
            case '\f': rc = ark_buf_append(b, "\\f", 2); break;
            default: rc = ark_buf_append(b, e, 6); break;
            }
            i++;
        } else {
            uint32_t cp;
            size_t n = ark_json_utf8_next(s + i, len - i, &cp);
            if (cp == 0x2028 || cp == 0x2029)
                rc = ark_buf_append(b, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
            else if (cp == 0xFFFD && n == 1)
                rc = ark_buf_append(b, "\xEF\xBF\xBD", 3);
            else
                rc = ark_buf_append(b, s + i, n);
            i += n;
        }
    }
    if (rc == 0) rc = ark_buf_putc(b, '"');
    if (rc != 0) { /* leave the buffer as it was, as ark_buf does */
        b->len = mark;
        if (b->data) b->data[mark] = '\0';
    }
    return rc;
}

void ark_json_kstr(ark_json *j, const char *key, const char *s) {
    ark_json_key(j, key);
    ark_json_str(j, s);
}

void ark_json_ku64(ark_json *j, const char *key, uint64_t v) {
    ark_json_key(j, key);
    ark_json_u64(j, v);
}

void ark_json_kbool(ark_json *j, const char *key, int v) {
    ark_json_key(j, key);
    ark_json_bool(j, v);
}
