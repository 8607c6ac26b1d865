/*
 * The storage contract: every fw_store_* function exercised through the public store.h only, so the suite
 * runs unchanged against any back end. Each test gets a fresh store: FW_TEST_STORE_URI when set (every
 * "@DIR@" in it replaced by a new temporary directory), else an SQLite file in a new directory under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "forewarn/crypto.h"
#include "forewarn/store.h"
#include "tmpdir.h"

#define DEFAULT_URI "sqlite:@DIR@/store.db"

/* The data key every connection of the suite seals and opens advisories with (docs/security.md). */
static struct fw_data_key *test_key;

struct env {
	char dir[64];
	char uri[1024];
	struct fw_store *s;
};

/* sqlite_default: 1 when the suite runs on its own SQLite files (tests that poke at the file need that). */
static int sqlite_default(void)
{
	return getenv("FW_TEST_STORE_URI") == NULL;
}

/* make_uri: the URI template with each "@DIR@" replaced by dir. */
static void make_uri(char *out, size_t outsz, const char *dir)
{
	const char *t = getenv("FW_TEST_STORE_URI");
	size_t n = 0;

	for (t = t ? t : DEFAULT_URI; *t && n + 1 < outsz;) {
		if (strncmp(t, "@DIR@", 5) == 0) {
			n += (size_t)snprintf(out + n, outsz - n, "%s", dir);
			t += 5;
		} else {
			out[n++] = *t++;
		}
	}
	assert_true(n < outsz);
	out[n] = '\0';
}

static struct fw_store *open_store(const char *uri)
{
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};
	int rc = fw_store_open(uri, 0, &s, &err);

	if (rc != 0)
		fail_msg("fw_store_open(%s): %d %s", uri, rc, err.message);
	assert_non_null(s);
	rc = fw_store_set_data_key(s, test_key, &err);
	if (rc != 0)
		fail_msg("fw_store_set_data_key(%s): %d %s", uri, rc, err.message);
	return s;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fw-store-test-XXXXXX");
	if (!mkdtemp(e->dir)) {
		free(e);
		return -1;
	}
	make_uri(e->uri, sizeof(e->uri), e->dir);
	e->s = open_store(e->uri);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	int r;

	fw_store_free(e->s);
	r = tmpdir_remove(e->dir);
	free(e);
	return r;
}

static struct fw_store *st(void **state)
{
	return ((struct env *)*state)->s;
}

/* pat: fills dst (size bytes) with size - 1 printable characters depending on seed, NUL-terminated. */
static void pat(char *dst, size_t size, unsigned seed)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t i = 0; i + 1 < size; i++)
		dst[i] = set[(i * 7 + seed) % (sizeof(set) - 1)];
	dst[size - 1] = '\0';
}

static void make_partner(struct fw_partner *p, const char *id)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->name, sizeof(p->name), "Partner %s", id);
	snprintf(p->country, sizeof(p->country), "DE");
	snprintf(p->tier, sizeof(p->tier), "standard");
	p->entitlements = FW_PARTS_ALL;
	snprintf(p->nda_version, sizeof(p->nda_version), "v1");
	snprintf(p->nda_signed, sizeof(p->nda_signed), "2025-01-31");
	snprintf(p->contact_email, sizeof(p->contact_email), "psirt@%s.example", id);
	p->status = FW_PARTNER_ACTIVE;
	p->created_at = 1700000000;
	p->updated_at = 1700000001;
}

static void assert_partner_equal(const struct fw_partner *a, const struct fw_partner *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->country, b->country);
	assert_string_equal(a->tier, b->tier);
	assert_int_equal(a->entitlements, b->entitlements);
	assert_string_equal(a->nda_version, b->nda_version);
	assert_string_equal(a->nda_signed, b->nda_signed);
	assert_string_equal(a->contact_email, b->contact_email);
	assert_int_equal(a->status, b->status);
	assert_true(a->created_at == b->created_at);
	assert_true(a->updated_at == b->updated_at);
}

static void make_advisory(struct fw_advisory *a, const char *id, enum fw_advisory_status status)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->title, sizeof(a->title), "Remote code execution in %s", id);
	a->ncves = 2;
	snprintf(a->cves[0], sizeof(a->cves[0]), "CVE-2025-0001");
	snprintf(a->cves[1], sizeof(a->cves[1]), "CVE-2025-12345");
	a->nproducts = 1;
	snprintf(a->products[0], sizeof(a->products[0]), "Example Router 1.0, 2.0 (all models)");
	snprintf(a->cvss_v3, sizeof(a->cvss_v3), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	a->cvss_score = 9.8;
	snprintf(a->cvss_severity, sizeof(a->cvss_severity), "CRITICAL");
	a->status = status;
	a->public_at = status == FW_ADV_DRAFT ? 0 : 1800000000;
	a->created_at = 1700000000;
	a->updated_at = 1700000100;
	a->revision = 1;
}

static void assert_advisory_equal(const struct fw_advisory *a, const struct fw_advisory *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->title, b->title);
	assert_int_equal(a->ncves, b->ncves);
	for (size_t i = 0; i < a->ncves; i++)
		assert_string_equal(a->cves[i], b->cves[i]);
	assert_int_equal(a->nproducts, b->nproducts);
	for (size_t i = 0; i < a->nproducts; i++)
		assert_string_equal(a->products[i], b->products[i]);
	assert_string_equal(a->cvss_v3, b->cvss_v3);
	assert_true(a->cvss_score == b->cvss_score);
	assert_string_equal(a->cvss_severity, b->cvss_severity);
	assert_int_equal(a->status, b->status);
	assert_true(a->public_at == b->public_at);
	assert_true(a->created_at == b->created_at);
	assert_true(a->updated_at == b->updated_at);
	assert_int_equal(a->revision, b->revision);
	assert_int_equal(a->parts, b->parts);
}

static void add_partner(struct fw_store *s, const char *id)
{
	struct fw_partner p;

	make_partner(&p, id);
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
}

static void add_advisory(struct fw_store *s, const char *id, enum fw_advisory_status status)
{
	struct fw_advisory a;

	make_advisory(&a, id, status);
	assert_int_equal(fw_store_advisory_insert(s, &a), 0);
}

/* Collecting iteration results: the ids (or numbers) seen, stopping with `stop` after `stop_after` calls. */
struct seen {
	char ids[64][FW_ID_MAX * 2 + 2];
	int64_t nums[64];
	int n;
	int stop_after; /* 0: never stop */
	int stop;
	unsigned present[64]; /* revisions: the parts mask each listed */
};

static int seen_add(struct seen *c, const char *id, int64_t num)
{
	assert_true(c->n < 64);
	snprintf(c->ids[c->n], sizeof(c->ids[0]), "%.*s", (int)sizeof(c->ids[0]) - 1, id);
	c->nums[c->n++] = num;
	return c->stop_after && c->n == c->stop_after ? c->stop : 0;
}

static int on_partner(void *ctx, const struct fw_partner *p)
{
	return seen_add(ctx, p->id, p->created_at);
}

static int on_token(void *ctx, const struct fw_token *t)
{
	return seen_add(ctx, t->id, t->revoked_at);
}

static int on_advisory(void *ctx, const struct fw_advisory *a)
{
	return seen_add(ctx, a->id, a->status);
}

static int on_revision(void *ctx, const struct fw_revision *r)
{
	struct seen *c = ctx;

	for (int i = 0; i < FW_PART_COUNT; i++)
		assert_null(r->parts[i]);
	if (c->n < 64)
		c->present[c->n] = r->present;
	return seen_add(ctx, r->note, r->number);
}

static int on_delivery(void *ctx, const struct fw_delivery *d)
{
	char key[FW_ID_MAX * 2 + 2];

	snprintf(key, sizeof(key), "%s/%s", d->advisory_id, d->partner_id);
	return seen_add(ctx, key, d->delivered_ms);
}

static int on_download(void *ctx, const struct fw_download *d)
{
	return seen_add(ctx, d->partner_id, d->at_ms);
}

static int on_event(void *ctx, const struct fw_event *e)
{
	return seen_add(ctx, e->type, e->seq);
}

/* Opening. */

static void open_creates_schema(void **state)
{
	char v[16];

	assert_int_equal(fw_store_meta_get(st(state), "schema_version", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
}

static void open_unknown_scheme(void **state)
{
	struct fw_store *s = (struct fw_store *)state; /* any non-NULL marker */
	struct fw_error err = {{0}, {0}};

	assert_int_equal(fw_store_open("nosuchdb://host/x", 0, &s, &err), FW_EINVAL);
	assert_ptr_equal(s, (struct fw_store *)state);
	assert_non_null(strstr(err.message, "unknown store scheme"));
}

static void open_unreachable(void **state)
{
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};
	char uri[1200];

	if (!sqlite_default())
		skip();
	snprintf(uri, sizeof(uri), "sqlite:%s/no/such/dir/store.db", ((struct env *)*state)->dir);
	assert_int_equal(fw_store_open(uri, 0, &s, &err), FW_EIO);
	assert_null(s);
	assert_non_null(strstr(err.message, "cannot open database"));
}

static void open_garbage_file(void **state)
{
	struct env *e = *state;
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};
	char path[128];
	unsigned char junk[8192];
	FILE *f;

	if (!sqlite_default())
		skip();
	snprintf(path, sizeof(path), "%s/garbage.db", e->dir);
	srand(42);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)rand();
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	assert_int_equal(fclose(f), 0);

	assert_int_equal(fw_store_open(path, 0, &s, &err), FW_EIO);
	assert_null(s);
	assert_non_null(strstr(err.message, "cannot open database"));
}

