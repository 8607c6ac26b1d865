/*
 * Encryption at rest in the SQLite back end, checked on the file itself (sqlite3 opened beside the store):
 * no embargoed text in any file, sealed blobs in every embargoed column, values swapped between rows or
 * columns or tampered with refused, a text value refused, the data key checked, rekey all or nothing, and the
 * purge leaving no value of the old key in the files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "forewarn/crypto.h"
#include "forewarn/store.h"
#include "tmpdir.h"

#define TITLE   "MARKER-TITLE-q7Zp"
#define CVE     "CVE-2031-4242424"
#define PRODUCT "MARKER-PRODUCT-Lx3v"
#define VECTOR  "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"
#define NOTE    "MARKER-NOTE-8kQe"
#define SUMMARY "MARKER-SUMMARY-w2Rt"
#define DETAILS "MARKER-DETAILS-Yp5c"
#define DETECT  "MARKER-DETECTION-Hh4n"
#define POC     "MARKER-POC-Jm9s"

static const char *const markers[] = {TITLE, CVE, PRODUCT, VECTOR, NOTE, SUMMARY, DETAILS, DETECT, POC};

struct env {
	char dir[64];
	char path[128];
	char uri[160];
	struct fw_data_key *key;
	struct fw_store *s;
	sqlite3 *db; /* the same file, for looking and tampering */
};

static struct fw_store *open_with(struct env *e, const struct fw_data_key *k)
{
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};

	assert_int_equal(fw_store_open(e->uri, 0, &s, &err), 0);
	if (k && fw_store_set_data_key(s, k, &err) != 0)
		fail_msg("fw_store_set_data_key: %s", err.message);
	return s;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/fw-sealed-XXXXXX");
	if (!mkdtemp(e->dir) || fw_data_key_generate(&e->key) < 0)
		return -1;
	snprintf(e->path, sizeof(e->path), "%s/store.db", e->dir);
	snprintf(e->uri, sizeof(e->uri), "sqlite:%s", e->path);
	e->s = open_with(e, e->key);
	if (sqlite3_open(e->path, &e->db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(e->db, 5000);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	int r;

	sqlite3_close(e->db);
	fw_store_free(e->s);
	fw_data_key_free(e->key);
	r = tmpdir_remove(e->dir);
	free(e);
	return r;
}

static void make_advisory(struct fw_advisory *a, const char *id)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->title, sizeof(a->title), "%s %s", TITLE, id);
	a->ncves = 1;
	snprintf(a->cves[0], sizeof(a->cves[0]), CVE);
	a->nproducts = 2;
	snprintf(a->products[0], sizeof(a->products[0]), PRODUCT " 1.0");
	snprintf(a->products[1], sizeof(a->products[1]), PRODUCT " 2.0");
	snprintf(a->cvss_v3, sizeof(a->cvss_v3), VECTOR);
	a->cvss_score = 1.6;
	snprintf(a->cvss_severity, sizeof(a->cvss_severity), "LOW");
	a->status = FW_ADV_SCHEDULED;
	a->public_at = 1800000000;
	a->created_at = a->updated_at = 1700000000;
	a->revision = 1;
	a->parts = FW_PARTS_ALL;
}

static void add(struct fw_store *s, const char *id, int revisions)
{
	struct fw_advisory a;

	make_advisory(&a, id);
	assert_int_equal(fw_store_advisory_insert(s, &a), 0);
	for (int n = 1; n <= revisions; n++) {
		struct fw_revision r;
		memset(&r, 0, sizeof(r));
		snprintf(r.advisory_id, sizeof(r.advisory_id), "%s", id);
		r.number = n;
		r.created_at = 1700000000 + n;
		snprintf(r.note, sizeof(r.note), NOTE " %d", n);
		r.parts[FW_PART_SUMMARY] = SUMMARY;
		r.parts[FW_PART_DETAILS] = n == 1 ? DETAILS : NULL;
		r.parts[FW_PART_DETECTION] = n == 1 ? DETECT : "";
		r.parts[FW_PART_POC] = POC "\nprint('pwned')\n";
		assert_int_equal(fw_store_revision_insert(s, &r), 0);
	}
}

