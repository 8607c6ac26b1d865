/*
 * Advisory acts: create (from parts or an imported CSAF document), revise, schedule, withdraw, publish.
 * Each is one transaction with its event, and marks the advisory due so the scheduler acts at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/cvss.h"
#include "forewarn/fingerprint.h"
#include "forewarn/json.h"
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"

static int score(struct fw_advisory *a, struct fw_error *err)
{
	struct fw_cvss3 c;
	int r;

	if (!a->cvss_v3[0])
		return 0;
	r = fw_cvss3_parse(a->cvss_v3, &c, err);
	if (r < 0)
		return r;
	a->cvss_score = c.base_score;
	snprintf(a->cvss_severity, sizeof(a->cvss_severity), "%s", c.severity);
	return 0;
}

/* check_slots: the parts' fingerprint slots must parse (docs/templates.md); the error names part and place.
 */
static int check_slots(const struct fw_revision *rev, struct fw_error *err)
{
	struct fw_fingerprint *f = NULL;
	int r = fw_fingerprint_new(rev, &f, err);

	fw_fingerprint_free(f);
	return r;
}

static int make_id(struct fw_store *s, int64_t now, struct fw_advisory *a)
{
	char val[32], year[FW_RFC3339_LEN];
	struct fw_advisory tmp;
	long seq = 0;
	int r;

	r = fw_store_meta_get(s, "advisory_seq", val, sizeof(val));
	if (r == 0)
		seq = strtol(val, NULL, 10);
	else if (r != FW_ENOENT)
		return r;
	fw_time_format(now, year);
	for (;;) {
		snprintf(a->id, sizeof(a->id), "fw-%.4s-%04ld", year, ++seq);
		r = fw_store_advisory_get(s, a->id, &tmp);
		if (r == FW_ENOENT)
			break;
		if (r < 0)
			return r;
	}
	snprintf(val, sizeof(val), "%ld", seq);
	return fw_store_meta_set(s, "advisory_seq", val);
}

static int emit(struct fw_store *s, const char *type, const char *actor, const struct fw_advisory *a)
{
	struct fw_event_about about = {.advisory_id = a->id, .revision = a->revision};
	char t[FW_RFC3339_LEN];

	if (a->public_at)
		fw_time_format(a->public_at, t);
	else
		t[0] = '\0';
	return fw_event_emitkv(s, type, actor, &about, NULL, "status", fw_advisory_status_name(a->status),
	                       "public_at", t, NULL);
}

int fw_ops_advisory_create(struct fw_store *s, const char *actor, struct fw_advisory *a,
                           struct fw_revision *rev, int64_t public_at, int64_t now, struct fw_error *err)
{
	int r;

	r = score(a, err);
	if (r < 0)
		return r;
	if (public_at && public_at <= now)
		return fw_error_set(err, FW_EINVAL, "public_at",
		                    "is in the past; the release time must be in the future");
	r = fw_revision_validate(rev, err);
	if (r == 0)
		r = check_slots(rev, err);
	if (r < 0)
		return r;
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	if (!a->id[0]) {
		r = make_id(s, now, a);
		if (r < 0)
			goto out;
	}
	a->status = public_at ? FW_ADV_SCHEDULED : FW_ADV_DRAFT;
	a->public_at = public_at;
	a->created_at = a->updated_at = now;
	a->revision = 1;
	a->parts = fw_revision_parts(rev);
	r = fw_advisory_validate(a, err);
	if (r < 0)
		goto out;
	r = fw_store_advisory_insert(s, a);
	if (r == FW_EEXIST)
		r = fw_error_set(err, FW_EEXIST, "id", "advisory \"%s\" already exists", a->id);
	if (r < 0)
		goto out;
	snprintf(rev->advisory_id, sizeof(rev->advisory_id), "%s", a->id);
	rev->number = 1;
	rev->created_at = now;
	r = fw_store_revision_insert(s, rev);
	if (r == 0)
		r = emit(s, "advisory.created", actor, a);
	if (r == 0 && public_at)
		r = fw_store_advisory_set_due(s, a->id, now);
out:
	return fw_ops_finish(s, r);
}

static int load_live(struct fw_store *s, const char *id, struct fw_advisory *a, struct fw_error *err)
{
	int r = fw_store_advisory_get(s, id, a);

	if (r == 0 && a->status == FW_ADV_WITHDRAWN)
		r = fw_error_set(err, FW_ECONFLICT, "status", "advisory \"%s\" has been withdrawn", id);
	return r;
}

