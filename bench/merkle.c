/*
 * Merkle benchmark: (a) the root of an N-entry log (default 1,000,000 entries of 280-320 bytes) recomputed
 * from its entries, leaf hashes then root; (b) inclusion and consistency proofs generated and verified per
 * second on the N-leaf tree, its complete subtrees kept in memory as a store would keep them. Prints the
 * median of RUNS runs (default 5). Usage: bench_merkle [LEAVES] [RUNS<=64]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "forewarn/crypto.h"
#include "forewarn/merkle.h"
#include "timing.h"

#define HB     FW_MERKLE_HASH_BYTES
#define PROOFS 50000 /* proofs of each kind per run */

static uint64_t rng = 0x6d65726b6c65u;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* The in-memory node store: node[l][i] is the complete subtree (l, i); count[l] of them. */
struct nodes {
	unsigned char *node[64];
	uint64_t count[64];
};

static int nodes_emit(void *ctx, unsigned level, uint64_t index, const unsigned char hash[HB])
{
	struct nodes *s = ctx;

	if (index != s->count[level])
		return FW_EINVAL;
	memcpy(s->node[level] + index * HB, hash, HB);
	s->count[level]++;
	return 0;
}

static int nodes_get(void *ctx, unsigned level, uint64_t index, unsigned char ret[HB])
{
	const struct nodes *s = ctx;

	if (level >= 64 || index >= s->count[level])
		return FW_ENOENT;
	memcpy(ret, s->node[level] + index * HB, HB);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5, r = 0;
	double t_leaf[64], t_root[64], t_total[64], t_cpu[64], inc_gen[64], inc_ver[64], con_gen[64],
	    con_ver[64];
	unsigned char *entries = NULL, *leaves = NULL, *proofs = NULL, root[HB], check[HB],
	              (*old_roots)[HB] = NULL;
	size_t *lens, *offs, *plen = NULL, total = 0, proof_hashes = 0;
	uint64_t *idx = NULL;
	struct fw_merkle_frontier f;
	struct nodes s;

	if (n < 2 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_merkle [LEAVES>=2] [RUNS<=64]\n");
		return 2;
	}
	if (fw_crypto_init() < 0)
		return 1;
	memset(&s, 0, sizeof(s));
	/* Entries of 280 to 320 random bytes, contiguous, as a verifier streams them from the store. */
	lens = malloc((size_t)n * sizeof(*lens));
	offs = malloc((size_t)n * sizeof(*offs));
	for (long i = 0; lens && offs && i < n; i++) {
		lens[i] = 280 + (size_t)(rnd() % 41);
		offs[i] = total;
		total += lens[i];
	}
	entries = malloc(total);
	leaves = malloc((size_t)n * HB);
	idx = malloc(PROOFS * sizeof(*idx));
	plen = malloc(PROOFS * sizeof(*plen));
	proofs = malloc((size_t)PROOFS * FW_MERKLE_PROOF_BYTES);
	old_roots = malloc(PROOFS * sizeof(*old_roots));
	for (unsigned l = 0; l < 64 && ((uint64_t)n >> l) != 0; l++)
		if (!(s.node[l] = malloc(((size_t)n >> l) * HB)))
			r = FW_ENOMEM;
	if (r < 0 || !lens || !offs || !entries || !leaves || !idx || !plen || !proofs || !old_roots) {
		r = FW_ENOMEM;
		goto out;
	}
	fw_crypto_random(entries, total);

	/* (a) the root from the entries: what `log verify` does. */
	for (int k = 0; k < runs; k++) {
		double c0 = cpu_s(), t0 = now_s(), t1, t2;

		for (long i = 0; i < n; i++)
			fw_merkle_leaf_hash(entries + offs[i], lens[i], leaves + (size_t)i * HB);
		t1 = now_s();
		fw_merkle_root(leaves, (uint64_t)n, root);
		t2 = now_s();
		t_leaf[k] = t1 - t0;
		t_root[k] = t2 - t1;
		t_total[k] = t2 - t0;
		t_cpu[k] = cpu_s() - c0;
	}

	/* The store's view: every complete subtree, as the frontier emits them on append. */
	fw_merkle_frontier_init(&f);
	for (long i = 0; i < n; i++)
		if ((r = fw_merkle_frontier_append(&f, leaves + (size_t)i * HB, nodes_emit, &s)) < 0)
			goto out;
	fw_merkle_frontier_root(&f, check);
	if (memcmp(check, root, HB) != 0) {
		fprintf(stderr, "bench_merkle: frontier root differs from fw_merkle_root\n");
		r = FW_EINVAL;
		goto out;
	}

	/* (b) proofs against the latest tree: inclusion of random leaves, consistency from random old sizes.
	 */
	for (int k = 0; k < runs; k++) {
		double t0, t1, t2;

		for (int i = 0; i < PROOFS; i++)
			idx[i] = rnd() % (uint64_t)n;
		t0 = now_s();
		for (int i = 0; i < PROOFS; i++)
			if ((r = fw_merkle_inclusion_proof(nodes_get, &s, idx[i], (uint64_t)n,
			                                   proofs + (size_t)i * FW_MERKLE_PROOF_BYTES,
			                                   &plen[i])) < 0)
				goto out;
		t1 = now_s();
		for (int i = 0; i < PROOFS; i++)
			if ((r = fw_merkle_inclusion_verify(idx[i], (uint64_t)n, leaves + idx[i] * HB,
			                                    proofs + (size_t)i * FW_MERKLE_PROOF_BYTES,
			                                    plen[i], root)) < 0)
				goto out;
		t2 = now_s();
		inc_gen[k] = PROOFS / (t1 - t0);
		inc_ver[k] = PROOFS / (t2 - t1);
		for (int i = 0; i < PROOFS; i++)
			proof_hashes += plen[i];

		/* Old roots from the frontiers the store would load; not timed. */
		for (int i = 0; i < PROOFS; i++) {
			struct fw_merkle_frontier old;

			idx[i] = 1 + rnd() % (uint64_t)(n - 1);
			if ((r = fw_merkle_frontier_load(idx[i], nodes_get, &s, &old)) < 0)
				goto out;
			fw_merkle_frontier_root(&old, old_roots[i]);
		}
		t0 = now_s();
		for (int i = 0; i < PROOFS; i++)
			if ((r = fw_merkle_consistency_proof(nodes_get, &s, idx[i], (uint64_t)n,
			                                     proofs + (size_t)i * FW_MERKLE_PROOF_BYTES,
			                                     &plen[i])) < 0)
				goto out;
		t1 = now_s();
		for (int i = 0; i < PROOFS; i++)
			if ((r = fw_merkle_consistency_verify(idx[i], (uint64_t)n, old_roots[i], root,
			                                      proofs + (size_t)i * FW_MERKLE_PROOF_BYTES,
			                                      plen[i])) < 0)
				goto out;
		t2 = now_s();
		con_gen[k] = PROOFS / (t1 - t0);
		con_ver[k] = PROOFS / (t2 - t1);
	}

	printf("merkle: %ld entries of 280-320 bytes (%.0f MB), median of %d runs\n", n, (double)total / 1e6,
	       runs);
	printf(
	    "  (a) root from entries: %.3f s (leaf hashes %.3f s + root %.3f s; CPU %.3f s); target <= 2 s\n",
	    median(t_total, runs), median(t_leaf, runs), median(t_root, runs), median(t_cpu, runs));
	printf("  (b) inclusion proofs (tree of %ld, %.1f hashes each): %.0f generated/s, %.0f verified/s\n",
	       n, (double)proof_hashes / ((double)PROOFS * runs), median(inc_gen, runs),
	       median(inc_ver, runs));
	printf("      consistency proofs (random old size to %ld): %.0f generated/s, %.0f verified/s\n", n,
	       median(con_gen, runs), median(con_ver, runs));
out:
	if (r < 0)
		fprintf(stderr, "bench_merkle: %s\n", fw_strerror(r));
	for (unsigned l = 0; l < 64; l++)
		free(s.node[l]);
	free(lens);
	free(offs);
	free(entries);
	free(leaves);
	free(idx);
	free(plen);
	free(proofs);
	free(old_roots);
	return r < 0;
}
