/*
 * The math core of leak tracing: a binary symmetric Tardos code with arcsine biases, per-partner codewords
 * from a keyed PRF (fw_crypto_stream), the symmetric score, and the exact Chernoff bound and threshold for
 * innocent partners over the observed positions only. Each observed position reduces to q, the chance that an
 * innocent's bit agrees with y: its term is A = sqrt((1-q)/q) with probability q, else B = -sqrt(q/(1-q)).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/tardos.h"

#define HALF_PI    1.57079632679489661923
#define CTX_MAX    (32 + 2 * (FW_TARDOS_ID_MAX + 1))
#define NEWTON_MAX 200
#define LAMBDA_MAX 1e12
#define CTX_BIAS   "forewarn/tardos/v1/bias"
#define CTX_WORD   "forewarn/tardos/v1/codeword"

static int id_check(const char *id)
{
	if (!id || !id[0])
		return FW_EINVAL;
	return strnlen(id, FW_TARDOS_ID_MAX + 1) > FW_TARDOS_ID_MAX ? FW_ETOOBIG : 0;
}

/* label NUL advisory [NUL partner]: injective, since neither id holds a NUL. */
static size_t ctx_build(unsigned char *buf, const char *label, const char *adv, const char *partner)
{
	size_t n = strlen(label) + 1, k = strlen(adv);

	memcpy(buf, label, n);
	memcpy(buf + n, adv, k);
	n += k;
	if (partner) {
		k = strlen(partner);
		buf[n++] = '\0';
		memcpy(buf + n, partner, k);
		n += k;
	}
	return n;
}

static int bias_ok(double p)
{
	return p >= FW_TARDOS_BIAS_MIN && p <= 1 - FW_TARDOS_BIAS_MIN; /* false for NaN; round(p 2^32) >= 1 */
}

/* The codeword's threshold: bit = (u < k), so P(bit = 1) = k / 2^32, exactly p for p on the 2^-32 grid. */
static uint32_t bias_word(double p)
{
	return (uint32_t)(p * 0x1p32 + 0.5);
}

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The two values of g at a position: *a when the bit agrees with y, *b when it does not; q = P(agree). */
static double terms(double p, unsigned char y, double *a, double *b)
{
	double q = y ? p : 1 - p;

	*a = sqrt((1 - q) / q);
	*b = -sqrt(q / (1 - q));
	return q;
}

int fw_tardos_biases(const unsigned char key[FW_KEY_BYTES], const char *advisory_id, size_t m,
                     double *ret_biases)
{
	unsigned char ctx[CTX_MAX], *raw = (unsigned char *)ret_biases;
	double lo = asin(sqrt(FW_TARDOS_CUTOFF)), span = HALF_PI - 2 * lo;
	uint64_t kmin = (uint64_t)ceil(FW_TARDOS_CUTOFF * 0x1p32), kmax = ((uint64_t)1 << 32) - kmin;
	size_t n;
	int r;

	r = id_check(advisory_id);
	if (r < 0)
		return r;
	if (m > FW_TARDOS_POSITIONS_MAX)
		return FW_ETOOBIG;
	if (m == 0)
		return 0;
	n = ctx_build(ctx, CTX_BIAS, advisory_id, NULL);
	/* The stream goes straight into the output: position i reads its 8 bytes before writing its double.
	 */
	fw_crypto_stream(key, ctx, n, raw, 8 * m);
	for (size_t i = 0; i < m; i++) {
		double u = (double)(le64(raw + 8 * i) >> 11) * 0x1p-53, s = sin(lo + u * span);
		uint64_t k = (uint64_t)(s * s * 0x1p32 + 0.5);

		/* Rounding may step a bias by 2^-33 past the cutoff: keep [t, 1-t], symmetric about 1/2. */
		k = k < kmin ? kmin : k > kmax ? kmax : k;
		ret_biases[i] = (double)k * 0x1p-32;
	}
	return 0;
}

