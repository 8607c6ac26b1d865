/*
 * Partner routes (partner token): the inbox and the partner's own copies, signed (and sealed on request),
 * with their signatures. Whatever the partner may not see answers exactly like an advisory that does not
 * exist. deliver_copy() is the one place a copy leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/csaf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/json.h"
#include "forewarn/seal.h"
#include "forewarn/signing.h"
#include "forewarn/timeutil.h"
#include "cache.h"
#include "copy.h"
#include "inbox_list.h"
#include "server.h"

/* 404, not 403: ids must not be probeable. The same bytes whether the advisory exists or not. */
static int not_found(struct request *rq)
{
	return reply_error(rq, 404, "not_found", NULL, "not found");
}

static int inbox(struct request *rq)
{
	const struct fw_ops_policy *pol;
	struct inbox_list *l;
	int r;

	r = cache_policy(rq->store, &pol);
	if (r == 0)
		r = inbox_list_get(rq->store, &l);
	if (r < 0)
		return r;
	r = fw_buf_puts(&rq->out, "{\"advisories\":[");
	if (r == 0)
		r = inbox_list_write(l, &pol->ctx, &rq->partner, fw_time_now(), &rq->out);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	inbox_list_put(l);
	return r < 0 ? r : reply_json(rq, 200);
}

/*
 * plan_copy: decides what the partner may see of advisory rq->params[0] now (copy_plan). 0 with *p filled; 1
 * when the partner may see nothing of it (404 already replied); or a negative FW_E* code.
 */
static int plan_copy(struct request *rq, int poc, struct copy_plan *p)
{
	int r = copy_plan(rq->store, &rq->partner, rq->params[0], poc, fw_time_now_ms(), p);

	return r == 1 ? (not_found(rq), 1) : r;
}

static int render_copy(struct request *rq, const struct copy_plan *p, struct fw_buf *out)
{
	return copy_render(rq->srv, &rq->partner, p, out);
}

/*
 * sign_and_seal: the last step before the recorded copy in rq->out is served: its signature in
 * Forewarn-Signature; or, for a sealed request, the copy sealed to the partner's key in its place, the
 * signature of the sealed bytes in Forewarn-Signature and the copy's own in Forewarn-Content-Signature.
 */
static int sign_and_seal(struct request *rq)
{
	const char *keyid = fw_signer_keyid(rq->srv->signer);
	const char *data = rq->out.data ? rq->out.data : "";
	unsigned char sig[FW_ED25519_SIG_BYTES];
	struct fw_buf sealed;
	int r = copy_signature(rq->srv, rq->job.sha256, data, rq->out.len, sig);

	if (r < 0)
		return r;
	if (!rq->sealed) {
		fw_sign_header(keyid, sig, rq->sig_header);
		return 0;
	}
	fw_sign_header(keyid, sig, rq->content_sig_header);
	/* A sealed box is random: its signature is made for each download, never cached. */
	fw_buf_init(&sealed, FW_RESPONSE_MAX);
	r = fw_seal_to_buf(rq->seal_pk, data, rq->out.len, &sealed);
	if (r == 0)
		r = fw_signer_sign(rq->srv->signer, sealed.data, sealed.len, sig);
	if (r < 0) {
		fw_buf_release(&sealed);
		return r;
	}
	fw_buf_release(&rq->out);
	rq->out = sealed;
	fw_sign_header(keyid, sig, rq->sig_header);
	rq->content_type = "application/octet-stream";
	return 0;
}

/*
 * want_sealed: on the first run of a download, reads ?sealed= and, for a sealed one, the partner's key.
 * 0 to go on; 1 when it has replied (400 for a bad value, 409 when no key is registered); or FW_E*.
 */
