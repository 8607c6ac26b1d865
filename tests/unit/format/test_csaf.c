/*
 * Unit tests of lib/format/csaf.c: deterministic rendering, TLP labels, withheld parts absent from the bytes,
 * revision history, the golden copy (FW_UPDATE_GOLDEN=1 rewrites it), import of the OASIS examples
 * (FW_SHARED) and of our own copies, and import's refusals of bad input without crashing or writing its
 * outputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/csaf.h"

#define T_PUBLIC 1796749200 /* 2026-12-08T17:00:00Z */
#define HOUR     3600

/* Texts without characters that JSON escapes, so each part appears verbatim in the rendered bytes. */
static char summary_text[] = "Summary-marker: a heap overflow in the Example Server request parser.";
static char details_text[] = "Details-marker: the chunk size wraps a 32-bit integer before the copy.";
static char detection_text[] = "Detection-marker: alert on chunk-size lines longer than 8 digits.";
static char poc_text[] = "Poc-marker: printf FFFFFFFFF | nc 192.0.2.10 80";
static char *const part_texts[FW_PART_COUNT] = {summary_text, details_text, detection_text, poc_text};

struct sample {
	struct fw_partner partner;
	struct fw_advisory adv;
	struct fw_revision rev;
	struct fw_revision_meta hist[3];
	struct fw_render_in in;
};

/* sample_init: fw-2026-0001 with two CVEs, two products, a CVSS vector, all parts; revision 1 of 1. */
static void sample_init(struct sample *s, unsigned parts)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->partner.id, "acme-labs");
	strcpy(s->partner.name, "ACME Labs Secret Name");
	strcpy(s->partner.country, "DE");
	strcpy(s->partner.tier, "vetted");
	strcpy(s->partner.contact_email, "psirt-contact@acme.example");
	s->partner.entitlements = FW_PARTS_ALL;
	strcpy(s->adv.id, "fw-2026-0001");
	strcpy(s->adv.title, "Heap overflow in the Example Server request parser");
	s->adv.ncves = 2;
	strcpy(s->adv.cves[0], "CVE-2026-10001");
	strcpy(s->adv.cves[1], "CVE-2026-10002");
	s->adv.nproducts = 2;
	strcpy(s->adv.products[0], "Example Server 4.2");
	strcpy(s->adv.products[1], "Example Gateway 1.9");
	strcpy(s->adv.cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	s->adv.status = FW_ADV_SCHEDULED;
	s->adv.public_at = T_PUBLIC;
	s->adv.created_at = T_PUBLIC - 30 * 24 * HOUR;
	s->adv.revision = 1;
	strcpy(s->rev.advisory_id, s->adv.id);
	s->rev.number = 1;
	s->rev.created_at = T_PUBLIC - 10 * 24 * HOUR;
	for (int p = 0; p < FW_PART_COUNT; p++)
		s->rev.parts[p] = part_texts[p];
	s->hist[0] = (struct fw_revision_meta){1, s->rev.created_at, ""};
	s->in = (struct fw_render_in){
	    .publisher_name = "Example Vendor PSIRT",
	    .publisher_namespace = "https://psirt.example.com",
	    .partner = &s->partner,
	    .advisory = &s->adv,
	    .revision = &s->rev,
	    .history = s->hist,
	    .nhistory = 1,
	    .parts = parts,
	    .now = T_PUBLIC - 5 * 24 * HOUR,
	};
}

/* sample_revisions: three revisions; the copy is rendered at revision `at`. */
static void sample_revisions(struct sample *s, int at)
{
	s->adv.revision = 3;
	s->hist[1] =
	    (struct fw_revision_meta){2, s->hist[0].created_at + HOUR, "Corrected the affected versions"};
	s->hist[2] = (struct fw_revision_meta){3, s->hist[0].created_at + 2 * HOUR, NULL};
	s->in.nhistory = 3;
	s->rev.number = at;
	s->rev.created_at = s->hist[at - 1].created_at;
}

