/*
 * Certificates with GnuTLS, the one module that includes it: the self-signed pair for local use, loading and
 * checking the server's certificate and key, SHA-256 fingerprints, and the per-request check of a client's
 * certificate (fingerprint and validity period; the handshake has already proved key possession).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include "forewarn/tls.h"

static void fp_format(const unsigned char digest[32], char out[FW_TLS_FP_LEN])
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[digest[i] >> 4];
		out[8 + 2 * i] = hex[digest[i] & 15];
	}
	out[7 + 64] = '\0';
}

int fw_tls_fingerprint_parse(const char *text, char ret[FW_TLS_FP_LEN])
{
	unsigned char digest[32];
	size_t nhex = 0;
	int hi = -1;

	if (strncasecmp(text, "sha256:", 7) == 0)
		text += 7;
	for (; *text; text++) {
		int v;
		if (*text == ':')
			continue;
		if (!isxdigit((unsigned char)*text) || nhex == 64)
			return FW_EINVAL;
		v = isdigit((unsigned char)*text) ? *text - '0' : tolower((unsigned char)*text) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			digest[nhex / 2] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
		nhex++;
	}
	if (nhex != 64)
		return FW_EINVAL;
	fp_format(digest, ret);
	return 0;
}

static int write_new(const char *path, mode_t mode, const void *data, size_t len)
{
	const unsigned char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int r = 0;

	if (fd < 0)
		return errno == EEXIST ? FW_EEXIST : FW_EIO;
	while (len && r == 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = FW_EIO;
		else
			p += n, len -= (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = FW_EIO;
	if (close(fd) < 0 && r == 0)
		r = FW_EIO;
	if (r < 0)
		unlink(path);
	return r;
}

/* Adds one subjectAltName: an IP address when it reads as one, else a DNS name. */
static int add_san(gnutls_x509_crt_t crt, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
		                                            GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
		                                            GNUTLS_FSAN_APPEND);
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, (unsigned)strlen(name),
	                                            GNUTLS_FSAN_APPEND);
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".-:*", *s))
			return 0;
	return 1;
}

int fw_tls_names_check(const char *const *names, size_t n, struct fw_error *err)
{
	if (n == 0)
		return fw_error_set(err, FW_EINVAL, "names", "a certificate needs a name");
	for (size_t i = 0; i < n; i++)
		if (!name_ok(names[i]))
			return fw_error_set(err, FW_EINVAL, "names",
			                    "'%.64s' is not a host name or IP address", names[i]);
	return 0;
}

int fw_tls_selfsigned_create(const char *cert_path, const char *key_path, const char *const *names, size_t n,
                             unsigned days, struct fw_error *err)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kpem = {NULL, 0}, cpem = {NULL, 0};
	unsigned char serial[16], keyid[64];
	size_t keyid_len = sizeof(keyid);
	time_t now = time(NULL);
	int r = 0;

	if (days == 0 || days > 3650)
		return fw_error_set(err, FW_EINVAL, "days", "a certificate lasts 1 to 3650 days");
	if ((r = fw_tls_names_check(names, n, err)) < 0)
		return r;
	if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0)
		return fw_error_set(err, FW_EEXIST, "path", "the certificate or key file exists already");
	if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0) {
		r = FW_ENOMEM;
		goto out;
	}
	if (gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	                                 GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial)) < 0) {
		r = FW_ECRYPTO;
		goto out;
	}
	serial[0] &= 0x7f; /* a positive INTEGER */
	serial[0] |= 0x40; /* of full length */
	if (gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, names[0],
	                                  (unsigned)strlen(names[0])) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    /* Its own trust anchor: clients pass this very file as their CA (curl --cacert). */
	    gnutls_x509_crt_set_basic_constraints(crt, 1, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0 ||
	    gnutls_x509_crt_get_key_id(crt, 0, keyid, &keyid_len) < 0 ||
	    gnutls_x509_crt_set_subject_key_id(crt, keyid, keyid_len) < 0) {
		r = FW_ECRYPTO;
		goto out;
	}
	for (size_t i = 0; i < n && r == 0; i++)
		if (add_san(crt, names[i]) < 0)
			r = FW_ECRYPTO;
	if (r == 0 && (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
	               gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem) < 0 ||
	               gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem) < 0))
		r = FW_ECRYPTO;
	if (r == 0)
		r = write_new(key_path, 0600, kpem.data, kpem.size);
	if (r == 0) {
		r = write_new(cert_path, 0644, cpem.data, cpem.size);
		if (r < 0)
			unlink(key_path);
	}
	if (r < 0 && err && !err->message[0])
		fw_error_set(err, r, "path", "cannot write the certificate or key: %s", fw_strerror(r));
