/* tests/test_office.c: the DOCX and ODT loader, byte for byte, and the loader chosen by
 * content. Each case writes a small zip with libzip (the archives t_office.sh makes with
 * Python are the hostile ones) and checks ark_source_load's bytes, title, format and
 * codes: headings from styles by every route, tables, tabs and breaks, what is skipped,
 * and the limits of text.h. Run from the repository root. */
#include "arkivar/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "tap.h"

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
#define DOC(body) "<?xml version=\"1.0\"?><w:document " W_NS "><w:body>" body "</w:body></w:document>"
#define ODF_NS                                                                      \
    "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "            \
    "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "                \
    "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" "              \
    "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" "              \
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
#define ODT_MIME "application/vnd.oasis.opendocument.text"

static char dir[] = "/tmp/ark_test_office_XXXXXX";
static char path[256];

/* Write dir/name as a zip of the entries: name, data, name, data, …, NULL. The data
 * (NUL-terminated) must live until the call returns; libzip reads it at zip_close. */
static const char *zip_of(const char *name, const char *const *entries) {
    int e;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    if (!z) return path;
    for (size_t i = 0; entries[i]; i += 2) {
        zip_source_t *s = zip_source_buffer(z, entries[i + 1], strlen(entries[i + 1]), 0);
        if (!s || zip_file_add(z, entries[i], s, ZIP_FL_OVERWRITE) < 0) zip_source_free(s);
    }
    zip_close(z);
    return path;
}

static const char *file_of(const char *name, const void *p, size_t n) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, n, f);
        fclose(f);
    }
    return path;
}

/* Load p and compare: bytes (NULL: not checked), title (NULL: none), format. */
static const char *want_date = ""; /* the date the next is_loaded expects */

static void is_loaded(const char *p, const char *bytes, const char *title, const char *format,
                      const char *descr) {
    ark_source s;
    ark_err e = {0, ""};
    int rc = ark_source_load(p, &s, &e);
    if (!ok(rc == 0, "%s: loads", descr)) printf("#   %s\n", e.msg);
    if (rc) return;
    if (bytes) is_str(s.bytes, bytes, descr);
    int md = strcmp(format, "docx") == 0 || strcmp(format, "odt") == 0 || strcmp(format, "html") == 0;
    ok(s.len == strlen(s.bytes) && s.is_markdown == md, "%s: length, markdown", descr);
    is_str(s.format, format, descr);
    if (title) is_str(s.title, title, descr);
    else ok(s.title == NULL, "%s: no title", descr);
    is_str(s.date, want_date, descr);
    want_date = "";
    ark_source_free(&s);
}

/* Load p expecting code rc with msg in the message. */
static void is_refused(const char *p, int rc, const char *msg, const char *descr) {
    ark_source s;
    ark_err e = {0, ""};
    int got = ark_source_load(p, &s, &e);
    if (!ok(got == rc && strstr(e.msg, msg) && strstr(e.msg, p) && !s.bytes && !s.title,
            "%s: %s", descr, ark_strerror(rc)))
        printf("#   got %s: %s\n", ark_strerror(got), e.msg);
    ark_source_free(&s);
}

