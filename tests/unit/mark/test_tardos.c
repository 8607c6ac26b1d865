/*
 * The Tardos code core (lib/mark/tardos.c): golden vectors computed independently (pure-Python ChaCha20,
 * hashlib's keyed BLAKE2b, mpmath at 50 digits for the bound and threshold), the arcsine distribution of the
 * biases and Bernoulli codewords, the bound against exact tail probabilities and the threshold against
 * bisection on z, and a tracing simulation: 100 partners, m = 800, lone leakers, 2 colluders, unrelated
 * texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/crypto.h"
#include "forewarn/tardos.h"

#define SEED 0x7a4d05c0de2026ull
#define OBS0 FW_TARDOS_OBS_0
#define OBS1 FW_TARDOS_OBS_1
#define NONE FW_TARDOS_UNSEEN

static unsigned char key[FW_KEY_BYTES]; /* 00 01 02 .. 1f */

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

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) * 0x1p-53;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	assert_non_null(p);
	return p;
}

static void assert_close(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want))) {
		print_error("got %.17g, want %.17g (relative tolerance %g)\n", got, want, rel);
		fail();
	}
}

static double bound1(const unsigned char *obs, const double *p, size_t m, double z)
{
	double b;

	assert_int_equal(fw_tardos_bound(obs, p, m, z, &b), 0);
	return b;
}

static double threshold1(const unsigned char *obs, const double *p, size_t m, double eps)
{
	double z;

	assert_int_equal(fw_tardos_threshold(obs, p, m, eps, &z), 0);
	return z;
}

/* g(x, y) as DESIGN.md writes it, for the reference score. */
static double g(unsigned char x, unsigned char y, double p)
{
	if (y == OBS1)
		return x ? sqrt((1 - p) / p) : -sqrt(p / (1 - p));
	return x ? -sqrt((1 - p) / p) : sqrt(p / (1 - p));
}

/* ---- golden vectors ---- */

#define GOLD_M   64
#define GOLD_ADV "fw-2026-0001"

static const uint32_t gold_k[8] = {2336578577u, 2011762841u, 3853479350u, 2914768004u,
                                   1918050226u, 2210470978u, 3549857546u, 1673170957u};
static const char gold_bits[] = "1011101101011111101000010111001100010001001000110100000100100101";
static const char gold_bits_other[] = "0111000001011011100001110000010101111101111001110000001100100101";
/* cert-example's own bits with every position i = 0 mod 3 unseen. */
static const char gold_obs[] = "2012102102012112102002012112002102012002002002112102002102102102";

static void parse_bits(const char *s, unsigned char *out)
{
	for (size_t i = 0; s[i]; i++)
		out[i] = (unsigned char)(s[i] - '0');
}

static void test_golden_biases(void **state)
{
	double p[GOLD_M], longer[800], other[4];
	static const uint32_t other_k[4] = {1973347368u, 3705204338u, 3023836037u, 3141225285u};

	(void)state;
	assert_int_equal(fw_tardos_biases(key, GOLD_ADV, GOLD_M, p), 0);
	for (int i = 0; i < 8; i++)
		assert_true(p[i] == (double)gold_k[i] * 0x1p-32);
	assert_true(p[0] == 0.5440270940307528);
	assert_true(p[7] == 0.389565470861271);
	/* A longer code extends a shorter one. */
	assert_int_equal(fw_tardos_biases(key, GOLD_ADV, 800, longer), 0);
	assert_memory_equal(p, longer, sizeof(p));
	assert_int_equal(fw_tardos_biases(key, "fw-2026-0002", 4, other), 0);
	for (int i = 0; i < 4; i++)
		assert_true(other[i] == (double)other_k[i] * 0x1p-32);
}