static void render_ok(const struct fw_render_in *in, struct fw_buf *out)
{
	fw_buf_init(out, 0);
	assert_int_equal(fw_csaf_render(in, out), 0);
	assert_non_null(out->data);
	assert_true(out->len > 0);
	assert_int_equal(strlen(out->data), out->len);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * test_path: rel under the directory named by env, else under fallback relative to this source file (__FILE__
 * is absolute under CMake, relative to the project root with a plain gcc run there). -1 when neither is
 * available.
 */
static int test_path(char *out, size_t n, const char *env, const char *fallback, const char *rel)
{
	static const char self[] = "tests/unit/format/test_csaf.c";
	const char *dir = getenv(env), *file = __FILE__;
	size_t flen = strlen(file), slen = strlen(self);
	DIR *dp;

	if (dir && dir[0])
		return snprintf(out, n, "%s/%s", dir, rel) < (int)n ? 0 : -1;
	if (flen < slen || strcmp(file + flen - slen, self) != 0)
		return -1;
	if (snprintf(out, n, "%.*s%s", (int)(flen - slen), file, fallback) >= (int)n)
		return -1;
	dp = opendir(out[0] ? out : ".");
	if (!dp)
		return -1;
	closedir(dp);
	return snprintf(out, n, "%.*s%s/%s", (int)(flen - slen), file, fallback, rel) < (int)n ? 0 : -1;
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, f) == (size_t)n) {
			data[n] = '\0';
			*ret_len = (size_t)n;
		} else {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

static void test_render_deterministic(void **state)
{
	struct sample a, b;
	struct fw_buf x, y;

	(void)state;
	sample_init(&a, FW_PARTS_ALL);
	sample_init(&b, FW_PARTS_ALL);
	b.in.now += 12345; /* the clock must not reach the bytes */
	render_ok(&a.in, &x);
	render_ok(&b.in, &y);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.data, y.data, x.len);
	assert_int_equal(x.data[x.len - 1], '\n');
	fw_buf_reset(&y);
	assert_int_equal(fw_csaf_render(&a.in, &y), 0);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.data, y.data, x.len);
	fw_buf_release(&x);
	fw_buf_release(&y);
}

static void expect_label(struct sample *s, const char *label, const char *status)
{
	struct fw_buf out;
	char want[64];

	render_ok(&s->in, &out);
	snprintf(want, sizeof(want), "\"label\": \"%s\"", label);
	assert_non_null(strstr(out.data, want));
	assert_int_equal(count(out.data, "\"label\": "), 1);
	snprintf(want, sizeof(want), "\"status\": \"%s\"", status);
	assert_non_null(strstr(out.data, want));
	assert_non_null(strstr(out.data, "\"url\": \"https://www.first.org/tlp/\""));
	fw_buf_release(&out);
}

static void test_tlp_labels(void **state)
{
	struct sample s;

	(void)state;
	sample_init(&s, 1u << FW_PART_SUMMARY);
	expect_label(&s, "AMBER", "interim");
	sample_init(&s, FW_PARTS_ALL & ~(1u << FW_PART_POC));
	expect_label(&s, "AMBER", "interim");
	sample_init(&s, FW_PARTS_ALL);
	expect_label(&s, "RED", "interim");
	sample_init(&s, (1u << FW_PART_SUMMARY) | (1u << FW_PART_POC));
	expect_label(&s, "RED", "interim");
	/* The policy allows the PoC but the revision has none: the copy holds no PoC, so AMBER. */
	sample_init(&s, FW_PARTS_ALL);
	s.rev.parts[FW_PART_POC] = NULL;
	expect_label(&s, "AMBER", "interim");
	sample_init(&s, FW_PARTS_ALL);
	s.in.public_copy = 1;
	expect_label(&s, "WHITE", "final");
	s.in.partner = NULL; /* a public copy needs no recipient */
	expect_label(&s, "WHITE", "final");
}

static void test_excluded_parts_absent(void **state)
{
	static const char *const note_titles[FW_PART_COUNT] = {
	    "\"Summary\"", "\"Technical details\"", "\"Detection guidance\"", "\"Proof of concept\""};
	struct sample s;
	struct fw_buf out;

	(void)state;
	for (unsigned mask = 0; mask <= FW_PARTS_ALL; mask++) {
		for (int pub = 0; pub <= 1; pub++) {
			sample_init(&s, mask);
			s.in.public_copy = pub;
			render_ok(&s.in, &out);
			for (int p = 0; p < FW_PART_COUNT; p++) {
				int want = (mask >> p) & 1;
				if ((strstr(out.data, part_texts[p]) != NULL) != want ||
				    (strstr(out.data, note_titles[p]) != NULL) != want)
					fail_msg("mask %#x public %d: part %s %s", mask, pub, fw_part_name(p),
					         want ? "missing" : "present although withheld");
			}
			/* An embargoed copy names its recipient by id only; a public one not at all. */
			assert_null(strstr(out.data, s.partner.name));
			assert_null(strstr(out.data, s.partner.contact_email));
			assert_true((strstr(out.data, s.partner.id) != NULL) == !pub);
			fw_buf_release(&out);
		}
	}
	/* Bits beyond the known parts are ignored, never an excuse to add anything. */
	sample_init(&s, (1u << FW_PART_SUMMARY) | 0xf0u);
	render_ok(&s.in, &out);
	for (int p = 1; p < FW_PART_COUNT; p++)
		assert_null(strstr(out.data, part_texts[p]));
	fw_buf_release(&out);
}

