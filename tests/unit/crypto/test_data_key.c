/*
 * Data keys and sealed values (encryption at rest): round trips, every single-byte tampering refused, the
 * context binding (a value moved to another row or column does not open), other keys, the key's text forms,
 * and key files (mode 0600 or refused).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "forewarn/crypto.h"
#include "unhex.h"

static struct fw_data_key *key(void)
{
	struct fw_data_key *k = NULL;

	assert_int_equal(fw_data_key_generate(&k), 0);
	assert_non_null(k);
	return k;
}

/* sealed: a heap sealing of text under k for ctx; *ret_n its length. */
static unsigned char *sealed(const struct fw_data_key *k, const char *ctx, const void *m, size_t n,
                             size_t *ret_n)
{
	unsigned char *c = malloc(n + FW_SEAL_OVERHEAD);

	assert_non_null(c);
	assert_int_equal(fw_data_seal(k, ctx, strlen(ctx), m, n, c), 0);
	*ret_n = n + FW_SEAL_OVERHEAD;
	return c;
}

static void roundtrip(void **state)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 300, 65536, 1024 * 1024};
	struct fw_data_key *k = key();
	char id[FW_DATA_KEY_ID_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], cn, cn2;
		unsigned char *m = malloc(n + 1), *out = malloc(n + 1), *c, *c2;

		assert_non_null(m);
		assert_non_null(out);
		for (size_t j = 0; j < n; j++)
			m[j] = (unsigned char)(j * 31 + 7);
		c = sealed(k, "advisory:a-1:title", m, n, &cn);
		assert_int_equal(c[0], 1); /* format version */
		assert_int_equal(fw_data_sealed_key_id(c, cn, id), 0);
		assert_string_equal(id, fw_data_key_id(k));
		assert_int_equal(fw_data_unseal(k, "advisory:a-1:title", 18, c, cn, out), 0);
		assert_memory_equal(out, m, n);
		/* A fresh random nonce each time: the same text never seals to the same bytes. */
		c2 = sealed(k, "advisory:a-1:title", m, n, &cn2);
		assert_int_equal(cn, cn2);
		assert_memory_not_equal(c, c2, cn);
		free(c);
		free(c2);
		free(m);
		free(out);
	}
	fw_data_key_free(k);
}

/* Flipping any bit of any byte (header, nonce, ciphertext, tag) makes the value not open. */
static void tamper_every_byte(void **state)
{
	static const char text[] = "poc: overflow the 0x41 buffer";
	struct fw_data_key *k = key();
	unsigned char out[sizeof(text)];
	size_t cn;
	unsigned char *c = sealed(k, "revision:a-1:2:poc", text, sizeof(text) - 1, &cn);

	(void)state;
	for (size_t i = 0; i < cn; i++)
		for (int bit = 0; bit < 8; bit++) {
			c[i] ^= (unsigned char)(1 << bit);
			memset(out, 'X', sizeof(out));
			assert_int_equal(fw_data_unseal(k, "revision:a-1:2:poc", 18, c, cn, out), FW_ECRYPTO);
			assert_memory_not_equal(out, text,
			                        sizeof(text) - 1); /* nothing unauthenticated comes out */
			c[i] ^= (unsigned char)(1 << bit);
		}
	assert_int_equal(fw_data_unseal(k, "revision:a-1:2:poc", 18, c, cn, out), 0);
	/* cut short, or grown */
	for (size_t n = 0; n < cn; n++)
		assert_int_equal(fw_data_unseal(k, "revision:a-1:2:poc", 18, c, n, out), FW_ECRYPTO);
	{
		unsigned char *grown = malloc(cn + 1);

		assert_non_null(grown);
		memcpy(grown, c, cn);
		grown[cn] = 0;
		assert_int_equal(fw_data_unseal(k, "revision:a-1:2:poc", 18, grown, cn + 1, out), FW_ECRYPTO);
		free(grown);
	}
	free(c);
	fw_data_key_free(k);
}

/* The context binds a value to its row and column: moved anywhere else, it does not open. */
static void context_binding(void **state)
{
	static const char *const others[] = {
	    "advisory:a-2:title",  "advisory:a-1:products", "advisory:a-1:titl", "advisory:a-1:title ", "",
	    "revision:a-1:1:title"};
	struct fw_data_key *k = key();
	unsigned char out[16];
	size_t cn;
	unsigned char *c = sealed(k, "advisory:a-1:title", "Secret title", 12, &cn);

	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(fw_data_unseal(k, others[i], strlen(others[i]), c, cn, out), FW_ECRYPTO);
	assert_int_equal(fw_data_unseal(k, "advisory:a-1:title", 18, c, cn, out), 0);
	assert_memory_equal(out, "Secret title", 12);
	free(c);
	fw_data_key_free(k);
}

/* Another key does not open a value, even when the header is relabelled with that key's id. */
static void other_key(void **state)
{
	struct fw_data_key *k = key(), *k2 = key();
	char id[FW_DATA_KEY_ID_LEN];
	unsigned char out[16];
	unsigned char raw[FW_DATA_KEY_ID_BYTES];
	size_t cn;
	unsigned char *c = sealed(k, "ctx", "Secret", 6, &cn);

	(void)state;
	assert_string_not_equal(fw_data_key_id(k), fw_data_key_id(k2));
	assert_int_equal(fw_data_unseal(k2, "ctx", 3, c, cn, out), FW_ECRYPTO);
	/* relabel: the id bytes are the hex of k2's id */
	unhex(fw_data_key_id(k2), raw, FW_DATA_KEY_ID_BYTES);
	memcpy(c + 1, raw, sizeof(raw));
	assert_int_equal(fw_data_sealed_key_id(c, cn, id), 0);
	assert_string_equal(id, fw_data_key_id(k2));
	assert_int_equal(fw_data_unseal(k2, "ctx", 3, c, cn, out), FW_ECRYPTO);
	assert_int_equal(fw_data_unseal(k, "ctx", 3, c, cn, out), FW_ECRYPTO);
	/* not a sealed value at all */
	assert_int_equal(fw_data_sealed_key_id(
	                     (const unsigned char *)"plain text, not sealed at all, no header..", 42, id),
	                 FW_ECRYPTO);
	free(c);
	fw_data_key_free(k);
	fw_data_key_free(k2);
}

