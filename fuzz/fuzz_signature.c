/*
 * libFuzzer driver for what a partner's tools read of signed and sealed copies: any byte string is parsed as
 * a signature (document or Forewarn-Signature header), as a signing public key (document, PEM, base64), as a
 * sealing key body (PUT .../seal-key) and its key, and opened as a sealed box with a fixed key pair (RFC
 * 7748's Bob). Accepted input must round-trip through the writers; refusals leave out-parameters alone and
 * say why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/seal.h"
#include "forewarn/signing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char bob_sk[32], bob_pk[32];

static void setup(void)
{
	static int done;
	static const char hex[] = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";

	if (done)
		return;
	if (fw_crypto_init() < 0)
		abort();
	for (size_t i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		bob_sk[i] = (unsigned char)v;
	}
	if (fw_x25519_public_of(bob_sk, bob_pk) < 0)
		abort();
	done = 1;
}

static void check_signature(const uint8_t *data, size_t size)
{
	struct fw_signature d, again, sentinel;
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	char h[FW_SIGN_HEADER_MAX];

	memset(&sentinel, 0x5a, sizeof(sentinel));
	d = sentinel;
	if (fw_signature_parse((const char *)data, size, &d, &err) < 0) {
		if (memcmp(&d, &sentinel, sizeof(d)) != 0 || err.message[0] == '\0')
			abort();
		return;
	}
	/* Accepted: the writers give text that parses back to the same signature. */
	memset(&again, 0, sizeof(again));
	if (d.have_digest) {
		fw_buf_init(&b, 0);
		if (fw_signature_write(&d, &b) != 0 || fw_signature_parse(b.data, b.len, &again, NULL) != 0 ||
		    memcmp(again.sha256, d.sha256, 32) != 0 || again.size != d.size ||
		    strcmp(again.advisory, d.advisory) != 0 || again.revision != d.revision ||
		    strcmp(again.what, d.what) != 0)
			abort();
		fw_buf_release(&b);
	} else {
		fw_sign_header(d.key_id, d.sig, h);
		if (fw_signature_parse(h, strlen(h), &again, NULL) != 0 || again.have_digest)
			abort();
	}
	if (strcmp(again.key_id, d.key_id) != 0 || memcmp(again.sig, d.sig, 64) != 0)
		abort();
	/* Verifying the input against it runs every check; it must fail cleanly (a forgery would be news). */
	memset(&err, 0, sizeof(err));
	if (fw_signature_verify(&d, bob_pk, data, size, &err) == 0 || err.message[0] == '\0')
		abort();
}

static void check_key(const uint8_t *data, size_t size)
{
	unsigned char pk[32], again[32];
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;

	memset(pk, 0x5a, sizeof(pk));
	if (fw_sign_key_parse((const char *)data, size, pk, &err) < 0) {
		for (size_t i = 0; i < sizeof(pk); i++)
			if (pk[i] != 0x5a)
				abort();
		if (err.message[0] == '\0')
			abort();
		return;
	}
	fw_buf_init(&b, 0);
	if (fw_sign_key_write(pk, &b) != 0 || fw_sign_key_parse(b.data, b.len, again, NULL) != 0 ||
	    memcmp(pk, again, 32) != 0)
		abort();
	fw_buf_release(&b);
}

static void check_seal_key(const uint8_t *data, size_t size)
{
	unsigned char pk[32];
	struct fw_error err = {{0}, {0}};
	char b64[64];

	memset(b64, 0x5a, sizeof(b64));
	if (fw_json_seal_key_parse((const char *)data, size, b64, sizeof(b64), &err) < 0) {
		if (err.message[0] == '\0' || b64[0] != 0x5a)
			abort();
	} else if (memchr(b64, '\0', sizeof(b64)) == NULL) {
		abort();
	}
	/* The raw input as the key's text: an accepted key is 32 bytes that seal and open. */
	memset(&err, 0, sizeof(err));
	if (fw_seal_key_decode((const char *)data, size, pk, &err) == 0) {
		unsigned char box[1 + FW_SEALBOX_OVERHEAD];
		if (fw_x25519_public_check(pk) != 0 || fw_seal(pk, "x", 1, box) != 0)
			abort();
	} else if (strcmp(err.field, "public_key") != 0) {
		abort();
	}
}

static void check_box(const uint8_t *data, size_t size)
{
	unsigned char *out = malloc(size + 1);

	if (!out)
		abort();
	memset(out, 0x5a, size + 1);
	switch (fw_seal_open(bob_pk, bob_sk, data, size, out)) {
	case 0:
		break; /* a real box to Bob (seeds hold one) */
	case FW_EINVAL:
		if (size >= FW_SEALBOX_OVERHEAD)
			abort();
		break;
	case FW_ECRYPTO:
		/* nothing of a failed opening is left behind */
		for (size_t i = 0; i < size - FW_SEALBOX_OVERHEAD; i++)
			if (out[i] != 0)
				abort();
		break;
	default:
		abort();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	check_signature(data, size);
	check_key(data, size);
	check_seal_key(data, size);
	check_box(data, size);
	return 0;
}
