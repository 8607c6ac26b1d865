/*
 * JSON codecs of the admin and partner APIs (jansson stays inside lib/format). Parsers reject malformed JSON,
 * duplicate keys, unknown fields and wrong types with FW_EINVAL and an fw_error naming the field; they write
 * their out-parameters only on success. Writers append one JSON value to a buffer.
 */
#ifndef FW_JSON_H
#define FW_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/model.h"
#include "forewarn/store.h"
#include "forewarn/trace.h"

/*
 * fw_json_partner_parse: a partner body. Create (patch = 0): *p is filled from scratch; id, name, country and
 * tier are required; entitlements default to summary, details, detection. Patch (patch = 1): the fields
 * present are applied on top of *p (id and status may only repeat the current value).
 */
FW_WUR int fw_json_partner_parse(const char *body, size_t len, int patch, struct fw_partner *p,
                                 struct fw_error *err);
FW_WUR int fw_json_partner_write(const struct fw_partner *p, struct fw_buf *out);

/* Tiers: {"tiers": [{"name": "vetted", "lead_hours": 120}, ...]} */
FW_WUR int fw_json_tiers_parse(const char *body, size_t len, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n,
                               struct fw_error *err);
FW_WUR int fw_json_tiers_write(const struct fw_tier *t, size_t n, struct fw_buf *out);

/* Rules: {"rules": [{"id", "description", "countries": [..], "max_lead_hours", "parts": [..]}]}; *ret
 * malloc'd. */
FW_WUR int fw_json_rules_parse(const char *body, size_t len, struct fw_rule **ret, size_t *ret_n,
                               struct fw_error *err);
FW_WUR int fw_json_rules_write(const struct fw_rule *r, size_t n, struct fw_buf *out);

/*
 * fw_json_advisory_parse: a new advisory: {"id"?, "title", "cves", "products", "cvss_v3", "public_at"?,
 * "note"?, "parts": {"summary", "details", "detection", "poc"}}, or {"id"?, "public_at"?, "csaf": {...}} to
 * import a CSAF 2.0 document. *ret_public_at is 0 when absent. rev->parts are heap strings owned by the
 * caller. The CVSS vector is not checked here.
 */
FW_WUR int fw_json_advisory_parse(const char *body, size_t len, struct fw_advisory *a,
                                  struct fw_revision *rev, int64_t *ret_public_at, struct fw_error *err);
/*
 * fw_json_revision_parse: a new revision: {"note"?, "parts": {...}, "title"?, "cves"?, "products"?,
 * "cvss_v3"?}. Metadata fields present replace those of *a; parts absent from "parts" are absent from the
 * revision.
 */
FW_WUR int fw_json_revision_parse(const char *body, size_t len, struct fw_advisory *a,
                                  struct fw_revision *rev, struct fw_error *err);
/* fw_json_schedule_parse: {"public_at": "RFC 3339"}. */
FW_WUR int fw_json_schedule_parse(const char *body, size_t len, int64_t *ret, struct fw_error *err);
/* fw_json_empty_parse: the body of an action route: empty, or {} (or {"reason": "..."} when reason != NULL).
 */
FW_WUR int fw_json_action_parse(const char *body, size_t len, char *reason, size_t reasonsz,
                                struct fw_error *err);
/*
 * fw_json_seal_key_parse: {"public_key": "<base64>"} (PUT .../seal-key); the string, unchecked, into ret_b64
 * (b64sz bytes, NUL-terminated; longer is FW_EINVAL naming the field).
 */
FW_WUR int fw_json_seal_key_parse(const char *body, size_t len, char *ret_b64, size_t b64sz,
                                  struct fw_error *err);

#define FW_TOKEN_TTL_MAX (3650LL * 86400) /* a token is issued for at most ten years */
/*
 * fw_json_token_parse: the body of a token issue: empty, {}, {"expires_in": "30d"} (fw_duration_parse: 1 s
 * to FW_TOKEN_TTL_MAX) or {"expires_at": "RFC 3339"} (after now, at most FW_TOKEN_TTL_MAX ahead); null in
 * either means never, and only one may be given. *ret_expires_at: when the token stops working, 0 for never.
 */
