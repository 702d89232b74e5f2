/* tests/test_tok.c: the tokenizer on real corpus lines, against a guard page, and on
 * the whole corpus. Run from the repository root (reads the five corpus files). */
#include "arkivar/analysis.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

/* Tokenize s and render "text/KIND text/KIND …"; check offsets and positions on the way. */
static const char *kind_name(ark_tok_kind k) {
    switch (k) {
    case ARK_TOK_WORD: return "W";
    case ARK_TOK_NUMBER: return "N";
    case ARK_TOK_ALNUM: return "A";
    case ARK_TOK_ACRONYM: return "C";
    case ARK_TOK_EMAIL: return "E";
    case ARK_TOK_URL: return "U";
    }
    return "?";
}

static char rendered[4096];
static int offsets_ok;

static const char *toks(const char *s) {
    ark_tok t;
    ark_token k;
    size_t o = 0, len = strlen(s);
    uint32_t pos = 0;
    rendered[0] = '\0';
    offsets_ok = 1;
    ark_tok_init(&t, s, len);
    while (ark_tok_next(&t, &k)) {
        if (k.p != s + k.start || k.start + k.len > len || k.pos != pos++ || k.len == 0) offsets_ok = 0;
        o += (size_t)snprintf(rendered + o, sizeof rendered - o, "%s%.*s/%s", o ? " " : "",
                              (int)k.len, k.p, kind_name(k.kind));
        if (o >= sizeof rendered) break;
    }
    return rendered;
}

#define TOK(in, want)                                                                 \
    do {                                                                              \
        is_str(toks(in), want, in);                                                   \
        ok(offsets_ok, "offsets and positions of %s", in);                           \
    } while (0)

/* Count the tokens of s[0, len) placed right before a PROT_NONE page: any read past
 * len faults (picohttpparser's test.c trick). */
static long page;
static char *guard_base;

static int guarded(const char *s, size_t len, char *last, size_t lastcap) {
    char *p = guard_base + page - len;
    memcpy(p, s, len);
    ark_tok t;
    ark_token k;
    int n = 0;
    last[0] = '\0';
    ark_tok_init(&t, p, len);
    while (ark_tok_next(&t, &k)) {
        n++;
        snprintf(last, lastcap, "%.*s/%s", (int)k.len, k.p, kind_name(k.kind));
    }
    return n;
}

static char *slurp(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[n] = '\0';
    *len = (size_t)n;
    return b;
}

