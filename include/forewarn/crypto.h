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

#endif