static void test_revision_history(void **state)
{
	struct sample s;
	struct fw_buf out;

	(void)state;
	sample_init(&s, FW_PARTS_ALL);
	render_ok(&s.in, &out);
	assert_int_equal(count(out.data, "\"number\": "), 1);
	assert_non_null(strstr(out.data, "\"summary\": \"Initial revision\""));
	assert_non_null(strstr(out.data, "\"version\": \"1\""));
	fw_buf_release(&out);

	sample_init(&s, FW_PARTS_ALL);
	sample_revisions(&s, 3);
	render_ok(&s.in, &out);
	assert_int_equal(count(out.data, "\"number\": "), 3);
	assert_non_null(strstr(out.data, "\"summary\": \"Initial revision\""));
	assert_non_null(strstr(out.data, "\"summary\": \"Corrected the affected versions\""));
	assert_non_null(strstr(out.data, "\"summary\": \"Revision 3\""));
	assert_non_null(strstr(out.data, "\"version\": \"3\""));
	assert_non_null(strstr(out.data, "\"initial_release_date\": \"2026-11-28T17:00:00Z\""));
	assert_non_null(strstr(out.data, "\"current_release_date\": \"2026-11-28T19:00:00Z\""));
	fw_buf_release(&out);

	/* An older revision's copy shows the history up to that revision only. */
	sample_init(&s, FW_PARTS_ALL);
	sample_revisions(&s, 2);
	render_ok(&s.in, &out);
	assert_int_equal(count(out.data, "\"number\": "), 2);
	assert_null(strstr(out.data, "Revision 3"));
	assert_non_null(strstr(out.data, "\"version\": \"2\""));
	fw_buf_release(&out);
}

static void test_render_rejects(void **state)
{
	struct sample s;
	struct fw_buf out;
	static char bad_utf8[] = "Summary \xc3\x28 broken";

	(void)state;
	fw_buf_init(&out, 0);
	assert_int_equal(fw_buf_puts(&out, "keep"), 0);

	sample_init(&s, FW_PARTS_ALL);
	strcpy(s.adv.cvss_v3, "CVSS:3.1/AV:N/AC:L");
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	s.in.partner = NULL; /* an embargoed copy is always somebody's */
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	s.hist[0].number = 2;
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	s.rev.number = 2; /* not in the history */
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	s.rev.parts[FW_PART_SUMMARY] = bad_utf8;
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, 1u << FW_PART_DETAILS); /* invalid text in a withheld part does not matter */
	s.rev.parts[FW_PART_SUMMARY] = bad_utf8;
	s.in.parts = 1u << FW_PART_DETAILS;
	assert_int_equal(fw_csaf_render(&s.in, &out), 0);
	out.len = 4;
	out.data[4] = '\0';
	sample_init(&s, FW_PARTS_ALL);
	strcpy(s.adv.cves[1], "CVE-26-1");
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	strcpy(s.adv.cves[1], s.adv.cves[0]);
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	sample_init(&s, FW_PARTS_ALL);
	strcpy(s.adv.products[1], s.adv.products[0]);
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_EINVAL);
	assert_string_equal(out.data, "keep");
	fw_buf_release(&out);

	/* A bounded buffer too small for the copy: FW_ETOOBIG and nothing appended. */
	fw_buf_init(&out, 100);
	assert_int_equal(fw_buf_puts(&out, "keep"), 0);
	sample_init(&s, FW_PARTS_ALL);
	assert_int_equal(fw_csaf_render(&s.in, &out), FW_ETOOBIG);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "keep");
	fw_buf_release(&out);
}

static void test_render_no_cves_no_products_no_cvss(void **state)
{
	struct sample s;
	struct fw_buf out;

	(void)state;
	sample_init(&s, 1u << FW_PART_SUMMARY);
	s.adv.ncves = 0;
	s.adv.nproducts = 0;
	s.adv.cvss_v3[0] = '\0';
	render_ok(&s.in, &out);
	assert_null(strstr(out.data, "\"cve\""));
	assert_null(strstr(out.data, "\"scores\""));
	assert_int_equal(count(out.data, "\"product_id\": "), 1);
	assert_non_null(strstr(out.data, "\"known_affected\""));
	assert_non_null(strstr(out.data, "\"vendor_fix\""));
	assert_int_equal(count(out.data, "\"title\": \"Heap overflow in the Example Server request parser\""),
	                 2);
	fw_buf_release(&out);
}

