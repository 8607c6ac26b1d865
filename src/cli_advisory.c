/*
 * `forewarn advisory`: advisories through the admin API (/api/v1/advisories...): list, show, create (from
 * options and part files, or by importing a CSAF 2.0 document), revise, schedule, withdraw, publish, and
 * who received and downloaded what (deliveries).
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/model.h"
#include "cli_common.h"

enum {
	OPT_ID = CLI_OPT_FIRST,
	OPT_TITLE,
	OPT_CVE,
	OPT_PRODUCT,
	OPT_CVSS,
	OPT_PUBLIC_AT,
	OPT_NOTE,
	OPT_CSAF,
	OPT_REASON,
	OPT_PARTNER,
	OPT_STATUS,
	OPT_PART, /* OPT_PART + enum fw_part */
};

#define CSAF_MAX (CLI_BODY_MAX - 64 * 1024) /* room for the rest of the body */

static const char *const adv_fields[] = {
    "id",      "title",      "status",        "public_at",  "revision",   "cves", "products",
    "cvss_v3", "cvss_score", "cvss_severity", "created_at", "updated_at", NULL,
};

#define META_OPTS                                                                                            \
	{"title", required_argument, NULL, OPT_TITLE}, {"cve", required_argument, NULL, OPT_CVE},            \
	    {"product", required_argument, NULL, OPT_PRODUCT}, {"cvss", required_argument, NULL, OPT_CVSS},  \
	    {"note", required_argument, NULL, OPT_NOTE},                                                     \
	    {"summary", required_argument, NULL, OPT_PART + FW_PART_SUMMARY},                                \
	    {"details", required_argument, NULL, OPT_PART + FW_PART_DETAILS},                                \
	    {"detection", required_argument, NULL, OPT_PART + FW_PART_DETECTION},                            \
	{                                                                                                    \
		"poc", required_argument, NULL, OPT_PART + FW_PART_POC                                       \
	}

static const struct option create_opts[] = {
    {"id", required_argument, NULL, OPT_ID},
    {"public-at", required_argument, NULL, OPT_PUBLIC_AT},
    {"csaf", required_argument, NULL, OPT_CSAF},
    META_OPTS,
    {NULL, 0, NULL, 0},
};
static const struct option revise_opts[] = {META_OPTS, {NULL, 0, NULL, 0}};
static const struct option list_opts[] = {
    {"status", required_argument, NULL, OPT_STATUS},
    {NULL, 0, NULL, 0},
};
static const struct option withdraw_opts[] = {
    {"reason", required_argument, NULL, OPT_REASON},
    {NULL, 0, NULL, 0},
};
static const struct option deliveries_opts[] = {
    {"partner", required_argument, NULL, OPT_PARTNER},
    {NULL, 0, NULL, 0},
};

#define META_HELP                                                                                            \
	"    --title TEXT       the title (at most 300 bytes)\n"                                             \
	"    --cve ID           a CVE id such as CVE-2025-12345 (repeat for several)\n"                      \
	"    --product NAME     an affected product (repeat for several)\n"                                  \
	"    --cvss VECTOR      a CVSS 3.x vector (CVSS:3.1/AV:N/...); the server computes the score\n"      \
	"    --summary FILE     the brief written description, from FILE ('-': standard input)\n"            \
	"    --details FILE     technical details and steps to reproduce\n"                                  \
	"    --detection FILE   detection guidance, signatures, indicators\n"                                \
	"    --poc FILE         proof-of-concept code (only partners entitled to poc receive it)\n"          \
	"                       Part files are UTF-8 text of at most 1 MiB each.\n"                          \
	"    --note TEXT        what this revision is or changes (kept in the revision history)\n"

struct adv {
	const char *id, *title, *cvss, *public_at, *note, *csaf, *other;
	const char *part[FW_PART_COUNT];
	char *cves[FW_MAX_CVES];
	size_t ncves;
	char *products[FW_MAX_PRODUCTS];
	size_t nproducts;
	int meta; /* a metadata or part option was given */
};

