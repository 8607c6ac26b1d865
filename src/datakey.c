/*
 * The data key of a data directory and `forewarn data-key` (docs/security.md): loading the key
 * (FOREWARN_DATA_KEY, else DIR/data.key), and rotating it so that a kill -9 at any instant leaves a directory
 * the server opens: the new key is durable in data.key.new before the database commits to it, the database
 * records which key it needs, and whoever opens it next finishes the rename and the purge.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "forewarn/ops.h"
#include "cli.h"
#include "datakey.h"

#define PATH_LEN 4200
#define PROG     "forewarn data-key"

static void path_of(char out[PATH_LEN], const char *dir, const char *name)
{
	snprintf(out, PATH_LEN, "%s/%s", dir, name);
}

/* sync_dir: makes a new or renamed entry of dir durable. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return FW_EIO;
	r = fsync(fd) == 0 ? 0 : FW_EIO;
	close(fd);
	return r;
}

/* crash_point: a test hook: FOREWARN_TEST_CRASH_AT=STEP kills the process there as kill -9 would. */
static void crash_point(const char *step)
{
	const char *at = getenv("FOREWARN_TEST_CRASH_AT");

	if (at && strcmp(at, step) == 0)
		raise(SIGKILL);
}

int datakey_lock(const char *prog, const char *dir, int exclusive)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e;

	if (fd < 0) {
		fprintf(stderr, "%s: cannot open the data directory '%s': %s\n", prog, dir, strerror(errno));
		return FW_EIO;
	}
	/* flock on the directory itself: released by the kernel when the holder dies, however it dies */
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
		return fd;
	e = errno;
	close(fd);
	if (e != EWOULDBLOCK) {
		fprintf(stderr, "%s: cannot lock the data directory '%s': %s\n", prog, dir, strerror(e));
		return FW_EIO;
	}
	if (exclusive)
		fprintf(
		    stderr,
		    "%s: '%s' is in use by a running server (or another rotation): stop the server first, the"
		    " data key is rotated offline\n",
		    prog, dir);
	else
		fprintf(stderr,
		        "%s: the data key of '%s' is being rotated: start again when 'forewarn data-key "
		        "rotate' has"
		        " finished\n",
		        prog, dir);
	return FW_EBUSY;
}

/*
 * env_key: the key in environment variable `name`, which is then wiped (it would stay readable in
 * /proc/PID/environ): 1 with *ret set, 0 when the variable is unset or empty, or a negative code.
 */
static int env_key(const char *prog, const char *name, struct fw_data_key **ret)
{
	char *v = getenv(name);
	int r;

	if (!v || !v[0])
		return 0;
	r = fw_data_key_parse(v, ret);
	fw_crypto_wipe(v, strlen(v));
	unsetenv(name);
	if (r == FW_EINVAL)
		fprintf(stderr,
		        "%s: %s is not a data key: it must be 64 hex digits or 44 characters of base64\n",
		        prog, name);
	else if (r < 0)
		fprintf(stderr, "%s: cannot read %s: %s\n", prog, name, fw_strerror(r));
	return r < 0 ? r : 1;
}

static int file_key(const char *prog, const char *path, struct fw_data_key **ret)
{
	int r = fw_data_key_load(path, ret);

	if (r == FW_ENOENT)
		fprintf(stderr,
		        "%s: cannot load the data key '%s': no such file (restore it from its backup, or "
		        "give the key"
		        " in " DATA_KEY_ENV ")\n",
		        prog, path);
	else if (r == FW_EPERM)
		fprintf(stderr,
		        "%s: refusing the data key '%s': group or others may read it; the data key file must "
		        "be mode"
		        " 0600 (chmod 600 '%s')\n",
		        prog, path, path);
	else if (r == FW_EINVAL)
		fprintf(stderr, "%s: cannot load the data key '%s': it is not a data key (32 bytes)\n", prog,
		        path);
	else if (r < 0)
		fprintf(stderr, "%s: cannot load the data key '%s': %s\n", prog, path, fw_strerror(r));
	return r;
}