static void test_golden_codeword(void **state)
{
	double p[GOLD_M];
	unsigned char bits[GOLD_M], want[GOLD_M], again[GOLD_M];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, GOLD_ADV, GOLD_M, p), 0);
	assert_int_equal(fw_tardos_codeword(key, GOLD_ADV, "cert-example", p, GOLD_M, bits), 0);
	parse_bits(gold_bits, want);
	assert_memory_equal(bits, want, GOLD_M);
	assert_int_equal(fw_tardos_codeword(key, GOLD_ADV, "cert-example", p, GOLD_M, again), 0);
	assert_memory_equal(bits, again, GOLD_M);
	assert_int_equal(fw_tardos_codeword(key, GOLD_ADV, "cert-other", p, GOLD_M, bits), 0);
	parse_bits(gold_bits_other, want);
	assert_memory_equal(bits, want, GOLD_M);
}

static void test_golden_score_bound_threshold(void **state)
{
	double p[GOLD_M], s, b;
	unsigned char bits[GOLD_M], other[GOLD_M], obs[GOLD_M];
	const char *ids[2] = {"cert-example", "cert-other"};
	double scores[2];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, GOLD_ADV, GOLD_M, p), 0);
	parse_bits(gold_bits, bits);
	parse_bits(gold_bits_other, other);
	parse_bits(gold_obs, obs);
	assert_int_equal(fw_tardos_observed(obs, GOLD_M), 42);
	/* The partner's own copy agrees everywhere: the highest score, S_max = 36.892991187843405. */
	assert_int_equal(fw_tardos_score(bits, obs, p, GOLD_M, &s), 0);
	assert_close(s, 36.89299118784341, 1e-14);
	assert_int_equal(fw_tardos_score_partners(key, GOLD_ADV, ids, 2, p, obs, GOLD_M, scores), 0);
	assert_true(scores[0] == s);
	/* cert-example against cert-other's full copy. */
	assert_int_equal(fw_tardos_score(bits, other, p, GOLD_M, &s), 0);
	assert_close(s, -10.77930376742728, 1e-13);
	assert_true(bound1(other, p, GOLD_M, s) == 1);

	/* mpmath, 50 digits: exp(-(l z - K(l))) at the root of K'(l) = z. */
	assert_close(bound1(obs, p, GOLD_M, 5), 0.73360599060110415, 1e-10);
	assert_close(bound1(obs, p, GOLD_M, 10), 0.2783994306210328, 1e-10);
	assert_close(bound1(obs, p, GOLD_M, 20), 0.0054477602215415684, 1e-10);
	/* At and above S_max: the exact P(S = S_max) = prod q. */
	assert_close(bound1(obs, p, GOLD_M, 36.892991187843405), 3.7793407000424e-10, 1e-9);
	assert_close(bound1(obs, p, GOLD_M, 1000), 3.7793407000424e-10, 1e-9);
	/* Thresholds: never below the exact value, and within 1e-8 of it. */
	b = threshold1(obs, p, GOLD_M, 1e-4);
	assert_true(b >= 26.499319044999552);
	assert_close(b, 26.499319044999552, 1e-8);
	b = threshold1(obs, p, GOLD_M, 1e-9);
	assert_true(b >= 36.551782217855526);
	assert_close(b, 36.551782217855526, 1e-8);
	/* prod q = 3.8e-10: at 1e-10 no score can be accused. */
	assert_true(isinf(threshold1(obs, p, GOLD_M, 1e-10)));
	b = threshold1(other, p, GOLD_M, 1e-4);
	assert_true(b >= 31.056236554157567);
	assert_close(b, 31.056236554157567, 1e-8);
}

/* ---- distributions ---- */

/* The arcsine CDF on [t, 1-t]. */
static double arcsine_cdf(double x)
{
	double a = asin(sqrt(FW_TARDOS_CUTOFF));

	return (asin(sqrt(x)) - a) / (1.57079632679489661923 - 2 * a);
}

