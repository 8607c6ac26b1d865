/*
 * Unit tests for fw_cvss3_parse: base scores of published and hand-computed vectors (including the CSAF
 * examples' vectorString/baseScore pairs), Roundup edge cases, severities, CSAF names and rejected vectors.
 * Expected scores come from the FIRST v3.1 formulas evaluated independently, not from this implementation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "forewarn/cvss.h"

struct scored {
	const char *vector;
	double score;
};

/*
 * Worked examples (weights: AV N .85 A .62 L .55 P .2; AC L .77 H .44; PR N .85 L .62/.68 H .27/.5;
 * UI N .85 R .62; CIA H .56 L .22 N 0):
 *   AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H: E = 8.22*.85*.77*.85*.85 = 3.8870, ISS = 1-.44^3 = .914816,
 *     I = 6.42*ISS = 5.8731, E+I = 9.7601 -> 9.8.
 *   same with S:C: I = 7.52*(.914816-.029)-3.25*(.894816)^15 = 6.0477, (E+I)*1.08 = 10.73 -> min 10 -> 10.0.
 *   AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:N/A:L: E = 2.22117, I = 7.52*.191-3.25*.2^15 = 1.43632,
 *     (E+I)*1.08 = 3.95009 -> 4.0.
 *   AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:H: ISS = 1-.78*.78*.44 = .732304, I = 4.70139, E+I = 6.92256 -> 7.0.
 *   AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:H: E = 8.22*.55*.77*.27*.85 = .79900, ISS = .732304,
 *     I = 4.70139, E+I = 5.500320195 -> 5.6 (just above a tenth: Roundup must still round up).
 */
static const struct scored valid[] = {
    /* From the CSAF 2.0 examples (cisco-sa-20180328-smi2.json, bsi-2022-0001.json). */
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C", 6.1},
    /* Well-known published scores. */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 7.5},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N", 6.5},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 6.5},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 6.5},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 4.3},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", 5.5},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N", 5.5},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L", 7.3},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 9.1},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 8.6},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 8.8},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.5},
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8},
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N", 7.2},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", 5.9},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:N/A:N", 2.7},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N", 4.8},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4},
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 4.6},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.4},
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.5},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 5.5},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", 5.5},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.3},
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:N/A:N", 5.6},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N", 8.1},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", 8.1},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:N", 5.4},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4},
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.7},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1},
    {"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.6},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", 9.0},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
    {"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
    /* No impact: 0.0 whatever the exploitability, scope unchanged or changed. */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0},
    {"CVSS:3.0/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0},
    /* The lowest non-zero score: E = .12114, I = 1.4124, E+I = 1.53354 -> 1.6. */
    {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
    /* Roundup: exact values a hair above a tenth must still round up (5.50032, 6.00047, 6.90055, 3.00068). */
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:H", 5.6},
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:L/A:L", 5.6},
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:N/I:L/A:H", 6.1},
    {"CVSS:3.1/AV:P/AC:H/PR:L/UI:N/S:C/C:L/I:H/A:H", 7.0},
    {"CVSS:3.1/AV:P/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N", 3.1},
    {"CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:H", 5.6},
    {"CVSS:3.0/AV:P/AC:H/PR:L/UI:N/S:C/C:L/I:H/A:H", 7.0},
    {"CVSS:3.0/AV:P/AC:L/PR:L/UI:R/S:U/C:L/I:L/A:N", 3.1},
    /* Severity band edges (3.95009 -> 4.0 and 6.92256 -> 7.0 worked above). */
    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", 3.9},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:N/A:L", 4.0},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:N/I:L/A:H", 6.9},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:H", 7.0},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:H/A:H", 8.9},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H", 9.0},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:H", 9.9},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:H", 10.0},
    /* Temporal and environmental metrics are accepted and do not change the base score; any order is fine. */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U", 9.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X/RL:X/RC:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MPR:X/MUI:X"
     "/MS:X/MC:X/MI:X/MA:X",
     9.8},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:T/RC:R/CR:H/IR:M/AR:L/MAV:P/MAC:H/MPR:H/MUI:R"
     "/MS:C/MC:N/MI:L/MA:N",
     9.8},
    {"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:H/RL:W/RC:C/MAV:A/MS:U/MC:H", 7.8},
    {"CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8},
    {"CVSS:3.1/E:F/S:C/AV:N/MAV:L/AC:L/PR:N/UI:R/C:L/I:L/A:N", 6.1},
};

