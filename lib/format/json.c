/*
 * JSON codecs of the HTTP API, on jansson. Parsing is strict: duplicate keys, unknown fields and wrong
 * types are errors that name the field, so a typo in a script never silently does something else.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "forewarn/csaf.h"
#include "forewarn/json.h"
#include "json_impl.h"
#include "forewarn/trace.h"
#include "forewarn/timeutil.h"

#define MAX_BODY_DEPTH 32

int fw_json_load_object(const char *body, size_t len, json_t **ret, struct fw_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (len == 0)
		return fw_error_set(err, FW_EINVAL, "",
		                    "the request body is empty; a JSON object is expected");
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return fw_error_set(err, FW_EINVAL, "", "malformed JSON at line %d, column %d: %s", jerr.line,
		                    jerr.column, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return fw_error_set(err, FW_EINVAL, "", "a JSON object is expected");
	}
	*ret = j;
	return 0;
}

/* Field helpers: each returns 0, or FW_EINVAL naming the field. */
int fw_json_str_check(json_t *v, const char *field, size_t outsz, struct fw_error *err)
{
	if (!json_is_string(v))
		return fw_error_set(err, FW_EINVAL, field, "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fw_error_set(err, FW_EINVAL, field, "must not contain NUL characters");
	if (json_string_length(v) >= outsz)
		return fw_error_set(err, FW_EINVAL, field, "is too long (at most %zu bytes)", outsz - 1);
	return 0;
}

static int get_str(json_t *v, const char *field, char *out, size_t outsz, struct fw_error *err)
{
	int r = fw_json_str_check(v, field, outsz, err);

	if (r == 0)
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return r;
}

static int get_text(json_t *v, const char *field, char **ret, struct fw_error *err)
{
	char *s;
	size_t n;

	if (json_is_null(v)) {
		*ret = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return fw_error_set(err, FW_EINVAL, field, "must be a string or null");
	n = json_string_length(v);
	if (n > FW_PART_MAX)
		return fw_error_set(err, FW_ETOOBIG, field, "exceeds %d bytes", FW_PART_MAX);
	if (strlen(json_string_value(v)) != n)
		return fw_error_set(err, FW_EINVAL, field, "must not contain NUL characters");
	s = malloc(n + 1);
	if (!s)
		return FW_ENOMEM;
	memcpy(s, json_string_value(v), n + 1);
	*ret = s;
	return 0;
}

static int get_hours(json_t *v, const char *field, int64_t *ret, struct fw_error *err)
{
	json_int_t h;

	if (!json_is_integer(v))
		return fw_error_set(err, FW_EINVAL, field, "must be a whole number of hours");
	h = json_integer_value(v);
	if (h < 0 || h > FW_LEAD_MAX_HOURS)
		return fw_error_set(err, FW_EINVAL, field, "must be between 0 and %d hours",
		                    FW_LEAD_MAX_HOURS);
	*ret = (int64_t)h * 3600;
	return 0;
}

static int get_time(json_t *v, const char *field, int64_t *ret, struct fw_error *err)
{
	if (!json_is_string(v) || fw_time_parse(json_string_value(v), ret) < 0)
		return fw_error_set(err, FW_EINVAL, field,
		                    "must be an RFC 3339 date-time such as \"2026-12-08T17:00:00Z\"");
	return 0;
}

static int get_parts(json_t *v, const char *field, unsigned *ret, struct fw_error *err)
{
	unsigned mask = 0;
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return fw_error_set(err, FW_EINVAL, field,
		                    "must be an array of part names (summary, details, detection, poc)");
	json_array_foreach(v, i, e)
	{
		int p = json_is_string(e) ? fw_part_parse(json_string_value(e)) : -1;
		if (p < 0)
			return fw_error_set(err, FW_EINVAL, field,
			                    "item %zu is not a part name (summary, details, detection, poc)",
			                    i);
		if (mask & (1u << p))
			return fw_error_set(err, FW_EINVAL, field, "\"%s\" is listed twice", fw_part_name(p));
		mask |= 1u << p;
	}
	*ret = mask;
	return 0;
}

static int get_strlist(json_t *v, const char *field, size_t max, size_t width, char *base, size_t *ret_n,
                       struct fw_error *err)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v))
		return fw_error_set(err, FW_EINVAL, field, "must be an array of strings");
	if (json_array_size(v) > max)
		return fw_error_set(err, FW_EINVAL, field, "at most %zu items", max);
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e))
			return fw_error_set(err, FW_EINVAL, field, "item %zu must be a string", i);
		if (json_string_length(e) >= width)
			return fw_error_set(err, FW_EINVAL, field, "item %zu is too long (at most %zu bytes)",
			                    i, width - 1);
		memcpy(base + i * width, json_string_value(e), json_string_length(e) + 1);
	}
	*ret_n = json_array_size(v);
	return 0;
}

static int unknown(const char *key, const char *where, struct fw_error *err)
{
	return fw_error_set(err, FW_EINVAL, key, "unknown field in %s", where);
}

