/*
 * Webhook operations (lib/ops/webhook.c): URL checks, secrets, signatures, backoff, and the outbox's life on
 * a real store: enqueued with each delivery (once), claimed under a lease, retried, set aside, retried on
 * demand, delivered; and the policy check before a send.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"
#include "tmpdir.h"

static void url_checks(void **state)
{
	static const char *const good[] = {
	    "https://hooks.example.com/fw",
	    "https://hooks.example.com",
	    "HTTPS://Hooks.Example.COM/x",
	    "https://hooks.example.com:8443/a/b?c=d&e=%20f",
	    "https://[2001:db8::1]:443/x",
	    "https://192.0.2.1/x",
	    "http://127.0.0.1:8080/hook",
	    "http://127.1.2.3/hook",
	    "http://localhost:9/x",
	    "http://[::1]:9/x",
	    "https://a.b-c.example/~user/path;p=1/(x)*!$'",
	};
	static const struct {
		const char *url, *says;
	} bad[] = {
	    {"", "required"},
	    {"ftp://hooks.example.com/", "https://"},
	    {"hooks.example.com/", "https://"},
	    {"http://hooks.example.com/", "loopback"},
	    {"http://10.0.0.1/", "loopback"},
	    {"http://127.0.0.1.evil.example/", "loopback"},
	    {"http://127.0.0.256/", "loopback"},
	    {"http://[::2]/", "loopback"},
	    {"https://u:p@hooks.example.com/", "user name"},
	    {"https://hooks.example.com@evil.example/", "user name"},
	    {"https://hooks.example.com/#x", "fragment"},
	    {"https://hooks.example.com/a b", "ASCII"},
	    {"https://hooks.example.com/\x01", "ASCII"},
	    {"https://hooks.example.com/\xc3\xa9", "ASCII"},
	    {"https://hooks.example.com/{x}", "ASCII"},
	    {"https://", "host"},
	    {"https:///x", "host"},
	    {"https://:443/x", "host"},
	    {"https://-a.example/", "host name"},
	    {"https://a-.example/", "host name"},
	    {"https://a..example/", "host name"},
	    {"https://a_b.example/", "host name"},
	    {"https://hooks.example.com:/", "port"},
	    {"https://hooks.example.com:0/", "port"},
	    {"https://hooks.example.com:65536/", "port"},
	    {"https://hooks.example.com:8x/", "port"},
	    {"https://[::1/", "IPv6"},
	    {"https://[]/", "IPv6"},
	    {"https://[fe80::1%25eth0]/", "IPv6"},
	    {"https://[::1]x/", "port"},
	    {"https://hooks.example.com/%4", "percent"},
	    {"https://hooks.example.com/%zz", "percent"},
	};
	char longurl[FW_WEBHOOK_URL_MAX + 2];
	struct fw_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (fw_webhook_url_validate(good[i], &err) != 0)
			fail_msg("refused %s: %s", good[i], err.message);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (fw_webhook_url_validate(bad[i].url, &err) != FW_EINVAL)
			fail_msg("accepted %s", bad[i].url);
		assert_string_equal(err.field, "url");
		if (!strstr(err.message, bad[i].says))
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[i].url, err.message, bad[i].says);
	}
	/* The longest URL passes; one byte more does not. */
	strcpy(longurl, "https://a.example/");
	memset(longurl + 18, 'x', FW_WEBHOOK_URL_MAX - 18);
	longurl[FW_WEBHOOK_URL_MAX] = '\0';
	assert_int_equal(fw_webhook_url_validate(longurl, &err), 0);
	longurl[FW_WEBHOOK_URL_MAX] = 'x';
	longurl[FW_WEBHOOK_URL_MAX + 1] = '\0';
	assert_int_equal(fw_webhook_url_validate(longurl, &err), FW_EINVAL);
	assert_non_null(strstr(err.message, "too long"));
}

static void signature_vector(void **state)
{
	char sig[FW_WEBHOOK_SIGNATURE_MAX];
	const char *body = "{\"id\":\"wh_x\"}";

	(void)state;
	/* Python: hmac.new(b"whsec_0123456789abcdef", b"1700000000." + body, hashlib.sha256).hexdigest() */
	fw_webhook_sign("whsec_0123456789abcdef", 1700000000, body, strlen(body), sig);
	assert_string_equal(
	    sig, "t=1700000000,v1=f4f6ddbb052f4a9141c93416f7576c223571d4048f207c19de3051bb1e26ae94");
	fw_webhook_sign("whsec_0123456789abcdef", 1700000001, body, strlen(body), sig);
	assert_null(strstr(sig, "f4f6ddbb052f4a9141c93416f7576c22"));
}

