/*
 * The webhook sender thread: claims due notifications from the outbox (lib/ops/webhook.c), checks policy
 * once more, signs each and POSTs it (src/client.c, up to MAX_INFLIGHT at once), then records outcomes in
 * one transaction per round. A registration that asks for content gets the partner's copies in each
 * notification, planned and rendered at send time exactly as GET /api/v1/inbox/{id} would serve them,
 * recorded as sealed downloads before the POST (I3), then sealed to the partner's key. It sleeps in the
 * transfer pool until a transfer ends, an item falls due, a release wakes it, or a second has passed. Never
 * touches the HTTP threads or the scheduler's connection.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include "forewarn/json.h"
#include "forewarn/seal.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"
#include "cache.h"
#include "client.h"
#include "copy.h"
#include "server.h"

#define MAX_INFLIGHT 32
#define POLL_MS      1000 /* look at the outbox at least this often: items enqueued by downloads */
#define LEASE_SLACK  5000 /* a claim outlives its try by this much */
#define BACKOFF_CAP  (3600 * 1000)

struct webhook {
	struct server *srv;
	struct fw_store *store;
	struct http_pool *pool;
	struct fw_outbox_policy pol;
	pthread_t thread;
	atomic_int stopping;
	atomic_int woken;
	int64_t inflight[MAX_INFLIGHT]; /* ids of the items being sent; 0: free slot */
	size_t ninflight;
	struct fw_outbox_outcome done[MAX_INFLIGHT * 2];
	size_t ndone;
};