out:
	if (kpem.data) {
		gnutls_memset(kpem.data, 0, kpem.size);
		gnutls_free(kpem.data);
	}
	gnutls_free(cpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return r;
}

/* Reads a whole file of at most FW_TLS_PEM_MAX bytes, NUL-terminated. */
static int read_file(const char *path, char **ret, size_t *ret_len, struct stat *ret_st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *buf;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? FW_ENOENT : errno == EACCES ? FW_EPERM : FW_EIO;
	if (fstat(fd, ret_st) < 0 || !S_ISREG(ret_st->st_mode)) {
		close(fd);
		return FW_EIO;
	}
	if (ret_st->st_size > FW_TLS_PEM_MAX) {
		close(fd);
		return FW_ETOOBIG;
	}
	buf = malloc((size_t)ret_st->st_size + 1);
	if (!buf) {
		close(fd);
		return FW_ENOMEM;
	}
	while (len < (size_t)ret_st->st_size) {
		ssize_t n = read(fd, buf + len, (size_t)ret_st->st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = FW_EIO;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		gnutls_memset(buf, 0, (size_t)ret_st->st_size + 1);
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

void fw_tls_key_free(char *key)
{
	if (key) {
		gnutls_memset(key, 0, strlen(key));
		free(key);
	}
}

static int info_of(gnutls_x509_crt_t crt, const gnutls_datum_t *der, struct fw_tls_cert_info *ret)
{
	unsigned char digest[32];
	gnutls_datum_t dn = {NULL, 0};
	time_t nb = gnutls_x509_crt_get_activation_time(crt), na = gnutls_x509_crt_get_expiration_time(crt);

	if (nb == (time_t)-1 || na == (time_t)-1 ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, digest) < 0)
		return FW_EINVAL;
	memset(ret, 0, sizeof(*ret));
	fp_format(digest, ret->fingerprint);
	ret->not_before = nb;
	ret->not_after = na;
	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		snprintf(ret->subject, sizeof(ret->subject), "%.*s", (int)dn.size, (const char *)dn.data);
		gnutls_free(dn.data);
	}
	return 0;
}

int fw_tls_cert_parse(const char *pem, size_t len, struct fw_tls_cert_info *ret, struct fw_error *err)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = {(unsigned char *)(uintptr_t)pem, (unsigned)len}, der = {NULL, 0};
	struct fw_tls_cert_info info;
	int r;

	if (len > FW_TLS_PEM_MAX)
		return fw_error_set(err, FW_ETOOBIG, "certificate", "the certificate exceeds %d bytes",
		                    FW_TLS_PEM_MAX);
	if (gnutls_x509_crt_init(&crt) < 0)
		return FW_ENOMEM;
	r = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) < 0 ||
	            gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0 ||
	            info_of(crt, &der, &info) < 0
	        ? fw_error_set(err, FW_EINVAL, "certificate", "not a PEM-encoded X.509 certificate")
	        : 0;
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	if (r == 0)
		*ret = info;
	return r;
}

