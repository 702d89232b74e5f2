/* lib/text/office.c: the DOCX and ODT loader, through libzip and libxml2's SAX parser.
 * Owns: refusing what is not a word-processing document in a sound zip (an OLE compound
 *   file: encrypted or old binary Word; no zip; a zip without word/document.xml or an
 *   OpenDocument text mimetype; too many entries; an entry that inflates past the file
 *   limit, past its declared size or at a bomb's ratio; XML, in the body or the metadata,
 *   that is not well-formed, too deep, carries a DTD or breaks its namespaces), and
 *   turning the document's body into an ark_source as html.c does: paragraphs separated
 *   by blank lines, headings from the document's own styles written as markdown headings
 *   ("## …"), a table row as one paragraph with its cells joined by " | ", tabs and line
 *   breaks kept; the title and the creation date from docProps/core.xml (DOCX) or
 *   meta.xml (ODT).
 * Not here: reading the file (ark_file_read: links, FIFOs, the size limit), choosing this
 *   loader by content (load.c), cutting passages (segment.c). Not read, by design:
 *   headers and footers, footnotes and endnotes, comments, tracked deletions and moves,
 *   field codes, text-box fallbacks (mc:Fallback, a second copy of the same text), and
 *   list numbers that the application generates (the text "1." is read when typed).
 * Why: case records are written in Word and LibreOffice; their headings are styles, not
 *   guesses, and provenance counts bytes of the extracted text (what the document view
 *   shows). A SAX walk builds no tree, so memory is the file, one inflated entry and the
 *   text, whatever the nesting; libxml2 stops past 256 levels (no XML_PARSE_HUGE), never
 *   reads the network and, with DTDs refused, expands no entity but the five built in. */
#include "load.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>
#include <zlib.h>

#include "arkivar/buf.h"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_META "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_STYLE "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
#define NS_SVG "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define ODT_MIME "application/vnd.oasis.opendocument.text"

#define RATIO_FLOOR (1u << 20) /* entries smaller than this may inflate at any ratio */
#define MAX_STYLES 10000       /* styles past this many are not read (body text then) */
#define MAX_STYLE_HOPS 16      /* basedOn / parent-style-name chain followed this far */
#define MAX_TITLE 1024         /* bytes of dc:title kept */

/* ---- The text being written ------------------------------------------------------ */

/* A unit is what ends in a blank line: a paragraph, or a whole table row. */
typedef struct sink {
    ark_buf b;
    int rc;           /* the first error: ARK_ENOMEM or ARK_ETOOBIG; nothing is written after */
    int level;        /* heading level of the open paragraph, 0 for body text */
    int started;      /* the open unit has text */
    int tables;       /* tables open around the text */
    const char *pend; /* written before the unit's next text: " | " (a new cell), " " (a
                         new paragraph in the cell, or collapsed white space) */
} sink;

static void put(sink *k, const char *s, size_t n) {
    if (k->rc || !n) return;
    /* Bounded like a text file: markup that inflates into more text is refused. */
    if (k->b.len + n > ARK_MAX_FILE_BYTES) k->rc = ARK_ETOOBIG;
    else k->rc = ark_buf_append(&k->b, s, n);
}

static void unit_end(sink *k) {
    if (k->started) put(k, "\n\n", 2);
    k->started = 0;
    k->pend = NULL;
}

/* Text of the open unit. Leading white space of a unit is dropped, so a heading's mark
 * is followed by its first word and an empty paragraph writes nothing. */
static void text(sink *k, const char *s, size_t n) {
    if (!k->started) {
        while (n && (*s == ' ' || *s == '\t' || *s == '\n')) s++, n--;
        if (!n) return;
        if (!k->tables && k->level > 0) {
            static const char marks[] = "###### ";
            int l = k->level > 6 ? 6 : k->level;
            put(k, marks + 6 - l, (size_t)l + 1);
        }
    } else if (k->pend) {
        put(k, k->pend, strlen(k->pend));
    }
    k->pend = NULL;
    k->started = 1;
    put(k, s, n);
}

/* White space runs as one space (ODF's rule for character data, like HTML's), written
 * only if more text follows in the unit: none is left at a paragraph's end. */
static void text_collapsed(sink *k, const char *s, size_t n) {
    size_t i = 0;
    while (i < n && !k->rc) {
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r') j++;
        if (j > i) text(k, s + i, j - i);
        if (j < n) {
            if (k->started && !k->pend && k->b.len && k->b.data[k->b.len - 1] != ' ')
                k->pend = " ";
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) j++;
        }
        i = j;
    }
}

/* A line break inside a paragraph; inside a table a space, so a row stays one line. */
static void line_break(sink *k) { text(k, k->tables ? " " : "\n", 1); }

static void para_open(sink *k, int level) {
    if (k->tables) {
        if (k->started && !k->pend) k->pend = " "; /* another paragraph in the cell */
        return;
    }
    unit_end(k); /* also ends the paragraph around a text box's */
    k->level = level;
}

