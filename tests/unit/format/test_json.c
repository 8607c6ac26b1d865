/*
 * Unit tests for the JSON codecs of the HTTP API (lib/format/json.c): every parser's required fields,
 * unknown and duplicate keys, wrong types, limits and the fw_error field it names; writers' exact output and
 * round trips; hostile bodies (NUL, invalid UTF-8, truncation, 100000-deep nesting); the CLI table renderer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"

#define T_2026_12_08_17Z INT64_C(1796749200) /* 2026-12-08T17:00:00Z */
/* A string literal and its length, for parsers that take both. */
#define LIT(s)               (s), (sizeof(s) - 1)
#define DEFAULT_ENTITLEMENTS ((1u << FW_PART_SUMMARY) | (1u << FW_PART_DETAILS) | (1u << FW_PART_DETECTION))

/* Every failure must return code and name field; the message must say something. */
#define EXPECT_ERR(call, code, fld)                                                                          \
	do {                                                                                                 \
		memset(&err, 0, sizeof(err));                                                                \
		assert_int_equal((call), (code));                                                            \
		assert_string_equal(err.field, (fld));                                                       \
		assert_true(err.message[0] != '\0');                                                         \
	} while (0)

/* A successful parse must not touch the error detail. */
#define EXPECT_OK(call)                                                                                      \
	do {                                                                                                 \
		memset(&err, 0, sizeof(err));                                                                \
		strcpy(err.field, "untouched");                                                              \
		assert_int_equal((call), 0);                                                                 \
		assert_string_equal(err.field, "untouched");                                                 \
	} while (0)

static const char PARTNER_MIN[] =
    "{\"id\":\"acme\",\"name\":\"ACME Security\",\"country\":\"DE\",\"tier\":\"vetted\"}";

/* A heap string of n copies of c. */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A heap string built from a format (bodies with generated content). */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	assert_true(n >= 0);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static int pparse(const char *body, int patch, struct fw_partner *p, struct fw_error *err)
{
	return fw_json_partner_parse(body, strlen(body), patch, p, err);
}

/* A partner body with one extra member appended to the minimal create body. */
static int pcreate_with(const char *extra, struct fw_partner *p, struct fw_error *err)
{
	char *body = fmt(
	    "{\"id\":\"acme\",\"name\":\"ACME Security\",\"country\":\"DE\",\"tier\":\"vetted\",%s}", extra);
	int r = pparse(body, 0, p, err);

	free(body);
	return r;
}

static void base_partner(struct fw_partner *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->id, "acme");
	strcpy(p->name, "ACME Security");
	strcpy(p->country, "DE");
	strcpy(p->tier, "vetted");
	p->entitlements = DEFAULT_ENTITLEMENTS;
	strcpy(p->nda_version, "2025-1");
	strcpy(p->nda_signed, "2025-03-01");
	strcpy(p->contact_email, "psirt@acme.example");
	p->status = FW_PARTNER_ACTIVE;
	p->created_at = T_2026_12_08_17Z - 86400;
	p->updated_at = T_2026_12_08_17Z;
}

static void assert_partner_equal(const struct fw_partner *a, const struct fw_partner *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->country, b->country);
	assert_string_equal(a->tier, b->tier);
	assert_int_equal(a->entitlements, b->entitlements);
	assert_string_equal(a->nda_version, b->nda_version);
	assert_string_equal(a->nda_signed, b->nda_signed);
	assert_string_equal(a->contact_email, b->contact_email);
	assert_int_equal(a->status, b->status);
}

/* ---- partner: create ---- */

static void partner_create_minimal_defaults(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	EXPECT_OK(pparse(PARTNER_MIN, 0, &p, &err));
	assert_string_equal(p.id, "acme");
	assert_string_equal(p.name, "ACME Security");
	assert_string_equal(p.country, "DE");
	assert_string_equal(p.tier, "vetted");
	assert_int_equal(p.entitlements, DEFAULT_ENTITLEMENTS);
	assert_string_equal(p.nda_version, "");
	assert_string_equal(p.nda_signed, "");
	assert_string_equal(p.contact_email, "");
	assert_int_equal(p.status, FW_PARTNER_ACTIVE);
	assert_int_equal(p.created_at, 0);
	assert_int_equal(p.updated_at, 0);
}

static void partner_create_all_fields(void **state)
{
	static const char body[] =
	    "{\"id\":\"cert-xy\",\"name\":\"CERT XY\",\"country\":\"FR\",\"tier\":\"standard\","
	    "\"entitlements\":[\"poc\",\"summary\"],\"nda_version\":\"v2\","
	    "\"nda_signed\":\"2024-02-29\",\"contact_email\":\"soc@cert.example\"}";
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	EXPECT_OK(pparse(body, 0, &p, &err));
	assert_string_equal(p.id, "cert-xy");
	assert_string_equal(p.country, "FR");
	assert_string_equal(p.tier, "standard");
	assert_int_equal(p.entitlements, (1u << FW_PART_POC) | (1u << FW_PART_SUMMARY));
	assert_string_equal(p.nda_version, "v2");
	assert_string_equal(p.nda_signed, "2024-02-29");
	assert_string_equal(p.contact_email, "soc@cert.example");

	/* An empty list is "nothing", not "the default". */
	EXPECT_OK(pcreate_with("\"entitlements\":[]", &p, &err));
	assert_int_equal(p.entitlements, 0);
	/* null clears the NDA date. */
	EXPECT_OK(pcreate_with("\"nda_signed\":null", &p, &err));
	assert_string_equal(p.nda_signed, "");
}

static void partner_create_required_fields(void **state)
{
	struct fw_partner p, before;
	struct fw_error err;

	(void)state;
	memset(&p, 0x11, sizeof(p));
	before = p;
	EXPECT_ERR(pparse("{\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err), FW_EINVAL,
	           "id");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err), FW_EINVAL,
	           "name");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"name\":\"A\",\"tier\":\"vetted\"}", 0, &p, &err), FW_EINVAL,
	           "country");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"name\":\"A\",\"country\":\"DE\"}", 0, &p, &err), FW_EINVAL,
	           "tier");
	EXPECT_ERR(pparse("{}", 0, &p, &err), FW_EINVAL, "id");
	/* Present but empty is still invalid. */
	EXPECT_ERR(pparse("{\"id\":\"\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	           FW_EINVAL, "id");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"name\":\"\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	           FW_EINVAL, "name");
	/* Out-parameter untouched on failure. */
	assert_memory_equal(&p, &before, sizeof(p));
}

static void partner_unknown_field_named(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	EXPECT_ERR(pcreate_with("\"nmae\":\"typo\"", &p, &err), FW_EINVAL, "nmae");
	assert_non_null(strstr(err.message, "unknown"));
	/* Server-owned fields are unknown in a new partner. */
	EXPECT_ERR(pcreate_with("\"created_at\":\"2026-12-08T17:00:00Z\"", &p, &err), FW_EINVAL,
	           "created_at");
	EXPECT_ERR(pcreate_with("\"updated_at\":null", &p, &err), FW_EINVAL, "updated_at");
	/* Status changes have their own routes. */
	EXPECT_ERR(pcreate_with("\"status\":\"active\"", &p, &err), FW_EINVAL, "status");
}

static void partner_duplicate_keys_rejected(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	EXPECT_ERR(pcreate_with("\"name\":\"Evil\"", &p, &err), FW_EINVAL, "");
	assert_non_null(strstr(err.message, "duplicate"));
	EXPECT_ERR(pcreate_with("\"tier\":\"vetted\"", &p, &err), FW_EINVAL, "");
	base_partner(&p);
	EXPECT_ERR(pparse("{\"name\":\"A\",\"name\":\"B\"}", 1, &p, &err), FW_EINVAL, "");
	assert_string_equal(p.name, "ACME Security");
}

static void partner_wrong_types(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	EXPECT_ERR(pparse("{\"id\":1,\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	           FW_EINVAL, "id");
	EXPECT_ERR(
	    pparse("{\"id\":\"a\",\"name\":[\"A\"],\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	    FW_EINVAL, "name");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"name\":\"A\",\"country\":49,\"tier\":\"vetted\"}", 0, &p, &err),
	           FW_EINVAL, "country");
	EXPECT_ERR(pparse("{\"id\":\"a\",\"name\":\"A\",\"country\":\"DE\",\"tier\":null}", 0, &p, &err),
	           FW_EINVAL, "tier");
	EXPECT_ERR(pcreate_with("\"entitlements\":\"summary\"", &p, &err), FW_EINVAL, "entitlements");
	EXPECT_ERR(pcreate_with("\"entitlements\":[\"summary\",1]", &p, &err), FW_EINVAL, "entitlements");
	EXPECT_ERR(pcreate_with("\"entitlements\":[\"summary\",\"exploit\"]", &p, &err), FW_EINVAL,
	           "entitlements");
	EXPECT_ERR(pcreate_with("\"entitlements\":[\"poc\",\"poc\"]", &p, &err), FW_EINVAL, "entitlements");
	assert_non_null(strstr(err.message, "twice"));
	EXPECT_ERR(pcreate_with("\"entitlements\":{\"summary\":true}", &p, &err), FW_EINVAL, "entitlements");
	EXPECT_ERR(pcreate_with("\"nda_version\":2", &p, &err), FW_EINVAL, "nda_version");
	EXPECT_ERR(pcreate_with("\"nda_signed\":20240229", &p, &err), FW_EINVAL, "nda_signed");
	EXPECT_ERR(pcreate_with("\"contact_email\":false", &p, &err), FW_EINVAL, "contact_email");
}

static void partner_bad_country(void **state)
{
	static const char *const bad[] = {"de", "XX", "DEU", "D", "", "D1", "UK"};
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *extra =
		    fmt("\"id\":\"b\",\"name\":\"B\",\"tier\":\"vetted\",\"country\":\"%s\"", bad[i]);
		char *body = fmt("{%s}", extra);
		EXPECT_ERR(pparse(body, 0, &p, &err), FW_EINVAL, "country");
		assert_non_null(strstr(err.message, "ISO 3166-1"));
		free(body);
		free(extra);
	}
	EXPECT_OK(
	    pparse("{\"id\":\"b\",\"name\":\"B\",\"tier\":\"vetted\",\"country\":\"GB\"}", 0, &p, &err));
	assert_string_equal(p.country, "GB");
}

static void partner_bad_email_and_nda(void **state)
{
	static const char *const bad_email[] = {"not-an-email", "@acme.example", "a@b",  "a@@b.de",
	                                        "a b@c.de",     "a@b.de.",       "a@.de"};
	static const char *const bad_date[] = {
	    "2026-02-30", "2025-02-29", "2026-13-01", "2026-1-1", "01.02.2026", "2026-04-31", ""};
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_email) / sizeof(bad_email[0]); i++) {
		char *extra = fmt("\"contact_email\":\"%s\"", bad_email[i]);
		EXPECT_ERR(pcreate_with(extra, &p, &err), FW_EINVAL, "contact_email");
		free(extra);
	}
	for (size_t i = 0; i < sizeof(bad_date) / sizeof(bad_date[0]); i++) {
		char *extra = fmt("\"nda_signed\":\"%s\"", bad_date[i]);
		/* "" is how "no date" is stored, so it is accepted as such. */
		if (bad_date[i][0] == '\0') {
			EXPECT_OK(pcreate_with(extra, &p, &err));
			assert_string_equal(p.nda_signed, "");
		} else {
			EXPECT_ERR(pcreate_with(extra, &p, &err), FW_EINVAL, "nda_signed");
		}
		free(extra);
	}
	/* Longer than YYYY-MM-DD fails on length before validation, with the same field. */
	EXPECT_ERR(pcreate_with("\"nda_signed\":\"2026-02-01T00:00:00Z\"", &p, &err), FW_EINVAL,
	           "nda_signed");
	EXPECT_OK(pcreate_with("\"contact_email\":\"a@b.de\"", &p, &err));
	assert_string_equal(p.contact_email, "a@b.de");
}

