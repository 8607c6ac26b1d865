/*
 * Data key rotation (docs/security.md): every sealed value re-sealed under a new key and the rotation's
 * event, in one transaction. Which key files exist and when they are renamed is the program's business
 * (src/datakey.c); this is the part that must be all or nothing.
 */
#include <stdio.h>
#include "forewarn/crypto.h"
#include "forewarn/ops.h"

int fw_ops_data_key_rotate(struct fw_store *s, const char *actor, const struct fw_data_key *new_key,
                           fw_rekey_cb progress, void *ctx, uint64_t *ret_values, struct fw_error *err)
{
	char old[FW_DATA_KEY_ID_LEN + 8];
	uint64_t values = 0;
	int r;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_meta_get(s, "data_key_id", old, sizeof(old));
	if (r == 0)
		r = fw_store_rekey(s, new_key, progress, ctx, &values, err);
	if (r == 0)
		r = fw_event_emitkv(s, "data_key.rotated", actor, NULL, NULL, "from", old, "to",
		                    fw_data_key_id(new_key), NULL);
	r = fw_ops_finish(s, r);
	if (r == 0 && ret_values)
		*ret_values = values;
	return r;
}
