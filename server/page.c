/* server/page.c: the search page, the document view, OpenSearch, the script.
 * Owns: the Danish markup of every HTML page, how URL parameters of the page (q, type,
 * year, page, limit, sort, exact) become an engine query, paging, filters, marks.
 * Not here: escaping (html.c, through which every untrusted byte goes), CSS and JS
 * (assets.c), headers and CSP (http.c), the JSON API (api.c).
 * Why filters are URL parameters: a plain link adds or removes one (works without
 * JavaScript, can be bookmarked), and the user's own text stays in the box untouched;
 * the page appends "type:X" and "dato:YYYY" to the query it sends the engine. */
#include "page.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"
#include "arkivar/search.h"
#include "assets.h"
#include "html.h"
#include "worker.h"

const char ark_page_html_type[] = "text/html; charset=utf-8";
static const char js_type[] = "text/javascript; charset=utf-8";
static const char svg_type[] = "image/svg+xml";
static const char osd_type[] = "application/opensearchdescription+xml; charset=utf-8";

#define MAX_FILTER 64     /* bytes of a type value */
#define PAGE_WINDOW 4     /* page numbers shown either side of the current one */
#define DOC_MARK_LIMIT 100 /* passages asked for to mark a document's matches */
#define MAX_MARK_WORDS 64

/* ---- engine calls (worker.h: one retry when a commit overwrote the revision) ----------- */

static int run_search(const ark_search_req *sr, ark_results *res, ark_err *err) {
    int opened;
    return ark_worker_search(sr, res, &opened, err);
}

static int run_doc(const char *id, ark_docview *v, ark_err *err) {
    int opened;
    return ark_worker_doc(id, v, &opened, err);
}

/* ---- small formatting helpers ---------------------------------------------------------- */

static int blank(const char *s) {
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v') return 0;
    return 1;
}

