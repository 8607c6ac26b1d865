/*
 * The Merkle tree module against the transparency-dev vectors in tests/data/merkle (every file, each wantErr
 * must match), the known answers of testdata/signed-note.md, a recursive transcription of RFC 6962
 * section 2.1 (MTH, PATH, SUBPROOF) as the reference, and randomised trees of up to 2,000 leaves with
 * tampered proofs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "unhex.h"
#include "forewarn/crypto.h"
#include "forewarn/merkle.h"

#define HB        FW_MERKLE_HASH_BYTES
#define MAXLEAVES 2000
#define SEED      0x5eed2026u

typedef unsigned char hash_t[HB];

/* ---- helpers ---- */

static uint64_t rng_state = SEED;

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static void assert_hash_hex(const hash_t h, const char *hex)
{
	char got[2 * HB + 1];

	fw_crypto_hex(h, HB, got);
	assert_string_equal(got, hex);
}

/* The 8 test leaves of signed-note.md and of the vectors in tests/data/merkle. */
static const struct {
	const char *bytes;
	size_t len;
} test_leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

static void test_leaf_hashes(hash_t out[8])
{
	for (size_t i = 0; i < 8; i++)
		fw_merkle_leaf_hash(test_leaves[i].bytes, test_leaves[i].len, out[i]);
}

/* ---- the reference: RFC 6962 section 2.1, transcribed recursively over leaf hashes ---- */

static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static void ref_mth(hash_t *d, uint64_t n, hash_t out)
{
	hash_t a, b;
	uint64_t k;

	if (n == 0) {
		fw_sha256("", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HB);
		return;
	}
	k = split(n);
	ref_mth(d, k, a);
	ref_mth(d + k, n - k, b);
	fw_merkle_node_hash(a, b, out);
}

static void ref_path(uint64_t m, hash_t *d, uint64_t n, hash_t *proof, size_t *len)
{
	uint64_t k;

	if (n == 1)
		return;
	k = split(n);
	if (m < k) {
		ref_path(m, d, k, proof, len);
		ref_mth(d + k, n - k, proof[(*len)++]);
	} else {
		ref_path(m - k, d + k, n - k, proof, len);
		ref_mth(d, k, proof[(*len)++]);
	}
}

static void ref_subproof(uint64_t m, hash_t *d, uint64_t n, int b, hash_t *proof, size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_mth(d, m, proof[(*len)++]);
		return;
	}
	k = split(n);
	if (m <= k) {
		ref_subproof(m, d, k, b, proof, len);
		ref_mth(d + k, n - k, proof[(*len)++]);
	} else {
		ref_subproof(m - k, d + k, n - k, 0, proof, len);
		ref_mth(d, k, proof[(*len)++]);
	}
}

/* ---- an in-memory node store fed by the frontier's emit callback ---- */

struct store {
	uint64_t size;           /* leaves appended */
	uint64_t limit;          /* get refuses subtrees not complete within this tree size */
	uint64_t count[64];      /* subtrees emitted per level */
	hash_t *node[64];        /* node[l][i]: hash of the complete subtree (l, i) */
	unsigned long gets;      /* calls to get */
	unsigned long fail_from; /* get (or emit) fails from this call on; 0: never */
	unsigned long emits;
};

static void store_init(struct store *s, uint64_t cap)
{
	memset(s, 0, sizeof(*s));
	for (unsigned l = 0; l < 64 && (cap >> l) != 0; l++)
		s->node[l] = test_calloc((size_t)(cap >> l), HB);
}

static void store_release(struct store *s)
{
	for (unsigned l = 0; l < 64; l++)
		test_free(s->node[l]);
}

static int store_emit(void *ctx, unsigned level, uint64_t index, const unsigned char hash[HB])
{
	struct store *s = ctx;

	if (s->fail_from && ++s->emits >= s->fail_from)
		return FW_EIO;
	/* In order, no gaps, no repeats, and only subtrees complete once the current leaf is in. */
	assert_true(level < 64);
	assert_int_equal(index, s->count[level]);
	assert_true(((index + 1) << level) <= s->size + 1);
	memcpy(s->node[level][index], hash, HB);
	s->count[level]++;
	return 0;
}

static int store_get(void *ctx, unsigned level, uint64_t index, unsigned char ret[HB])
{
	struct store *s = ctx;

	s->gets++;
	if (s->fail_from && s->gets >= s->fail_from)
		return FW_EIO;
	assert_true(level < 64);
	if (((index + 1) << level) > s->limit || (index + 1) << level >> level != index + 1)
		fail_msg("get(%u, %" PRIu64 ") beyond tree size %" PRIu64, level, index, s->limit);
	assert_true(index < s->count[level]);
	memcpy(ret, s->node[level][index], HB);
	return 0;
}