static void test_docx(void) {
    static const char *const plain[] = {
        "word/document.xml",
        DOC("<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/><w:tabs><w:tab w:val=\"left\"/></w:tabs>"
            "</w:pPr><w:r><w:t>  Svar til ØU</w:t></w:r></w:p>"
            "<w:p><w:r><w:t xml:space=\"preserve\">Kære </w:t></w:r><w:r><w:rPr><w:b/></w:rPr>"
            "<w:t>udvalg</w:t></w:r><w:r><w:tab/><w:t>tab</w:t><w:br/><w:t>ny linje</w:t></w:r>"
            "<w:del><w:r><w:delText>slettet</w:delText><w:tab/></w:r></w:del>"
            "<w:r><w:instrText>PAGE</w:instrText><w:noBreakHyphen/><w:t>ord</w:t></w:r></w:p>"
            "<w:p/><w:p><w:r><w:t></w:t></w:r></w:p>"
            "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a1</w:t></w:r></w:p><w:p><w:r><w:t>a1b</w:t></w:r>"
            "</w:p></w:tc><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>c1</w:t></w:r></w:p></w:tc></w:tr>"
            "<w:tr><w:tc><w:p><w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t>a2</w:t></w:r>"
            "</w:p></w:tc></w:tr></w:tbl>"
            "<w:p><w:r><mc:AlternateContent "
            "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><mc:Choice>"
            "<w:txbxContent><w:p><w:r><w:t>Tekstboks</w:t></w:r></w:p></w:txbxContent></mc:Choice>"
            "<mc:Fallback><w:txbxContent><w:p><w:r><w:t>Kopi</w:t></w:r></w:p></w:txbxContent>"
            "</mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>efter</w:t></w:r></w:p>"),
        "docProps/core.xml",
        "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
        "xmlns:dcterms=\"http://purl.org/dc/terms/\">"
        "<dc:title>\n  Svar   om\tskolemad </dc:title>"
        "<dcterms:created>2026-04-15T09:30:00Z</dcterms:created></cp:coreProperties>",
        NULL};
    want_date = "2026-04-15"; /* dcterms:created */
    is_loaded(zip_of("plain.docx", plain),
              "# Svar til ØU\n\nKære udvalg\ttab\nny linje-ord\n\na1 a1b | c1\n\na2\n\n"
              "Tekstboks\n\nefter\n\n",
              "Svar om skolemad", "docx",
              "DOCX: heading by id, runs, tab, break, tables, deletions and fallbacks skipped");

    /* Styles: an id only styles.xml explains, a chain of basedOn, an outline level, a
     * cycle, Danish Word's id; direct formatting wins over the style. */
    static const char *const styled[] = {
        "word/styles.xml",
        "<w:styles " W_NS ">"
        "<w:style w:type=\"paragraph\" w:styleId=\"S7\"><w:name w:val=\"heading 3\"/></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"Min\"><w:name w:val=\"Min stil\"/>"
        "<w:basedOn w:val=\"Mellem\"/></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"Mellem\"><w:name w:val=\"Mellem\"/>"
        "<w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"A\"><w:basedOn w:val=\"B\"/></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"B\"><w:basedOn w:val=\"A\"/></w:style>"
        "<w:style w:type=\"paragraph\" w:styleId=\"Overskrift1\"><w:name w:val=\"heading 1\"/>"
        "</w:style><w:style w:type=\"character\" w:styleId=\"Heading9\"/></w:styles>",
        "word/document.xml",
        DOC("<w:p><w:pPr><w:pStyle w:val=\"Overskrift1\"/></w:pPr><w:r><w:t>Et</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"S7\"/></w:pPr><w:r><w:t>Tre</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"Min\"/></w:pPr><w:r><w:t>To</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"A\"/></w:pPr><w:r><w:t>Krop</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"S7\"/><w:outlineLvl w:val=\"9\"/></w:pPr>"
            "<w:r><w:t>Direkte</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"Titel\"/></w:pPr><w:r><w:t>Titel</w:t></w:r></w:p>"
            "<w:p><w:pPr><w:pStyle w:val=\"Heading8\"/></w:pPr><w:r><w:t>Otte</w:t></w:r></w:p>"),
        NULL};
    is_loaded(zip_of("styled.docx", styled),
              "# Et\n\n### Tre\n\n## To\n\nKrop\n\nDirekte\n\n# Titel\n\n###### Otte\n\n", NULL,
              "docx", "DOCX: headings through styles.xml, basedOn, outline level, cycle, direct");

    static const char *const strict[] = {
        "word/document.xml",
        "<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\"><w:body><w:p>"
        "<w:pPr><w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t>Strict &amp; ren</w:t></w:r>"
        "</w:p></w:body></w:document>",
        NULL};
    is_loaded(zip_of("strict.docx", strict), "## Strict & ren\n\n", NULL, "docx",
              "DOCX in Strict OOXML's namespace");
}

static void test_odt(void) {
    static const char *const odt[] = {
        "mimetype", ODT_MIME,
        "styles.xml",
        "<office:document-styles " ODF_NS "><office:styles>"
        "<style:style style:name=\"Heading_20_1\" style:display-name=\"Heading 1\" "
        "style:family=\"paragraph\"/>"
        "<style:style style:name=\"Min\" style:family=\"paragraph\" "
        "style:default-outline-level=\"4\"/></office:styles>"
        "<office:automatic-styles><style:style style:name=\"P2\" style:family=\"paragraph\" "
        "style:parent-style-name=\"Heading_20_1\"/></office:automatic-styles>"
        "<office:master-styles><style:master-page><style:header><text:p>Sidehoved</text:p>"
        "</style:header></style:master-page></office:master-styles></office:document-styles>",
        "content.xml",
        "<office:document-content " ODF_NS "><office:automatic-styles>"
        "<style:style style:name=\"P1\" style:family=\"paragraph\" "
        "style:parent-style-name=\"Heading_20_1\"/></office:automatic-styles>"
        "<office:body><office:text>\n"
        "<text:h text:outline-level=\"2\">  Niveau\n   to </text:h>\n"
        "<text:p text:style-name=\"P1\">Via P1</text:p><text:p text:style-name=\"P2\">P2</text:p>"
        "<text:p text:style-name=\"Min\">Fire</text:p><text:h>Uden niveau</text:h>"
        "<text:p>Et<text:s text:c=\"9\"/>afsnit<text:tab/>tab<text:line-break/>linje"
        "<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Fodnote"
        "</text:p></text:note-body></text:note> slut.<office:annotation><text:p>Kommentar"
        "</text:p></office:annotation></text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>x</text:p></table:table-cell>"
        "<table:covered-table-cell/><table:table-cell><text:p>z</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        "<text:list><text:list-item><text:p>punkt</text:p></text:list-item></text:list>"
        "</office:text></office:body></office:document-content>",
        "meta.xml",
        "<office:document-meta " ODF_NS " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\">"
        "<office:meta><dc:title>ODT-titel</dc:title>"
        "<meta:creation-date>2025-11-03T08:00:00</meta:creation-date></office:meta></office:document-meta>",
        NULL};
    want_date = "2025-11-03"; /* meta:creation-date */
    is_loaded(zip_of("a.odt", odt),
              "## Niveau to\n\n# Via P1\n\nP2\n\n#### Fire\n\n# Uden niveau\n\n"
              "Et afsnit\ttab\nlinje slut.\n\nx | z\n\npunkt\n\n",
              "ODT-titel", "odt",
              "ODT: text:h, styles by parent and outline level, spaces, notes and comments "
              "skipped, styles.xml's own automatic styles and headers not read");
}

