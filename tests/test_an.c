/* tests/test_an.c: the analyzer: word list load time, stems, compound splits, index
 * terms, clones, and throughput on the corpus (run from the repository root). */
#include "arkivar/analysis.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: other builds share the machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ark_an *an;

static const char *stem(const char *w) {
    static char out[ARK_MAX_TERM + 1];
    ark_an_stem(an, w, strlen(w), out, sizeof out);
    return out;
}

/* The split rendered as "a b c", or "" for no split. */
static const char *split(ark_an *a, const char *w) {
    static char out[1024];
    char parts[8][ARK_MAX_TERM + 1];
    size_t n = ark_an_split(a, w, strlen(w), parts, 8), o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? " " : "", parts[i]);
    return out;
}

/* Terms of the first token of s, rendered "t1 t2 …" in emit order. */
typedef struct collect {
    char s[4096];
    size_t o, n;
    uint32_t pos;
    int pos_ok, len_ok;
} collect;

static void on_term(const char *t, size_t len, uint32_t pos, void *user) {
    collect *c = user;
    if (len > ARK_MAX_TERM || strlen(t) != len) c->len_ok = 0;
    /* only counted: folded forms, compound parts, and a word's exact form */
    int counted_ok = t[0] == 'F' || t[0] == 'P' || !(t[0] >= 'A' && t[0] <= 'Z');
    if (pos != c->pos && !(pos == ARK_NOPOS && counted_ok)) c->pos_ok = 0;
    if (c->o < sizeof c->s)
        c->o += (size_t)snprintf(c->s + c->o, sizeof c->s - c->o, "%s%.*s", c->n ? " " : "", (int)len, t);
    c->n++;
}

static collect col;

/* The W terms of every token of s, rendered "t1 t2 …". */
static const char *written(const char *s) {
    ark_tok t;
    ark_token k;
    memset(&col, 0, sizeof col);
    col.pos_ok = col.len_ok = 1;
    ark_tok_init(&t, s, strlen(s));
    while (ark_tok_next(&t, &k)) {
        col.pos = k.pos;
        ark_an_written(&k, s, strlen(s), on_term, &col);
    }
    return col.s;
}

/* Spans of the first token of s, rendered "term@start-end …". */
static void on_span(const char *t, size_t len, size_t start, size_t end, void *user) {
    collect *c = user;
    if (c->o < sizeof c->s)
        c->o += (size_t)snprintf(c->s + c->o, sizeof c->s - c->o, "%s%.*s@%zu-%zu", c->n ? " " : "",
                                 (int)len, t, start, end);
    c->n++;
}

static const char *spans(const char *s) {
    ark_tok t;
    ark_token k;
    memset(&col, 0, sizeof col);
    ark_tok_init(&t, s, strlen(s));
    if (ark_tok_next(&t, &k)) ark_an_term_spans(an, &k, on_span, &col);
    return col.s;
}

/* What spans("EAT-Skolemadsordningen") gives, built from the split itself, so the test
 * says where the pieces and parts stand whatever the word list splits. */
static const char *spans_want_eat(void) {
    static char want[2048];
    char parts[8][ARK_MAX_TERM + 1];
    const char *w = "skolemadsordningen";
    size_t n = ark_an_split(an, w, strlen(w), parts, 8), o = 0, at = 4;
    o += (size_t)snprintf(want + o, sizeof want - o,
                          "eat-skolemadsordningen@0-22 Zeat-skolemadsordning@0-22 eat@0-3 Zeat@0-3 "
                          "skolemadsordningen@4-22 Zskolemadsordning@4-22");
    for (size_t i = 0; i < n; i++) {
        const char *p = strstr(w + (at - 4), parts[i]);
        size_t ps = (size_t)(p - w) + 4;
        char st[ARK_MAX_TERM + 1];
        ark_an_stem(an, parts[i], strlen(parts[i]), st, sizeof st);
        o += (size_t)snprintf(want + o, sizeof want - o, " P%s@%zu-%zu", st, ps, ps + strlen(parts[i]));
        at = ps + strlen(parts[i]);
    }
    return want;
}

