/* server/page.c: the frame of the search site, the start page, OpenSearch, the script.
 * Owns: the Danish markup every page shares (head, top bar, search form, foot, error
 * page), the page's URL parameters (q, type, year, page, limit, sort, exact) read and
 * checked, the small formatting helpers, marked text, and the static files.
 * The pages themselves: results.c (GET /?q=…), docpage.c (GET /doc/ID); frame.h is
 * what they share.
 * Not here: escaping (html.c, through which every untrusted byte goes), CSS and JS
 * (assets.c), headers and CSP (http.c), the JSON API (api.c). */
#include "page.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"
#include "arkivar/search.h"
#include "assets.h"
#include "frame.h"
#include "html.h"
#include "theme.h"
#include "worker.h"

const char ark_page_html_type[] = "text/html; charset=utf-8";
static const char js_type[] = "text/javascript; charset=utf-8";
static const char svg_type[] = "image/svg+xml";
static const char css_type[] = "text/css; charset=utf-8";
static const char text_type[] = "text/plain; charset=utf-8";
static const char osd_type[] = "application/opensearchdescription+xml; charset=utf-8";

#define MAX_FILTER 64     /* bytes of a type value */

/* ---- engine calls (worker.h: one retry when a commit overwrote the revision) ----------- */

int pg_run_search(ark_level lv, const ark_search_req *sr, ark_results *res, ark_err *err) {
    int opened;
    return ark_worker_search(lv, sr, res, &opened, err);
}

int pg_run_doc(ark_level lv, const ark_doc_req *req, ark_docview *v, ark_err *err) {
    int opened;
    return ark_worker_doc(lv, req, v, &opened, err);
}

/* ---- small formatting helpers ---------------------------------------------------------- */

int pg_blank(const char *s) {
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v') return 0;
    return 1;
}

/* 12345 → "12.345" (Danish digit grouping). */
void pg_put_num(ark_html *h, uint64_t v) {
    char d[24], o[32];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0) o[k++] = '.';
        o[k++] = d[i];
    }
    o[k] = '\0';
    ark_html_raw(h, o);
}

/* Milliseconds with a decimal comma: "17,8 ms". */
void pg_put_ms(ark_html *h, double ms) {
    char t[32];
    snprintf(t, sizeof t, ms < 10 ? "%.1f" : "%.0f", ms);
    for (char *p = t; *p; p++)
        if (*p == '.') *p = ',';
    ark_html_raw(h, t);
    ark_html_raw(h, "&nbsp;ms");
}

static const char *const month_da[12] = {"januar", "februar", "marts", "april", "maj", "juni",
                                         "juli", "august", "september", "oktober", "november",
                                         "december"};

static int digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* "2026-06-24" → <time datetime="2026-06-24">24. juni 2026</time>; "2026-06" and
 * "2026" likewise; anything else is shown as it is. */
void pg_put_date(ark_html *h, const char *d) {
    size_t n = d ? strlen(d) : 0;
    if (!n) return;
    int y = n >= 4 && digits(d, 4);
    int m = y && n >= 7 && d[4] == '-' && digits(d + 5, 2);
    int dd = m && n == 10 && d[7] == '-' && digits(d + 8, 2);
    int mon = m ? (d[5] - '0') * 10 + (d[6] - '0') : 0;
    if (!y || (m && (mon < 1 || mon > 12)) || (n != 4 && n != 7 && !dd)) {
        ark_html_text(h, d);
        return;
    }
    ark_html_raw(h, "<time datetime=\"");
    ark_html_text(h, d);
    ark_html_raw(h, "\">");
    if (dd) ark_html_printf(h, "%d. ", (d[8] - '0') * 10 + (d[9] - '0'));
    if (m) {
        ark_html_raw(h, month_da[mon - 1]);
        ark_html_raw(h, " ");
    }
    ark_html_textn(h, d, 4);
    ark_html_raw(h, "</time>");
}

/* Document types are stored lower case ("svar"); show "Svar". */
void pg_put_type(ark_html *h, const char *t) {
    if (!t || !*t) return;
    if (t[0] >= 'a' && t[0] <= 'z') {
        char c[2] = {(char)(t[0] - 'a' + 'A'), 0};
        ark_html_raw(h, c);
        ark_html_text(h, t + 1);
    } else {
        ark_html_text(h, t);
    }
}

