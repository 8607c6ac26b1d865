/*
 * Client-certificate authentication of partners (src/auth_cert.c), called by server.c's authenticate() on
 * every request of a TLS server.
 */
#ifndef FW_SRC_AUTH_CERT_H
#define FW_SRC_AUTH_CERT_H

#include "server.h"

/*
 * auth_cert: weighs the client certificate of `session` (a gnutls_session_t, NULL for plain HTTP) on this
 * request. have_token 1: a partner token already authenticated rq->partner; the certificate, if presented,
 * must be that partner's, and must be presented if the partner's mode needs one. have_token 0: the
 * certificate alone must name a partner whose mode allows it; rq->partner, rq->token.partner_id and
 * rq->actor are then set. Returns 0 (authenticated), 1 (no token and no certificate: the caller answers), or
 * -1 after replying (401, recorded as a cert.refused event; or the store's error).
 */
int auth_cert(struct request *rq, void *session, int have_token);

#endif