/* file_has: 1 if the file holds the n bytes of needle anywhere. */
static int file_has(const char *path, const void *needle, size_t n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int found = 0;

	if (!f)
		return 0;
	do {
		if (len + 65536 > cap) {
			cap = 2 * cap + 65536;
			assert_non_null(buf = realloc(buf, cap));
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	for (size_t i = 0; !found && n <= len && i + n <= len; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

/* dir_has: the name of a file in dir holding the bytes, or NULL. */
static const char *dir_has(const char *dir, const void *needle, size_t n)
{
	static char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);
	const char *hit = NULL;

	assert_non_null(d);
	while (!hit && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (file_has(path, needle, n))
				hit = path;
		}
	closedir(d);
	return hit;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The markers are in no file, neither while the store is open (database, log, shared memory) nor after. */
static void no_plaintext_in_files(void **state)
{
	struct env *e = *state;
	struct fw_advisory a;
	struct fw_revision r;

	add(e->s, "adv-1", 2);
	add(e->s, "adv-2", 1);
	/* the markers come back to the store's callers */
	assert_int_equal(fw_store_advisory_get(e->s, "adv-1", &a), 0);
	assert_string_equal(a.title, TITLE " adv-1");
	assert_string_equal(a.cves[0], CVE);
	assert_int_equal(a.nproducts, 2);
	assert_string_equal(a.products[1], PRODUCT " 2.0");
	assert_string_equal(a.cvss_v3, VECTOR);
	assert_true(a.cvss_score == 1.6);
	assert_string_equal(a.cvss_severity, "LOW");
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 1, &r), 0);
	assert_string_equal(r.note, NOTE " 1");
	assert_string_equal(r.parts[FW_PART_DETAILS], DETAILS);
	assert_string_equal(r.parts[FW_PART_POC], POC "\nprint('pwned')\n");
	fw_revision_release(&r);
	/* The search works: the advisory's id, stored in clear, is found. */
	assert_non_null(dir_has(e->dir, "adv-1", 5));
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const char *hit = dir_has(e->dir, markers[i], strlen(markers[i]));
		if (hit)
			fail_msg("'%s' found in %s while the store is open", markers[i], hit);
	}
	sqlite3_close(e->db);
	e->db = NULL;
	fw_store_free(e->s);
	e->s = NULL;
	assert_non_null(dir_has(e->dir, "adv-1", 5));
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const char *hit = dir_has(e->dir, markers[i], strlen(markers[i]));
		if (hit)
			fail_msg("'%s' found in %s after closing", markers[i], hit);
	}
}

static int count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every embargoed column holds a blob; an absent part stays NULL; an empty one is a blob. */
static void columns_are_sealed(void **state)
{
	struct env *e = *state;

	add(e->s, "adv-1", 2);
	assert_int_equal(
	    count_rows(e->db, "SELECT count(*) FROM advisories WHERE typeof(title) = 'blob' AND"
	                      " typeof(cves) = 'blob' AND typeof(products) = 'blob' AND typeof(cvss_v3)"
	                      " = 'blob' AND typeof(cvss_score) = 'blob' AND typeof(cvss_severity) = 'blob'"),
	    1);
	assert_int_equal(count_rows(e->db, "SELECT count(*) FROM revisions WHERE typeof(note) = 'blob' AND"
	                                   " typeof(summary) = 'blob' AND typeof(poc) = 'blob'"),
	                 2);
	assert_int_equal(count_rows(e->db, "SELECT count(*) FROM revisions WHERE details IS NULL"), 1);
	assert_int_equal(count_rows(e->db, "SELECT count(*) FROM revisions WHERE length(detection) = 45"), 1);
}

static int on_rev(void *ctx, const struct fw_revision *r)
{
	unsigned *masks = ctx;

	masks[r->number] = r->present;
	return 0;
}

