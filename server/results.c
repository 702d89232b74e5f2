/* server/results.c: GET /?q=…, the results page (page.h).
 * Owns: the page's parameters as an engine request (the filters as its fields, never
 * written into the user's text), the result list with its provenance, the facets, paging,
 * and "Mente du".
 * Why filters are URL parameters: a plain link adds or removes one (works without
 * JavaScript, can be bookmarked), and the user's own text stays in the box untouched.
 * Not here: the frame and the helpers (page.c, frame.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"
#include "arkivar/search.h"
#include "frame.h"
#include "group.h"
#include "html.h"
#include "page.h"

#define PAGE_WINDOW 4     /* page numbers shown either side of the current one */

/* ---- GET /?q=…: results ----------------------------------------------------------------- */

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
        pg_put_href(h, &nv);
        ark_html_raw(h, "\"");
        if (on) ark_html_raw(h, " aria-current=\"true\"");
        ark_html_raw(h, "><span>");
        if (on) ark_html_raw(h, "\xE2\x9C\x93 ");
        if (is_type) pg_put_type(h, val); else ark_html_text(h, val);
        if (on) ark_html_raw(h, "<span class=\"sr\"> (valgt, klik for at fjerne)</span>");
        ark_html_raw(h, "</span>");
        if (has_cnt) {
            ark_html_raw(h, "<span class=\"n\">");
            pg_put_num(h, cnt);
            ark_html_raw(h, "</span>");
        }
        ark_html_raw(h, "</a></li>\n");
    }
    ark_html_raw(h, "</ul></section>\n");
}

/* A link to the document view at the passage (its page), with q so the view marks the words. */
static void put_doc_href(ark_html *h, const char *id, const char *q, uint32_t ordinal) {
    ark_html_raw(h, "/doc/");
    ark_html_urlpath(h, id);
    if (q && *q) {
        ark_html_raw(h, "?q=");
        ark_html_urlq(h, q);
    }
    /* the view shows one page of ARK_DOC_PAGE passages: the one holding the passage */
    if (ordinal >= ARK_DOC_PAGE)
        ark_html_printf(h, "%sfrom=%u", q && *q ? "&amp;" : "?",
                        (unsigned)(ordinal / ARK_DOC_PAGE * ARK_DOC_PAGE));
    if (ordinal) ark_html_printf(h, "#p%u", (unsigned)ordinal);
}

/* One passage under its document's headline: its heading, the snippet with the words
 * marked, and where it is, that place linking to it in the document view. */
static void put_passage(ark_html *h, const ark_result *x, const char *q) {
    const char *id = x->doc.id ? x->doc.id : "";
    ark_html_raw(h, "<div class=\"psg-hit\">\n");
    if (x->passage.heading && *x->passage.heading) {
        ark_html_raw(h, "<p class=\"sec\"><span class=\"sr\">Afsnit: </span>");
        ark_html_text(h, x->passage.heading);
        ark_html_raw(h, "</p>\n");
    }
    ark_html_raw(h, "<p class=\"snip\">");
    pg_put_marked(h, x->snippet ? x->snippet : "", x->snippet ? x->snippet_len : 0,
               (const uint32_t(*)[2])x->highlights, x->snippet ? x->nhighlights : 0);
    ark_html_raw(h, "</p>\n<p class=\"src\"><span class=\"sr\">Kilde: </span>");
    ark_html_text(h, id);
    ark_html_raw(h, ", <a href=\"");
    put_doc_href(h, id, q, x->passage.ordinal);
    ark_html_raw(h, "\">");
    pg_put_lines(h, x->passage.line_start, x->passage.line_end, x->passage.page,
                 x->passage.page_end);
    ark_html_raw(h, "</a></p>\n</div>\n");
}

/* One document (group.h): one headline, its title (the file name only when it has
 * none), linking to its best passage; its type, date and the original's address when
 * its metadata has one; its best passages; and how many more of its passages match. */
