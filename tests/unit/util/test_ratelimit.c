/* The failure-counter table: lockouts, windows, bounded memory and eviction order, and threads. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/ratelimit.h"

/* A key whose first 8 bytes (the bucket index) are `bucket` and whose rest is `id`. */
static void key_of(unsigned char k[FW_RATELIMIT_KEY_BYTES], uint64_t bucket, uint64_t id)
{
	memcpy(k, &bucket, 8);
	memcpy(k + 8, &id, 8);
}

/* A well-spread key for distinct n (splitmix64), as a keyed hash would give. */
static void spread_key(unsigned char k[FW_RATELIMIT_KEY_BYTES], uint64_t n)
{
	uint64_t z = n + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	key_of(k, z, n);
}

static void test_new_refuses_nonsense(void **state)
{
	struct fw_ratelimit *rl = NULL;

	(void)state;
	assert_int_equal(fw_ratelimit_new(0, 10, 1000, &rl), FW_EINVAL);
	assert_int_equal(fw_ratelimit_new(64, 0, 1000, &rl), FW_EINVAL);
	assert_int_equal(fw_ratelimit_new(64, 10, 0, &rl), FW_EINVAL);
	assert_int_equal(fw_ratelimit_new(64, 10, -5, &rl), FW_EINVAL);
	assert_int_equal(fw_ratelimit_new(SIZE_MAX, 10, 1000, &rl), FW_EINVAL);
	assert_null(rl);
	fw_ratelimit_free(NULL);
}

static void test_locks_after_limit_for_a_window(void **state)
{
	struct fw_ratelimit *rl;
	unsigned char a[FW_RATELIMIT_KEY_BYTES], b[FW_RATELIMIT_KEY_BYTES];
	int64_t t = 1000;

	(void)state;
	assert_int_equal(fw_ratelimit_new(1024, 3, 60000, &rl), 0);
	spread_key(a, 1);
	spread_key(b, 2);
	assert_int_equal(fw_ratelimit_check(rl, a, t), 0);
	assert_true(fw_ratelimit_idle(rl, t));
	assert_int_equal(fw_ratelimit_fail(rl, a, t), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 10), 0);
	assert_true(fw_ratelimit_idle(rl, t + 10)); /* counting is not locking */
	assert_int_equal(fw_ratelimit_check(rl, a, t + 20), 0);
	/* the third failure locks, once; the lockout lasts one window from it */
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 100), 1);
	assert_int_equal(fw_ratelimit_check(rl, a, t + 100), 60000);
	assert_int_equal(fw_ratelimit_check(rl, a, t + 30100), 30000);
	assert_false(fw_ratelimit_idle(rl, t + 30100));
	assert_false(fw_ratelimit_idle(rl, t + 60099));
	assert_true(fw_ratelimit_idle(rl, t + 60100));
	/* failures during the lockout neither count nor extend it, nor report a new lockout */
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 30100), 0);
	assert_int_equal(fw_ratelimit_check(rl, a, t + 60099), 1);
	/* another key is untouched */
	assert_int_equal(fw_ratelimit_check(rl, b, t + 200), 0);
	/* once over, the key starts afresh: two more failures do not lock, the third does */
	assert_int_equal(fw_ratelimit_check(rl, a, t + 60100), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 60100), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 60101), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, t + 60102), 1);
	assert_true(fw_ratelimit_check(rl, a, t + 60103) > 0);
	fw_ratelimit_free(rl);
}

static void test_failures_outside_the_window_do_not_add_up(void **state)
{
	struct fw_ratelimit *rl;
	unsigned char a[FW_RATELIMIT_KEY_BYTES];

	(void)state;
	assert_int_equal(fw_ratelimit_new(64, 3, 1000, &rl), 0);
	spread_key(a, 7);
	/* two failures, then a third just after the window of the first: counting restarts at it */
	assert_int_equal(fw_ratelimit_fail(rl, a, 0 + 5000), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, 500 + 5000), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, 1000 + 5000), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, 1500 + 5000), 0);
	assert_int_equal(fw_ratelimit_check(rl, a, 1500 + 5000), 0);
	assert_int_equal(fw_ratelimit_fail(rl, a, 1600 + 5000), 1);
	fw_ratelimit_free(rl);
}

static void test_limit_one_locks_at_once(void **state)
{
	struct fw_ratelimit *rl;
	unsigned char a[FW_RATELIMIT_KEY_BYTES];

	(void)state;
	assert_int_equal(fw_ratelimit_new(8, 1, INT64_MAX, &rl), 0);
	spread_key(a, 3);
	/* a window up to the end of time saturates rather than overflows */
	assert_int_equal(fw_ratelimit_fail(rl, a, 10), 1);
	assert_int_equal(fw_ratelimit_check(rl, a, 11), INT64_MAX - 11);
	fw_ratelimit_free(rl);
}

