/*
 * libFuzzer driver for the advisory-side JSON parsers; the first byte picks the parser ('a' advisory,
 * 'v' revision, 's' schedule, 't' tiers, 'r' rules, 'c' action, 'k' token issue; any other byte: its value
 * modulo 7), the rest is the body. Rejections must name a reason (kept by fw_json_error_write) and leave the
 * out-parameters alone; accepted values must validate, and tiers and rules must survive their writer and
 * parser unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum which { ADVISORY, REVISION, SCHEDULE, TIERS, RULES, ACTION, TOKEN, NPARSERS };

static enum which pick(uint8_t c)
{
	switch (c) {
	case 'a':
		return ADVISORY;
	case 'v':
		return REVISION;
	case 's':
		return SCHEDULE;
	case 't':
		return TIERS;
	case 'r':
		return RULES;
	case 'c':
		return ACTION;
	case 'k':
		return TOKEN;
	default:
		return (enum which)(c % NPARSERS);
	}
}

/* The error body sent to the client must keep field and message, even when cut inside a UTF-8 sequence. */
static void check_error_body(const struct fw_error *err)
{
	struct fw_buf b;

	fw_buf_init(&b, 0);
	if (fw_json_error_write(400, "invalid", err->field, err->message, &b) < 0 ||
	    !strstr(b.data, "\"message\":") || (err->field[0] && !strstr(b.data, "\"field\":")))
		abort();
	fw_buf_release(&b);
}

static void check_failure(int r, const struct fw_error *err)
{
	if (r != FW_EINVAL && r != FW_ETOOBIG && r != FW_ENOMEM)
		abort();
	if (r != FW_ENOMEM && err->message[0] == '\0')
		abort();
	check_error_body(err);
}

static int no_parts(const struct fw_revision *rev)
{
	return fw_revision_parts(rev) == 0;
}

static void base_advisory(struct fw_advisory *a)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->id, "fw-2026-001");
	strcpy(a->title, "Old title");
	a->ncves = 1;
	strcpy(a->cves[0], "CVE-2026-0001");
	a->nproducts = 1;
	strcpy(a->products[0], "Widget 1.0");
	a->status = FW_ADV_SCHEDULED;
	a->public_at = 1796749200;
	a->revision = 2;
	a->parts = 1;
}

static void fuzz_advisory(const char *body, size_t len)
{
	struct fw_advisory a, before;
	struct fw_revision rev;
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	int64_t t = -7;
	int r;

	memset(&a, 0x5a, sizeof(a));
	before = a;
	memset(&rev, 0, sizeof(rev));
	r = fw_json_advisory_parse(body, len, &a, &rev, &t, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (memcmp(&a, &before, sizeof(a)) != 0 || !no_parts(&rev) || t != -7)
			abort();
		return;
	}
	if (fw_revision_validate(&rev, NULL) < 0 || (a.id[0] && !fw_slug_valid(a.id)))
		abort();
	fw_buf_init(&b, 0);
	if (fw_json_advisory_write(&a, &rev, &b) < 0)
		abort();
	fw_buf_release(&b);
	fw_revision_release(&rev);
}

static void fuzz_revision(const char *body, size_t len)
{
	struct fw_advisory a, before;
	struct fw_revision rev;
	struct fw_error err = {{0}, {0}};
	int r;

	base_advisory(&a);
	before = a;
	memset(&rev, 0, sizeof(rev));
	r = fw_json_revision_parse(body, len, &a, &rev, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (memcmp(&a, &before, sizeof(a)) != 0 || !no_parts(&rev))
			abort();
		return;
	}
	/* Only title, cves, products and cvss_v3 may change. */
	if (fw_revision_validate(&rev, NULL) < 0 || strcmp(a.id, before.id) != 0 ||
	    a.status != before.status || a.public_at != before.public_at || a.revision != before.revision ||
	    a.parts != before.parts)
		abort();
	fw_revision_release(&rev);
}

static void fuzz_schedule(const char *body, size_t len)
{
	struct fw_error err = {{0}, {0}};
	int64_t t = -7;
	int r;

	r = fw_json_schedule_parse(body, len, &t, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (t != -7)
			abort();
	}
}

static int same_tiers(const struct fw_tier *a, const struct fw_tier *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].lead != b[i].lead)
			return 0;
	return 1;
}