void pg_put_lines(ark_html *h, uint32_t a, uint32_t b, uint32_t page, uint32_t page_end) {
    if (a && b && b != a)
        ark_html_printf(h, "linje %u\xE2\x80\x93%u", (unsigned)a, (unsigned)b);
    else if (a)
        ark_html_printf(h, "linje %u", (unsigned)a);
    if (page && page_end > page)
        ark_html_printf(h, ", side %u\xE2\x80\x93%u", (unsigned)page, (unsigned)page_end);
    else if (page)
        ark_html_printf(h, ", side %u", (unsigned)page);
}

/* ---- marks ------------------------------------------------------------------------------- */

static int is_cont(const char *s, size_t i, size_t len) {
    return i < len && ((unsigned char)s[i] & 0xC0) == 0x80;
}

/* text[0, len) with <mark> around each [start, end) of hl, which search.h promises in
 * order, apart and on character boundaries. A range that breaks the promise (outside
 * the text, overlapping or before the previous one) is dropped and an end inside a
 * UTF-8 sequence moved off it, so a wrong offset can cost a mark but never break the
 * escaping. Every piece, marked or not, goes through ark_html_textn. */
void pg_put_marked(ark_html *h, const char *text, size_t len, const uint32_t (*hl)[2],
                   size_t nhl) {
    size_t at = 0;
    for (size_t i = 0; i < nhl; i++) {
        size_t s = hl[i][0], e = hl[i][1];
        if (s >= e || e > len || s < at) continue;
        while (s > at && is_cont(text, s, len)) s--;
        while (is_cont(text, e, len)) e++;
        ark_html_textn(h, text + at, s - at);
        ark_html_raw(h, "<mark>");
        ark_html_textn(h, text + s, e - s);
        ark_html_raw(h, "</mark>");
        at = e;
    }
    ark_html_textn(h, text + at, len - at);
}

/* ---- the frame every page shares ------------------------------------------------------ */


/* "/?q=…&type=…" for v; in an attribute, hence &amp;. */
void pg_put_href(ark_html *h, const view *v) {
    const char *sep = "?";
    ark_html_raw(h, "/");
    if (v->q && *v->q) {
        ark_html_raw(h, "?q=");
        ark_html_urlq(h, v->q);
        sep = "&amp;";
    }
    if (v->type) {
        ark_html_raw(h, sep);
        ark_html_raw(h, "type=");
        ark_html_urlq(h, v->type);
        sep = "&amp;";
    }
    if (v->year) {
        ark_html_raw(h, sep);
        ark_html_raw(h, "year=");
        ark_html_urlq(h, v->year);
        sep = "&amp;";
    }
    if (v->by_date) {
        ark_html_raw(h, sep);
        ark_html_raw(h, "sort=date");
        sep = "&amp;";
    }
    if (v->limit != ARK_PAGE_LIMIT) {
        ark_html_raw(h, sep);
        ark_html_printf(h, "limit=%u", v->limit);
        sep = "&amp;";
    }
    if (v->exact) {
        ark_html_raw(h, sep);
        ark_html_raw(h, "exact=1");
        sep = "&amp;";
    }
    if (v->page > 1) {
        ark_html_raw(h, sep);
        ark_html_printf(h, "page=%u", v->page);
    }
}

/* The site's name: the theme's, else ours. */
static const char *site_name(const ark_theme *t) {
    return ark_theme_name(t) ? ark_theme_name(t) : "Arkivar";
}

