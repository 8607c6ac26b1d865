/*
 * Outgoing HTTP (src/client.c, the only file that includes <curl/curl.h>): the client's requests to a
 * forewarn server, with a bearer token and/or a client certificate, bounded answer and timeouts; and the
 * server's webhook POSTs.
 */
#ifndef FW_SRC_CLIENT_H
#define FW_SRC_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/buf.h"

#define HTTP_RESPONSE_MAX (64 * 1024 * 1024) /* larger answers are an error */
#define HTTP_ERRBUF_SIZE  256

/*
 * http_call: sends `method` to url_base + path (url_base: an http:// or https:// URL without a trailing '/',
 * path: already percent-encoded, starting with '/'). token (may be NULL) goes in "Authorization: Bearer" and
 * is never printed. body (may be NULL: no body) is sent as application/json; len 0 sends an empty body.
 * ret_body must be initialised or zeroed; it is re-initialised and receives the answer (at most
 * HTTP_RESPONSE_MAX bytes); the caller releases it in every case.
 * Returns 0 when the server answered (*ret_status: the HTTP status), else FW_EINVAL (bad URL), FW_ETOOBIG
 * (answer too large), FW_ENOMEM or FW_EIO (cannot reach the server), with a message in errbuf.
 */
FW_WUR int http_call(const char *method, const char *url_base, const char *path, const char *token,
                     const char *body, size_t len, long *ret_status, struct fw_buf *ret_body,
                     char errbuf[HTTP_ERRBUF_SIZE]);

/*
 * http_tls_set: the TLS settings of every later http_call (https:// URLs): cacert, the PEM file of the
 * certificates to trust (NULL: the system's); cert and key, the client certificate and its key to present
 * (NULL: none; key NULL with a cert: the key is in the cert's file). The strings must outlive the calls.
 */
void http_tls_set(const char *cacert, const char *cert, const char *key);

/*
 * Outgoing webhook POSTs (src/webhook.c), run concurrently on one thread by a pool (curl's multi interface):
 * no redirects followed, TLS verified, http:// and https:// only, answers read and dropped. A pool is used by
 * one thread; only http_pool_wake may be called from others.
 */
struct http_pool;
struct http_post {
	const char *url;
	const char *const *headers; /* "Name: value" lines, NULL-terminated; copied */
	const char *body;           /* copied */
	size_t len;
	long connect_timeout_ms, timeout_ms;
	int64_t tag; /* the caller's: reported back with the outcome */
	/* connect only to public addresses (fw_webhook_address_public), wherever the name leads: a partner's
	 * own webhook. Not checked when a proxy from the environment carries the traffic (it must filter). */
	int public_only;
};
/* done: status is the HTTP status, or 0 with error saying why no answer came (the transfer is over). */
typedef void (*http_done_fn)(void *ctx, int64_t tag, long status, const char *error);
FW_WUR int http_pool_new(struct http_pool **ret);
/* http_pool_add: starts one POST; FW_ENOMEM, or FW_EIO with errbuf saying why it cannot start. */
FW_WUR int http_pool_add(struct http_pool *p, const struct http_post *req, char errbuf[HTTP_ERRBUF_SIZE]);
/*
 * http_pool_run: drives the transfers, waiting at most wait_ms for one to progress (less when one ends or
 * http_pool_wake is called), and calls done once for each that ended. Returns how many are still running.
 */
size_t http_pool_run(struct http_pool *p, int wait_ms, http_done_fn done, void *ctx);
/* http_pool_wake: makes the pool's current or next http_pool_run return at once. Any thread. */
void http_pool_wake(struct http_pool *p);
/* http_pool_free: abandons the transfers still running (done is not called for them); accepts NULL. */
void http_pool_free(struct http_pool *p);

#endif
