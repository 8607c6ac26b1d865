/*
 * libFuzzer driver for fw_csaf_import: any bytes as a CSAF 2.0 document. A rejection must name a JSON path
 * and leave the out-parameters alone; an imported advisory (given an id, as the caller does) and its revision
 * must pass the model's validators, so nothing the importer accepts can be refused or mis-stored later.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/csaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_advisory a, before;
	struct fw_revision rev;
	struct fw_error err = {{0}, {0}};
	int r;

	memset(&a, 0x5a, sizeof(a));
	before = a;
	memset(&rev, 0, sizeof(rev));
	r = fw_csaf_import((const char *)data, size, &a, &rev, &err);
	if (r < 0) {
		if (r != FW_EINVAL && r != FW_ETOOBIG && r != FW_ENOMEM)
			abort();
		if (r != FW_ENOMEM && (err.field[0] == '\0' || err.message[0] == '\0'))
			abort();
		if (memcmp(&a, &before, sizeof(a)) != 0 || fw_revision_parts(&rev) != 0)
			abort();
		return 0;
	}
	strcpy(a.id, "fuzz");
	if (fw_advisory_validate(&a, NULL) < 0 || fw_revision_validate(&rev, NULL) < 0)
		abort();
	if (a.status != FW_ADV_DRAFT || a.revision != 1 || rev.number != 1)
		abort();
	fw_revision_release(&rev);
	return 0;
}
