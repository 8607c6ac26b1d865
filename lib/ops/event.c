/*
 * The one place events are made: every state change and release passes through fw_event_emitkv, every
 * download through fw_event_download, inside the transaction of the act it records. Each event is a row for
 * the operator (events; a download's own row) and a canonical entry of the transparency log (docs/log.md),
 * which names partners only by pseudonym. A download's entry can be drafted ahead, all but its time.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/log.h"
#include "forewarn/ops.h"
#include "forewarn/partnerref.h"
#include "forewarn/timeutil.h"

/* Detail keys that may enter the log (docs/log.md); others (reasons, addresses, release times) stay in the
 * operator's rows. */
static const char *const public_keys[] = {"status", "tier", "parts", "what", "token", "key_id", NULL};

static int public_key(const char *k)
{
	for (size_t i = 0; public_keys[i]; i++)
		if (strcmp(k, public_keys[i]) == 0)
			return 1;
	return 0;
}

/*
 * Partner references need the operator's reference key, made on first use and kept in the store, never
 * changed. The key is read through a connection (one indexed row) and compared with the last one this thread
 * saw: a thread that opens another store then sees another key, and the references it keeps are dropped with
 * the old key. Read outside a transaction, it is committed and kept for that connection (fw_store_serial);
 * read inside one, it may have been made there and is kept for that transaction only (fw_store_tx_serial).
 */
#define REF_SLOTS 64
static _Thread_local struct {
	uint64_t store; /* the connection the key was read through (fw_store_serial), 0 if none */
	uint64_t tx;    /* the transaction it was read in, 0 if none */
	int committed;  /* read outside a transaction: good for as long as the connection */
	char hex[2 * FW_KEY_BYTES + 1];
	unsigned char key[FW_KEY_BYTES];
	struct {
		char id[FW_ID_MAX + 1];
		char ref[FW_PARTNER_REF_HEX];
	} refs[REF_SLOTS]; /* references are costly to derive (two hashes) and asked for on every download */
} rc;

static int ref_key(struct fw_store *s)
{
	char hex[2 * FW_KEY_BYTES + 1];
	uint64_t tx = fw_store_tx_serial(s), id = fw_store_serial(s);
	int r;

	if (rc.store == id && (rc.committed || (tx && rc.tx == tx)))
		return 0;
	r = fw_store_meta_get(s, "log_ref_key", hex, sizeof(hex));
	if (r == FW_ENOENT) {
		unsigned char key[FW_KEY_BYTES];
		fw_crypto_random(key, FW_KEY_BYTES);
		fw_crypto_hex(key, FW_KEY_BYTES, hex);
		fw_crypto_wipe(key, sizeof(key));
		r = fw_store_meta_set(s, "log_ref_key", hex);
	}
	if (r == 0 && strcmp(hex, rc.hex) != 0) {
		fw_crypto_wipe(&rc, sizeof(rc));
		for (size_t i = 0; r == 0 && i < FW_KEY_BYTES; i++) {
			unsigned v;
			if (sscanf(hex + 2 * i, "%2x", &v) != 1)
				r = FW_EIO;
			rc.key[i] = (unsigned char)v;
		}
		if (r == 0)
			memcpy(rc.hex, hex, sizeof(hex));
	}
	if (r == 0) {
		rc.store = id;
		rc.tx = tx;
		rc.committed = tx == 0;
	}
	fw_crypto_wipe(hex, sizeof(hex));
	return r;
}

int fw_ops_partner_ref(struct fw_store *s, const char *id, char ret_salt[FW_PARTNER_SALT_HEX],
                       char ret_ref[FW_PARTNER_REF_HEX])
{
	char salt[FW_PARTNER_SALT_HEX];
	size_t slot = 0, n = strlen(id);
	int r = ref_key(s);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		slot = slot * 31 + (unsigned char)id[i];
	slot %= REF_SLOTS;
	if (!ret_salt && strcmp(rc.refs[slot].id, id) == 0) {
		memcpy(ret_ref, rc.refs[slot].ref, FW_PARTNER_REF_HEX);
		return 0;
	}
	fw_partner_salt(rc.key, id, salt);
	fw_partner_ref(salt, id, ret_ref);
	if (n <= FW_ID_MAX) {
		memcpy(rc.refs[slot].id, id, n + 1);
		memcpy(rc.refs[slot].ref, ret_ref, FW_PARTNER_REF_HEX);
	}
	if (ret_salt)
		memcpy(ret_salt, salt, sizeof(salt));
	fw_crypto_wipe(salt, sizeof(salt));
	return 0;
}

static int kv(struct fw_buf *b, int *first, const char *k, const char *v)
{
	int r = fw_buf_puts(b, *first ? "" : ",");

	*first = 0;
	if (r == 0)
		r = fw_json_string_write(k, b);
	if (r == 0)
		r = fw_buf_puts(b, ":");
	if (r == 0)
		r = fw_json_string_write(v ? v : "", b);
	return r;
}

