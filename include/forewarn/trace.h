/*
 * Leak tracing: reads the code positions suspect texts show (partner-agnostic), picks the advisory revision
 * each matches best, scores every partner who received those revisions, evidence summed, and accuses only
 * above the exact Chernoff threshold at FW_TARDOS_ACCUSE_EPS per partner (investigate band at
 * FW_TARDOS_INVESTIGATE_EPS).
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

/* Limit: the leaked texts one trace reads together (their evidence adds up). */
#define FW_TRACE_LEAKS_MAX 32

/* One leaked text: its bytes, and the advisory to read it against (NULL: every advisory). */
struct fw_trace_leak {
	const char *text;
	size_t len;
	const char *advisory_id;
};

/* What one leaked text matched: "" and 0 when it shows no code position of any advisory. */
struct fw_trace_match {
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	size_t positions; /* positions this text shows */
};

struct fw_trace_result {
	char advisory_id[FW_ID_MAX + 1]; /* the first revision matched; "" when no text matches anything */
	int revision;
	size_t revisions; /* distinct revisions matched: the blocks of evidence */
	size_t positions; /* observed positions, over all of them */
	size_t length;    /* code positions of those revisions */
	size_t partners;  /* partners scored: those who received any of them */
	/* The thresholds for a partner who received every revision matched (each hit has its own). */
	double accuse_threshold, investigate_threshold;
	struct fw_trace_hit *accused, *investigate; /* by descending score; malloc'd */
	size_t naccused, ninvestigate;
	struct fw_trace_match leaks[FW_TRACE_LEAKS_MAX]; /* per leaked text, in the order given */
	size_t nleaks;
};

/*
 * fw_ops_trace_leaks: traces nleaks (1 to FW_TRACE_LEAKS_MAX) leaked texts together, such as several
 * advisories leaked by the same partner. Each text (prose, code or raw HTTP requests) is read on its own,
 * partner-agnostic, and matched to the revision it shows most positions of (of its advisory_id, or of any
 * advisory). Texts matching the same revision pool their readings (a position they read differently counts
 * as unseen). Every partner who received any matched revision is scored on the revisions it received: its
 * scores add up, and so do the cumulant generating functions of its Chernoff bound (DESIGN.md,
 * "Fingerprinting"), so it is accused when an innocent recipient of those revisions would reach its summed
 * score with probability at most FW_TARDOS_ACCUSE_EPS. Fills *ret (the caller releases it); FW_EINVAL with
 * err (field "leaks") for a bad count; FW_ENOENT with err when a named advisory does not exist; FW_ETOOBIG
 * with err (field "text") for a text over FW_TEMPLATE_TEXT_MAX. Texts matching nothing give an empty result,
 * not an error.
 */
FW_WUR int fw_ops_trace_leaks(struct fw_store *s, const unsigned char key[FW_KEY_BYTES],
                              const struct fw_trace_leak *leaks, size_t nleaks, struct fw_trace_result *ret,
                              struct fw_error *err);

/*
 * fw_ops_trace: traces the suspect text (prose, code or raw HTTP requests; len bytes) against advisory_id,
 * or against every advisory when it is NULL: fw_ops_trace_leaks of the one text.
 */
FW_WUR int fw_ops_trace(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *text,
                        size_t len, const char *advisory_id, struct fw_trace_result *ret,
                        struct fw_error *err);
void fw_trace_result_release(struct fw_trace_result *r);

#endif
