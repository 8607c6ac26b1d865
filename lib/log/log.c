/*
 * The transparency log kept in the store: each append stores the entry and the hashes of the complete
 * subtrees it finishes, so roots and proofs need O(log n) reads. Checkpoints are signed C2SP notes. Verify
 * recomputes everything from the entries and names the first index that disagrees.
 */
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
	uint64_t size;
	int r;

	r = fw_store_log_size(s, &size);
	if (r == 0)
		r = frontier(s, size, &f);
	if (r == 0)
		r = fw_store_log_append(s, size, entry, len);
	if (r < 0)
		return r;
	fw_merkle_leaf_hash(entry, len, leaf);
	r = fw_merkle_frontier_append(&f, leaf, put_node, s);
	if (r < 0)
		return r;
	cached.store = s;
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

int fw_log_consistency_proof(struct fw_store *s, uint64_t old_size, uint64_t new_size, unsigned char *ret_proof,
                             size_t *ret_len)
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

/* Verification: one pass over the entries, recomputing every complete subtree as the frontier grows. */
struct verify {
	struct fw_store *s;
	struct fw_merkle_frontier f;
	uint64_t expect;        /* the next index */
	uint64_t bad;           /* first bad index, UINT64_MAX while none */
	struct fw_error *err;
};

static int check_node(void *ctx, unsigned level, uint64_t index, const unsigned char hash[FW_MERKLE_HASH_BYTES])
{
	struct verify *v = ctx;
	unsigned char stored[FW_MERKLE_HASH_BYTES];
	int r = fw_store_log_node_get(v->s, level, index, stored);

	if (r < 0 && r != FW_ENOENT)
		return r;
	if (r == FW_ENOENT || memcmp(stored, hash, sizeof(stored)) != 0) {
		/* The subtree's first leaf is where the disagreement begins. */
		v->bad = index << level;
		fw_error_set(v->err, FW_EINVAL, "log", "stored hash of subtree (level %u, index %llu) %s", level,
		             (unsigned long long)index, r == FW_ENOENT ? "is missing" : "does not match the entries");
		return FW_EINVAL;
	}
	return 0;
}

static int check_entry(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct verify *v = ctx;
	unsigned char leaf[FW_MERKLE_HASH_BYTES];

	if (index != v->expect) {
		v->bad = v->expect;
		return fw_error_set(v->err, FW_EINVAL, "log", "entry %llu is missing", (unsigned long long)v->expect);
	}
	fw_merkle_leaf_hash(entry, len, leaf);
	v->expect++;
	return fw_merkle_frontier_append(&v->f, leaf, check_node, v);
}

int fw_log_verify(struct fw_store *s, struct fw_note_verifier *verifier, uint64_t *ret_size,
                  uint64_t *ret_bad_index, struct fw_error *err)
{
	struct verify v = {s, {0}, 0, UINT64_MAX, err};
	struct fw_checkpoint c;
	struct fw_buf note;
	uint64_t size, cp_size;
	int r;

	memset(&c, 0, sizeof(c));
	fw_buf_init(&note, 0);
	fw_merkle_frontier_init(&v.f);
	r = fw_store_log_size(s, &size);
	if (r == 0)
		r = fw_store_log_entry_each(s, 0, size, check_entry, &v);
	if (r == 0 && v.expect != size) {
		v.bad = v.expect;
		r = fw_error_set(err, FW_EINVAL, "log", "entry %llu is missing", (unsigned long long)v.expect);
	}
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
	if (r < 0)
		goto out;
	if (c.size != cp_size || c.size > size) {
		v.bad = size;
		r = fw_error_set(err, FW_EINVAL, "checkpoint", "the latest checkpoint names %llu entries, the log has %llu",
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
	if (r == FW_EINVAL && ret_bad_index)
		*ret_bad_index = v.bad;
	if (r == 0 && ret_size)
		*ret_size = size;
	return r;
}