static void partner_bad_id_and_tier(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	EXPECT_ERR(
	    pparse("{\"id\":\"ACME\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	    FW_EINVAL, "id");
	EXPECT_ERR(
	    pparse("{\"id\":\"acme-\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	    FW_EINVAL, "id");
	EXPECT_ERR(
	    pparse("{\"id\":\"a/b\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	    FW_EINVAL, "id");
	EXPECT_ERR(
	    pparse("{\"id\":\"a\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"Vetted\"}", 0, &p, &err),
	    FW_EINVAL, "tier");
	/* One-line text: no control characters in the name. */
	EXPECT_ERR(
	    pparse("{\"id\":\"a\",\"name\":\"A\\nB\",\"country\":\"DE\",\"tier\":\"vetted\"}", 0, &p, &err),
	    FW_EINVAL, "name");
}

static void partner_overlong_strings(void **state)
{
	struct fw_partner p;
	struct fw_error err;
	char *s, *body;

	(void)state;
	/* id: 64 is the limit; 65 and 66 (the parser's scratch size) and far beyond are refused. */
	for (size_t n = FW_ID_MAX; n <= FW_ID_MAX + 100; n++) {
		s = repeat('a', n);
		body = fmt("{\"id\":\"%s\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"vetted\"}", s);
		if (n == FW_ID_MAX) {
			EXPECT_OK(pparse(body, 0, &p, &err));
			assert_int_equal(strlen(p.id), FW_ID_MAX);
		} else {
			EXPECT_ERR(pparse(body, 0, &p, &err), FW_EINVAL, "id");
		}
		free(body);
		free(s);
	}
	s = repeat('N', FW_NAME_MAX);
	body = fmt("{\"id\":\"a\",\"name\":\"%s\",\"country\":\"DE\",\"tier\":\"vetted\"}", s);
	EXPECT_OK(pparse(body, 0, &p, &err));
	assert_int_equal(strlen(p.name), FW_NAME_MAX);
	free(body);
	free(s);
	s = repeat('N', FW_NAME_MAX + 1);
	body = fmt("{\"id\":\"a\",\"name\":\"%s\",\"country\":\"DE\",\"tier\":\"vetted\"}", s);
	EXPECT_ERR(pparse(body, 0, &p, &err), FW_EINVAL, "name");
	assert_non_null(strstr(err.message, "too long"));
	free(body);
	free(s);
	s = repeat('t', FW_TIER_NAME_MAX + 1);
	body = fmt("{\"id\":\"a\",\"name\":\"A\",\"country\":\"DE\",\"tier\":\"%s\"}", s);
	EXPECT_ERR(pparse(body, 0, &p, &err), FW_EINVAL, "tier");
	free(body);
	free(s);
	s = repeat('v', FW_NDA_VERSION_MAX + 1);
	body = fmt("\"nda_version\":\"%s\"", s);
	EXPECT_ERR(pcreate_with(body, &p, &err), FW_EINVAL, "nda_version");
	free(body);
	free(s);
	s = repeat('e', FW_EMAIL_MAX - 4);
	body = fmt("\"contact_email\":\"%s@x.de\"", s); /* 255 bytes */
	EXPECT_ERR(pcreate_with(body, &p, &err), FW_EINVAL, "contact_email");
	free(body);
	free(s);
	/* A megabyte-long unknown key is named, truncated to the field buffer. */
	s = repeat('k', 1 << 20);
	body = fmt("\"%s\":1", s);
	EXPECT_ERR(pcreate_with(body, &p, &err), FW_EINVAL, s + (1 << 20) - (sizeof(err.field) - 1));
	free(body);
	free(s);
}

static void partner_nul_in_strings(void **state)
{
	static const char escaped[] =
	    "{\"id\":\"a\",\"name\":\"A\\u0000B\",\"country\":\"DE\",\"tier\":\"vetted\"}";
	static const char raw[] = "{\"id\":\"a\",\"name\":\"A\0B\",\"country\":\"DE\",\"tier\":\"vetted\"}";
	struct fw_partner p, before;
	struct fw_error err;

	(void)state;
	base_partner(&p);
	before = p;
	/* jansson refuses \u0000 itself (no JSON_ALLOW_NUL): a parse error, so no field is named. */
	EXPECT_ERR(pparse(escaped, 0, &p, &err), FW_EINVAL, "");
	assert_non_null(strstr(err.message, "u0000"));
	/* A raw NUL byte inside the body (the length covers it) is a control character in a string. */
	EXPECT_ERR(fw_json_partner_parse(raw, sizeof(raw) - 1, 0, &p, &err), FW_EINVAL, "");
	/* And a body cut at a NUL by a C-string reader must not be what gets parsed. */
	EXPECT_ERR(fw_json_partner_parse(LIT("{\"name\":\"x\"}\0junk"), 1, &p, &err), FW_EINVAL, "");
	assert_memory_equal(&p, &before, sizeof(p));
}

static void partner_hostile_bodies(void **state)
{
	static const char *const not_objects[] = {"[]", "[{\"id\":\"a\"}]", "\"acme\"", "1", "null", "true"};
	static const char *const malformed[] = {
	    "{",
	    "{\"id\":\"acme\"",
	    "{\"id\":\"acme\",",
	    "{\"id\":\"ac",
	    "{\"id\" \"acme\"}",
	    "{'id':'acme'}",
	    "{\"id\":\"acme\",}",
	    "{\"id\":\"acme\"} {}",
	    "{\"id\":\"acme\"}x",
	    " ",
	    "\xef\xbb\xbf{}",
	    "{\"name\":\"\xff\"}",
	    "{\"name\":\"\xc3\"}",
	    "{\"name\":\"\xed\xa0\x80\"}",
	    "{\"name\":\"\\ud800\"}",
	    "{\"name\":\"\\udc00\\ud800\"}",
	    "{\"name\":\"\\x41\"}",
	    "{\"name\":NaN}",
	    "{\"name\":1e999999}",
	};
	struct fw_partner p, before;
	struct fw_error err;

	(void)state;
	base_partner(&p);
	before = p;
	EXPECT_ERR(fw_json_partner_parse(LIT(""), 0, &p, &err), FW_EINVAL, "");
	assert_non_null(strstr(err.message, "empty"));
	EXPECT_ERR(fw_json_partner_parse(NULL, 0, 1, &p, &err), FW_EINVAL, "");
	for (size_t i = 0; i < sizeof(not_objects) / sizeof(not_objects[0]); i++) {
		EXPECT_ERR(pparse(not_objects[i], 0, &p, &err), FW_EINVAL, "");
		EXPECT_ERR(pparse(not_objects[i], 1, &p, &err), FW_EINVAL, "");
	}
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		EXPECT_ERR(pparse(malformed[i], 1, &p, &err), FW_EINVAL, "");
		assert_non_null(strstr(err.message, "malformed JSON"));
	}
	/* Every prefix of a valid body is rejected cleanly. */
	for (size_t n = 1; n < sizeof(PARTNER_MIN) - 1; n++)
		EXPECT_ERR(fw_json_partner_parse(PARTNER_MIN, n, 0, &p, &err), FW_EINVAL, "");
	assert_memory_equal(&p, &before, sizeof(p));
	/* len is honoured: trailing garbage beyond it is not read. */
	EXPECT_OK(fw_json_partner_parse("{}garbage", 2, 1, &p, &err));
}

static void partner_deep_nesting(void **state)
{
	const size_t depth = 100000;
	struct fw_partner p;
	struct fw_error err;
	char *deep = repeat('[', depth);
	char *wrapped;

	(void)state;
	EXPECT_ERR(fw_json_partner_parse(deep, depth, 0, &p, &err), FW_EINVAL, "");
	memset(deep, '{', depth);
	EXPECT_ERR(fw_json_partner_parse(deep, depth, 0, &p, &err), FW_EINVAL, "");
	/* Deep but well-formed, under a known key. */
	free(deep);
	deep = malloc(2 * depth + 1);
	assert_non_null(deep);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	wrapped = fmt("{\"entitlements\":%s}", deep);
	base_partner(&p);
	EXPECT_ERR(pparse(wrapped, 1, &p, &err), FW_EINVAL, "");
	free(wrapped);
	free(deep);
}

/* ---- partner: patch ---- */

static void partner_patch_applies_fields(void **state)
{
	struct fw_partner p, want;
	struct fw_error err;

	(void)state;
	base_partner(&p);
	want = p;
	EXPECT_OK(pparse("{}", 1, &p, &err));
	assert_memory_equal(&p, &want, sizeof(p));
	EXPECT_OK(pparse("{\"name\":\"ACME Labs\",\"entitlements\":[\"summary\"],\"nda_signed\":null}", 1, &p,
	                 &err));
	strcpy(want.name, "ACME Labs");
	want.entitlements = 1u << FW_PART_SUMMARY;
	want.nda_signed[0] = '\0';
	assert_memory_equal(&p, &want, sizeof(p));
	/* Repeating the id and the current status, and echoing timestamps, is allowed. */
	EXPECT_OK(pparse("{\"id\":\"acme\",\"status\":\"active\",\"created_at\":null,\"updated_at\":\"x\"}",
	                 1, &p, &err));
	assert_memory_equal(&p, &want, sizeof(p));
	/* Unknown fields are named in a patch too. */
	EXPECT_ERR(pparse("{\"tire\":\"standard\"}", 1, &p, &err), FW_EINVAL, "tire");
}

static void partner_patch_id_change_rejected(void **state)
{
	struct fw_partner p, before;
	struct fw_error err;

	(void)state;
	base_partner(&p);
	before = p;
	EXPECT_ERR(pparse("{\"id\":\"other\"}", 1, &p, &err), FW_EINVAL, "id");
	assert_non_null(strstr(err.message, "cannot be changed"));
	EXPECT_ERR(pparse("{\"name\":\"New\",\"id\":\"acme2\"}", 1, &p, &err), FW_EINVAL, "id");
	EXPECT_ERR(pparse("{\"id\":\"ACME\"}", 1, &p, &err), FW_EINVAL, "id");
	EXPECT_ERR(pparse("{\"id\":null}", 1, &p, &err), FW_EINVAL, "id");
	/* A failed patch leaves *p as it was, even when earlier members were fine. */
	EXPECT_ERR(pparse("{\"name\":\"New\",\"country\":\"de\"}", 1, &p, &err), FW_EINVAL, "country");
	assert_memory_equal(&p, &before, sizeof(p));
}

static void partner_patch_status_only_unchanged(void **state)
{
	struct fw_partner p;
	struct fw_error err;

	(void)state;
	base_partner(&p);
	p.status = FW_PARTNER_SUSPENDED;
	EXPECT_OK(pparse("{\"status\":\"suspended\"}", 1, &p, &err));
	assert_int_equal(p.status, FW_PARTNER_SUSPENDED);
	EXPECT_ERR(pparse("{\"status\":\"active\"}", 1, &p, &err), FW_EINVAL, "status");
	assert_non_null(strstr(err.message, "suspend"));
	EXPECT_ERR(pparse("{\"status\":\"removed\"}", 1, &p, &err), FW_EINVAL, "status");
	EXPECT_ERR(pparse("{\"status\":\"SUSPENDED\"}", 1, &p, &err), FW_EINVAL, "status");
	EXPECT_ERR(pparse("{\"status\":1}", 1, &p, &err), FW_EINVAL, "status");
	EXPECT_ERR(pparse("{\"status\":null}", 1, &p, &err), FW_EINVAL, "status");
	assert_int_equal(p.status, FW_PARTNER_SUSPENDED);
}

/* ---- partner: write ---- */

static void partner_write_exact(void **state)
{
	struct fw_partner p;
	struct fw_buf b;

	(void)state;
	base_partner(&p);
	p.created_at = 0;
	p.entitlements = FW_PARTS_ALL;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_partner_write(&p, &b), 0);
	assert_string_equal(
	    b.data, "{\"id\":\"acme\",\"name\":\"ACME Security\",\"country\":\"DE\",\"tier\":\"vetted\","
	            "\"entitlements\":[\"summary\",\"details\",\"detection\",\"poc\"],"
	            "\"nda_version\":\"2025-1\",\"nda_signed\":\"2025-03-01\","
	            "\"contact_email\":\"psirt@acme.example\",\"status\":\"active\",\"created_at\":null,"
	            "\"updated_at\":\"2026-12-08T17:00:00Z\"}");
	fw_buf_release(&b);
}

static void partner_write_round_trip(void **state)
{
	struct fw_partner p, q;
	struct fw_error err;
	struct fw_buf b;
	char *cut;

	(void)state;
	base_partner(&p);
	strcpy(p.name, "\"Quoted\" \\ Sécurité ✓");
	p.entitlements = (1u << FW_PART_DETAILS) | (1u << FW_PART_POC);
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_partner_write(&p, &b), 0);

	/* The whole written object is a valid patch of the same partner (status unchanged, timestamps
	 * echoed). */
	q = p;
	EXPECT_OK(fw_json_partner_parse(b.data, b.len, 1, &q, &err));
	assert_partner_equal(&q, &p);
	/* Create refuses server-owned members; without them it yields the same fields. */
	EXPECT_ERR(fw_json_partner_parse(b.data, b.len, 0, &q, &err), FW_EINVAL, "status");
	cut = strstr(b.data, ",\"status\":");
	assert_non_null(cut);
	strcpy(cut, "}");
	memset(&q, 0x33, sizeof(q));
	EXPECT_OK(fw_json_partner_parse(b.data, strlen(b.data), 0, &q, &err));
	assert_partner_equal(&q, &p);
	assert_int_equal(q.created_at, 0);

	/* Empty optional fields and no entitlements survive too. */
	memset(&p, 0, sizeof(p));
	strcpy(p.id, "z9");
	strcpy(p.name, "Z");
	strcpy(p.country, "JP");
	strcpy(p.tier, "standard");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_partner_write(&p, &b), 0);
	assert_non_null(strstr(b.data, "\"entitlements\":[]"));
	assert_non_null(strstr(b.data, "\"nda_signed\":null"));
	cut = strstr(b.data, ",\"status\":");
	assert_non_null(cut);
	strcpy(cut, "}");
	EXPECT_OK(fw_json_partner_parse(b.data, strlen(b.data), 0, &q, &err));
	assert_partner_equal(&q, &p);
	fw_buf_release(&b);
}

/* ---- tiers ---- */

static int tparse(const char *body, struct fw_tier *t, size_t *n, struct fw_error *err)
{
	return fw_json_tiers_parse(body, strlen(body), t, n, err);
}

static void tiers_parse_valid(void **state)
{
	struct fw_tier t[FW_MAX_TIERS];
	struct fw_error err;
	size_t n = 99;

	(void)state;
	EXPECT_OK(tparse(
	    "{\"tiers\":[{\"name\":\"vetted\",\"lead_hours\":120},{\"lead_hours\":0,\"name\":\"late\"},"
	    "{\"name\":\"max\",\"lead_hours\":8760}]}",
	    t, &n, &err));
	assert_int_equal(n, 3);
	assert_string_equal(t[0].name, "vetted");
	assert_int_equal(t[0].lead, 120 * 3600);
	assert_string_equal(t[1].name, "late");
	assert_int_equal(t[1].lead, 0);
	assert_string_equal(t[2].name, "max");
	assert_int_equal(t[2].lead, (int64_t)FW_LEAD_MAX_HOURS * 3600);
}

static void tiers_parse_invalid(void **state)
{
	struct fw_tier t[FW_MAX_TIERS];
	struct fw_error err;
	size_t n = 77;
	char *body, *many;

	(void)state;
	strcpy(t[0].name, "keep");
	EXPECT_ERR(tparse("{\"tiers\":[]}", t, &n, &err), FW_EINVAL, "tiers");
	EXPECT_ERR(tparse("{}", t, &n, &err), FW_EINVAL, "tiers");
	EXPECT_ERR(tparse("{\"tiers\":{}}", t, &n, &err), FW_EINVAL, "tiers");
	EXPECT_ERR(tparse("{\"tiers\":[],\"extra\":1}", t, &n, &err), FW_EINVAL, "extra");
	EXPECT_ERR(tparse("{\"tiers\":[\"vetted\"]}", t, &n, &err), FW_EINVAL, "tiers[0]");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"vetted\"}]}", t, &n, &err), FW_EINVAL, "tiers[0]");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":1},{\"lead_hours\":1}]}", t, &n, &err),
	           FW_EINVAL, "tiers[1]");
	/* lead_hours bounds and type. */
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":-1}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].lead_hours");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":8761}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].lead_hours");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":9223372036854775807}]}", t, &n, &err),
	           FW_EINVAL, "tiers[0].lead_hours");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":1.5}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].lead_hours");
	assert_non_null(strstr(err.message, "whole number"));
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":24.0}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].lead_hours");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":\"24\"}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].lead_hours");
	/* Names. */
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"Vetted\",\"lead_hours\":1}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].name");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"\",\"lead_hours\":1}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].name");
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":7,\"lead_hours\":1}]}", t, &n, &err), FW_EINVAL,
	           "tiers[0].name");
	many = repeat('a', FW_TIER_NAME_MAX + 1);
	body = fmt("{\"tiers\":[{\"name\":\"%s\",\"lead_hours\":1}]}", many);
	EXPECT_ERR(tparse(body, t, &n, &err), FW_EINVAL, "tiers[0].name");
	free(body);
	free(many);
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":1,\"color\":\"red\"}]}", t, &n, &err),
	           FW_EINVAL, "tiers[0].color");
	/* Duplicates. */
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":1},{\"name\":\"b\",\"lead_hours\":2},"
	                  "{\"name\":\"a\",\"lead_hours\":3}]}",
	                  t, &n, &err),
	           FW_EINVAL, "tiers[2].name");
	assert_non_null(strstr(err.message, "twice"));
	EXPECT_ERR(tparse("{\"tiers\":[{\"name\":\"a\",\"lead_hours\":1,\"name\":\"b\"}]}", t, &n, &err),
	           FW_EINVAL, "");
	/* Exactly FW_MAX_TIERS is fine, one more is not. */
	many = repeat('x', 0);
	for (int i = 0; i < FW_MAX_TIERS; i++) {
		char *next = fmt("%s%s{\"name\":\"t%d\",\"lead_hours\":%d}", many, i ? "," : "", i, i);
		free(many);
		many = next;
	}
	body = fmt("{\"tiers\":[%s]}", many);
	EXPECT_OK(tparse(body, t, &n, &err));
	assert_int_equal(n, FW_MAX_TIERS);
	assert_string_equal(t[31].name, "t31");
	assert_int_equal(t[31].lead, 31 * 3600);
	free(body);
	body = fmt("{\"tiers\":[%s,{\"name\":\"extra\",\"lead_hours\":1}]}", many);
	EXPECT_ERR(tparse(body, t, &n, &err), FW_EINVAL, "tiers");
	free(body);
	free(many);
	n = 77;
	strcpy(t[0].name, "keep");
	EXPECT_ERR(fw_json_tiers_parse(LIT(""), t, &n, &err), FW_EINVAL, "");
	EXPECT_ERR(tparse("[{\"name\":\"a\",\"lead_hours\":1}]", t, &n, &err), FW_EINVAL, "");
	assert_int_equal(n, 77);
	assert_string_equal(t[0].name, "keep");
}

