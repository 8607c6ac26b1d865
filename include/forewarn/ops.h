/*
 * Operations: every admin and partner act as one all-or-nothing transaction that validates, writes, and
 * emits its event (lib/ops/event.c, the one place events are made). Used by the HTTP routes, `forewarn init`
 * and the scheduler. All functions take a store connection owned by the calling thread.
 */
#ifndef FW_OPS_H
#define FW_OPS_H

#include <stdint.h>
#include "forewarn/crypto.h"
#include "forewarn/partnerref.h"
#include "forewarn/model.h"
#include "forewarn/policy.h"
#include "forewarn/store.h"

/* What an event is about; every field may be NULL or 0. */
struct fw_event_about {
	const char *advisory_id;
	int revision;
	const char *partner_id;      /* named in the operator's rows, by reference only in the log */
	const unsigned char *sha256; /* of the exact bytes delivered */
};
/*
 * fw_event_emitkv: records an event in the caller's transaction: a row for the operator (GET /api/v1/events)
 * and an entry of the transparency log (docs/log.md) whose index goes to *ret_index (may be NULL). The detail
 * is string pairs (key, value, ..., NULL; at most 8 pairs); only the keys docs/log.md lists reach the log.
 * No embargoed content and no secrets may be passed.
 */
FW_WUR int fw_event_emitkv(struct fw_store *s, const char *type, const char *actor,
                           const struct fw_event_about *about, uint64_t *ret_index, ...)
    __attribute__((sentinel));
/*
 * A download's log entry made ahead, in any thread and outside the writer's transaction, all but its time
 * (which only the writer may stamp, so that times follow the log's order): the entry's text with an empty
 * time at `head`, and the SHA-256 state of its leaf hash over everything before the time.
 */
#define FW_EVENT_DRAFT_MAX 1024
struct fw_event_draft {
	char text[FW_EVENT_DRAFT_MAX];
	size_t head, len;
	struct fw_sha256_state hash;
};
/* fw_event_download_draft: the draft of d's log entry (d->at_ms unused). FW_ETOOBIG if it cannot fit. */
FW_WUR int fw_event_download_draft(struct fw_store *s, const struct fw_download *d,
                                   struct fw_event_draft *ret);
/*
 * fw_event_download: records a download in the caller's transaction: its row (fw_store_download_insert: the
 * download is its own event "download", actor "partner:<id>") and its log entry, as fw_event_emitkv does for
 * other events, finished from draft (made by fw_event_download_draft for this same d) when not NULL. Sets
 * d->at_ms to the time recorded. *ret_index (may be NULL): the entry's index, the copy's receipt.
 */
FW_WUR int fw_event_download(struct fw_store *s, struct fw_download *d, const struct fw_event_draft *draft,
                             uint64_t *ret_index);

/* fw_ops_finish: commits when r is 0, else (or if the commit fails) rolls back; returns the outcome. */
FW_WUR int fw_ops_finish(struct fw_store *s, int r);

/*
 * fw_ops_partner_ref: the partner's reference in the log (docs/log.md), and, when ret_salt is not NULL, the
 * salt it recomputes the reference from: shown to that partner alone (GET /api/v1/me).
 */
FW_WUR int fw_ops_partner_ref(struct fw_store *s, const char *id, char ret_salt[FW_PARTNER_SALT_HEX],
                              char ret_ref[FW_PARTNER_REF_HEX]);

/* Policy context loaded from the store: tiers and rules. Release with fw_ops_policy_release. */
struct fw_ops_policy {
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_rule *rules;
	struct fw_policy_ctx ctx;
};
FW_WUR int fw_ops_policy_load(struct fw_store *s, struct fw_ops_policy *ret);
void fw_ops_policy_release(struct fw_ops_policy *p);

/* Partners. */
FW_WUR int fw_ops_partner_create(struct fw_store *s, const char *actor, struct fw_partner *p, int64_t now,
                                 struct fw_error *err);
/* fw_ops_partner_patch: applies a JSON patch body to partner `id`; *ret receives the result. */
FW_WUR int fw_ops_partner_patch(struct fw_store *s, const char *actor, const char *id, const char *body,
                                size_t len, int64_t now, struct fw_partner *ret, struct fw_error *err);
enum fw_partner_action { FW_PARTNER_SUSPEND, FW_PARTNER_REINSTATE, FW_PARTNER_REMOVE };
FW_WUR int fw_ops_partner_act(struct fw_store *s, const char *actor, const char *id,
                              enum fw_partner_action act, const char *reason, int64_t now,
                              struct fw_partner *ret, struct fw_error *err);

