/* RFC 3339 parsing and formatting, and the bounded buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/buf.h"
#include "forewarn/timeutil.h"

static void test_parse(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(fw_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(fw_time_parse("2026-12-08T17:00:00Z", &t), 0);
	assert_int_equal(t, 1796749200);
	assert_int_equal(fw_time_parse("2026-12-08T19:00:00+02:00", &t), 0);
	assert_int_equal(t, 1796749200);
	assert_int_equal(fw_time_parse("2026-12-08T12:30:00.123-04:30", &t), 0);
	assert_int_equal(t, 1796749200);
	assert_int_equal(fw_time_parse("2024-02-29T00:00:00Z", &t), 0);
	static const char *const bad[] = {"",
	                                  "2026-12-08",
	                                  "2026-12-08 17:00:00Z",
	                                  "2026-12-08T17:00:00",
	                                  "2026-13-08T17:00:00Z",
	                                  "2026-02-29T00:00:00Z",
	                                  "2026-12-08T24:00:00Z",
	                                  "2026-12-08T17:60:00Z",
	                                  "2026-12-08T17:00:00+2:00",
	                                  "2026-12-08T17:00:00Zjunk",
	                                  "1969-12-31T23:59:59Z",
	                                  "2026-12-08T17:00:00.Z",
	                                  "abcd-12-08T17:00:00Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_time_parse(bad[i], &t) != FW_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(fw_time_parse(NULL, &t), FW_EINVAL);
}

static void test_format(void **state)
{
	char s[FW_RFC3339_LEN];
	int64_t t;

	(void)state;
	fw_time_format(1796749200, s);
	assert_string_equal(s, "2026-12-08T17:00:00Z");
	fw_time_format_ms(1796749200123LL, s);
	assert_string_equal(s, "2026-12-08T17:00:00.123Z");
	fw_time_format_ms(7, s);
	assert_string_equal(s, "1970-01-01T00:00:00.007Z");
	fw_time_format_ms(253402300799999LL, s);
	assert_string_equal(s, "9999-12-31T23:59:59.999Z");
	fw_time_format_ms(-1, s);
	assert_string_equal(s, "1969-12-31T23:59:59.999Z");
	for (int64_t x = 0; x < 4102444800LL; x += 86399 * 37 + 11) {
		fw_time_format(x, s);
		assert_int_equal(fw_time_parse(s, &t), 0);
		assert_int_equal(t, x);
	}
	assert_true(fw_date_valid("2026-01-31"));
	assert_false(fw_date_valid("2026-01-32"));
	assert_false(fw_date_valid("2026-1-3"));
}

static void test_duration(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(fw_duration_parse("45s", 1000000000, &t), 0);
	assert_int_equal(t, 45);
	assert_int_equal(fw_duration_parse("90m", 1000000000, &t), 0);
	assert_int_equal(t, 5400);
	assert_int_equal(fw_duration_parse("12h", 1000000000, &t), 0);
	assert_int_equal(t, 43200);
	assert_int_equal(fw_duration_parse("30d", 1000000000, &t), 0);
	assert_int_equal(t, 2592000);
	assert_int_equal(fw_duration_parse("2w", 1000000000, &t), 0);
	assert_int_equal(t, 1209600);
	/* the bound is inclusive */
	assert_int_equal(fw_duration_parse("3650d", 3650 * 86400, &t), 0);
	assert_int_equal(t, 3650 * 86400);
	t = -7;
	static const char *const bad[] = {"",
	                                  "30",
	                                  "d",
	                                  "0d",
	                                  "-1d",
	                                  "+1d",
	                                  "1.5d",
	                                  "1 d",
	                                  "1dd",
	                                  "1y",
	                                  "1D",
	                                  " 1d",
	                                  "3651d",
	                                  "99999999999999999999s",
	                                  "9223372036854775807s"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_duration_parse(bad[i], 3650 * 86400, &t) != FW_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(t, -7);
}

static void test_buf(void **state)
{
	struct fw_buf b;
	char *s;
	size_t n;

	(void)state;
	fw_buf_init(&b, 10);
	assert_int_equal(fw_buf_puts(&b, "hello"), 0);
	assert_int_equal(fw_buf_printf(&b, "%d", 12345), 0);
	assert_string_equal(b.data, "hello12345");
	assert_int_equal(fw_buf_puts(&b, "!"), FW_ETOOBIG);
	assert_string_equal(b.data, "hello12345"); /* unchanged on failure */
	assert_int_equal(fw_buf_steal(&b, &s, &n), 0);
	assert_int_equal(n, 10);
	assert_string_equal(s, "hello12345");
	free(s);
	assert_null(b.data);
	fw_buf_release(&b);
	fw_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(fw_buf_puts(&b, "0123456789"), 0);
	assert_int_equal(b.len, 100000);
	fw_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_duration),
	    cmocka_unit_test(test_buf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