static void para_close(sink *k) {
    if (k->tables) return;
    unit_end(k);
    k->level = 0;
}

static void table_open(sink *k) {
    if (!k->tables) unit_end(k);
    k->tables++;
}

static void table_close(sink *k) {
    if (k->tables > 0) k->tables--;
    if (k->tables) return;
    unit_end(k);
    k->level = 0; /* a cell's heading style is not the next paragraph's */
}

static void row_open(sink *k) {
    if (k->tables <= 1) unit_end(k);
    else if (k->started) k->pend = " | "; /* a nested table's row: inside the outer cell */
}

/* Empty cells write nothing, so a row of 10,000 empty columns costs nothing. */
static void cell_open(sink *k) {
    if (k->started) k->pend = " | ";
}

/* ---- Styles: which paragraph styles are headings ---------------------------------- */

typedef struct style {
    char *id;     /* DOCX w:styleId, ODT style:name */
    char *parent; /* w:basedOn, style:parent-style-name; NULL when none */
    int own;      /* level from the style's own name or outline level; -1: inherit */
    int level;    /* resolved: 0 body, 1-9 heading */
} style;

typedef struct styles {
    style *v;
    size_t n, cap;
    int ready; /* sorted by id and resolved */
} styles;

/* The heading level a style's name says: "heading 1", "Heading1", "Heading_20_1" (ODF's
 * escaped space), "Overskrift 1" (Danish Word) → 1 … 9; "Title", "Titel" → 1; else -1. */
static int level_by_name(const char *s) {
    if (!s) return -1;
    if (strcasecmp(s, "title") == 0 || strcasecmp(s, "titel") == 0) return 1;
    size_t p = strncasecmp(s, "heading", 7) == 0      ? 7
               : strncasecmp(s, "overskrift", 10) == 0 ? 10
                                                       : 0;
    if (!p) return -1;
    s += p;
    if (*s == ' ') s++;
    else if (strncmp(s, "_20_", 4) == 0) s += 4;
    return s[0] >= '1' && s[0] <= '9' && !s[1] ? s[0] - '0' : -1;
}

static void styles_free(styles *st) {
    for (size_t i = 0; i < st->n; i++) {
        free(st->v[i].id);
        free(st->v[i].parent);
    }
    free(st->v);
    memset(st, 0, sizeof *st);
}

static int styles_add(styles *st, const char *id, const char *parent, int own) {
    if (!id || !*id || st->n >= MAX_STYLES) return 0;
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        style *v = realloc(st->v, cap * sizeof *v);
        if (!v) return ARK_ENOMEM;
        st->v = v;
        st->cap = cap;
    }
    style *s = &st->v[st->n];
    s->id = strdup(id);
    s->parent = parent && *parent ? strdup(parent) : NULL;
    s->own = own;
    s->level = 0;
    if (!s->id || (parent && *parent && !s->parent)) {
        free(s->id);
        free(s->parent);
        return ARK_ENOMEM;
    }
    st->n++;
    st->ready = 0;
    return 0;
}

static int style_cmp(const void *a, const void *b) {
    return strcmp(((const style *)a)->id, ((const style *)b)->id);
}

static style *style_find(const styles *st, const char *id) {
    if (!st->n || !id) return NULL;
    style key = {(char *)id, NULL, 0, 0};
    return bsearch(&key, st->v, st->n, sizeof *st->v, style_cmp);
}

/* Sort, then give each style its level: its own, else its parent's, MAX_STYLE_HOPS up
 * at most (a cycle ends there as body text). */
static void styles_ready(styles *st) {
    if (st->ready) return;
    if (st->n) qsort(st->v, st->n, sizeof *st->v, style_cmp);
    for (size_t i = 0; i < st->n; i++) {
        const style *s = &st->v[i];
        int hops = 0;
        while (s && s->own < 0 && s->parent && hops++ < MAX_STYLE_HOPS)
            s = style_find(st, s->parent);
        st->v[i].level = s && s->own > 0 ? s->own : 0;
    }
    st->ready = 1;
}

/* The level of a paragraph in style id: the style's, or when the document has no such
 * style (no styles part), what the id itself says ("Heading1", "Overskrift2"). */
static int styles_level(styles *st, const char *id) {
    styles_ready(st);
    const style *s = style_find(st, id);
    if (s) return s->level;
    int l = level_by_name(id);
    return l > 0 ? l : 0;
}

/* ---- SAX plumbing ------------------------------------------------------------------ */

/* The first member of every walker's state: the parser, to stop it, and why it stopped. */
typedef struct walk {
    xmlParserCtxtPtr ctxt;
    int rc;          /* set by a callback: ARK_ENOMEM, ARK_ETOOBIG, ARK_EFORMAT */
    const char *why; /* for ARK_EFORMAT */
    int oom;         /* libxml2 ran out of memory, whatever it reported last */
    int ns_line;     /* a namespace error's line, 0 when none */
    char ns_msg[160];
} walk;

