/*
 * Webhooks (docs/webhooks.md): a partner's registered URL, and the durable outbox of release notifications:
 * enqueued in the very transaction that records the delivery, claimed under a lease, checked against policy
 * again just before each send, signed with HMAC-SHA256, and settled (delivered, retried with backoff, set
 * aside, or skipped). The HTTP transfer itself belongs to the program (src/webhook.c over src/client.c).
 * All functions take a store connection owned by the calling thread.
 */
#ifndef FW_WEBHOOK_H
#define FW_WEBHOOK_H

#include <stdint.h>
#include "forewarn/crypto.h"
#include "forewarn/policy.h"
#include "forewarn/store.h"

#define FW_WEBHOOK_SECRET_LEN    71 /* "whsec_" + 64 hex characters (256 bits) + NUL */
#define FW_WEBHOOK_SIGNATURE_MAX 96 /* "t=" + timestamp + ",v1=" + 64 hex characters + NUL */

/*
 * fw_webhook_url_validate: 0 if url is a URL Forewarn will POST to: https:// (http:// only to a loopback
 * host: localhost, 127.0.0.0/8, [::1]), a host name or IP literal, an optional port 1-65535, then a path and
 * query of printable ASCII URL characters; no user name or password, no fragment, at most FW_WEBHOOK_URL_MAX
 * bytes. Else FW_EINVAL with err (field "url") saying what is wrong.
 */
FW_WUR int fw_webhook_url_validate(const char *url, struct fw_error *err);

/*
 * fw_webhook_url_public: 0 if url, already valid, names a host a partner may register for itself: https://,
 * and a host name that is not local (localhost, *.localhost, *.local, *.internal, *.home.arpa) or a dotted
 * IPv4 address outside the loopback, private, link-local, shared (100.64/10), "this network" and multicast or
 * reserved ranges; no IPv6 literal and no other numeric form (2130706433, 0x7f.1). Else FW_EINVAL with err
 * (field "url"). Only the operator may point a webhook at its own network. A name is checked again where it
 * leads: the server connects a partner's own webhook only to addresses fw_webhook_address_public accepts.
 */
FW_WUR int fw_webhook_url_public(const char *url, struct fw_error *err);
/*
 * fw_webhook_address_public: 1 if the address (len 4: IPv4, 16: IPv6, network byte order) is one a partner's
 * own webhook may be connected to: a public unicast address. 0 for "this network", loopback, private, shared,
 * link-local, unique local, documentation, benchmarking, multicast and reserved ranges, IPv4 addresses inside
 * IPv6 (mapped, NAT64, 6to4) that are one of those, and any other length.
 */
int fw_webhook_address_public(const unsigned char *addr, size_t len);

/*
 * fw_webhook_secret: the registration's signing secret, "whsec_" and 64 hex characters: derived from the
 * server's key, the partner id and the registration's nonce, so the store never holds it. The caller wipes
 * ret (fw_crypto_wipe). Thread-safe.
 */
void fw_webhook_secret(const unsigned char key[FW_KEY_BYTES], const struct fw_webhook *w,
                       char ret[FW_WEBHOOK_SECRET_LEN]);

/*
 * fw_webhook_sign: the Forewarn-Webhook-Signature header value "t=TIMESTAMP,v1=HEX": HEX is the hex of
 * HMAC-SHA256 keyed with the secret's characters over TIMESTAMP (decimal Unix seconds), "." and the body.
 */
void fw_webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
                     char ret[FW_WEBHOOK_SIGNATURE_MAX]);

/*
 * fw_ops_webhook_set: registers (or replaces) partner_id's webhook at url, with a new signing secret written
 * to ret_secret (shown once; the caller wipes it) and the registration to *ret. content
 * (FW_WEBHOOK_CONTENT_*) asks for the partner's copies in each notification, sealed: only with a sealing key
 * registered. by_operator: the operator registers it (it may lead anywhere), else the partner itself (only to
 * public addresses: fw_webhook_url_public here, and again when the server connects). FW_EINVAL (bad URL;
 * "content" without a sealing key), FW_ENOENT (no such partner), FW_ECONFLICT (removed partner), with err.
 * Emits "webhook.set".
 */
FW_WUR int fw_ops_webhook_set(struct fw_store *s, const char *actor, const unsigned char key[FW_KEY_BYTES],
                              const char *partner_id, const char *url, int content, int by_operator,
                              int64_t now, char ret_secret[FW_WEBHOOK_SECRET_LEN], struct fw_webhook *ret,
                              struct fw_error *err);
