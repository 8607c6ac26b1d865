/* Model validation: slugs, countries, e-mail, CVE ids, UTF-8, and each validator naming the bad field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/model.h"

static void test_slugs(void **state)
{
	(void)state;
	assert_true(fw_slug_valid("acme-av"));
	assert_true(fw_slug_valid("a"));
	assert_true(fw_slug_valid("0day-2"));
	assert_false(fw_slug_valid(""));
	assert_false(fw_slug_valid("-acme"));
	assert_false(fw_slug_valid("acme-"));
	assert_false(fw_slug_valid("Acme"));
	assert_false(fw_slug_valid("acme av"));
	assert_false(fw_slug_valid("../etc"));
	assert_false(fw_slug_valid("a/b"));
	char long_id[FW_ID_MAX + 2];
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[FW_ID_MAX + 1] = '\0';
	assert_false(fw_slug_valid(long_id));
	long_id[FW_ID_MAX] = '\0';
	assert_true(fw_slug_valid(long_id));
}

static void test_countries(void **state)
{
	(void)state;
	assert_true(fw_country_valid("DE"));
	assert_true(fw_country_valid("CN"));
	assert_true(fw_country_valid("ZW"));
	assert_false(fw_country_valid("de"));
	assert_false(fw_country_valid("XX"));
	assert_false(fw_country_valid("UK")); /* GB is the code */
	assert_false(fw_country_valid("DEU"));
	assert_false(fw_country_valid(""));
}

