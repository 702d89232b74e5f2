/* lib/text/segment.c: cutting a document into passages a reader would call paragraphs.
 * Owns: line classification, layout detection (blank-line paragraphs vs. double-spaced
 *   PDF extraction), heading detection and attachment, bullet items, sizing passages
 *   (merge fragments, split overlong paragraphs at sentence ends), provenance fields.
 * Not here: what the text of a passage says (norm.c: a passage's text is by
 *   construction ark_norm(bytes + start, end - start), with the cuts inside the range
 *   replaced by a line break), document metadata (meta.c).
 * Why: search results are passages; they must read like paragraphs, carry the heading
 *   they sit under, and point at exact bytes and lines of the source.
 *
 * The rules, in the order they are applied (linear in the document, but for a sort of
 * the page-zone lines and of the cuts):
 *  0. Cuts (text.h, ark_passages.cuts): in a source of 3 pages or more, a line among
 *     the first or last two text lines of its page whose shape (digits as one '#',
 *     case and spaces ignored) recurs there on at least 3 pages and half of them is a
 *     running header or footer; a markdown or bold heading that is a letterhead
 *     ("Kontor for … Erhvervsforvaltningen") is one too. Both are cut: in no passage.
 *  1. Lines: a line is EMPTY (nothing but "\r"), WS (whitespace only) or TEXT.
 *  2. Layout: the document is DOUBLE-SPACED (001) when at least half the gaps between
 *     consecutive text lines are exactly one empty line, at least half of those look
 *     like a wrapped line (no sentence end before, or a lowercase start after), and
 *     text lines are short (mean <= 120 bytes: hard-wrapped, not one line per
 *     paragraph as in 000 and 002, which also put one empty line after every line).
 *  3. Gaps between text lines A and B (E empty lines, W whitespace-only lines):
 *       E+W == 0        same paragraph (hard wrap);
 *       E == 1, W == 0  double-spaced: same paragraph unless A ends a sentence and
 *                       carries two or more trailing spaces (how that extraction ends
 *                       a paragraph); otherwise: same paragraph when A is a long line
 *                       and B starts in lowercase, or A is long, ends without
 *                       punctuation and B is a long line starting with a letter (a
 *                       wrap that left a gap);
 *       anything more   paragraph break, but across a page break (a form feed):
 *                       same paragraph when A stops mid-sentence and B goes on in
 *                       lowercase (or A ends in '-' or ','); the break is a cut.
 *     Bullets and headings always start a new unit.
 *  4. Headings: "#" lines, whole-line **bold**, "Ad N:", "Nr. N" (also the garbled
 *     "Nr. 8 7Madfællesskabet"), and short lines (< 80 bytes, < 60 when double-spaced,
 *     not ending in a function word like "og"/"til", capital or digit first,
 *     not ending in . , ; : -, standing alone after a gap or a sentence end, not a
 *     "Til …"/"Kære …" address line) that are
 *     followed by body text (a bullet, a long line or a sentence). A heading may wrap
 *     onto one short lowercase line ("Nr. 2: … erhverv og\nbeskæftigelse").
 *     Headings attach to the passages after them; a heading with no body before the
 *     next heading (or the end) becomes a passage of its own.
 *  5. Bullets: •, U+F0B7, ●, "-", "*", "–" followed by a space, "1." / "a." items. An
 *     item runs to the next bullet, heading or paragraph break.
 *  5b. A paragraph that stops on a word, then up to 8 short units holding a date or a
 *     case number, then a paragraph in lowercase (002's page-break debris): one
 *     sentence. The paragraphs become one unit around a cut; the units between are a
 *     passage of their own right after it, never merged with another.
 *  6. Sizing, within one heading's section: a unit below 60 bytes of text merges into
 *     the next unit (or the previous one at the section's end); consecutive list
 *     items (and the line ending in ':' that introduces them) merge up to 1000 bytes;
 *     a passage above 1500 bytes is split at the last sentence end (". " + capital)
 *     before 1200 bytes, else at a space. */
#include "arkivar/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "segment.h"


/* Estimated length of ark_norm's output: non-space bytes plus one per inner space run. */
static size_t est_len(const unsigned char *b, size_t s, size_t e) {
    size_t n = 0;
    int sp = 0;
    for (size_t i = s; i < e;) {
        size_t w = ws_len(b + i, e - i);
        if (w) { sp = 1; i += w; continue; }
        if (sp && n) n++;
        sp = 0;
        n++;
        i++;
    }
    return n;
}