static void tiers_write_round_trip(void **state)
{
	struct fw_tier t[FW_MAX_TIERS], u[FW_MAX_TIERS];
	struct fw_error err;
	struct fw_buf b;
	size_t n, m;

	(void)state;
	n = fw_default_tiers(t);
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_tiers_write(t, n, &b), 0);
	assert_string_equal(b.data, "{\"tiers\":[{\"name\":\"standard\",\"lead_hours\":24},{\"name\":"
	                            "\"vetted\",\"lead_hours\":120}]}");
	EXPECT_OK(fw_json_tiers_parse(b.data, b.len, u, &m, &err));
	assert_int_equal(m, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(u[i].name, t[i].name);
		assert_int_equal(u[i].lead, t[i].lead);
	}
	fw_buf_reset(&b);
	assert_int_equal(fw_json_tiers_write(t, 0, &b), 0);
	assert_string_equal(b.data, "{\"tiers\":[]}");
	fw_buf_release(&b);
}

/* ---- rules ---- */

static int rparse(const char *body, struct fw_rule **r, size_t *n, struct fw_error *err)
{
	return fw_json_rules_parse(body, strlen(body), r, n, err);
}

/* A rules body with one rule whose members are the given JSON fragment. */
static int rparse_one(const char *members, struct fw_rule **r, size_t *n, struct fw_error *err)
{
	char *body = fmt("{\"rules\":[{%s}]}", members);
	int ret = rparse(body, r, n, err);

	free(body);
	return ret;
}