/*
 * The log entry: a JSON object with its keys in a fixed (alphabetical) order and no spaces, so the same
 * event always gives the same bytes: actor, advisory, detail, partner, revision, sha256, time, type, v.
 * *ret_time_at: where the time's text begins in b.
 */
static int leaf(struct fw_buf *b, const char *type, const char *actor, const struct fw_event_about *about,
                const char *ref, const char *time, const char *const *pairs, size_t npairs,
                size_t *ret_time_at)
{
	char hex[65];
	int r, first = 1;

	r = fw_buf_puts(b, "{\"actor\":");
	if (r == 0)
		r = fw_json_string_write(actor, b);
	if (r == 0 && about->advisory_id) {
		r = fw_buf_puts(b, ",\"advisory\":");
		if (r == 0)
			r = fw_json_string_write(about->advisory_id, b);
	}
	if (r == 0)
		r = fw_buf_puts(b, ",\"detail\":{");
	for (size_t i = 0; r == 0 && i < npairs; i += 2)
		if (public_key(pairs[i]))
			r = kv(b, &first, pairs[i], pairs[i + 1]);
	if (r == 0)
		r = fw_buf_puts(b, "}");
	if (r == 0 && ref)
		r = fw_buf_printf(b, ",\"partner\":\"%s\"", ref);
	if (r == 0 && about->revision > 0)
		r = fw_buf_printf(b, ",\"revision\":%d", about->revision);
	if (r == 0 && about->sha256) {
		fw_crypto_hex(about->sha256, 32, hex);
		r = fw_buf_printf(b, ",\"sha256\":\"%s\"", hex);
	}
	if (r == 0)
		r = fw_buf_puts(b, ",\"time\":\"");
	*ret_time_at = b->len;
	if (r == 0)
		r = fw_buf_puts(b, time);
	if (r == 0)
		r = fw_buf_puts(b, "\",\"type\":");
	if (r == 0)
		r = fw_json_string_write(type, b);
	if (r == 0)
		r = fw_buf_puts(b, ",\"v\":1}");
	return r;
}

/*
 * record: an event's operator row e (all but its seq; the detail only when want_detail) and its log entry,
 * stamped with the same time (or, unless stamp, with none: an empty time whose place goes to *ret_time_at);
 * the caller stores the row, then appends the entry.
 */
static int record(struct fw_store *s, const char *type, const char *actor, const struct fw_event_about *about,
                  const char *const *pairs, size_t npairs, int want_detail, int stamp, struct fw_event *e,
                  struct fw_buf *entry, size_t *ret_time_at)
{
	char ref[FW_PARTNER_REF_HEX], time[FW_RFC3339_LEN] = "", log_actor[96], hex[65];
	struct fw_buf detail;
	int r = 0, first = 1;

	memset(e, 0, sizeof(*e));
	if (stamp) {
		e->at_ms = fw_time_now_ms();
		fw_time_format_ms(e->at_ms, time);
	}
	/* Callers pass fixed type names and bounded ids; truncation here would be a bug, not input. */
	snprintf(e->type, sizeof(e->type), "%s", type);
	snprintf(e->actor, sizeof(e->actor), "%s", actor ? actor : "");
	if (about->advisory_id && about->partner_id)
		snprintf(e->subject, sizeof(e->subject), "%s/%s", about->advisory_id, about->partner_id);
	else
		snprintf(e->subject, sizeof(e->subject), "%s",
		         about->partner_id    ? about->partner_id
		         : about->advisory_id ? about->advisory_id
		                              : "");

	/* The operator's row: every pair, with the revision and the hash of the bytes delivered. */
	fw_buf_init(&detail, sizeof(e->detail) - 1);
	if (want_detail) {
		r = fw_buf_puts(&detail, "{");
		for (size_t i = 0; r == 0 && i < npairs; i += 2)
			r = kv(&detail, &first, pairs[i], pairs[i + 1]);
		if (r == 0 && about->revision > 0) {
			r = fw_buf_printf(&detail, "%s\"revision\":%d", first ? "" : ",", about->revision);
			first = 0;
		}
		if (r == 0 && about->sha256) {
			fw_crypto_hex(about->sha256, 32, hex);
			r = fw_buf_printf(&detail, "%s\"sha256\":\"%s\"", first ? "" : ",", hex);
		}
		if (r == 0)
			r = fw_buf_puts(&detail, "}");
		if (r == 0)
			memcpy(e->detail, detail.data, detail.len + 1);
	}

	/* The log's entry: partners by reference only, in the subject and as actor. */
	if (r == 0 && about->partner_id)
		r = fw_ops_partner_ref(s, about->partner_id, NULL, ref);
	snprintf(log_actor, sizeof(log_actor), "%s", e->actor);
	if (r == 0 && strncmp(e->actor, "partner:", 8) == 0) {
		char aref[FW_PARTNER_REF_HEX];
		r = fw_ops_partner_ref(s, e->actor + 8, NULL, aref);
		snprintf(log_actor, sizeof(log_actor), "partner:%s", aref);
	}
	if (r == 0)
		r = leaf(entry, type, log_actor, about, about->partner_id ? ref : NULL, time, pairs, npairs,
		         ret_time_at);
	fw_buf_release(&detail);
	return r;
}

