/*
 * `forewarn partner`: the partners and their tokens, through the admin API (/api/v1/partners...):
 * list, show, create, update, suspend, reinstate, remove, and issue, list and revoke tokens.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/timeutil.h"
#include "cli_common.h"
#include "cli_sign.h"

/* The field options of create and update, in the order of their codes (CLI_OPT_FIRST + index). */
enum { F_ID, F_NAME, F_COUNTRY, F_TIER, F_ENTITLEMENTS, F_NDA_VERSION, F_NDA_SIGNED, F_EMAIL, NFIELDS };
enum { OPT_JSON_FILE = CLI_OPT_FIRST + NFIELDS, OPT_STATUS, OPT_REASON, OPT_EXPIRES, OPT_REMOVE };

static const char *const field_keys[NFIELDS] = {
    "id", "name", "country", "tier", "entitlements", "nda_version", "nda_signed", "contact_email",
};

static const char *const partner_fields[] = {
    "id",         "name",          "country", "tier",       "entitlements", "nda_version",
    "nda_signed", "contact_email", "status",  "created_at", "updated_at",   NULL,
};

#define FIELD_OPTS                                                                                           \
	{"name", required_argument, NULL, CLI_OPT_FIRST + F_NAME},                                           \
	    {"country", required_argument, NULL, CLI_OPT_FIRST + F_COUNTRY},                                 \
	    {"tier", required_argument, NULL, CLI_OPT_FIRST + F_TIER},                                       \
	    {"entitlements", required_argument, NULL, CLI_OPT_FIRST + F_ENTITLEMENTS},                       \
	    {"nda-version", required_argument, NULL, CLI_OPT_FIRST + F_NDA_VERSION},                         \
	    {"nda-signed", required_argument, NULL, CLI_OPT_FIRST + F_NDA_SIGNED},                           \
	    {"email", required_argument, NULL, CLI_OPT_FIRST + F_EMAIL},                                     \
	{                                                                                                    \
		"json", required_argument, NULL, OPT_JSON_FILE                                               \
	}

static const struct option create_opts[] = {
    {"id", required_argument, NULL, CLI_OPT_FIRST + F_ID},
    FIELD_OPTS,
    {NULL, 0, NULL, 0},
};
static const struct option update_opts[] = {FIELD_OPTS, {NULL, 0, NULL, 0}};
static const struct option list_opts[] = {
    {"status", required_argument, NULL, OPT_STATUS},
    {NULL, 0, NULL, 0},
};
static const struct option seal_key_opts[] = {
    {"remove", no_argument, NULL, OPT_REMOVE},
    {NULL, 0, NULL, 0},
};
static const struct option reason_opts[] = {
    {"reason", required_argument, NULL, OPT_REASON},
    {NULL, 0, NULL, 0},
};
static const struct option token_opts[] = {
    {"expires", required_argument, NULL, OPT_EXPIRES},
    {NULL, 0, NULL, 0},
};

#define FIELD_HELP                                                                                           \
	"    --name NAME              the organisation's name (at most 200 bytes)\n"                         \
	"    --country CC             its country: ISO 3166-1 alpha-2, upper case (rules match it)\n"        \
	"    --tier TIER              its tier (see 'forewarn tier list'): how early it receives\n"          \
	"    --entitlements LIST      the parts it may receive, comma-separated, of summary, details,\n"     \
	"                             detection, poc (default: summary,details,detection)\n"                 \
	"    --nda-version V          the version of the NDA it signed\n"                                    \
	"    --nda-signed YYYY-MM-DD  when it signed it ('' clears the date)\n"                              \
	"    --email ADDR             its security contact\n"                                                \
	"    --json FILE              the whole JSON body, from FILE ('-': standard input), instead\n"       \
	"                             of the options above (see DESCRIPTION for its fields)\n"

/* Takes the command's options; 0 at the end, or -1 (stop with c->status). */
struct fields {
	const char *v[NFIELDS];
	const char *json_file;
	const char *other; /* --status, --reason or --expires */
};

