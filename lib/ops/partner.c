/*
 * Partner acts: create, change, suspend, reinstate, remove; and their bearer tokens. Each act is one
 * transaction with its event; a change that can alter access marks every advisory due for the scheduler.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"

static int tier_exists(struct fw_store *s, const char *name, struct fw_error *err)
{
	struct fw_tier tiers[FW_MAX_TIERS];
	size_t n;
	int r = fw_store_tiers_get(s, tiers, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (strcmp(tiers[i].name, name) == 0)
			return 0;
	return fw_error_set(err, FW_EINVAL, "tier", "unknown tier \"%s\"", name);
}

int fw_ops_partner_create(struct fw_store *s, const char *actor, struct fw_partner *p, int64_t now,
                          struct fw_error *err)
{
	int r;

	r = fw_partner_validate(p, err);
	if (r < 0)
		return r;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = tier_exists(s, p->tier, err);
	if (r < 0)
		goto out;
	p->status = FW_PARTNER_ACTIVE;
	p->created_at = p->updated_at = now;
	r = fw_store_partner_insert(s, p);
	if (r == FW_EEXIST)
		r = fw_error_set(err, FW_EEXIST, "id", "partner \"%s\" already exists", p->id);
	if (r < 0)
		goto out;
	r = fw_event_emitkv(s, "partner.created", actor, &(struct fw_event_about){.partner_id = p->id}, NULL,
	                    "tier", p->tier, "country", p->country, NULL);
	if (r == 0)
		r = fw_store_advisory_set_due_all(s, now);
out:
	return fw_ops_finish(s, r);
}

int fw_ops_partner_patch(struct fw_store *s, const char *actor, const char *id, const char *body, size_t len,
                         int64_t now, struct fw_partner *ret, struct fw_error *err)
{
	struct fw_partner p;
	int r;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_partner_get(s, id, &p);
	if (r < 0)
		goto out;
	if (p.status == FW_PARTNER_REMOVED) {
		r = fw_error_set(err, FW_ECONFLICT, "status", "partner \"%s\" has been removed", id);
		goto out;
	}
	r = fw_json_partner_parse(body, len, 1, &p, err);
	if (r < 0)
		goto out;
	r = tier_exists(s, p.tier, err);
	if (r < 0)
		goto out;
	p.updated_at = now;
	r = fw_store_partner_update(s, &p);
	if (r == 0)
		r = fw_event_emitkv(s, "partner.updated", actor, &(struct fw_event_about){.partner_id = p.id},
		                    NULL, "tier", p.tier, "country", p.country, NULL);
	if (r == 0)
		r = fw_store_advisory_set_due_all(s, now);
out:
	r = fw_ops_finish(s, r);
	if (r == 0)
		*ret = p;
	return r;
}

int fw_ops_partner_act(struct fw_store *s, const char *actor, const char *id, enum fw_partner_action act,
                       const char *reason, int64_t now, struct fw_partner *ret, struct fw_error *err)
{
	static const char *const types[] = {"partner.suspended", "partner.reinstated", "partner.removed"};
	struct fw_partner p;
	int r;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_partner_get(s, id, &p);
	if (r < 0)
		goto out;
	switch (act) {
	case FW_PARTNER_SUSPEND:
		if (p.status != FW_PARTNER_ACTIVE)
			r = fw_error_set(err, FW_ECONFLICT, "status",
			                 "only an active partner can be suspended (it is %s)",
			                 fw_partner_status_name(p.status));
		p.status = FW_PARTNER_SUSPENDED;
		break;
	case FW_PARTNER_REINSTATE:
		if (p.status != FW_PARTNER_SUSPENDED)
			r = fw_error_set(err, FW_ECONFLICT, "status",
			                 "only a suspended partner can be reinstated (it is %s)",
			                 fw_partner_status_name(p.status));
		p.status = FW_PARTNER_ACTIVE;
		break;
	case FW_PARTNER_REMOVE:
		if (p.status == FW_PARTNER_REMOVED)
			r = fw_error_set(err, FW_ECONFLICT, "status", "partner \"%s\" is already removed",
			                 id);
		p.status = FW_PARTNER_REMOVED;
		/* Removal is for good: no token of this partner may authenticate again. */
		if (r == 0)
			r = fw_store_token_revoke_all(s, id, now);
		break;
	}
	if (r < 0)
		goto out;
	p.updated_at = now;
	r = fw_store_partner_update(s, &p);
	if (r == 0)
		r = fw_event_emitkv(s, types[act], actor, &(struct fw_event_about){.partner_id = p.id}, NULL,
		                    "reason", reason ? reason : "", NULL);
	if (r == 0)
		r = fw_store_advisory_set_due_all(s, now);
