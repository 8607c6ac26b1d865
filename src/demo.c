/*
 * The demo scenario for `forewarn init --demo`: ten partners across both tiers and several countries
 * (one under the mandatory-reporting rule, one without PoC entitlement, one suspended) and advisories timed
 * so that, right now, vetted partners see something standard partners do not yet.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "cli.h"

struct demo_partner {
	const char *id, *name, *country, *tier;
	unsigned entitlements;
};

#define ALL    FW_PARTS_ALL
#define NO_POC (FW_PARTS_ALL & ~(1u << FW_PART_POC))

static const struct demo_partner partners[] = {
    {"acme-av", "Acme Antivirus Ltd", "US", "vetted", ALL},
    {"bluewall", "Bluewall Networks GmbH", "DE", "vetted", ALL},
    {"cyberguard", "CyberGuard Security plc", "GB", "standard", ALL},
    {"defendix", "Defendix SA", "FR", "standard", NO_POC},
    {"eastshield", "EastShield Information Technology Co", "CN", "vetted", ALL},
    {"fjord-sec", "Fjord Security AS", "NO", "standard", ALL},
    {"gamma-ids", "Gamma IDS KK", "JP", "vetted", ALL},
    {"helix-labs", "Helix Labs Ltd", "IL", "standard", ALL},
    {"ironveil", "IronVeil Seguranca Ltda", "BR", "standard", ALL},
    {"jadeport", "Jadeport Cyber Pte Ltd", "SG", "vetted", ALL},
};

struct demo_advisory {
	const char *id, *title, *cve, *product, *cvss;
	int64_t t_hours; /* release time relative to now; 0 = draft */
	const char *summary, *details, *detection, *poc;
};

static const struct demo_advisory advisories[] = {
    {"fw-demo-0001", "Remote code execution in Example HTTP Server request parser", "CVE-2026-40001",
     "Example HTTP Server 4.2", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 72,
     "A heap overflow in the chunked-encoding parser of Example HTTP Server lets an unauthenticated remote "
     "attacker execute code as the server user.",
     "The parser trusts the chunk-size line and copies that many bytes into a fixed 8 KiB buffer. Sending a "
     "chunk size of 0x10000 followed by a payload overflows the buffer and overwrites the adjacent handler "
     "table. The overflow allows an unauthenticated remote attacker to execute arbitrary code with the "
     "privileges of the server process, and a failed attempt usually crashes the worker. All versions before "
     "4.2.1 are affected; the issue was reported to the vendor on 2 October 2026 and is fixed in 4.2.1. As a "
     "workaround, administrators should disable chunked request bodies in the configuration. Reproduce "
     "against build 4.2.0 with the PoC below. {{canaries}}",
     "Alert on chunk-size lines larger than 0x2000 sent to port 80 or 443. Snort: alert tcp any any -> any "
     "80 "
     "(msg:\"Example HTTP chunk overflow\"; content:\"Transfer-Encoding: chunked\"; "
     "pcre:\"/^[0-9a-f]{5,}\\r$/m\";)",
     "import socket\n\n"
     "s = socket.create_connection(('{{canary:ipv4}}', 80), timeout={{int:5}})\n"
     "s.send(b'POST /upload HTTP/1.1\\r\\n'\n"
     "{{order}}    b'Host: target.example\\r\\n'\n"
     "{{;}}    b'User-Agent: {{curl/8.5.0|Wget/1.21.4|python-requests/2.31.0|Go-http-client/1.1}}\\r\\n'\n"
     "{{;}}    b'X-Request-Id: {{canary:marker}}\\r\\n'\n"
     "{{;}}    b'Accept: {{*/*|text/html}}\\r\\n'\n"
     "{{;}}    b'Transfer-Encoding: chunked\\r\\n'\n"
     "{{/order}}    b'\\r\\n'\n"
     "    b'10000\\r\\n' + b'{{A|B}}' * 0x10000)\n"},
    {"fw-demo-0002", "Privilege escalation in Example Endpoint Agent update service", "CVE-2026-40002",
     "Example Endpoint Agent 7", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 12,
     "A local user can gain SYSTEM privileges through the update service of Example Endpoint Agent.",
     "The update service loads update packages from a world-writable staging folder and verifies the "
     "signature after extraction, so a local user can swap the extracted DLL between check and use.",
     "Watch for writes to C:\\ProgramData\\ExampleAgent\\staging by non-SYSTEM processes.", NULL},
    {"fw-demo-0003", "Information disclosure in Example Mail Gateway web console", "CVE-2026-40003",
     "Example Mail Gateway 3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 1,
     "A cross-site scripting flaw in the web console of Example Mail Gateway discloses session data.",
     "The quarantine search page reflects the q parameter without encoding.",
     "Look for requests to /console/quarantine?q= containing '<script'.", NULL},
    {"fw-demo-0004", "Denial of service in Example VPN Concentrator IKE handling", "CVE-2026-40004",
     "Example VPN Concentrator 9", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 0,
     "A malformed IKEv2 packet restarts the VPN service of Example VPN Concentrator.",
     "Draft: analysis in progress.", NULL, NULL},
};

