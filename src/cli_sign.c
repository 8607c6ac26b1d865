/*
 * Signed and sealed copies, on the partner's side: `forewarn verify` checks a copy against its signature with
 * the server's public signing key, offline; `forewarn keygen --seal` makes an X25519 key pair to register;
 * `forewarn open` opens a copy sealed to it. None needs a token; verify --url fetches the key (no token).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "forewarn/crypto.h"
#include "forewarn/signing.h"
#include "client.h"
#include "cli_sign.h"

#define COPY_MAX   HTTP_RESPONSE_MAX                         /* a copy, as the client downloads it */
#define SEALED_MAX (HTTP_RESPONSE_MAX + FW_SEALBOX_OVERHEAD) /* a sealed copy */
#define B64_KEY    45                                        /* base64 of a 32-byte key, and NUL */

enum { OPT_KEY = CLI_OPT_FIRST, OPT_DATA, OPT_SECRET_KEY, OPT_SEAL };

static const struct option verify_opts[] = {
    {"key", required_argument, NULL, OPT_KEY},
    {"data", required_argument, NULL, OPT_DATA},
    {NULL, 0, NULL, 0},
};
static const struct option open_opts[] = {
    {"secret-key", required_argument, NULL, OPT_SECRET_KEY},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};
static const struct option keygen_opts[] = {
    {"seal", required_argument, NULL, OPT_SEAL},
    {NULL, 0, NULL, 0},
};

/* options: the command's options by code into v (indexed from CLI_OPT_FIRST; 'o' into *out). */
static int options(struct cli *c, int argc, char **argv, const char *v[4], const char **out)
{
	int o;

	c->token_optional = 1; /* these commands need no token (verify --url fetches a public key) */
	while ((o = cli_getopt(c, argc, argv)) > 0) {
		if (o == 'o' && out)
			*out = optarg;
		else if (o >= CLI_OPT_FIRST && o < CLI_OPT_FIRST + 4)
			v[o - CLI_OPT_FIRST] = optarg;
	}
	return o;
}

/* Writes n bytes to path (made with mode 0600, or replaced), or to standard output when path is NULL or "-".
 */
static int write_out(const char *prefix, const char *path, const void *p, size_t n)
{
	const char *s = p;
	int fd;

	if (!path || strcmp(path, "-") == 0)
		return fwrite(p, 1, n, stdout) == n ? 0 : 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", prefix, path, strerror(errno));
		return 1;
	}
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "%s: cannot write '%s': %s\n", prefix, path, strerror(errno));
			close(fd);
			return 1;
		}
		s += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", prefix, path, strerror(errno));
		return 1;
	}
	return 0;
}

/* --- verify FILE SIGFILE */

/* remote_key: the key document from GET /api/v1/keys/signing at --url, into b. 0 or the exit status. */
static int remote_key(struct cli *c, struct fw_buf *b)
{
	char errbuf[HTTP_ERRBUF_SIZE];
	long status = 0;
	int r = http_call("GET", c->url, "/api/v1/keys/signing", NULL, NULL, 0, &status, b, errbuf);

	if (r < 0) {
		fprintf(stderr, "%s: cannot fetch the signing key from %s: %s\n", c->prefix, c->url, errbuf);
		return 1;
	}
	if (status != 200) {
		fprintf(stderr, "%s: %s answered %ld to GET /api/v1/keys/signing (is --url right?)\n",
		        c->prefix, c->url, status);
		return 1;
	}
	return 0;
}

