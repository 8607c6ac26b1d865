/*
 * Client-certificate authentication of partners, on every request (docs/security.md): the certificate the
 * TLS session carries is checked (lib/tls: validity period, fingerprint), matched to a registered, unrevoked
 * partner credential, and weighed against the partner's mode (token, cert, token+cert, any) and the token,
 * if any. Lookups are cached per thread and dropped whenever an admin write bumps the cache generation.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "forewarn/timeutil.h"
#include "forewarn/tls.h"
#include "auth_cert.h"
#include "cache.h"

_Static_assert(FW_TLS_FP_LEN == FW_CERT_FP_LEN, "one fingerprint size");

#define CERT_SLOTS          64
#define MODE_SLOTS          64
#define REFUSALS_PER_MINUTE 60 /* events recorded for refused certificates, process-wide */

struct cert_slot {
	uint64_t gen;
	int found;
	struct fw_partner_cert cert;
	struct fw_partner partner;
	int mode;
};

struct mode_slot {
	uint64_t gen;
	char partner_id[FW_ID_MAX + 1];
	int mode;
};

static _Thread_local struct cert_slot certs[CERT_SLOTS];
static _Thread_local struct mode_slot modes[MODE_SLOTS];

static size_t slot_of(const char *s, size_t slots)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h % slots);
}

static int partner_mode(struct fw_store *s, const char *id, int *ret)
{
	struct mode_slot *m = &modes[slot_of(id, MODE_SLOTS)];
	uint64_t gen = cache_generation();
	int r;

	if (m->gen == gen && strcmp(m->partner_id, id) == 0) {
		*ret = m->mode;
		return 0;
	}
	r = fw_ops_partner_auth(s, id, ret);
	if (r == 0 && strlen(id) < sizeof(m->partner_id)) {
		m->gen = gen;
		strcpy(m->partner_id, id);
		m->mode = *ret;
	}
	return r;
}

/* The registered credential with this fingerprint, its partner and the partner's mode; slot->found 0: none.
 */
static int lookup(struct fw_store *s, const char *fp, const struct cert_slot **ret)
{
	struct cert_slot *c = &certs[slot_of(fp + 7, CERT_SLOTS)];
	uint64_t gen = cache_generation();
	int r;

	if (c->gen == gen && strcmp(c->cert.fingerprint, fp) == 0) {
		*ret = c;
		return 0;
	}
	memset(c, 0, sizeof(*c));
	r = fw_store_cert_get(s, fp, &c->cert);
	if (r == 0) {
		c->found = 1;
		r = fw_store_partner_get(s, c->cert.partner_id, &c->partner);
		if (r == 0)
			r = partner_mode(s, c->partner.id, &c->mode);
	} else if (r == FW_ENOENT) {
		r = 0;
		snprintf(c->cert.fingerprint, sizeof(c->cert.fingerprint), "%s", fp);
	}
	if (r < 0) {
		memset(c, 0, sizeof(*c));
		return r;
	}
	c->gen = gen;
	*ret = c;
	return 0;
}

/*
 * Records a refusal as an event (each one is also a transparency-log entry, kept for good), so a flood of bad
 * certificates must not turn into a flood of entries: a refusal counts as a failed authentication of the
 * client's address (which the limiter locks out after --auth-fail-limit, with one auth.locked event), nothing
 * is recorded while the address is locked, and at most REFUSALS_PER_MINUTE are recorded process-wide.
 */
static void record(struct request *rq, const char *partner_id, const char *fp, const char *reason)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int64_t minute;
	static unsigned count;
	int64_t now = fw_time_now() / 60;
	int go;

	if (authlimit_fail_address(rq))
		return;
	pthread_mutex_lock(&lock);
	if (now != minute)
		minute = now, count = 0;
	go = count++ < REFUSALS_PER_MINUTE;
	pthread_mutex_unlock(&lock);
	if (go && fw_ops_cert_refused(rq->store, partner_id, fp, reason, rq->address) < 0 &&
	    !rq->srv->cfg.quiet)
		fprintf(stderr, "forewarn: cannot record a refused client certificate\n");
}

static int refuse(struct request *rq, const char *partner_id, const char *fp, const char *reason,
                  const char *message)
{
	record(rq, partner_id, fp, reason);
	reply_error(rq, 401, "unauthenticated", NULL, message);
	return -1;
}

int auth_cert(struct request *rq, void *session, int have_token)
{
	char fp[FW_TLS_FP_LEN] = "";
	const struct cert_slot *c;
	enum fw_tls_peer peer = fw_tls_peer_check(session, fw_time_now(), fp);
	int r, mode;

	if (peer == FW_TLS_PEER_NONE) {
		if (!have_token)
			return 1;
		r = partner_mode(rq->store, rq->partner.id, &mode);
		if (r < 0)
			return reply_fw_error(rq, r, NULL), -1;
		if (mode == FW_AUTH_CERT || mode == FW_AUTH_TOKEN_CERT)
			return refuse(rq, rq->partner.id, "", "missing",
			              "this partner must present its client certificate");
		return 0;
	}
	/* A certificate presented must be good, even where a token alone would do: a revoked key is a
	 * compromised key. */
	if (peer != FW_TLS_PEER_VALID)
		return refuse(rq, have_token ? rq->partner.id : "", fp, fw_tls_peer_name(peer),
		              peer == FW_TLS_PEER_EXPIRED         ? "the client certificate has expired"
		              : peer == FW_TLS_PEER_NOT_YET_VALID ? "the client certificate is not valid yet"
		                                                  : "the client certificate cannot be read");
	r = lookup(rq->store, fp, &c);
	if (r < 0)
		return reply_fw_error(rq, r, NULL), -1;
	if (!c->found || c->cert.revoked_at)
		return refuse(rq, have_token ? rq->partner.id : c->cert.partner_id, fp,
		              c->found ? "revoked" : "unregistered",
		              "the client certificate is not accepted");
	if (have_token) {
		/* The token says who; the certificate must be that partner's own. */
		if (strcmp(c->cert.partner_id, rq->partner.id) != 0)
			return refuse(rq, rq->partner.id, fp, "other_partner",
			              "the client certificate is not accepted");
		return 0;
	}
	/* Removed partners are refused, suspended ones authenticate (and see only what is public), as with
	 * tokens. */
	if (c->partner.status == FW_PARTNER_REMOVED)
		return refuse(rq, c->partner.id, fp, "removed", "the client certificate is not accepted");
	if (c->mode == FW_AUTH_TOKEN || c->mode == FW_AUTH_TOKEN_CERT)
		return refuse(rq, c->partner.id, fp, "token_required",
		              "this partner must present its bearer token");
	rq->partner = c->partner;
	memset(&rq->token, 0, sizeof(rq->token));
	memcpy(rq->token.partner_id, c->partner.id, sizeof(rq->token.partner_id));
	snprintf(rq->actor, sizeof(rq->actor), "partner:%s", rq->partner.id);
	return 0;
}
