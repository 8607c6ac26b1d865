/* unhex: the unit tests' reader of hex test vectors: exactly 2n hex digits into n bytes, or the test fails.
 * Include after <cmocka.h>. */
#ifndef FW_TESTS_UNHEX_H
#define FW_TESTS_UNHEX_H

#include <stdio.h>
#include <string.h>

static inline void unhex(const char *hex, unsigned char *out, size_t n)
{
	assert_int_equal(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

#endif