static void secrets(void **state)
{
	unsigned char key[FW_KEY_BYTES] = {1}, key2[FW_KEY_BYTES] = {2};
	char a[FW_WEBHOOK_SECRET_LEN], b[FW_WEBHOOK_SECRET_LEN];
	struct fw_webhook w;

	(void)state;
	memset(&w, 0, sizeof(w));
	strcpy(w.partner_id, "acme");
	strcpy(w.nonce, "00112233445566778899aabbccddeeff");
	fw_webhook_secret(key, &w, a);
	assert_int_equal(strlen(a), FW_WEBHOOK_SECRET_LEN - 1);
	assert_memory_equal(a, "whsec_", 6);
	assert_int_equal(strspn(a + 6, "0123456789abcdef"), 64);
	fw_webhook_secret(key, &w, b);
	assert_string_equal(a, b); /* derived, not stored: the same every time */
	fw_webhook_secret(key2, &w, b);
	assert_string_not_equal(a, b);
	w.nonce[0] = '1';
	fw_webhook_secret(key, &w, b);
	assert_string_not_equal(a, b);
	w.nonce[0] = '0';
	strcpy(w.partner_id, "acmf");
	fw_webhook_secret(key, &w, b);
	assert_string_not_equal(a, b);
}

static void backoff(void **state)
{
	struct fw_outbox_policy pol = {1000, 8000, 8, 15000};

	(void)state;
	for (int run = 0; run < 200; run++) {
		int64_t prev = 0;
		for (int n = 1; n <= 6; n++) {
			int64_t base = n >= 4 ? 8000 : 1000 << (n - 1), d = fw_outbox_backoff_ms(&pol, n);
			assert_true(d >= base && d < base + base / 4 + 1);
			if (n <= 4)
				assert_true(d >
				            prev); /* each gap longer than the one before, up to the cap */
			prev = d;
		}
	}
}

/* A store with the default tiers, partners and an advisory whose revision is due to all of them. */
struct env {
	char dir[64];
	struct fw_store *s;
	struct fw_data_key *data_key;
	unsigned char key[FW_KEY_BYTES];
	char adv[FW_ID_MAX + 1];
};