int fw_json_partner_parse(const char *body, size_t len, int patch, struct fw_partner *p, struct fw_error *err)
{
	struct fw_partner n;
	const char *key;
	json_t *j, *v;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	if (patch) {
		n = *p;
	} else {
		memset(&n, 0, sizeof(n));
		n.entitlements =
		    (1u << FW_PART_SUMMARY) | (1u << FW_PART_DETAILS) | (1u << FW_PART_DETECTION);
		n.status = FW_PARTNER_ACTIVE;
		static const char *const required[] = {"id", "name", "country", "tier"};
		for (size_t i = 0; i < 4; i++)
			if (!json_object_get(j, required[i])) {
				r = fw_error_set(err, FW_EINVAL, required[i], "is required");
				goto out;
			}
	}
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "id") == 0) {
			char id[FW_ID_MAX + 2];
			r = get_str(v, key, id, sizeof(id), err);
			if (r == 0 && patch && strcmp(id, p->id) != 0)
				r = fw_error_set(err, FW_EINVAL, key, "cannot be changed");
			if (r == 0 && strlen(id) > FW_ID_MAX)
				r = fw_error_set(err, FW_EINVAL, key, "is too long (at most %d bytes)",
				                 FW_ID_MAX);
			if (r == 0)
				memcpy(n.id, id, strlen(id) + 1);
		} else if (strcmp(key, "name") == 0) {
			r = get_str(v, key, n.name, sizeof(n.name), err);
		} else if (strcmp(key, "country") == 0) {
			r = get_str(v, key, n.country, sizeof(n.country), err);
			if (r < 0)
				r = fw_error_set(
				    err, FW_EINVAL, key,
				    "must be an ISO 3166-1 alpha-2 code in upper case (e.g. \"DE\")");
		} else if (strcmp(key, "tier") == 0) {
			r = get_str(v, key, n.tier, sizeof(n.tier), err);
		} else if (strcmp(key, "entitlements") == 0) {
			r = get_parts(v, key, &n.entitlements, err);
		} else if (strcmp(key, "nda_version") == 0) {
			r = get_str(v, key, n.nda_version, sizeof(n.nda_version), err);
		} else if (strcmp(key, "nda_signed") == 0) {
			if (json_is_null(v))
				n.nda_signed[0] = '\0';
			else
				r = get_str(v, key, n.nda_signed, sizeof(n.nda_signed), err);
			if (r < 0)
				r = fw_error_set(err, FW_EINVAL, key, "must be a date YYYY-MM-DD");
		} else if (strcmp(key, "contact_email") == 0) {
			r = get_str(v, key, n.contact_email, sizeof(n.contact_email), err);
		} else if (strcmp(key, "status") == 0) {
			/* Status changes are acts with their own routes and events. */
			if (!patch || !json_is_string(v) ||
			    strcmp(json_string_value(v), fw_partner_status_name(p->status)) != 0)
				r = fw_error_set(
				    err, FW_EINVAL, key,
				    "cannot be set here: use the suspend, reinstate and remove routes");
		} else if (strcmp(key, "created_at") == 0 || strcmp(key, "updated_at") == 0) {
			if (!patch)
				r = unknown(key, "a new partner", err);
		} else {
			r = unknown(key, "a partner", err);
		}
		if (r < 0)
			goto out;
	}
	r = fw_partner_validate(&n, err);
	if (r < 0)
		goto out;
	*p = n;
out:
	json_decref(j);
	return r;
}

static json_t *parts_array(unsigned mask)
{
	json_t *a = json_array();

	for (int i = 0; i < FW_PART_COUNT; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(fw_part_name(i)));
	return a;
}

json_t *fw_json_time_value(int64_t t)
{
	char s[FW_RFC3339_LEN];

	if (t == 0)
		return json_null();
	fw_time_format(t, s);
	return json_string(s);
}

static json_t *time_ms_value(int64_t ms)
{
	char s[FW_RFC3339_LEN];

	fw_time_format_ms(ms, s);
	return json_string(s);
}

int fw_json_dump(json_t *j, struct fw_buf *out)
{
	char *s;
	int r;

	if (!j)
		return FW_ENOMEM;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
	json_decref(j);
	if (!s)
		return FW_ENOMEM;
	r = fw_buf_puts(out, s);
	free(s);
	return r;
}

int fw_json_partner_write(const struct fw_partner *p, struct fw_buf *out)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:o, s:o}", "id", p->id, "name", p->name,
	              "country", p->country, "tier", p->tier, "entitlements", parts_array(p->entitlements),
	              "nda_version", p->nda_version, "nda_signed",
	              p->nda_signed[0] ? json_string(p->nda_signed) : json_null(), "contact_email",
	              p->contact_email, "status", fw_partner_status_name(p->status), "created_at",
	              fw_json_time_value(p->created_at), "updated_at", fw_json_time_value(p->updated_at));
	return fw_json_dump(j, out);
}

static int get_array_of_objects(json_t *j, const char *key, size_t max, json_t **ret, struct fw_error *err)
{
	const char *k;
	json_t *v;

	json_object_foreach(j, k, v)
	{
		if (strcmp(k, key) != 0)
			return unknown(k, "this body", err);
	}
	v = json_object_get(j, key);
	if (!v)
		return fw_error_set(err, FW_EINVAL, key, "is required");
	if (!json_is_array(v))
		return fw_error_set(err, FW_EINVAL, key, "must be an array");
	if (json_array_size(v) > max)
		return fw_error_set(err, FW_EINVAL, key, "at most %zu items", max);
	*ret = v;
	return 0;
}

int fw_json_tiers_parse(const char *body, size_t len, struct fw_tier out[FW_MAX_TIERS], size_t *ret_n,
                        struct fw_error *err)
{
	struct fw_tier t[FW_MAX_TIERS];
	json_t *j, *arr, *e, *v;
	const char *key;
	size_t i;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	r = get_array_of_objects(j, "tiers", FW_MAX_TIERS, &arr, err);
	if (r < 0)
		goto out;
	if (json_array_size(arr) == 0) {
		r = fw_error_set(err, FW_EINVAL, "tiers", "at least one tier is required");
		goto out;
	}
	memset(t, 0, sizeof(t));
	json_array_foreach(arr, i, e)
	{
		char field[64];
		if (!json_is_object(e) || !json_object_get(e, "name") || !json_object_get(e, "lead_hours")) {
			snprintf(field, sizeof(field), "tiers[%zu]", i);
			r = fw_error_set(err, FW_EINVAL, field, "must be an object with name and lead_hours");
			goto out;
		}
		json_object_foreach(e, key, v)
		{
			snprintf(field, sizeof(field), "tiers[%zu].%.20s", i, key);
			if (strcmp(key, "name") == 0)
				r = get_str(v, field, t[i].name, sizeof(t[i].name), err);
			else if (strcmp(key, "lead_hours") == 0)
				r = get_hours(v, field, &t[i].lead, err);
			else
				r = unknown(field, "a tier", err);
			if (r < 0)
				goto out;
		}
		r = fw_tier_validate(&t[i], err);
		if (r < 0) {
			snprintf(field, sizeof(field), "tiers[%zu].%.20s", i, err ? err->field : "");
			if (err)
				snprintf(err->field, sizeof(err->field), "%s", field);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(t[k].name, t[i].name) == 0) {
				snprintf(field, sizeof(field), "tiers[%zu].name", i);
				r = fw_error_set(err, FW_EINVAL, field, "tier \"%s\" is listed twice",
				                 t[i].name);
				goto out;
			}
	}
	memcpy(out, t, sizeof(t[0]) * json_array_size(arr));
	*ret_n = json_array_size(arr);
out:
	json_decref(j);
	return r;
}