static int parse(struct cli *c, int argc, char **argv, struct fields *f)
{
	int o;

	memset(f, 0, sizeof(*f));
	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == OPT_JSON_FILE)
			f->json_file = optarg;
		else if (o == OPT_STATUS || o == OPT_REASON || o == OPT_EXPIRES)
			f->other = optarg;
		else if (o >= CLI_OPT_FIRST && o < CLI_OPT_FIRST + NFIELDS)
			f->v[o - CLI_OPT_FIRST] = optarg;
	}
	return o;
}

static int send_fields(struct cli *c, const struct fields *f, const char *method, int create)
{
	static const int required[] = {F_ID, F_NAME, F_COUNTRY, F_TIER};
	struct cli_obj o;
	struct fw_buf body;
	int i, any = 0, r;

	fw_buf_init(&body, CLI_BODY_MAX);
	for (i = 0; i < NFIELDS; i++)
		any |= f->v[i] != NULL;
	if (f->json_file) {
		r = any ? cli_usage_error(c, "--json FILE cannot be combined with the field options")
		        : cli_read_file(c, "the --json file", f->json_file, CLI_BODY_MAX, 1, &body);
		if (r)
			goto out;
	} else {
		for (i = 0; create && i < 4; i++)
			if (!f->v[required[i]]) {
				r = cli_usage_error(c, "--%s is required (or the whole body: --json FILE)",
				                    field_keys[required[i]]);
				goto out;
			}
		if (!any) {
			r = cli_usage_error(c, "nothing to change: give at least one field option");
			goto out;
		}
		cli_obj_begin(&o, &body);
		for (i = 0; i < NFIELDS; i++) {
			if (!f->v[i])
				continue;
			if (i == F_ENTITLEMENTS)
				cli_obj_csv(&o, field_keys[i], f->v[i]);
			else if (i == F_NDA_SIGNED && !f->v[i][0])
				cli_obj_raw(&o, field_keys[i], "null", 4);
			else
				cli_obj_str(&o, field_keys[i], f->v[i]);
		}
		r = cli_obj_end(&o);
		if (r) {
			r = cli_body_error(c, r);
			goto out;
		}
	}
	r = cli_call(c, method, body.data ? body.data : "", body.len);
	if (r == 0)
		r = cli_fields(c, partner_fields);
out:
	fw_buf_release(&body);
	return r;
}

static int list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {"id", "name", "country", "tier", "entitlements", "status", NULL};
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners") || cli_query(c, "status", f.other))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "partners", cols);
}

static int show(struct cli *c, int argc, char **argv)
{
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s", c->args[0]))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_fields(c, partner_fields);
}

static int create(struct cli *c, int argc, char **argv)
{
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners"))
		return EXIT_USAGE;
	return send_fields(c, &f, "POST", 1);
}

static int update(struct cli *c, int argc, char **argv)
{
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s", c->args[0]))
		return EXIT_USAGE;
	return send_fields(c, &f, "PATCH", 0);
}

/* suspend, reinstate, remove: POST /partners/ID/<act> with an optional {"reason": ...}. */
static int act(struct cli *c, int argc, char **argv, const char *what)
{
	struct fw_buf body;
	struct cli_obj o;
	struct fields f;
	int r = 0;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/%s", c->args[0], what))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	if (f.other) {
		cli_obj_begin(&o, &body);
		cli_obj_str(&o, "reason", f.other);
		r = cli_obj_end(&o);
		if (r)
			r = cli_body_error(c, r);
	}
	if (r == 0)
		r = cli_call(c, "POST", body.data ? body.data : "", body.len);
	if (r == 0)
		r = cli_fields(c, partner_fields);
	fw_buf_release(&body);
	return r;
}

static int suspend(struct cli *c, int argc, char **argv)
{
	return act(c, argc, argv, "suspend");
}

static int reinstate(struct cli *c, int argc, char **argv)
{
	return act(c, argc, argv, "reinstate");
}

static int remove_(struct cli *c, int argc, char **argv)
{
	return act(c, argc, argv, "remove");
}

