/*
 * Variation slots in the parts of an advisory (docs/templates.md): an author's template marks harmless
 * variation (alternatives, canary values, item order, integer literal bases); rendering with a partner's
 * codeword bits gives that partner's copy, and extraction reads the bits back from a suspect text without
 * knowing any codeword (DESIGN.md "Fingerprinting"). Parsed templates and prepared texts are immutable:
 * every function here is thread-safe on shared ones. No I/O; the constant canary pools are built once.
 */
#ifndef FW_TEMPLATE_H
#define FW_TEMPLATE_H

#include <stddef.h>
#include "forewarn/buf.h"
#include "forewarn/err.h"

/* Limits: bytes of a template, slots of one template (one part), options of an alternative, items of an
 * order block, the largest {{int:N}}, bytes of a suspect text given to extraction. */
#define FW_TEMPLATE_MAX         (1u << 20)
#define FW_TEMPLATE_SLOTS_MAX   4096
#define FW_TEMPLATE_OPTIONS_MAX 256
#define FW_TEMPLATE_ITEMS_MAX   8
#define FW_TEMPLATE_INT_MAX     2147483648u
#define FW_TEMPLATE_TEXT_MAX    (8u << 20)
/* Every canary kind has this many values (8 features); a value is at most FW_TEMPLATE_CANARY_LEN - 1 bytes.
 */
#define FW_TEMPLATE_CANARY_VALUES 256
#define FW_TEMPLATE_CANARY_LEN    48

struct fw_template;
struct fw_template_text;

/*
 * fw_template_parse: parses the template text (len bytes, need not be NUL-terminated) of one part. On success
 * *ret is a new template the caller frees with fw_template_free. Returns 0; FW_EINVAL for a syntax error,
 * with err (may be NULL) naming field "template" and a message "line L, column C: reason" (lines from 1,
 * columns in UTF-8 characters from 1); FW_ETOOBIG over FW_TEMPLATE_MAX bytes, FW_TEMPLATE_SLOTS_MAX slots or
 * another limit (err filled likewise); FW_ENOMEM. *ret is written only on success.
 */
FW_WUR int fw_template_parse(const char *text, size_t len, struct fw_template **ret, struct fw_error *err);

/* fw_template_free: frees t; accepts NULL. */
void fw_template_free(struct fw_template *t);

/*
 * fw_template_features: the number of binary features (code positions) t reads from a codeword: the sum over
 * its slots of floor(log2 q) for q options, 8 per canary, 1 per {{int:N}}, floor(log2 n!) per order block of
 * n items. fw_template_slots: the number of slots ({{...}} other than the order separators; an order block
 * and each slot inside it count one each). Both are what the operator sees per part before release.
 */
size_t fw_template_features(const struct fw_template *t);
size_t fw_template_slots(const struct fw_template *t);

/*
 * fw_template_render: appends to out the copy of t for the codeword bits (nbits bytes, each 0 or 1), reading
 * t's features from bits[offset .. offset + fw_template_features(t)); a slot's k features, first one most
 * significant, select its variant. With bits NULL (nbits and offset ignored) renders the neutral copy, all
 * features 0, for previews. Deterministic: the same bits give the same bytes. Returns 0; FW_EINVAL (a bit
 * not 0 or 1, or the range past nbits); FW_ETOOBIG or FW_ENOMEM from out, which is then left as it was.
 */
FW_WUR int fw_template_render(const struct fw_template *t, const unsigned char *bits, size_t nbits,
                              size_t offset, struct fw_buf *out);

/* fw_template_strip: fw_template_render with bits NULL: the neutral copy, every slot at its first variant. */
FW_WUR int fw_template_strip(const struct fw_template *t, struct fw_buf *out);

/*
 * fw_template_text_new: prepares a suspect text (len bytes, any content) for extraction: normalised (ASCII
 * case folded, whitespace kept only as one space between word characters, JSON escapes, typographic quotes,
 * Unicode spaces and invisible characters mapped: docs/templates.md) and indexed, in time and memory linear
 * in len. Prepare once, then observe it against every template (every part of every advisory) a trace
 * considers. The caller frees *ret with fw_template_text_free. Returns 0; FW_ETOOBIG over
 * FW_TEMPLATE_TEXT_MAX bytes; FW_ENOMEM. *ret is written only on success.
 */
FW_WUR int fw_template_text_new(const char *suspect, size_t len, struct fw_template_text **ret);

/* fw_template_text_free: frees x; accepts NULL. */
void fw_template_text_free(struct fw_template_text *x);

/*
 * fw_template_observe_text: partner-agnostic extraction. For each slot of t, decides from the text x alone
 * which variant it shows and writes the slot's features into obs[offset .. offset + fw_template_features(t))
 * as FW_TARDOS_OBS_0 or FW_TARDOS_OBS_1, or FW_TARDOS_UNSEEN where it cannot tell (slot absent, ambiguous, or
 * a variant no codeword selects). A slot is read through its fixed context in the template: exactly one
 * variant must occur between the context's two sides (or next to one side, when the other is cut off or
 * reworded); a canary whose kind occurs once in t (ports excepted) is also read where exactly one value of
 * its pool occurs anywhere in x; an order block is read when every item is found once. m is the length of
 * obs; nothing outside the range is touched. Time about linear in the text and template sizes, with a work
 * budget that leaves the remaining slots unseen on pathological input. Returns 0; FW_EINVAL (the range past
 * m); FW_ENOMEM. obs is written only on success.
 */
FW_WUR int fw_template_observe_text(const struct fw_template *t, const struct fw_template_text *x,
                                    size_t offset, unsigned char *obs, size_t m);

/* fw_template_observe: fw_template_text_new on suspect, then fw_template_observe_text; same returns, and
 * FW_ETOOBIG for a suspect over FW_TEMPLATE_TEXT_MAX bytes. */
FW_WUR int fw_template_observe(const struct fw_template *t, const char *suspect, size_t len, size_t offset,
                               unsigned char *obs, size_t m);

/*
 * fw_template_canary: the value number index (0 to FW_TEMPLATE_CANARY_VALUES - 1) of the built-in pool of
 * canary kind ("ipv4", "host", "user", "file", "marker", "port"), NUL-terminated into ret_value. Pools are
 * constants: RFC 5737 documentation addresses, names under example.com/.net/.org, and so on. Returns 0 or
 * FW_EINVAL (unknown kind, index out of range); ret_value is written only on success.
 */
FW_WUR int fw_template_canary(const char *kind, unsigned index, char ret_value[FW_TEMPLATE_CANARY_LEN]);

/*
 * fw_template_facts_directive: the length of the well-formed canary-facts directive ("{{canaries}}", or
 * "{{canaries:KIND,...}}" with distinct known kinds) that s[0 .. n) starts with, or 0 when it starts with
 * none. The directive is where an author allows Forewarn to insert canary facts: the parser expands it into
 * one sentence holding a canary slot per kind (default host, ipv4, user, file); the lexicon passes it
 * through without counting it as an authored slot. Pure, thread-safe.
 */
size_t fw_template_facts_directive(const char *s, size_t n);

#endif