static void test_refused(void) {
    static const char cfb[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 and more";
    is_refused(file_of("krypteret.docx", cfb, sizeof cfb - 1), ARK_EFORMAT,
               "encrypted or old binary Word (.doc) file", "an OLE compound file");
    is_refused(file_of("gammel.txt", cfb, sizeof cfb - 1), ARK_EFORMAT,
               "encrypted or old binary Word (.doc) file", "an OLE compound file named .txt");
    static const char *const nodoc[] = {"[Content_Types].xml", "<Types/>", NULL};
    is_refused(zip_of("intet.docx", nodoc), ARK_EFORMAT, "no word/document.xml",
               "a zip without word/document.xml");
    static const char *const ods[] = {"mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                                      "content.xml", "<x/>", NULL};
    is_refused(zip_of("regneark.odt", ods), ARK_EFORMAT, "opendocument.spreadsheet, not a text",
               "an OpenDocument spreadsheet");
    static const char *const nocontent[] = {"mimetype", ODT_MIME, NULL};
    is_refused(zip_of("tom.odt", nocontent), ARK_EFORMAT, "no content.xml in the archive",
               "an ODT without content.xml");
    static const char *const bad[] = {"word/document.xml", DOC("<w:p><w:r></w:p>"), NULL};
    is_refused(zip_of("ugyldig.docx", bad), ARK_EFORMAT,
               "word/document.xml is not well-formed XML (line 1: ", "invalid XML");
    static const char *const ent[] = {"word/document.xml", DOC("<w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p>"),
                                      NULL};
    is_refused(zip_of("entitet.docx", ent), ARK_EFORMAT, "Entity 'nbsp' not defined",
               "an entity no DTD defines");
    static const char *const nons[] = {"word/document.xml",
                                       "<w:document><w:body><w:p/></w:body></w:document>", NULL};
    is_refused(zip_of("ns.docx", nons), ARK_EFORMAT,
               "has a namespace error (line 1: Namespace prefix w on document is not defined",
               "a prefix no namespace declares");
    static const char *const badmeta[] = {"word/document.xml", DOC("<w:p><w:r><w:t>Hej</w:t></w:r></w:p>"),
                                          "docProps/core.xml", "<cp:coreProperties>", NULL};
    is_refused(zip_of("meta.docx", badmeta), ARK_EFORMAT,
               "docProps/core.xml is not well-formed XML", "damaged metadata: a damaged document");
    static const char *const dtd[] = {
        "word/document.xml",
        "<!DOCTYPE w [<!ENTITY a \"aaaa\">]><w:document " W_NS "><w:body><w:p><w:r><w:t>&a;"
        "</w:t></w:r></w:p></w:body></w:document>",
        NULL};
    is_refused(zip_of("dtd.docx", dtd), ARK_EFORMAT, "carries a DTD", "a DTD");
    static const char *const empty[] = {"word/document.xml", DOC("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>"),
                                        NULL};
    is_refused(zip_of("tom.docx", empty), ARK_EEMPTY, "no text in the document", "no text");
    static const char *const zero[] = {"word/document.xml", "", NULL};
    is_refused(zip_of("nul.docx", zero), ARK_EFORMAT, "word/document.xml is empty",
               "an empty document.xml");

    /* Nesting: 300 levels, past libxml2's 256; the element count itself costs no memory. */
    size_t depth = 300, cap = depth * 11 + 200, at = 0;
    char *deep = malloc(cap);
    if (deep) {
        at += (size_t)snprintf(deep + at, cap - at, "<w:document " W_NS "><w:body>");
        for (size_t i = 0; i < depth; i++) at += (size_t)snprintf(deep + at, cap - at, "<w:p>");
        for (size_t i = 0; i < depth; i++) at += (size_t)snprintf(deep + at, cap - at, "</w:p>");
        snprintf(deep + at, cap - at, "</w:body></w:document>");
        const char *const d[] = {"word/document.xml", deep, NULL};
        is_refused(zip_of("dyb.docx", d), ARK_EFORMAT, "Excessive depth in document: 256",
                   "nesting past 256");
        free(deep);
    }

    /* A zip bomb under the size limit: 2 MB of spaces inflate about 1000 to 1. */
    size_t big = 2u << 20;
    char *bomb = malloc(big + 1);
    if (bomb) {
        memset(bomb, ' ', big);
        bomb[big] = '\0';
        memcpy(bomb, "<a>", 3);
        memcpy(bomb + big - 4, "</a>", 4);
        const char *const b[] = {"word/document.xml", bomb, NULL};
        is_refused(zip_of("bombe.docx", b), ARK_ETOOBIG, ":1 (a zip bomb?), the limit is 200:1",
                   "an entry inflating over 200 to 1");
        free(bomb);
    }

    /* Entries: 10,001 are refused from the end record, before libzip reads them. */
    int e;
    snprintf(path, sizeof path, "%s/mange.docx", dir);
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    for (unsigned i = 0; z && i <= ARK_MAX_ZIP_ENTRIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "m/%u", i);
        zip_source_t *s = zip_source_buffer(z, "", 0, 0);
        if (!s || zip_file_add(z, name, s, 0) < 0) zip_source_free(s);
    }
    if (z) zip_close(z);
    is_refused(path, ARK_ETOOBIG, "10001 entries in the zip, the limit is 10000",
               "more than ARK_MAX_ZIP_ENTRIES entries");
}

/* The loader by content: the name says which files to read, the first bytes how. */
static void test_by_content(void) {
    static const char *const d[] = {"word/document.xml", DOC("<w:p><w:r><w:t>Hej</w:t></w:r></w:p>"),
                                    NULL};
    is_loaded(zip_of("word.txt", d), "Hej\n\n", NULL, "docx", "a DOCX named .txt");
    is_loaded(zip_of("word.odt", d), "Hej\n\n", NULL, "docx", "a DOCX named .odt");
    is_loaded(zip_of("word.html", d), "Hej\n\n", NULL, "docx", "a DOCX named .html");
    static const char text[] = "Bare tekst, ikke en PDF.\n";
    is_loaded(file_of("tekst.pdf", text, sizeof text - 1), text, NULL, "text", "a text named .pdf");
    is_loaded(file_of("tekst.docx", text, sizeof text - 1), text, NULL, "text",
              "a text named .docx");
    static const char page[] = "\xEF\xBB\xBF\n  <!DocType HTML><title>T</title><p>Side</p>";
    is_loaded(file_of("side.txt", page, sizeof page - 1), "Side\n\n", "T", "html",
              "a web page named .txt (BOM, white space, any case)");
    static const char notpage[] = "<htmlish> is not a page\n";
    is_loaded(file_of("ikke.txt", notpage, sizeof notpage - 1), notpage, NULL, "text",
              "\"<htmlish>\" is not a web page");
    is_loaded("tests/fixtures/pdf/lokalplan.pdf", NULL, "Lokalplan 12 for Ærøvej", "pdf",
              "the PDF fixture");
    FILE *f = fopen("tests/fixtures/pdf/lokalplan.pdf", "rb");
    char buf[8192];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    is_loaded(file_of("plan.docx", buf, n), NULL, "Lokalplan 12 for Ærøvej", "pdf",
              "a PDF named .docx");
    static const char noise[] = "x\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13";
    is_refused(file_of("stoej.docx", noise, sizeof noise - 1), ARK_EFORMAT,
               "not a DOCX or ODT (not a zip archive), nor text", "noise named .docx");
    is_refused(file_of("stoej.pdf", noise, sizeof noise - 1), ARK_EFORMAT,
               "not a PDF (it does not start with %PDF-), nor text", "noise named .pdf");
    is_refused(file_of("tom.pdf", "", 0), ARK_EEMPTY, "no text", "an empty .pdf");
    snprintf(path, sizeof path, "%s/link.docx", dir);
    ok(symlink("word.txt", path) == 0, "a symbolic link");
    is_refused(path, ARK_EIO, "a symbolic link, not followed", "a link is not followed");
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    test_docx();
    test_odt();
    test_refused();
    test_by_content();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return done_testing();
}
