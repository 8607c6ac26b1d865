/*
 * The Merkle tree of the transparency log (RFC 6962 section 2.1, RFC 9162 section 2.1): hashing, roots,
 * the append frontier, inclusion and consistency proofs. Pure functions over caller-owned memory: no I/O,
 * no allocation, no global state: callable from any thread after fw_crypto_init() (one writer per frontier).
 */
#ifndef FW_MERKLE_H
#define FW_MERKLE_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/err.h"

#define FW_MERKLE_HASH_BYTES 32
/*
 * The longest proof for any tree size that fits in a uint64_t: 64 hashes for inclusion, 65 for consistency
 * (old size 2^64 - 3 against new size 2^64 - 1). Proofs, and lists of leaf hashes, are flat arrays of
 * 32-byte hashes (unsigned char *): a pointer to const arrays would need a cast from every C11 caller.
 */
#define FW_MERKLE_PROOF_MAX   65
#define FW_MERKLE_PROOF_BYTES (FW_MERKLE_PROOF_MAX * FW_MERKLE_HASH_BYTES)
/* The most complete subtrees on the right border of a tree: one per set bit of its size. */
#define FW_MERKLE_FRONTIER_MAX 64

/* fw_merkle_leaf_hash: SHA-256(0x00 || entry) of len bytes into out. */
void fw_merkle_leaf_hash(const void *entry, size_t len, unsigned char out[FW_MERKLE_HASH_BYTES]);
/* fw_merkle_node_hash: SHA-256(0x01 || left || right) into out; out may alias left or right. */
void fw_merkle_node_hash(const unsigned char left[FW_MERKLE_HASH_BYTES],
                         const unsigned char right[FW_MERKLE_HASH_BYTES],
                         unsigned char out[FW_MERKLE_HASH_BYTES]);
/* fw_merkle_empty_root: the root of the tree of no leaves, SHA-256 of the empty string, into out. */
void fw_merkle_empty_root(unsigned char out[FW_MERKLE_HASH_BYTES]);

/*
 * fw_merkle_root: the root of the tree of the n leaf hashes at leaves (n * 32 bytes; MTH of RFC 6962 over
 * hashed leaves) into out; the empty root when n is 0. O(n) time, O(log n) stack, one pass over leaves.
 */
void fw_merkle_root(const unsigned char *leaves, uint64_t n, unsigned char out[FW_MERKLE_HASH_BYTES]);

/*
 * fw_merkle_get_fn: a source of node hashes for proofs and for fw_merkle_frontier_load. Writes into ret the
 * hash of the complete subtree at (level, index): the 2^level leaves from index * 2^level on (level 0: leaf
 * hashes). It is only asked for subtrees that lie wholly inside the tree size given to the caller. Returns 0,
 * or a negative FW_E* code that the caller returns unchanged.
 */
typedef int (*fw_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                                unsigned char ret[FW_MERKLE_HASH_BYTES]);
/*
 * fw_merkle_emit_fn: told of each complete subtree (level, index, hash) when it becomes final, for a store to
 * keep and to answer fw_merkle_get_fn later. hash is only valid during the call. Returns 0, or a negative
 * FW_E* code to abandon the append.
 */
typedef int (*fw_merkle_emit_fn)(void *ctx, unsigned level, uint64_t index,
                                 const unsigned char hash[FW_MERKLE_HASH_BYTES]);

/*
 * struct fw_merkle_frontier: the compact range [0, size) of an append-only tree: for each set bit b of size,
 * hash[b] is the root of the complete subtree of the 2^b leaves that bit stands for (other slots are
 * unspecified). Caller storage (2 KiB), no resources: copy it, drop it. Not thread-safe: one writer.
 */
struct fw_merkle_frontier {
	uint64_t size;
	unsigned char hash[FW_MERKLE_FRONTIER_MAX][FW_MERKLE_HASH_BYTES];
};

/* fw_merkle_frontier_init: the frontier of the empty tree. */
void fw_merkle_frontier_init(struct fw_merkle_frontier *f);
/*
 * fw_merkle_frontier_load: the frontier of the tree of size leaves, from the complete subtrees on its right
 * border as given by get (at most 64 calls), into ret. Returns 0, or get's error; ret is written only on
 * success.
 */