/* A store written by a newer (or foreign) schema is refused, not misread. */
static void open_wrong_schema_version(void **state)
{
	struct env *e = *state;
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};

	assert_int_equal(fw_store_meta_set(e->s, "schema_version", "999"), 0);
	fw_store_free(e->s);
	e->s = NULL;
	assert_int_equal(fw_store_open(e->uri, 0, &s, &err), FW_EIO);
	assert_null(s);
	assert_non_null(strstr(err.message, "cannot open database"));
}

static void reopen_keeps_data(void **state)
{
	struct env *e = *state;
	struct fw_partner p, got;
	struct fw_event ev = {
	    .at_ms = 5, .type = "partner.created", .actor = "admin:x", .subject = "acme", .detail = "{}"};
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};
	int64_t seq, next;
	struct seen c = {0};

	make_partner(&p, "acme");
	assert_int_equal(fw_store_partner_insert(e->s, &p), 0);
	assert_int_equal(fw_store_event_insert(e->s, &ev, &seq), 0);
	fw_store_free(e->s);
	e->s = NULL;

	assert_int_equal(fw_store_open(e->uri, FW_STORE_SYNC_FULL, &s, &err), 0);
	e->s = s;
	assert_int_equal(fw_store_set_data_key(s, test_key, &err), 0);
	assert_int_equal(fw_store_partner_get(s, "acme", &got), 0);
	assert_partner_equal(&got, &p);
	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &c), 0);
	assert_int_equal(c.n, 1);
	assert_true(c.nums[0] == seq);
	assert_int_equal(fw_store_event_insert(s, &ev, &next), 0);
	assert_true(next > seq);
}

static void free_null(void **state)
{
	(void)state;
	fw_store_free(NULL);
}

/* Metadata. */

static void meta(void **state)
{
	struct fw_store *s = st(state);
	char big[1025], out[1100], small[4] = "abc";

	assert_int_equal(fw_store_meta_get(s, "instance", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_store_meta_set(s, "instance", "forewarn-1"), 0);
	assert_int_equal(fw_store_meta_get(s, "instance", out, sizeof(out)), 0);
	assert_string_equal(out, "forewarn-1");
	assert_int_equal(fw_store_meta_set(s, "instance", ""), 0);
	assert_int_equal(fw_store_meta_get(s, "instance", out, sizeof(out)), 0);
	assert_string_equal(out, "");

	pat(big, sizeof(big), 3); /* 1024 bytes: the limit */
	assert_int_equal(fw_store_meta_set(s, "big", big), 0);
	assert_int_equal(fw_store_meta_get(s, "big", out, sizeof(out)), 0);
	assert_string_equal(out, big);
	/* too small a buffer: an error, and the buffer untouched */
	assert_int_equal(fw_store_meta_get(s, "big", small, sizeof(small)), FW_ETOOBIG);
	assert_string_equal(small, "abc");

	char *huge = malloc(1026);
	assert_non_null(huge);
	pat(huge, 1026, 1); /* 1025 bytes */
	assert_int_equal(fw_store_meta_set(s, "big", huge), FW_ETOOBIG);
	free(huge);
	assert_int_equal(fw_store_meta_get(s, "big", out, sizeof(out)), 0);
	assert_string_equal(out, big);
}

/* Partners. */

static void partner_roundtrip_max(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p, got;

	memset(&p, 0, sizeof(p));
	pat(p.id, sizeof(p.id), 1);
	pat(p.name, sizeof(p.name), 2);
	snprintf(p.country, sizeof(p.country), "JP");
	pat(p.tier, sizeof(p.tier), 3);
	p.entitlements = (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC);
	pat(p.nda_version, sizeof(p.nda_version), 4);
	snprintf(p.nda_signed, sizeof(p.nda_signed), "2024-02-29");
	pat(p.contact_email, sizeof(p.contact_email), 5);
	p.status = FW_PARTNER_SUSPENDED;
	p.created_at = INT64_MAX - 1;
	p.updated_at = -1;
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
	assert_int_equal(fw_store_partner_get(s, p.id, &got), 0);
	assert_partner_equal(&got, &p);

	/* empty optional fields come back empty */
	make_partner(&p, "bare");
	p.nda_signed[0] = p.nda_version[0] = '\0';
	p.status = FW_PARTNER_REMOVED;
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
	assert_int_equal(fw_store_partner_get(s, "bare", &got), 0);
	assert_partner_equal(&got, &p);
}

static void partner_duplicate_and_missing(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p, got, before;

	make_partner(&p, "acme");
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
	snprintf(p.name, sizeof(p.name), "Impostor");
	assert_int_equal(fw_store_partner_insert(s, &p), FW_EEXIST);
	assert_int_equal(fw_store_partner_get(s, "acme", &got), 0);
	assert_string_equal(got.name, "Partner acme");

	memset(&got, 0xa5, sizeof(got));
	before = got;
	assert_int_equal(fw_store_partner_get(s, "nobody", &got), FW_ENOENT);
	assert_memory_equal(&got, &before, sizeof(got));
}

static void partner_update(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p, got;

	make_partner(&p, "acme");
	assert_int_equal(fw_store_partner_insert(s, &p), 0);
	snprintf(p.name, sizeof(p.name), "ACME Corp");
	snprintf(p.tier, sizeof(p.tier), "vetted");
	snprintf(p.country, sizeof(p.country), "FR");
	p.entitlements = 1u << FW_PART_SUMMARY;
	p.status = FW_PARTNER_SUSPENDED;
	p.updated_at = 1700009999;
	assert_int_equal(fw_store_partner_update(s, &p), 0);
	assert_int_equal(fw_store_partner_get(s, "acme", &got), 0);
	assert_partner_equal(&got, &p);

	make_partner(&p, "ghost");
	assert_int_equal(fw_store_partner_update(s, &p), FW_ENOENT);
	assert_int_equal(fw_store_partner_get(s, "ghost", &got), FW_ENOENT);
}

static void partner_each(void **state)
{
	struct fw_store *s = st(state);
	struct seen c = {0};

	assert_int_equal(fw_store_partner_each(s, on_partner, &c), 0);
	assert_int_equal(c.n, 0);
	add_partner(s, "charlie");
	add_partner(s, "alpha");
	add_partner(s, "bravo");
	assert_int_equal(fw_store_partner_each(s, on_partner, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.ids[0], "alpha");
	assert_string_equal(c.ids[1], "bravo");
	assert_string_equal(c.ids[2], "charlie");

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	c.stop = 42;
	assert_int_equal(fw_store_partner_each(s, on_partner, &c), 42);
	assert_int_equal(c.n, 2);
	/* the iteration left nothing open: the store is fully usable */
	add_partner(s, "delta");
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_partner_each(s, on_partner, &c), 0);
	assert_int_equal(c.n, 4);
}

/* Tokens. */

static void make_token(struct fw_token *t, unsigned char hash[32], const char *id, const char *partner,
                       int64_t created)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->partner_id, sizeof(t->partner_id), "%s", partner);
	t->created_at = created;
	for (int i = 0; i < 32; i++)
		hash[i] = (unsigned char)(id[i % strlen(id)] * 31 + i);
}

static void token_find(void **state)
{
	struct fw_store *s = st(state);
	struct fw_token t, got, before;
	unsigned char h[32], h2[32], other[32];

	make_token(&t, h, "0123456789abcdef", "acme", 100);
	assert_int_equal(fw_store_token_insert(s, &t, h), 0);
	assert_int_equal(fw_store_token_find(s, h, &got), 0);
	assert_string_equal(got.id, "0123456789abcdef");
	assert_string_equal(got.partner_id, "acme");
	assert_true(got.created_at == 100);
	assert_true(got.revoked_at == 0);
	assert_true(got.expires_at == 0);

	memset(other, 0x5a, sizeof(other));
	memset(&got, 0xa5, sizeof(got));
	before = got;
	assert_int_equal(fw_store_token_find(s, other, &got), FW_ENOENT);
	assert_memory_equal(&got, &before, sizeof(got));

	/* same hash under another id, same id with another hash: both taken */
	make_token(&t, h2, "fedcba9876543210", "acme", 101);
	assert_int_equal(fw_store_token_insert(s, &t, h), FW_EEXIST);
	make_token(&t, h2, "0123456789abcdef", "other", 101);
	assert_int_equal(fw_store_token_insert(s, &t, h2), FW_EEXIST);

	/* admin tokens: partner "" */
	make_token(&t, h2, "aaaaaaaaaaaaaaaa", "", 102);
	assert_int_equal(fw_store_token_insert(s, &t, h2), 0);
	assert_int_equal(fw_store_token_find(s, h2, &got), 0);
	assert_string_equal(got.partner_id, "");
	assert_string_equal(got.id, "aaaaaaaaaaaaaaaa");

	/* an expiry is kept, and an expired token is still found: its holder is told it expired */
	make_token(&t, h2, "bbbbbbbbbbbbbbbb", "acme", 103);
	t.expires_at = 200;
	assert_int_equal(fw_store_token_insert(s, &t, h2), 0);
	assert_int_equal(fw_store_token_find(s, h2, &got), 0);
	assert_true(got.expires_at == 200);
}