/* The parts present are still listed from the sealed lengths: an empty part is not present. */
static void revision_each_mask(void **state)
{
	struct env *e = *state;
	unsigned masks[3] = {0};

	add(e->s, "adv-1", 2);
	assert_int_equal(fw_store_revision_each(e->s, "adv-1", on_rev, masks), 0);
	assert_int_equal(masks[1], FW_PARTS_ALL);
	assert_int_equal(masks[2], (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC));
}

/* A sealed value copied into another row or another column does not open: the read fails, not lies. */
static void swapped_values_refused(void **state)
{
	struct env *e = *state;
	struct fw_advisory a;
	struct fw_revision r;

	add(e->s, "adv-1", 2);
	add(e->s, "adv-2", 1);
	/* adv-2's title into adv-1 */
	exec(e->db, "UPDATE advisories SET title = (SELECT title FROM advisories WHERE id = 'adv-2') WHERE "
	            "id = 'adv-1'");
	assert_int_equal(fw_store_advisory_get(e->s, "adv-1", &a), FW_ECRYPTO);
	assert_int_equal(fw_store_advisory_get(e->s, "adv-2", &a), 0);
	/* one row's columns exchanged */
	exec(e->db, "UPDATE advisories SET cves = products, products = cves WHERE id = 'adv-2'");
	assert_int_equal(fw_store_advisory_get(e->s, "adv-2", &a), FW_ECRYPTO);
	/* revision 1's summary into revision 2, and a part into another part */
	exec(e->db,
	     "UPDATE revisions SET summary = (SELECT summary FROM revisions WHERE advisory_id = 'adv-1' AND"
	     " number = 1) WHERE advisory_id = 'adv-1' AND number = 2");
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 2, &r), FW_ECRYPTO);
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 1, &r), 0);
	fw_revision_release(&r);
	exec(e->db, "UPDATE revisions SET poc = details WHERE advisory_id = 'adv-1' AND number = 1");
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 1, &r), FW_ECRYPTO);
}

static int on_adv(void *ctx, const struct fw_advisory *a)
{
	(void)ctx;
	(void)a;
	return 0;
}

/* A flipped byte, or a value in clear, is refused; the listing refuses it too. */
static void tampered_and_clear_refused(void **state)
{
	struct env *e = *state;
	struct fw_advisory a;
	struct fw_revision r;
	uint64_t values = 0;
	struct fw_error err = {{0}, {0}};

	add(e->s, "adv-1", 1);
	add(e->s, "adv-2", 1);
	/* the last byte of the PoC's tag */
	exec(e->db,
	     "UPDATE revisions SET poc = substr(poc, 1, length(poc) - 1) ||"
	     " CASE WHEN substr(poc, -1) = x'00' THEN x'01' ELSE x'00' END WHERE advisory_id = 'adv-1'");
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 1, &r), FW_ECRYPTO);
	assert_int_equal(fw_store_rekey(e->s, NULL, NULL, NULL, &values, &err), FW_ECRYPTO);
	assert_non_null(strstr(err.message, "adv-1"));
	assert_non_null(strstr(err.message, "poc"));
	assert_null(strstr(err.message, POC)); /* names the place, never the content */
	/* an attacker's text in place of a sealed title */
	exec(e->db, "UPDATE advisories SET title = 'Nothing to see here' WHERE id = 'adv-2'");
	assert_int_equal(fw_store_advisory_get(e->s, "adv-2", &a), FW_ECRYPTO);
	assert_int_equal(fw_store_advisory_each(e->s, 0, on_adv, NULL), FW_ECRYPTO);
}