static void stop(walk *w, int rc, const char *why) {
    if (w->rc) return;
    w->rc = rc;
    w->why = why;
    xmlStopParser(w->ctxt);
}

static int is(const xmlChar *uri, const char *ns) {
    return uri && strcmp((const char *)uri, ns) == 0;
}
static int is_w(const xmlChar *uri) { return is(uri, NS_W) || is(uri, NS_W_STRICT); }
static int named(const xmlChar *name, const char *s) { return strcmp((const char *)name, s) == 0; }

/* Attribute localname (in namespace ns) of a SAX2 start tag, copied into buf (cut at
 * cap - 1 bytes); NULL when absent. attrs: localname, prefix, URI, value, end, … */
static const char *attr(const xmlChar **attrs, int n, const char *ns, const char *name, char *buf,
                        size_t cap) {
    for (int i = 0; i < n; i++) {
        const xmlChar **a = attrs + 5 * i;
        if (!named(a[0], name) || (ns && !is(a[2], ns) && !(strcmp(ns, NS_W) == 0 && is_w(a[2]))))
            continue;
        size_t len = (size_t)(a[4] - a[3]);
        if (len >= cap) len = cap - 1;
        memcpy(buf, a[3], len);
        buf[len] = '\0';
        return buf;
    }
    return NULL;
}

/* An Office part never carries a DTD; refusing it up front means no entity of the
 * document's own is ever defined, let alone expanded (billion laughs). */
static void refuse_dtd(void *u, const xmlChar *name, const xmlChar *ext, const xmlChar *sys) {
    stop(u, ARK_EFORMAT, "carries a DTD (<!DOCTYPE>), which Office documents never do");
}

/* Every error of the parse passes here, none is printed. A failed allocation may be
 * followed by other errors (the last is what the context keeps), or surface only as a
 * namespace warning (a declaration dropped, so no element would be ours): both are kept. */
static void note(void *u, xmlErrorPtr e) {
    walk *w = u;
    if (e->code == XML_ERR_NO_MEMORY) w->oom = 1;
    if (e->domain == XML_FROM_NAMESPACE && !w->ns_line) {
        w->ns_line = e->line > 0 ? e->line : 1;
        snprintf(w->ns_msg, sizeof w->ns_msg, "%s", e->message ? e->message : "");
    }
}

/* Parse xml[0, len), the entry `part` of path, feeding h's callbacks with state w. */
static int parse(const char *path, const char *part, const char *xml, size_t len,
                 const xmlSAXHandler *h, walk *w, ark_err *err) {
    if (len == 0) return ark_err_set(err, ARK_EFORMAT, "%s: %s is empty", path, part);
    xmlSAXHandler sax = *h;
    sax.initialized = XML_SAX2_MAGIC;
    sax.internalSubset = refuse_dtd;
    sax.externalSubset = NULL;
    sax.serror = note;
    xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt(xml, (int)len); /* len <= the file limit */
    if (!c) return ark_err_set(err, ARK_ENOMEM, "%s: %s: out of memory", path, part);
    xmlSAXHandlerPtr own = c->sax;
    c->sax = &sax;
    c->userData = w;
    w->ctxt = c;
    /* No XML_PARSE_HUGE (the depth limit stays), no NOENT or DTDLOAD (nothing loaded). */
    xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    int r = xmlParseDocument(c), rc = 0;
    if (w->rc == ARK_ENOMEM || w->oom || c->lastError.code == XML_ERR_NO_MEMORY) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: %s: out of memory", path, part);
    } else if (w->rc == ARK_ETOOBIG) {
        rc = ark_err_set(err, ARK_ETOOBIG, "%s: more than %u bytes of text in %s", path,
                         (unsigned)ARK_MAX_FILE_BYTES, part);
    } else if (w->rc) {
        rc = ark_err_set(err, w->rc, "%s: %s %s", path, part, w->why);
    } else if (r != 0 || !c->wellFormed) {
        const char *m = c->lastError.message ? c->lastError.message : "libxml2 gave no reason";
        int ml = (int)strlen(m);
        while (ml > 0 && (m[ml - 1] == '\n' || m[ml - 1] == ' ')) ml--;
        rc = ark_err_set(err, ARK_EFORMAT, "%s: %s is not well-formed XML (line %d: %.*s)", path,
                         part, c->lastError.line, ml, m);
    } else if (w->ns_line) {
        int ml = (int)strlen(w->ns_msg);
        while (ml > 0 && (w->ns_msg[ml - 1] == '\n' || w->ns_msg[ml - 1] == ' ')) ml--;
        rc = ark_err_set(err, ARK_EFORMAT, "%s: %s has a namespace error (line %d: %.*s)", path,
                         part, w->ns_line, ml, w->ns_msg);
    }
    c->sax = own;
    w->ctxt = NULL;
    xmlFreeParserCtxt(c);
    return rc;
}

/* ---- DOCX: word/styles.xml, word/document.xml ------------------------------------- */

