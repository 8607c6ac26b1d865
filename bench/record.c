/*
 * Recorder benchmark: the download recorder's work without HTTP. Records N downloads of one partner's copy
 * (default 200,000) in groups of B (default 32, as many as a wrk -c64 run has waiting) with
 * fw_ops_record_downloads and synchronous=FULL, as the server's writer thread does, and prints the writer's
 * CPU time and wall time per download: the figure that bounds download throughput (one writer, one core).
 * Each group's jobs are first prepared (fw_ops_download_prepare) as request threads do; that CPU time is
 * printed apart. The anchor beside them is the disk's own cost of durability: a 4 KiB page written and
 * made durable (pwrite and fdatasync) in the same directory, in the writer's CPU time and in wall time. On a
 * virtual machine the sync costs CPU (the guest waits in the exits that hand the write and the cache flush
 * to the host), and every group commit pays it once.
 * Usage: bench_record [DOWNLOADS] [BATCH] [RUNS]
 */
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "forewarn/crypto.h"
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"
#include "timing.h"

#define SYNCS 400

/* write_page: writes the i-th 4 KiB page of fd; 0 or -1. */
static int write_page(int fd, int i)
{
	static const char page[4096];
	ssize_t n = pwrite(fd, page, sizeof(page), (off_t)i * (off_t)sizeof(page));

	return n == (ssize_t)sizeof(page) ? 0 : -1;
}

