/*
 * libFuzzer driver for fw_cvss3_parse: any byte string, NUL-terminated, must be parsed or rejected
 * cleanly; an accepted vector must carry a one-decimal score in [0, 10] and all its names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[512];
	struct fw_cvss3 v;
	struct fw_error err;

	/* Longer inputs only test the length check; cut them so the buffer stays on the stack. */
	if (size > sizeof(buf) - 1)
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (fw_cvss3_parse(buf, &v, &err) == FW_OK) {
		if (!(v.base_score >= 0.0 && v.base_score <= 10.0) || !v.severity || !v.attack_vector ||
		    !v.attack_complexity || !v.privileges_required || !v.user_interaction || !v.scope ||
		    !v.confidentiality_impact || !v.integrity_impact || !v.availability_impact)
			abort();
	} else if (err.message[0] == '\0') {
		abort();
	}
	return 0;
}
