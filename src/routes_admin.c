/*
 * Admin routes (admin token): partners and their tokens, tiers, rules, advisories, deliveries, events.
 * Each handler parses its body with lib/format, acts through lib/ops, and answers JSON (docs/api.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/csaf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/json.h"
#include "forewarn/trace.h"
#include "forewarn/timeutil.h"
#include "server.h"

static int partner_reply(struct request *rq, const struct fw_partner *p, int status)
{
	int r = fw_json_partner_write(p, &rq->out);

	return r < 0 ? r : reply_json(rq, status);
}

static int partner_create(struct request *rq)
{
	struct fw_partner p;
	struct fw_error err = {0};
	int r;

	r = fw_json_partner_parse(rq->body, rq->body_len, 0, &p, &err);
	if (r == 0)
		r = fw_ops_partner_create(rq->store, rq->actor, &p, fw_time_now(), &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return partner_reply(rq, &p, 201);
}

struct list_ctx {
	struct request *rq;
	size_t n, offset, limit, seen;
	const char *filter;
};

/* Paging: ?limit=N&offset=M; without them, everything in one answer. On bad input, replies 400 and returns
 * -1. */
static int paging(struct request *rq, struct list_ctx *c)
{
	const char *l = request_query(rq, "limit"), *o = request_query(rq, "offset");
	char *end;

	memset(c, 0, sizeof(*c));
	c->rq = rq;
	c->limit = (size_t)-1;
	if (l) {
		unsigned long v = strtoul(l, &end, 10);
		if (*l < '0' || *l > '9' || *end || v == 0 || v > 100000)
			return reply_error(rq, 400, "invalid", "limit",
			                   "limit must be a whole number from 1 to 100000"),
			       -1;
		c->limit = v;
	}
	if (o) {
		unsigned long v = strtoul(o, &end, 10);
		if (*o < '0' || *o > '9' || *end)
			return reply_error(rq, 400, "invalid", "offset", "offset must be a whole number"), -1;
		c->offset = v;
	}
	return 0;
}

/* status_filter: ?status= must name one of the statuses given (NULL-terminated); replies 400 otherwise. */
static int status_filter(struct request *rq, const char *const *names, const char **ret)
{
	const char *v = request_query(rq, "status");

	*ret = v;
	if (!v)
		return 0;
	for (size_t i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0)
			return 0;
	return reply_error(rq, 400, "invalid", "status", "unknown status filter"), -1;
}

static const char *const partner_statuses[] = {"active", "suspended", "removed", NULL};
static const char *const advisory_statuses[] = {"draft", "scheduled", "public", "withdrawn", NULL};

/* take: 1 if the next item is inside the page (and writes the separator). */
static int take(struct list_ctx *c, int *r)
{
	if (c->seen++ < c->offset || c->n >= c->limit)
		return 0;
	*r = c->n++ ? fw_buf_puts(&c->rq->out, ",") : 0;
	return *r == 0;
}

static int list_partner(void *ctx, const struct fw_partner *p)
{
	struct list_ctx *c = ctx;
	int r = 0;

	if (c->filter && strcmp(c->filter, fw_partner_status_name(p->status)) != 0)
		return 0;
	if (take(c, &r))
		r = fw_json_partner_write(p, &c->rq->out);
	return r;
}