static const char *terms(const char *s) {
    ark_tok t;
    ark_token k;
    memset(&col, 0, sizeof col);
    col.pos_ok = col.len_ok = 1;
    ark_tok_init(&t, s, strlen(s));
    if (!ark_tok_next(&t, &k)) return "";
    col.pos = k.pos;
    ark_an_terms(an, &k, on_term, &col);
    return col.s;
}

/* Does the term list hold t as a whole word? */
static int has(const char *list, const char *t) {
    size_t n = strlen(t);
    for (const char *p = list; (p = strstr(p, t)) != NULL; p++)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

static void count_term(const char *t, size_t len, uint32_t pos, void *user) {
    (void)t;
    (void)len;
    (void)pos;
    ++*(size_t *)user;
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
    *len = (size_t)n;
    return b;
}

/* Every exact form written without positions has a stem at the token's position
 * (ark_an_exact_counted): the stem places it in a phrase, and it is the stem of the
 * same bytes (the query asks for the exact form's stem, ark_an_forms). */
typedef struct pos_check {
    ark_an *an;
    char counted[8][ARK_MAX_TERM + 1]; /* the token's counted exact forms so far */
    size_t ncounted, placed, bad;
    char first_bad[ARK_MAX_TERM + 1];
} pos_check;

static void check_pos(const char *t, size_t len, uint32_t pos, void *user) {
    pos_check *c = user;
    if (t[0] == 'Z' && pos != ARK_NOPOS) {
        char st[ARK_MAX_TERM + 1];
        for (size_t i = 0; i < c->ncounted; i++) {
            size_t sl = ark_an_stem(c->an, c->counted[i], strlen(c->counted[i]), st, sizeof st);
            if (sl == len - 1 && memcmp(st, t + 1, sl) == 0) c->counted[i][0] = '\0'; /* placed */
        }
    }
    if (pos == ARK_NOPOS && t[0] != 'F' && t[0] != 'P' && c->ncounted < 8) {
        memcpy(c->counted[c->ncounted], t, len);
        c->counted[c->ncounted++][len] = '\0';
    }
}

typedef struct sub_check {
    char low[ARK_MAX_TERM + 1], fold[2 * ARK_MAX_TERM + 1], first_bad[2 * ARK_MAX_TERM + 8];
    size_t n, bad;
} sub_check;

static void check_sub(const char *t, size_t len, uint32_t pos, void *user) {
    sub_check *c = user;
    const char *hay = c->low;
    char x[ARK_MAX_TERM + 2];
    c->n++;
    if (len && t[0] >= 'A' && t[0] <= 'Z') {
        if (t[0] == 'F') hay = c->fold;
        t++;
        len--;
    }
    memcpy(x, t, len);
    x[len] = '\0';
    if (strstr(hay, x)) return;
    /* A number's other writing ("900000" for "900.000"): a query number has no needle
     * (qword.c), so the rule need not hold for it, and only for it. */
    char canon[ARK_MAX_TERM + 1];
    size_t hl = strlen(hay);
    if (hl && hay[0] >= '0' && hay[0] <= '9' &&
        (ark_number_canon(hay, hl, canon, sizeof canon) == len || hl == len + 1) &&
        strspn(x, "0123456789,") == len)
        return;
    /* The stem of a lemma an e dropped out of ("regler" → "regel") is no substring either;
     * the query side has needles for it (need_lemma, need_elided). */
    for (const char *piece = hay; piece; piece = strchr(piece, '-') ? strchr(piece, '-') + 1 : NULL) {
        ark_forms lf; /* the token, or a piece of it between hyphens ("2026-midlerne") */
        size_t pl = strcspn(piece, "-");
        ark_an_forms(an, piece, pl, ARK_FORMS_PARTS, &lf);
        if (lf.lemma_stem_len == len && memcmp(lf.lemma_stem, x, len) == 0) return;
    }
    if (!c->bad++) snprintf(c->first_bad, sizeof c->first_bad, "%.60s in %.60s", x, hay);
}

int main(void) {
    ark_err err = {0, ""};
    double t0 = now();
    E(ark_an_new(NULL, &an, &err));
    double ms = (now() - t0) * 1000;
    printf("# diag: word list /usr/share/dict/danish loaded in %.1f ms\n", ms);
    if (!an) return done_testing();
    /* Speed is a benchmark's business (scripts/bench-index.sh), not a test's: a timed
     * assertion fails on a busy machine and proves nothing on a quiet one. */

    /* stems */
    is_str(stem("samarbejder"), "samarbejd", "stem samarbejder");
    is_str(stem("samarbejdet"), "samarbejd", "stem samarbejdet");
    is_str(stem("partnerskaber"), "partnerskab", "stem partnerskaber");
    is_str(stem("partnerskabet"), "partnerskab", "stem partnerskabet");
    is_str(stem("københavns"), "københavn", "stem københavns");

    /* compounds */
    is_str(split(an, "skolemadsordningen"), "skole mad ordningen", "split skolemadsordningen");
    is_str(split(an, "innovationsansvar"), "innovation ansvar", "split innovationsansvar");
    is_str(split(an, "innovationsprojekter"), "innovation projekter", "split innovationsprojekter");
    is_str(split(an, "velfærdsteknologi"), "velfærd teknologi", "split velfærdsteknologi");
    is_str(split(an, "erhvervsforvaltningen"), "erhverv forvaltningen", "split erhvervsforvaltningen");
    is_str(split(an, "økonomiudvalget"), "økonomi udvalget", "split økonomiudvalget (a listed compound)");
    is_str(split(an, "kommunen"), "", "kommunen is not kom+munen");
    is_str(split(an, "københavn"), "", "københavn is not split");
    is_str(split(an, "samarbejde"), "", "samarbejde is not sam+arbejde");
    is_str(split(an, "mulighed"), "", "mulighed is not mulig+hed");
    is_str(split(an, "regeringen"), "", "regeringen is not reger+ingen");
    is_str(split(an, "forslag"), "", "forslag is not for+slag");
    is_str(split(an, "skolen"), "", "short words are never split");
    is_str(split(an, "co2neutral"), "", "words with digits are never split");
    {
        char parts[1][ARK_MAX_TERM + 1];
        is_int(ark_an_split(an, "innovationsansvar", 17, parts, 1), 0, "max 1: no room for a split");
    }

    /* vocabulary and clones */
    is_str(split(an, "techvirksomheder"), "", "techvirksomheder: 'tech' is not in the list");
    E(ark_an_add_word(an, "tech", 4));
    is_str(split(an, "techvirksomheder"), "tech virksomheder", "after adding 'tech' from the corpus");
    ark_an *cl = NULL;
    E(ark_an_clone(an, &cl, &err));
    if (cl) {
        is_str(split(cl, "techvirksomheder"), "tech virksomheder", "the clone shares the vocabulary");
        ok(ark_an_add_word(an, "startup", 7) == ARK_EINVAL, "a shared word list is frozen");
        char o[ARK_MAX_TERM + 1];
        ark_an_stem(cl, "samarbejdet", 11, o, sizeof o);
        is_str(o, "samarbejd", "the clone stems with its own stemmer");
        ark_an_free(cl);
    }
    E(ark_an_add_word(an, "startup", 7));
    ark_an_free(NULL);
    {
        ark_an *none = NULL;
        E(ark_an_new("/nonexistent/words", &none, &err));
        is_str(split(none, "innovationsansvar"), "", "no word list: no splits, no error");
        ark_an_free(none);
    }

    /* index terms */
    const char *t = terms("Københavns");
    is_str(t, "københavns Zkøbenhavn Fkobenhavns Fkobenhavn", "terms of Københavns (F: the folded form and the folded stem)");
    ok(col.pos_ok && col.len_ok, "terms at the token's position, lengths right");
    ok(ark_an_stopwords_sorted(), "the stop word list is sorted for its binary search");
    ok(ark_an_is_stopword("dette", 5) && ark_an_is_stopword("af", 2) && ark_an_is_stopword("været", 6) &&
           ark_an_is_stopword("and", 3) && !ark_an_is_stopword("dett", 4) && !ark_an_is_stopword("a", 1) &&
           !ark_an_is_stopword("kommune", 7) && !ark_an_is_stopword("afsnit", 6),
       "stop words: the first, the last, a prefix and a longer word told apart");
    t = terms("innovationsprojekter");
    is_str(t, "innovationsprojekter Zinnovationsprojek Pinnovation Pprojek", "terms of innovationsprojekter");
    t = terms("EAT-skolemadsordningen");
    ok(has(t, "eat-skolemadsordningen") && has(t, "eat") && has(t, "skolemadsordningen") &&
           has(t, "Zskolemadsordning") && has(t, "Pskol") && has(t, "Pmad") && has(t, "Pordning"),
       "EAT-skolemadsordningen: whole, pieces, stems, parts (%s)", t);
    t = terms("6-by-samarbejde");
    ok(has(t, "6-by-samarbejde") && has(t, "6") && has(t, "by") && has(t, "samarbejde") &&
           has(t, "Zsamarbejd") && !has(t, "Z6"),
       "6-by-samarbejde (%s)", t);
    t = terms("offentlige-private");
    ok(has(t, "offentlige") && has(t, "private") && has(t, "Zoffent"), "offentlige-private (%s)", t);
    t = terms("ØU");
    is_str(t, "øu Zøu Fou", "terms of ØU");
    t = terms("ØU's");
    ok(has(t, "øu's") && has(t, "øu"), "ØU's also gives øu (%s)", t);

    /* the forms of a word, the one source of the terms above and of a query word's */
    {
        ark_forms f;
        ark_an_forms(an, "københavns", strlen("københavns"), 0, &f);
        ok(!strcmp(f.exact, "københavns") && !strcmp(f.stem, "københavn") &&
               !strcmp(f.fold, "kobenhavns") && !strcmp(f.fold_stem, "kobenhavn") &&
               f.stem_len == strlen(f.stem) && f.fold_len == strlen(f.fold) && f.folds &&
               f.letters && f.nparts == 0,
           "forms of københavns: %s %s %s %s", f.exact, f.stem, f.fold, f.fold_stem);
        ark_an_forms(an, "innovationsprojekter", 20, ARK_FORMS_PARTS, &f);
        ok(!f.folds && f.nparts == 2 && !strcmp(f.parts[0], "innovation") &&
               !strcmp(f.parts[1], "projek") && f.part_len[1] == 6,
           "forms of innovationsprojekter: the stems of its parts");
        ark_an_forms(an, "innovationsprojekter", 20, 0, &f);
        is_int(f.nparts, 0, "no parts unless asked");
        ark_an_forms(an, "6", 1, ARK_FORMS_PARTS, &f);
        ok(!f.letters && !strcmp(f.stem, "6"), "6 has no letters; its forms are itself");
        ark_an_forms(NULL, "samarbejdet", 11, ARK_FORMS_PARTS, &f);
        ok(!strcmp(f.stem, "samarbejdet") && f.nparts == 0, "no analyzer: the stem is the word");
    }
    /* where each term stands in its token: what the highlighter marks */
    {
        is_str(spans("Leverandørsamarbejder"),
               "leverandørsamarbejder@0-22 Zleverandørsamarbejd@0-22 Fleverandorsamarbejder@0-22 "
               "Fleverandorsamarbejd@0-22 Pleverandør@0-11 Psamarbejd@11-22",
               "spans of Leverandørsamarbejder: each part its bytes");
        is_str(spans("EAT-Skolemadsordningen"), spans_want_eat(), "spans of a hyphenated word: the pieces");
        is_str(spans("KL\xe2\x80\x99s"), "kl's@0-6 Zkl's@0-6 kl@0-2 Zkl@0-2",
               "spans of KL’s: the bare form is the letters before the 3-byte apostrophe");
        uint32_t map[16];
        ok(ark_lower_map("ÆØÅ’x", 10, "æøå'x", 8, map) && map[0] == 0 && map[2] == 2 &&
               map[6] == 6 && map[7] == 9 && map[8] == 10,
           "ark_lower_map: a byte's character in the original, across a shorter apostrophe");
        ok(!ark_lower_map("abc", 3, "abd", 3, map), "ark_lower_map refuses another string");
    }
    /* the written forms (W terms): what completions show, and the heads they leave out */
    is_str(written("Det er ØKF og TechBBQ"), "Wdet  Wøkf ØKF Wtechbbq TechBBQ",
           "W terms: acronyms as written; a capital that only starts a sentence is unknown");
    is_str(written("i Sundheds- og Omsorgsforvaltningen"),
           "Wsundheds Sundheds- Womsorgsforvaltningen Omsorgsforvaltningen",
           "W terms: a hanging hyphen is written after the word");
    is_str(written("Kommunen. Derfor er EAT-skolemad nævnt"), "Wkommunen  Wderfor  Weat EAT-",
           "W terms: sentence starts unknown (\"\"), each hyphen piece before its hyphen");
    /* Inflections whose e drops out meet their word (data/lemmas.txt, from hunspell-da). */
    t = terms("regler");
    is_str(t, "regler Zregl Zregel", "regler: its stem and its lemma's, regel");
    t = terms("midlerne");
    ok(strstr(t, " Zmiddel") != NULL, "midlerne also as middel (%s)", t);
    t = terms("udviklingsmidler");
    ok(strstr(t, " Zudviklingsmiddel") != NULL, "a compound's last part: udviklingsmidler as udviklingsmiddel (%s)", t);
    t = terms("regel");
    is_str(t, "regel Zregel", "regel itself: one stem");
    t = terms("kommuner");
    ok(!strstr(t, "Zkommune ") && strncmp(t, "kommuner Zkommun", 16) == 0, "a word the table lacks: its stem alone (%s)", t);
    t = terms("CO2");
    is_str(t, "co2 Zco2", "terms of CO2 (no F: fold == exact)");
    t = terms("2026-0179043");
    is_str(t, "2026-0179043 20260179043 P2026 P0179043",
           "terms of a case number: also run together, and its pieces");
    t = terms("200.000");
    is_str(t, "200.000 200000", "an amount is not cut; also written without its point");
    t = terms("19/5");
    is_str(t, "19/5 P19 P5", "a date's pieces");
    t = terms("abc1@kk.dk");
    is_str(t, "abc1@kk.dk Pabc1 Pkk Pdk", "terms of an e-mail");
    t = terms("https://www.kk.dk/borgerservice");
    ok(has(t, "https://www.kk.dk/borgerservice") && has(t, "Pborgerservic") && !has(t, "Phttps") &&
           !has(t, "Pwww"),
       "terms of a URL (%s)", t);
    {
        char longw[400];
        memset(longw, 'a', 150);
        memcpy(longw + 150, "øøøøø", 10);
        longw[160] = '\0';
        t = terms(longw);
        ok(col.len_ok && col.n > 0, "long token: %zu terms, all <= %d bytes", col.n, ARK_MAX_TERM);
        char dashes[600];
        size_t o = 0;
        for (int i = 0; i < 100; i++) o += (size_t)sprintf(dashes + o, "%sab", i ? "-" : "");
        t = terms(dashes);
        ok(col.len_ok && col.n > 0 && col.n < 60, "100 hyphen pieces: bounded (%zu terms)", col.n);
    }
    {
        /* dedupe: "samarbejde-samarbejde" gives each term once */
        t = terms("samarbejde-samarbejde");
        is_str(t, "samarbejde-samarbejde Zsamarbejde-samarbejd samarbejde Zsamarbejd", "dedupe");
    }

    /* Random text from troublesome fragments, each in a heap block of its exact length
     * (ASan catches any read past it); every term must fit ARK_MAX_TERM. */
    {
        static const char *frag[] = {"ø", "Æ", "-", "‐", "@", ".", ",", "/", "a", "A", "1", "’", "'",
                                     "\xc3", "\xff", "www.", "http://", " ", "s", "e", "kk", "dk",
                                     "skole", "mad", "innovation", "ansvar", "\xcc\x81", "é", "2026"};
        unsigned seed = 12345;
        int good = 1;
        for (int r = 0; r < 3000 && good; r++) {
            char buf[1200];
            size_t o = 0;
            seed = seed * 1103515245u + 12345u;
            size_t nfr = (seed >> 16) % 120;
            for (size_t i = 0; i < nfr; i++) {
                seed = seed * 1103515245u + 12345u;
                const char *f = frag[(seed >> 16) % (sizeof frag / sizeof frag[0])];
                size_t fl = strlen(f);
                memcpy(buf + o, f, fl);
                o += fl;
            }
            char *heap = malloc(o ? o : 1);
            if (!heap) break;
            memcpy(heap, buf, o);
            ark_tok tk;
            ark_token k;
            size_t prev = 0;
            ark_tok_init(&tk, heap, o);
            while (ark_tok_next(&tk, &k)) {
                if (k.start < prev || k.start + k.len > o || !k.len) good = 0;
                prev = k.start + k.len;
                memset(&col, 0, sizeof col);
                col.pos = k.pos;
                col.pos_ok = col.len_ok = 1;
                ark_an_terms(an, &k, on_term, &col);
                if (!col.pos_ok || !col.len_ok) good = 0;
            }
            free(heap);
        }
        ok(good, "3000 random fragment strings: tokens in range, terms fit");
    }

    /* throughput: tokenizer + terms over the corpus */
    glob_t gl;
    if (glob("corpus/*.txt", 0, NULL, &gl) == 0) {
        size_t bytes = 0, nterms = 0, ntok = 0;
        char *texts[16];
        size_t lens[16], nf = gl.gl_pathc < 16 ? gl.gl_pathc : 16;
        for (size_t f = 0; f < nf; f++) texts[f] = slurp(gl.gl_pathv[f], &lens[f]);
        /* The fastest of many rounds: the machine is shared (builds, other tests), and
         * the slowest rounds measure them, not us. */
        double t1 = now(), best = 1e9, corpus = 0;
        int rounds = 0;
        do {
            double r0 = now();
            for (size_t f = 0; f < nf; f++) {
                if (!texts[f]) continue;
                ark_tok tk;
                ark_token k;
                ark_tok_init(&tk, texts[f], lens[f]);
                while (ark_tok_next(&tk, &k)) {
                    ark_an_terms(an, &k, count_term, &nterms);
                    ntok++;
                }
                bytes += lens[f];
            }
            double r = now() - r0;
            if (r < best) best = r;
            if (!rounds) corpus = (double)bytes;
            rounds++;
        } while (now() - t1 < 1.0);
        double secs = now() - t1;
        printf("# diag: tokenizer+terms: best round %.1f MB/s, mean %.1f MB/s (%.0f bytes a round, "
               "%zu tokens, %zu terms, %d rounds)\n",
               corpus / best / 1e6, bytes / secs / 1e6, corpus, ntok / (size_t)rounds,
               nterms / (size_t)rounds, rounds);
        ok(nterms > ntok, "corpus gives more terms than tokens");
        /* The highlighter skips tokens by substring (lib/search/qword.h,
         * ark_qword_may_match): it relies on every term of a token being a substring of
         * its lowercase form, and every F term of its folded form. */
        /* and the phrase relies on every exact form without positions having its stem
         * at its position (check_pos) */
        sub_check sc = {0};
        pos_check pc = {an, {{0}}, 0, 0, 0, {0}};
        for (size_t f = 0; f < nf; f++) {
            if (!texts[f]) continue;
            ark_tok tk;
            ark_token k;
            ark_tok_init(&tk, texts[f], lens[f]);
            while (ark_tok_next(&tk, &k)) {
                size_t ll = ark_lower(k.p, k.len, sc.low, sizeof sc.low);
                ark_fold(sc.low, ll, sc.fold, sizeof sc.fold);
                ark_an_terms(an, &k, check_sub, &sc);
                pc.ncounted = 0;
                ark_an_terms(an, &k, check_pos, &pc);
                for (size_t i = 0; i < pc.ncounted; i++) {
                    if (pc.counted[i][0] == '\0') pc.placed++;
                    else if (!pc.bad++) snprintf(pc.first_bad, sizeof pc.first_bad, "%s", pc.counted[i]);
                }
            }
        }
        ok(sc.n > 1000 && sc.bad == 0, "every term of every corpus token is a substring of its "
                                       "lowercase (F: folded) form (%zu terms, %zu not: %s)",
           sc.n, sc.bad, sc.first_bad);
        ok(pc.placed > 1000 && pc.bad == 0, "every exact form without positions has its stem at its "
                                            "position (%zu placed, %zu not: %s)", pc.placed, pc.bad, pc.first_bad);
        for (size_t f = 0; f < nf; f++) free(texts[f]);
        globfree(&gl);
    }

    ark_an_free(an);
    return done_testing();
}