void pg_page_head(ark_html *h, const char *title_prefix) {
    const ark_theme *t = ark_theme_get();
    const char *css, *ver;
    size_t css_len;
    ark_html_raw(h,
        "<!doctype html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light\">\n"
        "<meta name=\"referrer\" content=\"same-origin\">\n<title>");
    if (title_prefix && *title_prefix) {
        ark_html_text(h, title_prefix);
        ark_html_raw(h, " \xE2\x80\x93 ");
    }
    ark_html_text(h, site_name(t));
    ark_html_raw(h, "</title>\n"
        "<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"");
    ark_html_text(h, site_name(t));
    ark_html_raw(h, "\" href=\"/opensearch.xml\">\n"
        "<link rel=\"icon\" type=\"image/svg+xml\" href=\"/static/arkivar.svg\">\n<style>");
    ark_html_raw(h, ark_assets_css);
    ark_html_raw(h, "</style>\n");
    /* After the built-in style, so that the theme's rules win at equal specificity. */
    if (ark_theme_css(t, &css, &css_len, &ver) == 0)
        ark_html_printf(h, "<link rel=\"stylesheet\" href=\"/theme/theme.css?v=%s\">\n", ver);
    ark_html_raw(h, "<script src=\"/static/arkivar.js\" defer></script>\n</head>\n<body>\n"
                    "<a class=\"skip\" href=\"#main\">Spring til indhold</a>\n");
    ark_theme_put(t);
}

/* The search box; id="q" is what the script enhances. limit is carried so a new
 * search keeps the page size, filters are not (a new question starts unfiltered). */
static void put_form(ark_html *h, const view *v, int big) {
    ark_html_raw(h, "<form class=\"sf\" role=\"search\" action=\"/\" method=\"get\">\n");
    if (big)
        ark_html_raw(h, "<label for=\"q\">S\xC3\xB8g i sager, svar og orienteringer</label>\n");
    else
        ark_html_raw(h, "<label class=\"sr\" for=\"q\">S\xC3\xB8g i sagerne</label>\n");
    ark_html_raw(h, "<div class=\"box\"><input id=\"q\" name=\"q\" type=\"search\" maxlength=\"1000\" "
                    "spellcheck=\"false\" autocapitalize=\"off\" enterkeyhint=\"search\"");
    if (big) ark_html_raw(h, " autofocus placeholder=\"Fx innovation, skolemad eller et sagsnummer\"");
    ark_html_raw(h, " value=\"");
    ark_html_text(h, v->q);
    ark_html_raw(h, "\"><button type=\"submit\">S\xC3\xB8g</button></div>\n");
    if (v->limit != ARK_PAGE_LIMIT) ark_html_printf(h, "<input type=\"hidden\" name=\"limit\" value=\"%u\">\n", v->limit);
    ark_html_raw(h, "</form>\n");
}

void pg_page_top(ark_html *h, const view *v, int with_form) {
    const ark_theme *t = ark_theme_get();
    const char *logo, *file, *type, *ver;
    size_t len;
    ark_html_raw(h, "<header class=\"top\"><div class=\"wrap\">\n<a class=\"brand\" href=\"/\">");
    /* alt="": the name beside it says what the logo would. */
    if (ark_theme_logo(t, &logo, &len, &file, &type, &ver) == 0)
        ark_html_printf(h, "<img class=\"logo\" src=\"/theme/%s?v=%s\" alt=\"\">", file, ver);
    ark_html_text(h, site_name(t));
    ark_html_raw(h, "<span>S\xC3\xB8g i kommunens sager</span></a>\n");
    if (with_form) put_form(h, v, 0);
    ark_html_raw(h, "</div></header>\n");
    ark_theme_put(t);
}

/* The foot: the theme's text (else ours), and the accessibility statement on every
 * page, as Danish public sites must link it (webtilgængelighedsloven). */
void pg_page_foot(ark_html *h) {
    const ark_theme *t = ark_theme_get();
    const char *a11y = ark_theme_a11y_url(t);
    ark_html_raw(h, "<footer class=\"foot\"><div class=\"wrap\">");
    if (ark_theme_footer(t)) {
        ark_html_text(h, ark_theme_footer(t));
    } else {
        ark_html_text(h, site_name(t));
        ark_html_raw(h, " \xE2\x80\x93 fuldtekstsøgning i kommunens sagsakter.");
    }
    ark_html_raw(h, " <a href=\"/#tips\">Søgetips</a> · "
        "<a href=\"/api/search?q=innovation&amp;format=text\">API</a> · "
        "<a href=\"/opensearch.xml\" type=\"application/opensearchdescription+xml\">Tilføj som "
        "søgemaskine</a>");
    if (a11y) {
        ark_html_raw(h, " · <a class=\"a11y\" href=\"");
        ark_html_text(h, a11y);
        ark_html_raw(h, "\">Tilgængelighedserklæring</a>");
    }
    ark_html_raw(h, "</div></footer>\n</body>\n</html>\n");
    ark_theme_put(t);
}

/* ---- GET / without a query: the start page ---------------------------------------------- */

void pg_home(ark_html *h, const view *v) {
    ark_engine_stats st = {0};
    ark_err err = {0, ""};
    ark_engine *e = ark_worker_engine(v->level, &err);
    int have = e && ark_engine_stats_get(e, &st, &err) == 0;
    pg_page_head(h, NULL);
    pg_page_top(h, v, 0);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\">\n<div class=\"hero\">\n"
                    "<h1>Find svaret i sagerne</h1>\n<p class=\"lead\">Søg i svar til "
                    "politikerne, orienteringer til udvalgene, sagsfremstillinger og bilag. "
                    "Du får det afsnit, der svarer, med de fundne ord markeret og præcis "
                    "henvisning til dokument, linje og side.");
    if (have && st.documents) {
        ark_html_raw(h, " Arkivet rummer ");
        pg_put_num(h, st.documents);
        ark_html_raw(h, st.documents == 1 ? " dokument." : " dokumenter.");
    }
    ark_html_raw(h, "</p>\n");
    put_form(h, v, 1);
    ark_html_raw(h,
        "</div>\n<section class=\"tips\" id=\"tips\" aria-labelledby=\"tips-h\">\n"
        "<h2 id=\"tips-h\">Søgetips</h2>\n<dl>\n"
        "<dt><code>skolemad kartofler</code></dt><dd>afsnit med ordene; flere fundne ord "
        "giver højere placering. Bøjninger og sammensatte ord findes også.</dd>\n"
        "<dt><code>Kobenhavn</code></dt><dd>æ, ø og å kan skrives som ae, oe/o og aa/a.</dd>\n"
        "<dt><code>\"Copenhagen Solutions Lab\"</code></dt><dd>den præcise frase.</dd>\n"
        "<dt><code>partnerskab -OPP</code></dt><dd>uden et ord.</dd>\n"
        "<dt><code>skole OR daginstitution</code></dt><dd>det ene eller det andet.</dd>\n"
        "<dt><code>innovat*</code></dt><dd>ord, der begynder sådan.</dd>\n"
        "<dt><code>sag:2026-0179043</code></dt><dd>et sagsnummer; også <code>udvalg:ØU</code>, "
        "<code>type:svar</code>, <code>dato:2026</code>.</dd>\n"
        "</dl>\n</section>\n</div></main>\n");
    pg_page_foot(h);
}