out:
	r = fw_ops_finish(s, r);
	if (r == 0 && ret)
		*ret = p;
	return r;
}

int fw_ops_token_issue(struct fw_store *s, const char *actor, const unsigned char key[FW_KEY_BYTES],
                       const char *partner_id, int64_t now, char ret_secret[FW_TOKEN_LEN],
                       struct fw_token *ret, struct fw_error *err)
{
	return fw_ops_token_issue_until(s, actor, key, partner_id, now, 0, ret_secret, ret, err);
}

int fw_ops_token_issue_until(struct fw_store *s, const char *actor, const unsigned char key[FW_KEY_BYTES],
                             const char *partner_id, int64_t now, int64_t expires_at,
                             char ret_secret[FW_TOKEN_LEN], struct fw_token *ret, struct fw_error *err)
{
	unsigned char hash[FW_HASH_BYTES], idb[8];
	char secret[FW_TOKEN_LEN], until[FW_RFC3339_LEN] = "";
	struct fw_partner p;
	struct fw_token t;
	int r;

	memset(&t, 0, sizeof(t));
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	if (partner_id[0]) {
		r = fw_store_partner_get(s, partner_id, &p);
		if (r < 0)
			goto out;
		if (p.status == FW_PARTNER_REMOVED) {
			r = fw_error_set(err, FW_ECONFLICT, "status", "partner \"%s\" has been removed",
			                 partner_id);
			goto out;
		}
	}
	fw_token_generate(secret);
	fw_token_hash(key, secret, strlen(secret), hash);
	fw_crypto_random(idb, sizeof(idb));
	fw_crypto_hex(idb, sizeof(idb), t.id);
	snprintf(t.partner_id, sizeof(t.partner_id), "%s", partner_id);
	t.created_at = now;
	t.expires_at = expires_at;
	if (expires_at)
		fw_time_format(expires_at, until);
	r = fw_store_token_insert(s, &t, hash);
	if (r == 0)
		r = fw_event_emitkv(s, "token.issued", actor,
		                    &(struct fw_event_about){.partner_id = partner_id[0] ? partner_id : NULL},
		                    NULL, "token", t.id, expires_at ? "expires_at" : NULL, until, NULL);
out:
	r = fw_ops_finish(s, r);
	if (r == 0) {
		memcpy(ret_secret, secret, FW_TOKEN_LEN);
		*ret = t;
	}
	fw_crypto_wipe(secret, sizeof(secret));
	return r;
}

int fw_ops_token_revoke(struct fw_store *s, const char *actor, const char *partner_id, const char *token_id,
                        int64_t now, struct fw_error *err)
{
	int r;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_token_revoke(s, partner_id, token_id, now);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, "token", "no valid token \"%.20s\" of this partner",
		                 token_id);
	if (r == 0)
		r = fw_event_emitkv(s, "token.revoked", actor,
		                    &(struct fw_event_about){.partner_id = partner_id[0] ? partner_id : NULL},
		                    NULL, "token", token_id, NULL);
	return fw_ops_finish(s, r);
}
