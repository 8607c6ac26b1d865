/*
 * `forewarn webhook` and `forewarn outbox`: the partners' webhooks (/api/v1/partners/{id}/webhook) and the
 * outbox of their notifications (/api/v1/webhooks/outbox): set, show and remove a webhook; list the
 * notifications, show one, and retry one that was set aside. Admin token.
 */
#include <stdio.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "cli_common.h"

enum { OPT_STATE = CLI_OPT_FIRST, OPT_PARTNER, OPT_LIMIT, OPT_OFFSET, OPT_CONTENT };

static const char *const webhook_fields[] = {"partner",    "url",        "content", "set_by",
                                             "created_at", "updated_at", NULL};
static const char *const outbox_fields[] = {
    "id",         "key",   "partner",         "advisory", "revision",    "parts",
    "state",      "tries", "next_attempt_at", "done_at",  "last_status", "last_error",
    "created_at", NULL,
};

static const struct option set_opts[] = {
    {"content", required_argument, NULL, OPT_CONTENT},
    {NULL, 0, NULL, 0},
};

static int set(struct cli *c, int argc, char **argv)
{
	const char *content = NULL;
	struct fw_buf body, secret;
	struct cli_obj o;
	int r;

	while ((r = cli_getopt(c, argc, argv)) > 0)
		if (r == OPT_CONTENT)
			content = optarg; /* the server checks it: "sealed" or "none" */
	if (r < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/webhook", c->args[0]))
		return EXIT_USAGE;
	fw_buf_init(&body, CLI_BODY_MAX);
	cli_obj_begin(&o, &body);
	cli_obj_str(&o, "url", c->args[1]);
	if (content)
		cli_obj_str(&o, "content", content);
	r = cli_obj_end(&o);
	r = r ? cli_body_error(c, r) : cli_call(c, "PUT", body.data, body.len);
	fw_buf_release(&body);
	if (r || c->json)
		return r ? r : cli_raw(c);
	if (cli_text(c, "secret", &secret) < 0) {
		fprintf(stderr, "forewarn: the server's answer holds no secret (try --json)\n");
		r = 1;
	} else {
		printf("%s\n", secret.data);
		fprintf(
		    stderr,
		    "forewarn: the signing secret of partner %s's webhook: shown only this once, give it to "
		    "the partner now\n",
		    c->args[0]);
		fw_crypto_wipe(secret.data, secret.len);
	}
	fw_buf_release(&secret);
	return r;
}

static int show(struct cli *c, int argc, char **argv)
{
	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/webhook", c->args[0]))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_fields(c, webhook_fields);
}

static int remove_(struct cli *c, int argc, char **argv)
{
	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (cli_pathf(c, "/api/v1/partners/%s/webhook", c->args[0]))
		return EXIT_USAGE;
	if (cli_call(c, "DELETE", NULL, 0))
		return 1;
	if (!c->json)
		printf("removed the webhook of partner %s\n", c->args[0]);
	return 0;
}

static const struct cli_cmd webhook_cmds[] = {
    {"set", "PARTNER URL", "register or replace a partner's webhook",
     "    Registers URL as partner PARTNER's webhook, replacing any earlier one, and prints its new\n"
     "    signing secret alone on standard output: shown this once, to be handed to the partner,\n"
     "    which checks the Forewarn-Webhook-Signature of each notification with it\n"
     "    (docs/webhooks.md). URL must be https:// (http:// only to a loopback address), without a\n"
     "    user name, password or fragment, at most 2048 bytes. Each release of an advisory to the\n"
     "    partner is then announced to URL; notifications already queued go to the new URL.\n"
     "    With --content sealed, each notification also carries the partner's copies sealed to its\n"
     "    sealing key, each recorded as a download (the partner must have a sealing key).",
     "    --content sealed|none  carry the partner's copies, sealed (default: none)\n",
     "    forewarn webhook set acme-av https://hooks.acme.example/forewarn > acme-av.whsec", set_opts, NULL,
     2, 2, set},
    {"show", "PARTNER", "show a partner's webhook",
     "    Prints partner PARTNER's webhook: its URL and when it was registered and last replaced.\n"
     "    The secret is never shown again.",
     NULL, "    forewarn webhook show acme-av", NULL, NULL, 1, 1, show},
    {"remove", "PARTNER", "remove a partner's webhook",
     "    Removes partner PARTNER's webhook: nothing more is sent to it, and notifications still\n"
     "    queued are skipped when their turn comes.",
     NULL, "    forewarn webhook remove acme-av", NULL, NULL, 1, 1, remove_},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_webhook_group = {
    "webhook",
    "manage the partners' webhooks",
    "    A partner with a webhook is sent a signed notification each time an advisory revision is\n"
    "    released to it: the advisory's id, the revision and the parts now available, never their\n"
    "    content. A partner may also manage its own webhook (PUT /api/v1/me/webhook). These\n"
    "    commands need an admin token; see 'forewarn outbox' for the notifications themselves.",
    "    forewarn webhook set acme-av https://hooks.acme.example/forewarn > acme-av.whsec\n"
    "    forewarn webhook show acme-av",
    webhook_cmds,
};

static const struct option list_opts[] = {
    {"state", required_argument, NULL, OPT_STATE},
    {"partner", required_argument, NULL, OPT_PARTNER},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {NULL, 0, NULL, 0},
};

static int list(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {"id",    "partner",         "advisory",   "revision", "state",
	                                   "tries", "next_attempt_at", "last_error", NULL};
	const char *state = NULL, *partner = NULL, *limit = NULL, *offset = NULL;
	int o;

	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == OPT_STATE)
			state = optarg;
		else if (o == OPT_PARTNER)
			partner = optarg;
		else if (o == OPT_LIMIT)
			limit = optarg;
		else if (o == OPT_OFFSET)
			offset = optarg;
	}
	if (o < 0)
		return c->status;
	if (limit && !cli_is_number(limit))
		return cli_usage_error(c, "--limit: '%s' is not a whole number", limit);
	if (offset && !cli_is_number(offset))
		return cli_usage_error(c, "--offset: '%s' is not a whole number", offset);
	if (cli_pathf(c, "/api/v1/webhooks/outbox") || cli_query(c, "state", state) ||
	    cli_query(c, "partner", partner) || cli_query(c, "limit", limit) ||
	    cli_query(c, "offset", offset))
		return EXIT_USAGE;
	return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "outbox", cols);
}