static void test_email_cve_utf8(void **state)
{
	(void)state;
	assert_true(fw_email_valid("psirt@example.com"));
	assert_false(fw_email_valid("psirt@example"));
	assert_false(fw_email_valid("@example.com"));
	assert_false(fw_email_valid("a@b@example.com"));
	assert_false(fw_email_valid("a b@example.com"));
	assert_false(fw_email_valid("a@example.com\r\nBcc: x@y.z"));
	assert_true(fw_cve_valid("CVE-2026-1234"));
	assert_true(fw_cve_valid("CVE-2021-1234567"));
	assert_false(fw_cve_valid("CVE-2026-123"));
	assert_false(fw_cve_valid("cve-2026-1234"));
	assert_false(fw_cve_valid("CVE-26-12345"));
	assert_false(fw_cve_valid("CVE-2026-12a4"));
	assert_true(fw_utf8_valid("Grüße, 東京", strlen("Grüße, 東京")));
	assert_false(fw_utf8_valid("\xc0\xaf", 2));         /* overlong */
	assert_false(fw_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	assert_false(fw_utf8_valid("\xf4\x90\x80\x80", 4)); /* beyond U+10FFFF */
	assert_false(fw_utf8_valid("abc\xe2\x82", 5));      /* truncated */
	assert_false(fw_utf8_valid("a\0b", 3));             /* NUL */
}

static struct fw_partner good_partner(void)
{
	struct fw_partner p;

	memset(&p, 0, sizeof(p));
	strcpy(p.id, "acme-av");
	strcpy(p.name, "Acme Antivirus");
	strcpy(p.country, "US");
	strcpy(p.tier, "vetted");
	p.entitlements = FW_PARTS_ALL;
	strcpy(p.nda_signed, "2026-01-15");
	strcpy(p.contact_email, "psirt@acme.example");
	return p;
}

static void expect_field(int r, const struct fw_error *err, const char *field)
{
	assert_int_equal(r, FW_EINVAL);
	assert_string_equal(err->field, field);
	assert_true(strlen(err->message) > 0);
}

static void test_partner_validate(void **state)
{
	struct fw_error err;
	struct fw_partner p;

	(void)state;
	p = good_partner();
	assert_int_equal(fw_partner_validate(&p, &err), 0);
	p = good_partner();
	strcpy(p.id, "Acme");
	expect_field(fw_partner_validate(&p, &err), &err, "id");
	p = good_partner();
	p.name[0] = '\0';
	expect_field(fw_partner_validate(&p, &err), &err, "name");
	p = good_partner();
	strcpy(p.name, "line\nbreak");
	expect_field(fw_partner_validate(&p, &err), &err, "name");
	p = good_partner();
	strcpy(p.country, "XX");
	expect_field(fw_partner_validate(&p, &err), &err, "country");
	p = good_partner();
	p.entitlements = 1u << 7;
	expect_field(fw_partner_validate(&p, &err), &err, "entitlements");
	p = good_partner();
	strcpy(p.nda_signed, "2026-02-30");
	expect_field(fw_partner_validate(&p, &err), &err, "nda_signed");
	p = good_partner();
	strcpy(p.contact_email, "nope");
	expect_field(fw_partner_validate(&p, &err), &err, "contact_email");
}

static void test_rule_tier_advisory_revision(void **state)
{
	struct fw_error err;
	struct fw_tier t = {"vetted", 120 * 3600};
	struct fw_rule r;
	struct fw_advisory a;
	struct fw_revision rev;
	char summary[] = "Summary";

	(void)state;
	assert_int_equal(fw_tier_validate(&t, &err), 0);
	t.lead = 90 * 60;
	expect_field(fw_tier_validate(&t, &err), &err, "lead_hours");
	t.lead = -3600;
	expect_field(fw_tier_validate(&t, &err), &err, "lead_hours");
	memset(&r, 0, sizeof(r));
	strcpy(r.id, "mandatory-reporting");
	strcpy(r.countries[0], "CN");
	r.ncountries = 1;
	r.parts = 1;
	assert_int_equal(fw_rule_validate(&r, &err), 0);
	assert_true(fw_rule_matches(&r, "CN"));
	assert_false(fw_rule_matches(&r, "US"));
	strcpy(r.countries[0], "ZZ");
	expect_field(fw_rule_validate(&r, &err), &err, "countries");
	memset(&a, 0, sizeof(a));
	strcpy(a.id, "fw-2026-0001");
	strcpy(a.title, "Title");
	strcpy(a.cves[0], "CVE-2026-1");
	a.ncves = 1;
	expect_field(fw_advisory_validate(&a, &err), &err, "cves");
	strcpy(a.cves[0], "CVE-2026-1000");
	strcpy(a.cves[1], "CVE-2026-1000");
	a.ncves = 2;
	expect_field(fw_advisory_validate(&a, &err), &err, "cves");
	a.ncves = 1;
	assert_int_equal(fw_advisory_validate(&a, &err), 0);
	memset(&rev, 0, sizeof(rev));
	expect_field(fw_revision_validate(&rev, &err), &err, "parts.summary");
	rev.parts[FW_PART_SUMMARY] = summary;
	assert_int_equal(fw_revision_validate(&rev, &err), 0);
	assert_int_equal(fw_revision_parts(&rev), 1u << FW_PART_SUMMARY);
}

/* Regression: an empty PoC text counted as present, so the inbox promised a part the copy lacked. */
static void test_empty_part_is_absent(void **state)
{
	struct fw_revision rev;
	char summary[] = "Summary", empty[] = "";

	(void)state;
	memset(&rev, 0, sizeof(rev));
	rev.parts[FW_PART_SUMMARY] = summary;
	rev.parts[FW_PART_DETAILS] = empty;
	rev.parts[FW_PART_POC] = empty;
	assert_int_equal(fw_revision_parts(&rev), 1u << FW_PART_SUMMARY);
}

static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < FW_PART_COUNT; i++)
		assert_int_equal(fw_part_parse(fw_part_name((enum fw_part)i)), i);
	assert_int_equal(fw_part_parse("exploit"), -1);
	assert_string_equal(fw_partner_status_name(FW_PARTNER_SUSPENDED), "suspended");
	assert_string_equal(fw_advisory_status_name(FW_ADV_WITHDRAWN), "withdrawn");
	struct fw_tier t[FW_MAX_TIERS];
	assert_int_equal(fw_default_tiers(t), 2);
	assert_string_equal(t[1].name, "vetted");
	assert_int_equal(t[1].lead, 120 * 3600);
	assert_int_equal(t[0].lead, 24 * 3600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slugs),
	    cmocka_unit_test(test_countries),
	    cmocka_unit_test(test_email_cve_utf8),
	    cmocka_unit_test(test_partner_validate),
	    cmocka_unit_test(test_rule_tier_advisory_revision),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_empty_part_is_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
