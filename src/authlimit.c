/*
 * Failed authentications, limited per client address (IPv6: per /64) and per presented token: after
 * auth_fail_limit failures within auth_fail_window seconds, that address or token gets 429 for a window,
 * before its credential is looked at, and the lockout is recorded once as an event. The counters are a
 * fixed-size fw_ratelimit table keyed by keyed hashes, never by the token itself (docs/security.md).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "forewarn/ratelimit.h"
#include "forewarn/timeutil.h"
#include "server.h"

#define AUTHLIMIT_SLOTS  16384 /* addresses and tokens tracked at once: about 700 KiB */
#define AUTHLIMIT_EVENTS 100   /* lockout events recorded per window, process-wide; the rest are counted */

struct authlimit {
	struct fw_ratelimit *rl;
	unsigned limit, window_s;
	/* Per-process random keys: nobody outside can tell which bucket an address or a token lands in. */
	unsigned char addr_key[FW_KEY_BYTES], token_key[FW_KEY_BYTES];
	pthread_mutex_t lock; /* the event budget below */
	int64_t budget_start_ms;
	unsigned budget_used;
	uint64_t suppressed;
};

/* A monotonic clock: lockouts neither end early nor last for ever when the wall clock is set. */
static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int authlimit_new(const struct server_limits *limits, struct authlimit **ret)
{
	struct authlimit *al;
	int r;

	*ret = NULL;
	if (limits->auth_fail_limit == 0)
		return 0;
	al = calloc(1, sizeof(*al));
	if (!al)
		return FW_ENOMEM;
	r = fw_ratelimit_new(AUTHLIMIT_SLOTS, limits->auth_fail_limit,
	                     (int64_t)limits->auth_fail_window * 1000, &al->rl);
	if (r < 0) {
		free(al);
		return r;
	}
	al->limit = limits->auth_fail_limit;
	al->window_s = limits->auth_fail_window;
	fw_crypto_random(al->addr_key, sizeof(al->addr_key));
	fw_crypto_random(al->token_key, sizeof(al->token_key));
	pthread_mutex_init(&al->lock, NULL);
	*ret = al;
	return 0;
}

void authlimit_free(struct authlimit *al)
{
	if (!al)
		return;
	fw_ratelimit_free(al->rl);
	pthread_mutex_destroy(&al->lock);
	fw_crypto_wipe(al, sizeof(*al));
	free(al);
}

/* The client's key: a keyed hash of its address (IPv6: its /64); shown (may be NULL) gets its name. */
static void address_key(const struct authlimit *al, const char *address, unsigned char key[FW_HASH_BYTES],
                        char shown[64])
{
	unsigned char buf[FW_RATELIMIT_CLIENT_MAX];
	size_t n = fw_ratelimit_client(address, buf, shown);

	fw_token_hash(al->addr_key, (const char *)buf, n, key);
}

int authlimit_check(struct request *rq, const char *token, size_t len)
{
	struct authlimit *al = rq->srv->authlimit;
	unsigned char key[FW_HASH_BYTES];
	const char *scope = "from this address";
	int64_t now = mono_ms(), left;
	char msg[128];

	/* No lockout in force anywhere (the usual case): nothing to derive or look up. */
	if (!al || fw_ratelimit_idle(al->rl, now))
		return 0;
	address_key(al, rq->address, key, NULL);
	left = fw_ratelimit_check(al->rl, key, now);
	if (left == 0) {
		fw_token_hash(al->token_key, token, len, key);
		left = fw_ratelimit_check(al->rl, key, now);
		scope = "with this token";
	}
	if (left == 0)
		return 0;
	rq->retry_after = (unsigned)((left + 999) / 1000);
	snprintf(msg, sizeof(msg), "too many failed authentications %s; try again in %u s", scope,
	         rq->retry_after);
	reply_error(rq, 429, "rate_limited", NULL, msg);
	return -1;
}

/* record: the lockout's event, within the budget; a lockout over budget is counted for the next event. */
static void record(struct request *rq, const char *scope, const char *token, size_t len, int64_t now)
{
	struct authlimit *al = rq->srv->authlimit;
	struct fw_auth_lockout l = {.scope = scope, .failures = al->limit, .window_s = al->window_s};
	unsigned char hash[FW_HASH_BYTES];
	char shown[64], ref[2 * 8 + 1];
	int take, r;

	pthread_mutex_lock(&al->lock);
	if (al->budget_used == 0 || now - al->budget_start_ms >= (int64_t)al->window_s * 1000) {
		al->budget_start_ms = now;
		al->budget_used = 0;
	}
	take = al->budget_used < AUTHLIMIT_EVENTS;
	if (take) {
		al->budget_used++;
		l.suppressed = al->suppressed;
		al->suppressed = 0;
	} else {
		al->suppressed++;
	}
	pthread_mutex_unlock(&al->lock);
	if (!take)
		return;
	address_key(al, rq->address, hash, shown);
	l.address = shown;
	if (token) {
		/* The store keeps a token's keyed hash: the operator can match this prefix of it. */
		fw_token_hash(rq->srv->token_key, token, len, hash);
		fw_crypto_hex(hash, 8, ref);
		l.token_ref = ref;
	}
	l.until = fw_time_now() + al->window_s;
	r = fw_ops_auth_locked(rq->store, &l);
	if (r < 0)
		fprintf(stderr, "forewarn: cannot record the lockout of %s: %s\n", shown, fw_strerror(r));
}

int authlimit_fail_address(struct request *rq)
{
	struct authlimit *al = rq->srv->authlimit;
	unsigned char key[FW_HASH_BYTES];
	int64_t now = mono_ms();

	if (!al)
		return 0;
	address_key(al, rq->address, key, NULL);
	if (fw_ratelimit_check(al->rl, key, now) != 0)
		return 1; /* locked already: not counted again */
	if (fw_ratelimit_fail(al->rl, key, now))
		record(rq, "address", NULL, 0, now);
	return 0;
}

void authlimit_fail(struct request *rq, const char *token, size_t len)
{
	struct authlimit *al = rq->srv->authlimit;
	unsigned char key[FW_HASH_BYTES];
	int64_t now = mono_ms();

	if (!al)
		return;
	address_key(al, rq->address, key, NULL);
	if (fw_ratelimit_fail(al->rl, key, now))
		record(rq, "address", NULL, 0, now);
	fw_token_hash(al->token_key, token, len, key);
	if (fw_ratelimit_fail(al->rl, key, now))
		record(rq, "token", token, len, now);
}