/* A spray of a million fresh keys fills the table but never grows it, and never evicts a lockout. */
static void test_spray_is_bounded_and_keeps_lockouts(void **state)
{
	struct fw_ratelimit *rl;
	struct fw_ratelimit_stats st;
	unsigned char k[FW_RATELIMIT_KEY_BYTES], locked[16][FW_RATELIMIT_KEY_BYTES];

	(void)state;
	assert_int_equal(fw_ratelimit_new(1000, 5, 60000, &rl), 0);
	for (uint64_t i = 0; i < 16; i++) {
		spread_key(locked[i], 1000000000 + i);
		for (int f = 0; f < 5; f++)
			assert_int_equal(fw_ratelimit_fail(rl, locked[i], 100), f == 4);
	}
	for (uint64_t i = 0; i < 1000000; i++) {
		spread_key(k, i);
		assert_int_equal(fw_ratelimit_fail(rl, k, 200), 0);
	}
	fw_ratelimit_stats(rl, 300, &st);
	assert_int_equal(st.slots, 1000);
	assert_int_equal(st.used, 1000);
	assert_int_equal(st.locked, 16);
	assert_int_equal(st.evicted, 1000000 + 16 - 1000);
	assert_int_equal(st.evicted_locked, 0);
	for (int i = 0; i < 16; i++)
		assert_true(fw_ratelimit_check(rl, locked[i], 300) > 0);
	/* after the window everything is stale and free again */
	fw_ratelimit_stats(rl, 200 + 60000, &st);
	assert_int_equal(st.used, 0);
	fw_ratelimit_free(rl);
}

/* In a full bucket a new key evicts the counter with the fewest failures, the oldest of those. */
static void test_eviction_order(void **state)
{
	struct fw_ratelimit *rl;
	struct fw_ratelimit_stats st;
	unsigned char k[FW_RATELIMIT_KEY_BYTES], n[FW_RATELIMIT_KEY_BYTES];

	(void)state;
	assert_int_equal(fw_ratelimit_new(FW_RATELIMIT_WAYS, 100, 60000, &rl), 0); /* one bucket */
	for (uint64_t i = 0; i < FW_RATELIMIT_WAYS; i++) {
		key_of(k, 0, i);
		/* key i has 2 failures, except key 5 (1 failure, at time 50) and key 6 (1, at time 40) */
		unsigned nf = i == 5 || i == 6 ? 1 : 2;
		for (unsigned f = 0; f < nf; f++)
			assert_int_equal(fw_ratelimit_fail(rl, k, i == 5 ? 50 : i == 6 ? 40 : 10), 0);
	}
	key_of(n, 0, 100);
	assert_int_equal(fw_ratelimit_fail(rl, n, 60), 0);
	fw_ratelimit_stats(rl, 60, &st);
	assert_int_equal(st.used, FW_RATELIMIT_WAYS);
	assert_int_equal(st.evicted, 1);
	/* key 6 was the one evicted: failing it again finds no entry and evicts key 5 (1 failure, older than
	 * n) */
	key_of(k, 0, 6);
	assert_int_equal(fw_ratelimit_fail(rl, k, 70), 0);
	fw_ratelimit_stats(rl, 70, &st);
	assert_int_equal(st.evicted, 2);
	key_of(k, 0, 2);
	for (int f = 0; f < 97; f++)
		assert_int_equal(fw_ratelimit_fail(rl, k, 80), 0);
	assert_int_equal(fw_ratelimit_fail(rl, k, 80), 1); /* key 2 kept its first two failures */
	fw_ratelimit_free(rl);
}

/* When every entry of a bucket is locked, the lockout that ends first gives way. */
static void test_all_locked_evicts_the_soonest(void **state)
{
	struct fw_ratelimit *rl;
	struct fw_ratelimit_stats st;
	unsigned char k[FW_RATELIMIT_KEY_BYTES];

	(void)state;
	assert_int_equal(fw_ratelimit_new(FW_RATELIMIT_WAYS, 1, 1000, &rl), 0);
	for (uint64_t i = 0; i < FW_RATELIMIT_WAYS; i++) {
		key_of(k, 0, i);
		assert_int_equal(fw_ratelimit_fail(rl, k, 100 + (int64_t)(i == 3 ? 0 : 10 + i)), 1);
	}
	key_of(k, 0, 99);
	assert_int_equal(fw_ratelimit_fail(rl, k, 150), 1);
	fw_ratelimit_stats(rl, 150, &st);
	assert_int_equal(st.evicted_locked, 1);
	assert_int_equal(st.locked, FW_RATELIMIT_WAYS);
	key_of(k, 0, 3);
	assert_int_equal(fw_ratelimit_check(rl, k, 150), 0);
	key_of(k, 0, 4);
	assert_true(fw_ratelimit_check(rl, k, 150) > 0);
	fw_ratelimit_free(rl);
}

