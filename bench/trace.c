/*
 * In-process trace benchmark: fw_ops_trace over a data directory's store (as `forewarn serve` would run it,
 * with its mark.key), for each suspect text file given; prints the median wall and CPU time of RUNS traces
 * and what the trace found. bench/trace.sh builds the store through the server and calls this with the
 * server stopped. Usage: bench_trace DATA_DIR RUNS FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/store.h"
#include "forewarn/trace.h"
#include "timing.h"

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
			*ret_len = (size_t)n;
		}
	}
	fclose(f);
	return s;
}

int main(int argc, char **argv)
{
	unsigned char key[FW_KEY_BYTES];
	char uri[1100], path[1100], dkpath[1100];
	struct fw_data_key *dk = NULL;
	struct fw_store *s = NULL;
	struct fw_error err = {{0}, {0}};
	int runs = argc > 2 ? atoi(argv[2]) : 0, rc = 0;

	if (argc < 4 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_trace DATA_DIR RUNS(1..64) FILE...\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/mark.key", argv[1]);
	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", argv[1]);
	snprintf(dkpath, sizeof(dkpath), "%s/data.key", argv[1]);
	if (fw_crypto_init() < 0 || fw_key_file_load(path, key) < 0 || fw_data_key_load(dkpath, &dk) < 0 ||
	    fw_store_open(uri, 0, &s, &err) < 0 || fw_store_set_data_key(s, dk, &err) < 0) {
		fprintf(stderr, "bench_trace: cannot open %s (store, mark.key or data.key): %s\n", argv[1],
		        err.message);
		return 1;
	}
	for (int i = 3; i < argc && rc == 0; i++) {
		double wall[64], cpu[64];
		struct fw_trace_result res;
		size_t len = 0;
		char *text = slurp(argv[i], &len);

		if (!text) {
			fprintf(stderr, "bench_trace: cannot read %s\n", argv[i]);
			rc = 1;
			break;
		}
		memset(&res, 0, sizeof(res));
		for (int r = 0; r < runs && rc == 0; r++) {
			double t0 = now_s(), c0 = cpu_s();
			fw_trace_result_release(&res);
			if (fw_ops_trace(s, key, text, len, NULL, &res, &err) < 0) {
				fprintf(stderr, "bench_trace: %s: %s\n", argv[i], err.message);
				rc = 1;
			}
			wall[r] = now_s() - t0;
			cpu[r] = cpu_s() - c0;
		}
		if (rc == 0)
			printf("  in-process fw_ops_trace, %s (%zu bytes): median %.1f ms wall, %.1f ms CPU "
			       "over %d runs; "
			       "%zu of %zu positions, %zu partners scored, %zu accused%s%s\n",
			       strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i], len,
			       1e3 * median(wall, runs), 1e3 * median(cpu, runs), runs, res.positions,
			       res.length, res.partners, res.naccused, res.naccused ? ": " : "",
			       res.naccused ? res.accused[0].partner_id : "");
		fw_trace_result_release(&res);
		free(text);
	}
	fw_crypto_wipe(key, sizeof(key));
	fw_store_free(s);
	fw_data_key_free(dk);
	return rc;
}
