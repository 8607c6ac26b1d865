/*
 * CVSS v3.0/v3.1 vector strings: strict parsing into the base metrics and the base score, computed with
 * the FIRST specification's formulas and Roundup (v3.1 Appendix A; v3.0's plain ceiling to one decimal).
 * Temporal and environmental metrics are validated but play no part in the base score.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "forewarn/cvss.h"

#define VECTOR_MAX 160 /* longest accepted vector string */

/* Metric identifiers in the order the specification lists them; the first eight are the base metrics. */
enum { B_AV, B_AC, B_PR, B_UI, B_S, B_C, B_I, B_A, N_BASE };

struct metric {
	const char *key;
	const char *values; /* every valid value letter */
};

static const struct metric metrics[] = {
    {"AV", "NALP"}, {"AC", "LH"},   {"PR", "NLH"},    {"UI", "NR"},    {"S", "UC"},     {"C", "NLH"},
    {"I", "NLH"},   {"A", "NLH"},   {"E", "XUPFH"},   {"RL", "XOTWU"}, {"RC", "XURC"},  {"CR", "XLMH"},
    {"IR", "XLMH"}, {"AR", "XLMH"}, {"MAV", "XNALP"}, {"MAC", "XLH"},  {"MPR", "XNLH"}, {"MUI", "XNR"},
    {"MS", "XUC"},  {"MC", "XNLH"}, {"MI", "XNLH"},   {"MA", "XNLH"},
};

#define N_METRICS (sizeof(metrics) / sizeof(metrics[0]))

static int find_metric(const char *key, size_t len)
{
	size_t m;

	for (m = 0; m < N_METRICS; m++)
		if (strlen(metrics[m].key) == len && memcmp(metrics[m].key, key, len) == 0)
			return (int)m;
	return -1;
}

static double av_weight(char v)
{
	switch (v) {
	case 'N':
		return 0.85;
	case 'A':
		return 0.62;
	case 'L':
		return 0.55;
	default:
		return 0.2; /* P */
	}
}

static double pr_weight(char v, int changed)
{
	switch (v) {
	case 'N':
		return 0.85;
	case 'L':
		return changed ? 0.68 : 0.62;
	default:
		return changed ? 0.5 : 0.27; /* H */
	}
}

static double cia_weight(char v)
{
	switch (v) {
	case 'H':
		return 0.56;
	case 'L':
		return 0.22;
	default:
		return 0.0; /* N */
	}
}

/* v3.1 Appendix A: Roundup on integers so that e.g. 4.000000000000001 stays 4.0. */
static double roundup31(double x)
{
	long n = lround(x * 100000.0);

	if (n % 10000 == 0)
		return (double)n / 100000.0;
	return (double)(n / 10000 + 1) / 10.0;
}

/* v3.0: the smallest one-decimal number not below x, as the v3.0 reference calculator computes it. */
static double roundup30(double x)
{
	return ceil(x * 10.0) / 10.0;
}

static const char *severity(double score)
{
	if (score <= 0.0)
		return "NONE";
	if (score < 4.0)
		return "LOW";
	if (score < 7.0)
		return "MEDIUM";
	if (score < 9.0)
		return "HIGH";
	return "CRITICAL";
}

static const char *av_name(char v)
{
	switch (v) {
	case 'N':
		return "NETWORK";
	case 'A':
		return "ADJACENT_NETWORK";
	case 'L':
		return "LOCAL";
	default:
		return "PHYSICAL";
	}
}

static const char *nlh_name(char v)
{
	switch (v) {
	case 'N':
		return "NONE";
	case 'L':
		return "LOW";
	default:
		return "HIGH";
	}
}

static void compute(struct fw_cvss3 *v)
{
	int changed = v->s == 'C';
	double exploitability, iss, impact, base;

	exploitability = 8.22 * av_weight(v->av) * (v->ac == 'L' ? 0.77 : 0.44) * pr_weight(v->pr, changed) *
	                 (v->ui == 'N' ? 0.85 : 0.62);
	iss = 1 - ((1 - cia_weight(v->c)) * (1 - cia_weight(v->i)) * (1 - cia_weight(v->a)));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	if (impact <= 0) {
		base = 0.0;
	} else {
		base = changed ? (impact + exploitability) * 1.08 : impact + exploitability;
		if (base > 10.0)
			base = 10.0;
		base = v->minor == 0 ? roundup30(base) : roundup31(base);
	}
	v->base_score = base;
	v->severity = severity(base);
	v->attack_vector = av_name(v->av);
	v->attack_complexity = v->ac == 'L' ? "LOW" : "HIGH";
	v->privileges_required = nlh_name(v->pr);
	v->user_interaction = v->ui == 'N' ? "NONE" : "REQUIRED";
	v->scope = changed ? "CHANGED" : "UNCHANGED";
	v->confidentiality_impact = nlh_name(v->c);
	v->integrity_impact = nlh_name(v->i);
	v->availability_impact = nlh_name(v->a);
}