int fw_json_tiers_write(const struct fw_tier *t, size_t n, struct fw_buf *out)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I}", "name", t[i].name, "lead_hours",
		                                   (json_int_t)(t[i].lead / 3600)));
	return fw_json_dump(json_pack("{s:o}", "tiers", a), out);
}

int fw_json_rules_parse(const char *body, size_t len, struct fw_rule **ret, size_t *ret_n,
                        struct fw_error *err)
{
	struct fw_rule *rules = NULL;
	json_t *j, *arr, *e, *v;
	const char *key;
	size_t i, n = 0;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	r = get_array_of_objects(j, "rules", FW_MAX_RULES, &arr, err);
	if (r < 0)
		goto out;
	n = json_array_size(arr);
	rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules) {
		r = FW_ENOMEM;
		goto out;
	}
	json_array_foreach(arr, i, e)
	{
		struct fw_rule *ru = &rules[i];
		char field[64];
		if (!json_is_object(e) || !json_object_get(e, "id") || !json_object_get(e, "countries") ||
		    !json_object_get(e, "max_lead_hours") || !json_object_get(e, "parts")) {
			snprintf(field, sizeof(field), "rules[%zu]", i);
			r = fw_error_set(err, FW_EINVAL, field,
			                 "must be an object with id, countries, max_lead_hours and parts");
			goto out;
		}
		json_object_foreach(e, key, v)
		{
			snprintf(field, sizeof(field), "rules[%zu].%.20s", i, key);
			if (strcmp(key, "id") == 0) {
				r = get_str(v, field, ru->id, sizeof(ru->id), err);
			} else if (strcmp(key, "description") == 0) {
				r = get_str(v, field, ru->description, sizeof(ru->description), err);
			} else if (strcmp(key, "countries") == 0) {
				r = get_strlist(v, field, FW_MAX_COUNTRIES, 3, &ru->countries[0][0],
				                &ru->ncountries, err);
				if (r < 0)
					r = fw_error_set(err, FW_EINVAL, field,
					                 "must be an array of ISO 3166-1 alpha-2 codes");
			} else if (strcmp(key, "max_lead_hours") == 0) {
				r = get_hours(v, field, &ru->max_lead, err);
			} else if (strcmp(key, "parts") == 0) {
				r = get_parts(v, field, &ru->parts, err);
			} else {
				r = unknown(field, "a rule", err);
			}
			if (r < 0)
				goto out;
		}
		r = fw_rule_validate(ru, err);
		if (r < 0) {
			if (err) {
				snprintf(field, sizeof(field), "rules[%zu].%.20s", i, err->field);
				snprintf(err->field, sizeof(err->field), "%s", field);
			}
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(rules[k].id, ru->id) == 0) {
				snprintf(field, sizeof(field), "rules[%zu].id", i);
				r = fw_error_set(err, FW_EINVAL, field, "rule \"%s\" is listed twice",
				                 ru->id);
				goto out;
			}
	}
	*ret = rules;
	*ret_n = n;
	rules = NULL;
out:
	free(rules);
	json_decref(j);
	return r;
}

int fw_json_rules_write(const struct fw_rule *r, size_t n, struct fw_buf *out)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array();
		for (size_t k = 0; k < r[i].ncountries; k++)
			json_array_append_new(c, json_stringn(r[i].countries[k], 2));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:I, s:o}", "id", r[i].id, "description",
		                                   r[i].description, "countries", c, "max_lead_hours",
		                                   (json_int_t)(r[i].max_lead / 3600), "parts",
		                                   parts_array(r[i].parts)));
	}
	return fw_json_dump(json_pack("{s:o}", "rules", a), out);
}