typedef struct docx_styles {
    walk w;
    styles *st;
    int in;        /* inside a paragraph w:style */
    char id[256], name[256], based[256];
    int outline;   /* w:outlineLvl + 1, 0 when none, -1 for 9 (body text) */
} docx_styles;

static void dstyle_start(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri,
                         int nns, const xmlChar **ns, int na, int nd, const xmlChar **a) {
    docx_styles *d = u;
    char v[256];
    if (!is_w(uri)) return;
    if (named(ln, "style")) {
        const char *type = attr(a, na, NS_W, "type", v, sizeof v);
        d->in = !type || strcmp(type, "paragraph") == 0;
        if (!attr(a, na, NS_W, "styleId", d->id, sizeof d->id)) d->in = 0;
        d->name[0] = d->based[0] = '\0';
        d->outline = 0;
    } else if (d->in && named(ln, "name")) {
        if (!attr(a, na, NS_W, "val", d->name, sizeof d->name)) d->name[0] = '\0';
    } else if (d->in && named(ln, "basedOn")) {
        if (!attr(a, na, NS_W, "val", d->based, sizeof d->based)) d->based[0] = '\0';
    } else if (d->in && named(ln, "outlineLvl") && attr(a, na, NS_W, "val", v, sizeof v)) {
        int l = atoi(v);
        d->outline = l >= 0 && l <= 8 ? l + 1 : -1;
    }
}

static void dstyle_end(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri) {
    docx_styles *d = u;
    if (!d->in || !is_w(uri) || !named(ln, "style")) return;
    d->in = 0;
    int own = level_by_name(d->name[0] ? d->name : d->id);
    if (own < 0 && d->outline) own = d->outline > 0 ? d->outline : 0;
    if (styles_add(d->st, d->id, d->based, own)) stop(&d->w, ARK_ENOMEM, NULL);
}

typedef struct docx_body {
    walk w;
    sink *k;
    styles *st;
    int skip; /* depth inside an element that is not read */
    int in_t; /* inside w:t, whose characters are the text */
    int runs; /* inside w:r: a w:tab there is a tab, in w:tabs a tab stop */
} docx_body;

/* Elements whose content is not the document's text (see the top comment). */
static int docx_skipped(const xmlChar *ln, const xmlChar *uri) {
    if (is(uri, NS_MC)) return named(ln, "Fallback");
    if (!is_w(uri)) return 0;
    static const char *const skip[] = {"del", "moveFrom", "pPrChange", "rPrChange", "instrText",
                                       "delText", NULL};
    for (int i = 0; skip[i]; i++)
        if (named(ln, skip[i])) return 1;
    return 0;
}

static void docx_start(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri,
                       int nns, const xmlChar **ns, int na, int nd, const xmlChar **a) {
    docx_body *d = u;
    sink *k = d->k;
    char v[256];
    if (d->skip || docx_skipped(ln, uri)) {
        d->skip++;
        return;
    }
    if (!is_w(uri)) return;
    if (named(ln, "p")) para_open(k, 0);
    else if (named(ln, "pStyle") && attr(a, na, NS_W, "val", v, sizeof v))
        k->level = styles_level(d->st, v);
    else if (named(ln, "outlineLvl") && attr(a, na, NS_W, "val", v, sizeof v))
        k->level = atoi(v) >= 0 && atoi(v) <= 8 ? atoi(v) + 1 : 0; /* direct formatting wins */
    else if (named(ln, "t")) d->in_t = 1;
    else if (named(ln, "r")) d->runs++;
    else if (d->runs && named(ln, "tab")) text(k, "\t", 1);
    else if (d->runs && (named(ln, "br") || named(ln, "cr"))) line_break(k);
    else if (d->runs && named(ln, "noBreakHyphen")) text(k, "-", 1);
    else if (named(ln, "tbl")) table_open(k);
    else if (named(ln, "tr")) row_open(k);
    else if (named(ln, "tc")) cell_open(k);
    if (k->rc) stop(&d->w, k->rc, NULL);
}

static void docx_end(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri) {
    docx_body *d = u;
    sink *k = d->k;
    if (d->skip) {
        d->skip--;
        return;
    }
    if (!is_w(uri)) return;
    if (named(ln, "p")) para_close(k);
    else if (named(ln, "t")) d->in_t = 0;
    else if (named(ln, "r") && d->runs) d->runs--;
    else if (named(ln, "tbl")) table_close(k);
    if (k->rc) stop(&d->w, k->rc, NULL);
}

/* w:t holds text as written; a stray line end in it is a space, not a paragraph. */
static void docx_chars(void *u, const xmlChar *ch, int n) {
    docx_body *d = u;
    if (d->skip || !d->in_t) return;
    const char *s = (const char *)ch;
    for (int i = 0; i < n && !d->k->rc;) {
        int j = i;
        while (j < n && s[j] != '\n' && s[j] != '\r') j++;
        if (j > i) text(d->k, s + i, (size_t)(j - i));
        if (j < n) text(d->k, " ", 1);
        i = j + 1;
    }
    if (d->k->rc) stop(&d->w, d->k->rc, NULL);
}