/* Without a data key nothing embargoed is read or written; the rest of the store works. */
static void no_key(void **state)
{
	struct env *e = *state;
	struct fw_store *s = open_with(e, NULL);
	struct fw_advisory a;
	struct fw_revision r;
	char v[16];

	add(e->s, "adv-1", 1);
	make_advisory(&a, "adv-2");
	assert_int_equal(fw_store_advisory_insert(s, &a), FW_ECRYPTO);
	assert_int_equal(fw_store_advisory_get(s, "adv-1", &a), FW_ECRYPTO);
	assert_int_equal(fw_store_revision_get(s, "adv-1", 1, &r), FW_ECRYPTO);
	memset(&r, 0, sizeof(r));
	snprintf(r.advisory_id, sizeof(r.advisory_id), "adv-1");
	r.number = 2;
	assert_int_equal(fw_store_revision_insert(s, &r), FW_ECRYPTO);
	assert_int_equal(fw_store_meta_set(s, "k", "v"), 0);
	assert_int_equal(fw_store_meta_get(s, "k", v, sizeof(v)), 0);
	assert_int_equal(count_rows(e->db, "SELECT count(*) FROM advisories"), 1);
	fw_store_free(s);
}

/* The database records its key's id: another key is refused, with both ids named. */
static void wrong_key(void **state)
{
	struct env *e = *state;
	struct fw_data_key *other = NULL;
	struct fw_store *s = open_with(e, NULL);
	struct fw_error err = {{0}, {0}};
	char id[32];

	assert_int_equal(fw_store_meta_get(e->s, "data_key_id", id, sizeof(id)), 0);
	assert_string_equal(id, fw_data_key_id(e->key));
	assert_int_equal(fw_data_key_generate(&other), 0);
	assert_int_equal(fw_store_set_data_key(s, other, &err), FW_ECRYPTO);
	assert_non_null(strstr(err.message, fw_data_key_id(other)));
	assert_non_null(strstr(err.message, fw_data_key_id(e->key)));
	assert_int_equal(fw_store_set_data_key(s, e->key, &err), 0);
	fw_store_free(s);
	fw_data_key_free(other);
}

/* A database written in clear before encryption at rest is refused, not misread. */
static void clear_database_refused(void **state)
{
	struct env *e = *state;
	struct fw_store *s;
	struct fw_error err = {{0}, {0}};

	exec(e->db, "DELETE FROM meta WHERE key = 'data_key_id'");
	exec(e->db,
	     "INSERT INTO advisories(id, title, cves, products, cvss_v3, cvss_severity, status, public_at,"
	     " created_at, updated_at, revision) VALUES('old', 'Old title', '', '', '', '', 0, 0, 1, 1, 1)");
	s = open_with(e, NULL);
	assert_int_equal(fw_store_set_data_key(s, e->key, &err), FW_ECONFLICT);
	assert_non_null(strstr(err.message, "in clear"));
	fw_store_free(s);
}

/* blob_of: the sealed bytes of one column of one row (for looking for them in the files later). */
static size_t blob_of(sqlite3 *db, const char *sql, unsigned char *out, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (size_t)sqlite3_column_bytes(st, 0);
	assert_true(n <= max && n >= FW_SEAL_OVERHEAD);
	memcpy(out, sqlite3_column_blob(st, 0), n);
	sqlite3_finalize(st);
	return n;
}

static int stop_after(void *ctx, uint64_t values)
{
	return values >= *(uint64_t *)ctx ? 42 : 0;
}