static void store_append(struct store *s, struct fw_merkle_frontier *f, const hash_t leaf)
{
	assert_int_equal(fw_merkle_frontier_append(f, leaf, store_emit, s), 0);
	s->size++;
	assert_int_equal(f->size, s->size);
}

/* ---- known answers: testdata/signed-note.md, "Merkle hashing" ---- */

static void test_known_answers(void **state)
{
	static const unsigned char n123_n456[] = "\x01N123N456";
	hash_t h, leaves[8];

	(void)state;
	fw_merkle_empty_root(h);
	assert_hash_hex(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fw_merkle_root(NULL, 0, h);
	assert_hash_hex(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	fw_merkle_leaf_hash("", 0, h);
	assert_hash_hex(h, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	fw_merkle_leaf_hash("L123456", 7, h);
	assert_hash_hex(h, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
	/* The node vector hashes 4-byte "children", which fw_merkle_node_hash's 32-byte types cannot carry.
	 */
	fw_sha256(n123_n456, sizeof(n123_n456) - 1, h);
	assert_hash_hex(h, "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
	fw_sha256_2("\x01N123", 5, "N456", 4, h);
	assert_hash_hex(h, "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");

	test_leaf_hashes(leaves);
	fw_merkle_root(leaves[0], 3, h);
	assert_hash_hex(h, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77");
	fw_merkle_root(leaves[0], 5, h);
	assert_hash_hex(h, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4");
	fw_merkle_root(leaves[0], 8, h);
	assert_hash_hex(h, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

	/* The frontier gives the same roots. */
	struct fw_merkle_frontier f;
	hash_t want;

	fw_merkle_frontier_init(&f);
	fw_merkle_frontier_root(&f, h);
	assert_hash_hex(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	for (int i = 0; i < 8; i++) {
		assert_int_equal(fw_merkle_frontier_append(&f, leaves[i], NULL, NULL), 0);
		fw_merkle_frontier_root(&f, h);
		ref_mth(leaves, (uint64_t)i + 1, want);
		assert_memory_equal(h, want, HB);
	}
	unhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", want, HB);
	assert_memory_equal(h, want, HB);
}

/* ---- the vectors: a tiny reader for their flat JSON objects ---- */

#define VEC_PROOF_MAX 80

struct blob {
	unsigned char b[64];
	size_t len;
};

struct vec {
	char path[512];
	char desc[128];
	int want_err; /* -1 when missing */
	int is_inclusion;
	uint64_t leaf_idx, tree_size, size1, size2;
	struct blob root, leaf_hash, root1, root2;
	struct blob proof[VEC_PROOF_MAX];
	size_t nproof;
	unsigned seen; /* bit per field */
};

struct rd {
	const char *start, *p, *end;
	const char *path;
};

static void rd_ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

static void rd_expect(struct rd *r, char c)
{
	rd_ws(r);
	if (r->p >= r->end || *r->p != c)
		fail_msg("%s: expected '%c' at offset %td", r->path, c, r->p - r->start);
	r->p++;
}

static int rd_peek(struct rd *r, char c)
{
	rd_ws(r);
	return r->p < r->end && *r->p == c;
}

static int rd_word(struct rd *r, const char *w)
{
	size_t n = strlen(w);

	rd_ws(r);
	if ((size_t)(r->end - r->p) >= n && memcmp(r->p, w, n) == 0) {
		r->p += n;
		return 1;
	}
	return 0;
}

/* A string without escapes (the vectors have none: base64 and plain descriptions). */
static void rd_string(struct rd *r, char *out, size_t max)
{
	size_t n = 0;

	rd_expect(r, '"');
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\' || n + 1 >= max)
			fail_msg("%s: unsupported or overlong string", r->path);
		out[n++] = *r->p++;
	}
	rd_expect(r, '"');
	out[n] = '\0';
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t v = 0;
	int digits = 0;

	rd_ws(r);
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned d = (unsigned)(*r->p++ - '0');

		if (v > (UINT64_MAX - d) / 10)
			fail_msg("%s: number out of range", r->path);
		v = v * 10 + d;
		digits++;
	}
	if (!digits)
		fail_msg("%s: expected a number", r->path);
	return v;
}

static void rd_blob(struct rd *r, struct blob *b)
{
	char s[128];

	rd_string(r, s, sizeof(s));
	if (fw_base64_decode(s, strlen(s), b->b, sizeof(b->b), &b->len) != 0)
		fail_msg("%s: bad base64 \"%s\"", r->path, s);
}

static void vec_parse(const char *path, const char *text, size_t len, struct vec *v)
{
	struct rd r = {text, text, text + len, path};
	char key[32];

	memset(v, 0, sizeof(*v));
	v->want_err = -1;
	snprintf(v->path, sizeof(v->path), "%s", path);
	rd_expect(&r, '{');
	while (!rd_peek(&r, '}')) {
		unsigned bit = 0;

		rd_string(&r, key, sizeof(key));
		rd_expect(&r, ':');
		if (!strcmp(key, "leafIdx"))
			v->leaf_idx = rd_u64(&r), bit = 1;
		else if (!strcmp(key, "treeSize"))
			v->tree_size = rd_u64(&r), bit = 2;
		else if (!strcmp(key, "size1"))
			v->size1 = rd_u64(&r), bit = 4;
		else if (!strcmp(key, "size2"))
			v->size2 = rd_u64(&r), bit = 8;
		else if (!strcmp(key, "root"))
			rd_blob(&r, &v->root), bit = 16;
		else if (!strcmp(key, "leafHash"))
			rd_blob(&r, &v->leaf_hash), bit = 32;
		else if (!strcmp(key, "root1"))
			rd_blob(&r, &v->root1), bit = 64;
		else if (!strcmp(key, "root2"))
			rd_blob(&r, &v->root2), bit = 128;
		else if (!strcmp(key, "desc"))
			rd_string(&r, v->desc, sizeof(v->desc)), bit = 256;
		else if (!strcmp(key, "wantErr")) {
			if (rd_word(&r, "true"))
				v->want_err = 1;
			else if (rd_word(&r, "false"))
				v->want_err = 0;
			else
				fail_msg("%s: wantErr is not a boolean", path);
			bit = 512;
		} else if (!strcmp(key, "proof")) {
			bit = 1024;
			if (!rd_word(&r, "null")) {
				rd_expect(&r, '[');
				while (!rd_peek(&r, ']')) {
					if (v->nproof == VEC_PROOF_MAX)
						fail_msg("%s: proof too long for the reader", path);
					rd_blob(&r, &v->proof[v->nproof++]);
					if (!rd_peek(&r, ']'))
						rd_expect(&r, ',');
				}
				rd_expect(&r, ']');
			}
		} else {
			fail_msg("%s: unknown key \"%s\"", path, key);
		}
		if (v->seen & bit)
			fail_msg("%s: duplicate key \"%s\"", path, key);
		v->seen |= bit;
		if (!rd_peek(&r, '}'))
			rd_expect(&r, ',');
	}
	rd_expect(&r, '}');
	rd_ws(&r);
	if (r.p != r.end)
		fail_msg("%s: trailing bytes", path);
	if (v->want_err < 0 || !(v->seen & 1024) || !(v->seen & 256))
		fail_msg("%s: missing wantErr, proof or desc", path);
	v->is_inclusion = (v->seen & (1 | 2 | 16 | 32)) == (1 | 2 | 16 | 32);
	if (!v->is_inclusion && (v->seen & (4 | 8 | 64 | 128)) != (4 | 8 | 64 | 128))
		fail_msg("%s: neither an inclusion nor a consistency vector", path);
}

/*
 * The C API takes 32-byte hashes. A vector value of another length is something no log ever produces
 * ("don't care 1", ""): a leaf hash or proof hash of the wrong size is refused before verification, as
 * transparency-dev's RootFromInclusionProof refuses the leaf; a root of the wrong size stands in as a tagged
 * hash of its bytes, so two such roots compare equal exactly when their bytes do, and never match a real
 * root.
 */
static int blob_hash(const struct blob *b, hash_t out)
{
	if (b->len != HB)
		return -1;
	memcpy(out, b->b, HB);
	return 0;
}

static void blob_root(const struct blob *b, hash_t out)
{
	static const char tag[] = "test_merkle: not a 32-byte root";

	if (blob_hash(b, out) < 0)
		fw_sha256_2(tag, sizeof(tag), b->b, b->len, out);
}

struct vec_stats {
	unsigned inclusion, consistency, ok, err, regenerated;
};

/* Tree of the first n of the 8 test leaves, if root is its root: the vectors' happy paths are built on it. */
static int vec_tree_size(const hash_t root, uint64_t n, struct store *s)
{
	hash_t want;

	if (n == 0 || n > 8)
		return 0;
	ref_mth(s->node[0], n, want);
	return memcmp(want, root, HB) == 0;
}

static void run_inclusion(const struct vec *v, struct store *s, struct vec_stats *st)
{
	hash_t leaf, root, proof[VEC_PROOF_MAX], gen[FW_MERKLE_PROOF_MAX];
	size_t genlen = 0;
	int got_err = 0, r;

	st->inclusion++;
	blob_root(&v->root, root);
	if (blob_hash(&v->leaf_hash, leaf) < 0)
		got_err = 1;
	for (size_t i = 0; i < v->nproof; i++)
		if (blob_hash(&v->proof[i], proof[i]) < 0)
			got_err = 1;
	if (!got_err) {
		r = fw_merkle_inclusion_verify(v->leaf_idx, v->tree_size, leaf, proof[0], v->nproof, root);
		assert_true(r == 0 || r == FW_EINVAL);
		got_err = r != 0;
	}
	if (got_err != v->want_err)
		fail_msg("%s (%s): got %s, want %s", v->path, v->desc, got_err ? "error" : "ok",
		         v->want_err ? "error" : "ok");
	got_err ? st->err++ : st->ok++;
	/* A valid proof in the 8-leaf tree: our generator must produce exactly it. */
	if (!got_err && vec_tree_size(root, v->tree_size, s)) {
		s->limit = v->tree_size;
		assert_int_equal(
		    fw_merkle_inclusion_proof(store_get, s, v->leaf_idx, v->tree_size, gen[0], &genlen), 0);
		assert_int_equal(genlen, v->nproof);
		if (genlen)
			assert_memory_equal(gen, proof, genlen * HB);
		st->regenerated++;
	}
}

static void run_consistency(const struct vec *v, struct store *s, struct vec_stats *st)
{
	hash_t root1, root2, proof[VEC_PROOF_MAX], gen[FW_MERKLE_PROOF_MAX];
	size_t genlen = 0;
	int got_err = 0, r;

	st->consistency++;
	blob_root(&v->root1, root1);
	blob_root(&v->root2, root2);
	for (size_t i = 0; i < v->nproof; i++)
		if (blob_hash(&v->proof[i], proof[i]) < 0)
			got_err = 1;
	if (!got_err) {
		r = fw_merkle_consistency_verify(v->size1, v->size2, root1, root2, proof[0], v->nproof);
		assert_true(r == 0 || r == FW_EINVAL);
		got_err = r != 0;
	}
	if (got_err != v->want_err)
		fail_msg("%s (%s): got %s, want %s", v->path, v->desc, got_err ? "error" : "ok",
		         v->want_err ? "error" : "ok");
	got_err ? st->err++ : st->ok++;
	if (!got_err && vec_tree_size(root2, v->size2, s) && vec_tree_size(root1, v->size1, s)) {
		s->limit = v->size2;
		assert_int_equal(
		    fw_merkle_consistency_proof(store_get, s, v->size1, v->size2, gen[0], &genlen), 0);
		assert_int_equal(genlen, v->nproof);
		if (genlen)
			assert_memory_equal(gen, proof, genlen * HB);
		st->regenerated++;
	}
}

static void vectors_dir(const char *dir, struct store *s, struct vec_stats *st)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		fail_msg("cannot read %s (set FW_TESTDATA)", dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[512];
		size_t len = strlen(name);
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		assert_int_equal(stat(path, &sb), 0);
		if (name[0] == '.') {
			/* skip . and .. */
		} else if (S_ISDIR(sb.st_mode)) {
			vectors_dir(path, s, st);
		} else if (len > 5 && !strcmp(name + len - 5, ".json")) {
			static char text[65536];
			struct vec *v = test_malloc(sizeof(*v));
			FILE *fp = fopen(path, "rb");
			size_t got;

			assert_non_null(fp);
			got = fread(text, 1, sizeof(text), fp);
			assert_true(got < sizeof(text));
			fclose(fp);
			vec_parse(path, text, got, v);
			if (v->is_inclusion)
				run_inclusion(v, s, st);
			else
				run_consistency(v, s, st);
			test_free(v);
		}
		free(names[i]);
	}
	free(names);
}

static void data_dir(char *out, size_t max)
{
	const char *env = getenv("FW_TESTDATA");

	if (env && *env) {
		snprintf(out, max, "%s", env);
		return;
	}
	/* __FILE__ is tests/unit/log/test_merkle.c: up three levels, then data. */
	snprintf(out, max, "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(out, '/');

		if (slash)
			*slash = '\0';
		else
			snprintf(out, max, "..");
	}
	strncat(out, "/data", max - strlen(out) - 1);
}

static void vectors_store(struct store *s, struct fw_merkle_frontier *f)
{
	hash_t leaves[8];

	test_leaf_hashes(leaves);
	store_init(s, 8);
	fw_merkle_frontier_init(f);
	for (int i = 0; i < 8; i++)
		store_append(s, f, leaves[i]);
}

static void test_vectors(void **state)
{
	struct vec_stats inc = {0}, con = {0};
	struct fw_merkle_frontier f;
	char dir[400], sub[512];
	struct store s;

	(void)state;
	vectors_store(&s, &f);
	data_dir(dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/merkle/inclusion", dir);
	vectors_dir(sub, &s, &inc);
	snprintf(sub, sizeof(sub), "%s/merkle/consistency", dir);
	vectors_dir(sub, &s, &con);
	print_message("merkle vectors: inclusion %u (%u valid, %u rejected, %u regenerated), "
	              "consistency %u (%u valid, %u rejected, %u regenerated)\n",
	              inc.inclusion, inc.ok, inc.err, inc.regenerated, con.consistency, con.ok, con.err,
	              con.regenerated);
	/* The whole set, so that a lost file is a failure rather than a smaller pass. */
	assert_int_equal(inc.inclusion, 98);
	assert_int_equal(inc.consistency, 0);
	assert_int_equal(con.consistency, 98);
	assert_int_equal(con.inclusion, 0);
	assert_int_equal(inc.ok, 6);
	assert_int_equal(con.ok, 6);
	store_release(&s);
}

/* ---- the generator against the reference, exhaustively on small trees ---- */

struct rig {
	hash_t leaves[MAXLEAVES];
	struct store s;
	struct fw_merkle_frontier f;
};

static struct rig *rig_new(void)
{
	struct rig *g = test_malloc(sizeof(*g));

	store_init(&g->s, MAXLEAVES);
	fw_merkle_frontier_init(&g->f);
	for (uint64_t i = 0; i < MAXLEAVES; i++) {
		unsigned char entry[40];
		size_t len = (size_t)rnd_below(sizeof(entry) + 1);

		for (size_t j = 0; j < len; j++)
			entry[j] = (unsigned char)rnd();
		fw_merkle_leaf_hash(entry, len, g->leaves[i]);
		store_append(&g->s, &g->f, g->leaves[i]);
	}
	return g;
}

static void rig_free(struct rig *g)
{
	store_release(&g->s);
	test_free(g);
}

static void test_reference_small(void **state)
{
	struct rig *g = rig_new();
	hash_t got[FW_MERKLE_PROOF_MAX], want[FW_MERKLE_PROOF_MAX], root, old_root;
	size_t len, wlen;

	(void)state;
	for (uint64_t n = 1; n <= 70; n++) {
		g->s.limit = n;
		ref_mth(g->leaves, n, root);
		fw_merkle_root(g->leaves[0], n, got[0]);
		assert_memory_equal(got[0], root, HB);
		for (uint64_t i = 0; i < n; i++) {
			wlen = 0;
			ref_path(i, g->leaves, n, want, &wlen);
			assert_int_equal(fw_merkle_inclusion_proof(store_get, &g->s, i, n, got[0], &len), 0);
			assert_int_equal(len, wlen);
			if (len)
				assert_memory_equal(got, want, len * HB);
			assert_int_equal(fw_merkle_inclusion_verify(i, n, g->leaves[i], got[0], len, root),
			                 0);
		}
		for (uint64_t m = 1; m <= n; m++) {
			wlen = 0;
			if (m < n)
				ref_subproof(m, g->leaves, n, 1, want, &wlen);
			assert_int_equal(fw_merkle_consistency_proof(store_get, &g->s, m, n, got[0], &len),
			                 0);
			assert_int_equal(len, wlen);
			if (len)
				assert_memory_equal(got, want, len * HB);
			ref_mth(g->leaves, m, old_root);
			assert_int_equal(fw_merkle_consistency_verify(m, n, old_root, root, got[0], len), 0);
		}
	}
	rig_free(g);
}

/* ---- randomised: sizes up to 2,000, proofs verify, any single-bit flip fails ---- */

static uint64_t random_size(void)
{
	static const uint64_t edges[] = {1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 1023, 1024, 1025, 1999, 2000};
	uint64_t k = rnd_below(3);

	if (k == 0)
		return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
	return 1 + rnd_below(MAXLEAVES);
}

static void flip(unsigned char *p, unsigned bit)
{
	p[bit / 8] ^= (unsigned char)(1u << (bit % 8));
}

/* Every single-bit change to proof, leaf, root and index fails (exhaustive), or a sample of them. */
static void inclusion_tamper(uint64_t i, uint64_t n, hash_t leaf, hash_t *proof, size_t len, hash_t root,
                             int exhaustive)
{
	unsigned nbits = exhaustive ? 8 * HB : 4;

	for (size_t k = 0; k < len; k++)
		for (unsigned b = 0; b < nbits; b++) {
			unsigned bit = exhaustive ? b : (unsigned)rnd_below(8 * HB);

			flip(proof[k], bit);
			assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len, root),
			                 FW_EINVAL);
			flip(proof[k], bit);
		}
	for (unsigned b = 0; b < nbits; b++) {
		unsigned bit = exhaustive ? b : (unsigned)rnd_below(8 * HB);

		flip(leaf, bit);
		assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len, root), FW_EINVAL);
		flip(leaf, bit);
		flip(root, bit);
		assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len, root), FW_EINVAL);
		flip(root, bit);
	}
	for (unsigned b = 0; b < 64; b++)
		if (fw_merkle_inclusion_verify(i ^ ((uint64_t)1 << b), n, leaf, proof[0], len, root) !=
		    FW_EINVAL)
			fail_msg("index %" PRIu64 " with bit %u flipped verifies in size %" PRIu64, i, b, n);
	/* One hash more or less. */
	if (len)
		assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len - 1, root), FW_EINVAL);
	memcpy(proof[len], root, HB);
	assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len + 1, root), FW_EINVAL);
	assert_int_equal(fw_merkle_inclusion_verify(i, n, leaf, proof[0], len, root), 0);
}