static int parse_parts_object(json_t *v, struct fw_revision *rev, struct fw_error *err)
{
	const char *key;
	json_t *e;
	int r;

	if (!json_is_object(v))
		return fw_error_set(err, FW_EINVAL, "parts",
		                    "must be an object with summary, details, detection, poc texts");
	json_object_foreach(v, key, e)
	{
		char field[40];
		int p = fw_part_parse(key);
		snprintf(field, sizeof(field), "parts.%.20s", key);
		if (p < 0)
			return fw_error_set(err, FW_EINVAL, field,
			                    "unknown part (summary, details, detection, poc)");
		r = get_text(e, field, &rev->parts[p], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Metadata fields shared by a new advisory and a new revision; 1 if key was one of them. */
static int meta_field(const char *key, json_t *v, struct fw_advisory *a, int *r, struct fw_error *err)
{
	if (strcmp(key, "title") == 0)
		*r = get_str(v, key, a->title, sizeof(a->title), err);
	else if (strcmp(key, "cves") == 0)
		*r = get_strlist(v, key, FW_MAX_CVES, FW_CVE_MAX + 1, &a->cves[0][0], &a->ncves, err);
	else if (strcmp(key, "products") == 0)
		*r = get_strlist(v, key, FW_MAX_PRODUCTS, FW_PRODUCT_MAX + 1, &a->products[0][0],
		                 &a->nproducts, err);
	else if (strcmp(key, "cvss_v3") == 0)
		*r = json_is_null(v) ? (a->cvss_v3[0] = '\0', 0)
		                     : get_str(v, key, a->cvss_v3, sizeof(a->cvss_v3), err);
	else
		return 0;
	return 1;
}

int fw_json_advisory_parse(const char *body, size_t len, struct fw_advisory *ret_a,
                           struct fw_revision *ret_rev, int64_t *ret_public_at, struct fw_error *err)
{
	struct fw_advisory a;
	struct fw_revision rev;
	int64_t public_at = 0;
	json_t *j, *v, *csaf;
	const char *key;
	int r = 0;

	memset(&a, 0, sizeof(a));
	memset(&rev, 0, sizeof(rev));
	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	csaf = json_object_get(j, "csaf");
	if (csaf) {
		char *text;
		if (!json_is_object(csaf)) {
			r = fw_error_set(err, FW_EINVAL, "csaf",
			                 "must be a CSAF 2.0 document (a JSON object)");
			goto out;
		}
		text = json_dumps(csaf, JSON_COMPACT);
		if (!text) {
			r = FW_ENOMEM;
			goto out;
		}
		r = fw_csaf_import(text, strlen(text), &a, &rev, err);
		free(text);
		if (r < 0) {
			if (err) {
				char field[64];
				snprintf(field, sizeof(field), "csaf.%.58s", err->field);
				snprintf(err->field, sizeof(err->field), "%s", field);
			}
			goto out;
		}
	} else if (!json_object_get(j, "title")) {
		r = fw_error_set(err, FW_EINVAL, "title",
		                 "is required (or give a CSAF document in \"csaf\")");
		goto out;
	} else if (!json_object_get(j, "parts")) {
		r = fw_error_set(err, FW_EINVAL, "parts", "is required, with at least the summary");
		goto out;
	}
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "csaf") == 0)
			continue;
		if (strcmp(key, "id") == 0)
			r = get_str(v, key, a.id, sizeof(a.id), err);
		else if (strcmp(key, "public_at") == 0)
			r = json_is_null(v) ? 0 : get_time(v, key, &public_at, err);
		else if (strcmp(key, "note") == 0)
			r = get_str(v, key, rev.note, sizeof(rev.note), err);
		else if (csaf)
			r = fw_error_set(err, FW_EINVAL, key, "cannot be combined with \"csaf\"");
		else if (strcmp(key, "parts") == 0)
			r = parse_parts_object(v, &rev, err);
		else if (!meta_field(key, v, &a, &r, err))
			r = unknown(key, "a new advisory", err);
		if (r < 0)
			goto out;
	}
	if (a.id[0] && !fw_slug_valid(a.id)) {
		r = fw_error_set(err, FW_EINVAL, "id",
		                 "must be a slug (a-z, 0-9, '-') of at most %d characters", FW_ID_MAX);
		goto out;
	}
	r = fw_revision_validate(&rev, err);
	if (r < 0)
		goto out;
	*ret_a = a;
	*ret_rev = rev;
	memset(&rev, 0, sizeof(rev));
	*ret_public_at = public_at;
out:
	fw_revision_release(&rev);
	json_decref(j);
	return r;
}

int fw_json_revision_parse(const char *body, size_t len, struct fw_advisory *ret_a,
                           struct fw_revision *ret_rev, struct fw_error *err)
{
	struct fw_advisory a = *ret_a;
	struct fw_revision rev;
	json_t *j, *v;
	const char *key;
	int r;

	memset(&rev, 0, sizeof(rev));
	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	if (!json_object_get(j, "parts")) {
		r = fw_error_set(err, FW_EINVAL, "parts", "is required, with at least the summary");
		goto out;
	}
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "parts") == 0)
			r = parse_parts_object(v, &rev, err);
		else if (strcmp(key, "note") == 0)
			r = get_str(v, key, rev.note, sizeof(rev.note), err);
		else if (!meta_field(key, v, &a, &r, err))
			r = unknown(key, "a new revision", err);
		if (r < 0)
			goto out;
	}
	r = fw_revision_validate(&rev, err);
	if (r < 0)
		goto out;
	*ret_a = a;
	*ret_rev = rev;
	memset(&rev, 0, sizeof(rev));
out:
	fw_revision_release(&rev);
	json_decref(j);
	return r;
}

int fw_json_schedule_parse(const char *body, size_t len, int64_t *ret, struct fw_error *err)
{
	const char *key;
	json_t *j, *v;
	int64_t t = 0;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "public_at") == 0)
			r = get_time(v, key, &t, err);
		else
			r = unknown(key, "a schedule", err);
		if (r < 0)
			goto out;
	}
	if (!json_object_get(j, "public_at")) {
		r = fw_error_set(err, FW_EINVAL, "public_at", "is required");
		goto out;
	}
	*ret = t;
out:
	json_decref(j);
	return r;
}

int fw_json_token_parse(const char *body, size_t len, int64_t now, int64_t *ret_expires_at,
                        struct fw_error *err)
{
	static const char bad_duration[] =
	    "must be a duration such as \"30d\", \"12h\", \"90m\" or \"45s\", at most 3650d";
	const char *key;
	json_t *j, *v;
	int64_t at = 0, ttl;
	int r, given = 0;

	if (len == 0) {
		*ret_expires_at = 0;
		return 0;
	}
	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "expires_in") != 0 && strcmp(key, "expires_at") != 0) {
			r = unknown(key, "a token request", err);
			break;
		}
		if (given++) {
			r = fw_error_set(err, FW_EINVAL, key, "give expires_in or expires_at, not both");
			break;
		}
		if (json_is_null(v)) {
			at = 0;
		} else if (key[8] == 'i') {
			if (!json_is_string(v) ||
			    fw_duration_parse(json_string_value(v), FW_TOKEN_TTL_MAX, &ttl) < 0 ||
			    strlen(json_string_value(v)) != json_string_length(v))
				r = fw_error_set(err, FW_EINVAL, key, "%s", bad_duration);
			else
				at = now + ttl;
		} else if ((r = get_time(v, key, &at, err)) == 0) {
			if (at <= now)
				r = fw_error_set(err, FW_EINVAL, key, "must be in the future");
			else if (at - now > FW_TOKEN_TTL_MAX)
				r = fw_error_set(err, FW_EINVAL, key, "must be at most 3650 days ahead");
		}
		if (r < 0)
			break;
	}
	json_decref(j);
	if (r == 0)
		*ret_expires_at = at;
	return r;
}

