/*
 * Sealed copies (docs/formats.md, "Sealed copies"): a partner may register one X25519 public key; its
 * copies, PoCs and (later) webhook payloads can then be sealed to it (libsodium sealed boxes), so that only
 * the holder of the secret key reads them, whatever carries them. Functions take a store connection owned by
 * the calling thread; registration and removal are operations with their events (lib/ops/event.c).
 */
#ifndef FW_SEAL_H
#define FW_SEAL_H

#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/crypto.h"
#include "forewarn/signing.h"
#include "forewarn/store.h"

/* A partner's sealing key. */
struct fw_seal_key {
	char partner_id[FW_ID_MAX + 1];
	unsigned char pk[FW_X25519_PUBLIC_BYTES];
	char key_id[FW_KEY_ID_HEX]; /* fw_key_id of pk */
	int64_t created_at;         /* when it was registered */
};

/*
 * fw_seal_key_decode: the base64 text (standard, padded) of an X25519 public key into ret_pk, checked:
 * exactly 32 bytes, and not a point of small order (fw_x25519_public_check). FW_EINVAL with err naming
 * "public_key".
 */
FW_WUR int fw_seal_key_decode(const char *b64, size_t len, unsigned char ret_pk[FW_X25519_PUBLIC_BYTES],
                              struct fw_error *err);

/*
 * fw_ops_seal_key_set: registers (or replaces) partner_id's sealing key from the JSON body {"public_key":
 * "<base64>"}, with the event "partner.seal_key_set" (its key_id enters the log, so a partner can see
 * that nobody replaced its key). FW_EINVAL (err names the field), FW_ENOENT (no such partner), FW_ECONFLICT
 * (the partner was removed). *ret (may be NULL) receives the key.
 */
FW_WUR int fw_ops_seal_key_set(struct fw_store *s, const char *actor, const char *partner_id,
                               const char *body, size_t len, int64_t now, struct fw_seal_key *ret,
                               struct fw_error *err);
/* fw_ops_seal_key_remove: removes the key, with the event "partner.seal_key_removed"; FW_ENOENT if none. */
FW_WUR int fw_ops_seal_key_remove(struct fw_store *s, const char *actor, const char *partner_id, int64_t now,
                                  struct fw_error *err);
/* fw_ops_seal_key_get: partner_id's key; FW_ENOENT if it has none. */
FW_WUR int fw_ops_seal_key_get(struct fw_store *s, const char *partner_id, struct fw_seal_key *ret);

/*
 * fw_ops_seal_for_partner: seals the n bytes at msg to partner_id's registered key and appends the sealed
 * box (n + FW_SEALBOX_OVERHEAD bytes: see fw_seal) to out. For every payload that leaves sealed: copies,
 * PoCs, webhook payloads. FW_ENOENT when the partner has no key (nothing appended), FW_ETOOBIG when out
 * cannot take it, FW_ENOMEM, FW_EIO, FW_ECRYPTO. Each call gives other bytes (a fresh ephemeral key).
 * *ret_key_id (may be NULL) receives the id of the key sealed to.
 */
FW_WUR int fw_ops_seal_for_partner(struct fw_store *s, const char *partner_id, const void *msg, size_t n,
                                   struct fw_buf *out, char ret_key_id[FW_KEY_ID_HEX]);

/*
 * fw_seal_to_buf: seals the n bytes at msg to pk and appends the box to out (the primitive under
 * fw_ops_seal_for_partner, for a key already in hand). Same results, FW_EINVAL for a refused key.
 */
FW_WUR int fw_seal_to_buf(const unsigned char pk[FW_X25519_PUBLIC_BYTES], const void *msg, size_t n,
                          struct fw_buf *out);

#endif