int fw_event_emitkv(struct fw_store *s, const char *type, const char *actor,
                    const struct fw_event_about *about, uint64_t *ret_index, ...)
{
	static const struct fw_event_about none = {.advisory_id = NULL};
	const char *pairs[16];
	struct fw_buf entry;
	struct fw_event e;
	size_t npairs = 0, at;
	uint64_t index;
	const char *k;
	va_list ap;
	int r = 0;

	about = about ? about : &none;
	va_start(ap, ret_index);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (npairs + 2 > sizeof(pairs) / sizeof(pairs[0])) {
			r = FW_EINVAL; /* a caller's bug: more pairs than any event has */
			break;
		}
		pairs[npairs++] = k;
		pairs[npairs++] = v ? v : "";
	}
	va_end(ap);
	if (r < 0)
		return r;
	fw_buf_init(&entry, FW_LOG_ENTRY_MAX);
	r = record(s, type, actor, about, pairs, npairs, 1, 1, &e, &entry, &at);
	if (r == 0)
		r = fw_store_event_insert(s, &e, NULL);
	if (r == 0)
		r = fw_log_append(s, entry.data, entry.len, &index);
	fw_buf_release(&entry);
	if (r == 0 && ret_index)
		*ret_index = index;
	return r;
}

/* download: the download's event as record() makes it: actor partner:<id>, detail what and address. */
static int download(struct fw_store *s, const struct fw_download *d, int stamp, struct fw_event *e,
                    struct fw_buf *entry, size_t *ret_time_at)
{
	const struct fw_event_about about = {.advisory_id = d->advisory_id,
	                                     .revision = d->revision,
	                                     .partner_id = d->partner_id,
	                                     .sha256 = d->sha256};
	const char *pairs[] = {"what", d->what, "address", d->address};
	char actor[FW_ID_MAX + 9];

	snprintf(actor, sizeof(actor), "partner:%s", d->partner_id);
	return record(s, "download", actor, &about, pairs, 4, 0, stamp, e, entry, ret_time_at);
}

int fw_event_download_draft(struct fw_store *s, const struct fw_download *d, struct fw_event_draft *ret)
{
	static const unsigned char leaf_prefix = 0x00; /* RFC 6962: a leaf hash is SHA-256(0x00 || entry) */
	struct fw_buf entry;
	struct fw_event e;
	size_t at = 0;
	int r;

	fw_buf_init(&entry, sizeof(ret->text) - 1);
	r = download(s, d, 0, &e, &entry, &at);
	if (r == 0) {
		memcpy(ret->text, entry.data, entry.len);
		ret->len = entry.len;
		ret->head = at;
		fw_sha256_init(&ret->hash);
		fw_sha256_update(&ret->hash, &leaf_prefix, 1);
		fw_sha256_update(&ret->hash, ret->text, at);
	}
	fw_buf_release(&entry);
	return r;
}

/*
 * A download's row is its own event (store.h): the store shows it with the detail record() would have
 * written (what, address, revision, sha256), so only the log entry is made here, or finished from its draft:
 * the time goes between the draft's head and tail, and into the hash begun over the head.
 */
int fw_event_download(struct fw_store *s, struct fw_download *d, const struct fw_event_draft *draft,
                      uint64_t *ret_index)
{
	char time[FW_RFC3339_LEN], text[FW_EVENT_DRAFT_MAX + FW_RFC3339_LEN];
	unsigned char leaf[32];
	struct fw_sha256_state hash;
	struct fw_buf entry;
	struct fw_event e;
	uint64_t index;
	size_t at, tn;
	int r;

	if (!draft) {
		fw_buf_init(&entry, FW_LOG_ENTRY_MAX);
		r = download(s, d, 1, &e, &entry, &at);
		if (r == 0) {
			d->at_ms = e.at_ms; /* the time of its event and of its log entry */
			r = fw_store_download_insert(s, d);
		}
		if (r == 0)
			r = fw_log_append(s, entry.data, entry.len, &index);
		fw_buf_release(&entry);
	} else {
		assert(draft->head <= draft->len && draft->len < sizeof(draft->text));
		d->at_ms = fw_time_now_ms();
		fw_time_format_ms(d->at_ms, time);
		tn = strlen(time);
		memcpy(text, draft->text, draft->head);
		memcpy(text + draft->head, time, tn);
		memcpy(text + draft->head + tn, draft->text + draft->head, draft->len - draft->head);
		hash = draft->hash;
		fw_sha256_update(&hash, time, tn);
		fw_sha256_update(&hash, draft->text + draft->head, draft->len - draft->head);
		fw_sha256_final(&hash, leaf);
		r = fw_store_download_insert(s, d);
		if (r == 0)
			r = fw_log_append_hashed(s, text, draft->len + tn, leaf, &index);
	}
	if (r == 0 && ret_index)
		*ret_index = index;
	return r;
}