int fw_tardos_codeword(const unsigned char key[FW_KEY_BYTES], const char *advisory_id, const char *partner_id,
                       const double *biases, size_t m, unsigned char *ret_bits)
{
	unsigned char ctx[CTX_MAX], *raw;
	size_t n;
	int r;

	r = id_check(advisory_id);
	if (r == 0)
		r = id_check(partner_id);
	if (r < 0)
		return r;
	if (m > FW_TARDOS_POSITIONS_MAX)
		return FW_ETOOBIG;
	for (size_t i = 0; i < m; i++)
		if (!bias_ok(biases[i]))
			return FW_EINVAL;
	if (m == 0)
		return 0;
	raw = malloc(4 * m);
	if (!raw)
		return FW_ENOMEM;
	n = ctx_build(ctx, CTX_WORD, advisory_id, partner_id);
	fw_crypto_stream(key, ctx, n, raw, 4 * m);
	for (size_t i = 0; i < m; i++)
		ret_bits[i] = le32(raw + 4 * i) < bias_word(biases[i]);
	fw_crypto_wipe(raw, 4 * m);
	free(raw);
	return 0;
}

int fw_tardos_score(const unsigned char *bits, const unsigned char *obs, const double *biases, size_t m,
                    double *ret_score)
{
	double s = 0, a, b;

	for (size_t i = 0; i < m; i++)
		if (bits[i] > 1 || obs[i] > FW_TARDOS_UNSEEN || !bias_ok(biases[i]))
			return FW_EINVAL;
	for (size_t i = 0; i < m; i++) {
		if (obs[i] == FW_TARDOS_UNSEEN)
			continue;
		terms(biases[i], obs[i], &a, &b);
		s += bits[i] == obs[i] ? a : b;
	}
	*ret_score = s;
	return 0;
}

/* One observed position, laid out for the per-partner loop: g[x] is g(x, y), picked without a branch. */
struct pos {
	double g[2];
	uint32_t idx, k;
};

int fw_tardos_score_partners(const unsigned char key[FW_KEY_BYTES], const char *advisory_id,
                             const char *const *partner_ids, size_t n, const double *biases,
                             const unsigned char *obs, size_t m, double *ret_scores)
{
	unsigned char ctx[CTX_MAX], *raw = NULL;
	struct pos *pos = NULL;
	size_t nobs = 0, len, ctxlen;
	double a, b;
	int r;

	r = id_check(advisory_id);
	for (size_t j = 0; r == 0 && j < n; j++)
		r = id_check(partner_ids[j]);
	if (r < 0)
		return r;
	if (m > FW_TARDOS_POSITIONS_MAX)
		return FW_ETOOBIG;
	for (size_t i = 0; i < m; i++)
		if (obs[i] > FW_TARDOS_UNSEEN || !bias_ok(biases[i]))
			return FW_EINVAL;
	nobs = fw_tardos_observed(obs, m);
	if (nobs == 0) {
		for (size_t j = 0; j < n; j++)
			ret_scores[j] = 0;
		return 0;
	}
	pos = malloc(nobs * sizeof(*pos));
	if (!pos)
		return FW_ENOMEM;
	nobs = 0;
	for (size_t i = 0; i < m; i++) {
		if (obs[i] == FW_TARDOS_UNSEEN)
			continue;
		terms(biases[i], obs[i], &a, &b);
		pos[nobs].g[obs[i]] = a;
		pos[nobs].g[!obs[i]] = b;
		pos[nobs].idx = (uint32_t)i;
		pos[nobs].k = bias_word(biases[i]);
		nobs++;
	}
	/* A longer stream extends a shorter one: derive codewords only up to the last observed position. */
	len = 4 * ((size_t)pos[nobs - 1].idx + 1);
	raw = malloc(len);
	if (!raw) {
		r = FW_ENOMEM;
		goto out;
	}
	for (size_t j = 0; j < n; j++) {
		double s = 0;

		ctxlen = ctx_build(ctx, CTX_WORD, advisory_id, partner_ids[j]);
		fw_crypto_stream(key, ctx, ctxlen, raw, len);
		/* Index, not branch: a branch on the bit mispredicts at every other position. */
		for (size_t t = 0; t < nobs; t++)
			s += pos[t].g[le32(raw + 4 * (size_t)pos[t].idx) < pos[t].k];
		ret_scores[j] = s;
	}
	fw_crypto_wipe(raw, len);
out:
	/* The thresholds k are the secret biases. */
	fw_crypto_wipe(pos, nobs * sizeof(*pos));
	free(pos);
	free(raw);
	return r;
}

