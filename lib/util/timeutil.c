/* UTC time: RFC 3339 parsing and formatting without the C library's locale or time-zone state. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "forewarn/timeutil.h"

int64_t fw_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

int64_t fw_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *ry, unsigned *rm, unsigned *rd)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	*ry = (int)(y + (m <= 2));
	*rm = m;
	*rd = d;
}

static int digits(const char *s, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : dm[m - 1];
}

static int parse_date(const char *s, int *y, int *mo, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, mo) || s[7] != '-' || digits(s + 8, 2, d))
		return -1;
	if (*y < 1970 || *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo))
		return -1;
	return 0;
}

int fw_date_valid(const char *s)
{
	int y, mo, d;

	return strlen(s) == 10 && parse_date(s, &y, &mo, &d) == 0;
}

int fw_time_parse(const char *s, int64_t *ret)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p;
	int64_t t;

	if (!s || strlen(s) < 20 || strlen(s) > 40)
		return FW_EINVAL;
	if (parse_date(s, &y, &mo, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return FW_EINVAL;
	if (h > 23 || mi > 59 || sec > 59)
		return FW_EINVAL;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return FW_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return FW_EINVAL;
		p += 6;
	} else {
		return FW_EINVAL;
	}
	if (*p)
		return FW_EINVAL;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	*ret = t;
	return 0;
}

/* put: v (0 <= v < 10^n) as n decimal digits at p. */
static void put(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void fw_time_format(int64_t t, char out[FW_RFC3339_LEN])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, FW_RFC3339_LEN, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
		         (int)(rem / 60 % 60), (int)(rem % 60));
		return;
	}
	/* Every event and log entry is stamped: the digits by hand, not through snprintf. */
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	put(out, (unsigned)y, 4);
	put(out + 5, m, 2);
	put(out + 8, d, 2);
	put(out + 11, (unsigned)(rem / 3600), 2);
	put(out + 14, (unsigned)(rem / 60 % 60), 2);
	put(out + 17, (unsigned)(rem % 60), 2);
}

void fw_time_format_ms(int64_t ms, char out[FW_RFC3339_LEN])
{
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	size_t n;

	fw_time_format(s, out);
	n = strlen(out); /* 20, unless the year has more than four digits */
	if (n + 5 < FW_RFC3339_LEN) {
		out[n - 1] = '.';
		put(out + n, (unsigned)(ms - s * 1000), 3);
		memcpy(out + n + 3, "Z", 2);
	}
}

int fw_duration_parse(const char *s, int64_t max, int64_t *ret)
{
	static const char units[] = "smhdw";
	static const int64_t secs[] = {1, 60, 3600, 86400, 604800};
	const char *u;
	int64_t n = 0;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (n > (INT64_MAX - 9) / 10)
			return FW_EINVAL;
		n = n * 10 + (s[i] - '0');
	}
	if (i == 0 || i > 18 || n == 0 || !s[i] || s[i + 1] || !(u = strchr(units, s[i])))
		return FW_EINVAL;
	if (n > max / secs[u - units])
		return FW_EINVAL;
	*ret = n * secs[u - units];
	return 0;
}
