/*
 * Tardos trace benchmark: the math of `forewarn trace` for one advisory: derive the m biases, score every
 * partner (codewords re-derived from the PRF on the fly), and compute the accuse and investigate thresholds,
 * for a whole leaked copy and for a 30% fragment. Prints the median of RUNS runs (default 11), wall and CPU,
 * and the cost of the threshold by bisection on z for comparison. Usage: bench_tardos [PARTNERS] [M]
 * [RUNS<=64]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "forewarn/crypto.h"
#include "forewarn/tardos.h"
#include "timing.h"

#define ID_BYTES 32
#define ADVISORY "fw-2026-0042"

static uint64_t rng = 0x7461726426u;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* The reference: the smallest z with bound <= eps, by bisection on z to 1e-9 relative. */
static double bisect(const unsigned char *obs, const double *p, size_t m, double eps)
{
	double lo = 0, hi = 1, b;

	while (fw_tardos_bound(obs, p, m, hi, &b) == 0 && b > eps && hi < 1e9)
		hi *= 2;
	while (hi - lo > 1e-9 * hi) {
		double mid = (lo + hi) / 2;

		if (fw_tardos_bound(obs, p, m, mid, &b) != 0)
			return NAN;
		if (b <= eps)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000,
	       m = argc > 2 ? strtoul(argv[2], NULL, 10) : 800;
	int runs = argc > 3 ? atoi(argv[3]) : 11, leaker;
	unsigned char key[FW_KEY_BYTES], *obs = NULL, *word = NULL;
	double *p = NULL, *scores = NULL, wall[64], cpu[64], part[3][64], zb = 0, tb[64];
	char *names = NULL;
	const char **ids = NULL;

	if (n == 0 || m == 0 || m > FW_TARDOS_POSITIONS_MAX || runs < 1 || runs > 64 ||
	    fw_crypto_init() < 0) {
		fprintf(stderr, "usage: bench_tardos [PARTNERS>0] [M>0] [RUNS 1..64]\n");
		return 2;
	}
	fw_crypto_random(key, sizeof(key));
	names = malloc(n * ID_BYTES);
	ids = malloc(n * sizeof(*ids));
	scores = malloc(n * sizeof(*scores));
	p = malloc(m * sizeof(*p));
	obs = malloc(m);
	word = malloc(m);
	if (!names || !ids || !scores || !p || !obs || !word) {
		fprintf(stderr, "bench_tardos: out of memory\n");
		return 1;
	}
	for (size_t j = 0; j < n; j++) {
		snprintf(names + j * ID_BYTES, ID_BYTES, "partner-%06zu", j);
		ids[j] = names + j * ID_BYTES;
	}
	leaker = (int)(n / 3);
	if (fw_tardos_biases(key, ADVISORY, m, p) < 0 ||
	    fw_tardos_codeword(key, ADVISORY, ids[leaker], p, m, word) < 0)
		return 1;
	printf("trace of one advisory over %zu partners, m = %zu, median of %d runs\n", n, m, runs);

	for (int frag = 0; frag < 2; frag++) {
		double frac = frag ? 0.3 : 1.0, thr = 0, inv = 0, bound = 0;
		size_t accused = 0;

		for (size_t i = 0; i < m; i++)
			obs[i] = (double)(rnd() >> 11) * 0x1p-53 < frac ? word[i] : FW_TARDOS_UNSEEN;
		for (int r = 0; r < runs; r++) {
			double t0 = now_s(), c0 = cpu_s(), t1, t2, t3;

			if (fw_tardos_biases(key, ADVISORY, m, p) < 0)
				return 1;
			t1 = now_s();
			if (fw_tardos_score_partners(key, ADVISORY, ids, n, p, obs, m, scores) < 0)
				return 1;
			t2 = now_s();
			if (fw_tardos_threshold(obs, p, m, FW_TARDOS_ACCUSE_EPS, &thr) < 0 ||
			    fw_tardos_threshold(obs, p, m, FW_TARDOS_INVESTIGATE_EPS, &inv) < 0)
				return 1;
			t3 = now_s();
			wall[r] = t3 - t0;
			cpu[r] = cpu_s() - c0;
			part[0][r] = t1 - t0;
			part[1][r] = t2 - t1;
			part[2][r] = t3 - t2;
			t0 = now_s();
			zb = bisect(obs, p, m, FW_TARDOS_ACCUSE_EPS);
			tb[r] = now_s() - t0;
		}
		for (size_t j = 0; j < n; j++)
			accused += scores[j] >= thr;
		if (fw_tardos_bound(obs, p, m, scores[leaker], &bound) < 0)
			return 1;
		printf("%s: %zu positions observed\n", frag ? "30% fragment" : "whole copy",
		       fw_tardos_observed(obs, m));
		printf("  trace total   %8.2f ms wall, %8.2f ms CPU\n", 1e3 * median(wall, runs),
		       1e3 * median(cpu, runs));
		printf("    biases      %8.3f ms\n", 1e3 * median(part[0], runs));
		printf("    scores      %8.2f ms (%.2f us per partner)\n", 1e3 * median(part[1], runs),
		       1e6 * median(part[1], runs) / (double)n);
		printf("    thresholds  %8.3f ms (accuse and investigate)\n", 1e3 * median(part[2], runs));
		printf("  threshold by bisection on z (one eps) %.3f ms: z = %.6f vs %.6f\n",
		       1e3 * median(tb, runs), zb, thr);
		printf("  accuse at z >= %.3f, investigate at z >= %.3f; leaker scores %.3f (bound %.3g); "
		       "%zu accused\n",
		       thr, inv, scores[leaker], bound, accused);
	}
	free(names);
	free(ids);
	free(scores);
	free(p);
	free(obs);
	free(word);
	return 0;
}
