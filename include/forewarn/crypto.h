/* Cryptographic primitives used by Forewarn; lib/crypto is the only code that includes <sodium.h>. */
#ifndef FW_CRYPTO_H
#define FW_CRYPTO_H

#include <stddef.h>
#include "forewarn/err.h"

#define FW_KEY_BYTES   32
#define FW_HASH_BYTES  32
#define FW_TOKEN_BYTES 32 /* 256 bits of randomness */
#define FW_TOKEN_LEN   48 /* "fw_" + 43 base64url characters + NUL, rounded up */

/* fw_crypto_init: must be called once before any other function here; thread-safe after that. */
FW_WUR int fw_crypto_init(void);
/* fw_crypto_random: n unpredictable bytes. */
void fw_crypto_random(void *buf, size_t n);
/* fw_crypto_hex: lower-case hex of n bytes into out (2n+1 bytes). */
void fw_crypto_hex(const void *bin, size_t n, char *out);
/* fw_token_generate: a new bearer token "fw_<base64url of 32 random bytes>" into out. */
void fw_token_generate(char out[FW_TOKEN_LEN]);
/* fw_token_hash: keyed BLAKE2b-256 of the token under key (the server's token key): what the store keeps. */
void fw_token_hash(const unsigned char key[FW_KEY_BYTES], const char *token, size_t len,
                   unsigned char out[FW_HASH_BYTES]);
/* fw_crypto_equal: constant-time comparison of n bytes: 1 if equal. */
int fw_crypto_equal(const void *a, const void *b, size_t n);
/* fw_crypto_wipe: zeroes n bytes in a way the compiler keeps. */
void fw_crypto_wipe(void *p, size_t n);
/* fw_sha256: SHA-256 of n bytes. */
void fw_sha256(const void *p, size_t n, unsigned char out[32]);

/*
 * fw_key_file_create: writes FW_KEY_BYTES fresh random bytes to path with mode 0600 (fails with FW_EEXIST if
 * the file exists). fw_key_file_load: reads them back; FW_EINVAL if the file is not exactly a key or is
 * readable by group or others. The key is written to ret only on success.
 */
FW_WUR int fw_key_file_create(const char *path);
FW_WUR int fw_key_file_load(const char *path, unsigned char ret[FW_KEY_BYTES]);

/*
 * Ed25519 (RFC 8032) and standard base64, for C2SP signed notes (lib/log/note.c).
 * All functions are thread-safe after fw_crypto_init.
 */
#define FW_ED25519_SEED_BYTES   32
#define FW_ED25519_PUBLIC_BYTES 32
#define FW_ED25519_SECRET_BYTES 64 /* libsodium's layout: seed || public key */
#define FW_ED25519_SIG_BYTES    64

/*
 * fw_ed25519_seed_keypair: the key pair of a 32-byte seed into ret_pk and ret_sk. ret_sk is a secret: the
 * caller wipes it (fw_crypto_wipe) or keeps it in fw_crypto_secret_alloc memory. Returns 0 or FW_ECRYPTO.
 */
FW_WUR int fw_ed25519_seed_keypair(const unsigned char seed[FW_ED25519_SEED_BYTES],
                                   unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES],
                                   unsigned char ret_sk[FW_ED25519_SECRET_BYTES]);
/*
 * fw_ed25519_sign: the detached, deterministic signature of n bytes under sk into ret_sig. Returns 0, or
 * FW_ECRYPTO if libsodium fails (it does not for a key from fw_ed25519_seed_keypair).
 */
FW_WUR int fw_ed25519_sign(const unsigned char sk[FW_ED25519_SECRET_BYTES], const void *msg, size_t n,
                           unsigned char ret_sig[FW_ED25519_SIG_BYTES]);
/*
 * fw_ed25519_verify: 0 if sig is a valid signature of the n bytes under pk, else FW_ECRYPTO (also for
 * non-canonical signatures and small-order or malformed public keys, which libsodium refuses).
 */
FW_WUR int fw_ed25519_verify(const unsigned char pk[FW_ED25519_PUBLIC_BYTES], const void *msg, size_t n,
                             const unsigned char sig[FW_ED25519_SIG_BYTES]);

/*
 * fw_crypto_secret_alloc: n bytes of guarded memory for secrets (sodium_malloc: guard pages, locked when the
 * system allows, canary checked on free); NULL when out of memory. fw_crypto_secret_free wipes and releases
 * it; accepts NULL.
 */
void *fw_crypto_secret_alloc(size_t n);
void fw_crypto_secret_free(void *p);

/* fw_base64_encoded_len: length of the padded standard base64 (RFC 4648 section 4) of n bytes, no NUL. */
size_t fw_base64_encoded_len(size_t n);
/*
 * fw_base64_encode: padded standard base64 of n bytes into out, which holds fw_base64_encoded_len(n) + 1
 * bytes; out is NUL-terminated.
 */
