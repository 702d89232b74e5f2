/* server/docpage.c: GET /doc/ID?q=…&from=N, one page of a document (ARK_DOC_PAGE
 * passages) with the query's matches marked (page.h).
 * Owns: the document view's markup (facts, headings, passages with their lines and
 * pages), which passages matched and where, the links to the other pages, and the link
 * back to the results.
 * Not here: the frame and the helpers (page.c, frame.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arkivar/err.h"
#include "arkivar/search.h"
#include "frame.h"
#include "html.h"
#include "page.h"
#include "reply.h"

/* ---- GET /doc/ID?q=…&from=N: one page of the document ------------------------------------ */

/* /doc/ID?q=…&from=N#pORD: the page from N (0: the first; from = SIZE_MAX: none). */
static void put_doc_href(ark_html *h, const char *id, const char *q, size_t from, size_t ord) {
    ark_html_raw(h, "/doc/");
    ark_html_urlpath(h, id);
    const char *sep = "?";
    if (q && *q) {
        ark_html_raw(h, "?q=");
        ark_html_urlq(h, q);
        sep = "&amp;";
    }
    if (from) ark_html_printf(h, "%sfrom=%zu", sep, from);
    if (ord != SIZE_MAX) ark_html_printf(h, "#p%zu", ord);
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

static void doc_page(ark_html *h, const view *v, const ark_docview *dv) {
    const ark_docinfo *d = &dv->doc;
    const char *id = d->id ? d->id : "";
    const char *title = d->title && *d->title ? d->title : id;
    int q = v->q && !pg_blank(v->q);
    pg_page_head(h, title);
    pg_page_top(h, v, 1);
    ark_html_raw(h, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap doc\">\n<p class=\"back\">");
    if (q) {
        view bv = *v;
        bv.page = 1;
        ark_html_raw(h, "<a href=\"");
        pg_put_href(h, &bv);
        ark_html_raw(h, "\">\xE2\x80\xB9 Tilbage til resultaterne</a>");
    } else {
        ark_html_raw(h, "<a href=\"/\">\xE2\x80\xB9 Ny søgning</a>");
    }
    ark_html_raw(h, "</p>\n<article aria-labelledby=\"doc-h\">\n<h1 id=\"doc-h\">");
    ark_html_text(h, title);
    ark_html_raw(h, "</h1>\n<dl class=\"facts\">\n");
    if (d->type && *d->type) {
        ark_html_raw(h, "<dt>Dokumenttype</dt><dd>");
        pg_put_type(h, d->type);
        ark_html_raw(h, "</dd>\n");
    }
    if (d->date && *d->date) {
        ark_html_raw(h, "<dt>Dato</dt><dd>");
        pg_put_date(h, d->date);
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
    if (d->url && *d->url) {
        ark_html_raw(h, "<dt>Original</dt><dd><a href=\"");
        ark_html_text(h, d->url);
        ark_html_raw(h, "\">");
        ark_html_text(h, d->url);
        ark_html_raw(h, "</a></dd>\n");
    }
    for (size_t i = 0; i < d->nfields; i++) { /* "key=value": the key as the label */
        const char *eq = strchr(d->fields[i], '=');
        if (!eq) continue;
        ark_html_raw(h, "<dt>");
        ark_html_textn(h, d->fields[i], (size_t)(eq - d->fields[i]));
        ark_html_raw(h, "</dt><dd>");
        ark_html_text(h, eq + 1);
        ark_html_raw(h, "</dd>\n");
    }
    if (dv->n) {
        uint32_t a = dv->passages[0].line_start, b = dv->passages[dv->n - 1].line_end;
        ark_html_printf(h, "<dt>Linjer</dt><dd>%u\xE2\x80\x93%u (afsnit %zu\xE2\x80\x93%zu af %zu", (unsigned)a,
                        (unsigned)b, dv->from + 1, dv->from + dv->n, dv->total);
        if (d->bytes) {
            ark_html_raw(h, ", ");
            pg_put_num(h, d->bytes);
            ark_html_raw(h, " byte");
        }
        ark_html_raw(h, ")</dd>\n");
    }
    ark_html_raw(h, "</dl>\n");

    if (q) {
        ark_html_raw(h, "<p class=\"note\" role=\"status\">\xC2\xBB");
        ark_html_text(h, v->q);
        if (dv->corrected) { /* the typed words are nowhere here; their correction is */
            ark_html_raw(h, "\xC2\xAB findes ikke i dokumentet, men \xC2\xBB");
            ark_html_text(h, dv->corrected);
        }
        ark_html_raw(h, "\xC2\xAB ");
        if (dv->nmatched) {
            ark_html_raw(h, "findes i ");
            pg_put_num(h, dv->nmatched);
            ark_html_raw(h, " afsnit");
            ark_html_raw(h, " i dokumentet (markeret). ");
            if (dv->first_match != SIZE_MAX) { /* on this page, or on the page from it */
                size_t f = dv->first_match;
                int here = f >= dv->from && f < dv->from + dv->n;
                ark_html_raw(h, "<a href=\"");
                if (here) ark_html_printf(h, "#p%zu", f);
                else put_doc_href(h, id, v->q, f / ARK_DOC_PAGE * ARK_DOC_PAGE, f);
                ark_html_raw(h, "\">Gå til det første</a>");
            }
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
        pg_put_num(h, nhead);
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
        const ark_doc_mark *mk = dv->marks ? &dv->marks[i] : NULL;
        int hit = mk && mk->matched;
        if (p->heading && *p->heading && (i == 0 || !same_heading(p->heading, dv->passages[i - 1].heading))) {
            ark_html_raw(h, "<h2 class=\"ph\">");
            ark_html_text(h, p->heading);
            ark_html_raw(h, "</h2>\n");
        }
        ark_html_printf(h, "<div class=\"psg%s\" id=\"p%u\">\n<p class=\"loc\"><a href=\"#p%u\">",
                        hit ? " hit" : "", (unsigned)p->ordinal, (unsigned)p->ordinal);
        pg_put_lines(h, p->line_start, p->line_end, p->page, p->page_end);
        ark_html_raw(h, "</a>");
        if (hit) ark_html_raw(h, " \xC2\xB7 <strong>fund</strong>");
        ark_html_raw(h, "</p>\n<p>");
        pg_put_marked(h, p->text ? p->text : "", p->text ? p->text_len : 0,
                      mk ? (const uint32_t(*)[2])mk->ranges : NULL, mk ? mk->n : 0);
        ark_html_raw(h, "</p>\n</div>\n");
    }
    if (dv->from > 0 || dv->from + dv->n < dv->total) {
        ark_html_raw(h, "<nav class=\"pages\" aria-label=\"Dokumentets sider\">");
        if (dv->from > 0) {
            ark_html_raw(h, "<a rel=\"prev\" href=\"");
            put_doc_href(h, id, v->q, dv->from > ARK_DOC_PAGE ? dv->from - ARK_DOC_PAGE : 0, SIZE_MAX);
            ark_html_raw(h, "\">\xE2\x80\xB9 Forrige afsnit</a> ");
        }
        if (dv->from + dv->n < dv->total) {
            ark_html_raw(h, "<a rel=\"next\" href=\"");
            put_doc_href(h, id, v->q, dv->from + dv->n, SIZE_MAX);
            ark_html_printf(h, "\">Næste afsnit (%zu\xE2\x80\x93%zu af %zu) \xE2\x80\xBA</a>",
                            dv->from + dv->n + 1,
                            dv->from + dv->n + ARK_DOC_PAGE < dv->total ? dv->from + dv->n + ARK_DOC_PAGE : dv->total,
                            dv->total);
        }
        ark_html_raw(h, "</nav>\n");
    }
    ark_html_raw(h, "</article>\n</div></main>\n");
    pg_page_foot(h);
}

void ark_page_doc(const ark_api_req *req, const char *id, ark_reply *r) {
    view v;
    ark_html h;
    ark_docview dv;
    ark_err err = {0, ""};
    int status = 200, rc;
    pg_read_view(req, &v);
    memset(&dv, 0, sizeof dv);
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    unsigned long from = 0;
    const char *fs = req->get(req->ctx, "from");
    if (fs && ark_parse_uint(fs, 0, UINT32_MAX, &from) != 0) {
        status = 400;
        pg_error_page(&h, &v, "Dokumentet kunne ikke vises", "from skal være et helt tal.");
        goto out;
    }
    ark_doc_req dr = {.id = id, .q = pg_blank(v.q) ? NULL : v.q, .from = from, .count = ARK_DOC_PAGE};
    rc = *id ? pg_run_doc(v.level, &dr, &dv, &err) : ARK_ENOTFOUND;
    if (rc == 0 && from > 0 && from >= dv.total) rc = ARK_ENOTFOUND; /* no such page */
    if (rc == ARK_ENOTFOUND) {
        status = 404;
        pg_error_page(&h, &v, "Dokumentet findes ikke",
                   "Der er intet dokument med denne adresse i arkivet. Det kan være fjernet, "
                   "eller adressen kan være skrevet forkert.");
        goto out;
    }
    if (rc != 0) {
        fprintf(stderr, "arkivar-server: document page failed: %s (%s)\n",
                err.msg[0] ? err.msg : ark_strerror(rc), ark_strerror(rc));
        status = rc == ARK_EINVAL ? 400 : 500;
        pg_error_page(&h, &v, "Dokumentet kunne ikke vises", err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    doc_page(&h, &v, &dv);
out:
    ark_docview_free(&dv);
    pg_finish(r, &h, status);
}

