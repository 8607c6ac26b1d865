/*
 * Signed copies: the server's Ed25519 signer for copies (its seed in DIR/sign.key), the published key in
 * its three forms (JSON document, PEM, bare base64), the Forewarn-Signature header and the signature
 * document, and their strict parsing and verification for `forewarn verify` (docs/formats.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "forewarn/json.h"
#include "forewarn/signing.h"

/* RFC 8410: the DER SubjectPublicKeyInfo of an Ed25519 key is this prefix and the 32 bytes of the key. */
static const unsigned char spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                              0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
#define PEM_BEGIN "-----BEGIN PUBLIC KEY-----"
#define PEM_END   "-----END PUBLIC KEY-----"
#define SIG_B64   89 /* base64 of a 64-byte signature, and NUL */
#define KEY_B64   45 /* base64 of a 32-byte key, and NUL */

struct fw_signer {
	unsigned char sk[FW_ED25519_SECRET_BYTES];
	unsigned char pk[FW_ED25519_PUBLIC_BYTES];
	char keyid[FW_KEY_ID_HEX];
};

void fw_key_id(const unsigned char pk[32], char out[FW_KEY_ID_HEX])
{
	unsigned char h[32];

	fw_sha256(pk, 32, h);
	fw_crypto_hex(h, 8, out);
}

int fw_signer_from_seed(const unsigned char seed[FW_ED25519_SEED_BYTES], struct fw_signer **ret)
{
	struct fw_signer *s = fw_crypto_secret_alloc(sizeof(*s));
	int r;

	if (!s)
		return FW_ENOMEM;
	r = fw_ed25519_seed_keypair(seed, s->pk, s->sk);
	if (r < 0) {
		fw_crypto_secret_free(s);
		return r;
	}
	fw_key_id(s->pk, s->keyid);
	*ret = s;
	return 0;
}

int fw_signer_load(const char *path, struct fw_signer **ret)
{
	unsigned char seed[FW_ED25519_SEED_BYTES];
	int r = fw_key_file_load(path, seed);

	if (r == 0)
		r = fw_signer_from_seed(seed, ret);
	fw_crypto_wipe(seed, sizeof(seed));
	return r;
}

void fw_signer_free(struct fw_signer *s)
{
	if (s)
		fw_crypto_secret_free(s); /* sodium_free wipes it */
}

void fw_signer_public(const struct fw_signer *s, unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES])
{
	memcpy(ret_pk, s->pk, sizeof(s->pk));
}

const char *fw_signer_keyid(const struct fw_signer *s)
{
	return s->keyid;
}

int fw_signer_sign(const struct fw_signer *s, const void *msg, size_t n,
                   unsigned char ret_sig[FW_ED25519_SIG_BYTES])
{
	return fw_ed25519_sign(s->sk, msg, n, ret_sig);
}

/* The published key. */