void fw_base64_encode(const void *bin, size_t n, char *out);
/*
 * fw_base64_decode: strict decoding of len characters of padded standard base64: exactly the padding RFC 4648
 * requires, no whitespace, no URL-safe characters, zero unused bits. Writes at most max bytes to out and the
 * count to ret_len. FW_EINVAL for anything else, FW_ETOOBIG if the length says the result cannot fit (checked
 * first); on failure out is zeroed (it may have held part of a secret) and ret_len is not written.
 */
FW_WUR int fw_base64_decode(const char *b64, size_t len, unsigned char *out, size_t max, size_t *ret_len);

/*
 * fw_sha256_2: SHA-256 of the concatenation of an bytes at a and bn bytes at b, without copying them
 * together (Merkle leaf and node hashes, lib/log/merkle.c). Thread-safe.
 */
void fw_sha256_2(const void *a, size_t an, const void *b, size_t bn, unsigned char out[32]);

/*
 * Incremental SHA-256 whose state is plain caller memory: copy it to finish one beginning with several
 * endings, or to hash the beginning in one thread and the end in another (lib/ops/event.c hashes a log
 * entry up to its time ahead of the writer). init, then update any number of times, then final. The state
 * is not secret-wiped: use it for public data only.
 */
struct fw_sha256_state {
	unsigned long long opaque[16];
};
void fw_sha256_init(struct fw_sha256_state *st);
void fw_sha256_update(struct fw_sha256_state *st, const void *p, size_t n);
void fw_sha256_final(struct fw_sha256_state *st, unsigned char out[32]);

/*
 * Secret text files (tokens, signer keys) in a data directory. fw_secret_file_write: creates path with mode
 * 0600 holding text and a newline, fsync'ed; FW_EEXIST if it exists. fw_secret_file_read: the file's first
 * line (without its newline) into out (outsz bytes, NUL-terminated); FW_EPERM if group or others may read
 * it, FW_ETOOBIG if it does not fit, FW_ENOENT if absent. out is written only on success.
 */
FW_WUR int fw_secret_file_write(const char *path, const char *text);
FW_WUR int fw_secret_file_read(const char *path, char *out, size_t outsz);

/*
 * fw_crypto_stream: n bytes of keystream that only the holder of key can compute, for the context ctx (ctxlen
 * bytes; distinct contexts give independent streams): ChaCha20 (the original variant: 64-bit nonce and block
 * counter, both starting at zero) under the subkey BLAKE2b-256(key = key, message = ctx). A PRF output of any
 * length: deterministic, and a longer n extends a shorter one (the first bytes agree). The subkey is wiped;
 * out holds secret-derived bytes the caller wipes when they matter. Thread-safe after fw_crypto_init.
 */
void fw_crypto_stream(const unsigned char key[FW_KEY_BYTES], const void *ctx, size_t ctxlen, void *out,
                      size_t n);

/*
 * fw_hmac_sha256: HMAC-SHA256 (RFC 2104, RFC 4231) under a key of any length over the concatenation of an
 * bytes at a and bn bytes at b (b may be NULL when bn is 0): webhook signatures. The internal state, which
 * holds key material, is wiped. Thread-safe after fw_crypto_init.
 */
void fw_hmac_sha256(const void *key, size_t keylen, const void *a, size_t an, const void *b, size_t bn,
                    unsigned char out[32]);

/*
 * Data keys: encryption at rest (docs/security.md). A struct fw_data_key holds a 32-byte
 * XChaCha20-Poly1305 key in guarded, read-only memory and its public id: the first 4 bytes of
 * BLAKE2b(key = the key, message = "forewarn data key id"), which names the key in the database and in
 * messages without revealing it. Immutable once made: any number of threads may use one at once.
 * Constructors write *ret only on success; fw_data_key_free accepts NULL.
 */
#define FW_DATA_KEY_BYTES    32
#define FW_DATA_KEY_ID_BYTES 4
#define FW_DATA_KEY_ID_LEN   (2 * FW_DATA_KEY_ID_BYTES + 1) /* hex and NUL */
#define FW_DATA_KEY_HEX_LEN  (2 * FW_DATA_KEY_BYTES + 1)
struct fw_data_key;

/* fw_data_key_generate: a fresh random key. FW_ENOMEM. */
FW_WUR int fw_data_key_generate(struct fw_data_key **ret);
/*
 * fw_data_key_parse: a key written as 64 hex digits or as 44 characters of padded standard base64 (the
 * forms FOREWARN_DATA_KEY takes), nothing around them. FW_EINVAL for anything else, FW_ENOMEM.
 */
FW_WUR int fw_data_key_parse(const char *text, struct fw_data_key **ret);
/*
 * fw_data_key_load: a key file: exactly FW_DATA_KEY_BYTES raw bytes. FW_ENOENT if absent, FW_EPERM if group
 * or others may read it, FW_EINVAL if it is not 32 bytes, FW_EIO, FW_ENOMEM.
 */
