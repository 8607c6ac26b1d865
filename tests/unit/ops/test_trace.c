/*
 * Leak tracing over a store (lib/ops/trace.c): evidence of several leaks summed over the revisions each
 * partner received. Regression: partners with many distinct sets of received revisions (each set has its
 * own thresholds) overflowed a fixed table of 33 sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/ops.h"
#include "forewarn/trace.h"

#define NADV 6
#define NP   63 /* partner i received advisory b exactly when bit b of i + 1 is set: 63 distinct sets */

static const char summary[] =
    "A {{critical|severe}} flaw in the {{request parser|HTTP parser}} of Example Server {{allows|lets}} a "
    "remote attacker to {{run|execute}} code. In our lab the host {{canary:ipv4}} was {{compromised|taken "
    "over}} and the attacker logged in as {{canary:user}}, then dropped {{canary:file}} into the web root.\n";
static const char leak[] =
    "A critical flaw in the request parser of Example Server allows a remote attacker to run code. In our "
    "lab the host 192.0.2.7 was compromised and the attacker logged in as jdoe, then dropped x.txt into "
    "the web root.\n";

static void test_many_sets_of_revisions(void **state)
{
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_trace_leak l[NADV], many[FW_TRACE_LEAKS_MAX + 1];
	struct fw_trace_result res;
	struct fw_data_key *dk = NULL;
	struct fw_store *s = NULL;
	struct fw_error err;
	unsigned char key[FW_KEY_BYTES];
	char ids[NADV][16];
	int64_t now = 1767225600;

	(void)state;
	memset(key, 0x6b, sizeof(key));
	assert_int_equal(fw_crypto_init(), 0);
	assert_int_equal(fw_store_open("sqlite::memory:", 0, &s, &err), 0);
	assert_int_equal(fw_data_key_generate(&dk), 0);
	assert_int_equal(fw_store_set_data_key(s, dk, &err), 0);
	assert_int_equal(fw_ops_tiers_set(s, "t", tiers, fw_default_tiers(tiers), now, &err), 0);
	for (int i = 0; i < NP; i++) {
		struct fw_partner p;

		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "p%02d", i);
		snprintf(p.name, sizeof(p.name), "Partner %d", i);
		memcpy(p.country, "DE", 3);
		snprintf(p.tier, sizeof(p.tier), "vetted");
		p.entitlements = FW_PARTS_ALL;
		p.created_at = p.updated_at = now;
		assert_int_equal(fw_ops_partner_create(s, "t", &p, now, &err), 0);
	}
	for (int b = 0; b < NADV; b++) {
		struct fw_advisory a;
		struct fw_revision rev;

		memset(&a, 0, sizeof(a));
		memset(&rev, 0, sizeof(rev));
		snprintf(a.id, sizeof(a.id), "adv-%d", b);
		snprintf(a.title, sizeof(a.title), "Advisory %d", b);
		rev.parts[FW_PART_SUMMARY] = (char *)summary;
		assert_int_equal(fw_ops_advisory_create(s, "t", &a, &rev, now + 864000, now, &err), 0);
		snprintf(ids[b], sizeof(ids[b]), "adv-%d", b);
		l[b].text = leak;
		l[b].len = strlen(leak);
		l[b].advisory_id = ids[b];
	}
	for (int i = 0; i < NP; i++)
		for (int b = 0; b < NADV; b++)
			if ((i + 1) >> b & 1) {
				struct fw_delivery d;
				int ins;

				memset(&d, 0, sizeof(d));
				snprintf(d.partner_id, sizeof(d.partner_id), "p%02d", i);
				snprintf(d.advisory_id, sizeof(d.advisory_id), "adv-%d", b);
				d.revision = 1;
				d.parts = 1;
				d.due_at = now;
				d.delivered_ms = now * 1000;
				assert_int_equal(fw_store_delivery_insert(s, &d, &ins), 0);
			}
	assert_int_equal(fw_ops_trace_leaks(s, key, l, NADV, &res, &err), 0);
	assert_int_equal(res.revisions, NADV);
	assert_int_equal(res.partners, NP);
	assert_int_equal(res.nleaks, NADV);
	/* The leak is no partner's copy: whoever is flagged, the bound holds per partner's own set. */
	for (size_t i = 0; i < res.naccused; i++)
		assert_true(res.accused[i].bound <= 1e-9 && res.accused[i].score >= res.accused[i].threshold);
	fw_trace_result_release(&res);
	/* Too many leaks, or none, are refused naming the field. */
	assert_int_equal(fw_ops_trace_leaks(s, key, l, 0, &res, &err), FW_EINVAL);
	assert_string_equal(err.field, "leaks");
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = l[0];
	assert_int_equal(fw_ops_trace_leaks(s, key, many, FW_TRACE_LEAKS_MAX + 1, &res, &err), FW_EINVAL);
	assert_string_equal(err.field, "leaks");
	/* A leak naming no advisory that exists, after one that does: refused naming it. */
	many[1].advisory_id = "adv-none";
	assert_int_equal(fw_ops_trace_leaks(s, key, many, 2, &res, &err), FW_ENOENT);
	assert_string_equal(err.field, "advisory");
	fw_store_free(s);
	fw_data_key_free(dk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_many_sets_of_revisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