/* load_key: the public key from --key FILE, --data DIR (DIR/sign.pub) or --url; 0 or the exit status. */
static int load_key(struct cli *c, const char *file, const char *data, unsigned char pk[32])
{
	struct fw_buf b = {0};
	struct fw_error err = {{0}, {0}};
	char path[CLI_PATH_MAX + 16], from[CLI_PATH_MAX + 32], keyid[FW_KEY_ID_HEX];
	int r, n = !!file + !!data + !!c->url_opt;

	if (n == 0)
		return cli_usage_error(
		    c, "the server's public signing key is required: --key FILE (its sign.pub, "
		       "or what GET /api/v1/keys/signing serves), --data DIR or --url URL");
	if (n > 1)
		return cli_usage_error(c, "give one of --key, --data and --url");
	if (data) {
		if ((size_t)snprintf(path, sizeof(path), "%s/sign.pub", data) >= sizeof(path))
			return cli_usage_error(c, "--data: the path is too long");
		file = path;
	}
	if (file) {
		r = cli_read_file(c, "the key file", file, FW_SIGN_KEY_MAX, 1, &b);
		snprintf(from, sizeof(from), "'%s'", file);
	} else {
		r = remote_key(c, &b);
		snprintf(from, sizeof(from), "the answer of %s/api/v1/keys/signing", c->url);
	}
	if (r == 0 && fw_sign_key_parse(b.data ? b.data : "", b.len, pk, &err) < 0)
		r = cli_usage_error(c, "%s is not a signing key: %s%s%s", from, err.field,
		                    err.field[0] ? " " : "", err.message);
	fw_buf_release(&b);
	if (r == 0 && !file) {
		fw_key_id(pk, keyid);
		fprintf(
		    stderr,
		    "%s: warning: key %s comes from the server it vouches for; check its id against the one "
		    "the operator gave you\n",
		    c->prefix, keyid);
	}
	return r;
}

static int cmd_verify(struct cli *c, int argc, char **argv)
{
	const char *v[4] = {NULL};
	unsigned char pk[32], h[32];
	struct fw_buf sigtext = {0}, copy = {0};
	struct fw_signature d;
	struct fw_error err = {{0}, {0}};
	char hex[65];
	int r;

	if (options(c, argc, argv, v, NULL) < 0)
		return c->status;
	r = load_key(c, v[OPT_KEY - CLI_OPT_FIRST], v[OPT_DATA - CLI_OPT_FIRST], pk);
	if (r == 0)
		r = cli_read_file(c, "the signature", c->args[1], FW_SIGN_DOC_MAX, 1, &sigtext);
	if (r == 0)
		r = cli_read_file(c, "the file", c->args[0], COPY_MAX, 0, &copy);
	if (r != 0)
		goto out;
	if (fw_signature_parse(sigtext.data ? sigtext.data : "", sigtext.len, &d, &err) < 0) {
		r = cli_failed(
		    "verification FAILED",
		    "'%s' is not a signature (as GET /api/v1/inbox/ID/sig serves it, or a Forewarn-Signature "
		    "header): %s %s",
		    c->args[1], err.field, err.message);
		goto out;
	}
	if (fw_signature_verify(&d, pk, copy.data ? copy.data : "", copy.len, &err) < 0) {
		r = cli_failed("verification FAILED", "'%s' is not what '%s' signs: %s", c->args[0],
		               c->args[1], err.message);
		goto out;
	}
	fw_sha256(copy.data ? copy.data : "", copy.len, h);
	fw_crypto_hex(h, sizeof(h), hex);
	/* Only the bytes are signed: the labels of a signature document are said to be unsigned. */
	if (d.have_digest)
		printf(
		    "verified: '%s' is signed with key %s: %zu bytes, SHA-256 %s (the signature covers these "
		    "bytes; the signature file's labels, %s revision %d (%s), are not signed)\n",
		    c->args[0], d.key_id, copy.len, hex, d.advisory, d.revision, d.what);
	else
		printf("verified: '%s' is signed with key %s: %zu bytes, SHA-256 %s\n", c->args[0], d.key_id,
		       copy.len, hex);
out:
	if (copy.data)
		fw_crypto_wipe(copy.data, copy.len); /* embargoed text */
	fw_buf_release(&copy);
	fw_buf_release(&sigtext);
	return r;
}

/* --- open FILE --secret-key KEYFILE [-o OUT] */

