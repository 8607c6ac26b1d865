/*
 * Webhooks: registrations (URL checks, secrets derived from the server's key, never stored) and the durable
 * outbox of release notifications: enqueued with the delivery they announce, claimed under a lease, checked
 * against policy once more before each send (I1), and settled with backoff, set-aside and events.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "forewarn/json.h"
#include "forewarn/ops.h"
#include "forewarn/seal.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"

static const char *const state_names[FW_OUTBOX_STATES] = {"pending", "delivered", "failed", "skipped"};

const char *fw_outbox_state_name(enum fw_outbox_state st)
{
	return (unsigned)st < FW_OUTBOX_STATES ? state_names[st] : "unknown";
}

int fw_outbox_state_parse(const char *s)
{
	for (int i = 0; i < FW_OUTBOX_STATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

/* URLs. */

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* host_name_ok: a DNS name: labels of 1-63 letters, digits and '-', not starting or ending with '-'. */
static int host_name_ok(const char *h, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
		} else if (is_alnum(h[i]) || h[i] == '-') {
			if ((label == 0 && h[i] == '-') || ++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return h[n - 1] != '-' && h[n - 1] != '.';
}

/* ipv4_parse: h[0..n) as a dotted quad into a[4]; 0 if it is not one. */
static int ipv4_parse(const char *h, size_t n, unsigned a[4])
{
	unsigned parts = 0, v = 0, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (digits == 0 || v > 255 || parts == 4)
				return 0;
			a[parts++] = v;
			v = digits = 0;
		} else if (h[i] >= '0' && h[i] <= '9' && digits < 3) {
			v = v * 10 + (unsigned)(h[i] - '0');
			digits++;
		} else {
			return 0;
		}
	}
	return parts == 4;
}

static int bad(struct fw_error *err, const char *msg)
{
	return fw_error_set(err, FW_EINVAL, "url", "%s", msg);
}

/* ends_with: 1 if h[0..n) is suffix (without its leading dot) or ends with it, case aside. */
static int ends_with(const char *h, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	if (n == k - 1 && strncasecmp(h, suffix + 1, k - 1) == 0)
		return 1;
	return n > k && strncasecmp(h + n - k, suffix, k) == 0;
}

int fw_webhook_url_public(const char *url, struct fw_error *err)
{
	static const char *const local[] = {".localhost", ".local", ".internal", ".home.arpa",
	                                    ".localdomain"};
	const char *host, *end, *last;
	unsigned a[4];
	size_t hn;
	int numeric, hex = 0;

	if (strncasecmp(url, "https://", 8) != 0)
		return bad(err, "must use https:// (only the operator may register an http:// URL)");
	host = url + 8;
	end = host + strcspn(host, "/?#");
	if (*host == '[')
		return bad(err, "must name a host, not an IPv6 address (only the operator may)");
	hn = strcspn(host, ":/?#");
	if (host + hn > end)
		hn = (size_t)(end - host);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (ends_with(host, hn, local[i]))
			return bad(
			    err, "names a local host (only the operator may point a webhook at its network)");
	/*
	 * A DNS name's last label is never all digits (RFC 3696): a host whose last label is a number in any
	 * base (2130706433, 0x7f.1, 127.1) is an address, which is read only as a plain dotted quad.
	 */
	last = host + hn;
	while (last > host && last[-1] != '.')
		last--;
	if (last + 2 <= host + hn && last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
		hex = 1, last += 2;
	numeric = hex || last < host + hn;
	for (const char *q = last; q < host + hn; q++)
		if (!(hex ? is_hex(*q) : *q >= '0' && *q <= '9'))
			numeric = 0;
	if (!numeric)
		return 0;
	if (!ipv4_parse(host, hn, a))
		return bad(err, "must name a host or a dotted IPv4 address");
	{
		const unsigned char ip[4] = {(unsigned char)a[0], (unsigned char)a[1], (unsigned char)a[2],
		                             (unsigned char)a[3]};
		if (!fw_webhook_address_public(ip, 4))
			return bad(err,
			           "names a private, loopback or reserved address (only the operator may)");
	}
	return 0;
}

/* Outside "this network", private, loopback, shared, link-local, documentation, benchmarking, multicast and
 * reserved ranges (RFC 6890). */
static int ipv4_public(const unsigned char *a)
{
	return !(a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
	         (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254) ||
	         (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	         (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) ||
	         (a[0] == 198 && (a[1] & 0xfe) == 18) || (a[0] == 198 && a[1] == 51 && a[2] == 100) ||
	         (a[0] == 203 && a[1] == 0 && a[2] == 113));
}

int fw_webhook_address_public(const unsigned char *addr, size_t len)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};

	if (len == 4)
		return ipv4_public(addr);
	if (len != 16)
		return 0;
	/* IPv4 inside IPv6: mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) name it. */
	if (memcmp(addr, mapped, 12) == 0 || memcmp(addr, nat64, 12) == 0)
		return ipv4_public(addr + 12);
	if (addr[0] == 0x20 && addr[1] == 0x02)
		return ipv4_public(addr + 2);
	/* Global unicast only (2000::/3), less IETF special purposes (2001::/23, Teredo included) and
	 * documentation (2001:db8::/32, 3fff::/20): never loopback, unspecified, unique local, link-local or
	 * multicast. */
	if ((addr[0] & 0xe0) != 0x20)
		return 0;
	if (addr[0] == 0x20 && addr[1] == 0x01 &&
	    ((addr[2] & 0xfe) == 0 || (addr[2] == 0x0d && addr[3] == 0xb8)))
		return 0;
	return !(addr[0] == 0x3f && addr[1] == 0xff && (addr[2] & 0xf0) == 0);
}

