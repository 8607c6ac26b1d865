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

#define FW_RESPONSE_MAX (64 * 1024 * 1024)
#define FW_MAX_PARAMS   3

/*
 * The defaults of the limits `forewarn serve` sets (docs/security.md, "Limits and abuse"). FW_CONN_MEMORY is
 * MHD's memory per connection, which holds the request line and headers: larger ones get 431. MHD zeroes
 * it for every request on a connection, so it is kept at 8 KiB (Apache's and nginx's limit for a header
 * line): at 16 KiB a TLS download cost 3 us more CPU (docs/performance.md).
 */
#define FW_BODY_MAX         (8 * 1024 * 1024) /* request bodies: larger ones get 413 */
#define FW_CONN_MEMORY      (8 * 1024)
#define FW_CONN_MAX         4096
#define FW_CONN_PER_IP      256
#define FW_IDLE_TIMEOUT     30 /* seconds */
#define FW_AUTH_FAIL_LIMIT  10
#define FW_AUTH_FAIL_WINDOW 60 /* seconds */

struct server_limits {
	size_t body_max;           /* request body bytes; more gets 413 */
	size_t header_max;         /* MHD memory per connection: request line and headers */
	unsigned conn_max;         /* connections at once */
	unsigned conn_per_ip;      /* connections at once from one address; 0: no limit */
	unsigned idle_timeout;     /* seconds without traffic before a connection is closed */
	unsigned auth_fail_limit;  /* failed authentications before a lockout (src/authlimit.c); 0: off */
	unsigned auth_fail_window; /* seconds: the window they are counted in, and the lockout */
};

struct scheduler;
struct recorder;
struct webhook;

struct server_config {
	char data_dir[PATH_MAX];
	char listen_addr[64];
	unsigned short port;
	unsigned threads;
	int store_flags;
	int quiet;
	/* HTTPS with these files (PEM), or plain HTTP (loopback only: cmd_serve.c checks) */
	int plain_http;
	char tls_cert[PATH_MAX];
	char tls_key[PATH_MAX];
	/* webhook sender (src/webhook.c) */
	int64_t webhook_backoff_ms;         /* the first retry's delay; doubled at each try */
	int webhook_max_tries;              /* tries before a notification is set aside */
	int64_t webhook_timeout_ms;         /* one try, all in */
	int64_t webhook_connect_timeout_ms; /* its connection */
	struct server_limits limits;
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
	struct fw_data_key *data_key;      /* seals embargoed content at rest; every connection gets it */
	int dir_lock;                      /* the data directory's shared lock (src/datakey.c), or -1 */
	char log_vkey[FW_NOTE_VKEY_MAX];   /* its verifier key, published at /api/v1/log/key */
	struct fw_signer *signer;          /* signs copies and PoCs (DIR/sign.key); guarded memory */
	char sign_key_doc[512];            /* its public key document, published at /api/v1/keys/signing */
	struct scheduler *sched;
	struct recorder *recorder;
	struct webhook *webhook;
	struct authlimit *authlimit;      /* NULL when failed authentications are not limited */
	void *mhd;                        /* struct MHD_Daemon */
	char *tls_cert_pem, *tls_key_pem; /* NULL for plain HTTP; the key is wiped when freed */
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
	uint64_t gen; /* the cache generation (cache.h) before it was authenticated */
	const struct route *route;
	/* a download recorded before the copy is served (request_defer) */
	struct fw_download_job job;
	int recorded;
	int record_result;
	uint64_t log_index;  /* of the download event: the copy's receipt */
	uint64_t record_gen; /* the cache generation at its record (recorder_done_fn) */
	int records;         /* how many times this request was recorded (server.c, MAX_RECORDS) */
	int rendered_public; /* the copy in rq->out was rendered as the public (TLP:WHITE) copy */
	/* a copy sealed to the partner's key (?sealed=1), with the key looked up before the download */
	int sealed;
	unsigned char seal_pk[FW_X25519_PUBLIC_BYTES];
	/* Forewarn-Signature (of the bytes served) and Forewarn-Content-Signature (of the copy inside a
	 * sealed box) response headers, when not empty */
	char sig_header[FW_SIGN_HEADER_MAX];
	char content_sig_header[FW_SIGN_HEADER_MAX];
	/* the response */
	unsigned retry_after; /* seconds, for a Retry-After header; 0: none */
	int status;
	const char *content_type;
	struct fw_buf out;
};

