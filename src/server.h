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
#include "forewarn/note.h"
#include "forewarn/ops.h"
#include "forewarn/signing.h"
#include "forewarn/store.h"

#define FW_BODY_MAX     (8 * 1024 * 1024) /* request bodies: larger ones get 413 */
#define FW_RESPONSE_MAX (64 * 1024 * 1024)
#define FW_MAX_PARAMS   3
/* Per-connection memory for the request line and headers: larger headers get 431. MHD zeroes it per request.
 */
#define FW_CONN_MEMORY (16 * 1024)

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
	unsigned char mark_key[FW_KEY_BYTES]; /* derives the partners' fingerprint codewords */
	char publisher_name[256];
	char publisher_namespace[256];
	char log_origin[256];
	struct fw_note_signer *log_signer; /* signs checkpoints; guarded memory */
	char log_vkey[FW_NOTE_VKEY_MAX];   /* its verifier key, published at /api/v1/log/key */
	struct fw_signer *signer;          /* signs copies and PoCs (DIR/sign.key); guarded memory */
	char sign_key_doc[512];            /* its public key document, published at /api/v1/keys/signing */
	struct scheduler *sched;
	struct recorder *recorder;
	void *mhd; /* struct MHD_Daemon */
};

enum role { ROLE_NONE, ROLE_ADMIN, ROLE_PARTNER, ROLE_ANY /* admin or partner */ };

struct request {
	struct server *srv;
	void *cs;               /* struct conn_state */
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
	const struct route *route;
	/* a download recorded before the copy is served (request_defer) */
	struct fw_download_job job;
	int recorded;
	int record_result;
	uint64_t log_index; /* of the download event: the copy's receipt */
	int rendered_public; /* the copy in rq->out was rendered as the public (TLP:WHITE) copy */
	/* a copy sealed to the partner's key (?sealed=1), with the key looked up before the download */
	int sealed;
	unsigned char seal_pk[FW_X25519_PUBLIC_BYTES];
	/* Forewarn-Signature (of the bytes served) and Forewarn-Content-Signature (of the copy inside a
	 * sealed box) response headers, when not empty */
	char sig_header[FW_SIGN_HEADER_MAX];
	char content_sig_header[FW_SIGN_HEADER_MAX];
	/* the response */
	int status;
	const char *content_type;
	struct fw_buf out;
};

/*
 * Handlers fill rq->status and rq->out; they return 0, or a negative FW_E* code turned into an error reply,
 * or REQUEST_DEFERRED after request_defer(): the connection sleeps until the download is recorded, then the
 * same handler runs again with rq->recorded set (or rq->record_result < 0).
 */
typedef int (*handler_fn)(struct request *rq);
#define REQUEST_DEFERRED 1

struct route {
	const char *method;
	const char *pattern; /* '*' matches one path segment */
	enum role role;
	handler_fn fn;
	int wakes; /* a successful call may change what the scheduler must do */
};

extern const struct route admin_routes[];
extern const struct route partner_routes[];
extern const struct route log_routes[];
extern const struct route key_routes[];

/* request helpers (server.c) */
/* request_defer: records rq->job in the background; returns REQUEST_DEFERRED, or a negative FW_E* code. */
int request_defer(struct request *rq);
const char *request_query(struct request *rq, const char *key);
int reply_json(struct request *rq, int status);
int reply_error(struct request *rq, int status, const char *code, const char *field, const char *message);
/* reply_fw_error: maps an FW_E* code (with its detail) to an HTTP error reply. */
int reply_fw_error(struct request *rq, int code, const struct fw_error *err);

/* scheduler.c */
int scheduler_start(struct server *srv, struct scheduler **ret);
void scheduler_wake(struct scheduler *s);
void scheduler_stop(struct scheduler *s);

/*
 * recorder.c: group commit of download records. enqueue returns at once; `done` is called from the writer
 * thread with the outcome once the record is durable (or failed). stop records everything queued first.
 */
typedef void (*recorder_done_fn)(void *arg, int result, uint64_t log_index);
int recorder_start(struct server *srv, struct recorder **ret);
int recorder_enqueue(struct recorder *rc, const struct fw_download_job *job, recorder_done_fn done,
                     void *arg);
void recorder_stop(struct recorder *rc);
/* recorder_free: stops (if need be) and frees; enqueue fails with FW_EBUSY between stop and free. */
void recorder_free(struct recorder *rc);

/* log_checkpoint: the signed checkpoint of the log now (made if the log grew); *ret malloc()ed. */
int log_checkpoint(struct server *srv, struct fw_store *s, char **ret, uint64_t *ret_size);

/* server.c: run serves until SIGINT/SIGTERM; check loads the key and opens the store, then returns. */
int server_run(struct server_config *cfg);
int server_check(struct server_config *cfg);

#endif