size_t fw_tardos_observed(const unsigned char *obs, size_t m)
{
	size_t n = 0;

	for (size_t i = 0; i < m; i++)
		n += obs[i] == FW_TARDOS_OBS_0 || obs[i] == FW_TARDOS_OBS_1;
	return n;
}

/* ---- the Chernoff bound ---- */

/* What the bound needs of the evidence besides K: observed positions, S_max = sum A, sum ln q = ln P(S_max).
 */
struct summary {
	size_t nobs;
	double smax, logq;
};

static int blocks_check(const struct fw_tardos_block *blocks, size_t nb, struct summary *sum)
{
	double a, b;

	memset(sum, 0, sizeof(*sum));
	if (nb && !blocks)
		return FW_EINVAL;
	for (size_t k = 0; k < nb; k++) {
		const struct fw_tardos_block *bl = &blocks[k];

		if (bl->m > FW_TARDOS_POSITIONS_MAX)
			return FW_ETOOBIG;
		if (bl->m && (!bl->biases || !bl->obs))
			return FW_EINVAL;
		for (size_t i = 0; i < bl->m; i++) {
			if (bl->obs[i] > FW_TARDOS_UNSEEN || !bias_ok(bl->biases[i]))
				return FW_EINVAL;
			if (bl->obs[i] == FW_TARDOS_UNSEEN)
				continue;
			sum->logq += log(terms(bl->biases[i], bl->obs[i], &a, &b));
			sum->smax += a;
			sum->nobs++;
		}
	}
	return 0;
}

/*
 * K(l) and its first two derivatives, l > 0. Per position, with s = A - B = 1/sqrt(q(1-q)):
 * K_i = l A + ln(q + (1-q) e^{-l s}) (no overflow for any l), K_i' = A - s v, K_i'' = s^2 w v, where
 * w = q / (q + (1-q) e^{-l s}) and v = 1 - w are the tilted probabilities of agreeing and not.
 */
static void cgf(const struct fw_tardos_block *blocks, size_t nb, double l, double *k0, double *k1, double *k2)
{
	double s0 = 0, s1 = 0, s2 = 0, a, b;

	for (size_t k = 0; k < nb; k++) {
		const struct fw_tardos_block *bl = &blocks[k];

		for (size_t i = 0; i < bl->m; i++) {
			double q, s, em, d, w, v;

			if (bl->obs[i] == FW_TARDOS_UNSEEN)
				continue;
			q = terms(bl->biases[i], bl->obs[i], &a, &b);
			s = a - b;
			em = expm1(-l * s);
			d = 1 + (1 - q) * em;
			w = q / d;
			v = (1 - q) * (em + 1) / d;
			s0 += l * a + log1p((1 - q) * em);
			s1 += a - s * v;
			s2 += s * s * w * v;
		}
	}
	*k0 = s0;
	*k1 = s1;
	*k2 = s2;
}

/*
 * Safeguarded Newton for the root of an increasing f on (0, inf): keeps a bracket [lo, hi], doubles while no
 * upper end is known, bisects when a Newton step leaves the bracket (or is NaN when f' underflows).
 */
