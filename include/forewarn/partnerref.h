/*
 * Pseudonymous partner references for the transparency log (docs/log.md): the log never names a partner;
 * it carries ref = hex(SHA-256("forewarn-partner-ref-v1\n" || salt || "\n" || id))[0..32), where the salt is
 * a per-partner secret derived from the operator's ref key and shown to that partner alone (GET
 * /api/v1/me), so the partner can recompute its own reference and nobody else can link one to a partner.
 */
#ifndef FW_PARTNERREF_H
#define FW_PARTNERREF_H

#include "forewarn/crypto.h"

#define FW_PARTNER_SALT_HEX 65 /* 64 hex digits and NUL */
#define FW_PARTNER_REF_HEX  33 /* 32 hex digits and NUL */

/* fw_partner_salt: the partner's salt (hex) from the operator's ref key. */
void fw_partner_salt(const unsigned char key[FW_KEY_BYTES], const char *partner_id,
                     char out[FW_PARTNER_SALT_HEX]);
/* fw_partner_ref: the reference a partner with this salt and id has in the log. */
void fw_partner_ref(const char *salt_hex, const char *partner_id, char out[FW_PARTNER_REF_HEX]);

#endif
