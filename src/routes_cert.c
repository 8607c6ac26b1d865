/*
 * Admin routes for partners' client certificates and authentication modes (docs/api.md, docs/security.md):
 * register a certificate (its PEM text or its SHA-256 fingerprint), list, revoke; read and set the mode.
 */
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/timeutil.h"
#include "forewarn/tls.h"
#include "server.h"

#define PEM_BEGIN "-----BEGIN "

static int cert_register(struct request *rq)
{
	char fptext[FW_JSON_FP_TEXT_MAX], *pem = NULL;
	struct fw_partner_cert c, row;
	struct fw_tls_cert_info info;
	struct fw_error err = {0};
	int r, have_info = 0;

	memset(&c, 0, sizeof(c));
	/* The body: a PEM certificate as it is, or a JSON object with its PEM text or its fingerprint. */
	if (rq->body_len >= strlen(PEM_BEGIN) && memcmp(rq->body, PEM_BEGIN, strlen(PEM_BEGIN)) == 0) {
		r = fw_tls_cert_parse(rq->body, rq->body_len, &info, &err);
		have_info = 1;
	} else {
		r = fw_json_cert_parse(rq->body, rq->body_len, &pem, fptext, &err);
		if (r == 0 && pem) {
			r = fw_tls_cert_parse(pem, strlen(pem), &info, &err);
			have_info = 1;
		} else if (r == 0 && fw_tls_fingerprint_parse(fptext, c.fingerprint) < 0) {
			r = fw_error_set(&err, FW_EINVAL, "fingerprint",
			                 "must be sha256: and 64 hex digits (colons allowed)");
		}
		free(pem);
	}
	if (r == 0 && have_info) {
		memcpy(c.fingerprint, info.fingerprint, sizeof(c.fingerprint));
		memcpy(c.subject, info.subject, sizeof(c.subject));
		c.not_after = info.not_after;
		if (info.not_after < fw_time_now())
			r = fw_error_set(&err, FW_EINVAL, "certificate", "the certificate has expired");
	}
	if (r == 0)
		r = fw_ops_cert_register(rq->store, rq->actor, rq->params[0], &c, fw_time_now(), &row, &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_cert_write(&row, &rq->out);
	return r < 0 ? r : reply_json(rq, 201);
}

struct list {
	struct request *rq;
	size_t n;
};

static int list_one(void *ctx, const struct fw_partner_cert *c)
{
	struct list *l = ctx;
	int r = l->n++ ? fw_buf_puts(&l->rq->out, ",") : 0;

	return r < 0 ? r : fw_json_cert_write(c, &l->rq->out);
}

static int cert_list(struct request *rq)
{
	struct list l = {rq, 0};
	struct fw_partner p;
	int r, mode;

	r = fw_store_partner_get(rq->store, rq->params[0], &p);
	if (r == 0)
		r = fw_ops_partner_auth(rq->store, p.id, &mode);
	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	r = fw_buf_printf(&rq->out, "{\"auth\":\"%s\",\"certs\":[", fw_partner_auth_name(mode));
	if (r == 0)
		r = fw_store_cert_each(rq->store, p.id, list_one, &l);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int cert_revoke(struct request *rq)
{
	char fp[FW_TLS_FP_LEN];
	struct fw_partner_cert c;
	struct fw_error err = {0};
	int r;

	if (fw_tls_fingerprint_parse(rq->params[1], fp) < 0)
		return reply_error(rq, 400, "invalid", "fingerprint",
		                   "the path must name a fingerprint: sha256: and 64 hex digits");
	r = fw_ops_cert_revoke(rq->store, rq->actor, rq->params[0], fp, fw_time_now(), &err);
	if (r == 0)
		r = fw_store_cert_get(rq->store, fp, &c);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	r = fw_json_cert_write(&c, &rq->out);
	return r < 0 ? r : reply_json(rq, 200);
}

static int auth_reply(struct request *rq, const char *id, int mode)
{
	int r = fw_buf_puts(&rq->out, "{\"partner\":");

	if (r == 0)
		r = fw_json_string_write(id, &rq->out);
	if (r == 0)
		r = fw_buf_printf(&rq->out, ",\"auth\":\"%s\"}", fw_partner_auth_name(mode));
	return r < 0 ? r : reply_json(rq, 200);
}

static int auth_get(struct request *rq)
{
	struct fw_partner p;
	int r, mode;

	r = fw_store_partner_get(rq->store, rq->params[0], &p);
	if (r == 0)
		r = fw_ops_partner_auth(rq->store, p.id, &mode);
	if (r < 0)
		return reply_fw_error(rq, r, NULL);
	return auth_reply(rq, p.id, mode);
}

static int auth_put(struct request *rq)
{
	struct fw_error err = {0};
	char text[16];
	int r, mode = 0;

	r = fw_json_auth_parse(rq->body, rq->body_len, text, &err);
	if (r == 0 && fw_partner_auth_parse(text, &mode) < 0)
		r = fw_error_set(&err, FW_EINVAL, "auth", "must be any, token, cert or token+cert");
	if (r == 0)
		r = fw_ops_partner_auth_set(rq->store, rq->actor, rq->params[0], mode, fw_time_now(), &err);
	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return auth_reply(rq, rq->params[0], mode);
}

const struct route cert_routes[] = {
    {"POST", "/api/v1/partners/*/certs", ROLE_ADMIN, cert_register, 0},
    {"GET", "/api/v1/partners/*/certs", ROLE_ADMIN, cert_list, 0},
    {"POST", "/api/v1/partners/*/certs/*/revoke", ROLE_ADMIN, cert_revoke, 0},
    {"GET", "/api/v1/partners/*/auth", ROLE_ADMIN, auth_get, 0},
    {"PUT", "/api/v1/partners/*/auth", ROLE_ADMIN, auth_put, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
