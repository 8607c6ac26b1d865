/*
 * The storage contract of webhooks and their outbox, through store.h only (like test_store.c, so it runs
 * against any back end): registrations replaced in place, the outbox's filters, paging, due order and
 * limits, and every field kept at its maximum length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/store.h"
#include "tmpdir.h"

struct env {
	char dir[64];
	struct fw_store *s;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const char *t = getenv("FW_TEST_STORE_URI");
	char uri[1024];
	struct fw_error err;
	size_t n = 0;

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fw-store-webhook-XXXXXX");
	if (!mkdtemp(e->dir)) {
		free(e);
		return -1;
	}
	for (t = t ? t : "sqlite:@DIR@/store.db"; *t && n + 1 < sizeof(uri);) {
		if (strncmp(t, "@DIR@", 5) == 0) {
			n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%s", e->dir);
			t += 5;
		} else {
			uri[n++] = *t++;
		}
	}
	uri[n] = '\0';
	if (fw_store_open(uri, 0, &e->s, &err) < 0) {
		free(e);
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fw_store_free(e->s);
	if (tmpdir_remove(e->dir) != 0)
		return -1;
	free(e);
	return 0;
}

static void add_partner(struct fw_store *s, const char *id)
{
	struct fw_partner p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	strcpy(p.name, "Partner");
	strcpy(p.country, "DE");
	strcpy(p.tier, "vetted");
	p.entitlements = FW_PARTS_ALL;
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
}

static void webhook_put_get_delete(void **state)
{
	struct fw_store *s = ((struct env *)*state)->s;
	struct fw_webhook w, got;

	add_partner(s, "acme");
	memset(&w, 0, sizeof(w));
	strcpy(w.partner_id, "acme");
	memset(w.url, 'u', FW_WEBHOOK_URL_MAX); /* the longest URL survives */
	memset(w.nonce, 'a', FW_WEBHOOK_NONCE_HEX - 1);
	w.created_at = 100;
	w.updated_at = 100;
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), FW_ENOENT);
	assert_int_equal(fw_store_webhook_put(s, &w), 0);
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), 0);
	assert_memory_equal(&got, &w, sizeof(w));

	/* A replacement changes url, nonce and updated_at, never created_at. */
	strcpy(w.url, "https://new.example/");
	memset(w.nonce, 'b', FW_WEBHOOK_NONCE_HEX - 1);
	w.created_at = 999;
	w.updated_at = 200;
	assert_int_equal(fw_store_webhook_put(s, &w), 0);
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), 0);
	assert_string_equal(got.url, "https://new.example/");
	assert_string_equal(got.nonce, w.nonce);
	assert_int_equal(got.created_at, 100);
	assert_int_equal(got.updated_at, 200);

	assert_int_equal(got.content, FW_WEBHOOK_CONTENT_NONE);

	/* The content opt-in is kept, and replaced with the rest. */
	w.content = FW_WEBHOOK_CONTENT_SEALED;
	assert_int_equal(fw_store_webhook_put(s, &w), 0);
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), 0);
	assert_int_equal(got.content, FW_WEBHOOK_CONTENT_SEALED);

	/* Deleting the registration deletes its opt-in: a new one starts without. */
	assert_int_equal(fw_store_webhook_delete(s, "acme"), 0);
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), FW_ENOENT);
	assert_int_equal(fw_store_webhook_delete(s, "acme"), FW_ENOENT);
	w.content = FW_WEBHOOK_CONTENT_NONE;
	assert_int_equal(fw_store_webhook_put(s, &w), 0);
	assert_int_equal(fw_store_webhook_get(s, "acme", &got), 0);
	assert_int_equal(got.content, FW_WEBHOOK_CONTENT_NONE);
	assert_int_equal(fw_store_webhook_delete(s, "acme"), 0);
	/* A registration needs its partner. */
	strcpy(w.partner_id, "nobody");
	assert_true(fw_store_webhook_put(s, &w) < 0);
}

static void item(struct fw_outbox *o, int n, const char *partner, int64_t next_ms)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->key, sizeof(o->key), "wh_%032d", n);
	snprintf(o->partner_id, sizeof(o->partner_id), "%s", partner);
	strcpy(o->advisory_id, "fw-2026-0001");
	o->revision = n;
	o->parts = 5;
	o->state = FW_OUTBOX_PENDING;
	o->created_ms = 1000 + n;
	o->next_ms = next_ms;
	snprintf(o->payload, sizeof(o->payload), "{\"n\":%d}", n);
}

struct seen {
	int64_t ids[16];
	size_t n;
};

static int remember(void *ctx, const struct fw_outbox *o)
{
	struct seen *c = ctx;

	if (c->n < 16)
		c->ids[c->n++] = o->id;
	return 0;
}

