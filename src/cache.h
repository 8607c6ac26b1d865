/*
 * Per-thread caches of what every partner request reads (tokens and their partners, tiers and rules,
 * advisories with their current revision, rendered copies, and the signatures of copies). Every admin write
 * bumps a process-wide generation before it answers; a request that starts after that sees none of the older
 * entries.
 */
#ifndef FW_SRC_CACHE_H
#define FW_SRC_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/csaf.h"
#include "forewarn/fingerprint.h"
#include "forewarn/ops.h"

/* cache_bump: invalidates every thread's caches (call after an admin write commits, before answering). */
void cache_bump(void);
/* cache_generation: the current generation, for caches kept elsewhere (src/auth_cert.c). */
uint64_t cache_generation(void);
/* cache_begin_request: drops this thread's entries if the generation moved; call once per request. */
void cache_begin_request(void);
/* cache_release_all: frees every thread's caches; only once the server threads have stopped. */
void cache_release_all(void);

/* cache_authenticate: the valid token for this secret (its keyed hash, compared in constant time) and its
 * partner, if any; FW_ENOENT for no valid token. */
int cache_authenticate(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *secret,
                       size_t len, struct fw_token *ret_token, struct fw_partner *ret_partner);
/* cache_policy: the tiers and rules; owned by the cache, valid until the request ends. */
int cache_policy(struct fw_store *s, const struct fw_ops_policy **ret);

struct cached_advisory {
	struct fw_advisory adv;
	struct fw_revision rev; /* the current revision with its parts */
	struct fw_revision_meta *history;
	size_t nhistory;
	char (*notes)[FW_REV_NOTE_MAX + 1];
	struct fw_fingerprint *fp; /* the revision's fingerprinting plan */
};
/* cache_advisory: the advisory, its current revision and history; owned by the cache for the request. */
int cache_advisory(struct fw_store *s, const char *id, const struct cached_advisory **ret);

/* Rendered copies by key, with their SHA-256; only small copies are kept. get's pointers last the request. */
int cache_copy_get(const char *key, const char **ret, size_t *ret_len, const unsigned char **ret_sha256);
void cache_copy_put(const char *key, const char *data, size_t len, const unsigned char sha256[32]);

/*
 * Signatures of copies by the SHA-256 of the bytes they sign (a signature depends on nothing else under the
 * one signing key), so each copy is signed once per thread, not per download. Kept across generations.
 * get: FW_ENOENT on a miss.
 */
int cache_signature_get(const unsigned char sha256[32], unsigned char ret_sig[64]);
void cache_signature_put(const unsigned char sha256[32], const unsigned char sig[64]);

#endif
