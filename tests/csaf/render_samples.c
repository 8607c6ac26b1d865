/*
 * render_samples: writes representative partner copies (every TLP label, with and without CVSS, CVEs,
 * products, several revisions, non-ASCII text) as CSAF files into the directory argv[1], for validate.mjs to
 * check.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/csaf.h"
#include "forewarn/timeutil.h"

#define T_PUBLIC 1796749200 /* 2026-12-08T17:00:00Z */

struct sample {
	struct fw_partner partner;
	struct fw_advisory adv;
	struct fw_revision rev;
	struct fw_revision_meta hist[3];
	struct fw_render_in in;
};

static char summary[] =
    "A heap overflow in the request parser of Example Server lets a remote attacker run code.";
static char details[] =
    "The chunk-size field is read into a 32-bit integer without a bound check; a size above "
    "0x7fffffff wraps and the following memcpy writes past the 4096-byte buffer.";
static char detection[] = "Alert on HTTP requests with a chunk-size line longer than 8 hexadecimal digits.";
static char poc[] =
    "printf 'POST / HTTP/1.1\\r\\nHost: 192.0.2.10\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
    "FFFFFFFFF\\r\\n' | nc 192.0.2.10 80";
static char summary_intl[] = "Überlauf im Parser: une requête forgée déclenche l'exécution de code — "
                             "リモートの攻撃者が"
                             "コードを実行できます。 Ελληνικά, emoji 🔒.";

static void sample_init(struct sample *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->partner.id, "acme-labs");
	strcpy(s->partner.name, "ACME Labs");
	strcpy(s->partner.country, "DE");
	strcpy(s->partner.tier, "vetted");
	s->partner.entitlements = FW_PARTS_ALL;
	strcpy(s->adv.id, "fw-2026-0001");
	strcpy(s->adv.title, "Heap overflow in the Example Server request parser");
	s->adv.ncves = 1;
	strcpy(s->adv.cves[0], "CVE-2026-10001");
	s->adv.nproducts = 1;
	strcpy(s->adv.products[0], "Example Server 4.2");
	strcpy(s->adv.cvss_v3, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	s->adv.status = FW_ADV_SCHEDULED;
	s->adv.public_at = T_PUBLIC;
	s->adv.created_at = T_PUBLIC - 30 * 86400;
	s->adv.revision = 1;
	strcpy(s->rev.advisory_id, s->adv.id);
	s->rev.number = 1;
	s->rev.created_at = T_PUBLIC - 10 * 86400;
	s->rev.parts[FW_PART_SUMMARY] = summary;
	s->rev.parts[FW_PART_DETAILS] = details;
	s->rev.parts[FW_PART_DETECTION] = detection;
	s->rev.parts[FW_PART_POC] = poc;
	s->hist[0] = (struct fw_revision_meta){1, s->rev.created_at, ""};
	s->in = (struct fw_render_in){
	    .publisher_name = "Example Vendor PSIRT",
	    .publisher_namespace = "https://psirt.example.com",
	    .partner = &s->partner,
	    .advisory = &s->adv,
	    .revision = &s->rev,
	    .history = s->hist,
	    .nhistory = 1,
	    .parts = 1u << FW_PART_SUMMARY,
	    .now = T_PUBLIC - 5 * 86400,
	};
}

static int emit(const char *dir, const char *name, const struct fw_render_in *in)
{
	struct fw_buf out;
	char path[4096];
	FILE *f;
	int r;

	fw_buf_init(&out, 0);
	r = fw_csaf_render(in, &out);
	if (r < 0) {
		fprintf(stderr, "render_samples: cannot render %s: %s\n", name, fw_strerror(r));
		fw_buf_release(&out);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
		fprintf(stderr, "render_samples: cannot write %s\n", path);
		fw_buf_release(&out);
		return -1;
	}
	fw_buf_release(&out);
	return 0;
}

int main(int argc, char **argv)
{
	struct sample s;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: render_samples DIR\n");
		return 2;
	}

	sample_init(&s); /* summary only: TLP:AMBER */
	bad |= emit(argv[1], "amber-summary-only", &s.in);

	sample_init(&s); /* every part, PoC included: TLP:RED */
	s.in.parts = FW_PARTS_ALL;
	bad |= emit(argv[1], "red-all-parts", &s.in);

	sample_init(&s); /* details and detection, no PoC: TLP:AMBER */
	s.in.parts = FW_PARTS_ALL & ~(1u << FW_PART_POC);
	bad |= emit(argv[1], "amber-no-poc", &s.in);

	sample_init(&s); /* after T: TLP:WHITE, status final */
	s.in.parts = FW_PARTS_ALL;
	s.in.public_copy = 1;
	s.in.partner = NULL;
	s.adv.status = FW_ADV_PUBLIC;
	bad |= emit(argv[1], "white-public", &s.in);

	sample_init(&s); /* no CVSS vector */
	s.adv.cvss_v3[0] = '\0';
	bad |= emit(argv[1], "no-cvss", &s.in);

	sample_init(&s); /* a CVSS 3.0 vector */
	strcpy(s.adv.cvss_v3, "CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N");
	bad |= emit(argv[1], "cvss-3-0", &s.in);

	/* No CVE ids, no products: one vulnerability with a title, one placeholder product. */
	sample_init(&s);
	s.adv.ncves = 0;
	s.adv.nproducts = 0;
	bad |= emit(argv[1], "no-cves-no-products", &s.in);

	sample_init(&s); /* three revisions, rendered at the third and at the second */
	s.adv.revision = 3;
	s.hist[1] = (struct fw_revision_meta){2, s.rev.created_at + 3600, "Corrected the affected versions"};
	s.hist[2] = (struct fw_revision_meta){3, s.rev.created_at + 7200, NULL};
	s.in.nhistory = 3;
	s.rev.number = 3;
	s.rev.created_at = s.hist[2].created_at;
	s.in.parts = FW_PARTS_ALL & ~(1u << FW_PART_POC);
	bad |= emit(argv[1], "three-revisions", &s.in);
	s.rev.number = 2;
	s.rev.created_at = s.hist[1].created_at;
	bad |= emit(argv[1], "three-revisions-at-2", &s.in);

	sample_init(&s); /* non-ASCII text in the title, products, parts and revision note */
	strcpy(s.adv.title, "Débordement de tas dans le parseur — Überlauf, 解析器の脆弱性");
	strcpy(s.adv.products[0], "Exämple Sérver 4.2 “LTS”");
	s.rev.parts[FW_PART_SUMMARY] = summary_intl;
	s.hist[0].note = "Première révision";
	s.in.parts = FW_PARTS_ALL;
	bad |= emit(argv[1], "non-ascii", &s.in);

	sample_init(&s); /* several CVEs and products */
	s.adv.ncves = 4;
	strcpy(s.adv.cves[1], "CVE-2026-10002");
	strcpy(s.adv.cves[2], "CVE-2025-999999");
	strcpy(s.adv.cves[3], "CVE-2026-0042");
	s.adv.nproducts = 5;
	strcpy(s.adv.products[1], "Example Server 4.1");
	strcpy(s.adv.products[2], "Example Gateway 1.9");
	strcpy(s.adv.products[3], "Example Gateway 2.0 beta");
	strcpy(s.adv.products[4], "Example Agent for Windows");
	s.in.parts = (1u << FW_PART_SUMMARY) | (1u << FW_PART_DETECTION);
	bad |= emit(argv[1], "many-cves-products", &s.in);

	return bad ? 1 : 0;
}
