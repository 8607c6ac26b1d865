/*
 * What the failed-authentication limit adds to each authenticated request (src/authlimit.c): the idle check
 * when no lockout is in force, and otherwise two keyed hashes (address, token) and two table checks, on one
 * thread and on four threads that all present the same address (one bucket lock). Prints CPU ns per request,
 * medians of 5 rounds. Run: build/bench/bench_ratelimit
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/ratelimit.h"
#include "timing.h"

#define OPS    2000000
#define ROUNDS 5

static struct fw_ratelimit *rl;
static unsigned char addr_key[FW_KEY_BYTES], token_key[FW_KEY_BYTES];
static const char token[] = "fw_uE2_VIGkiQuaAOCDlKalSUL0nJ_ANC9hwJkoHSytJM0";
static int full; /* 0: the idle check only */

static void *run(void *arg)
{
	unsigned char buf[5] = {4}, k[FW_HASH_BYTES];
	volatile int64_t sink = 0;

	(void)arg;
	for (int i = 0; i < OPS; i++) {
		if (!full) {
			sink += fw_ratelimit_idle(rl, 1000);
			continue;
		}
		inet_pton(AF_INET, "203.0.113.7", buf + 1);
		fw_token_hash(addr_key, (const char *)buf, sizeof(buf), k);
		sink += fw_ratelimit_check(rl, k, 1000);
		fw_token_hash(token_key, token, strlen(token), k);
		sink += fw_ratelimit_check(rl, k, 1000);
	}
	return NULL;
}

/* CPU ns per request with n threads. */
static double measure(int n)
{
	pthread_t th[4];
	double c0 = cpu_s();

	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, run, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return (cpu_s() - c0) * 1e9 / ((double)OPS * n);
}

int main(void)
{
	unsigned char other[FW_RATELIMIT_KEY_BYTES];
	double t[ROUNDS];

	if (fw_crypto_init() < 0 || fw_ratelimit_new(16384, 10, 60000, &rl) < 0)
		return 1;
	fw_crypto_random(addr_key, sizeof(addr_key));
	fw_crypto_random(token_key, sizeof(token_key));
	for (int mode = 0; mode < 2; mode++) {
		full = mode;
		if (mode == 1) { /* a lockout of some other key: the full path runs for everyone */
			fw_crypto_random(other, sizeof(other));
			for (int i = 0; i < 10; i++)
				(void)fw_ratelimit_fail(rl, other, 500);
		}
		for (int n = 1; n <= 4; n += 3) {
			for (int r = 0; r < ROUNDS; r++)
				t[r] = measure(n);
			printf("ratelimit: %-46s %d thread%s: %7.1f ns CPU per request (median of %d)\n",
			       mode ? "lockout in force: 2 keyed hashes + 2 checks,"
			            : "no lockout in force: idle check,",
			       n, n > 1 ? "s" : " ", median(t, ROUNDS), ROUNDS);
		}
	}
	fw_ratelimit_free(rl);
	return 0;
}