/* one_line: text made safe for the operator's view and its JSON: printable ASCII, bounded. */
static void one_line(char *out, size_t outsz, const char *text)
{
	size_t i = 0;

	for (; text && text[i] && i + 1 < outsz; i++)
		out[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	out[i] = '\0';
}

static void outcome(struct webhook *w, int64_t id, enum fw_outbox_result result, int status,
                    const char *error)
{
	struct fw_outbox_outcome *o;

	if (w->ndone == sizeof(w->done) / sizeof(w->done[0]))
		return; /* cannot happen (at most MAX_INFLIGHT per round each way); the lease covers it anyway
		         */
	o = &w->done[w->ndone++];
	memset(o, 0, sizeof(*o));
	o->id = id;
	o->result = result;
	o->status = status;
	one_line(o->error, sizeof(o->error), error);
}

static void untrack(struct webhook *w, int64_t id)
{
	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		if (w->inflight[i] == id) {
			w->inflight[i] = 0;
			w->ninflight--;
			return;
		}
}

static void on_done(void *ctx, int64_t tag, long status, const char *error)
{
	struct webhook *w = ctx;
	char msg[64];

	untrack(w, tag);
	if (status >= 200 && status <= 299) {
		outcome(w, tag, FW_OUTBOX_SENT, (int)status, NULL);
		return;
	}
	if (status) {
		snprintf(msg, sizeof(msg), "HTTP %ld%s", status,
		         status >= 300 && status <= 399 ? " (redirects are not followed)" : "");
		error = msg;
	}
	outcome(w, tag, FW_OUTBOX_TRY_FAILED, (int)status, error);
}

/* A copy that leaves in a notification: its plain bytes (for the record, the signature and the seal). */
struct leaving {
	struct copy_plan plan;
	struct fw_buf bytes;
	unsigned char sha256[32];
	uint64_t receipt; /* log index of its download event */
};

/* copy_json: one copy's entry in "content": sealed to pk, with the plain copy's digest and signature
 * document.
 */
static int copy_json(struct webhook *w, const struct leaving *c, const unsigned char *pk, const char *name,
                     struct fw_buf *body)
{
	const char *data = c->bytes.data ? c->bytes.data : "";
	struct fw_signature d;
	struct fw_buf sealed, doc;
	char hex[65], *b64 = NULL;
	int r;

	memset(&d, 0, sizeof(d));
	fw_buf_init(&sealed, FW_RESPONSE_MAX);
	fw_buf_init(&doc, 4096);
	r = copy_signature(w->srv, c->sha256, data, c->bytes.len, d.sig);
	if (r == 0) {
		/* The very document GET .../sig serves for these bytes. */
		d.have_digest = 1;
		memcpy(d.sha256, c->sha256, sizeof(d.sha256));
		d.size = c->bytes.len;
		snprintf(d.key_id, sizeof(d.key_id), "%s", fw_signer_keyid(w->srv->signer));
		snprintf(d.advisory, sizeof(d.advisory), "%s", c->plan.c->adv.id);
		d.revision = c->plan.c->adv.revision;
		snprintf(d.what, sizeof(d.what), "%s", c->plan.poc ? "poc" : "csaf");
		r = fw_signature_write(&d, &doc);
	}
	if (r == 0)
		r = fw_seal_to_buf(pk, data, c->bytes.len, &sealed);
	if (r == 0 && !(b64 = malloc(fw_base64_encoded_len(sealed.len) + 1)))
		r = FW_ENOMEM;
	if (r == 0) {
		fw_base64_encode(sealed.data ? sealed.data : "", sealed.len, b64);
		fw_crypto_hex(c->sha256, sizeof(c->sha256), hex);
		while (doc.len && doc.data[doc.len - 1] == '\n')
			doc.data[--doc.len] = '\0';
		r = fw_buf_printf(body, "\"%s\":{\"sealed_copy\":\"", name);
	}
	if (r == 0)
		r = fw_buf_puts(body, b64);
	if (r == 0)
		r = fw_buf_printf(
		    body, "\",\"copy_sha256\":\"%s\",\"size\":%zu,\"log_index\":%llu,\"signature\":", hex,
		    c->bytes.len, (unsigned long long)c->receipt);
	if (r == 0)
		r = fw_buf_append(body, doc.data, doc.len);
	if (r == 0)
		r = fw_buf_puts(body, "}");
	free(b64);
	fw_buf_release(&sealed);
	fw_buf_release(&doc);
	return r;
}

static void job_of(const struct leaving *c, const struct fw_partner *p, const char *address,
                   struct fw_download_job *j)
{
	memset(j, 0, sizeof(*j));
	memcpy(j->partner_id, p->id, sizeof(j->partner_id));
	memcpy(j->advisory_id, c->plan.c->adv.id, sizeof(j->advisory_id));
	j->revision = c->plan.c->adv.revision;
	j->parts = c->plan.parts;
	j->due_at = fw_ops_due_at(&c->plan.pol->ctx, p, &c->plan.c->adv, c->plan.now);
	snprintf(j->what, sizeof(j->what), "%s", c->plan.poc ? "poc" : "csaf");
	snprintf(j->address, sizeof(j->address), "%s", address);
	j->now_ms = c->plan.now_ms;
	j->sealed = 1;
	memcpy(j->sha256, c->sha256, sizeof(j->sha256));
}

/* omitted: the notification without content, saying why (the registration asked for it). */
static int omitted(const struct fw_outbox *o, const char *why, struct fw_buf *body)
{
	size_t n = strlen(o->payload);
	int r;

	fw_buf_reset(body);
	r = fw_buf_append(body, o->payload, n ? n - 1 : 0);
	if (r == 0)
		r = fw_buf_printf(body, ",\"content\":null,\"content_omitted\":\"%s\"}", why);
	return r;
}

/*
 * with_content: the body of item o with the partner's copies as it may see them at now_ms: the CSAF copy and,
 * if entitled, the PoC, each recorded as a sealed download (address "webhook:<notification id>") durably
 * before this returns, then sealed to the partner's key. Without a key, or with nothing to see, the body says
 * so instead. Each try records and seals afresh: a sealed box is new bytes every time (docs/webhooks.md).
 * 0, or FW_E* (nothing is sent then).
 */
static int with_content(struct webhook *w, const struct fw_outbox *o, int64_t now_ms, struct fw_buf *body)
{
	struct leaving c[2];
	struct fw_download_job jobs[2];
	uint64_t idx[2];
	struct fw_seal_key k;
	struct fw_partner p;
	char address[64];
	size_t n = 0, len = strlen(o->payload);
	int r;

	r = fw_ops_seal_key_get(w->store, o->partner_id, &k);
	if (r == FW_ENOENT)
		return omitted(o, "the partner has no sealing key registered", body);
	if (r == 0)
		r = fw_store_partner_get(w->store, o->partner_id, &p);
	if (r < 0)
		return r;
	memset(c, 0, sizeof(c));
	fw_buf_init(&c[0].bytes, FW_RESPONSE_MAX);
	fw_buf_init(&c[1].bytes, FW_RESPONSE_MAX);
	/* The one access decision of GET /api/v1/inbox/{id} and .../poc, at send time. */
	r = copy_plan(w->store, &p, o->advisory_id, 0, now_ms, &c[0].plan);
	if (r == 1) {
		r = omitted(o, "the partner may see nothing of the advisory now", body);
		goto out;
	}
	if (r == 0)
		r = copy_render(w->srv, &p, &c[0].plan, &c[0].bytes);
	n = r == 0 ? 1 : 0;
	if (r == 0 && (c[0].plan.parts & (1u << FW_PART_POC))) {
		r = copy_plan(w->store, &p, o->advisory_id, 1, now_ms, &c[1].plan);
		if (r == 0)
			r = copy_render(w->srv, &p, &c[1].plan, &c[1].bytes);
		if (r == 0)
			n = 2;
		else if (r == 1)
			r = 0; /* the same decision at the same instant cannot differ; if it did: the copy
			          alone */
	}
	if (r < 0)
		goto out;
	/* First the record of what leaves, durably (I3); only then the bytes, sealed. */
	snprintf(address, sizeof(address), "webhook:%s", o->key);
	for (size_t i = 0; i < n; i++) {
		fw_sha256(c[i].bytes.data ? c[i].bytes.data : "", c[i].bytes.len, c[i].sha256);
		job_of(&c[i], &p, address, &jobs[i]);
	}
	{
		const struct fw_download_job *jp[2] = {&jobs[0], &jobs[1]};

		r = fw_ops_record_downloads(w->store, jp, n, idx);
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		c[i].receipt = idx[i];
	fw_buf_reset(body);
	r = fw_buf_append(body, o->payload, len ? len - 1 : 0);
	if (r == 0)
		r = fw_buf_printf(body, ",\"content\":{\"seal_key_id\":\"%s\",\"revision\":%d,", k.key_id,
		                  c[0].plan.c->adv.revision);
	if (r == 0)
		r = copy_json(w, &c[0], k.pk, "csaf", body);
	if (r == 0 && n == 2)
		r = fw_buf_puts(body, ",");
	if (r == 0 && n == 2)
		r = copy_json(w, &c[1], k.pk, "poc", body);
	if (r == 0)
		r = fw_buf_puts(body, "}}");
out:
	fw_buf_release(&c[0].bytes);
	fw_buf_release(&c[1].bytes);
	return r;
}

/* send_one: signs item o's body for the registration and starts its POST; records an outcome if it cannot.
 */
static void send_one(struct webhook *w, const struct fw_outbox *o, const struct fw_webhook *hook,
                     int64_t now_ms)
{
	char secret[FW_WEBHOOK_SECRET_LEN], sig[FW_WEBHOOK_SIGNATURE_MAX], err[HTTP_ERRBUF_SIZE];
	char h_id[64], h_ts[64], h_sig[FW_WEBHOOK_SIGNATURE_MAX + 40];
	const char *headers[] = {"Content-Type: application/json", h_id, h_ts, h_sig, NULL};
	const char *data = o->payload;
	size_t len = strlen(o->payload);
	int64_t ts;
	struct http_post req;
	struct fw_buf body;
	int r;

	fw_buf_init(&body, FW_RESPONSE_MAX);
	if (hook->content == FW_WEBHOOK_CONTENT_SEALED) {
		r = with_content(w, o, now_ms, &body);
		if (r < 0) {
			fw_buf_release(&body);
			outcome(w, o->id, FW_OUTBOX_TRY_FAILED, 0,
			        "the server could not prepare the content");
			return;
		}
		data = body.data;
		len = body.len;
	}
	ts = fw_time_now();
	fw_webhook_secret(w->srv->token_key, hook, secret);
	fw_webhook_sign(secret, ts, data, len, sig);
	fw_crypto_wipe(secret, sizeof(secret));
	snprintf(h_id, sizeof(h_id), "Forewarn-Webhook-Id: %s", o->key);
	snprintf(h_ts, sizeof(h_ts), "Forewarn-Webhook-Timestamp: %lld", (long long)ts);
	snprintf(h_sig, sizeof(h_sig), "Forewarn-Webhook-Signature: %s", sig);
	req = (struct http_post){hook->url,
	                         headers,
	                         data,
	                         len,
	                         (long)w->srv->cfg.webhook_connect_timeout_ms,
	                         (long)w->srv->cfg.webhook_timeout_ms,
	                         o->id,
	                         !hook->by_operator};
	r = http_pool_add(w->pool, &req, err); /* copies the body */
	fw_buf_release(&body);
	if (r < 0) {
		outcome(w, o->id, FW_OUTBOX_TRY_FAILED, 0, err);
		return;
	}
	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		if (w->inflight[i] == 0) {
			w->inflight[i] = o->id;
			w->ninflight++;
			break;
		}
}

/* claim_round: takes the due items there is room for and starts them; returns how many it claimed, or -1 if
 * the store refused. */
static long claim_round(struct webhook *w, int64_t now_ms)
{
	struct fw_outbox items[MAX_INFLIGHT];
	struct fw_ops_policy pol;
	struct fw_webhook hook;
	char why[FW_OUTBOX_ERROR_MAX + 1];
	size_t n = 0;
	int r;

	r = fw_ops_outbox_claim(w->store, &w->pol, now_ms, items, MAX_INFLIGHT - w->ninflight, &n);
	if (r < 0) {
		fprintf(stderr, "forewarn: webhook: cannot claim notifications: %s\n", fw_strerror(r));
		return -1;
	}
	if (n == 0)
		return 0;
	/* From the decision to the record of what leaves, no admin write commits (server_policy_read_lock).
	 */
	server_policy_read_lock();
	cache_begin_request(); /* content is planned through this thread's caches: drop what admins changed */
	memset(&pol, 0, sizeof(pol));
	r = fw_ops_policy_load(w->store, &pol);
	for (size_t i = 0; i < n; i++) {
		/* I1, once more: the partner may have been suspended, or the advisory withdrawn, meanwhile.
		 */
		int ok = r < 0 ? r
		               : fw_ops_outbox_check(w->store, &pol.ctx, &items[i], now_ms / 1000, &hook, why,
		                                     sizeof(why));
		if (ok == 1)
			send_one(w, &items[i], &hook, now_ms);
		else if (ok == 0)
			outcome(w, items[i].id, FW_OUTBOX_NOT_SENT, 0, why);
		else
			outcome(w, items[i].id, FW_OUTBOX_TRY_FAILED, 0,
			        "the server could not check its policy");
	}
	fw_ops_policy_release(&pol);
	server_policy_read_unlock();
	return (long)n;
}

static void record(struct webhook *w)
{
	size_t set_aside = 0;
	int r;

	if (w->ndone == 0)
		return;
	r = fw_ops_outbox_record(w->store, &w->pol, w->done, w->ndone, fw_time_now_ms(), &set_aside);
	if (r < 0)
		/* The claims' leases run out and the items are tried again: nothing is lost. */
		fprintf(stderr, "forewarn: webhook: cannot record %zu outcomes: %s\n", w->ndone,
		        fw_strerror(r));
	else if (set_aside && !w->srv->cfg.quiet)
		fprintf(stderr, "forewarn: webhook: %zu notification%s set aside after %d tries\n", set_aside,
		        set_aside == 1 ? "" : "s", w->pol.max_tries);
	w->ndone = 0;
}

static void *run(void *arg)
{
	struct webhook *w = arg;
	int64_t next_look = 0; /* when to look at the outbox again */

	prctl(PR_SET_NAME, "fw-webhook", 0, 0, 0);
	while (!atomic_load(&w->stopping)) {
		int64_t now_ms = fw_time_now_ms(), due = INT64_MAX, wait;

		if (atomic_exchange(&w->woken, 0))
			next_look = now_ms;
		if (now_ms >= next_look && w->ninflight < MAX_INFLIGHT) {
			/* A read first: claiming takes the write lock, which an idle outbox must not. */
			int r = fw_store_outbox_next_due(w->store, &due);
			long room = MAX_INFLIGHT - (long)w->ninflight, n = 0;
			if (r == 0 && due <= now_ms && (n = claim_round(w, now_ms)) == room)
				due = now_ms; /* more may be waiting */
			else if (r == 0 && due <= now_ms && n >= 0)
				r = fw_store_outbox_next_due(w->store, &due);
			if (r < 0 || n < 0)
				due = INT64_MAX; /* the store failed: look again in a while, not in a loop */
			next_look = due < now_ms + POLL_MS ? due : now_ms + POLL_MS;
		}
		record(w); /* items skipped or refused before any transfer */
		/* With every slot busy, only a transfer's end (or a second) can change anything. */
		wait = w->ninflight >= MAX_INFLIGHT ? POLL_MS : next_look - fw_time_now_ms();
		http_pool_run(w->pool, (int)(wait < 0 ? 0 : wait > POLL_MS ? POLL_MS : wait), on_done, w);
		if (w->ndone) {
			record(w);
			next_look = 0; /* a retry may now be due sooner than planned */
		}
	}
	/* Transfers cut short: due again at once, on the next start, their tries not counted. */
	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		if (w->inflight[i]) {
			outcome(w, w->inflight[i], FW_OUTBOX_INTERRUPTED, 0,
			        "the server stopped during the try");
			w->inflight[i] = 0;
		}
	w->ninflight = 0;
	record(w);
	return NULL;
}

int webhook_start(struct server *srv, struct webhook **ret)
{
	struct webhook *w = calloc(1, sizeof(*w));
	struct fw_error err;
	int r;

	if (!w)
		return FW_ENOMEM;
	w->srv = srv;
	w->pol.backoff_ms = srv->cfg.webhook_backoff_ms;
	w->pol.backoff_max_ms =
	    srv->cfg.webhook_backoff_ms > BACKOFF_CAP ? srv->cfg.webhook_backoff_ms : BACKOFF_CAP;
	w->pol.max_tries = srv->cfg.webhook_max_tries;
	w->pol.lease_ms = srv->cfg.webhook_timeout_ms + LEASE_SLACK;
	atomic_init(&w->stopping, 0);
	atomic_init(&w->woken, 1);
	r = server_store_open(srv, &w->store, &err); /* with the data key: it reads advisories */
	if (r == 0)
		r = http_pool_new(&w->pool);
	if (r == 0 && pthread_create(&w->thread, NULL, run, w) != 0)
		r = FW_EIO;
	if (r < 0) {
		http_pool_free(w->pool);
		fw_store_free(w->store);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

void webhook_wake(struct webhook *w)
{
	if (!w)
		return;
	atomic_store(&w->woken, 1);
	http_pool_wake(w->pool);
}

void webhook_stop(struct webhook *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, 1);
	http_pool_wake(w->pool);
	pthread_join(w->thread, NULL);
	http_pool_free(w->pool);
	fw_store_free(w->store);
	free(w);
}