/* The golden copy: RED, two revisions, two CVEs and products, a non-ASCII part. */
static void test_golden_copy(void **state)
{
	static char intl[] = "Détails: Überlauf im Parser — 解析器の脆弱性.";
	const char *update = getenv("FW_UPDATE_GOLDEN");
	struct sample s;
	struct fw_buf out;
	char path[4096];
	char *want;
	size_t n = 0;
	FILE *f;

	(void)state;
	if (test_path(path, sizeof(path), "FW_TESTDATA", "tests/data", "csaf/golden-copy.json") < 0) {
		print_message(
		    "skipped: tests/data not found (set FW_TESTDATA to the project's tests/data)\n");
		skip();
		return;
	}
	sample_init(&s, FW_PARTS_ALL);
	s.rev.parts[FW_PART_DETAILS] = intl;
	s.adv.revision = 2;
	s.hist[1] =
	    (struct fw_revision_meta){2, s.hist[0].created_at + 26 * HOUR, "Added detection guidance"};
	s.in.nhistory = 2;
	s.rev.number = 2;
	s.rev.created_at = s.hist[1].created_at;
	render_ok(&s.in, &out);
	if (update && strcmp(update, "1") == 0) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
		assert_int_equal(fclose(f), 0);
		print_message("wrote %s\n", path);
		fw_buf_release(&out);
		return;
	}
	want = read_file(path, &n);
	if (!want)
		fail_msg("cannot read %s (FW_UPDATE_GOLDEN=1 writes it)", path);
	if (n != out.len || memcmp(want, out.data, n) != 0) {
		size_t i = 0;
		while (i < n && i < out.len && want[i] == out.data[i])
			i++;
		print_message("rendered copy differs from %s at byte %zu; FW_UPDATE_GOLDEN=1 rewrites it\n",
		              path, i);
		free(want);
		fw_buf_release(&out);
		fail();
	}
	free(want);
	fw_buf_release(&out);
}

static void test_roundtrip(void **state)
{
	struct sample s;
	struct fw_buf out;
	struct fw_advisory adv;
	struct fw_revision rev;
	struct fw_error err;

	(void)state;
	sample_init(&s, FW_PARTS_ALL);
	render_ok(&s.in, &out);
	assert_int_equal(fw_csaf_import(out.data, out.len, &adv, &rev, &err), 0);
	assert_string_equal(adv.title, s.adv.title);
	assert_int_equal(adv.ncves, 2);
	assert_string_equal(adv.cves[0], s.adv.cves[0]);
	assert_string_equal(adv.cves[1], s.adv.cves[1]);
	assert_int_equal(adv.nproducts, 2);
	assert_string_equal(adv.products[0], s.adv.products[0]);
	assert_string_equal(adv.products[1], s.adv.products[1]);
	assert_string_equal(adv.cvss_v3, s.adv.cvss_v3);
	assert_true(adv.cvss_score > 9.79 && adv.cvss_score < 9.81);
	assert_string_equal(adv.cvss_severity, "CRITICAL");
	assert_int_equal(adv.revision, 1);
	assert_int_equal(rev.number, 1);
	assert_string_equal(rev.note, "Imported from CSAF document fw-2026-0001");
	for (int p = 0; p < FW_PART_COUNT; p++)
		assert_string_equal(rev.parts[p], part_texts[p]);
	fw_revision_release(&rev);
	fw_buf_release(&out);

	/* Without the PoC in the copy, import must not find one (nor fold anything into details). */
	sample_init(&s, (1u << FW_PART_SUMMARY) | (1u << FW_PART_DETAILS));
	render_ok(&s.in, &out);
	assert_int_equal(fw_csaf_import(out.data, out.len, &adv, &rev, &err), 0);
	assert_string_equal(rev.parts[FW_PART_DETAILS], details_text);
	assert_null(rev.parts[FW_PART_DETECTION]);
	assert_null(rev.parts[FW_PART_POC]);
	fw_revision_release(&rev);
	fw_buf_release(&out);
}

struct example {
	const char *file;
	int rc;
	const char *title_or_field; /* the title on success, the error field on failure */
	size_t ncves;
	const char *cves[2];
	size_t nproducts;
	const char *cvss;
	const char *summary_prefix;
};