static void test_bias_distribution(void **state)
{
	enum { M = 200000 };
	static const double at[] = {0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98};
	double *p = xmalloc(M * sizeof(*p)), mean = 0;
	size_t below[sizeof(at) / sizeof(at[0])] = {0};

	(void)state;
	assert_int_equal(fw_tardos_biases(key, "distribution", M, p), 0);
	for (size_t i = 0; i < M; i++) {
		assert_true(p[i] >= FW_TARDOS_CUTOFF && p[i] <= 1 - FW_TARDOS_CUTOFF);
		assert_true(p[i] * 0x1p32 == floor(p[i] * 0x1p32));
		mean += p[i];
		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++)
			below[k] += p[i] < at[k];
	}
	mean /= M;
	/* sd of p is about 0.35: the mean's standard error is 0.0008. */
	assert_true(fabs(mean - 0.5) < 0.004);
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		double f = (double)below[k] / M, want = arcsine_cdf(at[k]);

		/* binomial standard error at most 0.0011 */
		if (fabs(f - want) > 0.005) {
			print_error("P(p < %g) = %.4f, arcsine CDF %.4f\n", at[k], f, want);
			fail();
		}
	}
	assert_true(fabs((double)below[1] / M - 0.0914) < 0.005);
	free(p);
}

static void test_codeword_frequencies(void **state)
{
	enum { M = 1000, N = 4000 };
	double p[M], agree = 0, want_agree = 0, chi = 0;
	unsigned *ones = calloc(M, sizeof(unsigned));
	unsigned char *w = xmalloc((size_t)N * M);
	char id[32];

	(void)state;
	assert_non_null(ones);
	assert_int_equal(fw_tardos_biases(key, "frequencies", M, p), 0);
	for (int j = 0; j < N; j++) {
		snprintf(id, sizeof(id), "partner-%d", j);
		assert_int_equal(fw_tardos_codeword(key, "frequencies", id, p, M, w + (size_t)j * M), 0);
		for (int i = 0; i < M; i++)
			ones[i] += w[(size_t)j * M + i];
	}
	for (int i = 0; i < M; i++) {
		double f = (double)ones[i] / N, se = sqrt(p[i] * (1 - p[i]) / N);

		/* every position within 5 standard errors (a 1-in-3.5-million event per position) */
		assert_true(fabs(f - p[i]) < 5 * se);
		chi += (f - p[i]) * (f - p[i]) / (se * se);
		want_agree += p[i] * p[i] + (1 - p[i]) * (1 - p[i]);
	}
	/* chi-square with 1,000 degrees of freedom: mean 1000, sd 45 */
	assert_true(chi > 800 && chi < 1200);
	/* Partners are independent: neighbours agree as often as two independent Bernoulli(p) draws. */
	for (int j = 0; j + 1 < N; j += 2)
		for (int i = 0; i < M; i++)
			agree += w[(size_t)j * M + i] == w[(size_t)(j + 1) * M + i];
	agree /= (double)(N / 2) * M;
	want_agree /= M;
	assert_true(fabs(agree - want_agree) < 0.005);
	free(ones);
	free(w);
}

static void test_derivation_separates(void **state)
{
	enum { M = 256 };
	double p[M], q[M];
	unsigned char a[M], b[M];
	unsigned char key2[FW_KEY_BYTES];

	(void)state;
	memcpy(key2, key, sizeof(key2));
	key2[31] ^= 1;
	assert_int_equal(fw_tardos_biases(key, "sep", M, p), 0);
	assert_int_equal(fw_tardos_biases(key2, "sep", M, q), 0);
	assert_memory_not_equal(p, q, sizeof(p));
	assert_int_equal(fw_tardos_biases(key, "sep2", M, q), 0);
	assert_memory_not_equal(p, q, sizeof(p));
	/* The context separates the advisory from the partner: ("x-1", "y") is not ("x", "1-y"). */
	assert_int_equal(fw_tardos_codeword(key, "x-1", "y", p, M, a), 0);
	assert_int_equal(fw_tardos_codeword(key, "x", "1-y", p, M, b), 0);
	assert_memory_not_equal(a, b, M);
	assert_int_equal(fw_tardos_codeword(key2, "x-1", "y", p, M, b), 0);
	assert_memory_not_equal(a, b, M);
}

