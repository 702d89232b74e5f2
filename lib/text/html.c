/* lib/text/html.c: the HTML loader, through libxml2's HTML parser.
 * Owns: turning a web page into an ark_source: <title> as the title, <h1>-<h6> as
 *   markdown headings ("## …") so the segmenter knows them without guessing, and the
 *   text of paragraphs, list items, table cells and line breaks as lines; scripts,
 *   styles, templates, forms and the page's navigation (nav, header, footer, aside) are
 *   dropped. Refusing what is not a page (no "<" among its first bytes) or has no text.
 * Not here: reading the file (ark_file_read: links, FIFOs, the size limit), cutting
 *   passages (segment.c).
 * Why: provenance counts bytes of the extracted text (what the document view shows),
 *   as for PDF; libxml2 recovers broken markup as browsers do and bounds nesting (its
 *   default depth limit, no network, no entity expansion beyond the document). */
#include "load.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arkivar/buf.h"

static int skipped(const char *tag) {
    static const char *const drop[] = {"script", "style", "noscript", "template", "nav", "header",
                                       "footer", "aside", "form", "svg", "iframe", "head", NULL};
    for (int i = 0; drop[i]; i++)
        if (strcasecmp(tag, drop[i]) == 0) return 1;
    return 0;
}

static int is_block(const char *tag) {
    static const char *const block[] = {"p", "div", "li", "tr", "td", "th", "table", "ul", "ol",
                                        "section", "article", "main", "blockquote", "pre",
                                        "dd", "dt", "dl", "figcaption", "address", NULL};
    for (int i = 0; block[i]; i++)
        if (strcasecmp(tag, block[i]) == 0) return 1;
    return 0;
}

typedef struct walk_out {
    ark_buf b;
    int rc;
    int at_line_start; /* the last byte written ends a line (or nothing is written) */
} walk_out;

static void newline(walk_out *o, int blank) {
    if (o->rc || o->b.len == 0) return;
    if (!o->at_line_start) o->rc = ark_buf_putc(&o->b, '\n');
    if (!o->rc && blank && (o->b.len < 2 || o->b.data[o->b.len - 2] != '\n'))
        o->rc = ark_buf_putc(&o->b, '\n');
    o->at_line_start = 1;
}

/* Text with its runs of white space as one space (HTML's rendering). */
static void text(walk_out *o, const char *s) {
    for (; *s && !o->rc; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (!o->at_line_start && o->b.len && o->b.data[o->b.len - 1] != ' ')
                o->rc = ark_buf_putc(&o->b, ' ');
            continue;
        }
        o->rc = ark_buf_putc(&o->b, (char)c);
        o->at_line_start = 0;
    }
}

static void walk(walk_out *o, xmlNode *n, int depth) {
    for (; n && !o->rc; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content) text(o, (const char *)n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || !n->name) continue;
        const char *tag = (const char *)n->name;
        if (skipped(tag) || depth > 200) continue;
        int h = (tag[0] == 'h' || tag[0] == 'H') && tag[1] >= '1' && tag[1] <= '6' && !tag[2];
        if (strcasecmp(tag, "br") == 0) {
            newline(o, 0);
            continue;
        }
        if (h) {
            newline(o, 1);
            for (int k = 0; k < tag[1] - '0' && !o->rc; k++) o->rc = ark_buf_putc(&o->b, '#');
            if (!o->rc) o->rc = ark_buf_putc(&o->b, ' ');
            o->at_line_start = 0;
        } else if (is_block(tag)) {
            newline(o, strcasecmp(tag, "p") == 0 || strcasecmp(tag, "table") == 0);
        }
        walk(o, n->children, depth + 1);
        if (h || is_block(tag)) newline(o, h || strcasecmp(tag, "p") == 0);
    }
}

/* The <title>'s text, trimmed and with white space runs as one space; NULL when none. */
static char *title_of(xmlDoc *doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlNode *n = root ? root->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcasecmp((const char *)n->name, "head") != 0) continue;
        for (xmlNode *t = n->children; t; t = t->next) {
            if (t->type != XML_ELEMENT_NODE || strcasecmp((const char *)t->name, "title") != 0)
                continue;
            xmlChar *c = xmlNodeGetContent(t);
            walk_out o = {ARK_BUF_INIT, 0, 1};
            if (c) text(&o, (const char *)c);
            xmlFree(c);
            while (o.b.len && o.b.data[o.b.len - 1] == ' ') o.b.data[--o.b.len] = '\0';
            if (o.rc || !o.b.len) {
                ark_buf_free(&o.b);
                return NULL;
            }
            return ark_buf_take(&o.b);
        }
    }
    return NULL;
}

int ark_html_load(const char *path, ark_source *out, ark_err *err) {
    char *raw = NULL;
    size_t raw_len = 0;
    xmlDoc *doc = NULL;
    walk_out o = {ARK_BUF_INIT, 0, 1};
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = ark_file_read(path, &raw, &raw_len, err)) != 0) goto out;
    if (!memchr(raw, '<', raw_len < 4096 ? raw_len : 4096)) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: not HTML (no markup in its first 4 KB)", path);
        goto out;
    }
    doc = htmlReadMemory(raw, (int)raw_len, NULL, NULL,
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    if (!doc) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: cannot read the HTML", path);
        goto out;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    walk(&o, root, 0);
    if (!o.rc) newline(&o, 0);
    if (o.rc) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    int any = 0;
    for (size_t i = 0; i < o.b.len && !any; i++) any = (unsigned char)o.b.data[i] > ' ';
    if (!any) {
        rc = ark_err_set(err, ARK_EEMPTY, "%s: no text in the page", path);
        goto out;
    }
    out->title = title_of(doc);
    out->len = o.b.len;
    out->bytes = ark_buf_take(&o.b);
    if (!out->bytes) {
        free(out->title);
        memset(out, 0, sizeof *out);
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    out->is_markdown = 1; /* the headings are written as markdown headings */
    out->format = "html";
out:
    if (doc) xmlFreeDoc(doc);
    ark_buf_free(&o.b);
    free(raw);
    return rc;
}
