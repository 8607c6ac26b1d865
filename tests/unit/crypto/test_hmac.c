/* HMAC-SHA256 (fw_hmac_sha256) against the RFC 4231 test vectors, and the message split anywhere. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/crypto.h"

static void check(const void *key, size_t keylen, const char *msg, const char *want_hex)
{
	unsigned char mac[32];
	char hex[65];
	size_t n = strlen(msg);

	/* Every split of the message into (a, b) gives the same MAC as the whole. */
	for (size_t cut = 0; cut <= n; cut++) {
		fw_hmac_sha256(key, keylen, msg, cut, msg + cut, n - cut, mac);
		fw_crypto_hex(mac, sizeof(mac), hex);
		assert_string_equal(hex, want_hex);
	}
	fw_hmac_sha256(key, keylen, msg, n, NULL, 0, mac);
	fw_crypto_hex(mac, sizeof(mac), hex);
	assert_string_equal(hex, want_hex);
}

static void rfc4231(void **state)
{
	unsigned char k1[20], k6[131];

	(void)state;
	memset(k1, 0x0b, sizeof(k1));
	memset(k6, 0xaa, sizeof(k6));
	/* Test case 1 */
	check(k1, sizeof(k1), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* Test case 2: a key shorter than the output */
	check("Jefe", 4, "what do ya want for nothing?",
	      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* Test case 6: a key longer than the block, hashed first */
	check(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First",
	      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc4231),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