int fw_sign_key_write(const unsigned char pk[FW_ED25519_PUBLIC_BYTES], struct fw_buf *out)
{
	unsigned char der[sizeof(spki_prefix) + FW_ED25519_PUBLIC_BYTES];
	char keyid[FW_KEY_ID_HEX], b64[KEY_B64], derb64[64], pem[160];
	int r;

	fw_key_id(pk, keyid);
	fw_base64_encode(pk, FW_ED25519_PUBLIC_BYTES, b64);
	memcpy(der, spki_prefix, sizeof(spki_prefix));
	memcpy(der + sizeof(spki_prefix), pk, FW_ED25519_PUBLIC_BYTES);
	fw_base64_encode(der, sizeof(der), derb64); /* 60 characters: one PEM line */
	snprintf(pem, sizeof(pem), PEM_BEGIN "\n%s\n" PEM_END "\n", derb64);
	r = fw_buf_printf(
	    out,
	    "{\"algorithm\":\"ed25519\",\"key_id\":\"%s\",\"public_key\":\"%s\",\"public_key_pem\":", keyid,
	    b64);
	if (r == 0)
		r = fw_json_string_write(pem, out);
	if (r == 0)
		r = fw_buf_puts(out, "}");
	return r;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* trim: the bytes of text without leading and trailing white space. */
static void trim(const char **text, size_t *len)
{
	while (*len && is_space(**text))
		(*text)++, (*len)--;
	while (*len && is_space((*text)[*len - 1]))
		(*len)--;
}

static int key_from_b64(const char *b64, size_t len, unsigned char ret_pk[32], const char *field,
                        struct fw_error *err)
{
	unsigned char pk[32];
	size_t n;

	if (fw_base64_decode(b64, len, pk, sizeof(pk), &n) < 0 || n != sizeof(pk))
		return fw_error_set(err, FW_EINVAL, field,
		                    "is not the base64 of a 32-byte Ed25519 public key");
	memcpy(ret_pk, pk, sizeof(pk));
	return 0;
}

static int key_from_pem(const char *text, size_t len, unsigned char ret_pk[32], struct fw_error *err)
{
	unsigned char der[sizeof(spki_prefix) + 32 + 1];
	char b64[128];
	size_t nb = 0, n, i = strlen(PEM_BEGIN), end;

	if (len < strlen(PEM_BEGIN) + strlen(PEM_END))
		return fw_error_set(err, FW_EINVAL, "pem", "a PEM public key ends with '" PEM_END "'");
	end = len - strlen(PEM_END);
	if (memcmp(text + end, PEM_END, strlen(PEM_END)) != 0)
		return fw_error_set(err, FW_EINVAL, "pem", "a PEM public key ends with '" PEM_END "'");
	for (; i < end; i++) {
		if (is_space(text[i]))
			continue;
		if (nb == sizeof(b64) - 1)
			return fw_error_set(err, FW_EINVAL, "pem", "is not an Ed25519 public key (too long)");
		b64[nb++] = text[i];
	}
	if (fw_base64_decode(b64, nb, der, sizeof(der), &n) < 0 || n != sizeof(der) - 1 ||
	    memcmp(der, spki_prefix, sizeof(spki_prefix)) != 0)
		return fw_error_set(err, FW_EINVAL, "pem",
		                    "is not the PEM of an Ed25519 public key (RFC 8410)");
	memcpy(ret_pk, der + sizeof(spki_prefix), 32);
	return 0;
}

/* json_field: the text of a top-level field into out (at most max bytes); FW_ENOENT when absent. */
static int json_field(const char *json, size_t len, const char *key, size_t max, struct fw_buf *out)
{
	fw_buf_release(out);
	fw_buf_init(out, max);
	return fw_json_get_text(json, len, key, out);
}

static int key_from_json(const char *text, size_t len, unsigned char ret_pk[32], struct fw_error *err)
{
	struct fw_buf v = {0};
	unsigned char pk[32];
	char keyid[FW_KEY_ID_HEX];
	int r = fw_json_check_object(text, len, err);

	if (r < 0)
		goto out;
	r = json_field(text, len, "public_key", 64, &v);
	if (r < 0) {
		r = fw_error_set(err, FW_EINVAL, "public_key",
		                 "is missing: not a Forewarn signing key document");
		goto out;
	}
	r = key_from_b64(v.data, v.len, pk, "public_key", err);
	if (r < 0)
		goto out;
	if (json_field(text, len, "algorithm", 64, &v) == 0 && strcmp(v.data ? v.data : "", "ed25519") != 0) {
		r = fw_error_set(err, FW_EINVAL, "algorithm", "must be \"ed25519\"");
		goto out;
	}
	fw_key_id(pk, keyid);
	if (json_field(text, len, "key_id", 64, &v) == 0 && strcmp(v.data ? v.data : "", keyid) != 0) {
		r = fw_error_set(err, FW_EINVAL, "key_id", "does not match the public key (its id is %s)",
		                 keyid);
		goto out;
	}
	memcpy(ret_pk, pk, sizeof(pk));
out:
	fw_buf_release(&v);
	return r;
}

int fw_sign_key_parse(const char *text, size_t len, unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES],
                      struct fw_error *err)
{
	if (len > FW_SIGN_KEY_MAX)
		return fw_error_set(err, FW_EINVAL, "key", "is larger than %d bytes", FW_SIGN_KEY_MAX);
	trim(&text, &len);
	if (len && text[0] == '{')
		return key_from_json(text, len, ret_pk, err);
	if (len >= strlen(PEM_BEGIN) && memcmp(text, PEM_BEGIN, strlen(PEM_BEGIN)) == 0)
		return key_from_pem(text, len, ret_pk, err);
	return key_from_b64(text, len, ret_pk, "key", err);
}