static void rules_parse_valid(void **state)
{
	struct fw_rule *r = NULL;
	struct fw_error err;
	size_t n = 0;

	(void)state;
	EXPECT_OK(rparse("{\"rules\":[{\"id\":\"cn-law\",\"description\":\"Vulnerability disclosure law\","
	                 "\"countries\":[\"CN\",\"RU\"],\"max_lead_hours\":0,\"parts\":[\"summary\"]},"
	                 "{\"id\":\"eu\",\"countries\":[],\"max_lead_hours\":8760,\"parts\":[]}]}",
	                 &r, &n, &err));
	assert_non_null(r);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].id, "cn-law");
	assert_string_equal(r[0].description, "Vulnerability disclosure law");
	assert_int_equal(r[0].ncountries, 2);
	assert_string_equal(r[0].countries[0], "CN");
	assert_string_equal(r[0].countries[1], "RU");
	assert_int_equal(r[0].max_lead, 0);
	assert_int_equal(r[0].parts, 1u << FW_PART_SUMMARY);
	assert_true(fw_rule_matches(&r[0], "RU"));
	assert_false(fw_rule_matches(&r[0], "DE"));
	assert_string_equal(r[1].id, "eu");
	assert_string_equal(r[1].description, "");
	assert_int_equal(r[1].ncountries, 0);
	assert_int_equal(r[1].max_lead, (int64_t)FW_LEAD_MAX_HOURS * 3600);
	assert_int_equal(r[1].parts, 0);
	free(r);
	/* No rules at all is a valid configuration. */
	r = NULL;
	EXPECT_OK(rparse("{\"rules\":[]}", &r, &n, &err));
	assert_non_null(r);
	assert_int_equal(n, 0);
	free(r);
}

static void rules_parse_invalid(void **state)
{
	static const char ok_tail[] = "\"max_lead_hours\":24,\"parts\":[\"summary\"]";
	struct fw_rule *r = (struct fw_rule *)(uintptr_t)0x1;
	struct fw_error err;
	size_t n = 55;
	char *m, *many;

	(void)state;
	EXPECT_ERR(rparse("{}", &r, &n, &err), FW_EINVAL, "rules");
	EXPECT_ERR(rparse("{\"rules\":null}", &r, &n, &err), FW_EINVAL, "rules");
	EXPECT_ERR(rparse("{\"rules\":[],\"tiers\":[]}", &r, &n, &err), FW_EINVAL, "tiers");
	EXPECT_ERR(rparse("{\"rules\":[1]}", &r, &n, &err), FW_EINVAL, "rules[0]");
	EXPECT_ERR(rparse_one("\"id\":\"a\",\"countries\":[\"DE\"],\"max_lead_hours\":1", &r, &n, &err),
	           FW_EINVAL, "rules[0]");
	/* Countries validated. */
	static const char *const bad_cc[] = {"\"de\"", "\"XX\"", "\"DEU\"", "\"\"", "49", "null", "[\"DE\"]"};
	for (size_t i = 0; i < sizeof(bad_cc) / sizeof(bad_cc[0]); i++) {
		m = fmt("\"id\":\"a\",\"countries\":[\"FR\",%s],%s", bad_cc[i], ok_tail);
		EXPECT_ERR(rparse_one(m, &r, &n, &err), FW_EINVAL, "rules[0].countries");
		free(m);
	}
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":\"DE\",\"max_lead_hours\":1,\"parts\":[]", &r, &n, &err),
	    FW_EINVAL, "rules[0].countries");
	/* Parts validated. */
	EXPECT_ERR(rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[\"exploit\"]",
	                      &r, &n, &err),
	           FW_EINVAL, "rules[0].parts");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[\"poc\",\"poc\"]", &r,
	               &n, &err),
	    FW_EINVAL, "rules[0].parts");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1,\"parts\":\"poc\"", &r, &n, &err),
	    FW_EINVAL, "rules[0].parts");
	/* Hours. */
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1.5,\"parts\":[]", &r, &n, &err),
	    FW_EINVAL, "rules[0].max_lead_hours");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":8761,\"parts\":[]", &r, &n, &err),
	    FW_EINVAL, "rules[0].max_lead_hours");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":-24,\"parts\":[]", &r, &n, &err),
	    FW_EINVAL, "rules[0].max_lead_hours");
	/* id and description, unknown members. */
	EXPECT_ERR(
	    rparse_one("\"id\":\"Bad Id\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[]", &r, &n, &err),
	    FW_EINVAL, "rules[0].id");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"description\":\"two\\nlines\",\"countries\":[],\"max_lead_hours\":1,"
	               "\"parts\":[]",
	               &r, &n, &err),
	    FW_EINVAL, "rules[0].description");
	EXPECT_ERR(
	    rparse_one("\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[],\"tier\":\"x\"", &r,
	               &n, &err),
	    FW_EINVAL, "rules[0].tier");
	/* Duplicate ids. */
	EXPECT_ERR(rparse("{\"rules\":[{\"id\":\"a\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[]},"
	                  "{\"id\":\"a\",\"countries\":[\"DE\"],\"max_lead_hours\":2,\"parts\":[]}]}",
	                  &r, &n, &err),
	           FW_EINVAL, "rules[1].id");
	assert_non_null(strstr(err.message, "twice"));
	/* More than FW_MAX_RULES. */
	many = repeat('x', 0);
	for (int i = 0; i <= FW_MAX_RULES; i++) {
		char *next = fmt("%s%s{\"id\":\"r%d\",\"countries\":[],\"max_lead_hours\":1,\"parts\":[]}",
		                 many, i ? "," : "", i);
		free(many);
		many = next;
	}
	m = fmt("{\"rules\":[%s]}", many);
	EXPECT_ERR(rparse(m, &r, &n, &err), FW_EINVAL, "rules");
	free(m);
	free(many);
	/* Too many countries in one rule (FW_MAX_COUNTRIES + 1). */
	many = repeat('x', 0);
	for (int i = 0; i <= FW_MAX_COUNTRIES; i++) {
		char *next = fmt("%s%s\"DE\"", many, i ? "," : "");
		free(many);
		many = next;
	}
	m = fmt("\"id\":\"a\",\"countries\":[%s],\"max_lead_hours\":1,\"parts\":[]", many);
	EXPECT_ERR(rparse_one(m, &r, &n, &err), FW_EINVAL, "rules[0].countries");
	free(m);
	free(many);
	assert_ptr_equal(r, (struct fw_rule *)(uintptr_t)0x1);
	assert_int_equal(n, 55);
}

static void rules_write_round_trip(void **state)
{
	struct fw_rule in[2], *out = NULL;
	struct fw_error err;
	struct fw_buf b;
	size_t n = 0;

	(void)state;
	memset(in, 0, sizeof(in));
	strcpy(in[0].id, "cn-law");
	strcpy(in[0].description, "Disclosure \"law\"");
	in[0].ncountries = 2;
	strcpy(in[0].countries[0], "CN");
	strcpy(in[0].countries[1], "RU");
	in[0].max_lead = 0;
	in[0].parts = 1u << FW_PART_SUMMARY;
	strcpy(in[1].id, "none");
	in[1].max_lead = 48 * 3600;
	in[1].parts = FW_PARTS_ALL;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_rules_write(in, 2, &b), 0);
	assert_string_equal(b.data,
	                    "{\"rules\":[{\"id\":\"cn-law\",\"description\":\"Disclosure \\\"law\\\"\","
	                    "\"countries\":[\"CN\",\"RU\"],\"max_lead_hours\":0,\"parts\":[\"summary\"]},"
	                    "{\"id\":\"none\",\"description\":\"\",\"countries\":[],\"max_lead_hours\":48,"
	                    "\"parts\":[\"summary\",\"details\",\"detection\",\"poc\"]}]}");
	EXPECT_OK(fw_json_rules_parse(b.data, b.len, &out, &n, &err));
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(out[i].id, in[i].id);
		assert_string_equal(out[i].description, in[i].description);
		assert_int_equal(out[i].ncountries, in[i].ncountries);
		for (size_t k = 0; k < in[i].ncountries; k++)
			assert_string_equal(out[i].countries[k], in[i].countries[k]);
		assert_int_equal(out[i].max_lead, in[i].max_lead);
		assert_int_equal(out[i].parts, in[i].parts);
	}
	free(out);
	fw_buf_release(&b);
}

/* ---- advisory ---- */

static int aparse(const char *body, struct fw_advisory *a, struct fw_revision *rev, int64_t *t,
                  struct fw_error *err)
{
	return fw_json_advisory_parse(body, strlen(body), a, rev, t, err);
}

/* An advisory body: title and summary plus extra members. */
static int aparse_with(const char *extra, struct fw_advisory *a, struct fw_revision *rev, int64_t *t,
                       struct fw_error *err)
{
	char *body = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"S\"}%s%s}", extra[0] ? "," : "", extra);
	int r = aparse(body, a, rev, t, err);

	free(body);
	return r;
}

static void advisory_parse_full(void **state)
{
	static const char body[] =
	    "{\"id\":\"fw-2026-001\",\"title\":\"Heap overflow in parser\",\"cves\":[\"CVE-2026-1234\","
	    "\"CVE-2026-99999\"],\"products\":[\"Widget 1.0\",\"Widget 2.0\"],"
	    "\"cvss_v3\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
	    "A:H\",\"public_at\":\"2026-12-08T17:00:00Z\","
	    "\"note\":\"Initial\",\"parts\":{\"summary\":\"A summary.\",\"details\":\"Line 1\\nLine 2\","
	    "\"detection\":\"rule x\",\"poc\":\"print('boom')\"}}";
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t = -1;

	(void)state;
	EXPECT_OK(aparse(body, &a, &rev, &t, &err));
	assert_string_equal(a.id, "fw-2026-001");
	assert_string_equal(a.title, "Heap overflow in parser");
	assert_int_equal(a.ncves, 2);
	assert_string_equal(a.cves[0], "CVE-2026-1234");
	assert_string_equal(a.cves[1], "CVE-2026-99999");
	assert_int_equal(a.nproducts, 2);
	assert_string_equal(a.products[1], "Widget 2.0");
	assert_string_equal(a.cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_int_equal(t, T_2026_12_08_17Z);
	assert_string_equal(rev.note, "Initial");
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "A summary.");
	assert_string_equal(rev.parts[FW_PART_DETAILS], "Line 1\nLine 2");
	assert_string_equal(rev.parts[FW_PART_DETECTION], "rule x");
	assert_string_equal(rev.parts[FW_PART_POC], "print('boom')");
	assert_int_equal(fw_revision_parts(&rev), FW_PARTS_ALL);
	fw_revision_release(&rev);

	/* Minimal: no id, no time (0), only the summary; null parts are absent. */
	t = -1;
	EXPECT_OK(aparse("{\"title\":\"T\",\"public_at\":null,\"parts\":{\"summary\":\"S\",\"poc\":null}}",
	                 &a, &rev, &t, &err));
	assert_int_equal(t, 0);
	assert_string_equal(a.id, "");
	assert_int_equal(a.ncves, 0);
	assert_string_equal(a.cvss_v3, "");
	assert_int_equal(fw_revision_parts(&rev), 1u << FW_PART_SUMMARY);
	fw_revision_release(&rev);
	t = -1;
	EXPECT_OK(aparse("{\"parts\":{\"summary\":\"S\"},\"title\":\"T\"}", &a, &rev, &t, &err));
	assert_int_equal(t, 0);
	fw_revision_release(&rev);
}

