/*
 * Failure counters in a fixed, set-associative table: each key maps to one bucket of FW_RATELIMIT_WAYS
 * entries under its own mutex, so threads contend only on one bucket and memory never grows. An attacker
 * spraying fresh keys only displaces entries of its own bucket, and locked entries last of all.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/ratelimit.h"

#define SLOTS_MAX ((size_t)1 << 26)

struct entry {
	unsigned char key[FW_RATELIMIT_KEY_BYTES];
	int64_t start_ms;  /* the first failure counted in this window */
	int64_t until_ms;  /* end of the lockout; 0 while counting */
	unsigned failures; /* 0: the entry is free */
};

struct bucket {
	pthread_mutex_t lock;
	struct entry e[FW_RATELIMIT_WAYS];
};

struct fw_ratelimit {
	size_t nbuckets;
	unsigned limit;
	int64_t window_ms;
	pthread_mutex_t stats_lock;
	uint64_t evicted, evicted_locked;
	_Atomic int64_t last_until; /* the latest end of any lockout so far: after it no key is locked */
	struct bucket *buckets;
};

enum state { FREE, COUNTING, LOCKED };

static enum state state_of(const struct fw_ratelimit *rl, const struct entry *e, int64_t now)
{
	if (e->failures == 0)
		return FREE;
	if (e->until_ms)
		return e->until_ms > now ? LOCKED : FREE; /* a lockout that is over starts afresh */
	return now - e->start_ms < rl->window_ms ? COUNTING : FREE;
}

int fw_ratelimit_new(size_t slots, unsigned limit, int64_t window_ms, struct fw_ratelimit **ret)
{
	struct fw_ratelimit *rl;

	if (slots == 0 || slots > SLOTS_MAX || limit == 0 || window_ms <= 0)
		return FW_EINVAL;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return FW_ENOMEM;
	rl->nbuckets = (slots + FW_RATELIMIT_WAYS - 1) / FW_RATELIMIT_WAYS;
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->buckets = calloc(rl->nbuckets, sizeof(*rl->buckets));
	if (!rl->buckets) {
		free(rl);
		return FW_ENOMEM;
	}
	pthread_mutex_init(&rl->stats_lock, NULL);
	atomic_init(&rl->last_until, INT64_MIN);
	for (size_t i = 0; i < rl->nbuckets; i++)
		pthread_mutex_init(&rl->buckets[i].lock, NULL);
	*ret = rl;
	return 0;
}

void fw_ratelimit_free(struct fw_ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < rl->nbuckets; i++)
		pthread_mutex_destroy(&rl->buckets[i].lock);
	pthread_mutex_destroy(&rl->stats_lock);
	free(rl->buckets);
	free(rl);
}

/* The key's bucket, locked. Keys come from a keyed hash: their first bytes are already uniform. */
static struct bucket *bucket_of(struct fw_ratelimit *rl, const unsigned char *key)
{
	uint64_t h;
	struct bucket *b;

	memcpy(&h, key, sizeof(h));
	b = &rl->buckets[h % rl->nbuckets];
	pthread_mutex_lock(&b->lock);
	return b;
}

/* A plain memcmp: keys are keyed hashes, so its timing tells nobody anything they could steer. */
static struct entry *find(struct bucket *b, const unsigned char *key)
{
	for (size_t i = 0; i < FW_RATELIMIT_WAYS; i++)
		if (b->e[i].failures && memcmp(b->e[i].key, key, FW_RATELIMIT_KEY_BYTES) == 0)
			return &b->e[i];
	return NULL;
}

/* victim: a free entry, else the unlocked one with the fewest failures (oldest first), else the lockout that
 * ends first. */
static struct entry *victim(const struct fw_ratelimit *rl, struct bucket *b, int64_t now, enum state *ret_was)
{
	struct entry *best = NULL;
	enum state best_st = LOCKED;

	for (size_t i = 0; i < FW_RATELIMIT_WAYS; i++) {
		struct entry *e = &b->e[i];
		enum state st = state_of(rl, e, now);
		if (st == FREE) {
			*ret_was = FREE;
			return e;
		}
		if (!best || st < best_st ||
		    (st == COUNTING && best_st == COUNTING &&
		     (e->failures < best->failures ||
		      (e->failures == best->failures && e->start_ms < best->start_ms))) ||
		    (st == LOCKED && best_st == LOCKED && e->until_ms < best->until_ms)) {
			best = e;
			best_st = st;
		}
	}
	*ret_was = best_st;
	return best;
}

