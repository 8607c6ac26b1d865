/*
 * The log over a real store: roots and proofs from stored subtree hashes agree with an independent
 * computation from the entries; checkpoints verify; every kind of tampering with the stored entries or
 * hashes is caught by fw_log_verify, which names the first entry at fault.
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
#include "forewarn/crypto.h"
#include "forewarn/log.h"
#include "tmpdir.h"

#define N 300

struct fixture {
	char dir[64];
	char path[128];
	struct fw_store *s;
	struct fw_note_signer *signer;
	struct fw_note_verifier *verifier;
	unsigned char leaves[N * 32];
};

static void entry_text(int i, char *out, size_t n)
{
	snprintf(out, n, "{\"i\":%d,\"type\":\"test\",\"pad\":\"%.*s\"}", i, i % 50,
	         "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX], uri[160];
	struct fw_error err;

	assert_non_null(f);
	assert_int_equal(fw_crypto_init(), 0);
	strcpy(f->dir, "/tmp/fw-test-log-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/log.db", f->dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", f->path);
	assert_int_equal(fw_store_open(uri, 0, &f->s, &err), 0);
	assert_int_equal(fw_note_key_generate("test.example/log", skey, vkey), 0);
	assert_int_equal(fw_note_signer_new(skey, &f->signer, &err), 0);
	assert_int_equal(fw_note_verifier_new(vkey, &f->verifier, &err), 0);
	fw_crypto_wipe(skey, sizeof(skey));
	/* Appends in transactions of varying size, as the server makes them. */
	for (int i = 0; i < N;) {
		int batch = 1 + i % 7;
		assert_int_equal(fw_store_begin(f->s), 0);
		for (int k = 0; k < batch && i < N; k++, i++) {
			char e[128];
			uint64_t idx;
			entry_text(i, e, sizeof(e));
			assert_int_equal(fw_log_append(f->s, e, strlen(e), &idx), 0);
			assert_int_equal(idx, (uint64_t)i);
			fw_merkle_leaf_hash(e, strlen(e), f->leaves + (size_t)i * 32);
		}
		assert_int_equal(fw_store_commit(f->s), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fw_store_free(f->s);
	fw_note_signer_free(f->signer);
	fw_note_verifier_free(f->verifier);
	assert_int_equal(tmpdir_remove(f->dir), 0);
	free(f);
	return 0;
}

static void test_roots_and_proofs(void **state)
{
	struct fixture *f = *state;
	unsigned char root[32], want[32], proof[FW_MERKLE_PROOF_BYTES];
	size_t len;

	for (uint64_t size = 1; size <= N; size += 1 + size / 10) {
		fw_merkle_root(f->leaves, size, want);
		assert_int_equal(fw_log_root(f->s, size, root), 0);
		assert_memory_equal(root, want, 32);
		for (uint64_t i = 0; i < size; i += 1 + size / 7) {
			assert_int_equal(fw_log_inclusion_proof(f->s, i, size, proof, &len), 0);
			assert_int_equal(
			    fw_merkle_inclusion_verify(i, size, f->leaves + i * 32, proof, len, want), 0);
		}
		for (uint64_t old = 1; old <= size; old += 1 + old / 3) {
			unsigned char old_root[32];
			fw_merkle_root(f->leaves, old, old_root);
			assert_int_equal(fw_log_consistency_proof(f->s, old, size, proof, &len), 0);
			assert_int_equal(fw_merkle_consistency_verify(old, size, old_root, want, proof, len),
			                 0);
		}
	}
	assert_int_equal(fw_log_root(f->s, N + 1, root), FW_EINVAL);
	assert_int_equal(fw_log_inclusion_proof(f->s, N, N, proof, &len), FW_EINVAL);
	assert_int_equal(fw_log_consistency_proof(f->s, 0, N, proof, &len), FW_EINVAL);
}

static void test_checkpoint(void **state)
{
	struct fixture *f = *state;
	struct fw_checkpoint c;
	struct fw_error err;
	unsigned char want[32];
	char *note, *again;
	uint64_t size, size2;

	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_log_checkpoint(f->s, f->signer, "test.example/log", &note, &size), 0);
	assert_int_equal(size, N);
	assert_int_equal(fw_checkpoint_open(note, strlen(note), &f->verifier, 1, &c, &err), 0);
	assert_string_equal(c.origin, "test.example/log");
	assert_int_equal(c.size, N);
	fw_merkle_root(f->leaves, N, want);
	assert_memory_equal(c.root, want, 32);
	/* Unchanged log: the same checkpoint, not a new one. */
	assert_int_equal(fw_log_checkpoint(f->s, f->signer, "test.example/log", &again, &size2), 0);
	assert_string_equal(note, again);
	fw_checkpoint_release(&c);
	free(note);
	free(again);
	assert_int_equal(fw_log_verify(f->s, f->verifier, &size, NULL, &err), 0);
	assert_int_equal(size, N);
}

