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

/*
 * Encryption at rest (docs/security.md). The embargoed columns (an advisory's title, CVE ids, products, CVSS
 * vector, score and severity; a revision's note and parts) hold values sealed with the data key
 * (fw_data_seal), bound to their row and column. Ids, times, statuses, masks and every other table stay
 * clear.
 *
 * fw_store_set_data_key: gives the connection its data key (it keeps its own copy); call it right after
 * fw_store_open, on every connection that reads or writes advisories or revisions: without one they fail with
 * FW_ECRYPTO. The first key given to a database is recorded (meta "data_key_id": its id, not the key); a
 * later one must be that key: FW_ECRYPTO otherwise, with err naming both ids. FW_ECONFLICT when the database
 * holds advisories stored in clear before encryption at rest existed (they are not read).
 */
struct fw_data_key;
FW_WUR int fw_store_set_data_key(struct fw_store *s, const struct fw_data_key *k, struct fw_error *err);
/*
 * fw_store_rekey: inside a transaction begun with fw_store_begin, opens every sealed value with the current
 * key and seals it again under new_key (a fresh nonce each), records new_key's id, and marks the files for
 * fw_store_purge (meta "data_key_purge" = "1"). The connection seals and opens with new_key from then on if
 * the transaction commits, with the old key if it rolls back. new_key NULL only checks that every sealed
 * value opens (inside a transaction or not). progress (may be NULL) is called after each row with the values
 * done so far; a non-zero return stops with that value. *ret_values (may be NULL): the values re-sealed or
 * checked. A value that does not open: FW_ECRYPTO, err naming its row and column (never its content).
 */
typedef int (*fw_rekey_cb)(void *ctx, uint64_t values);
FW_WUR int fw_store_rekey(struct fw_store *s, const struct fw_data_key *new_key, fw_rekey_cb progress,
                          void *ctx, uint64_t *ret_values, struct fw_error *err);
/*
 * fw_store_purge: removes what replaced and deleted values leave behind in the files: copies the write-ahead
 * log into the database and truncates it, rebuilds the database (VACUUM), truncates the log again, and clears
 * meta "data_key_purge". Deleted content is also overwritten as it is freed (secure_delete) on every
 * connection. Outside a transaction; FW_EBUSY when another connection (another process) keeps the log busy.
 */
FW_WUR int fw_store_purge(struct fw_store *s);

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
	int64_t expires_at; /* 0: never; else it stops authenticating at this time (checked by the caller) */
};
typedef int (*fw_token_cb)(void *ctx, const struct fw_token *t);
FW_WUR int fw_store_token_insert(struct fw_store *s, const struct fw_token *t, const unsigned char hash[32]);
/* fw_store_token_find: the unrevoked token with this hash, expired or not; FW_ENOENT otherwise. */
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
	unsigned char sha256[32]; /* of the bytes served (a sealed copy: of the copy inside) */
	int sealed;               /* served sealed to the partner's key: its event says "sealed": "true" */
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

/*
 * Partners' client certificates, by SHA-256 fingerprint ("sha256:" and 64 lower-case hex digits, as
 * fw_tls_fingerprint_parse writes it). A fingerprint is registered once, to one partner, for good: a revoked
 * one stays listed and cannot be registered again. insert: FW_EEXIST if the fingerprint is known. get: in
 * any state. revoke: FW_ENOENT unless the partner has it unrevoked. each: the partner's, oldest first.
 */
#define FW_CERT_FP_LEN      72
#define FW_CERT_SUBJECT_LEN 256
struct fw_partner_cert {
	char fingerprint[FW_CERT_FP_LEN];
	char partner_id[FW_ID_MAX + 1];
	char subject[FW_CERT_SUBJECT_LEN]; /* the certificate's subject DN; "" when registered by fingerprint
	                                    */
	int64_t created_at;
	int64_t revoked_at; /* 0 while valid */
	int64_t not_after;  /* the certificate's notAfter; 0 when registered by fingerprint */
};
typedef int (*fw_partner_cert_cb)(void *ctx, const struct fw_partner_cert *c);
FW_WUR int fw_store_cert_insert(struct fw_store *s, const struct fw_partner_cert *c);
FW_WUR int fw_store_cert_get(struct fw_store *s, const char *fingerprint, struct fw_partner_cert *ret);
FW_WUR int fw_store_cert_revoke(struct fw_store *s, const char *partner_id, const char *fingerprint,
                                int64_t at);
FW_WUR int fw_store_cert_each(struct fw_store *s, const char *partner_id, fw_partner_cert_cb cb, void *ctx);
/* A partner's authentication mode (enum fw_partner_auth, ops.h); get: FW_ENOENT when never set (default). */
FW_WUR int fw_store_partner_auth_get(struct fw_store *s, const char *partner_id, int *ret);
FW_WUR int fw_store_partner_auth_set(struct fw_store *s, const char *partner_id, int mode);

/*
 * Webhooks (docs/webhooks.md): one registration per partner, and the outbox of release notifications to
 * send, each kept until it is delivered, set aside after too many failures, or skipped by policy.
 * The signing secret is never stored: it is derived from the server's key and the registration's nonce.
 */