int fw_ratelimit_idle(struct fw_ratelimit *rl, int64_t now_ms)
{
	return now_ms >= atomic_load_explicit(&rl->last_until, memory_order_acquire);
}

int64_t fw_ratelimit_check(struct fw_ratelimit *rl, const unsigned char key[FW_RATELIMIT_KEY_BYTES],
                           int64_t now_ms)
{
	struct bucket *b = bucket_of(rl, key);
	struct entry *e = find(b, key);
	int64_t left = 0;

	if (e && state_of(rl, e, now_ms) == LOCKED)
		left = e->until_ms - now_ms;
	pthread_mutex_unlock(&b->lock);
	return left;
}

int fw_ratelimit_fail(struct fw_ratelimit *rl, const unsigned char key[FW_RATELIMIT_KEY_BYTES],
                      int64_t now_ms)
{
	struct bucket *b = bucket_of(rl, key);
	struct entry *e = find(b, key);
	enum state st = e ? state_of(rl, e, now_ms) : FREE;
	int locked = 0;

	if (st == LOCKED) {
		/* Refused callers are not checked, so their attempts are not failures; another thread raced
		 * us. */
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	if (!e) {
		e = victim(rl, b, now_ms, &st);
		if (st != FREE) {
			pthread_mutex_lock(&rl->stats_lock);
			rl->evicted++;
			rl->evicted_locked += st == LOCKED;
			pthread_mutex_unlock(&rl->stats_lock);
		}
		st = FREE;
	}
	if (st == FREE) {
		memcpy(e->key, key, FW_RATELIMIT_KEY_BYTES);
		e->start_ms = now_ms;
		e->until_ms = 0;
		e->failures = 0;
	}
	e->failures++;
	if (e->failures >= rl->limit) {
		int64_t until = now_ms > INT64_MAX - rl->window_ms ? INT64_MAX : now_ms + rl->window_ms;
		int64_t last = atomic_load_explicit(&rl->last_until, memory_order_relaxed);
		e->until_ms = until;
		locked = 1;
		/* Raised before the bucket is released: whoever sees this lockout sees it. */
		while (last < until &&
		       !atomic_compare_exchange_weak_explicit(&rl->last_until, &last, until,
		                                              memory_order_release, memory_order_relaxed))
			;
	}
	pthread_mutex_unlock(&b->lock);
	return locked;
}

void fw_ratelimit_stats(struct fw_ratelimit *rl, int64_t now_ms, struct fw_ratelimit_stats *ret)
{
	struct fw_ratelimit_stats s;

	memset(&s, 0, sizeof(s));
	s.slots = rl->nbuckets * FW_RATELIMIT_WAYS;
	for (size_t i = 0; i < rl->nbuckets; i++) {
		struct bucket *b = &rl->buckets[i];
		pthread_mutex_lock(&b->lock);
		for (size_t j = 0; j < FW_RATELIMIT_WAYS; j++) {
			enum state st = state_of(rl, &b->e[j], now_ms);
			s.used += st != FREE;
			s.locked += st == LOCKED;
		}
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_lock(&rl->stats_lock);
	s.evicted = rl->evicted;
	s.evicted_locked = rl->evicted_locked;
	pthread_mutex_unlock(&rl->stats_lock);
	*ret = s;
}

size_t fw_ratelimit_client(const char *address, unsigned char out[FW_RATELIMIT_CLIENT_MAX], char shown[64])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char a6[16];
	size_t n;

	memset(out, 0, FW_RATELIMIT_CLIENT_MAX);
	if (inet_pton(AF_INET, address, out + 1) == 1) {
		out[0] = 4;
		n = 5;
	} else if (inet_pton(AF_INET6, address, a6) == 1 && memcmp(a6, mapped, sizeof(mapped)) == 0) {
		out[0] = 4;
		memcpy(out + 1, a6 + 12, 4);
		n = 5;
	} else if (inet_pton(AF_INET6, address, a6) == 1) {
		out[0] = 6;
		memset(a6 + 8, 0, 8);
		memcpy(out + 1, a6, 8);
		n = 9;
	} else {
		/* "unknown" and the like: such clients share one counter */
		n = strnlen(address, FW_RATELIMIT_CLIENT_MAX - 1);
		memcpy(out + 1, address, n++);
	}
	if (shown && out[0] == 4) {
		inet_ntop(AF_INET, out + 1, shown, 64);
	} else if (shown && out[0] == 6) {
		char p[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, a6, p, sizeof(p));
		snprintf(shown, 64, "%s/64", p);
	} else if (shown) {
		snprintf(shown, 64, "%.*s", (int)(n - 1), address);
	}
	return n;
}
