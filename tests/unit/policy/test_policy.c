/*
 * The policy table: every rule of docs/policy.md (P1..P9) and the combinations that matter, each row a
 * partner, an advisory state, a part and an instant relative to T, with the expected decision and rule id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/policy.h"

#define H 3600
#define T 1900000000LL /* the advisory's public release time */

#define S (1u << FW_PART_SUMMARY)
#define D (1u << FW_PART_DETAILS)
#define X (1u << FW_PART_DETECTION)
#define C (1u << FW_PART_POC)

static struct fw_tier tiers[3];
static struct fw_rule rules[2];
static struct fw_policy_ctx ctx;

static void setup_ctx(void)
{
	memset(tiers, 0, sizeof(tiers));
	strcpy(tiers[0].name, "vetted");
	tiers[0].lead = 120 * H;
	strcpy(tiers[1].name, "standard");
	tiers[1].lead = 24 * H;
	strcpy(tiers[2].name, "early");
	tiers[2].lead = 72 * H;
	memset(rules, 0, sizeof(rules));
	/* The shipped rule: mandatory-reporting jurisdictions get the summary only, at release. */
	strcpy(rules[0].id, "mandatory-reporting");
	strcpy(rules[0].countries[0], "CN");
	strcpy(rules[0].countries[1], "RU");
	rules[0].ncountries = 2;
	rules[0].max_lead = 0;
	rules[0].parts = S;
	/* A custom rule: a country capped at 12 h, no PoC. */
	strcpy(rules[1].id, "cap-12h");
	strcpy(rules[1].countries[0], "XK" /* not assigned: never matches a valid partner */);
	strcpy(rules[1].countries[1], "IN");
	rules[1].ncountries = 2;
	rules[1].max_lead = 12 * H;
	rules[1].parts = S | D | X;
	ctx = (struct fw_policy_ctx){tiers, 3, rules, 2};
}

struct row {
	const char *name;
	const char *country, *tier;
	unsigned entitlements;
	enum fw_partner_status pstatus;
	enum fw_advisory_status astatus;
	int64_t public_at;
	unsigned present;
	enum fw_part part;
	int64_t now;
	int allow;
	const char *rule;
	int64_t available_at;
};

#define ALLP  (S | D | X | C)
#define NEVER INT64_MAX