static int partner_list(struct request *rq)
{
	struct list_ctx c;
	int r;

	if (paging(rq, &c) < 0 || status_filter(rq, partner_statuses, &c.filter) < 0)
		return 0;
	r = fw_buf_puts(&rq->out, "{\"partners\":[");
	if (r == 0)
		r = fw_store_partner_each(rq->store, list_partner, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int partner_get(struct request *rq)
{
	struct fw_partner p;
	int r = fw_store_partner_get(rq->store, rq->params[0], &p);

	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	return partner_reply(rq, &p, 200);
}

static int partner_patch(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_partner p;
	int r = fw_ops_partner_patch(rq->store, rq->actor, rq->params[0], rq->body, rq->body_len,
	                             fw_time_now(), &p, &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return partner_reply(rq, &p, 200);
}

static int partner_act(struct request *rq, enum fw_partner_action act)
{
	struct fw_error err = {0};
	struct fw_partner p;
	char reason[FW_REV_NOTE_MAX + 1];
	int r;

	r = fw_json_action_parse(rq->body, rq->body_len, reason, sizeof(reason), &err);
	if (r == 0)
		r = fw_ops_partner_act(rq->store, rq->actor, rq->params[0], act, reason, fw_time_now(), &p,
		                       &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return partner_reply(rq, &p, 200);
}

static int partner_suspend(struct request *rq)
{
	return partner_act(rq, FW_PARTNER_SUSPEND);
}

static int partner_reinstate(struct request *rq)
{
	return partner_act(rq, FW_PARTNER_REINSTATE);
}

static int partner_remove(struct request *rq)
{
	return partner_act(rq, FW_PARTNER_REMOVE);
}

static int token_issue(struct request *rq)
{
	char secret[FW_TOKEN_LEN];
	struct fw_error err = {0};
	struct fw_token t;
	int64_t now = fw_time_now(), expires_at;
	int r;

	r = fw_json_token_parse(rq->body, rq->body_len, now, &expires_at, &err);
	if (r == 0)
		r = fw_ops_token_issue_until(rq->store, rq->actor, rq->srv->token_key, rq->params[0], now,
		                             expires_at, secret, &t, &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_token_write(&t, secret, &rq->out);
	fw_crypto_wipe(secret, sizeof(secret));
	return r < 0 ? r : reply_json(rq, 201);
}

static int list_token(void *ctx, const struct fw_token *t)
{
	struct list_ctx *c = ctx;
	int r = 0;

	if (take(c, &r))
		r = fw_json_token_write(t, NULL, &c->rq->out);
	return r;
}

static int token_list(struct request *rq)
{
	struct fw_partner p;
	struct list_ctx c;
	int r;

	if (paging(rq, &c) < 0)
		return 0;
	r = fw_store_partner_get(rq->store, rq->params[0], &p);
	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	r = fw_buf_puts(&rq->out, "{\"tokens\":[");
	if (r == 0)
		r = fw_store_token_each(rq->store, rq->params[0], list_token, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int token_revoke(struct request *rq)
{
	struct fw_error err = {0};
	int r = fw_ops_token_revoke(rq->store, rq->actor, rq->params[0], rq->params[1], fw_time_now(), &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	rq->status = 204;
	return 0;
}

static int tiers_get(struct request *rq)
{
	struct fw_tier t[FW_MAX_TIERS];
	size_t n;
	int r = fw_store_tiers_get(rq->store, t, &n);

	if (r == 0)
		r = fw_json_tiers_write(t, n, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

static int tiers_put(struct request *rq)
{
	struct fw_tier t[FW_MAX_TIERS];
	struct fw_error err = {0};
	size_t n;
	int r;

	r = fw_json_tiers_parse(rq->body, rq->body_len, t, &n, &err);
	if (r == 0)
		r = fw_ops_tiers_set(rq->store, rq->actor, t, n, fw_time_now(), &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return tiers_get(rq);
}

static int rules_get(struct request *rq)
{
	struct fw_rule *rules = NULL;
	size_t n;
	int r = fw_store_rules_get(rq->store, &rules, &n);

	if (r == 0)
		r = fw_json_rules_write(rules, n, &rq->out);
	free(rules);
	return r < 0 ? r : reply_json(rq, 200);
}

static int rules_put(struct request *rq)
{
	struct fw_rule *rules = NULL;
	struct fw_error err = {0};
	size_t n;
	int r;

	r = fw_json_rules_parse(rq->body, rq->body_len, &rules, &n, &err);
	if (r == 0)
		r = fw_ops_rules_set(rq->store, rq->actor, rules, n, fw_time_now(), &err);
	free(rules);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return rules_get(rq);
}

struct revisions_ctx {
	struct request *rq;
	int n;
};

static int list_revision(void *ctx, const struct fw_revision *rv)
{
	struct revisions_ctx *c = ctx;
	int r = c->n++ ? fw_buf_puts(&c->rq->out, ",") : 0;

	if (r == 0)
		r = fw_json_revision_meta_write(rv, rv->present, &c->rq->out);
	return r;
}

/* The admin view: the advisory, its current parts, and its revision history. */
static int advisory_reply(struct request *rq, const struct fw_advisory *a, int status)
{
	struct revisions_ctx c = {rq, 0};
	struct fw_revision rev;
	int r;

	memset(&rev, 0, sizeof(rev));
	r = fw_store_revision_get(rq->store, a->id, a->revision, &rev);
	if (r == 0)
		r = fw_json_advisory_write(a, &rev, &rq->out);
	/* How strongly each part is marked, so a weakly marked advisory is visible before release. */
	if (r == 0) {
		struct fw_fingerprint *fp = NULL;
		if (fw_fingerprint_new(&rev, &fp, NULL) == 0) {
			rq->out.len--;
			r = fw_buf_printf(&rq->out, ",\"fingerprint\":{\"positions\":%zu,\"parts\":{",
			                  fw_fingerprint_positions(fp));
			for (int i = 0, n = 0; r == 0 && i < FW_PART_COUNT; i++) {
				size_t slots, positions;
				if (!(rev.parts[i] && rev.parts[i][0]))
					continue;
				fw_fingerprint_part(fp, (enum fw_part)i, &slots, &positions);
				r = fw_buf_printf(&rq->out, "%s\"%s\":{\"slots\":%zu,\"positions\":%zu}",
				                  n++ ? "," : "", fw_part_name((enum fw_part)i), slots,
				                  positions);
			}
			if (r == 0)
				r = fw_buf_puts(&rq->out, "}}}");
		}
		fw_fingerprint_free(fp);
	}
	fw_revision_release(&rev);
	/* Splice the history into the object: drop the closing brace, append, close. */
	if (r == 0) {
		rq->out.len--;
		r = fw_buf_puts(&rq->out, ",\"revisions\":[");
	}
	if (r == 0)
		r = fw_store_revision_each(rq->store, a->id, list_revision, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, status);
}

static int advisory_create(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_advisory a;
	struct fw_revision rev;
	int64_t public_at;
	int r;

	memset(&rev, 0, sizeof(rev));
	r = fw_json_advisory_parse(rq->body, rq->body_len, &a, &rev, &public_at, &err);
	if (r == 0)
		r = fw_ops_advisory_create(rq->store, rq->actor, &a, &rev, public_at, fw_time_now(), &err);
	fw_revision_release(&rev);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return advisory_reply(rq, &a, 201);
}

static int list_advisory(void *ctx, const struct fw_advisory *a)
{
	struct list_ctx *c = ctx;
	int r = 0;

	if (c->filter && strcmp(c->filter, fw_advisory_status_name(a->status)) != 0)
		return 0;
	if (take(c, &r))
		r = fw_json_advisory_write(a, NULL, &c->rq->out);
	return r;
}

static int advisory_list(struct request *rq)
{
	struct list_ctx c;
	int r;

	if (paging(rq, &c) < 0 || status_filter(rq, advisory_statuses, &c.filter) < 0)
		return 0;
	r = fw_buf_puts(&rq->out, "{\"advisories\":[");
	if (r == 0)
		r = fw_store_advisory_each(rq->store, 0, list_advisory, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int advisory_get(struct request *rq)
{
	struct fw_advisory a;
	int r = fw_store_advisory_get(rq->store, rq->params[0], &a);

	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	return advisory_reply(rq, &a, 200);
}

static int advisory_revise(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_advisory a;
	int r = fw_ops_advisory_revise(rq->store, rq->actor, rq->params[0], rq->body, rq->body_len,
	                               fw_time_now(), &a, &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return advisory_reply(rq, &a, 201);
}

static int revision_list(struct request *rq)
{
	struct revisions_ctx c = {rq, 0};
	struct fw_advisory a;
	int r = fw_store_advisory_get(rq->store, rq->params[0], &a);

	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	r = fw_buf_puts(&rq->out, "{\"revisions\":[");
	if (r == 0)
		r = fw_store_revision_each(rq->store, a.id, list_revision, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int advisory_schedule(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_advisory a;
	int64_t t;
	int r;

	r = fw_json_schedule_parse(rq->body, rq->body_len, &t, &err);
	if (r == 0)
		r = fw_ops_advisory_schedule(rq->store, rq->actor, rq->params[0], t, fw_time_now(), &a, &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return advisory_reply(rq, &a, 200);
}

static int advisory_withdraw(struct request *rq)
{
	char reason[FW_REV_NOTE_MAX + 1];
	struct fw_error err = {0};
	struct fw_advisory a;
	int r;

	r = fw_json_action_parse(rq->body, rq->body_len, reason, sizeof(reason), &err);
	if (r == 0)
		r = fw_ops_advisory_withdraw(rq->store, rq->actor, rq->params[0], reason, fw_time_now(), &a,
		                             &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return advisory_reply(rq, &a, 200);
}

static int advisory_publish(struct request *rq)
{
	struct fw_error err = {0};
	struct fw_advisory a;
	int r;

	r = fw_json_action_parse(rq->body, rq->body_len, NULL, 0, &err);
	if (r == 0)
		r = fw_ops_advisory_publish(rq->store, rq->actor, rq->params[0], fw_time_now(), &a, &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return advisory_reply(rq, &a, 200);
}

static int list_delivery(void *ctx, const struct fw_delivery *d)
{
	struct list_ctx *c = ctx;
	int r = 0;

	if (c->filter && strcmp(c->filter, d->partner_id) != 0)
		return 0;
	if (take(c, &r))
		r = fw_json_delivery_write(d, &c->rq->out);
	return r;
}

static int list_download(void *ctx, const struct fw_download *d)
{
	struct list_ctx *c = ctx;
	int r = 0;

	if (c->filter && strcmp(c->filter, d->partner_id) != 0)
		return 0;
	if (take(c, &r))
		r = fw_json_download_write(d, &c->rq->out);
	return r;
}

/* Who received which revision when, and who downloaded what when, from where. */
static int advisory_deliveries(struct request *rq)
{
	struct fw_advisory a;
	struct list_ctx c;
	int r;

	if (paging(rq, &c) < 0)
		return 0;
	c.filter = request_query(rq, "partner");
	r = fw_store_advisory_get(rq->store, rq->params[0], &a);
	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	r = fw_buf_puts(&rq->out, "{\"advisory\":");
	if (r == 0)
		r = fw_json_string_write(a.id, &rq->out);
	if (r == 0)
		r = fw_buf_puts(&rq->out, ",\"deliveries\":[");
	if (r == 0)
		r = fw_store_delivery_each(rq->store, a.id, NULL, list_delivery, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "],\"downloads\":[");
	c.n = c.seen = 0;
	if (r == 0)
		r = fw_store_download_each(rq->store, a.id, list_download, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int list_event(void *ctx, const struct fw_event *e)
{
	struct list_ctx *c = ctx;
	int r = c->n++ ? fw_buf_puts(&c->rq->out, ",") : 0;

	if (r == 0)
		r = fw_json_event_write(e, &c->rq->out);
	return r;
}

static int events_list(struct request *rq)
{
	const char *after = request_query(rq, "after");
	struct list_ctx c;
	long long from = 0;
	char *end;
	int r;

	if (paging(rq, &c) < 0)
		return 0;
	if (after) {
		from = strtoll(after, &end, 10);
		if (!*after || *end || from < 0)
			return reply_error(rq, 400, "invalid", "after",
			                   "after must be an event sequence number");
	}
	r = fw_buf_puts(&rq->out, "{\"events\":[");
	if (r == 0)
		r = fw_store_event_each(rq->store, from, c.limit == (size_t)-1 ? 1000 : c.limit, list_event,
		                        &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

/* A leaked CSAF copy is traced by its texts, unescaped: the JSON around them carries no code. */
static int csaf_texts(const char *text, size_t len, struct fw_buf *out)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int r;

	memset(&rev, 0, sizeof(rev));
	if (len == 0 || text[0] != '{' || fw_csaf_import(text, len, &a, &rev, &err) < 0)
		return FW_EINVAL;
	r = 0;
	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++)
		if (rev.parts[i])
			r = fw_buf_printf(out, "%s\n\n", rev.parts[i]);
	fw_revision_release(&rev);
	return r;
}

static int trace(struct request *rq)
{
	struct fw_trace_request q;
	struct fw_trace_leak leaks[FW_TRACE_LEAKS_MAX];
	struct fw_trace_result res;
	struct fw_error err = {0};
	struct fw_buf texts[FW_TRACE_LEAKS_MAX];
	size_t n = 0;
	int r;

	memset(&res, 0, sizeof(res));
	r = fw_json_trace_parse(rq->body, rq->body_len, &q, &err);
	for (; r == 0 && n < q.n; n++) {
		fw_buf_init(&texts[n], 0);
		leaks[n].text = q.text[n];
		leaks[n].len = q.len[n];
		leaks[n].advisory_id = q.advisory[n][0] ? q.advisory[n] : NULL;
		if (csaf_texts(q.text[n], q.len[n], &texts[n]) == 0 && texts[n].len) {
			leaks[n].text = texts[n].data;
			leaks[n].len = texts[n].len;
		}
	}
	if (r == 0)
		r = fw_ops_trace_leaks(rq->store, rq->srv->mark_key, leaks, q.n, &res, &err);
	for (size_t i = 0; i < n; i++)
		fw_buf_release(&texts[i]);
	if (n)
		fw_trace_request_release(&q);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_trace_write(&res, &rq->out);
	fw_trace_result_release(&res);
	return r < 0 ? r : reply_json(rq, 200);
}

static int health(struct request *rq)
{
	int r = fw_buf_puts(&rq->out, "{\"status\":\"ok\"}");

	return r < 0 ? r : reply_json(rq, 200);
}

const struct route admin_routes[] = {
    {"GET", "/api/v1/health", ROLE_NONE, health, 0},
    {"POST", "/api/v1/partners", ROLE_ADMIN, partner_create, 1},
    {"GET", "/api/v1/partners", ROLE_ADMIN, partner_list, 0},
    {"GET", "/api/v1/partners/*", ROLE_ADMIN, partner_get, 0},
    {"PATCH", "/api/v1/partners/*", ROLE_ADMIN, partner_patch, 1},
    {"POST", "/api/v1/partners/*/suspend", ROLE_ADMIN, partner_suspend, 1},
    {"POST", "/api/v1/partners/*/reinstate", ROLE_ADMIN, partner_reinstate, 1},
    {"POST", "/api/v1/partners/*/remove", ROLE_ADMIN, partner_remove, 1},
    {"POST", "/api/v1/partners/*/tokens", ROLE_ADMIN, token_issue, 0},
    {"GET", "/api/v1/partners/*/tokens", ROLE_ADMIN, token_list, 0},
    {"DELETE", "/api/v1/partners/*/tokens/*", ROLE_ADMIN, token_revoke, 0},
    {"GET", "/api/v1/tiers", ROLE_ADMIN, tiers_get, 0},
    {"PUT", "/api/v1/tiers", ROLE_ADMIN, tiers_put, 1},
    {"GET", "/api/v1/rules", ROLE_ADMIN, rules_get, 0},
    {"PUT", "/api/v1/rules", ROLE_ADMIN, rules_put, 1},
    {"POST", "/api/v1/advisories", ROLE_ADMIN, advisory_create, 1},
    {"GET", "/api/v1/advisories", ROLE_ADMIN, advisory_list, 0},
    {"GET", "/api/v1/advisories/*", ROLE_ADMIN, advisory_get, 0},
    {"POST", "/api/v1/advisories/*/revisions", ROLE_ADMIN, advisory_revise, 1},
    {"GET", "/api/v1/advisories/*/revisions", ROLE_ADMIN, revision_list, 0},
    {"PUT", "/api/v1/advisories/*/schedule", ROLE_ADMIN, advisory_schedule, 1},
    {"POST", "/api/v1/advisories/*/withdraw", ROLE_ADMIN, advisory_withdraw, 1},
    {"POST", "/api/v1/advisories/*/publish", ROLE_ADMIN, advisory_publish, 1},
    {"GET", "/api/v1/advisories/*/deliveries", ROLE_ADMIN, advisory_deliveries, 0},
    {"GET", "/api/v1/events", ROLE_ADMIN, events_list, 0},
    {"POST", "/api/v1/trace", ROLE_ADMIN, trace, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
