/*
 * `forewarn trace`: names the partner whose fingerprinted copy a leaked text came from (POST /api/v1/trace):
 * prose, PoC code, raw HTTP requests of an exploit, or a whole leaked CSAF copy. Admin token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "cli_common.h"

enum { OPT_ADVISORY = CLI_OPT_FIRST };

static const struct option trace_opts[] = {
    {"advisory", required_argument, NULL, OPT_ADVISORY},
    {NULL, 0, NULL, 0},
};

/* print_hits: the table of one band; 1 if it names anyone. */
static int print_hits(struct cli *c, const char *key, const char *label)
{
	static const char *const cols[] = {"partner", "score", "threshold", "bound", "positions", NULL};
	struct fw_buf t;
	int any = 0;

	fw_buf_init(&t, 0);
	if (fw_json_table(c->answer.data, c->answer.len, key, cols, &t) == 0 && !strstr(t.data, "(none)\n")) {
		printf("%s:\n%s", label, t.data);
		any = 1;
	}
	fw_buf_release(&t);
	return any;
}

static int trace(struct cli *c, int argc, char **argv)
{
	const char *advisory = NULL;
	struct fw_buf text, body, v;
	struct cli_obj o;
	int rc, r;

	while ((rc = cli_getopt(c, argc, argv)) > 0)
		if (rc == OPT_ADVISORY)
			advisory = optarg;
	if (rc < 0)
		return c->status;
	if (c->nargs != 1)
		return cli_usage_error(c, "one FILE is required: the leaked text ('-' for standard input)");
	rc = cli_read_file(c, "the leaked text", c->args[0], CLI_BODY_MAX / 2, 0, &text);
	if (rc)
		return rc;
	fw_buf_init(&body, CLI_BODY_MAX);
	cli_obj_begin(&o, &body);
	cli_obj_str(&o, "text", text.data ? text.data : "");
	cli_obj_str(&o, "advisory", advisory);
	r = cli_obj_end(&o);
	fw_buf_release(&text);
	if (r < 0) {
		fw_buf_release(&body);
		return cli_body_error(c, r);
	}
	rc = cli_pathf(c, "/api/v1/trace") || cli_call(c, "POST", body.data, body.len) ? 1 : 0;
	fw_buf_release(&body);
	if (rc || c->json)
		return rc ? rc : cli_raw(c);
	fw_buf_init(&v, 0);
	if (cli_text(c, "advisory", &v) < 0 || !v.data || !v.data[0]) {
		printf("no accusation: the text matches no fingerprinted advisory\n");
		fw_buf_release(&v);
		return 0;
	}
	printf("advisory %s", v.data);
	if (cli_text(c, "revision", &v) == 0)
		printf(" revision %s", v.data);
	if (cli_text(c, "positions", &v) == 0)
		printf(": %s code positions observed", v.data);
	if (cli_text(c, "partners", &v) == 0)
		printf(", %s partners scored", v.data);
	printf("\n");
	fw_buf_release(&v);
	if (!print_hits(c, "accused", "ACCUSED (false-accusation bound at most 1e-9 each)"))
		printf("no accusation: the evidence is not enough to name anyone at 1e-9\n");
	print_hits(c, "investigate", "investigate (bound at most 1e-4)");
	return 0;
}

static const struct cli_cmd cmds[] = {
    {NULL, "FILE [--advisory ID]", "who leaked this text",
     "    Reads the fingerprint code positions the leaked text shows (prose, PoC code, the HTTP requests\n"
     "    of an exploit, or a whole CSAF copy) without looking at any partner's codeword, picks the\n"
     "    advisory revision it matches best (or the one named), scores every partner who received it,\n"
     "    and names a partner only when an innocent one would reach its score with probability at most\n"
     "    1e-9 (exact Chernoff bound over the observed positions); 1e-4 gives the investigate band.\n"
     "    Says \"no accusation\" plainly when the evidence is not enough. Needs an admin token.",
     "    --advisory ID   trace against this advisory only\n",
     "    forewarn trace leaked-writeup.txt\n    forewarn trace --advisory fw-2026-0001 exploit.py", trace_opts,
     NULL, 1, 1, trace},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_trace_group = {
    "trace", "leak tracing", "", "", cmds,
};
