/*
 * Partners' sealing keys as operations (lib/ops/seal.c), on a fresh SQLite store: registration from a JSON
 * body with its event, refusals that change nothing, removal, and fw_ops_seal_for_partner, the call the
 * webhook outbox will seal its payloads with: what it appends opens with the partner's secret key only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/ops.h"
#include "forewarn/seal.h"
#include "tmpdir.h"

struct env {
	char dir[64];
	struct fw_store *s;
	unsigned char pk[32], sk[32];
	char body[128];
};

static void add_partner(struct fw_store *s, const char *id, enum fw_partner_status status)
{
	struct fw_partner p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	snprintf(p.name, sizeof(p.name), "Partner %s", id);
	snprintf(p.country, sizeof(p.country), "DE");
	snprintf(p.tier, sizeof(p.tier), "vetted");
	p.entitlements = FW_PARTS_ALL;
	p.status = status;
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char uri[128], b64[64];
	struct fw_error err;

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fw-seal-test-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(uri, sizeof(uri), "sqlite:%s/store.db", e->dir);
	if (fw_store_open(uri, 0, &e->s, &err) < 0)
		return -1;
	add_partner(e->s, "acme", FW_PARTNER_ACTIVE);
	add_partner(e->s, "beta", FW_PARTNER_ACTIVE);
	add_partner(e->s, "gone", FW_PARTNER_REMOVED);
	if (fw_x25519_keypair(e->pk, e->sk) < 0)
		return -1;
	fw_base64_encode(e->pk, 32, b64);
	snprintf(e->body, sizeof(e->body), "{\"public_key\":\"%s\"}", b64);
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

struct count {
	const char *type;
	int n;
	char detail[512];
};

static int count_event(void *ctx, const struct fw_event *ev)
{
	struct count *c = ctx;

	if (strcmp(ev->type, c->type) == 0) {
		c->n++;
		snprintf(c->detail, sizeof(c->detail), "%s", ev->detail);
	}
	return 0;
}

static int events_of(struct fw_store *s, const char *type, char *detail)
{
	struct count c = {type, 0, ""};

	assert_int_equal(fw_store_event_each(s, 0, 100000, count_event, &c), 0);
	if (detail)
		strcpy(detail, c.detail);
	return c.n;
}

static void register_and_seal(void **state)
{
	struct env *e = *state;
	struct fw_seal_key k, got;
	struct fw_error err = {{0}, {0}};
	struct fw_buf out;
	char kid[FW_KEY_ID_HEX], detail[512], want[64];
	static const char msg[] = "{\"event\":\"advisory.released\",\"advisory\":\"fw-2026-0001\"}";
	unsigned char plain[sizeof(msg)];

	assert_int_equal(
	    fw_ops_seal_key_set(e->s, "partner:acme", "acme", e->body, strlen(e->body), 100, &k, &err), 0);
	fw_key_id(e->pk, kid);
	assert_string_equal(k.key_id, kid);
	assert_string_equal(k.partner_id, "acme");
	assert_int_equal(k.created_at, 100);
	assert_int_equal(fw_ops_seal_key_get(e->s, "acme", &got), 0);
	assert_memory_equal(got.pk, e->pk, 32);
	assert_string_equal(got.key_id, kid);
	assert_int_equal(events_of(e->s, "partner.seal_key_set", detail), 1);
	snprintf(want, sizeof(want), "\"key_id\":\"%s\"", kid);
	assert_non_null(strstr(detail, want));

	/* sealing appends a box after what out holds; only acme's secret key opens it */
	fw_buf_init(&out, 0);
	assert_int_equal(fw_buf_puts(&out, "prefix"), 0);
	memset(kid, 0, sizeof(kid));
	assert_int_equal(fw_ops_seal_for_partner(e->s, "acme", msg, strlen(msg), &out, kid), 0);
	assert_string_equal(kid, k.key_id);
	assert_int_equal(out.len, 6 + strlen(msg) + FW_SEALBOX_OVERHEAD);
	assert_memory_equal(out.data, "prefix", 6);
	assert_int_equal(fw_seal_open(e->pk, e->sk, (unsigned char *)out.data + 6, out.len - 6, plain), 0);
	assert_memory_equal(plain, msg, strlen(msg));
	fw_buf_release(&out);

	/* beta has no key: nothing appended */
	fw_buf_init(&out, 0);
	assert_int_equal(fw_ops_seal_for_partner(e->s, "beta", msg, strlen(msg), &out, NULL), FW_ENOENT);
	assert_int_equal(out.len, 0);
	/* a bounded buffer too small for the box */
	fw_buf_init(&out, strlen(msg) + FW_SEALBOX_OVERHEAD - 1);
	assert_int_equal(fw_ops_seal_for_partner(e->s, "acme", msg, strlen(msg), &out, NULL), FW_ETOOBIG);
	assert_int_equal(out.len, 0);
	fw_buf_release(&out);
}