static void advisory_parse_required_and_unknown(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t = 42;

	(void)state;
	memset(&a, 0, sizeof(a));
	strcpy(a.id, "untouched");
	memset(&rev, 0, sizeof(rev));
	EXPECT_ERR(aparse("{\"parts\":{\"summary\":\"S\"}}", &a, &rev, &t, &err), FW_EINVAL, "title");
	EXPECT_ERR(aparse("{\"title\":\"T\"}", &a, &rev, &t, &err), FW_EINVAL, "parts");
	EXPECT_ERR(aparse("{}", &a, &rev, &t, &err), FW_EINVAL, "title");
	EXPECT_ERR(aparse_with("\"severity\":\"high\"", &a, &rev, &t, &err), FW_EINVAL, "severity");
	assert_non_null(strstr(err.message, "unknown"));
	EXPECT_ERR(aparse_with("\"status\":\"public\"", &a, &rev, &t, &err), FW_EINVAL, "status");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"details\":\"D\"}}", &a, &rev, &t, &err), FW_EINVAL,
	           "parts.summary");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\"}}", &a, &rev, &t, &err), FW_EINVAL,
	           "parts.summary");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":null}}", &a, &rev, &t, &err), FW_EINVAL,
	           "parts.summary");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":[\"S\"]}", &a, &rev, &t, &err), FW_EINVAL, "parts");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":\"S\"}", &a, &rev, &t, &err), FW_EINVAL, "parts");
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"exploit\":\"x\"}}", &a, &rev, &t, &err),
	    FW_EINVAL, "parts.exploit");
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"Summary\":\"x\"}}", &a, &rev, &t, &err),
	    FW_EINVAL, "parts.Summary");
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"details\":7}}", &a, &rev, &t, &err),
	    FW_EINVAL, "parts.details");
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"summary\":\"x\"}}", &a, &rev, &t, &err),
	    FW_EINVAL, "");
	assert_non_null(strstr(err.message, "duplicate"));
	/* Wrong types and malformed metadata. */
	EXPECT_ERR(aparse("{\"title\":1,\"parts\":{\"summary\":\"S\"}}", &a, &rev, &t, &err), FW_EINVAL,
	           "title");
	EXPECT_ERR(aparse_with("\"cves\":\"CVE-2026-1234\"", &a, &rev, &t, &err), FW_EINVAL, "cves");
	EXPECT_ERR(aparse_with("\"cves\":[1]", &a, &rev, &t, &err), FW_EINVAL, "cves");
	EXPECT_ERR(aparse_with("\"products\":[\"a\",null]", &a, &rev, &t, &err), FW_EINVAL, "products");
	EXPECT_ERR(aparse_with("\"cvss_v3\":9.8", &a, &rev, &t, &err), FW_EINVAL, "cvss_v3");
	EXPECT_ERR(aparse_with("\"note\":[]", &a, &rev, &t, &err), FW_EINVAL, "note");
	EXPECT_ERR(aparse_with("\"note\":\"a\\nb\"", &a, &rev, &t, &err), FW_EINVAL, "note");
	EXPECT_ERR(aparse_with("\"id\":\"Not A Slug\"", &a, &rev, &t, &err), FW_EINVAL, "id");
	EXPECT_ERR(aparse_with("\"id\":5", &a, &rev, &t, &err), FW_EINVAL, "id");
	/* Out-parameters untouched on every failure. */
	assert_string_equal(a.id, "untouched");
	assert_null(rev.parts[FW_PART_SUMMARY]);
	assert_int_equal(t, 42);
}

static void advisory_parse_limits(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t;
	char *s, *m;

	(void)state;
	s = repeat('T', FW_TITLE_MAX + 1);
	m = fmt("{\"title\":\"%s\",\"parts\":{\"summary\":\"S\"}}", s);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "title");
	free(m);
	free(s);
	s = repeat('a', FW_ID_MAX + 1);
	m = fmt("\"id\":\"%s\"", s);
	EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "id");
	free(m);
	free(s);
	s = repeat('n', FW_REV_NOTE_MAX + 1);
	m = fmt("\"note\":\"%s\"", s);
	EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "note");
	free(m);
	free(s);
	s = repeat('9', FW_CVE_MAX - 8);
	m = fmt("\"cves\":[\"CVE-2026-%s\"]", s); /* FW_CVE_MAX + 1 bytes */
	EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "cves");
	free(m);
	free(s);
	s = repeat('C', FW_CVSS_MAX + 1);
	m = fmt("\"cvss_v3\":\"%s\"", s);
	EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "cvss_v3");
	free(m);
	free(s);
	s = repeat('x', 0);
	for (int i = 0; i <= FW_MAX_PRODUCTS; i++) {
		char *next = fmt("%s%s\"p%d\"", s, i ? "," : "", i);
		free(s);
		s = next;
	}
	m = fmt("\"products\":[%s]", s);
	EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "products");
	free(m);
	free(s);
}

static void advisory_part_too_big(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t;
	char *s, *m;

	(void)state;
	memset(&rev, 0, sizeof(rev));
	s = repeat('d', FW_PART_MAX + 1);
	m = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"details\":\"%s\"}}", s);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_ETOOBIG, "parts.details");
	assert_null(rev.parts[FW_PART_SUMMARY]);
	free(m);
	m = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"%s\"}}", s);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_ETOOBIG, "parts.summary");
	free(m);
	/* Escapes count after decoding: 1 MiB of "\t" escapes is 2 MiB of JSON but exactly the limit. */
	free(s);
	s = malloc(2 * (size_t)FW_PART_MAX + 1);
	assert_non_null(s);
	for (size_t i = 0; i < FW_PART_MAX; i++)
		memcpy(s + 2 * i, "\\t", 2);
	s[2 * (size_t)FW_PART_MAX] = '\0';
	m = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"poc\":\"%s\"}}", s);
	EXPECT_OK(aparse(m, &a, &rev, &t, &err));
	assert_int_equal(strlen(rev.parts[FW_PART_POC]), FW_PART_MAX);
	fw_revision_release(&rev);
	free(m);
	/* Multi-byte characters count in bytes: 2-byte é repeated past the limit. */
	free(s);
	s = malloc(FW_PART_MAX + 3);
	assert_non_null(s);
	for (size_t i = 0; i < FW_PART_MAX / 2 + 1; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	s[FW_PART_MAX + 2] = '\0';
	m = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"detection\":\"%s\"}}", s);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_ETOOBIG, "parts.detection");
	free(m);
	free(s);
	/* Exactly the limit. */
	s = repeat('d', FW_PART_MAX);
	m = fmt("{\"title\":\"T\",\"parts\":{\"summary\":\"%s\"}}", s);
	EXPECT_OK(aparse(m, &a, &rev, &t, &err));
	assert_int_equal(strlen(rev.parts[FW_PART_SUMMARY]), FW_PART_MAX);
	fw_revision_release(&rev);
	free(m);
	free(s);
}

static void advisory_invalid_utf8(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t;

	(void)state;
	memset(&rev, 0, sizeof(rev));
	/* jansson refuses a lone surrogate escape, high or low, and reversed pairs: no field can be named. */
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"a\\ud800b\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	assert_non_null(strstr(err.message, "malformed JSON"));
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\\udfff\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\\ude00\\ud83d\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\\ud800\\u0041\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	/* Raw invalid bytes: overlong, CESU surrogate, truncated sequence, stray continuation, > U+10FFFF. */
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\xc0\xaf\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\xed\xa0\x80\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\xe2\x82\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\x80\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\xf4\x90\x80\x80\"}}", &a, &rev, &t, &err),
	    FW_EINVAL, "");
	EXPECT_ERR(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"a\\u0000b\"}}", &a, &rev, &t, &err),
	           FW_EINVAL, "");
	assert_null(rev.parts[FW_PART_SUMMARY]);
	/* A valid surrogate pair decodes to 4-byte UTF-8. */
	EXPECT_OK(aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"\\ud83d\\ude00 \\u00e9\"}}", &a, &rev, &t,
	                 &err));
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "\xf0\x9f\x98\x80 \xc3\xa9");
	fw_revision_release(&rev);
}

static void advisory_public_at(void **state)
{
	static const struct {
		const char *s;
		int64_t t;
	} good[] = {
	    {"2026-12-08T17:00:00Z", T_2026_12_08_17Z},
	    {"2026-12-08t17:00:00z", T_2026_12_08_17Z},
	    {"2026-12-08T19:00:00+02:00", T_2026_12_08_17Z},
	    {"2026-12-08T11:30:00-05:30", T_2026_12_08_17Z},
	    {"2026-12-08T17:00:00+00:00", T_2026_12_08_17Z},
	    {"2026-12-08T17:00:00-00:00", T_2026_12_08_17Z},
	    {"2026-12-08T17:00:00.999Z", T_2026_12_08_17Z},
	    {"2026-12-09T00:00:00.5+07:00", T_2026_12_08_17Z},
	    {"2024-02-29T12:00:00Z", INT64_C(1709208000)},
	};
	static const char *const bad[] = {
	    "2026-12-08 17:00:00Z",
	    "2026-12-08T17:00:00",
	    "2026-12-08",
	    "2026-12-08T17:00Z",
	    "2026-02-30T00:00:00Z",
	    "2026-12-08T24:00:00Z",
	    "2026-12-08T17:60:00Z",
	    "2026-12-08T17:00:60Z",
	    "2026-12-08T17:00:00+24:00",
	    "2026-12-08T17:00:00+0200",
	    "2026-12-08T17:00:00.Z",
	    "2026-12-08T17:00:00ZZ",
	    "1969-12-31T23:59:59Z",
	    "",
	    "tomorrow",
	};
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	int64_t t, s;
	char *m;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		m = fmt("\"public_at\":\"%s\"", good[i].s);
		t = -1;
		EXPECT_OK(aparse_with(m, &a, &rev, &t, &err));
		assert_int_equal(t, good[i].t);
		fw_revision_release(&rev);
		/* The schedule body uses the same parser. */
		free(m);
		m = fmt("{\"public_at\":\"%s\"}", good[i].s);
		s = -1;
		EXPECT_OK(fw_json_schedule_parse(m, strlen(m), &s, &err));
		assert_int_equal(s, good[i].t);
		free(m);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = fmt("\"public_at\":\"%s\"", bad[i]);
		t = -1;
		EXPECT_ERR(aparse_with(m, &a, &rev, &t, &err), FW_EINVAL, "public_at");
		assert_non_null(strstr(err.message, "RFC 3339"));
		assert_int_equal(t, -1);
		free(m);
	}
	EXPECT_ERR(aparse_with("\"public_at\":1796749200", &a, &rev, &t, &err), FW_EINVAL, "public_at");
	EXPECT_ERR(aparse_with("\"public_at\":{}", &a, &rev, &t, &err), FW_EINVAL, "public_at");
}

