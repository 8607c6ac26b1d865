/*
 * `forewarn events`: the event log through the admin API (/api/v1/events): every act on partners, tokens,
 * tiers, rules and advisories, and every release and download, in order, paged by sequence number.
 */
#include <stdio.h>
#include <string.h>
#include "cli_common.h"

enum { OPT_AFTER = CLI_OPT_FIRST, OPT_LIMIT };

static const struct option events_opts[] = {
    {"after", required_argument, NULL, OPT_AFTER},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {NULL, 0, NULL, 0},
};

static int events(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {"seq", "at", "type", "actor", "subject", NULL};
	const char *after = NULL, *limit = NULL;
	int o;

	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == OPT_AFTER)
			after = optarg;
		else if (o == OPT_LIMIT)
			limit = optarg;
	}
	if (o < 0)
		return c->status;
	if (after && !cli_is_number(after))
		return cli_usage_error(c, "--after: '%s' is not an event sequence number", after);
	if (limit && !cli_is_number(limit))
		return cli_usage_error(c, "--limit: '%s' is not a whole number", limit);
	if (cli_pathf(c, "/api/v1/events") || cli_query(c, "after", after) || cli_query(c, "limit", limit))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "events", cols);
}

static const struct cli_cmd cmds[] = {
    {NULL, "[--after N] [--limit N]", "the event log",
     "    Lists the events in order: sequence number, time, type (partner.created,\n"
     "    advisory.scheduled, delivery, download, ...), actor (admin:TOKEN_ID, partner:ID,\n"
     "    scheduler) and subject. The details of each event are in --json. At most 1000 events per\n"
     "    call: continue after the last one shown. Needs an admin token.",
     "    --after N   only events after sequence number N\n"
     "    --limit N   at most N events (1 to 100000; default 1000)\n",
     "    forewarn events --after 120 --limit 50", events_opts, NULL, 0, 0, events},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_events_group = {
    "events", "the event log", "", "", cmds,
};