static void check_score(const char *vector, double want)
{
	struct fw_cvss3 v;
	struct fw_error err = {"", ""};
	int rc = fw_cvss3_parse(vector, &v, &err);

	if (rc != FW_OK) {
		print_error("%s: rejected (%d): %s: %s\n", vector, rc, err.field, err.message);
		fail();
	}
	/* Scores are k/10.0 for an integer k, so they compare exactly with the literal. */
	if (v.base_score != want) {
		print_error("%s: base score %.17g, want %.1f\n", vector, v.base_score, want);
		fail();
	}
}

static void test_valid_vectors(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(valid) / sizeof(valid[0]); n++)
		check_score(valid[n].vector, valid[n].score);
}

static void test_fields(void **state)
{
	struct fw_cvss3 v;
	struct fw_error err = {"", ""};

	(void)state;
	assert_int_equal(fw_cvss3_parse("CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:N/I:L/A:H", &v, &err), FW_OK);
	assert_int_equal(v.minor, 1);
	assert_int_equal(v.av, 'A');
	assert_int_equal(v.ac, 'H');
	assert_int_equal(v.pr, 'L');
	assert_int_equal(v.ui, 'R');
	assert_int_equal(v.s, 'C');
	assert_int_equal(v.c, 'N');
	assert_int_equal(v.i, 'L');
	assert_int_equal(v.a, 'H');
	assert_string_equal(v.attack_vector, "ADJACENT_NETWORK");
	assert_string_equal(v.attack_complexity, "HIGH");
	assert_string_equal(v.privileges_required, "LOW");
	assert_string_equal(v.user_interaction, "REQUIRED");
	assert_string_equal(v.scope, "CHANGED");
	assert_string_equal(v.confidentiality_impact, "NONE");
	assert_string_equal(v.integrity_impact, "LOW");
	assert_string_equal(v.availability_impact, "HIGH");

	assert_int_equal(fw_cvss3_parse("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:N", &v, &err), FW_OK);
	assert_int_equal(v.minor, 0);
	assert_string_equal(v.attack_vector, "NETWORK");
	assert_string_equal(v.attack_complexity, "LOW");
	assert_string_equal(v.privileges_required, "NONE");
	assert_string_equal(v.user_interaction, "NONE");
	assert_string_equal(v.scope, "UNCHANGED");
	assert_string_equal(v.confidentiality_impact, "LOW");
	assert_string_equal(v.integrity_impact, "HIGH");
	assert_string_equal(v.availability_impact, "NONE");

	assert_int_equal(fw_cvss3_parse("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:L", &v, &err), FW_OK);
	assert_string_equal(v.attack_vector, "LOCAL");
	assert_string_equal(v.privileges_required, "HIGH");
	assert_int_equal(fw_cvss3_parse("CVSS:3.1/AV:P/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:L", &v, &err), FW_OK);
	assert_string_equal(v.attack_vector, "PHYSICAL");
}

struct rated {
	const char *vector;
	const char *severity;
};

static void test_severity(void **state)
{
	static const struct rated cases[] = {
	    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "NONE"},     /* 0.0 */
	    {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", "LOW"},      /* 1.6 */
	    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", "LOW"},      /* 3.9 */
	    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:N/A:L", "MEDIUM"},   /* 4.0 */
	    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "MEDIUM"},   /* 6.1 */
	    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:N/I:L/A:H", "MEDIUM"},   /* 6.9 */
	    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:H", "HIGH"},     /* 7.0 */
	    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:H/A:H", "HIGH"},     /* 8.9 */
	    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H", "CRITICAL"}, /* 9.0 */
	    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CRITICAL"}, /* 9.8 */
	    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "CRITICAL"}, /* 10.0 */
	    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "NONE"},
	    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CRITICAL"},
	};
	struct fw_cvss3 v;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(cases) / sizeof(cases[0]); n++) {
		assert_int_equal(fw_cvss3_parse(cases[n].vector, &v, NULL), FW_OK);
		if (strcmp(v.severity, cases[n].severity) != 0) {
			print_error("%s: severity %s, want %s\n", cases[n].vector, v.severity,
			            cases[n].severity);
			fail();
		}
	}
}

