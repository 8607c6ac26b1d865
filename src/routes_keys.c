/*
 * Key routes: the public key that signs every copy (no token: anyone may verify a copy), and partners'
 * sealing keys, registered by the operator (admin token) or by the partner itself (partner token) for
 * copies sealed to them (docs/api.md, "Signed and sealed copies").
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/seal.h"
#include "forewarn/timeutil.h"
#include "server.h"

/* The key's document: the same bytes as DIR/sign.pub, without its newline. */
static int signing_key(struct request *rq)
{
	int r = fw_buf_puts(&rq->out, rq->srv->sign_key_doc);

	return r < 0 ? r : reply_json(rq, 200);
}

static int seal_key_reply(struct request *rq, const struct fw_seal_key *k)
{
	char b64[64], at[FW_RFC3339_LEN];
	int r;

	fw_base64_encode(k->pk, sizeof(k->pk), b64);
	fw_time_format(k->created_at, at);
	r = fw_buf_puts(&rq->out, "{\"partner\":");
	if (r == 0)
		r = fw_json_string_write(k->partner_id, &rq->out);
	if (r == 0)
		r = fw_buf_printf(&rq->out,
		                  ",\"algorithm\":\"x25519\",\"key_id\":\"%s\",\"public_key\":\"%s\","
		                  "\"created_at\":\"%s\"}",
		                  k->key_id, b64, at);
	return r < 0 ? r : reply_json(rq, 200);
}

static int seal_key_get(struct request *rq, const char *partner_id)
{
	struct fw_seal_key k;
	int r = fw_ops_seal_key_get(rq->store, partner_id, &k);

	if (r == FW_ENOENT)
		return reply_error(rq, 404, "not_found", NULL,
		                   "no sealing key is registered for this partner");
	if (r < 0)
		return r;
	return seal_key_reply(rq, &k);
}

static int seal_key_put(struct request *rq, const char *partner_id)
{
	struct fw_error err = {0};
	struct fw_seal_key k;
	int r = fw_ops_seal_key_set(rq->store, rq->actor, partner_id, rq->body, rq->body_len, fw_time_now(),
	                            &k, &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	return seal_key_reply(rq, &k);
}

static int seal_key_delete(struct request *rq, const char *partner_id)
{
	struct fw_error err = {0};
	int r = fw_ops_seal_key_remove(rq->store, rq->actor, partner_id, fw_time_now(), &err);

	if (r < 0)
		return reply_fw_error(rq, r, &err);
	rq->status = 204;
	return 0;
}

/* The operator's view of any partner's key. */
static int admin_seal_key_get(struct request *rq)
{
	return seal_key_get(rq, rq->params[0]);
}

static int admin_seal_key_put(struct request *rq)
{
	return seal_key_put(rq, rq->params[0]);
}

static int admin_seal_key_delete(struct request *rq)
{
	return seal_key_delete(rq, rq->params[0]);
}

/* The partner's own key. */
static int me_seal_key_get(struct request *rq)
{
	return seal_key_get(rq, rq->partner.id);
}

static int me_seal_key_put(struct request *rq)
{
	if (request_partner_active(rq) < 0)
		return 0;
	return seal_key_put(rq, rq->partner.id);
}

static int me_seal_key_delete(struct request *rq)
{
	if (request_partner_active(rq) < 0)
		return 0;
	return seal_key_delete(rq, rq->partner.id);
}

const struct route key_routes[] = {
    {"GET", "/api/v1/keys/signing", ROLE_NONE, signing_key, 0},
    {"GET", "/api/v1/partners/*/seal-key", ROLE_ADMIN, admin_seal_key_get, 0},
    {"PUT", "/api/v1/partners/*/seal-key", ROLE_ADMIN, admin_seal_key_put, 0},
    {"DELETE", "/api/v1/partners/*/seal-key", ROLE_ADMIN, admin_seal_key_delete, 0},
    {"GET", "/api/v1/me/seal-key", ROLE_PARTNER, me_seal_key_get, 0},
    {"PUT", "/api/v1/me/seal-key", ROLE_PARTNER, me_seal_key_put, 0},
    {"DELETE", "/api/v1/me/seal-key", ROLE_PARTNER, me_seal_key_delete, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
