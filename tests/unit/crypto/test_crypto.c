/*
 * X25519 keys and sealed boxes of lib/crypto: the RFC 7748 section 6.1 key pairs, the small-order points
 * refused, a sealed box made once by libsodium (and opened by the independent pure-Python opener of
 * tests/api/sealbox.py) opened byte for byte, round trips, and every way a box fails to open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "unhex.h"
#include "forewarn/crypto.h"

/* RFC 7748 section 6.1: Alice's and Bob's key pairs. */
static const char *const rfc7748[][2] = {
    {"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"},
    {"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"},
};

/* Sealed once by libsodium 1.0.18 to Bob's key: "forewarn sealed box vector\n". */
static const char golden_box[] =
    "28acea5db9794cad5972147795e0e113cdffff6b896abb7b89e460b2c020975c5a4239f30b57176f6df701a43cc0252d113c94cd"
    "552507c4fad886aefcd47fb8e3a418349ca1f5c375c53d";
static const char golden_text[] = "forewarn sealed box vector\n";

static void x25519_vectors(void **state)
{
	unsigned char sk[32], pk[32], want[32];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		unhex(rfc7748[i][0], sk, 32);
		unhex(rfc7748[i][1], want, 32);
		assert_int_equal(fw_x25519_public_of(sk, pk), 0);
		assert_memory_equal(pk, want, 32);
		assert_int_equal(fw_x25519_public_check(pk), 0);
	}
}

/* Points of small order (the ones libsodium's blocklist and RFC 7748 implementations name), and the same
 * points with the top bit set, which X25519 ignores. */
static const char *const small_order[] = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
};

static void small_order_refused(void **state)
{
	unsigned char pk[32], box[64];

	(void)state;
	for (size_t i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		unhex(small_order[i], pk, 32);
		assert_int_equal(fw_x25519_public_check(pk), FW_EINVAL);
		assert_int_equal(fw_seal(pk, "x", 1, box), FW_EINVAL);
	}
}

static void golden_opens(void **state)
{
	unsigned char sk[32], pk[32], box[sizeof(golden_box) / 2], out[sizeof(golden_box) / 2];
	size_t n = sizeof(box);

	(void)state;
	unhex(rfc7748[1][0], sk, 32);
	unhex(rfc7748[1][1], pk, 32);
	unhex(golden_box, box, n);
	assert_int_equal(n, strlen(golden_text) + FW_SEALBOX_OVERHEAD);
	assert_int_equal(fw_seal_open(pk, sk, box, n, out), 0);
	assert_memory_equal(out, golden_text, strlen(golden_text));
	/* Alice's key does not open Bob's box. */
	unhex(rfc7748[0][0], sk, 32);
	unhex(rfc7748[0][1], pk, 32);
	assert_int_equal(fw_seal_open(pk, sk, box, n, out), FW_ECRYPTO);
}

static void roundtrip_and_tamper(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 63, 64, 65, 1000, 70000};
	unsigned char pk[32], sk[32], pk2[32], sk2[32];

	(void)state;
	assert_int_equal(fw_x25519_keypair(pk, sk), 0);
	assert_int_equal(fw_x25519_keypair(pk2, sk2), 0);
	assert_memory_not_equal(pk, pk2, 32);
	{
		unsigned char derived[32];
		assert_int_equal(fw_x25519_public_of(sk, derived), 0);
		assert_memory_equal(derived, pk, 32);
	}
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		unsigned char *msg = malloc(n + 1), *box = malloc(n + FW_SEALBOX_OVERHEAD),
		              *box2 = malloc(n + FW_SEALBOX_OVERHEAD);
		unsigned char *out = malloc(n + 1);

		assert_non_null(msg);
		assert_non_null(box);
		assert_non_null(box2);
		assert_non_null(out);
		fw_crypto_random(msg, n);
		assert_int_equal(fw_seal(pk, msg, n, box), 0);
		assert_int_equal(fw_seal(pk, msg, n, box2), 0);
		/* a fresh ephemeral key each time: never the same bytes twice */
		assert_memory_not_equal(box, box2, 32);
		assert_int_equal(fw_seal_open(pk, sk, box, n + FW_SEALBOX_OVERHEAD, out), 0);
		assert_memory_equal(out, msg, n);
		assert_int_equal(fw_seal_open(pk, sk, box2, n + FW_SEALBOX_OVERHEAD, out), 0);
		assert_memory_equal(out, msg, n);
		/* the other key pair, and the right secret key with the wrong public key, fail */
		assert_int_equal(fw_seal_open(pk2, sk2, box, n + FW_SEALBOX_OVERHEAD, out), FW_ECRYPTO);
		assert_int_equal(fw_seal_open(pk2, sk, box, n + FW_SEALBOX_OVERHEAD, out), FW_ECRYPTO);
		/* any flipped bit fails: in the ephemeral key, the tag, the ciphertext */
		for (size_t i = 0; i < n + FW_SEALBOX_OVERHEAD; i += (n + FW_SEALBOX_OVERHEAD) / 7 + 1) {
			box[i] ^= 0x40;
			assert_int_equal(fw_seal_open(pk, sk, box, n + FW_SEALBOX_OVERHEAD, out), FW_ECRYPTO);
			box[i] ^= 0x40;
		}
		/* a cut box fails */
		assert_int_equal(fw_seal_open(pk, sk, box, n + FW_SEALBOX_OVERHEAD - 1, out),
		                 n + FW_SEALBOX_OVERHEAD - 1 < FW_SEALBOX_OVERHEAD ? FW_EINVAL : FW_ECRYPTO);
		free(msg);
		free(box);
		free(box2);
		free(out);
	}
}

static void too_short(void **state)
{
	unsigned char pk[32], sk[32], box[FW_SEALBOX_OVERHEAD], out[1];

	(void)state;
	assert_int_equal(fw_x25519_keypair(pk, sk), 0);
	memset(box, 0, sizeof(box));
	assert_int_equal(fw_seal_open(pk, sk, box, 0, out), FW_EINVAL);
	assert_int_equal(fw_seal_open(pk, sk, box, FW_SEALBOX_OVERHEAD - 1, out), FW_EINVAL);
	assert_int_equal(fw_seal_open(pk, sk, box, FW_SEALBOX_OVERHEAD, out), FW_ECRYPTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(x25519_vectors), cmocka_unit_test(small_order_refused),
	    cmocka_unit_test(golden_opens),   cmocka_unit_test(roundtrip_and_tamper),
	    cmocka_unit_test(too_short),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
