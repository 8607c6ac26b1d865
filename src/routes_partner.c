/*
 * Partner routes (partner token): the inbox and the partner's own copies. Whatever the partner may not see
 * answers exactly like an advisory that does not exist. deliver_copy() is the one place a copy leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/csaf.h"
#include "forewarn/json.h"
#include "forewarn/timeutil.h"
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
	struct fw_ops_policy pol;
	struct inbox_ctx c;
	int r;

	memset(&pol, 0, sizeof(pol));
	r = fw_ops_policy_load(rq->store, &pol);
	if (r < 0)
		return r;
	c = (struct inbox_ctx){rq, &pol, fw_time_now(), 0};
	r = fw_buf_puts(&rq->out, "{\"advisories\":[");
	if (r == 0)
		r = fw_store_advisory_each(rq->store, 1, inbox_item, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	fw_ops_policy_release(&pol);
	return r < 0 ? r : reply_json(rq, 200);
}

struct history {
	struct fw_revision_meta *items;
	char (*notes)[FW_NOTE_MAX + 1];
	size_t n, cap;
};

static int collect_history(void *ctx, const struct fw_revision *rv)
{
	struct history *h = ctx;

	if (h->n == h->cap)
		return 0;
	h->items[h->n].number = rv->number;
	h->items[h->n].created_at = rv->created_at;
	memcpy(h->notes[h->n], rv->note, sizeof(rv->note));
	h->items[h->n].note = h->notes[h->n];
	h->n++;
	return 0;
}

/*
 * deliver_copy: the one place a copy leaves the system. Records the delivery and the download durably,
 * then renders the partner's own copy (what = "csaf") or its PoC (what = "poc") into the reply.
 */
static int deliver_copy(struct request *rq, const char *what)
{
	struct history h = {NULL, NULL, 0, 0};
	struct fw_ops_policy pol;
	struct fw_revision rev;
	struct fw_advisory a;
	unsigned parts;
	int64_t now_ms = fw_time_now_ms();
	int r, poc = strcmp(what, "poc") == 0;

	memset(&pol, 0, sizeof(pol));
	memset(&rev, 0, sizeof(rev));
	r = fw_ops_policy_load(rq->store, &pol);
	if (r < 0)
		return r;
	r = fw_ops_partner_access(rq->store, &pol, &rq->partner, rq->params[0], now_ms / 1000, &a, &parts);
	if (r == 0 && poc && !(parts & (1u << FW_PART_POC)))
		r = FW_ENOENT;
	if (r == FW_ENOENT) {
		r = not_found(rq);
		goto out;
	}
	if (r == 0)
		r = fw_store_revision_get(rq->store, a.id, a.revision, &rev);
	if (r < 0)
		goto out;
	/* Recorded before a byte is served (I3). */
	r = fw_ops_record_download(rq->store, &pol, &rq->partner, &a, parts, what, rq->address, now_ms);
	if (r < 0)
		goto out;
	if (poc) {
		r = fw_buf_puts(&rq->out, rev.parts[FW_PART_POC]);
		rq->status = 200;
		rq->content_type = "text/plain; charset=utf-8";
		goto out;
	}
	h.cap = (size_t)a.revision;
	h.items = calloc(h.cap, sizeof(*h.items));
	h.notes = calloc(h.cap, sizeof(*h.notes));
	if (!h.items || !h.notes) {
		r = FW_ENOMEM;
		goto out;
	}
	r = fw_store_revision_each(rq->store, a.id, collect_history, &h);
	if (r < 0)
		goto out;
	{
		struct fw_render_in in = {
			.publisher_name = rq->srv->publisher_name,
			.publisher_namespace = rq->srv->publisher_namespace,
			.partner = &rq->partner,
			.advisory = &a,
			.revision = &rev,
			.history = h.items,
			.nhistory = h.n,
			.parts = parts,
			.public_copy = fw_policy_is_public(&a, now_ms / 1000),
			.now = now_ms / 1000,
		};
		r = fw_csaf_render(&in, &rq->out);
	}
	if (r == 0)
		r = reply_json(rq, 200);
out:
	free(h.items);
	free(h.notes);
	fw_revision_release(&rev);
	fw_ops_policy_release(&pol);
	return r;
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
	{"GET", "/api/v1/inbox", ROLE_PARTNER, inbox, 0},
	{"GET", "/api/v1/inbox/*", ROLE_PARTNER, inbox_copy, 0},
	{"GET", "/api/v1/inbox/*/poc", ROLE_PARTNER, inbox_poc, 0},
	{NULL, NULL, ROLE_NONE, NULL, 0},
};