int fw_webhook_url_validate(const char *url, struct fw_error *err)
{
	const char *host, *p, *end;
	size_t n = strnlen(url, FW_WEBHOOK_URL_MAX + 1), hn;
	int https, loopback = 0;

	if (n == 0)
		return bad(err, "is required");
	if (n > FW_WEBHOOK_URL_MAX)
		return fw_error_set(err, FW_EINVAL, "url", "is too long (at most %d bytes)",
		                    FW_WEBHOOK_URL_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c))
			return bad(
			    err, "must be printable ASCII without spaces (percent-encode other characters)");
	}
	https = strncasecmp(url, "https://", 8) == 0;
	if (!https && strncasecmp(url, "http://", 7) != 0)
		return bad(err, "must start with https://");
	host = url + (https ? 8 : 7);
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return bad(err, "must not hold a user name or password");
	/* The host ends at the port's colon, outside an IPv6 literal's brackets. */
	if (*host == '[') {
		p = memchr(host, ']', (size_t)(end - host));
		if (!p || p == host + 1 || p - host > 46)
			return bad(err, "has a malformed IPv6 address");
		for (const char *q = host + 1; q < p; q++)
			if (!is_hex(*q) && *q != ':' && *q != '.')
				return bad(err, "has a malformed IPv6 address");
		hn = (size_t)(p - host) + 1;
		loopback = hn == 5 && strncmp(host, "[::1]", 5) == 0;
	} else {
		p = memchr(host, ':', (size_t)(end - host));
		hn = (size_t)((p ? p : end) - host);
		if (hn == 0)
			return bad(err, "has no host");
		if (!host_name_ok(host, hn))
			return bad(err, "has a malformed host name");
		unsigned a[4];
		loopback = (ipv4_parse(host, hn, a) && a[0] == 127) ||
		           (hn == 9 && strncasecmp(host, "localhost", 9) == 0);
	}
	p = host + hn;
	if (p < end) {
		unsigned long port = 0;
		if (*p++ != ':' || p == end)
			return bad(err, "has a malformed port");
		for (; p < end; p++) {
			if (*p < '0' || *p > '9' || (port = port * 10 + (unsigned long)(*p - '0')) > 65535)
				return bad(err, "has a malformed port (1 to 65535)");
		}
		if (port == 0)
			return bad(err, "has a malformed port (1 to 65535)");
	}
	if (!https && !loopback)
		return bad(err, "must use https:// (http:// only to a loopback address)");
	for (p = end; *p; p++) {
		if (*p == '#')
			return bad(err, "must not have a fragment (#...)");
		if (*p == '%' && !(is_hex(p[1]) && is_hex(p[2])))
			return bad(err, "has a malformed percent-escape");
		if (!is_alnum(*p) && !strchr("-._~!$&'()*+,;=:@/?%", *p))
			return bad(
			    err, "must be printable ASCII without spaces (percent-encode other characters)");
	}
	return 0;
}