/* ---- ODT: styles.xml and content.xml ---------------------------------------------- */

typedef struct odt {
    walk w;
    sink *k;
    styles *st;
    int styles_part; /* styles.xml: style definitions only, never text */
    int body; /* inside office:body (before it: the automatic styles) */
    int skip;
    int paras; /* text:p / text:h open: their character data is the text */
} odt;

/* A paragraph style definition, in styles.xml or content.xml's automatic styles. */
static void odt_style(odt *o, const xmlChar **a, int na) {
    char name[256], parent[256], disp[256], fam[32], lvl[16];
    if (!attr(a, na, NS_STYLE, "name", name, sizeof name)) return;
    const char *f = attr(a, na, NS_STYLE, "family", fam, sizeof fam);
    if (f && strcmp(f, "paragraph") != 0) return;
    const char *p = attr(a, na, NS_STYLE, "parent-style-name", parent, sizeof parent);
    const char *d = attr(a, na, NS_STYLE, "display-name", disp, sizeof disp);
    int own = level_by_name(d ? d : name);
    if (own < 0 && attr(a, na, NS_STYLE, "default-outline-level", lvl, sizeof lvl))
        own = atoi(lvl) >= 1 && atoi(lvl) <= 10 ? atoi(lvl) : 0;
    if (styles_add(o->st, name, p, own)) stop(&o->w, ARK_ENOMEM, NULL);
}

static int odt_skipped(const xmlChar *ln, const xmlChar *uri) {
    if (is(uri, NS_TEXT))
        return named(ln, "note") || named(ln, "tracked-changes") || named(ln, "note-citation");
    if (is(uri, NS_OFFICE)) return named(ln, "annotation");
    if (is(uri, NS_SVG)) return named(ln, "title") || named(ln, "desc");
    return 0;
}

static void odt_start(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri,
                      int nns, const xmlChar **ns, int na, int nd, const xmlChar **a) {
    odt *o = u;
    sink *k = o->k;
    char v[256];
    /* styles.xml's automatic styles dress its headers and footers, which are not read;
     * their names may be content.xml's too ("P1"). */
    if (o->skip || odt_skipped(ln, uri) ||
        (o->styles_part && is(uri, NS_OFFICE) && named(ln, "automatic-styles"))) {
        o->skip++;
        return;
    }
    if (!o->body) {
        if (is(uri, NS_STYLE) && named(ln, "style")) odt_style(o, a, na);
        else if (is(uri, NS_OFFICE) && named(ln, "body") && !o->styles_part) o->body = 1;
        return;
    }
    if (is(uri, NS_TEXT)) {
        if (named(ln, "h")) {
            const char *l = attr(a, na, NS_TEXT, "outline-level", v, sizeof v);
            para_open(k, l ? (atoi(l) >= 1 && atoi(l) <= 10 ? atoi(l) : 0) : 1);
            o->paras++;
        } else if (named(ln, "p")) {
            const char *s = attr(a, na, NS_TEXT, "style-name", v, sizeof v);
            para_open(k, s ? styles_level(o->st, s) : 0);
            o->paras++;
        } else if (o->paras && named(ln, "s")) {
            text(k, " ", 1); /* n spaces: the normalizer makes any run one */
        } else if (o->paras && named(ln, "tab")) {
            text(k, "\t", 1);
        } else if (o->paras && named(ln, "line-break")) {
            line_break(k);
        }
    } else if (is(uri, NS_TABLE)) {
        if (named(ln, "table")) table_open(k);
        else if (named(ln, "table-row")) row_open(k);
        else if (named(ln, "table-cell") || named(ln, "covered-table-cell")) cell_open(k);
    }
    if (k->rc) stop(&o->w, k->rc, NULL);
}

static void odt_end(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri) {
    odt *o = u;
    sink *k = o->k;
    if (o->skip) {
        o->skip--;
        return;
    }
    if (!o->body) return;
    if (is(uri, NS_TEXT) && (named(ln, "h") || named(ln, "p"))) {
        para_close(k);
        if (o->paras) o->paras--;
    } else if (is(uri, NS_TABLE) && named(ln, "table")) {
        table_close(k);
    }
    if (k->rc) stop(&o->w, k->rc, NULL);
}

static void odt_chars(void *u, const xmlChar *ch, int n) {
    odt *o = u;
    if (o->skip || !o->body || !o->paras) return;
    text_collapsed(o->k, (const char *)ch, (size_t)n);
    if (o->k->rc) stop(&o->w, o->k->rc, NULL);
}

/* ---- The title: dc:title in docProps/core.xml (DOCX) or meta.xml (ODT) ------------ */

typedef struct title_walk {
    walk w;
    ark_buf b;
    int in, done;
    int in_date;  /* in dcterms:created (DOCX) or meta:creation-date (ODT) */
    char date[11]; /* its first ten characters, "YYYY-MM-DD" when it has that shape */
    size_t dn;
} title_walk;

