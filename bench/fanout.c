/*
 * Fan-out benchmark: one revision released to N partners (default 10,000), timed from the scheduler step's
 * start until every delivery is durable (committed with synchronous=FULL). Prints the median of R runs.
 * With WEBHOOK_PERCENT, that share of the partners has a webhook: each of their deliveries also queues its
 * notification in the same transaction (lib/ops/webhook.c).
 * Usage: bench_fanout [PARTNERS] [RUNS] [WEBHOOK_PERCENT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "forewarn/webhook.h"
#include "timing.h"

static int one_run(int npartners, int webhook_pct, double *ret_s, double *ret_cpu, size_t *ret_n)
{
	char dir[] = "/tmp/fw-bench-XXXXXX", uri[128];
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_store *s = NULL;
	struct fw_data_key *key = NULL;
	struct fw_error err = {0};
	struct fw_advisory a;
	struct fw_revision rev;
	int64_t now = fw_time_now(), next;
	size_t delivered = 0;
	double t0, c0;
	int r;

	if (!mkdtemp(dir))
		return -1;
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", dir);
	r = fw_store_open(uri, FW_STORE_SYNC_FULL, &s, &err);
	if (r < 0)
		goto out;
	/* Advisories are sealed at rest, as in the server. */
	r = fw_data_key_generate(&key);
	if (r == 0)
		r = fw_store_set_data_key(s, key, &err);
	if (r < 0)
		goto out;
	r = fw_ops_tiers_set(s, "bench", tiers, fw_default_tiers(tiers), now, &err);
	/* Partners in one transaction: setting up is not what we measure. */
	if (r == 0)
		r = fw_store_begin(s);
	for (int i = 0; r == 0 && i < npartners; i++) {
		struct fw_partner p;
		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "partner-%06d", i);
		snprintf(p.name, sizeof(p.name), "Partner %d", i);
		strcpy(p.country, i % 7 ? "DE" : "US");
		strcpy(p.tier, i % 3 ? "vetted" : "standard");
		p.entitlements = FW_PARTS_ALL;
		p.created_at = p.updated_at = now;
		r = fw_store_partner_insert(s, &p);
		if (r == 0 && i % 100 < webhook_pct) {
			struct fw_webhook w;
			memset(&w, 0, sizeof(w));
			memcpy(w.partner_id, p.id, sizeof(w.partner_id));
			snprintf(w.url, sizeof(w.url), "https://hooks.example/%s", p.id);
			strcpy(w.nonce, "00112233445566778899aabbccddeeff");
			r = fw_store_webhook_put(s, &w);
		}
	}
	if (r == 0)
		r = fw_store_commit(s);
	if (r < 0)
		goto out;
	memset(&a, 0, sizeof(a));
	memset(&rev, 0, sizeof(rev));
	strcpy(a.title, "Benchmark advisory");
	rev.parts[FW_PART_SUMMARY] = (char *)"Summary";
	rev.parts[FW_PART_DETAILS] = (char *)"Details";
	/* T one hour ahead: every partner (leads 24 h and 120 h) is due at once. */
	r = fw_ops_advisory_create(s, "bench", &a, &rev, now + 3600, now, &err);
	if (r < 0)
		goto out;
	t0 = now_s();
	c0 = cpu_s();
	r = fw_ops_release_due(s, now, &next, &delivered);
	*ret_s = now_s() - t0;
	*ret_cpu = cpu_s() - c0;
	*ret_n = delivered;
out:
	if (r < 0)
		fprintf(stderr, "bench_fanout: %s %s\n", fw_strerror(r), err.message);
	fw_store_free(s);
	fw_data_key_free(key);
	{
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_fanout: cannot remove %s\n", dir);
	}
	return r;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, runs = argc > 2 ? atoi(argv[2]) : 5;
	int webhook_pct = argc > 3 ? atoi(argv[3]) : 0;
	double times[64], cpu[64];
	size_t delivered = 0;

	if (fw_crypto_init() < 0)
		return 1;
	if (n < 1 || runs < 1 || runs > 64 || webhook_pct < 0 || webhook_pct > 100) {
		fprintf(stderr, "usage: bench_fanout [PARTNERS] [RUNS<=64] [WEBHOOK_PERCENT]\n");
		return 2;
	}
	for (int i = 0; i < runs; i++)
		if (one_run(n, webhook_pct, &times[i], &cpu[i], &delivered) < 0)
			return 1;
	qsort(times, (size_t)runs, sizeof(double), cmp_double);
	printf("fan-out: %zu deliveries durable (synchronous=FULL, one transaction), %d%% of partners with a "
	       "webhook; median %.3f s over %d runs (min %.3f, max %.3f), CPU %.3f s; target <= 0.5 s\n",
	       delivered, webhook_pct, times[runs / 2], runs, times[0], times[runs - 1], median(cpu, runs));
	return 0;
}