static const struct row rows[] = {
    /* P2 / P8: the lead of the tier decides, to the second. */
    {"vetted one second before its lead", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_DETAILS, T - 120 * H - 1, 0, "P8", T - 120 * H},
    {"vetted at its lead", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_DETAILS, T - 120 * H, 1, "P2", T - 120 * H},
    {"standard while vetted already sees it", "GB", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T,
     ALLP, FW_PART_SUMMARY, T - 100 * H, 0, "P8", T - 24 * H},
    {"standard at 24 h", "GB", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP, FW_PART_POC,
     T - 24 * H, 1, "P2", T - 24 * H},
    {"operator-defined tier", "DE", "early", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_SUMMARY, T - 72 * H, 1, "P2", T - 72 * H},
    {"unknown tier fails closed to lead 0", "DE", "gone", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_SUMMARY, T - 1, 0, "P8", T},
    /* P1: at T the advisory is public. */
    {"public at T", "GB", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP, FW_PART_DETAILS, T,
     1, "P1", T},
    {"public status after T", "GB", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_PUBLIC, T, ALLP,
     FW_PART_DETAILS, T + 99 * H, 1, "P1", T},
    /* P5: entitlements hold before and after T. */
    {"no PoC entitlement before T", "FR", "vetted", S | D | X, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_POC, T - H, 0, "P5", NEVER},
    {"no PoC entitlement after T", "FR", "vetted", S | D | X, FW_PARTNER_ACTIVE, FW_ADV_PUBLIC, T, ALLP,
     FW_PART_POC, T + H, 0, "P5", NEVER},
    {"entitled part allowed", "FR", "vetted", S | D | X, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_DETECTION, T - H, 1, "P2", T - 120 * H},
    /* P6: the mandatory-reporting rule caps lead to 0 and parts to the summary. */
    {"restricted vetted partner: no summary before T", "CN", "vetted", ALLP, FW_PARTNER_ACTIVE,
     FW_ADV_SCHEDULED, T, ALLP, FW_PART_SUMMARY, T - H, 0, "P8", T},
    {"restricted partner: summary at T", "CN", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_SUMMARY, T, 1, "P1", T},
    {"restricted partner: no details even after T", "RU", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_PUBLIC, T,
     ALLP, FW_PART_DETAILS, T + 10 * H, 0, "P6", NEVER},
    {"restricted partner: never the PoC", "CN", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T,
     ALLP, FW_PART_POC, T - 200 * H, 0, "P6", NEVER},
    {"12 h cap on a vetted partner, too early", "IN", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T,
     ALLP, FW_PART_DETAILS, T - 13 * H, 0, "P8", T - 12 * H},
    {"12 h cap on a vetted partner, in time", "IN", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T,
     ALLP, FW_PART_DETAILS, T - 12 * H, 1, "P2", T - 12 * H},
    {"12 h cap does not raise a standard partner's lead... it lowers only", "IN", "standard", ALLP,
     FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, ALLP, FW_PART_DETAILS, T - 13 * H, 0, "P8", T - 12 * H},
    /* P7: suspension. */
    {"suspended vetted partner before T", "US", "vetted", ALLP, FW_PARTNER_SUSPENDED, FW_ADV_SCHEDULED, T,
     ALLP, FW_PART_SUMMARY, T - H, 0, "P7", T},
    {"suspended partner sees the public advisory", "US", "vetted", ALLP, FW_PARTNER_SUSPENDED,
     FW_ADV_SCHEDULED, T, ALLP, FW_PART_DETAILS, T, 1, "P1", T},
    {"suspended while vetted in a restricted country: nothing early", "CN", "vetted", ALLP,
     FW_PARTNER_SUSPENDED, FW_ADV_SCHEDULED, T, ALLP, FW_PART_SUMMARY, T - 50 * H, 0, "P7", T},
    {"suspended while vetted in a restricted country: no details at T", "CN", "vetted", ALLP,
     FW_PARTNER_SUSPENDED, FW_ADV_PUBLIC, T, ALLP, FW_PART_DETAILS, T + H, 0, "P6", NEVER},
    {"suspended while vetted in a restricted country: summary at T", "CN", "vetted", ALLP,
     FW_PARTNER_SUSPENDED, FW_ADV_PUBLIC, T, ALLP, FW_PART_SUMMARY, T + H, 1, "P1", T},
    {"revised after a suspension: still nothing", "US", "vetted", ALLP, FW_PARTNER_SUSPENDED,
     FW_ADV_SCHEDULED, T, S | D, FW_PART_DETAILS, T - 10 * H, 0, "P7", T},
    {"reinstated: access is back at once", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T,
     S | D, FW_PART_DETAILS, T - 10 * H, 1, "P2", T - 120 * H},
    /* P3: removal is for good. */
    {"removed partner before T", "US", "vetted", ALLP, FW_PARTNER_REMOVED, FW_ADV_SCHEDULED, T, ALLP,
     FW_PART_SUMMARY, T - H, 0, "P3", NEVER},
    {"removed partner after T", "US", "vetted", ALLP, FW_PARTNER_REMOVED, FW_ADV_PUBLIC, T, ALLP,
     FW_PART_SUMMARY, T + H, 0, "P3", NEVER},
    /* P4: drafts and withdrawn advisories. */
    {"draft", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_DRAFT, 0, ALLP, FW_PART_SUMMARY, T, 0, "P4",
     NEVER},
    {"withdrawn before T", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_WITHDRAWN, T, ALLP,
     FW_PART_SUMMARY, T - H, 0, "P4", NEVER},
    {"withdrawn after T", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_WITHDRAWN, T, ALLP, FW_PART_SUMMARY,
     T + H, 0, "P4", NEVER},
    /* Rescheduling moves every instant with T. */
    {"rescheduled later: visible a moment ago, not now", "US", "vetted", ALLP, FW_PARTNER_ACTIVE,
     FW_ADV_SCHEDULED, T + 48 * H, ALLP, FW_PART_DETAILS, T - 100 * H, 0, "P8", T - 72 * H},
    {"rescheduled earlier: standard sees it sooner", "GB", "standard", ALLP, FW_PARTNER_ACTIVE,
     FW_ADV_SCHEDULED, T - 48 * H, ALLP, FW_PART_DETAILS, T - 70 * H, 1, "P2", T - 72 * H},
    {"rescheduled earlier into the past: public", "GB", "standard", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED,
     T - 48 * H, ALLP, FW_PART_DETAILS, T - 47 * H, 1, "P1", T - 48 * H},
    /* P9: absent parts. */
    {"no PoC in this revision", "US", "vetted", ALLP, FW_PARTNER_ACTIVE, FW_ADV_SCHEDULED, T, S | D | X,
     FW_PART_POC, T - H, 0, "P9", NEVER},
};

static void test_table(void **state)
{
	(void)state;
	setup_ctx();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct fw_partner p;
		struct fw_advisory a;
		struct fw_decision d;

		memset(&p, 0, sizeof(p));
		memset(&a, 0, sizeof(a));
		strcpy(p.id, "p");
		strcpy(p.country, w->country);
		strcpy(p.tier, w->tier);
		p.entitlements = w->entitlements;
		p.status = w->pstatus;
		a.status = w->astatus;
		a.public_at = w->public_at;
		fw_policy_decide(&ctx, &p, &a, w->present, w->part, w->now, &d);
		if (d.allow != w->allow || strcmp(fw_policy_reason_id(d.reason), w->rule) != 0 ||
		    d.available_at != w->available_at)
			fail_msg("row %zu \"%s\": got allow=%d %s available_at=%lld; want allow=%d %s %lld",
			         i, w->name, d.allow, fw_policy_reason_id(d.reason),
			         (long long)d.available_at, w->allow, w->rule, (long long)w->available_at);
	}
}

