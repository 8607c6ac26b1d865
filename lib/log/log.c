/*
 * The transparency log kept in the store: each append stores the entry with the hashes of the complete
 * subtrees it finishes (one row), so roots and proofs need O(log n) reads. Checkpoints are signed C2SP
 * notes. Verify recomputes everything from the entries and names the first index that disagrees.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/log.h"

static int get_node(void *ctx, unsigned level, uint64_t index, unsigned char ret[FW_MERKLE_HASH_BYTES])
{
	return fw_store_log_node_get(ctx, level, index, ret);
}

/* The hashes an append completes, level 0 first, gathered for the entry's row. */
struct completed {
	unsigned char hash[FW_MERKLE_FRONTIER_MAX][FW_MERKLE_HASH_BYTES];
	size_t n;
};

static int collect_completed(void *ctx, unsigned level, uint64_t index,
                             const unsigned char hash[FW_MERKLE_HASH_BYTES])
{
	struct completed *c = ctx;

	(void)index;
	if (level != c->n || c->n == FW_MERKLE_FRONTIER_MAX)
		return FW_EINVAL; /* cannot happen: the frontier emits levels 0, 1, ... in order */
	memcpy(c->hash[c->n++], hash, FW_MERKLE_HASH_BYTES);
	return 0;
}

/*
 * The frontier of the last append on this thread, reused when the log has not changed since: the size
 * matches and so does the last leaf (a rolled-back append replaced by another shows a different leaf).
 */
static _Thread_local struct {
	struct fw_store *store;
	uint64_t tx; /* the transaction of the last append (fw_store_tx_serial), 0 if none */
	struct fw_merkle_frontier f;
	unsigned char last[FW_MERKLE_HASH_BYTES];
} cached;

static int frontier(struct fw_store *s, uint64_t size, struct fw_merkle_frontier *ret)
{
	unsigned char last[FW_MERKLE_HASH_BYTES];
	int r;

	if (size == 0) {
		fw_merkle_frontier_init(ret);
		return 0;
	}
	r = fw_store_log_node_get(s, 0, size - 1, last);
	if (r < 0)
		return r;
	if (cached.store == s && cached.f.size == size && memcmp(cached.last, last, sizeof(last)) == 0) {
		*ret = cached.f;
		return 0;
	}
	return fw_merkle_frontier_load(size, get_node, s, ret);
}

int fw_log_append(struct fw_store *s, const void *entry, size_t len, uint64_t *ret_index)
{
	unsigned char leaf[FW_MERKLE_HASH_BYTES];

	fw_merkle_leaf_hash(entry, len, leaf);
	return fw_log_append_hashed(s, entry, len, leaf, ret_index);
}

int fw_log_append_hashed(struct fw_store *s, const void *entry, size_t len,
                         const unsigned char leaf[FW_MERKLE_HASH_BYTES], uint64_t *ret_index)
{
	struct fw_merkle_frontier f;
	struct completed c;
	uint64_t size, tx = fw_store_tx_serial(s);
	int r = 0;

	/* Within one transaction (a group of downloads), the writer holds the log: no need to read it back.
	 */
	if (tx && cached.store == s && cached.tx == tx) {
		f = cached.f;
		size = f.size;
	} else {
		r = fw_store_log_size(s, &size);
		if (r == 0)
			r = frontier(s, size, &f);
	}
	if (r < 0)
		return r;
	/* f is this call's copy: the cached frontier changes only once the row is stored. */
	c.n = 0;
	r = fw_merkle_frontier_append(&f, leaf, collect_completed, &c);
	if (r == 0)
		r = fw_store_log_append(s, size, entry, len, c.hash[0], c.n);
	if (r < 0)
		return r;
	cached.store = s;
	cached.tx = tx;
	cached.f = f;
	memcpy(cached.last, leaf, FW_MERKLE_HASH_BYTES);
	if (ret_index)
		*ret_index = size;
	return 0;
}

int fw_log_root(struct fw_store *s, uint64_t size, unsigned char out[FW_MERKLE_HASH_BYTES])
{
	struct fw_merkle_frontier f;
	uint64_t n;
	int r;

	r = fw_store_log_size(s, &n);
	if (r < 0)
		return r;
	if (size > n)
		return FW_EINVAL;
	r = size == n ? frontier(s, size, &f) : fw_merkle_frontier_load(size, get_node, s, &f);
	if (r == 0)
		fw_merkle_frontier_root(&f, out);
	return r;
}

int fw_log_inclusion_proof(struct fw_store *s, uint64_t index, uint64_t size, unsigned char *ret_proof,
                           size_t *ret_len)
{
	uint64_t n;
	int r = fw_store_log_size(s, &n);

	if (r < 0)
		return r;
	if (size > n || index >= size)
		return FW_EINVAL;
	return fw_merkle_inclusion_proof(get_node, s, index, size, ret_proof, ret_len);
}