static int token(struct cli *c, int argc, char **argv)
{
	struct fw_buf secret, id, body;
	struct cli_obj o;
	struct fields f;
	int64_t t;
	int r = 0;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/tokens", c->args[0]))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	if (f.other) {
		/* A date-time is an end, anything else a duration; the server checks both. */
		cli_obj_begin(&o, &body);
		cli_obj_str(&o, fw_time_parse(f.other, &t) == 0 ? "expires_at" : "expires_in", f.other);
		r = cli_obj_end(&o);
		if (r)
			r = cli_body_error(c, r);
	}
	if (r == 0)
		r = cli_call(c, "POST", body.data ? body.data : "", body.len);
	fw_buf_release(&body);
	if (r || c->json)
		return r ? r : cli_raw(c);
	if (cli_text(c, "token", &secret) < 0 || cli_text(c, "id", &id) < 0) {
		fprintf(stderr, "forewarn: the server's answer holds no token (try --json)\n");
		r = 1;
	} else {
		printf("%s\n", secret.data);
		fprintf(stderr, "forewarn: token %s of partner %s: shown only this once, store it now\n",
		        id.data, c->args[0]);
	}
	fw_buf_release(&secret);
	fw_buf_release(&id);
	return r;
}

static int tokens(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {"id", "created_at", "expires_at", "revoked_at", NULL};
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/tokens", c->args[0]))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "tokens", cols);
}

