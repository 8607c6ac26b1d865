/*
 * Release: the scheduler's step that makes each revision available to each eligible partner at T minus its
 * effective lead (exactly once: deliveries are unique per partner, revision and parts), queues each
 * delivery's webhook notification with it, and makes the advisory public at T; and the partner's side: what
 * it may see now, recorded before it is served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"

struct due_list {
	char (*ids)[FW_ID_MAX + 1];
	size_t n, cap;
};

static int collect_due(void *ctx, const struct fw_advisory *a)
{
	struct due_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->ids, cap * sizeof(*l->ids));
		if (!p)
			return FW_ENOMEM;
		l->ids = p;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], a->id, sizeof(a->id));
	return 0;
}

/* The instant the partner's current access began: T when public, else T - lead; never before the revision. */
static int64_t due_at(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                      const struct fw_advisory *a, int64_t revised_at, int64_t now)
{
	int64_t t = fw_policy_is_public(a, now) && p->status != FW_PARTNER_ACTIVE
	                ? a->public_at
	                : a->public_at - fw_policy_lead(ctx, p);

	if (fw_policy_is_public(a, now) && a->public_at < t)
		t = a->public_at;
	return t < revised_at ? revised_at : t;
}

struct fanout {
	struct fw_store *s;
	const struct fw_policy_ctx *ctx;
	const struct fw_advisory *a;
	int64_t revised_at, now, now_ms, next;
	size_t delivered;
};

static int deliver(struct fw_store *s, const char *advisory_id, int revision, const char *partner_id,
                   unsigned parts, int64_t due, int64_t now_ms, const char *actor, int *ret_inserted)
{
	struct fw_event_about about = {
	    .advisory_id = advisory_id, .revision = revision, .partner_id = partner_id};
	struct fw_delivery d;
	char mask[8];
	int r, inserted;

	memset(&d, 0, sizeof(d));
	snprintf(d.partner_id, sizeof(d.partner_id), "%s", partner_id);
	snprintf(d.advisory_id, sizeof(d.advisory_id), "%s", advisory_id);
	d.revision = revision;
	d.parts = parts;
	d.due_at = due;
	d.delivered_ms = now_ms;
	r = fw_store_delivery_insert(s, &d, &inserted);
	if (r < 0)
		return r;
	if (inserted) {
		snprintf(mask, sizeof(mask), "%u", parts);
		r = fw_event_emitkv(s, "delivery", actor, &about, NULL, "parts", mask, NULL);
		/* Its webhook notification, in the same transaction: both happen, or neither (I5). */
		if (r == 0)
			r = fw_ops_outbox_enqueue(s, &d, NULL);
	}
	if (r == 0 && ret_inserted)
		*ret_inserted = inserted;
	return r;
}

static int fanout_partner(void *ctx, const struct fw_partner *p)
{
	struct fanout *f = ctx;
	int64_t next;
	unsigned parts;
	int r, inserted = 0;

	if (p->status == FW_PARTNER_REMOVED)
		return 0;
	parts = fw_policy_access(f->ctx, p, f->a, f->a->parts, f->now, &next);
	if (next < f->next)
		f->next = next;
	if (!parts)
		return 0;
	r = deliver(f->s, f->a->id, f->a->revision, p->id, parts,
	            due_at(f->ctx, p, f->a, f->revised_at, f->now), f->now_ms, "scheduler", &inserted);
	f->delivered += (size_t)inserted;
	return r;
}

static int release_one(struct fw_store *s, const char *id, int64_t now, size_t *delivered)
{
	struct fw_ops_policy pol;
	struct fw_revision rev;
	struct fw_advisory a;
	struct fanout f;
	int r;

	memset(&pol, 0, sizeof(pol));
	memset(&rev, 0, sizeof(rev));
	r = fw_store_begin(s);
	if (r < 0)
		return r;
	r = fw_store_advisory_get(s, id, &a);
	if (r < 0)
		goto out;
	if (a.status != FW_ADV_SCHEDULED && a.status != FW_ADV_PUBLIC) {
		r = fw_store_advisory_set_due(s, id, INT64_MAX);
		goto out;
	}
	r = fw_ops_policy_load(s, &pol);
	if (r == 0)
		r = fw_store_revision_get(s, id, a.revision, &rev);
	if (r < 0)
		goto out;
	if (a.status == FW_ADV_SCHEDULED && now >= a.public_at) {
		a.status = FW_ADV_PUBLIC;
		a.updated_at = now;
		r = fw_store_advisory_update(s, &a);
		if (r == 0) {
			char t[FW_RFC3339_LEN];
			fw_time_format(a.public_at, t);
			r = fw_event_emitkv(
			    s, "advisory.published", "scheduler",
			    &(struct fw_event_about){.advisory_id = a.id, .revision = a.revision}, NULL,
			    "public_at", t, NULL);
		}
		if (r < 0)
			goto out;
	}
	f = (struct fanout){s, &pol.ctx, &a, rev.created_at, now, fw_time_now_ms(), INT64_MAX, 0};
	r = fw_store_partner_each(s, fanout_partner, &f);
	if (r == 0)
		r = fw_store_advisory_set_due(s, id, f.next);
out:
	fw_revision_release(&rev);
	fw_ops_policy_release(&pol);
	r = fw_ops_finish(s, r);
	if (r == 0)
		*delivered += f.delivered;
	return r;
}

