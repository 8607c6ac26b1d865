/*
 * `forewarn tier` and `forewarn rule`: the release policy, through the admin API (/api/v1/tiers, /rules).
 * Tiers name lead times before the public release; jurisdiction rules cap lead and parts by country.
 * Both are replaced as a whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli_common.h"

enum { OPT_JSON_FILE = CLI_OPT_FIRST };

static const char *const tier_cols[] = {"name", "lead_hours", NULL};
static const char *const rule_cols[] = {"id", "max_lead_hours", "parts", "countries", "description", NULL};
static const struct option rule_set_opts[] = {
    {"json", required_argument, NULL, OPT_JSON_FILE},
    {NULL, 0, NULL, 0},
};

/* Commands without options of their own: 0 once parsed, or -1 to stop with c->status. */
static int tier_list(struct cli *c, int argc, char **argv)
{
	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/tiers"))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "tiers", tier_cols);
}

/* One NAME=HOURS argument as {"name": NAME, "lead_hours": HOURS}; 0 or EXIT_USAGE. */
static int tier_item(struct cli *c, const char *arg, struct fw_buf *body, int *r)
{
	const char *eq = strchr(arg, '=');
	char name[64], hours[16];
	struct cli_obj t;
	size_t n;

	if (!eq || eq == arg || !eq[1] || strspn(eq + 1, "0123456789") != strlen(eq + 1) ||
	    strlen(eq + 1) > 6)
		return cli_usage_error(c, "'%s' is not NAME=HOURS (a tier name, whole hours)", arg);
	n = (size_t)(eq - arg);
	if (n >= sizeof(name))
		return cli_usage_error(c, "the tier name in '%s' is too long", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	cli_obj_begin(&t, body);
	cli_obj_str(&t, "name", name);
	snprintf(hours, sizeof(hours), "%lu", strtoul(eq + 1, NULL, 10));
	cli_obj_raw(&t, "lead_hours", hours, strlen(hours));
	*r = cli_obj_end(&t);
	return 0;
}

static int tier_set(struct cli *c, int argc, char **argv)
{
	struct fw_buf body;
	struct cli_obj o;
	int r = 0, i;

	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/tiers"))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	cli_obj_begin(&o, &body);
	cli_obj_key(&o, "tiers");
	r = o.r ? o.r : fw_buf_puts(&body, "[");
	for (i = 0; i < c->nargs && r == 0; i++) {
		if (i)
			r = fw_buf_puts(&body, ",");
		if (r == 0 && tier_item(c, c->args[i], &body, &r) != 0) {
			fw_buf_release(&body);
			return EXIT_USAGE;
		}
	}
	if (r == 0)
		r = fw_buf_puts(&body, "]");
	if (r == 0)
		r = cli_obj_end(&o);
	r = r ? cli_body_error(c, r) : cli_call(c, "PUT", body.data, body.len);
	fw_buf_release(&body);
	return r ? r : cli_table(c, "tiers", tier_cols);
}

static int rule_list(struct cli *c, int argc, char **argv)
{
	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/rules"))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "rules", rule_cols);
}

static int rule_set(struct cli *c, int argc, char **argv)
{
	const char *file = NULL;
	struct fw_buf body = {0};
	int o, r;

	while ((o = cli_getopt(c, argc, argv)) > 0)
		if (o == OPT_JSON_FILE)
			file = optarg;
	if (o < 0)
		return c->status;
	if (!file)
		return cli_usage_error(c, "--json FILE is required (the whole list of rules)");
	if (cli_pathf(c, "/api/v1/rules"))
		return EXIT_USAGE;
	r = cli_read_file(c, "the --json file", file, CLI_BODY_MAX, 1, &body);
	if (r == 0)
		r = cli_call(c, "PUT", body.data ? body.data : "", body.len);
	fw_buf_release(&body);
	return r ? r : cli_table(c, "rules", rule_cols);
}

static const struct cli_cmd tier_cmds[] = {
    {"list", "", "list the tiers",
     "    Lists the tiers: each names how many hours before an advisory's public release its\n"
     "    partners receive it (before jurisdiction rules cap it).",
     NULL, "    forewarn tier list", NULL, NULL, 0, 0, tier_list},
    {"set", "NAME=HOURS...", "replace the whole list of tiers",
     "    Replaces the list of tiers with the ones given, each NAME=HOURS (0 to 8760 hours). A\n"
     "    tier that a partner is in cannot be left out. Releases already due are not taken back;\n"
     "    later releases use the new lead times. Prints the new list.",
     NULL, "    forewarn tier set vetted=120 standard=24 early=72", NULL, NULL, 1, 32, tier_set},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_tier_group = {
    "tier",
    "list and set the tiers (lead times)",
    "    A tier is a named lead time: partners in tier vetted (120 h by default) receive an\n"
    "    advisory 120 hours before its public release, partners in standard (24 h) 24 hours\n"
    "    before. These commands need an admin token.",
    "    forewarn tier set vetted=120 standard=24 early=72\n"
    "    forewarn tier list",
    tier_cmds,
};

static const struct cli_cmd rule_cmds[] = {
    {"list", "", "list the jurisdiction rules",
     "    Lists the jurisdiction rules: for partners in the listed countries, the longest lead\n"
     "    (hours) and the only parts they may receive, whatever their tier and entitlements.",
     NULL, "    forewarn rule list", NULL, NULL, 0, 0, rule_list},
    {"set", "--json FILE", "replace the whole list of rules",
     "    Replaces the list of rules with the one in FILE ('-': standard input), a JSON object:\n"
     "        {\"rules\": [{\"id\": \"mandatory-reporting\", \"description\": \"...\",\n"
     "                   \"countries\": [\"CN\", \"RU\"], \"max_lead_hours\": 0,\n"
     "                   \"parts\": [\"summary\"]}]}\n"
     "    An empty list removes every rule. Prints the new list.",
     "    --json FILE   the rules (required)\n", "    forewarn rule set --json rules.json", rule_set_opts,
     NULL, 0, 0, rule_set},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_rule_group = {
    "rule",
    "list and set the jurisdiction rules",
    "    A jurisdiction rule matches partners by country and caps their lead time and the parts\n"
    "    they receive, e.g. where the law obliges companies to report vulnerabilities to the\n"
    "    state. The rule 'forewarn init' installs gives such partners the summary only, at the\n"
    "    public release. These commands need an admin token.",
    "    forewarn rule list\n"
    "    forewarn rule set --json rules.json",
    rule_cmds,
};