FW_WUR int fw_merkle_frontier_load(uint64_t size, fw_merkle_get_fn get, void *ctx,
                                   struct fw_merkle_frontier *ret);
/*
 * fw_merkle_frontier_append: appends the leaf hash as leaf number f->size. When emit is not NULL it is
 * called, in order, for every complete subtree that this leaf completes: the leaf itself at (0, f->size),
 * then each parent up to the largest; over a series of appends every complete subtree is emitted exactly
 * once. Returns 0; emit's error (f unchanged, so the append can be retried); FW_ETOOBIG when the tree is full
 * (2^64 - 1).
 */
FW_WUR int fw_merkle_frontier_append(struct fw_merkle_frontier *f,
                                     const unsigned char leaf[FW_MERKLE_HASH_BYTES], fw_merkle_emit_fn emit,
                                     void *ctx);
/* fw_merkle_frontier_root: the root of the tree of f->size leaves into out (the empty root for size 0). */
void fw_merkle_frontier_root(const struct fw_merkle_frontier *f, unsigned char out[FW_MERKLE_HASH_BYTES]);

/*
 * fw_merkle_inclusion_proof: the inclusion proof (RFC 9162 section 2.1.3.1, PATH) of leaf index in the tree
 * of size leaves, with node hashes from get, into ret_proof (caller buffer of FW_MERKLE_PROOF_BYTES) and
 * its number of hashes into ret_len; at most 2 ceil(log2(size)) calls to get. Returns 0; FW_EINVAL if
 * index >= size; get's error. ret_proof may be partly written on failure; ret_len is written only on success.
 */
FW_WUR int fw_merkle_inclusion_proof(fw_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                                     unsigned char *ret_proof, size_t *ret_len);
/*
 * fw_merkle_consistency_proof: the consistency proof (RFC 9162 section 2.1.4.1, PROOF) between the trees of
 * old_size and new_size leaves, as fw_merkle_inclusion_proof. Returns 0 (the proof is empty when old_size
 * equals new_size); FW_EINVAL if old_size is 0 or greater than new_size; get's error.
 */
FW_WUR int fw_merkle_consistency_proof(fw_merkle_get_fn get, void *ctx, uint64_t old_size, uint64_t new_size,
                                       unsigned char *ret_proof, size_t *ret_len);

/*
 * fw_merkle_inclusion_verify: checks, per RFC 9162 section 2.1.3.2, that proof (proof_len hashes, 32 bytes
 * each) proves leaf_hash to be leaf index of the tree of size leaves whose root is root. Returns 0 if it
 * does, FW_EINVAL otherwise (including index >= size, hence any proof against the empty tree). No fw_error
 * detail: a proof either verifies or it does not.
 */
FW_WUR int fw_merkle_inclusion_verify(uint64_t index, uint64_t size,
                                      const unsigned char leaf_hash[FW_MERKLE_HASH_BYTES],
                                      const unsigned char *proof, size_t proof_len,
                                      const unsigned char root[FW_MERKLE_HASH_BYTES]);
/*
 * fw_merkle_consistency_verify: checks, per RFC 9162 section 2.1.4.2, that proof (proof_len hashes, 32 bytes
 * each) proves the tree of old_size leaves with root old_root to be a prefix of the tree of new_size leaves
 * with root new_root. Equal sizes need an empty proof and equal roots. An old size of 0 is refused: the empty
 * tree is a prefix of every tree, so such a "proof" proves nothing (RFC 9162 requires 0 < first). Returns 0
 * if the proof holds, FW_EINVAL otherwise, without fw_error detail.
 */
FW_WUR int fw_merkle_consistency_verify(uint64_t old_size, uint64_t new_size,
                                        const unsigned char old_root[FW_MERKLE_HASH_BYTES],
                                        const unsigned char new_root[FW_MERKLE_HASH_BYTES],
                                        const unsigned char *proof, size_t proof_len);

#endif