static int add_advisory(struct fw_store *s, const struct demo_advisory *d, int64_t now)
{
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_error err = {0};
	int r;

	memset(&a, 0, sizeof(a));
	memset(&rev, 0, sizeof(rev));
	snprintf(a.id, sizeof(a.id), "%s", d->id);
	snprintf(a.title, sizeof(a.title), "%s", d->title);
	snprintf(a.cves[0], sizeof(a.cves[0]), "%s", d->cve);
	a.ncves = 1;
	snprintf(a.products[0], sizeof(a.products[0]), "%s", d->product);
	a.nproducts = 1;
	snprintf(a.cvss_v3, sizeof(a.cvss_v3), "%s", d->cvss);
	/* The texts are static; the revision only borrows them and is never released. */
	rev.parts[FW_PART_SUMMARY] = (char *)d->summary;
	rev.parts[FW_PART_DETAILS] = (char *)d->details;
	rev.parts[FW_PART_DETECTION] = (char *)d->detection;
	rev.parts[FW_PART_POC] = (char *)d->poc;
	snprintf(rev.note, sizeof(rev.note), "Initial revision");
	r = fw_ops_advisory_create(s, "demo", &a, &rev, d->t_hours ? now + d->t_hours * 3600 : 0, now, &err);
	if (r < 0)
		fprintf(stderr, "demo: advisory %s: %s %s\n", d->id, err.field, err.message);
	return r;
}

int demo_seed(struct fw_store *s, const unsigned char key[32], FILE *out)
{
	static const char *const restricted[] = {"CN", "RU"};
	int64_t now = fw_time_now();
	struct fw_error err = {0};
	struct fw_advisory pub;
	struct fw_rule rule;
	int r;

	fw_default_rule(&rule, restricted, 2);
	r = fw_ops_rules_set(s, "demo", &rule, 1, now, &err);
	for (size_t i = 0; r == 0 && i < sizeof(partners) / sizeof(partners[0]); i++) {
		struct fw_partner p;
		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "%s", partners[i].id);
		snprintf(p.name, sizeof(p.name), "%s", partners[i].name);
		snprintf(p.country, sizeof(p.country), "%s", partners[i].country);
		snprintf(p.tier, sizeof(p.tier), "%s", partners[i].tier);
		p.entitlements = partners[i].entitlements;
		snprintf(p.nda_version, sizeof(p.nda_version), "2026-1");
		snprintf(p.nda_signed, sizeof(p.nda_signed), "2026-01-15");
		snprintf(p.contact_email, sizeof(p.contact_email), "psirt@%s.example", partners[i].id);
		r = fw_ops_partner_create(s, "demo", &p, now, &err);
	}
	if (r == 0)
		r = fw_ops_partner_act(s, "demo", "ironveil", FW_PARTNER_SUSPEND, "NDA breach under review",
		                       now, NULL, &err);
	for (size_t i = 0; r == 0 && i < sizeof(advisories) / sizeof(advisories[0]); i++)
		r = add_advisory(s, &advisories[i], now);
	/* The third advisory's fix is out: make it public now. */
	if (r == 0)
		r = fw_ops_advisory_publish(s, "demo", "fw-demo-0003", now, &pub, &err);
	for (size_t i = 0; r == 0 && i < 2; i++) {
		static const char *const who[] = {"acme-av", "cyberguard"};
		char secret[FW_TOKEN_LEN];
		struct fw_token t;
		r = fw_ops_token_issue(s, "demo", key, who[i], now, secret, &t, &err);
		if (r == 0)
			fprintf(out, "Partner token for %-10s (%s): %s\n", who[i],
			        i ? "standard tier, GB" : "vetted tier, US", secret);
		fw_crypto_wipe(secret, sizeof(secret));
	}
	if (r < 0)
		fprintf(stderr, "demo: %s\n", err.message[0] ? err.message : fw_strerror(r));
	return r;
}