/* Tokens: secret is written to ret_secret (FW_TOKEN_LEN) and shown once; partner_id "" = admin. */
FW_WUR int fw_ops_token_issue(struct fw_store *s, const char *actor, const unsigned char key[FW_KEY_BYTES],
                              const char *partner_id, int64_t now, char ret_secret[FW_TOKEN_LEN],
                              struct fw_token *ret, struct fw_error *err);
/* fw_ops_token_issue_until: the same for a token that stops authenticating at expires_at (0: never). */
FW_WUR int fw_ops_token_issue_until(struct fw_store *s, const char *actor,
                                    const unsigned char key[FW_KEY_BYTES], const char *partner_id,
                                    int64_t now, int64_t expires_at, char ret_secret[FW_TOKEN_LEN],
                                    struct fw_token *ret, struct fw_error *err);
FW_WUR int fw_ops_token_revoke(struct fw_store *s, const char *actor, const char *partner_id,
                               const char *token_id, int64_t now, struct fw_error *err);

/* Tiers and rules: replace as a whole; tiers in use by a partner cannot disappear (FW_ECONFLICT). */
FW_WUR int fw_ops_tiers_set(struct fw_store *s, const char *actor, const struct fw_tier *t, size_t n,
                            int64_t now, struct fw_error *err);
FW_WUR int fw_ops_rules_set(struct fw_store *s, const char *actor, const struct fw_rule *r, size_t n,
                            int64_t now, struct fw_error *err);
/* fw_default_rules: the shipped mandatory-reporting rule (lead 0 h, summary only) for `countries`. */
void fw_default_rule(struct fw_rule *ret, const char *const *countries, size_t n);

/*
 * Advisories. create: a->id may be empty (one is made: "fw-YYYY-NNNN"); public_at 0 makes a draft, else it
 * must be in the future; the CVSS vector is checked and scored. The revision becomes number 1.
 */
FW_WUR int fw_ops_advisory_create(struct fw_store *s, const char *actor, struct fw_advisory *a,
                                  struct fw_revision *rev, int64_t public_at, int64_t now,
                                  struct fw_error *err);
/* fw_ops_advisory_revise: a new revision from a JSON body; not for withdrawn advisories. */
FW_WUR int fw_ops_advisory_revise(struct fw_store *s, const char *actor, const char *id, const char *body,
                                  size_t len, int64_t now, struct fw_advisory *ret, struct fw_error *err);
FW_WUR int fw_ops_advisory_schedule(struct fw_store *s, const char *actor, const char *id, int64_t public_at,
                                    int64_t now, struct fw_advisory *ret, struct fw_error *err);
FW_WUR int fw_ops_advisory_withdraw(struct fw_store *s, const char *actor, const char *id, const char *reason,
                                    int64_t now, struct fw_advisory *ret, struct fw_error *err);
FW_WUR int fw_ops_advisory_publish(struct fw_store *s, const char *actor, const char *id, int64_t now,
                                   struct fw_advisory *ret, struct fw_error *err);

/*
 * fw_ops_release_due: the scheduler's step: for every advisory due at `now`, records the deliveries now due
 * (exactly once), makes it public at T, and sets its next due instant. *ret_next: the next instant any
 * advisory is due (INT64_MAX: none). *ret_delivered: deliveries recorded (may be NULL).
 */
FW_WUR int fw_ops_release_due(struct fw_store *s, int64_t now, int64_t *ret_next, size_t *ret_delivered);

/* A download to record: plain values, so a job can outlive the request's caches. */
struct fw_download_job {
	char partner_id[FW_ID_MAX + 1];
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	unsigned parts;
	int64_t due_at;   /* when the partner's current access began (fw_ops_due_at) */
	char what[8];     /* "csaf" or "poc" */
	char address[64]; /* the client's address */
	int64_t now_ms;
	int delivered;            /* 1: this delivery was seen recorded earlier; skip re-recording it */
	unsigned char sha256[32]; /* of the exact bytes to be served (a sealed copy: of the copy inside) */
	int sealed;               /* served sealed to the partner's key (the operator's record says so) */
	int drafted;              /* 1: draft holds its log entry (fw_ops_download_prepare) */
	struct fw_event_draft draft;
};
/* fw_ops_due_at: when the partner's current access to the advisory began: T - lead, or T once public. */
int64_t fw_ops_due_at(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                      const struct fw_advisory *a, int64_t now);
/*
 * fw_ops_download_prepare: drafts the job's log entry (fw_event_download_draft) in the calling thread, so the
 * writer of fw_ops_record_downloads has only to stamp its time. Optional: a job without a draft is recorded
 * all the same. s: the calling thread's store (read only).
 */