int fw_log_consistency_proof(struct fw_store *s, uint64_t old_size, uint64_t new_size,
                             unsigned char *ret_proof, size_t *ret_len)
{
	uint64_t n;
	int r = fw_store_log_size(s, &n);

	if (r < 0)
		return r;
	if (new_size > n || old_size == 0 || old_size > new_size)
		return FW_EINVAL;
	return fw_merkle_consistency_proof(get_node, s, old_size, new_size, ret_proof, ret_len);
}

int fw_log_checkpoint(struct fw_store *s, struct fw_note_signer *signer, const char *origin, char **ret_note,
                      uint64_t *ret_size)
{
	struct fw_checkpoint c;
	struct fw_buf latest;
	uint64_t size, latest_size = 0;
	char *note = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	fw_buf_init(&latest, 0);
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_log_size(s, &size);
	if (r < 0)
		goto out;
	r = fw_store_checkpoint_latest(s, &latest_size, &latest);
	if (r == 0 && latest_size == size) {
		r = fw_buf_steal(&latest, &note, NULL);
		goto out;
	}
	/* A log shorter than a size already signed has lost entries: never sign that. */
	if (r == 0 && size < latest_size) {
		r = FW_ECONFLICT;
		goto out;
	}
	if (r < 0 && r != FW_ENOENT)
		goto out;
	if (strlen(origin) > FW_CHECKPOINT_ORIGIN_MAX) {
		r = FW_EINVAL;
		goto out;
	}
	strcpy(c.origin, origin);
	c.size = size;
	r = fw_log_root(s, size, c.root);
	if (r == 0)
		r = fw_checkpoint_sign(&c, &signer, 1, &note, NULL);
	if (r == 0)
		r = fw_store_checkpoint_put(s, size, note);
out:
	fw_buf_release(&latest);
	r = r == 0 ? fw_store_commit(s) : (fw_store_rollback(s), r);
	if (r < 0) {
		free(note);
		return r;
	}
	*ret_note = note;
	*ret_size = size;
	return 0;
}

/*
 * Verification, chunk by chunk: each chunk's entries are read in one pass with the hashes stored beside them
 * (the next chunk read while this one's leaf hashes are recomputed on two threads); every stored hash of
 * the chunk is checked against the recomputed leaves and then level by level against the hashes of the pairs
 * below it; the levels above a chunk, from the stored hashes of the level below, already checked. Memory
 * stays bounded whatever the log's size; reads are sequential.
 */
#define CHUNK_LEVELS 13
#define CHUNK        (1u << CHUNK_LEVELS) /* leaves per chunk; chunks start at multiples of it */

struct verify {
	struct fw_store *s;
	unsigned char *want;  /* a level of a chunk, recomputed */
	unsigned char *below; /* scratch: the next level up, as it is hashed */
	uint64_t bad;         /* first bad entry index, UINT64_MAX while none */
	struct fw_error *err;
};

/* A chunk of entries, each followed in data by the hashes stored with it. */
struct chunk {
	struct fw_buf data;
	size_t *off, *len,
	    *hlen;             /* entry k: len[k] bytes at data + off[k], then its hlen[k] bytes of hashes */
	unsigned char *leaves; /* the entries' leaf hashes, recomputed */
	uint64_t start, n, expect;
	struct verify *v;
};

/* completes: how many complete subtrees leaf `index` is the last leaf of (store.h). */
static size_t completes(uint64_t index)
{
	size_t t = 0;

	while (index >> t & 1)
		t++;
	return t + 1;
}

static const unsigned char *stored(const struct chunk *c, size_t k)
{
	return (const unsigned char *)c->data.data + c->off[k] + c->len[k];
}

struct hash_job {
	const unsigned char *in;
	unsigned char *out;
	size_t from, to;
};

/* hash_range: the parents of in's pairs from..to into out. */
static void *hash_range(void *arg)
{
	struct hash_job *h = arg;

	for (size_t k = h->from; k < h->to; k++)
		fw_merkle_node_hash(h->in + 2 * k * 32, h->in + (2 * k + 1) * 32, h->out + k * 32);
	return NULL;
}

/* hash_parents: the n parents of want's pairs, on two threads (the halves write apart); they become want. */
static void hash_parents(struct verify *v, size_t n)
{
	struct hash_job a = {v->want, v->below, 0, n / 2}, b = {v->want, v->below, n / 2, n};
	unsigned char *tmp;
	pthread_t t;

	/* A thread pays for itself only on a large range: the lowest parents. */
	if (n >= 2048 && pthread_create(&t, NULL, hash_range, &b) == 0) {
		hash_range(&a);
		pthread_join(t, NULL);
	} else {
		hash_range(&a);
		hash_range(&b);
	}
	tmp = v->want;
	v->want = v->below;
	v->below = tmp;
}

