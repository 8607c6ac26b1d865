/*
 * Per-thread caches for the partner routes, invalidated by a generation counter that every admin write
 * bumps. Each server thread owns its caches, so lookups take no lock. Direct-mapped, fixed size.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"

#define TOKEN_SLOTS 512
#define ADV_SLOTS   64
#define COPY_SLOTS  256
#define COPY_MAX    (64 * 1024)
#define SIG_SLOTS   1024

static atomic_uint_fast64_t generation = 1;

struct token_slot {
	int used;
	unsigned char hash[FW_HASH_BYTES];
	struct fw_token token;
	struct fw_partner partner;
};

struct adv_slot {
	int used;
	struct cached_advisory c;
};

struct copy_slot {
	char key[256];
	char *data;
	size_t len;
	unsigned char sha256[32];
};

struct sig_slot {
	int used;
	unsigned char sha256[32];
	unsigned char sig[64];
};

struct tcache {
	struct tcache *next; /* every thread's cache, for cache_release_all */
	uint64_t gen;
	int have_policy;
	struct fw_ops_policy policy;
	struct token_slot tokens[TOKEN_SLOTS];
	struct adv_slot advs[ADV_SLOTS];
	struct copy_slot copies[COPY_SLOTS];
	struct sig_slot sigs[SIG_SLOTS]; /* not flushed: a signature of given bytes never goes stale */
};

static _Thread_local struct tcache *tc;
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tcache *all;

void cache_bump(void)
{
	atomic_fetch_add(&generation, 1);
}

uint64_t cache_generation(void)
{
	return atomic_load(&generation);
}

static void adv_clear(struct adv_slot *a)
{
	if (!a->used)
		return;
	fw_revision_release(&a->c.rev);
	fw_fingerprint_free(a->c.fp);
	free(a->c.history);
	free(a->c.notes);
	memset(a, 0, sizeof(*a));
}

static void flush(struct tcache *t)
{
	if (t->have_policy)
		fw_ops_policy_release(&t->policy);
	t->have_policy = 0;
	for (size_t i = 0; i < TOKEN_SLOTS; i++)
		t->tokens[i].used = 0;
	for (size_t i = 0; i < ADV_SLOTS; i++)
		adv_clear(&t->advs[i]);
	for (size_t i = 0; i < COPY_SLOTS; i++) {
		free(t->copies[i].data);
		t->copies[i].data = NULL;
		t->copies[i].key[0] = '\0';
	}
}

void cache_begin_request(void)
{
	uint64_t g = atomic_load(&generation);

	if (!tc) {
		tc = calloc(1, sizeof(*tc));
		if (!tc)
			return; /* no cache: every lookup goes to the store */
		tc->gen = g;
		pthread_mutex_lock(&all_lock);
		tc->next = all;
		all = tc;
		pthread_mutex_unlock(&all_lock);
	}
	if (tc->gen != g) {
		flush(tc);
		tc->gen = g;
	}
}

void cache_release_all(void)
{
	pthread_mutex_lock(&all_lock);
	while (all) {
		struct tcache *t = all;
		all = t->next;
		flush(t);
		fw_crypto_wipe(t->tokens, sizeof(t->tokens));
		free(t);
	}
	pthread_mutex_unlock(&all_lock);
}

static size_t slot_of(const void *p, size_t n, size_t slots)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return (size_t)(h % slots);
}

int cache_authenticate(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *secret,
                       size_t len, struct fw_token *ret_token, struct fw_partner *ret_partner)
{
	unsigned char hash[FW_HASH_BYTES];
	struct fw_partner p;
	struct fw_token t;
	struct token_slot *slot;
	int r;

	if (len < 10 || len >= FW_TOKEN_LEN)
		return FW_ENOENT;
	fw_token_hash(key, secret, len, hash);
	slot = tc ? &tc->tokens[slot_of(hash, 8, TOKEN_SLOTS)] : NULL;
	if (slot && slot->used && fw_crypto_equal(slot->hash, hash, sizeof(hash))) {
		*ret_token = slot->token;
		*ret_partner = slot->partner;
		return 0;
	}
	r = fw_store_token_find(s, hash, &t);
	if (r < 0)
		return r;
	memset(&p, 0, sizeof(p));
	if (t.partner_id[0]) {
		r = fw_store_partner_get(s, t.partner_id, &p);
		if (r < 0)
			return r;
	}
	if (slot) {
		slot->used = 1;
		memcpy(slot->hash, hash, sizeof(hash));
		slot->token = t;
		slot->partner = p;
	}
	*ret_token = t;
	*ret_partner = p;
	return 0;
}