int datakey_create(const char *prog, const char *dir)
{
	char path[PATH_LEN];
	struct fw_data_key *k = NULL;
	const char *env = getenv(DATA_KEY_ENV);
	int r;

	if (env && env[0]) { /* the operator keeps the key elsewhere: only check its form now */
		r = fw_data_key_parse(env, &k);
		fw_data_key_free(k);
		if (r == FW_EINVAL)
			fprintf(stderr,
			        "%s: " DATA_KEY_ENV " is not a data key: it must be 64 hex digits or 44"
			        " characters of base64\n",
			        prog);
		return r;
	}
	path_of(path, dir, "data.key");
	r = fw_data_key_generate(&k);
	if (r == 0)
		r = fw_data_key_write(k, path);
	fw_data_key_free(k);
	if (r < 0)
		fprintf(stderr, "%s: cannot create the data key '%s': %s\n", prog, path, fw_strerror(r));
	return r;
}

/*
 * finish_rotation: the database is sealed under the key in data.key.new, not under data.key's: a rotation
 * committed and stopped before its rename. Does the rename; *k becomes that key.
 */
static int finish_rotation(const char *prog, const char *dir, struct fw_store *s, struct fw_data_key **k)
{
	char path[PATH_LEN], newpath[PATH_LEN];
	struct fw_data_key *nk = NULL;
	struct fw_error err = {0};
	int r;

	path_of(path, dir, "data.key");
	path_of(newpath, dir, "data.key.new");
	if (fw_data_key_load(newpath, &nk) < 0)
		return FW_ENOENT;
	r = fw_store_set_data_key(s, nk, &err);
	if (r == 0 && (rename(newpath, path) < 0 || sync_dir(dir) < 0)) {
		fprintf(stderr,
		        "%s: cannot finish the interrupted data key rotation: renaming '%s' to '%s': %s\n",
		        prog, newpath, path, strerror(errno));
		r = FW_EIO;
	}
	if (r < 0) {
		fw_data_key_free(nk);
		return r == FW_EIO ? r : FW_ENOENT;
	}
	fprintf(stderr, "%s: finished an interrupted data key rotation: '%s' is now '%s' (back it up)\n",
	        prog, newpath, path);
	fw_data_key_free(*k);
	*k = nk;
	return 0;
}