/* The smallest document fw_csaf_import accepts, plus a CVE, a score and notes; %s is spliced into the root.
 */
#define CSAF_DOC                                                                                             \
	"{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","                   \
	"\"publisher\":{\"category\":\"vendor\",\"name\":\"Example "                                         \
	"PSIRT\",\"namespace\":\"https://psirt.example.com\"},"                                              \
	"\"title\":\"Example: remote code execution in Widget\","                                            \
	"\"notes\":[{\"category\":\"summary\",\"text\":\"Widget executes code it should not.\"}],"           \
	"\"tracking\":{\"id\":\"EX-2026-0001\",\"status\":\"final\",\"version\":\"1\","                      \
	"\"initial_release_date\":\"2026-01-01T00:00:00Z\",\"current_release_date\":\"2026-01-01T00:00:"     \
	"00Z\","                                                                                             \
	"\"revision_history\":[{\"date\":\"2026-01-01T00:00:00Z\",\"number\":\"1\",\"summary\":\"Initial\"}" \
	"]}},"                                                                                               \
	"\"product_tree\":{\"full_product_names\":[{\"name\":\"Widget 1.0\",\"product_id\":\"P1\"}]},"       \
	"\"vulnerabilities\":[{\"cve\":\"CVE-2026-1234\",\"notes\":[{\"category\":\"details\",\"text\":"     \
	"\"Deep.\"}],"                                                                                       \
	"\"scores\":[{\"products\":[\"P1\"],\"cvss_v3\":{\"version\":\"3.1\","                               \
	"\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":9.8,"               \
	"\"baseSeverity\":\"CRITICAL\"}}]}]%s}"

static void advisory_csaf_import(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	char *doc, *m;
	int64_t t = -1;

	(void)state;
	doc = fmt(CSAF_DOC, "");
	m = fmt("{\"id\":\"ex-1\",\"public_at\":\"2026-12-08T17:00:00Z\",\"csaf\":%s}", doc);
	EXPECT_OK(aparse(m, &a, &rev, &t, &err));
	assert_string_equal(a.id, "ex-1");
	assert_string_equal(a.title, "Example: remote code execution in Widget");
	assert_int_equal(a.ncves, 1);
	assert_string_equal(a.cves[0], "CVE-2026-1234");
	assert_int_equal(a.nproducts, 1);
	assert_string_equal(a.products[0], "Widget 1.0");
	assert_string_equal(a.cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_int_equal(t, T_2026_12_08_17Z);
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "Widget executes code it should not.");
	assert_string_equal(rev.parts[FW_PART_DETAILS], "Deep.");
	assert_null(rev.parts[FW_PART_POC]);
	assert_non_null(strstr(rev.note, "EX-2026-0001"));
	fw_revision_release(&rev);
	free(m);
	/* A note given next to the document replaces the generated one; no id is fine (assigned later). */
	m = fmt("{\"csaf\":%s,\"note\":\"From the vendor\"}", doc);
	EXPECT_OK(aparse(m, &a, &rev, &t, &err));
	assert_string_equal(rev.note, "From the vendor");
	assert_string_equal(a.id, "");
	assert_int_equal(t, 0);
	fw_revision_release(&rev);
	free(m);
	free(doc);
}