int fw_tls_files_load(const char *cert_path, const char *key_path, int64_t now, char **ret_cert,
                      char **ret_key, struct fw_error *err)
{
	gnutls_certificate_credentials_t cred = NULL;
	struct fw_tls_cert_info info;
	char *cert = NULL, *key = NULL;
	size_t clen, klen = 0;
	struct stat st;
	int r, g;

	r = read_file(cert_path, &cert, &clen, &st);
	if (r < 0) {
		fw_error_set(err, r, "tls-cert", "cannot read the certificate '%.100s': %s", cert_path,
		             fw_strerror(r));
		goto out;
	}
	r = read_file(key_path, &key, &klen, &st);
	if (r < 0) {
		fw_error_set(err, r, "tls-key", "cannot read the key '%.100s': %s", key_path, fw_strerror(r));
		goto out;
	}
	if (st.st_mode & 0007) {
		r = fw_error_set(err, FW_EPERM, "tls-key",
		                 "the key '%.100s' is readable by other users (chmod 600 it)", key_path);
		goto out;
	}
	r = fw_tls_cert_parse(cert, clen, &info, NULL);
	if (r < 0) {
		fw_error_set(err, FW_EINVAL, "tls-cert", "'%.100s' holds no PEM certificate", cert_path);
		goto out;
	}
	if (now < info.not_before || now > info.not_after) {
		r = fw_error_set(err, FW_EINVAL, "tls-cert", "the certificate '%.100s' is %s", cert_path,
		                 now < info.not_before ? "not valid yet" : "expired");
		goto out;
	}
	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		r = FW_ENOMEM;
		goto out;
	}
	g = gnutls_certificate_set_x509_key_mem2(
	    cred, &(gnutls_datum_t){(unsigned char *)cert, (unsigned)clen},
	    &(gnutls_datum_t){(unsigned char *)key, (unsigned)klen}, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (g < 0) {
		r = fw_error_set(
		    err, FW_EINVAL, "tls-key", "the key '%.100s' does not fit the certificate '%.100s': %s",
		    key_path, cert_path,
		    g == GNUTLS_E_CERTIFICATE_KEY_MISMATCH ? "they do not match" : gnutls_strerror(g));
		goto out;
	}
	*ret_cert = cert;
	*ret_key = key;
	cert = key = NULL;
out:
	if (cred)
		gnutls_certificate_free_credentials(cred);
	free(cert);
	if (key) /* all of it: a key file that is not PEM may hold NUL bytes, where strlen would stop */
		gnutls_memset(key, 0, klen);
	free(key);
	return r;
}

/*
 * Validity periods by certificate fingerprint, per thread: the same bytes always carry the same period, so an
 * entry never goes stale; a collision just replaces the slot.
 */
#define PEER_SLOTS 64
static _Thread_local struct {
	unsigned char digest[32];
	int used, readable;
	int64_t not_before, not_after;
} peers[PEER_SLOTS];

enum fw_tls_peer fw_tls_peer_check(void *session, int64_t now, char ret_fp[FW_TLS_FP_LEN])
{
	gnutls_session_t s = session;
	const gnutls_datum_t *certs;
	unsigned char digest[32];
	unsigned ncerts = 0;
	size_t slot;

	if (!s || gnutls_auth_get_type(s) != GNUTLS_CRD_CERTIFICATE)
		return FW_TLS_PEER_NONE;
	certs = gnutls_certificate_get_peers(s, &ncerts);
	if (!certs || ncerts == 0 || certs[0].size == 0)
		return FW_TLS_PEER_NONE;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, certs[0].data, certs[0].size, digest) < 0)
		return FW_TLS_PEER_UNREADABLE;
	slot = (digest[0] | (size_t)digest[1] << 8) % PEER_SLOTS;
	if (!peers[slot].used || memcmp(peers[slot].digest, digest, 32) != 0) {
		gnutls_x509_crt_t crt = NULL;
		struct fw_tls_cert_info info;
		int ok = gnutls_x509_crt_init(&crt) == 0 &&
		         gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
		         info_of(crt, &certs[0], &info) == 0;
		gnutls_x509_crt_deinit(crt);
		memcpy(peers[slot].digest, digest, 32);
		peers[slot].used = 1;
		peers[slot].readable = ok;
		peers[slot].not_before = ok ? info.not_before : 0;
		peers[slot].not_after = ok ? info.not_after : 0;
	}
	if (!peers[slot].readable)
		return FW_TLS_PEER_UNREADABLE;
	fp_format(digest, ret_fp);
	if (now < peers[slot].not_before)
		return FW_TLS_PEER_NOT_YET_VALID;
	if (now > peers[slot].not_after)
		return FW_TLS_PEER_EXPIRED;
	return FW_TLS_PEER_VALID;
}

const char *fw_tls_peer_name(enum fw_tls_peer p)
{
	switch (p) {
	case FW_TLS_PEER_NONE:
		return "none";
	case FW_TLS_PEER_VALID:
		return "valid";
	case FW_TLS_PEER_EXPIRED:
		return "expired";
	case FW_TLS_PEER_NOT_YET_VALID:
		return "not_yet_valid";
	case FW_TLS_PEER_UNREADABLE:
		return "unreadable";
	}
	return "unknown";
}