static int want_sealed(struct request *rq)
{
	const char *v = request_query(rq, "sealed");
	struct fw_seal_key k;
	int r;

	rq->sealed = 0;
	if (!v || strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	if (strcmp(v, "1") != 0 && strcmp(v, "true") != 0)
		return reply_error(rq, 400, "invalid", "sealed", "must be 1 or 0 (or true or false)"), 1;
	/* Before the advisory is even looked at: this answer says nothing about which ids exist. */
	r = fw_ops_seal_key_get(rq->store, rq->partner.id, &k);
	if (r == FW_ENOENT)
		return reply_error(rq, 409, "no_seal_key", "sealed",
		                   "no sealing key is registered for this partner: register an X25519 public "
		                   "key with PUT /api/v1/me/seal-key first"),
		       1;
	if (r < 0)
		return r;
	memcpy(rq->seal_pk, k.pk, sizeof(rq->seal_pk));
	rq->sealed = 1;
	return 0;
}

/*
 * deliver_copy: the one place a copy leaves the system. Decides what the partner may see now, records the
 * delivery and the download durably (group commit), then serves the partner's own copy (poc = 0) or its PoC
 * (poc = 1), signed, and sealed to the partner's key when asked.
 */
static int deliver_copy(struct request *rq, int poc)
{
	const unsigned char *copy_sha256;
	struct copy_plan p;
	const char *copy;
	size_t len;
	int r, have_copy;

	if (!rq->recorded) {
		r = want_sealed(rq);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	r = plan_copy(rq, poc, &p);
	if (r != 0)
		return r < 0 ? r : 0;
	/* A cached copy means this delivery was recorded before it was first served. */
	have_copy = cache_copy_get(p.key, &copy, &len, &copy_sha256) == 0;
	rq->content_type = poc ? "text/plain; charset=utf-8" : "application/json";
	/* T may have passed while the record was written: then the copy in hand is stale, render again. */
	if (rq->recorded && rq->job.revision == p.c->adv.revision && rq->job.parts == p.parts &&
	    rq->rendered_public == p.public_copy && strcmp(rq->job.advisory_id, p.c->adv.id) == 0) {
		/* Back from the recorder: the bytes in rq->out are the ones whose hash the log now holds. */
		if (!poc && !have_copy)
			cache_copy_put(p.key, rq->out.data, rq->out.len, rq->job.sha256);
		r = sign_and_seal(rq);
		if (r < 0)
			return r;
		rq->status = 200;
		return 0;
	}
	/* First the exact bytes, then their record (with their SHA-256), and only then are they served (I3).
	 */
	fw_buf_reset(&rq->out);
	rq->rendered_public = p.public_copy;
	if (poc || !have_copy)
		r = render_copy(rq, &p, &rq->out);
	else
		r = fw_buf_append(&rq->out, copy, len);
	if (r < 0)
		return r;
	{
		struct fw_download_job *j = &rq->job;
		memset(j, 0, sizeof(*j));
		memcpy(j->partner_id, rq->partner.id, sizeof(j->partner_id));
		memcpy(j->advisory_id, p.c->adv.id, sizeof(j->advisory_id));
		j->revision = p.c->adv.revision;
		j->parts = p.parts;
		j->due_at = fw_ops_due_at(&p.pol->ctx, &rq->partner, &p.c->adv, p.now);
		snprintf(j->what, sizeof(j->what), "%s", poc ? "poc" : "csaf");
		snprintf(j->address, sizeof(j->address), "%s", rq->address);
		j->now_ms = p.now_ms;
		j->delivered = have_copy;
		j->sealed = rq->sealed;
		if (have_copy && !poc)
			memcpy(j->sha256, copy_sha256, sizeof(j->sha256));
		else
			fw_sha256(rq->out.data ? rq->out.data : "", rq->out.len, j->sha256);
	}
	return request_defer(rq);
}

/*
 * copy_sig: the companion of a copy (or PoC) route: the signature document of exactly the bytes that route
 * serves this partner now, under the same access decision (plan_copy), so it answers 404 exactly when the
 * copy would. It serves no content, so it is not a download: nothing is recorded (docs/api.md).
 */
static int copy_sig(struct request *rq, int poc)
{
	const unsigned char *sha256;
	struct fw_signature d;
	struct copy_plan p;
	struct fw_buf bytes;
	const char *data;
	size_t len;
	int r = plan_copy(rq, poc, &p);

	if (r != 0)
		return r < 0 ? r : 0;
	memset(&d, 0, sizeof(d));
	fw_buf_init(&bytes, FW_RESPONSE_MAX);
	/* Never put in the copy cache here: a cached copy stands for a recorded delivery. */
	if (!poc && cache_copy_get(p.key, &data, &len, &sha256) == 0) {
		memcpy(d.sha256, sha256, sizeof(d.sha256));
	} else {
		r = render_copy(rq, &p, &bytes);
		data = bytes.data ? bytes.data : "";
		len = bytes.len;
		fw_sha256(data, len, d.sha256);
	}
	if (r == 0)
		r = copy_signature(rq->srv, d.sha256, data, len, d.sig);
	fw_buf_release(&bytes);
	if (r < 0)
		return r;
	d.have_digest = 1;
	d.size = len;
	snprintf(d.key_id, sizeof(d.key_id), "%s", fw_signer_keyid(rq->srv->signer));
	snprintf(d.advisory, sizeof(d.advisory), "%s", p.c->adv.id);
	d.revision = p.c->adv.revision;
	snprintf(d.what, sizeof(d.what), "%s", poc ? "poc" : "csaf");
	r = fw_signature_write(&d, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

/*
 * The partner's own record: who it is to the server, and the salt from which it recomputes its reference in
 * the transparency log (docs/log.md). Only the partner itself ever sees its salt.
 */
static int me(struct request *rq)
{
	char salt[FW_PARTNER_SALT_HEX], ref[FW_PARTNER_REF_HEX];
	int r = fw_ops_partner_ref(rq->store, rq->partner.id, salt, ref);

	if (r == 0)
		r = fw_buf_puts(&rq->out, "{\"partner\":");
	if (r == 0)
		r = fw_json_partner_write(&rq->partner, &rq->out);
	if (r == 0)
		r = fw_buf_printf(&rq->out, ",\"log_salt\":\"%s\",\"log_ref\":\"%s\"}", salt, ref);
	fw_crypto_wipe(salt, sizeof(salt));
	return r < 0 ? r : reply_json(rq, 200);
}

static int inbox_copy(struct request *rq)
{
	return deliver_copy(rq, 0);
}

static int inbox_poc(struct request *rq)
{
	return deliver_copy(rq, 1);
}

static int inbox_copy_sig(struct request *rq)
{
	return copy_sig(rq, 0);
}

static int inbox_poc_sig(struct request *rq)
{
	return copy_sig(rq, 1);
}

const struct route partner_routes[] = {
    {"GET", "/api/v1/me", ROLE_PARTNER, me, 0},
    {"GET", "/api/v1/inbox", ROLE_PARTNER, inbox, 0},
    {"GET", "/api/v1/inbox/*", ROLE_PARTNER, inbox_copy, 0},
    {"GET", "/api/v1/inbox/*/poc", ROLE_PARTNER, inbox_poc, 0},
    {"GET", "/api/v1/inbox/*/sig", ROLE_PARTNER, inbox_copy_sig, 0},
    {"GET", "/api/v1/inbox/*/poc/sig", ROLE_PARTNER, inbox_poc_sig, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