static int collect_chunk(void *ctx, uint64_t index, const void *entry, size_t len,
                         const unsigned char *hashes, size_t hashes_len)
{
	struct chunk *c = ctx;
	size_t k = (size_t)(index - c->start);
	int r;

	if (index != c->expect)
		return FW_EINVAL; /* reported by read_chunk, which knows the expected index */
	c->expect++;
	c->off[k] = c->data.len;
	c->len[k] = len;
	c->hlen[k] = hashes_len;
	r = fw_buf_append(&c->data, entry, len);
	return r == 0 ? fw_buf_append(&c->data, hashes, hashes_len) : r;
}

static int read_chunk(struct chunk *c, uint64_t start, uint64_t n)
{
	int r;

	c->start = c->expect = start;
	c->n = n;
	fw_buf_reset(&c->data);
	r = fw_store_log_leaf_each(c->v->s, start, start + n, collect_chunk, c);
	if ((r == 0 && c->expect != start + n) || r == FW_EINVAL) {
		c->v->bad = c->expect;
		r = fw_error_set(c->v->err, FW_EINVAL, "log", "entry %llu is missing",
		                 (unsigned long long)c->expect);
	}
	return r;
}

struct leaf_job {
	struct chunk *c;
	size_t from, to;
};

static void *hash_leaves(void *arg)
{
	struct leaf_job *j = arg;
	struct chunk *c = j->c;

	for (size_t k = j->from; k < j->to; k++)
		fw_merkle_leaf_hash(c->data.data + c->off[k], c->len[k], c->leaves + k * 32);
	return NULL;
}

static int mismatch(struct verify *v, unsigned level, uint64_t index)
{
	/* The subtree's first leaf is where the disagreement begins. */
	v->bad = index << level;
	return fw_error_set(v->err, FW_EINVAL, "log",
	                    "stored hash of subtree (level %u, index %llu) does not match the entries", level,
	                    (unsigned long long)index);
}

/* check_chunk: every hash stored with the chunk's entries, against the entries. */
static int check_chunk(struct verify *v, const struct chunk *c)
{
	uint64_t start = c->start, n = c->n;

	/* Each entry keeps its leaf hash and exactly one hash per subtree it completes, no more, no fewer. */
	for (size_t k = 0; k < n; k++) {
		uint64_t index = start + k;
		size_t have = c->hlen[k], need = 32 * completes(index);
		if (have < 32 || have % 32 != 0 || have > need) {
			v->bad = index;
			return fw_error_set(v->err, FW_EINVAL, "log",
			                    have < 32
			                        ? "stored hash of subtree (level 0, index %llu) is missing"
			                        : "the hashes stored with entry %llu are damaged",
			                    (unsigned long long)index);
		}
		if (memcmp(stored(c, k), c->leaves + k * 32, 32) != 0)
			return mismatch(v, 0, index);
		if (have < need) {
			v->bad = index;
			return fw_error_set(v->err, FW_EINVAL, "log",
			                    "stored hash of subtree (level %u, index %llu) is missing",
			                    (unsigned)(have / 32),
			                    (unsigned long long)(index >> (have / 32)));
		}
	}
	/* The subtrees wholly inside this chunk, level by level, hashed in place and compared. */
	memcpy(v->want, c->leaves, (size_t)n * 32);
	for (unsigned level = 1; level <= CHUNK_LEVELS && (n >> 1) > 0; level++) {
		n >>= 1;
		start >>= 1;
		hash_parents(v, (size_t)n);
		for (size_t k = 0; k < n; k++) {
			uint64_t i = start + k, last = ((i + 1) << level) - 1 - c->start;
			if (memcmp(stored(c, (size_t)last) + 32 * level, v->want + k * 32, 32) != 0)
				return mismatch(v, level, i);
		}
	}
	return 0;
}

