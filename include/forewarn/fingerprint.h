/*
 * Fingerprinted copies (docs/templates.md): a revision's parts as templates, the authored slots, or in
 * unmarked prose the slots the built-in lexicon finds (never in the PoC, whose author marks it), their code
 * positions laid end to end in part order (summary, details, detection, poc). A partner's copy renders every
 * slot from its Tardos codeword; a trace reads the same positions back from a suspect text.
 */
#ifndef FW_FINGERPRINT_H
#define FW_FINGERPRINT_H

#include <stddef.h>
#include "forewarn/crypto.h"
#include "forewarn/model.h"
#include "forewarn/tardos.h"

struct fw_fingerprint;

/* The code of a revision is named "<advisory id>/r<number>": the label of its biases and codewords. */
#define FW_FINGERPRINT_CODE_MAX (FW_ID_MAX + 16)
void fw_fingerprint_code(const char *advisory_id, int revision, char out[FW_FINGERPRINT_CODE_MAX]);

/*
 * fw_fingerprint_new: the plan of the revision's parts (those present). A syntax error in an authored slot is
 * FW_EINVAL with err naming the part ("parts.details") and the line and column. The caller frees *ret.
 */
FW_WUR int fw_fingerprint_new(const struct fw_revision *rev, struct fw_fingerprint **ret,
                              struct fw_error *err);
void fw_fingerprint_free(struct fw_fingerprint *f);

/* fw_fingerprint_positions: the code length m; fw_fingerprint_part: one part's slots and positions. */
size_t fw_fingerprint_positions(const struct fw_fingerprint *f);
void fw_fingerprint_part(const struct fw_fingerprint *f, enum fw_part part, size_t *ret_slots,
                         size_t *ret_positions);

/*
 * fw_fingerprint_render: the parts in `parts` as partner_id's copy of code `code` under the marking key into
 * ret->parts (heap strings, the caller's: fw_revision_release); with partner_id NULL the neutral copy (every
 * slot at its first variant: the public copy, where fingerprints no longer matter). Other fields of ret are
 * left alone. Deterministic: byte-identical on every call.
 */
FW_WUR int fw_fingerprint_render(const struct fw_fingerprint *f, const unsigned char key[FW_KEY_BYTES],
                                 const char *code, const char *partner_id, unsigned parts,
                                 struct fw_revision *ret);

/*
 * fw_fingerprint_observe: reads the code positions a suspect text shows (prepared once with
 * fw_template_text_new) into obs (fw_fingerprint_positions bytes), without looking at any codeword.
 */
struct fw_template_text;
FW_WUR int fw_fingerprint_observe(const struct fw_fingerprint *f, const struct fw_template_text *x,
                                  unsigned char *obs);

#endif
