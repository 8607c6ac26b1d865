/*
 * The client's command groups: finds the group and the command named on the command line, runs it, and
 * prints the summary of every group for `forewarn --help`. The commands live in src/cli_<group>.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli_common.h"

const char *const client_groups[] = {"partner", "tier",    "rule",   "advisory", "inbox", "events", "trace",
                                     "log",     "webhook", "outbox", "verify",   "open",  "keygen", NULL};

extern const struct cli_group cli_log_group;                                      /* src/cli_log.c */
extern const struct cli_group cli_trace_group;                                    /* src/cli_trace.c */
extern const struct cli_group cli_webhook_group;                                  /* src/cli_webhook.c */
extern const struct cli_group cli_outbox_group;                                   /* src/cli_webhook.c */
extern const struct cli_group cli_verify_group, cli_open_group, cli_keygen_group; /* src/cli_sign.c */

static const struct cli_group *const groups[] = {
    &cli_partner_group, &cli_tier_group,
    &cli_rule_group,    &cli_advisory_group,
    &cli_inbox_group,   &cli_events_group,
    &cli_trace_group,   &cli_log_group,
    &cli_webhook_group, &cli_outbox_group,
    &cli_verify_group,  &cli_open_group,
    &cli_keygen_group,  NULL,
};

static const char intro[] =
    "CLIENT COMMANDS\n"
    "    These talk to a running server: --url URL (or $FOREWARN_URL, default https://127.0.0.1:8443),\n"
    "    --token-file FILE or --token TOKEN (or $FOREWARN_TOKEN), --json for the server's JSON answer.\n"
    "    HTTPS: --cacert FILE (or $FOREWARN_CACERT) to trust the server's certificate, e.g. the data\n"
    "    directory's tls.crt; --cert FILE and --key FILE (or $FOREWARN_CERT, $FOREWARN_KEY) to present a\n"
    "    partner's client certificate, with or instead of its token (docs/security.md).\n"
    "    Admin commands need an admin token; inbox needs a partner token or certificate; log takes\n"
    "    either, and its verify --data, verify-receipt and verify-consistency --proof work offline,\n"
    "    without one, as do verify (a copy's signature), open (a sealed copy) and keygen.\n\n";

void client_usage(FILE *out)
{
	char syn[256];

	fputs(intro, out);
	for (size_t i = 0; groups[i]; i++) {
		for (const struct cli_cmd *k = groups[i]->cmds; k->run; k++) {
			cli_cmd_synopsis(groups[i], k, syn, sizeof(syn));
			if (strlen(syn) <= 52)
				fprintf(out, "    %-52s %s\n", syn, k->brief);
			else
				fprintf(out, "    %s\n    %-52s %s\n", syn, "", k->brief);
		}
		fputc('\n', out);
	}
	fputs("    Manuals: forewarn GROUP --help, forewarn GROUP COMMAND --help.\n", out);
}

static int is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 || strcmp(s, "help") == 0;
}

static int run(const struct cli_group *g, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli c;
	int status;

	cli_init(&c, g, cmd);
	status = cmd->run(&c, argc, argv);
	cli_release(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "forewarn: cannot write the output: %s\n", strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int cmd_client(const char *group, int argc, char **argv)
{
	const struct cli_group *g = NULL;

	for (size_t i = 0; groups[i]; i++)
		if (strcmp(groups[i]->name, group) == 0)
			g = groups[i];
	if (!g) {
		fprintf(stderr, "forewarn: unknown command '%s' (try 'forewarn --help')\n", group);
		return EXIT_USAGE;
	}
	/* A group that is itself the command (inbox, events, trace) parses its own arguments. */
	if (!g->cmds[0].name)
		return run(g, &g->cmds[0], argc, argv);
	if (argc < 2) {
		fprintf(stderr, "forewarn %s: a command is required:", g->name);
		for (const struct cli_cmd *k = g->cmds; k->run; k++)
			fprintf(stderr, " %s", k->name);
		fprintf(stderr, "\n(try 'forewarn %s --help')\n", g->name);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		cli_help(g, NULL, stdout);
		return 0;
	}
	for (const struct cli_cmd *k = g->cmds; k->run; k++)
		if (strcmp(k->name, argv[1]) == 0)
			return run(g, k, argc - 1, argv + 1);
	if (argv[1][0] == '-')
		fprintf(stderr, "forewarn %s: the command comes first: forewarn %s COMMAND [options]\n",
		        g->name, g->name);
	else
		fprintf(stderr, "forewarn %s: unknown command '%s'\n", g->name, argv[1]);
	fprintf(stderr, "(try 'forewarn %s --help')\n", g->name);
	return EXIT_USAGE;
}
