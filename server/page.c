/* server/page.c: the HTML front page.
 * Owns: markup and escaping.
 * Not here: search logic; the page only submits to /api/search.
 * Why no JavaScript yet: the full page is a later issue; a plain form already works in
 * every browser and submits to the text format, which reads well as plain text. */
#include "page.h"

#include <string.h>

#include "arkivar/err.h"
#include "json.h"

const char ark_page_html_type[] = "text/html; charset=utf-8";

int ark_page_escape(ark_buf *out, const char *s, size_t len) {
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

int ark_page_home(const char *q, ark_buf *out) {
    int rc = ark_buf_puts(out,
        "<!doctype html>\n"
        "<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>Arkivar</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;"
        "padding:0 1rem}input[type=search]{width:70%;font-size:1.1rem;padding:.4rem}"
        "button{font-size:1.1rem;padding:.4rem .8rem}</style>\n"
        "</head>\n<body>\n<h1>Arkivar</h1>\n"
        "<form action=\"/api/search\" method=\"get\" role=\"search\">\n"
        "<input type=\"hidden\" name=\"format\" value=\"text\">\n"
        "<input type=\"search\" name=\"q\" maxlength=\"1000\" autofocus "
        "aria-label=\"S\xC3\xB8g i sagerne\" placeholder=\"S\xC3\xB8g i sagerne\" value=\"");
    if (rc == 0 && q) rc = ark_page_escape(out, q, strlen(q));
    if (rc == 0)
        rc = ark_buf_puts(out,
            "\">\n<button type=\"submit\">S\xC3\xB8g</button>\n</form>\n"
            "<p>API: <code>/api/search?q=\xE2\x80\xA6</code>, <code>/api/doc/ID</code>, "
            "<code>/api/suggest?q=\xE2\x80\xA6</code>, <code>/health</code>, "
            "<code>/metrics</code></p>\n</body>\n</html>\n");
    return rc ? ARK_ENOMEM : 0;
}
