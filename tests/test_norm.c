/* tests/test_norm.c: ark_norm on real lines of the corpus, one rule at a time, and the
 * byte map. Run from the repository root (reads corpus/). */
#include "arkivar/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static char *norm_n(const char *in, size_t n) {
    char *out = NULL;
    size_t len = 0;
    if (ark_norm(in, n, &out, &len, NULL) != 0) return NULL;
    if (strlen(out) != len) { free(out); return NULL; } /* no NUL inside */
    return out;
}

#define NORM_IS(in, want, descr)                                                        \
    do {                                                                                \
        char *got_ = norm_n((in), strlen(in));                                          \
        is_str(got_, (want), (descr));                                                  \
        free(got_);                                                                     \
    } while (0)

/* Each cases[i][0] normalizes (with mask) to cases[i][1]. */
static void norm_cases(const char *const (*cases)[2], size_t n, unsigned mask) {
    for (size_t c = 0; c < n; c++) {
        char *o = NULL;
        size_t ol = 0;
        ark_norm_mask(cases[c][0], strlen(cases[c][0]), mask, &o, &ol, NULL);
        is_str(o, cases[c][1], cases[c][0]);
        free(o);
    }
}

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)sz + 1);
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) { free(b); b = NULL; }
    if (b) b[sz] = '\0';
    fclose(f);
    *n = (size_t)sz;
    return b;
}

