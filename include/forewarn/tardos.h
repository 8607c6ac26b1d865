/*
 * Binary symmetric Tardos codes for leak tracing (DESIGN.md "Fingerprinting"): per-advisory biases and
 * per-partner codewords derived from a secret marking key with a keyed PRF (nothing per partner is stored),
 * the symmetric score, and the exact Chernoff bound and accusation threshold over the observed positions
 * only. Pure functions over caller-owned memory, no I/O, no global state: thread-safe after fw_crypto_init().
 */
#ifndef FW_TARDOS_H
#define FW_TARDOS_H

#include <stddef.h>
#include "forewarn/crypto.h"
#include "forewarn/err.h"

/* Arcsine bias cutoff t: every bias lies in [t, 1 - t] (DESIGN.md: 0.003 to 0.03 behave alike). */
#define FW_TARDOS_CUTOFF 0.01
/* False-accusation bounds per innocent partner: accuse at or below the first, "investigate" at the second. */
#define FW_TARDOS_ACCUSE_EPS      1e-9
#define FW_TARDOS_INVESTIGATE_EPS 1e-4
/* A valid bias lies in [FW_TARDOS_BIAS_MIN, 1 - FW_TARDOS_BIAS_MIN]: finer is below the codeword's grain. */
#define FW_TARDOS_BIAS_MIN 0x1p-32
/* The smallest bound reported: fw_tardos_bound clamps to it instead of underflowing to 0. */
#define FW_TARDOS_BOUND_MIN 1e-300
/* Limits: positions of one code (one advisory), and the bytes of an advisory or partner id (without NUL). */
#define FW_TARDOS_POSITIONS_MAX (1u << 20)
#define FW_TARDOS_ID_MAX        255

/*
 * An observation: one unsigned char per position, the bit read from the suspect text (FW_TARDOS_OBS_0 or
 * FW_TARDOS_OBS_1) or FW_TARDOS_UNSEEN where the fragment does not show the position. Unseen positions
 * count for nothing in scores and bounds. Any other value is FW_EINVAL.
 */
enum { FW_TARDOS_OBS_0 = 0, FW_TARDOS_OBS_1 = 1, FW_TARDOS_UNSEEN = 2 };

/*
 * fw_tardos_biases: the m biases of the code named advisory_id (a NUL-terminated label of 1 to
 * FW_TARDOS_ID_MAX bytes: the advisory id, or any label the caller keeps stable) under the secret marking
 * key, into ret_biases (m doubles, caller-owned). p_i = sin^2(r_i), r_i uniform on [asin(sqrt(t)), pi/2 -
 * asin(sqrt(t))] with t = FW_TARDOS_CUTOFF (the arcsine density on [t, 1 - t]), rounded to a multiple of
 * 2^-32 so that fw_tardos_codeword draws Bernoulli(p_i) exactly. r_i comes from 64 bits of fw_crypto_stream
 * under the context "forewarn/tardos/v1/bias" NUL advisory_id. Deterministic; the first k biases of a longer
 * code equal those of a shorter one. The biases are secret: whoever knows them can attack the code better;
 * so is the key, which should serve marking alone (contexts keep it apart from other uses all the same).
 * Returns 0; FW_EINVAL for an empty or NULL id; FW_ETOOBIG for a longer id or m > FW_TARDOS_POSITIONS_MAX.
 * ret_biases is written only on success; m = 0 is a valid empty code.
 */
FW_WUR int fw_tardos_biases(const unsigned char key[FW_KEY_BYTES], const char *advisory_id, size_t m,
                            double *ret_biases);

/*
 * fw_tardos_codeword: partner_id's codeword for the code advisory_id, biases (m valid biases), into ret_bits
 * (m bytes, each 0 or 1, caller-owned). Bit i is 1 exactly when u_i < round(p_i 2^32), u_i the little-endian
 * 32-bit word i of fw_crypto_stream under the context "forewarn/tardos/v1/codeword" NUL advisory_id NUL
 * partner_id: Bernoulli(p_i), independent across positions and of every other partner's codeword.
 * Deterministic: the same inputs give the same bits, so codewords are re-derived, never stored. Returns 0;
 * FW_EINVAL (bad id, invalid bias), FW_ETOOBIG (limits as above), FW_ENOMEM. ret_bits is written only on
 * success.
 */
FW_WUR int fw_tardos_codeword(const unsigned char key[FW_KEY_BYTES], const char *advisory_id,
                              const char *partner_id, const double *biases, size_t m,
                              unsigned char *ret_bits);