/* A rolled-back append must not leave a stale frontier behind for the next one. */
static void test_rollback_then_append(void **state)
{
	struct fixture *f = *state;
	unsigned char root[32], want[32];
	unsigned char leaves[(N + 1) * 32];
	uint64_t idx;

	assert_int_equal(fw_store_begin(f->s), 0);
	assert_int_equal(fw_log_append(f->s, "discarded", 9, &idx), 0);
	fw_store_rollback(f->s);
	assert_int_equal(fw_store_begin(f->s), 0);
	assert_int_equal(fw_log_append(f->s, "kept", 4, &idx), 0);
	assert_int_equal(fw_store_commit(f->s), 0);
	assert_int_equal(idx, N);
	memcpy(leaves, f->leaves, sizeof(f->leaves));
	fw_merkle_leaf_hash("kept", 4, leaves + (size_t)N * 32);
	fw_merkle_root(leaves, N + 1, want);
	assert_int_equal(fw_log_root(f->s, N + 1, root), 0);
	assert_memory_equal(root, want, 32);
}

/*
 * Regression: a store freed and another opened in its place (often at the same address) on the same thread:
 * what the log remembered of the first one's last transaction must not be taken for the second's.
 */
static void test_fresh_store_after_free(void **state)
{
	struct fixture *f = *state;
	char uri[160];
	struct fw_error err;
	uint64_t idx;

	for (int round = 0; round < 2; round++) {
		struct fw_store *s;
		snprintf(uri, sizeof(uri), "sqlite:%s/fresh%d.db", f->dir, round);
		assert_int_equal(fw_store_open(uri, 0, &s, &err), 0);
		assert_int_equal(fw_store_begin(s), 0);
		assert_int_equal(fw_log_append(s, "first", 5, &idx), 0);
		assert_int_equal(idx, 0);
		assert_int_equal(fw_store_commit(s), 0);
		fw_store_free(s);
	}
}

/* An emit for fw_merkle_frontier_append that keeps each subtree hash as a row of the old table log_nodes. */
static int old_node(void *ctx, unsigned level, uint64_t index, const unsigned char hash[32])
{
	sqlite3_stmt *st = ctx;

	sqlite3_bind_int(st, 1, (int)level);
	sqlite3_bind_int64(st, 2, (int64_t)index);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
	return 0;
}

/*
 * old_layout_db: a database as the log stored itself before hashes moved into the entries' rows: entries in
 * log_entries(idx, entry), subtree hashes in log_nodes(level, idx, hash), all N of the fixture's entries;
 * then runs `damage` (SQL, may be NULL) on it.
 */
