/* The data model's names and validation rules: what a well-formed partner, tier, rule, advisory is. */
#include <stdlib.h>
#include <string.h>
#include "forewarn/model.h"
#include "forewarn/timeutil.h"

static const char *const part_names[FW_PART_COUNT] = {"summary", "details", "detection", "poc"};

const char *fw_part_name(enum fw_part p)
{
	return (unsigned)p < FW_PART_COUNT ? part_names[p] : "?";
}

int fw_part_parse(const char *s)
{
	for (int i = 0; i < FW_PART_COUNT; i++)
		if (strcmp(s, part_names[i]) == 0)
			return i;
	return -1;
}

const char *fw_partner_status_name(enum fw_partner_status s)
{
	switch (s) {
	case FW_PARTNER_ACTIVE:
		return "active";
	case FW_PARTNER_SUSPENDED:
		return "suspended";
	case FW_PARTNER_REMOVED:
		return "removed";
	}
	return "?";
}

const char *fw_advisory_status_name(enum fw_advisory_status s)
{
	switch (s) {
	case FW_ADV_DRAFT:
		return "draft";
	case FW_ADV_SCHEDULED:
		return "scheduled";
	case FW_ADV_PUBLIC:
		return "public";
	case FW_ADV_WITHDRAWN:
		return "withdrawn";
	}
	return "?";
}

void fw_revision_release(struct fw_revision *r)
{
	if (!r)
		return;
	for (int i = 0; i < FW_PART_COUNT; i++) {
		free(r->parts[i]);
		r->parts[i] = NULL;
	}
}

unsigned fw_revision_parts(const struct fw_revision *r)
{
	unsigned m = 0;

	/* An empty text is no part: the copy could not show it, so the policy must not grant it. */
	for (int i = 0; i < FW_PART_COUNT; i++)
		if (r->parts[i] && r->parts[i][0])
			m |= 1u << i;
	return m;
}

int fw_slug_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > FW_ID_MAX)
		return 0;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return s[n - 1] != '-';
}

/* ISO 3166-1 alpha-2 officially assigned codes (249). */
static const char iso3166[] = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL "
                              "BM BN BO BQ BR BS BT BV BW "
                              "BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO "
                              "DZ EC EE EG EH ER ES ET FI "
                              "FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM "
                              "HN HR HT HU ID IE IL IM IN "
                              "IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR "
                              "LS LT LU LV LY MA MC MD ME "
                              "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL "
                              "NO NP NR NU NZ OM PA PE PF "
                              "PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ "
                              "SK SL SM SN SO SR SS ST SV "
                              "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA "
                              "VC VE VG VI VN VU WF WS YE "
                              "YT ZA ZM ZW";

int fw_country_valid(const char *cc)
{
	if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
		return 0;
	for (size_t i = 0; i + 2 < sizeof(iso3166); i += 3)
		if (iso3166[i] == cc[0] && iso3166[i + 1] == cc[1])
			return 1;
	return 0;
}

int fw_email_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n < 3 || n > FW_EMAIL_MAX || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
		    c == '\\')
			return 0;
	}
	return at[1] != '.' && s[n - 1] != '.';
}

int fw_cve_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 13 || n > FW_CVE_MAX || strncmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return 0;
	for (i = 4; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	for (i = 9; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int fw_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p, need, cp;
		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += need + 1;
	}
	return 1;
}

