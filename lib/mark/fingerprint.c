/*
 * A revision's fingerprinting plan: one template per part (authored slots, or lexicon slots in unmarked
 * prose), the parts' code positions end to end. Renders partners' copies from their codewords and reads a
 * suspect text back into an observation, partner-agnostic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/buf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/lexicon.h"
#include "forewarn/template.h"

struct fw_fingerprint {
	struct fw_template *t[FW_PART_COUNT];
	size_t offset[FW_PART_COUNT];
	size_t positions[FW_PART_COUNT];
	size_t slots[FW_PART_COUNT];
	size_t m;
};

void fw_fingerprint_code(const char *advisory_id, int revision, char out[FW_FINGERPRINT_CODE_MAX])
{
	snprintf(out, FW_FINGERPRINT_CODE_MAX, "%.64s/r%d", advisory_id, revision);
}

/* Prose parts without authored slots get the lexicon's; the PoC is code: only what its author marked. */
static int part_template(enum fw_part p, const char *text, struct fw_template **ret, struct fw_error *err)
{
	struct fw_buf b;
	char field[32];
	int r = 0;

	fw_buf_init(&b, FW_TEMPLATE_MAX);
	if (p != FW_PART_POC)
		r = fw_lexicon_slot(text, strlen(text), &b, NULL);
	else
		r = fw_buf_puts(&b, text);
	if (r == 0)
		r = fw_template_parse(b.data ? b.data : "", b.len, ret, err);
	if (r < 0 && err) {
		snprintf(field, sizeof(field), "parts.%s", fw_part_name(p));
		snprintf(err->field, sizeof(err->field), "%s", field);
	}
	fw_buf_release(&b);
	return r;
}

int fw_fingerprint_new(const struct fw_revision *rev, struct fw_fingerprint **ret, struct fw_error *err)
{
	struct fw_fingerprint *f = calloc(1, sizeof(*f));
	int r = 0;

	if (!f)
		return FW_ENOMEM;
	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++) {
		f->offset[i] = f->m;
		if (!rev->parts[i] || !rev->parts[i][0])
			continue;
		r = part_template((enum fw_part)i, rev->parts[i], &f->t[i], err);
		if (r < 0)
			break;
		f->positions[i] = fw_template_features(f->t[i]);
		f->slots[i] = fw_template_slots(f->t[i]);
		f->m += f->positions[i];
	}
	if (r == 0 && f->m > FW_TARDOS_POSITIONS_MAX)
		r = fw_error_set(err, FW_ETOOBIG, "parts", "more than %u code positions",
		                 FW_TARDOS_POSITIONS_MAX);
	if (r < 0) {
		fw_fingerprint_free(f);
		return r;
	}
	*ret = f;
	return 0;
}

void fw_fingerprint_free(struct fw_fingerprint *f)
{
	if (!f)
		return;
	for (int i = 0; i < FW_PART_COUNT; i++)
		fw_template_free(f->t[i]);
	free(f);
}

size_t fw_fingerprint_positions(const struct fw_fingerprint *f)
{
	return f->m;
}

void fw_fingerprint_part(const struct fw_fingerprint *f, enum fw_part part, size_t *ret_slots,
                         size_t *ret_positions)
{
	*ret_slots = f->slots[part];
	*ret_positions = f->positions[part];
}

int fw_fingerprint_render(const struct fw_fingerprint *f, const unsigned char key[FW_KEY_BYTES],
                          const char *code, const char *partner_id, unsigned parts, struct fw_revision *ret)
{
	char *out[FW_PART_COUNT] = {NULL};
	unsigned char *bits = NULL;
	double *biases = NULL;
	struct fw_buf b;
	int r = 0;

	if (partner_id && f->m) {
		biases = malloc(f->m * sizeof(*biases));
		bits = malloc(f->m);
		r = biases && bits ? 0 : FW_ENOMEM;
		if (r == 0)
			r = fw_tardos_biases(key, code, f->m, biases);
		if (r == 0)
			r = fw_tardos_codeword(key, code, partner_id, biases, f->m, bits);
	}
	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++) {
		if (!f->t[i] || !(parts & (1u << i)))
			continue;
		fw_buf_init(&b, FW_TEMPLATE_TEXT_MAX);
		r = bits ? fw_template_render(f->t[i], bits, f->m, f->offset[i], &b)
		         : fw_template_strip(f->t[i], &b);
		if (r == 0)
			r = fw_buf_steal(&b, &out[i], NULL);
		fw_buf_release(&b);
	}
	free(biases);
	if (bits)
		fw_crypto_wipe(bits, f->m); /* a codeword is as secret as the key that makes it */
	free(bits);
	if (r < 0) {
		for (int i = 0; i < FW_PART_COUNT; i++)
			free(out[i]);
		return r;
	}
	for (int i = 0; i < FW_PART_COUNT; i++) {
		free(ret->parts[i]);
		ret->parts[i] = out[i];
	}
	return 0;
}

int fw_fingerprint_observe(const struct fw_fingerprint *f, const struct fw_template_text *x,
                           unsigned char *obs)
{
	int r = 0;

	memset(obs, FW_TARDOS_UNSEEN, f->m);
	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++)
		if (f->t[i])
			r = fw_template_observe_text(f->t[i], x, f->offset[i], obs, f->m);
	return r;
}