/* Secrets and signatures. */

#define SECRET_CONTEXT "forewarn-webhook-secret-v1\n"

void fw_webhook_secret(const unsigned char key[FW_KEY_BYTES], const struct fw_webhook *w,
                       char ret[FW_WEBHOOK_SECRET_LEN])
{
	char ctx[sizeof(SECRET_CONTEXT) + FW_ID_MAX + 1 + FW_WEBHOOK_NONCE_HEX];
	unsigned char raw[32];
	int n = snprintf(ctx, sizeof(ctx), SECRET_CONTEXT "%s\n%s", w->partner_id, w->nonce);

	fw_crypto_stream(key, ctx, (size_t)n, raw, sizeof(raw));
	memcpy(ret, "whsec_", 6);
	fw_crypto_hex(raw, sizeof(raw), ret + 6);
	fw_crypto_wipe(raw, sizeof(raw));
}

void fw_webhook_sign(const char *secret, int64_t timestamp, const char *body, size_t len,
                     char ret[FW_WEBHOOK_SIGNATURE_MAX])
{
	unsigned char mac[32];
	char prefix[24];
	int n = snprintf(prefix, sizeof(prefix), "%lld.", (long long)timestamp);

	fw_hmac_sha256(secret, strlen(secret), prefix, (size_t)n, body, len, mac);
	n = snprintf(ret, FW_WEBHOOK_SIGNATURE_MAX, "t=%lld,v1=", (long long)timestamp);
	fw_crypto_hex(mac, sizeof(mac), ret + n);
}

/* Registrations. */

/* url_host: the URL's host (and port) for the operator's events: never its path or query, which may hold a
 * receiver's own secret. */
static void url_host(const char *url, char *out, size_t outsz)
{
	const char *h = strstr(url, "://");

	h = h ? h + 3 : url;
	snprintf(out, outsz, "%.*s", (int)strcspn(h, "/?#"), h);
}

int fw_ops_webhook_set(struct fw_store *s, const char *actor, const unsigned char key[FW_KEY_BYTES],
                       const char *partner_id, const char *url, int content, int by_operator, int64_t now,
                       char ret_secret[FW_WEBHOOK_SECRET_LEN], struct fw_webhook *ret, struct fw_error *err)
{
	struct fw_webhook w, old;
	struct fw_seal_key k;
	struct fw_partner p;
	unsigned char nonce[16];
	char host[300];
	int r;

	r = fw_webhook_url_validate(url, err);
	/* A partner's own URL must lead to a public host, never to the server's own network. */
	if (r == 0 && !by_operator)
		r = fw_webhook_url_public(url, err);
	if (r < 0)
		return r;
	memset(&w, 0, sizeof(w));
	snprintf(w.partner_id, sizeof(w.partner_id), "%s", partner_id);
	memcpy(w.url, url, strlen(url) + 1);
	w.content =
	    content == FW_WEBHOOK_CONTENT_SEALED ? FW_WEBHOOK_CONTENT_SEALED : FW_WEBHOOK_CONTENT_NONE;
	fw_crypto_random(nonce, sizeof(nonce));
	fw_crypto_hex(nonce, sizeof(nonce), w.nonce);
	w.created_at = w.updated_at = now;
	w.by_operator = by_operator != 0;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_partner_get(s, partner_id, &p);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, NULL, "no partner \"%.64s\"", partner_id);
	if (r == 0 && p.status == FW_PARTNER_REMOVED)
		r = fw_error_set(err, FW_ECONFLICT, "status", "partner \"%s\" has been removed", partner_id);
	/* Content goes out only sealed: no key now, no opt-in (a key removed later is handled at send time).
	 */
	if (r == 0 && w.content == FW_WEBHOOK_CONTENT_SEALED) {
		r = fw_ops_seal_key_get(s, partner_id, &k);
		if (r == FW_ENOENT)
			r = fw_error_set(
			    err, FW_EINVAL, "content",
			    "\"sealed\" needs a sealing key: register an X25519 public key with PUT "
			    "/api/v1/me/seal-key first");
	}
	if (r < 0)
		goto out;
	r = fw_store_webhook_get(s, partner_id, &old);
	if (r == 0)
		w.created_at = old.created_at;
	else if (r != FW_ENOENT)
		goto out;
	r = fw_store_webhook_put(s, &w);
	url_host(url, host, sizeof(host));
	if (r == 0)
		r = fw_event_emitkv(s, "webhook.set", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, "host", host,
		                    "content", w.content ? "sealed" : "none", NULL);
