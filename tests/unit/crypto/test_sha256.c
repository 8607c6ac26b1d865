/*
 * SHA-256 (lib/crypto/sha256.c) against the FIPS 180-2 examples: one-shot, the two-part form split anywhere,
 * and the incremental state fed in pieces and copied to finish two endings from one beginning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/crypto.h"

static void check(const void *msg, size_t n, const char *want_hex)
{
	const unsigned char *m = msg;
	struct fw_sha256_state st;
	unsigned char h[32];
	char hex[65];

	fw_sha256(msg, n, h);
	fw_crypto_hex(h, 32, hex);
	assert_string_equal(hex, want_hex);
	/* Every split of the message into (a, b) gives the same hash as the whole. */
	for (size_t cut = 0; cut <= n && cut <= 200; cut++) {
		fw_sha256_2(m, cut, m + cut, n - cut, h);
		fw_crypto_hex(h, 32, hex);
		assert_string_equal(hex, want_hex);
	}
	/* Fed 7 bytes at a time, across block boundaries. */
	fw_sha256_init(&st);
	for (size_t at = 0; at < n; at += 7)
		fw_sha256_update(&st, m + at, n - at < 7 ? n - at : 7);
	fw_sha256_final(&st, h);
	fw_crypto_hex(h, 32, hex);
	assert_string_equal(hex, want_hex);
}

static void fips180_2(void **state)
{
	(void)state;
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void million_a(void **state)
{
	size_t n = 1000000;
	char *a = malloc(n);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', n);
	check(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* A state copied midway finishes each of its endings as a fresh hash of the whole would (lib/ops/event.c). */
static void copied_state(void **state)
{
	static const char head[] = "{\"type\":\"download\",\"time\":\"", tail[] = "\",\"what\":\"csaf\"}";
	const char *times[] = {"2026-11-21T10:00:00Z", "2026-11-21T10:00:01.5Z"};
	struct fw_sha256_state begun, st;
	unsigned char h[32], want[32];
	char whole[128];

	(void)state;
	fw_sha256_init(&begun);
	fw_sha256_update(&begun, head, strlen(head));
	for (size_t i = 0; i < 2; i++) {
		st = begun;
		fw_sha256_update(&st, times[i], strlen(times[i]));
		fw_sha256_update(&st, tail, strlen(tail));
		fw_sha256_final(&st, h);
		snprintf(whole, sizeof(whole), "%s%s%s", head, times[i], tail);
		fw_sha256(whole, strlen(whole), want);
		assert_memory_equal(h, want, sizeof(h));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fips180_2),
	    cmocka_unit_test(million_a),
	    cmocka_unit_test(copied_state),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
