/* tests/test_segment.c: loading and cutting the five corpus documents into passages.
 * Checks the contract of text.h on every passage (text == ark_norm of its range,
 * trimmed, ordered, covering, line numbers), the layout cases of DOMAIN.md, the
 * loader's refusals, input against a guard page, and speed. Run from the repo root. */
#include "arkivar/text.h"
#include "arkivar/buf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static const char *const docs[] = {
    "corpus/000_92fe6cf18886d868.txt", "corpus/001_cd1fcdf664451ee5.txt",
    "corpus/002_1152fea116605285.txt", "corpus/003_9fe98847643c27d8.txt",
    "corpus/004_d98ee981822f2781.txt",
};

static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static uint32_t line_of(const char *s, size_t off) {
    uint32_t l = 1;
    for (size_t i = 0; i < off; i++) l += s[i] == '\n';
    return l;
}

static const ark_passage *find(const ark_passages *ps, const char *needle) {
    for (size_t i = 0; i < ps->n; i++)
        if (strstr(ps->v[i].text, needle)) return &ps->v[i];
    return NULL;
}

/* ark_norm of bytes [s, e) with each cut inside it (start > s, end < e) a line break:
 * what a passage's text must be (text.h). With edges, cuts touching s or e count too (a
 * gap between passages may begin or end with a header). */
static char *norm_cut(const ark_source *src, const ark_passages *ps, uint64_t s, uint64_t e,
                      int edges, size_t *len) {
    char *t = malloc(e - s + 1), *out = NULL;
    size_t n = 0;
    uint64_t at = s;
    for (size_t i = 0; t && i < ps->ncuts; i++) {
        const ark_span *c = &ps->cuts[i];
        if (edges ? c->start < s || c->end > e : c->start <= s || c->end >= e) continue;
        memcpy(t + n, src->bytes + at, c->start - at);
        n += c->start - at;
        t[n++] = '\n';
        at = c->end;
    }
    if (t) {
        memcpy(t + n, src->bytes + at, e - at);
        n += e - at;
    }
    if (!t || ark_norm(t, n, &out, len, NULL) != 0) out = NULL;
    free(t);
    return out;
}

/* Is [s, e) inside a cut (a passage of what interrupted a sentence)? */
static int in_cut(const ark_passages *ps, uint64_t s, uint64_t e) {
    for (size_t i = 0; i < ps->ncuts; i++)
        if (ps->cuts[i].start <= s && e <= ps->cuts[i].end) return 1;
    return 0;
}

/* The contract of ark_segment on one document. */
static void check_doc(const char *path, const ark_source *s, const ark_passages *ps) {
    int text_ok = 1, trim_ok = 1, order_ok = 1, lines_ok = 1, cover_ok = 1, size_ok = 1, ord_ok = 1;
    uint64_t prev_end = 0;
    for (size_t i = 0; i <= ps->n; i++) {
        const ark_passage *p = i < ps->n ? &ps->v[i] : NULL;
        uint64_t st = p ? p->start : s->len;
        int nested = p && st < prev_end && in_cut(ps, p->start, p->end);
        if (st < prev_end && !nested) { order_ok = 0; break; }
        /* The gap before a passage holds whitespace, cuts, or exactly its heading. */
        if (!nested) {
            size_t gl = 0;
            char *g = st > prev_end ? norm_cut(s, ps, prev_end, st, 1, &gl) : strdup("");
            if (!g) { cover_ok = 0; break; }
            if (gl && !(p && strcmp(g, p->heading) == 0)) {
                cover_ok = 0;
                printf("#   uncovered before passage %zu: '%.80s'\n", i, g);
            }
            free(g);
        }
        if (!p) break;
        if (p->ordinal != i) ord_ok = 0;
        size_t tl = 0;
        char *t = norm_cut(s, ps, p->start, p->end, 0, &tl);
        if (!t || tl != p->text_len || strcmp(t, p->text) != 0) text_ok = 0;
        free(t);
        if (p->end <= p->start || is_ws((unsigned char)s->bytes[p->start]) ||
            is_ws((unsigned char)s->bytes[p->end - 1]))
            trim_ok = 0;
        if (p->line_start != line_of(s->bytes, p->start) || p->line_end != line_of(s->bytes, p->end - 1))
            lines_ok = 0;
        if (p->text_len < 20 && strcmp(p->heading, p->text) != 0) {
            size_ok = 0;
            printf("#   short passage %zu: '%s'\n", i, p->text);
        }
        if (p->text_len > 1600) {
            size_ok = 0;
            printf("#   long passage %zu: %zu bytes\n", i, p->text_len);
        }
        if (!s->npages && (p->page != 0 || p->page_end != 0)) lines_ok = 0;
        if (!nested) prev_end = p->end;
    }
    ok(ps->n > 0, "%s: %zu passages", path, ps->n);
    ok(text_ok, "%s: every text == ark_norm(bytes + start, end - start), cuts a line break", path);
    ok(trim_ok, "%s: ranges are trimmed", path);
    ok(order_ok && ord_ok, "%s: passages in order, no overlap, ordinals 0..n-1", path);
    ok(cover_ok, "%s: all non-whitespace text is in a passage or its heading", path);
    ok(lines_ok, "%s: line numbers (and page 0) right", path);
    ok(size_ok, "%s: no passage below 20 bytes (but heading-only) or above 1600", path);
}

