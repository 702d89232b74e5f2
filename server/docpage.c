/* server/docpage.c: GET /doc/ID?q=…, the whole document with the query's matches
 * marked (page.h).
 * Owns: the document view's markup (facts, headings, passages with their lines and
 * pages), which passages matched and where, and the link back to the results.
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

#define DOC_MARK_LIMIT 100 /* passages asked for to mark a document's matches */
#define MAX_MARK_WORDS 64

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

static int doc_marks_find(const char *q, const char *id, doc_marks *m, ark_err *err) {
    if (!q || pg_blank(q)) return 0;
    /* A snippet target above any passage size makes the snippet the whole passage,
     * so its highlight offsets are offsets into the passage text. */
    ark_search_req sr = {.q = q, .offset = 0, .limit = DOC_MARK_LIMIT, .per_doc = DOC_MARK_LIMIT,
                         .snippet_bytes = 1u << 20, .doc = id};
    int rc = pg_run_search(&sr, &m->res, err);
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
        pg_put_marked(h, t, len, (const uint32_t(*)[2])x->highlights, x->nhighlights);
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
    pg_put_marked(h, t, len, (const uint32_t(*)[2])v, nv);
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
    if (dv->n) {
        uint32_t a = dv->passages[0].line_start, b = dv->passages[dv->n - 1].line_end;
        ark_html_printf(h, "<dt>Linjer</dt><dd>%u\xE2\x80\x93%u (%zu afsnit", (unsigned)a, (unsigned)b, dv->n);
        if (d->bytes) {
            ark_html_raw(h, ", ");
            pg_put_num(h, d->bytes);
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
            pg_put_num(h, m->total);
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
        const ark_result *x = q ? doc_marks_hit(m, id, p->ordinal) : NULL;
        if (p->heading && *p->heading && (i == 0 || !same_heading(p->heading, dv->passages[i - 1].heading))) {
            ark_html_raw(h, "<h2 class=\"ph\">");
            ark_html_text(h, p->heading);
            ark_html_raw(h, "</h2>\n");
        }
        ark_html_printf(h, "<div class=\"psg%s\" id=\"p%u\">\n<p class=\"loc\"><a href=\"#p%u\">",
                        x ? " hit" : "", (unsigned)p->ordinal, (unsigned)p->ordinal);
        pg_put_lines(h, p->line_start, p->line_end, p->page);
        ark_html_raw(h, "</a>");
        if (x) ark_html_raw(h, " \xC2\xB7 <strong>fund</strong>");
        ark_html_raw(h, "</p>\n<p>");
        put_passage_text(h, p, x, m);
        ark_html_raw(h, "</p>\n</div>\n");
    }
    ark_html_raw(h, "</article>\n</div></main>\n");
    pg_page_foot(h);
}

void ark_page_doc(const ark_api_req *req, const char *id, ark_reply *r) {
    view v;
    ark_html h;
    ark_docview dv;
    doc_marks m;
    ark_err err = {0, ""};
    int status = 200, rc;
    pg_read_view(req, &v);
    memset(&dv, 0, sizeof dv);
    memset(&m, 0, sizeof m);
    ark_buf_reset(&r->body);
    ark_html_init(&h, &r->body);
    rc = *id ? pg_run_doc(id, &dv, &err) : ARK_ENOTFOUND;
    if (rc == ARK_ENOTFOUND) {
        status = 404;
        pg_error_page(&h, &v, "Dokumentet findes ikke",
                   "Der er intet dokument med denne adresse i arkivet. Det kan være fjernet, "
                   "eller adressen kan være skrevet forkert.");
        goto out;
    }
    if (rc == 0) rc = doc_marks_find(v.q, id, &m, &err);
    if (rc != 0) {
        fprintf(stderr, "arkivar-server: document page failed: %s (%s)\n",
                err.msg[0] ? err.msg : ark_strerror(rc), ark_strerror(rc));
        status = rc == ARK_EINVAL ? 400 : 500;
        pg_error_page(&h, &v, "Dokumentet kunne ikke vises", err.msg[0] ? err.msg : ark_strerror(rc));
        goto out;
    }
    doc_page(&h, &v, &dv, &m);
out:
    doc_marks_free(&m);
    ark_docview_free(&dv);
    pg_finish(r, &h, status);
}

