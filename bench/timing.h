/* Clocks and medians shared by the benchmarks (header-only: each benchmark is one program). */
#ifndef FW_BENCH_TIMING_H
#define FW_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* now_s: a monotonic wall clock in seconds. */
static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* cpu_s: CPU time of this process: the figure that machine load does not inflate. */
static inline double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* thread_cpu_s: CPU time of the calling thread, which a loaded machine does not inflate either. */
static inline double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* median: sorts v[0..n) and returns its middle value. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return v[n / 2];
}

#endif