FW_WUR int fw_data_key_load(const char *path, struct fw_data_key **ret);
/* fw_data_key_write: creates path (mode 0600, never over an existing file: FW_EEXIST) holding k, fsync'ed. */
FW_WUR int fw_data_key_write(const struct fw_data_key *k, const char *path);
/* fw_data_key_dup: a copy of k in its own guarded memory (freed with fw_data_key_free). FW_ENOMEM. */
FW_WUR int fw_data_key_dup(const struct fw_data_key *k, struct fw_data_key **ret);
/* fw_data_key_id: the key's id as 8 lower-case hex digits (owned by k). */
const char *fw_data_key_id(const struct fw_data_key *k);
/* fw_data_key_hex: the key itself as hex into out: a secret the caller wipes (fw_crypto_wipe). */
void fw_data_key_hex(const struct fw_data_key *k, char out[FW_DATA_KEY_HEX_LEN]);
void fw_data_key_free(struct fw_data_key *k);

/*
 * Sealed values (docs/formats.md): 1 byte format version (1), the key id (4 bytes), a random 24-byte nonce,
 * then the XChaCha20-Poly1305-IETF ciphertext and its 16-byte tag. The associated data is the first 5 bytes
 * followed by the caller's context (for the store "advisory:ID:title" and the like), so a value moved to
 * another row or column, or relabelled with another key id, fails to open.
 * fw_data_seal: seals n bytes at m into out (n + FW_SEAL_OVERHEAD bytes). Thread-safe.
 * fw_data_unseal: opens clen bytes at c into out (clen - FW_SEAL_OVERHEAD bytes; the plaintext only on
 * success, never unauthenticated bytes).
 * FW_ECRYPTO if c is not a sealed value of this format, was sealed under another key, or fails
 * authentication (tampered, or another context). Thread-safe.
 */
#define FW_SEAL_OVERHEAD 45
FW_WUR int fw_data_seal(const struct fw_data_key *k, const void *ctx, size_t ctxlen, const void *m, size_t n,
                        unsigned char *out);
FW_WUR int fw_data_unseal(const struct fw_data_key *k, const void *ctx, size_t ctxlen, const unsigned char *c,
                          size_t clen, void *out);
/* fw_data_sealed_key_id: the key id (hex) a sealed value names, into out; FW_ECRYPTO if c is not one. */
FW_WUR int fw_data_sealed_key_id(const unsigned char *c, size_t clen, char out[FW_DATA_KEY_ID_LEN]);

/*
 * X25519 keys and libsodium sealed boxes (crypto_box_seal: an ephemeral X25519 key, XSalsa20-Poly1305),
 * for copies sealed to a partner's key (docs/formats.md). Thread-safe after fw_crypto_init.
 */
#define FW_X25519_PUBLIC_BYTES 32
#define FW_X25519_SECRET_BYTES 32
#define FW_SEALBOX_OVERHEAD    48 /* the ephemeral public key and the Poly1305 tag */

/*
 * fw_x25519_keypair: a new random key pair into ret_pk and ret_sk. ret_sk is a secret the caller wipes.
 * Returns 0 or FW_ECRYPTO.
 */
FW_WUR int fw_x25519_keypair(unsigned char ret_pk[FW_X25519_PUBLIC_BYTES],
                             unsigned char ret_sk[FW_X25519_SECRET_BYTES]);
/* fw_x25519_public_of: the public key of a secret key (RFC 7748 X25519 with the base point). 0 or FW_ECRYPTO.
 */
FW_WUR int fw_x25519_public_of(const unsigned char sk[FW_X25519_SECRET_BYTES],
                               unsigned char ret_pk[FW_X25519_PUBLIC_BYTES]);
/*
 * fw_x25519_public_check: 0 if pk can receive sealed boxes; FW_EINVAL for a point of small order (all
 * zero among them), with which every shared secret is zero and nothing would stay secret.
 */
FW_WUR int fw_x25519_public_check(const unsigned char pk[FW_X25519_PUBLIC_BYTES]);
/*
 * fw_seal: the sealed box of the n bytes at msg for pk into out, which holds n + FW_SEALBOX_OVERHEAD bytes:
 * the ephemeral public key (32 bytes), then the XSalsa20-Poly1305 ciphertext under the nonce
 * BLAKE2b-192(ephemeral pk || pk). Random: each call gives other bytes. FW_EINVAL for a key refused by
 * fw_x25519_public_check, FW_ETOOBIG if n + FW_SEALBOX_OVERHEAD overflows, FW_ECRYPTO.
 */
FW_WUR int fw_seal(const unsigned char pk[FW_X25519_PUBLIC_BYTES], const void *msg, size_t n,
                   unsigned char *out);
/*
 * fw_seal_open: opens the n bytes of a sealed box with the key pair (pk, sk) into out (n -
 * FW_SEALBOX_OVERHEAD bytes). FW_EINVAL if n < FW_SEALBOX_OVERHEAD; FW_ECRYPTO if the box was not sealed to
 * this key or was changed (out then holds nothing: it is zeroed).
 */
FW_WUR int fw_seal_open(const unsigned char pk[FW_X25519_PUBLIC_BYTES],
                        const unsigned char sk[FW_X25519_SECRET_BYTES], const unsigned char *box, size_t n,
                        unsigned char *out);

#endif