static void refusals_change_nothing(void **state)
{
	static const struct {
		const char *body, *field;
	} bad[] = {
	    {"{}", "public_key"},
	    {"{\"public_key\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", "public_key"},
	    {"{\"public_key\":\"4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=\"}", "public_key"}, /* order 8 */
	    {"{\"public_key\":\"c2hvcnQ=\"}", "public_key"},
	    {"{\"public_key\":7}", "public_key"},
	    {"{\"extra\":1}", "extra"},
	    {"[]", ""},
	};
	struct env *e = *state;
	struct fw_seal_key k;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fw_error err = {{0}, {0}};
		assert_int_equal(fw_ops_seal_key_set(e->s, "admin:x", "acme", bad[i].body,
		                                     strlen(bad[i].body), 1, &k, &err),
		                 FW_EINVAL);
		assert_string_equal(err.field, bad[i].field);
		assert_true(err.message[0] != '\0');
	}
	{
		struct fw_error err = {{0}, {0}};
		assert_int_equal(
		    fw_ops_seal_key_set(e->s, "admin:x", "nobody", e->body, strlen(e->body), 1, &k, &err),
		    FW_ENOENT);
		assert_int_equal(
		    fw_ops_seal_key_set(e->s, "admin:x", "gone", e->body, strlen(e->body), 1, &k, &err),
		    FW_ECONFLICT);
	}
	assert_int_equal(fw_ops_seal_key_get(e->s, "acme", &k), FW_ENOENT);
	assert_int_equal(fw_ops_seal_key_get(e->s, "gone", &k), FW_ENOENT);
	assert_int_equal(events_of(e->s, "partner.seal_key_set", NULL), 0);
}

static void remove_key(void **state)
{
	struct env *e = *state;
	struct fw_error err = {{0}, {0}};
	struct fw_seal_key k;
	struct fw_buf out;

	assert_int_equal(fw_ops_seal_key_remove(e->s, "partner:acme", "acme", 5, &err), FW_ENOENT);
	assert_string_equal(err.field, "seal_key");
	assert_int_equal(
	    fw_ops_seal_key_set(e->s, "partner:acme", "acme", e->body, strlen(e->body), 10, &k, &err), 0);
	assert_int_equal(fw_ops_seal_key_remove(e->s, "partner:acme", "acme", 20, &err), 0);
	assert_int_equal(events_of(e->s, "partner.seal_key_removed", NULL), 1);
	assert_int_equal(fw_ops_seal_key_get(e->s, "acme", &k), FW_ENOENT);
	fw_buf_init(&out, 0);
	assert_int_equal(fw_ops_seal_for_partner(e->s, "acme", "x", 1, &out, NULL), FW_ENOENT);
	fw_buf_release(&out);
	assert_int_equal(fw_ops_seal_key_remove(e->s, "partner:acme", "acme", 30, &err), FW_ENOENT);
	assert_int_equal(events_of(e->s, "partner.seal_key_removed", NULL), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {T(register_and_seal), T(refusals_change_nothing), T(remove_key)};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
