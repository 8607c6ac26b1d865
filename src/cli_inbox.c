/*
 * `forewarn inbox`: a partner's view, with a partner token (/api/v1/inbox...): the advisories it may see
 * now, and the download of its own copy (CSAF 2.0 JSON) or PoC. Every download is recorded by the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli_common.h"

enum { OPT_POC = CLI_OPT_FIRST };

static const struct option inbox_opts[] = {
    {"poc", no_argument, NULL, OPT_POC},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};

/* Opens the output file before the download, so that a bad path costs no recorded download. */
static int open_output(struct cli *c, const char *path, int *ret_created)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	*ret_created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		cli_usage_error(c, "cannot write the output file '%s': %s", path, strerror(errno));
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the copy to the file (replacing what it held) or, exactly as received, to standard output. */
static int save(struct cli *c, int fd, const char *path)
{
	if (fd < 0) {
		fwrite(c->answer.data ? c->answer.data : "", 1, c->answer.len, stdout);
		return 0;
	}
	if (ftruncate(fd, 0) < 0 || write_all(fd, c->answer.data ? c->answer.data : "", c->answer.len) < 0 ||
	    fsync(fd) < 0) {
		fprintf(stderr, "forewarn: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int inbox(struct cli *c, int argc, char **argv)
{
	static const char *const cols[] = {
	    "id", "tlp", "status", "public_at", "revision", "parts", "title", NULL,
	};
	const char *out = NULL;
	int o, poc = 0, fd = -1, created = 0, r;

	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == OPT_POC)
			poc = 1;
		else if (o == 'o')
			out = optarg;
	}
	if (o < 0)
		return c->status;
	if (c->nargs == 0) {
		if (poc || out)
			return cli_usage_error(c, "--poc and -o need an advisory ID");
		if (cli_pathf(c, "/api/v1/inbox"))
			return EXIT_USAGE;
		return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "advisories", cols);
	}
	if (cli_pathf(c, poc ? "/api/v1/inbox/%s/poc" : "/api/v1/inbox/%s", c->args[0]))
		return EXIT_USAGE;
	if (out && strcmp(out, "-") != 0) {
		fd = open_output(c, out, &created);
		if (fd < 0)
			return EXIT_USAGE;
	}
	r = cli_call(c, "GET", NULL, 0);
	if (r == 0)
		r = save(c, fd, out);
	if (fd >= 0 && close(fd) < 0 && r == 0) {
		fprintf(stderr, "forewarn: cannot write '%s': %s\n", out, strerror(errno));
		r = 1;
	}
	if (r && created)
		unlink(out);
	return r;
}

static const struct cli_cmd cmds[] = {
    {NULL, "[ID] [--poc] [-o FILE]", "a partner's advisories, and its copies",
     "    Without ID, lists the advisories this partner may see now: id, TLP label (AMBER or RED\n"
     "    while embargoed, WHITE once public), status, public release time, revision, the parts it\n"
     "    receives, title.\n"
     "    With ID, downloads this partner's own copy of the advisory, a CSAF 2.0 JSON document, or\n"
     "    with --poc its proof of concept, to standard output or to FILE (made with mode 0600). Each\n"
     "    copy is made for this partner alone, and each download is recorded: who, which revision,\n"
     "    when, from which address. An advisory the partner may not see answers 404, like one that\n"
     "    does not exist. Needs a partner token.",
     "    --poc              download the proof of concept instead of the CSAF document\n"
     "    -o, --output FILE  write the download to FILE ('-': standard output, the default)\n",
     "    forewarn inbox --token-file acme-av.token\n"
     "    forewarn inbox fw-2025-0042 -o fw-2025-0042.json --token-file acme-av.token",
     inbox_opts, "o:", 0, 1, inbox},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_inbox_group = {
    "inbox", "a partner's advisories, and its copies", "", "", cmds,
};