static const struct example examples[] = {
    {"2022-evd-uc-01-a-001.json",
     0,
     "Example VEX Document Use Case 1 - Affected",
     1,
     {"CVE-2021-44228"},
     1,
     "",
     "Example Company VEX document."},
    {"bsi-2022-0001.json",
     0,
     "CVRF-CSAF-Converter: XML External Entities Vulnerability",
     1,
     {"CVE-2022-27193"},
     6,
     "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C",
     "CVRF-CSAF-Converter: XML External Entities Vulnerability"},
    /* 259 products: within FW_MAX_PRODUCTS (300), imported whole. */
    {"cisco-sa-20180328-smi2.json",
     0,
     "Cisco IOS and IOS XE Software Smart Install Remote Code Execution Vulnerability",
     1,
     {"CVE-2018-0171"},
     259,
     "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
     "A vulnerability in the Smart Install feature of Cisco IOS Software and Cisco IOS"},
    {"rhsa-2021_5186.json",
     0,
     "Red Hat Security Advisory: OpenShift Container Platform 4.6.52 security update",
     2,
     {"CVE-2021-4104", "CVE-2021-4125"},
     4,
     "",
     "Red Hat OpenShift Container Platform release 4.6.52 is now available"},
};

static void check_example(const struct example *e, const char *json, size_t len)
{
	struct fw_advisory adv;
	struct fw_revision rev;
	struct fw_error err;
	int r;

	memset(&err, 0, sizeof(err));
	r = fw_csaf_import(json, len, &adv, &rev, &err);
	if (r != e->rc)
		fail_msg("%s: import returned %d (%s: %s), expected %d", e->file, r, err.field, err.message,
		         e->rc);
	if (r < 0) {
		assert_string_equal(err.field, e->title_or_field);
		assert_non_null(strstr(err.message, "products"));
		return;
	}
	assert_string_equal(adv.title, e->title_or_field);
	assert_int_equal(adv.ncves, e->ncves);
	for (size_t i = 0; i < e->ncves; i++)
		assert_string_equal(adv.cves[i], e->cves[i]);
	assert_int_equal(adv.nproducts, e->nproducts);
	assert_string_equal(adv.cvss_v3, e->cvss);
	assert_non_null(rev.parts[FW_PART_SUMMARY]);
	assert_memory_equal(rev.parts[FW_PART_SUMMARY], e->summary_prefix, strlen(e->summary_prefix));
	assert_null(rev.parts[FW_PART_POC]);
	fw_revision_release(&rev);
}