/* Rekey: all values under the new key on commit; nothing changed on rollback or when stopped midway. */
static void rekey_commit_and_rollback(void **state)
{
	struct env *e = *state;
	struct fw_data_key *k2 = NULL;
	struct fw_error err = {{0}, {0}};
	struct fw_advisory a;
	struct fw_revision r;
	struct fw_store *s;
	uint64_t values = 0, stop = 3;
	unsigned char before[256], after[256];
	size_t nb, na;
	char id[32];

	add(e->s, "adv-1", 2);
	add(e->s, "adv-2", 1);
	assert_int_equal(fw_data_key_generate(&k2), 0);
	nb = blob_of(e->db, "SELECT title FROM advisories WHERE id = 'adv-1'", before, sizeof(before));
	/* the check alone: 2 advisories x 6, revisions: 5 + 4 (one part absent) + 5 */
	assert_int_equal(fw_store_rekey(e->s, NULL, NULL, NULL, &values, &err), 0);
	assert_int_equal(values, 2 * 6 + 5 + 4 + 5);
	/* outside a transaction: refused */
	assert_int_equal(fw_store_rekey(e->s, k2, NULL, NULL, NULL, &err), FW_ECONFLICT);
	/* rolled back */
	assert_int_equal(fw_store_begin(e->s), 0);
	assert_int_equal(fw_store_rekey(e->s, k2, NULL, NULL, &values, &err), 0);
	assert_int_equal(fw_store_advisory_get(e->s, "adv-1", &a), 0); /* read in the transaction: new key */
	fw_store_rollback(e->s);
	na = blob_of(e->db, "SELECT title FROM advisories WHERE id = 'adv-1'", after, sizeof(after));
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	assert_int_equal(fw_store_advisory_get(e->s, "adv-1", &a), 0);
	/* stopped midway by the progress callback: as if never begun */
	assert_int_equal(fw_store_begin(e->s), 0);
	assert_int_equal(fw_store_rekey(e->s, k2, stop_after, &stop, NULL, &err), 42);
	fw_store_rollback(e->s);
	assert_int_equal(fw_store_advisory_get(e->s, "adv-2", &a), 0);
	/* committed */
	assert_int_equal(fw_store_begin(e->s), 0);
	assert_int_equal(fw_store_rekey(e->s, k2, NULL, NULL, &values, &err), 0);
	assert_int_equal(fw_store_commit(e->s), 0);
	assert_int_equal(values, 2 * 6 + 5 + 4 + 5);
	assert_int_equal(fw_store_meta_get(e->s, "data_key_id", id, sizeof(id)), 0);
	assert_string_equal(id, fw_data_key_id(k2));
	assert_int_equal(fw_store_meta_get(e->s, "data_key_purge", id, sizeof(id)), 0);
	assert_string_equal(id, "1");
	assert_int_equal(fw_store_advisory_get(e->s, "adv-1", &a), 0);
	assert_string_equal(a.title, TITLE " adv-1");
	assert_int_equal(fw_store_revision_get(e->s, "adv-1", 2, &r), 0);
	assert_string_equal(r.parts[FW_PART_SUMMARY], SUMMARY);
	assert_null(r.parts[FW_PART_DETAILS]);
	assert_string_equal(r.parts[FW_PART_DETECTION], "");
	fw_revision_release(&r);
	/* the old key is refused now; the new one opens everything on a new connection */
	s = open_with(e, NULL);
	assert_int_equal(fw_store_set_data_key(s, e->key, &err), FW_ECRYPTO);
	assert_int_equal(fw_store_set_data_key(s, k2, &err), 0);
	assert_int_equal(fw_store_rekey(s, NULL, NULL, NULL, &values, &err), 0);
	/* a key of the same id as the current one is refused (the caller makes another) */
	assert_int_equal(fw_store_begin(s), 0);
	assert_int_equal(fw_store_rekey(s, k2, NULL, NULL, NULL, &err), FW_EINVAL);
	fw_store_rollback(s);
	fw_store_free(s);
	/* purge: the title sealed under the old key is in no file any more */
	assert_int_equal(fw_store_purge(e->s), 0);
	assert_int_equal(fw_store_meta_get(e->s, "data_key_purge", id, sizeof(id)), FW_ENOENT);
	assert_null(dir_has(e->dir, before + 5, nb - 5));
	na = blob_of(e->db, "SELECT title FROM advisories WHERE id = 'adv-1'", after, sizeof(after));
	assert_non_null(dir_has(e->dir, after + 5, na - 5)); /* (the search does find what is there) */
	fw_data_key_free(k2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(no_plaintext_in_files),
	    T(columns_are_sealed),
	    T(revision_each_mask),
	    T(swapped_values_refused),
	    T(tampered_and_clear_refused),
	    T(no_key),
	    T(wrong_key),
	    T(clear_database_refused),
	    T(rekey_commit_and_rollback),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
