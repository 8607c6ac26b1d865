/*
 * `forewarn log`: the transparency log. Through /api/v1/log: the verifier key, checkpoints, proofs, receipts,
 * and a remote verification that recomputes the tree from the entries; on a stopped server's data directory:
 * verify --data; and the verifiers a partner or auditor runs with only the log's public key and what it
 * downloaded: verify-receipt and verify-consistency.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "forewarn/crypto.h"
#include "forewarn/json.h"
#include "forewarn/log.h"
#include "forewarn/merkle.h"
#include "forewarn/note.h"
#include "forewarn/store.h"
#include "cli_common.h"

#define PAGE         1000               /* entries per request: the server's maximum */
#define RECEIPT_MAX  (1024 * 1024)      /* a receipt: an entry, a checkpoint, at most 65 hashes */
#define PROOF_MAX    (64 * 1024)        /* a proof file: at most 65 hashes */
#define COPY_MAX     (64 * 1024 * 1024) /* a downloaded copy, as the client's answers */
#define KEY_FILE_MAX 4096               /* a verifier key file: one line */
#define B64_HASH     45                 /* base64 of a 32-byte hash, with its NUL */
#define HEX_HASH     65                 /* hex of a 32-byte hash, with its NUL */
#define NONE         UINT64_MAX         /* no bad index (yet) */

enum {
	OPT_DATA = CLI_OPT_FIRST,
	OPT_KEY,
	OPT_KEY_FILE,
	OPT_INDEX,
	OPT_SIZE,
	OPT_OLD,
	OPT_NEW,
	OPT_COPY,
	OPT_PROOF,
};

#define KEY_OPTS                                                                                             \
	{"key", required_argument, NULL, OPT_KEY},                                                           \
	{                                                                                                    \
		"key-file", required_argument, NULL, OPT_KEY_FILE                                            \
	}

static const struct option checkpoint_opts[] = {
    {"output", required_argument, NULL, 'o'},
    KEY_OPTS,
    {NULL, 0, NULL, 0},
};
static const struct option verify_opts[] = {
    {"data", required_argument, NULL, OPT_DATA},
    KEY_OPTS,
    {NULL, 0, NULL, 0},
};
static const struct option prove_opts[] = {
    {"index", required_argument, NULL, OPT_INDEX}, {"size", required_argument, NULL, OPT_SIZE},
    {"old", required_argument, NULL, OPT_OLD},     {"new", required_argument, NULL, OPT_NEW},
    {"output", required_argument, NULL, 'o'},      {NULL, 0, NULL, 0},
};
static const struct option receipt_opts[] = {
    {"index", required_argument, NULL, OPT_INDEX},
    {"output", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0},
};
static const struct option verify_receipt_opts[] = {
    {"copy", required_argument, NULL, OPT_COPY},
    KEY_OPTS,
    {NULL, 0, NULL, 0},
};
static const struct option verify_consistency_opts[] = {
    {"proof", required_argument, NULL, OPT_PROOF},
    KEY_OPTS,
    {NULL, 0, NULL, 0},
};

/* The options of every command; each command reads those it declares. */
struct opts {
	const char *data, *key, *key_file, *index, *size, *old_size, *new_size, *copy, *proof, *out;
	int have_token;
};

static int parse(struct cli *c, int argc, char **argv, struct opts *o)
{
	int r;

	memset(o, 0, sizeof(*o));
	/* The offline commands need no token; the others check need_token before any request. */
	c->token_optional = 1;
	while ((r = cli_getopt(c, argc, argv)) > 0) {
		switch (r) {
		case OPT_DATA:
			o->data = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_KEY_FILE:
			o->key_file = optarg;
			break;
		case OPT_INDEX:
			o->index = optarg;
			break;
		case OPT_SIZE:
			o->size = optarg;
			break;
		case OPT_OLD:
			o->old_size = optarg;
			break;
		case OPT_NEW:
			o->new_size = optarg;
			break;
		case OPT_COPY:
			o->copy = optarg;
			break;
		case OPT_PROOF:
			o->proof = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			break;
		}
	}
	if (r < 0)
		return -1;
	o->have_token = c->token[0] != '\0';
	if (o->key && o->key_file) {
		c->status = cli_usage_error(c, "give --key or --key-file, not both");
		return -1;
	}
	return 0;
}

static int need_token(struct cli *c, const struct opts *o)
{
	if (o->have_token)
		return 0;
	return cli_usage_error(c, "no token: give --token-file FILE or --token TOKEN, or set FOREWARN_TOKEN");
}

/* parse_u64: a whole number of at most 2^63 - 1 (the server's limit), digits only. */
static int parse_u64(const char *s, size_t len, uint64_t *ret)
{
	uint64_t n = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n > INT64_MAX)
		return -1;
	*ret = n;
	return 0;
}

static int number_opt(struct cli *c, const char *name, const char *value, uint64_t *ret)
{
	if (parse_u64(value, strlen(value), ret) < 0)
		return cli_usage_error(c, "--%s: '%s' is not a whole number", name, value);
	return 0;
}

/* json_u64: the whole number at a dotted path of a JSON object; -1 if absent or not one. */
static int json_u64(const char *json, size_t len, const char *path, uint64_t *ret)
{
	struct fw_buf b;
	int r;

	fw_buf_init(&b, 64);
	r = fw_json_get_text(json, len, path, &b);
	if (r == 0)
		r = parse_u64(b.data ? b.data : "", b.len, ret);
	fw_buf_release(&b);
	return r < 0 ? -1 : 0;
}

/* json_text: the string at a dotted path into out (initialised here; the caller releases it); -1 if absent.
 */
static int json_text(const char *json, size_t len, const char *path, size_t max, struct fw_buf *out)
{
	fw_buf_init(out, max);
	return fw_json_get_text(json, len, path, out) < 0 || !out->data ? -1 : 0;
}

static void b64_hash(const unsigned char h[FW_MERKLE_HASH_BYTES], char out[B64_HASH])
{
	fw_base64_encode(h, FW_MERKLE_HASH_BYTES, out);
}

/* A proof: the array "proof" of base64 hashes, at most FW_MERKLE_PROOF_MAX of them. */
struct proof {
	unsigned char hash[FW_MERKLE_PROOF_BYTES];
	size_t n;
};