/* Can this short line's text be a heading? It starts with a capital (or "1) "), has
 * a word of three letters, holds no sentence end inside (". " + more), no '@' (a mail
 * address), and does not end in a function word ("og", "til" …: a wrapped line). */
static int ends_function_word(const unsigned char *p, size_t n);
static int short_heading_text(const unsigned char *p, size_t n) {
    int32_t c;
    decode(p, n, &c);
    if (!is_upper(c)) {
        size_t i = 0;
        while (i < n && i < 2 && is_digit(p[i])) i++;
        if (i == 0 || i >= n || p[i] != ')') return 0;
    }
    size_t run = 0, best = 0;
    for (size_t i = 0; i < n;) {
        size_t l = decode(p + i, n - i, &c);
        if (c == '@') return 0;
        if ((c == '.' || c == '!' || c == '?') && i + 2 < n && p[i + 1] == ' ') return 0;
        run = is_letter(c) ? run + 1 : 0;
        if (run > best) best = run;
        i += l;
    }
    return best >= 3 && !ends_function_word(p, n);
}

/* A line ending in "og", "til", "i" … is a wrapped line, not a heading. */
static int ends_function_word(const unsigned char *p, size_t n) {
    static const char *const fw[] = {"og", "i", "til", "for", "at", "af", "om", "med", "på",
                                     "det", "en", "et", "den", "der", "som", "er", "eller",
                                     "samt", "fra", "ved", "the", "of", "and", "to", NULL};
    size_t k = n;
    while (k > 0 && p[k - 1] != ' ') k--;
    for (int i = 0; fw[i]; i++)
        if (strlen(fw[i]) == n - k && memcmp(fw[i], p + k, n - k) == 0) return 1;
    return 0;
}

/* A letterhead: the sender's unit and administration ("Kontor for Politik og
 * Driftsudvikling Beskæftigelses-, Integrations- og Erhvervsforvaltningen"), a page's
 * header that the extraction kept mid-text. It begins with a unit word and ends with
 * an administration; it is no heading of what follows. Markdown marks are skipped. */
static int starts_with(const unsigned char *p, size_t n, const char *pre);
static int strong_heading(const unsigned char *p, size_t n);
static int letterhead(const unsigned char *p, size_t n) {
    static const char *const units[] = {"Kontor ", "Center ", "Centre ", "Afdeling", "Enhed",
                                       "Sekretariat", NULL};
    static const char *const admin[] = {"forvaltningen", "forvaltning", "Kommune",
                                        "Regionen", "Region", NULL};
    while (n && (*p == '#' || *p == '*' || *p == '_' || *p == ' ')) p++, n--;
    while (n && (p[n - 1] == '*' || p[n - 1] == '_' || p[n - 1] == ' ')) n--;
    int u = 0, a = 0;
    for (int i = 0; units[i]; i++) u |= starts_with(p, n, units[i]);
    for (int i = 0; admin[i]; i++) {
        size_t k = strlen(admin[i]);
        a |= n > k && memcmp(p + n - k, admin[i], k) == 0;
    }
    return u && a;
}

static int is_bullet(const unsigned char *p, size_t n) {
    int32_t c;
    size_t l = decode(p, n, &c);
    if (c == 0x2022 || c == 0xF0B7 || c == 0x25CF || c == 0x25AA || c == 0x25E6) return 1;
    if ((c == '-' || c == '*' || c == 0x2013) && l < n && (p[l] == ' ' || p[l] == '\t')) return 1;
    /* "1. Hvordan", "1.Tiltrækning", "a. Videreudvikle": at most two digits (so a year
     * like "2024." is not an item), then a capital. */
    size_t i = 0;
    while (i < n && i < 3 && p[i] >= '0' && p[i] <= '9') i++;
    if (i == 0 && n >= 3 && p[0] >= 'a' && p[0] <= 'z' && p[1] == '.' && p[2] == ' ') i = 1;
    if (i == 0 || i > 2 || i >= n || p[i] != '.') return 0;
    i++;
    while (i < n && p[i] == ' ') i++;
    if (i >= n) return 0;
    decode(p + i, n - i, &c);
    return is_upper(c);
}

static int starts_with(const unsigned char *p, size_t n, const char *pre) {
    size_t k = strlen(pre);
    return n >= k && memcmp(p, pre, k) == 0;
}

