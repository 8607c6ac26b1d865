/*
 * libFuzzer driver for fw_json_trace_parse (the body of POST /api/v1/trace): any bytes as the body. A refusal
 * gives a reason (naming the field, or "" for the body) and leaves the out-parameters alone; an accepted
 * body gives the text with its exact length (it may hold NUL bytes) and an advisory id that fits.
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
	static char sentinel;
	char advisory[FW_ID_MAX + 1], before[FW_ID_MAX + 1];
	char *text = &sentinel;
	size_t len = 12345;
	struct fw_error err;
	int r;

	memset(&err, 0, sizeof(err));
	memset(advisory, 'x', sizeof(advisory));
	memcpy(before, advisory, sizeof(advisory));
	r = fw_json_trace_parse((const char *)data, size, &text, &len, advisory, &err);
	if (r < 0) {
		if (text != &sentinel || len != 12345 || memcmp(advisory, before, sizeof(advisory)) != 0)
			abort();
		if (r != FW_ENOMEM && !err.message[0]) /* field "" is the body itself */
			abort();
		return 0;
	}
	if (r != 0 || !text || text == &sentinel || len > size || text[len] != '\0')
		abort();
	if (memchr(advisory, '\0', sizeof(advisory)) == NULL)
		abort();
	check_write(advisory, len);
	free(text);
	return 0;
}