static int proof_hash(void *ctx, size_t i, const char *text, size_t len)
{
	struct proof *p = ctx;
	size_t got;

	if (i >= FW_MERKLE_PROOF_MAX)
		return 1;
	if (fw_base64_decode(text, len, p->hash + i * FW_MERKLE_HASH_BYTES, FW_MERKLE_HASH_BYTES, &got) < 0 ||
	    got != FW_MERKLE_HASH_BYTES)
		return 1;
	p->n = i + 1;
	return 0;
}

static int get_proof(const char *json, size_t len, struct proof *p)
{
	p->n = 0;
	return fw_json_each_text(json, len, "proof", NULL, proof_hash, p) == 0 ? 0 : -1;
}

/* save: writes len bytes to path ("-": standard output); 0, or 1 after reporting why not. */
static int save(struct cli *c, const char *path, const void *data, size_t len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	int ok;

	if (!f) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", c->prefix, path, strerror(errno));
		return 1;
	}
	ok = fwrite(data, 1, len, f) == len;
	if (f == stdout)
		ok = ok && fflush(f) == 0;
	else
		ok = (fclose(f) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", c->prefix, path, strerror(errno));
		return 1;
	}
	return 0;
}

static const char *answer(struct cli *c)
{
	return c->answer.data ? c->answer.data : "";
}

static int unexpected(struct cli *c)
{
	fprintf(stderr, "forewarn: the server's answer is not what %s expects (try --json)\n", c->prefix);
	return 1;
}

/* first_line: the length of the first line of s without its trailing spaces and line end. */
static size_t first_line(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != '\n')
		n++;
	while (n > 0 && strchr(" \t\r", s[n - 1]))
		n--;
	return n;
}

/* key_label: "<name>+<key id>", as log.pub and signature lines name the key (the CLI has one thread). */
static const char *key_label(const struct fw_note_verifier *v)
{
	static char label[FW_NOTE_NAME_MAX + 10];

	snprintf(label, sizeof(label), "%s+%08x", fw_note_verifier_name(v),
	         (unsigned)fw_note_verifier_keyid(v));
	return label;
}

static int make_verifier(struct cli *c, const char *text, size_t len, const char *from,
                         struct fw_note_verifier **ret)
{
	struct fw_error err = {0};
	char *key = strndup(text, first_line(text, len));
	int r;

	if (!key) {
		fprintf(stderr, "%s: out of memory\n", c->prefix);
		return 1;
	}
	r = fw_note_verifier_new(key, ret, &err);
	free(key);
	if (r < 0)
		return cli_usage_error(c, "%s is not a log verifier key: %s", from,
		                       err.message[0] ? err.message : fw_strerror(r));
	return 0;
}

/*
 * load_verifier: the verifier key from --key or --key-file, else from the file fallback (NULL: none). *ret
 * stays NULL when there is none of these. Returns 0 or the exit status.
 */
static int load_verifier(struct cli *c, const struct opts *o, const char *fallback,
                         struct fw_note_verifier **ret)
{
	const char *file = o->key_file ? o->key_file : fallback;
	struct fw_buf b = {0};
	char from[CLI_PATH_MAX + 16];
	int r;

	*ret = NULL;
	if (o->key)
		return make_verifier(c, o->key, strlen(o->key), "--key", ret);
	if (!file)
		return 0;
	r = cli_read_file(c, "the verifier key file", file, KEY_FILE_MAX, 1, &b);
	snprintf(from, sizeof(from), "'%s'", file);
	if (r == 0)
		r = make_verifier(c, b.data ? b.data : "", b.len, from, ret);
	fw_buf_release(&b);
	return r;
}

static int require_verifier(struct cli *c, const struct opts *o, struct fw_note_verifier **ret)
{
	*ret = NULL;
	if (!o->key && !o->key_file)
		return cli_usage_error(c, "the log's verifier key is required: --key VKEY or --key-file FILE "
		                          "(log.pub, from the log's operator)");
	return load_verifier(c, o, NULL, ret);
}

/* open_checkpoint: verifies and parses a signed checkpoint; on failure err says why. */
static int open_checkpoint(const char *note, size_t len, struct fw_note_verifier *v, struct fw_checkpoint *cp,
                           struct fw_error *err)
{
	int r;

	memset(cp, 0, sizeof(*cp));
	memset(err, 0, sizeof(*err));
	r = fw_checkpoint_open(note, len, &v, 1, cp, err);
	if (r < 0 && !err->message[0])
		fw_error_set(err, r, "checkpoint", "%s", fw_strerror(r));
	return r;
}

static int get(struct cli *c, const char *path)
{
	return cli_pathf(c, path) ? EXIT_USAGE : cli_call(c, "GET", NULL, 0);
}

/* --- key, checkpoint */

static int cmd_key(struct cli *c, int argc, char **argv)
{
	struct opts o;
	int r;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	if ((r = need_token(c, &o)) != 0 || (r = get(c, "/api/v1/log/key")) != 0)
		return r;
	return cli_raw(c);
}

static int cmd_checkpoint(struct cli *c, int argc, char **argv)
{
	struct fw_note_verifier *v = NULL;
	struct fw_checkpoint cp;
	struct fw_error err;
	char root[B64_HASH];
	struct opts o;
	int r;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	if ((r = need_token(c, &o)) != 0 || (r = load_verifier(c, &o, NULL, &v)) != 0)
		return r;
	r = get(c, "/api/v1/log/checkpoint");
	if (r == 0 && v) {
		if (open_checkpoint(answer(c), c->answer.len, v, &cp, &err) < 0) {
			fprintf(stderr, "%s: the server's checkpoint does not verify with key %s: %s\n",
			        c->prefix, key_label(v), err.message);
			r = 1;
		} else {
			b64_hash(cp.root, root);
			fprintf(stderr, "checkpoint verified: %s, size %llu, root %s\n", cp.origin,
			        (unsigned long long)cp.size, root);
		}
		fw_checkpoint_release(&cp);
	}
	if (r == 0)
		r = save(c, o.out ? o.out : "-", answer(c), c->answer.len);
	fw_note_verifier_free(v);
	return r;
}

/* --- verify --data DIR: the whole log of a data directory, recomputed from its entries */