static void make_partner(struct fw_store *s, const char *id)
{
	struct fw_error err = {0};
	struct fw_partner p;

	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", id);
	strcpy(p.name, "Partner");
	strcpy(p.country, "DE");
	strcpy(p.tier, "vetted");
	p.entitlements = (1u << FW_PART_SUMMARY) | (1u << FW_PART_DETAILS);
	assert_int_equal(fw_ops_partner_create(s, "test", &p, fw_time_now(), &err), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_error err = {0};
	char uri[128];

	if (!e || fw_crypto_init() < 0)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fw-ops-webhook-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", e->dir);
	if (fw_store_open(uri, 0, &e->s, &err) < 0 || fw_data_key_generate(&e->data_key) < 0 ||
	    fw_store_set_data_key(e->s, e->data_key, &err) < 0 ||
	    fw_ops_tiers_set(e->s, "test", tiers, fw_default_tiers(tiers), fw_time_now(), &err) < 0)
		return -1;
	fw_crypto_random(e->key, sizeof(e->key));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fw_store_free(e->s);
	fw_data_key_free(e->data_key);
	if (tmpdir_remove(e->dir) != 0)
		return -1;
	free(e);
	return 0;
}

static void release(struct env *e)
{
	struct fw_error err = {0};
	struct fw_advisory a;
	struct fw_revision rev;
	int64_t now = fw_time_now(), next;
	size_t n;

	memset(&a, 0, sizeof(a));
	memset(&rev, 0, sizeof(rev));
	strcpy(a.title, "Test advisory");
	rev.parts[FW_PART_SUMMARY] = (char *)"SECRET-SUMMARY-TEXT";
	rev.parts[FW_PART_DETAILS] = (char *)"SECRET-DETAILS-TEXT";
	rev.parts[FW_PART_POC] = (char *)"SECRET-POC-TEXT";
	assert_int_equal(fw_ops_advisory_create(e->s, "test", &a, &rev, now + 3600, now, &err), 0);
	strcpy(e->adv, a.id);
	assert_int_equal(fw_ops_release_due(e->s, now, &next, &n), 0);
	/* Again: deliveries are unique, and so are their notifications. */
	assert_int_equal(fw_ops_release_due(e->s, now, &next, &n), 0);
	assert_int_equal(n, 0);
}

static int count(void *ctx, const struct fw_outbox *o)
{
	(void)o;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t items(struct fw_store *s, int state, const char *partner)
{
	size_t n = 0;

	assert_int_equal(fw_store_outbox_each(s, state, partner, 0, 0, count, &n), 0);
	return n;
}

static void enqueue_with_delivery(void **state)
{
	struct env *e = *state;
	char secret[FW_WEBHOOK_SECRET_LEN];
	struct fw_error err = {0};
	struct fw_webhook w;
	struct fw_outbox o[4];
	size_t n;

	make_partner(e->s, "hooked");
	make_partner(e->s, "plain");
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "hooked", "https://h.example/x", 0, 1, 1,
	                                    secret, &w, &err),
	                 0);
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "nobody", "https://h.example/x", 0, 1, 1,
	                                    secret, &w, &err),
	                 FW_ENOENT);
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "hooked", "http://h.example/x", 0, 1, 1,
	                                    secret, &w, &err),
	                 FW_EINVAL);
	/* Content only sealed, so only with a sealing key: refused, naming the field, the registration kept.
	 */
	memset(&err, 0, sizeof(err));
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "hooked", "https://h.example/y",
	                                    FW_WEBHOOK_CONTENT_SEALED, 1, 1, secret, &w, &err),
	                 FW_EINVAL);
	assert_string_equal(err.field, "content");
	assert_int_equal(fw_store_webhook_get(e->s, "hooked", &w), 0);
	assert_string_equal(w.url, "https://h.example/x");
	assert_int_equal(w.content, FW_WEBHOOK_CONTENT_NONE);
	assert_int_equal(w.by_operator, 1);
	/* Who registered it is kept: the partner's own registration leads only to public addresses. */
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "hooked", "https://h.example/x", 0, 0, 2,
	                                    secret, &w, &err),
	                 0);
	memset(&w, 0xff, sizeof(w));
	assert_int_equal(fw_store_webhook_get(e->s, "hooked", &w), 0);
	assert_int_equal(w.by_operator, 0);
	release(e);
	assert_int_equal(items(e->s, -1, "hooked"), 1);
	assert_int_equal(items(e->s, -1, "plain"), 0);
	assert_int_equal(fw_ops_outbox_claim(e->s, &(struct fw_outbox_policy){1000, 8000, 3, 15000},
	                                     fw_time_now_ms(), o, 4, &n),
	                 0);
	assert_int_equal(n, 1);
	/* The payload names the parts, never their text. */
	assert_non_null(strstr(o[0].payload, "\"type\":\"advisory.released\""));
	assert_non_null(strstr(o[0].payload, "\"parts\":[\"summary\",\"details\"]"));
	assert_non_null(strstr(o[0].payload, o[0].key));
	assert_null(strstr(o[0].payload, "SECRET"));

	/* Queued in the caller's transaction: rolled back with it. */
	{
		struct fw_delivery d;
		int64_t id;
		memset(&d, 0, sizeof(d));
		strcpy(d.partner_id, "hooked");
		strcpy(d.advisory_id, e->adv);
		d.revision = 9;
		d.parts = 1;
		assert_int_equal(fw_store_begin(e->s), 0);
		assert_int_equal(fw_ops_outbox_enqueue(e->s, &d, &id), 0);
		assert_true(id > 0);
		fw_store_rollback(e->s);
		assert_int_equal(items(e->s, -1, "hooked"), 1);
		strcpy(d.partner_id, "plain");
		assert_int_equal(fw_ops_outbox_enqueue(e->s, &d, &id), 0);
		assert_int_equal(id, 0);
	}
}