/* 12345 → "12.345" (Danish digit grouping). */
static void put_num(ark_html *h, uint64_t v) {
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
static void put_ms(ark_html *h, double ms) {
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
static void put_date(ark_html *h, const char *d) {
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
static void put_type(ark_html *h, const char *t) {
    if (!t || !*t) return;
    if (t[0] >= 'a' && t[0] <= 'z') {
        char c[2] = {(char)(t[0] - 'a' + 'A'), 0};
        ark_html_raw(h, c);
        ark_html_text(h, t + 1);
    } else {
        ark_html_text(h, t);
    }
}

static void put_lines(ark_html *h, uint32_t a, uint32_t b, uint32_t page) {
    if (a && b && b != a)
        ark_html_printf(h, "linje %u\xE2\x80\x93%u", (unsigned)a, (unsigned)b);
    else if (a)
        ark_html_printf(h, "linje %u", (unsigned)a);
    if (page) ark_html_printf(h, ", side %u", (unsigned)page);
}

/* ---- marks ------------------------------------------------------------------------------- */

static int cmp_range(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int is_cont(const char *s, size_t i, size_t len) {
    return i < len && ((unsigned char)s[i] & 0xC0) == 0x80;
}

/* text[0, len) with <mark> around each [start, end) of hl: ranges are sorted, ranges
 * outside the text or overlapping a previous one are dropped, and ends are moved off
 * the middle of a UTF-8 sequence, so a wrong offset can cost a mark but never break
 * the escaping. Every piece, marked or not, goes through ark_html_textn. */
static void put_marked(ark_html *h, const char *text, size_t len, const uint32_t (*hl)[2],
                       size_t nhl) {
    uint32_t (*v)[2] = NULL;
    size_t nv = 0, at = 0;
    if (nhl) {
        v = malloc(nhl * sizeof *v);
        if (!v) {
            h->rc = ARK_ENOMEM;
            return;
        }
        for (size_t i = 0; i < nhl; i++) {
            size_t s = hl[i][0], e = hl[i][1];
            if (s >= e || e > len) continue;
            while (s > 0 && is_cont(text, s, len)) s--;
            while (is_cont(text, e, len)) e++;
            v[nv][0] = (uint32_t)s;
            v[nv][1] = (uint32_t)e;
            nv++;
        }
        qsort(v, nv, sizeof *v, cmp_range);
    }
    for (size_t i = 0; i < nv; i++) {
        if (v[i][0] < at) continue;
        ark_html_textn(h, text + at, v[i][0] - at);
        ark_html_raw(h, "<mark>");
        ark_html_textn(h, text + v[i][0], v[i][1] - v[i][0]);
        ark_html_raw(h, "</mark>");
        at = v[i][1];
    }
    ark_html_textn(h, text + at, len - at);
    free(v);
}

/* ---- the frame every page shares ------------------------------------------------------ */

typedef struct view {
    const char *q;      /* the user's text as typed; "" when none */
    const char *type;   /* filter value or NULL */
    const char *year;   /* "YYYY" or NULL */
    unsigned page;      /* 1-based */
    unsigned limit;
    int by_date;
    int exact;          /* 1: do not answer a corrected query in place of q */
} view;

/* "/?q=…&type=…" for v; in an attribute, hence &amp;. */
static void put_href(ark_html *h, const view *v) {
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

static void page_head(ark_html *h, const char *title_prefix) {
    ark_html_raw(h,
        "<!doctype html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"color-scheme\" content=\"light\">\n"
        "<meta name=\"referrer\" content=\"same-origin\">\n<title>");
    if (title_prefix && *title_prefix) {
        ark_html_text(h, title_prefix);
        ark_html_raw(h, " \xE2\x80\x93 ");
    }
    ark_html_raw(h, "Arkivar</title>\n"
        "<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"Arkivar\" "
        "href=\"/opensearch.xml\">\n"
        "<link rel=\"icon\" type=\"image/svg+xml\" href=\"/static/arkivar.svg\">\n<style>");
    ark_html_raw(h, ark_assets_css);
    ark_html_raw(h, "</style>\n<script src=\"/static/arkivar.js\" defer></script>\n</head>\n<body>\n"
                    "<a class=\"skip\" href=\"#main\">Spring til indhold</a>\n");
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

static void page_top(ark_html *h, const view *v, int with_form) {
    ark_html_raw(h, "<header class=\"top\"><div class=\"wrap\">\n"
                    "<a class=\"brand\" href=\"/\">Arkivar<span>S\xC3\xB8g i kommunens sager</span></a>\n");
    if (with_form) put_form(h, v, 0);
    ark_html_raw(h, "</div></header>\n");
}

static void page_foot(ark_html *h) {
    ark_html_raw(h,
        "<footer class=\"foot\"><div class=\"wrap\">Arkivar \xE2\x80\x93 fuldtekstsøgning i "
        "kommunens sagsakter. <a href=\"/#tips\">Søgetips</a> · "
        "<a href=\"/api/search?q=innovation&amp;format=text\">API</a> · "
        "<a href=\"/opensearch.xml\" type=\"application/opensearchdescription+xml\">Tilføj som "
        "søgemaskine</a></div></footer>\n</body>\n</html>\n");
}

/* ---- GET / without a query: the start page ---------------------------------------------- */

static void home(ark_html *h, const view *v) {
    ark_engine_stats st = {0, 0, 0};
    ark_err err = {0, ""};
    ark_engine *e = ark_worker_engine(&err);
    int have = e && ark_engine_stats_get(e, &st, &err) == 0;
    page_head(h, NULL);
    page_top(h, v, 0);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\">\n<div class=\"hero\">\n"
                    "<h1>Find svaret i sagerne</h1>\n<p class=\"lead\">Søg i svar til "
                    "politikerne, orienteringer til udvalgene, sagsfremstillinger og bilag. "
                    "Du får det afsnit, der svarer, med de fundne ord markeret og præcis "
                    "henvisning til dokument, linje og side.");
    if (have && st.documents) {
        ark_html_raw(h, " Arkivet rummer ");
        put_num(h, st.documents);
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
    page_foot(h);
}

/* ---- GET /?q=…: results ----------------------------------------------------------------- */

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

/* q plus the filters, in query syntax. NULL when out of memory or too long. */
static char *filtered_query(const char *q, const char *type, const char *year, size_t *suffix_len) {
    ark_buf b = ARK_BUF_INIT;
    int rc = ark_buf_puts(&b, q ? q : "");
    size_t base = b.len;
    if (rc == 0 && type) rc = ark_buf_printf(&b, " type:%s", type);
    if (rc == 0 && year) rc = ark_buf_printf(&b, " dato:%s", year);
    if (rc != 0 || b.len > ARK_API_MAX_Q + 100 || !b.data) {
        ark_buf_free(&b);
        return NULL;
    }
    if (suffix_len) *suffix_len = b.len - base;
    return ark_buf_take(&b);
}

/* The engine's suggestion is for the filtered query; show only the user's part. */
static char *strip_suffix(const char *s, const char *full, size_t suffix_len) {
    size_t n = strlen(s), fl = strlen(full);
    if (suffix_len && n >= suffix_len && fl >= suffix_len &&
        memcmp(s + n - suffix_len, full + fl - suffix_len, suffix_len) == 0)
        n -= suffix_len;
    char *o = malloc(n + 1);
    if (o) {
        memcpy(o, s, n);
        o[n] = '\0';
        while (n && o[n - 1] == ' ') o[--n] = '\0';
    }
    return o;
}

static int cmp_year_desc(const void *a, const void *b) {
    const ark_facet_count *x = a, *y = b;
    return strcmp(y->value, x->value);
}

/* One facet list. values come from res (already for "the query without this
 * facet's own filter"); the chosen value is shown pressed and links to its removal. */
static void put_facet(ark_html *h, const view *v, const char *title, const char *cls, int is_type,
                      ark_facet_count *vals, size_t n) {
    const char *chosen = is_type ? v->type : v->year;
    int seen = 0;
    for (size_t i = 0; i < n; i++)
        if (chosen && strcmp(vals[i].value, chosen) == 0) seen = 1;
    if (n == 0 && !chosen) return;
    ark_html_printf(h, "<section class=\"facet %s\" aria-labelledby=\"%s-h\"><h2 id=\"%s-h\">", cls, cls, cls);
    ark_html_raw(h, title);
    ark_html_raw(h, "</h2>\n<ul>\n");
    if (!is_type && n > 1) qsort(vals, n, sizeof *vals, cmp_year_desc);
    for (size_t i = 0; i <= n; i++) {
        const char *val;
        uint64_t cnt = 0;
        int has_cnt = 1;
        if (i < n) {
            val = vals[i].value;
            cnt = vals[i].count;
        } else if (chosen && !seen) { /* filtered to a value the list does not hold */
            val = chosen;
            has_cnt = 0;
        } else {
            break;
        }
        int on = chosen && strcmp(val, chosen) == 0;
        view nv = *v;
        nv.page = 1;
        if (is_type) nv.type = on ? NULL : val;
        else nv.year = on ? NULL : val;
        ark_html_raw(h, "<li><a href=\"");
        put_href(h, &nv);
        ark_html_raw(h, "\"");
        if (on) ark_html_raw(h, " aria-current=\"true\"");
        ark_html_raw(h, "><span>");
        if (on) ark_html_raw(h, "\xE2\x9C\x93 ");
        if (is_type) put_type(h, val); else ark_html_text(h, val);
        if (on) ark_html_raw(h, "<span class=\"sr\"> (valgt, klik for at fjerne)</span>");
        ark_html_raw(h, "</span>");
        if (has_cnt) {
            ark_html_raw(h, "<span class=\"n\">");
            put_num(h, cnt);
            ark_html_raw(h, "</span>");
        }
        ark_html_raw(h, "</a></li>\n");
    }
    ark_html_raw(h, "</ul></section>\n");
}

/* A link to the document view at the passage, with q so the view marks the words. */
static void put_doc_href(ark_html *h, const char *id, const char *q, uint32_t ordinal) {
    ark_html_raw(h, "/doc/");
    ark_html_urlpath(h, id);
    if (q && *q) {
        ark_html_raw(h, "?q=");
        ark_html_urlq(h, q);
    }
    if (ordinal) ark_html_printf(h, "#p%u", (unsigned)ordinal);
}

static void put_result(ark_html *h, const ark_result *x, const char *q) {
    const ark_docinfo *d = &x->doc;
    const char *id = d->id ? d->id : "";
    ark_html_raw(h, "<li class=\"hit\">\n<h2><a href=\"");
    put_doc_href(h, id, q, x->passage.ordinal);
    ark_html_raw(h, "\">");
    ark_html_text(h, d->title && *d->title ? d->title : id);
    ark_html_raw(h, "</a></h2>\n<p class=\"meta\">");
    if (d->type && *d->type) {
        ark_html_raw(h, "<span class=\"tag\" data-type=\"");
        ark_html_text(h, d->type);
        ark_html_raw(h, "\">");
        put_type(h, d->type);
        ark_html_raw(h, "</span>");
    }
    if (d->date && *d->date) {
        ark_html_raw(h, "<span>");
        put_date(h, d->date);
        ark_html_raw(h, "</span>");
    }
    if (x->doc_matches > 0) {
        ark_html_raw(h, "<a href=\"");
        put_doc_href(h, id, q, x->passage.ordinal);
        ark_html_raw(h, "\">");
        put_num(h, x->doc_matches);
        ark_html_raw(h, x->doc_matches == 1 ? " sted i dokumentet" : " steder i dokumentet");
        ark_html_raw(h, "</a>");
    }
    ark_html_raw(h, "</p>\n");
    if (x->passage.heading && *x->passage.heading) {
        ark_html_raw(h, "<p class=\"sec\"><span class=\"sr\">Afsnit: </span>");
        ark_html_text(h, x->passage.heading);
        ark_html_raw(h, "</p>\n");
    }
    ark_html_raw(h, "<p class=\"snip\">");
    put_marked(h, x->snippet ? x->snippet : "", x->snippet ? x->snippet_len : 0,
               (const uint32_t(*)[2])x->highlights, x->snippet ? x->nhighlights : 0);
    ark_html_raw(h, "</p>\n<p class=\"src\"><span class=\"sr\">Kilde: </span>");
    ark_html_text(h, id);
    ark_html_raw(h, ", ");
    put_lines(h, x->passage.line_start, x->passage.line_end, x->passage.page);
    ark_html_raw(h, "</p>\n</li>\n");
}

static void put_pager(ark_html *h, const view *v, int has_next, uint64_t est_results) {
    if (v->page <= 1 && !has_next) return;
    unsigned last = v->page + (has_next ? 1 : 0);
    if (has_next && est_results > 0) {
        uint64_t est = (est_results + v->limit - 1) / v->limit;
        if (est > last) last = est > 100000 ? 100000 : (unsigned)est;
    }
    /* Offsets stop at ARK_API_MAX_OFFSET; so do the page links. */
    unsigned maxp = ARK_API_MAX_OFFSET / v->limit + 1;
    if (last > maxp) last = maxp;
    unsigned from = v->page > PAGE_WINDOW ? v->page - PAGE_WINDOW : 1;
    unsigned to = v->page + PAGE_WINDOW < last ? v->page + PAGE_WINDOW : last;
    view nv = *v;
    ark_html_raw(h, "<nav class=\"pager\" aria-label=\"Sider\"><ul>\n");
    if (v->page > 1) {
        nv.page = v->page - 1;
        ark_html_raw(h, "<li><a rel=\"prev\" href=\"");
        put_href(h, &nv);
        ark_html_raw(h, "\">\xE2\x80\xB9 Forrige</a></li>\n");
    }
    if (from > 1) {
        nv.page = 1;
        ark_html_raw(h, "<li><a href=\"");
        put_href(h, &nv);
        ark_html_raw(h, "\" aria-label=\"Side 1\">1</a></li>\n");
        if (from > 2) ark_html_raw(h, "<li><span class=\"gap\">\xE2\x80\xA6</span></li>\n");
    }
    for (unsigned p = from; p <= to; p++) {
        if (p == v->page) {
            ark_html_printf(h, "<li><span aria-current=\"page\" aria-label=\"Side %u\">%u</span></li>\n", p, p);
            continue;
        }
        nv.page = p;
        ark_html_raw(h, "<li><a href=\"");
        put_href(h, &nv);
        ark_html_printf(h, "\" aria-label=\"Side %u\">%u</a></li>\n", p, p);
    }
    if (has_next) {
        nv.page = v->page + 1;
        ark_html_raw(h, "<li><a rel=\"next\" href=\"");
        put_href(h, &nv);
        ark_html_raw(h, "\">Næste \xE2\x80\xBA</a></li>\n");
    }
    ark_html_raw(h, "</ul></nav>\n");
}

/* Facets for the other facet's filter only, so the list still offers every value of
 * this facet (choosing "svar" must not hide "orientering" from the list). One extra
 * search of one result, only when that filter is set. */
static int facet_values(const view *v, int is_type, ark_results *res, ark_err *err) {
    char *fq = filtered_query(v->q, is_type ? NULL : v->type, is_type ? v->year : NULL, NULL);
    if (!fq) return ARK_ENOMEM;
    int rc = 0;
    if (blank(fq)) {
        memset(res, 0, sizeof *res);
    } else {
        ark_search_req sr = {.q = fq, .offset = 0, .limit = 1};
        rc = run_search(&sr, res, err);
    }
    free(fq);
    return rc;
}

static void error_page(ark_html *h, const view *v, const char *title, const char *msg) {
    page_head(h, title);
    page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap doc\">\n<h1>");
    ark_html_text(h, title);
    ark_html_raw(h, "</h1>\n<p>");
    ark_html_text(h, msg);
    ark_html_raw(h, "</p>\n<p><a href=\"/\">Til forsiden</a></p>\n</div></main>\n");
    page_foot(h);
}

static void results_page(ark_html *h, const view *v, int *status) {
    ark_results res, tres, yres;
    memset(&res, 0, sizeof res);
    memset(&tres, 0, sizeof tres);
    memset(&yres, 0, sizeof yres);
    ark_err err = {0, ""};
    size_t suffix = 0;
    char *fq = filtered_query(v->q, v->type, v->year, &suffix);
    char *sugg = NULL;
    int rc;
    if (!fq) {
        *status = 400;
        error_page(h, v, "Søgningen er for lang", "Forkort søgeteksten og prøv igen.");
        return;
    }
    /* limit + 1: the engine shows at most two passages per document, so only the
     * count of what comes back says whether a next page exists. */
    ark_search_req sr = {.q = fq, .offset = (v->page - 1) * v->limit, .limit = v->limit + 1,
                         .sort_by_date = v->by_date ? 1 : 0};
    rc = run_search(&sr, &res, &err);
    if (rc == 0 && res.corrected && v->exact) {
        /* The user insisted on the words typed (the "Søg i stedet efter" link): show
         * that they found nothing, and offer the correction as "Mente du". */
        char *s = res.suggestion ? strdup(res.suggestion) : NULL;
        ark_results_free(&res);
        memset(&res, 0, sizeof res);
        res.suggestion = s;
    }
    if (rc == 0 && v->type) rc = facet_values(v, 1, &tres, &err);
    if (rc == 0 && v->year) rc = facet_values(v, 0, &yres, &err);
    if (rc != 0) {
        fprintf(stderr, "arkivar-server: page search failed: %s (%s)\n",
                err.msg[0] ? err.msg : ark_strerror(rc), ark_strerror(rc));
        *status = rc == ARK_EINVAL ? 400 : 500;
        error_page(h, v, rc == ARK_EINVAL ? "Søgningen kunne ikke forstås" : "Søgningen mislykkedes",
                   err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    if (res.suggestion) sugg = strip_suffix(res.suggestion, fq, suffix);

    size_t shown = res.n > v->limit ? v->limit : res.n;
    int has_next = res.n > v->limit && sr.offset + v->limit <= ARK_API_MAX_OFFSET;

    page_head(h, v->q && *v->q ? v->q : "Søgning");
    page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap cols\">\n");

    /* Filters: before the results in the source (they narrow them), after them on a
     * phone (CSS order), where the results matter first. */
    ark_html_raw(h, "<aside class=\"filters\" aria-label=\"Afgræns resultaterne\">\n");
    ark_results *tf = v->type ? &tres : &res, *yf = v->year ? &yres : &res;
    put_facet(h, v, "Dokumenttype", "f-type", 1, tf->types, tf->ntypes);
    put_facet(h, v, "\xC3\x85r", "f-year", 0, yf->years, yf->nyears);
    {
        view nv = *v;
        nv.page = 1;
        nv.by_date = !v->by_date;
        ark_html_raw(h, "<section class=\"facet f-sort\" aria-labelledby=\"f-sort-h\"><h2 id=\"f-sort-h\">"
                        "Sortering</h2>\n<ul>\n<li><a href=\"");
        nv.by_date = 0;
        put_href(h, &nv);
        ark_html_raw(h, v->by_date ? "\">" : "\" aria-current=\"true\">");
        ark_html_raw(h, "<span>Bedste match</span></a></li>\n<li><a href=\"");
        nv.by_date = 1;
        put_href(h, &nv);
        ark_html_raw(h, v->by_date ? "\" aria-current=\"true\">" : "\">");
        ark_html_raw(h, "<span>Nyeste først</span></a></li>\n</ul></section>\n");
    }
    ark_html_raw(h, "</aside>\n<div class=\"res\">\n<h1 class=\"sum\">");
    if (v->q && *v->q) {
        ark_html_raw(h, "Resultater for \xC2\xBB");
        ark_html_text(h, res.corrected && sugg ? sugg : v->q);
        ark_html_raw(h, "\xC2\xAB");
    } else {
        ark_html_raw(h, "Resultater");
    }
    ark_html_raw(h, "</h1>\n<p class=\"stat\" role=\"status\">");
    if (shown) {
        uint64_t first = sr.offset + 1, lastr = sr.offset + shown;
        /* total_results is an estimate; when there is no next page the count is known. */
        uint64_t all = has_next ? (res.total_results > lastr + 1 ? res.total_results : lastr + 1) : lastr;
        ark_html_raw(h, "Viser ");
        put_num(h, first);
        ark_html_raw(h, "\xE2\x80\x93");
        put_num(h, lastr);
        ark_html_raw(h, has_next ? " af ca. " : " af ");
        put_num(h, all);
        ark_html_raw(h, all == 1 ? " resultat" : " resultater");
        ark_html_raw(h, " (");
        put_num(h, res.total);
        ark_html_raw(h, " træffende afsnit");
        ark_html_raw(h, ") på ");
        put_ms(h, res.took_ms);
    } else {
        ark_html_raw(h, "Ingen resultater");
        if (v->page > 1) ark_html_raw(h, " på denne side");
    }
    ark_html_raw(h, "</p>\n");

    if (sugg && *sugg) {
        view sv = *v;
        sv.page = 1;
        sv.exact = 0;
        if (res.corrected) {
            view ov = *v;
            ov.page = 1;
            ov.exact = 1;
            ark_html_raw(h, "<p class=\"note\">Viser resultater for <a href=\"");
            sv.q = sugg;
            put_href(h, &sv);
            ark_html_raw(h, "\">");
            ark_html_text(h, sugg);
            ark_html_raw(h, "</a>. Søg i stedet efter <a href=\"");
            put_href(h, &ov);
            ark_html_raw(h, "\">");
            ark_html_text(h, v->q);
            ark_html_raw(h, "</a>.</p>\n");
        } else {
            sv.q = sugg;
            ark_html_raw(h, "<p class=\"note\">Mente du: <a href=\"");
            put_href(h, &sv);
            ark_html_raw(h, "\">");
            ark_html_text(h, sugg);
            ark_html_raw(h, "</a>?</p>\n");
        }
    }

    if (v->type || v->year) {
        view nv = *v;
        nv.page = 1;
        ark_html_raw(h, "<ul class=\"chips\" aria-label=\"Valgte filtre\">\n");
        if (v->type) {
            nv.type = NULL;
            ark_html_raw(h, "<li><a class=\"chip\" href=\"");
            put_href(h, &nv);
            ark_html_raw(h, "\">Dokumenttype: ");
            put_type(h, v->type);
            ark_html_raw(h, " <span aria-hidden=\"true\">\xC3\x97</span><span class=\"sr\"> (fjern)</span></a></li>\n");
            nv.type = v->type;
        }
        if (v->year) {
            nv.year = NULL;
            ark_html_raw(h, "<li><a class=\"chip\" href=\"");
            put_href(h, &nv);
            ark_html_raw(h, "\">\xC3\x85r: ");
            ark_html_text(h, v->year);
            ark_html_raw(h, " <span aria-hidden=\"true\">\xC3\x97</span><span class=\"sr\"> (fjern)</span></a></li>\n");
        }
        ark_html_raw(h, "</ul>\n");
    }

    if (shown) {
        ark_html_printf(h, "<ol class=\"hits\" start=\"%u\">\n", (unsigned)sr.offset + 1);
        const char *mq = res.corrected && sugg ? sugg : v->q;
        for (size_t i = 0; i < shown; i++) put_result(h, &res.v[i], mq);
        ark_html_raw(h, "</ol>\n");
    } else {
        ark_html_raw(h, "<p>Prøv andre eller færre ord, tjek stavningen");
        if (v->type || v->year) ark_html_raw(h, ", eller fjern filtrene");
        ark_html_raw(h, ". Se <a href=\"/#tips\">søgetips</a>.</p>\n");
    }
    put_pager(h, v, has_next, res.total_results);
    ark_html_raw(h, "</div>\n</div></main>\n");
    page_foot(h);
out:
    free(sugg);
    free(fq);
    ark_results_free(&res);
    ark_results_free(&tres);
    ark_results_free(&yres);
}

/* Query parameters of the page, checked; a bad value falls back to the default
 * rather than an error page: these come from links and a search box. */
static void read_view(const ark_api_req *req, view *v) {
    const char *s;
    memset(v, 0, sizeof *v);
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

static void finish(ark_reply *r, ark_html *h, int status) {
    if (h->rc != 0) {
        ark_api_error(r, 500, "out of memory while rendering the page");
        return;
    }
    r->status = status;
    r->content_type = ark_page_html_type;
}

void ark_page_search(const ark_api_req *req, ark_reply *r) {
    view v;
    ark_html h;
    int status = 200;
    read_view(req, &v);
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    if (blank(v.q) && !v.type && !v.year) {
        v.q = "";
        home(&h, &v);
    } else {
        results_page(&h, &v, &status);
    }
    finish(r, &h, status);
}

/* ---- GET /doc/ID?q=…: the whole document ------------------------------------------------- */

/* Where the query matched in one document: the passages (by ordinal) with their mark
 * offsets when the engine's snippet is the whole passage, and the matched words, to
 * mark them where it is not. */
typedef struct doc_marks {
    ark_results res;
    char *words[MAX_MARK_WORDS];
    size_t nwords;
    uint64_t total;
} doc_marks;

/* An id the query syntax can carry after doc: (quoted when it holds spaces or
 * parentheses); only a double quote inside it cannot be written. */
static int id_is_token(const char *id) { return strchr(id, '"') == NULL; }

/* q as a self-contained group: an odd quote or unbalanced parentheses would swallow
 * the doc: filter appended after it, so those are dropped. */
static char *grouped(const char *q, const char *id) {
    size_t quotes = 0;
    long depth = 0;
    int bad = 0;
    for (const char *p = q; *p; p++) {
        if (*p == '"') quotes++;
        if (*p == '(') depth++;
        if (*p == ')' && --depth < 0) bad = 1;
    }
    if (depth != 0) bad = 1;
    ark_buf b = ARK_BUF_INIT;
    int rc = ark_buf_putc(&b, '(');
    for (const char *p = q; rc == 0 && *p; p++) {
        if ((*p == '"' && quotes % 2) || ((*p == '(' || *p == ')') && bad)) continue;
        rc = ark_buf_putc(&b, *p);
    }
    if (rc == 0) rc = ark_buf_puts(&b, ")");
    if (rc == 0 && id) rc = ark_buf_printf(&b, " doc:\"%s\"", id);
    if (rc != 0) {
        ark_buf_free(&b);
        return NULL;
    }
    return ark_buf_take(&b);
}

static int doc_marks_find(const char *q, const char *id, doc_marks *m, ark_err *err) {
    if (!q || blank(q)) return 0;
    int tok = id_is_token(id);
    char *fq = grouped(q, tok ? id : NULL);
    if (!fq) return ARK_ENOMEM;
    /* A snippet target above any passage size makes the snippet the whole passage,
     * so its highlight offsets are offsets into the passage text. */
    ark_search_req sr = {.q = fq, .offset = 0, .limit = DOC_MARK_LIMIT, .per_doc = DOC_MARK_LIMIT,
                         .snippet_bytes = 1u << 20};
    int rc = strlen(fq) <= ARK_API_MAX_Q ? run_search(&sr, &m->res, err) : 0;
    free(fq);
    if (rc != 0) return rc;
    for (size_t i = 0; i < m->res.n; i++) {
        const ark_result *x = &m->res.v[i];
        if (!x->doc.id || strcmp(x->doc.id, id) != 0) continue;
        m->total++;
        for (size_t k = 0; k < x->nhighlights && m->nwords < MAX_MARK_WORDS; k++) {
            uint32_t s = x->highlights[k][0], e = x->highlights[k][1];
            if (s >= e || e > x->snippet_len) continue;
            size_t n = e - s, j;
            for (j = 0; j < m->nwords; j++)
                if (strlen(m->words[j]) == n && memcmp(m->words[j], x->snippet + s, n) == 0) break;
            if (j < m->nwords) continue;
            char *w = malloc(n + 1);
            if (!w) return ARK_ENOMEM;
            memcpy(w, x->snippet + s, n);
            w[n] = '\0';
            m->words[m->nwords++] = w;
        }
    }
    return 0;
}

static void doc_marks_free(doc_marks *m) {
    ark_results_free(&m->res);
    for (size_t i = 0; i < m->nwords; i++) free(m->words[i]);
    m->nwords = 0;
}

/* The engine result for this passage, when it matched. */
static const ark_result *doc_marks_hit(const doc_marks *m, const char *id, uint32_t ordinal) {
    for (size_t i = 0; i < m->res.n; i++) {
        const ark_result *x = &m->res.v[i];
        if (x->passage.ordinal == ordinal && x->doc.id && strcmp(x->doc.id, id) == 0) return x;
    }
    return NULL;
}

/* memmem without _GNU_SOURCE: the first n-byte needle in hay[0, len), or NULL. */
static const char *find_bytes(const char *hay, size_t len, const char *needle, size_t n) {
    for (size_t i = 0; n && i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0) return hay + i;
    return NULL;
}

static int word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Mark the passage: the engine's offsets when its snippet is the passage itself,
 * else every whole-word occurrence of a matched word. */
static void put_passage_text(ark_html *h, const ark_passage_info *p, const ark_result *x,
                             const doc_marks *m) {
    const char *t = p->text ? p->text : "";
    size_t len = p->text ? p->text_len : 0;
    if (x && x->snippet && x->snippet_len == len && memcmp(x->snippet, t, len) == 0) {
        put_marked(h, t, len, (const uint32_t(*)[2])x->highlights, x->nhighlights);
        return;
    }
    uint32_t (*v)[2] = NULL;
    size_t nv = 0, cap = 0;
    for (size_t w = 0; w < m->nwords && h->rc == 0; w++) {
        size_t wl = strlen(m->words[w]);
        if (!wl) continue;
        for (const char *f = t; (f = find_bytes(f, len - (size_t)(f - t), m->words[w], wl)) != NULL; f++) {
            size_t s = (size_t)(f - t), e = s + wl;
            if ((s > 0 && word_byte((unsigned char)t[s - 1])) || (e < len && word_byte((unsigned char)t[e])))
                continue;
            if (nv == cap) {
                size_t nc = cap ? cap * 2 : 16;
                void *nb = realloc(v, nc * sizeof *v);
                if (!nb) { h->rc = ARK_ENOMEM; break; }
                v = nb;
                cap = nc;
            }
            v[nv][0] = (uint32_t)s;
            v[nv][1] = (uint32_t)e;
            nv++;
        }
    }
    put_marked(h, t, len, (const uint32_t(*)[2])v, nv);
    free(v);
}

static void put_fact(ark_html *h, const char *label, const char *value) {
    if (!value || !*value) return;
    ark_html_raw(h, "<dt>");
    ark_html_raw(h, label);
    ark_html_raw(h, "</dt><dd>");
    ark_html_text(h, value);
    ark_html_raw(h, "</dd>\n");
}

static int same_heading(const char *a, const char *b) {
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static void doc_page(ark_html *h, const view *v, const ark_docview *dv, const doc_marks *m) {
    const ark_docinfo *d = &dv->doc;
    const char *id = d->id ? d->id : "";
    const char *title = d->title && *d->title ? d->title : id;
    int q = v->q && !blank(v->q);
    page_head(h, title);
    page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap doc\">\n<p class=\"back\">");
    if (q) {
        view bv = *v;
        bv.page = 1;
        ark_html_raw(h, "<a href=\"");
        put_href(h, &bv);
        ark_html_raw(h, "\">\xE2\x80\xB9 Tilbage til resultaterne</a>");
    } else {
        ark_html_raw(h, "<a href=\"/\">\xE2\x80\xB9 Ny søgning</a>");
    }
    ark_html_raw(h, "</p>\n<article aria-labelledby=\"doc-h\">\n<h1 id=\"doc-h\">");
    ark_html_text(h, title);
    ark_html_raw(h, "</h1>\n<dl class=\"facts\">\n");
    if (d->type && *d->type) {
        ark_html_raw(h, "<dt>Dokumenttype</dt><dd>");
        put_type(h, d->type);
        ark_html_raw(h, "</dd>\n");
    }
    if (d->date && *d->date) {
        ark_html_raw(h, "<dt>Dato</dt><dd>");
        put_date(h, d->date);
        ark_html_raw(h, "</dd>\n");
    }
    if (d->ncase_numbers) {
        ark_html_raw(h, d->ncase_numbers == 1 ? "<dt>Sagsnummer</dt><dd>" : "<dt>Sagsnumre</dt><dd>");
        for (size_t i = 0; i < d->ncase_numbers; i++) {
            if (i) ark_html_raw(h, ", ");
            ark_html_text(h, d->case_numbers[i]);
        }
        ark_html_raw(h, "</dd>\n");
    }
    put_fact(h, "Udvalg", d->committee);
    put_fact(h, "Modtager", d->addressee);
    put_fact(h, "Dokument", id);
    if (dv->n) {
        uint32_t a = dv->passages[0].line_start, b = dv->passages[dv->n - 1].line_end;
        ark_html_printf(h, "<dt>Linjer</dt><dd>%u\xE2\x80\x93%u (%zu afsnit", (unsigned)a, (unsigned)b, dv->n);
        if (d->bytes) {
            ark_html_raw(h, ", ");
            put_num(h, d->bytes);
            ark_html_raw(h, " byte");
        }
        ark_html_raw(h, ")</dd>\n");
    }
    ark_html_raw(h, "</dl>\n");

    if (q) {
        uint32_t first = 0;
        for (size_t i = 0; i < dv->n && !first; i++)
            if (doc_marks_hit(m, id, dv->passages[i].ordinal)) first = dv->passages[i].ordinal;
        ark_html_raw(h, "<p class=\"note\" role=\"status\">\xC2\xBB");
        ark_html_text(h, v->q);
        ark_html_raw(h, "\xC2\xAB ");
        if (m->total) {
            ark_html_raw(h, "findes i ");
            put_num(h, m->total);
            ark_html_raw(h, " afsnit");
            ark_html_raw(h, " i dokumentet (markeret). ");
            if (first) ark_html_printf(h, "<a href=\"#p%u\">Gå til det første</a>", (unsigned)first);
        } else {
            ark_html_raw(h, "findes ikke i dokumentet.");
        }
        ark_html_raw(h, "</p>\n");
    }

    /* Contents: the distinct headings in order, each linking to its first passage. */
    size_t nhead = 0;
    for (size_t i = 0; i < dv->n; i++)
        if (dv->passages[i].heading && *dv->passages[i].heading &&
            (i == 0 || !same_heading(dv->passages[i].heading, dv->passages[i - 1].heading)))
            nhead++;
    if (nhead >= 3) {
        ark_html_raw(h, "<nav class=\"toc\" aria-label=\"Indhold\"><details><summary>Indhold (");
        put_num(h, nhead);
        ark_html_raw(h, " overskrifter)</summary><ol>\n");
        for (size_t i = 0; i < dv->n; i++) {
            const ark_passage_info *p = &dv->passages[i];
            if (!p->heading || !*p->heading || (i && same_heading(p->heading, dv->passages[i - 1].heading)))
                continue;
            ark_html_printf(h, "<li><a href=\"#p%u\">", (unsigned)p->ordinal);
            ark_html_text(h, p->heading);
            ark_html_raw(h, "</a></li>\n");
        }
        ark_html_raw(h, "</ol></details></nav>\n");
    }

    for (size_t i = 0; i < dv->n; i++) {
        const ark_passage_info *p = &dv->passages[i];
        const ark_result *x = q ? doc_marks_hit(m, id, p->ordinal) : NULL;
        if (p->heading && *p->heading && (i == 0 || !same_heading(p->heading, dv->passages[i - 1].heading))) {
            ark_html_raw(h, "<h2 class=\"ph\">");
            ark_html_text(h, p->heading);
            ark_html_raw(h, "</h2>\n");
        }
        ark_html_printf(h, "<div class=\"psg%s\" id=\"p%u\">\n<p class=\"loc\"><a href=\"#p%u\">",
                        x ? " hit" : "", (unsigned)p->ordinal, (unsigned)p->ordinal);
        put_lines(h, p->line_start, p->line_end, p->page);
        ark_html_raw(h, "</a>");
        if (x) ark_html_raw(h, " \xC2\xB7 <strong>fund</strong>");
        ark_html_raw(h, "</p>\n<p>");
        put_passage_text(h, p, x, m);
        ark_html_raw(h, "</p>\n</div>\n");
    }
    ark_html_raw(h, "</article>\n</div></main>\n");
    page_foot(h);
}

void ark_page_doc(const ark_api_req *req, const char *id, ark_reply *r) {
    view v;
    ark_html h;
    ark_docview dv;
    doc_marks m;
    ark_err err = {0, ""};
    int status = 200, rc;
    read_view(req, &v);
    memset(&dv, 0, sizeof dv);
    memset(&m, 0, sizeof m);
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    rc = *id ? run_doc(id, &dv, &err) : ARK_ENOTFOUND;
    if (rc == ARK_ENOTFOUND) {
        status = 404;
        error_page(&h, &v, "Dokumentet findes ikke",
                   "Der er intet dokument med denne adresse i arkivet. Det kan være fjernet, "
                   "eller adressen kan være skrevet forkert.");
        goto out;
    }
    if (rc == 0) rc = doc_marks_find(v.q, id, &m, &err);
    if (rc != 0) {
        fprintf(stderr, "arkivar-server: document page failed: %s (%s)\n",
                err.msg[0] ? err.msg : ark_strerror(rc), ark_strerror(rc));
        status = rc == ARK_EINVAL ? 400 : 500;
        error_page(&h, &v, "Dokumentet kunne ikke vises", err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    doc_page(&h, &v, &dv, &m);
out:
    doc_marks_free(&m);
    ark_docview_free(&dv);
    finish(r, &h, status);
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
                     "<ShortName>Arkivar</ShortName>\n"
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
    finish(r, &h, 200);
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
        ark_api_error(r, 404, "no such file");
        return;
    }
    ark_buf_reset(&r->body);
    if (ark_buf_puts(&r->body, body) != 0) {
        ark_api_error(r, 500, "out of memory");
        return;
    }
    r->status = 200;
    r->content_type = type;
    /* These change only with the binary; an hour of caching spares requests per page
     * view while a deploy is still picked up the same day. */
    r->cache = "public, max-age=3600";
}