struct race {
	struct fw_ratelimit *rl;
	unsigned char key[FW_RATELIMIT_KEY_BYTES]; /* the same for every thread */
	uint64_t idx;
	int locks;
};

static void *hammer(void *arg)
{
	struct race *r = arg;
	unsigned char k[FW_RATELIMIT_KEY_BYTES];

	r->locks = 0;
	for (uint64_t i = 0; i < 20000; i++) {
		r->locks += fw_ratelimit_fail(r->rl, r->key, 1000);
		/* and keys of its own, which contend for the same buckets as the other threads' */
		spread_key(k, i * 4 + r->idx);
		(void)fw_ratelimit_fail(r->rl, k, 1000);
		(void)fw_ratelimit_check(r->rl, k, 1000);
	}
	return NULL;
}

/* Four threads fail one key together: exactly one of them sees the lockout begin. */
static void test_threads_see_one_lockout(void **state)
{
	struct fw_ratelimit *rl;
	struct race r[4];
	pthread_t th[4];
	int total = 0;

	(void)state;
	assert_int_equal(fw_ratelimit_new(4096, 1000, 60000, &rl), 0);
	for (uint64_t i = 0; i < 4; i++) {
		r[i].rl = rl;
		r[i].idx = i;
		spread_key(r[i].key, 1u << 30);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &r[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += r[i].locks;
	}
	assert_int_equal(total, 1);
	assert_true(fw_ratelimit_check(rl, r[0].key, 1000) > 0);
	fw_ratelimit_free(rl);
}

/* Client addresses: IPv4 as itself (mapped or not), IPv6 by its /64, anything else by its text. */
static void test_client_address(void **state)
{
	unsigned char a[FW_RATELIMIT_CLIENT_MAX], b[FW_RATELIMIT_CLIENT_MAX];
	char shown[64];
	size_t n;

	(void)state;
	n = fw_ratelimit_client("192.0.2.1", a, shown);
	assert_int_equal(n, 5);
	assert_string_equal(shown, "192.0.2.1");
	assert_int_equal(fw_ratelimit_client("::ffff:192.0.2.1", b, shown), 5);
	assert_memory_equal(a, b, sizeof(a));
	assert_string_equal(shown, "192.0.2.1");
	assert_int_equal(fw_ratelimit_client("192.0.2.2", b, NULL), 5);
	assert_memory_not_equal(a, b, sizeof(a));

	/* one /64, however its host part is written */
	assert_int_equal(fw_ratelimit_client("2001:db8:1:2::1", a, shown), 9);
	assert_string_equal(shown, "2001:db8:1:2::/64");
	assert_int_equal(fw_ratelimit_client("2001:0db8:0001:0002:ffff:ffff:ffff:fffe", b, shown), 9);
	assert_memory_equal(a, b, sizeof(a));
	assert_string_equal(shown, "2001:db8:1:2::/64");
	assert_int_equal(fw_ratelimit_client("2001:db8:1:3::1", b, NULL), 9);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(fw_ratelimit_client("::1", b, shown), 9);
	assert_string_equal(shown, "::/64");

	/* not an address: its text, cut to 16 bytes; never mistaken for an address */
	assert_int_equal(fw_ratelimit_client("unknown", a, shown), 8);
	assert_string_equal(shown, "unknown");
	assert_int_equal(fw_ratelimit_client("a-very-long-name-for-a-client", a, shown), 17);
	assert_string_equal(shown, "a-very-long-name");
	assert_int_equal(fw_ratelimit_client("", b, shown), 1);
	assert_string_equal(shown, "");
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_new_refuses_nonsense),
	    cmocka_unit_test(test_locks_after_limit_for_a_window),
	    cmocka_unit_test(test_failures_outside_the_window_do_not_add_up),
	    cmocka_unit_test(test_limit_one_locks_at_once),
	    cmocka_unit_test(test_spray_is_bounded_and_keeps_lockouts),
	    cmocka_unit_test(test_eviction_order),
	    cmocka_unit_test(test_all_locked_evicts_the_soonest),
	    cmocka_unit_test(test_threads_see_one_lockout),
	    cmocka_unit_test(test_client_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
