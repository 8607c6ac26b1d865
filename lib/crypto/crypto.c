/*
 * Thin wrappers over libsodium: randomness, bearer tokens and their keyed hashes, key files, Ed25519,
 * X25519 sealed boxes.
 * Secrets are wiped on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "forewarn/crypto.h"

_Static_assert(FW_SEALBOX_OVERHEAD == crypto_box_SEALBYTES, "the sealed box overhead");
_Static_assert(FW_X25519_PUBLIC_BYTES == crypto_box_PUBLICKEYBYTES, "X25519 public keys");
_Static_assert(FW_X25519_SECRET_BYTES == crypto_box_SECRETKEYBYTES, "X25519 secret keys");

int fw_crypto_init(void)
{
	return sodium_init() < 0 ? FW_ECRYPTO : 0;
}

void fw_crypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void fw_crypto_hex(const void *bin, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bin, n);
}

void fw_token_generate(char out[FW_TOKEN_LEN])
{
	unsigned char raw[FW_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "fw_", 3);
	sodium_bin2base64(out + 3, FW_TOKEN_LEN - 3, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void fw_token_hash(const unsigned char key[FW_KEY_BYTES], const char *token, size_t len,
                   unsigned char out[FW_HASH_BYTES])
{
	crypto_generichash(out, FW_HASH_BYTES, (const unsigned char *)token, len, key, FW_KEY_BYTES);
}

int fw_crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void fw_crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

int fw_key_file_create(const char *path)
{
	unsigned char key[FW_KEY_BYTES];
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? FW_EEXIST : FW_EIO;
	randombytes_buf(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) < 0)
		r = FW_EIO;
	sodium_memzero(key, sizeof(key));
	if (close(fd) < 0)
		r = FW_EIO;
	if (r < 0)
		unlink(path);
	return r;
}

/* open_private: opens a secret file for reading, refusing one that group or others may read. */
static int open_private(const char *path, int *ret_fd)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? FW_ENOENT : FW_EIO;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return FW_EIO;
	}
	/* A secret others can read is a leaked secret: refuse it rather than use it. */
	if (st.st_mode & 077) {
		close(fd);
		return FW_EPERM;
	}
	*ret_fd = fd;
	return 0;
}

int fw_key_file_load(const char *path, unsigned char ret[FW_KEY_BYTES])
{
	unsigned char key[FW_KEY_BYTES + 1];
	ssize_t n;
	int fd, r = open_private(path, &fd);

	if (r < 0)
		return r;
	n = read(fd, key, sizeof(key));
	if (n != FW_KEY_BYTES) {
		r = FW_EINVAL;
		goto out;
	}
	memcpy(ret, key, FW_KEY_BYTES);
out:
	sodium_memzero(key, sizeof(key));
	close(fd);
	return r;
}

/* Ed25519 and standard base64 for C2SP signed notes (lib/log/note.c). */

int fw_ed25519_seed_keypair(const unsigned char seed[FW_ED25519_SEED_BYTES],
                            unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES],
                            unsigned char ret_sk[FW_ED25519_SECRET_BYTES])
{
	unsigned char pk[crypto_sign_ed25519_PUBLICKEYBYTES], sk[crypto_sign_ed25519_SECRETKEYBYTES];
	int r = 0;

	if (crypto_sign_ed25519_seed_keypair(pk, sk, seed) != 0) {
		r = FW_ECRYPTO;
		goto out;
	}
	memcpy(ret_pk, pk, sizeof(pk));
	memcpy(ret_sk, sk, sizeof(sk));
out:
	sodium_memzero(sk, sizeof(sk));
	return r;
}

int fw_ed25519_sign(const unsigned char sk[FW_ED25519_SECRET_BYTES], const void *msg, size_t n,
                    unsigned char ret_sig[FW_ED25519_SIG_BYTES])
{
	unsigned char sig[crypto_sign_ed25519_BYTES];

	if (crypto_sign_ed25519_detached(sig, NULL, msg, n, sk) != 0)
		return FW_ECRYPTO;
	memcpy(ret_sig, sig, sizeof(sig));
	return 0;
}

int fw_ed25519_verify(const unsigned char pk[FW_ED25519_PUBLIC_BYTES], const void *msg, size_t n,
                      const unsigned char sig[FW_ED25519_SIG_BYTES])
{
	return crypto_sign_ed25519_verify_detached(sig, msg, n, pk) == 0 ? 0 : FW_ECRYPTO;
}

