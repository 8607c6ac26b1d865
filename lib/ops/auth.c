/*
 * Lockouts of failed authentications, recorded as events. The server decides when (src/authlimit.c: at most
 * one per address or token and lockout, and a budget per window); this file only writes the record, so that
 * lib/ops/event.c stays the one place events are made.
 */
#include <inttypes.h>
#include <stdio.h>
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"

int fw_ops_auth_locked(struct fw_store *s, const struct fw_auth_lockout *l)
{
	char failures[16], window[16], until[FW_RFC3339_LEN], suppressed[24];
	const char *k[2] = {NULL, NULL}, *v[2] = {NULL, NULL};
	size_t n = 0;
	int r;

	snprintf(failures, sizeof(failures), "%u", l->failures);
	snprintf(window, sizeof(window), "%u", l->window_s);
	snprintf(suppressed, sizeof(suppressed), "%" PRIu64, l->suppressed);
	fw_time_format(l->until, until);
	/* Optional pairs go last: the first NULL key ends the list. */
	if (l->token_ref) {
		k[n] = "token_hash";
		v[n++] = l->token_ref;
	}
	if (l->suppressed) {
		k[n] = "suppressed";
		v[n++] = suppressed;
	}
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_event_emitkv(s, "auth.locked", "anonymous", NULL, NULL, "scope", l->scope, "address",
	                    l->address, "failures", failures, "window_s", window, "until", until, k[0], v[0],
	                    k[1], v[1], NULL);
	return fw_ops_finish(s, r);
}