static int add(struct cli *c, char **list, size_t *n, size_t max, const char *what)
{
	if (*n == max) {
		c->status = cli_usage_error(c, "at most %zu %s options", max, what);
		return -1;
	}
	list[(*n)++] = optarg;
	return 0;
}

/* Takes the command's options into *a; 0 at the end, or -1 to stop with c->status. */
static int parse(struct cli *c, int argc, char **argv, struct adv *a)
{
	int o;

	memset(a, 0, sizeof(*a));
	while ((o = cli_getopt(c, argc, argv)) > 0) {
		a->meta |=
		    o == OPT_TITLE || o == OPT_CVE || o == OPT_PRODUCT || o == OPT_CVSS || o >= OPT_PART;
		switch (o) {
		case OPT_ID:
			a->id = optarg;
			break;
		case OPT_TITLE:
			a->title = optarg;
			break;
		case OPT_CVSS:
			a->cvss = optarg;
			break;
		case OPT_PUBLIC_AT:
			a->public_at = optarg;
			break;
		case OPT_NOTE:
			a->note = optarg;
			break;
		case OPT_CSAF:
			a->csaf = optarg;
			break;
		case OPT_REASON:
		case OPT_PARTNER:
		case OPT_STATUS:
			a->other = optarg;
			break;
		case OPT_CVE:
			if (add(c, a->cves, &a->ncves, FW_MAX_CVES, "--cve") < 0)
				return -1;
			break;
		case OPT_PRODUCT:
			if (add(c, a->products, &a->nproducts, FW_MAX_PRODUCTS, "--product") < 0)
				return -1;
			break;
		default:
			if (o >= OPT_PART && o < OPT_PART + FW_PART_COUNT)
				a->part[o - OPT_PART] = optarg;
			break;
		}
	}
	return o;
}

/* "parts": {"summary": <file>, ...}: each part file read whole, checked, escaped. 0 or an exit status. */
static int parts(struct cli *c, const struct adv *a, struct cli_obj *o)
{
	struct fw_buf text = {0};
	struct cli_obj p;
	char what[40];
	int r = 0;

	cli_obj_key(o, "parts");
	if (o->r)
		return 0;
	cli_obj_begin(&p, o->b);
	for (int i = 0; i < FW_PART_COUNT && r == 0; i++) {
		if (!a->part[i])
			continue;
		snprintf(what, sizeof(what), "the --%s file", fw_part_name(i));
		r = cli_read_file(c, what, a->part[i], FW_PART_MAX, 1, &text);
		if (r == 0)
			cli_obj_str(&p, fw_part_name(i), text.data ? text.data : "");
	}
	fw_buf_release(&text);
	o->r = cli_obj_end(&p);
	return r;
}

/* The body of a new advisory or revision from the options. 0, or an exit status (reported). */
static int build(struct cli *c, const struct adv *a, struct fw_buf *body)
{
	struct cli_obj o;
	int r;

	cli_obj_begin(&o, body);
	cli_obj_str(&o, "id", a->id);
	cli_obj_str(&o, "title", a->title);
	if (a->ncves)
		cli_obj_strs(&o, "cves", a->cves, a->ncves);
	if (a->nproducts)
		cli_obj_strs(&o, "products", a->products, a->nproducts);
	if (a->cvss && !a->cvss[0])
		cli_obj_raw(&o, "cvss_v3", "null", 4);
	else
		cli_obj_str(&o, "cvss_v3", a->cvss);
	cli_obj_str(&o, "public_at", a->public_at);
	cli_obj_str(&o, "note", a->note);
	r = parts(c, a, &o);
	if (r)
		return r;
	r = cli_obj_end(&o);
	return r ? cli_body_error(c, r) : 0;
}

