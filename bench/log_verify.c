/*
 * Log benchmark over a real store: builds a log of N entries (default 1,000,000, event-sized, appended in
 * transactions of 256 as the server's group commit makes them), then times a full verification: every
 * leaf and subtree hash recomputed from the stored entries and compared, and the checkpoint checked.
 * Usage: bench_log_verify [ENTRIES] [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "forewarn/crypto.h"
#include "forewarn/log.h"
#include "timing.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, runs = argc > 2 ? atol(argv[2]) : 3;
	char dir[] = "/tmp/fw-bench-log-XXXXXX", uri[128], skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX];
	struct fw_note_verifier *verifier = NULL;
	struct fw_note_signer *signer = NULL;
	struct fw_store *s = NULL;
	struct fw_error err;
	double t0, c0, build, build_cpu, times[16], cpus[16];
	uint64_t size;
	char *note = NULL;
	int r = 0;

	if (n < 1 || runs < 1 || runs > 16 || fw_crypto_init() < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: bench_log_verify [ENTRIES] [RUNS<=16]\n");
		return 2;
	}
	snprintf(uri, sizeof(uri), "sqlite:%s/log.db", dir);
	r = fw_store_open(uri, 0, &s, &err);
	if (r == 0)
		r = fw_note_key_generate("bench.example/log", skey, vkey);
	if (r == 0)
		r = fw_note_signer_new(skey, &signer, &err);
	if (r == 0)
		r = fw_note_verifier_new(vkey, &verifier, &err);
	t0 = now_s();
	c0 = cpu_s();
	for (long i = 0; r == 0 && i < n;) {
		r = fw_store_begin(s);
		for (int k = 0; r == 0 && k < 256 && i < n; k++, i++) {
			char e[400];
			int len = snprintf(
			    e, sizeof(e),
			    "{\"actor\":\"partner:%032lx\",\"advisory\":\"fw-2026-%04ld\",\"detail\":{"
			    "\"what\":"
			    "\"csaf\"},\"partner\":\"%032lx\",\"revision\":1,\"sha256\":\"%064lx\",\"time\":"
			    "\"2026-11-21T09:27:23.247Z\",\"type\":\"download\",\"v\":1}",
			    i * 7919, i % 10000, i * 7919, i);
			r = fw_log_append(s, e, (size_t)len, NULL);
		}
		r = r == 0 ? fw_store_commit(s) : (fw_store_rollback(s), r);
	}
	build = now_s() - t0;
	build_cpu = cpu_s() - c0;
	if (r == 0)
		r = fw_log_checkpoint(s, signer, "bench.example/log", &note, &size);
	for (long i = 0; r == 0 && i < runs; i++) {
		t0 = now_s();
		c0 = cpu_s();
		r = fw_log_verify(s, verifier, &size, NULL, &err);
		times[i] = now_s() - t0;
		cpus[i] = cpu_s() - c0;
	}
	if (r == 0) {
		qsort(times, (size_t)runs, sizeof(double), cmp_double);
		printf("log: %ld entries appended in %.1f s, CPU %.1f s (%.0f appends/s, transactions of "
		       "256, no "
		       "fsync)\n",
		       n, build, build_cpu, (double)n / build);
		printf("log verify (every leaf and subtree hash from the stored entries, and the "
		       "checkpoint): median "
		       "%.2f s over %ld runs (min %.2f, max %.2f); target <= 2 s; CPU (both threads) median "
		       "%.2f s\n",
		       times[runs / 2], runs, times[0], times[runs - 1], median(cpus, (int)runs));
	} else {
		fprintf(stderr, "bench_log_verify: %s %s\n", fw_strerror(r), err.message);
	}
	fw_crypto_wipe(skey, sizeof(skey));
	free(note);
	fw_note_signer_free(signer);
	fw_note_verifier_free(verifier);
	fw_store_free(s);
	snprintf(uri, sizeof(uri), "rm -rf '%s'", dir);
	if (system(uri) != 0)
		fprintf(stderr, "bench_log_verify: cannot remove %s\n", dir);
	return r == 0 ? 0 : 1;
}
