/*
 * The transparency log kept in the store: each append stores the entry and the hashes of the complete
 * subtrees it finishes, so roots and proofs need O(log n) reads. Checkpoints are signed C2SP notes. Verify
 * recomputes everything from the entries and names the first index that disagrees.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/log.h"

static int get_node(void *ctx, unsigned level, uint64_t index, unsigned char ret[FW_MERKLE_HASH_BYTES])
{
	return fw_store_log_node_get(ctx, level, index, ret);
}

static int put_node(void *ctx, unsigned level, uint64_t index, const unsigned char hash[FW_MERKLE_HASH_BYTES])
{
	return fw_store_log_node_put(ctx, level, index, hash);
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
	struct fw_merkle_frontier f;
	unsigned char leaf[FW_MERKLE_HASH_BYTES];
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
	if (r == 0)
		r = fw_store_log_append(s, size, entry, len);
	if (r < 0)
		return r;
	fw_merkle_leaf_hash(entry, len, leaf);
	r = fw_merkle_frontier_append(&f, leaf, put_node, s);
	if (r < 0)
		return r;
	cached.store = s;
	cached.tx = tx;
	cached.f = f;
	memcpy(cached.last, leaf, sizeof(leaf));
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
 * Verification, level by level in chunks: leaf hashes recomputed from the entries (on two threads) and
 * compared with the stored level 0; then each stored level, already checked, hashed in pairs and compared
 * with the level above. Memory stays bounded whatever the log's size; reads are sequential.
 */
#define CHUNK_LEVELS 13
#define CHUNK        (1u << CHUNK_LEVELS) /* leaves per chunk; chunks start at multiples of it */

struct verify {
	struct fw_store *s;
	uint64_t start, n;    /* the chunk: indexes start .. start + n */
	uint64_t expect;      /* the next index expected from the store */
	unsigned char *want;  /* n recomputed hashes */
	unsigned char *below; /* 2n checked hashes of the level below */
	uint64_t bad;         /* first bad entry index, UINT64_MAX while none */
	unsigned level;
	struct fw_error *err;
};

struct hash_job {
	struct verify *v;
	size_t from, to;
};

/* hash_range: the parents of want's pairs from..to into below. */
static void *hash_range(void *arg)
{
	struct hash_job *h = arg;
	unsigned char *w = h->v->want;

	for (size_t k = h->from; k < h->to; k++)
		fw_merkle_node_hash(w + 2 * k * 32, w + (2 * k + 1) * 32, h->v->below + k * 32);
	return NULL;
}

/* hash_parents: hash_range over [0, n) on two threads (the halves write apart); the parents become want. */
static void hash_parents(struct verify *v, size_t n)
{
	struct hash_job a = {v, 0, n / 2}, b = {v, n / 2, n};
	pthread_t t;

	/* A thread pays for itself only on a large range: the leaves, and the lowest parents. */
	if (n >= 2048 && pthread_create(&t, NULL, hash_range, &b) == 0) {
		hash_range(&a);
		pthread_join(t, NULL);
	} else {
		hash_range(&a);
		hash_range(&b);
	}
	{
		unsigned char *tmp = v->want;
		v->want = v->below;
		v->below = tmp;
	}
}

static int collect_below(void *ctx, uint64_t index, const unsigned char hash[32])
{
	struct verify *v = ctx;

	if (index != v->expect)
		return FW_EIO; /* checked a level earlier: cannot happen unless the store changes under us */
	memcpy(v->below + (size_t)(index - 2 * v->start) * 32, hash, 32);
	v->expect++;
	return 0;
}

static int compare_stored(void *ctx, uint64_t index, const unsigned char hash[32])
{
	struct verify *v = ctx;

	if (index != v->expect || memcmp(v->want + (size_t)(index - v->start) * 32, hash, 32) != 0) {
		uint64_t at = index != v->expect ? v->expect : index;
		/* The subtree's first leaf is where the disagreement begins. */
		v->bad = at << v->level;
		return fw_error_set(
		    v->err, FW_EINVAL, "log", "stored hash of subtree (level %u, index %llu) %s", v->level,
		    (unsigned long long)at, index != v->expect ? "is missing" : "does not match the entries");
	}
	v->expect++;
	return 0;
}

static int check_chunk(struct verify *v)
{
	int r;

	v->expect = v->start;
	r = fw_store_log_node_range(v->s, v->level, v->start, v->start + v->n, compare_stored, v);
	if (r == 0 && v->expect != v->start + v->n) {
		v->bad = v->expect << v->level;
		r = fw_error_set(v->err, FW_EINVAL, "log",
		                 "stored hash of subtree (level %u, index %llu) is missing", v->level,
		                 (unsigned long long)v->expect);
	}
	return r;
}

/* A chunk of entries read ahead while the previous one is hashed: reading and hashing overlap. */
struct chunk {
	struct fw_buf data; /* the entries, back to back */
	size_t *off, *len;
	unsigned char *leaves; /* their leaf hashes */
	uint64_t start, n, expect;
	struct verify *v;
};

static int collect_chunk(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct chunk *c = ctx;
	size_t k = (size_t)(index - c->start);

	if (index != c->expect)
		return FW_EINVAL; /* reported by read_chunk, which knows the expected index */
	c->expect++;
	c->off[k] = c->data.len;
	c->len[k] = len;
	return fw_buf_append(&c->data, entry, len);
}

static int read_chunk(struct chunk *c, uint64_t start, uint64_t n)
{
	int r;

	c->start = c->expect = start;
	c->n = n;
	fw_buf_reset(&c->data);
	r = fw_store_log_entry_each(c->v->s, start, start + n, collect_chunk, c);
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
		ch[i].leaves = malloc(CHUNK * 32);
		if (!ch[i].off || !ch[i].len || !ch[i].leaves)
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
		memcpy(v->want, cur->leaves, (size_t)cur->n * 32);
		v->start = cur->start;
		v->n = cur->n;
		v->level = 0;
		r = check_chunk(v);
		/* The subtrees wholly inside this chunk, level by level, hashed in place and compared. */
		for (unsigned level = 1; r == 0 && level <= CHUNK_LEVELS && (v->n >> 1) > 0; level++) {
			uint64_t n = v->n >> 1;
			hash_parents(v, (size_t)n);
			v->start >>= 1;
			v->n = n;
			v->level = level;
			r = check_chunk(v);
		}
		/* An error in the chunk read ahead counts only once this one, at lower indexes, is clean. */
		if (r == 0)
			r = rnext;
	}
	for (int i = 0; i < 2; i++) {
		fw_buf_release(&ch[i].data);
		free(ch[i].off);
		free(ch[i].len);
		free(ch[i].leaves);
	}
	return r;
}

static int verify_level(struct verify *v, unsigned level, uint64_t count)
{
	int r = 0;

	for (uint64_t start = 0; r == 0 && start < count; start += CHUNK) {
		v->start = start;
		v->n = count - start < CHUNK ? count - start : CHUNK;
		v->expect = 2 * start;
		r = fw_store_log_node_range(v->s, level - 1, 2 * start, 2 * (start + v->n), collect_below, v);
		if (r < 0)
			break;
		for (size_t k = 0; k < v->n; k++)
			fw_merkle_node_hash(v->below + 2 * k * 32, v->below + (2 * k + 1) * 32,
			                    v->want + k * 32);
		v->level = level;
		r = check_chunk(v);
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
	/* Levels above a chunk: from the stored hashes of the level below, checked one step earlier. */
	for (unsigned level = CHUNK_LEVELS + 1; r == 0 && level < 64 && (size >> level) > 0; level++)
		r = verify_level(&v, level, size >> level);
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
