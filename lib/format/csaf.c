/*
 * CSAF 2.0: renders one partner's copy of an advisory revision (only the parts the policy gave it) and
 * imports CSAF 2.0 documents as advisories. Rendering is deterministic (sorted keys, two-space indentation,
 * scores at a fixed precision, no clock reads), so a copy is byte-identical on every download.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "forewarn/csaf.h"
#include "forewarn/cvss.h"
#include "forewarn/timeutil.h"

#define IMPORT_MAX       (8u * 1024 * 1024)
#define BRANCH_DEPTH_MAX 32
#define PATH_LEN         256
/*
 * Sorted keys: deterministic, and what optional test 6.2.13 asks for. Scores have one decimal and are at most
 * 10.0: three significant digits print them exactly ("9.8", "10.0").
 */
#define DUMP_FLAGS     (JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(3))
#define TLP_URL        "https://www.first.org/tlp/"
#define ENGINE_NAME    "Forewarn"
#define ENGINE_VERSION "0.1.0"
/* CSAF needs at least one product to mark as affected: used when the advisory names none. */
#define NO_PRODUCT "Products named in this advisory"
#define POC_TITLE  "Proof of concept"

static const struct {
	const char *category, *title;
} note_kinds[FW_PART_COUNT] = {
    [FW_PART_SUMMARY] = {"summary", "Summary"},
    [FW_PART_DETAILS] = {"details", "Technical details"},
    [FW_PART_DETECTION] = {"general", "Detection guidance"},
    [FW_PART_POC] = {"details", POC_TITLE},
};

/*
 * Builders: put/push attach v to a parent and return it (borrowed), or NULL after recording FW_ENOMEM.
 * jansson frees v when attaching fails and ignores a NULL parent, so a failed step never leaks and the rest
 * are no-ops.
 */
static json_t *put(int *err, json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, v) != 0) {
		*err = FW_ENOMEM;
		return NULL;
	}
	return v;
}

static json_t *push(int *err, json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) != 0) {
		*err = FW_ENOMEM;
		return NULL;
	}
	return v;
}

static void put_str(int *err, json_t *obj, const char *key, const char *s)
{
	put(err, obj, key, json_string(s));
}

/* product_id: the id of the i-th product (0-based): CSAFPID-0001, ... */
static void product_id(char out[32], size_t i)
{
	snprintf(out, 32, "CSAFPID-%04zu", i + 1);
}

static void put_ids(int *err, json_t *obj, const char *key, size_t n)
{
	json_t *ids = put(err, obj, key, json_array());
	char id[32];

	for (size_t i = 0; i < n; i++) {
		product_id(id, i);
		push(err, ids, json_string(id));
	}
}

static int utf8_ok(const char *s, int required)
{
	return s && (s[0] || !required) && fw_utf8_valid(s, strlen(s));
}

/* held: the copy holds part p: the policy gave it and the revision has a text for it. */
static int held(const struct fw_render_in *in, int p)
{
	const char *t = in->revision->parts[p];

	return (in->parts & (1u << p)) && t && t[0];
}

/* Inputs come from the store and were validated there; this re-check keeps bad data out of a copy. */
static int check_input(const struct fw_render_in *in)
{
	const struct fw_advisory *a = in->advisory;
	int n = in->revision->number;

	if (!utf8_ok(in->publisher_name, 1) || !utf8_ok(in->publisher_namespace, 1))
		return FW_EINVAL;
	if (!in->public_copy && (!in->partner || !fw_slug_valid(in->partner->id)))
		return FW_EINVAL;
	if (!in->history || n < 1 || (size_t)n > in->nhistory)
		return FW_EINVAL;
	for (int i = 0; i < n; i++)
		if (in->history[i].number != i + 1 ||
		    (in->history[i].note && !utf8_ok(in->history[i].note, 0)))
			return FW_EINVAL;
	if (!utf8_ok(a->id, 1) || !utf8_ok(a->title, 1) || a->ncves > FW_MAX_CVES ||
	    a->nproducts > FW_MAX_PRODUCTS)
		return FW_EINVAL;
	/* A CVE or product listed twice would break 6.1.23 or make two products of one. */
	for (size_t i = 0; i < a->ncves; i++) {
		if (!fw_cve_valid(a->cves[i]))
			return FW_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->cves[i], a->cves[j]) == 0)
				return FW_EINVAL;
	}
	for (size_t i = 0; i < a->nproducts; i++) {
		if (!utf8_ok(a->products[i], 1))
			return FW_EINVAL;
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->products[i], a->products[j]) == 0)
				return FW_EINVAL;
	}
	for (int p = 0; p < FW_PART_COUNT; p++)
		if (held(in, p) && !utf8_ok(in->revision->parts[p], 1))
			return FW_EINVAL;
	return 0;
}