int fw_cvss3_parse(const char *vector, struct fw_cvss3 *ret, struct fw_error *err)
{
	struct fw_cvss3 v;
	char base[N_BASE];
	unsigned char seen[N_METRICS];
	const char *ver, *slash, *p, *end;
	size_t len = 0, vlen, m;

	if (!vector)
		return fw_error_set(err, FW_EINVAL, "cvss_v3", "vector string is missing");
	if (!ret)
		return fw_error_set(err, FW_EINVAL, "cvss_v3", "no result object");
	while (len <= VECTOR_MAX && vector[len])
		len++;
	if (len > VECTOR_MAX)
		return fw_error_set(err, FW_EINVAL, "cvss_v3", "vector string longer than %d characters",
		                    VECTOR_MAX);
	if (strncmp(vector, "CVSS:", 5) != 0)
		return fw_error_set(err, FW_EINVAL, "cvss_v3", "vector string does not start with \"CVSS:\"");
	ver = vector + 5;
	slash = memchr(ver, '/', len - 5);
	vlen = slash ? (size_t)(slash - ver) : len - 5;
	if (vlen != 3 || strncmp(ver, "3.", 2) != 0 || (ver[2] != '0' && ver[2] != '1'))
		return fw_error_set(err, FW_EINVAL, "cvss_v3",
		                    "unsupported CVSS version \"%.*s\": expected 3.0 or 3.1",
		                    vlen > 8 ? 8 : (int)vlen, ver);
	if (!slash || slash + 1 == vector + len)
		return fw_error_set(err, FW_EINVAL, "cvss_v3", "vector string has no metrics");

	memset(&v, 0, sizeof(v));
	memset(base, 0, sizeof(base));
	memset(seen, 0, sizeof(seen));
	v.minor = ver[2] - '0';
	end = vector + len;
	p = slash + 1;
	for (;;) {
		const char *stop, *colon;
		int clen, idx;

		slash = memchr(p, '/', (size_t)(end - p));
		stop = slash ? slash : end;
		colon = memchr(p, ':', (size_t)(stop - p));
		clen = (int)(stop - p);

		if (stop == p)
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "empty metric at offset %d",
			                    (int)(p - vector));
		if (!colon || colon == p)
			return fw_error_set(err, FW_EINVAL, "cvss_v3",
			                    "malformed metric \"%.*s\": expected NAME:VALUE",
			                    clen > 16 ? 16 : clen, p);
		idx = find_metric(p, (size_t)(colon - p));
		if (idx < 0)
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "unknown metric \"%.*s\"",
			                    (int)(colon - p) > 16 ? 16 : (int)(colon - p), p);
		if (stop - colon != 2 || colon[1] == '\0' || !strchr(metrics[idx].values, colon[1]))
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "invalid value \"%.*s\" for metric %s",
			                    (int)(stop - colon - 1) > 16 ? 16 : (int)(stop - colon - 1),
			                    colon + 1, metrics[idx].key);
		if (seen[idx])
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "metric %s given more than once",
			                    metrics[idx].key);
		seen[idx] = 1;
		if (idx < N_BASE)
			base[idx] = colon[1];
		if (!slash)
			break;
		p = slash + 1;
		if (p == end)
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "vector string ends with '/'");
	}
	for (m = 0; m < N_BASE; m++)
		if (!seen[m])
			return fw_error_set(err, FW_EINVAL, "cvss_v3", "base metric %s is missing",
			                    metrics[m].key);

	v.av = base[B_AV];
	v.ac = base[B_AC];
	v.pr = base[B_PR];
	v.ui = base[B_UI];
	v.s = base[B_S];
	v.c = base[B_C];
	v.i = base[B_I];
	v.a = base[B_A];
	compute(&v);
	*ret = v;
	return FW_OK;
}