/* The body of a CSAF import: {"csaf": <document as it is, once checked>, "id", "public_at", "note"}. */
static int build_csaf(struct cli *c, const struct adv *a, struct fw_buf *body)
{
	struct fw_error err = {{0}, {0}};
	struct fw_buf doc = {0};
	struct cli_obj o;
	int r;

	if (a->meta)
		return cli_usage_error(c, "--csaf FILE cannot be combined with --title, --cve, --product, "
		                          "--cvss or part files: they come from the document");
	r = cli_read_file(c, "the CSAF file", a->csaf, CSAF_MAX, 1, &doc);
	if (r == 0 && fw_json_check_object(doc.data ? doc.data : "", doc.len, &err) < 0)
		r = cli_usage_error(c, "cannot read the CSAF file '%s': %s", a->csaf, err.message);
	if (r == 0) {
		cli_obj_begin(&o, body);
		cli_obj_raw(&o, "csaf", doc.data, doc.len);
		cli_obj_str(&o, "id", a->id);
		cli_obj_str(&o, "public_at", a->public_at);
		cli_obj_str(&o, "note", a->note);
		r = cli_obj_end(&o);
		if (r)
			r = cli_body_error(c, r);
	}
	fw_buf_release(&doc);
	return r;
}

/* Sends body to c->path and prints the advisory the server answers with. */
static int send_body(struct cli *c, const char *method, struct fw_buf *body)
{
	int r = cli_call(c, method, body->data ? body->data : "", body->len);

	fw_buf_release(body);
	return r ? r : cli_fields(c, adv_fields);
}

static int list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {
	    "id", "status", "public_at", "revision", "cvss_score", "title", NULL,
	};
	struct adv a;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/advisories") || cli_query(c, "status", a.other))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "advisories", cols);
}

static int show(struct cli *c, int argc, char **argv)
{
	static const char *const rev_cols[] = {"number", "created_at", "parts", "note", NULL};
	struct fw_buf text;
	char path[64];
	struct adv a;
	int r;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/advisories/%s", c->args[0]))
		return EXIT_USAGE;
	if (cli_call(c, "GET", NULL, 0))
		return 1;
	r = cli_fields(c, adv_fields);
	if (r || c->json)
		return r;
	for (int i = 0; i < FW_PART_COUNT; i++) {
		snprintf(path, sizeof(path), "parts.%s", fw_part_name(i));
		if (cli_text(c, path, &text) == 0) {
			printf("\n--- %s ---\n%s%s", fw_part_name(i), text.data ? text.data : "",
			       text.len && text.data[text.len - 1] == '\n' ? "" : "\n");
		}
		fw_buf_release(&text);
	}
	/* How well marked the current revision is: a weakly marked advisory shows before release. */
	if (cli_text(c, "fingerprint.positions", &text) == 0)
		printf("\nFingerprint: %s code positions (aim for about 800)\n", text.data);
	fw_buf_release(&text);
	for (int i = 0; i < FW_PART_COUNT; i++) {
		struct fw_buf slots, pos;

		snprintf(path, sizeof(path), "fingerprint.parts.%s.slots", fw_part_name(i));
		if (cli_text(c, path, &slots) == 0) {
			snprintf(path, sizeof(path), "fingerprint.parts.%s.positions", fw_part_name(i));
			if (cli_text(c, path, &pos) == 0)
				printf("  %-10s %s slots, %s positions\n", fw_part_name(i), slots.data,
				       pos.data);
			fw_buf_release(&pos);
		}
		fw_buf_release(&slots);
	}
	printf("\nRevisions\n");
	return cli_table(c, "revisions", rev_cols);
}

static int create(struct cli *c, int argc, char **argv)
{
	struct fw_buf body;
	struct adv a;
	int r;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (!a.csaf && (!a.title || !a.part[FW_PART_SUMMARY]))
		return cli_usage_error(c, "--title and --summary FILE are required (or --csaf FILE)");
	if (cli_pathf(c, "/api/v1/advisories"))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	r = a.csaf ? build_csaf(c, &a, &body) : build(c, &a, &body);
	if (r) {
		fw_buf_release(&body);
		return r;
	}
	return send_body(c, "POST", &body);
}

