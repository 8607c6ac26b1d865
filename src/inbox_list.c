/*
 * The partner inbox's list. Listing the inbox used to read and decrypt every visible advisory on every
 * request (about 25 us each); the list is now built once, with each item's JSON head (id, title, CVEs,
 * revision: the same for every partner) rendered, and shared by every thread until the next admin write
 * bumps the cache generation. A request only decides what its partner may see of each item now and writes
 * the rest (parts, TLP, T, status). The scheduler's one change to an advisory, scheduled to public at T,
 * needs no new list: the policy already holds a scheduled advisory past T public (fw_policy_is_public).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "cache.h"
#include "inbox_list.h"

struct inbox_item {
	enum fw_advisory_status status;
	int64_t public_at;
	unsigned parts;   /* present in the current revision */
	size_t head, len; /* the item's JSON head in text */
};

struct inbox_list {
	unsigned refs; /* under lock */
	uint64_t gen;
	size_t n, cap;
	struct inbox_item *items;
	struct fw_buf text;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct inbox_list *current;

static void list_free(struct inbox_list *l)
{
	if (!l)
		return;
	fw_buf_release(&l->text);
	free(l->items);
	free(l);
}

static int add_item(void *ctx, const struct fw_advisory *a)
{
	struct inbox_list *l = ctx;
	struct inbox_item *it;
	size_t at = l->text.len;
	int r;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct inbox_item *m = realloc(l->items, cap * sizeof(*m));
		if (!m)
			return FW_ENOMEM;
		l->items = m;
		l->cap = cap;
	}
	if ((r = fw_json_inbox_item_head(a, &l->text)) < 0)
		return r;
	it = &l->items[l->n++];
	it->status = a->status;
	it->public_at = a->public_at;
	it->parts = a->parts;
	it->head = at;
	it->len = l->text.len - at;
	return 0;
}

int inbox_list_get(struct fw_store *s, struct inbox_list **ret)
{
	uint64_t gen =
	    cache_generation(); /* read first: a write meanwhile makes the next request build again */
	struct inbox_list *l;
	int r;

	pthread_mutex_lock(&lock);
	/* A list built at a later generation (by a thread that read it after us) is newer still: use it. So
	 * the current list only ever moves forward. */
	if (current && current->gen >= gen) {
		current->refs++;
		*ret = current;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	/* Built under the lock: the threads that would build the same list wait for this one. */
	if (!(l = calloc(1, sizeof(*l)))) {
		pthread_mutex_unlock(&lock);
		return FW_ENOMEM;
	}
	l->gen = gen;
	fw_buf_init(&l->text, 0);
	r = fw_store_advisory_each(s, 1, add_item, l);
	if (r < 0) {
		pthread_mutex_unlock(&lock);
		list_free(l);
		return r;
	}
	if (current && --current->refs == 0)
		list_free(current);
	current = l;
	l->refs = 2; /* the current list's and the caller's */
	*ret = l;
	pthread_mutex_unlock(&lock);
	return 0;
}

void inbox_list_put(struct inbox_list *l)
{
	int last;

	if (!l)
		return;
	pthread_mutex_lock(&lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		list_free(l);
}

int inbox_list_write(const struct inbox_list *l, const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                     int64_t now, struct fw_buf *out)
{
	/* The policy reads an advisory's status and T only (policy.h): one holding just those will do. */
	static _Thread_local struct fw_advisory a;
	size_t shown = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < l->n; i++) {
		const struct inbox_item *it = &l->items[i];
		unsigned parts;

		a.status = it->status;
		a.public_at = it->public_at;
		a.parts = it->parts;
		parts = fw_policy_access(ctx, p, &a, it->parts, now, NULL);
		if (!parts)
			continue;
		r = shown++ ? fw_buf_puts(out, ",") : 0;
		if (r == 0)
			r = fw_buf_append(out, l->text.data + it->head, it->len);
		if (r == 0)
			r = fw_json_inbox_item_tail(parts, fw_policy_is_public(&a, now), it->public_at, out);
	}
	return r;
}

void inbox_list_release_all(void)
{
	pthread_mutex_lock(&lock);
	if (current && --current->refs == 0)
		list_free(current);
	current = NULL;
	pthread_mutex_unlock(&lock);
}
