/*
 * Storage back ends: each one embeds struct fw_store first and points it at its table of operations;
 * store.c picks the back end from the URI scheme and forwards every public call through s->ops.
 */
#ifndef FW_STORE_IMPL_H
#define FW_STORE_IMPL_H

#include "forewarn/store.h"

struct fw_store_ops {
	void (*close)(struct fw_store *s);

	int (*begin)(struct fw_store *s);
	int (*commit)(struct fw_store *s);
	void (*rollback)(struct fw_store *s);

	int (*set_data_key)(struct fw_store *s, const struct fw_data_key *k, struct fw_error *err);
	int (*rekey)(struct fw_store *s, const struct fw_data_key *new_key, fw_rekey_cb progress, void *ctx,
	             uint64_t *ret_values, struct fw_error *err);
	int (*purge)(struct fw_store *s);

	int (*meta_get)(struct fw_store *s, const char *key, char *out, size_t outsz);
	int (*meta_set)(struct fw_store *s, const char *key, const char *value);

	int (*partner_insert)(struct fw_store *s, const struct fw_partner *p);
	int (*partner_update)(struct fw_store *s, const struct fw_partner *p);
	int (*partner_get)(struct fw_store *s, const char *id, struct fw_partner *ret);
	int (*partner_each)(struct fw_store *s, fw_partner_cb cb, void *ctx);

	int (*token_insert)(struct fw_store *s, const struct fw_token *t, const unsigned char hash[32]);
	int (*token_find)(struct fw_store *s, const unsigned char hash[32], struct fw_token *ret);
	int (*token_revoke)(struct fw_store *s, const char *partner_id, const char *token_id, int64_t at);
	int (*token_revoke_all)(struct fw_store *s, const char *partner_id, int64_t at);
	int (*token_each)(struct fw_store *s, const char *partner_id, fw_token_cb cb, void *ctx);

	int (*tiers_get)(struct fw_store *s, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n);
	int (*tiers_set)(struct fw_store *s, const struct fw_tier *t, size_t n);
	int (*rules_get)(struct fw_store *s, struct fw_rule **ret, size_t *ret_n);
	int (*rules_set)(struct fw_store *s, const struct fw_rule *r, size_t n);

	int (*advisory_insert)(struct fw_store *s, const struct fw_advisory *a);
	int (*advisory_update)(struct fw_store *s, const struct fw_advisory *a);
	int (*advisory_get)(struct fw_store *s, const char *id, struct fw_advisory *ret);
	int (*advisory_each)(struct fw_store *s, int visible_only, fw_advisory_cb cb, void *ctx);
	int (*advisory_set_due)(struct fw_store *s, const char *id, int64_t due);
	int (*advisory_set_due_all)(struct fw_store *s, int64_t due);
	int (*advisory_each_due)(struct fw_store *s, int64_t now, fw_advisory_cb cb, void *ctx);
	int (*advisory_next_due)(struct fw_store *s, int64_t *ret);

	int (*revision_insert)(struct fw_store *s, const struct fw_revision *r);
	int (*revision_get)(struct fw_store *s, const char *advisory_id, int number, struct fw_revision *ret);
	int (*revision_each)(struct fw_store *s, const char *advisory_id, fw_revision_cb cb, void *ctx);

	int (*delivery_insert)(struct fw_store *s, const struct fw_delivery *d, int *ret_inserted);
	int (*delivery_each)(struct fw_store *s, const char *advisory_id, const char *partner_id,
	                     fw_delivery_cb cb, void *ctx);

	int (*download_insert)(struct fw_store *s, const struct fw_download *d);
	int (*download_each)(struct fw_store *s, const char *advisory_id, fw_download_cb cb, void *ctx);

	int (*event_insert)(struct fw_store *s, const struct fw_event *e, int64_t *ret_seq);
	int (*event_each)(struct fw_store *s, int64_t after_seq, size_t limit, fw_event_cb cb, void *ctx);

	uint64_t (*tx_serial)(struct fw_store *s);
	int (*log_size)(struct fw_store *s, uint64_t *ret);
	int (*log_append)(struct fw_store *s, uint64_t index, const void *entry, size_t len,
	                  const unsigned char *hashes, size_t nhashes);
	int (*log_entry_each)(struct fw_store *s, uint64_t start, uint64_t end, fw_log_entry_cb cb,
	                      void *ctx);
	int (*log_leaf_each)(struct fw_store *s, uint64_t start, uint64_t end, fw_log_leaf_cb cb, void *ctx);
	int (*log_node_get)(struct fw_store *s, unsigned level, uint64_t index, unsigned char out[32]);
	int (*checkpoint_put)(struct fw_store *s, uint64_t size, const char *note);
	int (*checkpoint_latest)(struct fw_store *s, uint64_t *ret_size, struct fw_buf *note);
	int (*checkpoint_get)(struct fw_store *s, uint64_t size, struct fw_buf *note);

	int (*cert_insert)(struct fw_store *s, const struct fw_partner_cert *c);
	int (*cert_get)(struct fw_store *s, const char *fingerprint, struct fw_partner_cert *ret);
	int (*cert_revoke)(struct fw_store *s, const char *partner_id, const char *fingerprint, int64_t at);
	int (*cert_each)(struct fw_store *s, const char *partner_id, fw_partner_cert_cb cb, void *ctx);
	int (*partner_auth_get)(struct fw_store *s, const char *partner_id, int *ret);
	int (*partner_auth_set)(struct fw_store *s, const char *partner_id, int mode);
	int (*webhook_put)(struct fw_store *s, const struct fw_webhook *w);
	int (*webhook_get)(struct fw_store *s, const char *partner_id, struct fw_webhook *ret);
	int (*webhook_delete)(struct fw_store *s, const char *partner_id);
	int (*outbox_insert)(struct fw_store *s, const struct fw_outbox *o, int64_t *ret_id);
	int (*outbox_get)(struct fw_store *s, int64_t id, struct fw_outbox *ret);
	int (*outbox_update)(struct fw_store *s, const struct fw_outbox *o);
	int (*outbox_each)(struct fw_store *s, int state, const char *partner_id, size_t offset, size_t limit,
	                   fw_outbox_cb cb, void *ctx);
	int (*outbox_due)(struct fw_store *s, int64_t now_ms, size_t limit, fw_outbox_cb cb, void *ctx);
	int (*outbox_next_due)(struct fw_store *s, int64_t *ret_ms);
	int (*seal_key_put)(struct fw_store *s, const char *partner_id, const unsigned char pk[32],
	                    int64_t at);
	int (*seal_key_get)(struct fw_store *s, const char *partner_id, unsigned char ret_pk[32],
	                    int64_t *ret_at);
	int (*seal_key_delete)(struct fw_store *s, const char *partner_id);
};

/* The common header of every back end's connection struct: must be its first member. */
struct fw_store {
	const struct fw_store_ops *ops;
	uint64_t serial; /* set by fw_store_open (fw_store_serial) */
};

/*
 * A back end's constructor: `path` is the URI without the scheme. Same contract as fw_store_open:
 * on failure *ret is untouched and err says why.
 */
typedef int (*fw_store_open_fn)(const char *path, int flags, struct fw_store **ret, struct fw_error *err);

/* The SQLite back end (sqlite.c): "sqlite:PATH" or a plain PATH. */
FW_WUR int fw_store_sqlite_open(const char *path, int flags, struct fw_store **ret, struct fw_error *err);

#endif
