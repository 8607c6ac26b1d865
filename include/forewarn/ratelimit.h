/*
 * A bounded table of failure counters: after `limit` failures of one key within a window, the key is locked
 * for a window. The server keys it by client address and by presented token to stop credential guessing
 * (docs/security.md, "Limits and abuse"). Keys are opaque bytes the caller derives with a keyed hash, so no
 * outsider can aim many keys at one bucket; the memory is fixed when the table is made.
 */
#ifndef FW_RATELIMIT_H
#define FW_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/err.h"

#define FW_RATELIMIT_KEY_BYTES 16
#define FW_RATELIMIT_WAYS      8 /* entries per bucket: a new key only ever evicts one of these */

struct fw_ratelimit;

/*
 * fw_ratelimit_new: a table of `slots` entries (rounded up to a whole number of buckets of
 * FW_RATELIMIT_WAYS) that locks a key for window_ms once it has failed `limit` times within window_ms of its
 * first counted failure. The caller frees it with fw_ratelimit_free. FW_EINVAL if slots, limit or window_ms
 * is 0 (or slots is absurd), FW_ENOMEM. Every function below is thread-safe on one table.
 */
FW_WUR int fw_ratelimit_new(size_t slots, unsigned limit, int64_t window_ms, struct fw_ratelimit **ret);
/* fw_ratelimit_free: accepts NULL; only once no other thread uses the table. */
void fw_ratelimit_free(struct fw_ratelimit *rl);

/*
 * fw_ratelimit_idle: 1 when no key can be locked at now_ms (every lockout made so far has ended), so a caller
 * may skip deriving keys and checking them; 0 otherwise. Lock-free.
 */
int fw_ratelimit_idle(struct fw_ratelimit *rl, int64_t now_ms);
/*
 * fw_ratelimit_check: 0 if key may try now (now_ms: a monotonic clock in milliseconds), else the
 * milliseconds left until its lockout ends (> 0). Counts nothing.
 */
int64_t fw_ratelimit_check(struct fw_ratelimit *rl, const unsigned char key[FW_RATELIMIT_KEY_BYTES],
                           int64_t now_ms);
/*
 * fw_ratelimit_fail: counts one failure of key at now_ms. Returns 1 when this failure locked the key (once
 * per lockout: the caller records it), else 0. A failure while the key is locked is not counted and does not
 * extend the lockout. When the key's bucket is full, the entry that matters least is evicted: a free or
 * stale one, else the unlocked one with the fewest failures (oldest first), and a locked one only when all
 * are locked (the one that ends first).
 */
int fw_ratelimit_fail(struct fw_ratelimit *rl, const unsigned char key[FW_RATELIMIT_KEY_BYTES],
                      int64_t now_ms);

/* What the table holds at now_ms: entries in use (counting or locked), locked ones, and evictions so far. */
struct fw_ratelimit_stats {
	size_t slots;
	size_t used;
	size_t locked;
	uint64_t evicted;
	uint64_t evicted_locked;
};
void fw_ratelimit_stats(struct fw_ratelimit *rl, int64_t now_ms, struct fw_ratelimit_stats *ret);

#define FW_RATELIMIT_CLIENT_MAX 17
/*
 * fw_ratelimit_client: the bytes that name a client address for counting (the caller hashes them into a key):
 * an IPv4 address (also written as IPv4-mapped IPv6) as itself, an IPv6 address by its /64 (one host usually
 * holds a whole /64), anything else by its text (cut to 16 bytes). shown (may be NULL; 64 bytes) receives
 * what to name the client by: the IPv4 address, or the /64 as "2001:db8:1:2::/64". Returns the length of out.
 */
size_t fw_ratelimit_client(const char *address, unsigned char out[FW_RATELIMIT_CLIENT_MAX], char shown[64]);

#endif