#define FW_WEBHOOK_URL_MAX    2048
#define FW_WEBHOOK_NONCE_HEX  33 /* 16 random bytes in hex + NUL */
#define FW_OUTBOX_KEY_LEN     36 /* "wh_" + 32 hex characters + NUL: the idempotency key */
#define FW_OUTBOX_PAYLOAD_MAX 1024
#define FW_OUTBOX_ERROR_MAX   200
struct fw_webhook {
	char partner_id[FW_ID_MAX + 1];
	char url[FW_WEBHOOK_URL_MAX + 1];
	char nonce[FW_WEBHOOK_NONCE_HEX];
	int64_t created_at;
	int64_t updated_at;
	int content; /* FW_WEBHOOK_CONTENT_*: what each notification carries besides its summary */
	/* registered by the operator: may lead to any address, the operator's own network too; else (the
	 * partner's own) it is connected only to public addresses (fw_webhook_address_public) */
	int by_operator;
};
enum {
	FW_WEBHOOK_CONTENT_NONE = 0, /* the summary only (advisory, revision, parts) */
	FW_WEBHOOK_CONTENT_SEALED,   /* and the partner's copy, sealed to its key (docs/webhooks.md) */
};
/* fw_store_webhook_put: registers or replaces the partner's webhook (a replacement keeps created_at). */
FW_WUR int fw_store_webhook_put(struct fw_store *s, const struct fw_webhook *w);
/* fw_store_webhook_get, fw_store_webhook_delete: FW_ENOENT when the partner has none. */
FW_WUR int fw_store_webhook_get(struct fw_store *s, const char *partner_id, struct fw_webhook *ret);
FW_WUR int fw_store_webhook_delete(struct fw_store *s, const char *partner_id);

enum fw_outbox_state {
	FW_OUTBOX_PENDING = 0, /* to be sent at next_ms (or being sent, under a lease that ends then) */
	FW_OUTBOX_DELIVERED,   /* the receiver answered 2xx */
	FW_OUTBOX_FAILED,      /* set aside after its last try failed: for the operator to retry */
	FW_OUTBOX_SKIPPED,     /* not sent: policy no longer allowed it (last_error says why) */
};
#define FW_OUTBOX_STATES 4
struct fw_outbox {
	int64_t id; /* assigned by the store on insert, from 1 */
	char key[FW_OUTBOX_KEY_LEN];
	char partner_id[FW_ID_MAX + 1];
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	unsigned parts;
	enum fw_outbox_state state;
	int tries;          /* attempts begun */
	int64_t created_ms; /* when the delivery it announces was recorded */
	int64_t next_ms;    /* pending: the next attempt (or the end of the current one's lease) */
	int64_t done_ms;    /* when it was delivered, set aside or skipped; 0 while pending */
	int last_status;    /* HTTP status of the last answer, 0 when none */
	char last_error[FW_OUTBOX_ERROR_MAX + 1];
	char payload[FW_OUTBOX_PAYLOAD_MAX + 1]; /* the JSON body, the same bytes on every try */
};
typedef int (*fw_outbox_cb)(void *ctx, const struct fw_outbox *o);
/*
 * fw_store_outbox_insert: *ret_id (may be NULL) gets the new id. Keys are not indexed: they are 128 random
 * bits (fw_ops_outbox_enqueue), and an index of random keys would cost every release scattered writes.
 */
FW_WUR int fw_store_outbox_insert(struct fw_store *s, const struct fw_outbox *o, int64_t *ret_id);
FW_WUR int fw_store_outbox_get(struct fw_store *s, int64_t id, struct fw_outbox *ret);
/* fw_store_outbox_update: writes state, tries, next_ms, done_ms, last_status, last_error of item o->id. */
FW_WUR int fw_store_outbox_update(struct fw_store *s, const struct fw_outbox *o);
/*
 * fw_store_outbox_each: items in id order, only those in `state` (-1: any) and of partner_id (NULL: any),
 * skipping the first `offset`, at most `limit` (0: no limit).
 */
FW_WUR int fw_store_outbox_each(struct fw_store *s, int state, const char *partner_id, size_t offset,
                                size_t limit, fw_outbox_cb cb, void *ctx);
/* fw_store_outbox_due: pending items with next_ms <= now_ms, earliest first, at most limit. */
FW_WUR int fw_store_outbox_due(struct fw_store *s, int64_t now_ms, size_t limit, fw_outbox_cb cb, void *ctx);
/* fw_store_outbox_next_due: the smallest next_ms of a pending item (INT64_MAX when none). */
FW_WUR int fw_store_outbox_next_due(struct fw_store *s, int64_t *ret_ms);

/*
 * Partners' sealing keys (docs/formats.md, "Sealed copies"): at most one X25519 public key per partner, to
 * which its copies can be sealed. put: inserts or replaces (FW_ENOENT if the partner does not exist); get:
 * FW_ENOENT when the partner has none; delete: FW_ENOENT when there was none.
 */
FW_WUR int fw_store_seal_key_put(struct fw_store *s, const char *partner_id, const unsigned char pk[32],
                                 int64_t at);
FW_WUR int fw_store_seal_key_get(struct fw_store *s, const char *partner_id, unsigned char ret_pk[32],
                                 int64_t *ret_at);
FW_WUR int fw_store_seal_key_delete(struct fw_store *s, const char *partner_id);

#endif
