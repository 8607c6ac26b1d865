/*
 * SHA-256 through nettle, which uses the CPU's SHA extensions where it has them (x86 SHA-NI, ARMv8): about
 * six times libsodium's portable code on this project's machines. Every hash of public data goes through
 * here: log leaves and Merkle nodes, copies' digests, note signatures' key ids. The one-shot functions wipe
 * their state, as libsodium's did (a partner reference hashes its salt); keyed hashes, HMAC and signatures
 * stay with libsodium (crypto.c).
 */
#include <nettle/sha2.h>
#include "forewarn/crypto.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(struct fw_sha256_state),
               "struct fw_sha256_state holds nettle's state");
_Static_assert(_Alignof(struct sha256_ctx) <= _Alignof(struct fw_sha256_state),
               "struct fw_sha256_state is aligned for nettle's state");

void fw_sha256_init(struct fw_sha256_state *st)
{
	sha256_init((struct sha256_ctx *)(void *)st);
}

void fw_sha256_update(struct fw_sha256_state *st, const void *p, size_t n)
{
	sha256_update((struct sha256_ctx *)(void *)st, n, p);
}

void fw_sha256_final(struct fw_sha256_state *st, unsigned char out[32])
{
	sha256_digest((struct sha256_ctx *)(void *)st, SHA256_DIGEST_SIZE, out);
}

void fw_sha256(const void *p, size_t n, unsigned char out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
	fw_crypto_wipe(&c, sizeof(c));
}

void fw_sha256_2(const void *a, size_t an, const void *b, size_t bn, unsigned char out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, an, a);
	sha256_update(&c, bn, b);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
	fw_crypto_wipe(&c, sizeof(c));
}
