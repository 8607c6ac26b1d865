/*
 * SQLite databases made by earlier versions open and keep working: downloads recorded when a download was
 * also a row of events are listed once, as before, and new downloads take the next seq of the one sequence.
 * (The log's own move, from log_nodes into the entries' rows, is tested in tests/unit/log/test_log.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "forewarn/store.h"
#include "tmpdir.h"

struct seen {
	int64_t seq[8];
	char type[8][40];
	char detail[8][512];
	size_t n;
};

static int on_event(void *ctx, const struct fw_event *e)
{
	struct seen *c = ctx;

	assert_true(c->n < 8);
	c->seq[c->n] = e->seq;
	strcpy(c->type[c->n], e->type);
	strcpy(c->detail[c->n], e->detail);
	c->n++;
	return 0;
}

static int on_download(void *ctx, const struct fw_download *d)
{
	struct seen *c = ctx;

	assert_true(c->n < 8);
	strcpy(c->type[c->n], d->what);
	c->n++;
	return 0;
}

/* new_download: a csaf download of advisory a, revision 1, by partner p, at 30 ms. */
static void new_download(struct fw_download *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->partner_id, "p");
	strcpy(d->advisory_id, "a");
	d->revision = 1;
	d->parts = 3;
	strcpy(d->what, "csaf");
	strcpy(d->address, "127.0.0.1");
	d->at_ms = 30;
}

/*
 * older_file: a store file in a new directory dir (a mkdtemp template), made by this version and then taken
 * back to an earlier one by the SQL `back`, opened again: the migration runs on that open.
 */
static struct fw_store *older_file(char *dir, const char *back)
{
	char path[64], uri[80];
	struct fw_store *s = NULL;
	struct fw_error err;
	sqlite3 *db;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/forewarn.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	assert_int_equal(fw_store_open(uri, 0, &s, &err), 0);
	fw_store_free(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, back, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(fw_store_open(uri, 0, &s, &err), 0);
	return s;
}

static void downloads_before_they_were_events(void **state)
{
	char dir[] = "/tmp/fw-test-migrate-XXXXXX";
	struct fw_store *s;
	struct fw_download d;
	struct seen ev = {0}, dl = {0};

	(void)state;
	/* The table as it was, with a download recorded the old way: its row, and its row of events. */
	s = older_file(
	    dir,
	    "DROP TABLE downloads;"
	    "CREATE TABLE downloads(id INTEGER PRIMARY KEY, partner_id TEXT NOT NULL,"
	    " advisory_id TEXT NOT NULL, revision INTEGER NOT NULL, parts INTEGER NOT NULL,"
	    " what TEXT NOT NULL, address TEXT NOT NULL, at_ms INTEGER NOT NULL);"
	    "CREATE INDEX downloads_advisory ON downloads(advisory_id);"
	    "INSERT INTO events(seq, at_ms, type, actor, subject, detail) VALUES"
	    " (1, 10, 'partner.created', 'admin:t', 'p', '{}'),"
	    " (2, 20, 'download', 'partner:p', 'a/p', '{\"what\":\"poc\",\"address\":\"x\"}');"
	    "INSERT INTO downloads VALUES(1, 'p', 'a', 1, 3, 'poc', 'x', 20);"
	    "INSERT INTO advisories(id, title, cves, products, cvss_v3, cvss_severity, status, public_at,"
	    " created_at, updated_at, revision) VALUES('a', 't', '', '', '', '', 1, 0, 0, 0, 1)");
	new_download(&d);
	memset(d.sha256, 0xab, sizeof(d.sha256));
	assert_int_equal(fw_store_download_insert(s, &d), 0);
	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &ev), 0);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.seq[0], 1);
	assert_int_equal(ev.seq[1], 2);
	assert_string_equal(ev.detail[1], "{\"what\":\"poc\",\"address\":\"x\"}");
	assert_int_equal(ev.seq[2], 3);
	assert_string_equal(ev.type[2], "download");
	assert_non_null(strstr(ev.detail[2], "\"sha256\":\"abababab"));
	assert_int_equal(fw_store_download_each(s, "a", on_download, &dl), 0);
	assert_int_equal(dl.n, 2);
	assert_string_equal(dl.type[0], "poc");
	assert_string_equal(dl.type[1], "csaf");
	fw_store_free(s);
	assert_int_equal(tmpdir_remove(dir), 0);
}

/* A file made when downloads had sha256 but not yet sealed, and tokens no expiry: each column is added. */
static void columns_added_one_by_one(void **state)
{
	char dir[] = "/tmp/fw-test-migrate-XXXXXX";
	struct fw_store *s;
	struct fw_download d;
	struct seen ev = {0};

	(void)state;
	s = older_file(
	    dir,
	    "ALTER TABLE downloads DROP COLUMN sealed; ALTER TABLE tokens DROP COLUMN expires_at;"
	    "INSERT INTO advisories(id, title, cves, products, cvss_v3, cvss_severity, status, public_at,"
	    " created_at, updated_at, revision) VALUES('a', 't', '', '', '', '', 1, 0, 0, 0, 1)");
	new_download(&d);
	d.sealed = 1;
	assert_int_equal(fw_store_download_insert(s, &d), 0);
	assert_int_equal(fw_store_event_each(s, 0, 0, on_event, &ev), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.type[0], "download");
	assert_non_null(strstr(ev.detail[0], "\"sealed\":\"true\""));
	fw_store_free(s);
	assert_int_equal(tmpdir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(downloads_before_they_were_events),
	    cmocka_unit_test(columns_added_one_by_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
