/*
 * libFuzzer driver for fw_time_parse and fw_date_valid: any bytes, NUL-terminated. An accepted date-time must
 * start with a valid date and, when it lies in years 1970-9999 UTC, format and parse back to the same second;
 * a valid date must be accepted as a date-time at midnight UTC. An accepted duration is positive, within its
 * bound, and the same number of seconds written with "s".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define YEAR_10000 INT64_C(253402300800) /* 10000-01-01T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[64], date[11], text[FW_RFC3339_LEN], midnight[32];
	int64_t t = -1, u = -1;

	/* Longer inputs only test the length check; cut them so the buffer stays on the stack. */
	if (size > sizeof(buf) - 1)
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';

	if (fw_time_parse(buf, &t) == 0) {
		memcpy(date, buf, 10);
		date[10] = '\0';
		if (!fw_date_valid(date))
			abort();
		if (t >= 0 && t < YEAR_10000) {
			fw_time_format(t, text);
			if (fw_time_parse(text, &u) != 0 || u != t)
				abort();
		}
	} else if (t != -1) {
		abort(); /* *ret is written only on success */
	}

	u = -1;
	if (fw_duration_parse(buf, INT64_C(315360000), &u) == 0) {
		int64_t v = -1;
		snprintf(text, sizeof(text), "%llds", (long long)u);
		if (u <= 0 || u > INT64_C(315360000) ||
		    fw_duration_parse(text, INT64_C(315360000), &v) != 0 || v != u)
			abort();
	} else if (u != -1) {
		abort();
	}

	if (fw_date_valid(buf)) {
		memcpy(midnight, buf, 10);
		memcpy(midnight + 10, "T00:00:00Z", 11);
		if (fw_time_parse(midnight, &u) != 0 || u < 0 || u % 86400 != 0)
			abort();
	}
	return 0;
}
