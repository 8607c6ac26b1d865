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
	char cmd[128];

	fw_store_free(f->s);
	fw_note_signer_free(f->signer);
	fw_note_verifier_free(f->verifier);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
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

static void test_tamper_leaf_hash(void **state)
{
	tamper(*state, "UPDATE log_nodes SET hash = randomblob(32) WHERE level = 0 AND idx = 77");
	expect_bad(*state, 77);
}

static void test_tamper_inner_hash(void **state)
{
	/* The subtree of leaves 64..127 (level 6, index 1): its first leaf is where it goes wrong. */
	tamper(*state, "UPDATE log_nodes SET hash = randomblob(32) WHERE level = 6 AND idx = 1");
	expect_bad(*state, 64);
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
	    cmocka_unit_test_setup_teardown(test_tamper_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_reorder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_leaf_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_inner_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tamper_checkpoint, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