static double newton_next(double l, double f, double df, double *lo, double *hi)
{
	double next;

	if (f < 0)
		*lo = l;
	else
		*hi = l;
	next = l - f / df;
	if (!(next > *lo && next < *hi))
		next = isinf(*hi) ? 2 * l : (*lo + *hi) / 2;
	return next;
}

/* sup_{l>0} [l z - K(l)] for 0 < z < S_max, at least: the best value of every l tried. */
static double rate(const struct fw_tardos_block *blocks, size_t nb, const struct summary *sum, double z)
{
	double l = z / (double)sum->nobs, lo = 0, hi = INFINITY, best = 0, k0, k1, k2, next;

	/* l starts at the Gaussian optimum: K''(0) = nobs, each term having variance 1. */
	for (int it = 0; it < NEWTON_MAX && l < LAMBDA_MAX; it++) {
		cgf(blocks, nb, l, &k0, &k1, &k2);
		if (l * z - k0 > best)
			best = l * z - k0;
		next = newton_next(l, k1 - z, k2, &lo, &hi);
		if (fabs(next - l) <= 1e-13 * l)
			break;
		l = next;
	}
	return best;
}

int fw_tardos_bound_blocks(const struct fw_tardos_block *blocks, size_t nb, double z, double *ret_bound)
{
	struct summary sum;
	double bound;
	int r;

	r = blocks_check(blocks, nb, &sum);
	if (r < 0)
		return r;
	if (!isfinite(z))
		return FW_EINVAL;
	if (z <= 0)
		bound = 1;
	else if (z >= sum.smax) /* also no observed position: S = 0 = S_max, bound 1 */
		bound = exp(sum.logq);
	else
		bound = exp(-rate(blocks, nb, &sum, z));
	*ret_bound = bound < FW_TARDOS_BOUND_MIN ? FW_TARDOS_BOUND_MIN : bound > 1 ? 1 : bound;
	return 0;
}

int fw_tardos_threshold_blocks(const struct fw_tardos_block *blocks, size_t nb, double eps, double *ret_z)
{
	struct summary sum;
	double target, l, lo = 0, hi = INFINITY, best = INFINITY, k0, k1, k2, next;
	int r;

	r = blocks_check(blocks, nb, &sum);
	if (r < 0)
		return r;
	if (!(eps > 0 && eps < 1))
		return FW_EINVAL;
	target = -log(eps);
	if (sum.nobs == 0 || -sum.logq < target) {
		*ret_z = INFINITY;
		return 0;
	}
	/* A hair above ln(1/eps), so that fw_tardos_bound, optimising on its own, lands at or below eps. */
	target += 1e-9 * (1 + target);
	/*
	 * z(l) = (target + K(l)) / l has bound <= eps for every l > 0; its minimum is where
	 * h(l) = l K'(l) - K(l) = target, h increasing (h' = l K''). Start at the Gaussian root.
	 */
	l = sqrt(2 * target / (double)sum.nobs);
	for (int it = 0; it < NEWTON_MAX && l < LAMBDA_MAX; it++) {
		cgf(blocks, nb, l, &k0, &k1, &k2);
		if ((target + k0) / l < best)
			best = (target + k0) / l;
		next = newton_next(l, l * k1 - k0 - target, l * k2, &lo, &hi);
		if (fabs(next - l) <= 1e-13 * l)
			break;
		l = next;
	}
	/* P(S >= S_max) = prod q <= eps was checked above: S_max is a valid threshold when the root is far.
	 */
	*ret_z = best < sum.smax ? best : sum.smax;
	return 0;
}

int fw_tardos_bound(const unsigned char *obs, const double *biases, size_t m, double z, double *ret_bound)
{
	struct fw_tardos_block b = {biases, obs, m};

	return fw_tardos_bound_blocks(&b, 1, z, ret_bound);
}

int fw_tardos_threshold(const unsigned char *obs, const double *biases, size_t m, double eps, double *ret_z)
{
	struct fw_tardos_block b = {biases, obs, m};

	return fw_tardos_threshold_blocks(&b, 1, eps, ret_z);
}