static void test_random_inclusion(void **state)
{
	struct rig *g = rig_new();
	hash_t proof[FW_MERKLE_PROOF_MAX + 1], want[FW_MERKLE_PROOF_MAX], root, leaf;
	unsigned long proofs = 0;
	size_t len, wlen;

	(void)state;
	for (int t = 0; t < 60; t++) {
		uint64_t n = random_size();

		g->s.limit = n;
		fw_merkle_root(g->leaves[0], n, root);
		for (int k = 0; k < 24; k++) {
			uint64_t i = k == 0 ? 0 : k == 1 ? n - 1 : rnd_below(n);

			assert_int_equal(fw_merkle_inclusion_proof(store_get, &g->s, i, n, proof[0], &len),
			                 0);
			assert_true(len <= 11);
			assert_int_equal(fw_merkle_inclusion_verify(i, n, g->leaves[i], proof[0], len, root),
			                 0);
			if (k < 3) {
				wlen = 0;
				ref_path(i, g->leaves, n, want, &wlen);
				assert_int_equal(len, wlen);
				if (len)
					assert_memory_equal(proof, want, len * HB);
			}
			memcpy(leaf, g->leaves[i], HB);
			inclusion_tamper(i, n, leaf, proof, len, root, t < 4 && k < 2);
			proofs++;
		}
		/* Past the end, and against the empty tree. */
		assert_int_equal(fw_merkle_inclusion_proof(store_get, &g->s, n, n, proof[0], &len),
		                 FW_EINVAL);
		assert_int_equal(fw_merkle_inclusion_verify(n, n, g->leaves[0], proof[0], 0, root),
		                 FW_EINVAL);
	}
	fw_merkle_empty_root(root);
	assert_int_equal(fw_merkle_inclusion_verify(0, 0, root, proof[0], 0, root), FW_EINVAL);
	print_message("random inclusion: %lu proofs, seed %#x\n", proofs, SEED);
	rig_free(g);
}

