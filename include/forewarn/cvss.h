/* CVSS v3.1 (and v3.0) base metrics: vector parsing and base score per the FIRST specification. */
#ifndef FW_CVSS_H
#define FW_CVSS_H

#include "forewarn/err.h"

struct fw_cvss3 {
	int minor;                       /* 0 for "CVSS:3.0/", 1 for "CVSS:3.1/" */
	char av, ac, pr, ui, s, c, i, a; /* metric letters as in the vector: AV:N -> 'N' ... */
	double base_score;               /* 0.0 .. 10.0, rounded up to one decimal per the spec's Roundup */
	const char *severity;            /* static: "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL" */
	/* base metric names for CSAF's cvss_v3 object, static strings: "NETWORK", "LOW", ... */
	const char *attack_vector, *attack_complexity, *privileges_required, *user_interaction, *scope,
	    *confidentiality_impact, *integrity_impact, *availability_impact;
};

/*
 * fw_cvss3_parse: parses a CVSS v3.0/v3.1 vector string ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").
 * All eight base metrics are required, each once; temporal and environmental metrics are accepted if valid
 * and ignored for the base score. On failure returns FW_EINVAL with err naming the problem (err may be NULL).
 */
FW_WUR int fw_cvss3_parse(const char *vector, struct fw_cvss3 *ret, struct fw_error *err);

#endif