static int write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(p, 1, n, f);
    fclose(f);
    return w == n ? 0 : -1;
}

static void test_loader(void) {
    ark_source s;
    ark_err e = {0};
    ok(ark_loader_for("a/b/x.TXT") && ark_loader_for("x.md") && ark_loader_for("x.Markdown") &&
           ark_loader_for("x.text"),
       "loader by extension, case-insensitive");
    ok(ark_loader_for("x.pdf") && ark_loader_for("a/x.PDF"), "a loader for .pdf");
    ok(ark_loader_for("x.html") && ark_loader_for("a/x.HTM"), "a loader for .html and .htm");
    ok(ark_loader_for("x.docx") && ark_loader_for("a/x.ODT"), "a loader for .docx and .odt");
    ok(!ark_loader_for("x.doc") && !ark_loader_for("txt") && !ark_loader_for("dir.txt/x") &&
           !ark_loader_for("pdf"),
       "no loader for other files");
    is_int(ark_source_load("x.doc", &s, &e), ARK_EINVAL, "load of .doc: ARK_EINVAL");
    {
        /* The one list of extensions: each has a loader, .pdf, .html and .docx among them. */
        int all = 1, pdf = 0, html = 0, docx = 0;
        size_t i;
        for (i = 0; ark_loader_ext(i); i++) {
            char name[32];
            snprintf(name, sizeof name, "x%s", ark_loader_ext(i));
            all &= ark_loader_for(name) != NULL;
            pdf |= strcmp(ark_loader_ext(i), ".pdf") == 0;
            html |= strcmp(ark_loader_ext(i), ".html") == 0;
            docx |= strcmp(ark_loader_ext(i), ".docx") == 0;
        }
        ok(all && pdf && html && docx && i == 9,
           "ark_loader_ext lists the 9 extensions, .pdf, .html and .docx among them");
    }

    char dir[] = "/tmp/ark_test_seg_XXXXXX";
    ok(mkdtemp(dir) != NULL, "temporary directory");
    char p[256];
    snprintf(p, sizeof p, "%s/missing.txt", dir);
    is_int(ark_source_load(p, &s, &e), ARK_EIO, "missing file: ARK_EIO");
    ok(strstr(e.msg, "missing.txt") && strstr(e.msg, "No such file"), "message names the path and errno: %s", e.msg);

    snprintf(p, sizeof p, "%s/empty.txt", dir);
    write_file(p, "", 0);
    is_int(ark_source_load(p, &s, &e), ARK_EEMPTY, "empty file: ARK_EEMPTY");
    unlink(p);
    snprintf(p, sizeof p, "%s/blank.txt", dir);
    write_file(p, " \n\t\r\n\xC2\xA0\n", 7);
    is_int(ark_source_load(p, &s, &e), ARK_EEMPTY, "whitespace-only file: ARK_EEMPTY");
    unlink(p);
    snprintf(p, sizeof p, "%s/bin.txt", dir);
    /* Not "PK\3\4": that is a zip, read by its content as a DOCX or ODT (test_office). */
    write_file(p, "\x7F" "ELF\0\0abc", 9);
    is_int(ark_source_load(p, &s, &e), ARK_EBINARY, "NUL bytes: ARK_EBINARY");
    unlink(p);
    snprintf(p, sizeof p, "%s/ctl.txt", dir);
    {
        char junk[400];
        for (int i = 0; i < 400; i++) junk[i] = (char)(i % 2 ? 0x01 : 'a');
        write_file(p, junk, sizeof junk);
    }
    is_int(ark_source_load(p, &s, &e), ARK_EBINARY, "mostly control bytes: ARK_EBINARY");
    unlink(p);
    snprintf(p, sizeof p, "%s/big.txt", dir);
    {
        int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        ok(fd >= 0 && ftruncate(fd, (off_t)ARK_MAX_FILE_BYTES + 1) == 0, "sparse big file");
        if (fd >= 0) close(fd);
    }
    is_int(ark_source_load(p, &s, &e), ARK_ETOOBIG, "file over the limit: ARK_ETOOBIG");
    unlink(p);
    snprintf(p, sizeof p, "%s/bad.md", dir);
    write_file(p, "# Titel\n\nK\xF8" "benhavn er en by i Danmark, med mange indbyggere.\n", 56);
    E(ark_source_load(p, &s, &e));
    ok(s.len == 56 && memcmp(s.bytes, "# Titel", 7) == 0 && s.bytes[56] == '\0' && s.is_markdown &&
           s.npages == 0 && s.pages == NULL,
       "invalid UTF-8 loads; bytes exact and NUL-terminated; markdown");
    ark_source_free(&s);
    ark_source_free(NULL);
    unlink(p);
    rmdir(dir);
}

