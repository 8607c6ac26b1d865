/* Time: UTC seconds since the epoch (int64), RFC 3339 parsing and formatting. */
#ifndef FW_TIMEUTIL_H
#define FW_TIMEUTIL_H

#include <stdint.h>
#include <stddef.h>
#include "forewarn/err.h"

#define FW_RFC3339_LEN 32 /* buffer size for fw_time_format* */

/* fw_time_now / fw_time_now_ms: wall-clock UTC. Thread-safe. */
int64_t fw_time_now(void);
int64_t fw_time_now_ms(void);

/*
 * fw_time_parse: parses an RFC 3339 date-time ("2026-12-08T17:00:00Z", offsets like +02:00 accepted,
 * fractional seconds accepted and truncated). Returns FW_EINVAL on anything else. Writes *ret on success.
 */
FW_WUR int fw_time_parse(const char *s, int64_t *ret);
/* fw_time_format: "YYYY-MM-DDTHH:MM:SSZ" into out (FW_RFC3339_LEN bytes). */
void fw_time_format(int64_t t, char out[FW_RFC3339_LEN]);
/* fw_time_format_ms: "YYYY-MM-DDTHH:MM:SS.mmmZ" from milliseconds. */
void fw_time_format_ms(int64_t ms, char out[FW_RFC3339_LEN]);
/* fw_date_valid: true for a real calendar date "YYYY-MM-DD". */
int fw_date_valid(const char *s);
/*
 * fw_duration_parse: a positive whole number and one unit, s, m, h, d or w ("45s", "90m", "12h", "30d",
 * "2w"), at most max seconds, in seconds. FW_EINVAL on anything else (no sign, space, fraction or second
 * unit). Writes *ret on success.
 */
FW_WUR int fw_duration_parse(const char *s, int64_t max, int64_t *ret);

#endif