int fw_json_action_parse(const char *body, size_t len, char *reason, size_t reasonsz, struct fw_error *err)
{
	const char *key;
	json_t *j, *v;
	int r;

	if (reason && reasonsz)
		reason[0] = '\0';
	if (len == 0)
		return 0;
	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (reason && strcmp(key, "reason") == 0)
			r = get_str(v, key, reason, reasonsz, err);
		else
			r = unknown(key, "this action", err);
		if (r < 0)
			break;
	}
	json_decref(j);
	return r;
}

int fw_json_seal_key_parse(const char *body, size_t len, char *ret_b64, size_t b64sz, struct fw_error *err)
{
	char b64[128];
	const char *key;
	json_t *j, *v;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "public_key") == 0)
			r = get_str(v, key, b64, sizeof(b64) < b64sz ? sizeof(b64) : b64sz, err);
		else
			r = unknown(key, "a sealing key", err);
		if (r < 0)
			goto out;
	}
	if (!json_object_get(j, "public_key")) {
		r = fw_error_set(err, FW_EINVAL, "public_key",
		                 "is required: the base64 of a 32-byte X25519 public key");
		goto out;
	}
	memcpy(ret_b64, b64, strlen(b64) + 1);
out:
	json_decref(j);
	return r;
}

static json_t *strlist(const char *base, size_t width, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(base + i * width));
	return a;
}

int fw_json_advisory_write(const struct fw_advisory *a, const struct fw_revision *rev, struct fw_buf *out)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:i, s:o, s:o}", "id", a->id, "title",
	              a->title, "cves", strlist(&a->cves[0][0], FW_CVE_MAX + 1, a->ncves), "products",
	              strlist(&a->products[0][0], FW_PRODUCT_MAX + 1, a->nproducts), "cvss_v3",
	              a->cvss_v3[0] ? json_string(a->cvss_v3) : json_null(), "cvss_score",
	              a->cvss_v3[0] ? json_real(a->cvss_score) : json_null(), "cvss_severity",
	              a->cvss_v3[0] ? json_string(a->cvss_severity) : json_null(), "status",
	              fw_advisory_status_name(a->status), "public_at", fw_json_time_value(a->public_at),
	              "revision", a->revision, "created_at", fw_json_time_value(a->created_at), "updated_at",
	              fw_json_time_value(a->updated_at));
	if (j && rev) {
		json_t *parts = json_object();
		for (int i = 0; i < FW_PART_COUNT; i++)
			if (rev->parts[i])
				json_object_set_new(parts, fw_part_name(i), json_string(rev->parts[i]));
		json_object_set_new(j, "parts", parts);
	}
	return fw_json_dump(j, out);
}

int fw_json_revision_meta_write(const struct fw_revision *r, unsigned parts, struct fw_buf *out)
{
	return fw_json_dump(json_pack("{s:i, s:o, s:s, s:o}", "number", r->number, "created_at",
	                              fw_json_time_value(r->created_at), "note", r->note, "parts",
	                              parts_array(parts)),
	                    out);
}

int fw_json_inbox_item_head(const struct fw_advisory *a, struct fw_buf *out)
{
	size_t start = out->len;
	int r = fw_json_dump(json_pack("{s:s, s:s, s:o, s:i}", "id", a->id, "title", a->title, "cves",
	                               strlist(&a->cves[0][0], FW_CVE_MAX + 1, a->ncves), "revision",
	                               a->revision),
	                     out);

	if (r < 0)
		return r;
	if (out->len < start + 2 || out->data[out->len - 1] != '}')
		return FW_EIO;
	out->data[--out->len] = '\0'; /* open: the tail closes it */
	return 0;
}

/* Written by hand: every value is a fixed ASCII word or an RFC 3339 time, none needs escaping. */
int fw_json_inbox_item_tail(unsigned parts, int is_public, int64_t public_at, struct fw_buf *out)
{
	const char *tlp = is_public ? "WHITE" : (parts & (1u << FW_PART_POC)) ? "RED" : "AMBER";
	char t[FW_RFC3339_LEN];
	int r = fw_buf_puts(out, ",\"parts\":["), first = 1;

	for (int i = 0; r == 0 && i < FW_PART_COUNT; i++)
		if (parts & (1u << i)) {
			r = fw_buf_printf(out, "%s\"%s\"", first ? "" : ",", fw_part_name(i));
			first = 0;
		}
	if (public_at)
		fw_time_format(public_at, t);
	if (r == 0)
		r = fw_buf_printf(out, "],\"tlp\":\"%s\",\"public_at\":%s%s%s,\"status\":\"%s\"}", tlp,
		                  public_at ? "\"" : "", public_at ? t : "null", public_at ? "\"" : "",
		                  is_public ? "public" : "embargoed");
	return r;
}

int fw_json_inbox_item_write(const struct fw_advisory *a, unsigned parts, int is_public, struct fw_buf *out)
{
	int r = fw_json_inbox_item_head(a, out);

	return r < 0 ? r : fw_json_inbox_item_tail(parts, is_public, a->public_at, out);
}

int fw_json_delivery_write(const struct fw_delivery *d, struct fw_buf *out)
{
	return fw_json_dump(json_pack("{s:s, s:i, s:o, s:o, s:o}", "partner", d->partner_id, "revision",
	                              d->revision, "parts", parts_array(d->parts), "due_at",
	                              fw_json_time_value(d->due_at), "delivered_at",
	                              time_ms_value(d->delivered_ms)),
	                    out);
}

int fw_json_download_write(const struct fw_download *d, struct fw_buf *out)
{
	return fw_json_dump(json_pack("{s:s, s:i, s:s, s:o, s:s, s:o}", "partner", d->partner_id, "revision",
	                              d->revision, "what", d->what, "parts", parts_array(d->parts), "address",
	                              d->address, "at", time_ms_value(d->at_ms)),
	                    out);
}