/* read_secret: the X25519 secret key of a key file (one line of base64, mode 0600); 0 or the exit status. */
static int read_secret(struct cli *c, const char *path, unsigned char sk[32])
{
	char text[128];
	size_t n = 0;
	int r = fw_secret_file_read(path, text, sizeof(text));

	if (r == FW_EPERM)
		r = cli_usage_error(c,
		                    "--secret-key: '%s' may be read by others: make it mode 0600 (and think "
		                    "whether the key has leaked)",
		                    path);
	else if (r == FW_ENOENT)
		r = cli_usage_error(c, "--secret-key: '%s' does not exist", path);
	else if (r < 0)
		r = cli_usage_error(c, "--secret-key: cannot read '%s': %s", path, fw_strerror(r));
	else if (fw_base64_decode(text, strlen(text), sk, 32, &n) < 0 || n != 32)
		r = cli_usage_error(
		    c,
		    "--secret-key: '%s' is not a sealing secret key (one line of base64 of 32 "
		    "bytes, as 'forewarn keygen --seal' writes it)",
		    path);
	fw_crypto_wipe(text, sizeof(text));
	return r;
}

static int cmd_open(struct cli *c, int argc, char **argv)
{
	const char *v[4] = {NULL}, *out = NULL;
	unsigned char sk[32], pk[32], *plain = NULL;
	struct fw_buf box = {0};
	char keyid[FW_KEY_ID_HEX];
	int r;

	if (options(c, argc, argv, v, &out) < 0)
		return c->status;
	if (!v[OPT_SECRET_KEY - CLI_OPT_FIRST])
		return cli_usage_error(
		    c, "--secret-key FILE is required (OUT.key of 'forewarn keygen --seal OUT')");
	r = read_secret(c, v[OPT_SECRET_KEY - CLI_OPT_FIRST], sk);
	if (r == 0 && fw_x25519_public_of(sk, pk) < 0) {
		fprintf(stderr, "%s: cannot derive the public key\n", c->prefix);
		r = 1;
	}
	if (r == 0)
		r = cli_read_file(c, "the sealed file", c->args[0], SEALED_MAX, 0, &box);
	if (r != 0)
		goto out;
	fw_key_id(pk, keyid);
	if (box.len < FW_SEALBOX_OVERHEAD) {
		fprintf(stderr,
		        "%s: cannot open '%s': %zu bytes are too few for a sealed box (%d at least)\n",
		        c->prefix, c->args[0], box.len, FW_SEALBOX_OVERHEAD);
		r = 1;
		goto out;
	}
	plain = malloc(box.len - FW_SEALBOX_OVERHEAD + 1);
	if (!plain) {
		fprintf(stderr, "%s: out of memory\n", c->prefix);
		r = 1;
		goto out;
	}
	if (fw_seal_open(pk, sk, (const unsigned char *)box.data, box.len, plain) < 0) {
		fprintf(stderr, "%s: cannot open '%s': it was not sealed to key %s, or it was changed\n",
		        c->prefix, c->args[0], keyid);
		r = 1;
		goto out;
	}
	r = write_out(c->prefix, out, plain, box.len - FW_SEALBOX_OVERHEAD);
	if (r == 0 && out && strcmp(out, "-") != 0)
		fprintf(stderr, "opened '%s' (sealed to key %s) into '%s': %zu bytes\n", c->args[0], keyid,
		        out, box.len - FW_SEALBOX_OVERHEAD);
out:
	fw_crypto_wipe(sk, sizeof(sk));
	if (plain)
		fw_crypto_wipe(plain, box.len - FW_SEALBOX_OVERHEAD); /* embargoed text */
	free(plain);
	fw_buf_release(&box);
	return r;
}

/* --- keygen --seal OUT */