/* fw_ops_webhook_remove: drops the registration (FW_ENOENT if none); emits "webhook.removed". */
FW_WUR int fw_ops_webhook_remove(struct fw_store *s, const char *actor, const char *partner_id,
                                 struct fw_error *err);

/*
 * fw_ops_outbox_enqueue: inside the transaction that recorded delivery d, queues its notification if the
 * partner has a webhook: {"id", "type": "advisory.released", "advisory", "revision", "parts", "at"}, no
 * content. *ret_id (may be NULL) gets the item's id, or 0 when the partner has no webhook.
 */
FW_WUR int fw_ops_outbox_enqueue(struct fw_store *s, const struct fw_delivery *d, int64_t *ret_id);

/* How the sender retries: the delay after the n-th failed try is min(backoff * 2^(n-1), backoff_max), plus
 * up to a quarter more at random; after max_tries failed tries an item is set aside. */
struct fw_outbox_policy {
	int64_t backoff_ms;
	int64_t backoff_max_ms;
	int max_tries;
	int64_t lease_ms; /* how long a claimed item is reserved for its sender (longer than one try) */
};
/* fw_outbox_backoff_ms: the delay before the next try after `tries` failed ones (>= 1), jitter included. */
int64_t fw_outbox_backoff_ms(const struct fw_outbox_policy *pol, int tries);

/*
 * fw_ops_outbox_claim: takes up to max due pending items (earliest first) in one transaction: each try is
 * counted and the item reserved until now_ms + lease_ms, after which it is due again (a sender that died
 * mid-send is replaced: at least once). The items, as updated, go to out[0..*ret_n).
 */
FW_WUR int fw_ops_outbox_claim(struct fw_store *s, const struct fw_outbox_policy *pol, int64_t now_ms,
                               struct fw_outbox *out, size_t max, size_t *ret_n);

/*
 * fw_ops_outbox_check: whether item o may be sent at `now` (I1): its partner is active, its advisory not
 * withdrawn, the partner may still see every part it names, and it still has a webhook. Returns 1 (may send;
 * *ret_hook gets the registration), 0 (must not; why gets the reason, one line), or an FW_E* code.
 */
FW_WUR int fw_ops_outbox_check(struct fw_store *s, const struct fw_policy_ctx *ctx, const struct fw_outbox *o,
                               int64_t now, struct fw_webhook *ret_hook, char *why, size_t whysz);

/* The outcome of one claimed item. */
enum fw_outbox_result {
	FW_OUTBOX_SENT,        /* the receiver answered 2xx */
	FW_OUTBOX_TRY_FAILED,  /* another answer, or no answer: retried later, or set aside after the last try
	                        */
	FW_OUTBOX_NOT_SENT,    /* fw_ops_outbox_check refused it: skipped for good */
	FW_OUTBOX_INTERRUPTED, /* the sender stopped before the try ended: due again at once, the try not
	                          counted */
};
struct fw_outbox_outcome {
	int64_t id;
	enum fw_outbox_result result;
	int status;                          /* HTTP status, 0 when none */
	char error[FW_OUTBOX_ERROR_MAX + 1]; /* what went wrong (or why not sent), one line */
};
/*
 * fw_ops_outbox_record: settles n claimed items in one transaction; items set aside or skipped get an event
 * ("webhook.failed", "webhook.skipped"). *ret_set_aside (may be NULL) counts the items set aside.
 */
FW_WUR int fw_ops_outbox_record(struct fw_store *s, const struct fw_outbox_policy *pol,
                                const struct fw_outbox_outcome *o, size_t n, int64_t now_ms,
                                size_t *ret_set_aside);

/*
 * fw_ops_outbox_retry: puts a set-aside (or skipped) item back to pending, due now, with its tries reset;
 * emits "webhook.retried". FW_ENOENT, or FW_ECONFLICT when it is pending or delivered. *ret: the item.
 */
FW_WUR int fw_ops_outbox_retry(struct fw_store *s, const char *actor, int64_t id, int64_t now_ms,
                               struct fw_outbox *ret, struct fw_error *err);

/* fw_outbox_state_name: "pending", "delivered", "failed", "skipped"; fw_outbox_state_parse: -1 if unknown. */
const char *fw_outbox_state_name(enum fw_outbox_state st);
int fw_outbox_state_parse(const char *s);

#endif