/* A file made before tokens could expire gains tokens.expires_at when opened; its tokens never expire. */
static void token_expires_migrates_old_file(void **state)
{
	struct env *e = *state;
	struct fw_store *s;
	struct fw_token t, got;
	sqlite3 *db;
	unsigned char h[32], h2[32];
	char path[128], uri[160];

	if (!sqlite_default())
		skip();
	snprintf(path, sizeof(path), "%s/old.db", e->dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	make_token(&t, h, "0123456789abcdef", "acme", 100);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
	                 "INSERT INTO meta VALUES('schema_version', '1');"
	                 "CREATE TABLE tokens(id TEXT PRIMARY KEY NOT NULL, partner_id TEXT NOT NULL,"
	                 " hash BLOB NOT NULL UNIQUE, created_at INTEGER NOT NULL,"
	                 " revoked_at INTEGER NOT NULL DEFAULT 0);",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	{
		sqlite3_stmt *st;
		const char *ins = "INSERT INTO tokens VALUES('0123456789abcdef', 'acme', ?1, 100, 0)";
		assert_int_equal(sqlite3_prepare_v2(db, ins, -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
	}
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	for (int round = 0; round < 2; round++) { /* the second open finds the column there */
		s = open_store(uri);
		assert_int_equal(fw_store_token_find(s, h, &got), 0);
		assert_string_equal(got.id, "0123456789abcdef");
		assert_true(got.expires_at == 0);
		if (round == 0) {
			make_token(&t, h2, "fedcba9876543210", "acme", 101);
			t.expires_at = 5000;
			assert_int_equal(fw_store_token_insert(s, &t, h2), 0);
		}
		assert_int_equal(fw_store_token_find(s, h2, &got), 0);
		assert_true(got.expires_at == 5000);
		fw_store_free(s);
	}
}

static void token_revoke(void **state)
{
	struct fw_store *s = st(state);
	struct fw_token t, got;
	unsigned char h1[32], h2[32], h3[32], h4[32];

	make_token(&t, h1, "1111111111111111", "acme", 1);
	assert_int_equal(fw_store_token_insert(s, &t, h1), 0);
	make_token(&t, h2, "2222222222222222", "acme", 2);
	assert_int_equal(fw_store_token_insert(s, &t, h2), 0);
	make_token(&t, h3, "3333333333333333", "acme", 3);
	assert_int_equal(fw_store_token_insert(s, &t, h3), 0);
	make_token(&t, h4, "4444444444444444", "other", 4);
	assert_int_equal(fw_store_token_insert(s, &t, h4), 0);

	/* only the owner's revoke applies */
	assert_int_equal(fw_store_token_revoke(s, "other", "1111111111111111", 50), FW_ENOENT);
	assert_int_equal(fw_store_token_revoke(s, "acme", "9999999999999999", 50), FW_ENOENT);
	assert_int_equal(fw_store_token_find(s, h1, &got), 0);
	assert_int_equal(fw_store_token_revoke(s, "acme", "1111111111111111", 50), 0);
	assert_int_equal(fw_store_token_find(s, h1, &got), FW_ENOENT);
	assert_int_equal(fw_store_token_revoke(s, "acme", "1111111111111111", 60), FW_ENOENT);

	assert_int_equal(fw_store_token_revoke_all(s, "acme", 70), 0);
	assert_int_equal(fw_store_token_find(s, h2, &got), FW_ENOENT);
	assert_int_equal(fw_store_token_find(s, h3, &got), FW_ENOENT);
	assert_int_equal(fw_store_token_find(s, h4, &got), 0);
	assert_string_equal(got.partner_id, "other");
	/* nothing left to revoke is not an error */
	assert_int_equal(fw_store_token_revoke_all(s, "acme", 80), 0);
	assert_int_equal(fw_store_token_revoke_all(s, "nobody", 80), 0);

	/* revocation keeps the first revocation time */
	struct seen c = {0};
	assert_int_equal(fw_store_token_each(s, "acme", on_token, &c), 0);
	assert_int_equal(c.n, 3);
	assert_true(c.nums[0] == 50);
	assert_true(c.nums[1] == 70);
	assert_true(c.nums[2] == 70);
}

/* token_each lists a partner's tokens, revoked ones included (with revoked_at), by creation time. */
static void token_each(void **state)
{
	struct fw_store *s = st(state);
	struct fw_token t;
	unsigned char h[32];
	struct seen c = {0};

	assert_int_equal(fw_store_token_each(s, "acme", on_token, &c), 0);
	assert_int_equal(c.n, 0);
	make_token(&t, h, "cccccccccccccccc", "acme", 30);
	assert_int_equal(fw_store_token_insert(s, &t, h), 0);
	make_token(&t, h, "aaaaaaaaaaaaaaaa", "acme", 10);
	assert_int_equal(fw_store_token_insert(s, &t, h), 0);
	make_token(&t, h, "bbbbbbbbbbbbbbbb", "acme", 20);
	assert_int_equal(fw_store_token_insert(s, &t, h), 0);
	make_token(&t, h, "dddddddddddddddd", "", 5);
	assert_int_equal(fw_store_token_insert(s, &t, h), 0);
	assert_int_equal(fw_store_token_revoke(s, "acme", "bbbbbbbbbbbbbbbb", 99), 0);

	assert_int_equal(fw_store_token_each(s, "acme", on_token, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.ids[0], "aaaaaaaaaaaaaaaa");
	assert_string_equal(c.ids[1], "bbbbbbbbbbbbbbbb");
	assert_true(c.nums[1] == 99);
	assert_string_equal(c.ids[2], "cccccccccccccccc");
	assert_true(c.nums[2] == 0);

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_token_each(s, "", on_token, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.ids[0], "dddddddddddddddd");

	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	c.stop = -77;
	assert_int_equal(fw_store_token_each(s, "acme", on_token, &c), -77);
	assert_int_equal(c.n, 1);
}

/* Tiers and rules: replaced as a whole. */

static void tiers_replace(void **state)
{
	struct fw_store *s = st(state);
	struct fw_tier t[3] = {{"vetted", 120 * 3600}, {"gold", 240 * 3600}, {"standard", 24 * 3600}};
	struct fw_tier out[FW_MAX_TIERS];
	size_t n = 99;

	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(fw_store_tiers_set(s, t, 3), 0);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out[0].name, "gold");
	assert_true(out[0].lead == 240 * 3600);
	assert_string_equal(out[1].name, "standard");
	assert_string_equal(out[2].name, "vetted");
	assert_true(out[2].lead == 120 * 3600);

	assert_int_equal(fw_store_tiers_set(s, &t[2], 1), 0);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].name, "standard");

	assert_int_equal(fw_store_tiers_set(s, NULL, 0), 0);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 0);
}

static void tiers_limits(void **state)
{
	struct fw_store *s = st(state);
	struct fw_tier t[FW_MAX_TIERS + 1], out[FW_MAX_TIERS];
	size_t n;

	memset(t, 0, sizeof(t));
	for (int i = 0; i <= FW_MAX_TIERS; i++) {
		pat(t[i].name, sizeof(t[i].name), (unsigned)i); /* maximal, ordered by the prefix */
		memcpy(t[i].name, "tier", 4);
		t[i].name[4] = (char)('0' + i / 10);
		t[i].name[5] = (char)('0' + i % 10);
		t[i].lead = (int64_t)i * 3600;
	}
	assert_int_equal(fw_store_tiers_set(s, t, FW_MAX_TIERS), 0);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, FW_MAX_TIERS);
	for (int i = 0; i < FW_MAX_TIERS; i++) {
		assert_string_equal(out[i].name, t[i].name);
		assert_true(out[i].lead == t[i].lead);
	}
	assert_int_equal(fw_store_tiers_set(s, t, FW_MAX_TIERS + 1), FW_ETOOBIG);

	/* a failing replacement changes nothing, inside a transaction too */
	t[1] = t[0];
	assert_int_equal(fw_store_tiers_set(s, t, 3), FW_EEXIST);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, FW_MAX_TIERS);
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_equal(fw_store_tiers_set(s, t, 3), FW_EEXIST);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, FW_MAX_TIERS);
	assert_int_equal(fw_store_tiers_set(s, &t[2], 1), 0);
	assert_int_equal(fw_store_commit(s), 0);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].name, t[2].name);
}