static void put_group(ark_html *h, const ark_group *g, const char *q) {
    const ark_result *x = g->best[0];
    const ark_docinfo *d = &x->doc;
    const char *id = d->id ? d->id : "";
    ark_html_raw(h, "<li class=\"hit\">\n<h2><a href=\"");
    put_doc_href(h, id, q, x->passage.ordinal);
    ark_html_raw(h, "\">");
    ark_html_text(h, d->title && !pg_blank(d->title) ? d->title : id);
    ark_html_raw(h, "</a></h2>\n<p class=\"meta\">");
    if (d->type && *d->type) {
        ark_html_raw(h, "<span class=\"tag\" data-type=\"");
        ark_html_text(h, d->type);
        ark_html_raw(h, "\">");
        pg_put_type(h, d->type);
        ark_html_raw(h, "</span>");
    }
    if (d->date && *d->date) {
        ark_html_raw(h, "<span>");
        pg_put_date(h, d->date);
        ark_html_raw(h, "</span>");
    }
    if (d->url && *d->url) { /* the indexer admits http(s) addresses only */
        ark_html_raw(h, "<span><a href=\"");
        ark_html_text(h, d->url);
        ark_html_raw(h, "\">Originalen</a></span>");
    }
    ark_html_raw(h, "</p>\n");
    for (size_t i = 0; i < g->n; i++) put_passage(h, g->best[i], q);
    if (g->further) {
        ark_html_raw(h, "<p class=\"more\"><a href=\"");
        put_doc_href(h, id, q, 0);
        ark_html_raw(h, "\">");
        pg_put_num(h, g->further);
        ark_html_raw(h, " flere i dette dokument</a></p>\n");
    }
    ark_html_raw(h, "</li>\n");
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
        pg_put_href(h, &nv);
        ark_html_raw(h, "\">\xE2\x80\xB9 Forrige</a></li>\n");
    }
    if (from > 1) {
        nv.page = 1;
        ark_html_raw(h, "<li><a href=\"");
        pg_put_href(h, &nv);
        ark_html_raw(h, "\" aria-label=\"Side 1\">1</a></li>\n");
        if (from > 2) ark_html_raw(h, "<li><span class=\"gap\">\xE2\x80\xA6</span></li>\n");
    }
    for (unsigned p = from; p <= to; p++) {
        if (p == v->page) {
            /* No aria-label here: the Nu HTML Checker refuses it on a <span>, which has no
             * role to name; aria-current says which page this is. */
            ark_html_printf(h, "<li><span aria-current=\"page\">%u</span></li>\n", p);
            continue;
        }
        nv.page = p;
        ark_html_raw(h, "<li><a href=\"");
        pg_put_href(h, &nv);
        ark_html_printf(h, "\" aria-label=\"Side %u\">%u</a></li>\n", p, p);
    }
    if (has_next) {
        nv.page = v->page + 1;
        ark_html_raw(h, "<li><a rel=\"next\" href=\"");
        pg_put_href(h, &nv);
        ark_html_raw(h, "\">Næste \xE2\x80\xBA</a></li>\n");
    }
    ark_html_raw(h, "</ul></nav>\n");
}

/* Facets for the other facet's filter only, so the list still offers every value of
 * this facet (choosing "svar" must not hide "orientering" from the list). One extra
 * search of one result, only when that filter is set. */
static int facet_values(const view *v, int is_type, ark_results *res, ark_err *err) {
    ark_search_req sr = {.q = v->q, .offset = 0, .limit = 1,
                         .type = is_type ? NULL : v->type, .date = is_type ? v->year : NULL};
    memset(res, 0, sizeof *res);
    if (pg_blank(v->q) && !sr.type && !sr.date) return 0;
    return pg_run_search(v->level, &sr, res, err);
}

/* The suggestion as the box shows it: without the spaces the user left at the end. */
static char *trimmed(const char *s) {
    char *o = strdup(s);
    size_t n = o ? strlen(o) : 0;
    while (n && o[n - 1] == ' ') o[--n] = '\0';
    return o;
}


