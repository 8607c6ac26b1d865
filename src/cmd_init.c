/*
 * `forewarn init DIR`: creates a data directory: the database with the default tiers and the default
 * jurisdiction rule, the token key, an admin token (DIR/admin.token, mode 0600, printed once), and a
 * self-signed TLS certificate and key for local use (DIR/tls.crt, DIR/tls.key mode 0600).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "forewarn/note.h"
#include "forewarn/ops.h"
#include "forewarn/signing.h"
#include "forewarn/timeutil.h"
#include "forewarn/tls.h"
#include "cli.h"
#include "datakey.h"

#define TLS_NAMES_MAX 16

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n    forewarn init - create a data directory\n\n"
	    "SYNOPSIS\n    forewarn init DIR [--publisher-name NAME] [--publisher-namespace URL]\n"
	    "                      [--restricted-countries CC,CC,...] [--log-origin ORIGIN] [--tls-name "
	    "NAME]...\n"
	    "                      [--demo] [--quiet]\n\n"
	    "DESCRIPTION\n"
	    "    Creates DIR (mode 0700) holding forewarn.db (SQLite), token.key (the key under which "
	    "bearer\n"
	    "    tokens are hashed, mode 0600) and admin.token (the first admin token, mode 0600, also "
	    "printed\n"
	    "    once). Installs the default tiers (vetted 120 h, standard 24 h) and the default "
	    "jurisdiction\n"
	    "    rule 'mandatory-reporting' (lead 0 h, summary only) for the countries given. Creates the\n"
	    "    fingerprinting key mark.key (mode 0600), which derives each partner's codeword, and the\n"
	    "    transparency log's Ed25519 signer key, log.key (mode 0600), and its verifier key, log.pub,\n"
	    "    which partners and auditors use to check checkpoints (docs/log.md). Creates the key that\n"
	    "    signs every copy and PoC served (Ed25519), sign.key (mode 0600), and its public key,\n"
	    "    sign.pub, which 'forewarn verify --key' reads (also at GET /api/v1/keys/signing). Creates\n"
	    "    the data key, data.key (mode 0600), under which embargoed content is encrypted at rest,\n"
	    "    unless the environment variable FOREWARN_DATA_KEY holds it (see 'forewarn data-key "
	    "--help').\n\n"
	    "OPTIONS\n"
	    "    --publisher-name NAME        the vendor named as CSAF publisher (default \"Forewarn "
	    "operator\")\n"
	    "    --publisher-namespace URL    the vendor's CSAF namespace (default "
	    "https://forewarn.example)\n"
	    "    --restricted-countries LIST  ISO 3166-1 alpha-2 codes under the mandatory-reporting rule\n"
	    "    --log-origin ORIGIN          the log's name in its checkpoints (default: the namespace's\n"
	    "                                 host followed by /forewarn-log)\n"
	    "    --tls-name NAME              one more DNS name or IP address for tls.crt (repeatable)\n"
	    "    --demo                       add the demo scenario (partners, advisories) and print two\n"
	    "                                 partner tokens\n"
	    "    --quiet                      print only the admin token\n\n"
	    "EXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n");
}

static int parse_countries(const char *list, struct fw_rule *rule)
{
	const char *cc[FW_MAX_COUNTRIES];
	char buf[3 * FW_MAX_COUNTRIES + 1];
	size_t n = 0;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
		if (!fw_country_valid(tok) || n == FW_MAX_COUNTRIES)
			return -1;
		cc[n++] = tok;
	}
	fw_default_rule(rule, cc, n);
	return 0;
}

/*
 * make_signing_key: the key that signs every copy and PoC served (docs/formats.md, "Signatures"): its seed
 * in DIR/sign.key (mode 0600), its public key document in DIR/sign.pub, as GET /api/v1/keys/signing serves
 * it.
 */
