/*
 * The store registry: fw_store_open picks a back end by the URI scheme ("sqlite:PATH", or a plain PATH
 * for SQLite) and every other public fw_store_* call forwards to the connection's table of operations.
 */
#include <stdatomic.h>
#include <string.h>
#include "store/store_impl.h"

static atomic_uint_fast64_t last_serial;

/* numbered: a connection just opened gets its number (fw_store_serial). */
static int numbered(int r, struct fw_store **ret)
{
	if (r == 0)
		(*ret)->serial = (uint64_t)atomic_fetch_add(&last_serial, 1) + 1;
	return r;
}

static const struct {
	const char *scheme;
	fw_store_open_fn open;
} backends[] = {
    {"sqlite", fw_store_sqlite_open},
};

/* scheme_len: length of a leading "scheme:" (RFC 3986 letters), 0 when uri is a plain path. */
static size_t scheme_len(const char *uri)
{
	size_t i;

	if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
		return 0;
	for (i = 1; uri[i] != ':'; i++) {
		char c = uri[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return i;
}

int fw_store_open(const char *uri, int flags, struct fw_store **ret, struct fw_error *err)
{
	size_t n;

	if (!uri || !ret)
		return fw_error_set(err, FW_EINVAL, "uri", "no store URI");
	n = scheme_len(uri);
	if (n == 0)
		return numbered(backends[0].open(uri, flags, ret, err), ret);
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strlen(backends[i].scheme) == n && strncmp(uri, backends[i].scheme, n) == 0)
			return numbered(backends[i].open(uri + n + 1, flags, ret, err), ret);
	return fw_error_set(err, FW_EINVAL, "uri", "unknown store scheme '%.*s'", n > 32 ? 32 : (int)n, uri);
}

uint64_t fw_store_serial(struct fw_store *s)
{
	return s->serial;
}

void fw_store_free(struct fw_store *s)
{
	if (s)
		s->ops->close(s);
}

int fw_store_begin(struct fw_store *s)
{
	return s->ops->begin(s);
}

int fw_store_commit(struct fw_store *s)
{
	return s->ops->commit(s);
}

void fw_store_rollback(struct fw_store *s)
{
	s->ops->rollback(s);
}

int fw_store_set_data_key(struct fw_store *s, const struct fw_data_key *k, struct fw_error *err)
{
	return s->ops->set_data_key(s, k, err);
}

int fw_store_rekey(struct fw_store *s, const struct fw_data_key *new_key, fw_rekey_cb progress, void *ctx,
                   uint64_t *ret_values, struct fw_error *err)
{
	return s->ops->rekey(s, new_key, progress, ctx, ret_values, err);
}

int fw_store_purge(struct fw_store *s)
{
	return s->ops->purge(s);
}

int fw_store_meta_get(struct fw_store *s, const char *key, char *out, size_t outsz)
{
	return s->ops->meta_get(s, key, out, outsz);
}

int fw_store_meta_set(struct fw_store *s, const char *key, const char *value)
{
	return s->ops->meta_set(s, key, value);
}

int fw_store_partner_insert(struct fw_store *s, const struct fw_partner *p)
{
	return s->ops->partner_insert(s, p);
}

int fw_store_partner_update(struct fw_store *s, const struct fw_partner *p)
{
	return s->ops->partner_update(s, p);
}

int fw_store_partner_get(struct fw_store *s, const char *id, struct fw_partner *ret)
{
	return s->ops->partner_get(s, id, ret);
}

int fw_store_partner_each(struct fw_store *s, fw_partner_cb cb, void *ctx)
{
	return s->ops->partner_each(s, cb, ctx);
}

int fw_store_token_insert(struct fw_store *s, const struct fw_token *t, const unsigned char hash[32])
{
	return s->ops->token_insert(s, t, hash);
}

int fw_store_token_find(struct fw_store *s, const unsigned char hash[32], struct fw_token *ret)
{
	return s->ops->token_find(s, hash, ret);
}

int fw_store_token_revoke(struct fw_store *s, const char *partner_id, const char *token_id, int64_t at)
{
	return s->ops->token_revoke(s, partner_id, token_id, at);
}

int fw_store_token_revoke_all(struct fw_store *s, const char *partner_id, int64_t at)
{
	return s->ops->token_revoke_all(s, partner_id, at);
}

int fw_store_token_each(struct fw_store *s, const char *partner_id, fw_token_cb cb, void *ctx)
{
	return s->ops->token_each(s, partner_id, cb, ctx);
}

int fw_store_tiers_get(struct fw_store *s, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n)
{
	return s->ops->tiers_get(s, out, ret_n);
}

int fw_store_tiers_set(struct fw_store *s, const struct fw_tier *t, size_t n)
{
	return s->ops->tiers_set(s, t, n);
}

int fw_store_rules_get(struct fw_store *s, struct fw_rule **ret, size_t *ret_n)
{
	return s->ops->rules_get(s, ret, ret_n);
}

int fw_store_rules_set(struct fw_store *s, const struct fw_rule *r, size_t n)
{
	return s->ops->rules_set(s, r, n);
}

int fw_store_advisory_insert(struct fw_store *s, const struct fw_advisory *a)
{
	return s->ops->advisory_insert(s, a);
}

int fw_store_advisory_update(struct fw_store *s, const struct fw_advisory *a)
{
	return s->ops->advisory_update(s, a);
}

int fw_store_advisory_get(struct fw_store *s, const char *id, struct fw_advisory *ret)
{
	return s->ops->advisory_get(s, id, ret);
}

int fw_store_advisory_each(struct fw_store *s, int visible_only, fw_advisory_cb cb, void *ctx)
{
	return s->ops->advisory_each(s, visible_only, cb, ctx);
}

int fw_store_advisory_set_due(struct fw_store *s, const char *id, int64_t due)
{
	return s->ops->advisory_set_due(s, id, due);
}

int fw_store_advisory_set_due_all(struct fw_store *s, int64_t due)
{
	return s->ops->advisory_set_due_all(s, due);
}

int fw_store_advisory_each_due(struct fw_store *s, int64_t now, fw_advisory_cb cb, void *ctx)
{
	return s->ops->advisory_each_due(s, now, cb, ctx);
}

int fw_store_advisory_next_due(struct fw_store *s, int64_t *ret)
{
	return s->ops->advisory_next_due(s, ret);
}

int fw_store_revision_insert(struct fw_store *s, const struct fw_revision *r)
{
	return s->ops->revision_insert(s, r);
}

int fw_store_revision_get(struct fw_store *s, const char *advisory_id, int number, struct fw_revision *ret)
{
	return s->ops->revision_get(s, advisory_id, number, ret);
}

int fw_store_revision_each(struct fw_store *s, const char *advisory_id, fw_revision_cb cb, void *ctx)
{
	return s->ops->revision_each(s, advisory_id, cb, ctx);
}

int fw_store_delivery_insert(struct fw_store *s, const struct fw_delivery *d, int *ret_inserted)
{
	return s->ops->delivery_insert(s, d, ret_inserted);
}

int fw_store_delivery_each(struct fw_store *s, const char *advisory_id, const char *partner_id,
                           fw_delivery_cb cb, void *ctx)
{
	return s->ops->delivery_each(s, advisory_id, partner_id, cb, ctx);
}

int fw_store_download_insert(struct fw_store *s, const struct fw_download *d)
{
	return s->ops->download_insert(s, d);
}

int fw_store_download_each(struct fw_store *s, const char *advisory_id, fw_download_cb cb, void *ctx)
{
	return s->ops->download_each(s, advisory_id, cb, ctx);
}

int fw_store_event_insert(struct fw_store *s, const struct fw_event *e, int64_t *ret_seq)
{
	return s->ops->event_insert(s, e, ret_seq);
}

int fw_store_event_each(struct fw_store *s, int64_t after_seq, size_t limit, fw_event_cb cb, void *ctx)
{
	return s->ops->event_each(s, after_seq, limit, cb, ctx);
}

uint64_t fw_store_tx_serial(struct fw_store *s)
{
	return s->ops->tx_serial(s);
}

int fw_store_log_size(struct fw_store *s, uint64_t *ret)
{
	return s->ops->log_size(s, ret);
}

int fw_store_log_append(struct fw_store *s, uint64_t index, const void *entry, size_t len,
                        const unsigned char *hashes, size_t nhashes)
{
	return s->ops->log_append(s, index, entry, len, hashes, nhashes);
}

int fw_store_log_entry_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_entry_cb cb, void *ctx)
{
	return s->ops->log_entry_each(s, start, end, cb, ctx);
}

