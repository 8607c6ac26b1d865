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

#endif
