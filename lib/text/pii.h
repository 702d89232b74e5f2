/* lib/text/pii.h: masking personal data in normalized text (private to lib/text).
 * Owns: finding CPR numbers (and, when asked, e-mail addresses and phone numbers) in
 * text that ark_norm has already cleaned, and overwriting them with 'X'.
 * Not here: the public switch (text.h: ARK_MASK_*, ark_mask_pii), normalization.
 * Why apart from norm.c: the rules of what a CPR number looks like in extracted text
 * are many (separators, dotted dates, letter-spacing, fullwidth digits, repaired
 * line-end hyphens) and deserve one file that says them all. */
#ifndef ARK_TEXT_PII_H
#define ARK_TEXT_PII_H

#include <stddef.h>
#include <stdint.h>

/* Mask s[0, len) in place and return the new length (never longer: a fullwidth digit
 * of three bytes becomes one 'X'). map, when not NULL, is the byte map of ark_norm and
 * is compacted alongside s. joins[0, njoins) are the sorted offsets in s of hyphens
 * that ark_norm kept from a line-end hyphenation between two digits ("2001-⏎901119"):
 * inside a number they join its parts instead of separating them. what is a set of
 * ARK_MASK_* flags. */
size_t ark_pii_mask(char *s, size_t len, uint32_t *map, const size_t *joins, size_t njoins,
                    unsigned what);

#endif