/* A chosen filter as a link that removes it (without: the view without the filter). */
static void put_chip(ark_html *h, const view *without, const char *label, const char *value,
                     int is_type) {
    ark_html_raw(h, "<li><a class=\"chip\" href=\"");
    pg_put_href(h, without);
    ark_html_raw(h, "\">");
    ark_html_raw(h, label);
    if (is_type) pg_put_type(h, value);
    else ark_html_text(h, value);
    ark_html_raw(h, " <span aria-hidden=\"true\">\xC3\x97</span><span class=\"sr\"> (fjern)</span>"
                    "</a></li>\n");
}

static void results_page(ark_html *h, const view *v, int *status) {
    ark_groups grp;
    ark_results tres, yres;
    memset(&grp, 0, sizeof grp);
    memset(&tres, 0, sizeof tres);
    memset(&yres, 0, sizeof yres);
    ark_err err = {0, ""};
    char *sugg = NULL;
    int rc;
    /* A page lists documents, each with its best passages (group.h): the same
     * document no longer repeats its headline for every passage (issue 15). */
    ark_search_req sr = {.q = v->q, .sort_by_date = v->by_date ? 1 : 0, .type = v->type,
                         .date = v->year};
    uint32_t offset = (v->page - 1) * v->limit;
    int opened;
    rc = ark_groups_search(v->level, &sr, offset, v->limit, &grp, &opened, &err);
    ark_results *res = &grp.first;
    if (rc == 0 && res->corrected && v->exact) {
        /* The user insisted on the words typed (the "Søg i stedet efter" link): show
         * that they found nothing, and offer the correction as "Mente du". */
        char *s = res->suggestion ? strdup(res->suggestion) : NULL;
        ark_groups_free(&grp);
        res->suggestion = s;
    }
    if (rc == 0 && v->type) rc = facet_values(v, 1, &tres, &err);
    if (rc == 0 && v->year) rc = facet_values(v, 0, &yres, &err);
    if (rc != 0) {
        fprintf(stderr, "arkivar-server: page search failed: %s (%s)\n",
                err.msg[0] ? err.msg : ark_strerror(rc), ark_strerror(rc));
        *status = rc == ARK_EINVAL ? 400 : 500;
        pg_error_page(h, v, rc == ARK_EINVAL ? "Søgningen kunne ikke forstås" : "Søgningen mislykkedes",
                   err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    if (res->suggestion) sugg = trimmed(res->suggestion);

    size_t shown = grp.n;
    int has_next = grp.more && offset + v->limit <= ARK_API_MAX_OFFSET;

    pg_page_head(h, v->q && *v->q ? v->q : "Søgning");
    pg_page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap cols\">\n");

    /* Filters: before the results in the source (they narrow them), after them on a
     * phone (CSS order), where the results matter first. */
    ark_html_raw(h, "<aside class=\"filters\" aria-label=\"Afgræns resultaterne\">\n");
    ark_results *tf = v->type ? &tres : res, *yf = v->year ? &yres : res;
    put_facet(h, v, "Dokumenttype", "f-type", 1, tf->types, tf->ntypes);
    put_facet(h, v, "\xC3\x85r", "f-year", 0, yf->years, yf->nyears);
    {
        view nv = *v;
        nv.page = 1;
        nv.by_date = !v->by_date;
        ark_html_raw(h, "<section class=\"facet f-sort\" aria-labelledby=\"f-sort-h\"><h2 id=\"f-sort-h\">"
                        "Sortering</h2>\n<ul>\n<li><a href=\"");
        nv.by_date = 0;
        pg_put_href(h, &nv);
        ark_html_raw(h, v->by_date ? "\">" : "\" aria-current=\"true\">");
        ark_html_raw(h, "<span>Bedste match</span></a></li>\n<li><a href=\"");
        nv.by_date = 1;
        pg_put_href(h, &nv);
        ark_html_raw(h, v->by_date ? "\" aria-current=\"true\">" : "\">");
        ark_html_raw(h, "<span>Nyeste først</span></a></li>\n</ul></section>\n");
    }
    ark_html_raw(h, "</aside>\n<div class=\"res\">\n<h1 class=\"sum\">");
    if (v->q && *v->q) {
        ark_html_raw(h, "Resultater for \xC2\xBB");
        ark_html_text(h, res->corrected && sugg ? sugg : v->q);
        ark_html_raw(h, "\xC2\xAB");
    } else {
        ark_html_raw(h, "Resultater");
    }
    ark_html_raw(h, "</h1>\n<p class=\"stat\" role=\"status\">");
    if (shown) {
        uint64_t first = offset + 1, lastr = offset + shown;
        /* The documents seen: all of them on the last page, a lower bound before it. */
        ark_html_raw(h, "Viser ");
        pg_put_num(h, first);
        ark_html_raw(h, "\xE2\x80\x93");
        pg_put_num(h, lastr);
        ark_html_raw(h, has_next ? " af mindst " : " af ");
        pg_put_num(h, grp.documents);
        ark_html_raw(h, grp.documents == 1 ? " resultat" : " resultater");
        ark_html_raw(h, " (");
        pg_put_num(h, res->total);
        ark_html_raw(h, " træffende afsnit");
        ark_html_raw(h, ") på ");
        pg_put_ms(h, grp.took_ms);
    } else {
        ark_html_raw(h, "Ingen resultater");
        if (v->page > 1) ark_html_raw(h, " på denne side");
    }
    ark_html_raw(h, "</p>\n");

    if (sugg && *sugg) {
        view sv = *v;
        sv.page = 1;
        sv.exact = 0;
        if (res->corrected) {
            view ov = *v;
            ov.page = 1;
            ov.exact = 1;
            ark_html_raw(h, "<p class=\"note\">Viser resultater for <a href=\"");
            sv.q = sugg;
            pg_put_href(h, &sv);
            ark_html_raw(h, "\">");
            ark_html_text(h, sugg);
            ark_html_raw(h, "</a>. Søg i stedet efter <a href=\"");
            pg_put_href(h, &ov);
            ark_html_raw(h, "\">");
            ark_html_text(h, v->q);
            ark_html_raw(h, "</a>.</p>\n");
        } else {
            sv.q = sugg;
            ark_html_raw(h, "<p class=\"note\">Mente du: <a href=\"");
            pg_put_href(h, &sv);
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
            put_chip(h, &nv, "Dokumenttype: ", v->type, 1);
            nv.type = v->type;
        }
        if (v->year) {
            nv.year = NULL;
            put_chip(h, &nv, "\xC3\x85r: ", v->year, 0);
        }
        ark_html_raw(h, "</ul>\n");
    }

    if (shown) {
        ark_html_printf(h, "<ol class=\"hits\" start=\"%u\">\n", (unsigned)offset + 1);
        const char *mq = res->corrected && sugg ? sugg : v->q;
        for (size_t i = 0; i < shown; i++) put_group(h, &grp.v[i], mq);
        ark_html_raw(h, "</ol>\n");
    } else {
        ark_html_raw(h, "<p>Prøv andre eller færre ord, tjek stavningen");
        if (v->type || v->year) ark_html_raw(h, ", eller fjern filtrene");
        ark_html_raw(h, ". Se <a href=\"/#tips\">søgetips</a>.</p>\n");
    }
    put_pager(h, v, has_next, grp.documents);
    ark_html_raw(h, "</div>\n</div></main>\n");
    pg_page_foot(h);
out:
    free(sugg);
    ark_groups_free(&grp);
    ark_results_free(&tres);
    ark_results_free(&yres);
}



void ark_page_search(const ark_api_req *req, ark_reply *r) {
    view v;
    ark_html h;
    int status = 200;
    pg_read_view(req, &v);
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    if (pg_blank(v.q) && !v.type && !v.year) {
        v.q = "";
        pg_home(&h, &v);
    } else {
        results_page(&h, &v, &status);
    }
    pg_finish(r, &h, status);
}

