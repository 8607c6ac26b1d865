/*
 * libFuzzer driver for leak tracing: any bytes as the suspect text of fw_ops_trace, against a fixed store in
 * memory (two advisories with every kind of slot, released to four partners; a fifth partner joins later and
 * receives nothing), over every advisory and over one named advisory, twice. The answer must be the same each
 * time and consistent: a known
 * advisory or none, positions within the code, accused and investigated partners among the recipients, once
 * each, ordered by score, with scores, thresholds and bounds that agree with the bands.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/ops.h"
#include "forewarn/tardos.h"
#include "forewarn/template.h"
#include "forewarn/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NRECIPIENTS 4
static const char *const recipients[NRECIPIENTS] = {"acme", "globex", "initech", "umbrella"};
static const char late_partner[] = "latecomer"; /* created after the release: scored never */
static const char *const advisory_ids[2] = {"fz-1", "fz-2"};

/* An advisory with alternatives, canaries, integers and an order block in prose and in a PoC. */
static const char summary1[] =
    "A {{critical|severe}} flaw in the {{request parser|HTTP parser}} of Example Server {{allows|lets}} a "
    "remote "
    "attacker to {{run|execute}} code. In our lab the host {{canary:ipv4}} was {{compromised|taken over}} "
    "and "
    "the attacker logged in as {{canary:user}}, then dropped {{canary:file}} into the web root.\n"
    "{{order}}- {{Apply|Install}} the vendor patch for release 4.2.2.\n"
    "{{;}}- Restrict access to the admin interface with a firewall rule.\n"
    "{{;}}- Rotate credentials stored on {{affected|exposed}} servers.\n{{/order}}";
static const char poc1[] =
    "POST /api/{{upload|import|ingest|submit}}/file HTTP/1.1\n"
    "Host: {{canary:host}}\n"
    "{{order}}User-Agent: {{curl/8.5.0|Wget/1.21.3|python-requests/2.31.0|Go-http-client/1.1}}\n"
    "{{;}}X-Request-Id: {{canary:marker}}\n"
    "{{;}}Accept-Language: {{en-US|en-GB|de-DE|fr-FR}}\n{{/order}}"
    "Content-Type: multipart/form-data; boundary=----FormBoundary{{canary:port}}\n\n"
    "buffer-size-field: {{int:4096}} bytes\nfirst-field-value: {{alpha|bravo|charlie|delta}} done\n"
    "second-field-value: {{north|south|east|west}} done\nthird-field-value: {{apple|pear|plum|fig}} done\n"
    "fourth-field-value: {{iron|zinc|gold|lead}} done\nfifth-field-value: {{oak|elm|ash|yew}} done\n"
    "sixth-field-value: {{red|blue|green|grey}} done\nseventh-field-value: {{one|two|six|ten}} done\n"
    "operator-account: {{canary:user}} end\nupload-file-name: {{canary:file}} end\n"
    "forwarded-for: {{canary:ipv4}} end\nreferer-host: {{canary:host}} end\n";
/* Unmarked prose: the lexicon finds its slots. */
static const char summary2[] =
    "A vulnerability exists in the upload handler of Example CMS versions prior to 5.2.4. The handler does "
    "not "
    "properly validate the file name, which allows an attacker to write files outside of the upload folder. "
    "Additionally, the issue could lead to remote code execution in the default configuration. Users are "
    "advised to upgrade as soon as possible.";

static struct fw_store *store;
static struct fw_data_key *data_key; /* the store keeps its own copy; this one lives as long */
static unsigned char key[FW_KEY_BYTES];

static void teardown(void)
{
	fw_store_free(store);
	store = NULL;
}

static struct fw_partner partner(const char *id, int64_t now)
{
	struct fw_partner p;

	memset(&p, 0, sizeof(p));
	strcpy(p.id, id);
	strcpy(p.name, id);
	strcpy(p.country, "DE");
	strcpy(p.tier, "vetted");
	p.entitlements = FW_PARTS_ALL;
	p.created_at = p.updated_at = now;
	return p;
}