static int make_signing_key(const char *dir)
{
	unsigned char pk[FW_ED25519_PUBLIC_BYTES];
	struct fw_signer *signer = NULL;
	struct fw_buf doc;
	char path[4096];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/sign.key", dir);
	r = fw_key_file_create(path);
	if (r == 0)
		r = fw_signer_load(path, &signer);
	if (r < 0)
		return r;
	fw_signer_public(signer, pk);
	fw_signer_free(signer);
	fw_buf_init(&doc, 0);
	r = fw_sign_key_write(pk, &doc);
	snprintf(path, sizeof(path), "%s/sign.pub", dir);
	f = r == 0 ? fopen(path, "wx") : NULL;
	if (r == 0 && !f)
		r = FW_EIO;
	if (f && fprintf(f, "%s\n", doc.data) < 0)
		r = FW_EIO;
	if (f && fclose(f) != 0)
		r = FW_EIO;
	fw_buf_release(&doc);
	return r;
}

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"publisher-name", required_argument, NULL, 'p'},
	    {"publisher-namespace", required_argument, NULL, 'N'},
	    {"restricted-countries", required_argument, NULL, 'c'},
	    {"log-origin", required_argument, NULL, 'o'},
	    {"tls-name", required_argument, NULL, 'T'},
	    {"demo", no_argument, NULL, 'd'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *pub_name = "Forewarn operator", *pub_ns = "https://forewarn.example", *countries = "";
	const char *origin_opt = NULL;
	const char *tls_names[TLS_NAMES_MAX] = {"localhost", "127.0.0.1", "::1"};
	size_t ntls = 3;
	char origin[256], skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX];
	char path[4096], secret[FW_TOKEN_LEN], uri[4200];
	unsigned char key[FW_KEY_BYTES];
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	struct fw_rule rule;
	struct fw_token tok;
	struct fw_data_key *data_key = NULL;
	int c, demo = 0, quiet = 0, r, status = 1;
	const char *dir;
	size_t ntiers;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pub_name = optarg;
			break;
		case 'N':
			pub_ns = optarg;
			break;
		case 'c':
			countries = optarg;
			break;
		case 'o':
			origin_opt = optarg;
			break;
		case 'T':
			if (ntls == TLS_NAMES_MAX) {
				fprintf(stderr, "forewarn init: --tls-name: at most %d names\n",
				        TLS_NAMES_MAX - 3);
				return EXIT_USAGE;
			}
			tls_names[ntls++] = optarg;
			break;
		case 'd':
			demo = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (strlen(dir) > 3000) {
		fprintf(stderr, "forewarn init: the directory name is too long\n");
		return EXIT_USAGE;
	}
	/* Every argument is checked before anything is written: a refused init leaves the directory free. */
	if (fw_tls_names_check(tls_names, ntls, &err) < 0) {
		fprintf(stderr, "forewarn init: --tls-name: %s\n", err.message);
		return EXIT_USAGE;
	}
	memset(&err, 0, sizeof(err));
	if (parse_countries(countries, &rule) < 0) {
		fprintf(
		    stderr,
		    "forewarn init: --restricted-countries: '%s' is not a list of ISO 3166-1 alpha-2 codes\n",
		    countries);
		return EXIT_USAGE;
	}
	if (strlen(pub_name) > 120 || strlen(pub_ns) > 250 || strncmp(pub_ns, "https://", 8) != 0) {
		fprintf(stderr,
		        "forewarn init: the publisher name must be at most 120 characters and the namespace"
		        " an https:// URL of at most 250\n");
		return EXIT_USAGE;
	}
	/* The log's origin: given, or the publisher's host and a path, as C2SP suggests. */
	if (origin_opt)
		snprintf(origin, sizeof(origin), "%s", origin_opt);
	else
		snprintf(origin, sizeof(origin), "%.*s/forewarn-log", (int)strcspn(pub_ns + 8, "/:"),
		         pub_ns + 8);
	if (!fw_note_name_valid(origin, strlen(origin)) || strlen(origin) > 200) {
		fprintf(stderr,
		        "forewarn init: --log-origin: '%s' must be at most 200 characters without '+' or"
		        " spaces\n",
		        origin);
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "forewarn init: cannot create '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/forewarn.db", dir);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "forewarn init: '%s' is already a data directory\n", dir);
		return 1;
	}
	/* The key that encrypts embargoed content at rest: beside the database, or in FOREWARN_DATA_KEY. */
	if (datakey_create("forewarn init", dir) < 0)
		return 1;
	snprintf(path, sizeof(path), "%s/token.key", dir);
	r = fw_key_file_create(path);
	if (r < 0) {
		fprintf(stderr, "forewarn init: cannot create '%s': %s\n", path, fw_strerror(r));
		return 1;
	}
	r = fw_key_file_load(path, key);
	if (r == 0) {
		/* The secret that derives every partner's fingerprint codeword (docs/templates.md). */
		snprintf(path, sizeof(path), "%s/mark.key", dir);
		r = fw_key_file_create(path);
		snprintf(path, sizeof(path), "%s/token.key", dir);
	}
	if (r < 0) {
		fprintf(stderr, "forewarn init: cannot read '%s': %s\n", path, fw_strerror(r));
		return 1;
	}
	/* The log's signer key: secret, beside the database; its verifier key is public. */
	r = fw_note_key_generate(origin, skey, vkey);
	snprintf(path, sizeof(path), "%s/log.key", dir);
	if (r == 0)
		r = fw_secret_file_write(path, skey);
	fw_crypto_wipe(skey, sizeof(skey));
	if (r == 0) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/log.pub", dir);
		f = fopen(path, "wx");
		r = f ? 0 : FW_EIO;
		if (f && fprintf(f, "%s\n", vkey) < 0)
			r = FW_EIO;
		if (f && fclose(f) != 0)
			r = FW_EIO;
	}
	if (r < 0) {
		fprintf(stderr, "forewarn init: cannot create the log keys in '%s': %s\n", dir,
		        fw_strerror(r));
		return 1;
	}
	r = make_signing_key(dir);
	if (r < 0) {
		fprintf(stderr, "forewarn init: cannot create the signing keys in '%s': %s\n", dir,
		        fw_strerror(r));
		return 1;
	}
	/* The self-signed pair for HTTPS on this machine (docs/security.md); its names were checked above. */
	{
		char cert[4096];
		snprintf(path, sizeof(path), "%s/tls.key", dir);
		snprintf(cert, sizeof(cert), "%s/tls.crt", dir);
		r = fw_tls_selfsigned_create(cert, path, tls_names, ntls, 825, &err);
		if (r < 0) {
			fprintf(stderr, "forewarn init: cannot create the TLS certificate in '%s': %s\n", dir,
			        err.message[0] ? err.message : fw_strerror(r));
			return r == FW_EINVAL ? EXIT_USAGE : 1;
		}
		memset(&err, 0, sizeof(err));
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", dir);
	r = fw_store_open(uri, FW_STORE_SYNC_FULL, &s, &err);
	if (r < 0) {
		fprintf(stderr, "forewarn init: %s\n", err.message);
		goto out;
	}
	r = datakey_attach("forewarn init", dir, s, &data_key);
	if (r < 0)
		goto out;
	ntiers = fw_default_tiers(tiers);
	r = fw_store_meta_set(s, "publisher_name", pub_name);
	if (r == 0)
		r = fw_store_meta_set(s, "publisher_namespace", pub_ns);
	if (r == 0)
		r = fw_store_meta_set(s, "log_origin", origin);
	if (r == 0)
		r = fw_ops_tiers_set(s, "init", tiers, ntiers, fw_time_now(), &err);
	if (r == 0)
		r = fw_ops_rules_set(s, "init", &rule, 1, fw_time_now(), &err);
	if (r == 0)
		r = fw_ops_token_issue(s, "init", key, "", fw_time_now(), secret, &tok, &err);
	if (r < 0) {
		fprintf(stderr, "forewarn init: cannot set up the database: %s\n",
		        err.message[0] ? err.message : fw_strerror(r));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/admin.token", dir);
	if (fw_secret_file_write(path, secret) < 0) {
		fprintf(stderr, "forewarn init: cannot write '%s': %s\n", path, strerror(errno));
		goto out;
	}
	if (quiet) {
		printf("%s\n", secret);
	} else {
		printf("Initialised %s\n", dir);
		printf("Admin token (also in %s, shown once): %s\n", path, secret);
	}
	if (demo && demo_seed(s, key, stdout) < 0) {
		fprintf(stderr, "forewarn init: cannot add the demo data\n");
		goto out;
	}
	status = 0;
out:
	fw_crypto_wipe(secret, sizeof(secret));
	fw_crypto_wipe(key, sizeof(key));
	fw_store_free(s);
	fw_data_key_free(data_key);
	return status;
}