/* Input right before a PROT_NONE page: any overread faults. */
static void test_guard(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok(m != MAP_FAILED && mprotect(m + pg, (size_t)pg, PROT_NONE) == 0, "guard page mapped");
    static const char *const cases[] = {
        "samar-", "samar-\n", "samar-\n\n", "og -", "K\xC3", "K\xE2\x80", "\xEF\x82", "**", "## ",
        "#", "Nr. 1", "- ", "1.", "a.", "Ad 3", "\xC6\xB5", "Resume\xCC", "offentlige-\n", "x\r",
        "Til ", "  \n", "ar-\n\nbej", "e\xCC\x81", ".", "Sagen. ", "\n", "\xF0\x9F\x98",
    };
    int all = 1;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t n = strlen(cases[k]);
        char *in = m + pg - n;
        memcpy(in, cases[k], n);
        char *o = NULL;
        size_t ol = 0;
        uint32_t *map = NULL;
        if (ark_norm(in, n, &o, &ol, &map) != 0) all = 0;
        free(o);
        free(map);
        ark_source src = {in, n, NULL, 0, NULL, 0, 0, "", NULL};
        ark_passages ps;
        ark_err e;
        if (ark_segment(&src, &ps, &e) != 0) all = 0;
        ark_passages_free(&ps);
    }
    ok(all, "ark_norm and ark_segment stop at the end of input (%zu cases)", sizeof cases / sizeof cases[0]);
    /* The tail of a real document, ending mid-word. */
    FILE *f = fopen(docs[1], "rb");
    char buf[600];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f) fclose(f);
    char *in = m + pg - n;
    memcpy(in, buf, n);
    ark_source src = {in, n, NULL, 0, NULL, 0, 0, "", NULL};
    ark_passages ps;
    ark_err e;
    E(ark_segment(&src, &ps, &e));
    ark_passages_free(&ps);
    munmap(m, (size_t)pg * 2);
}