int fw_ops_release_due(struct fw_store *s, int64_t now, int64_t *ret_next, size_t *ret_delivered)
{
	struct due_list l = {NULL, 0, 0};
	size_t delivered = 0;
	int64_t next;
	int r;

	r = fw_store_advisory_each_due(s, now, collect_due, &l);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		r = release_one(s, l.ids[i], now, &delivered);
	free(l.ids);
	if (r == 0)
		r = fw_store_advisory_next_due(s, &next);
	if (r < 0)
		return r;
	*ret_next = next;
	if (ret_delivered)
		*ret_delivered = delivered;
	return 0;
}

int64_t fw_ops_due_at(const struct fw_policy_ctx *ctx, const struct fw_partner *p,
                      const struct fw_advisory *a, int64_t now)
{
	return due_at(ctx, p, a, 0, now);
}

/* job_download: the download row of a job (its time is stamped when it is recorded). */
static void job_download(const struct fw_download_job *j, struct fw_download *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->partner_id, j->partner_id, sizeof(d->partner_id));
	memcpy(d->advisory_id, j->advisory_id, sizeof(d->advisory_id));
	d->revision = j->revision;
	d->parts = j->parts;
	memcpy(d->what, j->what, sizeof(d->what));
	memcpy(d->address, j->address, sizeof(d->address));
	memcpy(d->sha256, j->sha256, sizeof(d->sha256));
	d->sealed = j->sealed;
}

/*
 * A download's draft depends only on the copy (partner, advisory, revision, what, bytes) and the store's
 * reference key, never on the client or the time: each thread keeps the last drafts it made, by connection
 * (fw_store_serial) and copy, and a partner fetching the same copy again costs a lookup.
 */
#define DRAFT_SLOTS 8
struct draft_slot {
	uint64_t store; /* 0: empty */
	struct fw_download d;
	struct fw_event_draft draft;
};
static _Thread_local struct draft_slot drafts[DRAFT_SLOTS];

static int same_copy(const struct fw_download *a, const struct fw_download *b)
{
	return a->revision == b->revision && strcmp(a->partner_id, b->partner_id) == 0 &&
	       strcmp(a->advisory_id, b->advisory_id) == 0 && strcmp(a->what, b->what) == 0 &&
	       memcmp(a->sha256, b->sha256, sizeof(a->sha256)) == 0;
}

int fw_ops_download_prepare(struct fw_store *s, struct fw_download_job *job)
{
	struct draft_slot *slot = &drafts[job->sha256[0] % DRAFT_SLOTS];
	struct fw_download d;
	uint64_t id = fw_store_serial(s);
	int r;

	job->drafted = 0;
	job_download(job, &d);
	if (slot->store == id && same_copy(&slot->d, &d)) {
		job->draft = slot->draft;
		job->drafted = 1;
		return 0;
	}
	r = fw_event_download_draft(s, &d, &job->draft);
	if (r < 0)
		return r;
	job->drafted = 1;
	slot->store = id;
	slot->d = d;
	slot->draft = job->draft;
	return 0;
}

static int record_one(struct fw_store *s, const struct fw_download_job *j, uint64_t *ret_index)
{
	char actor[FW_ID_MAX + 9];
	struct fw_download d;
	int r;

	/* The delivery is recorded before any byte is served, even if the scheduler has not run yet. */
	if (!j->delivered) {
		snprintf(actor, sizeof(actor), "partner:%s", j->partner_id);
		r = deliver(s, j->advisory_id, j->revision, j->partner_id, j->parts, j->due_at, j->now_ms,
		            actor, NULL);
		if (r < 0)
			return r;
	}
	job_download(j, &d);
	return fw_event_download(s, &d, j->drafted ? &j->draft : NULL, ret_index);
}

int fw_ops_record_downloads(struct fw_store *s, const struct fw_download_job *const *jobs, size_t n,
                            uint64_t *ret_indexes)
{
	uint64_t idx;
	int r;

	r = fw_store_begin(s);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = record_one(s, jobs[i], &idx);
		if (r == 0 && ret_indexes)
			ret_indexes[i] = idx;
	}
	return fw_ops_finish(s, r);
}
