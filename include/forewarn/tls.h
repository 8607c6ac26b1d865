/*
 * TLS (lib/tls, the only code that includes <gnutls/gnutls.h>). Certificates (tls.c): the self-signed pair
 * that `forewarn init` makes for local use, the server's certificate and key files, SHA-256 certificate
 * fingerprints ("sha256:" and 64 lower-case hex digits), and the check of a client's certificate on a
 * TLS session. Key possession is proved by the TLS handshake; matching a fingerprint to a partner is the
 * caller's (src/auth_cert.c). A session's socket I/O (session_io.c): corked sends, read-ahead.
 */
#ifndef FW_TLS_H
#define FW_TLS_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/err.h"

#define FW_TLS_FP_LEN  72           /* "sha256:" + 64 hex digits + NUL */
#define FW_TLS_PEM_MAX (256 * 1024) /* certificate and key files: larger ones are refused */
#define FW_TLS_SUBJECT 256          /* the subject DN shown to the operator, cut to fit */

/* fw_tls_names_check: 0 if each of the n names (n >= 1) can name a certificate's host, else FW_EINVAL with
 * err saying which does not. fw_tls_selfsigned_create checks them too. */
FW_WUR int fw_tls_names_check(const char *const *names, size_t n, struct fw_error *err);

/*
 * fw_tls_selfsigned_create: a fresh ECDSA P-256 key and a self-signed certificate valid from an hour ago for
 * `days` days, its subject CN the first name, a subjectAltName for each name (IPv4/IPv6 address or DNS
 * name). Writes key_path (mode 0600) and cert_path (mode 0644), both fsync'ed; FW_EEXIST if either exists
 * (nothing is written then). FW_EINVAL for a bad name (err says which); FW_ECRYPTO, FW_EIO otherwise.
 */
FW_WUR int fw_tls_selfsigned_create(const char *cert_path, const char *key_path, const char *const *names,
                                    size_t n, unsigned days, struct fw_error *err);

/*
 * fw_tls_files_load: reads the server's certificate (PEM, chain allowed) and private key (PEM) files and
 * checks that the key is the certificate's and that the certificate is within its validity period at
 * `now`. The key must not be readable by others than its owner and group (FW_EPERM). On success *ret_cert
 * and *ret_key are NUL-terminated malloc()ed texts owned by the caller, who frees the key with
 * fw_tls_key_free. Errors name the file and the problem in err->message.
 */
FW_WUR int fw_tls_files_load(const char *cert_path, const char *key_path, int64_t now, char **ret_cert,
                             char **ret_key, struct fw_error *err);
/* fw_tls_key_free: wipes and frees a key text from fw_tls_files_load; accepts NULL. */
void fw_tls_key_free(char *key);

/* What a certificate says that matters here. Times are Unix seconds. */
struct fw_tls_cert_info {
	char fingerprint[FW_TLS_FP_LEN]; /* SHA-256 of the DER encoding */
	int64_t not_before, not_after;
	char subject[FW_TLS_SUBJECT];
};

/*
 * fw_tls_cert_parse: the first certificate of a PEM text (at most FW_TLS_PEM_MAX bytes; need not be
 * NUL-terminated). FW_EINVAL (field "certificate") when it holds no readable X.509 certificate.
 */
FW_WUR int fw_tls_cert_parse(const char *pem, size_t len, struct fw_tls_cert_info *ret, struct fw_error *err);

/*
 * fw_tls_fingerprint_parse: a fingerprint as people write it ("sha256:" optional, hex digits in either case,
 * with or without ':' between bytes) in the canonical form. FW_EINVAL if it is not 32 bytes of hex.
 */
FW_WUR int fw_tls_fingerprint_parse(const char *text, char ret[FW_TLS_FP_LEN]);

/* The outcome of checking a client's certificate. */
enum fw_tls_peer {
	FW_TLS_PEER_NONE = 0,      /* no certificate presented (or not a TLS session) */
	FW_TLS_PEER_VALID,         /* presented, readable, within its validity period */
	FW_TLS_PEER_EXPIRED,       /* presented, past notAfter */
	FW_TLS_PEER_NOT_YET_VALID, /* presented, before notBefore */
	FW_TLS_PEER_UNREADABLE,    /* presented but not a readable X.509 certificate */
};

/*
 * fw_tls_peer_check: the client certificate of `session` (a gnutls_session_t whose handshake completed; NULL:
 * none) checked against `now`. Whenever a certificate was presented and is readable, its fingerprint goes to
 * ret_fp. Cheap enough for every request: the certificate is hashed each time, and its validity period is
 * remembered per thread by fingerprint (it cannot change for the same bytes). Thread-safe.
 */
enum fw_tls_peer fw_tls_peer_check(void *session, int64_t now, char ret_fp[FW_TLS_FP_LEN]);

/*
 * fw_tls_cork / fw_tls_uncork: what `session` sends between them is gathered and sent by fw_tls_uncork in as
 * few records and writes as it fits (one up to 16 KB), instead of one of each per send: a response's header
 * and body go out together. fw_tls_uncork does not wait: 0 when everything went out, FW_EIO when some could
 * not (the socket full, or an error), which leaves the session unusable: the caller drops the connection.
 */
void fw_tls_cork(void *session);
FW_WUR int fw_tls_uncork(void *session);

/*
 * fw_tls_io_attach: `session` (a server's gnutls_session_t on socket fd) reads through a small buffer of
 * its own (lib/tls/session_io.c): one recv() for a record's header and body instead of two. FW_ENOMEM, or 0
 * with *ret, which the caller frees with fw_tls_io_free after the session is gone.
 * fw_tls_io_park: the connection leaves the event loop (libmicrohttpd suspends it): the first read after
 * it that finds nothing buffered answers EAGAIN without asking the socket, so that the server's event loop
 * takes the socket back, which reports whatever arrived meanwhile. fw_tls_io_unpark: not so, after all (the
 * connection may be back in the event loop before it reads: a send found the socket full). All three
 * accept NULL; all run on the thread that serves the connection.
 */
struct fw_tls_io;
FW_WUR int fw_tls_io_attach(void *session, int fd, struct fw_tls_io **ret);
void fw_tls_io_park(struct fw_tls_io *io);
void fw_tls_io_unpark(struct fw_tls_io *io);
void fw_tls_io_free(struct fw_tls_io *io);

/* fw_tls_peer_name: static text for an outcome ("none", "valid", "expired", ...). */
const char *fw_tls_peer_name(enum fw_tls_peer p);

#endif