struct json_check {
	uint64_t bad;
	struct fw_error err;
};

static int check_json(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct json_check *j = ctx;

	if (fw_json_check_object(entry, len, &j->err) < 0) {
		j->bad = index;
		return 1;
	}
	return 0;
}

static int verify_failed(uint64_t index, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int verify_failed(uint64_t index, const char *fmt, ...)
{
	char head[64] = "log verification FAILED";
	va_list ap;
	int r;

	if (index != NONE)
		snprintf(head, sizeof(head), "log verification FAILED at entry %llu",
		         (unsigned long long)index);
	va_start(ap, fmt);
	r = cli_failedv(head, fmt, ap);
	va_end(ap);
	return r;
}

static void verified(uint64_t size, const unsigned char root[FW_MERKLE_HASH_BYTES], int have_cp,
                     uint64_t cp_size)
{
	char b64[B64_HASH];

	b64_hash(root, b64);
	if (have_cp)
		printf("log verified: %llu entries, root %s, checkpoint at size %llu\n",
		       (unsigned long long)size, b64, (unsigned long long)cp_size);
	else
		printf("log verified: %llu entries, root %s, no checkpoint yet\n", (unsigned long long)size,
		       b64);
}

/* The checks after fw_log_verify: entries are JSON objects; the checkpoint's origin is the log's. */
static int verify_data_more(struct fw_store *s, struct fw_note_verifier *v, uint64_t size)
{
	struct json_check j = {NONE, {{0}, {0}}};
	unsigned char root[FW_MERKLE_HASH_BYTES];
	char origin[FW_CHECKPOINT_ORIGIN_MAX + 1] = "";
	struct fw_checkpoint cp;
	struct fw_error err = {0};
	struct fw_buf note;
	uint64_t cp_size = 0;
	int r, have_cp = 0, other_origin = 0;

	r = fw_store_log_entry_each(s, 0, size, check_json, &j);
	if (j.bad != NONE)
		return verify_failed(j.bad, "the entry is not a JSON object: %s", j.err.message);
	if (r == 0)
		r = fw_log_root(s, size, root);
	if (r < 0) {
		fprintf(stderr, "forewarn log verify: cannot read the log: %s\n", fw_strerror(r));
		return 1;
	}
	memset(&cp, 0, sizeof(cp));
	fw_buf_init(&note, 0);
	r = fw_store_checkpoint_latest(s, &cp_size, &note);
	if (r == 0) {
		have_cp = 1;
		r = open_checkpoint(note.data, note.len, v, &cp, &err); /* fw_log_verify checked it already */
		if (r == 0 && fw_store_meta_get(s, "log_origin", origin, sizeof(origin)) == 0)
			other_origin = strcmp(origin, cp.origin) != 0;
	}
	fw_buf_release(&note);
	fw_checkpoint_release(&cp); /* the origin stays */
	if (r < 0 && r != FW_ENOENT) {
		fprintf(stderr, "forewarn log verify: cannot read the latest checkpoint: %s\n",
		        fw_strerror(r));
		return 1;
	}
	if (other_origin)
		return verify_failed(
		    NONE, "the latest checkpoint is of the log '%s', this data directory's is '%s'",
		    cp.origin, origin);
	verified(size, root, have_cp, cp_size);
	return 0;
}

static int verify_data(struct cli *c, const struct opts *o)
{
	char db[CLI_PATH_MAX], pub[CLI_PATH_MAX], uri[CLI_PATH_MAX + 8];
	struct fw_note_verifier *v = NULL;
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	uint64_t size = 0, bad = NONE;
	int r, status;

	if ((size_t)snprintf(db, sizeof(db), "%s/forewarn.db", o->data) >= sizeof(db) ||
	    (size_t)snprintf(pub, sizeof(pub), "%s/log.pub", o->data) >= sizeof(pub))
		return cli_usage_error(c, "--data: the path is too long");
	/* fw_store_open would create a database where there is none: check first. */
	if (access(db, R_OK | W_OK) != 0)
		return cli_usage_error(c, "--data: '%s' is not a data directory ('%s': %s)", o->data, db,
		                       strerror(errno));
	status = load_verifier(c, o, pub, &v);
	if (status != 0)
		return status;
	snprintf(uri, sizeof(uri), "sqlite:%s", db);
	r = fw_store_open(uri, 0, &s, &err);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", c->prefix, err.message[0] ? err.message : fw_strerror(r));
		fw_note_verifier_free(v);
		return 1;
	}
	/* One transaction: a snapshot of the log, even if a server appends meanwhile (it waits). */
	r = fw_store_begin(s);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the database '%s': %s\n", c->prefix, db, fw_strerror(r));
		status = 1;
		goto out;
	}
	r = fw_log_verify(s, v, &size, &bad, &err);
	if (r == FW_EINVAL || r == FW_ECRYPTO || r == FW_ETOOBIG) {
		if (bad != NONE)
			status = verify_failed(bad, "%s", err.message);
		else
			status = verify_failed(NONE, "the latest checkpoint does not verify with key %s: %s",
			                       key_label(v), err.message[0] ? err.message : fw_strerror(r));
	} else if (r < 0) {
		fprintf(stderr, "%s: cannot read the log: %s\n", c->prefix, fw_strerror(r));
		status = 1;
	} else {
		status = verify_data_more(s, v, size);
	}
	fw_store_rollback(s);
out:
	fw_store_free(s);
	fw_note_verifier_free(v);
	return status;
}

/* --- verify (remote): every entry downloaded, the tree recomputed, the checkpoint checked */

struct remote {
	struct fw_merkle_frontier f;
	unsigned char *leaves; /* every leaf hash, for locating a bad entry */
	size_t cap;            /* of leaves, in hashes */
	uint64_t start;        /* the index of the page's first entry */
	uint64_t count;        /* entries in the page */
	uint64_t cp_size;
	unsigned char cp_root[FW_MERKLE_HASH_BYTES]; /* the recomputed root at cp_size */
	uint64_t bad;                                /* the first bad index, NONE while none */
	char why[200];
	uint64_t not_json; /* the first entry that is not a JSON object */
	char json_why[200];
	unsigned char entry[FW_LOG_ENTRY_MAX];
};

