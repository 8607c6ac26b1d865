/*
 * The policy engine: a pure function of (tiers, rules, partner, advisory, part, now). Each branch cites
 * its rule id in docs/policy.md; the order of the checks is the order of the rules there.
 */
#include <stdint.h>
#include <string.h>
#include "forewarn/policy.h"

static const char *const reason_ids[] = {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"};
static const char *const reason_texts[] = {
    "the advisory is public",
    "within the partner's effective lead time before release",
    "the partner has been removed",
    "the advisory is not released (draft or withdrawn)",
    "the part is not among the partner's entitlements",
    "a jurisdiction rule excludes the part",
    "the partner is suspended and the advisory is not public yet",
    "before the partner's release time",
    "the revision has no such part",
};

const char *fw_policy_reason_id(enum fw_policy_reason r)
{
	return (unsigned)r < sizeof(reason_ids) / sizeof(reason_ids[0]) ? reason_ids[r] : "P?";
}

const char *fw_policy_reason_text(enum fw_policy_reason r)
{
	return (unsigned)r < sizeof(reason_texts) / sizeof(reason_texts[0]) ? reason_texts[r] : "unknown";
}

int64_t fw_policy_lead(const struct fw_policy_ctx *ctx, const struct fw_partner *p)
{
	int64_t lead = 0; /* P2: an unknown tier gets no lead: fail closed */

	for (size_t i = 0; i < ctx->ntiers; i++)
		if (strcmp(ctx->tiers[i].name, p->tier) == 0)
			lead = ctx->tiers[i].lead;
	for (size_t i = 0; i < ctx->nrules; i++)
		if (fw_rule_matches(&ctx->rules[i], p->country) && ctx->rules[i].max_lead < lead)
			lead = ctx->rules[i].max_lead;
	return lead < 0 ? 0 : lead;
}

unsigned fw_policy_parts_cap(const struct fw_policy_ctx *ctx, const struct fw_partner *p)
{
	unsigned parts = p->entitlements & FW_PARTS_ALL; /* P5 */

	for (size_t i = 0; i < ctx->nrules; i++)
		if (fw_rule_matches(&ctx->rules[i], p->country))
			parts &= ctx->rules[i].parts; /* P6 */
	return parts;
}

int fw_policy_is_public(const struct fw_advisory *a, int64_t now)
{
	if (a->status == FW_ADV_PUBLIC)
		return 1;
	return a->status == FW_ADV_SCHEDULED && now >= a->public_at;
}

static void decide(const struct fw_policy_ctx *ctx, const struct fw_partner *p, const struct fw_advisory *a,
                   unsigned present, enum fw_part part, int64_t now, int64_t lead, struct fw_decision *d)
{
	unsigned bit = 1u << part;
	int64_t release;

	d->allow = 0;
	d->available_at = INT64_MAX;
	if (p->status == FW_PARTNER_REMOVED) {
		d->reason = FW_POLICY_DENY_REMOVED; /* P3 */
		return;
	}
	if (a->status != FW_ADV_SCHEDULED && a->status != FW_ADV_PUBLIC) {
		d->reason = FW_POLICY_DENY_UNPUBLISHED; /* P4 */
		return;
	}
	if (!(present & bit)) {
		d->reason = FW_POLICY_DENY_ABSENT; /* P9 */
		return;
	}
	if (!(p->entitlements & bit)) {
		d->reason = FW_POLICY_DENY_ENTITLEMENT; /* P5 */
		return;
	}
	if (!(fw_policy_parts_cap(ctx, p) & bit)) {
		d->reason = FW_POLICY_DENY_RULE_PART; /* P6 */
		return;
	}
	if (fw_policy_is_public(a, now)) {
		d->allow = 1;
		d->reason = FW_POLICY_ALLOW_PUBLIC; /* P1 */
		d->available_at = a->status == FW_ADV_PUBLIC && a->public_at > now ? now : a->public_at;
		return;
	}
	if (p->status != FW_PARTNER_ACTIVE) {
		d->reason = FW_POLICY_DENY_SUSPENDED; /* P7 */
		d->available_at = a->public_at;
		return;
	}
	release = a->public_at - lead;
	d->available_at = release;
	if (now < release) {
		d->reason = FW_POLICY_DENY_TOO_EARLY; /* P8 */
		return;
	}
	d->allow = 1;
	d->reason = FW_POLICY_ALLOW_EMBARGO; /* P2 */
}

void fw_policy_decide(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                      const struct fw_advisory *a, unsigned present, enum fw_part part, int64_t now,
                      struct fw_decision *ret)
{
	decide(ctx, p, a, present, part, now, fw_policy_lead(ctx, p), ret);
}

unsigned fw_policy_access(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                          const struct fw_advisory *a, unsigned present, int64_t now, int64_t *ret_next)
{
	int64_t lead = fw_policy_lead(ctx, p), next = INT64_MAX;
	unsigned mask = 0;
	struct fw_decision d;

	for (int i = 0; i < FW_PART_COUNT; i++) {
		decide(ctx, p, a, present, (enum fw_part)i, now, lead, &d);
		if (d.allow)
			mask |= 1u << i;
		else if (d.available_at > now && d.available_at < next)
			next = d.available_at;
	}
	/* The copy also changes at T (TLP:WHITE), whatever the parts. */
	if (a->status == FW_ADV_SCHEDULED && a->public_at > now && a->public_at < next)
		next = a->public_at;
	if (ret_next)
		*ret_next = next;
	return mask;
}
