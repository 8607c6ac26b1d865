/*
 * Storage: one interface over the back ends (SQLite now, PostgreSQL later). A struct fw_store is one
 * connection: use one per thread. Every function returns 0 or a negative FW_E* code; out-parameters are
 * written only on success. Iteration callbacks return 0 to go on, non-zero to stop (that value is returned).
 */
#ifndef FW_STORE_H
#define FW_STORE_H

#include <stdint.h>
#include <stddef.h>
#include "forewarn/buf.h"
#include "forewarn/model.h"

struct fw_store;

/*
 * fw_store_open: opens (creating the schema if needed) the store at `uri`: "sqlite:PATH" or a plain PATH
 * (SQLite). flags: FW_STORE_SYNC_FULL to fsync every commit (default: durable against a killed process,
 * WAL with synchronous=NORMAL). Returns FW_EIO with a message in err when the store cannot be opened.
 */
#define FW_STORE_SYNC_FULL (1 << 0)
FW_WUR int fw_store_open(const char *uri, int flags, struct fw_store **ret, struct fw_error *err);
void fw_store_free(struct fw_store *s);

/*
 * Transactions: begin/commit bracket a write transaction (all-or-nothing); rollback undoes it and never
 * fails. Without begin, each call is its own transaction. Not nestable.
 */
FW_WUR int fw_store_begin(struct fw_store *s);
FW_WUR int fw_store_commit(struct fw_store *s);
void fw_store_rollback(struct fw_store *s);

/*
 * fw_store_tx_serial: while a transaction begun with fw_store_begin is open, a number that identifies it
 * in this process (no two transactions on any connections share one, even a store freed and another opened
 * at its address); 0 outside. Lets a caller trust what it wrote or read in this very transaction, which no
 * other connection can have changed.
 */
uint64_t fw_store_tx_serial(struct fw_store *s);
/*
 * fw_store_serial: a number that identifies this connection in the process: no two connections opened in
 * the process share one, even one freed and another opened at its address. Lets a caller keep what it
 * read through one connection without taking it for another's.
 */
uint64_t fw_store_serial(struct fw_store *s);

/* Key/value metadata (e.g. the schema version, the instance name). Values up to 1 KiB. */
FW_WUR int fw_store_meta_get(struct fw_store *s, const char *key, char *out, size_t outsz);
FW_WUR int fw_store_meta_set(struct fw_store *s, const char *key, const char *value);

/* Partners. insert: FW_EEXIST if the id is taken. update: FW_ENOENT if missing. */
typedef int (*fw_partner_cb)(void *ctx, const struct fw_partner *p);
FW_WUR int fw_store_partner_insert(struct fw_store *s, const struct fw_partner *p);
FW_WUR int fw_store_partner_update(struct fw_store *s, const struct fw_partner *p);
FW_WUR int fw_store_partner_get(struct fw_store *s, const char *id, struct fw_partner *ret);
/* fw_store_partner_each: every partner in id order. */
FW_WUR int fw_store_partner_each(struct fw_store *s, fw_partner_cb cb, void *ctx);

/* Bearer tokens: only a keyed hash is stored. partner_id "" means an admin token. */
struct fw_token {
	char id[17]; /* 16 hex chars, public handle for listing and revoking */
	char partner_id[FW_ID_MAX + 1];
	int64_t created_at;
	int64_t revoked_at; /* 0 while valid */
};
typedef int (*fw_token_cb)(void *ctx, const struct fw_token *t);
FW_WUR int fw_store_token_insert(struct fw_store *s, const struct fw_token *t, const unsigned char hash[32]);
/* fw_store_token_find: the unrevoked token with this hash; FW_ENOENT otherwise. */
FW_WUR int fw_store_token_find(struct fw_store *s, const unsigned char hash[32], struct fw_token *ret);
/* fw_store_token_revoke: FW_ENOENT if no such token of this partner is valid. */
FW_WUR int fw_store_token_revoke(struct fw_store *s, const char *partner_id, const char *token_id,
                                 int64_t at);
/* fw_store_token_revoke_all: revokes every valid token of the partner (none is not an error). */
FW_WUR int fw_store_token_revoke_all(struct fw_store *s, const char *partner_id, int64_t at);
FW_WUR int fw_store_token_each(struct fw_store *s, const char *partner_id, fw_token_cb cb, void *ctx);