static void test_random_consistency(void **state)
{
	struct rig *g = rig_new();
	hash_t proof[FW_MERKLE_PROOF_MAX + 1], want[FW_MERKLE_PROOF_MAX], r1, r2;
	unsigned long proofs = 0;
	size_t len, wlen;

	(void)state;
	for (int t = 0; t < 600; t++) {
		uint64_t n = random_size(), m = t % 10 == 0 ? n : 1 + rnd_below(n);

		g->s.limit = n;
		fw_merkle_root(g->leaves[0], m, r1);
		fw_merkle_root(g->leaves[0], n, r2);
		assert_int_equal(fw_merkle_consistency_proof(store_get, &g->s, m, n, proof[0], &len), 0);
		assert_true(len <= 12);
		assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len), 0);
		if (t < 60) {
			wlen = 0;
			if (m < n)
				ref_subproof(m, g->leaves, n, 1, want, &wlen);
			assert_int_equal(len, wlen);
			if (len)
				assert_memory_equal(proof, want, len * HB);
		}
		for (size_t k = 0; k < len; k++)
			for (unsigned b = 0; b < (t < 5 ? 8 * HB : 4); b++) {
				unsigned bit = t < 5 ? b : (unsigned)rnd_below(8 * HB);

				flip(proof[k], bit);
				assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len),
				                 FW_EINVAL);
				flip(proof[k], bit);
			}
		for (unsigned b = 0; b < (t < 5 ? 8 * HB : 8); b++) {
			unsigned bit = t < 5 ? b : (unsigned)rnd_below(8 * HB);

			flip(r1, bit);
			assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len),
			                 FW_EINVAL);
			flip(r1, bit);
			flip(r2, bit);
			assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len),
			                 FW_EINVAL);
			flip(r2, bit);
		}
		if (len)
			assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len - 1),
			                 FW_EINVAL);
		memcpy(proof[len], r2, HB);
		assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len + 1), FW_EINVAL);
		if (m < n) {
			assert_int_equal(fw_merkle_consistency_verify(m, n, r2, r1, proof[0], len),
			                 FW_EINVAL);
			assert_int_equal(fw_merkle_consistency_verify(n, m, r2, r1, proof[0], len),
			                 FW_EINVAL);
		}
		assert_int_equal(fw_merkle_consistency_verify(0, n, r1, r2, proof[0], len), FW_EINVAL);
		assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len), 0);
		proofs++;
	}
	/* Generation refuses what verification refuses. */
	assert_int_equal(fw_merkle_consistency_proof(store_get, &g->s, 0, 5, proof[0], &len), FW_EINVAL);
	assert_int_equal(fw_merkle_consistency_proof(store_get, &g->s, 6, 5, proof[0], &len), FW_EINVAL);
	print_message("random consistency: %lu proofs, seed %#x\n", proofs, SEED);
	rig_free(g);
}

