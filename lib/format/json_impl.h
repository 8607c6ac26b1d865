/*
 * Helpers shared by the JSON files of the format module (json.c, json_cert.c): module-private, never
 * included outside lib/format. Each returns 0, or FW_EINVAL with err naming the field ("" for the body).
 */
#ifndef FW_JSON_IMPL_H
#define FW_JSON_IMPL_H

#include <stdint.h>
#include <jansson.h>
#include "forewarn/buf.h"
#include "forewarn/err.h"

/* fw_json_load_object: the request body as a JSON object (duplicate keys refused); *ret is the caller's. */
int fw_json_load_object(const char *body, size_t len, json_t **ret, struct fw_error *err);
/* fw_json_str_check: v is a string without NUL characters, shorter than outsz bytes. */
int fw_json_str_check(json_t *v, const char *field, size_t outsz, struct fw_error *err);
/* fw_json_time_value: an RFC 3339 string of t (seconds), or null for 0; a new reference. */
json_t *fw_json_time_value(int64_t t);
/* fw_json_dump: appends j, compact and in order, to out, and releases j (NULL: FW_ENOMEM). */
int fw_json_dump(json_t *j, struct fw_buf *out);

#endif