static void test_score_partners_matches_codewords(void **state)
{
	enum { M = 800, N = 50 };
	double p[M], scores[N], s, ref;
	unsigned char obs[M], bits[M];
	char names[N][16];
	const char *ids[N];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, "match", M, p), 0);
	for (int i = 0; i < M; i++) {
		uint64_t r = rnd() % 10;

		/* some unseen, and nothing observed past position 700 */
		obs[i] = i >= 700 || r < 3 ? NONE : (unsigned char)(r & 1);
	}
	for (int j = 0; j < N; j++) {
		snprintf(names[j], sizeof(names[j]), "m-%d", j);
		ids[j] = names[j];
	}
	assert_int_equal(fw_tardos_score_partners(key, "match", ids, N, p, obs, M, scores), 0);
	for (int j = 0; j < N; j++) {
		assert_int_equal(fw_tardos_codeword(key, "match", ids[j], p, M, bits), 0);
		assert_int_equal(fw_tardos_score(bits, obs, p, M, &s), 0);
		assert_true(s == scores[j]);
		ref = 0;
		for (int i = 0; i < M; i++)
			if (obs[i] != NONE)
				ref += g(bits[i], obs[i], p[i]);
		assert_close(s, ref, 1e-12);
	}
	/* Nothing observed: every score is 0. */
	memset(obs, NONE, sizeof(obs));
	assert_int_equal(fw_tardos_score_partners(key, "match", ids, N, p, obs, M, scores), 0);
	for (int j = 0; j < N; j++)
		assert_true(scores[j] == 0);
}

/* ---- bound and threshold ---- */

static void test_bound_monotone(void **state)
{
	enum { M = 300 };
	double p[M], q[M], prev = 2, smax = 0, prodq = 1, b;
	unsigned char obs[M];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, "monotone", M, p), 0);
	for (int i = 0; i < M; i++) {
		obs[i] = (unsigned char)(rnd() % 3);
		if (obs[i] != NONE) {
			smax += g(obs[i], obs[i], p[i]);
			prodq *= obs[i] ? p[i] : 1 - p[i];
		}
	}
	assert_true(bound1(obs, p, M, -5) == 1);
	assert_true(bound1(obs, p, M, 0) == 1);
	for (double z = 0; z <= smax + 10; z += smax / 2000) {
		b = bound1(obs, p, M, z);
		assert_true(b <= prev * (1 + 1e-12));
		assert_true(b >= FW_TARDOS_BOUND_MIN && b <= 1);
		prev = b;
	}
	/* At and above S_max: the exact P(S = S_max) = prod q (about 1e-100 here), never 0. */
	assert_true(prodq > FW_TARDOS_BOUND_MIN && prodq < 1e-50);
	assert_close(bound1(obs, p, M, smax), prodq, 1e-9);
	assert_close(bound1(obs, p, M, smax + 1e-9), prodq, 1e-9);
	assert_close(bound1(obs, p, M, 1e6), prodq, 1e-9);
	/* Below 1e-300 the bound clamps: 300 ones observed where p = 0.01 (prod q = 1e-600; at 90% of S_max
	 * the Chernoff bound is about 1e-530, at 50% about 1e-210). */
	for (int i = 0; i < M; i++) {
		obs[i] = OBS1;
		q[i] = 0.01;
	}
	assert_true(bound1(obs, q, M, 1e6) == FW_TARDOS_BOUND_MIN);
	assert_true(bound1(obs, q, M, 0.9 * M * sqrt(99)) == FW_TARDOS_BOUND_MIN);
	b = bound1(obs, q, M, 0.5 * M * sqrt(99));
	assert_true(b > 1e-215 && b < 1e-205);
	/* Nothing observed: S = 0, so nothing can be accused. */
	memset(obs, NONE, sizeof(obs));
	assert_true(bound1(obs, p, M, 1) == 1);
	assert_true(isinf(threshold1(obs, p, M, FW_TARDOS_INVESTIGATE_EPS)));
	assert_true(isinf(threshold1(obs, p, 0, FW_TARDOS_INVESTIGATE_EPS)));
}