static void old_layout_db(const char *path, const char *damage)
{
	struct fw_merkle_frontier fr;
	sqlite3_stmt *entry, *node;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db,
	                 "CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
	                 "INSERT INTO meta VALUES('schema_version', '1');"
	                 "CREATE TABLE log_entries(idx INTEGER PRIMARY KEY, entry BLOB NOT NULL);"
	                 "CREATE TABLE log_nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL,"
	                 " hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID; BEGIN",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO log_entries VALUES(?1, ?2)", -1, &entry, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO log_nodes VALUES(?1, ?2, ?3)", -1, &node, NULL),
	                 SQLITE_OK);
	fw_merkle_frontier_init(&fr);
	for (int i = 0; i < N; i++) {
		char e[128];
		unsigned char leaf[32];
		entry_text(i, e, sizeof(e));
		sqlite3_bind_int64(entry, 1, i);
		sqlite3_bind_blob(entry, 2, e, (int)strlen(e), SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(entry), SQLITE_DONE);
		sqlite3_reset(entry);
		fw_merkle_leaf_hash(e, strlen(e), leaf);
		assert_int_equal(fw_merkle_frontier_append(&fr, leaf, old_node, node), 0);
	}
	sqlite3_finalize(entry);
	sqlite3_finalize(node);
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	if (damage)
		assert_int_equal(sqlite3_exec(db, damage, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A log stored the old way is moved into the new layout when its store is opened, hashes and all. */
static void test_migrate_old_layout(void **state)
{
	struct fixture *f = *state;
	const char *damage[] = {NULL, "DELETE FROM log_nodes WHERE level = 3 AND idx = 5",
	                        "UPDATE log_nodes SET hash = randomblob(32) WHERE level = 0 AND idx = 250"};
	const uint64_t bad[] = {0, 47, 250};

	for (size_t k = 0; k < sizeof(damage) / sizeof(damage[0]); k++) {
		char path[160], uri[170];
		unsigned char root[32], want[32];
		struct fw_store *s;
		struct fw_error err;
		uint64_t size = 0, at = 0, idx;

		snprintf(path, sizeof(path), "%s/old%zu.db", f->dir, k);
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
		old_layout_db(path, damage[k]);
		assert_int_equal(fw_store_open(uri, 0, &s, &err), 0);
		memset(&err, 0, sizeof(err));
		if (!damage[k]) {
			assert_int_equal(fw_log_verify(s, f->verifier, &size, NULL, &err), 0);
			assert_int_equal(size, N);
			fw_merkle_root(f->leaves, N, want);
			assert_int_equal(fw_log_root(s, N, root), 0);
			assert_memory_equal(root, want, 32);
			/* and it grows as a new one does */
			assert_int_equal(fw_store_begin(s), 0);
			assert_int_equal(fw_log_append(s, "next", 4, &idx), 0);
			assert_int_equal(fw_store_commit(s), 0);
			assert_int_equal(idx, N);
			assert_int_equal(fw_log_verify(s, f->verifier, &size, NULL, &err), 0);
			assert_int_equal(size, N + 1);
		} else {
			/* what was missing or wrong before stays so, and is named */
			assert_int_equal(fw_log_verify(s, f->verifier, NULL, &at, &err), FW_EINVAL);
			assert_int_equal(at, bad[k]);
		}
		fw_store_free(s);
		/* log_nodes is gone: the old table cannot be tampered with to confuse anyone */
		{
			sqlite3 *db;
			sqlite3_stmt *st;
			assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
			assert_int_equal(
			    sqlite3_prepare_v2(db,
			                       "SELECT count(*) FROM sqlite_master WHERE name = 'log_nodes'",
			                       -1, &st, NULL),
			    SQLITE_OK);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_int_equal(sqlite3_column_int(st, 0), 0);
			sqlite3_finalize(st);
			sqlite3_close(db);
		}
	}
}

/* tamper: runs SQL on the database behind the store's back, as an attacker with the file would. */
static void tamper(struct fixture *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void expect_bad(struct fixture *f, uint64_t want_index)
{
	struct fw_error err;
	uint64_t bad = 12345678;

	memset(&err, 0, sizeof(err));
	assert_int_equal(fw_log_verify(f->s, f->verifier, NULL, &bad, &err), FW_EINVAL);
	if (bad != want_index)
		fail_msg("verify named entry %llu, expected %llu (%s)", (unsigned long long)bad,
		         (unsigned long long)want_index, err.message);
	assert_true(strlen(err.message) > 0);
}

static void test_tamper_entry(void **state)
{
	tamper(
	    *state,
	    "UPDATE log_entries SET entry = CAST('{\"i\":137,\"type\":\"forged\"}' AS BLOB) WHERE idx = 137");
	expect_bad(*state, 137);
}

static void test_tamper_delete(void **state)
{
	tamper(*state, "DELETE FROM log_entries WHERE idx = 42");
	expect_bad(*state, 42);
}

static void test_tamper_reorder(void **state)
{
	tamper(*state, "UPDATE log_entries SET idx = -1 WHERE idx = 200;"
	               "UPDATE log_entries SET idx = 200 WHERE idx = 201;"
	               "UPDATE log_entries SET idx = 201 WHERE idx = -1;");
	expect_bad(*state, 200);
}

/* Each entry's row keeps the hashes of the subtrees it completes, level 0 (its leaf hash) first. */
static void test_tamper_leaf_hash(void **state)
{
	tamper(*state, "UPDATE log_entries SET hashes = CAST(randomblob(32) || substr(hashes, 33) AS BLOB)"
	               " WHERE idx = 77");
	expect_bad(*state, 77);
}

static void test_tamper_inner_hash(void **state)
{
	/* The subtree of leaves 64..127 (level 6, index 1), kept with leaf 127: its first leaf is where it
	 * goes wrong. */
	tamper(*state, "UPDATE log_entries SET hashes = CAST(substr(hashes, 1, 192) || randomblob(32) ||"
	               " substr(hashes, 225) AS BLOB) WHERE idx = 127");
	expect_bad(*state, 64);
}

static void test_tamper_hash_deleted(void **state)
{
	tamper(*state, "UPDATE log_entries SET hashes = x'' WHERE idx = 90");
	expect_bad(*state, 90);
}

/* Leaf 95 completes subtrees at levels 0 to 5: without the last one its row is short. */
static void test_tamper_inner_hash_deleted(void **state)
{
	tamper(*state, "UPDATE log_entries SET hashes = CAST(substr(hashes, 1, 160) AS BLOB) WHERE idx = 95");
	expect_bad(*state, 95);
}

static void test_tamper_hash_added(void **state)
{
	tamper(*state,
	       "UPDATE log_entries SET hashes = CAST(hashes || randomblob(32) AS BLOB) WHERE idx = 96");
	expect_bad(*state, 96);
}

/* Entries swapped with the hashes beside them: the leaf hashes agree, the rows' shapes do not. */
static void test_tamper_rows_swapped(void **state)
{
	tamper(*state, "UPDATE log_entries SET idx = -1 WHERE idx = 151;"
	               "UPDATE log_entries SET idx = 151 WHERE idx = 152;"
	               "UPDATE log_entries SET idx = 152 WHERE idx = -1;");
	expect_bad(*state, 151);
}

static void test_tamper_checkpoint(void **state)
{
	struct fixture *f = *state;
	char *note;
	uint64_t size;

	assert_int_equal(fw_log_checkpoint(f->s, f->signer, "test.example/log", &note, &size), 0);
	free(note);
	/* A checkpoint whose signature no longer matches its text. */
	tamper(
	    f,
	    "UPDATE checkpoints SET note = replace(note, 'test.example/log\n300', 'test.example/log\n299')");
	{
		struct fw_error err;
		assert_int_equal(fw_log_verify(f->s, f->verifier, NULL, NULL, &err), FW_ECRYPTO);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roots_and_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_checkpoint, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback_then_append, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fresh_store_after_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_migrate_old_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_reorder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_leaf_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_inner_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_hash_deleted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_inner_hash_deleted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_hash_added, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_rows_swapped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_checkpoint, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