static int item(struct cli *c, int argc, char **argv, int retry)
{
	if (cli_no_options(c, argc, argv) < 0)
		return c->status;
	if (!cli_is_number(c->args[0]))
		return cli_usage_error(c, "'%s' is not a notification id (see 'forewarn outbox list')",
		                       c->args[0]);
	if (cli_pathf(c, retry ? "/api/v1/webhooks/outbox/%s/retry" : "/api/v1/webhooks/outbox/%s",
	              c->args[0]))
		return EXIT_USAGE;
	return cli_call(c, retry ? "POST" : "GET", retry ? "" : NULL, 0) ? 1 : cli_fields(c, outbox_fields);
}

static int show_item(struct cli *c, int argc, char **argv)
{
	return item(c, argc, argv, 0);
}

static int retry(struct cli *c, int argc, char **argv)
{
	return item(c, argc, argv, 1);
}

static const struct cli_cmd outbox_cmds[] = {
    {"list", "[--state STATE] [--partner ID] [--limit N] [--offset N]", "list webhook notifications",
     "    Lists the webhook notifications, oldest first, as a table: id, partner, advisory,\n"
     "    revision, state, tries, when the next try is due, and the last error. States: pending\n"
     "    (to be sent, or being retried), delivered (the receiver answered 2xx), failed (set aside\n"
     "    after the last try: retry it with 'forewarn outbox retry'), skipped (not sent because\n"
     "    policy no longer allowed it: the partner was suspended, the advisory withdrawn, ...).\n"
     "    --json prints every field.",
     "    --state STATE   only notifications in this state: pending, delivered, failed, skipped\n"
     "    --partner ID    only those of this partner\n"
     "    --limit N       at most N of them (1 to 100000; default 1000)\n"
     "    --offset N      skip the first N\n",
     "    forewarn outbox list --state failed", list_opts, NULL, 0, 0, list},
    {"show", "ID", "show one notification",
     "    Prints every field of notification ID: its idempotency key (the Forewarn-Webhook-Id\n"
     "    header the receiver sees), partner, advisory, revision, parts, state, tries, the next\n"
     "    try, the last HTTP status and error, when it was queued and settled.",
     NULL, "    forewarn outbox show 42", NULL, NULL, 1, 1, show_item},
    {"retry", "ID", "send a set-aside notification again",
     "    Puts notification ID, failed (set aside) or skipped, back in the queue with its tries\n"
     "    reset: it is sent at once, with the same idempotency key, if policy still allows it.",
     NULL, "    forewarn outbox retry 42", NULL, NULL, 1, 1, retry},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_outbox_group = {
    "outbox",
    "the webhook notifications",
    "    Every release of an advisory revision to a partner with a webhook queues one notification,\n"
    "    in the same transaction as the release. The server sends it, retries failures with a\n"
    "    doubling delay (serve --webhook-backoff) and sets it aside after serve\n"
    "    --webhook-max-tries tries. These commands show the queue and put set-aside notifications\n"
    "    back. They need an admin token.",
    "    forewarn outbox list --state failed\n"
    "    forewarn outbox retry 42",
    outbox_cmds,
};