void *fw_crypto_secret_alloc(size_t n)
{
	return sodium_malloc(n);
}

void fw_crypto_secret_free(void *p)
{
	sodium_free(p);
}

size_t fw_base64_encoded_len(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1;
}

void fw_base64_encode(const void *bin, size_t n, char *out)
{
	sodium_bin2base64(out, fw_base64_encoded_len(n) + 1, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

int fw_base64_decode(const char *b64, size_t len, unsigned char *out, size_t max, size_t *ret_len)
{
	size_t n = 0, pad;
	int r = FW_EINVAL;

	/* Padded base64 comes in whole quads; their count fixes the size, so "too big" is known up front. */
	if (len % 4 != 0)
		goto out;
	pad = (len && b64[len - 1] == '=') + (len > 1 && b64[len - 2] == '=');
	/* libsodium 1.0.18 decodes some bytes >= 0x80 as base64 digits: check the alphabet here. */
	for (size_t i = 0; i < len - pad; i++) {
		unsigned char c = (unsigned char)b64[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			goto out;
	}
	if (len / 4 * 3 - pad > max) {
		r = FW_ETOOBIG;
		goto out;
	}
	/* No ignore set, no end pointer: a character after the padding is an error, so is missing padding. */
	if (sodium_base642bin(out, max, b64, len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		goto out;
	*ret_len = n;
	return 0;
out:
	sodium_memzero(out, max);
	return r;
}

int fw_secret_file_write(const char *path, const char *text)
{
	size_t n = strlen(text);
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? FW_EEXIST : FW_EIO;
	ok = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	if (close(fd) < 0 || !ok) {
		unlink(path);
		return FW_EIO;
	}
	return 0;
}

int fw_secret_file_read(const char *path, char *out, size_t outsz)
{
	char buf[1024];
	ssize_t n;
	size_t len;
	int fd, r = open_private(path, &fd);

	if (r < 0)
		return r;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		r = FW_EIO;
		goto out;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\n");
	if (len + 1 > outsz || (size_t)n == sizeof(buf) - 1) {
		r = FW_ETOOBIG;
		goto out;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return r;
}

void fw_crypto_stream(const unsigned char key[FW_KEY_BYTES], const void *ctx, size_t ctxlen, void *out,
                      size_t n)
{
	static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
	unsigned char sub[crypto_stream_chacha20_KEYBYTES];

	crypto_generichash(sub, sizeof(sub), ctx, ctxlen, key, FW_KEY_BYTES);
	crypto_stream_chacha20(out, n, nonce, sub);
	sodium_memzero(sub, sizeof(sub));
}

void fw_hmac_sha256(const void *key, size_t keylen, const void *a, size_t an, const void *b, size_t bn,
                    unsigned char out[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, a, an);
	if (bn)
		crypto_auth_hmacsha256_update(&st, b, bn);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* Data keys and sealed values: encryption at rest (docs/security.md, docs/formats.md). */

#define SEAL_VERSION 1
#define SEAL_HEADER  (1 + FW_DATA_KEY_ID_BYTES)
#define SEAL_CTX_MAX 256 /* the store's contexts are "revision:<64-char id>:<number>:<column>" */

_Static_assert(FW_DATA_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(FW_SEAL_OVERHEAD == SEAL_HEADER + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                       crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "sealed value layout");

struct fw_data_key {
	unsigned char key[FW_DATA_KEY_BYTES];
	unsigned char id[FW_DATA_KEY_ID_BYTES];
	char id_hex[FW_DATA_KEY_ID_LEN];
};

/* data_key_make: a guarded, then read-only, key holding raw (which the caller wipes). */
static int data_key_make(const unsigned char raw[FW_DATA_KEY_BYTES], struct fw_data_key **ret)
{
	static const char label[] = "forewarn data key id";
	unsigned char h[crypto_generichash_BYTES_MIN];
	struct fw_data_key *k = sodium_malloc(sizeof(*k));

	if (!k)
		return FW_ENOMEM;
	memcpy(k->key, raw, FW_DATA_KEY_BYTES);
	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1, raw,
	                   FW_DATA_KEY_BYTES);
	memcpy(k->id, h, FW_DATA_KEY_ID_BYTES);
	sodium_bin2hex(k->id_hex, sizeof(k->id_hex), k->id, sizeof(k->id));
	sodium_memzero(h, sizeof(h));
	/* Nothing writes a key after this: a stray write faults instead of corrupting it. */
	sodium_mprotect_readonly(k);
	*ret = k;
	return 0;
}

int fw_data_key_generate(struct fw_data_key **ret)
{
	unsigned char raw[FW_DATA_KEY_BYTES];
	int r;

	crypto_aead_xchacha20poly1305_ietf_keygen(raw);
	r = data_key_make(raw, ret);
	sodium_memzero(raw, sizeof(raw));
	return r;
}

int fw_data_key_parse(const char *text, struct fw_data_key **ret)
{
	unsigned char raw[FW_DATA_KEY_BYTES + 3];
	size_t len = strnlen(text, 2 * FW_DATA_KEY_BYTES + 1), n = 0;
	const char *end = NULL;
	int r = FW_EINVAL;

	if (len == 2 * FW_DATA_KEY_BYTES) {
		/* No ignore set: every character must be a hex digit, and all of them must be used. */
		if (sodium_hex2bin(raw, sizeof(raw), text, len, NULL, &n, &end) == 0 &&
		    n == FW_DATA_KEY_BYTES && end == text + len)
			r = 0;
	} else if (len == fw_base64_encoded_len(FW_DATA_KEY_BYTES)) {
		if (fw_base64_decode(text, len, raw, sizeof(raw), &n) == 0 && n == FW_DATA_KEY_BYTES)
			r = 0;
	}
	if (r == 0)
		r = data_key_make(raw, ret);
	sodium_memzero(raw, sizeof(raw));
	return r;
}

int fw_data_key_load(const char *path, struct fw_data_key **ret)
{
	unsigned char raw[FW_DATA_KEY_BYTES];
	int r = fw_key_file_load(path, raw);

	if (r == 0)
		r = data_key_make(raw, ret);
	sodium_memzero(raw, sizeof(raw));
	return r;
}

int fw_data_key_write(const struct fw_data_key *k, const char *path)
{
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? FW_EEXIST : FW_EIO;
	if (write(fd, k->key, sizeof(k->key)) != (ssize_t)sizeof(k->key) || fsync(fd) < 0)
		r = FW_EIO;
	if (close(fd) < 0)
		r = FW_EIO;
	if (r < 0)
		unlink(path);
	return r;
}

int fw_data_key_dup(const struct fw_data_key *k, struct fw_data_key **ret)
{
	return data_key_make(k->key, ret);
}

const char *fw_data_key_id(const struct fw_data_key *k)
{
	return k->id_hex;
}

void fw_data_key_hex(const struct fw_data_key *k, char out[FW_DATA_KEY_HEX_LEN])
{
	sodium_bin2hex(out, FW_DATA_KEY_HEX_LEN, k->key, sizeof(k->key));
}

void fw_data_key_free(struct fw_data_key *k)
{
	sodium_free(k); /* wipes it */
}

/* seal_ad: the associated data: the value's header, then the caller's context. */
static int seal_ad(const unsigned char header[SEAL_HEADER], const void *ctx, size_t ctxlen,
                   unsigned char ad[SEAL_HEADER + SEAL_CTX_MAX])
{
	if (ctxlen > SEAL_CTX_MAX)
		return FW_EINVAL;
	memcpy(ad, header, SEAL_HEADER);
	if (ctxlen)
		memcpy(ad + SEAL_HEADER, ctx, ctxlen);
	return 0;
}

int fw_data_seal(const struct fw_data_key *k, const void *ctx, size_t ctxlen, const void *m, size_t n,
                 unsigned char *out)
{
	unsigned char ad[SEAL_HEADER + SEAL_CTX_MAX];
	unsigned char *nonce = out + SEAL_HEADER;

	if (n > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX - FW_SEAL_OVERHEAD)
		return FW_ETOOBIG;
	out[0] = SEAL_VERSION;
	memcpy(out + 1, k->id, FW_DATA_KEY_ID_BYTES);
	if (seal_ad(out, ctx, ctxlen, ad) < 0)
		return FW_EINVAL;
	/* A random 192-bit nonce per value: no counter to keep, no reuse across connections or rotations. */
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
	                                           m, n, ad, SEAL_HEADER + ctxlen, NULL, nonce, k->key);
	return 0;
}

int fw_data_unseal(const struct fw_data_key *k, const void *ctx, size_t ctxlen, const unsigned char *c,
                   size_t clen, void *out)
{
	unsigned char ad[SEAL_HEADER + SEAL_CTX_MAX];
	const unsigned char *nonce = c + SEAL_HEADER;
	const unsigned char *ct = nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

	if (clen < FW_SEAL_OVERHEAD || c[0] != SEAL_VERSION)
		return FW_ECRYPTO;
	if (sodium_memcmp(c + 1, k->id, FW_DATA_KEY_ID_BYTES) != 0)
		return FW_ECRYPTO; /* sealed under another key */
	if (seal_ad(c, ctx, ctxlen, ad) < 0)
		return FW_EINVAL;
	/* libsodium checks the tag before it writes any plaintext. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, ct, clen - (size_t)(ct - c), ad,
	                                               SEAL_HEADER + ctxlen, nonce, k->key) != 0)
		return FW_ECRYPTO;
	return 0;
}

int fw_data_sealed_key_id(const unsigned char *c, size_t clen, char out[FW_DATA_KEY_ID_LEN])
{
	if (clen < FW_SEAL_OVERHEAD || c[0] != SEAL_VERSION)
		return FW_ECRYPTO;
	sodium_bin2hex(out, FW_DATA_KEY_ID_LEN, c + 1, FW_DATA_KEY_ID_BYTES);
	return 0;
}

/* X25519 keys and sealed boxes (copies sealed to a partner's key). */

int fw_x25519_keypair(unsigned char ret_pk[FW_X25519_PUBLIC_BYTES],
                      unsigned char ret_sk[FW_X25519_SECRET_BYTES])
{
	unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
	int r = 0;

	if (crypto_box_keypair(pk, sk) != 0) {
		r = FW_ECRYPTO;
		goto out;
	}
	memcpy(ret_pk, pk, sizeof(pk));
	memcpy(ret_sk, sk, sizeof(sk));
out:
	sodium_memzero(sk, sizeof(sk));
	return r;
}

int fw_x25519_public_of(const unsigned char sk[FW_X25519_SECRET_BYTES],
                        unsigned char ret_pk[FW_X25519_PUBLIC_BYTES])
{
	unsigned char pk[crypto_scalarmult_BYTES];

	if (crypto_scalarmult_base(pk, sk) != 0)
		return FW_ECRYPTO;
	memcpy(ret_pk, pk, sizeof(pk));
	return 0;
}

int fw_x25519_public_check(const unsigned char pk[FW_X25519_PUBLIC_BYTES])
{
	/* Any scalar will do: libsodium clamps it to a multiple of the cofactor, so a point of small order
	 * gives the all-zero result, which crypto_scalarmult reports as an error. */
	static const unsigned char scalar[crypto_scalarmult_SCALARBYTES] = {9};
	unsigned char q[crypto_scalarmult_BYTES];
	int r = crypto_scalarmult(q, scalar, pk) == 0 ? 0 : FW_EINVAL;

	sodium_memzero(q, sizeof(q));
	return r;
}

int fw_seal(const unsigned char pk[FW_X25519_PUBLIC_BYTES], const void *msg, size_t n, unsigned char *out)
{
	if (n > SIZE_MAX - crypto_box_SEALBYTES || n > crypto_box_MESSAGEBYTES_MAX)
		return FW_ETOOBIG;
	/* libsodium refuses a small-order key itself (crypto_box_beforenm): check only then, to say why; a
	 * check up front would cost a third scalar multiplication on every box. */
	if (crypto_box_seal(out, msg, n, pk) != 0)
		return fw_x25519_public_check(pk) < 0 ? FW_EINVAL : FW_ECRYPTO;
	return 0;
}

int fw_seal_open(const unsigned char pk[FW_X25519_PUBLIC_BYTES],
                 const unsigned char sk[FW_X25519_SECRET_BYTES], const unsigned char *box, size_t n,
                 unsigned char *out)
{
	if (n < crypto_box_SEALBYTES)
		return FW_EINVAL;
	if (crypto_box_seal_open(out, box, n, pk, sk) != 0) {
		sodium_memzero(out, n - crypto_box_SEALBYTES);
		return FW_ECRYPTO;
	}
	return 0;
}