static void text_forms(void **state)
{
	struct fw_data_key *k = key(), *p = NULL;
	char hex[FW_DATA_KEY_HEX_LEN], b64[64], bad[FW_DATA_KEY_HEX_LEN];
	unsigned char raw[FW_DATA_KEY_BYTES];
	static const char *const invalid[] = {
	    "", "00", "not a key",
	    /* 63 and 65 hex digits */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0",
	    /* a space, then a newline, in place of the last digit */
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1 ",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
	    /* base64 without its padding, URL-safe, one character short */
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH=="};

	(void)state;
	fw_data_key_hex(k, hex);
	assert_int_equal(strlen(hex), 64);
	assert_int_equal(fw_data_key_parse(hex, &p), 0);
	assert_string_equal(fw_data_key_id(p), fw_data_key_id(k));
	fw_data_key_free(p);
	p = NULL;
	unhex(hex, raw, FW_DATA_KEY_BYTES);
	fw_base64_encode(raw, sizeof(raw), b64);
	assert_int_equal(strlen(b64), 44);
	assert_int_equal(fw_data_key_parse(b64, &p), 0);
	assert_string_equal(fw_data_key_id(p), fw_data_key_id(k));
	fw_data_key_free(p);
	/* upper-case hex is hex */
	for (size_t i = 0; hex[i]; i++)
		bad[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);
	bad[64] = '\0';
	p = NULL;
	assert_int_equal(fw_data_key_parse(bad, &p), 0);
	assert_string_equal(fw_data_key_id(p), fw_data_key_id(k));
	fw_data_key_free(p);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		p = (struct fw_data_key *)state; /* a marker: must stay untouched */
		assert_int_equal(fw_data_key_parse(invalid[i], &p), FW_EINVAL);
		assert_ptr_equal(p, (struct fw_data_key *)state);
	}
	/* a non-hex character in the middle */
	memcpy(bad, hex, sizeof(hex));
	bad[10] = 'g';
	p = (struct fw_data_key *)state;
	assert_int_equal(fw_data_key_parse(bad, &p), FW_EINVAL);
	fw_crypto_wipe(raw, sizeof(raw));
	fw_data_key_free(k);
}

static void ids(void **state)
{
	struct fw_data_key *k = key(), *d = NULL;
	const char *id = fw_data_key_id(k);

	(void)state;
	assert_int_equal(strlen(id), 8);
	assert_int_equal(strspn(id, "0123456789abcdef"), 8);
	assert_int_equal(fw_data_key_dup(k, &d), 0);
	assert_string_equal(fw_data_key_id(d), id);
	/* the id is of the key: a parse of the same key gives the same id, another key another one */
	{
		char hex[FW_DATA_KEY_HEX_LEN];
		struct fw_data_key *p = NULL, *other = key();

		fw_data_key_hex(k, hex);
		assert_int_equal(fw_data_key_parse(hex, &p), 0);
		assert_string_equal(fw_data_key_id(p), id);
		assert_string_not_equal(fw_data_key_id(other), id);
		fw_crypto_wipe(hex, sizeof(hex));
		fw_data_key_free(p);
		fw_data_key_free(other);
	}
	fw_data_key_free(d);
	fw_data_key_free(k);
	fw_data_key_free(NULL);
}

static void key_files(void **state)
{
	char dir[] = "/tmp/fw-datakey-XXXXXX", path[128];
	struct fw_data_key *k = key(), *got = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/data.key", dir);
	assert_int_equal(fw_data_key_load(path, &got), FW_ENOENT);
	assert_int_equal(fw_data_key_write(k, path), 0);
	{
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(st.st_size, FW_DATA_KEY_BYTES);
	}
	assert_int_equal(fw_data_key_write(k, path), FW_EEXIST); /* never over a key */
	assert_int_equal(fw_data_key_load(path, &got), 0);
	assert_string_equal(fw_data_key_id(got), fw_data_key_id(k));
	fw_data_key_free(got);
	got = NULL;
	/* readable by group or others: refused */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(fw_data_key_load(path, &got), FW_EPERM);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(fw_data_key_load(path, &got), FW_EPERM);
	assert_null(got);
	/* not 32 bytes */
	assert_int_equal(chmod(path, 0600), 0);
	assert_non_null(f = fopen(path, "ab"));
	assert_int_equal(fputc('x', f), 'x');
	assert_int_equal(fclose(f), 0);
	assert_int_equal(fw_data_key_load(path, &got), FW_EINVAL);
	assert_int_equal(truncate(path, 31), 0);
	assert_int_equal(fw_data_key_load(path, &got), FW_EINVAL);
	assert_null(got);
	unlink(path);
	rmdir(dir);
	fw_data_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(roundtrip),       cmocka_unit_test(tamper_every_byte),
	    cmocka_unit_test(context_binding), cmocka_unit_test(other_key),
	    cmocka_unit_test(text_forms),      cmocka_unit_test(ids),
	    cmocka_unit_test(key_files),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
