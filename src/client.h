/*
 * The client's HTTP transport (src/client.c, the only file that includes <curl/curl.h>): one request to a
 * forewarn server, with a bearer token and/or a client certificate, bounded answer and timeouts.
 */
#ifndef FW_SRC_CLIENT_H
#define FW_SRC_CLIENT_H

#include <stddef.h>
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

#endif