static void outbox_roundtrip_max(void **state)
{
	struct fw_store *s = ((struct env *)*state)->s;
	struct fw_outbox o, got;
	int64_t id, id2;

	item(&o, 1, "acme", 5000);
	memset(o.payload, 'p', FW_OUTBOX_PAYLOAD_MAX);
	memset(o.partner_id, 'q', FW_ID_MAX);
	assert_int_equal(fw_store_outbox_insert(s, &o, &id), 0);
	assert_true(id > 0);
	assert_int_equal(fw_store_outbox_get(s, id, &got), 0);
	o.id = id;
	assert_memory_equal(&got, &o, sizeof(o));
	/* Each insert is a new item with a new id. */
	assert_int_equal(fw_store_outbox_insert(s, &o, &id2), 0);
	assert_true(id2 > id);

	/* Update writes the settlement fields, the longest error included. */
	o.state = FW_OUTBOX_FAILED;
	o.tries = 8;
	o.next_ms = 7;
	o.done_ms = 9000;
	o.last_status = 503;
	memset(o.last_error, 'e', FW_OUTBOX_ERROR_MAX);
	assert_int_equal(fw_store_outbox_update(s, &o), 0);
	assert_int_equal(fw_store_outbox_get(s, id, &got), 0);
	assert_memory_equal(&got, &o, sizeof(o));
	o.id = id + 100;
	assert_int_equal(fw_store_outbox_update(s, &o), FW_ENOENT);
	assert_int_equal(fw_store_outbox_get(s, id + 100, &got), FW_ENOENT);
}

static void outbox_each_filters_and_pages(void **state)
{
	struct fw_store *s = ((struct env *)*state)->s;
	struct fw_outbox o;
	struct seen c;
	int64_t ids[6];

	for (int i = 0; i < 6; i++) {
		item(&o, i + 1, i % 2 ? "beta" : "acme", 100);
		assert_int_equal(fw_store_outbox_insert(s, &o, &ids[i]), 0);
		if (i >= 4) {
			o.id = ids[i];
			o.state = FW_OUTBOX_DELIVERED;
			assert_int_equal(fw_store_outbox_update(s, &o), 0);
		}
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_each(s, -1, NULL, 0, 0, remember, &c), 0);
	assert_int_equal(c.n, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(c.ids[i], ids[i]); /* id order */
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_each(s, FW_OUTBOX_PENDING, "acme", 0, 0, remember, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.ids[0], ids[0]);
	assert_int_equal(c.ids[1], ids[2]);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_each(s, FW_OUTBOX_DELIVERED, NULL, 0, 0, remember, &c), 0);
	assert_int_equal(c.n, 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_each(s, -1, NULL, 2, 3, remember, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.ids[0], ids[2]);
	assert_int_equal(c.ids[2], ids[4]);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_each(s, FW_OUTBOX_FAILED, NULL, 0, 0, remember, &c), 0);
	assert_int_equal(c.n, 0);
}

static void outbox_due_order(void **state)
{
	struct fw_store *s = ((struct env *)*state)->s;
	static const int64_t next[5] = {300, 100, 200, 100, 900};
	struct fw_outbox o;
	struct seen c;
	int64_t ids[5], ms;

	assert_int_equal(fw_store_outbox_next_due(s, &ms), 0);
	assert_true(ms == INT64_MAX);
	for (int i = 0; i < 5; i++) {
		item(&o, i + 1, "acme", next[i]);
		assert_int_equal(fw_store_outbox_insert(s, &o, &ids[i]), 0);
	}
	/* A settled item is never due, however early its next_ms. */
	item(&o, 9, "acme", 1);
	o.state = FW_OUTBOX_FAILED;
	assert_int_equal(fw_store_outbox_insert(s, &o, NULL), 0);

	assert_int_equal(fw_store_outbox_next_due(s, &ms), 0);
	assert_int_equal(ms, 100);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_due(s, 300, 0, remember, &c), 0);
	assert_int_equal(c.n, 4); /* earliest first, ties by id */
	assert_int_equal(c.ids[0], ids[1]);
	assert_int_equal(c.ids[1], ids[3]);
	assert_int_equal(c.ids[2], ids[2]);
	assert_int_equal(c.ids[3], ids[0]);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_due(s, 300, 2, remember, &c), 0);
	assert_int_equal(c.n, 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_outbox_due(s, 99, 0, remember, &c), 0);
	assert_int_equal(c.n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(webhook_put_get_delete),
	    T(outbox_roundtrip_max),
	    T(outbox_each_filters_and_pages),
	    T(outbox_due_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