/* The fixed store, built once: tracing only reads it, so no state passes from one input to the next. */
static void setup(void)
{
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_error err;
	int64_t now = 1767225600, next;
	size_t delivered;
	int r;

	memset(key, 0x6b, sizeof(key));
	if (fw_crypto_init() < 0 || fw_store_open("sqlite::memory:", 0, &store, &err) < 0 ||
	    fw_data_key_generate(&data_key) < 0 || fw_store_set_data_key(store, data_key, &err) < 0)
		abort();
	r = fw_ops_tiers_set(store, "fuzz", tiers, fw_default_tiers(tiers), now, &err);
	for (int i = 0; r == 0 && i < NRECIPIENTS; i++) {
		struct fw_partner p = partner(recipients[i], now);
		r = fw_ops_partner_create(store, "fuzz", &p, now, &err);
	}
	for (int i = 0; r == 0 && i < 2; i++) {
		struct fw_advisory a;
		struct fw_revision rev;
		memset(&a, 0, sizeof(a));
		memset(&rev, 0, sizeof(rev));
		strcpy(a.id, advisory_ids[i]);
		strcpy(a.title, i ? "Upload handler path traversal" : "Request parser flaw");
		rev.parts[FW_PART_SUMMARY] = (char *)(i ? summary2 : summary1);
		if (!i)
			rev.parts[FW_PART_POC] = (char *)poc1;
		r = fw_ops_advisory_create(store, "fuzz", &a, &rev, now + 3600, now, &err);
	}
	if (r == 0)
		r = fw_ops_release_due(store, now, &next, &delivered);
	if (r == 0 && delivered != 2 * NRECIPIENTS)
		r = -1;
	if (r == 0) {
		struct fw_partner p = partner(late_partner, now + 60);
		r = fw_ops_partner_create(store, "fuzz", &p, now + 60, &err);
	}
	if (r < 0)
		abort();
	atexit(teardown);
}

static int recipient(const char *id)
{
	for (int i = 0; i < NRECIPIENTS; i++)
		if (strcmp(id, recipients[i]) == 0)
			return i;
	return -1;
}

/* The bands: accused at or above the accuse threshold with a bound of at most 1e-9, investigated between. */
static void check_hits(const struct fw_trace_result *res, const struct fw_trace_hit *h, size_t n, int accused,
                       unsigned *seen)
{
	double eps = accused ? FW_TARDOS_ACCUSE_EPS : FW_TARDOS_INVESTIGATE_EPS;

	for (size_t i = 0; i < n; i++) {
		int k = recipient(h[i].partner_id);
		if (k < 0 || (*seen >> k & 1))
			abort(); /* someone who never received the advisory, or named twice */
		*seen |= 1u << k;
		if (!isfinite(h[i].score) || !(h[i].bound >= 0 && h[i].bound <= 1) || h[i].positions == 0 ||
		    h[i].positions > res->length)
			abort();
		if (h[i].score < h[i].threshold || h[i].bound > eps * (1 + 1e-9))
			abort();
		if (h[i].threshold != (accused ? res->accuse_threshold : res->investigate_threshold))
			abort();
		if (!accused && h[i].score >= res->accuse_threshold)
			abort();
		if (i && h[i].score > h[i - 1].score)
			abort();
	}
}

static void check(const struct fw_trace_result *res, const char *named)
{
	unsigned seen = 0;

	if (!res->advisory_id[0]) { /* no match: nobody is named and nothing was read */
		if (res->naccused || res->ninvestigate || res->positions || res->partners)
			abort();
		return;
	}
	if (strcmp(res->advisory_id, advisory_ids[0]) != 0 && strcmp(res->advisory_id, advisory_ids[1]) != 0)
		abort();
	if (named && strcmp(res->advisory_id, named) != 0)
		abort();
	if (res->revision != 1 || res->positions == 0 || res->positions > res->length || res->partners == 0 ||
	    res->partners > NRECIPIENTS)
		abort();
	if (res->naccused + res->ninvestigate > res->partners)
		abort();
	/* A threshold no score reaches is +inf; a finite one is positive, the accuse band above the other. */
	if (!(res->accuse_threshold > 0) || !(res->investigate_threshold > 0) ||
	    res->accuse_threshold < res->investigate_threshold)
		abort();
	check_hits(res, res->accused, res->naccused, 1, &seen);
	check_hits(res, res->investigate, res->ninvestigate, 0, &seen);
}

static int same(const struct fw_trace_result *a, const struct fw_trace_result *b)
{
	if (strcmp(a->advisory_id, b->advisory_id) != 0 || a->positions != b->positions ||
	    a->naccused != b->naccused || a->ninvestigate != b->ninvestigate)
		return 0;
	for (size_t i = 0; i < a->naccused; i++)
		if (strcmp(a->accused[i].partner_id, b->accused[i].partner_id) != 0 ||
		    a->accused[i].score != b->accused[i].score)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_trace_result all, one, again;
	struct fw_error err;
	const char *text = (const char *)data;

	if (!store)
		setup();
	if (size > FW_TEMPLATE_TEXT_MAX)
		size = FW_TEMPLATE_TEXT_MAX;
	memset(&all, 0, sizeof(all));
	memset(&one, 0, sizeof(one));
	memset(&again, 0, sizeof(again));
	if (fw_ops_trace(store, key, text, size, NULL, &all, &err) != 0)
		abort();
	check(&all, NULL);
	if (fw_ops_trace(store, key, text, size, advisory_ids[0], &one, &err) != 0)
		abort();
	check(&one, advisory_ids[0]);
	/* Deterministic: the same text gives the same answer. */
	if (fw_ops_trace(store, key, text, size, NULL, &again, &err) != 0 || !same(&all, &again))
		abort();
	fw_trace_result_release(&all);
	fw_trace_result_release(&one);
	fw_trace_result_release(&again);
	return 0;
}