static void fuzz_tiers(const char *body, size_t len)
{
	struct fw_tier t[FW_MAX_TIERS], before[FW_MAX_TIERS], u[FW_MAX_TIERS];
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	size_t n = 999, m = 0;
	int r;

	memset(t, 0x5a, sizeof(t));
	memcpy(before, t, sizeof(t));
	r = fw_json_tiers_parse(body, len, t, &n, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (n != 999 || memcmp(t, before, sizeof(t)) != 0)
			abort();
		return;
	}
	if (n == 0 || n > FW_MAX_TIERS)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (fw_tier_validate(&t[i], NULL) < 0)
			abort();
		for (size_t k = 0; k < i; k++)
			if (strcmp(t[k].name, t[i].name) == 0)
				abort();
	}
	fw_buf_init(&b, 0);
	if (fw_json_tiers_write(t, n, &b) < 0 || fw_json_tiers_parse(b.data, b.len, u, &m, &err) < 0 ||
	    m != n || !same_tiers(t, u, n))
		abort();
	fw_buf_release(&b);
}

static int same_rules(const struct fw_rule *a, const struct fw_rule *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].id, b[i].id) != 0 || strcmp(a[i].description, b[i].description) != 0 ||
		    a[i].ncountries != b[i].ncountries || a[i].max_lead != b[i].max_lead ||
		    a[i].parts != b[i].parts)
			return 0;
		for (size_t k = 0; k < a[i].ncountries; k++)
			if (memcmp(a[i].countries[k], b[i].countries[k], 3) != 0)
				return 0;
	}
	return 1;
}

static void fuzz_rules(const char *body, size_t len)
{
	struct fw_rule *rules = NULL, *again = NULL;
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	size_t n = 999, m = 0;
	int r;

	r = fw_json_rules_parse(body, len, &rules, &n, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (rules || n != 999)
			abort();
		return;
	}
	if (!rules || n > FW_MAX_RULES)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (fw_rule_validate(&rules[i], NULL) < 0)
			abort();
		for (size_t k = 0; k < i; k++)
			if (strcmp(rules[k].id, rules[i].id) == 0)
				abort();
	}
	fw_buf_init(&b, 0);
	if (fw_json_rules_write(rules, n, &b) < 0 ||
	    fw_json_rules_parse(b.data, b.len, &again, &m, &err) < 0 || m != n ||
	    !same_rules(rules, again, n))
		abort();
	fw_buf_release(&b);
	free(again);
	free(rules);
}

static void fuzz_action(const char *body, size_t len)
{
	struct fw_error err = {{0}, {0}};
	char reason[32];
	int r;

	memset(reason, 'x', sizeof(reason));
	r = fw_json_action_parse(body, len, reason, sizeof(reason), &err);
	if (r < 0)
		check_failure(r, &err);
	else if (memchr(reason, '\0', sizeof(reason)) == NULL)
		abort();
	r = fw_json_action_parse(body, len, NULL, 0, &err);
	if (r < 0)
		check_failure(r, &err);
}

/* A token's expiry: never (0), or after now and at most FW_TOKEN_TTL_MAX ahead. */
static void fuzz_token(const char *body, size_t len)
{
	const int64_t now = INT64_C(1796749200);
	struct fw_error err = {{0}, {0}};
	int64_t at = -7;
	int r;

	r = fw_json_token_parse(body, len, now, &at, &err);
	if (r < 0) {
		check_failure(r, &err);
		if (at != -7)
			abort();
	} else if (at != 0 && (at <= now || at - now > FW_TOKEN_TTL_MAX)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data + 1;

	if (size == 0)
		return 0;
	switch (pick(data[0])) {
	case ADVISORY:
		fuzz_advisory(body, size - 1);
		break;
	case REVISION:
		fuzz_revision(body, size - 1);
		break;
	case SCHEDULE:
		fuzz_schedule(body, size - 1);
		break;
	case TIERS:
		fuzz_tiers(body, size - 1);
		break;
	case RULES:
		fuzz_rules(body, size - 1);
		break;
	case ACTION:
		fuzz_action(body, size - 1);
		break;
	case TOKEN:
		fuzz_token(body, size - 1);
		break;
	case NPARSERS:
		break;
	}
	return 0;
}