/* The header and the signature document. */

void fw_sign_header(const char key_id[FW_KEY_ID_HEX], const unsigned char sig[FW_ED25519_SIG_BYTES],
                    char out[FW_SIGN_HEADER_MAX])
{
	char b64[SIG_B64];

	_Static_assert(FW_SIGN_HEADER_MAX >=
	                   sizeof("alg=ed25519; keyid=; sig=") - 1 + FW_KEY_ID_HEX - 1 + SIG_B64,
	               "room for the header");
	fw_base64_encode(sig, FW_ED25519_SIG_BYTES, b64);
	snprintf(out, FW_SIGN_HEADER_MAX, "alg=ed25519; keyid=%s; sig=%s", key_id, b64);
}

int fw_signature_write(const struct fw_signature *d, struct fw_buf *out)
{
	char sig[SIG_B64], sha[65];
	int r;

	fw_base64_encode(d->sig, sizeof(d->sig), sig);
	fw_crypto_hex(d->sha256, sizeof(d->sha256), sha);
	r = fw_buf_printf(
	    out,
	    "{\"v\":1,\"algorithm\":\"ed25519\",\"key_id\":\"%s\",\"signature\":\"%s\",\"sha256\":\"%s\","
	    "\"size\":%llu,\"advisory\":",
	    d->key_id, sig, sha, (unsigned long long)d->size);
	if (r == 0)
		r = fw_json_string_write(d->advisory, out);
	if (r == 0)
		r = fw_buf_printf(out, ",\"revision\":%d,\"what\":", d->revision);
	if (r == 0)
		r = fw_json_string_write(d->what, out);
	if (r == 0)
		r = fw_buf_puts(out, "}\n");
	return r;
}

static int hex_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int keyid_parse(const char *s, size_t n, char out[FW_KEY_ID_HEX], const char *field,
                       struct fw_error *err)
{
	if (n != FW_KEY_ID_HEX - 1 || !hex_valid(s, n))
		return fw_error_set(err, FW_EINVAL, field, "must be 16 lower-case hex digits");
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int sig_parse(const char *s, size_t n, unsigned char out[FW_ED25519_SIG_BYTES], const char *field,
                     struct fw_error *err)
{
	unsigned char sig[FW_ED25519_SIG_BYTES];
	size_t got;