static void advisory_csaf_rejections(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	char *doc, *m;
	int64_t t = 7;

	(void)state;
	memset(&rev, 0, sizeof(rev));
	doc = fmt(CSAF_DOC, "");
	/* The document carries title and parts: giving them as well is ambiguous. */
	m = fmt("{\"csaf\":%s,\"title\":\"Other\"}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "title");
	assert_non_null(strstr(err.message, "csaf"));
	free(m);
	m = fmt("{\"title\":\"Other\",\"csaf\":%s}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "title");
	free(m);
	m = fmt("{\"csaf\":%s,\"parts\":{\"summary\":\"S\"}}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "parts");
	free(m);
	m = fmt("{\"csaf\":%s,\"cves\":[]}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "cves");
	free(m);
	m = fmt("{\"csaf\":%s,\"bogus\":1}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "bogus");
	free(m);
	m = fmt("{\"csaf\":%s,\"public_at\":\"soon\"}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "public_at");
	free(m);
	free(doc);
	/* The document itself: errors are named by their path inside "csaf". */
	EXPECT_ERR(aparse("{\"csaf\":[]}", &a, &rev, &t, &err), FW_EINVAL, "csaf");
	EXPECT_ERR(aparse("{\"csaf\":\"{}\"}", &a, &rev, &t, &err), FW_EINVAL, "csaf");
	EXPECT_ERR(
	    aparse("{\"csaf\":null,\"title\":\"T\",\"parts\":{\"summary\":\"S\"}}", &a, &rev, &t, &err),
	    FW_EINVAL, "csaf");
	EXPECT_ERR(aparse("{\"csaf\":{}}", &a, &rev, &t, &err), FW_EINVAL, "csaf.document");
	doc = fmt(CSAF_DOC, "");
	m = strstr(doc, "\"2.0\"");
	assert_non_null(m);
	m[1] = '1';
	m = fmt("{\"csaf\":%s}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "csaf.document.csaf_version");
	free(m);
	free(doc);
	doc = fmt(CSAF_DOC, "");
	m = strstr(doc, "CVE-2026-1234");
	assert_non_null(m);
	memcpy(m + 4, "XX", 2); /* CVE-XX26-1234 */
	m = fmt("{\"csaf\":%s}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "csaf.vulnerabilities[0].cve");
	free(m);
	free(doc);
	/* Duplicate keys inside the document are refused by the outer parser. */
	doc = fmt(CSAF_DOC, ",\"vulnerabilities\":[]");
	m = fmt("{\"csaf\":%s}", doc);
	EXPECT_ERR(aparse(m, &a, &rev, &t, &err), FW_EINVAL, "");
	free(m);
	free(doc);
	assert_int_equal(t, 7);
	assert_null(rev.parts[FW_PART_SUMMARY]);
}

/* ---- revision ---- */

static void base_advisory(struct fw_advisory *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->id, "fw-1");
	strcpy(a->title, "Old title");
	a->ncves = 1;
	strcpy(a->cves[0], "CVE-2026-0001");
	a->nproducts = 2;
	strcpy(a->products[0], "P1");
	strcpy(a->products[1], "P2");
	strcpy(a->cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	a->status = FW_ADV_SCHEDULED;
	a->public_at = T_2026_12_08_17Z;
	a->revision = 3;
}

static int vparse(const char *body, struct fw_advisory *a, struct fw_revision *rev, struct fw_error *err)
{
	return fw_json_revision_parse(body, strlen(body), a, rev, err);
}

/* An inbox item, whole and in its two pieces: the same bytes, escaped where the head needs it. */
static void inbox_item_exact(void **state)
{
	struct fw_advisory a;
	struct fw_buf b;

	(void)state;
	base_advisory(&a);
	strcpy(a.title, "Heap \"overflow\" \\ in \xc3\xa9");
	a.ncves = 2;
	strcpy(a.cves[1], "CVE-2026-0002");
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_inbox_item_write(&a, (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC), 0, &b),
	                 0);
	assert_string_equal(b.data, "{\"id\":\"fw-1\",\"title\":\"Heap \\\"overflow\\\" \\\\ in \xc3\xa9\","
	                            "\"cves\":[\"CVE-2026-0001\",\"CVE-2026-0002\"],\"revision\":3,"
	                            "\"parts\":[\"summary\",\"poc\"],\"tlp\":\"RED\","
	                            "\"public_at\":\"2026-12-08T17:00:00Z\",\"status\":\"embargoed\"}");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_inbox_item_head(&a, &b), 0);
	assert_int_equal(fw_json_inbox_item_tail(FW_PARTS_ALL, 1, 0, &b), 0);
	assert_string_equal(b.data, "{\"id\":\"fw-1\",\"title\":\"Heap \\\"overflow\\\" \\\\ in \xc3\xa9\","
	                            "\"cves\":[\"CVE-2026-0001\",\"CVE-2026-0002\"],\"revision\":3,"
	                            "\"parts\":[\"summary\",\"details\",\"detection\",\"poc\"],"
	                            "\"tlp\":\"WHITE\",\"public_at\":null,\"status\":\"public\"}");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_inbox_item_tail(1u << FW_PART_DETAILS, 0, a.public_at, &b), 0);
	assert_string_equal(
	    b.data, ",\"parts\":[\"details\"],\"tlp\":\"AMBER\",\"public_at\":\"2026-12-08T17:00:00Z\","
	            "\"status\":\"embargoed\"}");
	fw_buf_release(&b);
}

static void revision_parse_metadata_replace(void **state)
{
	struct fw_advisory a, want;
	struct fw_revision rev;
	struct fw_error err;

	(void)state;
	/* Only parts: metadata untouched, absent parts absent. */
	base_advisory(&a);
	want = a;
	EXPECT_OK(vparse("{\"parts\":{\"summary\":\"New summary\",\"poc\":\"x\"},\"note\":\"Added PoC\"}", &a,
	                 &rev, &err));
	assert_memory_equal(&a, &want, sizeof(a));
	assert_string_equal(rev.note, "Added PoC");
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "New summary");
	assert_null(rev.parts[FW_PART_DETAILS]);
	assert_null(rev.parts[FW_PART_DETECTION]);
	assert_string_equal(rev.parts[FW_PART_POC], "x");
	fw_revision_release(&rev);
	/* Metadata present replaces, wholesale for lists; null clears the vector. */
	EXPECT_OK(vparse("{\"parts\":{\"summary\":\"S\"},\"title\":\"New title\",\"cves\":[\"CVE-2026-0002\","
	                 "\"CVE-2026-0003\"],\"products\":[],\"cvss_v3\":null}",
	                 &a, &rev, &err));
	assert_string_equal(a.title, "New title");
	assert_int_equal(a.ncves, 2);
	assert_string_equal(a.cves[0], "CVE-2026-0002");
	assert_string_equal(a.cves[1], "CVE-2026-0003");
	assert_int_equal(a.nproducts, 0);
	assert_string_equal(a.cvss_v3, "");
	assert_string_equal(a.id, "fw-1");
	assert_int_equal(a.status, FW_ADV_SCHEDULED);
	assert_int_equal(a.public_at, T_2026_12_08_17Z);
	assert_int_equal(a.revision, 3);
	assert_string_equal(rev.note, "");
	fw_revision_release(&rev);
}

static void revision_parse_invalid(void **state)
{
	struct fw_advisory a, want;
	struct fw_revision rev;
	struct fw_error err;

	(void)state;
	base_advisory(&a);
	want = a;
	memset(&rev, 0, sizeof(rev));
	EXPECT_ERR(vparse("{\"title\":\"T\"}", &a, &rev, &err), FW_EINVAL, "parts");
	EXPECT_ERR(vparse("{}", &a, &rev, &err), FW_EINVAL, "parts");
	EXPECT_ERR(vparse("{\"parts\":{}}", &a, &rev, &err), FW_EINVAL, "parts.summary");
	EXPECT_ERR(vparse("{\"parts\":{\"summary\":\"S\",\"extra\":\"x\"}}", &a, &rev, &err), FW_EINVAL,
	           "parts.extra");
	/* Fields of a new advisory that a revision cannot change. */
	EXPECT_ERR(vparse("{\"parts\":{\"summary\":\"S\"},\"id\":\"fw-2\"}", &a, &rev, &err), FW_EINVAL,
	           "id");
	EXPECT_ERR(
	    vparse("{\"parts\":{\"summary\":\"S\"},\"public_at\":\"2026-12-08T17:00:00Z\"}", &a, &rev, &err),
	    FW_EINVAL, "public_at");
	EXPECT_ERR(vparse("{\"parts\":{\"summary\":\"S\"},\"csaf\":{}}", &a, &rev, &err), FW_EINVAL, "csaf");
	/* A bad member after a good replacement leaves *a as it was. */
	EXPECT_ERR(
	    vparse("{\"title\":\"Replaced\",\"cves\":[\"CVE-2026-0009\"],\"parts\":{\"summary\":\"S\"},"
	           "\"products\":\"P\"}",
	           &a, &rev, &err),
	    FW_EINVAL, "products");
	EXPECT_ERR(vparse("{\"title\":\"Replaced\",\"parts\":{\"summary\":\"\"}}", &a, &rev, &err), FW_EINVAL,
	           "parts.summary");
	assert_memory_equal(&a, &want, sizeof(a));
	assert_null(rev.parts[FW_PART_SUMMARY]);
	EXPECT_ERR(fw_json_revision_parse(LIT(""), &a, &rev, &err), FW_EINVAL, "");
}

/* ---- schedule and action ---- */

static void schedule_parse(void **state)
{
	struct fw_error err;
	int64_t t = 5;

	(void)state;
	EXPECT_OK(fw_json_schedule_parse(LIT("{\"public_at\":\"2026-12-08T17:00:00Z\"}"), &t, &err));
	assert_int_equal(t, T_2026_12_08_17Z);
	t = 5;
	EXPECT_ERR(fw_json_schedule_parse(LIT("{}"), &t, &err), FW_EINVAL, "public_at");
	assert_non_null(strstr(err.message, "required"));
	EXPECT_ERR(fw_json_schedule_parse(LIT("{\"public_at\":null}"), &t, &err), FW_EINVAL, "public_at");
	EXPECT_ERR(fw_json_schedule_parse(LIT("{\"public_at\":\"2026-12-08\"}"), &t, &err), FW_EINVAL,
	           "public_at");
	EXPECT_ERR(fw_json_schedule_parse(LIT("{\"when\":\"2026-12-08T17:00:00Z\"}"), &t, &err), FW_EINVAL,
	           "when");
	EXPECT_ERR(fw_json_schedule_parse(LIT("{\"public_at\":\"2026-12-08T17:00:00Z\",\"x\":1}"), &t, &err),
	           FW_EINVAL, "x");
	EXPECT_ERR(fw_json_schedule_parse(LIT(""), &t, &err), FW_EINVAL, "");
	EXPECT_ERR(fw_json_schedule_parse(LIT("\"2026-12-08T17:00:00Z\""), &t, &err), FW_EINVAL, "");
	assert_int_equal(t, 5);
}

static void action_parse(void **state)
{
	struct fw_error err;
	char reason[16];
	char *s, *m;

	(void)state;
	/* Empty and {} are fine for every action; the reason comes back empty. */
	strcpy(reason, "stale");
	EXPECT_OK(fw_json_action_parse(LIT(""), reason, sizeof(reason), &err));
	assert_string_equal(reason, "");
	EXPECT_OK(fw_json_action_parse(NULL, 0, NULL, 0, &err));
	EXPECT_OK(fw_json_action_parse(LIT("{}"), NULL, 0, &err));
	strcpy(reason, "stale");
	EXPECT_OK(fw_json_action_parse(LIT(" { } "), reason, sizeof(reason), &err));
	assert_string_equal(reason, "");
	/* A reason where the route takes one. */
	EXPECT_OK(fw_json_action_parse(LIT("{\"reason\":\"leaked\"}"), reason, sizeof(reason), &err));
	assert_string_equal(reason, "leaked");
	/* Not where it does not. */
	EXPECT_ERR(fw_json_action_parse(LIT("{\"reason\":\"leaked\"}"), NULL, 0, &err), FW_EINVAL, "reason");
	assert_non_null(strstr(err.message, "unknown"));
	EXPECT_ERR(fw_json_action_parse(LIT("{\"force\":true}"), reason, sizeof(reason), &err), FW_EINVAL,
	           "force");
	EXPECT_ERR(fw_json_action_parse(LIT("{\"reason\":1}"), reason, sizeof(reason), &err), FW_EINVAL,
	           "reason");
	EXPECT_ERR(fw_json_action_parse(LIT("{\"reason\":null}"), reason, sizeof(reason), &err), FW_EINVAL,
	           "reason");
	s = repeat('r', sizeof(reason));
	m = fmt("{\"reason\":\"%s\"}", s);
	EXPECT_ERR(fw_json_action_parse(m, strlen(m), reason, sizeof(reason), &err), FW_EINVAL, "reason");
	assert_non_null(strstr(err.message, "too long"));
	free(m);
	free(s);
	EXPECT_ERR(
	    fw_json_action_parse(LIT("{\"reason\":\"a\",\"reason\":\"b\"}"), reason, sizeof(reason), &err),
	    FW_EINVAL, "");
	EXPECT_ERR(fw_json_action_parse(LIT("[]"), reason, sizeof(reason), &err), FW_EINVAL, "");
	EXPECT_ERR(fw_json_action_parse(LIT("{"), NULL, 0, &err), FW_EINVAL, "");
	EXPECT_ERR(fw_json_action_parse(LIT(" "), NULL, 0, &err), FW_EINVAL, "");
}

/* A token's expiry: a duration or a time, never both, in the future and at most ten years ahead. */
static void token_parse(void **state)
{
	const int64_t now = T_2026_12_08_17Z;
	struct fw_error err;
	int64_t at;

	(void)state;
	at = 5;
	EXPECT_OK(fw_json_token_parse(LIT(""), now, &at, &err));
	assert_true(at == 0);
	at = 5;
	EXPECT_OK(fw_json_token_parse(LIT("{}"), now, &at, &err));
	assert_true(at == 0);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_in\":\"30d\"}"), now, &at, &err));
	assert_true(at == now + 30 * 86400);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_in\":\"1s\"}"), now, &at, &err));
	assert_true(at == now + 1);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_in\":\"3650d\"}"), now, &at, &err));
	assert_true(at == now + FW_TOKEN_TTL_MAX);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_at\":\"2026-12-09T19:00:00+02:00\"}"), now, &at, &err));
	assert_true(at == now + 86400);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_at\":null}"), now, &at, &err));
	assert_true(at == 0);
	EXPECT_OK(fw_json_token_parse(LIT("{\"expires_in\":null}"), now, &at, &err));
	assert_true(at == 0);

	at = 5;
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":\"30\"}"), now, &at, &err), FW_EINVAL,
	           "expires_in");
	assert_non_null(strstr(err.message, "duration"));
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":\"3651d\"}"), now, &at, &err), FW_EINVAL,
	           "expires_in");
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":\"0s\"}"), now, &at, &err), FW_EINVAL,
	           "expires_in");
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":30}"), now, &at, &err), FW_EINVAL, "expires_in");
	/* jansson refuses \u0000 itself: a parse error, no field */
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":\"1d\\u0000\"}"), now, &at, &err), FW_EINVAL, "");
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_at\":\"2026-12-08T17:00:00Z\"}"), now, &at, &err),
	           FW_EINVAL, "expires_at");
	assert_non_null(strstr(err.message, "future"));
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_at\":\"2046-12-08T17:00:00Z\"}"), now, &at, &err),
	           FW_EINVAL, "expires_at");
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_at\":\"tomorrow\"}"), now, &at, &err), FW_EINVAL,
	           "expires_at");
	EXPECT_ERR(fw_json_token_parse(LIT("{\"expires_in\":\"1d\",\"expires_at\":null}"), now, &at, &err),
	           FW_EINVAL, "expires_at");
	assert_non_null(strstr(err.message, "not both"));
	EXPECT_ERR(fw_json_token_parse(LIT("{\"ttl\":\"1d\"}"), now, &at, &err), FW_EINVAL, "ttl");
	EXPECT_ERR(fw_json_token_parse(LIT("[]"), now, &at, &err), FW_EINVAL, "");
	EXPECT_ERR(fw_json_token_parse(LIT(" "), now, &at, &err), FW_EINVAL, "");
	assert_true(at == 5);
}

