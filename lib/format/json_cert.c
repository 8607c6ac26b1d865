/*
 * JSON of the client-certificate routes (docs/api.md): the body that registers a certificate (its PEM text or
 * its fingerprint), the body that sets a partner's authentication mode, and a registered certificate.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "forewarn/json.h"
#include "forewarn/timeutil.h"

static int load_object(const char *body, size_t len, json_t **ret, struct fw_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (len == 0)
		return fw_error_set(err, FW_EINVAL, "",
		                    "the request body is empty; a JSON object is expected");
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return fw_error_set(err, FW_EINVAL, "", "malformed JSON at line %d, column %d: %s", jerr.line,
		                    jerr.column, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return fw_error_set(err, FW_EINVAL, "", "a JSON object is expected");
	}
	*ret = j;
	return 0;
}

/* A string field without NUL characters, shorter than max. */
static int string_field(json_t *v, const char *key, size_t max, struct fw_error *err)
{
	if (!json_is_string(v))
		return fw_error_set(err, FW_EINVAL, key, "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fw_error_set(err, FW_EINVAL, key, "must not contain NUL characters");
	if (json_string_length(v) >= max)
		return fw_error_set(err, FW_EINVAL, key, "is too long (at most %zu bytes)", max - 1);
	return 0;
}

int fw_json_cert_parse(const char *body, size_t len, char **ret_pem, char ret_fp[FW_JSON_FP_TEXT_MAX],
                       struct fw_error *err)
{
	json_t *j, *v, *cert = NULL, *fp = NULL;
	const char *key;
	int r;

	r = load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "certificate") == 0)
			cert = v, r = string_field(v, key, 256 * 1024, err);
		else if (strcmp(key, "fingerprint") == 0)
			fp = v, r = string_field(v, key, FW_JSON_FP_TEXT_MAX, err);
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

	r = load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "auth") == 0)
			r = string_field(v, key, 16, err), seen = 1;
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

static json_t *time_or_null(int64_t t)
{
	char s[FW_RFC3339_LEN];

	if (t == 0)
		return json_null();
	fw_time_format(t, s);
	return json_string(s);
}

int fw_json_cert_write(const struct fw_partner_cert *c, struct fw_buf *out)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "fingerprint", c->fingerprint, "partner",
	              c->partner_id, "subject", c->subject, "created_at", time_or_null(c->created_at),
	              "revoked_at", time_or_null(c->revoked_at), "not_after", time_or_null(c->not_after));
	char *s;
	int r;

	if (!j)
		return FW_ENOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return FW_ENOMEM;
	r = fw_buf_puts(out, s);
	free(s);
	return r;
}