static void rules_replace(void **state)
{
	struct fw_store *s = st(state);
	struct fw_rule *r = calloc(3, sizeof(*r)), *got = (struct fw_rule *)state;
	size_t n = 99;

	assert_non_null(r);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_null(got);
	assert_int_equal(n, 0);

	snprintf(r[0].id, sizeof(r[0].id), "sanctions");
	snprintf(r[0].description, sizeof(r[0].description), "Embargoed jurisdictions");
	r[0].ncountries = 2;
	snprintf(r[0].countries[0], 3, "CN");
	snprintf(r[0].countries[1], 3, "RU");
	r[0].max_lead = 0;
	r[0].parts = 1u << FW_PART_SUMMARY;
	/* every country, maximal strings */
	pat(r[1].id, sizeof(r[1].id), 9);
	pat(r[1].description, sizeof(r[1].description), 8);
	r[1].ncountries = FW_MAX_COUNTRIES;
	for (int i = 0; i < FW_MAX_COUNTRIES; i++) {
		r[1].countries[i][0] = (char)('A' + i / 26);
		r[1].countries[i][1] = (char)('A' + i % 26);
	}
	r[1].max_lead = 8760 * 3600;
	r[1].parts = FW_PARTS_ALL;
	/* no countries at all */
	snprintf(r[2].id, sizeof(r[2].id), "empty");
	r[2].parts = 0;
	r[2].max_lead = 3600;

	assert_int_equal(fw_store_rules_set(s, r, 3), 0);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(got);
	for (size_t i = 0; i < n; i++) {
		const struct fw_rule *want = NULL;

		for (int j = 0; j < 3; j++)
			if (strcmp(got[i].id, r[j].id) == 0)
				want = &r[j];
		assert_non_null(want);
		assert_string_equal(got[i].description, want->description);
		assert_int_equal(got[i].ncountries, want->ncountries);
		for (size_t k = 0; k < want->ncountries; k++)
			assert_string_equal(got[i].countries[k], want->countries[k]);
		assert_true(got[i].max_lead == want->max_lead);
		assert_int_equal(got[i].parts, want->parts);
	}
	/* id order */
	assert_string_equal(got[0].id, "empty");
	assert_string_equal(got[1].id, r[1].id);
	assert_string_equal(got[2].id, "sanctions");
	free(got);

	assert_int_equal(fw_store_rules_set(s, &r[0], 1), 0);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].id, "sanctions");
	assert_string_equal(got[0].countries[1], "RU");
	free(got);

	assert_int_equal(fw_store_rules_set(s, NULL, 0), 0);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_null(got);
	assert_int_equal(n, 0);
	free(r);
}

static void rules_limits(void **state)
{
	struct fw_store *s = st(state);
	struct fw_rule *r = calloc(FW_MAX_RULES + 1, sizeof(*r)), *got;
	size_t n;

	assert_non_null(r);
	for (int i = 0; i <= FW_MAX_RULES; i++) {
		snprintf(r[i].id, sizeof(r[i].id), "rule-%03d", i);
		r[i].ncountries = 1;
		snprintf(r[i].countries[0], 3, "US");
	}
	assert_int_equal(fw_store_rules_set(s, r, FW_MAX_RULES), 0);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_int_equal(n, FW_MAX_RULES);
	assert_string_equal(got[FW_MAX_RULES - 1].id, "rule-063");
	free(got);
	assert_int_equal(fw_store_rules_set(s, r, FW_MAX_RULES + 1), FW_ETOOBIG);

	/* a failing replacement changes nothing */
	snprintf(r[1].id, sizeof(r[1].id), "rule-000");
	assert_int_equal(fw_store_rules_set(s, r, 2), FW_EEXIST);
	assert_int_equal(fw_store_rules_get(s, &got, &n), 0);
	assert_int_equal(n, FW_MAX_RULES);
	free(got);
	free(r);
}

/* Advisories. */

static void advisory_roundtrip_max(void **state)
{
	struct fw_store *s = st(state);
	static struct fw_advisory a, got;

	memset(&a, 0, sizeof(a));
	pat(a.id, sizeof(a.id), 1);
	pat(a.title, sizeof(a.title), 2);
	a.ncves = FW_MAX_CVES;
	for (int i = 0; i < FW_MAX_CVES; i++)
		snprintf(a.cves[i], sizeof(a.cves[i]), "CVE-2025-%022d", i + 1);
	a.nproducts = FW_MAX_PRODUCTS;
	for (int i = 0; i < FW_MAX_PRODUCTS; i++) {
		pat(a.products[i], sizeof(a.products[i]), (unsigned)i);
		memcpy(a.products[i], "Vendor, Product / 1.2 ", 22); /* spaces and punctuation survive */
	}
	pat(a.cvss_v3, sizeof(a.cvss_v3), 3);
	a.cvss_score = 7.3;
	pat(a.cvss_severity, sizeof(a.cvss_severity), 4);
	a.status = FW_ADV_PUBLIC;
	a.public_at = INT64_MAX;
	a.created_at = INT64_MIN;
	a.updated_at = 0;
	a.revision = 2147483647;
	a.parts = FW_PARTS_ALL;
	assert_int_equal(strlen(a.cves[63]), FW_CVE_MAX);
	assert_int_equal(strlen(a.products[63]), FW_PRODUCT_MAX);

	assert_int_equal(fw_store_advisory_insert(s, &a), 0);
	assert_int_equal(fw_store_advisory_get(s, a.id, &got), 0);
	assert_advisory_equal(&got, &a);
}

static void advisory_empty_lists_and_update(void **state)
{
	struct fw_store *s = st(state);
	static struct fw_advisory a, got;

	make_advisory(&a, "adv-1", FW_ADV_DRAFT);
	a.ncves = 0;
	a.nproducts = 0;
	a.cvss_v3[0] = '\0';
	a.cvss_score = 0;
	a.cvss_severity[0] = '\0';
	assert_int_equal(fw_store_advisory_insert(s, &a), 0);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &got), 0);
	assert_advisory_equal(&got, &a);

	a.ncves = 1;
	snprintf(a.cves[0], sizeof(a.cves[0]), "CVE-2026-0042");
	a.nproducts = 3;
	snprintf(a.products[0], sizeof(a.products[0]), "one");
	snprintf(a.products[1], sizeof(a.products[1]), "two");
	snprintf(a.products[2], sizeof(a.products[2]), "three");
	a.status = FW_ADV_SCHEDULED;
	a.public_at = 1900000000;
	a.revision = 3;
	a.parts = (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC);
	assert_int_equal(fw_store_advisory_update(s, &a), 0);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &got), 0);
	assert_advisory_equal(&got, &a);

	a.nproducts = 1;
	assert_int_equal(fw_store_advisory_update(s, &a), 0);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &got), 0);
	assert_advisory_equal(&got, &a);

	make_advisory(&a, "adv-2", FW_ADV_DRAFT);
	assert_int_equal(fw_store_advisory_update(s, &a), FW_ENOENT);
	assert_int_equal(fw_store_advisory_get(s, "adv-2", &got), FW_ENOENT);
}

static void advisory_duplicate_and_missing(void **state)
{
	struct fw_store *s = st(state);
	static struct fw_advisory a, got, before;

	make_advisory(&a, "adv-1", FW_ADV_DRAFT);
	assert_int_equal(fw_store_advisory_insert(s, &a), 0);
	snprintf(a.title, sizeof(a.title), "other");
	assert_int_equal(fw_store_advisory_insert(s, &a), FW_EEXIST);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &got), 0);
	assert_string_equal(got.title, "Remote code execution in adv-1");

	memset(&got, 0xa5, sizeof(got));
	before = got;
	assert_int_equal(fw_store_advisory_get(s, "adv-9", &got), FW_ENOENT);
	assert_memory_equal(&got, &before, sizeof(got));
}

static void advisory_each(void **state)
{
	struct fw_store *s = st(state);
	struct seen c = {0};

	add_advisory(s, "d-withdrawn", FW_ADV_WITHDRAWN);
	add_advisory(s, "c-public", FW_ADV_PUBLIC);
	add_advisory(s, "b-scheduled", FW_ADV_SCHEDULED);
	add_advisory(s, "a-draft", FW_ADV_DRAFT);

	assert_int_equal(fw_store_advisory_each(s, 0, on_advisory, &c), 0);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.ids[0], "a-draft");
	assert_string_equal(c.ids[1], "b-scheduled");
	assert_string_equal(c.ids[2], "c-public");
	assert_string_equal(c.ids[3], "d-withdrawn");

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_advisory_each(s, 1, on_advisory, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.ids[0], "b-scheduled");
	assert_string_equal(c.ids[1], "c-public");

	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	c.stop = 5;
	assert_int_equal(fw_store_advisory_each(s, 0, on_advisory, &c), 5);
	assert_int_equal(c.n, 3);
}