static int revoke_token(struct cli *c, int argc, char **argv)
{
	struct fields f;

	if (parse(c, argc, argv, &f) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/tokens/%s", c->args[0], c->args[1]))
		return EXIT_USAGE;
	if (cli_call(c, "DELETE", NULL, 0))
		return 1;
	if (!c->json)
		printf("revoked token %s of partner %s\n", c->args[1], c->args[0]);
	return 0;
}

static int seal_key(struct cli *c, int argc, char **argv)
{
	int o, remove = 0;

	while ((o = cli_getopt(c, argc, argv)) > 0)
		if (o == OPT_REMOVE)
			remove = 1;
	if (o < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/seal-key", c->args[0]))
		return EXIT_USAGE;
	return cli_seal_key(c, c->nargs > 1 ? c->args[1] : NULL, remove);
}

static const struct cli_cmd cmds[] = {
    {"list", "[--status active|suspended|removed]", "list the partners",
     "    Lists every partner, or those with the given status, as a table: id, name, country, tier,\n"
     "    entitlements, status. --json prints every field.",
     "    --status STATUS   only partners with this status: active, suspended or removed\n",
     "    forewarn partner list --status active --token-file admin.token", list_opts, NULL, 0, 0, list},
    {"show", "ID", "show one partner",
     "    Prints every field of partner ID as \"field: value\" lines: id, name, country, tier,\n"
     "    entitlements, NDA version and date, contact, status, when it was created and updated.",
     NULL, "    forewarn partner show acme-av", NULL, NULL, 1, 1, show},
    {"create", "--id ID --name NAME --country CC --tier TIER [options] | --json FILE", "add a partner",
     "    Adds a partner, active at once, and prints it. --id (a slug: a-z, 0-9, '-', at most 64\n"
     "    characters), --name, --country and --tier are required; the entitlements default to\n"
     "    summary,details,detection. With --json FILE the body is sent as it is: {\"id\", \"name\",\n"
     "    \"country\", \"tier\", \"entitlements\": [...], \"nda_version\", \"nda_signed\",\n"
     "    \"contact_email\"}. The partner receives nothing until it has a token: see\n"
     "    'forewarn partner token'.",
     "    --id ID                  the partner's id (it cannot change later)\n" FIELD_HELP,
     "    forewarn partner create --id acme-av --name 'Acme Antivirus' --country DE \\\n"
     "        --tier vetted --entitlements summary,details,detection,poc --nda-version 2025-1 \\\n"
     "        --nda-signed 2025-03-01 --email psirt@acme.example",
     create_opts, NULL, 0, 0, create},
    {"update", "ID [--name NAME] [--country CC] [--tier TIER] [...] | --json FILE",
     "change a partner's fields",
     "    Changes the fields given, leaves the others, and prints the partner. A new tier, country or\n"
     "    entitlements apply to every later release and download. The id and the status cannot be\n"
     "    changed here (see suspend, reinstate, remove). With --json FILE the body is a JSON object\n"
     "    with the fields to change.",
     FIELD_HELP, "    forewarn partner update acme-av --tier standard --entitlements summary,details",
     update_opts, NULL, 1, 1, update},
    {"suspend", "ID [--reason TEXT]", "suspend a partner",
     "    Suspends partner ID: at once it loses access to everything not yet public, copies already\n"
     "    released to it included, and it receives nothing new until reinstated. Prints the partner.",
     "    --reason TEXT   why (kept in the event log)\n",
     "    forewarn partner suspend acme-av --reason 'NDA breach under investigation'", reason_opts, NULL, 1,
     1, suspend},
    {"reinstate", "ID", "reinstate a suspended partner",
     "    Makes a suspended partner active again: it regains access as its tier and the rules allow.\n"
     "    Prints the partner.",
     NULL, "    forewarn partner reinstate acme-av", NULL, NULL, 1, 1, reinstate},
    {"remove", "ID [--reason TEXT]", "remove a partner for good",
     "    Removes partner ID for good: its tokens are revoked and it cannot be reinstated. Its history\n"
     "    (deliveries, downloads, events) is kept. Prints the partner.",
     "    --reason TEXT   why (kept in the event log)\n",
     "    forewarn partner remove acme-av --reason 'left the programme'", reason_opts, NULL, 1, 1, remove_},
    {"token", "ID [--expires DURATION|TIME]", "issue a token to a partner",
     "    Issues a new bearer token to partner ID and prints it alone on standard output (its id goes\n"
     "    to standard error). The token is shown this once: the server keeps only a keyed hash of it.\n"
     "    A partner may hold several tokens; revoke old ones with revoke-token. Without --expires the\n"
     "    token works until it is revoked; with it, requests after that time get 401.",
     "    --expires DURATION|TIME   when the token stops working: a duration from now (45s, 90m,\n"
     "                              12h, 30d, 2w; at most 3650d) or an RFC 3339 date-time\n",
     "    forewarn partner token acme-av --expires 90d > acme-av.token", token_opts, NULL, 1, 1, token},
    {"tokens", "ID", "list a partner's tokens",
     "    Lists the tokens of partner ID: id, when issued, when it expires (\"-\": never), when\n"
     "    revoked (\"-\" while valid). The secrets themselves are never shown again.",
     NULL, "    forewarn partner tokens acme-av", NULL, NULL, 1, 1, tokens},
    {"revoke-token", "ID TOKEN_ID", "revoke one of a partner's tokens",
     "    Revokes token TOKEN_ID (as listed by 'forewarn partner tokens') of partner ID: requests\n"
     "    with it are refused from now on.",
     NULL, "    forewarn partner revoke-token acme-av 3f2a9c0d1e4b5a67", NULL, NULL, 2, 2, revoke_token},
    {"seal-key", "ID [FILE | --remove]", "show, register or remove a partner's sealing key",
     "    Without FILE, shows the X25519 public key partner ID registered for sealed copies: its key\n"
     "    id, the key in base64, when it was registered. With FILE, registers the public key in FILE\n"
     "    (one line of base64: OUT.pub of 'forewarn keygen --seal OUT', which the partner makes and\n"
     "    keeps the secret half of), replacing any earlier one. With --remove, removes it: the\n"
     "    partner can then no longer fetch copies sealed. A partner can do the same for itself\n"
     "    ('forewarn inbox --set-seal-key'). Each change is an event of the log, with the key id.",
     "    --remove         remove the partner's sealing key\n",
     "    forewarn partner seal-key acme-av acme-seal.pub", seal_key_opts, NULL, 1, 2, seal_key},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_partner_group = {
    "partner",
    "manage partners and their tokens",
    "    A partner is a vetted organisation that receives embargoed advisories: how early depends\n"
    "    on its tier, which parts on its entitlements, both capped by the jurisdiction rules of\n"
    "    its country and cancelled while it is suspended. These commands need an admin token.",
    "    forewarn partner create --id acme-av --name 'Acme Antivirus' --country DE --tier vetted\n"
    "    forewarn partner token acme-av > acme-av.token\n"
    "    forewarn partner list",
    cmds,
};