static int remote_index(void *ctx, size_t i, const char *text, size_t len)
{
	struct remote *rm = ctx;
	uint64_t want = rm->start + i, got;

	if (parse_u64(text, len, &got) < 0 || got != want) {
		rm->bad = want;
		snprintf(rm->why, sizeof(rm->why), "the server skipped it (it gave entry %.*s in its place)",
		         (int)(len < 20 ? len : 20), text);
		return 1;
	}
	rm->count = i + 1;
	return 0;
}

static int remote_entry(void *ctx, size_t i, const char *text, size_t len)
{
	struct remote *rm = ctx;
	uint64_t index = rm->start + i;
	unsigned char leaf[FW_MERKLE_HASH_BYTES];
	struct fw_error err = {{0}, {0}};
	size_t n;

	if (fw_base64_decode(text, len, rm->entry, sizeof(rm->entry), &n) < 0) {
		rm->bad = index;
		snprintf(rm->why, sizeof(rm->why), "its data is not base64 of at most %d bytes",
		         FW_LOG_ENTRY_MAX);
		return 1;
	}
	if (rm->not_json == NONE && fw_json_check_object((const char *)rm->entry, n, &err) < 0) {
		rm->not_json = index;
		snprintf(rm->json_why, sizeof(rm->json_why), "%s", err.message);
	}
	fw_merkle_leaf_hash(rm->entry, n, leaf);
	if (rm->f.size == rm->cap) {
		size_t cap = rm->cap ? rm->cap * 2 : 4096;
		unsigned char *p = realloc(rm->leaves, cap * FW_MERKLE_HASH_BYTES);
		if (!p)
			return FW_ENOMEM;
		rm->leaves = p;
		rm->cap = cap;
	}
	memcpy(rm->leaves + rm->f.size * FW_MERKLE_HASH_BYTES, leaf, sizeof(leaf));
	if (fw_merkle_frontier_append(&rm->f, leaf, NULL, NULL) < 0)
		return FW_ETOOBIG;
	if (rm->f.size == rm->cp_size)
		fw_merkle_frontier_root(&rm->f, rm->cp_root);
	return 0;
}

/*
 * prefix_ok: whether the first k downloaded entries are the first k of the checkpoint's tree (0 < k <
 * cp->size): their root and the checkpoint's root pass the server's consistency proof. 0, or 1 when the
 * proof cannot be had (reported).
 */
static int prefix_ok(struct cli *c, struct remote *rm, const struct fw_checkpoint *cp, uint64_t k,
                     int *ret_ok)
{
	unsigned char root[FW_MERKLE_HASH_BYTES];
	char path[96];
	struct proof p;

	snprintf(path, sizeof(path), "/api/v1/log/proof/consistency?old=%llu&new=%llu", (unsigned long long)k,
	         (unsigned long long)cp->size);
	if (get(c, path) != 0)
		return 1;
	if (get_proof(answer(c), c->answer.len, &p) < 0)
		return unexpected(c);
	fw_merkle_root(rm->leaves, k, root);
	*ret_ok = fw_merkle_consistency_verify(k, cp->size, root, cp->root, p.hash, p.n) == 0;
	return 0;
}

/*
 * locate: the first entry that makes the downloaded entries differ from the checkpoint's tree, by bisection
 * on prefixes (a good prefix has good prefixes). The proofs come from the server: this names the entry,
 * the verdict does not depend on it. NONE when the server cannot help.
 */