static void advisory_due(void **state)
{
	struct fw_store *s = st(state);
	struct seen c = {0};
	int64_t next = 0;

	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == INT64_MAX);

	add_advisory(s, "a", FW_ADV_SCHEDULED);
	add_advisory(s, "b", FW_ADV_SCHEDULED);
	add_advisory(s, "c", FW_ADV_PUBLIC);
	add_advisory(s, "d", FW_ADV_DRAFT);
	add_advisory(s, "e", FW_ADV_WITHDRAWN);
	/* nothing is due until set */
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == INT64_MAX);
	assert_int_equal(fw_store_advisory_each_due(s, INT64_MAX - 1, on_advisory, &c), 0);
	assert_int_equal(c.n, 0);

	assert_int_equal(fw_store_advisory_set_due(s, "a", 300), 0);
	assert_int_equal(fw_store_advisory_set_due(s, "b", 100), 0);
	assert_int_equal(fw_store_advisory_set_due(s, "c", 200), 0);
	assert_int_equal(fw_store_advisory_set_due(s, "zz", 1), FW_ENOENT);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == 100);

	assert_int_equal(fw_store_advisory_each_due(s, 99, on_advisory, &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(fw_store_advisory_each_due(s, 200, on_advisory, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.ids[0], "b");
	assert_string_equal(c.ids[1], "c");
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_advisory_each_due(s, 1000, on_advisory, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.ids[2], "a");
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	c.stop = 9;
	assert_int_equal(fw_store_advisory_each_due(s, 1000, on_advisory, &c), 9);
	assert_int_equal(c.n, 1);

	/* set_due_all: scheduled and public ones only */
	assert_int_equal(fw_store_advisory_set_due(s, "d", 50), 0);
	assert_int_equal(fw_store_advisory_set_due_all(s, 10), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_advisory_each_due(s, 10, on_advisory, &c), 0);
	assert_int_equal(c.n, 3);
	for (int i = 0; i < 3; i++)
		assert_true(strchr("abc", c.ids[i][0]) != NULL);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == 10);
	assert_int_equal(fw_store_advisory_set_due_all(s, INT64_MAX), 0);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == 50); /* the draft's due was left alone */

	/* an update of the advisory keeps its due */
	struct fw_advisory a;
	make_advisory(&a, "d", FW_ADV_DRAFT);
	snprintf(a.title, sizeof(a.title), "retitled");
	assert_int_equal(fw_store_advisory_update(s, &a), 0);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == 50);
}

/* The scheduler's pattern: handle each due advisory and reschedule it from the callback. */
struct resched {
	struct fw_store *s;
	int calls;
	int64_t later;
};

static int on_due_reschedule(void *ctx, const struct fw_advisory *a)
{
	struct resched *r = ctx;

	r->calls++;
	assert_true(r->calls <= 20);
	assert_int_equal(fw_store_advisory_set_due(r->s, a->id, r->later), 0);
	return 0;
}

static void advisory_each_due_reschedule(void **state)
{
	struct fw_store *s = st(state);
	struct resched r = {s, 0, INT64_MAX};
	char id[8];
	int64_t next;

	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "adv-%d", i);
		add_advisory(s, id, FW_ADV_SCHEDULED);
		assert_int_equal(fw_store_advisory_set_due(s, id, 100 + i % 3), 0);
	}
	assert_int_equal(fw_store_advisory_each_due(s, 200, on_due_reschedule, &r), 0);
	assert_int_equal(r.calls, 10);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == INT64_MAX);

	/* inside a transaction too, rescheduling past now */
	assert_int_equal(fw_store_advisory_set_due_all(s, 5), 0);
	r.calls = 0;
	r.later = 500;
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_equal(fw_store_advisory_each_due(s, 200, on_due_reschedule, &r), 0);
	assert_int_equal(fw_store_commit(s), 0);
	assert_int_equal(r.calls, 10);
	assert_int_equal(fw_store_advisory_next_due(s, &next), 0);
	assert_true(next == 500);
}

/* Revisions. */

static void make_revision(struct fw_revision *r, const char *adv, int number)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->advisory_id, sizeof(r->advisory_id), "%s", adv);
	r->number = number;
	r->created_at = 1700000000 + number;
	snprintf(r->note, sizeof(r->note), "revision %d", number);
}

static void revision_roundtrip(void **state)
{
	struct fw_store *s = st(state);
	struct fw_revision r, got;

	add_advisory(s, "adv-1", FW_ADV_DRAFT);
	make_revision(&r, "adv-1", 1);
	pat(r.note, sizeof(r.note), 6); /* maximal note */
	r.parts[FW_PART_SUMMARY] = "A short summary \xe2\x80\x94 with UTF-8.";
	r.parts[FW_PART_DETAILS] = NULL;
	r.parts[FW_PART_DETECTION] = ""; /* present but empty is not absent */
	r.parts[FW_PART_POC] = "#!/bin/sh\necho pwned\n";
	assert_int_equal(fw_store_revision_insert(s, &r), 0);

	assert_int_equal(fw_store_revision_get(s, "adv-1", 1, &got), 0);
	assert_string_equal(got.advisory_id, "adv-1");
	assert_int_equal(got.number, 1);
	assert_true(got.created_at == r.created_at);
	assert_string_equal(got.note, r.note);
	assert_string_equal(got.parts[FW_PART_SUMMARY], r.parts[FW_PART_SUMMARY]);
	assert_null(got.parts[FW_PART_DETAILS]);
	assert_non_null(got.parts[FW_PART_DETECTION]);
	assert_string_equal(got.parts[FW_PART_DETECTION], "");
	assert_string_equal(got.parts[FW_PART_POC], r.parts[FW_PART_POC]);
	assert_int_equal(fw_revision_parts(&got), fw_revision_parts(&r));
	fw_revision_release(&got);

	/* only the summary */
	make_revision(&r, "adv-1", 2);
	r.parts[FW_PART_SUMMARY] = "v2";
	assert_int_equal(fw_store_revision_insert(s, &r), 0);
	assert_int_equal(fw_store_revision_get(s, "adv-1", 2, &got), 0);
	assert_int_equal(fw_revision_parts(&got), 1u << FW_PART_SUMMARY);
	assert_string_equal(got.parts[FW_PART_SUMMARY], "v2");
	fw_revision_release(&got);
}

static void revision_large_part(void **state)
{
	struct fw_store *s = st(state);
	struct fw_revision r, got;
	char *big = malloc(FW_PART_MAX + 2);

	assert_non_null(big);
	add_advisory(s, "adv-1", FW_ADV_DRAFT);
	pat(big, FW_PART_MAX + 1, 11); /* exactly FW_PART_MAX bytes */
	make_revision(&r, "adv-1", 1);
	r.parts[FW_PART_SUMMARY] = "summary";
	r.parts[FW_PART_POC] = big;
	assert_int_equal(fw_store_revision_insert(s, &r), 0);
	assert_int_equal(fw_store_revision_get(s, "adv-1", 1, &got), 0);
	assert_int_equal(strlen(got.parts[FW_PART_POC]), FW_PART_MAX);
	assert_memory_equal(got.parts[FW_PART_POC], big, FW_PART_MAX + 1);
	fw_revision_release(&got);

	/* one byte over the limit is refused */
	pat(big, FW_PART_MAX + 2, 12);
	make_revision(&r, "adv-1", 2);
	r.parts[FW_PART_SUMMARY] = big;
	assert_int_equal(fw_store_revision_insert(s, &r), FW_ETOOBIG);
	assert_int_equal(fw_store_revision_get(s, "adv-1", 2, &got), FW_ENOENT);
	free(big);
}

static void revision_duplicate_and_missing(void **state)
{
	struct fw_store *s = st(state);
	struct fw_revision r, got, before;

	add_advisory(s, "adv-1", FW_ADV_DRAFT);
	make_revision(&r, "adv-1", 1);
	r.parts[FW_PART_SUMMARY] = "first";
	assert_int_equal(fw_store_revision_insert(s, &r), 0);
	r.parts[FW_PART_SUMMARY] = "second";
	assert_int_equal(fw_store_revision_insert(s, &r), FW_EEXIST);
	assert_int_equal(fw_store_revision_get(s, "adv-1", 1, &got), 0);
	assert_string_equal(got.parts[FW_PART_SUMMARY], "first");
	fw_revision_release(&got);

	memset(&got, 0, sizeof(got));
	got.number = 12345;
	before = got;
	assert_int_equal(fw_store_revision_get(s, "adv-1", 2, &got), FW_ENOENT);
	assert_int_equal(fw_store_revision_get(s, "adv-9", 1, &got), FW_ENOENT);
	assert_memory_equal(&got, &before, sizeof(got));

	/* a revision of an advisory that does not exist */
	make_revision(&r, "adv-9", 1);
	r.parts[FW_PART_SUMMARY] = "orphan";
	assert_int_equal(fw_store_revision_insert(s, &r), FW_ENOENT);
}

