/*
 * A partner's copy of an advisory: what it may see now (the policy's one access decision), the exact bytes
 * (fingerprinted for it until T, neutral after), and their signature. Shared by the partner routes
 * (src/routes_partner.c) and the webhook sender (src/webhook.c), so both serve the very same bytes.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/csaf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/signing.h"
#include "copy.h"

int copy_plan(struct fw_store *s, const struct fw_partner *partner, const char *advisory_id, int poc,
              int64_t now_ms, struct copy_plan *p)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->poc = poc;
	p->now_ms = now_ms;
	p->now = p->now_ms / 1000;
	r = cache_policy(s, &p->pol);
	if (r < 0)
		return r;
	r = fw_slug_valid(advisory_id) ? cache_advisory(s, advisory_id, &p->c) : FW_ENOENT;
	if (r < 0)
		return r == FW_ENOENT ? 1 : r;
	p->parts = fw_policy_access(&p->pol->ctx, partner, &p->c->adv, p->c->adv.parts, p->now, NULL);
	if (!p->parts || (poc && !(p->parts & (1u << FW_PART_POC))))
		return 1;
	p->public_copy = fw_policy_is_public(&p->c->adv, p->now);
	snprintf(p->key, sizeof(p->key), "%s|%s|%d|%u|%d", partner->id, p->c->adv.id, p->c->adv.revision,
	         p->parts, p->public_copy);
	return 0;
}

int copy_render(const struct server *srv, const struct fw_partner *partner, const struct copy_plan *p,
                struct fw_buf *out)
{
	const struct cached_advisory *c = p->c;
	struct fw_revision mine;
	char code[FW_FINGERPRINT_CODE_MAX];
	int r;

	/* The partner's own fingerprinted texts; after T everyone gets the same, neutral ones. */
	memset(&mine, 0, sizeof(mine));
	memcpy(mine.advisory_id, c->rev.advisory_id, sizeof(mine.advisory_id));
	mine.number = c->rev.number;
	mine.created_at = c->rev.created_at;
	memcpy(mine.note, c->rev.note, sizeof(mine.note));
	fw_fingerprint_code(c->adv.id, c->adv.revision, code);
	r = fw_fingerprint_render(c->fp, srv->mark_key, code, p->public_copy ? NULL : partner->id,
	                          p->poc ? 1u << FW_PART_POC : p->parts, &mine);
	if (r == 0 && p->poc) {
		r = fw_buf_puts(out, mine.parts[FW_PART_POC] ? mine.parts[FW_PART_POC] : "");
	} else if (r == 0) {
		struct fw_render_in in = {
		    .publisher_name = srv->publisher_name,
		    .publisher_namespace = srv->publisher_namespace,
		    .partner = partner,
		    .advisory = &c->adv,
		    .revision = &mine,
		    .history = c->history,
		    .nhistory = c->nhistory,
		    .parts = p->parts,
		    .public_copy = p->public_copy,
		    .now = p->now,
		};
		r = fw_csaf_render(&in, out);
	}
	fw_revision_release(&mine);
	return r;
}

int copy_signature(const struct server *srv, const unsigned char sha256[32], const char *data, size_t len,
                   unsigned char ret_sig[FW_ED25519_SIG_BYTES])
{
	int r;

	if (cache_signature_get(sha256, ret_sig) == 0)
		return 0;
	r = fw_signer_sign(srv->signer, data, len, ret_sig);
	if (r == 0)
		cache_signature_put(sha256, ret_sig);
	return r;
}