int fw_store_log_leaf_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_leaf_cb cb, void *ctx)
{
	return s->ops->log_leaf_each(s, start, end, cb, ctx);
}

int fw_store_log_node_get(struct fw_store *s, unsigned level, uint64_t index, unsigned char out[32])
{
	return s->ops->log_node_get(s, level, index, out);
}

int fw_store_checkpoint_put(struct fw_store *s, uint64_t size, const char *note)
{
	return s->ops->checkpoint_put(s, size, note);
}

int fw_store_checkpoint_latest(struct fw_store *s, uint64_t *ret_size, struct fw_buf *note)
{
	return s->ops->checkpoint_latest(s, ret_size, note);
}

int fw_store_checkpoint_get(struct fw_store *s, uint64_t size, struct fw_buf *note)
{
	return s->ops->checkpoint_get(s, size, note);
}

int fw_store_cert_insert(struct fw_store *s, const struct fw_partner_cert *c)
{
	return s->ops->cert_insert(s, c);
}

int fw_store_cert_get(struct fw_store *s, const char *fingerprint, struct fw_partner_cert *ret)
{
	return s->ops->cert_get(s, fingerprint, ret);
}

int fw_store_cert_revoke(struct fw_store *s, const char *partner_id, const char *fingerprint, int64_t at)
{
	return s->ops->cert_revoke(s, partner_id, fingerprint, at);
}

