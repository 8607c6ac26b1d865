/*
 * Leak tracing: reads the code positions a suspect text shows (partner-agnostic), picks the advisory
 * revision it matches best, scores every partner who received that revision, and accuses only above the
 * exact Chernoff threshold at FW_TARDOS_ACCUSE_EPS per partner (investigate band at FW_TARDOS_INVESTIGATE_EPS).
 */
#ifndef FW_TRACE_H
#define FW_TRACE_H

#include <stddef.h>
#include "forewarn/crypto.h"
#include "forewarn/model.h"
#include "forewarn/store.h"

struct fw_trace_hit {
	char partner_id[FW_ID_MAX + 1];
	double score;
	double threshold; /* the score an innocent reaches with probability at most the band's eps */
	double bound;     /* the Chernoff bound of an innocent scoring this much */
	size_t positions; /* observed positions the score is over */
};

struct fw_trace_result {
	char advisory_id[FW_ID_MAX + 1]; /* "" when the text matches no advisory */
	int revision;
	size_t positions; /* observed positions */
	size_t length;    /* code positions of the revision */
	size_t partners;  /* partners scored: those who received the revision */
	double accuse_threshold, investigate_threshold;
	struct fw_trace_hit *accused, *investigate; /* by descending score; malloc'd */
	size_t naccused, ninvestigate;
};

/*
 * fw_ops_trace: traces the suspect text (prose, code or raw HTTP requests; len bytes) against advisory_id,
 * or against every advisory when it is NULL. Fills *ret (the caller releases it); FW_ENOENT with err when the
 * named advisory does not exist. A text that matches nothing gives an empty result, not an error.
 */
FW_WUR int fw_ops_trace(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *text, size_t len,
                        const char *advisory_id, struct fw_trace_result *ret, struct fw_error *err);
void fw_trace_result_release(struct fw_trace_result *r);

#endif