static void test_import_examples(void **state)
{
	char dir[4096], path[4096 + 512];
	struct dirent *d;
	size_t len, seen = 0;
	DIR *dp;

	(void)state;
	dp =
	    test_path(dir, sizeof(dir), "FW_SHARED", "../shared", "csaf/examples") == 0 ? opendir(dir) : NULL;
	if (!dp) {
		print_message(
		    "skipped: ../shared/csaf/examples not found (set FW_SHARED to the shared folder)\n");
		skip();
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		size_t n = strlen(d->d_name);
		const struct example *e = NULL;
		char *json;
		if (n < 5 || strcmp(d->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		json = read_file(path, &len);
		assert_non_null(json);
		for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
			if (strcmp(examples[i].file, d->d_name) == 0)
				e = &examples[i];
		if (e) {
			check_example(e, json, len);
			seen++;
		} else {
			/* An example unknown to this test: imported or refused, never a crash. */
			struct fw_advisory adv;
			struct fw_revision rev;
			int r = fw_csaf_import(json, len, &adv, &rev, NULL);
			assert_true(r == 0 || r == FW_EINVAL);
			if (r == 0)
				fw_revision_release(&rev);
		}
		free(json);
	}
	closedir(dp);
	assert_int_equal(seen, sizeof(examples) / sizeof(examples[0]));
}

#define PUB "{\"category\": \"vendor\", \"name\": \"V\", \"namespace\": \"https://v.example\"}"
#define TRACK                                                                                                \
	"{\"current_release_date\": \"2024-01-01T00:00:00Z\", \"id\": \"V-1\", \"initial_release_date\": "   \
	"\"2024-01-01T00:00:00Z\", \"revision_history\": [], \"status\": \"final\", \"version\": \"1\"}"

/* mkdoc: a minimal CSAF document; NULL title leaves it out; extras are spliced into document and root. */
static char *mkdoc(const char *version, const char *title, const char *doc_extra, const char *root_extra)
{
	struct fw_buf b;
	char *s;
	size_t n;

	fw_buf_init(&b, 0);
	assert_int_equal(fw_buf_printf(&b,
	                               "{\"document\": {\"category\": \"csaf_base\", \"csaf_version\": %s, "
	                               "\"publisher\": " PUB ", \"tracking\": " TRACK "%s%s%s}%s}",
	                               version, title ? ", \"title\": " : "", title ? title : "", doc_extra,
	                               root_extra),
	                 0);
	assert_int_equal(fw_buf_steal(&b, &s, &n), 0);
	return s;
}

static void expect_reject(const char *json, size_t len, int rc, const char *field)
{
	struct fw_advisory adv, adv0;
	struct fw_revision rev, rev0;
	struct fw_error err;
	int r;

	memset(&adv, 0xab, sizeof(adv));
	memset(&rev, 0xcd, sizeof(rev));
	adv0 = adv;
	rev0 = rev;
	memset(&err, 0, sizeof(err));
	r = fw_csaf_import(json, len, &adv, &rev, &err);
	if (r != rc)
		fail_msg("import returned %d (%s: %s), expected %d for: %.200s", r, err.field, err.message,
		         rc, json);
	if (strncmp(err.field, field, strlen(field)) != 0)
		fail_msg("error field \"%s\" (%s), expected \"%s\" for: %.200s", err.field, err.message,
		         field, json);
	assert_true(err.message[0] != '\0');
	/* Nothing is written on failure. */
	assert_memory_equal(&adv, &adv0, sizeof(adv));
	assert_memory_equal(&rev, &rev0, sizeof(rev));
}

static void reject_text(const char *json, const char *field)
{
	expect_reject(json, strlen(json), FW_EINVAL, field);
}

static void reject(char *json, const char *field)
{
	expect_reject(json, strlen(json), FW_EINVAL, field);
	free(json);
}

static void test_import_minimal(void **state)
{
	struct fw_advisory adv;
	struct fw_revision rev;
	char *json = mkdoc("\"2.0\"", "\"Minimal\"", "", "");

	(void)state;
	assert_int_equal(fw_csaf_import(json, strlen(json), &adv, &rev, NULL), 0);
	assert_string_equal(adv.title, "Minimal");
	assert_int_equal(adv.ncves, 0);
	assert_int_equal(adv.nproducts, 0);
	assert_string_equal(adv.cvss_v3, "");
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "Minimal"); /* the summary falls back to the title */
	assert_null(rev.parts[FW_PART_DETAILS]);
	assert_null(rev.parts[FW_PART_DETECTION]);
	assert_null(rev.parts[FW_PART_POC]);
	fw_revision_release(&rev);
	free(json);

	/* Notes are mapped by category and joined; branches are walked; duplicates are merged. */
	json = mkdoc(
	    "\"2.0\"", "\"Mapped\"",
	    ", \"notes\": [{\"category\": \"summary\", \"text\": \"S1\"}, {\"category\": \"details\", "
	    "\"text\": \"D1\"}, {\"category\": \"general\", \"title\": \"How to DETECT it\", \"text\": "
	    "\"G1\"}, "
	    "{\"category\": \"general\", \"title\": \"Other\", \"text\": \"X\"}, {\"category\": \"summary\", "
	    "\"text\": \"S2\"}]",
	    ", \"product_tree\": {\"full_product_names\": [{\"name\": \"P1\", \"product_id\": \"a\"}], "
	    "\"branches\": [{\"category\": \"vendor\", \"name\": \"V\", \"branches\": [{\"category\": "
	    "\"product_name\", \"name\": \"P\", \"product\": {\"name\": \"P2\", \"product_id\": \"b\"}}, "
	    "{\"category\": \"product_name\", \"name\": \"P\", \"product\": {\"name\": \"P1\", "
	    "\"product_id\": "
	    "\"c\"}}]}]}, \"vulnerabilities\": [{\"cve\": \"CVE-2024-0001\", \"notes\": [{\"category\": "
	    "\"details\", \"text\": \"D2\"}]}, {\"cve\": \"CVE-2024-0001\"}, {\"cve\": \"CVE-2024-12345\", "
	    "\"scores\": [{\"cvss_v3\": {\"vectorString\": "
	    "\"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}}, "
	    "{\"cvss_v3\": {\"vectorString\": \"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L\"}}]}]");
	assert_int_equal(fw_csaf_import(json, strlen(json), &adv, &rev, NULL), 0);
	assert_string_equal(rev.parts[FW_PART_SUMMARY], "S1\n\nS2");
	assert_string_equal(rev.parts[FW_PART_DETAILS], "D1\n\nD2");
	assert_string_equal(rev.parts[FW_PART_DETECTION], "G1");
	assert_null(rev.parts[FW_PART_POC]);
	assert_int_equal(adv.nproducts, 2);
	assert_string_equal(adv.products[0], "P1");
	assert_string_equal(adv.products[1], "P2");
	assert_int_equal(adv.ncves, 2);
	assert_string_equal(adv.cves[1], "CVE-2024-12345");
	assert_string_equal(adv.cvss_v3, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	fw_revision_release(&rev);
	free(json);
}

/* many: n comma-separated JSON objects, each a product (cves == 0) or a vulnerability with a distinct CVE. */
static char *many(int n, int cves)
{
	struct fw_buf b;
	char *s;
	size_t len;

	fw_buf_init(&b, 0);
	for (int i = 0; i < n; i++) {
		if (cves)
			assert_int_equal(
			    fw_buf_printf(&b, "%s{\"cve\": \"CVE-2024-%d\"}", i ? ", " : "", i + 1000), 0);
		else
			assert_int_equal(fw_buf_printf(&b, "%s{\"name\": \"Product %d\"}", i ? ", " : "", i),
			                 0);
	}
	assert_int_equal(fw_buf_steal(&b, &s, &len), 0);
	return s;
}

static void test_import_rejects(void **state)
{
	char title301[310], name201[210], buf[1024], *list, *deep;
	char *big;

	(void)state;
	reject_text("not json", "$");
	reject_text("", "$");
	reject_text("[1, 2]", "$");
	reject_text("\"a string\"", "$");
	reject_text("{\"document\": 1}", "document");
	reject_text("{}", "document");
	reject(mkdoc("\"2.1\"", "\"T\"", "", ""), "document.csaf_version");
	reject(mkdoc("2.0", "\"T\"", "", ""), "document.csaf_version");
	reject(mkdoc("\"2.0\"", NULL, "", ""), "document.title");
	reject(mkdoc("\"2.0\"", "42", "", ""), "document.title");
	reject(mkdoc("\"2.0\"", "\"\"", "", ""), "document.title");
	reject(mkdoc("\"2.0\"", "\"two\\nlines\"", "", ""), "document.title");
	memset(title301, 'x', 301);
	title301[301] = '\0';
	snprintf(buf, sizeof(buf), "\"%s\"", title301);
	reject(mkdoc("\"2.0\"", buf, "", ""), "document.title");
	reject(mkdoc("\"2.0\"", "\"T\", \"notes\": {}", "", ""), "document.notes");
	reject(mkdoc("\"2.0\"", "\"T\", \"notes\": [1]", "", ""), "document.notes[0]");
	reject(mkdoc("\"2.0\"", "\"T\", \"notes\": [{\"category\": \"summary\", \"text\": 5}]", "", ""),
	       "document.notes[0].text");
	reject(mkdoc("\"2.0\"",
	             "\"T\", \"notes\": [{\"category\": \"summary\", \"text\": \"x\", \"title\": []}]", "",
	             ""),
	       "document.notes[0].title");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"vulnerabilities\": {}"), "vulnerabilities");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"vulnerabilities\": [\"x\"]"), "vulnerabilities[0]");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"vulnerabilities\": [{\"cve\": \"CVE-22-1\"}]"),
	       "vulnerabilities[0].cve");
	reject(mkdoc("\"2.0\"", "\"T\"", "",
	             ", \"vulnerabilities\": [{\"cve\": \"CVE-2024-123456789012345678901234567890\"}]"),
	       "vulnerabilities[0].cve");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"vulnerabilities\": [{\"cve\": 2024}]"),
	       "vulnerabilities[0].cve");
	reject(mkdoc("\"2.0\"", "\"T\"", "",
	             ", \"vulnerabilities\": [{\"scores\": [{\"cvss_v3\": {\"vectorString\": "
	             "\"CVSS:3.1/AV:Q\"}}]}]"),
	       "vulnerabilities[0].scores[0].cvss_v3.vectorString");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"vulnerabilities\": [{\"scores\": [{\"cvss_v3\": {}}]}]"),
	       "vulnerabilities[0].scores[0].cvss_v3.vectorString");
	reject(mkdoc("\"2.0\"", "\"T\"", "", ", \"product_tree\": []"), "product_tree");
	reject(mkdoc("\"2.0\"", "\"T\"", "",
	             ", \"product_tree\": {\"branches\": [{\"product\": {\"name\": 1}}]}"),
	       "product_tree.branches[0].product.name");
	memset(name201, 'p', 201);
	name201[201] = '\0';
	snprintf(buf, sizeof(buf), ", \"product_tree\": {\"full_product_names\": [{\"name\": \"%s\"}]}",
	         name201);
	reject(mkdoc("\"2.0\"", "\"T\"", "", buf), "product_tree.full_product_names[0].name");
	/* Missing or mistyped required members of publisher and tracking. */
	reject_text("{\"document\": {\"csaf_version\": \"2.0\", \"category\": \"c\", \"title\": \"T\"}}",
	            "document.publisher");
	reject_text("{\"document\": {\"csaf_version\": \"2.0\", \"category\": \"c\", \"title\": \"T\", "
	            "\"publisher\": " PUB ", \"tracking\": {\"id\": 1}}}",
	            "document.tracking.id");
	/* Duplicate keys are refused. */
	reject(mkdoc("\"2.0\"", "\"T\", \"title\": \"U\"", "", ""), "$");

	/* Limits: 65 products, 65 CVEs, branches 40 deep, JSON nested 100000 deep, more than 8 MiB. */
	list = many(FW_MAX_PRODUCTS + 1, 0);
	big = malloc(strlen(list) + 64);
	assert_non_null(big);
	sprintf(big, ", \"product_tree\": {\"full_product_names\": [%s]}", list);
	reject(mkdoc("\"2.0\"", "\"T\"", "", big), "product_tree");
	free(big);
	free(list);
	list = many(FW_MAX_CVES + 1, 1);
	big = malloc(strlen(list) + 64);
	assert_non_null(big);
	sprintf(big, ", \"vulnerabilities\": [%s]", list);
	reject(mkdoc("\"2.0\"", "\"T\"", "", big), "vulnerabilities");
	free(big);
	free(list);
	big = malloc(40 * 32 + 256);
	assert_non_null(big);
	strcpy(big, ", \"product_tree\": {");
	for (int i = 0; i < 40; i++)
		strcat(big, "\"branches\": [{");
	for (int i = 0; i < 40; i++)
		strcat(big, "}]");
	strcat(big, "}");
	reject(mkdoc("\"2.0\"", "\"T\"", "", big), "product_tree.branches[0]");
	free(big);
	deep = malloc(200001);
	assert_non_null(deep);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	deep[200000] = '\0';
	expect_reject(deep, 200000, FW_EINVAL, "$");
	free(deep);
	big = malloc(8u * 1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, ' ', 8u * 1024 * 1024 + 1);
	expect_reject(big, 8u * 1024 * 1024 + 1, FW_ETOOBIG, "$");
	free(big);
}