out:
	r = fw_ops_finish(s, r);
	if (r == 0) {
		fw_webhook_secret(key, &w, ret_secret);
		if (ret)
			*ret = w;
	}
	return r;
}

int fw_ops_webhook_remove(struct fw_store *s, const char *actor, const char *partner_id, struct fw_error *err)
{
	int r = fw_store_begin(s);

	if (r < 0)
		return r;
	r = fw_store_webhook_delete(s, partner_id);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, NULL, "partner \"%.64s\" has no webhook", partner_id);
	if (r == 0)
		r = fw_event_emitkv(s, "webhook.removed", actor,
		                    &(struct fw_event_about){.partner_id = partner_id}, NULL, NULL);
	return fw_ops_finish(s, r);
}

/* The outbox. */

/* payload: the notification's body. Names the parts now available, never their content (I1). */
static int payload(const struct fw_outbox *o, struct fw_buf *b)
{
	char at[FW_RFC3339_LEN];
	int r, n = 0;

	fw_time_format_ms(o->created_ms, at);
	r = fw_buf_printf(b, "{\"id\":\"%s\",\"type\":\"advisory.released\",\"advisory\":", o->key);
	if (r == 0)
		r = fw_json_string_write(o->advisory_id, b);
	if (r == 0)
		r = fw_buf_printf(b, ",\"revision\":%d,\"parts\":[", o->revision);
	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++)
		if (o->parts & (1u << i))
			r = fw_buf_printf(b, "%s\"%s\"", n++ ? "," : "", fw_part_name((enum fw_part)i));
	if (r == 0)
		r = fw_buf_printf(b, "],\"at\":\"%s\"}", at);
	return r;
}