/*
 * Handlers fill rq->status and rq->out; they return 0, or a negative FW_E* code turned into an error reply,
 * or REQUEST_DEFERRED after request_defer(): the connection sleeps until the download is recorded, then the
 * same handler runs again with rq->recorded set (or rq->record_result < 0; or, if an admin write came after
 * the record, with rq->recorded unset, to record it again).
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
extern const struct route cert_routes[]; /* routes_cert.c: partners' client certificates */
extern const struct route webhook_routes[];
extern const struct route key_routes[];

/* request helpers (server.c) */
/* request_defer: records rq->job in the background; returns REQUEST_DEFERRED, or a negative FW_E* code. */
int request_defer(struct request *rq);

/*
 * The admin writes' lock (server.c): whoever decides what leaves after a record (a resumed download, the
 * webhook sender) holds it shared from its decision until its record, so no admin write commits in between
 * with its caches not yet dropped; the download recorder holds it shared around each commit, so that the
 * generation it reads then places the records among the admin writes' log entries.
 */
void server_policy_read_lock(void);
void server_policy_read_unlock(void);
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
 * webhook.c: the thread that sends the outbox's notifications. start opens its own store connection; wake
 * (any thread, NULL accepted) makes it look for due items at once; stop abandons transfers in flight, which
 * are due again at once on the next start (at least once).
 */
int webhook_start(struct server *srv, struct webhook **ret);
void webhook_wake(struct webhook *w);
void webhook_stop(struct webhook *w);

/*
 * recorder.c: group commit of download records. enqueue returns at once; `done` is called from the writer
 * thread with the outcome once the record is durable (or failed). stop records everything queued first.
 * The entry belongs to the caller (a request's own, no allocation per download): it and its job must stay
 * as they are until `done` has been called; the recorder only links it into its queue.
 */
/* gen: the cache generation (cache.h) the record was committed at: every admin write whose log entry
 * precedes the download's, and none after it (the recorder holds the admin writes' lock shared meanwhile). */
typedef void (*recorder_done_fn)(void *arg, int result, uint64_t log_index, uint64_t gen);
struct recorder_entry {
	const struct fw_download_job *job;
	recorder_done_fn done;
	void *arg;
	struct recorder_entry *next; /* the recorder's */
};
int recorder_start(struct server *srv, struct recorder **ret);
/* recorder_enqueue: FW_EBUSY once stopping; `done` is then not called. */
int recorder_enqueue(struct recorder *rc, struct recorder_entry *e);
void recorder_stop(struct recorder *rc);
/* recorder_free: stops (if need be) and frees; enqueue fails with FW_EBUSY between stop and free. */
void recorder_free(struct recorder *rc);

/*
 * authlimit.c: failed authentications limited per client address and per presented token. new makes the
 * table (*ret NULL when limits->auth_fail_limit is 0: no limit); free accepts NULL. check: 0 if this client
 * and token may try, else a 429 reply with Retry-After is made and -1 returned. fail: counts one failed
 * authentication and records the lockout it may begin. Thread-safe.
 */
struct authlimit;
int authlimit_new(const struct server_limits *limits, struct authlimit **ret);
void authlimit_free(struct authlimit *al);
int authlimit_check(struct request *rq, const char *token, size_t len);
void authlimit_fail(struct request *rq, const char *token, size_t len);
/*
 * authlimit_fail_address: counts one failed authentication against the client's address alone (a refused
 * client certificate); returns 1 while the address is locked out (the caller records nothing more), else 0.
 */
int authlimit_fail_address(struct request *rq);

/*
 * request_partner_active: 0 if the request's partner is active; else replies 403 (a suspended partner keeps
 * reading what is public and its own records, but changes none of its settings) and returns -1.
 */
int request_partner_active(struct request *rq);

/* log_checkpoint: the signed checkpoint of the log now (made if the log grew); *ret malloc()ed. */
int log_checkpoint(struct server *srv, struct fw_store *s, char **ret, uint64_t *ret_size);

/*
 * server_store_open: a new connection to the server's store with its data key; on failure err says why.
 * Every thread that needs one opens its own.
 */
int server_store_open(struct server *srv, struct fw_store **ret, struct fw_error *err);

/* server.c: run serves until SIGINT/SIGTERM; check loads the key and opens the store, then returns. */
int server_run(struct server_config *cfg);
int server_check(struct server_config *cfg);

#endif
