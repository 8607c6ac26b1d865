/*
 * Partners' sealing keys: registration and removal (operations with their events), and sealing a payload
 * for a partner, the one call every sealed delivery goes through (copies, PoCs, webhook payloads).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/ops.h"
#include "forewarn/seal.h"

int fw_seal_key_decode(const char *b64, size_t len, unsigned char ret_pk[FW_X25519_PUBLIC_BYTES],
                       struct fw_error *err)
{
	unsigned char pk[FW_X25519_PUBLIC_BYTES];
	size_t n;

	if (fw_base64_decode(b64, len, pk, sizeof(pk), &n) < 0 || n != sizeof(pk))
		return fw_error_set(err, FW_EINVAL, "public_key",
		                    "must be the base64 (standard, padded) of a 32-byte X25519 public key");
	/* A small-order point makes every shared secret zero: a box sealed to it is readable by anyone. */
	if (fw_x25519_public_check(pk) < 0)
		return fw_error_set(err, FW_EINVAL, "public_key",
		                    "is a point of small order, not a usable X25519 public key");
	memcpy(ret_pk, pk, sizeof(pk));
	return 0;
}

int fw_ops_seal_key_set(struct fw_store *s, const char *actor, const char *partner_id, const char *body,
                        size_t len, int64_t now, struct fw_seal_key *ret, struct fw_error *err)
{
	struct fw_seal_key k;
	struct fw_partner p;
	char b64[64];
	int r;

	memset(&k, 0, sizeof(k));
	r = fw_json_seal_key_parse(body, len, b64, sizeof(b64), err);
	if (r == 0)
		r = fw_seal_key_decode(b64, strlen(b64), k.pk, err);
	if (r < 0)
		return r;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_partner_get(s, partner_id, &p);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, NULL, "not found");
	if (r == 0 && p.status == FW_PARTNER_REMOVED)
		r = fw_error_set(err, FW_ECONFLICT, "partner", "the partner was removed");
	if (r == 0)
		r = fw_store_seal_key_put(s, partner_id, k.pk, now);
	fw_key_id(k.pk, k.key_id);
	if (r == 0)
		r = fw_event_emitkv(s, "partner.seal_key_set", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "key_id",
		                    k.key_id, NULL);
	r = fw_ops_finish(s, r);
	if (r == 0 && ret) {
		snprintf(k.partner_id, sizeof(k.partner_id), "%s", partner_id);
		k.created_at = now;
		*ret = k;
	}
	return r;
}

int fw_ops_seal_key_remove(struct fw_store *s, const char *actor, const char *partner_id, int64_t now,
                           struct fw_error *err)
{
	unsigned char pk[FW_X25519_PUBLIC_BYTES];
	char key_id[FW_KEY_ID_HEX];
	int r;

	(void)now; /* the event carries its own time */
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_seal_key_get(s, partner_id, pk, NULL);
	if (r == 0)
		r = fw_store_seal_key_delete(s, partner_id);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, "seal_key", "no sealing key is registered for this partner");
	if (r == 0) {
		fw_key_id(pk, key_id);
		r = fw_event_emitkv(s, "partner.seal_key_removed", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "key_id",
		                    key_id, NULL);
	}
	return fw_ops_finish(s, r);
}

int fw_ops_seal_key_get(struct fw_store *s, const char *partner_id, struct fw_seal_key *ret)
{
	struct fw_seal_key k;
	int r;

	memset(&k, 0, sizeof(k));
	r = fw_store_seal_key_get(s, partner_id, k.pk, &k.created_at);
	if (r < 0)
		return r;
	snprintf(k.partner_id, sizeof(k.partner_id), "%s", partner_id);
	fw_key_id(k.pk, k.key_id);
	*ret = k;
	return 0;
}

int fw_seal_to_buf(const unsigned char pk[FW_X25519_PUBLIC_BYTES], const void *msg, size_t n,
                   struct fw_buf *out)
{
	unsigned char *box;
	int r;

	if (n > SIZE_MAX - FW_SEALBOX_OVERHEAD)
		return FW_ETOOBIG;
	if (out->max && n + FW_SEALBOX_OVERHEAD > out->max - (out->len < out->max ? out->len : out->max))
		return FW_ETOOBIG;
	box = malloc(n + FW_SEALBOX_OVERHEAD);
	if (!box)
		return FW_ENOMEM;
	r = fw_seal(pk, msg, n, box);
	if (r == 0)
		r = fw_buf_append(out, box, n + FW_SEALBOX_OVERHEAD);
	free(box);
	return r;
}

int fw_ops_seal_for_partner(struct fw_store *s, const char *partner_id, const void *msg, size_t n,
                            struct fw_buf *out, char ret_key_id[FW_KEY_ID_HEX])
{
	struct fw_seal_key k;
	int r = fw_ops_seal_key_get(s, partner_id, &k);

	if (r == 0)
		r = fw_seal_to_buf(k.pk, msg, n, out);
	if (r == 0 && ret_key_id)
		memcpy(ret_key_id, k.key_id, FW_KEY_ID_HEX);
	return r;
}