int datakey_attach(const char *prog, const char *dir, struct fw_store *s, struct fw_data_key **ret)
{
	char path[PATH_LEN], from[PATH_LEN + 8], flag[8];
	struct fw_data_key *k = NULL;
	struct fw_error err = {0};
	int r, env, reported = 0;

	path_of(path, dir, "data.key");
	env = env_key(prog, DATA_KEY_ENV, &k);
	if (env < 0)
		return env;
	if (env)
		snprintf(from, sizeof(from), DATA_KEY_ENV);
	else if ((r = file_key(prog, path, &k)) < 0)
		return r;
	else
		snprintf(from, sizeof(from), "'%s'", path);
	r = fw_store_set_data_key(s, k, &err);
	if (r == FW_ECRYPTO && !env) {
		int f = finish_rotation(prog, dir, s, &k);

		if (f == 0)
			r = 0;
		else if (f == FW_EIO) {
			r = f;
			reported = 1;
		}
	}
	if (r < 0 && !reported) {
		if (r == FW_ECRYPTO && err.message[0])
			fprintf(stderr, "%s: the data key from %s does not open this database: %s\n", prog,
			        from, err.message);
		else if (err.message[0])
			fprintf(stderr, "%s: cannot use the database in '%s': %s\n", prog, dir, err.message);
		else
			fprintf(stderr, "%s: cannot give the database in '%s' its data key: %s\n", prog, dir,
			        fw_strerror(r));
	}
	/* A rotation that stopped before its purge: old-key values may linger in free pages or the log. */
	if (r == 0 && fw_store_meta_get(s, "data_key_purge", flag, sizeof(flag)) == 0 &&
	    strcmp(flag, "1") == 0 && (r = fw_store_purge(s)) < 0)
		fprintf(stderr, "%s: cannot purge what the last data key rotation left in '%s': %s\n", prog,
		        dir, fw_strerror(r));
	if (r < 0) {
		fw_data_key_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

/* open_dir: the store of data directory dir (which must exist), with its data key attached. */
static int open_dir(const char *dir, struct fw_store **ret_s, struct fw_data_key **ret_k)
{
	char db[PATH_LEN], uri[PATH_LEN + 8];
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	int r;

	path_of(db, dir, "forewarn.db");
	/* fw_store_open would create a database where there is none: check first. */
	if (access(db, R_OK | W_OK) != 0) {
		fprintf(stderr, PROG ": '%s' is not a data directory ('%s': %s)\n", dir, db, strerror(errno));
		return FW_ENOENT;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	r = fw_store_open(uri, FW_STORE_SYNC_FULL, &s, &err);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", err.message[0] ? err.message : fw_strerror(r));
		return r;
	}
	r = datakey_attach(PROG, dir, s, ret_k);
	if (r < 0) {
		fw_store_free(s);
		return r;
	}
	*ret_s = s;
	return 0;
}

static int rekey_progress(void *ctx, uint64_t values)
{
	(void)ctx;
	(void)values;
	crash_point("rekeying"); /* inside the transaction, after the first row */
	return 0;
}

static int rotate(const char *dir, int quiet)
{
	char path[PATH_LEN], newpath[PATH_LEN], old[FW_DATA_KEY_ID_LEN];
	struct fw_data_key *k = NULL, *nk = NULL;
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	const char *env = getenv(DATA_KEY_ENV);
	int lock, r, env_mode = env && env[0];
	uint64_t values = 0;

	path_of(path, dir, "data.key");
	path_of(newpath, dir, "data.key.new");
	if ((lock = datakey_lock(PROG, dir, 1)) < 0)
		return 1;
	if ((r = open_dir(dir, &s, &k)) < 0)
		goto out;
	snprintf(old, sizeof(old), "%s", fw_data_key_id(k));
	if (env_mode) {
		/* The operator holds both keys: nothing is written beside the database. */
		r = env_key(PROG, DATA_KEY_NEW_ENV, &nk);
		if (r == 0) {
			fprintf(stderr,
			        PROG ": " DATA_KEY_ENV " is set: give the new key in " DATA_KEY_NEW_ENV
			             " (make one with 'forewarn data-key generate')\n");
			r = FW_EINVAL;
		}
		if (r < 0)
			goto out;
	} else {
		/* The database opened with data.key: a data.key.new is left from a rotation that never
		 * committed. */
		if (unlink(newpath) < 0 && errno != ENOENT) {
			fprintf(stderr, PROG ": cannot remove the stale '%s': %s\n", newpath,
			        strerror(errno));
			r = FW_EIO;
			goto out;
		}
		do {
			fw_data_key_free(nk);
			nk = NULL;
			r = fw_data_key_generate(&nk);
		} while (r == 0 && strcmp(fw_data_key_id(nk), old) == 0);
		/* Durable before the database needs it: a crash after the commit finds it there. */
		if (r == 0 && (r = fw_data_key_write(nk, newpath)) == 0)
			r = sync_dir(dir);
		if (r < 0) {
			fprintf(stderr, PROG ": cannot write the new data key '%s': %s\n", newpath,
			        fw_strerror(r));
			goto out;
		}
		crash_point("key-written");
	}
	r = fw_ops_data_key_rotate(s, "data-key", nk, rekey_progress, NULL, &values, &err);
	if (r < 0) {
		fprintf(stderr, PROG ": cannot re-encrypt the database: %s\n",
		        err.message[0] ? err.message : fw_strerror(r));
		if (!env_mode)
			unlink(newpath);
		goto out;
	}
	crash_point("committed");
	if (!env_mode) {
		if (rename(newpath, path) < 0 || sync_dir(dir) < 0) {
			/* The database needs the new key now: the next opener finishes this rename. */
			fprintf(stderr, PROG ": re-encrypted, but cannot rename '%s' to '%s': %s\n", newpath,
			        path, strerror(errno));
			r = FW_EIO;
			goto out;
		}
		crash_point("renamed");
	}
	r = fw_store_purge(s);
	if (r < 0) {
		fprintf(
		    stderr,
		    PROG
		    ": re-encrypted, but cannot purge the old values from '%s': %s (the next start does)\n",
		    dir, fw_strerror(r));
		goto out;
	}
	crash_point("purged");
	if (!quiet) {
		printf("Rotated the data key of %s: %llu values re-encrypted under key %s (was %s).\n", dir,
		       (unsigned long long)values, fw_data_key_id(nk), old);
		if (env_mode)
			printf("Put the new key in " DATA_KEY_ENV " in place of the old one now.\n");
		else
			printf("Back up the new %s now: the old key no longer opens this database.\n", path);
	}
out:
	fw_store_free(s);
	fw_data_key_free(k);
	fw_data_key_free(nk);
	close(lock);
	return r < 0 ? 1 : 0;
}

static int verify(const char *dir, int quiet)
{
	struct fw_data_key *k = NULL;
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	uint64_t values = 0;
	int lock, r;

	if ((lock = datakey_lock(PROG, dir, 0)) < 0)
		return 1;
	if ((r = open_dir(dir, &s, &k)) < 0)
		goto out;
	r = fw_store_rekey(s, NULL, NULL, NULL, &values, &err);
	if (r < 0)
		fprintf(stderr, PROG ": %s\n", err.message[0] ? err.message : fw_strerror(r));
	else if (!quiet)
		printf("All %llu encrypted values open with the data key %s.\n", (unsigned long long)values,
		       fw_data_key_id(k));
out:
	fw_store_free(s);
	fw_data_key_free(k);
	close(lock);
	return r < 0 ? 1 : 0;
}

static int generate(void)
{
	char hex[FW_DATA_KEY_HEX_LEN];
	struct fw_data_key *k = NULL;

	if (fw_data_key_generate(&k) < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	fw_data_key_hex(k, hex);
	printf("%s\n", hex);
	fw_crypto_wipe(hex, sizeof(hex));
	fw_data_key_free(k);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n    forewarn data-key - the key that encrypts embargoed content at rest\n\n"
	    "SYNOPSIS\n"
	    "    forewarn data-key rotate --data DIR [--quiet]\n"
	    "    forewarn data-key verify --data DIR [--quiet]\n"
	    "    forewarn data-key generate\n\n"
	    "DESCRIPTION\n"
	    "    Every advisory's title, CVE ids, products and CVSS vector, and every revision's note and "
	    "parts,\n"
	    "    are stored encrypted (XChaCha20-Poly1305) under the data key, which is kept outside the\n"
	    "    database: DIR/data.key (32 random bytes, mode 0600, made by 'forewarn init'), or the\n"
	    "    environment variable " DATA_KEY_ENV " (64 hex digits or 44 characters of base64), which\n"
	    "    takes precedence. A copy of the database alone reveals nothing embargoed; without its key "
	    "it\n"
	    "    cannot be read either: back the key up, apart from the database (docs/security.md).\n\n"
	    "    rotate    makes a new key, re-encrypts every value under it in one transaction, replaces\n"
	    "              DIR/data.key, and rewrites the database files so that nothing under the old key\n"
	    "              remains. Runs with the server stopped (refused while one runs). Safe to "
	    "interrupt\n"
	    "              at any point, kill -9 included: the next 'serve' or 'data-key' finishes it or\n"
	    "              forgets it. With " DATA_KEY_ENV " set, the new key is taken from\n"
	    "              " DATA_KEY_NEW_ENV " and no key file is written.\n"
	    "    verify    opens every encrypted value with the data key (after restoring a backup, say).\n"
	    "    generate  prints a new random key in hex, for " DATA_KEY_ENV " or " DATA_KEY_NEW_ENV ".\n\n"
	    "OPTIONS\n"
	    "    --data DIR  the data directory (or FOREWARN_DATA)\n"
	    "    --quiet     print nothing on success\n\n"
	    "EXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n");
}

int cmd_data_key(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *data = getenv("FOREWARN_DATA"), *sub;
	int c, quiet = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
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
	sub = argv[optind];
	if (strcmp(sub, "generate") == 0)
		return generate();
	if (strcmp(sub, "rotate") != 0 && strcmp(sub, "verify") != 0) {
		fprintf(stderr, PROG ": unknown command '%s' (rotate, verify or generate)\n", sub);
		return EXIT_USAGE;
	}
	if (!data || !data[0]) {
		fprintf(stderr, PROG ": --data DIR is required\n");
		return EXIT_USAGE;
	}
	if (strlen(data) > 3000) {
		fprintf(stderr, PROG ": the directory name is too long\n");
		return EXIT_USAGE;
	}
	return strcmp(sub, "rotate") == 0 ? rotate(data, quiet) : verify(data, quiet);
}
