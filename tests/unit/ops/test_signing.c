/*
 * Signed copies (lib/ops/signing.c): the signer of RFC 8032's test seeds gives their keys and signatures, the
 * published key document byte for byte (its PEM as OpenSSL writes it), every published form parsed back,
 * the header and the signature document round trips, and every failure named: wrong key, size, digest,
 * signature, and malformed documents.
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
#include "forewarn/signing.h"

/* RFC 8032 section 7.1, tests 1 and 2: seed, public key, message, signature. */
static const char *const rfc8032[][4] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f"
     "0595bbe24"
     "655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2ea"
     "eb4302aeeb0"
     "0d291612bb0c00"},
};

/* The key document of test 1's key: its PEM is what `openssl pkey -pubout` writes for that key. */
static const char doc1[] =
    "{\"algorithm\":\"ed25519\",\"key_id\":\"21fe31dfa154a261\","
    "\"public_key\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\",\"public_key_pem\":\"-----BEGIN PUBLIC "
    "KEY-----\\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\\n-----END PUBLIC "
    "KEY-----\\n\"}";
static const char pem1[] =
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";

static struct fw_signer *signer_of(size_t i, unsigned char pk[32])
{
	unsigned char seed[32];
	struct fw_signer *s = NULL;

	unhex(rfc8032[i][0], seed, 32);
	assert_int_equal(fw_signer_from_seed(seed, &s), 0);
	assert_non_null(s);
	if (pk)
		fw_signer_public(s, pk);
	return s;
}

static void rfc8032_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		unsigned char pk[32], want_pk[32], msg[1], sig[64], want_sig[64];
		size_t n = strlen(rfc8032[i][2]) / 2;
		struct fw_signer *s = signer_of(i, pk);

		unhex(rfc8032[i][1], want_pk, 32);
		unhex(rfc8032[i][2], msg, n);
		unhex(rfc8032[i][3], want_sig, 64);
		assert_memory_equal(pk, want_pk, 32);
		assert_int_equal(fw_signer_sign(s, msg, n, sig), 0);
		assert_memory_equal(sig, want_sig, 64);
		fw_signer_free(s);
	}
	{
		struct fw_signer *s = signer_of(0, NULL);
		assert_string_equal(fw_signer_keyid(s), "21fe31dfa154a261");
		fw_signer_free(s);
	}
}

static void key_id(void **state)
{
	unsigned char pk[32];
	char id[FW_KEY_ID_HEX];
	struct fw_signer *s;

	(void)state;
	unhex(rfc8032[1][1], pk, 32);
	fw_key_id(pk, id);
	assert_string_equal(id, "39f713d0a644253f"); /* the first 8 bytes of SHA-256 of the key */
	s = signer_of(1, NULL);
	assert_string_equal(fw_signer_keyid(s), id);
	fw_signer_free(s);
	fw_signer_free(NULL);
}

static void key_document(void **state)
{
	unsigned char pk[32], got[32];
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	char text[256];

	(void)state;
	unhex(rfc8032[0][1], pk, 32);
	fw_buf_init(&b, 0);
	assert_int_equal(fw_sign_key_write(pk, &b), 0);
	assert_string_equal(b.data, doc1);
	/* every published form gives the key back: the document (with a newline, as sign.pub), PEM, base64 */
	snprintf(text, sizeof(text), "%s\n", doc1);
	memset(got, 0, sizeof(got));
	assert_int_equal(fw_sign_key_parse(text, strlen(text), got, &err), 0);
	assert_memory_equal(got, pk, 32);
	memset(got, 0, sizeof(got));
	assert_int_equal(fw_sign_key_parse(pem1, strlen(pem1), got, &err), 0);
	assert_memory_equal(got, pk, 32);
	memset(got, 0, sizeof(got));
	assert_int_equal(
	    fw_sign_key_parse("  11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\r\n", 48, got, &err), 0);
	assert_memory_equal(got, pk, 32);
	fw_buf_release(&b);
}