int fw_json_event_write(const struct fw_event *e, struct fw_buf *out)
{
	json_t *detail = json_loads(e->detail, 0, NULL);

	return fw_json_dump(json_pack("{s:I, s:o, s:s, s:s, s:s, s:o}", "seq", (json_int_t)e->seq, "at",
	                              time_ms_value(e->at_ms), "type", e->type, "actor", e->actor, "subject",
	                              e->subject, "detail", detail ? detail : json_object()),
	                    out);
}

int fw_json_token_write(const struct fw_token *t, const char *secret, struct fw_buf *out)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", t->id, "partner", t->partner_id, "created_at",
	              fw_json_time_value(t->created_at), "revoked_at", fw_json_time_value(t->revoked_at),
	              "expires_at", fw_json_time_value(t->expires_at));

	if (j && secret)
		json_object_set_new(j, "token", json_string(secret));
	return fw_json_dump(j, out);
}

int fw_json_error_write(int status, const char *code, const char *field, const char *message,
                        struct fw_buf *out)
{
	json_t *e = json_pack("{s:i, s:s}", "status", status, "code", code);
	const char *text[2] = {field ? field : "", message ? message : ""};
	const char *const name[2] = {"field", "message"};

	/*
	 * Details are cut to fixed buffers by bytes ("%.40s"), which can split a UTF-8 sequence, and jansson
	 * refuses invalid UTF-8: keep the longest valid prefix rather than lose the whole text.
	 */
	for (int i = 0; e && i < 2; i++) {
		size_t n = 0, len = strlen(text[i]);
		while (n < len) {
			unsigned char c = (unsigned char)text[i][n];
			size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (k > len - n || !fw_utf8_valid(text[i] + n, k))
				break;
			n += k;
		}
		if (i == 1 || n)
			json_object_set_new(e, name[i], json_stringn(text[i], n));
	}
	return fw_json_dump(json_pack("{s:o}", "error", e), out);
}

int fw_json_string_write(const char *s, struct fw_buf *out)
{
	static const char hex[] = "0123456789ABCDEF"; /* as jansson writes them */
	size_t n = strlen(s), start = 0;
	int r;

	/* On the download path for every event: escape by hand rather than build a jansson value. */
	if (!fw_utf8_valid(s, n))
		return FW_EINVAL;
	r = fw_buf_puts(out, "\"");
	for (size_t i = 0; r == 0 && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		r = fw_buf_append(out, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (r == 0)
			r = fw_buf_append(out, esc, elen);
	}
	if (r == 0)
		r = fw_buf_append(out, s + start, n - start);
	if (r == 0)
		r = fw_buf_puts(out, "\"");
	return r;
}

/* Text of a cell: strings as they are, arrays joined by ",", null as "-". */
static void cell(json_t *v, char *out, size_t outsz)
{
	size_t i, n = 0;
	json_t *e;

	out[0] = '\0';
	if (!v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)) {
		snprintf(out, outsz, "-");
	} else if (json_is_string(v)) {
		snprintf(out, outsz, "%s", json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(out, outsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		double x = json_real_value(v);
		/* Scores read as 12.3; probabilities such as 8.7e-30 must not read as 0.0. */
		snprintf(out, outsz, x != 0 && fabs(x) < 0.05 ? "%.2g" : "%.1f", x);
	} else if (json_is_boolean(v)) {
		snprintf(out, outsz, "%s", json_is_true(v) ? "yes" : "no");
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			char sub[128];
			cell(e, sub, sizeof(sub));
			n += (size_t)snprintf(out + n, n < outsz ? outsz - n : 0, "%s%s", i ? "," : "", sub);
			if (n >= outsz)
				break;
		}
	} else {
		snprintf(out, outsz, "{...}");
	}
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* Mark a cut cell; back up to a UTF-8 boundary so the marker never splits a character. */
	if (strlen(out) == outsz - 1 && outsz > 4) {
		size_t cut = outsz - 4;
		while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		strcpy(out + cut, "...");
	}
}

static json_t *path_get(json_t *o, const char *path)
{
	char part[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (json_is_array(o)) { /* a decimal index into an array */
			char *end;
			unsigned long k = strtoul(part, &end, 10);
			o = n > 0 && n < 10 && *end == '\0' && part[0] >= '0' && part[0] <= '9'
			        ? json_array_get(o, k)
			        : NULL;
		} else {
			o = json_is_object(o) ? json_object_get(o, part) : NULL;
		}
		path += n + (path[n] == '.');
	}
	return o;
}

int fw_json_table(const char *json, size_t len, const char *key, const char *const *columns,
                  struct fw_buf *out)
{
	size_t ncol = 0, i, c, nrows;
	size_t width[32];
	json_t *j, *rows, *row;
	char text[512];
	int r = 0;

	j = json_loadb(json, len, 0, NULL);
	if (!j)
		return FW_EINVAL;
	rows = key ? json_object_get(j, key) : j;
	if (!rows) {
		json_decref(j);
		return FW_EINVAL;
	}
	if (!json_is_array(rows)) {
		json_t *a = json_array();
		json_array_append(a, rows);
		rows = a;
	} else {
		json_incref(rows);
	}
	while (columns[ncol] && ncol < 32)
		ncol++;
	nrows = json_array_size(rows);
	for (c = 0; c < ncol; c++) {
		width[c] = strlen(columns[c]);
		json_array_foreach(rows, i, row)
		{
			cell(path_get(row, columns[c]), text, 100);
			if (strlen(text) > width[c])
				width[c] = strlen(text);
		}
	}
	for (c = 0; c < ncol && r == 0; c++) {
		char head[64];
		size_t k;
		for (k = 0; columns[c][k] && k < sizeof(head) - 1; k++)
			head[k] = (char)(columns[c][k] >= 'a' && columns[c][k] <= 'z' ? columns[c][k] - 32
			                                                              : columns[c][k]);
		head[k] = '\0';
		r = c + 1 < ncol ? fw_buf_printf(out, "%-*s  ", (int)width[c], head)
		                 : fw_buf_printf(out, "%s\n", head);
	}
	json_array_foreach(rows, i, row)
	{
		for (c = 0; c < ncol && r == 0; c++) {
			cell(path_get(row, columns[c]), text, 100);
			r = c + 1 < ncol ? fw_buf_printf(out, "%-*s  ", (int)width[c], text)
			                 : fw_buf_printf(out, "%s\n", text);
		}
	}
	if (r == 0 && nrows == 0)
		r = fw_buf_puts(out, "(none)\n");
	json_decref(rows);
	json_decref(j);
	return r;
}

int fw_json_get_string(const char *json, size_t len, const char *key, char *out, size_t outsz)
{
	json_t *j = json_loadb(json, len, 0, NULL), *v;
	int r = FW_ENOENT;

	v = j ? json_object_get(j, key) : NULL;
	if (json_is_string(v) && json_string_length(v) < outsz) {
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
		r = 0;
	}
	json_decref(j);
	return r;
}

/* Helpers of the command-line client (src/cli_*.c), which must not include jansson. */

int fw_json_get_text(const char *json, size_t len, const char *path, struct fw_buf *out)
{
	json_t *j = json_loadb(json, len, 0, NULL), *v;
	char text[4096];
	int r = FW_ENOENT;

	v = j ? path_get(j, path) : NULL;
	if (json_is_string(v)) {
		r = fw_buf_append(out, json_string_value(v), json_string_length(v));
	} else if (v && !json_is_null(v)) {
		cell(v, text, sizeof(text));
		r = fw_buf_puts(out, text);
	}
	json_decref(j);
	return r;
}

int fw_json_fields(const char *json, size_t len, const char *const *fields, struct fw_buf *out)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	size_t width = 0, i;
	char text[4096];
	int r = 0;

	if (!json_is_object(j)) {
		json_decref(j);
		return FW_EINVAL;
	}
	for (i = 0; fields[i]; i++)
		if (strlen(fields[i]) > width)
			width = strlen(fields[i]);
	for (i = 0; fields[i] && r == 0; i++) {
		cell(path_get(j, fields[i]), text, sizeof(text));
		r = fw_buf_printf(out, "%s:%*s %s\n", fields[i], (int)(width - strlen(fields[i])), "",
		                  text[0] ? text : "-");
	}
	json_decref(j);
	return r;
}

