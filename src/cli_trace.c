/*
 * `forewarn trace`: names the partner whose fingerprinted copy a leaked text came from (POST /api/v1/trace):
 * prose, PoC code, raw HTTP requests of an exploit, or a whole leaked CSAF copy. Admin token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/trace.h"
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

/* field: the text at path of the answer into v (initialised before), which it releases first. */
static int field(struct cli *c, const char *path, struct fw_buf *v)
{
	fw_buf_release(v);
	return cli_text(c, path, v);
}

/* One leak of the body: {"text": ..., "advisory": ...} appended to the "leaks" array in arr. */
static int leak_object(struct fw_buf *arr, const char *text, const char *advisory)
{
	struct fw_buf one;
	struct cli_obj o;
	int r;

	fw_buf_init(&one, CLI_BODY_MAX);
	cli_obj_begin(&o, &one);
	cli_obj_str(&o, "text", text);
	cli_obj_str(&o, "advisory", advisory);
	r = cli_obj_end(&o);
	if (r == 0 && arr->len > 1)
		r = fw_buf_puts(arr, ",");
	if (r == 0)
		r = fw_buf_append(arr, one.data, one.len);
	fw_buf_release(&one);
	return r;
}

/* Per leaked file, the revision it matched: "leaks.N.advisory" etc. of the answer. */
static void print_matches(struct cli *c)
{
	struct fw_buf v;
	char path[64];

	fw_buf_init(&v, 0);
	for (int i = 0; i < c->nargs; i++) {
		snprintf(path, sizeof(path), "leaks.%d.advisory", i);
		if (field(c, path, &v) < 0 || !v.data || !v.data[0] || !strcmp(v.data, "null")) {
			printf("%s: matches no fingerprinted advisory\n", c->args[i]);
			continue;
		}
		printf("%s: advisory %s", c->args[i], v.data);
		snprintf(path, sizeof(path), "leaks.%d.revision", i);
		if (field(c, path, &v) == 0)
			printf(" revision %s", v.data);
		snprintf(path, sizeof(path), "leaks.%d.positions", i);
		if (field(c, path, &v) == 0)
			printf(", %s code positions", v.data);
		printf("\n");
	}
	fw_buf_release(&v);
}

static int trace(struct cli *c, int argc, char **argv)
{
	const char *advisory[FW_TRACE_LEAKS_MAX];
	struct fw_buf text, body, arr, v;
	struct cli_obj o;
	int rc, r = 0, nadv = 0;

	while ((rc = cli_getopt(c, argc, argv)) > 0)
		if (rc == OPT_ADVISORY) {
			if (nadv == FW_TRACE_LEAKS_MAX)
				return cli_usage_error(
				    c, "--advisory is given more often than there can be files");
			advisory[nadv++] = optarg;
		}
	if (rc < 0)
		return c->status;
	if (nadv > 1 && nadv != c->nargs)
		return cli_usage_error(
		    c, "give --advisory once (for every FILE) or once per FILE, in their order");
	fw_buf_init(&text, 0);
	fw_buf_init(&body, CLI_BODY_MAX);
	fw_buf_init(&arr, CLI_BODY_MAX);
	r = fw_buf_puts(&arr, "[");
	for (int i = 0; r == 0 && i < c->nargs; i++) {
		const char *adv = nadv == 0 ? NULL : advisory[nadv == 1 ? 0 : i];

		rc = cli_read_file(c, "the leaked text", c->args[i], CLI_BODY_MAX / 2, 0, &text);
		if (rc) {
			fw_buf_release(&body);
			fw_buf_release(&arr);
			return rc;
		}
		r = leak_object(&arr, text.data ? text.data : "", adv);
		fw_buf_release(&text);
	}
	if (r == 0)
		r = fw_buf_puts(&arr, "]");
	cli_obj_begin(&o, &body);
	cli_obj_raw(&o, "leaks", arr.data ? arr.data : "[]", arr.len);
	if (r == 0)
		r = cli_obj_end(&o);
	fw_buf_release(&arr);
	if (r < 0) {
		fw_buf_release(&body);
		return cli_body_error(c, r);
	}
	rc = cli_pathf(c, "/api/v1/trace") || cli_call(c, "POST", body.data, body.len) ? 1 : 0;
	fw_buf_release(&body);
	if (rc || c->json)
		return rc ? rc : cli_raw(c);
	fw_buf_init(&v, 0);
	if (field(c, "advisory", &v) < 0 || !v.data || !v.data[0] || !strcmp(v.data, "null")) {
		printf("no accusation: the text matches no fingerprinted advisory\n");
		fw_buf_release(&v);
		return 0;
	}
	if (c->nargs > 1) {
		print_matches(c);
		printf("evidence summed");
	} else {
		printf("advisory %s", v.data);
		if (field(c, "revision", &v) == 0)
			printf(" revision %s", v.data);
	}
	if (field(c, "positions", &v) == 0)
		printf(": %s code positions observed", v.data);
	if (c->nargs > 1 && field(c, "revisions", &v) == 0)
		printf(" over %s revisions", v.data);
	if (field(c, "partners", &v) == 0)
		printf(", %s partners scored", v.data);
	printf("\n");
	fw_buf_release(&v);
	if (!print_hits(c, "accused", "ACCUSED (false-accusation bound at most 1e-9 each)"))
		printf("no accusation: the evidence is not enough to name anyone at 1e-9\n");
	print_hits(c, "investigate", "investigate (bound at most 1e-4)");
	return 0;
}

static const struct cli_cmd cmds[] = {
    {NULL, "FILE... [--advisory ID]...", "who leaked these texts",
     "    Reads the fingerprint code positions each leaked text shows (prose, PoC code, the HTTP\n"
     "    requests of an exploit, or a whole CSAF copy) without looking at any partner's codeword, and\n"
     "    picks the advisory revision it matches best (or one of the advisory named). Every partner who\n"
     "    received a matched revision is scored; with several FILEs (up to 32: say, several advisories\n"
     "    leaked by the same source) a partner's evidence adds up over the revisions it received. A\n"
     "    partner is named only when an innocent one would reach its score with probability at most\n"
     "    1e-9 (exact Chernoff bound over the observed positions); 1e-4 gives the investigate band.\n"
     "    Says \"no accusation\" plainly when the evidence is not enough. Needs an admin token.",
     "    --advisory ID   trace against this advisory only: once for every FILE, or once per FILE\n"
     "                    in the order of the FILEs\n",
     "    forewarn trace leaked-writeup.txt\n    forewarn trace --advisory fw-2026-0001 exploit.py\n"
     "    forewarn trace paste-march.txt paste-april.txt honeypot-requests.txt",
     trace_opts, NULL, 1, FW_TRACE_LEAKS_MAX, trace},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_trace_group = {
    "trace", "leak tracing", "", "", cmds,
};
