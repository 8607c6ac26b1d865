/*
 * libFuzzer driver for fw_json_partner_parse: any bytes as a create body and as a patch of a fixed partner.
 * A rejected body must leave the partner untouched and name a reason that fw_json_error_write keeps; an
 * accepted one must validate, keep id and status in a patch, and survive write + patch parse unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void base_partner(struct fw_partner *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->id, "acme");
	strcpy(p->name, "ACME Security");
	strcpy(p->country, "DE");
	strcpy(p->tier, "vetted");
	p->entitlements = FW_PARTS_ALL;
	strcpy(p->nda_version, "2025-1");
	strcpy(p->nda_signed, "2025-03-01");
	strcpy(p->contact_email, "psirt@acme.example");
	p->status = FW_PARTNER_SUSPENDED;
	p->created_at = 1767225600;
	p->updated_at = 1796749200;
}

static int same_fields(const struct fw_partner *a, const struct fw_partner *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->country, b->country) == 0 && strcmp(a->tier, b->tier) == 0 &&
	       a->entitlements == b->entitlements && strcmp(a->nda_version, b->nda_version) == 0 &&
	       strcmp(a->nda_signed, b->nda_signed) == 0 && strcmp(a->contact_email, b->contact_email) == 0 &&
	       a->status == b->status;
}

/* The written form of an accepted partner must parse back, as a patch, to the same fields. */
static void check_write_round_trip(const struct fw_partner *p)
{
	struct fw_partner q = *p;
	struct fw_error err;
	struct fw_buf b;

	fw_buf_init(&b, 0);
	if (fw_json_partner_write(p, &b) < 0)
		abort();
	if (fw_json_partner_parse(b.data, b.len, 1, &q, &err) < 0 || !same_fields(&q, p))
		abort();
	fw_buf_release(&b);
}

/* The error body sent to the client must keep field and message, even when cut inside a UTF-8 sequence. */
static void check_error_body(const struct fw_error *err)
{
	struct fw_buf b;

	fw_buf_init(&b, 0);
	if (fw_json_error_write(400, "invalid", err->field, err->message, &b) < 0 ||
	    !strstr(b.data, "\"message\":") || (err->field[0] && !strstr(b.data, "\"field\":")))
		abort();
	fw_buf_release(&b);
}

static void check_failure(int r, const struct fw_error *err, const struct fw_partner *p,
                          const struct fw_partner *before)
{
	if (r != FW_EINVAL && r != FW_ENOMEM)
		abort();
	if (r == FW_EINVAL && err->message[0] == '\0')
		abort();
	check_error_body(err);
	if (memcmp(p, before, sizeof(*p)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct fw_partner base, p, before;
	struct fw_error err;
	int r;

	base_partner(&base);

	/* Create: *p is filled from scratch. */
	memset(&p, 0xa5, sizeof(p));
	before = p;
	memset(&err, 0, sizeof(err));
	r = fw_json_partner_parse(body, size, 0, &p, &err);
	if (r == 0) {
		if (fw_partner_validate(&p, NULL) < 0 || p.status != FW_PARTNER_ACTIVE || p.created_at != 0)
			abort();
		check_write_round_trip(&p);
	} else {
		check_failure(r, &err, &p, &before);
	}

	/* Patch: fields present are applied on top of a suspended partner. */
	p = base;
	memset(&err, 0, sizeof(err));
	r = fw_json_partner_parse(body, size, 1, &p, &err);
	if (r == 0) {
		if (fw_partner_validate(&p, NULL) < 0 || strcmp(p.id, base.id) != 0 ||
		    p.status != base.status || p.created_at != base.created_at ||
		    p.updated_at != base.updated_at)
			abort();
		check_write_round_trip(&p);
	} else {
		check_failure(r, &err, &p, &base);
	}
	return 0;
}