static void revision_each(void **state)
{
	struct fw_store *s = st(state);
	struct fw_revision r;
	struct seen c = {0};

	add_advisory(s, "adv-1", FW_ADV_DRAFT);
	add_advisory(s, "adv-2", FW_ADV_DRAFT);
	assert_int_equal(fw_store_revision_each(s, "adv-1", on_revision, &c), 0);
	assert_int_equal(c.n, 0);
	for (int i = 3; i >= 1; i--) {
		make_revision(&r, "adv-1", i);
		r.parts[FW_PART_SUMMARY] = "text";
		r.parts[FW_PART_POC] = i == 2 ? "" : "poc"; /* an empty text is no part */
		assert_int_equal(fw_store_revision_insert(s, &r), 0);
	}
	make_revision(&r, "adv-2", 1);
	r.parts[FW_PART_SUMMARY] = "other";
	assert_int_equal(fw_store_revision_insert(s, &r), 0);

	assert_int_equal(fw_store_revision_each(s, "adv-1", on_revision, &c), 0);
	assert_int_equal(c.n, 3);
	for (int i = 0; i < 3; i++) {
		char note[32];

		snprintf(note, sizeof(note), "revision %d", i + 1);
		assert_true(c.nums[i] == i + 1);
		assert_string_equal(c.ids[i], note);
		assert_int_equal(c.present[i], i == 1 ? 1u << FW_PART_SUMMARY
		                                      : (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC));
	}
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	c.stop = 1;
	assert_int_equal(fw_store_revision_each(s, "adv-1", on_revision, &c), 1);
	assert_int_equal(c.n, 2);
}

/* Deliveries and downloads. */

static void make_delivery(struct fw_delivery *d, const char *partner, const char *adv, int rev,
                          unsigned parts, int64_t ms)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->partner_id, sizeof(d->partner_id), "%s", partner);
	snprintf(d->advisory_id, sizeof(d->advisory_id), "%s", adv);
	d->revision = rev;
	d->parts = parts;
	d->due_at = 1800000000 - 86400;
	d->delivered_ms = ms;
}

struct dcollect {
	struct fw_delivery d[8];
	int n;
};

static int on_delivery_copy(void *ctx, const struct fw_delivery *d)
{
	struct dcollect *c = ctx;

	assert_true(c->n < 8);
	c->d[c->n++] = *d;
	return 0;
}

static void delivery_idempotent(void **state)
{
	struct fw_store *s = st(state);
	struct fw_delivery d;
	struct dcollect c = {0};
	int inserted = -1;

	add_partner(s, "acme");
	add_advisory(s, "adv-1", FW_ADV_SCHEDULED);
	make_delivery(&d, "acme", "adv-1", 1, FW_PARTS_ALL, 1000);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	assert_int_equal(inserted, 1);
	d.delivered_ms = 2000; /* a retry later: still the same delivery */
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	assert_int_equal(inserted, 0);
	d.parts = 1u << FW_PART_SUMMARY; /* other parts: another delivery */
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	assert_int_equal(inserted, 1);
	d.revision = 2;
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	assert_int_equal(inserted, 1);

	assert_int_equal(fw_store_delivery_each(s, "adv-1", NULL, on_delivery_copy, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.d[0].partner_id, "acme");
	assert_string_equal(c.d[0].advisory_id, "adv-1");
	assert_int_equal(c.d[0].revision, 1);
	assert_int_equal(c.d[0].parts, FW_PARTS_ALL);
	assert_true(c.d[0].due_at == 1800000000 - 86400);
	assert_true(c.d[0].delivered_ms == 1000);

	/* deliveries reference a partner and an advisory that exist */
	make_delivery(&d, "nobody", "adv-1", 1, 1, 1);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), FW_ENOENT);
	make_delivery(&d, "acme", "adv-9", 1, 1, 1);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), FW_ENOENT);
}

static void delivery_each(void **state)
{
	struct fw_store *s = st(state);
	struct fw_delivery d;
	struct seen c = {0};
	int inserted;

	add_partner(s, "p1");
	add_partner(s, "p2");
	add_advisory(s, "adv-1", FW_ADV_SCHEDULED);
	add_advisory(s, "adv-2", FW_ADV_SCHEDULED);
	assert_int_equal(fw_store_delivery_each(s, "adv-1", NULL, on_delivery, &c), 0);
	assert_int_equal(c.n, 0);

	make_delivery(&d, "p1", "adv-1", 1, 1, 300);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	make_delivery(&d, "p2", "adv-1", 1, 1, 100);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	make_delivery(&d, "p1", "adv-1", 2, 1, 200);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);
	make_delivery(&d, "p1", "adv-2", 1, 1, 50);
	assert_int_equal(fw_store_delivery_insert(s, &d, &inserted), 0);

	assert_int_equal(fw_store_delivery_each(s, "adv-1", NULL, on_delivery, &c), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.ids[0], "adv-1/p2");
	assert_true(c.nums[0] == 100);
	assert_true(c.nums[1] == 200);
	assert_true(c.nums[2] == 300);

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_delivery_each(s, "adv-1", "p1", on_delivery, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.ids[0], "adv-1/p1");
	assert_true(c.nums[0] == 200);
	assert_true(c.nums[1] == 300);

	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	c.stop = 3;
	assert_int_equal(fw_store_delivery_each(s, "adv-1", NULL, on_delivery, &c), 3);
	assert_int_equal(c.n, 1);
}

static void download_roundtrip(void **state)
{
	struct fw_store *s = st(state);
	struct fw_download d;
	struct seen c = {0};

	add_partner(s, "acme");
	add_advisory(s, "adv-1", FW_ADV_PUBLIC);
	add_advisory(s, "adv-2", FW_ADV_PUBLIC);
	assert_int_equal(fw_store_download_each(s, "adv-1", on_download, &c), 0);
	assert_int_equal(c.n, 0);

	for (int i = 0; i < 5; i++) {
		memset(&d, 0, sizeof(d));
		snprintf(d.partner_id, sizeof(d.partner_id), "acme");
		snprintf(d.advisory_id, sizeof(d.advisory_id), "%s", i == 2 ? "adv-2" : "adv-1");
		d.revision = i + 1;
		d.parts = (unsigned)i;
		snprintf(d.what, sizeof(d.what), "%s", i % 2 ? "poc" : "csaf");
		pat(d.address, sizeof(d.address), (unsigned)i); /* maximal address */
		d.at_ms = 1700000000000 + i;
		assert_int_equal(fw_store_download_insert(s, &d), 0);
	}
	assert_int_equal(fw_store_download_each(s, "adv-1", on_download, &c), 0);
	assert_int_equal(c.n, 4);
	assert_true(c.nums[0] == 1700000000000);
	assert_true(c.nums[1] == 1700000000001);
	assert_true(c.nums[2] == 1700000000003);
	assert_true(c.nums[3] == 1700000000004);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	c.stop = 8;
	assert_int_equal(fw_store_download_each(s, "adv-1", on_download, &c), 8);
	assert_int_equal(c.n, 2);
}

struct dlcheck {
	struct fw_download want;
	int n;
};

static int on_download_check(void *ctx, const struct fw_download *d)
{
	struct dlcheck *c = ctx;

	c->n++;
	assert_string_equal(d->partner_id, c->want.partner_id);
	assert_string_equal(d->advisory_id, c->want.advisory_id);
	assert_int_equal(d->revision, c->want.revision);
	assert_int_equal(d->parts, c->want.parts);
	assert_string_equal(d->what, c->want.what);
	assert_string_equal(d->address, c->want.address);
	assert_true(d->at_ms == c->want.at_ms);
	return 0;
}

static void download_fields(void **state)
{
	struct fw_store *s = st(state);
	struct dlcheck c;

	memset(&c, 0, sizeof(c));
	add_partner(s, "acme");
	add_advisory(s, "adv-1", FW_ADV_PUBLIC);
	snprintf(c.want.partner_id, sizeof(c.want.partner_id), "acme");
	snprintf(c.want.advisory_id, sizeof(c.want.advisory_id), "adv-1");
	c.want.revision = 7;
	c.want.parts = FW_PARTS_ALL;
	snprintf(c.want.what, sizeof(c.want.what), "csaf");
	snprintf(c.want.address, sizeof(c.want.address), "2001:db8::1");
	c.want.at_ms = 1700000000123;
	assert_int_equal(fw_store_download_insert(s, &c.want), 0);
	assert_int_equal(fw_store_download_each(s, "adv-1", on_download_check, &c), 0);
	assert_int_equal(c.n, 1);

	/* a download of an advisory that does not exist */
	snprintf(c.want.advisory_id, sizeof(c.want.advisory_id), "adv-9");
	assert_int_equal(fw_store_download_insert(s, &c.want), FW_ENOENT);
}

/* Events. */

static void make_event(struct fw_event *e, const char *type, int64_t at_ms)
{
	memset(e, 0, sizeof(*e));
	e->at_ms = at_ms;
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->actor, sizeof(e->actor), "scheduler");
	snprintf(e->subject, sizeof(e->subject), "adv-1/acme");
	snprintf(e->detail, sizeof(e->detail), "{\"revision\":1}");
}