static const char *tlp_label(const struct fw_render_in *in)
{
	if (in->public_copy)
		return "WHITE";
	return held(in, FW_PART_POC) ? "RED" : "AMBER";
}

/* The copy names its recipient by id only; a public copy names nobody (the partner list is not public). */
static void distribution_text(const struct fw_render_in *in, char *out, size_t n)
{
	char t[FW_RFC3339_LEN] = "its public release";
	const char *how;

	if (in->advisory->public_at > 0)
		fw_time_format(in->advisory->public_at, t);
	if (in->public_copy) {
		snprintf(out, n, "Public advisory, released %s.", t);
		return;
	}
	how = held(in, FW_PART_POC)
	          ? "TLP:RED: for its named recipients only"
	          : "TLP:AMBER: share it only within your organisation, on a need-to-know basis";
	snprintf(out, n,
	         "Personal copy for partner %s, under embargo until %s: do not disclose it before then. %s.",
	         in->partner->id, t, how);
}

static void build_tracking(int *err, json_t *doc, const struct fw_render_in *in)
{
	const struct fw_revision *rev = in->revision;
	char first[FW_RFC3339_LEN], date[FW_RFC3339_LEN], num[16], summary[32];
	json_t *track, *gen, *engine, *hist, *e;
	int64_t t = 0, cur;

	track = put(err, doc, "tracking", json_object());
	/* Dates never go backwards (6.1.14 sorts the history by date): a clock step back is clamped. */
	for (int i = 0; i < rev->number; i++)
		if (i == 0 || in->history[i].created_at > t)
			t = in->history[i].created_at;
	cur = rev->created_at > t ? rev->created_at : t;
	fw_time_format(cur, date);
	put_str(err, track, "current_release_date", date);
	gen = put(err, track, "generator", json_object());
	engine = put(err, gen, "engine", json_object());
	put_str(err, engine, "name", ENGINE_NAME);
	put_str(err, engine, "version", ENGINE_VERSION);
	put_str(err, track, "id", in->advisory->id);
	fw_time_format(in->history[0].created_at, first);
	put_str(err, track, "initial_release_date", first);
	hist = put(err, track, "revision_history", json_array());
	for (int i = 0; i < rev->number; i++) {
		const struct fw_revision_meta *m = &in->history[i];
		if (i == 0 || m->created_at > t)
			t = m->created_at;
		fw_time_format(t, date);
		snprintf(num, sizeof(num), "%d", m->number);
		if (m->number == 1)
			snprintf(summary, sizeof(summary), "Initial revision");
		else
			snprintf(summary, sizeof(summary), "Revision %d", m->number);
		e = push(err, hist, json_object());
		put_str(err, e, "date", date);
		put_str(err, e, "number", num);
		put_str(err, e, "summary", m->note && m->note[0] ? m->note : summary);
	}
	put_str(err, track, "status", in->public_copy ? "final" : "interim");
	snprintf(num, sizeof(num), "%d", rev->number);
	put_str(err, track, "version", num);
}

static void build_document(int *err, json_t *doc, const struct fw_render_in *in)
{
	json_t *dist, *tlp, *notes, *note, *pub;
	char text[512];
	int any = 0;

	put_str(err, doc, "category", "csaf_security_advisory");
	put_str(err, doc, "csaf_version", "2.0");
	dist = put(err, doc, "distribution", json_object());
	distribution_text(in, text, sizeof(text));
	put_str(err, dist, "text", text);
	tlp = put(err, dist, "tlp", json_object());
	put_str(err, tlp, "label", tlp_label(in));
	put_str(err, tlp, "url", TLP_URL);
	put_str(err, doc, "lang", "en");
	for (int p = 0; p < FW_PART_COUNT; p++)
		any |= held(in, p);
	if (any) {
		notes = put(err, doc, "notes", json_array());
		/* Only the parts this copy holds: a withheld part must not reach the partner in any form. */
		for (int p = 0; p < FW_PART_COUNT; p++) {
			if (!held(in, p))
				continue;
			note = push(err, notes, json_object());
			put_str(err, note, "category", note_kinds[p].category);
			put_str(err, note, "text", in->revision->parts[p]);
			put_str(err, note, "title", note_kinds[p].title);
		}
	}
	pub = put(err, doc, "publisher", json_object());
	put_str(err, pub, "category", "vendor");
	put_str(err, pub, "name", in->publisher_name);
	put_str(err, pub, "namespace", in->publisher_namespace);
	put_str(err, doc, "title", in->advisory->title);
	build_tracking(err, doc, in);
}

