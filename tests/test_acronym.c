/* tests/test_acronym.c: ark_acronym_scan (lib/text/acronym.c) on the Danish definitions
 * of the records and on what only looks like one. Each text lies against a guard page,
 * so a scan that reads past its end faults. */
#include "arkivar/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

typedef struct found {
    char pairs[8][2][256];
    size_t n;
} found;

static int keep(const char *sf, size_t sfn, const char *lf, size_t lfn, void *user) {
    found *f = user;
    if (f->n < 8) {
        snprintf(f->pairs[f->n][0], 256, "%.*s", (int)sfn, sf);
        snprintf(f->pairs[f->n][1], 256, "%.*s", (int)lfn, lf);
        f->n++;
    }
    return 0;
}

/* Scan text copied to the end of a page that a PROT_NONE page follows. */
static size_t scan(const char *text, found *f) {
    long pg = sysconf(_SC_PAGESIZE);
    size_t n = strlen(text), pages = (n + (size_t)pg - 1) / (size_t)pg + 1;
    char *m = mmap(NULL, pages * (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED) return (size_t)-1;
    mprotect(m + (pages - 1) * (size_t)pg, (size_t)pg, PROT_NONE);
    char *at = m + (pages - 1) * (size_t)pg - n;
    memcpy(at, text, n);
    memset(f, 0, sizeof *f);
    size_t r = ark_acronym_scan(at, n, keep, f);
    munmap(m, pages * (size_t)pg);
    return r;
}

/* text defines exactly sf as lf. */
static void defines(const char *text, const char *sf, const char *lf) {
    found f;
    size_t r = scan(text, &f);
    if (!ok(r == 1 && f.n == 1 && strcmp(f.pairs[0][0], sf) == 0 && strcmp(f.pairs[0][1], lf) == 0,
            "%s: %s = %s", text, sf, lf)) {
        printf("#   found %zu\n", r);
        for (size_t i = 0; i < f.n; i++) printf("#   '%s' = '%s'\n", f.pairs[i][0], f.pairs[i][1]);
    }
}

static void defines_nothing(const char *text) {
    found f;
    size_t r = scan(text, &f);
    if (!ok(r == 0, "no definition in: %s", text))
        for (size_t i = 0; i < f.n; i++) printf("#   '%s' = '%s'\n", f.pairs[i][0], f.pairs[i][1]);
}

static int stop_at_first(const char *sf, size_t sfn, const char *lf, size_t lfn, void *user) {
    (*(int *)user)++;
    return 1;
}

int main(void) {
    /* long form (SF) */
    defines("Sagen er behandlet af Økonomiforvaltningen (ØKF) i maj.", "ØKF",
            "Økonomiforvaltningen");
    defines("Et samarbejde med Kultur- og Fritidsforvaltningen (KFF) om idræt.", "KFF",
            "Kultur- og Fritidsforvaltningen");
    defines("Byen har oprettet Copenhagen Solutions Lab (CSL) i 2014.", "CSL",
            "Copenhagen Solutions Lab");
    defines("Sagen går til Økonomiudvalget (ØU) og Borgerrepræsentationen.", "ØU",
            "Økonomiudvalget");
    defines("Vi følger Regional Vækst- og Udviklingsstrategi (ReVUS) fra regionen.", "ReVUS",
            "Regional Vækst- og Udviklingsstrategi");
    defines("Midler fra Grøn Omstillingsfond (GOF) uddeles.", "GOF", "Grøn Omstillingsfond");
    defines("Modellen for offentlig-privat partnerskab (OPP) bruges.", "OPP",
            "offentlig-privat partnerskab");
    /* SF (long form) */
    defines("Her arbejder CSL (Copenhagen Solutions Lab) med data.", "CSL",
            "Copenhagen Solutions Lab");
    defines("Notatet fra ØKF (Økonomiforvaltningen) ligger som bilag.", "ØKF",
            "Økonomiforvaltningen");
    defines("Notatet fra ØKF (den nye Økonomiforvaltning) ligger som bilag.", "ØKF",
            "Økonomiforvaltning");
    /* the long form stays inside its sentence and within its word limit */
    defines("Det er aftalt. Kommunernes Landsforening (KL) deltager.", "KL",
            "Kommunernes Landsforening");
    /* a stop word never begins or ends a long form */
    defines("Mødet med Kommunernes Landsforening og (KL) blev holdt.", "KL",
            "Kommunernes Landsforening");
    defines_nothing("Vi samarbejder med virksomheder i Tyskland (IT) og Norge.");
    /* two definitions in one text, in order */
    {
        found f;
        size_t r = scan("Teknik- og Miljøforvaltningen (TMF) og Børne- og Ungdomsforvaltningen (BUF).",
                        &f);
        ok(r == 2 && f.n == 2 && strcmp(f.pairs[0][0], "TMF") == 0 &&
               strcmp(f.pairs[0][1], "Teknik- og Miljøforvaltningen") == 0 &&
               strcmp(f.pairs[1][0], "BUF") == 0 &&
               strcmp(f.pairs[1][1], "Børne- og Ungdomsforvaltningen") == 0,
           "two definitions, in the order of the text (%zu)", r);
    }
    /* false positives: a year, a number, a case number, an ordinary word, no capitals */
    defines_nothing("Planen blev vedtaget af Borgerrepræsentationen (2025) med stort flertal.");
    defines_nothing("Rammen er på 150 mio. kr. (46 %) af budgettet.");
    defines_nothing("Se sagen hos Teknik- og Miljøforvaltningen (2026-0179043) for detaljer.");
    defines_nothing("Det fremgår af materialet (bilag 1) og af notatet.");
    defines_nothing("Fra Oslo kom Norsk Teknologi (Norge) med et oplæg.");
    defines_nothing("Vi har talt med Søren Sørensen (SS-2) om det.");
    defines_nothing("Et ord (og) mere.");
    defines_nothing("Udledningen af karbondioksid (CO2) skal ned.");
    defines_nothing("Vi har en aftale (se ovenfor) med dem.");
    /* the short form's letters must all be found, the first at a word start */
    defines_nothing("Vi mødtes med Økonomiudvalget (KFF) i går.");
    defines_nothing("Et forslag om sammenlægning (ØKF) er fremsat.");
    /* a long form that holds its short form is none */
    defines_nothing("Vi besøgte CSL Lab (CSL) i går.");
    /* SF (long form): not the tail of a remark in the parentheses */
    defines_nothing("Her er ØKF (som flere gange har nævnt at Økonomiforvaltningen) klar.");
    /* edge cases: unclosed, empty, nested, at the very end, invalid UTF-8 */
    defines_nothing("Økonomiforvaltningen (ØKF");
    defines_nothing("Økonomiforvaltningen ()");
    defines_nothing("(ØKF)");
    defines_nothing("Økonomiforvaltningen ((ØKF)");
    defines_nothing("\xC3(\xff\xfe) (\xC3\xB8K)");
    /* the long form inside the parentheses ends at a dash or an equals sign */
    defines("Filer i HTML (Hypertext Markup Language - på dansk hypertekstopmærkningssprog).",
            "HTML", "Hypertext Markup Language");
    defines("Skift UI (User Interface = brugerflade) her.", "UI", "User Interface");
    defines("Vælg Complex Text Layout- (CTL) sprog.", "CTL", "Complex Text Layout");
    defines("Beregn FFT- (Fast Fourier Transform) værdier.", "FFT", "Fast Fourier Transform");
    /* a name is words, not a formula or a quotation */
    defines_nothing("Formatet US (underordnet valutaformat \"$ engelsk) vises.");
    defines_nothing("Feltet ID (Kunde_ID -> x) findes.");
    defines("Økonomiforvaltningen (ØKF)", "ØKF", "Økonomiforvaltningen");
    /* the callback stops the scan */
    {
        int calls = 0;
        const char *t = "Økonomiudvalget (ØU) og Økonomiforvaltningen (ØKF).";
        size_t r = ark_acronym_scan(t, strlen(t), stop_at_first, &calls);
        ok(r == 1 && calls == 1, "a non-zero return stops the scan (%zu, %d)", r, calls);
    }
    return done_testing();
}