static double seg_time(char *big, size_t len, size_t *np) {
    ark_source src = {big, len, NULL, 0, NULL, 0, 0, "", NULL};
    ark_passages ps;
    ark_err e;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int rc = ark_segment(&src, &ps, &e);
    clock_gettime(CLOCK_MONOTONIC, &b);
    *np = rc == 0 ? ps.n : 0;
    ark_passages_free(&ps);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void test_speed(void) {
    /* ~8 MB of the corpus, repeated. */
    size_t cap = 8u << 20, len = 0;
    char *big = malloc(cap + 1);
    while (big && len < cap) {
        for (size_t d = 0; d < 5 && len < cap; d++) {
            FILE *f = fopen(docs[d], "rb");
            if (!f) { len = cap; break; }
            len += fread(big + len, 1, cap - len, f);
            fclose(f);
        }
    }
    size_t n1 = 0, n8 = 0;
    double t1 = seg_time(big, len / 8, &n1);
    double t8 = seg_time(big, len, &n8);
    double mbs = (double)len / (1 << 20) / t8;
    ok(n8 > 1000 && n8 > 7 * n1, "segment 8 MB: %zu passages, %.1f MB/s", n8, mbs);
    /* Linear: 8x the input may cost at most ~16x the time (sanitizer and machine noise
     * included); a quadratic step would cost 64x. The floor is for sanitizer builds. */
    ok(t8 < 16 * t1 + 0.05 && mbs > 2.0, "segment is linear: 1 MB %.3fs, 8 MB %.3fs", t1, t8);
    free(big);
}

int main(void) {
    test_loader();

    ark_source src[5];
    ark_passages ps[5];
    for (int d = 0; d < 5; d++) {
        ark_err e = {0};
        E(ark_source_load(docs[d], &src[d], &e));
        E(ark_segment(&src[d], &ps[d], &e));
        check_doc(docs[d], &src[d], &ps[d]);
    }

    /* 000: markdown headings attach; numbered questions stay together. */
    const ark_passage *p = find(&ps[0], "Der findes ikke i dag en samlet, central innovationsfunktion");
    ok(p && strncmp(p->heading, "Ad 1: Hvordan er innovationsansvar", 34) == 0,
       "000: 'Ad 1: Hvordan er innovationsansvar' heads the passage after it");
    {
        const char *q = strstr(src[0].bytes, "Der findes ikke i dag en samlet");
        ok(p && q && p->line_start == line_of(src[0].bytes, (size_t)(q - src[0].bytes)) && p->line_start == 27,
           "000: that passage starts on line 27");
    }
    p = find(&ps[0], "1. Hvordan er innovationsansvar");
    ok(p && strcmp(p->heading, "Spørgsmål") == 0 && strstr(p->text, "5. Hvordan arbejder kommunen"),
       "000: the five questions are one passage under 'Spørgsmål'");
    p = find(&ps[0], "Tak for din henvendelse");
    ok(p && strcmp(p->heading, "24-06-26 Svar til Emil Moselund Østergaard (B) vedr. innovation") == 0,
       "000: ## **…** heading normalized");

    /* 001: double-spaced, not cut into lines. */
    p = find(&ps[1], "erfaringsopsamling og beskrivelse af positive erfaringer");
    ok(p && strstr(p->text, "nærværende orientering"), "001: a paragraph spans its double-spaced lines");
    ok(p && strcmp(p->heading, "Sagsfremstilling") == 0, "001: under 'Sagsfremstilling'");
    ok(ps[1].n < 60, "001: %zu passages, not one per line", ps[1].n);
    p = find(&ps[1], "Sagen er en opsamling");
    ok(p && strstr(p->text, "innovationsprojekter og -samarbejder") && strcmp(p->heading, "Resumé") == 0,
       "001: 'Resumé' heading, -samar-\\n\\nbejder joined");
    p = find(&ps[1], "Den 1. december 2022 vedtog");
    ok(p && strcmp(p->heading, "Problemstilling") == 0, "001: heading between single empty lines");

    p = find(&ps[0], "Tværgående koordinering sker i praksis");
    ok(p && strncmp(p->heading, "Ad 3: Hvordan koordineres", 25) == 0,
       "000: the letterhead set as a heading mid-answer is cut; 'Ad 3' still heads what follows (%s)",
       p ? p->heading : "-");

    /* 002: plain headings and the page-break debris. */
    p = find(&ps[2], "ØU afgav følgende bestilling");
    ok(p && strcmp(p->heading, "Sagsfremstilling") == 0, "002: 'Sagsfremstilling' heads the passage after it");
    p = find(&ps[2], "Med beslutning i ØU den 17. marts 2026");
    ok(p && strcmp(p->heading, "Resumé") == 0, "002: 'Resumé' heading");
    p = find(&ps[2], "Sagsnummer i F2");
    ok(p && !strstr(p->text, "Udviklings- og omstillingsplanen indeholder"),
       "002: the case-number block does not swallow the paragraph before it");
    {
        const ark_passage *j = find(&ps[2], "Derfor forventes en stor andel");
        const ark_passage *d = find(&ps[2], "Sagsbehandler Søren Magne Lauritsen");
        ok(j && strstr(j->text, "styrkelse af kompetencer og større tværgående") && !strstr(j->text, "Sagsnummer") &&
               d && d->ordinal == j->ordinal + 1 && strstr(d->text, "09-06-2026 Sagsnummer i F2") &&
               d->start > j->start && d->end < j->end,
           "002: the sentence the case block interrupts is one passage; the block is the next, inside its range");
    }

    /* 003 and 004. */
    p = find(&ps[3], "I Københavns Kommune, bor der lidt over 600000");
    ok(p && strcmp(p->heading, "Om København") == 0, "003: 'Om København' heading");
    p = find(&ps[4], "Trængslen omkring hovedstaden koster");
    ok(p && strcmp(p->heading, "Nr. 1: Trafikplan for hovedstadsregionen") == 0 && strstr(p->text, "Nøgletal:"),
       "004: bullets under 'Nr. 1: …', with their 'Nøgletal:' intro");
    p = find(&ps[4], "Initiativet skal bidrage til, at virksomheder");
    ok(p && strcmp(p->heading, "Nr. 2: Udvikling af vækstkritiske kompetencer gennem samspil mellem uddannelse, erhverv og beskæftigelse") == 0,
       "004: a 'Nr. N' heading wrapped over two lines");
    p = find(&ps[4], "Økologi og lokale kvalitetsfødevarer");
    ok(p && strcmp(p->heading, "Nr. 8 7Madfællesskabet") == 0, "004: garbled 'Nr. 8 7…' still a heading");
    p = find(&ps[4], "topuniversiteter, der promoverer konkrete jobtilbud");
    ok(p != NULL, "004: a bullet wrapped across an empty line stays one item");

    for (int d = 0; d < 5; d++) {
        ark_passages_free(&ps[d]);
        ark_source_free(&src[d]);
    }
    ark_passages_free(NULL);

    /* Empty source: no passages. */
    {
        ark_source s0 = {(char *)"", 0, NULL, 0, NULL, 0, 0, "", NULL};
        ark_passages p0;
        ark_err e;
        E(ark_segment(&s0, &p0, &e));
        ok(p0.n == 0, "empty source: no passages");
        ark_passages_free(&p0);
    }
    /* Pages: the page of a passage is the last page starting at or before it. */
    {
        const char *t = "Første side har en lang nok tekst til at blive en passage for sig selv.\n\n"
                        "Anden side har også en lang nok tekst til at blive en passage for sig selv.\n";
        ark_page pages[2] = {{0, 1}, {(uint64_t)(strstr(t, "Anden") - t), 2}};
        ark_source sp = {(char *)t, strlen(t), pages, 2, NULL, 0, 0, "", NULL};
        ark_passages pp;
        ark_err e;
        E(ark_segment(&sp, &pp, &e));
        ok(pp.n == 2 && pp.v[0].page == 1 && pp.v[1].page == 2, "page numbers from src->pages");
        ark_passages_free(&pp);
    }
    /* PDF pages (lib/text/pdf.c): joined by "\n\f\n\n"; a passage starts on its page's
     * text, never on the form feed, so its page is the one a reader sees it on. */
    {
        const char *t = "Første side har en lang nok tekst til at blive en passage for sig selv.\n"
                        "\n\f\n\nAnden side\n\f\n\n"
                        "Tredje side har også en lang nok tekst til at blive en passage for sig selv.";
        const char *p2 = strstr(t, "Anden"), *p3 = strstr(t, "Tredje");
        ark_page pages[3] = {{0, 1}, {(uint64_t)(p2 - t), 2}, {(uint64_t)(p3 - t), 3}};
        ark_source sp = {(char *)t, strlen(t), pages, 3, NULL, 0, 0, "", NULL};
        ark_passages pp;
        ark_err e;
        E(ark_segment(&sp, &pp, &e));
        int right = pp.n > 0;
        for (size_t i = 0; i < pp.n; i++) {
            const ark_passage *a = &pp.v[i];
            uint32_t want = a->start >= (uint64_t)(p3 - t) ? 3 : a->start >= (uint64_t)(p2 - t) ? 2 : 1;
            right &= a->page == want && t[a->start] != '\f' && t[a->end - 1] != '\f';
            if (strstr(a->text, "Tredje")) right &= a->page == 3;
        }
        ok(right, "PDF page breaks: each passage on its own page, none starts on a form feed");
        if (!right)
            for (size_t i = 0; i < pp.n; i++)
                printf("#   passage %zu: page %u, [%llu, %llu) %s\n", i, pp.v[i].page,
                     (unsigned long long)pp.v[i].start, (unsigned long long)pp.v[i].end, pp.v[i].text);
        ark_passages_free(&pp);
    }

    /* A paged source with a running header and footer: they are cut, and a paragraph
     * that runs on over a page break (even a hyphenated word) is one passage. */
    {
        ark_buf t = ARK_BUF_INIT;
        ark_page pages[4];
        for (int i = 0; i < 4; i++) {
            pages[i].start = t.len;
            pages[i].number = (uint32_t)i + 1;
            ark_buf_printf(&t, "Københavns Kommune  Økonomiforvaltningen\n");
            if (i == 1)
                ark_buf_printf(&t, "bejde med virksomheder om nye løsninger, som borgerne efterspørger.\n\n");
            ark_buf_printf(&t, "Side %d har en lang nok tekst til at blive en passage for sig selv, helt uden tvivl.\n\n", i + 1);
            if (i == 0) ark_buf_printf(&t, "Forvaltningen vil styrke det tværgående samar-\n");
            ark_buf_printf(&t, "Side %d af 4\n", i + 1);
            if (i < 3) ark_buf_puts(&t, "\n\f\n\n");
        }
        ark_source sp = {t.data, t.len, pages, 4, NULL, 0, 0, "", NULL};
        ark_passages pp;
        ark_err e;
        E(ark_segment(&sp, &pp, &e));
        int head_gone = 1;
        const ark_passage *run = find(&pp, "Forvaltningen vil styrke");
        for (size_t i = 0; i < pp.n; i++)
            head_gone &= !strstr(pp.v[i].text, "Økonomiforvaltningen") && !strstr(pp.v[i].text, "af 4");
        ok(head_gone && pp.ncuts >= 8, "running header and footer (\"Side N af 4\") are in no passage (%zu cuts)", pp.ncuts);
        ok(run && strstr(run->text, "det tværgående samarbejde med virksomheder om nye løsninger") &&
               run->page == 1 && run->page_end == 2,
           "a paragraph over a page break is one passage, pages 1-2, its hyphenated word joined");
        check_doc("paged", &sp, &pp);
        ark_passages_free(&pp);
        ark_buf_free(&t);
    }

    test_guard();
    test_speed();
    return done_testing();
}