static void title_start(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri,
                        int nns, const xmlChar **ns, int na, int nd, const xmlChar **a) {
    title_walk *t = u;
    if (!t->done && is(uri, NS_DC) && named(ln, "title")) t->in = 1;
    if (!t->dn && ((is(uri, NS_DCTERMS) && named(ln, "created")) ||
                   (is(uri, NS_META) && named(ln, "creation-date"))))
        t->in_date = 1;
}

static void title_end(void *u, const xmlChar *ln, const xmlChar *pfx, const xmlChar *uri) {
    title_walk *t = u;
    if (t->in && is(uri, NS_DC) && named(ln, "title")) t->in = 0, t->done = 1;
    if (t->in_date) t->in_date = 0, t->dn = t->dn ? t->dn : 1; /* one date element only */
}

/* Its white space runs as one space, trimmed, at most MAX_TITLE bytes (cut between
 * characters: libxml2 hands over valid UTF-8). */
static void title_chars(void *u, const xmlChar *ch, int n) {
    title_walk *t = u;
    for (int i = 0; t->in_date && i < n && t->dn < 11; i++)
        if (t->dn < 10) t->date[t->dn++] = (char)ch[i];
    for (int i = 0; t->in && i < n; i++) {
        char c = (char)ch[i];
        int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        if (ws && (!t->b.len || t->b.data[t->b.len - 1] == ' ')) continue;
        if (t->b.len >= MAX_TITLE && ((unsigned char)c & 0xC0) != 0x80) {
            t->in = 0, t->done = 1;
            break;
        }
        if (ark_buf_putc(&t->b, ws ? ' ' : c)) {
            stop(&t->w, ARK_ENOMEM, NULL);
            break;
        }
    }
}

/* ---- The zip ----------------------------------------------------------------------- */

static uint64_t le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

/* The entry count an archive's end record declares, read before libzip builds its
 * directory (about 300 bytes an entry, allocated at open): the classic record's count,
 * or the zip64 record's when that says 0xFFFF. 0 when no end record is found; libzip
 * then refuses the file itself, and its own count is checked after opening. */
static uint64_t declared_entries(const unsigned char *p, size_t n) {
    if (n < 22) return 0;
    size_t lo = n - 22 > 65535 ? n - 22 - 65535 : 0;
    for (size_t i = n - 22 + 1; i-- > lo;) {
        if (memcmp(p + i, "PK\x05\x06", 4) != 0) continue;
        uint64_t count = le(p + i + 10, 2);
        if (count != 0xFFFF || i < 20 || memcmp(p + i - 20, "PK\x06\x07", 4) != 0) return count;
        uint64_t at = le(p + i - 20 + 8, 8);
        if (n < 56 || at > n - 56 || memcmp(p + at, "PK\x06\x06", 4) != 0) return count;
        return le(p + at + 32, 8);
    }
    return 0;
}

/* libzip's out of memory (its own, or zlib's) is ours; anything else it reports is the
 * file's fault. (A failed allocation while it looks for the end record it reports as
 * "Not a zip archive": that one is lost.) */
static int zip_rc(zip_error_t *ze) {
    int oom = zip_error_code_zip(ze) == ZIP_ER_MEMORY ||
              (zip_error_code_zip(ze) == ZIP_ER_ZLIB && zip_error_code_system(ze) == Z_MEM_ERROR);
    return oom ? ARK_ENOMEM : ARK_EFORMAT;
}

/* The entry `name`, inflated into *buf (NUL-terminated, *len bytes, transferred: free()),
 * at most ARK_MAX_FILE_BYTES. Returns 0; ARK_ENOTFOUND when there is no such entry (err
 * untouched); ARK_ETOOBIG when it declares more than the limit, inflates at more than
 * ARK_MAX_ZIP_RATIO to 1 (past RATIO_FLOOR), or inflates to more than it declares;
 * ARK_EFORMAT when libzip cannot read it (CRC, method, encryption); ARK_ENOMEM. */
