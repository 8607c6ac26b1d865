/*
 * Partners' client certificates (registered by SHA-256 fingerprint, revoked for good) and how each partner
 * must authenticate: token, cert, token+cert or any. Each act is one transaction with its event; so is each
 * refused certificate, so the operator sees who tried what (docs/security.md).
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/ops.h"

static const char *const auth_names[] = {[FW_AUTH_ANY] = "any",
                                         [FW_AUTH_TOKEN] = "token",
                                         [FW_AUTH_CERT] = "cert",
                                         [FW_AUTH_TOKEN_CERT] = "token+cert"};

const char *fw_partner_auth_name(int mode)
{
	if (mode < 0 || (size_t)mode >= sizeof(auth_names) / sizeof(auth_names[0]))
		return "unknown";
	return auth_names[mode];
}

int fw_partner_auth_parse(const char *text, int *ret)
{
	for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (strcmp(text, auth_names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	return FW_EINVAL;
}

int fw_ops_partner_auth(struct fw_store *s, const char *partner_id, int *ret)
{
	int mode, r = fw_store_partner_auth_get(s, partner_id, &mode);

	if (r == FW_ENOENT) {
		*ret = FW_AUTH_ANY;
		return 0;
	}
	if (r == 0)
		*ret = mode < FW_AUTH_ANY || mode > FW_AUTH_TOKEN_CERT ? FW_AUTH_TOKEN_CERT
		                                                       : mode; /* strictest */
	return r;
}

/* The partner, which must exist and not be removed. */
static int live_partner(struct fw_store *s, const char *id, struct fw_error *err)
{
	struct fw_partner p;
	int r = fw_store_partner_get(s, id, &p);

	if (r == FW_ENOENT)
		return fw_error_set(err, FW_ENOENT, "partner", "no partner \"%.64s\"", id);
	if (r == 0 && p.status == FW_PARTNER_REMOVED)
		r = fw_error_set(err, FW_ECONFLICT, "status", "partner \"%.64s\" has been removed", id);
	return r;
}

int fw_ops_partner_auth_set(struct fw_store *s, const char *actor, const char *partner_id, int mode,
                            int64_t now, struct fw_error *err)
{
	int r;

	(void)now;
	if (mode < FW_AUTH_ANY || mode > FW_AUTH_TOKEN_CERT)
		return fw_error_set(err, FW_EINVAL, "auth", "auth must be any, token, cert or token+cert");
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = live_partner(s, partner_id, err);
	if (r == 0)
		r = fw_store_partner_auth_set(s, partner_id, mode);
	if (r == 0)
		r = fw_event_emitkv(s, "partner.auth_changed", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "auth",
		                    fw_partner_auth_name(mode), NULL);
	return fw_ops_finish(s, r);
}

int fw_ops_cert_register(struct fw_store *s, const char *actor, const char *partner_id,
                         const struct fw_partner_cert *c, int64_t now, struct fw_partner_cert *ret,
                         struct fw_error *err)
{
	struct fw_partner_cert row = *c;
	int r;

	snprintf(row.partner_id, sizeof(row.partner_id), "%s", partner_id);
	row.created_at = now;
	row.revoked_at = 0;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = live_partner(s, partner_id, err);
	if (r == 0) {
		r = fw_store_cert_insert(s, &row);
		/* Whose it is stays unsaid: the operator can look it up. */
		if (r == FW_EEXIST)
			r = fw_error_set(err, FW_EEXIST, "fingerprint",
			                 "the certificate %s is registered already", row.fingerprint);
	}
	if (r == 0)
		r = fw_event_emitkv(s, "cert.registered", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "certificate",
		                    row.fingerprint, NULL);
	r = fw_ops_finish(s, r);
	if (r == 0 && ret)
		*ret = row;
	return r;
}

int fw_ops_cert_revoke(struct fw_store *s, const char *actor, const char *partner_id, const char *fingerprint,
                       int64_t now, struct fw_error *err)
{
	int r = fw_store_begin(s);

	if (r < 0)
		return r;
	r = fw_store_cert_revoke(s, partner_id, fingerprint, now);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, "fingerprint", "no valid certificate %.72s of this partner",
		                 fingerprint);
	if (r == 0)
		r = fw_event_emitkv(s, "cert.revoked", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "certificate",
		                    fingerprint, NULL);
	return fw_ops_finish(s, r);
}

int fw_ops_cert_refused(struct fw_store *s, const char *partner_id, const char *fingerprint,
                        const char *reason, const char *address)
{
	char actor[80];
	int r;

	snprintf(actor, sizeof(actor), "%s%s", partner_id[0] ? "partner:" : "unauthenticated", partner_id);
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_event_emitkv(s, "cert.refused", actor,
	                    &(struct fw_event_about){.partner_id = partner_id[0] ? partner_id : NULL}, NULL,
	                    "reason", reason, "certificate", fingerprint, "address", address, NULL);
	return fw_ops_finish(s, r);
}