int main(void) {
    /* Line-end hyphenation, joined (001, double-spaced, and 004). */
    NORM_IS("Sagen er en opsamling på succesfulde innovationsprojekter og -samar-\n\nbejder på indkøbsområdet i KK.",
            "Sagen er en opsamling på succesfulde innovationsprojekter og -samarbejder på indkøbsområdet i KK.",
            "001: og -samar-\\n\\nbejder → og -samarbejder (suspended from the front, then joined)");
    NORM_IS("På mødet den 10. december 2024 blev ØU forelagt en afdækning af ar-\n\nbejdet med innovation",
            "På mødet den 10. december 2024 blev ØU forelagt en afdækning af arbejdet med innovation",
            "001: ar-\\n\\nbejdet → arbejdet across the empty line");
    NORM_IS("tet i TMF, som handler om at gøre cyklisme mere attraktivt i Kø-\n\nbenhavn og om at forebygge cykeltyveri.",
            "tet i TMF, som handler om at gøre cyklisme mere attraktivt i København og om at forebygge cykeltyveri.",
            "001: Kø-\\n\\nbenhavn → København");
    NORM_IS("ternt og eksternt, samt 3) klassiske offentlige-private innovationssamar-\n\nbejder. Dette er eksemplificeret",
            "ternt og eksternt, samt 3) klassiske offentlige-private innovationssamarbejder. Dette er eksemplificeret",
            "001: innovationssamar-\\n\\nbejder → innovationssamarbejder");
    NORM_IS("Generelt nævner forvaltningerne at fordele ved at arbejde med innova-  \n\ntionspartnerskaber er",
            "Generelt nævner forvaltningerne at fordele ved at arbejde med innovationspartnerskaber er",
            "trailing spaces after the hyphen do not stop the join");
    NORM_IS("udfordre de eksisterende virksomheder i Greater Copen-\nhagen. Projektet vil",
            "udfordre de eksisterende virksomheder i Greater Copenhagen. Projektet vil",
            "004: Copen-\\nhagen → Copenhagen");
    NORM_IS("samar-\r\nbejder", "samarbejder", "CRLF line ends join too");

    /* Real hyphens kept. */
    NORM_IS("for Sundhedsinnovation (SINO) for gode eksempler på offentlige-\n private samarbejde og innovation.",
            "for Sundhedsinnovation (SINO) for gode eksempler på offentlige-private samarbejde og innovation.",
            "001: offentlige-\\nprivate keeps its hyphen and joins");
    NORM_IS("offentlige-\nprivate", "offentlige-private", "offentlige-\\nprivate → offentlige-private");
    NORM_IS("tion og indgåelse af offentlige-private partnerskaber og offentlige-pri-\n\nvate innovationsfællesskaber",
            "tion og indgåelse af offentlige-private partnerskaber og offentlige-private innovationsfællesskaber",
            "001: offentlige-pri-\\n\\nvate → offentlige-private");
    NORM_IS(" Tilbyde deltagende kommuner (off. køkkener i børne- \nog ældreinstitutioner) rådgivning",
            "Tilbyde deltagende kommuner (off. køkkener i børne- og ældreinstitutioner) rådgivning",
            "004: suspended compound børne- \\nog kept");
    NORM_IS("Sundheds-\nog Omsorgsforvaltningen", "Sundheds- og Omsorgsforvaltningen",
            "suspended compound Sundheds-\\nog kept");
    NORM_IS("Beskæftigelses-, Integrations- og Erhvervsforvaltningen",
            "Beskæftigelses-, Integrations- og Erhvervsforvaltningen", "000: Beskæftigelses-, Integrations- og unchanged");
    NORM_IS("Klima-,\nMiljø- og Teknikforvaltningen", "Klima-, Miljø- og Teknikforvaltningen",
            "Klima-, at a line end keeps its hyphen");
    NORM_IS("og videninstitutioner om konkrete IT-\nudviklingsprojekter og styrkelse af Greater",
            "og videninstitutioner om konkrete IT-udviklingsprojekter og styrkelse af Greater",
            "004: acronym IT-\\nudviklingsprojekter keeps the hyphen");
    NORM_IS("DHI, KLIKOVAND og BLOXHUB (Real Dania), DTU-\nWater m.fl.",
            "DHI, KLIKOVAND og BLOXHUB (Real Dania), DTU-Water m.fl.", "004: DTU-\\nWater");
    NORM_IS(" Fyrtårnsprojekter fra ReVUS-handlingsplanen 2015-\n16, bl.a.:",
            "Fyrtårnsprojekter fra ReVUS-handlingsplanen 2015-16, bl.a.:", "004: year range 2015-\\n16");
    NORM_IS("erhvervsudvikling -\nog", "erhvervsudvikling - og", "a dash after a space is not hyphenation");
    NORM_IS("Sundheds-\nOmsorg", "Sundheds- Omsorg", "capital after the hyphen: kept, line break is a space");
    NORM_IS("samar-", "samar-", "hyphen at the end of input kept");
    NORM_IS("samar-\n\n", "samar-", "hyphen before trailing blank lines kept");

    /* Double-spaced lines of 001 become one paragraph. */
    NORM_IS("erfaringsopsamling og beskrivelse af positive erfaringer i arbejdet med \n\n"
            "innovation og partnerskaber i KK’s indkøb, hvilket er baggrunden for \n\n"
            "nærværende orientering.  \n\n \n",
            "erfaringsopsamling og beskrivelse af positive erfaringer i arbejdet med innovation og "
            "partnerskaber i KK’s indkøb, hvilket er baggrunden for nærværende orientering.",
            "001: double-spaced lines joined with single spaces");

    /* Glyph repair. */
    NORM_IS("bejdet med innovation og partnerskaber i KK’s indkøb Ƶbilag 1ƶ til orien-\ntering.",
            "bejdet med innovation og partnerskaber i KK’s indkøb (bilag 1) til orientering.",
            "001: Ƶbilag 1ƶ → (bilag 1), typographic ’ kept");
    NORM_IS("potentialerne for indgåelse af offentlige-private partnerskaber ƵOPP’erƶ \nog",
            "potentialerne for indgåelse af offentlige-private partnerskaber (OPP’er) og", "001: ƵOPP’erƶ");
    NORM_IS("\xEF\x82\xB7 Det fælles arbejde om infrastrukturinvesteringer, \nherunder prioritering",
            "• Det fælles arbejde om infrastrukturinvesteringer, herunder prioritering", "004: U+F0B7 → •");
    NORM_IS("\xEF\x82\xB7Tekst", "• Tekst", "U+F0B7 glued to text gets its space");
    NORM_IS("Energiforbrug ● 20% reduktion i varmeforbruget", "Energiforbrug • 20% reduktion i varmeforbruget",
            "003: ● → •");
    NORM_IS("Der er efter kommunalfuldmagtsreglerne – snarere end ”Her vil",
            "Der er efter kommunalfuldmagtsreglerne – snarere end ”Her vil", "typographic – ” kept");

    /* Markdown. */
    NORM_IS("## **24-06-26 Svar til Emil Moselund Østergaard (B) vedr. innovation**",
            "24-06-26 Svar til Emil Moselund Østergaard (B) vedr. innovation", "000: ## **…** stripped");
    NORM_IS("### **Spørgsmål**", "Spørgsmål", "000: ### **Spørgsmål**");
    NORM_IS("**Ad 1: Hvordan er innovationsansvar og innovationsledelse organisatorisk placeret i Københavns Kommune i dag?**",
            "Ad 1: Hvordan er innovationsansvar og innovationsledelse organisatorisk placeret i Københavns Kommune i dag?",
            "000: **Ad 1: …** stripped");
    NORM_IS("tekst\n## Overskrift", "tekst Overskrift", "# marks at a later line start");
    NORM_IS("Sag #1 og C# og __vigtigt__", "Sag #1 og C# og vigtigt", "# inside a line kept, __ removed");

    /* Whitespace. */
    NORM_IS("Henrik Lund  \nAdministrerende direktør", "Henrik Lund Administrerende direktør", "000: two spaces + newline");
    NORM_IS("  \t til en samlet værdi på 150\xC2\xA0mio.kr.  \n\n  \n", "til en samlet værdi på 150 mio.kr.",
            "NBSP, tabs, leading and trailing whitespace");
    NORM_IS("", "", "empty input");
    NORM_IS(" \n\n \t ", "", "whitespace only");

    /* Invalid UTF-8 and controls. */
    NORM_IS("K\xF8" "benhavn", "K\xEF\xBF\xBD" "benhavn", "Latin-1 ø → U+FFFD");
    NORM_IS("K\xC3", "K\xEF\xBF\xBD", "truncated sequence at the end → U+FFFD");
    NORM_IS("a\xE2\x80z", "a\xEF\xBF\xBD\xEF\xBF\xBDz", "each bad byte becomes U+FFFD");
    NORM_IS("a\x01" "b\x7F" "c\xC2\x80" "d", "abcd", "control characters dropped");
    {
        char *g = norm_n("ab\0cd", 5);
        is_str(g, "abcd", "NUL dropped");
        free(g);
    }

    /* NFC. */
    NORM_IS("Resume\xCC\x81", "Resumé", "decomposed é → NFC");
    NORM_IS("Sa\xCC\x8A" "dan og A\xCC\x8A" "rhus", "Sådan og Århus", "decomposed å/Å → NFC");
    NORM_IS("\xE2\x84\xAB", "\xC3\x85", "Ångström sign → Å");

    /* The map: every output byte points at an input byte, non-decreasing. */
    {
        size_t n = 0;
        char *in = slurp("corpus/001_cd1fcdf664451ee5.txt", &n);
        ok(in != NULL, "read corpus/001");
        char *out = NULL;
        size_t olen = 0;
        uint32_t *map = NULL;
        E(ark_norm(in, n, &out, &olen, &map));
        int mono = 1, inside = 1, same = 1;
        for (size_t i = 0; i < olen; i++) {
            if (map[i] >= n) inside = 0;
            if (i && map[i] < map[i - 1]) mono = 0;
            unsigned char c = (unsigned char)out[i];
            if (inside && c < 0x80 && c != ' ' && (unsigned char)in[map[i]] < 0x80 && in[map[i]] != out[i]) same = 0;
        }
        ok(inside, "map points inside the input");
        ok(mono && map[olen] >= map[olen - 1] && map[olen] <= n, "map is non-decreasing");
        ok(same, "ASCII output bytes come from the same byte of the input");
        srand(7);
        int good = 1;
        for (int k = 0; k < 200; k++) {
            size_t i = (size_t)rand() % olen;
            if (!(map[i] < n && (i == 0 || map[i - 1] <= map[i]))) good = 0;
        }
        ok(good, "200 random output positions map correctly");
        char *p = strstr(out, "samarbejder");
        const char *q = strstr(in, "samar-");
        ok(p && q && map[p - out] == (uint32_t)(q - in), "joined word maps to its first half");
        free(map);
        free(out);
        /* A map for NFC-changed text. */
        E(ark_norm("xe\xCC\x81y", 5, &out, &olen, &map));
        ok(olen == 4 && map[0] == 0 && map[1] == 1 && map[2] == 1 && map[3] == 4 && map[4] == 5,
           "map through NFC recomposition");
        free(map);
        free(out);
        free(in);
    }
    /* CPR numbers are masked, other numbers are left alone (DOMAIN.md: never shown or
     * searchable) */
    {
        static const char *const cases[][2] = {
            {"Borger med CPR 010190-1234 har klaget.", "Borger med CPR XXXXXX-XXXX har klaget."},
            {"cpr.nr. 3112851234.", "cpr.nr. XXXXXXXXXX."},
            {"CPR: 150575 4321", "CPR: XXXXXX XXXX"},
            {"Sagsnummer eDoc 2026-0179043", "Sagsnummer eDoc 2026-0179043"},
            {"Sagsnummer i F2 2026 - 11781", "Sagsnummer i F2 2026 - 11781"},
            {"telefon 33 66 33 66 og 1234567890", "telefon 33 66 33 66 og 1234567890"},
            {"dato 320190-1234 er ingen dato", "dato 320190-1234 er ingen dato"},
            {"11020684 dokumentnummer", "11020684 dokumentnummer"},
        };
        norm_cases(cases, sizeof cases / sizeof cases[0], 0);
    }
    /* Every spelling of a CPR number that extraction produces (issue 9): separators,
     * dotted/slashed/spaced dates, fullwidth digits, letter-spacing, a number running on
     * into '-' or '/', a line break after the dash, a line-end hyphen inside it. */
    {
        static const char *const cases[][2] = {
            {"CPR 010190-1101 ok", "CPR XXXXXX-XXXX ok"},
            {"CPR 010190\xE2\x80\x93" "1102 ok", "CPR XXXXXX\xE2\x80\x93XXXX ok"},       /* en dash */
            {"CPR 010190\xE2\x80\x90" "1103 ok", "CPR XXXXXX\xE2\x80\x90XXXX ok"},       /* U+2010 */
            {"CPR 010190\xE2\x80\x91" "1104 ok", "CPR XXXXXX\xE2\x80\x91XXXX ok"},       /* U+2011 */
            {"CPR 010190\xE2\x88\x92" "1105 ok", "CPR XXXXXX\xE2\x88\x92XXXX ok"},       /* U+2212 */
            {"CPR 010190\xE2\x80\x94" "1106 ok", "CPR XXXXXX\xE2\x80\x94XXXX ok"},       /* em dash */
            {"CPR 010190/1107 ok", "CPR XXXXXX/XXXX ok"},
            {"CPR 010190.1108 ok", "CPR XXXXXX.XXXX ok"},
            {"CPR 010190_1109 ok", "CPR XXXXXX_XXXX ok"},
            {"CPR 010190,1110 ok", "CPR XXXXXX,XXXX ok"},
            {"CPR 010190:1111 ok", "CPR XXXXXX:XXXX ok"},
            {"CPR 010190- 1112 ok", "CPR XXXXXX- XXXX ok"},
            {"CPR 010190 - 1113 ok", "CPR XXXXXX - XXXX ok"},
            {"CPR 010190 1114 ok", "CPR XXXXXX XXXX ok"},
            {"CPR 0101901115 ok", "CPR XXXXXXXXXX ok"},
            {"CPR 08.01.90-1107 ok", "CPR XX.XX.XX-XXXX ok"},
            {"CPR 28/01/90-1127 ok", "CPR XX/XX/XX-XXXX ok"},
            {"CPR 10 01 90 1109 ok", "CPR XX XX XX XXXX ok"},
            {"CPR 27.01.90 1126 ok", "CPR XX.XX.XX XXXX ok"},
            {"CPR \xEF\xBC\x92\xEF\xBC\x96\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x90-"
             "\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x95 ok",
             "CPR XXXXXX-XXXX ok"},                                                  /* fullwidth */
            {"CPR 2 6 0 1 9 0 - 1 1 2 5 ok", "CPR X X X X X X - X X X X ok"},
            {"CPR 2 6 0 1 9 0 1 1 2 5 ok", "CPR X X X X X X X X X X ok"},
            {"CPR 050290-1132- ok", "CPR XXXXXX-XXXX- ok"},
            {"CPR 090290-1136-2026 ok", "CPR XXXXXX-XXXX-2026 ok"},
            {"CPR 090290-1137/2 ok", "CPR XXXXXX-XXXX/2 ok"},
            {"CPR 150290-\n1138 ok", "CPR XXXXXX-XXXX ok"},
            {"CPR 150290 -\n1139 ok", "CPR XXXXXX - XXXX ok"},
            {"CPR 2001-\n901119 ok", "CPR XXXX-XXXXXX ok"},
            {"CPR 200190-11-\n19 ok", "CPR XXXXXX-XX-XX ok"},
            {"CPR\xC2\xA0" "200190\xC2\xA0" "1120 ok", "CPR XXXXXX XXXX ok"},         /* NBSP */
            {"cpr.nr.200190-1121, tlf.", "cpr.nr.XXXXXX-XXXX, tlf."},
            /* what is not a CPR number stays */
            {"sag 2026-0179043 og 2026-11781", "sag 2026-0179043 og 2026-11781"},
            {"i 2015-\n16 og 2019-2020", "i 2015-16 og 2019-2020"},
            {"kl. 10.00-12.00 d. 12.05.2026", "kl. 10.00-12.00 d. 12.05.2026"},
            {"12.05.26, 1400 deltagere", "12.05.26, 1400 deltagere"},
            {"1 2 3 4 5 6 7 8 9 0 1", "1 2 3 4 5 6 7 8 9 0 1"},
            {"320190-1234 og 011390-1234", "320190-1234 og 011390-1234"},
            {"beløb 1.250.000 kr.", "beløb 1.250.000 kr."},
            {"tlf. 33 66 33 66, mail a.b@kk.dk", "tlf. 33 66 33 66, mail a.b@kk.dk"},
        };
        norm_cases(cases, sizeof cases / sizeof cases[0], 0);
    }
    /* The map stays exact through masking: a fullwidth digit (three bytes) becomes one
     * 'X' that points at its first byte. */
    {
        const char *in = "ID \xEF\xBC\x92\xEF\xBC\x96\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x99\xEF\xBC\x90"
                         "1125 x";
        char *o = NULL;
        size_t ol = 0;
        uint32_t *map = NULL;
        ark_norm(in, strlen(in), &o, &ol, &map);
        is_str(o, "ID XXXXXXXXXX x", "fullwidth digits masked with a map");
        ok(map && map[3] == 3 && map[4] == 6 && map[8] == 18 && map[9] == 21 && map[13] == 25 &&
               map[ol] == strlen(in),
           "each X maps to the first byte of its digit");
        free(map);
        free(o);
    }
    /* Contacts, when asked: e-mail local parts and Danish phone numbers. */
    {
        static const char *const cases[][2] = {
            {"skriv til mette.hansen@kk.dk.", "skriv til XXXXX.XXXXXX@kk.dk."},
            {"s\xC3\xB8ren@aarhus.dk", "XXXXX@aarhus.dk"},
            {"tlf. 33 66 33 66, ok", "tlf. XX XX XX XX, ok"},
            {"tlf. 3366 3366 ok", "tlf. XXXX XXXX ok"},
            {"tlf. +45 33663366 ok", "tlf. +XX XXXXXXXX ok"},
            {"tlf. 0045 3366 3366 ok", "tlf. XXXX XXXX XXXX ok"},
            {"i perioden 2020-2023 og 2020 2023", "i perioden 2020-2023 og 2020 2023"},
            {"tlf. +4533663366 ok", "tlf. +XXXXXXXXXX ok"},
            {"sag 2026-0179043, 2026-11781", "sag 2026-0179043, 2026-11781"},
            {"1 2 3 4 5 6 7 8 9", "1 2 3 4 5 6 7 8 9"},
            {"d. 01.02.2026", "d. 01.02.2026"},
            {"i 2015-\n2016 blev", "i 2015-2016 blev"},
            {"kontakt@ ingen", "kontakt@ ingen"},
        };
        norm_cases(cases, sizeof cases / sizeof cases[0], ARK_MASK_CONTACTS);
    }
    /* A file name that becomes a document id. */
    {
        char id[] = "klage fra 120590-1234 (2).txt";
        size_t n = ark_mask_pii(id, strlen(id), 0);
        is_str(id, "klage fra XXXXXX-XXXX (2).txt", "ark_mask_pii masks a CPR number in a file name");
        is_int(n, strlen(id), "same length for ASCII digits");
    }
    return done_testing();
}
