/*
 * A partner's copy of an advisory (src/copy.c): the one access decision of everything that serves a copy or
 * says anything about one (the inbox copy routes, their /sig companions, webhook content), the rendering of
 * the exact bytes, and their signature.
 */
#ifndef FW_SRC_COPY_H
#define FW_SRC_COPY_H

#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/model.h"
#include "forewarn/store.h"
#include "cache.h"
#include "server.h"

/* What a partner may see of one advisory at one instant: the plan of its copy. */
struct copy_plan {
	const struct cached_advisory *c;
	const struct fw_ops_policy *pol;
	unsigned parts;
	int poc;         /* the PoC rather than the CSAF document */
	int public_copy; /* T has passed: the neutral TLP:WHITE copy */
	int64_t now_ms, now;
	char key[256]; /* of the CSAF copy in the copy cache */
};

/*
 * copy_plan: decides what partner may see of advisory_id at now_ms (the PoC when poc), through this thread's
 * caches (src/cache.h: their entries last until the caller's next cache_begin_request). 0 with *p filled; 1
 * when the partner may see nothing of it (or no such advisory, or a malformed id, or the PoC without the
 * right to it): callers answer exactly as for an advisory that does not exist; or a negative FW_E* code.
 */
int copy_plan(struct fw_store *s, const struct fw_partner *partner, const char *advisory_id, int poc,
              int64_t now_ms, struct copy_plan *p);

/* copy_render: appends the exact bytes of the partner's copy, or its PoC, as planned, to out. */
int copy_render(const struct server *srv, const struct fw_partner *partner, const struct copy_plan *p,
                struct fw_buf *out);

/*
 * copy_signature: the Ed25519 signature of the len bytes at data, whose SHA-256 is sha256: signed once, then
 * taken from this thread's cache (copies are deterministic, so the same copy is the same bytes every time).
 */
int copy_signature(const struct server *srv, const unsigned char sha256[32], const char *data, size_t len,
                   unsigned char ret_sig[FW_ED25519_SIG_BYTES]);

#endif