static uint64_t locate(struct cli *c, struct remote *rm, const struct fw_checkpoint *cp)
{
	uint64_t lo = 0, hi = cp->size, mid;
	int ok;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (prefix_ok(c, rm, cp, mid, &ok) != 0)
			return NONE;
		if (ok)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int remote_key(struct cli *c, struct fw_note_verifier **ret)
{
	int r = get(c, "/api/v1/log/key");

	if (r != 0)
		return r;
	fprintf(stderr,
	        "%s: warning: no --key or --key-file: checking with the server's own key proves nothing\n"
	        "    against a dishonest server; get the log's verifier key (log.pub) from its operator\n",
	        c->prefix);
	return make_verifier(c, answer(c), c->answer.len, "the server's key", ret);
}

/* fetch_entries: downloads [0, at least cp_size) in pages; stops at the first bad entry. 0 or status. */
static int fetch_entries(struct cli *c, struct remote *rm)
{
	uint64_t target = rm->cp_size, server_size, end;
	char path[96];
	int r, first = 1;

	while (first || rm->f.size < target) {
		end = rm->f.size + PAGE;
		if (!first && end > target)
			end = target;
		snprintf(path, sizeof(path), "/api/v1/log/entries?start=%llu&end=%llu",
		         (unsigned long long)rm->f.size, (unsigned long long)end);
		if ((r = get(c, path)) != 0)
			return r;
		if (json_u64(answer(c), c->answer.len, "size", &server_size) < 0)
			return unexpected(c);
		if (first && server_size > target)
			target = server_size;
		first = 0;
		rm->start = rm->f.size;
		rm->count = 0;
		r = fw_json_each_text(answer(c), c->answer.len, "entries", "index", remote_index, rm);
		if (r == 0 && rm->count)
			r = fw_json_each_text(answer(c), c->answer.len, "entries", "data", remote_entry, rm);
		if (rm->bad != NONE)
			return 0;
		if (r == FW_ENOMEM || r == FW_ETOOBIG) {
			fprintf(stderr, "%s: %s\n", c->prefix, fw_strerror(r));
			return 1;
		}
		if (r != 0)
			return unexpected(c);
		if (rm->count == 0)
			break; /* the server has no more */
	}
	return 0;
}

static int verify_remote(struct cli *c, const struct opts *o)
{
	struct fw_note_verifier *v = NULL;
	struct fw_checkpoint cp;
	struct fw_error err;
	struct fw_buf note = {0};
	unsigned char root[FW_MERKLE_HASH_BYTES];
	struct remote *rm;
	int status;

	memset(&cp, 0, sizeof(cp));
	if ((status = need_token(c, o)) != 0 || (status = load_verifier(c, o, NULL, &v)) != 0)
		return status;
	if (!v && (status = remote_key(c, &v)) != 0)
		return status;
	rm = calloc(1, sizeof(*rm));
	if (!rm) {
		fw_note_verifier_free(v);
		fprintf(stderr, "%s: out of memory\n", c->prefix);
		return 1;
	}
	rm->bad = rm->not_json = NONE;
	fw_merkle_frontier_init(&rm->f);
	/* The checkpoint first: the entries must reproduce it, and may have grown since. */
	status = get(c, "/api/v1/log/checkpoint");
	if (status != 0)
		goto out;
	fw_buf_init(&note, 0);
	if (fw_buf_append(&note, answer(c), c->answer.len) < 0) {
		status = 1;
		goto out;
	}
	if (open_checkpoint(note.data, note.len, v, &cp, &err) < 0) {
		status = verify_failed(NONE, "the server's checkpoint does not verify with key %s: %s",
		                       key_label(v), err.message);
		goto out;
	}
	rm->cp_size = cp.size;
	if (cp.size == 0)
		fw_merkle_empty_root(rm->cp_root);
	status = fetch_entries(c, rm);
	if (status != 0)
		goto out;
	if (rm->bad != NONE) {
		status = verify_failed(rm->bad, "%s", rm->why);
	} else if (rm->f.size < cp.size) {
		status =
		    verify_failed(rm->f.size, "the checkpoint names %llu entries, the server gives only %llu",
		                  (unsigned long long)cp.size, (unsigned long long)rm->f.size);
	} else if (memcmp(rm->cp_root, cp.root, sizeof(cp.root)) != 0) {
		uint64_t bad = locate(c, rm, &cp);
		status =
		    verify_failed(bad, "the entries do not reproduce the root of the checkpoint at size %llu",
		                  (unsigned long long)cp.size);
	} else if (rm->not_json != NONE) {
		status = verify_failed(rm->not_json, "the entry is not a JSON object: %s", rm->json_why);
	} else {
		fw_merkle_frontier_root(&rm->f, root);
		verified(rm->f.size, root, 1, cp.size);
	}
out:
	fw_checkpoint_release(&cp);
	fw_buf_release(&note);
	free(rm->leaves);
	free(rm);
	fw_note_verifier_free(v);
	return status;
}

static int cmd_verify(struct cli *c, int argc, char **argv)
{
	struct opts o;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	return o.data ? verify_data(c, &o) : verify_remote(c, &o);
}

/* --- prove, receipt */

static int print_hash(void *ctx, size_t i, const char *text, size_t len)
{
	size_t *n = ctx;

	printf("%-11s%.*s\n", i ? "" : "proof", (int)len, text);
	*n = i + 1;
	return 0;
}

/* Prints an answer with a "proof" array readably: the given number fields, leaf_hash, then the proof. */
static int print_proof(struct cli *c, const char *const *labels, const char *const *fields)
{
	struct fw_buf b;
	size_t hashes = 0;
	uint64_t n;

	for (size_t i = 0; fields[i]; i++) {
		if (json_u64(answer(c), c->answer.len, fields[i], &n) < 0)
			return unexpected(c);
		printf("%-11s%llu\n", labels[i], (unsigned long long)n);
	}
	if (json_text(answer(c), c->answer.len, "leaf_hash", 64, &b) == 0)
		printf("%-11s%s\n", "leaf hash", b.data);
	fw_buf_release(&b);
	if (fw_json_each_text(answer(c), c->answer.len, "proof", NULL, print_hash, &hashes) != 0)
		return unexpected(c);
	if (hashes == 0)
		printf("%-11s(empty: nothing to prove)\n", "proof");
	return 0;
}

static int cmd_prove(struct cli *c, int argc, char **argv)
{
	static const char *const incl_labels[] = {"entry", "tree size"}, *const incl_fields[] = {
	                                                                     "index", "size", NULL};
	static const char *const cons_labels[] = {"old size", "new size"}, *const cons_fields[] = {
	                                                                       "old", "new", NULL};
	uint64_t a, b;
	int inclusion, r;
	struct opts o;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	inclusion = o.index != NULL;
	if (inclusion && (o.old_size || o.new_size))
		return cli_usage_error(c, "give --index [--size], or --old and --new, not both");
	if (!inclusion && (!o.old_size || !o.new_size || o.size))
		return cli_usage_error(
		    c, "give --index N [--size M] (inclusion) or --old N --new M (consistency)");
	if ((r = need_token(c, &o)) != 0)
		return r;
	if (inclusion) {
		if ((r = number_opt(c, "index", o.index, &a)) != 0 ||
		    (o.size && (r = number_opt(c, "size", o.size, &b))))
			return r;
		if (cli_pathf(c, "/api/v1/log/proof/inclusion") || cli_query(c, "index", o.index) ||
		    cli_query(c, "size", o.size))
			return EXIT_USAGE;
	} else {
		if ((r = number_opt(c, "old", o.old_size, &a)) != 0 ||
		    (r = number_opt(c, "new", o.new_size, &b)) != 0)
			return r;
		if (cli_pathf(c, "/api/v1/log/proof/consistency") || cli_query(c, "old", o.old_size) ||
		    cli_query(c, "new", o.new_size))
			return EXIT_USAGE;
	}
	if (cli_call(c, "GET", NULL, 0))
		return 1;
	if (o.out)
		return save(c, o.out, answer(c), c->answer.len);
	if (c->json)
		return cli_raw(c);
	return inclusion ? print_proof(c, incl_labels, incl_fields)
	                 : print_proof(c, cons_labels, cons_fields);
}

static int cmd_receipt(struct cli *c, int argc, char **argv)
{
	struct opts o;
	uint64_t n;
	int r;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	if (!o.index)
		return cli_usage_error(
		    c, "--index N is required: the entry's index (a copy's Forewarn-Log-Index)");
	if ((r = number_opt(c, "index", o.index, &n)) != 0 || (r = need_token(c, &o)) != 0)
		return r;
	if (cli_pathf(c, "/api/v1/log/receipt") || cli_query(c, "index", o.index))
		return EXIT_USAGE;
	if (cli_call(c, "GET", NULL, 0))
		return 1;
	if (o.out)
		return save(c, o.out, answer(c), c->answer.len);
	return cli_raw(c);
}

/* --- verify-receipt: offline, with the log's public key only */

static int receipt_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int receipt_failed(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cli_failedv("receipt verification FAILED", fmt, ap);
	va_end(ap);
	return r;
}

/* check_copy: the file's SHA-256 against the entry's "sha256"; 0 when they agree, else the exit status. */
static int check_copy(struct cli *c, const char *path, const char *entry, size_t len, uint64_t index)
{
	unsigned char h[32];
	char hex[HEX_HASH];
	struct fw_buf copy = {0}, want = {0};
	int r;

	r = cli_read_file(c, "the copy", path, COPY_MAX, 0, &copy);
	if (r != 0)
		return r;
	fw_sha256(copy.data ? copy.data : "", copy.len, h);
	fw_buf_release(&copy);
	fw_crypto_hex(h, sizeof(h), hex);
	if (json_text(entry, len, "sha256", 128, &want) < 0) {
		struct fw_buf type = {0};
		r = json_text(entry, len, "type", 64, &type);
		r = receipt_failed("entry %llu records no copy (no \"sha256\"): it is a '%s' event",
		                   (unsigned long long)index, r == 0 ? type.data : "?");
		fw_buf_release(&type);
	} else if (strcmp(want.data, hex) != 0) {
		r = receipt_failed(
		    "the copy '%s' is not the one entry %llu records: its SHA-256 is %s, the log's %s", path,
		    (unsigned long long)index, hex, want.data);
	} else {
		printf("copy '%s' is the one logged: SHA-256 %s\n", path, hex);
	}
	fw_buf_release(&want);
	return r;
}

static int verify_receipt_text(struct cli *c, const char *path, const char *json, size_t len,
                               struct fw_note_verifier *v, const char *copy)
{
	static const char *const fields[] = {"type",     "time",    "actor",  "advisory",
	                                     "revision", "partner", "sha256", NULL};
	unsigned char leaf[FW_MERKLE_HASH_BYTES], *entry = NULL;
	struct fw_buf note = {0}, data = {0}, out = {0};
	struct fw_checkpoint cp;
	struct fw_error err = {{0}, {0}};
	uint64_t index, size, entry_index;
	struct proof p;
	size_t n;
	int r = 1;

	memset(&cp, 0, sizeof(cp));
	if (fw_json_check_object(json, len, &err) < 0) {
		receipt_failed("'%s' is not a receipt: %s", path, err.message);
		goto out;
	}
	if (json_text(json, len, "checkpoint", FW_NOTE_MAX, &note) < 0) {
		receipt_failed("'%s' holds no \"checkpoint\"", path);
		goto out;
	}
	if (open_checkpoint(note.data, note.len, v, &cp, &err) < 0) {
		receipt_failed("its checkpoint does not verify with key %s: %s", key_label(v), err.message);
		goto out;
	}
	if (json_u64(json, len, "index", &index) < 0 ||
	    json_u64(json, len, "entry.index", &entry_index) < 0 ||
	    json_text(json, len, "entry.data", RECEIPT_MAX, &data) < 0 || get_proof(json, len, &p) < 0) {
		receipt_failed("'%s' lacks \"index\", \"entry\" {\"index\", \"data\"} or \"proof\"", path);
		goto out;
	}
	if (entry_index != index) {
		receipt_failed("its entry is number %llu, its index %llu", (unsigned long long)entry_index,
		               (unsigned long long)index);
		goto out;
	}
	if (json_u64(json, len, "size", &size) == 0 && size != cp.size) {
		receipt_failed("it names a tree of %llu entries, its checkpoint %llu",
		               (unsigned long long)size, (unsigned long long)cp.size);
		goto out;
	}
	entry = malloc(FW_LOG_ENTRY_MAX + 1);
	if (!entry || fw_base64_decode(data.data, data.len, entry, FW_LOG_ENTRY_MAX, &n) < 0) {
		receipt_failed("its entry's data is not base64 of at most %d bytes", FW_LOG_ENTRY_MAX);
		goto out;
	}
	entry[n] = '\0';
	fw_merkle_leaf_hash(entry, n, leaf);
	if (fw_merkle_inclusion_verify(index, cp.size, leaf, p.hash, p.n, cp.root) < 0) {
		receipt_failed(
		    "the proof does not show this entry as number %llu of the tree of %llu entries that "
		    "the checkpoint signs",
		    (unsigned long long)index, (unsigned long long)cp.size);
		goto out;
	}
	if (fw_json_check_object((const char *)entry, n, &err) < 0) {
		receipt_failed("entry %llu is in the log, but it is not a JSON object: %s",
		               (unsigned long long)index, err.message);
		goto out;
	}
	printf("receipt verified: entry %llu is in the log %s, in its checkpoint at size %llu signed by %s\n",
	       (unsigned long long)index, cp.origin, (unsigned long long)cp.size, key_label(v));
	if (fw_json_fields((const char *)entry, n, fields, &out) == 0 && out.data)
		fputs(out.data, stdout);
	r = copy ? check_copy(c, copy, (const char *)entry, n, index) : 0;
out:
	fw_checkpoint_release(&cp);
	fw_buf_release(&note);
	fw_buf_release(&data);
	fw_buf_release(&out);
	free(entry);
	return r;
}

static int cmd_verify_receipt(struct cli *c, int argc, char **argv)
{
	struct fw_note_verifier *v = NULL;
	struct fw_buf b = {0};
	struct opts o;
	int r;

	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	if ((r = require_verifier(c, &o, &v)) != 0)
		return r;
	r = cli_read_file(c, "the receipt", c->args[0], RECEIPT_MAX, 1, &b);
	if (r == 0)
		r = verify_receipt_text(c, c->args[0], b.data ? b.data : "", b.len, v, o.copy);
	fw_buf_release(&b);
	fw_note_verifier_free(v);
	return r;
}

/* --- verify-consistency: two checkpoints of one log, the older a prefix of the newer */

static int consistency_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int consistency_failed(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cli_failedv("consistency verification FAILED", fmt, ap);
	va_end(ap);
	return r;
}

static int rewritten(const struct fw_checkpoint *a, const struct fw_checkpoint *b)
{
	return consistency_failed(
	    "the log was rewritten: checkpoint at size %llu is not a prefix of size %llu",
	    (unsigned long long)a->size, (unsigned long long)b->size);
}

static int read_checkpoint(struct cli *c, const char *path, struct fw_note_verifier *v,
                           struct fw_checkpoint *cp)
{
	struct fw_error err;
	struct fw_buf b = {0};
	int r;

	memset(cp, 0, sizeof(*cp));
	r = cli_read_file(c, "the checkpoint", path, FW_NOTE_MAX, 1, &b);
	if (r == 0 && open_checkpoint(b.data ? b.data : "", b.len, v, cp, &err) < 0)
		r = consistency_failed("the checkpoint '%s' does not verify with key %s: %s", path,
		                       key_label(v), err.message);
	fw_buf_release(&b);
	return r;
}

/* consistency_proof: the proof between the two sizes, from --proof FILE or from the server. */
static int consistency_proof(struct cli *c, const struct opts *o, const struct fw_checkpoint *a,
                             const struct fw_checkpoint *b, struct proof *p)
{
	uint64_t old_size, new_size;
	char path[96];
	int r;

	if (o->proof) {
		r = cli_read_file(c, "the proof", o->proof, PROOF_MAX, 1, &c->answer);
		if (r != 0)
			return r;
	} else {
		if ((r = need_token(c, o)) != 0)
			return r;
		snprintf(path, sizeof(path), "/api/v1/log/proof/consistency?old=%llu&new=%llu",
		         (unsigned long long)a->size, (unsigned long long)b->size);
		if ((r = get(c, path)) != 0)
			return r;
	}
	if (json_u64(answer(c), c->answer.len, "old", &old_size) < 0 ||
	    json_u64(answer(c), c->answer.len, "new", &new_size) < 0 ||
	    get_proof(answer(c), c->answer.len, p) < 0)
		return consistency_failed(
		    "%s is not a consistency proof ({\"old\", \"new\", \"proof\": [...]})",
		    o->proof ? o->proof : "the server's answer");
	if (old_size != a->size || new_size != b->size)
		return consistency_failed("the proof is between sizes %llu and %llu, not %llu and %llu",
		                          (unsigned long long)old_size, (unsigned long long)new_size,
		                          (unsigned long long)a->size, (unsigned long long)b->size);
	return 0;
}

static int cmd_verify_consistency(struct cli *c, int argc, char **argv)
{
	struct fw_note_verifier *v = NULL;
	struct fw_checkpoint a, b;
	unsigned char empty[FW_MERKLE_HASH_BYTES];
	char ra[B64_HASH], rb[B64_HASH];
	struct proof *p = NULL;
	struct opts o;
	int r;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (parse(c, argc, argv, &o) < 0)
		return c->status;
	if ((r = require_verifier(c, &o, &v)) != 0)
		return r;
	if ((r = read_checkpoint(c, c->args[0], v, &a)) != 0 ||
	    (r = read_checkpoint(c, c->args[1], v, &b)) != 0)
		goto out;
	if (strcmp(a.origin, b.origin) != 0) {
		r = consistency_failed("the checkpoints are of two logs: '%s' and '%s'", a.origin, b.origin);
		goto out;
	}
	if (a.size > b.size) {
		r = rewritten(&a, &b);
		fprintf(stderr,
		        "(NEW is smaller than OLD: a log only grows; if OLD and NEW are the wrong way "
		        "round, swap them)\n");
		goto out;
	}
	fw_merkle_empty_root(empty);
	if (a.size == b.size || a.size == 0) {
		/* Nothing to prove: equal trees need equal roots, and every tree extends the empty one. */
		if (memcmp(a.root, a.size ? b.root : empty, sizeof(a.root)) != 0) {
			r = rewritten(&a, &b);
			goto out;
		}
	} else {
		p = malloc(sizeof(*p));
		if (!p) {
			r = 1;
			goto out;
		}
		if ((r = consistency_proof(c, &o, &a, &b, p)) != 0)
			goto out;
		if (fw_merkle_consistency_verify(a.size, b.size, a.root, b.root, p->hash, p->n) < 0) {
			r = rewritten(&a, &b);
			goto out;
		}
	}
	b64_hash(a.root, ra);
	b64_hash(b.root, rb);
	printf(
	    "consistent: the log %s at size %llu (root %s) is a prefix of the log at size %llu (root %s)\n",
	    a.origin, (unsigned long long)a.size, ra, (unsigned long long)b.size, rb);
	r = 0;
out:
	free(p);
	fw_checkpoint_release(&a);
	fw_checkpoint_release(&b);
	fw_note_verifier_free(v);
	return r;
}

/* --- the group */

#define KEY_HELP                                                                                             \
	"    --key VKEY         the log's verifier key: \"<name>+<key id>+<base64 key>\"\n"                  \
	"    --key-file FILE    read it from FILE (log.pub of the data directory, from the operator)\n"

static const struct cli_cmd cmds[] = {
    {"key", "", "print the log's verifier key",
     "    Prints the verifier key the server signs its checkpoints with, as the one line of log.pub.\n"
     "    A key fetched from the server it vouches for proves nothing: compare it once with the one\n"
     "    the operator gives out of band, then keep it for the verify commands.",
     NULL, "    forewarn log key --token-file acme-av.token > forewarn-log.pub", NULL, NULL, 0, 0, cmd_key},
    {"checkpoint", "[-o FILE] [--key VKEY | --key-file FILE]", "print the latest signed checkpoint",
     "    Prints the log's latest signed checkpoint (a C2SP signed note: origin, size, root hash, then\n"
     "    the signature) exactly as served, or saves it to FILE. Keep checkpoints: a later one must\n"
     "    extend each earlier one, which 'forewarn log verify-consistency' checks. With --key or\n"
     "    --key-file the signature is checked first, and the checkpoint is refused if it fails.",
     "    -o, --output FILE  save the checkpoint to FILE ('-': standard output, the default)\n" KEY_HELP,
     "    forewarn log checkpoint --key-file forewarn-log.pub -o checkpoint-2026-03-01", checkpoint_opts,
     "o:", 0, 0, cmd_checkpoint},
    {"verify", "[--data DIR] [--key VKEY | --key-file FILE]", "recompute and check the whole log",
     "    Recomputes the whole Merkle tree from the log's entries and checks the latest signed\n"
     "    checkpoint against it. Prints \"log verified: N entries, root R, checkpoint at size M\", or\n"
     "    \"log verification FAILED at entry I: REASON\" on standard error with exit status 1, I being\n"
     "    the first entry at fault (changed, missing, out of order, or with a wrong stored hash).\n"
     "    With --data DIR it works on a data directory, offline, with the server stopped: it reads\n"
     "    DIR/forewarn.db, checks every stored subtree hash too, and takes the key from DIR/log.pub\n"
     "    unless --key or --key-file is given. Without --data it asks the server (--url, a token):\n"
     "    it downloads every entry, recomputes the root at the checkpoint's size, and names the\n"
     "    first entry that does not reproduce it (with the server's consistency proofs). Without\n"
     "    --key or --key-file it uses the server's own key, and warns that this proves nothing.\n"
     "    Both check that each entry is a JSON object. A rewritten log, re-signed by its operator,\n"
     "    passes both checks: only a checkpoint kept from before shows it (verify-consistency).",
     "    --data DIR         verify the data directory DIR offline (the server stopped)\n" KEY_HELP,
     "    forewarn log verify --data /var/lib/forewarn\n"
     "    forewarn log verify --key-file forewarn-log.pub --token-file acme-av.token",
     verify_opts, NULL, 0, 0, cmd_verify},
    {"prove", "--index N [--size M] | --old N --new M", "print an inclusion or consistency proof",
     "    With --index, prints the inclusion proof of entry N in the tree of M entries (default: the\n"
     "    whole log): the entry's leaf hash and the hashes that lead from it to the root. With --old\n"
     "    and --new, prints the consistency proof that the tree of N entries is a prefix of the tree\n"
     "    of M entries (0 < N <= M), as 'forewarn log verify-consistency --proof' reads it (save it\n"
     "    with -o). Hashes are base64.",
     "    --index N          the entry's index (from 0)\n"
     "    --size M           the tree size for --index (default: the log's size now)\n"
     "    --old N, --new M   the two tree sizes of a consistency proof\n"
     "    -o, --output FILE  save the server's JSON answer to FILE\n",
     "    forewarn log prove --index 41\n"
     "    forewarn log prove --old 40 --new 57 -o proof-40-57.json",
     prove_opts, "o:", 0, 0, cmd_prove},
    {"receipt", "--index N [-o FILE]", "save the receipt of a log entry",
     "    Saves (or prints) the receipt of entry N: the entry, a signed checkpoint that includes it\n"
     "    and the inclusion proof to that checkpoint, as JSON. A downloaded copy's entry is in its\n"
     "    Forewarn-Log-Index response header. Anyone with the log's public key can check a receipt\n"
     "    offline with 'forewarn log verify-receipt'.",
     "    -o, --output FILE  save the receipt to FILE ('-': standard output, the default)\n",
     "    forewarn log receipt --index 41 -o fw-2026-0001.receipt --token-file acme-av.token", receipt_opts,
     "o:", 0, 0, cmd_receipt},
    {"verify-receipt", "RECEIPT [--copy FILE] --key VKEY | --key-file FILE", "check a receipt offline",
     "    Checks the receipt in the file RECEIPT with only the log's public key, offline: the\n"
     "    checkpoint's signature, and that the proof leads from the entry (hashed from its exact\n"
     "    bytes) to the checkpoint's root at its size. With --copy, also that FILE is the very copy\n"
     "    the entry records (its SHA-256). Prints what it verified and the entry's fields; exit\n"
     "    status 1 with \"receipt verification FAILED: REASON\" on standard error when it fails.\n"
     "    Needs no server and no token.",
     "    --copy FILE        the downloaded copy the entry records\n" KEY_HELP,
     "    forewarn log verify-receipt fw-2026-0001.receipt --copy fw-2026-0001.json \\\n"
     "        --key-file forewarn-log.pub",
     verify_receipt_opts, NULL, 1, 1, cmd_verify_receipt},
    {"verify-consistency", "OLD NEW [--proof FILE] --key VKEY | --key-file FILE",
     "check that a log only grew",
     "    Checks that the checkpoint in the file NEW extends the one in OLD: both signatures, the\n"
     "    same origin, and the consistency proof that the tree OLD signs is a prefix of the tree NEW\n"
     "    signs (equal sizes need equal roots). The proof is read from --proof FILE (saved by\n"
     "    'forewarn log prove --old N --new M -o FILE'), offline, or else asked of the server\n"
     "    (--url, a token). When it fails, the log was rewritten: \"consistency verification\n"
     "    FAILED: the log was rewritten: checkpoint at size N is not a prefix of size M\" on\n"
     "    standard error, exit status 1. This is how a partner holding an older checkpoint detects\n"
     "    a history rewritten and re-signed by the log's operator.",
     "    --proof FILE       the consistency proof (JSON {\"old\", \"new\", \"proof\"}) between the\n"
     "                       two checkpoints' sizes\n" KEY_HELP,
     "    forewarn log verify-consistency checkpoint-2026-03-01 checkpoint-2026-04-01 \\\n"
     "        --key-file forewarn-log.pub --token-file acme-av.token",
     verify_consistency_opts, NULL, 2, 2, cmd_verify_consistency},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL},
};

const struct cli_group cli_log_group = {
    "log",
    "the transparency log: checkpoints, proofs, receipts, verification",
    "    Every act the server records (partners, tokens, policy, advisories, releases, downloads)\n"
    "    is an entry of an append-only log, a Merkle tree (RFC 9162) whose signed checkpoints\n"
    "    (C2SP tlog-checkpoint, Ed25519) commit to every entry so far. key, checkpoint, prove and\n"
    "    receipt ask the server (an admin or partner token); verify checks the whole log, through\n"
    "    the server or offline on its data directory (--data); verify-receipt and\n"
    "    verify-consistency need only the log's public key and the files they are given. The\n"
    "    verify commands exit with status 1 when a check fails.",
    "    forewarn log checkpoint -o old.checkpoint --token-file acme-av.token\n"
    "    forewarn inbox fw-2026-0001 -o copy.json --token-file acme-av.token\n"
    "    forewarn log receipt --index 41 -o copy.receipt --token-file acme-av.token\n"
    "    forewarn log verify-receipt copy.receipt --copy copy.json --key-file forewarn-log.pub\n"
    "    forewarn log verify-consistency old.checkpoint new.checkpoint --key-file forewarn-log.pub",
    cmds,
};
