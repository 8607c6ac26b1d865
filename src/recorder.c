/*
 * The download recorder: request threads hand their download records to one writer thread and go on with
 * other connections; the writer commits whatever has queued up in one transaction (group commit) and then
 * calls each job's completion, which resumes its connection. A copy is served only after its record is
 * durable.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include "cache.h"
#include "server.h"

#define BATCH_MAX 512

struct recorder {
	struct fw_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct recorder_entry *head, *tail;
	int stopping;
};

static void record_batch(struct recorder *rc, struct recorder_entry **batch, size_t n)
{
	/* Only the writer thread touches these. */
	static const struct fw_download_job *jobs[BATCH_MAX];
	static uint64_t indexes[BATCH_MAX];
	static int results[BATCH_MAX];
	uint64_t gen;
	int r;

	for (size_t i = 0; i < n; i++)
		jobs[i] = batch[i]->job;
	/*
	 * No admin write commits while the batch is written, so the generation read here counts exactly the
	 * admin writes whose log entries precede these downloads': a resumed download is decided on that
	 * state, the one its place in the log shows (server.c).
	 */
	server_policy_read_lock();
	r = fw_ops_record_downloads(rc->store, jobs, n, indexes);
	for (size_t i = 0; i < n; i++)
		/* One bad record must not fail the others: on failure, record them one by one. */
		results[i] =
		    r < 0 && n > 1 ? fw_ops_record_downloads(rc->store, &jobs[i], 1, &indexes[i]) : r;
	gen = cache_generation();
	server_policy_read_unlock();
	for (size_t i = 0; i < n; i++)
		/* After done, the entry may be gone: its connection resumes and finishes. */
		batch[i]->done(batch[i]->arg, results[i], results[i] == 0 ? indexes[i] : 0, gen);
}

static void *run(void *arg)
{
	struct recorder *rc = arg;
	struct recorder_entry *batch[BATCH_MAX];

	prctl(PR_SET_NAME, "fw-recorder", 0, 0, 0);
	pthread_mutex_lock(&rc->lock);
	for (;;) {
		size_t n = 0;

		while (!rc->head && !rc->stopping)
			pthread_cond_wait(&rc->work, &rc->lock);
		if (!rc->head)
			break; /* stopping, and everything queued has been recorded */
		while (rc->head && n < BATCH_MAX) {
			batch[n++] = rc->head;
			rc->head = rc->head->next;
		}
		if (!rc->head)
			rc->tail = NULL;
		pthread_mutex_unlock(&rc->lock);
		record_batch(rc, batch, n);
		pthread_mutex_lock(&rc->lock);
	}
	pthread_mutex_unlock(&rc->lock);
	return NULL;
}

int recorder_start(struct server *srv, struct recorder **ret)
{
	struct recorder *rc = calloc(1, sizeof(*rc));
	struct fw_error err;
	int r;

	if (!rc)
		return FW_ENOMEM;
	r = server_store_open(srv, &rc->store, &err);
	if (r < 0) {
		free(rc);
		return r;
	}
	pthread_mutex_init(&rc->lock, NULL);
	pthread_cond_init(&rc->work, NULL);
	if (pthread_create(&rc->thread, NULL, run, rc) != 0) {
		fw_store_free(rc->store);
		free(rc);
		return FW_EIO;
	}
	*ret = rc;
	return 0;
}

int recorder_enqueue(struct recorder *rc, struct recorder_entry *e)
{
	e->next = NULL;
	pthread_mutex_lock(&rc->lock);
	if (rc->stopping) {
		pthread_mutex_unlock(&rc->lock);
		return FW_EBUSY;
	}
	if (rc->tail)
		rc->tail->next = e;
	else
		rc->head = e;
	rc->tail = e;
	pthread_cond_signal(&rc->work);
	pthread_mutex_unlock(&rc->lock);
	return 0;
}

void recorder_stop(struct recorder *rc)
{
	if (!rc)
		return;
	pthread_mutex_lock(&rc->lock);
	if (rc->stopping) {
		pthread_mutex_unlock(&rc->lock);
		return;
	}
	rc->stopping = 1;
	pthread_cond_signal(&rc->work);
	pthread_mutex_unlock(&rc->lock);
	pthread_join(rc->thread, NULL);
	fw_store_free(rc->store);
	rc->store = NULL;
}

void recorder_free(struct recorder *rc)
{
	if (!rc)
		return;
	recorder_stop(rc);
	pthread_mutex_destroy(&rc->lock);
	pthread_cond_destroy(&rc->work);
	free(rc);
}