static const char *severity_of(double score)
{
	if (score == 0.0)
		return "NONE";
	if (score <= 3.9)
		return "LOW";
	if (score <= 6.9)
		return "MEDIUM";
	if (score <= 8.9)
		return "HIGH";
	return "CRITICAL";
}

/*
 * Every one of the 2592 base vectors, in both versions: the score is a tenth in [0, 10] with the matching
 * severity, and 3.0 agrees with 3.1 (checked offline with exact rational arithmetic: no base vector's exact
 * score lies on or within 1e-5 above a tenth, so the two Roundup definitions never differ on base scores).
 */
static void test_all_base_vectors(void **state)
{
	static const char *const values[8] = {"NALP", "LH", "NLH", "NR", "UC", "NLH", "NLH", "NLH"};
	int idx[8] = {0};
	int count = 0;

	(void)state;
	for (;;) {
		char vec[2][64];
		struct fw_cvss3 v[2];
		int k, ver;

		for (ver = 0; ver < 2; ver++) {
			snprintf(vec[ver], sizeof(vec[ver]),
			         "CVSS:3.%d/AV:%c/AC:%c/PR:%c/UI:%c/S:%c/C:%c/I:%c/A:%c", ver,
			         values[0][idx[0]], values[1][idx[1]], values[2][idx[2]], values[3][idx[3]],
			         values[4][idx[4]], values[5][idx[5]], values[6][idx[6]], values[7][idx[7]]);
			assert_int_equal(fw_cvss3_parse(vec[ver], &v[ver], NULL), FW_OK);
			assert_true(v[ver].base_score >= 0.0 && v[ver].base_score <= 10.0);
			assert_true(v[ver].base_score == round(v[ver].base_score * 10.0) / 10.0);
			assert_string_equal(v[ver].severity, severity_of(v[ver].base_score));
		}
		if (v[0].base_score != v[1].base_score) {
			print_error("%s: %.1f but %s: %.1f\n", vec[0], v[0].base_score, vec[1],
			            v[1].base_score);
			fail();
		}
		/* No impact means 0.0, and any impact gives at least the minimum of 1.6. */
		if (idx[5] == 0 && idx[6] == 0 && idx[7] == 0)
			assert_true(v[1].base_score == 0.0);
		else
			assert_true(v[1].base_score >= 1.6);
		count++;
		for (k = 7; k >= 0; k--) {
			if (values[k][++idx[k]] != '\0')
				break;
			idx[k] = 0;
		}
		if (k < 0)
			break;
	}
	assert_int_equal(count, 4 * 2 * 3 * 2 * 2 * 3 * 3 * 3);
}

struct rejected {
	const char *vector;
	const char *reason; /* expected in err.message */
};

#define BASE "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