/* Tiers and rules are replaced as a whole. get: writes up to FW_MAX_TIERS / FW_MAX_RULES in name/id order. */
FW_WUR int fw_store_tiers_get(struct fw_store *s, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n);
FW_WUR int fw_store_tiers_set(struct fw_store *s, const struct fw_tier *t, size_t n);
/* fw_store_rules_get: *ret is a malloc'd array of *ret_n rules (NULL when 0); free() it. */
FW_WUR int fw_store_rules_get(struct fw_store *s, struct fw_rule **ret, size_t *ret_n);
FW_WUR int fw_store_rules_set(struct fw_store *s, const struct fw_rule *r, size_t n);

/* Advisories. due: the scheduler's next instant to look at this advisory (INT64_MAX: nothing pending). */
typedef int (*fw_advisory_cb)(void *ctx, const struct fw_advisory *a);
FW_WUR int fw_store_advisory_insert(struct fw_store *s, const struct fw_advisory *a);
FW_WUR int fw_store_advisory_update(struct fw_store *s, const struct fw_advisory *a);
FW_WUR int fw_store_advisory_get(struct fw_store *s, const char *id, struct fw_advisory *ret);
/* fw_store_advisory_each: every advisory in id order; visible_only skips drafts and withdrawn ones. */
FW_WUR int fw_store_advisory_each(struct fw_store *s, int visible_only, fw_advisory_cb cb, void *ctx);
FW_WUR int fw_store_advisory_set_due(struct fw_store *s, const char *id, int64_t due);
/* fw_store_advisory_set_due_all: sets due for every scheduled or public advisory (after a policy change). */
FW_WUR int fw_store_advisory_set_due_all(struct fw_store *s, int64_t due);
/* fw_store_advisory_each_due: advisories with due <= now, in due order. */
FW_WUR int fw_store_advisory_each_due(struct fw_store *s, int64_t now, fw_advisory_cb cb, void *ctx);
/* fw_store_advisory_next_due: the smallest due (INT64_MAX when none). */
FW_WUR int fw_store_advisory_next_due(struct fw_store *s, int64_t *ret);

/* Revisions: FW_EEXIST if the advisory already has a revision with this number. */
FW_WUR int fw_store_revision_insert(struct fw_store *s, const struct fw_revision *r);
/* fw_store_revision_get: parts are heap strings owned by the caller: fw_revision_release(ret). */
FW_WUR int fw_store_revision_get(struct fw_store *s, const char *advisory_id, int number,
                                 struct fw_revision *ret);
/* fw_store_revision_each: metadata only (parts NULL, `present` set to the parts' mask), ascending. */
typedef int (*fw_revision_cb)(void *ctx, const struct fw_revision *r);
FW_WUR int fw_store_revision_each(struct fw_store *s, const char *advisory_id, fw_revision_cb cb, void *ctx);

/* Deliveries: revision `revision` of an advisory made available to a partner with `parts`. */
struct fw_delivery {
	char partner_id[FW_ID_MAX + 1];
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	unsigned parts;
	int64_t due_at;       /* seconds: when policy made it due */
	int64_t delivered_ms; /* milliseconds: when it was recorded */
};
typedef int (*fw_delivery_cb)(void *ctx, const struct fw_delivery *d);
/* fw_store_delivery_insert: idempotent on (partner, advisory, revision, parts): *ret_inserted 0 if it
 * existed. */
FW_WUR int fw_store_delivery_insert(struct fw_store *s, const struct fw_delivery *d, int *ret_inserted);
/* fw_store_delivery_each: by advisory (partner_id NULL) or by advisory and partner; in delivered order. */
FW_WUR int fw_store_delivery_each(struct fw_store *s, const char *advisory_id, const char *partner_id,
                                  fw_delivery_cb cb, void *ctx);

/*
 * Downloads: every copy served. A download is also its own event: fw_store_download_insert takes the next
 * seq of the events' sequence for it, and fw_store_event_each shows it as the event "download" (actor
 * "partner:<id>", subject "<advisory>/<partner>", detail what, address, revision, sha256), at at_ms.
 */