	if (fw_base64_decode(s, n, sig, sizeof(sig), &got) < 0 || got != sizeof(sig))
		return fw_error_set(err, FW_EINVAL, field,
		                    "must be the base64 of a 64-byte Ed25519 signature");
	memcpy(out, sig, sizeof(sig));
	return 0;
}

/* header_parse: "alg=ed25519; keyid=<hex>; sig=<base64>", in any order; unknown parameters are ignored. */
static int header_parse(const char *text, size_t len, struct fw_signature *ret, struct fw_error *err)
{
	struct fw_signature d;
	int have_alg = 0, have_keyid = 0, have_sig = 0, r = 0;

	memset(&d, 0, sizeof(d));
	if (len >= 19 && strncasecmp(text, "Forewarn-Signature:", 19) == 0) {
		text += 19;
		len -= 19;
	}
	while (len && r == 0) {
		size_t n = 0, k;
		const char *item, *v;

		while (len && (is_space(*text) || *text == ';'))
			text++, len--;
		if (!len)
			break;
		item = text;
		while (n < len && item[n] != ';')
			n++;
		text += n;
		len -= n;
		while (n && is_space(item[n - 1]))
			n--;
		v = memchr(item, '=', n);
		if (!v)
			return fw_error_set(err, FW_EINVAL, "signature",
			                    "'%.*s' is not a name=value parameter", (int)(n > 32 ? 32 : n),
			                    item);
		k = (size_t)(v - item);
		v++;
		if (k == 3 && memcmp(item, "alg", 3) == 0) {
			have_alg = 1;
			if (n - 4 != 7 || memcmp(v, "ed25519", 7) != 0)
				r = fw_error_set(err, FW_EINVAL, "alg", "must be ed25519");
		} else if (k == 5 && memcmp(item, "keyid", 5) == 0) {
			have_keyid = 1;
			r = keyid_parse(v, n - 6, d.key_id, "keyid", err);
		} else if (k == 3 && memcmp(item, "sig", 3) == 0) {
			have_sig = 1;
			r = sig_parse(v, n - 4, d.sig, "sig", err);
		}
	}
	if (r < 0)
		return r;
	if (!have_alg || !have_keyid || !have_sig)
		return fw_error_set(err, FW_EINVAL,
		                    !have_alg     ? "alg"
		                    : !have_keyid ? "keyid"
		                                  : "sig",
		                    "is missing: a signature header is \"alg=ed25519; keyid=...; sig=...\"");
	*ret = d;
	return 0;
}

static int doc_text(const char *json, size_t len, const char *key, size_t max, struct fw_buf *v,
                    struct fw_error *err)
{
	int r = json_field(json, len, key, max, v);

	if (r == FW_ETOOBIG)
		return fw_error_set(err, FW_EINVAL, key, "is too long");
	if (r < 0)
		return fw_error_set(err, FW_EINVAL, key, "is missing");
	/* An empty string may leave the buffer unallocated: callers compare v->data as a string. */
	return v->data ? 0 : fw_buf_append(v, "", 0);
}

static int doc_uint(const char *json, size_t len, const char *key, uint64_t maxval, uint64_t *ret,
                    struct fw_buf *v, struct fw_error *err)
{
	uint64_t n = 0;
	int r = doc_text(json, len, key, 24, v, err);