static int revise(struct cli *c, int argc, char **argv)
{
	struct fw_buf body;
	struct adv a;
	int r;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (!a.part[FW_PART_SUMMARY])
		return cli_usage_error(c, "--summary FILE is required: a revision holds all its parts anew");
	if (cli_pathf(c, "/api/v1/advisories/%s/revisions", c->args[0]))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	r = build(c, &a, &body);
	if (r) {
		fw_buf_release(&body);
		return r;
	}
	return send_body(c, "POST", &body);
}

static int schedule(struct cli *c, int argc, char **argv)
{
	struct fw_buf body;
	struct cli_obj o;
	struct adv a;
	int r;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/advisories/%s/schedule", c->args[0]))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	cli_obj_begin(&o, &body);
	cli_obj_str(&o, "public_at", c->args[1]);
	r = cli_obj_end(&o);
	if (r) {
		fw_buf_release(&body);
		return cli_body_error(c, r);
	}
	return send_body(c, "PUT", &body);
}

/* withdraw (with an optional reason) and publish: POST /advisories/ID/<what>. */
static int act(struct cli *c, int argc, char **argv, const char *what)
{
	struct fw_buf body;
	struct cli_obj o;
	struct adv a;
	int r = 0;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/advisories/%s/%s", c->args[0], what))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	if (a.other) {
		cli_obj_begin(&o, &body);
		cli_obj_str(&o, "reason", a.other);
		r = cli_obj_end(&o);
	}
	if (r) {
		fw_buf_release(&body);
		return cli_body_error(c, r);
	}
	return send_body(c, "POST", &body);
}

static int withdraw(struct cli *c, int argc, char **argv)
{
	return act(c, argc, argv, "withdraw");
}

static int publish(struct cli *c, int argc, char **argv)
{
	return act(c, argc, argv, "publish");
}