static void key_document_refused(void **state)
{
	static const struct {
		const char *text, *field;
	} bad[] = {
	    {"", "key"},
	    {"not base64", "key"},
	    {"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcH", "key"}, /* 30 bytes */
	    {"{\"public_key\":\"11qYAYKxCrfVS/"
	     "7TyWQHOg7hcvPapiMlrwIaaPcHURo=\",\"key_id\":\"0000000000000000\"}",
	     "key_id"},
	    {"{\"public_key\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\",\"algorithm\":\"rsa\"}",
	     "algorithm"},
	    {"{\"key_id\":\"21fe31dfa154a261\"}", "public_key"},
	    {"{\"public_key\":\"AAAA\"}", "public_key"},
	    {"{\"public_key\":\"x\",\"public_key\":\"y\"}", NULL}, /* duplicate keys */
	    {"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n",
	     "pem"},
	    /* an X25519 key (OID 1.3.101.110) is not an Ed25519 key */
	    {"-----BEGIN PUBLIC "
	     "KEY-----\nMCowBQYDK2VuAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC "
	     "KEY-----\n",
	     "pem"},
	};
	unsigned char got[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fw_error err = {{0}, {0}};
		memset(got, 0x5a, sizeof(got));
		assert_int_equal(fw_sign_key_parse(bad[i].text, strlen(bad[i].text), got, &err), FW_EINVAL);
		if (bad[i].field)
			assert_string_equal(err.field, bad[i].field);
		assert_true(err.message[0] != '\0');
		for (size_t k = 0; k < 32; k++)
			assert_int_equal(got[k], 0x5a); /* written only on success */
	}
}

/* A signed message and its document, for the tests below. */
struct signed_msg {
	unsigned char pk[32];
	struct fw_signature d;
	const char *msg;
};

static void make_signed(struct signed_msg *m)
{
	struct fw_signer *s = signer_of(1, m->pk);

	m->msg = "{\"document\":{\"title\":\"a copy\"}}";
	memset(&m->d, 0, sizeof(m->d));
	assert_int_equal(fw_signer_sign(s, m->msg, strlen(m->msg), m->d.sig), 0);
	snprintf(m->d.key_id, sizeof(m->d.key_id), "%s", fw_signer_keyid(s));
	m->d.have_digest = 1;
	fw_sha256(m->msg, strlen(m->msg), m->d.sha256);
	m->d.size = strlen(m->msg);
	snprintf(m->d.advisory, sizeof(m->d.advisory), "fw-2026-0001");
	m->d.revision = 3;
	snprintf(m->d.what, sizeof(m->d.what), "csaf");
	fw_signer_free(s);
}

static void document_roundtrip(void **state)
{
	struct signed_msg m;
	struct fw_signature got;
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;

	(void)state;
	make_signed(&m);
	fw_buf_init(&b, 0);
	assert_int_equal(fw_signature_write(&m.d, &b), 0);
	assert_true(b.data[b.len - 1] == '\n');
	assert_non_null(strstr(b.data, "{\"v\":1,\"algorithm\":\"ed25519\",\"key_id\":\"39f713d0a644253f\""));
	assert_int_equal(fw_signature_parse(b.data, b.len, &got, &err), 0);
	assert_memory_equal(got.sig, m.d.sig, 64);
	assert_memory_equal(got.sha256, m.d.sha256, 32);
	assert_string_equal(got.key_id, m.d.key_id);
	assert_int_equal(got.size, m.d.size);
	assert_string_equal(got.advisory, "fw-2026-0001");
	assert_int_equal(got.revision, 3);
	assert_string_equal(got.what, "csaf");
	assert_int_equal(got.have_digest, 1);
	assert_int_equal(fw_signature_verify(&got, m.pk, m.msg, strlen(m.msg), &err), 0);
	fw_buf_release(&b);
}