/* Every truncation and many single-byte corruptions of a real copy: refused or imported, never a crash. */
static void test_import_mutations(void **state)
{
	static const char subst[] = {'"', '{', '}', '[', ']', '1', 'x', ',', ':', '\\'};
	struct sample s;
	struct fw_buf out;
	struct fw_advisory adv;
	struct fw_revision rev;
	char *copy;
	int r;

	(void)state;
	sample_init(&s, FW_PARTS_ALL);
	render_ok(&s.in, &out);
	copy = malloc(out.len + 1);
	assert_non_null(copy);
	for (size_t n = 0; n + 1 < out.len; n++) {
		memcpy(copy, out.data, n);
		assert_int_equal(fw_csaf_import(copy, n, &adv, &rev, NULL), FW_EINVAL);
	}
	for (size_t i = 0; i < out.len; i += 3) {
		memcpy(copy, out.data, out.len + 1);
		copy[i] = subst[i % sizeof(subst)];
		r = fw_csaf_import(copy, out.len, &adv, &rev, NULL);
		assert_true(r == 0 || r == FW_EINVAL);
		if (r == 0)
			fw_revision_release(&rev);
	}
	free(copy);
	fw_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_deterministic),
	    cmocka_unit_test(test_tlp_labels),
	    cmocka_unit_test(test_excluded_parts_absent),
	    cmocka_unit_test(test_revision_history),
	    cmocka_unit_test(test_render_rejects),
	    cmocka_unit_test(test_render_no_cves_no_products_no_cvss),
	    cmocka_unit_test(test_golden_copy),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_import_examples),
	    cmocka_unit_test(test_import_minimal),
	    cmocka_unit_test(test_import_rejects),
	    cmocka_unit_test(test_import_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
