/* include/arkivar/schema.h: what an Arkivar index holds, named once.
 * Owns: the term prefixes, the value slots, the metadata keys, the index format version
 * and the limits on ids and terms. The indexer writes by these names and the search
 * reads by them; no other file spells a prefix.
 * Not here: how a word becomes its terms (analysis.h), the bytes of a stored passage or
 * document record (record.h), Xapian (index.h).
 *
 * A passage is one Xapian document:
 *   word          the lowercase word as written, with positions (phrases)
 *   Z + stem      its Snowball stem, with positions (phrases meet inflections)
 *   F + folded    the word with æ/ø/å/é... folded ("okonomi"), counts only
 *   P + part      a compound's parts ("skolemad" in "skolemadsordningen"), counts only
 *   W + exact + " " + as written    how the text writes a word when that is not its exact
 *                 term ("Wøkf ØKF", "Wsøren Søren"; "" when a capital only starts a
 *                 sentence), "-" appended when a hyphen follows it ("Wsundheds Sundheds-"
 *                 of "Sundheds- og"), boolean (no weight, no length: BM25 never sees it):
 *                 the case completions show and the suspended heads they leave out
 *   D + doc id    boolean: every passage of a document (list, delete, scope a search)
 *   Q + doc id + "#" + ordinal    boolean: the passage's unique id
 *   XT, XY, XS, XU + lowercase value    boolean filters: type, year, case, committee
 *   XF + lowercase "key=value"          boolean: a free field of the metadata (felt:)
 * The index's metadata holds each document's record under D + doc id, the acronym
 * definitions its text gives under A + doc id (ARK_META_ACRONYMS), and "format", "mask"
 * and "ndocs". */
#ifndef ARKIVAR_SCHEMA_H
#define ARKIVAR_SCHEMA_H

/* Prefixes of the analysed terms: one capital letter before the form. */
#define ARK_PFX_STEM 'Z'
#define ARK_PFX_FOLD 'F'
#define ARK_PFX_PART 'P'
#define ARK_PFX_WRITTEN 'W'
#define ARK_MAX_WRITTEN 240 /* bytes of a W term; a longer written form has none */

/* Prefixes of the boolean terms, as strings to paste. */
#define ARK_PFX_DOC "D"        /* also the metadata key of the document's record */
#define ARK_PFX_UID "Q"
#define ARK_PFX_TYPE "XT"
#define ARK_PFX_YEAR "XY"
#define ARK_PFX_CASE "XS"
#define ARK_PFX_COMMITTEE "XU"
#define ARK_PFX_FIELD "XF"     /* + lowercase "key=value" of a free metadata field */

/* Value slots of a passage. */
enum {
    ARK_SLOT_DOC = 0,   /* document id: collapse key */
    ARK_SLOT_DATE = 1,  /* "20260624" sortable, "" when undated */
    ARK_SLOT_TYPE = 2,  /* document type */
    ARK_SLOT_YEAR = 3,  /* "2026" for facets */
};

/* Metadata keys of the index itself. */
#define ARK_META_FORMAT "format" /* ARK_INDEX_FORMAT of the writer */
#define ARK_META_MASK "mask"     /* what was masked: "cpr" or "cpr,contacts" */
#define ARK_META_NDOCS "ndocs"   /* documents, for /health without walking the records */
/* + doc id: the acronym definitions the document's text gives (lib/text/acronym.c), one
 * "SF\tlong form\n" line each, as written, each pair once, at most ARK_ACRONYMS_PER_DOC;
 * absent when it gives none. Written and removed with the document's passages, so what
 * the engine learns from them (lib/search/learned.c) follows every update and removal. */
#define ARK_META_ACRONYMS "A"
#define ARK_ACRONYMS_PER_DOC 32

/* The index layout's version. The indexer re-indexes everything when it finds another;
 * the server refuses to serve another. */
#define ARK_INDEX_FORMAT "9" /* 4: document records name their root (record v2); 5: the
                                * compound vocabulary is the whole run's (compound parts differ);
                                * 6: one apostrophe in terms (ark_lower: "kl’s" is "kl's");
                                * 7: W terms, the written forms (completions keep case);
                                * 8: a document's acronym definitions (ARK_META_ACRONYMS);
                                * 9: a word's exact form has no positions (its stem holds
                                * them; ark_an_exact_counted) */

#define ARK_MAX_ID 200   /* bytes of a document id (Xapian keys and terms stop at 245) */
#define ARK_MAX_TERM 120 /* bytes of a term's form; longer tokens are cut at a character */

/* Room for any prefixed term or key: the longest prefix, an id or form, "#" and an
 * ordinal, the NUL. */
#define ARK_TERM_BUF (ARK_MAX_ID + 16)

#endif