FW_WUR int fw_json_token_parse(const char *body, size_t len, int64_t now, int64_t *ret_expires_at,
                               struct fw_error *err);

/* fw_json_advisory_write: the admin view; rev (may be NULL) adds the current parts' texts. */
FW_WUR int fw_json_advisory_write(const struct fw_advisory *a, const struct fw_revision *rev,
                                  struct fw_buf *out);
/* fw_json_revision_meta_write: {"number", "created_at", "note", "parts": [...]}. */
FW_WUR int fw_json_revision_meta_write(const struct fw_revision *r, unsigned parts, struct fw_buf *out);
/*
 * fw_json_inbox_item_write: what a partner's inbox lists: {"id", "title", "cves", "revision", "parts", "tlp",
 * "public_at", "status"}. It is written in two pieces, so that the first can be made once and kept:
 * fw_json_inbox_item_head, the same for every partner ({"id", "title", "cves", "revision", without its
 * closing brace), then fw_json_inbox_item_tail, which depends on what the partner may see now.
 */
FW_WUR int fw_json_inbox_item_write(const struct fw_advisory *a, unsigned parts, int is_public,
                                    struct fw_buf *out);
FW_WUR int fw_json_inbox_item_head(const struct fw_advisory *a, struct fw_buf *out);
FW_WUR int fw_json_inbox_item_tail(unsigned parts, int is_public, int64_t public_at, struct fw_buf *out);
FW_WUR int fw_json_delivery_write(const struct fw_delivery *d, struct fw_buf *out);
FW_WUR int fw_json_download_write(const struct fw_download *d, struct fw_buf *out);
FW_WUR int fw_json_event_write(const struct fw_event *e, struct fw_buf *out);
FW_WUR int fw_json_token_write(const struct fw_token *t, const char *secret, struct fw_buf *out);
/* fw_json_error_write: {"error": {"status", "code", "field"?, "message"}}. */
FW_WUR int fw_json_error_write(int status, const char *code, const char *field, const char *message,
                               struct fw_buf *out);
/* fw_json_string_write: a JSON string literal for s (escaped). */
FW_WUR int fw_json_string_write(const char *s, struct fw_buf *out);

/*
 * fw_json_table: renders the array under `key` of a JSON object (or the object itself when key is NULL and
 * it is not an array) as a text table with the given columns (dotted paths allowed; arrays joined by ",").
 * Used by the command-line client.
 */
FW_WUR int fw_json_table(const char *json, size_t len, const char *key, const char *const *columns,
                         struct fw_buf *out);
/* fw_json_get_string: the string at top-level key of a JSON object into out; FW_ENOENT if absent. */
FW_WUR int fw_json_get_string(const char *json, size_t len, const char *key, char *out, size_t outsz);

/*
 * Helpers of the command-line client, which must not include jansson.
 * fw_json_get_text: appends the value at a dotted path ("a.b", "leaks.0.advisory": a decimal segment
 * indexes an array) of a JSON object to out: a string as it is (any
 * length), another value as fw_json_table renders a cell. FW_ENOENT if the path is absent or null, or the
 * JSON is malformed.
 */
FW_WUR int fw_json_get_text(const char *json, size_t len, const char *path, struct fw_buf *out);
/* fw_json_fields: the given dotted paths of a JSON object as aligned "path: value" lines ("-": none). */
FW_WUR int fw_json_fields(const char *json, size_t len, const char *const *fields, struct fw_buf *out);
/* fw_json_check_object: 0 if text is one JSON object without duplicate keys, else FW_EINVAL and where. */
FW_WUR int fw_json_check_object(const char *text, size_t len, struct fw_error *err);