static int read_entry(zip_t *za, const char *path, const char *name, char **buf, size_t *len,
                      ark_err *err) {
    zip_stat_t st;
    zip_file_t *zf = NULL;
    char *b = NULL;
    int rc = 0;
    *buf = NULL;
    *len = 0;
    zip_int64_t i = zip_name_locate(za, name, 0);
    if (i < 0) return ARK_ENOTFOUND;
    if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE))
        return ark_err_set(err, zip_rc(zip_get_error(za)), "%s: %s: %s", path, name,
                           zip_error_strerror(zip_get_error(za)));
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return ark_err_set(err, ARK_EFORMAT, "%s: %s is encrypted (no passwords are tried)", path,
                           name);
    if (st.size > ARK_MAX_FILE_BYTES)
        return ark_err_set(err, ARK_ETOOBIG, "%s: %s inflates to %llu bytes, the limit is %u", path,
                           name, (unsigned long long)st.size, (unsigned)ARK_MAX_FILE_BYTES);
    if (st.size > RATIO_FLOOR && st.size / (st.comp_size ? st.comp_size : 1) > ARK_MAX_ZIP_RATIO)
        return ark_err_set(err, ARK_ETOOBIG,
                           "%s: %s inflates %llu:1 (a zip bomb?), the limit is %u:1", path, name,
                           (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)),
                           ARK_MAX_ZIP_RATIO);
    if (!(zf = zip_fopen_index(za, (zip_uint64_t)i, 0))) {
        rc = ark_err_set(err, zip_rc(zip_get_error(za)), "%s: %s: %s", path, name,
                         zip_error_strerror(zip_get_error(za)));
        goto out;
    }
    /* One byte more than declared is read to learn that it inflates past it: libzip
     * trusts the stored size no further than the CRC does. */
    size_t want = (size_t)st.size + 1, got = 0;
    if (!(b = malloc(want + 1))) {
        rc = ark_err_set(err, ARK_ENOMEM, "%s: %s: out of memory", path, name);
        goto out;
    }
    while (got < want) {
        size_t chunk = want - got < 65536 ? want - got : 65536;
        zip_int64_t r = zip_fread(zf, b + got, chunk);
        if (r < 0) {
            rc = ark_err_set(err, zip_rc(zip_file_get_error(zf)), "%s: %s: %s", path, name,
                             zip_error_strerror(zip_file_get_error(zf)));
            goto out;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    if (got > st.size) {
        rc = ark_err_set(err, ARK_ETOOBIG,
                         "%s: %s inflates to more than the %llu bytes it declares (a zip bomb?)",
                         path, name, (unsigned long long)st.size);
        goto out;
    }
    b[got] = '\0';
    *buf = b;
    *len = got;
    b = NULL;
out:
    if (zf) zip_fclose(zf);
    free(b);
    return rc;
}

/* Read entry `name` (required: its absence is ARK_EFORMAT) and parse it with h. */
static int parse_entry(zip_t *za, const char *path, const char *name, int required,
                       const xmlSAXHandler *h, walk *w, ark_err *err) {
    char *xml = NULL;
    size_t len = 0;
    int rc = read_entry(za, path, name, &xml, &len, err);
    if (rc == ARK_ENOTFOUND)
        return required ? ark_err_set(err, ARK_EFORMAT, "%s: no %s in the archive", path, name) : 0;
    if (!rc) rc = parse(path, name, xml, len, h, w, err);
    free(xml);
    return rc;
}

/* Which document the archive holds: 'o' ODT (its mimetype entry), 'd' DOCX
 * (word/document.xml), or ARK_EFORMAT naming what it is instead. */
static int kind_of(zip_t *za, const char *path, int *kind, ark_err *err) {
    char *mime = NULL;
    size_t len = 0;
    int rc = read_entry(za, path, "mimetype", &mime, &len, err);
    if (rc && rc != ARK_ENOTFOUND) return rc;
    if (!rc) {
        while (len && (mime[len - 1] == '\n' || mime[len - 1] == '\r' || mime[len - 1] == ' '))
            mime[--len] = '\0';
        int odt_text = strcmp(mime, ODT_MIME) == 0 || strcmp(mime, ODT_MIME "-template") == 0;
        if (!odt_text && strncmp(mime, "application/vnd.oasis.opendocument.", 35) == 0) {
            rc = ark_err_set(err, ARK_EFORMAT,
                             "%s: an OpenDocument file of type %.100s, not a text", path, mime);
            free(mime);
            return rc;
        }
        free(mime);
        if (odt_text) return *kind = 'o', 0;
    }
    if (zip_name_locate(za, "word/document.xml", 0) >= 0) return *kind = 'd', 0;
    return ark_err_set(err, ARK_EFORMAT,
                       "%s: a zip archive, but neither a Word document (no word/document.xml) nor "
                       "an OpenDocument text (no mimetype %s)", path, ODT_MIME);
}

static int open_zip(const char *path, char *raw, size_t raw_len, zip_t **out, ark_err *err) {
    zip_error_t ze;
    *out = NULL;
    uint64_t n = declared_entries((const unsigned char *)raw, raw_len);
    if (n > ARK_MAX_ZIP_ENTRIES)
        return ark_err_set(err, ARK_ETOOBIG, "%s: %llu entries in the zip, the limit is %u", path,
                           (unsigned long long)n, ARK_MAX_ZIP_ENTRIES);
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(raw, raw_len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!za) {
        int rc = ark_err_set(err, src ? zip_rc(&ze) : ARK_ENOMEM,
                             "%s: cannot read the zip (truncated or damaged?): %s", path,
                             zip_error_strerror(&ze));
        if (src) zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    zip_int64_t m = zip_get_num_entries(za, 0);
    if (m < 0 || (uint64_t)m > ARK_MAX_ZIP_ENTRIES) {
        zip_discard(za);
        return ark_err_set(err, ARK_ETOOBIG, "%s: %lld entries in the zip, the limit is %u", path,
                           (long long)m, ARK_MAX_ZIP_ENTRIES);
    }
    *out = za;
    return 0;
}

/* The body's text into k: DOCX document.xml with styles.xml's headings, ODT content.xml
 * with styles.xml's (and the automatic styles content.xml defines before its body). */
static int read_body(zip_t *za, const char *path, int kind, sink *k, ark_err *err) {
    styles st = {NULL, 0, 0, 0};
    int rc;
    if (kind == 'd') {
        xmlSAXHandler hs = {0}, hb = {0};
        hs.startElementNs = dstyle_start;
        hs.endElementNs = dstyle_end;
        docx_styles ds;
        memset(&ds, 0, sizeof ds);
        ds.st = &st;
        if ((rc = parse_entry(za, path, "word/styles.xml", 0, &hs, &ds.w, err))) goto out;
        hb.startElementNs = docx_start;
        hb.endElementNs = docx_end;
        hb.characters = docx_chars;
        docx_body db = {.k = k, .st = &st};
        rc = parse_entry(za, path, "word/document.xml", 1, &hb, &db.w, err);
    } else {
        xmlSAXHandler h = {0};
        h.startElementNs = odt_start;
        h.endElementNs = odt_end;
        h.characters = odt_chars;
        h.cdataBlock = odt_chars;
        odt os = {.k = k, .st = &st, .styles_part = 1};
        if ((rc = parse_entry(za, path, "styles.xml", 0, &h, &os.w, err))) goto out;
        odt oc = {.k = k, .st = &st};
        rc = parse_entry(za, path, "content.xml", 1, &h, &oc.w, err);
    }
out:
    styles_free(&st);
    return rc;
}

/* "YYYY-MM-DD" with a month and a day in range? */
static int iso_date(const char *d) {
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? d[i] != '-' : d[i] < '0' || d[i] > '9') return 0;
    int m = (d[5] - '0') * 10 + d[6] - '0', day = (d[8] - '0') * 10 + d[9] - '0';
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

/* The document's own title, NULL when it has none (or an empty one), and its creation
 * date into date ("" when none). A damaged metadata part is a damaged document, as for
 * Word: its error is the load's. */
static int read_title(zip_t *za, const char *path, int kind, char **out, char date[11],
                      ark_err *err) {
    xmlSAXHandler h = {0};
    h.startElementNs = title_start;
    h.endElementNs = title_end;
    h.characters = title_chars;
    title_walk t;
    memset(&t, 0, sizeof t);
    *out = NULL;
    int rc = parse_entry(za, path, kind == 'd' ? "docProps/core.xml" : "meta.xml", 0, &h, &t.w, err);
    if (!rc && t.dn >= 10 && iso_date(t.date)) {
        memcpy(date, t.date, 10);
        date[10] = '\0';
    }
    while (!rc && t.b.len && t.b.data[t.b.len - 1] == ' ') t.b.data[--t.b.len] = '\0';
    if (rc || !t.b.len) {
        ark_buf_free(&t.b);
        return rc;
    }
    if (!(*out = ark_buf_take(&t.b)))
        return ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
    return 0;
}

int ark_office_load(const char *path, ark_source *out, ark_err *err) {
    char *raw = NULL;
    size_t raw_len = 0;
    zip_t *za = NULL;
    sink k = {ARK_BUF_INIT, 0, 0, 0, 0, NULL};
    int rc, kind = 0;
    memset(out, 0, sizeof *out);
    if ((rc = ark_file_read(path, &raw, &raw_len, err)) != 0) goto out;
    /* An encrypted DOCX is not a zip: Office wraps it in an OLE compound file, the
     * container of the old binary formats too. */
    if (raw_len >= 8 && memcmp(raw, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: encrypted or old binary Word (.doc) file "
                         "(an OLE compound file, not a zip); not read", path);
        goto out;
    }
    if (raw_len < 4 || memcmp(raw, "PK\x03\x04", 4) != 0) {
        rc = ark_err_set(err, ARK_EFORMAT, "%s: not a DOCX or ODT (not a zip archive)", path);
        goto out;
    }
    if ((rc = open_zip(path, raw, raw_len, &za, err))) goto out;
    if ((rc = kind_of(za, path, &kind, err))) goto out;
    if ((rc = read_body(za, path, kind, &k, err))) goto out;
    int any = 0;
    for (size_t i = 0; i < k.b.len && !any; i++) any = (unsigned char)k.b.data[i] > ' ';
    if (!any) {
        rc = ark_err_set(err, ARK_EEMPTY, "%s: no text in the document", path);
        goto out;
    }
    if ((rc = read_title(za, path, kind, &out->title, out->date, err))) goto out;
    out->len = k.b.len;
    if (!(out->bytes = ark_buf_take(&k.b))) {
        free(out->title);
        memset(out, 0, sizeof *out);
        rc = ark_err_set(err, ARK_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    out->is_markdown = 1; /* the headings are written as markdown headings */
    out->format = kind == 'd' ? "docx" : "odt";
out:
    if (za) zip_discard(za);
    ark_buf_free(&k.b);
    free(raw);
    return rc;
}