int fw_ops_outbox_enqueue(struct fw_store *s, const struct fw_delivery *d, int64_t *ret_id)
{
	struct fw_webhook w;
	struct fw_outbox o;
	struct fw_buf b;
	unsigned char raw[16];
	int64_t id = 0;
	int r = fw_store_webhook_get(s, d->partner_id, &w);

	if (r == FW_ENOENT) {
		if (ret_id)
			*ret_id = 0;
		return 0;
	}
	if (r < 0)
		return r;
	memset(&o, 0, sizeof(o));
	/* The idempotency key: random, so it tells a receiver nothing but "the same notification again". */
	fw_crypto_random(raw, sizeof(raw));
	memcpy(o.key, "wh_", 3);
	fw_crypto_hex(raw, sizeof(raw), o.key + 3);
	memcpy(o.partner_id, d->partner_id, sizeof(o.partner_id));
	memcpy(o.advisory_id, d->advisory_id, sizeof(o.advisory_id));
	o.revision = d->revision;
	o.parts = d->parts & FW_PARTS_ALL;
	o.state = FW_OUTBOX_PENDING;
	o.created_ms = o.next_ms = d->delivered_ms;
	fw_buf_init(&b, FW_OUTBOX_PAYLOAD_MAX);
	r = payload(&o, &b);
	if (r == 0) {
		memcpy(o.payload, b.data, b.len + 1);
		r = fw_store_outbox_insert(s, &o, &id);
	}
	fw_buf_release(&b);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

int64_t fw_outbox_backoff_ms(const struct fw_outbox_policy *pol, int tries)
{
	int64_t d = pol->backoff_ms > 0 ? pol->backoff_ms : 1;
	uint32_t u;

	for (int i = 1; i < tries && d < pol->backoff_max_ms; i++)
		d *= 2;
	if (d > pol->backoff_max_ms && pol->backoff_max_ms >= pol->backoff_ms)
		d = pol->backoff_max_ms;
	/* Up to a quarter more, so that receivers that failed together are not all retried together; each
	 * gap stays longer than the one before until the cap. */
	fw_crypto_random(&u, sizeof(u));
	return d + (int64_t)((double)d * 0.25 * ((double)u / 4294967296.0));
}

struct due {
	struct fw_outbox *out;
	size_t n, max;
};

static int collect(void *ctx, const struct fw_outbox *o)
{
	struct due *c = ctx;

	if (c->n < c->max)
		c->out[c->n++] = *o;
	return 0;
}

int fw_ops_outbox_claim(struct fw_store *s, const struct fw_outbox_policy *pol, int64_t now_ms,
                        struct fw_outbox *out, size_t max, size_t *ret_n)
{
	struct due c = {out, 0, max};
	int r;

	if (max == 0) {
		*ret_n = 0;
		return 0;
	}
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	/* Collected first, updated after: the update moves each item in the index being scanned. */
	r = fw_store_outbox_due(s, now_ms, max, collect, &c);
	for (size_t i = 0; r == 0 && i < c.n; i++) {
		out[i].tries++;
		out[i].next_ms = now_ms + pol->lease_ms;
		r = fw_store_outbox_update(s, &out[i]);
	}
	r = fw_ops_finish(s, r);
	if (r == 0)
		*ret_n = c.n;
	return r;
}

int fw_ops_outbox_check(struct fw_store *s, const struct fw_policy_ctx *ctx, const struct fw_outbox *o,
                        int64_t now, struct fw_webhook *ret_hook, char *why, size_t whysz)
{
	struct fw_partner p;
	struct fw_advisory a;
	unsigned access;
	int r;

	r = fw_store_partner_get(s, o->partner_id, &p);
	if (r == FW_ENOENT)
		return snprintf(why, whysz, "the partner no longer exists"), 0;
	if (r < 0)
		return r;
	if (p.status != FW_PARTNER_ACTIVE)
		return snprintf(why, whysz, "the partner is %s", fw_partner_status_name(p.status)), 0;
	r = fw_store_advisory_get(s, o->advisory_id, &a);
	if (r == FW_ENOENT || (r == 0 && a.status == FW_ADV_WITHDRAWN))
		return snprintf(why, whysz, "the advisory was withdrawn"), 0;
	if (r < 0)
		return r;
	/* The parts named must all still be the partner's to see now: else say nothing. */
	access = fw_policy_access(ctx, &p, &a, a.parts, now, NULL);
	if (!access || (o->parts & ~access))
		return snprintf(why, whysz, "the partner may no longer see these parts"), 0;
	r = fw_store_webhook_get(s, o->partner_id, ret_hook);
	if (r == FW_ENOENT)
		return snprintf(why, whysz, "the partner's webhook was removed"), 0;
	return r < 0 ? r : 1;
}

static int settle(struct fw_store *s, const struct fw_outbox_policy *pol, const struct fw_outbox_outcome *oc,
                  int64_t now_ms, size_t *set_aside)
{
	struct fw_outbox o;
	char tries[16];
	int r = fw_store_outbox_get(s, oc->id, &o);

	if (r == FW_ENOENT)
		return 0;
	/* Only the claim's own item: an item settled meanwhile (by another sender) is left as it is. */
	if (r < 0 || o.state != FW_OUTBOX_PENDING)
		return r;
	o.last_status = oc->status;
	snprintf(o.last_error, sizeof(o.last_error), "%s", oc->error);
	switch (oc->result) {
	case FW_OUTBOX_SENT:
		o.state = FW_OUTBOX_DELIVERED;
		o.done_ms = now_ms;
		o.last_error[0] = '\0';
		break;
	case FW_OUTBOX_TRY_FAILED:
		if (o.tries < pol->max_tries) {
			o.next_ms = now_ms + fw_outbox_backoff_ms(pol, o.tries);
			break;
		}
		o.state = FW_OUTBOX_FAILED;
		o.done_ms = now_ms;
		(*set_aside)++;
		break;
	case FW_OUTBOX_NOT_SENT:
		o.state = FW_OUTBOX_SKIPPED;
		o.done_ms = now_ms;
		o.tries = o.tries > 0 ? o.tries - 1 : 0; /* nothing was sent */
		break;
	case FW_OUTBOX_INTERRUPTED:
		o.next_ms = now_ms;
		o.tries = o.tries > 0 ? o.tries - 1 : 0;
		break;
	}
	r = fw_store_outbox_update(s, &o);
	if (r == 0 && (o.state == FW_OUTBOX_FAILED || o.state == FW_OUTBOX_SKIPPED)) {
		snprintf(tries, sizeof(tries), "%d", o.tries);
		r = fw_event_emitkv(
		    s, o.state == FW_OUTBOX_FAILED ? "webhook.failed" : "webhook.skipped", "webhook",
		    &(struct fw_event_about){
		        .advisory_id = o.advisory_id, .revision = o.revision, .partner_id = o.partner_id},
		    NULL, "notification", o.key, "tries", tries, "error", o.last_error, NULL);
	}
	return r;
}

int fw_ops_outbox_record(struct fw_store *s, const struct fw_outbox_policy *pol,
                         const struct fw_outbox_outcome *o, size_t n, int64_t now_ms, size_t *ret_set_aside)
{
	size_t set_aside = 0;
	int r;

	if (n == 0)
		return 0;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = settle(s, pol, &o[i], now_ms, &set_aside);
	r = fw_ops_finish(s, r);
	if (r == 0 && ret_set_aside)
		*ret_set_aside = set_aside;
	return r;
}

int fw_ops_outbox_retry(struct fw_store *s, const char *actor, int64_t id, int64_t now_ms,
                        struct fw_outbox *ret, struct fw_error *err)
{
	struct fw_outbox o;
	int r = fw_store_begin(s);

	if (r < 0)
		return r;
	r = fw_store_outbox_get(s, id, &o);
	if (r == FW_ENOENT)
		r = fw_error_set(err, FW_ENOENT, NULL, "no notification %lld in the outbox", (long long)id);
	if (r == 0 && o.state != FW_OUTBOX_FAILED && o.state != FW_OUTBOX_SKIPPED)
		r = fw_error_set(err, FW_ECONFLICT, "state",
		                 "only a failed or skipped notification can be retried (this one is %s)",
		                 fw_outbox_state_name(o.state));
	if (r < 0)
		goto out;
	o.state = FW_OUTBOX_PENDING;
	o.tries = 0;
	o.next_ms = now_ms;
	o.done_ms = 0;
	r = fw_store_outbox_update(s, &o);
	if (r == 0)
		r = fw_event_emitkv(s, "webhook.retried", actor,
		                    &(struct fw_event_about){.advisory_id = o.advisory_id,
		                                             .revision = o.revision,
		                                             .partner_id = o.partner_id},
		                    NULL, "notification", o.key, NULL);
out:
	r = fw_ops_finish(s, r);
	if (r == 0 && ret)
		*ret = o;
	return r;
}
