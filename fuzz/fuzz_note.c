/*
 * libFuzzer driver for the signed-note and checkpoint parsers: any byte string is opened as a note against
 * two fixed verifier keys (the public test key of tests/data/signed-note.md under two names), parsed and
 * opened as a checkpoint, and parsed as a key. Accepted input must round-trip; refusals leave out-parameters
 * alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* PUBLIC TEST KEY from Go's sumdb/note tests: never use it for anything else. */
static const char skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char *const vkeys[] = {
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "example.com/advisory-log+a7ec0b2d+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
};

static struct fw_note_signer *signer;
static struct fw_note_verifier *verifiers[2];

static void setup(void)
{
	if (signer)
		return;
	if (fw_crypto_init() < 0 || fw_note_signer_new(skey, &signer, NULL) < 0)
		abort();
	for (size_t i = 0; i < 2; i++)
		if (fw_note_verifier_new(vkeys[i], &verifiers[i], NULL) < 0)
			abort();
}

/* An accepted note: its text is a prefix of the note, and signing it again gives a note that opens to it. */
static void check_note(const uint8_t *data, size_t size)
{
	struct fw_note_verifier *const *v = verifiers;
	char *text = (char *)&signer, *again = NULL, *text2 = NULL;
	size_t len = 7, len2 = 0;
	struct fw_error err = {{0}, {0}};
	int r;

	r = fw_note_open((const char *)data, size, v, 2, &text, &len, &err);
	if (r < 0) {
		if (text != (char *)&signer || len != 7 || (r != FW_ENOMEM && err.message[0] == '\0'))
			abort();
		return;
	}
	if (len == 0 || len >= size || memcmp(text, data, len) != 0 || text[len] != '\0' ||
	    text[len - 1] != '\n' || data[len] != '\n')
		abort();
	/* One signature line is never longer than the verified one it replaces: signing cannot fail. */
	if (fw_note_sign(text, len, &signer, 1, &again, NULL) != 0 ||
	    fw_note_open(again, strlen(again), v, 1, &text2, &len2, NULL) != 0 || len2 != len ||
	    memcmp(text2, text, len) != 0)
		abort();
	free(text2);
	free(again);
	free(text);
}

/* An accepted checkpoint body is canonical: formatting it again gives the same bytes. */
static void check_checkpoint(const uint8_t *data, size_t size)
{
	struct fw_note_verifier *const *v = verifiers;
	struct fw_checkpoint c, sentinel;
	char *text = NULL;
	size_t len = 0;

	memset(&sentinel, 0x5a, sizeof(sentinel));
	c = sentinel;
	if (fw_checkpoint_parse((const char *)data, size, &c, NULL) < 0) {
		if (memcmp(&c, &sentinel, sizeof(c)) != 0)
			abort();
	} else {
		if (fw_checkpoint_format(&c, &text, &len) != 0 || len != size ||
		    memcmp(text, data, size) != 0)
			abort();
		free(text);
		fw_checkpoint_release(&c);
	}
	c = sentinel;
	if (fw_checkpoint_open((const char *)data, size, v, 2, &c, NULL) == 0)
		fw_checkpoint_release(&c);
	else if (memcmp(&c, &sentinel, sizeof(c)) != 0)
		abort();
}

/* Keys come NUL-terminated: parse the input up to its first NUL, if it is short enough to be a key. */
static void check_keys(const uint8_t *data, size_t size)
{
	char buf[FW_NOTE_SKEY_MAX + 8];
	struct fw_note_verifier *v = NULL;
	struct fw_note_signer *s = NULL;
	char vkey[FW_NOTE_VKEY_MAX];

	if (size >= sizeof(buf))
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (fw_note_verifier_new(buf, &v, NULL) == 0) {
		if (!fw_note_name_valid(fw_note_verifier_name(v), strlen(fw_note_verifier_name(v))))
			abort();
		fw_note_verifier_free(v);
	}
	if (fw_note_signer_new(buf, &s, NULL) == 0) {
		fw_note_signer_vkey(s, vkey);
		if (fw_note_verifier_new(vkey, &v, NULL) != 0 ||
		    fw_note_verifier_keyid(v) != fw_note_signer_keyid(s))
			abort();
		fw_note_verifier_free(v);
		fw_note_signer_free(s);
	}
	fw_crypto_wipe(buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	check_note(data, size);
	check_checkpoint(data, size);
	check_keys(data, size);
	return 0;
}
