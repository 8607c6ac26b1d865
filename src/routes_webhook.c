/*
 * Webhook routes (docs/api.md, docs/webhooks.md): a partner's registration, set by the operator
 * (/api/v1/partners/{id}/webhook) or by the partner itself (/api/v1/me/webhook), and the operator's view of
 * the outbox, with the retry of a notification set aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"
#include "server.h"

/* The secret goes out once, in this answer, and is wiped from memory right after. */
static int webhook_put(struct request *rq, const char *partner_id)
{
	char url[FW_WEBHOOK_URL_MAX + 1], secret[FW_WEBHOOK_SECRET_LEN];
	struct fw_error err = {0};
	struct fw_webhook w;
	int r, content = FW_WEBHOOK_CONTENT_NONE;

	r = fw_json_webhook_parse(rq->body, rq->body_len, url, sizeof(url), &content, &err);
	if (r == 0)
		r = fw_ops_webhook_set(rq->store, rq->actor, rq->srv->token_key, partner_id, url, content,
		                       rq->route->role == ROLE_ADMIN, fw_time_now(), secret, &w, &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_webhook_write(&w, secret, &rq->out);
	fw_crypto_wipe(secret, sizeof(secret));
	return r < 0 ? r : reply_json(rq, 200);
}

static int webhook_get(struct request *rq, const char *partner_id)
{
	struct fw_error err = {0};
	struct fw_partner p;
	struct fw_webhook w;
	int r = fw_store_partner_get(rq->store, partner_id, &p);

	if (r == 0) {
		r = fw_store_webhook_get(rq->store, partner_id, &w);
		if (r == FW_ENOENT)
			fw_error_set(&err, r, NULL, "partner \"%s\" has no webhook", partner_id);
	}
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_webhook_write(&w, NULL, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

static int webhook_delete(struct request *rq, const char *partner_id)
{
	struct fw_error err = {0};
	int r = fw_ops_webhook_remove(rq->store, rq->actor, partner_id, &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	rq->status = 204;
	return 0;
}

static int admin_put(struct request *rq)
{
	return webhook_put(rq, rq->params[0]);
}

static int admin_get(struct request *rq)
{
	return webhook_get(rq, rq->params[0]);
}

static int admin_delete(struct request *rq)
{
	return webhook_delete(rq, rq->params[0]);
}

/* A partner may point its webhook only at a public https:// host: never at the server's own network. */
static int me_put(struct request *rq)
{
	if (request_partner_active(rq) < 0)
		return 0;
	return webhook_put(rq, rq->partner.id); /* fw_ops_webhook_set checks the URL is public */
}

static int me_get(struct request *rq)
{
	return webhook_get(rq, rq->partner.id);
}

static int me_delete(struct request *rq)
{
	if (request_partner_active(rq) < 0)
		return 0;
	return webhook_delete(rq, rq->partner.id);
}

struct outbox_list {
	struct request *rq;
	size_t n;
};

static int list_item(void *ctx, const struct fw_outbox *o)
{
	struct outbox_list *c = ctx;
	int r = c->n++ ? fw_buf_puts(&c->rq->out, ",") : 0;

	return r ? r : fw_json_outbox_write(o, &c->rq->out);
}

/* ?state=pending|delivered|failed|skipped&partner=ID&limit=N&offset=M, in id order; without a limit, the
 * first 1000 (a busy outbox holds a notification per partner per release). */
static int outbox_list(struct request *rq)
{
	const char *state = request_query(rq, "state"), *partner = request_query(rq, "partner");
	const char *l = request_query(rq, "limit"), *o = request_query(rq, "offset");
	unsigned long limit = 1000, offset = 0;
	struct outbox_list c = {rq, 0};
	int st = -1, r;
	char *end;

	if (state && (st = fw_outbox_state_parse(state)) < 0)
		return reply_error(rq, 400, "invalid", "state",
		                   "state must be pending, delivered, failed or skipped");
	if (l) {
		limit = strtoul(l, &end, 10);
		if (*l < '0' || *l > '9' || *end || limit == 0 || limit > 100000)
			return reply_error(rq, 400, "invalid", "limit",
			                   "limit must be a whole number from 1 to 100000");
	}
	if (o) {
		offset = strtoul(o, &end, 10);
		if (*o < '0' || *o > '9' || *end)
			return reply_error(rq, 400, "invalid", "offset", "offset must be a whole number");
	}
	r = fw_buf_puts(&rq->out, "{\"outbox\":[");
	if (r == 0)
		r = fw_store_outbox_each(rq->store, st, partner, offset, limit, list_item, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

/* outbox_id: the {id} of the path, or 0 when it is not one (then no such item: 404). */
static int64_t outbox_id(const char *s)
{
	char *end;
	long long v;

	if (!s || *s < '1' || *s > '9' || strlen(s) > 18)
		return 0;
	v = strtoll(s, &end, 10);
	return *end ? 0 : (int64_t)v;
}

static int outbox_get(struct request *rq)
{
	struct fw_outbox o;
	int r = fw_store_outbox_get(rq->store, outbox_id(rq->params[0]), &o);

	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	r = fw_json_outbox_write(&o, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

static int outbox_retry(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_outbox o;
	int r;

	r = fw_json_action_parse(rq->body, rq->body_len, NULL, 0, &err);
	if (r == 0)
		r = fw_ops_outbox_retry(rq->store, rq->actor, outbox_id(rq->params[0]), fw_time_now_ms(), &o,
		                        &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	webhook_wake(rq->srv->webhook);
	r = fw_json_outbox_write(&o, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

const struct route webhook_routes[] = {
    {"PUT", "/api/v1/partners/*/webhook", ROLE_ADMIN, admin_put, 0},
    {"GET", "/api/v1/partners/*/webhook", ROLE_ADMIN, admin_get, 0},
    {"DELETE", "/api/v1/partners/*/webhook", ROLE_ADMIN, admin_delete, 0},
    {"PUT", "/api/v1/me/webhook", ROLE_PARTNER, me_put, 0},
    {"GET", "/api/v1/me/webhook", ROLE_PARTNER, me_get, 0},
    {"DELETE", "/api/v1/me/webhook", ROLE_PARTNER, me_delete, 0},
    {"GET", "/api/v1/webhooks/outbox", ROLE_ADMIN, outbox_list, 0},
    {"GET", "/api/v1/webhooks/outbox/*", ROLE_ADMIN, outbox_get, 0},
    {"POST", "/api/v1/webhooks/outbox/*/retry", ROLE_ADMIN, outbox_retry, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