static const struct rejected invalid[] = {
    {"", "CVSS:"},
    {BASE, "CVSS:"},
    {"cvss:3.1/" BASE, "CVSS:"},
    {"CVSS3.1/" BASE, "CVSS:"},
    {" CVSS:3.1/" BASE, "CVSS:"},
    {"CVSS:2.0/" BASE, "version"},
    {"CVSS:3.2/" BASE, "version"},
    {"CVSS:3/" BASE, "version"},
    {"CVSS:3.10/" BASE, "version"},
    {"CVSS:3.1 /" BASE, "version"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "version"},
    {"CVSS:3.1", "no metrics"},
    {"CVSS:3.1/", "no metrics"},
    {"CVSS:3.1/" BASE "/", "ends with"},
    {"CVSS:3.1//" BASE, "empty"},
    {"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "empty"},
    {"CVSS:3.1/AV/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed"},
    {"CVSS:3.1/:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "malformed"},
    {"CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "unknown metric"},
    {"CVSS:3.1/" BASE "/Au:N", "unknown metric"},
    {"CVSS:3.1/" BASE "/CVSS:3.1", "unknown metric"},
    {"CVSS:3.1/" BASE "/AT:N", "unknown metric"},
    {"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:N/AC:M/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:N/AC:L/PR:U/UI:N/S:U/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", "invalid value"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h", "invalid value"},
    {"CVSS:3.1/" BASE " ", "invalid value"},
    {"CVSS:3.1/" BASE "\n", "invalid value"},
    {"CVSS:3.1/" BASE "/E:Z", "invalid value"},
    {"CVSS:3.1/" BASE "/RL:X:X", "invalid value"},
    {"CVSS:3.1/" BASE "/CR:N", "invalid value"},
    {"CVSS:3.1/" BASE "/MPR:U", "invalid value"},
    {"CVSS:3.1/" BASE "/MS:N", "invalid value"},
    {"CVSS:3.0/" BASE "/MAV:M", "invalid value"},
    {"CVSS:3.1/" BASE "/AV:N", "more than once"},
    {"CVSS:3.1/" BASE "/A:L", "more than once"},
    {"CVSS:3.1/" BASE "/E:X/E:X", "more than once"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A is missing"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", "S is missing"},
    {"CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:X", "AV is missing"},
    {"CVSS:3.1/E:F/RL:O/RC:C", "missing"},
};

static void check_rejected(const char *vector, const char *reason)
{
	struct fw_cvss3 v;
	struct fw_error err = {"", ""};
	int rc;

	memset(&v, 0x5a, sizeof(v));
	rc = fw_cvss3_parse(vector, &v, &err);
	if (rc != FW_EINVAL || err.message[0] == '\0' || !strstr(err.message, reason) ||
	    strcmp(err.field, "cvss_v3") != 0) {
		print_error("\"%s\": rc %d, field \"%s\", message \"%s\", want FW_EINVAL and \"%s\"\n",
		            vector, rc, err.field, err.message, reason);
		fail();
	}
	/* The result is left alone on failure. */
	assert_int_equal(v.minor, 0x5a5a5a5a);
	/* A NULL err is fine too. */
	assert_int_equal(fw_cvss3_parse(vector, &v, NULL), FW_EINVAL);
}

static void test_invalid_vectors(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(invalid) / sizeof(invalid[0]); n++)
		check_rejected(invalid[n].vector, invalid[n].reason);
}

static void test_null_and_length(void **state)
{
	static const char full[] = "CVSS:3.1/" BASE "/E:X/RL:X/RC:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MPR:X/MUI:X"
	                           "/MS:X/MC:X/MI:X/MA:X";
	static char huge[100001];
	char buf[200];
	struct fw_cvss3 v;
	struct fw_error err = {"", ""};
	size_t len;

	(void)state;
	assert_int_equal(fw_cvss3_parse(NULL, &v, &err), FW_EINVAL);
	assert_true(err.message[0] != '\0');
	assert_int_equal(fw_cvss3_parse(NULL, &v, NULL), FW_EINVAL);
	assert_int_equal(fw_cvss3_parse("CVSS:3.1/" BASE, NULL, NULL), FW_EINVAL);

	/* The longest vector without repeats (all 22 metrics) is accepted. */
	assert_int_equal(fw_cvss3_parse(full, &v, &err), FW_OK);
	assert_true(v.base_score == 9.8);

	/* 160 characters are judged on their content; 161 are too long. */
	len = strlen("CVSS:3.1/" BASE);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "CVSS:3.1/" BASE, len);
	while (len < 160)
		buf[len++] = 'X';
	check_rejected(buf, "invalid value");
	buf[len] = 'X';
	check_rejected(buf, "longer than 160");

	memset(huge, 'A', sizeof(huge) - 1);
	memcpy(huge, "CVSS:3.1/", 9);
	check_rejected(huge, "longer than 160");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_vectors),   cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_severity),        cmocka_unit_test(test_all_base_vectors),
	    cmocka_unit_test(test_invalid_vectors), cmocka_unit_test(test_null_and_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