/* sync_cost: the writer's CPU and wall time of one 4 KiB pwrite and fdatasync of a file in dir. */
static int sync_cost(const char *dir, double *ret_cpu, double *ret_wall)
{
	char path[160];
	double c0, w0;
	int fd, r = 0;

	snprintf(path, sizeof(path), "%s/sync.bench", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	/* Written once first: the WAL is rewritten from its start after each checkpoint, so its frames
	 * overwrite pages the file has (an append would sync the inode's new size too). */
	for (int i = 0; r == 0 && i < SYNCS; i++)
		r = write_page(fd, i);
	if (r == 0 && fsync(fd) != 0)
		r = -1;
	c0 = thread_cpu_s();
	w0 = now_s();
	for (int i = 0; r == 0 && i < SYNCS; i++)
		if (write_page(fd, i) < 0 || fdatasync(fd) != 0)
			r = -1;
	if (r < 0)
		perror("bench_record: pwrite or fdatasync");
	*ret_cpu = (thread_cpu_s() - c0) / SYNCS;
	*ret_wall = (now_s() - w0) / SYNCS;
	close(fd);
	unlink(path);
	return r;
}

static int one_run(long n, long batch, double *ret_cpu, double *ret_wall, double *ret_prep, double *ret_scpu,
                   double *ret_swall)
{
	char dir[] = "/tmp/fw-bench-rec-XXXXXX", uri[128];
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_download_job *jobs = NULL;
	const struct fw_download_job **ptrs = NULL;
	struct fw_store *s = NULL;
	struct fw_data_key *key = NULL;
	struct fw_error err = {0};
	struct fw_advisory a;
	struct fw_revision rev;
	struct fw_partner p;
	uint64_t *idx = NULL;
	int64_t now = fw_time_now();
	double c0, w0, prep = 0;
	int r;

	if (!mkdtemp(dir))
		return -1;
	if (sync_cost(dir, ret_scpu, ret_swall) < 0) {
		rmdir(dir);
		return -1;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", dir);
	r = fw_store_open(uri, FW_STORE_SYNC_FULL, &s, &err);
	/* Advisories are sealed at rest, as in the server. */
	if (r == 0)
		r = fw_data_key_generate(&key);
	if (r == 0)
		r = fw_store_set_data_key(s, key, &err);
	if (r == 0)
		r = fw_ops_tiers_set(s, "bench", tiers, fw_default_tiers(tiers), now, &err);
	memset(&p, 0, sizeof(p));
	strcpy(p.id, "bench-partner");
	strcpy(p.name, "Bench Partner");
	strcpy(p.country, "DE");
	strcpy(p.tier, "vetted");
	p.entitlements = FW_PARTS_ALL;
	p.created_at = p.updated_at = now;
	if (r == 0)
		r = fw_store_partner_insert(s, &p);
	memset(&a, 0, sizeof(a));
	memset(&rev, 0, sizeof(rev));
	strcpy(a.title, "Benchmark advisory");
	rev.parts[FW_PART_SUMMARY] = (char *)"Summary";
	rev.parts[FW_PART_DETAILS] = (char *)"Details";
	if (r == 0)
		r = fw_ops_advisory_create(s, "bench", &a, &rev, now + 3600, now, &err);
	jobs = calloc((size_t)batch, sizeof(*jobs));
	idx = calloc((size_t)batch, sizeof(*idx));
	ptrs = calloc((size_t)batch, sizeof(*ptrs));
	if (r == 0 && (!jobs || !idx || !ptrs))
		r = FW_ENOMEM;
	for (long i = 0; r == 0 && i < batch; i++) {
		struct fw_download_job *j = &jobs[i];
		ptrs[i] = j;
		strcpy(j->partner_id, p.id);
		strcpy(j->advisory_id, a.id);
		j->revision = a.revision;
		j->parts = 3;
		j->due_at = now;
		strcpy(j->what, "csaf");
		strcpy(j->address, "127.0.0.1");
		/* The first download records the delivery, as the server's cache does. */
		j->delivered = i > 0;
		fw_sha256("copy", 4, j->sha256);
	}
	if (r < 0)
		goto out;
	c0 = thread_cpu_s();
	w0 = now_s();
	for (long done = 0; r == 0 && done < n; done += batch) {
		int64_t ms = fw_time_now_ms();
		double p0 = thread_cpu_s();
		for (long i = 0; r == 0 && i < batch; i++) {
			jobs[i].now_ms = ms;
			r = fw_ops_download_prepare(s, &jobs[i]);
		}
		prep += thread_cpu_s() - p0;
		if (r == 0)
			r = fw_ops_record_downloads(s, ptrs, (size_t)batch, idx);
	}
	*ret_cpu = (thread_cpu_s() - c0 - prep) / (double)n;
	*ret_prep = prep / (double)n;
	*ret_wall = (now_s() - w0) / (double)n;
out:
	if (r < 0)
		fprintf(stderr, "bench_record: %s %s\n", fw_strerror(r), err.message);
	free(jobs);
	free(ptrs);
	free(idx);
	fw_store_free(s);
	fw_data_key_free(key);
	{
		char cmd[200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_record: cannot remove %s\n", dir);
	}
	return r;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000, batch = argc > 2 ? atol(argv[2]) : 32;
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	double cpu[16], wall[16], prep[16], scpu[16], swall[16];

	if (n < 1 || batch < 1 || batch > 512 || runs < 1 || runs > 16 || fw_crypto_init() < 0) {
		fprintf(stderr, "usage: bench_record [DOWNLOADS] [BATCH<=512] [RUNS<=16]\n");
		return 2;
	}
	n = (n + batch - 1) / batch * batch;
	for (int i = 0; i < runs; i++)
		if (one_run(n, batch, &cpu[i], &wall[i], &prep[i], &scpu[i], &swall[i]) < 0)
			return 1;
	printf("record: %ld downloads in groups of %ld (synchronous=FULL): writer CPU %.1f us per download, "
	       "wall %.1f us; drafting its log entry ahead %.1f us (median of %d runs)\n",
	       n, batch, median(cpu, runs) * 1e6, median(wall, runs) * 1e6, median(prep, runs) * 1e6, runs);
	printf(
	    "anchor: one 4 KiB page written and synced (pwrite, fdatasync) in the same directory: "
	    "CPU %.1f us, wall %.1f us; one per group commit, %.1f us of CPU per download in groups of %ld\n",
	    median(scpu, runs) * 1e6, median(swall, runs) * 1e6, median(scpu, runs) * 1e6 / (double)batch,
	    batch);
	return 0;
}