static void header_roundtrip(void **state)
{
	struct signed_msg m;
	struct fw_signature got;
	struct fw_error err = {{0}, {0}};
	char h[FW_SIGN_HEADER_MAX], line[FW_SIGN_HEADER_MAX + 40];

	(void)state;
	make_signed(&m);
	fw_sign_header(m.d.key_id, m.d.sig, h);
	assert_int_equal(strncmp(h, "alg=ed25519; keyid=39f713d0a644253f; sig=", 41), 0);
	assert_int_equal(strlen(h), 41 + 88);
	assert_int_equal(fw_signature_parse(h, strlen(h), &got, &err), 0);
	assert_int_equal(got.have_digest, 0);
	assert_memory_equal(got.sig, m.d.sig, 64);
	assert_int_equal(fw_signature_verify(&got, m.pk, m.msg, strlen(m.msg), &err), 0);
	/* as saved from a response: the header's name, another order, a CRLF */
	snprintf(line, sizeof(line), "Forewarn-Signature: sig=%s; keyid=%s; alg=ed25519\r\n", h + 41,
	         m.d.key_id);
	assert_int_equal(fw_signature_parse(line, strlen(line), &got, &err), 0);
	assert_int_equal(fw_signature_verify(&got, m.pk, m.msg, strlen(m.msg), &err), 0);
	/* a changed message fails on the signature itself: a header carries no digest */
	assert_int_equal(fw_signature_verify(&got, m.pk, "{}", 2, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "signature");
}

static void verify_failures(void **state)
{
	struct signed_msg m;
	struct fw_signature d;
	struct fw_error err = {{0}, {0}};
	unsigned char other[32];
	char *copy;
	size_t n;

	(void)state;
	make_signed(&m);
	n = strlen(m.msg);
	/* the wrong key: named by its id */
	unhex(rfc8032[0][1], other, 32);
	assert_int_equal(fw_signature_verify(&m.d, other, m.msg, n, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "key_id");
	/* another size, then the same size with a byte changed */
	assert_int_equal(fw_signature_verify(&m.d, m.pk, m.msg, n - 1, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "size");
	copy = strdup(m.msg);
	assert_non_null(copy);
	copy[5] ^= 1;
	assert_int_equal(fw_signature_verify(&m.d, m.pk, copy, n, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "sha256");
	/* a document whose digest was changed to match: the signature still fails */
	d = m.d;
	fw_sha256(copy, n, d.sha256);
	assert_int_equal(fw_signature_verify(&d, m.pk, copy, n, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "signature");
	/* a flipped signature bit fails */
	d = m.d;
	d.sig[10] ^= 4;
	assert_int_equal(fw_signature_verify(&d, m.pk, m.msg, n, &err), FW_ECRYPTO);
	assert_string_equal(err.field, "signature");
	free(copy);
}

static void document_refused(void **state)
{
	static const char sig[] =
	    "kqAJqfDUyrhyDoILX2QlQKKye1QWUD+Ps3YiI+vbadoIWsHkPhWZbkWPNhPQ8R2MOHsurrQwKu6wDSkWErsMAA==";
	static const char sha[] = "454349e422f05297191ead13e21d3db520e5abef52055e4964b82fb213f593a1";
	static const struct {
		const char *v, *alg, *kid, *sig, *sha, *size, *adv, *rev, *what, *field;
	} bad[] = {
	    {"2", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, "1", "\"a\"", "1", "\"csaf\"", "v"},
	    {"1", "\"rsa\"", "\"39f713d0a644253f\"", NULL, NULL, "1", "\"a\"", "1", "\"csaf\"", "algorithm"},
	    {"1", "\"ed25519\"", "\"39F713D0A644253F\"", NULL, NULL, "1", "\"a\"", "1", "\"csaf\"", "key_id"},
	    {"1", "\"ed25519\"", "\"39f713d0\"", NULL, NULL, "1", "\"a\"", "1", "\"csaf\"", "key_id"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", "\"AAAA\"", NULL, "1", "\"a\"", "1", "\"csaf\"",
	     "signature"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, "\"00\"", "1", "\"a\"", "1", "\"csaf\"",
	     "sha256"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, "-1", "\"a\"", "1", "\"csaf\"", "size"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, "1.5", "\"a\"", "1", "\"csaf\"", "size"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, "1", "\"A B\"", "1", "\"csaf\"",
	     "advisory"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, "1", "\"a\"", "1", "\"pdf\"", "what"},
	    {"1", "\"ed25519\"", "\"39f713d0a644253f\"", NULL, NULL, NULL, "\"a\"", "1", "\"csaf\"", "size"},
	};
	char doc[1024], part[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fw_error err = {{0}, {0}};
		struct fw_signature got;

		snprintf(doc, sizeof(doc),
		         "{\"v\":%s,\"algorithm\":%s,\"key_id\":%s,\"signature\":%s%s%s,\"sha256\":%s%s%s,",
		         bad[i].v, bad[i].alg, bad[i].kid, bad[i].sig ? "" : "\"",
		         bad[i].sig ? bad[i].sig : sig, bad[i].sig ? "" : "\"", bad[i].sha ? "" : "\"",
		         bad[i].sha ? bad[i].sha : sha, bad[i].sha ? "" : "\"");
		if (bad[i].size) {
			snprintf(part, sizeof(part), "\"size\":%s,", bad[i].size);
			strcat(doc, part);
		}
		snprintf(part, sizeof(part), "\"advisory\":%s,\"revision\":%s,\"what\":%s}", bad[i].adv,
		         bad[i].rev, bad[i].what);
		strcat(doc, part);
		assert_int_equal(fw_signature_parse(doc, strlen(doc), &got, &err), FW_EINVAL);
		assert_string_equal(err.field, bad[i].field);
	}
	{
		/* the same document with good fields parses: the table above tests one fault at a time */
		struct fw_error err = {{0}, {0}};
		struct fw_signature got;
		snprintf(
		    doc, sizeof(doc),
		    "{\"v\":1,\"algorithm\":\"ed25519\",\"key_id\":\"39f713d0a644253f\",\"signature\":\"%s\","
		    "\"sha256\":\"%s\",\"size\":1,\"advisory\":\"a\",\"revision\":1,\"what\":\"poc\"}",
		    sig, sha);
		assert_int_equal(fw_signature_parse(doc, strlen(doc), &got, &err), 0);
		assert_string_equal(got.what, "poc");
	}
	{
		/* headers: missing parameters, a wrong algorithm, garbage */
		static const char *const hdr[] = {"alg=ed25519; keyid=39f713d0a644253f",
		                                  "keyid=39f713d0a644253f; sig=AAAA",
		                                  "alg=rsa; keyid=39f713d0a644253f; sig=AAAA", "garbage", ""};
		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
			struct fw_error err = {{0}, {0}};
			struct fw_signature got;
			assert_int_equal(fw_signature_parse(hdr[i], strlen(hdr[i]), &got, &err), FW_EINVAL);
			assert_true(err.message[0] != '\0');
		}
	}
	{
		/* too large */
		struct fw_error err = {{0}, {0}};
		struct fw_signature got;
		char *big = calloc(1, FW_SIGN_DOC_MAX + 2);
		assert_non_null(big);
		memset(big, ' ', FW_SIGN_DOC_MAX + 1);
		assert_int_equal(fw_signature_parse(big, FW_SIGN_DOC_MAX + 1, &got, &err), FW_ETOOBIG);
		free(big);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc8032_vectors),    cmocka_unit_test(key_id),
	    cmocka_unit_test(key_document),       cmocka_unit_test(key_document_refused),
	    cmocka_unit_test(document_roundtrip), cmocka_unit_test(header_roundtrip),
	    cmocka_unit_test(verify_failures),    cmocka_unit_test(document_refused),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