static void retry_set_aside_and_deliver(void **state)
{
	struct env *e = *state;
	struct fw_outbox_policy pol = {1000, 8000, 3, 15000};
	char secret[FW_WEBHOOK_SECRET_LEN], why[200];
	struct fw_error err = {0};
	struct fw_outbox o[4], got;
	struct fw_ops_policy pol_ctx;
	struct fw_webhook w;
	struct fw_outbox_outcome oc;
	int64_t now = fw_time_now_ms();
	size_t n, aside;

	make_partner(e->s, "hooked");
	assert_int_equal(fw_ops_webhook_set(e->s, "test", e->key, "hooked", "https://h.example/x", 0, 1, 1,
	                                    secret, &w, &err),
	                 0);
	release(e);
	now = fw_time_now_ms(); /* the item is due from its delivery on */
	memset(&pol_ctx, 0, sizeof(pol_ctx));
	assert_int_equal(fw_ops_policy_load(e->s, &pol_ctx), 0);
	for (int t = 1; t <= 3; t++) {
		assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now, o, 4, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(o[0].tries, t);
		assert_int_equal(o[0].next_ms, now + pol.lease_ms);
		/* Leased: not claimed twice. */
		assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now, o + 1, 3, &n), 0);
		assert_int_equal(n, 0);
		assert_int_equal(
		    fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[0], now / 1000, &w, why, sizeof(why)), 1);
		assert_string_equal(w.url, "https://h.example/x");
		memset(&oc, 0, sizeof(oc));
		oc.id = o[0].id;
		oc.result = FW_OUTBOX_TRY_FAILED;
		oc.status = 500;
		strcpy(oc.error, "HTTP 500");
		assert_int_equal(fw_ops_outbox_record(e->s, &pol, &oc, 1, now, &aside), 0);
		assert_int_equal(fw_store_outbox_get(e->s, o[0].id, &got), 0);
		if (t < 3) {
			int64_t base = 1000 << (t - 1);
			assert_int_equal(got.state, FW_OUTBOX_PENDING);
			assert_true(got.next_ms >= now + base && got.next_ms <= now + base + base / 4);
			assert_int_equal(aside, 0);
			now = got.next_ms;
		} else {
			assert_int_equal(got.state, FW_OUTBOX_FAILED);
			assert_int_equal(aside, 1);
			assert_int_equal(got.last_status, 500);
			assert_string_equal(got.last_error, "HTTP 500");
			assert_true(got.done_ms > 0);
		}
	}
	assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now + 3600000, o, 4, &n), 0);
	assert_int_equal(n, 0); /* set aside: never due again by itself */

	/* Retry on demand: pending, due now, tries reset, same key. */
	assert_int_equal(fw_ops_outbox_retry(e->s, "admin:x", got.id, now, &o[1], &err), 0);
	assert_int_equal(o[1].state, FW_OUTBOX_PENDING);
	assert_int_equal(o[1].tries, 0);
	assert_string_equal(o[1].key, got.key);
	assert_int_equal(fw_ops_outbox_retry(e->s, "admin:x", got.id, now, &o[1], &err), FW_ECONFLICT);
	assert_int_equal(fw_ops_outbox_retry(e->s, "admin:x", got.id + 1000, now, &o[1], &err), FW_ENOENT);
	assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now, o, 4, &n), 0);
	assert_int_equal(n, 1);
	/* An interrupted try does not count, and is due again at once. */
	oc.id = o[0].id;
	oc.result = FW_OUTBOX_INTERRUPTED;
	assert_int_equal(fw_ops_outbox_record(e->s, &pol, &oc, 1, now, NULL), 0);
	assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now, o, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].tries, 1);
	oc.result = FW_OUTBOX_SENT;
	oc.status = 204;
	assert_int_equal(fw_ops_outbox_record(e->s, &pol, &oc, 1, now, NULL), 0);
	assert_int_equal(fw_store_outbox_get(e->s, o[0].id, &got), 0);
	assert_int_equal(got.state, FW_OUTBOX_DELIVERED);
	assert_string_equal(got.last_error, "");
	/* A second outcome for a settled item changes nothing. */
	oc.result = FW_OUTBOX_TRY_FAILED;
	assert_int_equal(fw_ops_outbox_record(e->s, &pol, &oc, 1, now, NULL), 0);
	assert_int_equal(fw_store_outbox_get(e->s, o[0].id, &o[1]), 0);
	assert_int_equal(o[1].state, FW_OUTBOX_DELIVERED);
	assert_int_equal(fw_ops_outbox_retry(e->s, "admin:x", got.id, now, &o[1], &err), FW_ECONFLICT);
	fw_ops_policy_release(&pol_ctx);
}