/* A type value as the engine's query syntax can hold it unquoted: letters (any UTF-8
 * beyond ASCII), digits, '-' and '_'. Anything else is ignored, never passed on. */
static int type_ok(const char *t) {
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > MAX_FILTER) return 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p >= 0x80))
            return 0;
    return 1;
}

static int year_ok(const char *y) { return y && strlen(y) == 4 && digits(y, 4); }

void pg_error_page(ark_html *h, const view *v, const char *title, const char *msg) {
    pg_page_head(h, title);
    pg_page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap doc\">\n<h1>");
    ark_html_text(h, title);
    ark_html_raw(h, "</h1>\n<p>");
    ark_html_text(h, msg);
    ark_html_raw(h, "</p>\n<p><a href=\"/\">Til forsiden</a></p>\n</div></main>\n");
    pg_page_foot(h);
}

/* Query parameters of the page, checked; a bad value falls back to the default
 * rather than an error page: these come from links and a search box. */
void pg_read_view(const ark_api_req *req, view *v) {
    const char *s;
    memset(v, 0, sizeof *v);
    v->level = req->level;
    v->q = req->get(req->ctx, "q");
    if (!v->q || strlen(v->q) > ARK_API_MAX_Q) v->q = "";
    s = req->get(req->ctx, "type");
    v->type = type_ok(s) ? s : NULL;
    s = req->get(req->ctx, "year");
    v->year = year_ok(s) ? s : NULL;
    v->limit = ARK_PAGE_LIMIT;
    s = req->get(req->ctx, "limit");
    if (s) {
        char *end;
        unsigned long l = strtoul(s, &end, 10);
        if (*s >= '0' && *s <= '9' && !*end && l >= 1 && l <= ARK_PAGE_MAX_LIMIT) v->limit = (unsigned)l;
    }
    v->page = 1;
    s = req->get(req->ctx, "page");
    if (s) {
        char *end;
        unsigned long p = strtoul(s, &end, 10);
        if (*s >= '1' && *s <= '9' && !*end && p <= ARK_API_MAX_OFFSET / v->limit + 1) v->page = (unsigned)p;
    }
    s = req->get(req->ctx, "sort");
    v->by_date = s && strcmp(s, "date") == 0;
    s = req->get(req->ctx, "exact");
    v->exact = s && strcmp(s, "1") == 0;
}