/* Exact P(S >= z) for M <= 16 observed positions, by enumerating every codeword. */
static void test_bound_above_exact_tail(void **state)
{
	enum { M = 14 };
	double p[M], s[1 << M], pr[1 << M];
	unsigned char obs[M];

	(void)state;
	for (int trial = 0; trial < 20; trial++) {
		for (int i = 0; i < M; i++) {
			p[i] = trial < 10 ? 0.01 + 0.98 * rnd_unit() : (rnd() & 1 ? 0.02 : 0.5);
			obs[i] = (unsigned char)(rnd() & 1);
		}
		for (uint32_t c = 0; c < 1u << M; c++) {
			s[c] = 0;
			pr[c] = 1;
			for (int i = 0; i < M; i++) {
				unsigned char x = (unsigned char)(c >> i & 1);

				s[c] += g(x, obs[i], p[i]);
				pr[c] *= x ? p[i] : 1 - p[i];
			}
		}
		for (uint32_t c = 0; c < 1u << M; c += 97) {
			double tail = 0, z = s[c];

			for (uint32_t d = 0; d < 1u << M; d++)
				if (s[d] >= z - 1e-12)
					tail += pr[d];
			assert_true(bound1(obs, p, M, z) >= tail * (1 - 1e-9));
		}
	}
}

/* The threshold against bisection on z over fw_tardos_bound, as the definition reads. */
static double bisect_threshold(const unsigned char *obs, const double *p, size_t m, double eps)
{
	double lo = 0, hi = 1;

	while (bound1(obs, p, m, hi) > eps)
		hi *= 2;
	for (int it = 0; it < 100 && hi - lo > 1e-12 * hi; it++) {
		double mid = (lo + hi) / 2;

		if (bound1(obs, p, m, mid) <= eps)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static void test_threshold(void **state)
{
	enum { M = 800 };
	static const double fractions[] = {1.0, 0.3, 0.1, 0.03};
	static const double epss[] = {FW_TARDOS_ACCUSE_EPS, FW_TARDOS_INVESTIGATE_EPS, 1e-30, 0.5};
	double p[M], z, zb;
	unsigned char obs[M];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, "threshold", M, p), 0);
	for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
		for (int i = 0; i < M; i++)
			obs[i] = rnd_unit() < fractions[f] ? (unsigned char)(rnd_unit() < p[i]) : NONE;
		for (size_t e = 0; e < sizeof(epss) / sizeof(epss[0]); e++) {
			z = threshold1(obs, p, M, epss[e]);
			if (isinf(z)) {
				/* too few positions: even the highest score is too likely */
				assert_true(bound1(obs, p, M, 1e300) > epss[e]);
				continue;
			}
			assert_true(z > 0);
			assert_true(bound1(obs, p, M, z) <= epss[e]);
			/* minimal: a hair lower is above eps */
			assert_true(bound1(obs, p, M, z * (1 - 1e-7)) > epss[e]);
			zb = bisect_threshold(obs, p, M, epss[e]);
			assert_close(z, zb, 1e-8);
		}
	}
}

static void test_blocks_add(void **state)
{
	enum { M = 500 };
	double p[2 * M], one, two, z1, z2;
	unsigned char obs[2 * M];
	struct fw_tardos_block b[2];

	(void)state;
	assert_int_equal(fw_tardos_biases(key, "block-a", M, p), 0);
	assert_int_equal(fw_tardos_biases(key, "block-b", M, p + M), 0);
	for (int i = 0; i < 2 * M; i++)
		obs[i] = rnd() % 4 == 0 ? (unsigned char)(rnd() & 1) : NONE;
	b[0] = (struct fw_tardos_block){p, obs, M};
	b[1] = (struct fw_tardos_block){p + M, obs + M, M};
	for (double z = 10; z < 120; z += 10) {
		one = bound1(obs, p, 2 * M, z);
		assert_int_equal(fw_tardos_bound_blocks(b, 2, z, &two), 0);
		assert_close(two, one, 1e-9);
	}
	z1 = threshold1(obs, p, 2 * M, FW_TARDOS_ACCUSE_EPS);
	assert_int_equal(fw_tardos_threshold_blocks(b, 2, FW_TARDOS_ACCUSE_EPS, &z2), 0);
	assert_close(z2, z1, 1e-10);
	/* Two advisories' evidence needs less than twice one advisory's: each threshold grows like sqrt(n).
	 */
	assert_true(z2 < 2 * threshold1(obs, p, M, FW_TARDOS_ACCUSE_EPS));
}

