/* tests/test_meta.c: ark_meta_extract on the five corpus documents and on small
 * sources for each date format and case-number form. Run from the repo root. */
#include "arkivar/text.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int meta_of(const char *path, ark_meta *m) {
    ark_source s;
    ark_passages ps;
    ark_err e = {0};
    int rc = ark_source_load(path, &s, &e);
    if (rc) return rc;
    if ((rc = ark_segment(&s, &ps, &e)) == 0) {
        rc = ark_meta_extract(&s, &ps, m, &e);
        ark_passages_free(&ps);
    }
    ark_source_free(&s);
    return rc;
}

static int meta_text(const char *text, ark_meta *m) {
    ark_source s = {(char *)text, strlen(text), NULL, 0, NULL, 0, 0, "", NULL};
    ark_passages ps;
    ark_err e = {0};
    int rc = ark_segment(&s, &ps, &e);
    if (rc) return rc;
    rc = ark_meta_extract(&s, &ps, m, &e);
    ark_passages_free(&ps);
    return rc;
}

static int has_case(const ark_meta *m, const char *c) {
    for (size_t i = 0; i < m->ncase_numbers; i++)
        if (strcmp(m->case_numbers[i], c) == 0) return 1;
    return 0;
}

int main(void) {
    ark_meta m;

    E(meta_of("corpus/000_92fe6cf18886d868.txt", &m));
    is_str(m.title, "Svar til Emil Moselund Østergaard (B) vedr. innovation", "000 title: the ## **…** line minus its date");
    is_str(m.type, "svar", "000 type");
    is_str(m.date, "2026-06-24", "000 date: 24-06-26 in the title line");
    is_str(m.addressee, "Emil Moselund Østergaard (B)", "000 addressee");
    is_str(m.committee, "", "000 committee: none addressed");
    is_int(m.ncase_numbers, 0, "000 has no case numbers");
    ark_meta_free(&m);

    E(meta_of("corpus/001_cd1fcdf664451ee5.txt", &m));
    is_str(m.title, "Erfaringsopsamling på arbejdet med innovation og partnerskaber i Københavns Kommunes indkøb",
           "001 title: wrapped over a double-spaced line break");
    is_str(m.type, "orientering", "001 type: 'Sagen er til ØU’s orientering'");
    is_str(m.date, "", "001 date: none (its one date, 'På mødet den 10. december 2024', is a meeting's)");
    is_str(m.committee, "ØU", "001 committee");
    is_str(m.addressee, "", "001 addressee: none");
    ark_meta_free(&m);

    E(meta_of("corpus/002_1152fea116605285.txt", &m));
    is_str(m.title, "Orientering om TECH og iværksætttermiljø kan inddrages i arbejdet med den fælles udviklings- og omstillingsplan",
           "002 title: after 'Orientering' and 'Til …'");
    is_str(m.type, "orientering", "002 type");
    is_str(m.date, "2026-06-09", "002 date: the case block's 09-06-2026, not a date in the text");
    is_int(m.ncase_numbers, 2, "002: two case numbers");
    ok(has_case(&m, "2026-11781") && has_case(&m, "2026-0179043"), "002: '2026 - 11781' → 2026-11781, and 2026-0179043");
    is_str(m.committee, "ØU", "002 committee");
    is_str(m.addressee, "Økonomiudvalget", "002 addressee");
    ark_meta_free(&m);

    E(meta_of("corpus/003_9fe98847643c27d8.txt", &m));
    is_str(m.title, "Fallstudie København", "003 title: capitals made readable");
    is_str(m.type, "fallstudie", "003 type");
    is_str(m.date, "", "003 date: none near the top");
    ark_meta_free(&m);

    E(meta_of("corpus/004_d98ee981822f2781.txt", &m));
    is_str(m.type, "katalog", "004 type: many 'Nr. N' headings");
    is_str(m.title, "Nr. 1–10: Trafikplan for hovedstadsregionen m.fl.", "004 title: the catalogue, not just its first item");
    is_int(m.ncase_numbers, 0, "004: no case numbers (years like 2023-2026 are not cases)");
    ark_meta_free(&m);

    /* Date formats and case numbers on small sources. */
    E(meta_text("Notat\n\nMødet den 19/5 2026 om sagen.\n", &m));
    is_str(m.date, "2026-05-19", "19/5 2026");
    is_str(m.type, "notat", "a 'Notat' line: notat");
    ark_meta_free(&m);
    E(meta_text("Referat af mødet\n\nDato: 29.05.2019\n\nInterviewet ved personligt møde.\n", &m));
    is_str(m.date, "2019-05-29", "29.05.2019 after a label");
    is_str(m.type, "referat", "referat");
    ark_meta_free(&m);
    E(meta_text("Referat af mødet\n\nInterviewet 29.05.2019 ved personligt møde.\n", &m));
    is_str(m.date, "", "a date inside running prose does not date the document");
    ark_meta_free(&m);
    E(meta_text("Notat om skolemad\n\nKøbenhavn, den 3. maj 2026\n\nTekst om skolemad.\n", &m));
    is_str(m.date, "2026-05-03", "a dateline: 'København, den 3. maj 2026'");
    ark_meta_free(&m);
    E(meta_text("Dagsorden\n\nDen 1. december 2022 vedtog Borgerrepræsentationen politikken.\n", &m));
    is_str(m.date, "2022-12-01", "1. december 2022");
    is_str(m.type, "dagsorden", "dagsorden");
    ark_meta_free(&m);
    E(meta_text("Et dokument\n\nSagsnummer 2026-0179043 og igen 2026 - 0179043, perioden 2023-2026 og 2023-27.\n", &m));
    is_int(m.ncase_numbers, 1, "case numbers deduplicated, periods ignored");
    ok(has_case(&m, "2026-0179043"), "the case number normalized");
    is_str(m.type, "sag", "Sagsnummer: sag");
    is_str(m.title, "Et dokument", "first line is the title");
    is_str(m.date, "", "no date: '2026-0179043' is not one");
    ark_meta_free(&m);
    E(meta_text("Bilag 3: Oversigt\n\nIngen dato her, 32-13-2020 er ingen dato.\n", &m));
    is_str(m.type, "bilag", "bilag");
    is_str(m.date, "", "32-13-2020 rejected");
    ark_meta_free(&m);
    E(meta_text("Noget tekst uden type.\n", &m));
    is_str(m.type, "dokument", "fallback type: dokument");
    is_str(m.committee, "", "no committee");
    ark_meta_free(&m);
    ark_meta_free(NULL);
    return done_testing();
}