struct ecollect {
	struct fw_event e[4];
	int n;
};

static int on_event_copy(void *ctx, const struct fw_event *e)
{
	struct ecollect *c = ctx;

	assert_true(c->n < 4);
	c->e[c->n++] = *e;
	return 0;
}

static void event_seq_and_fields(void **state)
{
	struct fw_store *s = st(state);
	struct fw_event e;
	struct ecollect c = {0};
	int64_t seq = 0, prev = 0;

	make_event(&e, "first", 10);
	e.seq = 999; /* ignored: the store assigns it */
	assert_int_equal(fw_store_event_insert(s, &e, &seq), 0);
	assert_true(seq == 1);
	for (int i = 0; i < 20; i++) {
		prev = seq;
		make_event(&e, "more", 20 + i);
		assert_int_equal(fw_store_event_insert(s, &e, &seq), 0);
		assert_true(seq > prev);
	}

	/* maximal strings */
	memset(&e, 0, sizeof(e));
	e.at_ms = INT64_MAX;
	pat(e.type, sizeof(e.type), 1);
	pat(e.actor, sizeof(e.actor), 2);
	pat(e.subject, sizeof(e.subject), 3);
	pat(e.detail, sizeof(e.detail), 4);
	assert_int_equal(fw_store_event_insert(s, &e, &seq), 0);
	assert_int_equal(fw_store_event_each(s, seq - 1, 0, on_event_copy, &c), 0);
	assert_int_equal(c.n, 1);
	assert_true(c.e[0].seq == seq);
	assert_true(c.e[0].at_ms == INT64_MAX);
	assert_string_equal(c.e[0].type, e.type);
	assert_string_equal(c.e[0].actor, e.actor);
	assert_string_equal(c.e[0].subject, e.subject);
	assert_string_equal(c.e[0].detail, e.detail);

	/* a NULL ret_seq is allowed */
	assert_int_equal(fw_store_event_insert(s, &e, NULL), 0);
}

static void event_each_paging(void **state)
{
	struct fw_store *s = st(state);
	struct fw_event e;
	struct seen c = {0};
	int64_t seqs[10];

	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &c), 0);
	assert_int_equal(c.n, 0);
	for (int i = 0; i < 10; i++) {
		make_event(&e, i % 2 ? "odd" : "even", 100 - i); /* at_ms does not drive the order */
		assert_int_equal(fw_store_event_insert(s, &e, &seqs[i]), 0);
	}
	/* limit 0: all of them, in seq order */
	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &c), 0);
	assert_int_equal(c.n, 10);
	for (int i = 0; i < 10; i++)
		assert_true(c.nums[i] == seqs[i]);

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_event_each(s, seqs[3], 4, on_event, &c), 0);
	assert_int_equal(c.n, 4);
	assert_true(c.nums[0] == seqs[4]);
	assert_true(c.nums[3] == seqs[7]);

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_store_event_each(s, seqs[9], 5, on_event, &c), 0);
	assert_int_equal(c.n, 0);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	c.stop = -1;
	assert_int_equal(fw_store_event_each(s, 0, 100, on_event, &c), -1);
	assert_int_equal(c.n, 2);
}

/* Transactions. */

static void tx_rollback(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p;
	struct fw_tier t[1] = {{"standard", 3600}}, out[FW_MAX_TIERS];
	static struct fw_advisory a;
	struct fw_event e;
	size_t n;
	int64_t seq;

	assert_int_equal(fw_store_tiers_set(s, t, 1), 0);
	assert_int_equal(fw_store_begin(s), 0);
	add_partner(s, "acme");
	add_advisory(s, "adv-1", FW_ADV_DRAFT);
	make_event(&e, "partner.created", 1);
	assert_int_equal(fw_store_event_insert(s, &e, &seq), 0);
	assert_int_equal(fw_store_tiers_set(s, NULL, 0), 0);
	assert_int_equal(fw_store_partner_get(s, "acme", &p), 0); /* visible inside */
	fw_store_rollback(s);

	assert_int_equal(fw_store_partner_get(s, "acme", &p), FW_ENOENT);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &a), FW_ENOENT);
	assert_int_equal(fw_store_tiers_get(s, out, &n), 0);
	assert_int_equal(n, 1);
	struct seen c = {0};
	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &c), 0);
	assert_int_equal(c.n, 0);

	/* harmless without a transaction, and the store goes on working */
	fw_store_rollback(s);
	fw_store_rollback(s);
	add_partner(s, "acme");
	assert_int_equal(fw_store_partner_get(s, "acme", &p), 0);
}

static void tx_commit(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p;

	assert_int_equal(fw_store_begin(s), 0);
	add_partner(s, "acme");
	add_partner(s, "beta");
	assert_int_equal(fw_store_commit(s), 0);
	fw_store_rollback(s); /* nothing open: no effect */
	assert_int_equal(fw_store_partner_get(s, "acme", &p), 0);
	assert_int_equal(fw_store_partner_get(s, "beta", &p), 0);

	/* a failed call inside a transaction does not doom the rest of it */
	assert_int_equal(fw_store_begin(s), 0);
	add_partner(s, "gamma");
	make_partner(&p, "acme");
	assert_int_equal(fw_store_partner_insert(s, &p), FW_EEXIST);
	assert_int_equal(fw_store_commit(s), 0);
	assert_int_equal(fw_store_partner_get(s, "gamma", &p), 0);
}

static void tx_misuse(void **state)
{
	struct fw_store *s = st(state);
	struct fw_partner p;

	assert_int_not_equal(fw_store_commit(s), 0); /* nothing to commit */
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_not_equal(fw_store_begin(s), 0); /* not nestable */
	add_partner(s, "acme");
	assert_int_equal(fw_store_commit(s), 0);
	assert_int_equal(fw_store_partner_get(s, "acme", &p), 0);
}

/* Several connections to one store: isolation, visibility after commit, writers serialize. */

static void two_connections(void **state)
{
	struct env *e = *state;
	struct fw_store *a = e->s, *b = open_store(e->uri);
	struct fw_partner p;
	int64_t seq;
	struct fw_event ev;

	assert_int_equal(fw_store_begin(a), 0);
	add_partner(a, "acme");
	/* the reader is neither blocked nor shown uncommitted data */
	assert_int_equal(fw_store_partner_get(b, "acme", &p), FW_ENOENT);
	assert_int_equal(fw_store_commit(a), 0);
	assert_int_equal(fw_store_partner_get(b, "acme", &p), 0);

	/* and the other way round, without an explicit transaction */
	make_event(&ev, "x", 1);
	assert_int_equal(fw_store_event_insert(b, &ev, &seq), 0);
	struct seen c = {0};
	assert_int_equal(fw_store_event_each(a, 0, 0, on_event, &c), 0);
	assert_int_equal(c.n, 1);
	assert_true(c.nums[0] == seq);

	/* a rolled back write is never seen by the other connection */
	assert_int_equal(fw_store_begin(b), 0);
	add_partner(b, "ghost");
	fw_store_rollback(b);
	assert_int_equal(fw_store_partner_get(a, "ghost", &p), FW_ENOENT);
	fw_store_free(b);
}

#define WRITERS 4
#define WRITES  50

struct writer {
	const char *uri;
	int id;
	int failures;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct fw_store *s = NULL;
	struct fw_error err;
	struct fw_partner p;
	struct fw_event e;
	char id[32];

	if (fw_store_open(w->uri, 0, &s, &err) != 0) {
		w->failures = WRITES;
		return NULL;
	}
	for (int i = 0; i < WRITES; i++) {
		snprintf(id, sizeof(id), "w%d-%d", w->id, i);
		make_partner(&p, id);
		make_event(&e, "partner.created", i);
		if (fw_store_begin(s) != 0 || fw_store_partner_insert(s, &p) != 0 ||
		    fw_store_event_insert(s, &e, NULL) != 0 || fw_store_commit(s) != 0) {
			fw_store_rollback(s);
			w->failures++;
		}
		if (fw_store_partner_get(s, id, &p) != 0)
			w->failures++;
	}
	fw_store_free(s);
	return NULL;
}

static int count_partner(void *ctx, const struct fw_partner *p)
{
	(void)p;
	(*(int *)ctx)++;
	return 0;
}

struct seqcheck {
	int64_t last;
	int n;
	int ordered;
};

static int check_seq(void *ctx, const struct fw_event *e)
{
	struct seqcheck *c = ctx;

	if (e->seq <= c->last)
		c->ordered = 0;
	c->last = e->seq;
	c->n++;
	return 0;
}

static void concurrent_writers(void **state)
{
	struct env *e = *state;
	pthread_t th[WRITERS];
	struct writer w[WRITERS];
	struct seqcheck sc = {0, 0, 1};
	int n = 0;

	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){e->uri, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(fw_store_partner_each(e->s, count_partner, &n), 0);
	assert_int_equal(n, WRITERS * WRITES);
	assert_int_equal(fw_store_event_each(e->s, 0, 0, check_seq, &sc), 0);
	assert_int_equal(sc.n, WRITERS * WRITES);
	assert_true(sc.ordered);
}

