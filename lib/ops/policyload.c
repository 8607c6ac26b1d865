/* Loading the policy context (tiers and rules) from the store for the policy engine. */
#include <stdlib.h>
#include <string.h>
#include "forewarn/ops.h"

int fw_ops_policy_load(struct fw_store *s, struct fw_ops_policy *ret)
{
	struct fw_rule *rules = NULL;
	size_t ntiers, nrules;
	int r;

	r = fw_store_tiers_get(s, ret->tiers, &ntiers);
	if (r < 0)
		return r;
	r = fw_store_rules_get(s, &rules, &nrules);
	if (r < 0)
		return r;
	ret->rules = rules;
	ret->ctx.tiers = ret->tiers;
	ret->ctx.ntiers = ntiers;
	ret->ctx.rules = rules;
	ret->ctx.nrules = nrules;
	return 0;
}

void fw_ops_policy_release(struct fw_ops_policy *p)
{
	if (!p)
		return;
	free(p->rules);
	p->rules = NULL;
	p->ctx.rules = NULL;
	p->ctx.nrules = 0;
}
