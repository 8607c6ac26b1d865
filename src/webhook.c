/*
 * The webhook sender thread: claims due notifications from the outbox (lib/ops/webhook.c), checks policy
 * once more, signs each and POSTs it (src/client.c, up to MAX_INFLIGHT at once), then records outcomes in
 * one transaction per round. It sleeps in the transfer pool until a transfer ends, an item falls due, a
 * release wakes it, or a second has passed. Never touches the HTTP threads or the scheduler's connection.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"
#include "client.h"
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

/* send_one: signs item o for the registration and starts its POST; records an outcome if it cannot. */
static void send_one(struct webhook *w, const struct fw_outbox *o, const struct fw_webhook *hook)
{
	char secret[FW_WEBHOOK_SECRET_LEN], sig[FW_WEBHOOK_SIGNATURE_MAX], err[HTTP_ERRBUF_SIZE];
	char h_id[64], h_ts[64], h_sig[FW_WEBHOOK_SIGNATURE_MAX + 40];
	const char *headers[] = {"Content-Type: application/json", h_id, h_ts, h_sig, NULL};
	int64_t ts = fw_time_now();
	struct http_post req;
	int r;

	fw_webhook_secret(w->srv->token_key, hook, secret);
	fw_webhook_sign(secret, ts, o->payload, strlen(o->payload), sig);
	fw_crypto_wipe(secret, sizeof(secret));
	snprintf(h_id, sizeof(h_id), "Forewarn-Webhook-Id: %s", o->key);
	snprintf(h_ts, sizeof(h_ts), "Forewarn-Webhook-Timestamp: %lld", (long long)ts);
	snprintf(h_sig, sizeof(h_sig), "Forewarn-Webhook-Signature: %s", sig);
	req = (struct http_post){hook->url,
	                         headers,
	                         o->payload,
	                         strlen(o->payload),
	                         (long)w->srv->cfg.webhook_connect_timeout_ms,
	                         (long)w->srv->cfg.webhook_timeout_ms,
	                         o->id};
	r = http_pool_add(w->pool, &req, err);
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
	memset(&pol, 0, sizeof(pol));
	r = fw_ops_policy_load(w->store, &pol);
	for (size_t i = 0; i < n; i++) {
		/* I1, once more: the partner may have been suspended, or the advisory withdrawn, meanwhile.
		 */
		int ok = r < 0 ? r
		               : fw_ops_outbox_check(w->store, &pol.ctx, &items[i], now_ms / 1000, &hook, why,
		                                     sizeof(why));
		if (ok == 1)
			send_one(w, &items[i], &hook);
		else if (ok == 0)
			outcome(w, items[i].id, FW_OUTBOX_NOT_SENT, 0, why);
		else
			outcome(w, items[i].id, FW_OUTBOX_TRY_FAILED, 0,
			        "the server could not check its policy");
	}
	fw_ops_policy_release(&pol);
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
