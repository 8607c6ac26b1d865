/*
 * CSAF 2.0: rendering a partner's copy of an advisory, and importing a CSAF document as an advisory.
 * The only module (with format/json.c) that includes <jansson.h>.
 */
#ifndef FW_CSAF_H
#define FW_CSAF_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/model.h"
#include "forewarn/buf.h"

/* Metadata of one revision for document.tracking.revision_history. */
struct fw_revision_meta {
	int number;
	int64_t created_at;
	const char *note;
};

struct fw_render_in {
	const char *publisher_name;      /* e.g. "Example Vendor PSIRT" */
	const char *publisher_namespace; /* e.g. "https://psirt.example.com" */
	const struct fw_partner
	    *partner; /* recipient: every copy is rendered for one partner (fingerprinting seam) */
	const struct fw_advisory *advisory;
	const struct fw_revision *revision;     /* the current revision (parts texts) */
	const struct fw_revision_meta *history; /* revisions 1..n, ascending, n = advisory->revision */
	size_t nhistory;
	unsigned parts;  /* which parts this copy holds (already decided by the policy) */
	int public_copy; /* 1: T has passed: TLP:WHITE; else AMBER, or RED when the copy holds the PoC */
	int64_t now;
};

/*
 * fw_csaf_render: appends the partner's copy as a CSAF 2.0 JSON document to out. The document validates
 * against the CSAF 2.0 schema and mandatory tests 6.1.x. Deterministic for the same input.
 */
FW_WUR int fw_csaf_render(const struct fw_render_in *in, struct fw_buf *out);

/*
 * fw_csaf_import: reads a CSAF 2.0 document (JSON text of len bytes) into an advisory and revision:
 * title, CVE ids, product names, the first CVSS v3 vector, notes mapped to parts (summary, details,
 * detection; a "details" note titled "Proof of concept", as fw_csaf_render writes it, becomes the poc part).
 * The caller sets id and public_at. ret_rev->parts are heap strings owned by the caller
 * (fw_revision_release). On failure returns FW_EINVAL with err naming the JSON path and the problem; nothing
 * is written to ret_*.
 */
FW_WUR int fw_csaf_import(const char *json, size_t len, struct fw_advisory *ret_adv,
                          struct fw_revision *ret_rev, struct fw_error *err);

#endif