static int verify_leaves(struct verify *v, uint64_t size)
{
	struct chunk ch[2];
	int r = 0, rnext = 0;
	unsigned k = 0;

	memset(ch, 0, sizeof(ch));
	for (int i = 0; i < 2; i++) {
		fw_buf_init(&ch[i].data, 0);
		ch[i].v = v;
		ch[i].off = malloc(CHUNK * sizeof(size_t));
		ch[i].len = malloc(CHUNK * sizeof(size_t));
		ch[i].hlen = malloc(CHUNK * sizeof(size_t));
		ch[i].leaves = malloc(CHUNK * 32);
		if (!ch[i].off || !ch[i].len || !ch[i].hlen || !ch[i].leaves)
			r = FW_ENOMEM;
	}
	if (r == 0 && size > 0)
		r = read_chunk(&ch[0], 0, size < CHUNK ? size : CHUNK);
	for (uint64_t start = 0; r == 0 && start < size; start += CHUNK, k++) {
		struct chunk *cur = &ch[k & 1], *next = &ch[(k + 1) & 1];
		struct leaf_job first = {cur, 0, (size_t)cur->n / 2},
		                second = {cur, (size_t)cur->n / 2, (size_t)cur->n};
		uint64_t nstart = start + CHUNK;
		pthread_t t;
		int threaded = pthread_create(&t, NULL, hash_leaves, &second) == 0;

		/* One thread hashes half of this chunk while this one reads the next and hashes the other
		 * half. */
		if (!threaded)
			hash_leaves(&second);
		if (nstart < size)
			rnext = read_chunk(next, nstart, size - nstart < CHUNK ? size - nstart : CHUNK);
		hash_leaves(&first);
		if (threaded)
			pthread_join(t, NULL);
		r = check_chunk(v, cur);
		/* An error in the chunk read ahead counts only once this one, at lower indexes, is clean. */
		if (r == 0)
			r = rnext;
	}
	for (int i = 0; i < 2; i++) {
		fw_buf_release(&ch[i].data);
		free(ch[i].off);
		free(ch[i].len);
		free(ch[i].hlen);
		free(ch[i].leaves);
	}
	return r;
}

/* verify_upper: the subtrees larger than a chunk, each from the two below it (checked a level earlier). */
static int verify_upper(struct verify *v, uint64_t size)
{
	unsigned char left[32], right[32], want[32], got[32];
	int r = 0;

	for (unsigned level = CHUNK_LEVELS + 1; r == 0 && level < 64 && (size >> level) > 0; level++)
		for (uint64_t i = 0; r == 0 && i < size >> level; i++) {
			r = fw_store_log_node_get(v->s, level - 1, 2 * i, left);
			if (r == 0)
				r = fw_store_log_node_get(v->s, level - 1, 2 * i + 1, right);
			if (r == 0)
				r = fw_store_log_node_get(v->s, level, i, got);
			if (r == FW_ENOENT) {
				v->bad = i << level;
				return fw_error_set(
				    v->err, FW_EINVAL, "log",
				    "stored hash of subtree (level %u, index %llu) is missing", level,
				    (unsigned long long)i);
			}
			fw_merkle_node_hash(left, right, want);
			if (r == 0 && memcmp(want, got, 32) != 0)
				return mismatch(v, level, i);
		}
	return r;
}

int fw_log_verify(struct fw_store *s, struct fw_note_verifier *verifier, uint64_t *ret_size,
                  uint64_t *ret_bad_index, struct fw_error *err)
{
	struct verify v;
	struct fw_checkpoint c;
	struct fw_buf note;
	uint64_t size, cp_size;
	int r;

	memset(&v, 0, sizeof(v));
	memset(&c, 0, sizeof(c));
	v.s = s;
	v.bad = UINT64_MAX;
	v.err = err;
	fw_buf_init(&note, 0);
	/* want and below swap roles as levels are hashed: both hold a level of a chunk. */
	v.want = malloc(2 * CHUNK * 32);
	v.below = malloc(2 * CHUNK * 32);
	r = v.want && v.below ? 0 : FW_ENOMEM;
	if (r == 0)
		r = fw_store_log_size(s, &size);
	if (r == 0)
		r = verify_leaves(&v, size);
	if (r == 0)
		r = verify_upper(&v, size);
	if (r < 0)
		goto out;
	/* The latest checkpoint must be signed by our key and match the recomputed tree at its size. */
	r = fw_store_checkpoint_latest(s, &cp_size, &note);
	if (r == FW_ENOENT) {
		r = 0;
		goto out;
	}
	if (r == 0)
		r = fw_checkpoint_open(note.data, note.len, &verifier, 1, &c, err);
	if (r < 0) {
		v.bad = cp_size; /* the checkpoint itself is at fault: name the entry it would cover next */
		goto out;
	}
	if (c.size != cp_size || c.size > size) {
		v.bad = size;
		r = fw_error_set(err, FW_EINVAL, "checkpoint",
		                 "the latest checkpoint names %llu entries, the log has %llu",
		                 (unsigned long long)c.size, (unsigned long long)size);
		goto out;
	}
	{
		unsigned char root[FW_MERKLE_HASH_BYTES];
		r = fw_log_root(s, c.size, root);
		if (r == 0 && memcmp(root, c.root, sizeof(root)) != 0) {
			v.bad = c.size ? c.size - 1 : 0;
			r = fw_error_set(err, FW_EINVAL, "checkpoint",
			                 "the latest checkpoint's root does not match the entries");
		}
	}
out:
	fw_checkpoint_release(&c);
	fw_buf_release(&note);
	free(v.want);
	free(v.below);
	if (r == FW_EINVAL && ret_bad_index)
		*ret_bad_index = v.bad;
	if (r == 0 && ret_size)
		*ret_size = size;
	return r;
}