static int deliveries(struct cli *c, int argc, char **argv)
{
	static const char *const dcols[] = {"partner", "revision", "parts", "due_at", "delivered_at", NULL};
	static const char *const gcols[] = {"partner", "revision", "what", "at", "address", NULL};
	struct adv a;
	int r;

	if (parse(c, argc, argv, &a) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/advisories/%s/deliveries", c->args[0]) || cli_query(c, "partner", a.other))
		return EXIT_USAGE;
	if (cli_call(c, "GET", NULL, 0))
		return 1;
	if (c->json)
		return cli_raw(c);
	printf("Deliveries\n");
	r = cli_table(c, "deliveries", dcols);
	if (r == 0) {
		printf("\nDownloads\n");
		r = cli_table(c, "downloads", gcols);
	}
	return r;
}

static const struct cli_cmd cmds[] = {
    {"list", "[--status STATUS]", "list the advisories",
     "    Lists the advisories as a table: id, status, public release time, latest revision, CVSS\n"
     "    score, title. --json prints every field.",
     "    --status STATUS   only advisories with this status: draft, scheduled, public, withdrawn\n",
     "    forewarn advisory list --status scheduled", list_opts, NULL, 0, 0, list},
    {"show", "ID", "show an advisory, its parts and its revisions",
     "    Prints advisory ID: its fields as \"field: value\" lines, the texts of the parts of its\n"
     "    current revision (templates, with their slots), how many fingerprint slots and code\n"
     "    positions each part carries (a weakly marked advisory shows before release), and the\n"
     "    history of its revisions.",
     NULL, "    forewarn advisory show fw-2025-0001", NULL, NULL, 1, 1, show},
    {"create", "--title TEXT --summary FILE [options] | --csaf FILE [--id ID] [--public-at TIME]",
     "create an advisory",
     "    Creates an advisory with its first revision and prints it. Without --public-at it is a\n"
     "    draft that nobody receives; with it, it is scheduled: each partner receives it at TIME\n"
     "    minus its lead, and it is public at TIME. --title and --summary are required, the other\n"
     "    parts are optional.\n"
     "    With --csaf FILE a CSAF 2.0 document is imported instead: the title, CVEs, products, CVSS\n"
     "    vector and the notes that map to summary, details and detection come from it. The file is\n"
     "    checked to be JSON here and sent as it is.",
     "    --id ID            the advisory's id (a slug); default: one is made (fw-YYYY-NNNN)\n"
     "    --public-at TIME   the public release time, RFC 3339 (2026-12-08T17:00:00Z), in the\n"
     "                       future\n"
     "    --csaf FILE        import the CSAF 2.0 document in FILE ('-': standard input)\n" META_HELP,
     "    forewarn advisory create --id fw-2025-0042 --title 'Heap overflow in the gateway' \\\n"
     "        --cve CVE-2025-12345 --product 'Gateway 4.2' \\\n"
     "        --cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H --summary summary.md \\\n"
     "        --details details.md --poc poc.py --public-at 2026-12-08T17:00:00Z",
     create_opts, NULL, 0, 0, create},
    {"revise", "ID --summary FILE [options]", "add a revision to an advisory",
     "    Adds a revision to advisory ID and prints the advisory. A revision holds all its parts\n"
     "    anew: parts not given are absent from it. --title, --cve, --product and --cvss, when\n"
     "    given, replace the advisory's (--cvss '' removes the vector). Everyone who has access now\n"
     "    receives the new revision. A withdrawn advisory cannot be revised.",
     META_HELP,
     "    forewarn advisory revise fw-2025-0042 --summary summary.md --details details-v2.md \\\n"
     "        --note 'adds the second attack vector'",
     revise_opts, NULL, 1, 1, revise},
    {"schedule", "ID TIME", "set or move the public release time",
     "    Sets the public release time of advisory ID to TIME (RFC 3339, in the future); a draft\n"
     "    becomes scheduled. Each partner receives it at TIME minus its lead; releases already made\n"
     "    stay made.",
     NULL, "    forewarn advisory schedule fw-2025-0042 2026-12-08T17:00:00Z", NULL, NULL, 2, 2, schedule},
    {"withdraw", "ID [--reason TEXT]", "withdraw an advisory",
     "    Withdraws advisory ID: from now on nobody can see or download it (partners get 404, as\n"
     "    for an advisory that does not exist). This is final.",
     "    --reason TEXT   why (kept in the event log)\n",
     "    forewarn advisory withdraw fw-2025-0042 --reason 'duplicate of fw-2025-0040'", withdraw_opts, NULL,
     1, 1, withdraw},
    {"publish", "ID", "make an advisory public now",
     "    Makes advisory ID public at once instead of at its release time (e.g. when it is\n"
     "    exploited in the wild): every partner may then download the public copy (TLP:WHITE).",
     NULL, "    forewarn advisory publish fw-2025-0042", NULL, NULL, 1, 1, publish},
    {"deliveries", "ID [--partner P]", "who received and downloaded an advisory",
     "    Prints two tables for advisory ID: the deliveries (which partner received which revision\n"
     "    with which parts, when it was due, when it was delivered) and the downloads (which\n"
     "    partner fetched which revision, its copy or its PoC, when, from which address).",
     "    --partner P   only partner P\n", "    forewarn advisory deliveries fw-2025-0042 --partner acme-av",
     deliveries_opts, NULL, 1, 1, deliveries},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_advisory_group = {
    "advisory",
    "manage advisories, their revisions and release times",
    "    An advisory has an id, a title, CVE ids, products, a CVSS vector, a public release time\n"
    "    and revisions, each with up to four parts: summary, details, detection, poc. Its status\n"
    "    is draft (no release time), scheduled, public or withdrawn. Each partner receives each\n"
    "    revision at the release time minus its lead, with the parts it may receive. These\n"
    "    commands need an admin token.",
    "    forewarn advisory create --title 'Heap overflow in the gateway' --summary summary.md\n"
    "    forewarn advisory schedule fw-2025-0001 2026-12-08T17:00:00Z\n"
    "    forewarn advisory deliveries fw-2025-0001",
    cmds,
};