int cache_policy(struct fw_store *s, const struct fw_ops_policy **ret)
{
	static _Thread_local struct fw_ops_policy uncached;
	int r;

	if (tc && tc->have_policy) {
		*ret = &tc->policy;
		return 0;
	}
	if (!tc) {
		fw_ops_policy_release(&uncached);
		r = fw_ops_policy_load(s, &uncached);
		if (r == 0)
			*ret = &uncached;
		return r;
	}
	r = fw_ops_policy_load(s, &tc->policy);
	if (r < 0)
		return r;
	tc->have_policy = 1;
	*ret = &tc->policy;
	return 0;
}

static int collect_history(void *ctx, const struct fw_revision *rv)
{
	struct cached_advisory *c = ctx;

	if (c->nhistory == (size_t)c->adv.revision)
		return 0;
	c->history[c->nhistory].number = rv->number;
	c->history[c->nhistory].created_at = rv->created_at;
	memcpy(c->notes[c->nhistory], rv->note, sizeof(rv->note));
	c->history[c->nhistory].note = c->notes[c->nhistory];
	c->nhistory++;
	return 0;
}

static int load_advisory(struct fw_store *s, const char *id, struct cached_advisory *c)
{
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	r = fw_store_advisory_get(s, id, &c->adv);
	if (r < 0)
		return r;
	n = c->adv.revision > 0 ? (size_t)c->adv.revision : 1;
	c->history = calloc(n, sizeof(*c->history));
	c->notes = calloc(n, sizeof(*c->notes));
	if (!c->history || !c->notes)
		r = FW_ENOMEM;
	if (r == 0)
		r = fw_store_revision_get(s, id, c->adv.revision, &c->rev);
	if (r == 0)
		r = fw_store_revision_each(s, id, collect_history, c);
	if (r == 0)
		r = fw_fingerprint_new(&c->rev, &c->fp, NULL);
	if (r < 0) {
		fw_revision_release(&c->rev);
		fw_fingerprint_free(c->fp);
		free(c->history);
		free(c->notes);
		memset(c, 0, sizeof(*c));
	}
	return r;
}

int cache_advisory(struct fw_store *s, const char *id, const struct cached_advisory **ret)
{
	static _Thread_local struct adv_slot uncached;
	struct adv_slot *slot = tc ? &tc->advs[slot_of(id, strlen(id), ADV_SLOTS)] : &uncached;
	int r;

	if (tc && slot->used && strcmp(slot->c.adv.id, id) == 0) {
		*ret = &slot->c;
		return 0;
	}
	adv_clear(slot);
	r = load_advisory(s, id, &slot->c);
	if (r < 0)
		return r;
	slot->used = 1;
	*ret = &slot->c;
	return 0;
}

int cache_copy_get(const char *key, const char **ret, size_t *ret_len, const unsigned char **ret_sha256)
{
	struct copy_slot *slot;

	if (!tc)
		return FW_ENOENT;
	slot = &tc->copies[slot_of(key, strlen(key), COPY_SLOTS)];
	if (!slot->data || strcmp(slot->key, key) != 0)
		return FW_ENOENT;
	*ret = slot->data;
	*ret_len = slot->len;
	*ret_sha256 = slot->sha256;
	return 0;
}

void cache_copy_put(const char *key, const char *data, size_t len, const unsigned char sha256[32])
{
	struct copy_slot *slot;
	char *p;

	if (!tc || len > COPY_MAX || strlen(key) >= sizeof(slot->key))
		return;
	slot = &tc->copies[slot_of(key, strlen(key), COPY_SLOTS)];
	p = malloc(len + 1);
	if (!p)
		return;
	memcpy(p, data, len);
	p[len] = '\0';
	free(slot->data);
	slot->data = p;
	slot->len = len;
	memcpy(slot->sha256, sha256, 32);
	strcpy(slot->key, key);
}

int cache_signature_get(const unsigned char sha256[32], unsigned char ret_sig[64])
{
	struct sig_slot *slot;

	if (!tc)
		return FW_ENOENT;
	slot = &tc->sigs[slot_of(sha256, 8, SIG_SLOTS)];
	if (!slot->used || memcmp(slot->sha256, sha256, 32) != 0)
		return FW_ENOENT;
	memcpy(ret_sig, slot->sig, 64);
	return 0;
}

void cache_signature_put(const unsigned char sha256[32], const unsigned char sig[64])
{
	struct sig_slot *slot;

	if (!tc)
		return;
	slot = &tc->sigs[slot_of(sha256, 8, SIG_SLOTS)];
	slot->used = 1;
	memcpy(slot->sha256, sha256, 32);
	memcpy(slot->sig, sig, 64);
}