int fw_ops_advisory_revise(struct fw_store *s, const char *actor, const char *id, const char *body,
                           size_t len, int64_t now, struct fw_advisory *ret, struct fw_error *err)
{
	struct fw_revision rev;
	struct fw_advisory a;
	int r;

	memset(&rev, 0, sizeof(rev));
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = load_live(s, id, &a, err);
	if (r < 0)
		goto out;
	r = fw_json_revision_parse(body, len, &a, &rev, err);
	if (r == 0)
		r = check_slots(&rev, err);
	if (r == 0)
		r = score(&a, err);
	if (r == 0)
		r = fw_advisory_validate(&a, err);
	if (r < 0)
		goto out;
	a.revision++;
	a.parts = fw_revision_parts(&rev);
	a.updated_at = now;
	snprintf(rev.advisory_id, sizeof(rev.advisory_id), "%s", a.id);
	rev.number = a.revision;
	rev.created_at = now;
	r = fw_store_revision_insert(s, &rev);
	if (r == 0)
		r = fw_store_advisory_update(s, &a);
	if (r == 0)
		r = emit(s, "advisory.revised", actor, &a);
	/* A new revision goes again to everyone who has access now (the scheduler's next step). */
	if (r == 0 && a.status != FW_ADV_DRAFT)
		r = fw_store_advisory_set_due(s, a.id, now);
out:
	fw_revision_release(&rev);
	r = fw_ops_finish(s, r);
	if (r == 0)
		*ret = a;
	return r;
}

/* One status change: load, check, change, record its event and tell the scheduler, in one transaction. */
static int transition(struct fw_store *s, const char *actor, const char *id, enum fw_advisory_status to,
                      int64_t public_at, const char *reason, int64_t now, struct fw_advisory *ret,
                      struct fw_error *err)
{
	struct fw_advisory a;
	int r, public_now;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = load_live(s, id, &a, err);
	if (r < 0)
		goto out;
	/* Rescheduling cannot take back what is public; publishing twice is a mistake worth saying. */
	public_now = to == FW_ADV_PUBLIC ? a.status == FW_ADV_PUBLIC : fw_policy_is_public(&a, now);
	if (to != FW_ADV_WITHDRAWN && public_now) {
		r = fw_error_set(err, FW_ECONFLICT, "status", "advisory \"%s\" is already public", id);
		goto out;
	}
	a.status = to;
	if (to == FW_ADV_SCHEDULED)
		a.public_at = public_at;
	else if (to == FW_ADV_PUBLIC && (!a.public_at || a.public_at > now))
		a.public_at = now;
	a.updated_at = now;
	r = fw_store_advisory_update(s, &a);
	if (r == 0 && to == FW_ADV_WITHDRAWN)
		r = fw_event_emitkv(s, "advisory.withdrawn", actor,
		                    &(struct fw_event_about){.advisory_id = a.id, .revision = a.revision},
		                    NULL, "reason", reason ? reason : "", NULL);
	else if (r == 0)
		r = emit(s, to == FW_ADV_PUBLIC ? "advisory.published" : "advisory.scheduled", actor, &a);
	if (r == 0)
		r = fw_store_advisory_set_due(s, a.id, to == FW_ADV_WITHDRAWN ? INT64_MAX : now);
out:
	r = fw_ops_finish(s, r);
	if (r == 0)
		*ret = a;
	return r;
}

int fw_ops_advisory_schedule(struct fw_store *s, const char *actor, const char *id, int64_t public_at,
                             int64_t now, struct fw_advisory *ret, struct fw_error *err)
{
	if (public_at <= now)
		return fw_error_set(err, FW_EINVAL, "public_at",
		                    "is in the past; the release time must be in the future");
	return transition(s, actor, id, FW_ADV_SCHEDULED, public_at, NULL, now, ret, err);
}

int fw_ops_advisory_withdraw(struct fw_store *s, const char *actor, const char *id, const char *reason,
                             int64_t now, struct fw_advisory *ret, struct fw_error *err)
{
	return transition(s, actor, id, FW_ADV_WITHDRAWN, 0, reason, now, ret, err);
}

int fw_ops_advisory_publish(struct fw_store *s, const char *actor, const char *id, int64_t now,
                            struct fw_advisory *ret, struct fw_error *err)
{
	return transition(s, actor, id, FW_ADV_PUBLIC, 0, NULL, now, ret, err);
}
