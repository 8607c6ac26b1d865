/*
 * Tiers and jurisdiction rules: replaced as a whole, each change one transaction with its event. The
 * shipped default rule mirrors MAPP's 2025 rule for mandatory-reporting jurisdictions (docs/policy.md, P6).
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/ops.h"

int fw_ops_finish(struct fw_store *s, int r)
{
	if (r == 0)
		r = fw_store_commit(s);
	if (r < 0)
		fw_store_rollback(s);
	return r;
}

struct tier_check {
	const struct fw_tier *t;
	size_t n;
	struct fw_error *err;
};

static int check_partner_tier(void *ctx, const struct fw_partner *p)
{
	struct tier_check *c = ctx;

	if (p->status == FW_PARTNER_REMOVED)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->t[i].name, p->tier) == 0)
			return 0;
	return fw_error_set(c->err, FW_ECONFLICT, "tiers", "tier \"%s\" is still used by partner \"%s\"",
	                    p->tier, p->id);
}

int fw_ops_tiers_set(struct fw_store *s, const char *actor, const struct fw_tier *t, size_t n, int64_t now,
                     struct fw_error *err)
{
	struct tier_check c = {t, n, err};
	int r;

	if (n == 0 || n > FW_MAX_TIERS)
		return fw_error_set(err, FW_EINVAL, "tiers", "between 1 and %d tiers", FW_MAX_TIERS);
	for (size_t i = 0; i < n; i++) {
		r = fw_tier_validate(&t[i], err);
		if (r < 0)
			return r;
	}
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	/* A tier still in use cannot disappear: its partners would silently lose their lead. */
	r = fw_store_partner_each(s, check_partner_tier, &c);
	if (r == 0)
		r = fw_store_tiers_set(s, t, n);
	if (r == 0)
		r = fw_event_emitkv(s, "tiers.changed", actor, NULL, NULL, NULL);
	if (r == 0)
		r = fw_store_advisory_set_due_all(s, now);
	return fw_ops_finish(s, r);
}

int fw_ops_rules_set(struct fw_store *s, const char *actor, const struct fw_rule *rules, size_t n,
                     int64_t now, struct fw_error *err)
{
	int r;

	if (n > FW_MAX_RULES)
		return fw_error_set(err, FW_EINVAL, "rules", "at most %d rules", FW_MAX_RULES);
	for (size_t i = 0; i < n; i++) {
		r = fw_rule_validate(&rules[i], err);
		if (r < 0)
			return r;
	}
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_rules_set(s, rules, n);
	if (r == 0)
		r = fw_event_emitkv(s, "rules.changed", actor, NULL, NULL, NULL);
	if (r == 0)
		r = fw_store_advisory_set_due_all(s, now);
	return fw_ops_finish(s, r);
}

void fw_default_rule(struct fw_rule *ret, const char *const *countries, size_t n)
{
	memset(ret, 0, sizeof(*ret));
	strcpy(ret->id, "mandatory-reporting");
	snprintf(
	    ret->description, sizeof(ret->description), "%s",
	    "Jurisdictions whose law obliges vulnerability reporting to the state: summary only, at release");
	for (size_t i = 0; i < n && i < FW_MAX_COUNTRIES; i++) {
		memcpy(ret->countries[i], countries[i], 2);
		ret->countries[i][2] = '\0';
		ret->ncountries++;
	}
	ret->max_lead = 0;
	ret->parts = 1u << FW_PART_SUMMARY;
}
