/*
 * The built-in lexicon of leak tracing (DESIGN.md "Fingerprinting", prose carriers): finds slots in unmarked
 * advisory prose by itself. Every word, phrase, spelling or date of the lexicon found in the prose becomes an
 * alternatives slot `{{present|other|...}}` of the template syntax (lib/mark/template.c); load-bearing spans
 * (CVE ids, versions, hex numbers, hashes, URLs, e-mail addresses, paths, IP addresses, code spans and
 * blocks, quoted strings) never vary. The lexicon and its review rules: docs/templates-lexicon.md. Pure
 * functions, no global state: thread-safe.
 */
#ifndef FW_LEXICON_H
#define FW_LEXICON_H

#include <stddef.h>
#include "forewarn/buf.h"
#include "forewarn/err.h"

/* Limits: the longest prose accepted (bytes), and the most slots one call makes (later matches stay text). */
#define FW_LEXICON_PROSE_MAX (1u << 20)
#define FW_LEXICON_SLOTS_MAX 4096u

/*
 * fw_lexicon_slot: turns the unmarked prose (len bytes without a NUL byte, need not be NUL-terminated; NULL
 * when len is 0) into a template and appends it to out. Each occurrence of a lexicon variant becomes a slot
 * listing all variants of its group, the one present in the text first and byte for byte as it was, then the
 * others in lexicon order; a capitalised occurrence (sentence start) gets capitalised variants. Every literal
 * "{{" outside the slots is written as the escape "{{{{". So rendering every slot with its first option and
 * unescaping gives back the prose exactly. *ret_slots (ret_slots may be NULL) gets the number of slots, at
 * most FW_LEXICON_SLOTS_MAX.
 *
 * Matching: whole words (a variant never matches inside a word, a hyphenated compound, an identifier or a
 * file name), case-sensitive except for a capitalised first letter, which is accepted at the start of a
 * sentence only (a capitalised word inside a sentence is taken for a name); longest variant first, left to
 * right; some groups only in a context (before or after a version number, before a plural noun, at the start
 * of a sentence). Nothing matches in or overlaps a load-bearing span: fenced (``` or ~~~) and indented (4
 * spaces or a tab) code lines, `code spans`, "double-quoted", 'single-quoted' and curly-quoted strings, and
 * any whitespace-delimited token with a digit next to a letter (CVE ids, 0x offsets, hashes, identifiers), a
 * digit '.' digit (versions, IPv4 addresses), a ':' between letters or digits (IPv6, times), a '.' followed
 * by two letters or digits (host and file names), a run of 5 digits, or any of / \ = < > { } $ % # & ~ ^ | _
 * @ (URLs, paths, e-mail addresses, options).
 *
 * A canary-facts directive (fw_template_facts_directive) passes through unchanged and is no slot.
 * Authored templates are not auto-slotted: prose already holding a slot (a "{{" other than the escape
 * "{{{{" or a directive, closed by a later "}}") is appended unchanged with *ret_slots = 0, since its author
 * chose its slots and escapes. A "{{" never closed is literal text and gets escaped. So the function is
 * idempotent on its own output when that output holds a slot; output without a slot is prose with escapes,
 * and slotting it again escapes them again.
 *
 * The template is longer than the prose: an out with maximum FW_TEMPLATE_MAX (template.h) gets FW_ETOOBIG
 * rather than a template fw_template_parse refuses. Deterministic: the same prose gives the same template.
 * Returns 0; FW_EINVAL (NULL out, NULL prose with len > 0, or a NUL byte, which no template may hold),
 * FW_ETOOBIG (len > FW_LEXICON_PROSE_MAX, or out's own maximum reached), FW_ENOMEM. On failure out is left
 * as it was and *ret_slots is not written.
 */
FW_WUR int fw_lexicon_slot(const char *prose, size_t len, struct fw_buf *out, size_t *ret_slots);

/* fw_lexicon_groups: the number of groups of the built-in lexicon (date formats count as one group). */
size_t fw_lexicon_groups(void);

/*
 * fw_lexicon_group: group i (0 <= i < fw_lexicon_groups()) as its variants joined by '|' ("allows|permits";
 * the date group shows its four forms on one date), or NULL when i is out of range. *ret_note (ret_note
 * may be NULL) gets the group's review note: why the variants keep their meaning, and in which context they
 * are recognised. Both strings are static.
 */
const char *fw_lexicon_group(size_t i, const char **ret_note);

#endif
