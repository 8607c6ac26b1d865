/*
 * JSON of the client-certificate routes (docs/api.md): the body that registers a certificate (its PEM text or
 * its fingerprint), the body that sets a partner's authentication mode, and a registered certificate.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "forewarn/json.h"
#include "json_impl.h"

int fw_json_cert_parse(const char *body, size_t len, char **ret_pem, char ret_fp[FW_JSON_FP_TEXT_MAX],
                       struct fw_error *err)
{
	json_t *j, *v, *cert = NULL, *fp = NULL;
	const char *key;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "certificate") == 0)
			cert = v, r = fw_json_str_check(v, key, 256 * 1024, err);
		else if (strcmp(key, "fingerprint") == 0)
			fp = v, r = fw_json_str_check(v, key, FW_JSON_FP_TEXT_MAX, err);
		else
			r = fw_error_set(err, FW_EINVAL, key, "unknown field in a certificate");
		if (r < 0)
			goto out;
	}
	if (!cert == !fp) {
		r = fw_error_set(err, FW_EINVAL, cert ? "fingerprint" : "certificate",
		                 "give either certificate (PEM) or fingerprint (sha256:HEX)");
		goto out;
	}
	if (cert) {
		char *pem = strdup(json_string_value(cert));
		if (!pem) {
			r = FW_ENOMEM;
			goto out;
		}
		*ret_pem = pem;
	} else {
		*ret_pem = NULL;
		memcpy(ret_fp, json_string_value(fp), json_string_length(fp) + 1);
	}
out:
	json_decref(j);
	return r;
}

int fw_json_auth_parse(const char *body, size_t len, char ret[16], struct fw_error *err)
{
	json_t *j, *v;
	const char *key;
	int r, seen = 0;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "auth") == 0)
			r = fw_json_str_check(v, key, 16, err), seen = 1;
		else
			r = fw_error_set(err, FW_EINVAL, key, "unknown field in an authentication mode");
		if (r < 0)
			goto out;
	}
	if (!seen)
		r = fw_error_set(err, FW_EINVAL, "auth", "is required (any, token, cert or token+cert)");
	else
		memcpy(ret, json_string_value(json_object_get(j, "auth")),
		       json_string_length(json_object_get(j, "auth")) + 1);
out:
	json_decref(j);
	return r;
}

int fw_json_cert_write(const struct fw_partner_cert *c, struct fw_buf *out)
{
	return fw_json_dump(json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "fingerprint", c->fingerprint,
	                              "partner", c->partner_id, "subject", c->subject, "created_at",
	                              fw_json_time_value(c->created_at), "revoked_at",
	                              fw_json_time_value(c->revoked_at), "not_after",
	                              fw_json_time_value(c->not_after)),
	                    out);
}
