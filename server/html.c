/* server/html.c: HTML escaping and URL encoding with a sticky error.
 * Owns: the only code that turns untrusted bytes into HTML or URL text.
 * Not here: page layout (page.c).
 * Why: see html.h; json.c's UTF-8 decoder is shared so the HTML, JSON and text
 * renderers read broken input the same way. */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arkivar/err.h"
#include "json.h"

void ark_html_init(ark_html *h, ark_buf *b) {
    h->b = b;
    h->rc = 0;
}

void ark_html_raw(ark_html *h, const char *s) {
    if (h->rc == 0 && ark_buf_puts(h->b, s) != 0) h->rc = ARK_ENOMEM;
}

void ark_html_printf(ark_html *h, const char *fmt, ...) {
    if (h->rc) return;
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    /* Only our own short formats with numbers come here; a longer one is a bug. */
    if (n < 0 || (size_t)n >= sizeof tmp) { h->rc = ARK_EINTERNAL; return; }
    if (ark_buf_append(h->b, tmp, (size_t)n) != 0) h->rc = ARK_ENOMEM;
}

int ark_html_escape(ark_buf *out, const char *s, size_t len) {
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && i < len) {
        uint32_t cp;
        size_t n = ark_json_utf8_next(s + i, len - i, &cp);
        switch (cp) {
        case '&': rc = ark_buf_puts(out, "&amp;"); break;
        case '<': rc = ark_buf_puts(out, "&lt;"); break;
        case '>': rc = ark_buf_puts(out, "&gt;"); break;
        case '"': rc = ark_buf_puts(out, "&quot;"); break;
        case '\'': rc = ark_buf_puts(out, "&#39;"); break;
        default:
            if ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F))
                rc = ark_buf_putc(out, ' ');
            else if (cp == 0xFFFD && n == 1)
                rc = ark_json_utf8_put(out, 0xFFFD);
            else
                rc = ark_buf_append(out, s + i, n);
        }
        i += n;
    }
    return rc ? ARK_ENOMEM : 0;
}

void ark_html_textn(ark_html *h, const char *s, size_t len) {
    if (h->rc || !s) return;
    if (ark_html_escape(h->b, s, len) != 0) h->rc = ARK_ENOMEM;
}

void ark_html_text(ark_html *h, const char *s) {
    if (s) ark_html_textn(h, s, strlen(s));
}

static void url_enc(ark_html *h, const char *s, int keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    if (h->rc || !s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p && h->rc == 0; p++) {
        unsigned char c = *p;
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
        char e[3] = {'%', hex[c >> 4], hex[c & 15]};
        if ((plain ? ark_buf_putc(h->b, (char)c) : ark_buf_append(h->b, e, 3)) != 0)
            h->rc = ARK_ENOMEM;
    }
}

void ark_html_urlq(ark_html *h, const char *s) { url_enc(h, s, 0); }
void ark_html_urlpath(ark_html *h, const char *s) { url_enc(h, s, 1); }