void pg_finish(ark_reply *r, ark_html *h, int status) {
    if (h->rc != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory while rendering the page");
        return;
    }
    r->status = status;
    r->content_type = ark_page_html_type;
}
/* ---- GET /opensearch.xml ---------------------------------------------------------------- */

void ark_page_opensearch(const ark_api_req *req, ark_reply *r) {
    ark_html h;
    const char *base = req->base ? req->base : "";
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    ark_html_raw(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\" "
                     "xmlns:moz=\"http://www.mozilla.org/2006/browser/search/\">\n"
                     "<ShortName>");
    const ark_theme *t = ark_theme_get();
    ark_html_text(&h, site_name(t));
    ark_theme_put(t);
    ark_html_raw(&h, "</ShortName>\n"
                     "<Description>S\xC3\xB8g i kommunens sagsakter</Description>\n"
                     "<InputEncoding>UTF-8</InputEncoding>\n"
                     "<Language>da</Language>\n"
                     "<Url type=\"text/html\" method=\"get\" template=\"");
    ark_html_text(&h, base);
    ark_html_raw(&h, "/?q={searchTerms}\"/>\n"
                     "<Url type=\"application/x-suggestions+json\" method=\"get\" template=\"");
    ark_html_text(&h, base);
    ark_html_raw(&h, "/api/suggest?q={searchTerms}\"/>\n<moz:SearchForm>");
    ark_html_text(&h, base);
    ark_html_raw(&h, "/</moz:SearchForm>\n</OpenSearchDescription>\n");
    pg_finish(r, &h, 200);
    if (h.rc == 0) r->content_type = osd_type;
}

/* ---- GET /static/… ---------------------------------------------------------------------- */

void ark_page_static(const char *path, ark_reply *r) {
    const char *body, *type;
    if (strcmp(path, "/static/arkivar.js") == 0) {
        body = ark_assets_js;
        type = js_type;
    } else if (strcmp(path, "/static/arkivar.svg") == 0) {
        body = ark_assets_icon;
        type = svg_type;
    } else {
        ark_api_error(r, ARK_API_NOT_FOUND, "no such file");
        return;
    }
    ark_buf_reset(&r->body);
    if (ark_buf_puts(&r->body, body) != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
        return;
    }
    r->status = 200;
    r->content_type = type;
    /* These change only with the binary; an hour of caching spares requests per page
     * view while a deploy is still picked up the same day. */
    r->cache = "public, max-age=3600";
}


/* ---- GET /theme/… ------------------------------------------------------------------------ */

void ark_page_theme(const char *path, ark_reply *r) {
    const ark_theme *t = ark_theme_get();
    const char *data = NULL, *file = NULL, *type = NULL, *ver;
    size_t len = 0;
    if (strcmp(path, "/theme/theme.css") == 0 && ark_theme_css(t, &data, &len, &ver) == 0) {
        type = css_type;
    } else if (ark_theme_logo(t, &data, &len, &file, &type, &ver) != 0 ||
               strncmp(path, "/theme/", 7) != 0 || strcmp(path + 7, file) != 0) {
        data = NULL;
    }
    if (!data) {
        ark_theme_put(t);
        ark_api_error(r, ARK_API_NOT_FOUND, "no such file in the theme");
        return;
    }
    ark_buf_reset(&r->body);
    int rc = ark_buf_append(&r->body, data, len);
    ark_theme_put(t);
    if (rc != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
        return;
    }
    r->status = 200;
    r->content_type = type;
    /* The pages link each file with its content's hash (?v=), so a reload's new file
     * is a new URL; an hour of caching is as for /static/. */
    r->cache = "public, max-age=3600";
}

/* ---- GET /robots.txt ---------------------------------------------------------------------- */

/* The pages may be crawled (a municipality wants its answers found); the API may not:
 * a crawler following /api/ links would page through every search as JSON. */
void ark_page_robots(ark_reply *r) {
    ark_buf_reset(&r->body);
    if (ark_buf_puts(&r->body, "User-agent: *\nAllow: /\nDisallow: /api/\n") != 0) {
        ark_api_error(r, ARK_API_INTERNAL, "out of memory");
        return;
    }
    r->status = 200;
    r->content_type = text_type;
    r->cache = "public, max-age=3600";
}