	if (r < 0)
		return r;
	if (v->len == 0 || v->len > 19 || (v->len > 1 && v->data[0] == '0'))
		return fw_error_set(err, FW_EINVAL, key, "must be a whole number");
	for (size_t i = 0; i < v->len; i++) {
		if (v->data[i] < '0' || v->data[i] > '9')
			return fw_error_set(err, FW_EINVAL, key, "must be a whole number");
		n = n * 10 + (uint64_t)(v->data[i] - '0');
	}
	if (n > maxval)
		return fw_error_set(err, FW_EINVAL, key, "is out of range");
	*ret = n;
	return 0;
}

static int doc_parse(const char *json, size_t len, struct fw_signature *ret, struct fw_error *err)
{
	struct fw_signature d;
	struct fw_buf v = {0};
	uint64_t n;
	int r;

	memset(&d, 0, sizeof(d));
	d.have_digest = 1;
	r = fw_json_check_object(json, len, err);
	if (r == 0 && (r = doc_uint(json, len, "v", 1000, &n, &v, err)) == 0 && n != 1)
		r = fw_error_set(err, FW_EINVAL, "v", "version %llu is not known here (1 is)",
		                 (unsigned long long)n);
	if (r == 0 && (r = doc_text(json, len, "algorithm", 64, &v, err)) == 0 &&
	    strcmp(v.data, "ed25519") != 0)
		r = fw_error_set(err, FW_EINVAL, "algorithm", "must be \"ed25519\"");
	if (r == 0 && (r = doc_text(json, len, "key_id", 64, &v, err)) == 0)
		r = keyid_parse(v.data, v.len, d.key_id, "key_id", err);
	if (r == 0 && (r = doc_text(json, len, "signature", 128, &v, err)) == 0)
		r = sig_parse(v.data, v.len, d.sig, "signature", err);
	if (r == 0 && (r = doc_text(json, len, "sha256", 128, &v, err)) == 0) {
		if (v.len != 64 || !hex_valid(v.data, v.len))
			r = fw_error_set(err, FW_EINVAL, "sha256", "must be 64 lower-case hex digits");
		for (size_t i = 0; r == 0 && i < 32; i++) {
			unsigned x;
			sscanf(v.data + 2 * i, "%2x", &x);
			d.sha256[i] = (unsigned char)x;
		}
	}
	if (r == 0)
		r = doc_uint(json, len, "size", UINT64_MAX >> 1, &d.size, &v, err);
	if (r == 0 && (r = doc_text(json, len, "advisory", FW_ID_MAX + 1, &v, err)) == 0) {
		if (!fw_slug_valid(v.data))
			r = fw_error_set(err, FW_EINVAL, "advisory", "is not an advisory id");
		else
			memcpy(d.advisory, v.data, v.len + 1);
	}
	if (r == 0 && (r = doc_uint(json, len, "revision", 1000000, &n, &v, err)) == 0)
		d.revision = (int)n;
	if (r == 0 && (r = doc_text(json, len, "what", 16, &v, err)) == 0) {
		if (strcmp(v.data, "csaf") != 0 && strcmp(v.data, "poc") != 0)
			r = fw_error_set(err, FW_EINVAL, "what", "must be \"csaf\" or \"poc\"");
		else
			memcpy(d.what, v.data, v.len + 1);
	}
	fw_buf_release(&v);
	if (r < 0)
		return r;
	*ret = d;
	return 0;
}

int fw_signature_parse(const char *text, size_t len, struct fw_signature *ret, struct fw_error *err)
{
	if (len > FW_SIGN_DOC_MAX)
		return fw_error_set(err, FW_ETOOBIG, "signature", "is larger than %d bytes", FW_SIGN_DOC_MAX);
	trim(&text, &len);
	if (len && text[0] == '{')
		return doc_parse(text, len, ret, err);
	return header_parse(text, len, ret, err);
}

int fw_signature_verify(const struct fw_signature *d, const unsigned char pk[FW_ED25519_PUBLIC_BYTES],
                        const void *msg, size_t n, struct fw_error *err)
{
	unsigned char h[32];
	char keyid[FW_KEY_ID_HEX], hex[65];

	fw_key_id(pk, keyid);
	if (strcmp(keyid, d->key_id) != 0)
		return fw_error_set(err, FW_ECRYPTO, "key_id",
		                    "it is signed by key %s, not by the key given (%s)", d->key_id, keyid);
	if (d->have_digest && d->size != n)
		return fw_error_set(err, FW_ECRYPTO, "size", "the file has %zu bytes, the signed copy %llu",
		                    n, (unsigned long long)d->size);
	fw_sha256(msg, n, h);
	if (d->have_digest && !fw_crypto_equal(h, d->sha256, sizeof(h))) {
		fw_crypto_hex(h, sizeof(h), hex);
		return fw_error_set(err, FW_ECRYPTO, "sha256",
		                    "the file's SHA-256 is %.16s..., not the signed copy's", hex);
	}
	if (fw_ed25519_verify(pk, msg, n, d->sig) < 0)
		return fw_error_set(err, FW_ECRYPTO, "signature", "the Ed25519 signature does not verify");
	return 0;
}