static int cmd_keygen(struct cli *c, int argc, char **argv)
{
	const char *v[4] = {NULL}, *base;
	unsigned char pk[32], sk[32];
	char keyp[CLI_PATH_MAX], pubp[CLI_PATH_MAX], skb64[B64_KEY], pkb64[B64_KEY], keyid[FW_KEY_ID_HEX];
	FILE *f;
	int r;

	if (options(c, argc, argv, v, NULL) < 0)
		return c->status;
	base = v[OPT_SEAL - CLI_OPT_FIRST];
	if (!base)
		return cli_usage_error(c, "--seal OUT is required: the key pair goes to OUT.key and OUT.pub");
	if ((size_t)snprintf(keyp, sizeof(keyp), "%s.key", base) >= sizeof(keyp) ||
	    (size_t)snprintf(pubp, sizeof(pubp), "%s.pub", base) >= sizeof(pubp))
		return cli_usage_error(c, "--seal: the path is too long");
	if (access(keyp, F_OK) == 0 || access(pubp, F_OK) == 0)
		return cli_usage_error(c, "--seal: '%s' or '%s' exists already: never overwritten", keyp,
		                       pubp);
	if (fw_x25519_keypair(pk, sk) < 0) {
		fprintf(stderr, "%s: cannot make a key pair\n", c->prefix);
		return 1;
	}
	fw_base64_encode(sk, sizeof(sk), skb64);
	fw_base64_encode(pk, sizeof(pk), pkb64);
	fw_crypto_wipe(sk, sizeof(sk));
	r = fw_secret_file_write(keyp, skb64);
	fw_crypto_wipe(skb64, sizeof(skb64));
	if (r < 0) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", c->prefix, keyp, fw_strerror(r));
		return 1;
	}
	f = fopen(pubp, "wx");
	r = f && fprintf(f, "%s\n", pkb64) > 0 ? 0 : 1;
	if (f && fclose(f) != 0)
		r = 1;
	if (r) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", c->prefix, pubp, strerror(errno));
		unlink(keyp);
		return 1;
	}
	fw_key_id(pk, keyid);
	printf("%s\n", keyid);
	fprintf(stderr,
	        "sealing key pair %s: the secret key in '%s' (mode 0600: keep it, it opens your copies), the "
	        "public key in '%s' (register it: forewarn inbox --set-seal-key %s)\n",
	        keyid, keyp, pubp, pubp);
	return 0;
}

/* --- the sealing key of a partner: GET, PUT, DELETE (partner seal-key, inbox --set-seal-key) */

int cli_seal_key(struct cli *c, const char *file, int remove)
{
	static const char *const fields[] = {"partner",    "algorithm",  "key_id",
	                                     "public_key", "created_at", NULL};
	struct fw_buf text = {0}, body;
	struct cli_obj o;
	const char *key;
	int r;

	if (file && remove)
		return cli_usage_error(c, "give a key file or --remove, not both");
	if (remove) {
		if (cli_call(c, "DELETE", NULL, 0))
			return 1;
		if (!c->json)
			printf("removed the sealing key: copies can no longer be fetched sealed\n");
		return 0;
	}
	if (!file)
		return cli_call(c, "GET", NULL, 0) ? 1 : cli_fields(c, fields);
	r = cli_read_file(c, "the public key file", file, 1024, 1, &text);
	if (r != 0)
		return r;
	/* OUT.pub of keygen: one line of base64; the server checks it. */
	key = cli_trim(&text);
	if (!*key) {
		fw_buf_release(&text);
		return cli_usage_error(c, "the public key file '%s' is empty", file);
	}
	fw_buf_init(&body, CLI_BODY_MAX);
	cli_obj_begin(&o, &body);
	cli_obj_str(&o, "public_key", key);
	r = cli_obj_end(&o);
	fw_buf_release(&text);
	if (r < 0) {
		fw_buf_release(&body);
		return cli_body_error(c, r);
	}
	r = cli_call(c, "PUT", body.data, body.len) ? 1 : cli_fields(c, fields);
	fw_buf_release(&body);
	return r;
}

/* --- the groups: each is itself the command */

