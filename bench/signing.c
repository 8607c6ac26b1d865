/*
 * The cost of signed and sealed copies, per download: signing a copy (paid once per copy and server thread:
 * the signature is cached), what a cached download still pays (the header), sealing and signing a sealed
 * answer (paid per sealed download), and verifying. Prints CPU microseconds per operation (median of 5 runs).
 * Run: build/bench/bench_signing
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/seal.h"
#include "forewarn/signing.h"
#include "timing.h"

#define RUNS 5

typedef void (*op_fn)(void *ctx);

/* per_op: the median over RUNS of the CPU time per call of fn, in microseconds, calling it n times a run. */
static double per_op(op_fn fn, void *ctx, int n)
{
	double t[RUNS];

	for (int r = 0; r < RUNS; r++) {
		double start = cpu_s();
		for (int i = 0; i < n; i++)
			fn(ctx);
		t[r] = (cpu_s() - start) * 1e6 / n;
	}
	return median(t, RUNS);
}

struct ctx {
	struct fw_signer *signer;
	unsigned char pk[32], xpk[32], xsk[32], sig[64], sha[32];
	char *msg;
	size_t n;
	struct fw_buf box;
	char header[FW_SIGN_HEADER_MAX];
};

static void op_sign(void *p)
{
	struct ctx *c = p;
	if (fw_signer_sign(c->signer, c->msg, c->n, c->sig) < 0)
		abort();
}

static void op_sha(void *p)
{
	struct ctx *c = p;
	fw_sha256(c->msg, c->n, c->sha);
}

static void op_header(void *p)
{
	struct ctx *c = p;
	fw_sign_header(fw_signer_keyid(c->signer), c->sig, c->header);
}

static void op_seal_and_sign(void *p)
{
	struct ctx *c = p;
	fw_buf_reset(&c->box);
	if (fw_seal_to_buf(c->xpk, c->msg, c->n, &c->box) < 0 ||
	    fw_signer_sign(c->signer, c->box.data, c->box.len, c->sig) < 0)
		abort();
}

static void op_verify(void *p)
{
	struct ctx *c = p;
	if (fw_ed25519_verify(c->pk, c->msg, c->n, c->sig) < 0)
		abort();
}

int main(void)
{
	static const size_t sizes[] = {1024, 3 * 1024, 64 * 1024};
	unsigned char seed[32];
	struct ctx c;

	if (fw_crypto_init() < 0)
		return 1;
	memset(&c, 0, sizeof(c));
	fw_crypto_random(seed, sizeof(seed));
	if (fw_signer_from_seed(seed, &c.signer) < 0 || fw_x25519_keypair(c.xpk, c.xsk) < 0)
		return 1;
	fw_signer_public(c.signer, c.pk);
	fw_buf_init(&c.box, 0);
	printf("%-10s %12s %12s %14s %16s %12s\n", "copy", "sha256 us", "sign us", "cached hdr us",
	       "seal+sign us", "verify us");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int n = sizes[i] > 8192 ? 500 : 5000;
		double sha, sign, hdr, seal, verify;

		c.n = sizes[i];
		c.msg = malloc(c.n);
		if (!c.msg)
			return 1;
		fw_crypto_random(c.msg, c.n);
		sha = per_op(op_sha, &c, n);
		sign = per_op(op_sign, &c, n);
		hdr = per_op(op_header, &c, n * 10);
		seal = per_op(op_seal_and_sign, &c, n);
		op_sign(&c); /* the copy's signature again: seal+sign left the box's in c.sig */
		verify = per_op(op_verify, &c, n);
		printf("%-10zu %12.2f %12.2f %14.3f %16.2f %12.2f\n", c.n, sha, sign, hdr, seal, verify);
		free(c.msg);
	}
	printf("sign: a copy's first download on a server thread (then cached); cached hdr: every later "
	       "download;\n"
	       "seal+sign: every sealed download (the copy's own signature comes from the cache).\n");
	fw_buf_release(&c.box);
	fw_signer_free(c.signer);
	return 0;
}