/* ---- the frontier: roots, emitted subtrees, reload, failure ---- */

static void test_frontier(void **state)
{
	struct rig *g = rig_new(); /* appended MAXLEAVES leaves through the frontier with store_emit */
	struct fw_merkle_frontier f, loaded;
	hash_t a, b;

	(void)state;
	/* The frontier root equals fw_merkle_root at every size. */
	fw_merkle_frontier_init(&f);
	for (uint64_t n = 1; n <= MAXLEAVES; n++) {
		assert_int_equal(fw_merkle_frontier_append(&f, g->leaves[n - 1], NULL, NULL), 0);
		fw_merkle_frontier_root(&f, a);
		fw_merkle_root(g->leaves[0], n, b);
		if (memcmp(a, b, HB) != 0)
			fail_msg("frontier root differs at size %" PRIu64, n);
	}
	assert_int_equal(f.size, g->f.size);

	/* Exactly the complete subtrees were emitted, each once, each with its MTH. */
	for (unsigned l = 0; l < 64; l++) {
		assert_int_equal(g->s.count[l], (uint64_t)MAXLEAVES >> l);
		for (uint64_t i = 0; i < g->s.count[l]; i++) {
			ref_mth(g->leaves + (i << l), (uint64_t)1 << l, a);
			assert_memory_equal(g->s.node[l][i], a, HB);
		}
	}

	/* Loading from the store gives back the same frontier, and appending continues from it. */
	for (uint64_t n = 0; n <= MAXLEAVES; n += n < 40 ? 1 : 37) {
		g->s.limit = n;
		assert_int_equal(fw_merkle_frontier_load(n, store_get, &g->s, &loaded), 0);
		assert_int_equal(loaded.size, n);
		fw_merkle_frontier_root(&loaded, a);
		fw_merkle_root(g->leaves[0], n, b);
		assert_memory_equal(a, b, HB);
		if (n < MAXLEAVES) {
			assert_int_equal(fw_merkle_frontier_append(&loaded, g->leaves[n], NULL, NULL), 0);
			fw_merkle_frontier_root(&loaded, a);
			fw_merkle_root(g->leaves[0], n + 1, b);
			assert_memory_equal(a, b, HB);
		}
	}

	/* An emit failure leaves the frontier as it was; the retry succeeds. */
	struct store s2;

	store_init(&s2, 64);
	fw_merkle_frontier_init(&f);
	for (uint64_t n = 0; n < 63; n++)
		store_append(&s2, &f, g->leaves[n]);
	loaded = f;
	s2.fail_from = 1 + 3; /* leaf 63 completes 7 subtrees: fail on the fourth */
	s2.emits = 0;
	assert_int_equal(fw_merkle_frontier_append(&f, g->leaves[63], store_emit, &s2), FW_EIO);
	assert_memory_equal(&f, &loaded, sizeof(f));
	s2.fail_from = 0;
	memset(s2.count, 0, sizeof(s2.count));
	for (unsigned l = 0; l < 6; l++)
		s2.count[l] = 63 >> l;
	store_append(&s2, &f, g->leaves[63]);
	for (unsigned l = 0; l <= 6; l++)
		assert_int_equal(s2.count[l], 64 >> l);
	fw_merkle_frontier_root(&f, a);
	fw_merkle_root(g->leaves[0], 64, b);
	assert_memory_equal(a, b, HB);

	/* A full tree refuses more. */
	loaded.size = UINT64_MAX;
	assert_int_equal(fw_merkle_frontier_append(&loaded, a, NULL, NULL), FW_ETOOBIG);
	store_release(&s2);
	rig_free(g);
}