struct fw_download {
	char partner_id[FW_ID_MAX + 1];
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	unsigned parts;
	char what[8];     /* "csaf" or "poc" */
	char address[64]; /* client address */
	int64_t at_ms;
	unsigned char sha256[32]; /* of the bytes served */
};
typedef int (*fw_download_cb)(void *ctx, const struct fw_download *d);
FW_WUR int fw_store_download_insert(struct fw_store *s, const struct fw_download *d);
FW_WUR int fw_store_download_each(struct fw_store *s, const char *advisory_id, fw_download_cb cb, void *ctx);

/*
 * Events: every state change, in order: the rows fw_store_event_insert makes and the downloads (above), one
 * sequence over both. Each is also an entry of the transparency log (fw_event_emitkv, fw_event_download).
 */
struct fw_event {
	int64_t seq; /* assigned by the store on insert, 1-based */
	int64_t at_ms;
	char type[40];                   /* e.g. "partner.created", "advisory.revised", "delivery" */
	char actor[80];                  /* "admin:<token id>", "scheduler", "partner:<id>" */
	char subject[FW_ID_MAX * 2 + 2]; /* the object: partner id, advisory id, "advisory/partner" */
	char detail[512];                /* canonical JSON object without embargoed content */
};
typedef int (*fw_event_cb)(void *ctx, const struct fw_event *e);
FW_WUR int fw_store_event_insert(struct fw_store *s, const struct fw_event *e, int64_t *ret_seq);
FW_WUR int fw_store_event_each(struct fw_store *s, int64_t after_seq, size_t limit, fw_event_cb cb,
                               void *ctx);

/*
 * The transparency log's storage (docs/log.md): entries by index from 0, each kept with the hashes of the
 * complete subtrees whose last leaf it is, and signed checkpoints by tree size. Written inside the
 * transaction of the act they record. Leaf i completes the subtrees (level l, index i >> l) for l = 0 (its
 * own leaf hash) up to t, t the number of trailing one bits of i: so the subtree (l, j) is kept with entry
 * (j + 1) * 2^l - 1, found in one read, and an append is one row.
 * append: hashes holds those t + 1 hashes, level 0 first (else FW_EINVAL); FW_ECONFLICT unless index is the
 * current size (append-only); entries up to FW_LOG_ENTRY_MAX bytes.
 * node_get/checkpoint_*: FW_ENOENT when absent; note texts are appended to `note`.
 */
#define FW_LOG_ENTRY_MAX 4096
typedef int (*fw_log_entry_cb)(void *ctx, uint64_t index, const void *entry, size_t len);
FW_WUR int fw_store_log_size(struct fw_store *s, uint64_t *ret);
FW_WUR int fw_store_log_append(struct fw_store *s, uint64_t index, const void *entry, size_t len,
                               const unsigned char *hashes, size_t nhashes);
/* fw_store_log_entry_each: entries with start <= index < end, ascending. */
FW_WUR int fw_store_log_entry_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_entry_cb cb,
                                   void *ctx);
/*
 * fw_store_log_leaf_each: as fw_store_log_entry_each, with the hashes kept with each entry as they are
 * stored (hashes_len bytes, which in a damaged store need not be 32 times the subtrees it completes): what
 * verification reads, in one pass.
 */
typedef int (*fw_log_leaf_cb)(void *ctx, uint64_t index, const void *entry, size_t len,
                              const unsigned char *hashes, size_t hashes_len);
FW_WUR int fw_store_log_leaf_each(struct fw_store *s, uint64_t start, uint64_t end, fw_log_leaf_cb cb,
                                  void *ctx);
/* fw_store_log_node_get: the stored hash of the complete subtree (level, index) (level 0: leaf hashes). */
FW_WUR int fw_store_log_node_get(struct fw_store *s, unsigned level, uint64_t index, unsigned char out[32]);
/* fw_store_checkpoint_put: keeps the first checkpoint stored for a size (a second one is ignored). */
FW_WUR int fw_store_checkpoint_put(struct fw_store *s, uint64_t size, const char *note);
FW_WUR int fw_store_checkpoint_latest(struct fw_store *s, uint64_t *ret_size, struct fw_buf *note);
FW_WUR int fw_store_checkpoint_get(struct fw_store *s, uint64_t size, struct fw_buf *note);

#endif
