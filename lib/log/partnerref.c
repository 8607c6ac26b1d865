/* Pseudonymous partner references: what the log carries instead of a partner's id (docs/log.md). */
#include <string.h>
#include <stdio.h>
#include "forewarn/partnerref.h"

#define SALT_CONTEXT "forewarn-partner-salt-v1\n"
#define REF_CONTEXT  "forewarn-partner-ref-v1\n"

void fw_partner_salt(const unsigned char key[FW_KEY_BYTES], const char *partner_id,
                     char out[FW_PARTNER_SALT_HEX])
{
	unsigned char h[FW_HASH_BYTES];
	char msg[sizeof(SALT_CONTEXT) + 80];
	size_t n = strlen(partner_id);

	/* Ids are slugs of at most 64 characters; a longer one is cut (and can never be a valid partner). */
	if (n > 79)
		n = 79;
	memcpy(msg, SALT_CONTEXT, sizeof(SALT_CONTEXT) - 1);
	memcpy(msg + sizeof(SALT_CONTEXT) - 1, partner_id, n);
	/* fw_token_hash is keyed BLAKE2b-256: a PRF of the id under the operator's key. */
	fw_token_hash(key, msg, sizeof(SALT_CONTEXT) - 1 + n, h);
	fw_crypto_hex(h, sizeof(h), out);
	fw_crypto_wipe(h, sizeof(h));
}

void fw_partner_ref(const char *salt_hex, const char *partner_id, char out[FW_PARTNER_REF_HEX])
{
	unsigned char h[32];
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s%.64s\n%.80s", REF_CONTEXT, salt_hex, partner_id);

	fw_sha256(msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : strlen(msg), h);
	fw_crypto_hex(h, 16, out);
}
