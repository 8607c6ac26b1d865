/*
 * Partner routes (partner token): the inbox and the partner's own copies. Whatever the partner may not see
 * answers exactly like an advisory that does not exist. deliver_copy() is the one place a copy leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/csaf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/json.h"
#include "forewarn/timeutil.h"
#include "cache.h"
#include "server.h"

/* 404, not 403: ids must not be probeable. The same bytes whether the advisory exists or not. */
static int not_found(struct request *rq)
{
	return reply_error(rq, 404, "not_found", NULL, "not found");
}

struct inbox_ctx {
	struct request *rq;
	const struct fw_ops_policy *pol;
	int64_t now;
	size_t n;
};

static int inbox_item(void *ctx, const struct fw_advisory *a)
{
	struct inbox_ctx *c = ctx;
	unsigned parts = fw_policy_access(&c->pol->ctx, &c->rq->partner, a, a->parts, c->now, NULL);
	int r;

	if (!parts)
		return 0;
	r = c->n++ ? fw_buf_puts(&c->rq->out, ",") : 0;
	if (r == 0)
		r = fw_json_inbox_item_write(a, parts, fw_policy_is_public(a, c->now), &c->rq->out);
	return r;
}

static int inbox(struct request *rq)
{
	const struct fw_ops_policy *pol;
	struct inbox_ctx c;
	int r;

	r = cache_policy(rq->store, &pol);
	if (r < 0)
		return r;
	c = (struct inbox_ctx){rq, pol, fw_time_now(), 0};
	r = fw_buf_puts(&rq->out, "{\"advisories\":[");
	if (r == 0)
		r = fw_store_advisory_each(rq->store, 1, inbox_item, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

/*
 * deliver_copy: the one place a copy leaves the system. Decides what the partner may see now, records the
 * delivery and the download durably (group commit), then serves the partner's own copy (what = "csaf") or
 * its PoC (what = "poc").
 */
static int deliver_copy(struct request *rq, const char *what)
{
	const struct cached_advisory *c;
	const struct fw_ops_policy *pol;
	const unsigned char *copy_sha256;
	const char *copy;
	char key[256];
	size_t len;
	unsigned parts;
	int64_t now_ms = fw_time_now_ms(), now = now_ms / 1000;
	int r, poc = strcmp(what, "poc") == 0, public_copy, have_copy;

	r = cache_policy(rq->store, &pol);
	if (r < 0)
		return r;
	r = fw_slug_valid(rq->params[0]) ? cache_advisory(rq->store, rq->params[0], &c) : FW_ENOENT;
	if (r < 0)
		return r == FW_ENOENT ? not_found(rq) : r;
	parts = fw_policy_access(&pol->ctx, &rq->partner, &c->adv, c->adv.parts, now, NULL);
	if (!parts || (poc && !(parts & (1u << FW_PART_POC))))
		return not_found(rq);
	public_copy = fw_policy_is_public(&c->adv, now);
	snprintf(key, sizeof(key), "%s|%s|%d|%u|%d", rq->partner.id, c->adv.id, c->adv.revision, parts,
	         public_copy);
	/* A cached copy means this delivery was recorded before it was first served. */
	have_copy = cache_copy_get(key, &copy, &len, &copy_sha256) == 0;
	rq->content_type = poc ? "text/plain; charset=utf-8" : "application/json";
	/* T may have passed while the record was written: then the copy in hand is stale, render again. */
	if (rq->recorded && rq->job.revision == c->adv.revision && rq->job.parts == parts &&
	    rq->rendered_public == public_copy && strcmp(rq->job.advisory_id, c->adv.id) == 0) {
		/* Back from the recorder: the bytes in rq->out are the ones whose hash the log now holds. */
		if (!poc && !have_copy)
			cache_copy_put(key, rq->out.data, rq->out.len, rq->job.sha256);
		rq->status = 200;
		return 0;
	}
	/* First the exact bytes, then their record (with their SHA-256), and only then are they served (I3). */
	fw_buf_reset(&rq->out);
	rq->rendered_public = public_copy;
	if (poc || !have_copy) {
		/* The partner's own fingerprinted texts; after T everyone gets the same, neutral ones. */
		struct fw_revision mine;
		char code[FW_FINGERPRINT_CODE_MAX];
		memset(&mine, 0, sizeof(mine));
		memcpy(mine.advisory_id, c->rev.advisory_id, sizeof(mine.advisory_id));
		mine.number = c->rev.number;
		mine.created_at = c->rev.created_at;
		memcpy(mine.note, c->rev.note, sizeof(mine.note));
		fw_fingerprint_code(c->adv.id, c->adv.revision, code);
		r = fw_fingerprint_render(c->fp, rq->srv->mark_key, code, public_copy ? NULL : rq->partner.id,
		                          poc ? 1u << FW_PART_POC : parts, &mine);
		if (r == 0 && poc) {
			r = fw_buf_puts(&rq->out, mine.parts[FW_PART_POC] ? mine.parts[FW_PART_POC] : "");
		} else if (r == 0) {
			struct fw_render_in in = {
			    .publisher_name = rq->srv->publisher_name,
			    .publisher_namespace = rq->srv->publisher_namespace,
			    .partner = &rq->partner,
			    .advisory = &c->adv,
			    .revision = &mine,
			    .history = c->history,
			    .nhistory = c->nhistory,
			    .parts = parts,
			    .public_copy = public_copy,
			    .now = now,
			};
			r = fw_csaf_render(&in, &rq->out);
		}
		fw_revision_release(&mine);
	} else {
		r = fw_buf_append(&rq->out, copy, len);
	}
	if (r < 0)
		return r;
	{
		struct fw_download_job *j = &rq->job;
		memset(j, 0, sizeof(*j));
		memcpy(j->partner_id, rq->partner.id, sizeof(j->partner_id));
		memcpy(j->advisory_id, c->adv.id, sizeof(j->advisory_id));
		j->revision = c->adv.revision;
		j->parts = parts;
		j->due_at = fw_ops_due_at(&pol->ctx, &rq->partner, &c->adv, now);
		snprintf(j->what, sizeof(j->what), "%s", what);
		snprintf(j->address, sizeof(j->address), "%s", rq->address);
		j->now_ms = now_ms;
		j->delivered = have_copy;
		if (have_copy && !poc)
			memcpy(j->sha256, copy_sha256, sizeof(j->sha256));
		else
			fw_sha256(rq->out.data ? rq->out.data : "", rq->out.len, j->sha256);
	}
	return request_defer(rq);
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
	return deliver_copy(rq, "csaf");
}

static int inbox_poc(struct request *rq)
{
	return deliver_copy(rq, "poc");
}

const struct route partner_routes[] = {
    {"GET", "/api/v1/me", ROLE_PARTNER, me, 0},
    {"GET", "/api/v1/inbox", ROLE_PARTNER, inbox, 0},
    {"GET", "/api/v1/inbox/*", ROLE_PARTNER, inbox_copy, 0},
    {"GET", "/api/v1/inbox/*/poc", ROLE_PARTNER, inbox_poc, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