/*
 * fw_tardos_score: the symmetric Tardos score of codeword bits (m bytes, 0 or 1) against the observation obs
 * (m values) under biases (m valid biases): the sum over observed positions i of g(x_i, y_i) with
 * g(1,1) = sqrt((1-p)/p), g(0,1) = -sqrt(p/(1-p)), g(0,0) = sqrt(p/(1-p)), g(1,0) = -sqrt((1-p)/p). For an
 * innocent partner each term has mean 0 and variance 1. Scores of several codes (advisories) add. Writes it
 * to ret_score; returns 0 or FW_EINVAL (invalid bias, observation value or bit).
 */
FW_WUR int fw_tardos_score(const unsigned char *bits, const unsigned char *obs, const double *biases,
                           size_t m, double *ret_score);

/*
 * fw_tardos_score_partners: the score of each of the n partners partner_ids[k] against obs, as
 * fw_tardos_score of fw_tardos_codeword(key, advisory_id, partner_ids[k], biases, m) would give (the same
 * sum, in the same order), into ret_scores[k] (n doubles, caller-owned), deriving each codeword on the fly
 * from the stream and only as far as the last observed position. The trace hot path: about 3 us per partner
 * at m = 800 (bench/tardos.c). Returns 0; FW_EINVAL, FW_ETOOBIG (any id, bias or observation as above),
 * FW_ENOMEM. ret_scores is written only on success.
 */
FW_WUR int fw_tardos_score_partners(const unsigned char key[FW_KEY_BYTES], const char *advisory_id,
                                    const char *const *partner_ids, size_t n, const double *biases,
                                    const unsigned char *obs, size_t m, double *ret_scores);

/* fw_tardos_observed: how many of the m values of obs are FW_TARDOS_OBS_0 or FW_TARDOS_OBS_1. */
size_t fw_tardos_observed(const unsigned char *obs, size_t m);

/*
 * struct fw_tardos_block: the evidence of one leaked code (advisory): its m biases and the observation read
 * from the leak. Evidence of several advisories leaked by the same partner adds up: the caller sums the
 * partner's scores over the blocks, and the bound of that sum is taken over the union of the observed
 * positions (the cumulant generating functions K add). The arrays stay caller-owned.
 */
struct fw_tardos_block {
	const double *biases;
	const unsigned char *obs;
	size_t m;
};

/*
 * fw_tardos_bound_blocks: an upper bound on P(S >= z) for an innocent partner, whose codeword bits are
 * Bernoulli(p_i) and independent of the observations, S the sum of its scores over the nb blocks: the
 * Chernoff bound exp(-sup_{l>0} [l z - K(l)]), K(l) = sum over observed i of ln(p_i e^{l g(1,y_i)} + (1-p_i)
 * e^{l g(0,y_i)}). The supremum is found by safeguarded Newton iteration on the convex K; every l tried
 * yields a valid bound and the best one is returned, so an inexact optimum errs on the side of a larger
 * bound. It is 1 for z <= 0, clamped to [FW_TARDOS_BOUND_MIN, 1], and for z above the highest score S_max any
 * codeword can reach it stays at its value at S_max, the exact P(S = S_max), so that rounding in a caller's
 * sum never turns into an accusation. Non-increasing in z. Writes ret_bound; returns 0, FW_EINVAL (bad bias
 * or observation, z not finite) or FW_ETOOBIG (a block over FW_TARDOS_POSITIONS_MAX).
 */
FW_WUR int fw_tardos_bound_blocks(const struct fw_tardos_block *blocks, size_t nb, double z,
                                  double *ret_bound);

/*
 * fw_tardos_threshold_blocks: the smallest score z whose fw_tardos_bound_blocks is at most eps (0 < eps < 1;
 * FW_TARDOS_ACCUSE_EPS or FW_TARDOS_INVESTIGATE_EPS): partners scoring at least ret_z are accused at that
 * level. Computed as min over l > 0 of (ln(1/eps) + K(l)) / l, the Legendre dual of bisection on z: it
 * agrees with bisection to 1e-8 relative at about a thirtieth of the cost (0.15 ms at m = 800,
 * bench/tardos.c). Any l gives a z whose bound is at most eps, so the returned z is never too low. ret_z is
 * +INFINITY when no score can reach eps: no observed position, or so few that even the highest score S_max
 * has P(S = S_max) > eps. Returns 0, FW_EINVAL (bad bias, observation or eps) or FW_ETOOBIG.
 */
FW_WUR int fw_tardos_threshold_blocks(const struct fw_tardos_block *blocks, size_t nb, double eps,
                                      double *ret_z);

/* fw_tardos_bound, fw_tardos_threshold: the same for the one block (biases, obs, m). */
FW_WUR int fw_tardos_bound(const unsigned char *obs, const double *biases, size_t m, double z,
                           double *ret_bound);
FW_WUR int fw_tardos_threshold(const unsigned char *obs, const double *biases, size_t m, double eps,
                               double *ret_z);

#endif