static void test_errors(void **state)
{
	double p[4] = {0.5, 0.5, 0.5, 0.5}, out = 42, outs[2] = {42, 42}, bad;
	unsigned char obs[4] = {0, 1, 2, 1}, bits[4] = {0, 1, 1, 1}, keep[4] = {7, 7, 7, 7};
	char longid[FW_TARDOS_ID_MAX + 2];
	const char *ids[2] = {"a", ""};
	struct fw_tardos_block blk = {p, NULL, 4};

	(void)state;
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(fw_tardos_biases(key, "", 4, p), FW_EINVAL);
	assert_int_equal(fw_tardos_biases(key, NULL, 4, p), FW_EINVAL);
	assert_int_equal(fw_tardos_biases(key, longid, 4, p), FW_ETOOBIG);
	longid[FW_TARDOS_ID_MAX] = '\0';
	assert_int_equal(fw_tardos_codeword(key, longid, longid, p, 4, bits), 0);
	assert_int_equal(fw_tardos_biases(key, "x", (size_t)FW_TARDOS_POSITIONS_MAX + 1, p), FW_ETOOBIG);
	assert_true(p[0] == 0.5);
	assert_int_equal(fw_tardos_score_partners(key, "x", ids, 2, p, obs, 4, outs), FW_EINVAL);
	assert_true(outs[0] == 42 && outs[1] == 42);

	/* Biases outside [2^-32, 1 - 2^-32], NaN, observation values above FW_TARDOS_UNSEEN, bits above 1. */
	for (int k = 0; k < 4; k++) {
		static const double bads[4] = {0, 1, 0x1p-34, NAN};

		bad = p[2];
		p[2] = bads[k];
		assert_int_equal(fw_tardos_codeword(key, "x", "y", p, 4, keep), FW_EINVAL);
		assert_int_equal(fw_tardos_bound(obs, p, 4, 1, &out), FW_EINVAL);
		assert_int_equal(fw_tardos_threshold(obs, p, 4, 0.1, &out), FW_EINVAL);
		assert_int_equal(fw_tardos_score(bits, obs, p, 4, &out), FW_EINVAL);
		p[2] = bad;
	}
	assert_memory_equal(keep, "\7\7\7\7", 4);
	obs[0] = 3;
	assert_int_equal(fw_tardos_bound(obs, p, 4, 1, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_score(bits, obs, p, 4, &out), FW_EINVAL);
	obs[0] = 0;
	bits[0] = 2;
	assert_int_equal(fw_tardos_score(bits, obs, p, 4, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_bound(obs, p, 4, NAN, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_bound(obs, p, 4, INFINITY, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_threshold(obs, p, 4, 0, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_threshold(obs, p, 4, 1, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_threshold(obs, p, 4, NAN, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_bound_blocks(&blk, 1, 1, &out), FW_EINVAL);
	assert_int_equal(fw_tardos_bound_blocks(NULL, 1, 1, &out), FW_EINVAL);
	assert_true(out == 42);
	assert_int_equal(fw_tardos_bound_blocks(NULL, 0, 1, &out), 0);
	assert_true(out == 1);
}

/* ---- simulation ---- */

#define SIM_M        800
#define SIM_PARTNERS 100

struct sim {
	double p[SIM_M], scores[SIM_PARTNERS], thr, thr_inv;
	unsigned char w[2][SIM_M], obs[SIM_M]; /* the leakers' codewords */
	char names[SIM_PARTNERS][16], adv[32];
	const char *ids[SIM_PARTNERS];
	/* tallies of one scenario */
	unsigned trials, caught, innocents, false_acc, false_inv, no_thr;
	double min_margin; /* the lowest (leader's score - threshold) / threshold over finite thresholds */
};

/* A fresh advisory: its biases, and the codewords of leakers a and b (b < 0: a alone). */
static void sim_advisory(struct sim *s, int n, int a, int b)
{
	snprintf(s->adv, sizeof(s->adv), "sim-%d", n);
	assert_int_equal(fw_tardos_biases(key, s->adv, SIM_M, s->p), 0);
	if (a >= 0)
		assert_int_equal(fw_tardos_codeword(key, s->adv, s->ids[a], s->p, SIM_M, s->w[0]), 0);
	if (b >= 0)
		assert_int_equal(fw_tardos_codeword(key, s->adv, s->ids[b], s->p, SIM_M, s->w[1]), 0);
}

/* Scores everyone against s->obs; guilty[j] marks the leakers. Returns 1 if a leaker is accused. */
static int sim_trace(struct sim *s, const int *guilty)
{
	double best = -INFINITY;
	int caught = 0;

	s->thr = threshold1(s->obs, s->p, SIM_M, FW_TARDOS_ACCUSE_EPS);
	s->thr_inv = threshold1(s->obs, s->p, SIM_M, FW_TARDOS_INVESTIGATE_EPS);
	assert_int_equal(
	    fw_tardos_score_partners(key, s->adv, s->ids, SIM_PARTNERS, s->p, s->obs, SIM_M, s->scores), 0);
	for (int j = 0; j < SIM_PARTNERS; j++) {
		if (guilty[j]) {
			caught |= s->scores[j] >= s->thr;
			best = s->scores[j] > best ? s->scores[j] : best;
			continue;
		}
		s->innocents++;
		s->false_acc += s->scores[j] >= s->thr;
		s->false_inv += s->scores[j] >= s->thr_inv;
	}
	if (isinf(s->thr))
		s->no_thr++;
	else if (best > -INFINITY && (best - s->thr) / s->thr < s->min_margin)
		s->min_margin = (best - s->thr) / s->thr;
	s->trials++;
	s->caught += caught;
	return caught;
}

static void sim_reset(struct sim *s)
{
	s->trials = s->caught = s->innocents = s->false_acc = s->false_inv = s->no_thr = 0;
	s->min_margin = INFINITY;
}

static void sim_report(const struct sim *s, const char *what, int has_leaker)
{
	printf("  %-44s", what);
	if (has_leaker)
		printf(" caught %4u/%-4u (%5.1f%%), min margin %+.2f,", s->caught, s->trials,
		       100.0 * s->caught / s->trials, s->min_margin);
	else
		printf(" trials %4u,", s->trials);
	printf(" innocents %6u: accused %u, investigate %u", s->innocents, s->false_acc, s->false_inv);
	if (s->no_thr)
		printf("; %u with too little evidence to accuse anyone", s->no_thr);
	printf("\n");
}

static void test_simulation(void **state)
{
	struct sim *s = calloc(1, sizeof(*s));
	int guilty[SIM_PARTNERS] = {0}, adv = 0;
	unsigned innocents = 0, false_acc = 0;
	static const double fractions[] = {1.0, 0.5, 0.3, 0.2, 0.1};
	static const unsigned trials_at[] = {200, 200, 1000, 300, 300};

	(void)state;
	assert_non_null(s);
	for (int j = 0; j < SIM_PARTNERS; j++) {
		snprintf(s->names[j], sizeof(s->names[j]), "partner-%03d", j);
		s->ids[j] = s->names[j];
	}
	printf("Tardos simulation: %d partners, m = %d, accuse at %g, investigate at %g\n", SIM_PARTNERS,
	       SIM_M, FW_TARDOS_ACCUSE_EPS, FW_TARDOS_INVESTIGATE_EPS);

	/* A lone leaker; a random fraction of the positions survives in the fragment. */
	for (size_t f = 0; f < sizeof(fractions) / sizeof(fractions[0]); f++) {
		char what[64];

		sim_reset(s);
		for (unsigned t = 0; t < trials_at[f]; t++) {
			int leaker = (int)(rnd() % SIM_PARTNERS);

			sim_advisory(s, adv++, leaker, -1);
			for (int i = 0; i < SIM_M; i++)
				s->obs[i] = rnd_unit() < fractions[f] ? s->w[0][i] : NONE;
			guilty[leaker] = 1;
			sim_trace(s, guilty);
			guilty[leaker] = 0;
		}
		snprintf(what, sizeof(what), "lone leaker, %3.0f%% of positions", 100 * fractions[f]);
		sim_report(s, what, 1);
		innocents += s->innocents;
		false_acc += s->false_acc;
		if (fractions[f] == 1.0)
			assert_int_equal(s->caught, s->trials);
		if (fractions[f] == 0.3)
			assert_true(s->caught * 100 >= s->trials * 99);
	}

	/* A lone leaker's 30% fragment with 5% of the surviving bits misread (or deliberately changed). */
	sim_reset(s);
	for (unsigned t = 0; t < 300; t++) {
		int leaker = (int)(rnd() % SIM_PARTNERS);

		sim_advisory(s, adv++, leaker, -1);
		for (int i = 0; i < SIM_M; i++)
			s->obs[i] =
			    rnd_unit() >= 0.3 ? NONE : s->w[0][i] ^ (unsigned char)(rnd_unit() < 0.05);
		guilty[leaker] = 1;
		sim_trace(s, guilty);
		guilty[leaker] = 0;
	}
	sim_report(s, "lone leaker, 30%, 5% of those bits flipped", 1);
	innocents += s->innocents;
	false_acc += s->false_acc;

	/* Two colluders assemble a whole copy: interleaved position by position, or each position from
	 * either. */
	for (int mode = 0; mode < 2; mode++) {
		sim_reset(s);
		for (unsigned t = 0; t < 200; t++) {
			int a = (int)(rnd() % SIM_PARTNERS),
			    b = (int)((a + 1 + rnd() % (SIM_PARTNERS - 1)) % SIM_PARTNERS);

			sim_advisory(s, adv++, a, b);
			for (int i = 0; i < SIM_M; i++) {
				int from_a = mode == 0 ? i % 2 == 0 : (int)(rnd() & 1);

				s->obs[i] = s->w[!from_a][i];
			}
			guilty[a] = guilty[b] = 1;
			sim_trace(s, guilty);
			guilty[a] = guilty[b] = 0;
		}
		sim_report(
		    s, mode == 0 ? "2 colluders, interleaved" : "2 colluders, random choice per position", 1);
		innocents += s->innocents;
		false_acc += s->false_acc;
		assert_true(s->caught * 100 >= s->trials * 90);
	}

	/*
	 * Unrelated texts: an observation that no partner's copy produced: uniform bits, bits drawn from the
	 * biases themselves (an outsider's copy), whole or 30% fragments. Everyone is innocent.
	 */
	for (int mode = 0; mode < 4; mode++) {
		static const char *what[4] = {
		    "unrelated, uniform bits, all positions", "unrelated, uniform bits, 30%",
		    "unrelated, Bernoulli(p) bits, all positions", "unrelated, Bernoulli(p) bits, 30%"};

		sim_reset(s);
		for (unsigned t = 0; t < 50; t++) {
			sim_advisory(s, adv++, -1, -1);
			for (int i = 0; i < SIM_M; i++) {
				double u = mode < 2 ? 0.5 : s->p[i];

				s->obs[i] =
				    mode % 2 && rnd_unit() >= 0.3 ? NONE : (unsigned char)(rnd_unit() < u);
			}
			sim_trace(s, guilty);
		}
		sim_report(s, what[mode], 0);
		innocents += s->innocents;
		false_acc += s->false_acc;
	}
	printf("  innocent partner-trials %u, false accusations %u\n", innocents, false_acc);
	assert_true(innocents >= 10000);
	assert_int_equal(false_acc, 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_biases),
	    cmocka_unit_test(test_golden_codeword),
	    cmocka_unit_test(test_golden_score_bound_threshold),
	    cmocka_unit_test(test_bias_distribution),
	    cmocka_unit_test(test_codeword_frequencies),
	    cmocka_unit_test(test_derivation_separates),
	    cmocka_unit_test(test_score_partners_matches_codewords),
	    cmocka_unit_test(test_bound_monotone),
	    cmocka_unit_test(test_bound_above_exact_tail),
	    cmocka_unit_test(test_threshold),
	    cmocka_unit_test(test_blocks_add),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_simulation),
	};

	if (fw_crypto_init() < 0)
		return 1;
	for (int i = 0; i < FW_KEY_BYTES; i++)
		key[i] = (unsigned char)i;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