static void build_product_tree(int *err, json_t *root, const struct fw_render_in *in)
{
	const struct fw_advisory *a = in->advisory;
	size_t n = a->nproducts ? a->nproducts : 1;
	json_t *tree, *names, *p;
	char id[32];

	tree = put(err, root, "product_tree", json_object());
	names = put(err, tree, "full_product_names", json_array());
	for (size_t i = 0; i < n; i++) {
		product_id(id, i);
		p = push(err, names, json_object());
		put_str(err, p, "name", a->nproducts ? a->products[i] : NO_PRODUCT);
		put_str(err, p, "product_id", id);
	}
}

static void build_score(int *err, json_t *v, const struct fw_cvss3 *cv, const char *vector, size_t nids)
{
	json_t *scores, *s, *c;

	scores = put(err, v, "scores", json_array());
	s = push(err, scores, json_object());
	c = put(err, s, "cvss_v3", json_object());
	put_str(err, c, "version", cv->minor == 0 ? "3.0" : "3.1");
	put_str(err, c, "vectorString", vector);
	put_str(err, c, "attackVector", cv->attack_vector);
	put_str(err, c, "attackComplexity", cv->attack_complexity);
	put_str(err, c, "privilegesRequired", cv->privileges_required);
	put_str(err, c, "userInteraction", cv->user_interaction);
	put_str(err, c, "scope", cv->scope);
	put_str(err, c, "confidentialityImpact", cv->confidentiality_impact);
	put_str(err, c, "integrityImpact", cv->integrity_impact);
	put_str(err, c, "availabilityImpact", cv->availability_impact);
	put(err, c, "baseScore", json_real(cv->base_score));
	put_str(err, c, "baseSeverity", cv->severity);
	put_ids(err, s, "products", nids);
}

static void build_vulnerabilities(int *err, json_t *root, const struct fw_render_in *in,
                                  const struct fw_cvss3 *cv)
{
	const struct fw_advisory *a = in->advisory;
	size_t nids = a->nproducts ? a->nproducts : 1, nv = a->ncves ? a->ncves : 1;
	char t[FW_RFC3339_LEN], fix[96], about[FW_ID_MAX + FW_TITLE_MAX + 64];
	json_t *vulns, *v, *notes, *note, *status, *rems, *rem;

	if (a->public_at > 0) {
		fw_time_format(a->public_at, t);
		snprintf(fix, sizeof(fix), "Fixed in the release of %s.", t);
	} else {
		snprintf(fix, sizeof(fix), "Fixed in the release that makes this advisory public.");
	}
	snprintf(about, sizeof(about), "Addressed by advisory %s: %s", a->id, a->title);
	vulns = put(err, root, "vulnerabilities", json_array());
	for (size_t i = 0; i < nv; i++) {
		v = push(err, vulns, json_object());
		if (a->ncves)
			put_str(err, v, "cve", a->cves[i]);
		else
			put_str(err, v, "title", a->title);
		/* 6.1.27.5 wants notes on each vulnerability: a neutral one, repeating no part text. */
		notes = put(err, v, "notes", json_array());
		note = push(err, notes, json_object());
		put_str(err, note, "category", "description");
		put_str(err, note, "text", about);
		put_str(err, note, "title", "Vulnerability description");
		status = put(err, v, "product_status", json_object());
		put_ids(err, status, "known_affected", nids);
		rems = put(err, v, "remediations", json_array());
		rem = push(err, rems, json_object());
		put_str(err, rem, "category", "vendor_fix");
		put_str(err, rem, "details", fix);
		put_ids(err, rem, "product_ids", nids);
		if (cv)
			build_score(err, v, cv, a->cvss_v3, nids);
	}
}