static int text_ok(const char *s, size_t max, int required)
{
	size_t n = strlen(s);

	if (required && n == 0)
		return 0;
	if (n > max || !fw_utf8_valid(s, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0; /* one-line fields: no control characters */
	return 1;
}

int fw_partner_validate(const struct fw_partner *p, struct fw_error *err)
{
	if (!fw_slug_valid(p->id))
		return fw_error_set(
		    err, FW_EINVAL, "id",
		    "must be a slug of 1 to %d characters: a-z, 0-9 and '-', not ending in '-'", FW_ID_MAX);
	if (!text_ok(p->name, FW_NAME_MAX, 1))
		return fw_error_set(err, FW_EINVAL, "name", "must be 1 to %d characters of one-line text",
		                    FW_NAME_MAX);
	if (!fw_country_valid(p->country))
		return fw_error_set(err, FW_EINVAL, "country",
		                    "must be an ISO 3166-1 alpha-2 code in upper case (e.g. \"DE\")");
	if (!fw_slug_valid(p->tier) || strlen(p->tier) > FW_TIER_NAME_MAX)
		return fw_error_set(err, FW_EINVAL, "tier", "must name a tier");
	if (p->entitlements & ~FW_PARTS_ALL)
		return fw_error_set(err, FW_EINVAL, "entitlements",
		                    "may only hold summary, details, detection, poc");
	if (!text_ok(p->nda_version, FW_NDA_VERSION_MAX, 0))
		return fw_error_set(err, FW_EINVAL, "nda_version", "must be at most %d characters",
		                    FW_NDA_VERSION_MAX);
	if (p->nda_signed[0] && !fw_date_valid(p->nda_signed))
		return fw_error_set(err, FW_EINVAL, "nda_signed", "must be a date YYYY-MM-DD");
	if (p->contact_email[0] && !fw_email_valid(p->contact_email))
		return fw_error_set(err, FW_EINVAL, "contact_email", "must be an e-mail address");
	if ((unsigned)p->status > FW_PARTNER_REMOVED)
		return fw_error_set(err, FW_EINVAL, "status", "must be active, suspended or removed");
	return 0;
}

int fw_tier_validate(const struct fw_tier *t, struct fw_error *err)
{
	if (!fw_slug_valid(t->name) || strlen(t->name) > FW_TIER_NAME_MAX)
		return fw_error_set(err, FW_EINVAL, "name",
		                    "a tier name must be a slug of at most %d characters", FW_TIER_NAME_MAX);
	if (t->lead < 0 || t->lead > (int64_t)FW_LEAD_MAX_HOURS * 3600 || t->lead % 3600)
		return fw_error_set(err, FW_EINVAL, "lead_hours",
		                    "must be a whole number of hours from 0 to %d", FW_LEAD_MAX_HOURS);
	return 0;
}

int fw_rule_validate(const struct fw_rule *r, struct fw_error *err)
{
	if (!fw_slug_valid(r->id))
		return fw_error_set(err, FW_EINVAL, "id", "a rule id must be a slug");
	if (!text_ok(r->description, FW_NAME_MAX, 0))
		return fw_error_set(err, FW_EINVAL, "description", "must be at most %d characters",
		                    FW_NAME_MAX);
	if (r->ncountries > FW_MAX_COUNTRIES)
		return fw_error_set(err, FW_EINVAL, "countries", "at most %d countries", FW_MAX_COUNTRIES);
	for (size_t i = 0; i < r->ncountries; i++)
		if (!fw_country_valid(r->countries[i]))
			return fw_error_set(err, FW_EINVAL, "countries",
			                    "\"%.2s\" is not an ISO 3166-1 alpha-2 code", r->countries[i]);
	if (r->max_lead < 0 || r->max_lead > (int64_t)FW_LEAD_MAX_HOURS * 3600 || r->max_lead % 3600)
		return fw_error_set(err, FW_EINVAL, "max_lead_hours",
		                    "must be a whole number of hours from 0 to %d", FW_LEAD_MAX_HOURS);
	if (r->parts & ~FW_PARTS_ALL)
		return fw_error_set(err, FW_EINVAL, "parts",
		                    "may only hold summary, details, detection, poc");
	return 0;
}

int fw_rule_matches(const struct fw_rule *r, const char *country)
{
	for (size_t i = 0; i < r->ncountries; i++)
		if (r->countries[i][0] == country[0] && r->countries[i][1] == country[1])
			return 1;
	return 0;
}

int fw_advisory_validate(const struct fw_advisory *a, struct fw_error *err)
{
	if (!fw_slug_valid(a->id))
		return fw_error_set(err, FW_EINVAL, "id",
		                    "must be a slug (a-z, 0-9, '-') of at most %d characters", FW_ID_MAX);
	if (!text_ok(a->title, FW_TITLE_MAX, 1))
		return fw_error_set(err, FW_EINVAL, "title", "must be 1 to %d characters of one-line text",
		                    FW_TITLE_MAX);
	if (a->ncves > FW_MAX_CVES)
		return fw_error_set(err, FW_EINVAL, "cves", "at most %d CVE ids", FW_MAX_CVES);
	for (size_t i = 0; i < a->ncves; i++) {
		if (!fw_cve_valid(a->cves[i]))
			return fw_error_set(err, FW_EINVAL, "cves",
			                    "\"%.40s\" is not a CVE id (CVE-YYYY-NNNN)", a->cves[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->cves[i], a->cves[j]) == 0)
				return fw_error_set(err, FW_EINVAL, "cves", "%s is listed twice", a->cves[i]);
	}
	if (a->nproducts > FW_MAX_PRODUCTS)
		return fw_error_set(err, FW_EINVAL, "products", "at most %d products", FW_MAX_PRODUCTS);
	for (size_t i = 0; i < a->nproducts; i++) {
		if (!text_ok(a->products[i], FW_PRODUCT_MAX, 1))
			return fw_error_set(err, FW_EINVAL, "products",
			                    "each product must be 1 to %d characters of one-line text",
			                    FW_PRODUCT_MAX);
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->products[i], a->products[j]) == 0)
				return fw_error_set(err, FW_EINVAL, "products", "\"%.60s\" is listed twice",
				                    a->products[i]);
	}
	return 0;
}

int fw_revision_validate(const struct fw_revision *r, struct fw_error *err)
{
	if (!r->parts[FW_PART_SUMMARY] || !r->parts[FW_PART_SUMMARY][0])
		return fw_error_set(err, FW_EINVAL, "parts.summary", "is required");
	for (int i = 0; i < FW_PART_COUNT; i++) {
		char field[32];
		size_t n;
		if (!r->parts[i])
			continue;
		strcpy(field, "parts.");
		strcat(field, part_names[i]);
		n = strlen(r->parts[i]);
		if (n > FW_PART_MAX)
			return fw_error_set(err, FW_ETOOBIG, field, "exceeds %d bytes", FW_PART_MAX);
		if (!fw_utf8_valid(r->parts[i], n))
			return fw_error_set(err, FW_EINVAL, field,
			                    "must be valid UTF-8 text without NUL bytes");
	}
	if (!text_ok(r->note, FW_REV_NOTE_MAX, 0))
		return fw_error_set(err, FW_EINVAL, "note", "must be at most %d characters of one-line text",
		                    FW_REV_NOTE_MAX);
	return 0;
}

size_t fw_default_tiers(struct fw_tier out[FW_MAX_TIERS])
{
	memset(out, 0, sizeof(struct fw_tier) * 2);
	strcpy(out[0].name, "standard");
	out[0].lead = 24 * 3600;
	strcpy(out[1].name, "vetted");
	out[1].lead = 120 * 3600;
	return 2;
}