/* ---- get failures propagate; out-parameters untouched ---- */

static void test_get_errors(void **state)
{
	struct rig *g = rig_new();
	hash_t proof[FW_MERKLE_PROOF_MAX];
	struct fw_merkle_frontier f;
	size_t len = 12345;
	unsigned long k;
	int r;

	(void)state;
	g->s.limit = 1000;
	/* Fail the k-th call to get, for every k until the proof needs fewer calls. */
	for (k = 1;; k++) {
		g->s.gets = 0;
		g->s.fail_from = k;
		/* Leaf 0 of 1000: its top sibling [512, 1000) is ephemeral. */
		r = fw_merkle_inclusion_proof(store_get, &g->s, 0, 1000, proof[0], &len);
		if (r == 0)
			break;
		assert_int_equal(r, FW_EIO);
		assert_int_equal(len, 12345);
	}
	assert_int_equal(k, 9 + 5 + 1); /* 14 calls: 9 siblings, 5 for the ephemeral one */
	len = 12345;
	for (k = 1;; k++) {
		g->s.gets = 0;
		g->s.fail_from = k;
		r = fw_merkle_consistency_proof(store_get, &g->s, 999, 1000, proof[0], &len);
		if (r == 0)
			break;
		assert_int_equal(r, FW_EIO);
		assert_int_equal(len, 12345);
	}
	assert_true(k > 2);
	g->s.gets = 0;
	g->s.fail_from = 2;
	f.size = 77;
	assert_int_equal(fw_merkle_frontier_load(1000, store_get, &g->s, &f), FW_EIO);
	assert_int_equal(f.size, 77);
	g->s.fail_from = 0;
	g->s.gets = 0;
	assert_int_equal(fw_merkle_inclusion_proof(store_get, &g->s, 999, 1000, proof[0], &len), 0);
	assert_true(g->s.gets <= 2 * 10);
	rig_free(g);
}