/*
 * fw_json_each_text: for each element of the array at a dotted path of a JSON object (duplicate keys
 * refused), calls cb(ctx, i, text, len) with the element itself (field NULL) or the element's field: a string
 * as it is (NUL-terminated; \u0000 is refused), an integer in decimal. Returns 0; FW_ENOENT if the path is
 * absent or not an array; FW_EINVAL if the JSON is malformed or not an object, or an element (or its field)
 * is missing or neither a string nor an integer; else the first non-zero value of cb, which stops the walk.
 */
typedef int (*fw_json_text_cb)(void *ctx, size_t i, const char *text, size_t len);
FW_WUR int fw_json_each_text(const char *json, size_t len, const char *path, const char *field,
                             fw_json_text_cb cb, void *ctx);

/*
 * Leak tracing (POST /api/v1/trace): the body {"text": "...", "advisory": "id"?} for one leaked text, or
 * {"leaks": [{"text", "advisory"?}, ...]} for 1 to FW_TRACE_LEAKS_MAX texts whose evidence adds up. *ret gets
 * n texts (heap strings, released with fw_trace_request_release) and their advisories ("" when absent).
 * The answer {"advisory", "revision", "revisions", "positions", "length", "partners", "accuse_threshold",
 * "investigate_threshold", "accused": [{"partner", "score", "threshold", "bound", "positions"}],
 * "investigate": [...], "leaks": [{"advisory", "revision", "positions"}]}: thresholds that no score can
 * reach are null.
 */
struct fw_trace_request {
	size_t n;
	char *text[FW_TRACE_LEAKS_MAX];
	size_t len[FW_TRACE_LEAKS_MAX];
	char advisory[FW_TRACE_LEAKS_MAX][FW_ID_MAX + 1];
};
struct fw_trace_result;
FW_WUR int fw_json_trace_parse(const char *body, size_t len, struct fw_trace_request *ret,
                               struct fw_error *err);
void fw_trace_request_release(struct fw_trace_request *q);
FW_WUR int fw_json_trace_write(const struct fw_trace_result *r, struct fw_buf *out);

/*
 * Client certificates (lib/format/json_cert.c). fw_json_cert_parse: {"certificate": "PEM"} or {"fingerprint":
 * "sha256:HEX"}: *ret_pem is the PEM text (malloc()ed, the caller frees it), or NULL with the fingerprint as
 * given in ret_fp (not yet checked). fw_json_auth_parse: {"auth": "MODE"}, the mode as given (not checked).
 * fw_json_cert_write: {"fingerprint", "partner", "subject", "created_at", "revoked_at", "not_after"}.
 */
#define FW_JSON_FP_TEXT_MAX 200 /* a fingerprint as people write it: with colons, in either case */
FW_WUR int fw_json_cert_parse(const char *body, size_t len, char **ret_pem, char ret_fp[FW_JSON_FP_TEXT_MAX],
                              struct fw_error *err);
FW_WUR int fw_json_auth_parse(const char *body, size_t len, char ret[16], struct fw_error *err);
FW_WUR int fw_json_cert_write(const struct fw_partner_cert *c, struct fw_buf *out);

/*
 * Webhooks (docs/webhooks.md). fw_json_webhook_parse: {"url": "...", "content": "sealed"|"none"} into url
 * (urlsz bytes) and *ret_content (FW_WEBHOOK_CONTENT_*, may be NULL; "none" when absent); the URL itself
 * is checked by fw_webhook_url_validate. fw_json_webhook_write: {"partner", "url", "content", "created_at",
 * "updated_at"} and "secret" when secret is not NULL (shown once). fw_json_outbox_write: an outbox item as
 * the operator sees it (docs/api.md), without its payload's bytes.
 */
FW_WUR int fw_json_webhook_parse(const char *body, size_t len, char *url, size_t urlsz, int *ret_content,
                                 struct fw_error *err);
FW_WUR int fw_json_webhook_write(const struct fw_webhook *w, const char *secret, struct fw_buf *out);
FW_WUR int fw_json_outbox_write(const struct fw_outbox *o, struct fw_buf *out);

#endif