int fw_json_check_object(const char *text, size_t len, struct fw_error *err)
{
	json_t *j;
	int r = fw_json_load_object(text, len, &j, err);

	if (r == 0)
		json_decref(j);
	return r;
}

int fw_json_each_text(const char *json, size_t len, const char *path, const char *field, fw_json_text_cb cb,
                      void *ctx)
{
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL), *a, *e, *v;
	char num[32];
	size_t i;
	int r = 0;

	if (!json_is_object(j)) {
		json_decref(j);
		return FW_EINVAL;
	}
	a = path_get(j, path);
	if (!json_is_array(a)) {
		json_decref(j);
		return FW_ENOENT;
	}
	json_array_foreach(a, i, e)
	{
		v = field ? (json_is_object(e) ? json_object_get(e, field) : NULL) : e;
		if (json_is_string(v)) {
			r = cb(ctx, i, json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			r = cb(ctx, i, num, strlen(num));
		} else {
			r = FW_EINVAL;
		}
		if (r != 0)
			break;
	}
	json_decref(j);
	return r;
}

/* One leaked text of a trace: {"text", "advisory"?} at the top level or as an element of "leaks". */
static int trace_text(json_t *v, const char *field, char **ret, size_t *ret_len, struct fw_error *err)
{
	size_t n;
	char *t;

	if (!json_is_string(v))
		return fw_error_set(err, FW_EINVAL, field, "must be a string: the suspect text");
	n = json_string_length(v);
	t = malloc(n + 1);
	if (!t)
		return FW_ENOMEM;
	memcpy(t, json_string_value(v), n + 1);
	*ret = t;
	*ret_len = n;
	return 0;
}

static int trace_leak(json_t *o, size_t i, struct fw_trace_request *q, struct fw_error *err)
{
	char field[80];
	const char *key;
	json_t *v;
	int r = 0;

	if (!json_is_object(o))
		return fw_error_set(err, FW_EINVAL, "leaks",
		                    "element %zu must be an object {\"text\", \"advisory\"?}", i);
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, "text") == 0) {
			snprintf(field, sizeof(field), "leaks[%zu].text", i);
			r = trace_text(v, field, &q->text[i], &q->len[i], err);
		} else if (strcmp(key, "advisory") == 0) {
			snprintf(field, sizeof(field), "leaks[%zu].advisory", i);
			r = json_is_null(v) ? 0
			                    : get_str(v, field, q->advisory[i], sizeof(q->advisory[i]), err);
		} else {
			snprintf(field, sizeof(field), "leaks[%zu].%.32s", i, key);
			r = fw_error_set(err, FW_EINVAL, field, "unknown field in a leak");
		}
		if (r < 0)
			return r;
	}
	if (!q->text[i])
		return fw_error_set(err, FW_EINVAL, "leaks", "element %zu has no \"text\"", i);
	return 0;
}