static const struct cli_cmd verify_cmds[] = {
    {NULL, "FILE SIGFILE [--key FILE | --data DIR | --url URL]", "check a copy's signature offline",
     "    Checks that FILE is exactly what the server signed: SIGFILE is its signature as the\n"
     "    companion route serves it (GET /api/v1/inbox/ID/sig for a copy, .../poc/sig for a PoC: see\n"
     "    'forewarn inbox --signature'), or the value of a Forewarn-Signature header saved to a file.\n"
     "    It checks, in this order, that the signature names the key given (its key id), that FILE\n"
     "    has the size and SHA-256 the signature records, and that the Ed25519 signature of FILE's\n"
     "    bytes verifies with the key. Prints \"verified: ...\" with the advisory, revision and key;\n"
     "    else \"verification FAILED: REASON\" on standard error, exit status 1.\n"
     "    The key is the server's public signing key: --key FILE reads sign.pub (from the operator)\n"
     "    or the document of GET /api/v1/keys/signing saved to a file, or its PEM, or its bare\n"
     "    base64; --data DIR reads DIR/sign.pub of a data directory; --url URL fetches it from the\n"
     "    server (no token needed), which proves nothing unless its key id is compared with the one\n"
     "    the operator gave. Works offline with --key or --data; needs no token.",
     "    --key FILE         the server's public signing key (sign.pub, JSON, PEM or base64)\n"
     "    --data DIR         the data directory whose sign.pub to use\n"
     "    (--url URL         fetch the key from the server at URL: GET /api/v1/keys/signing)\n",
     "    forewarn inbox fw-2026-0001 -o copy.json --token-file acme-av.token\n"
     "    forewarn inbox fw-2026-0001 --signature -o copy.sig --token-file acme-av.token\n"
     "    forewarn verify copy.json copy.sig --key forewarn-sign.pub",
     verify_opts, NULL, 2, 2, cmd_verify},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

static const struct cli_cmd open_cmds[] = {
    {NULL, "FILE --secret-key KEYFILE [-o OUT]", "open a copy sealed to your key",
     "    Opens FILE, a copy or PoC downloaded sealed to this partner's key ('forewarn inbox ID\n"
     "    --sealed', or GET /api/v1/inbox/ID?sealed=1: a libsodium sealed box), with the secret key in\n"
     "    KEYFILE (OUT.key of 'forewarn keygen --seal OUT': one line of base64, mode 0600; a key\n"
     "    file that others may read is refused). Writes the copy, byte for byte what the server\n"
     "    signed (check it with 'forewarn verify' and the copy's signature), to standard output or\n"
     "    to OUT (made with mode 0600). Exit status 1 when FILE was not sealed to this key or was\n"
     "    changed. Works offline; needs no token.",
     "    --secret-key FILE  the partner's X25519 secret key (OUT.key of keygen --seal)\n"
     "    -o, --output OUT   write the opened copy to OUT ('-': standard output, the default)\n",
     "    forewarn inbox fw-2026-0001 --sealed -o copy.sealed --token-file acme-av.token\n"
     "    forewarn open copy.sealed --secret-key acme-seal.key -o copy.json",
     open_opts, "o:", 1, 1, cmd_open},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

static const struct cli_cmd keygen_cmds[] = {
    {NULL, "--seal OUT", "make a key pair for sealed copies",
     "    Makes a new X25519 key pair for copies sealed to this partner: the secret key in OUT.key\n"
     "    (one line of base64, mode 0600: it opens every copy sealed to the key, so keep it\n"
     "    offline if you can) and the public key in OUT.pub (one line of base64). Neither file may\n"
     "    exist already. Prints the key id (the first 8 bytes of the SHA-256 of the public key, in\n"
     "    hex), which the server shows for the registered key. Register the public key with\n"
     "    'forewarn inbox --set-seal-key OUT.pub' (or have the operator run 'forewarn partner\n"
     "    seal-key ID OUT.pub'). Needs no server and no token.",
     "    --seal OUT         write the key pair to OUT.key and OUT.pub\n",
     "    forewarn keygen --seal acme-seal\n"
     "    forewarn inbox --set-seal-key acme-seal.pub --token-file acme-av.token",
     keygen_opts, NULL, 0, 0, cmd_keygen},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_verify_group = {"verify", "check a copy's signature offline", "", "", verify_cmds};
const struct cli_group cli_open_group = {"open", "open a copy sealed to your key", "", "", open_cmds};
const struct cli_group cli_keygen_group = {"keygen", "make a key pair for sealed copies", "", "",
                                           keygen_cmds};