int fw_csaf_render(const struct fw_render_in *in, struct fw_buf *out)
{
	struct fw_cvss3 cv;
	size_t len0 = out->len;
	json_t *root = NULL;
	char *text = NULL;
	int r, err = 0;

	assert(in && in->advisory && in->revision && out);
	r = check_input(in);
	if (r < 0)
		goto out;
	if (in->advisory->cvss_v3[0]) {
		r = fw_cvss3_parse(in->advisory->cvss_v3, &cv, NULL);
		if (r < 0)
			goto out;
	}
	root = json_object();
	build_document(&err, put(&err, root, "document", json_object()), in);
	build_product_tree(&err, root, in);
	build_vulnerabilities(&err, root, in, in->advisory->cvss_v3[0] ? &cv : NULL);
	if (err < 0) {
		r = err;
		goto out;
	}
	text = json_dumps(root, DUMP_FLAGS);
	if (!text) {
		r = FW_ENOMEM;
		goto out;
	}
	r = fw_buf_puts(out, text);
	if (r == 0)
		r = fw_buf_puts(out, "\n");
out:
	/* Appends all or nothing. */
	if (r < 0 && out->len > len0) {
		out->len = len0;
		out->data[len0] = '\0';
	}
	free(text);
	json_decref(root);
	return r;
}

/* Import: every member's type is checked before use; errors name the JSON path. */
struct import {
	struct fw_advisory *adv;
	struct fw_buf parts[FW_PART_COUNT];
	int have_cvss;
	struct fw_error *err;
};