/* fw_policy_access must agree with fw_policy_decide part by part, and its `next` is the next change. */
static void test_access_agrees(void **state)
{
	(void)state;
	setup_ctx();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct fw_partner p;
		struct fw_advisory a;
		unsigned want = 0, got;
		int64_t next;

		memset(&p, 0, sizeof(p));
		memset(&a, 0, sizeof(a));
		strcpy(p.country, w->country);
		strcpy(p.tier, w->tier);
		p.entitlements = w->entitlements;
		p.status = w->pstatus;
		a.status = w->astatus;
		a.public_at = w->public_at;
		for (int k = 0; k < FW_PART_COUNT; k++) {
			struct fw_decision d;
			fw_policy_decide(&ctx, &p, &a, w->present, (enum fw_part)k, w->now, &d);
			if (d.allow)
				want |= 1u << k;
		}
		got = fw_policy_access(&ctx, &p, &a, w->present, w->now, &next);
		assert_int_equal(got, want);
		assert_true(next > w->now);
		/* Nothing changes strictly between now and next. */
		if (next != INT64_MAX) {
			assert_int_equal(fw_policy_access(&ctx, &p, &a, w->present, next - 1, NULL), got);
		}
	}
}

static void test_lead_and_cap(void **state)
{
	struct fw_partner p;

	(void)state;
	setup_ctx();
	memset(&p, 0, sizeof(p));
	strcpy(p.tier, "vetted");
	strcpy(p.country, "US");
	p.entitlements = ALLP;
	assert_int_equal(fw_policy_lead(&ctx, &p), 120 * H);
	assert_int_equal(fw_policy_parts_cap(&ctx, &p), ALLP);
	strcpy(p.country, "CN");
	assert_int_equal(fw_policy_lead(&ctx, &p), 0);
	assert_int_equal(fw_policy_parts_cap(&ctx, &p), S);
	strcpy(p.country, "IN");
	assert_int_equal(fw_policy_lead(&ctx, &p), 12 * H);
	assert_int_equal(fw_policy_parts_cap(&ctx, &p), S | D | X);
	for (int r = 0; r <= FW_POLICY_DENY_ABSENT; r++) {
		assert_non_null(fw_policy_reason_text((enum fw_policy_reason)r));
		assert_int_equal(fw_policy_reason_id((enum fw_policy_reason)r)[0], 'P');
	}
}

/* Randomised: access never widens when a restriction is added, and nothing is visible before T - lead. */
static void test_random_monotone(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	(void)state;
	setup_ctx();
	for (int i = 0; i < 200000; i++) {
		static const char *const countries[] = {"US", "CN", "IN", "DE"};
		static const char *const tiernames[] = {"vetted", "standard", "early", "gone"};
		struct fw_partner p;
		struct fw_advisory a;
		unsigned m, m2;
		int64_t now, lead;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		memset(&p, 0, sizeof(p));
		memset(&a, 0, sizeof(a));
		strcpy(p.country, countries[seed % 4]);
		strcpy(p.tier, tiernames[(seed >> 4) % 4]);
		p.entitlements = (unsigned)(seed >> 8) & ALLP;
		p.status = (enum fw_partner_status)((seed >> 12) % 3);
		a.status = (enum fw_advisory_status)((seed >> 16) % 4);
		a.public_at = T;
		now = T - (int64_t)((seed >> 20) % (200 * H)) + 20 * H;
		/* A public advisory's T is never in the future (publishing now sets T to now). */
		if (a.status == FW_ADV_PUBLIC && now < a.public_at)
			a.public_at = now;
		m = fw_policy_access(&ctx, &p, &a, ALLP, now, NULL);
		lead = fw_policy_lead(&ctx, &p);
		assert_true((m & ~p.entitlements) == 0);                /* I2 */
		assert_true((m & ~fw_policy_parts_cap(&ctx, &p)) == 0); /* I2 */
		if (now < a.public_at - lead)
			assert_int_equal(m, 0); /* I1 */
		if (a.status != FW_ADV_SCHEDULED && a.status != FW_ADV_PUBLIC)
			assert_int_equal(m, 0);
		if (p.status != FW_PARTNER_ACTIVE && now < a.public_at)
			assert_int_equal(m, 0);
		/* Suspending never widens access. */
		p.status = p.status == FW_PARTNER_REMOVED ? FW_PARTNER_REMOVED : FW_PARTNER_SUSPENDED;
		m2 = fw_policy_access(&ctx, &p, &a, ALLP, now, NULL);
		assert_true((m2 & ~m) == 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_access_agrees),
	    cmocka_unit_test(test_lead_and_cap),
	    cmocka_unit_test(test_random_monotone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