int fw_json_trace_parse(const char *body, size_t len, struct fw_trace_request *ret, struct fw_error *err)
{
	struct fw_trace_request q;
	json_t *j, *v, *leaks = NULL;
	const char *key;
	int r;

	memset(&q, 0, sizeof(q));
	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "text") == 0)
			r = trace_text(v, key, &q.text[0], &q.len[0], err);
		else if (strcmp(key, "advisory") == 0)
			r = json_is_null(v) ? 0 : get_str(v, key, q.advisory[0], sizeof(q.advisory[0]), err);
		else if (strcmp(key, "leaks") == 0)
			leaks = v;
		else
			r = unknown(key, "a trace", err);
		if (r < 0)
			goto out;
	}
	if (leaks && (q.text[0] || q.advisory[0][0])) {
		r = fw_error_set(err, FW_EINVAL, "leaks",
		                 "give either \"text\" (and \"advisory\") or \"leaks\", not both");
		goto out;
	}
	if (leaks) {
		if (!json_is_array(leaks) || json_array_size(leaks) == 0 ||
		    json_array_size(leaks) > FW_TRACE_LEAKS_MAX) {
			r = fw_error_set(err, FW_EINVAL, "leaks", "must be an array of 1 to %d leaked texts",
			                 FW_TRACE_LEAKS_MAX);
			goto out;
		}
		q.n = json_array_size(leaks);
		for (size_t i = 0; r == 0 && i < q.n; i++)
			r = trace_leak(json_array_get(leaks, i), i, &q, err);
		if (r < 0)
			goto out;
	} else if (!q.text[0]) {
		r = fw_error_set(err, FW_EINVAL, "text",
		                 "is required: the suspect text (prose, code or HTTP requests)");
		goto out;
	} else {
		q.n = 1;
	}
	*ret = q;
	memset(&q, 0, sizeof(q));
out:
	fw_trace_request_release(&q);
	json_decref(j);
	return r;
}

void fw_trace_request_release(struct fw_trace_request *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < FW_TRACE_LEAKS_MAX; i++) {
		free(q->text[i]);
		q->text[i] = NULL;
	}
	q->n = 0;
}

static json_t *number_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *hits(const struct fw_trace_hit *h, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:I}", "partner", h[i].partner_id,
		                                   "score", number_or_null(h[i].score), "threshold",
		                                   number_or_null(h[i].threshold), "bound",
		                                   number_or_null(h[i].bound), "positions",
		                                   (json_int_t)h[i].positions));
	return a;
}

int fw_json_trace_write(const struct fw_trace_result *r, struct fw_buf *out)
{
	json_t *leaks = json_array();

	for (size_t i = 0; i < r->nleaks; i++) {
		const struct fw_trace_match *m = &r->leaks[i];

		json_array_append_new(
		    leaks, json_pack("{s:o, s:o, s:I}", "advisory",
		                     m->advisory_id[0] ? json_string(m->advisory_id) : json_null(),
		                     "revision", m->revision ? json_integer(m->revision) : json_null(),
		                     "positions", (json_int_t)m->positions));
	}
	return fw_json_dump(
	    json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "advisory",
	              r->advisory_id[0] ? json_string(r->advisory_id) : json_null(), "revision",
	              r->revision ? json_integer(r->revision) : json_null(), "revisions",
	              (json_int_t)r->revisions, "positions", (json_int_t)r->positions, "length",
	              (json_int_t)r->length, "partners", (json_int_t)r->partners, "accuse_threshold",
	              number_or_null(r->accuse_threshold), "investigate_threshold",
	              number_or_null(r->investigate_threshold), "accused", hits(r->accused, r->naccused),
	              "investigate", hits(r->investigate, r->ninvestigate), "leaks", leaks),
	    out);
}

int fw_json_webhook_parse(const char *body, size_t len, char *url, size_t urlsz, int *ret_content,
                          struct fw_error *err)
{
	const char *key, *u = NULL;
	int content = FW_WEBHOOK_CONTENT_NONE;
	json_t *j, *v;
	int r;

	r = fw_json_load_object(body, len, &j, err);
	if (r < 0)
		return r;
	json_object_foreach(j, key, v)
	{
		if (strcmp(key, "content") == 0) {
			const char *c = json_is_string(v) ? json_string_value(v) : "";
			if (strcmp(c, "sealed") == 0)
				content = FW_WEBHOOK_CONTENT_SEALED;
			else if (strcmp(c, "none") != 0)
				r = fw_error_set(err, FW_EINVAL, key, "must be \"sealed\" or \"none\"");
		} else if (strcmp(key, "url") != 0)
			r = unknown(key, "a webhook", err);
		else if ((r = fw_json_str_check(v, key, urlsz, err)) == 0)
			u = json_string_value(v);
		if (r < 0)
			goto out;
	}
	if (!u) {
		r = fw_error_set(err, FW_EINVAL, "url", "is required");
	} else {
		memcpy(url, u, strlen(u) + 1); /* written only when the whole body is good */
		if (ret_content)
			*ret_content = content;
	}
out:
	json_decref(j);
	return r;
}

int fw_json_webhook_write(const struct fw_webhook *w, const char *secret, struct fw_buf *out)
{
	json_t *j =
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "partner", w->partner_id, "url", w->url, "content",
	              w->content == FW_WEBHOOK_CONTENT_SEALED ? "sealed" : "none", "set_by",
	              w->by_operator ? "operator" : "partner", "created_at",
	              fw_json_time_value(w->created_at), "updated_at", fw_json_time_value(w->updated_at));

	if (j && secret)
		json_object_set_new(j, "secret", json_string(secret));
	return fw_json_dump(j, out);
}

int fw_json_outbox_write(const struct fw_outbox *o, struct fw_buf *out)
{
	static const char *const states[FW_OUTBOX_STATES] = {"pending", "delivered", "failed", "skipped"};

	return fw_json_dump(
	    json_pack("{s:I, s:s, s:s, s:s, s:i, s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:o}", "id",
	              (json_int_t)o->id, "key", o->key, "partner", o->partner_id, "advisory", o->advisory_id,
	              "revision", o->revision, "parts", parts_array(o->parts), "state",
	              (unsigned)o->state < FW_OUTBOX_STATES ? states[o->state] : "unknown", "tries", o->tries,
	              "created_at", time_ms_value(o->created_ms), "next_attempt_at",
	              o->state == FW_OUTBOX_PENDING ? time_ms_value(o->next_ms) : json_null(), "done_at",
	              o->done_ms ? time_ms_value(o->done_ms) : json_null(), "last_status",
	              o->last_status ? json_integer(o->last_status) : json_null(), "last_error",
	              o->last_error[0] ? json_string(o->last_error) : json_null()),
	    out);
}
