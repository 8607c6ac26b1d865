/*
 * The HTTP server's internals shared by its files: the server, the request a handler sees, the route
 * table, and the scheduler. Only src/server.c includes <microhttpd.h>.
 */
#ifndef FW_SRC_SERVER_H
#define FW_SRC_SERVER_H

#include <limits.h>
#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/crypto.h"
#include "forewarn/ops.h"
#include "forewarn/store.h"

#define FW_BODY_MAX      (8 * 1024 * 1024) /* request bodies: larger ones get 413 */
#define FW_RESPONSE_MAX  (64 * 1024 * 1024)
#define FW_MAX_PARAMS    3
/* Per-connection memory for the request line and headers: larger headers get 431. MHD zeroes it per request. */
#define FW_CONN_MEMORY   (16 * 1024)

struct scheduler;
struct recorder;

struct server_config {
	char data_dir[PATH_MAX];
	char listen_addr[64];
	unsigned short port;
	unsigned threads;
	int store_flags;
	int quiet;
};

struct server {
	struct server_config cfg;
	char store_uri[PATH_MAX + 32];
	unsigned char token_key[FW_KEY_BYTES];
	char publisher_name[256];
	char publisher_namespace[256];
	struct scheduler *sched;
	struct recorder *recorder;
	void *mhd; /* struct MHD_Daemon */
};

enum role { ROLE_NONE, ROLE_ADMIN, ROLE_PARTNER };

struct request {
	struct server *srv;
	struct fw_store *store; /* this thread's connection */
	void *conn;             /* struct MHD_Connection */
	const char *method;
	const char *path;
	const char *params[FW_MAX_PARAMS];
	const char *body;
	size_t body_len;
	char address[64];
	struct fw_token token;     /* the authenticated token */
	struct fw_partner partner; /* for ROLE_PARTNER */
	char actor[80];
	/* the response */
	int status;
	const char *content_type;
	struct fw_buf out;
};

/* Handlers fill rq->status and rq->out; they return 0, or a negative FW_E* code turned into an error reply. */
typedef int (*handler_fn)(struct request *rq);

struct route {
	const char *method;
	const char *pattern; /* '*' matches one path segment */
	enum role role;
	handler_fn fn;
	int wakes; /* a successful call may change what the scheduler must do */
};

extern const struct route admin_routes[];
extern const struct route partner_routes[];

/* request helpers (server.c) */
const char *request_query(struct request *rq, const char *key);
int reply_json(struct request *rq, int status);
int reply_error(struct request *rq, int status, const char *code, const char *field, const char *message);
/* reply_fw_error: maps an FW_E* code (with its detail) to an HTTP error reply. */
int reply_fw_error(struct request *rq, int code, const struct fw_error *err);

/* scheduler.c */
int scheduler_start(struct server *srv, struct scheduler **ret);
void scheduler_wake(struct scheduler *s);
void scheduler_stop(struct scheduler *s);

/* recorder.c: group commit of download records; submit blocks until the record is durable. */
int recorder_start(struct server *srv, struct recorder **ret);
int recorder_submit(struct recorder *rc, const struct fw_download_job *job);
void recorder_stop(struct recorder *rc);

/* server.c */
int server_run(struct server_config *cfg);

#endif