static void check_refuses(void **state)
{
	struct env *e = *state;
	struct fw_outbox_policy pol = {1000, 8000, 3, 15000};
	char secret[FW_WEBHOOK_SECRET_LEN], why[200];
	struct fw_error err = {0};
	struct fw_ops_policy pol_ctx;
	struct fw_outbox o[4];
	struct fw_webhook w;
	struct fw_advisory a;
	int64_t now = fw_time_now_ms();
	size_t n;

	make_partner(e->s, "one");
	make_partner(e->s, "two");
	assert_int_equal(
	    fw_ops_webhook_set(e->s, "test", e->key, "one", "https://h.example/1", 0, 1, 1, secret, &w, &err),
	    0);
	assert_int_equal(
	    fw_ops_webhook_set(e->s, "test", e->key, "two", "https://h.example/2", 0, 1, 1, secret, &w, &err),
	    0);
	release(e);
	now = fw_time_now_ms();
	assert_int_equal(fw_ops_outbox_claim(e->s, &pol, now, o, 4, &n), 0);
	assert_int_equal(n, 2);
	memset(&pol_ctx, 0, sizeof(pol_ctx));
	assert_int_equal(fw_ops_policy_load(e->s, &pol_ctx), 0);

	assert_int_equal(
	    fw_ops_partner_act(e->s, "test", "one", FW_PARTNER_SUSPEND, "x", now / 1000, NULL, &err), 0);
	assert_int_equal(fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[0], now / 1000, &w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "suspended"));
	/* A part the partner may not see (not entitled to the PoC) is never announced. */
	o[2] = o[1];
	o[2].parts |= 1u << FW_PART_POC;
	assert_int_equal(fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[2], now / 1000, &w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "may no longer see"));
	assert_int_equal(fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[1], now / 1000, &w, why, sizeof(why)), 1);
	assert_int_equal(fw_ops_webhook_remove(e->s, "test", "two", &err), 0);
	assert_int_equal(fw_ops_webhook_remove(e->s, "test", "two", &err), FW_ENOENT);
	assert_int_equal(fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[1], now / 1000, &w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "webhook was removed"));
	assert_int_equal(fw_ops_advisory_withdraw(e->s, "test", e->adv, "x", now / 1000, &a, &err), 0);
	assert_int_equal(fw_ops_outbox_check(e->s, &pol_ctx.ctx, &o[1], now / 1000, &w, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "withdrawn"));
	fw_ops_policy_release(&pol_ctx);
}

/* Where a partner's own webhook may be connected: public unicast only, IPv4 inside IPv6 judged as IPv4. */
static void public_addresses(void **state)
{
	static const struct {
		const char *ip;
		int public;
	} cases[] = {
	    {"93.184.216.34", 1},
	    {"8.8.8.8", 1},
	    {"1.1.1.1", 1},
	    {"100.63.255.255", 1},
	    {"100.128.0.1", 1},
	    {"172.15.0.1", 1},
	    {"172.32.0.1", 1},
	    {"192.0.1.1", 1},
	    {"0.0.0.0", 0},
	    {"0.1.2.3", 0},
	    {"10.0.0.5", 0},
	    {"127.0.0.1", 0},
	    {"127.255.0.9", 0},
	    {"100.64.0.1", 0},
	    {"100.127.255.254", 0},
	    {"169.254.169.254", 0},
	    {"172.16.0.1", 0},
	    {"172.31.255.255", 0},
	    {"192.168.1.2", 0},
	    {"192.0.0.8", 0},
	    {"192.0.2.1", 0},
	    {"198.18.0.1", 0},
	    {"198.19.255.1", 0},
	    {"198.51.100.7", 0},
	    {"203.0.113.9", 0},
	    {"224.0.0.1", 0},
	    {"239.1.1.1", 0},
	    {"255.255.255.255", 0},
	    {"2606:4700::1111", 1},
	    {"2a00:1450:4001::200e", 1},
	    {"2001:4860:4860::8888", 1},
	    {"::", 0},
	    {"::1", 0},
	    {"fe80::1", 0},
	    {"fc00::1", 0},
	    {"fd12:3456::1", 0},
	    {"ff02::1", 0},
	    {"2001:db8::1", 0},
	    {"2001::1", 0},
	    {"2001:1::1", 0},
	    {"3fff::1", 0},
	    {"100::1", 0},
	    {"::ffff:127.0.0.1", 0},
	    {"::ffff:10.1.2.3", 0},
	    {"::ffff:8.8.8.8", 1},
	    {"64:ff9b::a00:1", 0},
	    {"64:ff9b::808:808", 1},
	    {"2002:7f00:1::", 0},
	    {"2002:c0a8:101::1", 0},
	    {"2002:808:808::1", 1},
	    {"::127.0.0.1", 0},
	};
	unsigned char ip[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int v6 = strchr(cases[i].ip, ':') != NULL;
		assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, cases[i].ip, ip), 1);
		if (fw_webhook_address_public(ip, v6 ? 16 : 4) != cases[i].public)
			fail_msg("%s: expected %s", cases[i].ip, cases[i].public ? "public" : "not public");
	}
	assert_int_equal(fw_webhook_address_public(ip, 5), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(url_checks),       cmocka_unit_test(public_addresses),
	    cmocka_unit_test(signature_vector), cmocka_unit_test(secrets),
	    cmocka_unit_test(backoff),          T(enqueue_with_delivery),
	    T(retry_set_aside_and_deliver),     T(check_refuses),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
