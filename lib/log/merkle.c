/*
 * The RFC 6962/9162 Merkle tree of the transparency log: leaf and node hashes, roots, the append frontier
 * (compact range), and inclusion and consistency proofs, generated from a source of complete-subtree hashes
 * and verified exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 say. No I/O, no allocation.
 */
#include <assert.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/merkle.h"

#define HB FW_MERKLE_HASH_BYTES

void fw_merkle_leaf_hash(const void *entry, size_t len, unsigned char out[HB])
{
	static const unsigned char prefix = 0x00;

	fw_sha256_2(&prefix, 1, entry, len, out);
}

void fw_merkle_node_hash(const unsigned char left[HB], const unsigned char right[HB], unsigned char out[HB])
{
	unsigned char buf[1 + 2 * HB];

	/* One contiguous buffer: two SHA-256 blocks, and out may alias an input. */
	buf[0] = 0x01;
	memcpy(buf + 1, left, HB);
	memcpy(buf + 1 + HB, right, HB);
	fw_sha256(buf, sizeof(buf), out);
}

void fw_merkle_empty_root(unsigned char out[HB])
{
	fw_sha256("", 0, out);
}

void fw_merkle_frontier_init(struct fw_merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

/* Folds the border from the smallest subtree leftwards: the ephemeral nodes of the right edge, then the root.
 */
static void border_root(const struct fw_merkle_frontier *f, unsigned char out[HB])
{
	int have = 0;

	for (unsigned b = 0; b < FW_MERKLE_FRONTIER_MAX; b++) {
		if (!(f->size >> b & 1))
			continue;
		if (have)
			fw_merkle_node_hash(f->hash[b], out, out);
		else
			memcpy(out, f->hash[b], HB);
		have = 1;
	}
	if (!have)
		fw_merkle_empty_root(out);
}

void fw_merkle_frontier_root(const struct fw_merkle_frontier *f, unsigned char out[HB])
{
	border_root(f, out);
}

int fw_merkle_frontier_load(uint64_t size, fw_merkle_get_fn get, void *ctx, struct fw_merkle_frontier *ret)
{
	struct fw_merkle_frontier f;
	int r;

	fw_merkle_frontier_init(&f);
	f.size = size;
	for (unsigned b = 0; b < FW_MERKLE_FRONTIER_MAX; b++) {
		if (!(size >> b & 1))
			continue;
		/* Bit b of size stands for the last complete subtree of 2^b leaves before size. */
		r = get(ctx, b, (size >> b) - 1, f.hash[b]);
		if (r < 0)
			return r;
	}
	*ret = f;
	return 0;
}

int fw_merkle_frontier_append(struct fw_merkle_frontier *f, const unsigned char leaf[HB],
                              fw_merkle_emit_fn emit, void *ctx)
{
	unsigned char carry[HB];
	uint64_t n = f->size;
	unsigned level = 0;
	int r;

	if (n == UINT64_MAX)
		return FW_ETOOBIG;
	memcpy(carry, leaf, HB);
	if (emit && (r = emit(ctx, 0, n, carry)) < 0)
		return r;
	/* Each trailing one bit of n is a subtree of the same height to the left: merge it (binary carry). */
	while (n >> level & 1) {
		fw_merkle_node_hash(f->hash[level], carry, carry);
		level++;
		if (emit && (r = emit(ctx, level, n >> level, carry)) < 0)
			return r;
	}
	/* f changes only here, so a failed emit leaves it as it was. */
	memcpy(f->hash[level], carry, HB);
	f->size = n + 1;
	return 0;
}

void fw_merkle_root(const unsigned char *leaves, uint64_t n, unsigned char out[HB])
{
	struct fw_merkle_frontier f;

	assert(leaves || n == 0);
	f.size = 0;
	for (uint64_t i = 0; i < n; i++) {
		unsigned char carry[HB];
		unsigned level = 0;

		memcpy(carry, leaves + i * HB, HB);
		while (i >> level & 1) {
			fw_merkle_node_hash(f.hash[level], carry, carry);
			level++;
		}
		memcpy(f.hash[level], carry, HB);
	}
	f.size = n;
	border_root(&f, out);
}

/*
 * The hash of leaves [lo, hi), a node of the tree: complete, or on the right edge of a tree whose size is not
 * a power of two, where it is the ephemeral node over the complete subtrees that the bits of hi - lo stand
 * for (lo is aligned to a power of two >= hi - lo, so each of them is a node get knows).
 */
static int range_hash(fw_merkle_get_fn get, void *ctx, uint64_t lo, uint64_t hi, unsigned char out[HB])
{
	uint64_t w = hi - lo, pos = hi;
	unsigned char h[HB];
	int have = 0, r;

	assert(lo < hi);
	for (unsigned b = 0; b < 64; b++) {
		if (!(w >> b & 1))
			continue;
		pos -= (uint64_t)1 << b;
		r = get(ctx, b, pos >> b, have ? h : out);
		if (r < 0)
			return r;
		if (have)
			fw_merkle_node_hash(h, out, out);
		have = 1;
	}
	return 0;
}

/*
 * Appends to proof the hashes of the siblings of node (level, index) in the tree of size leaves, from that
 * level to the root (PATH of RFC 9162 from that node up). A node without a right sibling in the tree is
 * carried up unchanged and contributes nothing; at most one sibling is ephemeral.
 */
static int path(fw_merkle_get_fn get, void *ctx, unsigned level, uint64_t index, uint64_t size,
                unsigned char *proof, size_t *len)
{
	int r;

	for (unsigned l = level; l < 64 && (size - 1) >> l != 0; l++, index >>= 1) {
		/* index < 2^(64-l), so neither shift overflows. */
		uint64_t lo = (index ^ 1) << l, span = (uint64_t)1 << l;

		if (lo >= size)
			continue;
		assert(*len < FW_MERKLE_PROOF_MAX);
		r = range_hash(get, ctx, lo, size - lo > span ? lo + span : size, proof + *len * HB);
		if (r < 0)
			return r;
		(*len)++;
	}
	return 0;
}

int fw_merkle_inclusion_proof(fw_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                              unsigned char *ret_proof, size_t *ret_len)
{
	size_t len = 0;
	int r;

	if (index >= size)
		return FW_EINVAL;
	r = path(get, ctx, 0, index, size, ret_proof, &len);
	if (r < 0)
		return r;
	*ret_len = len;
	return 0;
}

int fw_merkle_consistency_proof(fw_merkle_get_fn get, void *ctx, uint64_t old_size, uint64_t new_size,
                                unsigned char *ret_proof, size_t *ret_len)
{
	unsigned level = 0;
	uint64_t index;
	size_t len = 0;
	int r;

	if (old_size == 0 || old_size > new_size)
		return FW_EINVAL;
	if (old_size == new_size) {
		*ret_len = 0;
		return 0;
	}
	/* The largest complete subtree ending at old_size, then its path in the new tree. */
	while (!(old_size >> level & 1))
		level++;
	index = (old_size >> level) - 1;
	/* When old_size is a power of two that subtree is the old root, which the verifier already holds. */
	if (index != 0) {
		r = get(ctx, level, index, ret_proof);
		if (r < 0)
			return r;
		len = 1;
	}
	r = path(get, ctx, level, index, new_size, ret_proof, &len);
	if (r < 0)
		return r;
	*ret_len = len;
	return 0;
}

/* RFC 9162 steps 2.1.3.2 4.b.ii and 2.1.4.2 6.b.ii: shift fn and sn right until fn is odd or 0. */
static void shift_to_odd(uint64_t *fn, uint64_t *sn)
{
	while (*fn != 0 && !(*fn & 1)) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

/* Step numbers in comments are those of RFC 9162 section 2.1.3.2. */
int fw_merkle_inclusion_verify(uint64_t index, uint64_t size, const unsigned char leaf_hash[HB],
                               const unsigned char *proof, size_t proof_len, const unsigned char root[HB])
{
	unsigned char r[HB];
	uint64_t fn, sn;

	/* 1 */
	if (index >= size)
		return FW_EINVAL;
	/* 2, 3 */
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, HB);
	/* 4 */
	for (size_t i = 0; i < proof_len; i++) {
		/* 4.a: the proof is too long */
		if (sn == 0)
			return FW_EINVAL;
		/* 4.b */
		if ((fn & 1) || fn == sn) {
			fw_merkle_node_hash(proof + i * HB, r, r);
			shift_to_odd(&fn, &sn);
		} else {
			fw_merkle_node_hash(r, proof + i * HB, r);
		}
		/* 4.c */
		fn >>= 1;
		sn >>= 1;
	}
	/* 5: sn is not 0 when the proof is too short */
	if (sn != 0 || memcmp(r, root, HB) != 0)
		return FW_EINVAL;
	return 0;
}

/* Step numbers in comments are those of RFC 9162 section 2.1.4.2. */
int fw_merkle_consistency_verify(uint64_t old_size, uint64_t new_size, const unsigned char old_root[HB],
                                 const unsigned char new_root[HB], const unsigned char *proof,
                                 size_t proof_len)
{
	unsigned char fr[HB], sr[HB];
	uint64_t fn, sn;
	size_t i = 0;

	/* The RFC's preconditions, 0 < first < second, and the trivial proof between equal sizes. */
	if (old_size > new_size || old_size == 0)
		return FW_EINVAL;
	if (old_size == new_size)
		return proof_len == 0 && memcmp(old_root, new_root, HB) == 0 ? 0 : FW_EINVAL;
	/* 1 */
	if (proof_len == 0)
		return FW_EINVAL;
	/* 2: a power of two is its own largest subtree: start from old_root rather than prepend it. */
	if ((old_size & (old_size - 1)) == 0) {
		memcpy(fr, old_root, HB);
	} else {
		memcpy(fr, proof, HB);
		i = 1;
	}
	/* 3, 4 */
	fn = old_size - 1;
	sn = new_size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5 */
	memcpy(sr, fr, HB);
	/* 6 */
	for (; i < proof_len; i++) {
		/* 6.a: the proof is too long */
		if (sn == 0)
			return FW_EINVAL;
		/* 6.b */
		if ((fn & 1) || fn == sn) {
			fw_merkle_node_hash(proof + i * HB, fr, fr);
			fw_merkle_node_hash(proof + i * HB, sr, sr);
			shift_to_odd(&fn, &sn);
		} else {
			fw_merkle_node_hash(sr, proof + i * HB, sr);
		}
		/* 6.c */
		fn >>= 1;
		sn >>= 1;
	}
	/* 7: sn is not 0 when the proof is too short */
	if (sn != 0 || memcmp(fr, old_root, HB) != 0 || memcmp(sr, new_root, HB) != 0)
		return FW_EINVAL;
	return 0;
}