int fw_store_cert_each(struct fw_store *s, const char *partner_id, fw_partner_cert_cb cb, void *ctx)
{
	return s->ops->cert_each(s, partner_id, cb, ctx);
}

int fw_store_partner_auth_get(struct fw_store *s, const char *partner_id, int *ret)
{
	return s->ops->partner_auth_get(s, partner_id, ret);
}

int fw_store_partner_auth_set(struct fw_store *s, const char *partner_id, int mode)
{
	return s->ops->partner_auth_set(s, partner_id, mode);
}

int fw_store_webhook_put(struct fw_store *s, const struct fw_webhook *w)
{
	return s->ops->webhook_put(s, w);
}

int fw_store_webhook_get(struct fw_store *s, const char *partner_id, struct fw_webhook *ret)
{
	return s->ops->webhook_get(s, partner_id, ret);
}

int fw_store_webhook_delete(struct fw_store *s, const char *partner_id)
{
	return s->ops->webhook_delete(s, partner_id);
}

int fw_store_outbox_insert(struct fw_store *s, const struct fw_outbox *o, int64_t *ret_id)
{
	return s->ops->outbox_insert(s, o, ret_id);
}

int fw_store_outbox_get(struct fw_store *s, int64_t id, struct fw_outbox *ret)
{
	return s->ops->outbox_get(s, id, ret);
}

int fw_store_outbox_update(struct fw_store *s, const struct fw_outbox *o)
{
	return s->ops->outbox_update(s, o);
}

int fw_store_outbox_each(struct fw_store *s, int state, const char *partner_id, size_t offset, size_t limit,
                         fw_outbox_cb cb, void *ctx)
{
	return s->ops->outbox_each(s, state, partner_id, offset, limit, cb, ctx);
}

int fw_store_outbox_due(struct fw_store *s, int64_t now_ms, size_t limit, fw_outbox_cb cb, void *ctx)
{
	return s->ops->outbox_due(s, now_ms, limit, cb, ctx);
}

int fw_store_outbox_next_due(struct fw_store *s, int64_t *ret_ms)
{
	return s->ops->outbox_next_due(s, ret_ms);
}

int fw_store_seal_key_put(struct fw_store *s, const char *partner_id, const unsigned char pk[32], int64_t at)
{
	return s->ops->seal_key_put(s, partner_id, pk, at);
}

int fw_store_seal_key_get(struct fw_store *s, const char *partner_id, unsigned char ret_pk[32],
                          int64_t *ret_at)
{
	return s->ops->seal_key_get(s, partner_id, ret_pk, ret_at);
}

int fw_store_seal_key_delete(struct fw_store *s, const char *partner_id)
{
	return s->ops->seal_key_delete(s, partner_id);
}