int main(void) {
    /* the corpus's own lines */
    TOK("Sagsnummer eDoc 2026-0179043", "Sagsnummer/W eDoc/W 2026-0179043/N");
    TOK("Sagsnummer i F2 2026 - 11781", "Sagsnummer/W i/W F2/A 2026/N 11781/N");
    TOK("150 mio.kr.", "150/N mio/W kr/W");
    TOK("1,1 mio. kr.", "1,1/N mio/W kr/W");
    TOK("46 %", "46/N");
    TOK("200.000 borgere i 2023-27.", "200.000/N borgere/W i/W 2023-27/N");
    TOK("den 19/5 2026 og 24-06-26", "den/W 19/5/N 2026/N og/W 24-06-26/N");
    TOK("CO2-neutrale", "CO2-neutrale/W");
    TOK("CO2 og 3D", "CO2/A og/W 3D/A");
    TOK("tech-, produkt- og vækstvirksomheder", "tech/W produkt/W og/W vækstvirksomheder/W");
    TOK("Sundheds- og Omsorgsforvaltningen", "Sundheds/W og/W Omsorgsforvaltningen/W");
    TOK("innovationsprojekter og -samarbejder", "innovationsprojekter/W og/W samarbejder/W");
    TOK("EAT-skolemadsordningen", "EAT-skolemadsordningen/W");
    TOK("6-by-samarbejde", "6-by-samarbejde/W");
    TOK("offentlige-private partnerskaber", "offentlige-private/W partnerskaber/W");
    TOK("KKR Hovedstaden", "KKR/C Hovedstaden/W");
    TOK("ØU og KK, ReVUS, BR.", "ØU/C og/W KK/C ReVUS/C BR/C");
    TOK("ØU's beslutning", "ØU's/C beslutning/W");
    TOK("Skriv til abc1@kk.dk.", "Skriv/W til/W abc1@kk.dk/E");
    TOK("(mail: jens.hansen@okf.kk.dk)", "mail/W jens.hansen@okf.kk.dk/E");
    TOK("Se https://www.kk.dk/x.", "Se/W https://www.kk.dk/x/U");
    TOK("(se www.kk.dk/borger), tak", "se/W www.kk.dk/borger/U tak/W");
    TOK("http://a.dk/b_(c) slut", "http://a.dk/b_(c)/U slut/W");
    TOK("Københavns Kommune – Økonomiforvaltningen", "Københavns/W Kommune/W Økonomiforvaltningen/W");
    TOK("Résumé: Müller og Ökonomie", "Résumé/W Müller/W og/W Ökonomie/W");
    TOK("“samarbejde” ’ord’", "samarbejde/W ord/W");
    TOK("TechBBQ2 TechBBQ", "TechBBQ2/A TechBBQ/C");
    TOK("Nr. 8 7Madfællesskabet", "Nr/W 8/N 7Madfællesskabet/A");
    TOK("", "");
    TOK(" \t-–,. ", "");

    /* invalid bytes are separators, never part of a token */
    TOK("ab\xff" "cd \xc3 ef \xe2\x80", "ab/W cd/W ef/W");
    TOK("k\xc3\xb8" "benhavn\xc3", "københavn/W");

    /* byte offsets stay exact on non-ASCII text */
    {
        const char *s = "Kø på Åboulevarden, ærø";
        ark_tok t;
        ark_token k;
        ark_tok_init(&t, s, strlen(s));
        ark_tok_next(&t, &k);
        ark_tok_next(&t, &k);
        is_int(k.start, 4, "offset of 'på' after 'Kø ' (ø is 2 bytes)");
        is_int(k.len, 3, "'på' is 3 bytes");
        ark_tok_next(&t, &k);
        is_int(k.start, 8, "offset of 'Åboulevarden'");
        ark_tok_next(&t, &k);
        is_int(k.start, 23, "offset of 'ærø'");
        is_int(k.len, 5, "'ærø' is 5 bytes");
        is_int(k.pos, 3, "position 3");
        ok(!ark_tok_next(&t, &k), "end");
        ok(!ark_tok_next(&t, &k), "end again");
    }

    /* guard page: the input's last byte touches a PROT_NONE page */
    page = sysconf(_SC_PAGESIZE);
    guard_base = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok(guard_base != MAP_FAILED, "mmap two pages");
    if (guard_base != MAP_FAILED) {
        ok(mprotect(guard_base + page, (size_t)page, PROT_NONE) == 0, "guard page");
        char last[256];
        static const struct { const char *s; int n; const char *last; } g[] = {
            {"Københavns Kommune", 2, "Kommune/W"},
            {"K\xc3\xb8" "benhavn\xc3", 1, "København/W"}, /* ends mid-UTF-8 */
            {"ends in ø\xe2\x80", 3, "ø/W"},
            {"Sundheds-", 1, "Sundheds/W"},
            {"tech-", 1, "tech/W"},
            {"abc1@", 1, "abc1/A"},
            {"abc1@kk", 2, "kk/W"},
            {"abc1@kk.", 2, "kk/W"},
            {"abc1@kk.d", 1, "abc1@kk.d/E"},
            {"2026-", 1, "2026/N"},
            {"1,", 1, "1/N"},
            {"19/", 1, "19/N"},
            {"ØU's", 1, "ØU's/C"},
            {"ØU'", 1, "ØU/C"},
            {"https://", 1, "https/W"},
            {"https://x", 1, "https://x/U"},
            {"www.", 1, "www/W"},
            {"www.kk.dk)", 1, "www.kk.dk/U"},
            {"-", 0, ""},
            {"\xc3", 0, ""},
        };
        for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
            int n = guarded(g[i].s, strlen(g[i].s), last, sizeof last);
            is_int(n, g[i].n, "guard page: token count");
            is_str(last, g[i].last, g[i].s);
        }
        /* every prefix of a tricky line, each against the guard page */
        const char *mix = "ØU: abc1@kk.dk, https://www.kk.dk/x. 2026-0179043 CO2-neutrale tech- 1,1 æ\xe2\x80\x99s";
        int alive = 1;
        for (size_t l = 0; l <= strlen(mix); l++) alive &= guarded(mix, l, last, sizeof last) >= 0;
        ok(alive, "all %zu prefixes of a mixed line against the guard page", strlen(mix) + 1);
        munmap(guard_base, (size_t)page * 2);
    }

    /* the whole corpus: ordered, in range, positions dense */
    glob_t gl;
    int files = 0;
    if (glob("corpus/*.txt", 0, NULL, &gl) == 0) {
        for (size_t f = 0; f < gl.gl_pathc; f++) {
            size_t len;
            char *text = slurp(gl.gl_pathv[f], &len);
            if (!ok(text != NULL, "read %s", gl.gl_pathv[f])) continue;
            files++;
            ark_tok t;
            ark_token k;
            size_t prev_end = 0, n = 0;
            int good = 1;
            ark_tok_init(&t, text, len);
            while (ark_tok_next(&t, &k)) {
                if (k.start < prev_end || k.start + k.len > len || k.len == 0 || k.pos != n ||
                    k.p != text + k.start)
                    good = 0;
                prev_end = k.start + k.len;
                n++;
            }
            ok(good && n > 100, "%s: %zu tokens ordered and in range", gl.gl_pathv[f], n);
            free(text);
        }
        globfree(&gl);
    }
    is_int(files, 5, "five corpus files tokenized");
    return done_testing();
}