static int strong_heading(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n && p[i] == '#') i++;
    if (i >= 1 && i <= 6 && i < n && (p[i] == ' ' || p[i] == '\t')) return H_MD;
    if (n > 4 && ((starts_with(p, n, "**") && p[n - 1] == '*' && p[n - 2] == '*') ||
                  (starts_with(p, n, "__") && p[n - 1] == '_' && p[n - 2] == '_')))
        return H_BOLD;
    if (starts_with(p, n, "Ad ") && n > 3 && is_digit(p[3])) {
        i = 3;
        while (i < n && is_digit(p[i])) i++;
        if (i < n && (p[i] == ':' || p[i] == '.')) return H_AD;
    }
    if (starts_with(p, n, "Nr.")) {
        i = 3;
        while (i < n && p[i] == ' ') i++;
        if (i < n && is_digit(p[i])) return H_NR;
    }
    return H_NONE;
}

int ark_segment(const ark_source *src, ark_passages *out, ark_err *err) {
    int rc = 0;
    const unsigned char *b = (const unsigned char *)src->bytes;
    size_t n = src->len;
    line *L = NULL;
    size_t nL = 0, capL = 0;
    tline *T = NULL;
    size_t nT = 0, capT = 0;
    unit *U = NULL;
    size_t nU = 0, capU = 0;
    pspan *P = NULL;
    size_t nP = 0, capP = 0;
    pspan *Q = NULL;
    size_t nQ = 0, capQ = 0;
    char **heads = NULL; /* normalized heading text per unit index (only heading units) */
    size_t *hend = NULL; /* per text line: last line of the heading starting there */
    ark_span *C = NULL;  /* the cuts */
    size_t nC = 0, capC = 0;
    memset(out, 0, sizeof *out);

    /* 1. Lines. */
    for (size_t i = 0; i <= n;) {
        const unsigned char *nl = i < n ? memchr(b + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - b) : n;
        if (!nl && i == n && n > 0) break; /* no phantom line after a final '\n' */
        line ln = {i, e, i, i, L_EMPTY};
        size_t ts = i, te = e;
        while (ts < te) { size_t w = ws_len(b + ts, te - ts); if (!w) break; ts += w; }
        if (ts < te) {
            /* Trim from the right: step back over whitespace characters. */
            for (;;) {
                size_t k = te;
                if (k > ts && ws_len(b + k - 1, 1) == 1 && b[k - 1] < 0x80) { te = k - 1; continue; }
                if (k >= ts + 2 && b[k - 2] == 0xC2 && (b[k - 1] == 0xA0 || b[k - 1] == 0x85)) { te = k - 2; continue; }
                if (k >= ts + 3 && ws_len(b + k - 3, 3) == 3) { te = k - 3; continue; }
                break;
            }
            ln.ts = ts;
            ln.te = te;
            ln.kind = L_TEXT;
        } else {
            int empty = (e == i) || (e == i + 1 && b[i] == '\r');
            ln.kind = empty ? L_EMPTY : L_WS;
        }
        VEC_PUSH(L, nL, capL, ln, rc, out);
        i = e + 1;
        if (!nl) break;
    }

    if (src->npages >= 3 && (rc = ark_seg_furniture(b, src, L, nL, &C, &nC, &capC))) goto out;
    for (size_t i = 0; i < nL; i++) { /* rule 0b: a letterhead set as a heading is cut */
        if (L[i].kind != L_TEXT) continue;
        const unsigned char *p = b + L[i].ts;
        size_t len = L[i].te - L[i].ts;
        int k = strong_heading(p, len);
        if ((k == H_MD || k == H_BOLD) && letterhead(p, len)) {
            L[i].kind = L_SKIP;
            ark_span c = {L[i].s, L[i].e};
            VEC_PUSH(C, nC, capC, c, rc, out);
        }
    }

    /* 2. Text lines with their gaps and features. */
    unsigned E = 0, W = 0;
    int pb = 0;
    for (size_t i = 0; i < nL; i++) {
        if (L[i].kind == L_SKIP) continue;
        if (L[i].kind == L_EMPTY) { E++; continue; }
        if (L[i].kind == L_WS) {
            W++;
            pb |= memchr(b + L[i].s, '\f', L[i].e - L[i].s) != NULL;
            continue;
        }
        tline t;
        memset(&t, 0, sizeof t);
        t.li = i;
        t.E = E;
        t.W = W;
        const unsigned char *p = b + L[i].ts;
        size_t len = L[i].te - L[i].ts;
        decode(p, len, &t.first);
        t.last = p[len - 1];
        t.trail = L[i].e - L[i].te;
        if (t.trail && b[L[i].e - 1] == '\r') t.trail--;
        t.strong = strong_heading(p, len);
        t.bullet = !t.strong && is_bullet(p, len);
        t.pb = pb;
        VEC_PUSH(T, nT, capT, t, rc, out);
        E = W = 0;
        pb = 0;
    }
    if (nT == 0) goto out;

#define TLEN(k) (L[T[k].li].te - L[T[k].li].ts)

    /* 3. Layout. */
    size_t total = 0, single = 0, soft_single = 0, sumlen = 0;
    for (size_t k = 0; k < nT; k++) {
        sumlen += TLEN(k);
        if (k == 0) continue;
        total++;
        if (T[k].E == 1 && T[k].W == 0) {
            single++;
            if (!sentence_end(T[k - 1].last) || is_lower(T[k].first)) soft_single++;
        }
    }
    int dbl = single >= 4 && single * 2 >= total && soft_single * 2 >= single &&
              sumlen <= 120 * nT;

    /* Does text line k continue the paragraph of line k-1 (gap rule 3)? Across a page
     * break: when k-1 stops mid-sentence and k goes on in lowercase (or k-1 ends in a
     * hyphen or a comma). */
#define PAGE_GLUE(k)                                                                   \
    (!sentence_end(T[(k)-1].last) && T[(k)-1].last != ';' && !T[k].bullet &&           \
     (is_lower(T[k].first) || T[(k)-1].last == '-' || T[(k)-1].last == ','))
#define SOFT_GAP(k) (T[k].pb ? PAGE_GLUE(k) : SOFT_GAP_(k))
#define SOFT_GAP_(k)                                                                   \
    ((T[k].E + T[k].W == 0) ||                                                         \
     (T[k].E == 1 && T[k].W == 0 &&                                                    \
      (dbl ? !(sentence_end(T[(k)-1].last) && T[(k)-1].trail >= 2)                    \
           : (TLEN((k)-1) >= 30 &&                                                     \
              (is_lower(T[k].first) ||                                                 \
               (TLEN((k)-1) >= 50 && TLEN(k) >= 50 && is_letter(T[k].first) &&                          \
                !sentence_end(T[(k)-1].last) && T[(k)-1].last != ';'))))))

    /* 4. Headings: heading span [k, hend[k]] or hend[k] == (size_t)-1. */
    hend = malloc(nT * sizeof *hend);
    if (!hend) { rc = ARK_ENOMEM; goto out; }
    for (size_t k = 0; k < nT; k++) hend[k] = (size_t)-1;
    for (size_t k = 0; k < nT; k++) {
        size_t len = TLEN(k);
        int kind = T[k].strong;
        /* Double-spaced lines are all short; there a heading must be shorter still. */
        if (!kind && !T[k].bullet && len < (dbl ? 60u : 80u) &&
            short_heading_text(b + L[T[k].li].ts, len) &&
            T[k].last != '.' && T[k].last != ',' && T[k].last != ';' && T[k].last != ':' &&
            T[k].last != '-') {
            /* Alone: not a line the gap rule would glue to the one before. */
            int alone = k == 0 || sentence_end(T[k - 1].last) || T[k - 1].strong ||
                        !SOFT_GAP(k);
            /* "Til Økonomiudvalget": an addressee line, not a heading. */
            const unsigned char *lp = b + L[T[k].li].ts;
            if (starts_with(lp, len, "Til ") || starts_with(lp, len, "Kære ") ||
                starts_with(lp, len, "Med venlig"))
                alone = 0;
            if (alone) kind = H_SHORT;
        }
        if (!kind) continue;
        size_t j = k;
        /* One wrapped continuation line: short, lowercase, directly after. */
        if (k + 1 < nT && T[k + 1].E + T[k + 1].W <= (dbl ? 1u : 0u) && T[k + 1].W == 0 &&
            is_lower(T[k + 1].first) && TLEN(k + 1) < 40 && !sentence_end(T[k].last) &&
            T[k + 1].last != ':' && kind != H_MD && kind != H_BOLD &&
            (kind != H_SHORT || !sentence_end(T[k + 1].last)))
            j = k + 1;
        if (kind == H_SHORT) {
            /* Followed by body text, and not the first line of a wrapped paragraph. */
            if (j + 1 >= nT || T[j + 1].strong) continue;
            if (j == k && SOFT_GAP(j + 1) && T[j + 1].E + T[j + 1].W == 0 &&
                is_lower(T[j + 1].first))
                continue;
            size_t nl2 = TLEN(j + 1);
            if (!(T[j + 1].bullet || nl2 >= 50 || sentence_end(T[j + 1].last))) continue;
            if (T[j].last == ':') continue;
        }
        hend[k] = j;
        k = j;
    }

    /* 5. Units. */
    for (size_t k = 0; k < nT;) {
        unit u;
        memset(&u, 0, sizeof u);
        u.s = L[T[k].li].ts;
        size_t j = k;
        if (hend[k] != (size_t)-1) {
            u.type = U_HEAD;
            j = hend[k];
        } else {
            u.type = T[k].bullet ? U_ITEM : U_PARA;
            while (j + 1 < nT && hend[j + 1] == (size_t)-1 && !T[j + 1].bullet && SOFT_GAP(j + 1)) {
                if (T[j + 1].pb) { /* a paragraph across a page: the break is a cut */
                    ark_span c = {L[T[j].li].te, L[T[j + 1].li].ts};
                    VEC_PUSH(C, nC, capC, c, rc, out);
                }
                j++;
            }
        }
        u.e = L[T[j].li].te;
        u.colon = T[j].last == ':';
        u.est = est_len(b, u.s, u.e);
        VEC_PUSH(U, nU, capU, u, rc, out);
        k = j + 1;
    }
    nU = ark_seg_join_interrupted(b, U, nU, &C, &nC, &capC, &rc);
    if (rc) goto out;
    /* The cuts in order; a page break's cut holds that page's header and footer. */
    nC = ark_seg_sort_cuts(C, nC);
    /* 6. Passages per section. */
    {
        long head = -1;
        int head_has_body = 1;
        int have = 0;
        pspan cur = {0, 0, -1, 0, 0};
        size_t cest = 0;
        int clist = 0, ccolon = 0;
        for (size_t k = 0; k <= nU; k++) {
            int flush = k == nU || U[k].type == U_HEAD;
            if (flush) {
                if (have) { cur.est = cest; VEC_PUSH(P, nP, capP, cur, rc, out); }
                have = 0;
                if (!head_has_body) {
                    pspan h = {U[head].s, U[head].e, head, 1, U[head].est};
                    VEC_PUSH(P, nP, capP, h, rc, out);
                }
                if (k == nU) break;
                head = (long)k;
                head_has_body = 0;
                continue;
            }
            const unit *u = &U[k];
            head_has_body = 1;
            if (u->island) { /* what interrupted a sentence: its own passage, unmerged */
                if (have) { cur.est = cest; VEC_PUSH(P, nP, capP, cur, rc, out); }
                have = 0;
                pspan isl = {u->s, u->e, head, 0, u->est};
                while (k + 1 < nU && U[k + 1].island) {
                    k++;
                    isl.e = U[k].e;
                    isl.est += U[k].est + 1;
                }
                VEC_PUSH(P, nP, capP, isl, rc, out);
                continue;
            }
            int last_in_section = k + 1 == nU || U[k + 1].type == U_HEAD;
            if (!have) {
                cur.s = u->s; cur.e = u->e; cur.head = head; cur.self = 0;
                cest = u->est; clist = u->type == U_ITEM; ccolon = u->colon;
                have = 1;
                continue;
            }
            int absorb = cest < 60 ||
                         (u->type == U_ITEM && (clist || ccolon) && cest + u->est < 1000) ||
                         (u->est < 60 && last_in_section);
            if (absorb) {
                cur.e = u->e;
                cest += u->est + 1;
                clist |= u->type == U_ITEM;
                ccolon = u->colon;
                continue;
            }
            cur.est = cest;
            VEC_PUSH(P, nP, capP, cur, rc, out);
            cur.s = u->s; cur.e = u->e; cur.head = head; cur.self = 0;
            cest = u->est; clist = u->type == U_ITEM; ccolon = u->colon;
        }
    }

    /* 7. Split overlong passages at sentence ends (one forward scan each). */
    for (size_t k = 0; k < nP; k++) {
        pspan p = P[k];
        size_t tot = p.self ? 0 : p.est;
        if (tot <= 1500) { VEC_PUSH(Q, nQ, capQ, p, rc, out); continue; }
        size_t ps = p.s, i = p.s, cnt = 0, base = 0;
        size_t sent = 0, sent_cnt = 0, sp = 0, sp_cnt = 0, ci = 0;
        int inws = 0;
        while (i < p.e) {
            if (tot - base <= 1500) break;
            while (ci < nC && C[ci].end <= i) ci++;
            if (ci < nC && C[ci].start <= i && C[ci].start > p.s && C[ci].end < p.e) {
                i = C[ci].end; /* a cut reads as white space, and is never cut into */
                inws = 1;
                continue;
            }
            size_t w = ws_len(b + i, p.e - i);
            if (w) {
                if (!inws && cnt - base >= 200) { sp = i; sp_cnt = cnt; }
                inws = 1;
                i += w;
                continue;
            }
            if (inws) cnt++;
            inws = 0;
            if ((b[i] == '.' || b[i] == '!' || b[i] == '?') && cnt - base >= 200) {
                size_t j = i + 1, w2;
                int gap = 0;
                while (j < p.e && (w2 = ws_len(b + j, p.e - j)) != 0) { j += w2; gap = 1; }
                int32_t c = 0;
                if (gap && j < p.e) decode(b + j, p.e - j, &c);
                if (gap && is_upper(c)) { sent = i + 1; sent_cnt = cnt + 1; }
            }
            cnt++;
            i++;
            size_t cut = 0, cut_cnt = 0;
            if (cnt - base >= 1200 && sent) { cut = sent; cut_cnt = sent_cnt; }
            else if (cnt - base >= 1500) {
                if (sp) { cut = sp; cut_cnt = sp_cnt; }
                else {
                    cut = i;
                    while (cut < p.e && (b[cut] & 0xC0) == 0x80) cut++;
                    cut_cnt = cnt;
                }
            }
            if (cut) {
                pspan a = {ps, cut, p.head, 0, 0};
                VEC_PUSH(Q, nQ, capQ, a, rc, out);
                size_t w3;
                while (cut < p.e && (w3 = ws_len(b + cut, p.e - cut)) != 0) cut += w3;
                ps = i = cut;
                base = cnt = cut_cnt + 1;
                sent = sp = 0;
                inws = 0;
            }
        }
        if (ps < p.e) {
            pspan a = {ps, p.e, p.head, 0, 0};
            VEC_PUSH(Q, nQ, capQ, a, rc, out);
        }
    }

    /* 8. Provenance and text. */
    heads = calloc(nU ? nU : 1, sizeof *heads);
    out->v = calloc(nQ ? nQ : 1, sizeof *out->v);
    if (!heads || !out->v) { rc = ARK_ENOMEM; goto out; }
    {
        size_t li = 0;
        for (size_t k = 0; k < nQ; k++) {
            ark_passage *ap = &out->v[out->n];
            const pspan *q = &Q[k];
            if (q->head >= 0 && !heads[q->head]) {
                size_t hl;
                const unit *hu = &U[q->head];
                if ((rc = ark_norm_mask((const char *)b + hu->s, hu->e - hu->s, src->mask,
                                       &heads[q->head], &hl, NULL)) != 0)
                    goto out;
            }
            if ((rc = ark_seg_text(b, q->s, q->e, C, nC, src->mask, &ap->text, &ap->text_len)))
                goto out;
            if (ap->text_len == 0) { free(ap->text); ap->text = NULL; continue; }
            ap->heading = strdup(q->head >= 0 ? heads[q->head] : "");
            if (!ap->heading) { free(ap->text); ap->text = NULL; rc = ARK_ENOMEM; goto out; }
            ap->ordinal = (uint32_t)out->n;
            ap->start = q->s;
            ap->end = q->e;
            while (li + 1 < nL && L[li + 1].s <= q->s) li++;
            ap->line_start = (uint32_t)(li + 1);
            size_t le = li;
            while (le + 1 < nL && L[le + 1].s <= q->e - 1) le++;
            ap->line_end = (uint32_t)(le + 1);
            ap->page = ark_seg_page_at(src, q->s);
            ap->page_end = ark_seg_page_at(src, q->e - 1);
            out->n++;
        }
    }

    out->cuts = C;
    out->ncuts = nC;
    C = NULL;
out:
    free(C);
    if (rc != 0) {
        ark_passages_free(out);
        ark_err_set(err, rc, "segment: %s", ark_strerror(rc));
    }
    free(hend);
    if (heads)
        for (size_t k = 0; k < nU; k++) free(heads[k]);
    free(heads);
    free(L);
    free(T);
    free(U);
    free(P);
    free(Q);
    return rc;
}

void ark_passages_free(ark_passages *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].heading);
        free(p->v[i].text);
    }
    free(p->v);
    free(p->cuts);
    memset(p, 0, sizeof *p);
}
