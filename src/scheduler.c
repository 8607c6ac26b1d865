/*
 * The scheduler thread: sleeps until the next instant an advisory is due (or until an admin act wakes it),
 * then runs one release step. After downtime the first step catches up; deliveries are unique, so nothing
 * is released twice.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "forewarn/timeutil.h"
#include "server.h"

struct scheduler {
	struct server *srv;
	struct fw_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int woken;
	int stopping;
};

#define IDLE_MS 60000 /* look again at least this often, in case the clock jumped */

static void *run(void *arg)
{
	struct scheduler *s = arg;
	int64_t next = 0;

	prctl(PR_SET_NAME, "fw-scheduler", 0, 0, 0);
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		int64_t now_ms = fw_time_now_ms();
		int64_t due_ms = next >= INT64_MAX / 1000 ? INT64_MAX : next * 1000;

		if (!s->woken && due_ms > now_ms) {
			int64_t wait_ms = due_ms - now_ms > IDLE_MS ? IDLE_MS : due_ms - now_ms;
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += wait_ms / 1000;
			until.tv_nsec += (wait_ms % 1000) * 1000000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&s->cond, &s->lock, &until);
			if (s->stopping)
				break;
			/* A spurious wake-up: go back to sleep unless something is due or we idled long
			 * enough. */
			if (!s->woken && fw_time_now_ms() < due_ms && fw_time_now_ms() - now_ms < IDLE_MS)
				continue;
		}
		s->woken = 0;
		pthread_mutex_unlock(&s->lock);
		{
			size_t delivered = 0;
			int64_t now = fw_time_now();
			int r = fw_ops_release_due(s->store, now, &next, &delivered);
			if (r < 0) {
				fprintf(stderr,
				        "forewarn: scheduler: release step failed: %s; retrying in 1 s\n",
				        fw_strerror(r));
				next = now + 1;
			} else if (delivered) {
				webhook_wake(s->srv->webhook); /* their notifications are queued */
				if (!s->srv->cfg.quiet)
					fprintf(stderr, "forewarn: scheduler: %zu deliveries recorded\n",
					        delivered);
			}
		}
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int scheduler_start(struct server *srv, struct scheduler **ret)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	struct fw_error err;
	int r;

	if (!s)
		return FW_ENOMEM;
	s->srv = srv;
	r = server_store_open(srv, &s->store, &err);
	if (r < 0) {
		free(s);
		return r;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->woken = 1; /* catch up at once */
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		fw_store_free(s->store);
		free(s);
		return FW_EIO;
	}
	*ret = s;
	return 0;
}

void scheduler_wake(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->woken = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	fw_store_free(s->store);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
}