FW_WUR int fw_ops_download_prepare(struct fw_store *s, struct fw_download_job *job);
/*
 * fw_ops_record_downloads: records each job's delivery (if new) and download with their events, all in one
 * durable transaction (group commit), before any of the copies is served. All or nothing. ret_indexes (may be
 * NULL; n entries) receives the log index of each download event: the copy's receipt.
 */
FW_WUR int fw_ops_record_downloads(struct fw_store *s, const struct fw_download_job *const *jobs, size_t n,
                                   uint64_t *ret_indexes);

/*
 * Partners' client certificates and authentication modes (lib/ops/cert.c, docs/security.md). A partner's mode
 * says what a request must present: a bearer token, a registered client certificate, both, or either (the
 * default, FW_AUTH_ANY: with no certificate registered, a token as before).
 */
enum fw_partner_auth { FW_AUTH_ANY = 0, FW_AUTH_TOKEN, FW_AUTH_CERT, FW_AUTH_TOKEN_CERT };
/* fw_partner_auth_name: "any", "token", "cert" or "token+cert". parse: FW_EINVAL for another text. */
const char *fw_partner_auth_name(int mode);
FW_WUR int fw_partner_auth_parse(const char *text, int *ret);
/* fw_ops_partner_auth: the partner's mode (FW_AUTH_ANY when never set). */
FW_WUR int fw_ops_partner_auth(struct fw_store *s, const char *partner_id, int *ret);
/* fw_ops_partner_auth_set: sets the mode (event partner.auth_changed); not for removed partners. */
FW_WUR int fw_ops_partner_auth_set(struct fw_store *s, const char *actor, const char *partner_id, int mode,
                                   int64_t now, struct fw_error *err);
/*
 * fw_ops_cert_register: registers c->fingerprint (with c->subject, c->not_after) to partner_id (event
 * cert.registered); *ret (may be NULL) gets the stored row. FW_ENOENT: no such partner; FW_ECONFLICT:
 * removed; FW_EEXIST: the fingerprint is registered already (to this or another partner, revoked or not).
 */
FW_WUR int fw_ops_cert_register(struct fw_store *s, const char *actor, const char *partner_id,
                                const struct fw_partner_cert *c, int64_t now, struct fw_partner_cert *ret,
                                struct fw_error *err);
/* fw_ops_cert_revoke: revokes the partner's certificate for good (event cert.revoked); FW_ENOENT if none. */
FW_WUR int fw_ops_cert_revoke(struct fw_store *s, const char *actor, const char *partner_id,
                              const char *fingerprint, int64_t now, struct fw_error *err);
/*
 * fw_ops_cert_refused: records that a client certificate was refused (event cert.refused): partner_id is the
 * partner it or the token named ("" if none), reason a word (docs/security.md), address the client's.
 */
FW_WUR int fw_ops_cert_refused(struct fw_store *s, const char *partner_id, const char *fingerprint,
                               const char *reason, const char *address);

/* A lockout of failed authentications (docs/security.md, "Limits and abuse"). */
struct fw_auth_lockout {
	const char *scope;     /* "address" or "token" */
	const char *address;   /* the client's address (IPv6: its /64) that made the failure that locked */
	const char *token_ref; /* token scope: the first 16 hex digits of the token's keyed hash; else NULL */
	unsigned failures;     /* how many failures locked it */
	unsigned window_s;     /* within how many seconds; the lockout lasts as long */
	int64_t until;         /* when the lockout ends */
	uint64_t suppressed;   /* lockouts since the last recorded one that were not recorded (budget) */
};
/*
 * fw_ops_auth_locked: records an "auth.locked" event (actor "anonymous") in its own transaction. Its detail
 * stays in the operator's row; the log entry says only that a lockout happened, and when.
 */
FW_WUR int fw_ops_auth_locked(struct fw_store *s, const struct fw_auth_lockout *l);

/*
 * fw_ops_data_key_rotate: in one transaction, re-seals every embargoed value under new_key (fw_store_rekey,
 * progress as there) and records the event "data_key.rotated" (detail: the old and new key ids). The caller
 * keeps new_key where the next opener will find it before calling, and purges afterwards (docs/security.md).
 * *ret_values (may be NULL): the values re-sealed.
 */
FW_WUR int fw_ops_data_key_rotate(struct fw_store *s, const char *actor, const struct fw_data_key *new_key,
                                  fw_rekey_cb progress, void *ctx, uint64_t *ret_values,
                                  struct fw_error *err);

#endif
