/*
 * The data model: partners, tiers, jurisdiction rules, advisories and their revisions.
 * Plain data and validation only; no I/O. See docs/api.md for the JSON shapes.
 */
#ifndef FW_MODEL_H
#define FW_MODEL_H

#include <stdint.h>
#include <stddef.h>
#include "forewarn/err.h"

/* Limits on every operator- or partner-controllable size (documented in docs/api.md). */
#define FW_ID_MAX          64 /* slug ids: [a-z0-9][a-z0-9-]{0,63} */
#define FW_NAME_MAX        200
#define FW_TITLE_MAX       300
#define FW_EMAIL_MAX       254
#define FW_NDA_VERSION_MAX 32
#define FW_TIER_NAME_MAX   32
#define FW_MAX_TIERS       32
#define FW_MAX_RULES       64
#define FW_MAX_COUNTRIES   250
#define FW_MAX_CVES        64
#define FW_CVE_MAX         31
#define FW_MAX_PRODUCTS    300
#define FW_PRODUCT_MAX     160
#define FW_CVSS_MAX        160
#define FW_PART_MAX        (1024 * 1024) /* bytes per part */
#define FW_REV_NOTE_MAX    1000
#define FW_LEAD_MAX_HOURS  8760 /* a year */

enum fw_part { FW_PART_SUMMARY = 0, FW_PART_DETAILS, FW_PART_DETECTION, FW_PART_POC, FW_PART_COUNT };
#define FW_PARTS_ALL ((1u << FW_PART_COUNT) - 1)

/* fw_part_name: "summary", "details", "detection", "poc". fw_part_parse: the inverse, -1 if unknown. */
const char *fw_part_name(enum fw_part p);
int fw_part_parse(const char *s);

enum fw_partner_status { FW_PARTNER_ACTIVE = 0, FW_PARTNER_SUSPENDED, FW_PARTNER_REMOVED };
const char *fw_partner_status_name(enum fw_partner_status s);

struct fw_partner {
	char id[FW_ID_MAX + 1];
	char name[FW_NAME_MAX + 1];
	char country[3]; /* ISO 3166-1 alpha-2, upper case */
	char tier[FW_TIER_NAME_MAX + 1];
	unsigned entitlements; /* bit (1 << enum fw_part) */
	char nda_version[FW_NDA_VERSION_MAX + 1];
	char nda_signed[11]; /* YYYY-MM-DD or "" */
	char contact_email[FW_EMAIL_MAX + 1];
	enum fw_partner_status status;
	int64_t created_at;
	int64_t updated_at;
};

struct fw_tier {
	char name[FW_TIER_NAME_MAX + 1];
	int64_t lead; /* seconds before T; whole hours in the API */
};

/* A jurisdiction rule: partners whose country is listed get at most max_lead and only `parts`. */
struct fw_rule {
	char id[FW_ID_MAX + 1];
	char description[FW_NAME_MAX + 1];
	size_t ncountries;
	char countries[FW_MAX_COUNTRIES][3];
	int64_t max_lead; /* seconds */
	unsigned parts;
};

enum fw_advisory_status {
	FW_ADV_DRAFT = 0, /* no release time yet: nobody sees it */
	FW_ADV_SCHEDULED, /* released to partners at T - lead, public at T */
	FW_ADV_PUBLIC,    /* T has passed (set by the scheduler or "publish now") */
	FW_ADV_WITHDRAWN, /* retracted: nobody sees it any more; terminal */
};
const char *fw_advisory_status_name(enum fw_advisory_status s);

struct fw_advisory {
	char id[FW_ID_MAX + 1];
	char title[FW_TITLE_MAX + 1];
	size_t ncves;
	char cves[FW_MAX_CVES][FW_CVE_MAX + 1];
	size_t nproducts;
	char products[FW_MAX_PRODUCTS][FW_PRODUCT_MAX + 1];
	char cvss_v3[FW_CVSS_MAX + 1]; /* "" when none */
	double cvss_score;             /* computed, valid when cvss_v3[0] */
	char cvss_severity[16];        /* NONE, LOW, MEDIUM, HIGH, CRITICAL */
	enum fw_advisory_status status;
	int64_t public_at; /* T, UTC seconds; 0 for a draft */
	int64_t created_at;
	int64_t updated_at;
	int revision;   /* number of the latest revision, 1-based */
	unsigned parts; /* parts present in the latest revision (bit 1 << enum fw_part) */
};

/* A revision: the parts' texts (heap, NUL-terminated, NULL when the part is absent). */
struct fw_revision {
	char advisory_id[FW_ID_MAX + 1];
	int number;
	int64_t created_at;
	char note[FW_REV_NOTE_MAX + 1]; /* what changed */
	char *parts[FW_PART_COUNT];
	unsigned
	    present; /* metadata listings (fw_store_revision_each), whose parts are NULL: the parts present */
};

/* fw_revision_release: frees the parts; the struct may be reused. Accepts a zeroed struct. */
void fw_revision_release(struct fw_revision *r);
/* fw_revision_parts: bitmask of the parts present: non-NULL and non-empty. */
unsigned fw_revision_parts(const struct fw_revision *r);

/* Validators: 1 if valid. */
int fw_slug_valid(const char *s);
int fw_country_valid(const char *cc); /* assigned ISO 3166-1 alpha-2 code, upper case */
int fw_email_valid(const char *s);
int fw_cve_valid(const char *s);

/* fw_partner_validate: checks every field of p (tier existence is checked by the caller). */
FW_WUR int fw_partner_validate(const struct fw_partner *p, struct fw_error *err);
FW_WUR int fw_tier_validate(const struct fw_tier *t, struct fw_error *err);
FW_WUR int fw_rule_validate(const struct fw_rule *r, struct fw_error *err);
/* fw_rule_matches: 1 if the rule lists the country. */
int fw_rule_matches(const struct fw_rule *r, const char *country);
/* fw_advisory_validate: fields of a, without the CVSS vector or time checks. */
FW_WUR int fw_advisory_validate(const struct fw_advisory *a, struct fw_error *err);
/* fw_revision_validate: at least the summary, each part within FW_PART_MAX and valid UTF-8. */
FW_WUR int fw_revision_validate(const struct fw_revision *r, struct fw_error *err);
/* fw_utf8_valid: 1 if s[0..n) is valid UTF-8 without NUL bytes. */
int fw_utf8_valid(const char *s, size_t n);

/* fw_default_tiers: writes the shipped tiers (vetted 120 h, standard 24 h); returns their count. */
size_t fw_default_tiers(struct fw_tier out[FW_MAX_TIERS]);

#endif
