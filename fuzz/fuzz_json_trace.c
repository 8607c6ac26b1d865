/*
 * libFuzzer driver for fw_json_trace_parse (the body of POST /api/v1/trace): any bytes as the body. A refusal
 * gives a reason (naming the field, or "" for the body) and leaves the out-parameter alone; an accepted body
 * gives 1 to FW_TRACE_LEAKS_MAX texts with their exact lengths (they may hold NUL bytes) and advisory ids
 * that fit, and nothing in the unused slots.
 * fw_json_trace_write answers an empty result and a result with hits for any accepted advisory id.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_write(const char *advisory, size_t textlen)
{
	struct fw_trace_hit hit;
	struct fw_trace_result res;
	struct fw_buf b;

	memset(&res, 0, sizeof(res));
	memset(&hit, 0, sizeof(hit));
	res.accuse_threshold = res.investigate_threshold = INFINITY; /* written as null */
	fw_buf_init(&b, 0);
	if (fw_json_trace_write(&res, &b) < 0 || !b.data || b.data[0] != '{' ||
	    !strstr(b.data, "\"accused\":[]"))
		abort();
	fw_buf_reset(&b);
	snprintf(res.advisory_id, sizeof(res.advisory_id), "%s", advisory[0] ? advisory : "fz-1");
	res.revision = 1;
	res.positions = textlen % 997 + 1;
	res.length = 1000;
	res.partners = 1;
	res.accuse_threshold = 40.5;
	res.investigate_threshold = 25.25;
	snprintf(hit.partner_id, sizeof(hit.partner_id), "acme");
	hit.score = 50;
	hit.threshold = 40.5;
	hit.bound = 1e-12;
	hit.positions = res.positions;
	res.accused = &hit;
	res.naccused = 1;
	if (fw_json_trace_write(&res, &b) < 0 || !strstr(b.data, "\"partner\":\"acme\""))
		abort();
	fw_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_trace_request q, before;
	struct fw_error err;
	int r;

	memset(&err, 0, sizeof(err));
	memset(&q, 0x5a, sizeof(q));
	memcpy(&before, &q, sizeof(q));
	r = fw_json_trace_parse((const char *)data, size, &q, &err);
	if (r < 0) {
		if (memcmp(&q, &before, sizeof(q)) != 0)
			abort();
		if (r != FW_ENOMEM && !err.message[0]) /* field "" is the body itself */
			abort();
		return 0;
	}
	if (r != 0 || q.n < 1 || q.n > FW_TRACE_LEAKS_MAX)
		abort();
	for (size_t i = 0; i < FW_TRACE_LEAKS_MAX; i++) {
		if (i >= q.n) {
			if (q.text[i]) /* unused slots hold nothing to free */
				abort();
			continue;
		}
		if (!q.text[i] || q.len[i] > size || q.text[i][q.len[i]] != '\0' ||
		    !memchr(q.advisory[i], '\0', sizeof(q.advisory[i])))
			abort();
		check_write(q.advisory[i], q.len[i]);
	}
	fw_trace_request_release(&q);
	return 0;
}