/* ---- huge trees: a tree whose leaves are all equal has node hashes computable per level ---- */

static hash_t uniform[65];

static int uniform_get(void *ctx, unsigned level, uint64_t index, unsigned char ret[HB])
{
	uint64_t size = *(const uint64_t *)ctx;

	assert_true(level < 64);
	assert_true(index < (size >> level)); /* complete within size */
	memcpy(ret, uniform[level], HB);
	return 0;
}

static void test_huge(void **state)
{
	static const uint64_t sizes[][2] = {
	    {UINT64_MAX - 2, UINT64_MAX},
	    {UINT64_MAX - 1, UINT64_MAX},
	    {(uint64_t)1 << 63, UINT64_MAX},
	    {((uint64_t)1 << 63) + 1, UINT64_MAX - 1},
	    {1, UINT64_MAX},
	    {12345, (uint64_t)1 << 63},
	};
	hash_t proof[FW_MERKLE_PROOF_MAX], r1, r2;
	struct fw_merkle_frontier f;
	size_t len, longest = 0;

	(void)state;
	fw_merkle_leaf_hash("x", 1, uniform[0]);
	for (unsigned l = 1; l < 65; l++)
		fw_merkle_node_hash(uniform[l - 1], uniform[l - 1], uniform[l]);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		uint64_t m = sizes[t][0], n = sizes[t][1];

		assert_int_equal(fw_merkle_frontier_load(m, uniform_get, &m, &f), 0);
		fw_merkle_frontier_root(&f, r1);
		assert_int_equal(fw_merkle_frontier_load(n, uniform_get, &n, &f), 0);
		fw_merkle_frontier_root(&f, r2);
		assert_int_equal(fw_merkle_consistency_proof(uniform_get, &n, m, n, proof[0], &len), 0);
		assert_true(len <= FW_MERKLE_PROOF_MAX);
		longest = len > longest ? len : longest;
		assert_int_equal(fw_merkle_consistency_verify(m, n, r1, r2, proof[0], len), 0);
		assert_int_equal(fw_merkle_inclusion_proof(uniform_get, &n, n - 1, n, proof[0], &len), 0);
		assert_int_equal(fw_merkle_inclusion_verify(n - 1, n, uniform[0], proof[0], len, r2), 0);
		assert_int_equal(fw_merkle_inclusion_proof(uniform_get, &n, m - 1, n, proof[0], &len), 0);
		assert_true(len <= 64);
		assert_int_equal(fw_merkle_inclusion_verify(m - 1, n, uniform[0], proof[0], len, r2), 0);
	}
	/* 2^64 - 3 against 2^64 - 1 is the longest consistency proof there is. */
	assert_int_equal(longest, FW_MERKLE_PROOF_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_answers),      cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_reference_small),    cmocka_unit_test(test_random_inclusion),
	    cmocka_unit_test(test_random_consistency), cmocka_unit_test(test_frontier),
	    cmocka_unit_test(test_get_errors),         cmocka_unit_test(test_huge),
	};

	if (fw_crypto_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