/* The transparency log's storage: append-only entries, subtree hashes, checkpoints. */

struct entries {
	uint64_t idx[8];
	char text[8][16];
	size_t n;
};

static int on_entry(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct entries *c = ctx;

	assert_true(c->n < 8 && len < 16);
	c->idx[c->n] = index;
	memcpy(c->text[c->n], entry, len);
	c->text[c->n][len] = '\0';
	c->n++;
	return 0;
}

static int on_leaf(void *ctx, uint64_t index, const void *entry, size_t len, const unsigned char *hashes,
                   size_t hashes_len)
{
	struct entries *c = ctx;

	/* Entry i was appended with the hashes pattern(level, i >> level): its count tells how many. */
	assert_int_equal(hashes_len, 32 * (index == 1 ? 2 : 1));
	assert_int_equal(hashes[0], index);
	return on_entry(c, index, entry, len);
}

static void log_storage(void **state)
{
	struct fw_store *s = st(state);
	/* h[l][i]: a recognisable hash for the subtree (level l, index i), all bytes 16 * l + i */
	unsigned char h[3][4][32], got[32], row1[64], row3[96];
	struct entries c = {0};
	struct fw_buf note;
	uint64_t size = 99;

	for (int l = 0; l < 3; l++)
		for (int i = 0; i < 4; i++)
			memset(h[l][i], 16 * l + i, 32);
	memcpy(row1, h[0][1], 32);
	memcpy(row1 + 32, h[1][0], 32);
	memcpy(row3, h[0][3], 32);
	memcpy(row3 + 32, h[1][1], 32);
	memcpy(row3 + 64, h[2][0], 32);
	assert_int_equal(fw_store_log_size(s, &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(fw_store_log_append(s, 1, "x", 1, row1, 2), FW_ECONFLICT); /* no gaps */
	assert_int_equal(fw_store_log_append(s, 0, "e0", 2, row1, 2), FW_EINVAL);   /* leaf 0 completes one */
	assert_int_equal(fw_store_log_append(s, 0, "e0", 2, h[0][0], 1), 0);
	assert_int_equal(fw_store_log_append(s, 0, "again", 5, h[0][0], 1), FW_ECONFLICT); /* no overwrite */
	assert_int_equal(fw_store_log_append(s, 1, "e1", 2, row1, 1), FW_EINVAL); /* leaf 1 completes two */
	assert_int_equal(fw_store_log_append(s, 1, "e1", 2, row1, 2), 0);
	assert_int_equal(fw_store_log_append(s, 2, "", 0, h[0][2], 1), 0);
	assert_int_equal(fw_store_log_size(s, &size), 0);
	assert_int_equal(size, 3);
	assert_int_equal(fw_store_log_append(s, 3, "big", FW_LOG_ENTRY_MAX + 1, row3, 3), FW_ETOOBIG);
	assert_int_equal(fw_store_log_entry_each(s, 1, 10, on_entry, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.idx[0], 1);
	assert_string_equal(c.text[0], "e1");
	assert_string_equal(c.text[1], "");
	c.n = 0;
	assert_int_equal(fw_store_log_leaf_each(s, 0, 3, on_leaf, &c), 0);
	assert_int_equal(c.n, 3);

	/* Each subtree's hash is found with its last leaf; those not complete yet are absent. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fw_store_log_node_get(s, 0, (uint64_t)i, got), 0);
		assert_memory_equal(got, h[0][i], 32);
	}
	assert_int_equal(fw_store_log_node_get(s, 1, 0, got), 0);
	assert_memory_equal(got, h[1][0], 32);
	assert_int_equal(fw_store_log_node_get(s, 0, 3, got), FW_ENOENT);
	assert_int_equal(fw_store_log_node_get(s, 1, 1, got), FW_ENOENT);
	assert_int_equal(fw_store_log_node_get(s, 2, 0, got), FW_ENOENT);
	assert_int_equal(fw_store_log_node_get(s, 63, 0, got), FW_ENOENT);
	assert_int_equal(fw_store_log_node_get(s, 64, 0, got), FW_ENOENT);
	assert_int_equal(fw_store_log_node_get(s, 1, UINT64_MAX, got), FW_ENOENT);
	assert_int_equal(fw_store_log_append(s, 3, "e3", 2, row3, 3), 0);
	assert_int_equal(fw_store_log_node_get(s, 1, 1, got), 0);
	assert_memory_equal(got, h[1][1], 32);
	assert_int_equal(fw_store_log_node_get(s, 2, 0, got), 0);
	assert_memory_equal(got, h[2][0], 32);

	fw_buf_init(&note, 0);
	assert_int_equal(fw_store_checkpoint_latest(s, &size, &note), FW_ENOENT);
	assert_int_equal(fw_store_checkpoint_put(s, 2, "two\n"), 0);
	assert_int_equal(fw_store_checkpoint_put(s, 3, "three\n"), 0);
	assert_int_equal(fw_store_checkpoint_put(s, 3, "other\n"), 0); /* the first one stays */
	assert_int_equal(fw_store_checkpoint_latest(s, &size, &note), 0);
	assert_int_equal(size, 3);
	assert_string_equal(note.data, "three\n");
	fw_buf_reset(&note);
	assert_int_equal(fw_store_checkpoint_get(s, 2, &note), 0);
	assert_string_equal(note.data, "two\n");
	assert_int_equal(fw_store_checkpoint_get(s, 1, &note), FW_ENOENT);
	fw_buf_release(&note);

	/* a rolled-back append leaves no trace */
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_equal(fw_store_log_append(s, 4, "e4", 2, h[0][0], 1), 0);
	fw_store_rollback(s);
	assert_int_equal(fw_store_log_size(s, &size), 0);
	assert_int_equal(size, 4);
	assert_int_equal(fw_store_log_node_get(s, 0, 4, got), FW_ENOENT);
}

/* Sealing keys: one per existing partner, replaced in place, removed once; a rolled-back put leaves none. */
static void seal_keys(void **state)
{
	struct fw_store *s = st(state);
	unsigned char k1[32], k2[32], got[32];
	int64_t at = 0;

	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	add_partner(s, "acme");
	add_partner(s, "beta");
	assert_int_equal(fw_store_seal_key_get(s, "acme", got, &at), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_put(s, "nobody", k1, 10), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_get(s, "nobody", got, NULL), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_put(s, "acme", k1, 10), 0);
	assert_int_equal(fw_store_seal_key_get(s, "acme", got, &at), 0);
	assert_memory_equal(got, k1, 32);
	assert_int_equal(at, 10);
	assert_int_equal(fw_store_seal_key_get(s, "beta", got, NULL), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_put(s, "acme", k2, 20), 0);
	assert_int_equal(fw_store_seal_key_get(s, "acme", got, &at), 0);
	assert_memory_equal(got, k2, 32);
	assert_int_equal(at, 20);
	assert_int_equal(fw_store_seal_key_delete(s, "beta"), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_delete(s, "acme"), 0);
	assert_int_equal(fw_store_seal_key_delete(s, "acme"), FW_ENOENT);
	assert_int_equal(fw_store_seal_key_get(s, "acme", got, NULL), FW_ENOENT);
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_equal(fw_store_seal_key_put(s, "beta", k1, 30), 0);
	fw_store_rollback(s);
	assert_int_equal(fw_store_seal_key_get(s, "beta", got, NULL), FW_ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(open_creates_schema),
	    T(log_storage),
	    T(open_unknown_scheme),
	    T(open_unreachable),
	    T(open_garbage_file),
	    T(open_wrong_schema_version),
	    T(reopen_keeps_data),
	    T(free_null),
	    T(meta),
	    T(partner_roundtrip_max),
	    T(partner_duplicate_and_missing),
	    T(partner_update),
	    T(partner_each),
	    T(token_find),
	    T(token_expires_migrates_old_file),
	    T(token_revoke),
	    T(token_each),
	    T(tiers_replace),
	    T(tiers_limits),
	    T(rules_replace),
	    T(rules_limits),
	    T(advisory_roundtrip_max),
	    T(advisory_empty_lists_and_update),
	    T(advisory_duplicate_and_missing),
	    T(advisory_each),
	    T(advisory_due),
	    T(advisory_each_due_reschedule),
	    T(revision_roundtrip),
	    T(revision_large_part),
	    T(revision_duplicate_and_missing),
	    T(revision_each),
	    T(delivery_idempotent),
	    T(delivery_each),
	    T(download_roundtrip),
	    T(download_fields),
	    T(event_seq_and_fields),
	    T(event_each_paging),
	    T(tx_rollback),
	    T(tx_commit),
	    T(tx_misuse),
	    T(two_connections),
	    T(concurrent_writers),
	    T(seal_keys),
	};
	int failed;

	if (fw_crypto_init() < 0 || fw_data_key_generate(&test_key) < 0)
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	fw_data_key_free(test_key);
	return failed;
}
