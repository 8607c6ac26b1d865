/*
 * Downloads recorded from a draft made ahead (fw_ops_download_prepare, on a request thread) give the same
 * log entry, event and row as downloads recorded whole by the writer, and a log that verifies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "forewarn/log.h"
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "tmpdir.h"

struct fixture {
	struct fw_data_key *data_key;
	char dir[64];
	struct fw_store *s;
	struct fw_advisory a;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_revision rev;
	struct fw_partner p;
	struct fw_error err;
	char uri[96];
	int64_t now = fw_time_now();

	assert_non_null(f);
	assert_int_equal(fw_crypto_init(), 0);
	strcpy(f->dir, "/tmp/fw-test-event-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", f->dir);
	assert_int_equal(fw_store_open(uri, 0, &f->s, &err), 0);
	assert_int_equal(fw_data_key_generate(&f->data_key), 0); /* advisories are sealed at rest */
	assert_int_equal(fw_store_set_data_key(f->s, f->data_key, &err), 0);
	assert_int_equal(fw_ops_tiers_set(f->s, "test", tiers, fw_default_tiers(tiers), now, &err), 0);
	memset(&p, 0, sizeof(p));
	strcpy(p.id, "acme");
	strcpy(p.name, "Acme");
	strcpy(p.country, "DE");
	strcpy(p.tier, "vetted");
	p.entitlements = FW_PARTS_ALL;
	p.created_at = p.updated_at = now;
	assert_int_equal(fw_store_partner_insert(f->s, &p), 0);
	memset(&rev, 0, sizeof(rev));
	strcpy(f->a.title, "Test advisory");
	rev.parts[FW_PART_SUMMARY] = (char *)"Summary";
	assert_int_equal(fw_ops_advisory_create(f->s, "test", &f->a, &rev, now + 3600, now, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fw_store_free(f->s);
	fw_data_key_free(f->data_key);
	assert_int_equal(tmpdir_remove(f->dir), 0);
	free(f);
	return 0;
}

struct got {
	char entry[2][1024];
	char detail[2][512];
	int64_t at[2];
	size_t n;
};

static int on_entry(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct got *g = ctx;

	(void)index;
	if (g->n < 2 && len < sizeof(g->entry[0])) {
		memcpy(g->entry[g->n], entry, len);
		g->entry[g->n][len] = '\0';
	}
	g->n++;
	return 0;
}

static int on_event(void *ctx, const struct fw_event *e)
{
	struct got *g = ctx;

	if (strcmp(e->type, "download") == 0 && g->n < 2) {
		strcpy(g->detail[g->n], e->detail);
		g->at[g->n] = e->at_ms;
		g->n++;
	}
	return 0;
}

/* unstamp: the entry with its time's value removed. */
static void unstamp(char *entry)
{
	char *t = strstr(entry, "\"time\":\""), *end;

	assert_non_null(t);
	t += 8;
	end = strchr(t, '"');
	assert_non_null(end);
	memmove(t, end, strlen(end) + 1);
}

static void draft_and_whole_agree(void **state)
{
	struct fixture *f = *state;
	struct fw_download_job job;
	const struct fw_download_job *jobs[] = {&job};
	struct got entries = {0}, events = {0};
	struct fw_error err;
	uint64_t idx[2], size, before;
	char time[FW_RFC3339_LEN];

	memset(&job, 0, sizeof(job));
	strcpy(job.partner_id, "acme");
	strcpy(job.advisory_id, f->a.id);
	job.revision = f->a.revision;
	job.parts = 3;
	strcpy(job.what, "csaf");
	strcpy(job.address, "192.0.2.7");
	job.now_ms = fw_time_now_ms();
	memset(job.sha256, 0x5a, sizeof(job.sha256));
	assert_int_equal(fw_store_log_size(f->s, &before), 0);
	/* The first whole (with its delivery), the second from its draft. */
	assert_int_equal(fw_ops_record_downloads(f->s, jobs, 1, &idx[0]), 0);
	job.delivered = 1;
	assert_int_equal(fw_ops_download_prepare(f->s, &job), 0);
	assert_true(job.drafted);
	assert_int_equal(fw_ops_record_downloads(f->s, jobs, 1, &idx[1]), 0);
	assert_int_equal(idx[1], idx[0] + 1);

	assert_int_equal(fw_store_log_entry_each(f->s, idx[0], idx[1] + 1, on_entry, &entries), 0);
	assert_int_equal(entries.n, 2);
	assert_int_equal(fw_store_event_each(f->s, 0, 0, on_event, &events), 0);
	assert_int_equal(events.n, 2);
	/* Each entry carries its event's time; otherwise the two are the same bytes. */
	for (int i = 0; i < 2; i++) {
		fw_time_format_ms(events.at[i], time);
		assert_non_null(strstr(entries.entry[i], time));
		unstamp(entries.entry[i]);
	}
	assert_string_equal(entries.entry[0], entries.entry[1]);
	assert_non_null(strstr(entries.entry[1], "\"sha256\":\"5a5a"));
	assert_string_equal(events.detail[0], events.detail[1]);
	/* and the tree's hashes agree with the entries */
	assert_int_equal(fw_log_verify(f->s, NULL, &size, NULL, &err), 0);
	assert_int_equal(size, idx[1] + 1);
	assert_true(size > before);
}

/* has: whether the draft's text holds needle. */
static int has(const struct fw_event_draft *d, const char *needle)
{
	char text[FW_EVENT_DRAFT_MAX + 1];

	assert_true(d->len <= FW_EVENT_DRAFT_MAX);
	memcpy(text, d->text, d->len);
	text[d->len] = '\0';
	return strstr(text, needle) != NULL;
}

/* Drafts are kept per copy: another copy (even one that would share their slot) gets its own. */
static void drafts_kept_per_copy(void **state)
{
	struct fixture *f = *state;
	struct fw_download_job a, b;
	char hex[65];

	memset(&a, 0, sizeof(a));
	strcpy(a.partner_id, "acme");
	strcpy(a.advisory_id, f->a.id);
	a.revision = f->a.revision;
	strcpy(a.what, "csaf");
	memset(a.sha256, 0x11, sizeof(a.sha256));
	b = a;
	b.sha256[31] = 0x22; /* same first byte */
	assert_int_equal(fw_ops_download_prepare(f->s, &a), 0);
	assert_int_equal(fw_ops_download_prepare(f->s, &b), 0);
	assert_int_equal(fw_ops_download_prepare(f->s, &a), 0);
	assert_true(a.drafted && b.drafted);
	fw_crypto_hex(a.sha256, 32, hex);
	assert_true(has(&a.draft, hex));
	fw_crypto_hex(b.sha256, 32, hex);
	assert_true(has(&b.draft, hex));
	strcpy(b.what, "poc");
	b.sha256[31] = 0x11;
	assert_int_equal(fw_ops_download_prepare(f->s, &b), 0);
	assert_true(has(&b.draft, "\"what\":\"poc\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(draft_and_whole_agree, setup, teardown),
	    cmocka_unit_test_setup_teardown(drafts_kept_per_copy, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
