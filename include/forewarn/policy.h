/*
 * The policy engine: who may see which part of which advisory, when.
 * Pure functions of (model, time); every reason cites a rule id of docs/policy.md.
 */
#ifndef FW_POLICY_H
#define FW_POLICY_H

#include <stdint.h>
#include "forewarn/model.h"

enum fw_policy_reason {
	FW_POLICY_ALLOW_PUBLIC = 0, /* P1: T has passed: the advisory is public */
	FW_POLICY_ALLOW_EMBARGO,    /* P2: within the partner's effective lead before T */
	FW_POLICY_DENY_REMOVED,     /* P3: the partner was removed */
	FW_POLICY_DENY_UNPUBLISHED, /* P4: the advisory is a draft or withdrawn */
	FW_POLICY_DENY_ENTITLEMENT, /* P5: the part is not among the partner's entitlements */
	FW_POLICY_DENY_RULE_PART,   /* P6: a jurisdiction rule excludes the part */
	FW_POLICY_DENY_SUSPENDED,   /* P7: suspended partners see nothing not yet public */
	FW_POLICY_DENY_TOO_EARLY,   /* P8: before T minus the effective lead */
	FW_POLICY_DENY_ABSENT,      /* P9: the revision has no such part */
};

struct fw_policy_ctx {
	const struct fw_tier *tiers;
	size_t ntiers;
	const struct fw_rule *rules;
	size_t nrules;
};

struct fw_decision {
	int allow;
	enum fw_policy_reason reason;
	int64_t available_at; /* when the part becomes visible for this partner; INT64_MAX if never */
};

/* fw_policy_reason_id: "P1".."P9"; fw_policy_reason_text: one line of why. Static strings. */
const char *fw_policy_reason_id(enum fw_policy_reason r);
const char *fw_policy_reason_text(enum fw_policy_reason r);

/*
 * fw_policy_lead: the partner's effective lead in seconds: its tier's lead (0 for an unknown tier:
 * fail closed), capped by every matching rule (P2). Never negative.
 */
int64_t fw_policy_lead(const struct fw_policy_ctx *ctx, const struct fw_partner *p);
/* fw_policy_parts_cap: the parts the partner may ever receive: entitlements minus rule exclusions. */
unsigned fw_policy_parts_cap(const struct fw_policy_ctx *ctx, const struct fw_partner *p);

/*
 * fw_policy_decide: the decision for one part of the advisory's current revision at `now`.
 * `present` is the bitmask of parts the revision holds. Pure; thread-safe.
 */
void fw_policy_decide(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                      const struct fw_advisory *a, unsigned present, enum fw_part part, int64_t now,
                      struct fw_decision *ret);

/*
 * fw_policy_access: the bitmask of parts (among `present`) the partner may see at `now`; 0 = nothing
 * (the advisory answers 404). If ret_next is not NULL it receives the next instant > now at which the
 * answer can change by time alone (release or T), or INT64_MAX.
 * Of the advisory, the policy reads its status and public_at only (here and in fw_policy_decide and
 * fw_policy_is_public): callers may pass an advisory that holds nothing else (src/inbox_list.c).
 */
unsigned fw_policy_access(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                          const struct fw_advisory *a, unsigned present, int64_t now, int64_t *ret_next);

/* fw_policy_is_public: 1 when the advisory is public at `now` (not withdrawn, T set and passed). */
int fw_policy_is_public(const struct fw_advisory *a, int64_t now);

#endif