static int fail(struct import *im, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct import *im, int code, const char *field, const char *fmt, ...)
{
	char msg[sizeof(im->err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fw_error_set(im->err, code, field, "%s", msg);
}

/* pathf: formats a JSON path for an error field; a path too long is cut short (the field keeps 63 bytes
 * anyway). */
static void pathf(char out[PATH_LEN], const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void pathf(char out[PATH_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_LEN, fmt, ap);
	va_end(ap);
}

static void join(char out[PATH_LEN], const char *base, const char *key)
{
	pathf(out, "%s%s%s", base, base[0] ? "." : "", key);
}

static const char *type_word(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	default:
		return "a value of another type";
	}
}

/* get: o[key] of type t into *ret; absent is NULL when optional; a wrong type or a missing required member
 * fails. */
static int get(struct import *im, json_t *o, const char *base, const char *key, json_type t, int required,
               json_t **ret)
{
	json_t *v = json_object_get(o, key);
	char f[PATH_LEN];

	*ret = NULL;
	if (!v && !required)
		return 0;
	if (!v || json_typeof(v) != t) {
		join(f, base, key);
		return fail(im, FW_EINVAL, f, "%s %s", v ? "must be" : "is required and must be",
		            type_word(t));
	}
	*ret = v;
	return 0;
}

/* one_line: UTF-8 (jansson guarantees it, without NUL) of 1..max bytes without control characters. */
static int one_line(struct import *im, const char *field, json_t *s, size_t max)
{
	const char *p = json_string_value(s);
	size_t n = json_string_length(s);

	if (n == 0)
		return fail(im, FW_EINVAL, field, "must not be empty");
	if (n > max)
		return fail(im, FW_EINVAL, field, "is longer than %zu bytes", max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return fail(im, FW_EINVAL, field,
			            "must be one line of text without control characters");
	return 0;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive search and comparison; needle and b are lower case. */
static int contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++) {
		size_t i = 0;
		while (i < n && lower(s[i]) == needle[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static int equal_ci(const char *a, const char *b)
{
	while (*a && lower(*a) == *b) {
		a++;
		b++;
	}
	return !*a && !*b;
}

/* The part a note feeds, or -1: the mapping mirrors render's, so a rendered copy imports back. */
static int classify(const char *category, const char *title, int document_level)
{
	if (strcmp(category, "summary") == 0)
		return document_level ? FW_PART_SUMMARY : -1;
	/* A PoC is never folded into details: partners entitled to details only must not receive it. */
	if (strcmp(category, "details") == 0)
		return title && equal_ci(title, "proof of concept") ? FW_PART_POC : FW_PART_DETAILS;
	if (strcmp(category, "general") == 0 && title && contains_ci(title, "detect"))
		return FW_PART_DETECTION;
	return -1;
}

static int add_text(struct import *im, int part, json_t *text, const char *field)
{
	struct fw_buf *b = &im->parts[part];
	int r = 0;

	if (json_string_length(text) == 0)
		return 0;
	if (b->len)
		r = fw_buf_puts(b, "\n\n");
	if (r == 0)
		r = fw_buf_append(b, json_string_value(text), json_string_length(text));
	if (r == FW_ETOOBIG)
		return fail(im, r, field, "makes the %s part longer than %d bytes", fw_part_name(part),
		            FW_PART_MAX);
	return r;
}

static int read_notes(struct import *im, json_t *parent, const char *base, int document_level)
{
	json_t *notes = NULL, *n = NULL, *cat = NULL, *text = NULL, *title = NULL;
	char np[PATH_LEN], f[PATH_LEN];
	size_t i;
	int r, part;

	r = get(im, parent, base, "notes", JSON_ARRAY, 0, &notes);
	if (r < 0 || !notes)
		return r;
	json_array_foreach(notes, i, n)
	{
		pathf(np, "%s.notes[%zu]", base, i);
		if (!json_is_object(n))
			return fail(im, FW_EINVAL, np, "must be an object");
		r = get(im, n, np, "category", JSON_STRING, 1, &cat);
		if (r == 0)
			r = get(im, n, np, "text", JSON_STRING, 1, &text);
		if (r == 0)
			r = get(im, n, np, "title", JSON_STRING, 0, &title);
		if (r < 0)
			return r;
		part =
		    classify(json_string_value(cat), title ? json_string_value(title) : NULL, document_level);
		if (part < 0)
			continue;
		join(f, np, "text");
		r = add_text(im, part, text, f);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_document(struct import *im, json_t *root)
{
	static const char *const tracking_strings[] = {"id", "status", "version", "initial_release_date",
	                                               "current_release_date"};
	json_t *doc = NULL, *v = NULL, *pub = NULL, *track = NULL;
	int r;

	r = get(im, root, "", "document", JSON_OBJECT, 1, &doc);
	if (r < 0)
		return r;
	r = get(im, doc, "document", "csaf_version", JSON_STRING, 1, &v);
	if (r < 0)
		return r;
	if (strcmp(json_string_value(v), "2.0") != 0)
		return fail(im, FW_EINVAL, "document.csaf_version", "must be \"2.0\", not \"%.40s\"",
		            json_string_value(v));
	r = get(im, doc, "document", "category", JSON_STRING, 1, &v);
	if (r == 0 && json_string_length(v) == 0)
		r = fail(im, FW_EINVAL, "document.category", "must not be empty");
	if (r == 0)
		r = get(im, doc, "document", "publisher", JSON_OBJECT, 1, &pub);
	if (r == 0)
		r = get(im, pub, "document.publisher", "category", JSON_STRING, 1, &v);
	if (r == 0)
		r = get(im, pub, "document.publisher", "name", JSON_STRING, 1, &v);
	if (r == 0)
		r = get(im, pub, "document.publisher", "namespace", JSON_STRING, 1, &v);
	if (r == 0)
		r = get(im, doc, "document", "tracking", JSON_OBJECT, 1, &track);
	for (size_t i = 0; r == 0 && i < sizeof(tracking_strings) / sizeof(tracking_strings[0]); i++)
		r = get(im, track, "document.tracking", tracking_strings[i], JSON_STRING, 1, &v);
	if (r == 0)
		r = get(im, track, "document.tracking", "revision_history", JSON_ARRAY, 1, &v);
	if (r == 0)
		r = get(im, doc, "document", "title", JSON_STRING, 1, &v);
	if (r == 0)
		r = one_line(im, "document.title", v, FW_TITLE_MAX);
	if (r < 0)
		return r;
	memcpy(im->adv->title, json_string_value(v), json_string_length(v) + 1);
	return read_notes(im, doc, "document", 1);
}

static int add_product(struct import *im, json_t *name, const char *field)
{
	struct fw_advisory *a = im->adv;
	int r = one_line(im, field, name, FW_PRODUCT_MAX);

	if (r < 0)
		return r;
	for (size_t i = 0; i < a->nproducts; i++)
		if (strcmp(a->products[i], json_string_value(name)) == 0)
			return 0;
	if (a->nproducts == FW_MAX_PRODUCTS)
		return fail(im, FW_EINVAL, "product_tree", "names more than %d products", FW_MAX_PRODUCTS);
	memcpy(a->products[a->nproducts++], json_string_value(name), json_string_length(name) + 1);
	return 0;
}

static int read_branches(struct import *im, json_t *parent, const char *base, int depth)
{
	json_t *branches = NULL, *b = NULL, *product = NULL, *name = NULL;
	char bp[PATH_LEN], pp[PATH_LEN], f[PATH_LEN];
	size_t i;
	int r;

	r = get(im, parent, base, "branches", JSON_ARRAY, 0, &branches);
	if (r < 0 || !branches)
		return r;
	if (depth >= BRANCH_DEPTH_MAX)
		return fail(im, FW_EINVAL, base, "branches nest deeper than %d levels", BRANCH_DEPTH_MAX);
	json_array_foreach(branches, i, b)
	{
		pathf(bp, "%s.branches[%zu]", base, i);
		if (!json_is_object(b))
			return fail(im, FW_EINVAL, bp, "must be an object");
		r = get(im, b, bp, "product", JSON_OBJECT, 0, &product);
		if (r == 0 && product) {
			join(pp, bp, "product");
			r = get(im, product, pp, "name", JSON_STRING, 1, &name);
			join(f, pp, "name");
			if (r == 0)
				r = add_product(im, name, f);
		}
		if (r == 0)
			r = read_branches(im, b, bp, depth + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_product_tree(struct import *im, json_t *root)
{
	json_t *tree = NULL, *names = NULL, *p = NULL, *name = NULL;
	char pp[PATH_LEN], f[PATH_LEN];
	size_t i;
	int r;

	r = get(im, root, "", "product_tree", JSON_OBJECT, 0, &tree);
	if (r < 0 || !tree)
		return r;
	r = get(im, tree, "product_tree", "full_product_names", JSON_ARRAY, 0, &names);
	if (r < 0)
		return r;
	json_array_foreach(names, i, p)
	{
		pathf(pp, "product_tree.full_product_names[%zu]", i);
		if (!json_is_object(p))
			return fail(im, FW_EINVAL, pp, "must be an object");
		r = get(im, p, pp, "name", JSON_STRING, 1, &name);
		join(f, pp, "name");
		if (r == 0)
			r = add_product(im, name, f);
		if (r < 0)
			return r;
	}
	return read_branches(im, tree, "product_tree", 0);
}

static int add_cve(struct import *im, json_t *cve, const char *field)
{
	struct fw_advisory *a = im->adv;
	const char *s = json_string_value(cve);

	if (json_string_length(cve) > FW_CVE_MAX || !fw_cve_valid(s))
		return fail(im, FW_EINVAL, field, "\"%.40s\" is not a CVE id (CVE-YYYY-NNNN)", s);
	for (size_t i = 0; i < a->ncves; i++)
		if (strcmp(a->cves[i], s) == 0)
			return 0;
	if (a->ncves == FW_MAX_CVES)
		return fail(im, FW_EINVAL, "vulnerabilities", "names more than %d CVE ids", FW_MAX_CVES);
	strcpy(a->cves[a->ncves++], s);
	return 0;
}

static int read_cvss(struct import *im, json_t *vector, const char *field)
{
	struct fw_advisory *a = im->adv;
	struct fw_error perr = {{0}, {0}};
	struct fw_cvss3 cv;
	int r;

	if (json_string_length(vector) > FW_CVSS_MAX)
		return fail(im, FW_EINVAL, field, "is longer than %d bytes", FW_CVSS_MAX);
	r = fw_cvss3_parse(json_string_value(vector), &cv, &perr);
	if (r < 0)
		return fail(im, FW_EINVAL, field, "is not a CVSS v3 vector: %s", perr.message);
	strcpy(a->cvss_v3, json_string_value(vector));
	a->cvss_score = cv.base_score;
	snprintf(a->cvss_severity, sizeof(a->cvss_severity), "%s", cv.severity);
	im->have_cvss = 1;
	return 0;
}

static int read_scores(struct import *im, json_t *v, const char *vp)
{
	json_t *scores = NULL, *s = NULL, *cvss = NULL, *vector = NULL;
	char sp[PATH_LEN], cp[PATH_LEN], f[PATH_LEN];
	size_t i;
	int r;

	r = get(im, v, vp, "scores", JSON_ARRAY, 0, &scores);
	if (r < 0)
		return r;
	json_array_foreach(scores, i, s)
	{
		pathf(sp, "%s.scores[%zu]", vp, i);
		if (!json_is_object(s))
			return fail(im, FW_EINVAL, sp, "must be an object");
		r = get(im, s, sp, "cvss_v3", JSON_OBJECT, 0, &cvss);
		if (r < 0)
			return r;
		if (!cvss)
			continue;
		join(cp, sp, "cvss_v3");
		r = get(im, cvss, cp, "vectorString", JSON_STRING, 1, &vector);
		if (r < 0)
			return r;
		join(f, cp, "vectorString");
		if (!im->have_cvss) {
			r = read_cvss(im, vector, f);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int read_vulnerabilities(struct import *im, json_t *root)
{
	json_t *vulns = NULL, *v = NULL, *cve = NULL;
	char vp[PATH_LEN], f[PATH_LEN];
	size_t i;
	int r;

	r = get(im, root, "", "vulnerabilities", JSON_ARRAY, 0, &vulns);
	if (r < 0)
		return r;
	json_array_foreach(vulns, i, v)
	{
		pathf(vp, "vulnerabilities[%zu]", i);
		if (!json_is_object(v))
			return fail(im, FW_EINVAL, vp, "must be an object");
		r = get(im, v, vp, "cve", JSON_STRING, 0, &cve);
		join(f, vp, "cve");
		if (r == 0 && cve)
			r = add_cve(im, cve, f);
		if (r == 0)
			r = read_notes(im, v, vp, 0);
		if (r == 0)
			r = read_scores(im, v, vp);
		if (r < 0)
			return r;
	}
	return 0;
}

static void import_note(json_t *root, char note[FW_REV_NOTE_MAX + 1])
{
	json_t *id = json_object_get(json_object_get(json_object_get(root, "document"), "tracking"), "id");
	const char *s = json_string_value(id);
	size_t n = json_string_length(id);

	for (size_t i = 0; s && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s = NULL;
	if (s && n > 0 && n <= 200)
		snprintf(note, FW_REV_NOTE_MAX + 1, "Imported from CSAF document %s", s);
	else
		snprintf(note, FW_REV_NOTE_MAX + 1, "Imported from a CSAF document");
}

int fw_csaf_import(const char *json, size_t len, struct fw_advisory *ret_adv, struct fw_revision *ret_rev,
                   struct fw_error *err)
{
	struct import im = {.err = err};
	struct fw_revision rev;
	json_error_t jerr;
	json_t *root = NULL;
	size_t n;
	int r;

	memset(&rev, 0, sizeof(rev));
	for (int p = 0; p < FW_PART_COUNT; p++)
		fw_buf_init(&im.parts[p], FW_PART_MAX);
	if (len > IMPORT_MAX) {
		r = fw_error_set(err, FW_ETOOBIG, "$", "a CSAF document may hold at most %u bytes",
		                 IMPORT_MAX);
		goto out;
	}
	if (!json) {
		r = fw_error_set(err, FW_EINVAL, "$", "no document");
		goto out;
	}
	im.adv = calloc(1, sizeof(*im.adv));
	if (!im.adv) {
		r = FW_ENOMEM;
		goto out;
	}
	/* Duplicate keys are refused: two readers of one document must not see different values. */
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			r = FW_ENOMEM;
		else
			r = fw_error_set(err, FW_EINVAL, "$", "not valid JSON: %.120s (line %d, column %d)",
			                 jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		r = fw_error_set(err, FW_EINVAL, "$", "must be a JSON object");
		goto out;
	}
	r = read_document(&im, root);
	if (r == 0)
		r = read_product_tree(&im, root);
	if (r == 0)
		r = read_vulnerabilities(&im, root);
	if (r < 0)
		goto out;
	/* The summary is required: a document without summary notes is summarised by its title. */
	if (im.parts[FW_PART_SUMMARY].len == 0) {
		r = fw_buf_puts(&im.parts[FW_PART_SUMMARY], im.adv->title);
		if (r < 0)
			goto out;
	}
	for (int p = 0; p < FW_PART_COUNT; p++) {
		if (im.parts[p].len == 0)
			continue;
		r = fw_buf_steal(&im.parts[p], &rev.parts[p], &n);
		if (r < 0)
			goto out;
	}
	im.adv->status = FW_ADV_DRAFT;
	im.adv->revision = 1;
	rev.number = 1;
	import_note(root, rev.note);
	*ret_adv = *im.adv;
	*ret_rev = rev;
	memset(&rev, 0, sizeof(rev));
out:
	fw_revision_release(&rev);
	for (int p = 0; p < FW_PART_COUNT; p++)
		fw_buf_release(&im.parts[p]);
	free(im.adv);
	json_decref(root);
	return r;
}