/* Every parser survives 100000 unclosed '[' and '{' and refuses them as malformed. */
static void all_parsers_deep_nesting(void **state)
{
	const size_t depth = 100000;
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_rule *rules = NULL;
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	struct fw_partner p;
	struct fw_buf b;
	char out[8], *deep;
	size_t n;
	int64_t t;

	(void)state;
	deep = repeat('[', depth);
	base_advisory(&a);
	memset(&rev, 0, sizeof(rev));
	for (int round = 0; round < 2; round++) {
		EXPECT_ERR(fw_json_partner_parse(deep, depth, 1, &p, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_tiers_parse(deep, depth, tiers, &n, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_rules_parse(deep, depth, &rules, &n, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_advisory_parse(deep, depth, &a, &rev, &t, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_revision_parse(deep, depth, &a, &rev, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_schedule_parse(deep, depth, &t, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_action_parse(deep, depth, NULL, 0, &err), FW_EINVAL, "");
		EXPECT_ERR(fw_json_token_parse(deep, depth, 0, &t, &err), FW_EINVAL, "");
		assert_int_equal(fw_json_get_string(deep, depth, "id", out, sizeof(out)), FW_ENOENT);
		fw_buf_init(&b, 0);
		assert_int_equal(fw_json_table(deep, depth, NULL, (const char *const[]){"id", NULL}, &b),
		                 FW_EINVAL);
		fw_buf_release(&b);
		/* Second round: objects nested in objects. */
		for (size_t i = 0; i + 5 <= depth; i += 5)
			memcpy(deep + i, "{\"a\":", 5);
	}
	free(deep);
	assert_null(rules);
}

/* ---- writers ---- */

static void error_write_shape(void **state)
{
	struct fw_buf b;

	(void)state;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_error_write(400, "invalid", "country", "must be \"DE\"-like", &b), 0);
	assert_string_equal(b.data, "{\"error\":{\"status\":400,\"code\":\"invalid\",\"field\":\"country\","
	                            "\"message\":\"must be \\\"DE\\\"-like\"}}");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_error_write(404, "not_found", NULL, "no such advisory", &b), 0);
	assert_string_equal(
	    b.data, "{\"error\":{\"status\":404,\"code\":\"not_found\",\"message\":\"no such advisory\"}}");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_error_write(409, "conflict", "", "x", &b), 0);
	assert_string_equal(b.data, "{\"error\":{\"status\":409,\"code\":\"conflict\",\"message\":\"x\"}}");
	fw_buf_release(&b);
}

/*
 * Regression: details are cut to fixed buffers by bytes ("parts.%.20s", a 192-byte message), which can end
 * inside a UTF-8 sequence; the error body still carried status and code but silently lost field and message.
 */
static void error_write_cut_utf8_keeps_field_and_message(void **state)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err;
	struct fw_buf b;
	int64_t t;

	(void)state;
	/* An unknown part named "xéééééééééééé": "parts.%.20s" cuts it inside the tenth é. */
	EXPECT_ERR(
	    aparse("{\"title\":\"T\",\"parts\":{\"summary\":\"S\",\"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\":\"v\"}}",
	           &a, &rev, &t, &err),
	    FW_EINVAL, "parts.x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3");
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_error_write(400, "invalid", err.field, err.message, &b), 0);
	assert_non_null(strstr(b.data,
	                       "\"field\":\"parts.x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                       "\xc3\xa9\xc3\xa9\""));
	assert_non_null(strstr(b.data, "\"message\":\"unknown part"));
	fw_buf_reset(&b);
	assert_int_equal(fw_json_error_write(400, "invalid", "f", "cut \xe2\x9c", &b), 0);
	assert_string_equal(b.data, "{\"error\":{\"status\":400,\"code\":\"invalid\",\"field\":\"f\","
	                            "\"message\":\"cut \"}}");
	/* A cut inside a message keeps the text before it; a field with nothing valid is left out. */
	fw_buf_reset(&b);
	assert_int_equal(fw_json_error_write(400, "invalid", "\xff", "not \"\xc3\" a part", &b), 0);
	assert_string_equal(b.data,
	                    "{\"error\":{\"status\":400,\"code\":\"invalid\",\"message\":\"not \\\"\"}}");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_error_write(500, "internal", NULL, NULL, &b), 0);
	assert_string_equal(b.data, "{\"error\":{\"status\":500,\"code\":\"internal\",\"message\":\"\"}}");
	fw_buf_release(&b);
}

static void string_write_escaping(void **state)
{
	struct fw_buf b;

	(void)state;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_string_write("plain", &b), 0);
	assert_string_equal(b.data, "\"plain\"");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_string_write("q\"b\\s/n\nt\tc\x01"
	                                      "d\x1f"
	                                      "e\x7f"
	                                      "é✓",
	                                      &b),
	                 0);
	assert_string_equal(b.data, "\"q\\\"b\\\\s/n\\nt\\tc\\u0001d\\u001Fe\x7f"
	                            "é✓\"");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_string_write("", &b), 0);
	assert_string_equal(b.data, "\"\"");
	/* Appends: two strings in a row. */
	assert_int_equal(fw_json_string_write("</script>", &b), 0);
	assert_string_equal(b.data, "\"\"\"</script>\"");
	fw_buf_reset(&b);
	/* Invalid UTF-8 cannot be written as a JSON string. */
	assert_int_equal(fw_json_string_write("bad \xff", &b), FW_EINVAL);
	assert_int_equal(fw_json_string_write("\xed\xa0\x80", &b), FW_EINVAL);
	assert_int_equal(b.len, 0);
	/* A bounded buffer reports the overflow. */
	fw_buf_release(&b);
	fw_buf_init(&b, 4);
	assert_int_equal(fw_json_string_write("toolong", &b), FW_ETOOBIG);
	fw_buf_release(&b);
}

/* ---- fw_json_table and fw_json_get_string ---- */

static void table_render(void **state)
{
	static const char json[] =
	    "{\"partners\":[{\"id\":\"acme\",\"tier\":\"vetted\",\"entitlements\":[\"summary\",\"details\"],"
	    "\"nda\":{\"version\":\"v2\"},\"lead\":120},"
	    "{\"id\":\"b\",\"tier\":\"standard-longer\",\"entitlements\":[],\"nda\":null,\"lead\":1.25,"
	    "\"ok\":true}],\"total\":2}";
	static const char *const cols[] = {"id", "tier", "entitlements", "nda.version", "lead", "ok", NULL};
	struct fw_buf b;

	(void)state;
	fw_buf_init(&b, 0);
	/* Missing, null and an empty list all read "-"; reals have one decimal; booleans are yes/no. */
	assert_int_equal(fw_json_table(json, strlen(json), "partners", cols, &b), 0);
	assert_string_equal(b.data, "ID    TIER             ENTITLEMENTS     NDA.VERSION  LEAD  OK\n"
	                            "acme  vetted           summary,details  v2           120   -\n"
	                            "b     standard-longer  -                -            1.2   yes\n");
	fw_buf_reset(&b);
	/* An object under the key (or the top-level object) is one row. */
	assert_int_equal(fw_json_table(LIT("{\"id\":\"x\",\"cves\":[\"CVE-1\",\"CVE-2\"]}"), NULL,
	                               (const char *const[]){"cves", "id", NULL}, &b),
	                 0);
	assert_string_equal(b.data, "CVES         ID\nCVE-1,CVE-2  x\n");
	fw_buf_reset(&b);
	/* A top-level array is the rows. */
	assert_int_equal(fw_json_table(LIT("[{\"a\":\"1\"},{\"a\":\"22\"},7]"), NULL,
	                               (const char *const[]){"a", "b", NULL}, &b),
	                 0);
	assert_string_equal(b.data, "A   B\n1   -\n22  -\n-   -\n");
	fw_buf_reset(&b);
	/* Control characters cannot reach the terminal. */
	assert_int_equal(
	    fw_json_table(LIT("[{\"a\":\"x\\u001b[2Jy\\nz\"}]"), NULL, (const char *const[]){"a", NULL}, &b),
	    0);
	assert_string_equal(b.data, "A\nx [2Jy z\n");
	fw_buf_release(&b);
}

static void table_empty_and_errors(void **state)
{
	static const char *const cols[] = {"id", "title", NULL};
	struct fw_buf b;

	(void)state;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_json_table(LIT("{\"advisories\":[]}"), "advisories", cols, &b), 0);
	assert_string_equal(b.data, "ID  TITLE\n(none)\n");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_table(LIT("[]"), NULL, cols, &b), 0);
	assert_string_equal(b.data, "ID  TITLE\n(none)\n");
	fw_buf_reset(&b);
	assert_int_equal(fw_json_table(LIT("{\"advisories\":[]}"), "partners", cols, &b), FW_EINVAL);
	assert_int_equal(fw_json_table(LIT("{\"advisories\":["), "advisories", cols, &b), FW_EINVAL);
	assert_int_equal(fw_json_table(LIT(""), NULL, cols, &b), FW_EINVAL);
	assert_int_equal(b.len, 0);
	fw_buf_release(&b);
}

static void get_string(void **state)
{
	static const char json[] =
	    "{\"id\":\"fw-1\",\"n\":5,\"token\":\"abcdefgh\",\"nested\":{\"id\":\"x\"}}";
	char out[9];

	(void)state;
	assert_int_equal(fw_json_get_string(json, strlen(json), "id", out, sizeof(out)), 0);
	assert_string_equal(out, "fw-1");
	/* Exactly fits: 8 bytes and the NUL. */
	assert_int_equal(fw_json_get_string(json, strlen(json), "token", out, sizeof(out)), 0);
	assert_string_equal(out, "abcdefgh");
	strcpy(out, "same");
	assert_int_equal(fw_json_get_string(json, strlen(json), "token", out, 8), FW_ENOENT);
	assert_int_equal(fw_json_get_string(json, strlen(json), "n", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(json, strlen(json), "nested", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(json, strlen(json), "missing", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(json, 10, "id", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(LIT("[\"id\"]"), "id", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(LIT(""), "id", out, sizeof(out)), FW_ENOENT);
	assert_int_equal(fw_json_get_string(json, strlen(json), "id", out, 0), FW_ENOENT);
	assert_string_equal(out, "same");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(partner_create_minimal_defaults),
	    cmocka_unit_test(inbox_item_exact),
	    cmocka_unit_test(partner_create_all_fields),
	    cmocka_unit_test(partner_create_required_fields),
	    cmocka_unit_test(partner_unknown_field_named),
	    cmocka_unit_test(partner_duplicate_keys_rejected),
	    cmocka_unit_test(partner_wrong_types),
	    cmocka_unit_test(partner_bad_country),
	    cmocka_unit_test(partner_bad_email_and_nda),
	    cmocka_unit_test(partner_bad_id_and_tier),
	    cmocka_unit_test(partner_overlong_strings),
	    cmocka_unit_test(partner_nul_in_strings),
	    cmocka_unit_test(partner_hostile_bodies),
	    cmocka_unit_test(partner_deep_nesting),
	    cmocka_unit_test(partner_patch_applies_fields),
	    cmocka_unit_test(partner_patch_id_change_rejected),
	    cmocka_unit_test(partner_patch_status_only_unchanged),
	    cmocka_unit_test(partner_write_exact),
	    cmocka_unit_test(partner_write_round_trip),
	    cmocka_unit_test(tiers_parse_valid),
	    cmocka_unit_test(tiers_parse_invalid),
	    cmocka_unit_test(tiers_write_round_trip),
	    cmocka_unit_test(rules_parse_valid),
	    cmocka_unit_test(rules_parse_invalid),
	    cmocka_unit_test(rules_write_round_trip),
	    cmocka_unit_test(advisory_parse_full),
	    cmocka_unit_test(advisory_parse_required_and_unknown),
	    cmocka_unit_test(advisory_parse_limits),
	    cmocka_unit_test(advisory_part_too_big),
	    cmocka_unit_test(advisory_invalid_utf8),
	    cmocka_unit_test(advisory_public_at),
	    cmocka_unit_test(advisory_csaf_import),
	    cmocka_unit_test(advisory_csaf_rejections),
	    cmocka_unit_test(revision_parse_metadata_replace),
	    cmocka_unit_test(revision_parse_invalid),
	    cmocka_unit_test(schedule_parse),
	    cmocka_unit_test(action_parse),
	    cmocka_unit_test(token_parse),
	    cmocka_unit_test(all_parsers_deep_nesting),
	    cmocka_unit_test(error_write_shape),
	    cmocka_unit_test(error_write_cut_utf8_keeps_field_and_message),
	    cmocka_unit_test(string_write_escaping),
	    cmocka_unit_test(table_render),
	    cmocka_unit_test(table_empty_and_errors),
	    cmocka_unit_test(get_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
