/*
 * `forewarn inbox`: a partner's view, with a partner token (/api/v1/inbox...): the advisories it may see
 * now, and the download of its own copy (CSAF 2.0 JSON) or PoC, plain or sealed, or their signatures; and its
 * sealing key (/api/v1/me/seal-key). Every download is recorded by the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli_sign.h"

enum {
	OPT_POC = CLI_OPT_FIRST,
	OPT_SEALED,
	OPT_SIGNATURE,
	OPT_SET_SEAL_KEY,
	OPT_REMOVE_SEAL_KEY,
	OPT_SHOW_SEAL_KEY
};

static const struct option inbox_opts[] = {
    {"poc", no_argument, NULL, OPT_POC},
    {"output", required_argument, NULL, 'o'},
    {"sealed", no_argument, NULL, OPT_SEALED},
    {"signature", no_argument, NULL, OPT_SIGNATURE},
    {"set-seal-key", required_argument, NULL, OPT_SET_SEAL_KEY},
    {"remove-seal-key", no_argument, NULL, OPT_REMOVE_SEAL_KEY},
    {"show-seal-key", no_argument, NULL, OPT_SHOW_SEAL_KEY},
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
	const char *out = NULL, *seal_key = NULL;
	int o, poc = 0, sealed = 0, sig = 0, remove_key = 0, show_key = 0, fd = -1, created = 0, r;

	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == OPT_POC)
			poc = 1;
		else if (o == 'o')
			out = optarg;
		else if (o == OPT_SEALED)
			sealed = 1;
		else if (o == OPT_SIGNATURE)
			sig = 1;
		else if (o == OPT_SET_SEAL_KEY)
			seal_key = optarg;
		else if (o == OPT_REMOVE_SEAL_KEY)
			remove_key = 1;
		else if (o == OPT_SHOW_SEAL_KEY)
			show_key = 1;
	}
	if (o < 0)
		return c->status;
	if (seal_key || remove_key || show_key) {
		/* The partner's own sealing key: not about any advisory. */
		if (c->nargs || poc || out || sealed || sig || !!seal_key + remove_key + show_key > 1)
			return cli_usage_error(
			    c, "--set-seal-key, --remove-seal-key and --show-seal-key go alone");
		if (cli_pathf(c, "/api/v1/me/seal-key"))
			return EXIT_USAGE;
		return cli_seal_key(c, seal_key, remove_key);
	}
	if (c->nargs == 0) {
		if (poc || out || sealed || sig)
			return cli_usage_error(c, "--poc, --sealed, --signature and -o need an advisory ID");
		if (cli_pathf(c, "/api/v1/inbox"))
			return EXIT_USAGE;
		return cli_call(c, "GET", NULL, 0) ? 1 : cli_table(c, "advisories", cols);
	}
	if (sealed && sig)
		return cli_usage_error(c,
		                       "--signature is the copy's own signature: it goes without --sealed");
	if (cli_pathf(c, poc ? "/api/v1/inbox/%s/poc%s" : "/api/v1/inbox/%s%s", c->args[0],
	              sig ? "/sig" : ""))
		return EXIT_USAGE;
	if (sealed && cli_query(c, "sealed", "1"))
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
    {NULL,
     "[ID] [--poc] [--sealed | --signature] [-o FILE] | --set-seal-key FILE | --show-seal-key | "
     "--remove-seal-key",
     "a partner's advisories, and its copies",
     "    Without ID, lists the advisories this partner may see now: id, TLP label (AMBER or RED\n"
     "    while embargoed, WHITE once public), status, public release time, revision, the parts it\n"
     "    receives, title.\n"
     "    With ID, downloads this partner's own copy of the advisory, a CSAF 2.0 JSON document, or\n"
     "    with --poc its proof of concept, to standard output or to FILE (made with mode 0600). Each\n"
     "    copy is made for this partner alone, and each download is recorded: who, which revision,\n"
     "    when, from which address. An advisory the partner may not see answers 404, like one that\n"
     "    does not exist. Needs a partner token.\n"
     "    Every copy is signed by the server. --signature downloads the copy's (or with --poc the\n"
     "    PoC's) signature instead, which 'forewarn verify' checks offline; it is not a download\n"
     "    and is not recorded. --sealed downloads the copy sealed to this partner's registered key,\n"
     "    which only 'forewarn open' with the secret key reads. --set-seal-key FILE registers the\n"
     "    public key in FILE (OUT.pub of 'forewarn keygen --seal OUT'), replacing any earlier one;\n"
     "    --show-seal-key shows the registered key; --remove-seal-key removes it.",
     "    --poc                 the proof of concept instead of the CSAF document\n"
     "    --sealed              download the copy sealed to this partner's key (binary)\n"
     "    --signature           download the signature of the copy instead of the copy\n"
     "    -o, --output FILE     write the download to FILE ('-': standard output, the default)\n"
     "    --set-seal-key FILE   register the X25519 public key in FILE for sealed copies\n"
     "    --show-seal-key       show the registered sealing key\n"
     "    --remove-seal-key     remove the registered sealing key\n",
     "    forewarn inbox --token-file acme-av.token\n"
     "    forewarn inbox fw-2025-0042 -o fw-2025-0042.json --token-file acme-av.token\n"
     "    forewarn inbox fw-2025-0042 --signature -o fw-2025-0042.sig --token-file acme-av.token\n"
     "    forewarn verify fw-2025-0042.json fw-2025-0042.sig --key forewarn-sign.pub\n"
     "    forewarn keygen --seal acme-seal\n"
     "    forewarn inbox --set-seal-key acme-seal.pub --token-file acme-av.token\n"
     "    forewarn inbox fw-2025-0042 --sealed -o copy.sealed --token-file acme-av.token\n"
     "    forewarn open copy.sealed --secret-key acme-seal.key -o fw-2025-0042.json",
     inbox_opts, "o:", 0, 1, inbox},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_inbox_group = {
    "inbox", "a partner's advisories, and its copies", "", "", cmds,
};
