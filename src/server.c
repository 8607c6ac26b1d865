/*
 * The HTTP server: libmicrohttpd with a thread pool, HTTPS (GnuTLS) unless plain HTTP is asked for, one store
 * connection per thread, a route table, bearer-token and client-certificate authentication, bounded bodies
 * and JSON errors. The only file that includes <microhttpd.h>.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include "forewarn/json.h"
#include "forewarn/log.h"
#include "forewarn/timeutil.h"
#include "forewarn/tls.h"
#include "auth_cert.h"
#include "cache.h"
#include "inbox_list.h"
#include "datakey.h"
#include "server.h"

/* One per request: its body, and the request itself, which lives on while the request waits for its record.
 */
struct conn_state {
	struct fw_buf body;
	int too_big;
	int deferred; /* suspended until the recorder resumes it */
	int corked;   /* its response gathered by GnuTLS until completed() (cork_response) */
	char caps[512];
	struct request rq;
	struct recorder_entry record; /* rq.job's place in the recorder's queue while deferred */
};

/* Each pool thread keeps its own store connection; they are freed when the daemon has stopped. */
static _Thread_local struct fw_store *tls_store;
static pthread_mutex_t stores_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fw_store *stores[256];
static size_t nstores;

static struct fw_store *thread_store(struct server *srv)
{
	struct fw_error err;

	if (tls_store)
		return tls_store;
	if (server_store_open(srv, &tls_store, &err) < 0) {
		fprintf(stderr, "forewarn: %s\n", err.message);
		return NULL;
	}
	pthread_mutex_lock(&stores_lock);
	if (nstores < sizeof(stores) / sizeof(stores[0]))
		stores[nstores++] = tls_store;
	pthread_mutex_unlock(&stores_lock);
	return tls_store;
}

const char *request_query(struct request *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, key);
}

int reply_json(struct request *rq, int status)
{
	rq->status = status;
	rq->content_type = "application/json";
	return 0;
}

int request_partner_active(struct request *rq)
{
	if (rq->partner.status == FW_PARTNER_ACTIVE)
		return 0;
	reply_error(rq, 403, "forbidden", NULL, "the partner is suspended: its settings cannot change");
	return -1;
}

int reply_error(struct request *rq, int status, const char *code, const char *field, const char *message)
{
	fw_buf_reset(&rq->out);
	rq->status = status;
	rq->content_type = "application/json";
	return fw_json_error_write(status, code, field, message, &rq->out);
}

int reply_fw_error(struct request *rq, int code, const struct fw_error *err)
{
	const char *field = err && err->message[0] ? err->field : NULL;
	const char *msg = err && err->message[0] ? err->message : fw_strerror(code);

	switch (code) {
	case FW_EINVAL:
		return reply_error(rq, 400, "invalid", field, msg);
	case FW_ENOENT:
		return reply_error(rq, 404, "not_found", field, err && err->message[0] ? msg : "not found");
	case FW_EEXIST:
		return reply_error(rq, 409, "exists", field, msg);
	case FW_ECONFLICT:
		return reply_error(rq, 409, "conflict", field, msg);
	case FW_ETOOBIG:
		return reply_error(rq, 413, "too_large", field, msg);
	case FW_EPERM:
		return reply_error(rq, 403, "forbidden", NULL, "forbidden");
	case FW_EBUSY:
		return reply_error(rq, 503, "busy", NULL, "the store is busy; try again");
	/* Do not send details of internal errors. */
	default:
		return reply_error(rq, 500, "internal", NULL, "internal error");
	}
}

/* match: 1 if path matches pattern ('*' = one non-empty segment); captures the segments. */
static int match(const char *pattern, const char *path, const char *caps[FW_MAX_PARAMS], char *store,
                 size_t storesz)
{
	size_t ncap = 0, used = 0;

	while (*pattern && *path) {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");
			if (n == 0 || ncap == FW_MAX_PARAMS || used + n + 1 > storesz)
				return 0;
			memcpy(store + used, path, n);
			store[used + n] = '\0';
			caps[ncap++] = store + used;
			used += n + 1;
			path += n;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static const struct route *find_route(const char *method, const char *path, const char *caps[FW_MAX_PARAMS],
                                      char *store, size_t storesz, int *ret_path_found)
{
	/* No path matches patterns of two tables, so the order only saves time: partners' requests first. */
	const struct route *tables[] = {partner_routes, admin_routes,   log_routes,
	                                cert_routes,    webhook_routes, key_routes};

	*ret_path_found = 0;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct route *r = tables[t]; r->pattern; r++) {
			if (!match(r->pattern, path, caps, store, storesz))
				continue;
			*ret_path_found = 1;
			if (strcmp(r->method, method) == 0)
				return r;
		}
	return NULL;
}

static void client_address(struct MHD_Connection *c, char out[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, 64, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

/*
 * One per TLS connection (MHD's socket context, notify_connection): its session's reads go through a
 * read-ahead buffer (fw_tls_io_attach), and the socket's send buffer size is remembered for cork_response.
 */
struct conn_io {
	struct fw_tls_io *tls;
	int sndbuf; /* SO_SNDBUF when last read: the kernel grows it with the connection's traffic */
};

static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
	const struct server *srv = cls;
	const union MHD_ConnectionInfo *s, *f;
	struct conn_io *io;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		io = *socket_context;
		if (io)
			fw_tls_io_free(io->tls);
		free(io);
		*socket_context = NULL;
		return;
	}
	if (!srv->tls_cert_pem)
		return;
	s = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	f = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	/* Without it, the session reads from its socket as GnuTLS does by itself. */
	if (!s || !s->tls_session || !f || !(io = calloc(1, sizeof(*io))))
		return;
	if (fw_tls_io_attach(s->tls_session, f->connect_fd, &io->tls) < 0) {
		free(io);
		return;
	}
	*socket_context = io;
}

static struct conn_io *conn_io(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* conn_tls: its session's read-ahead (NULL over plain HTTP), which fw_tls_io_park and _unpark accept. */
static struct fw_tls_io *conn_tls(struct MHD_Connection *c)
{
	struct conn_io *io = conn_io(c);

	return io ? io->tls : NULL;
}

/* The connection's GnuTLS session, for the client-certificate checks (NULL over plain HTTP). */
static void *tls_session(struct request *rq)
{
	const union MHD_ConnectionInfo *ci;

	if (!rq->srv->tls_cert_pem)
		return NULL;
	ci = MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	return ci ? ci->tls_session : NULL;
}

/*
 * Over TLS, MHD sends a response's header and its body apart: two records and two writes, and the client
 * wakes up twice. cork_response has GnuTLS gather them, and completed() sends them as one (fw_tls_cork).
 * Only for a small response, and only when the socket's send queue is empty and its buffer holds the
 * response twice over, so that the uncork, which never waits, does not find the socket full.
 */
#define CORK_MAX (12 * 1024)

static void cork_response(struct request *rq, size_t body_len)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_io *io = conn_io(rq->conn);
	void *session = tls_session(rq);
	int outq = -1, sndbuf = 0;
	socklen_t len = sizeof(sndbuf);
	const size_t need = 2 * (body_len + 4096);

	if (!session || body_len > CORK_MAX)
		return;
	ci = MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci || ioctl(ci->connect_fd, SIOCOUTQ, &outq) != 0 || outq != 0)
		return;
	if (!io || (size_t)io->sndbuf < need) {
		if (getsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) != 0 ||
		    (size_t)sndbuf < need)
			return;
		if (io)
			io->sndbuf = sndbuf;
	}
	fw_tls_cork(session);
	((struct conn_state *)rq->cs)->corked = 1;
}

/* uncork_response: after MHD has handed the whole response to GnuTLS; what cannot go out at once ends the
 * connection (the client sees it closed and may ask again), never waits. */
static void uncork_response(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *s = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const union MHD_ConnectionInfo *f;

	if (s && s->tls_session && fw_tls_uncork(s->tls_session) == 0)
		return;
	f = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (f)
		shutdown(f->connect_fd, SHUT_RDWR);
}

/*
 * No comparison here touches a secret byte by byte: the store finds a token by its keyed hash (an index
 * lookup on a PRF output the client cannot steer), and the cache compares hashes with fw_crypto_equal.
 */
static int authenticate(struct request *rq, enum role role)
{
	const char *h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *why = NULL;
	int r;

	if (role == ROLE_NONE)
		return 0;
	/* Without a token, a partner's client certificate may authenticate it alone (auth_cert.c). */
	if (!h && role != ROLE_ADMIN && (r = auth_cert(rq, tls_session(rq), 0)) <= 0)
		return r;
	/* Not counted as a failure: nothing was guessed. */
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
		return reply_error(rq, 401, "unauthenticated", NULL, "a bearer token is required"), -1;
	r = cache_authenticate(rq->store, rq->srv->token_key, h + 7, strlen(h + 7), &rq->token, &rq->partner);
	if (r < 0 && r != FW_ENOENT)
		return reply_fw_error(rq, r, NULL), -1;
	if (r == FW_ENOENT || (rq->token.partner_id[0] && rq->partner.status == FW_PARTNER_REMOVED))
		why = "the token is not valid";
	else if (rq->token.expires_at && fw_time_now() >= rq->token.expires_at)
		why = "the token has expired";
	/*
	 * A failed token from a locked-out address, or a locked-out token, gets 429 and counts no more. A
	 * valid token is never refused for others' failures: whoever shares the operator's address (a NAT, a
	 * proxy) cannot lock it out, and guessing gains nothing against 256-bit tokens.
	 */
	if (why && authlimit_check(rq, h + 7, strlen(h + 7)) < 0)
		return -1;
	if (why) {
		authlimit_fail(rq, h + 7, strlen(h + 7));
		return reply_error(rq, 401, "unauthenticated", NULL, why), -1;
	}
	if (rq->token.partner_id[0]) {
		snprintf(rq->actor, sizeof(rq->actor), "partner:%s", rq->partner.id);
	} else {
		snprintf(rq->actor, sizeof(rq->actor), "admin:%s", rq->token.id);
	}
	if (role != ROLE_ANY && (role == ROLE_ADMIN) != (rq->token.partner_id[0] == '\0'))
		return reply_error(rq, 403, "forbidden", NULL,
		                   role == ROLE_ADMIN ? "this route needs an admin token"
		                                      : "this route needs a partner token"),
		       -1;
	/* A partner's token: its mode may need a client certificate too, and one presented must be its own.
	 */
	if (rq->token.partner_id[0] && auth_cert(rq, tls_session(rq), 1) < 0)
		return -1;
	return 0;
}

static enum MHD_Result respond(struct MHD_Connection *c, struct request *rq)
{
	const size_t body_len = rq->out.len;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	/* The body's buffer goes to the response, which frees it once sent: no second copy of it. */
	if (rq->out.data) {
		char *body;
		size_t len;
		if (fw_buf_steal(&rq->out, &body, &len) < 0)
			return MHD_NO;
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
		if (!resp)
			free(body);
	} else {
		resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        rq->content_type ? rq->content_type : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (rq->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"forewarn\"");
	if (rq->retry_after) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%u", rq->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (rq->recorded && rq->status == 200) {
		/* The receipt: the log index of this download's event (GET /api/v1/log/receipt?index=). */
		char idx[24];
		snprintf(idx, sizeof(idx), "%llu", (unsigned long long)rq->log_index);
		MHD_add_response_header(resp, "Forewarn-Log-Index", idx);
	}
	if (rq->status == 200 && rq->sig_header[0])
		MHD_add_response_header(resp, "Forewarn-Signature", rq->sig_header);
	if (rq->status == 200 && rq->content_sig_header[0])
		MHD_add_response_header(resp, "Forewarn-Content-Signature", rq->content_sig_header);
	cork_response(rq, body_len);
	/* Sent uncorked, the response may find the socket full, and MHD then puts it back in its epoll set
	 * before the next read (fw_tls_io_park). */
	if (!((struct conn_state *)rq->cs)->corked)
		fw_tls_io_unpark(conn_tls(c));
	ret = MHD_queue_response(c, (unsigned)rq->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * Admin writes against recorded downloads. A download is decided, recorded, and then decided again before it
 * is served; that second decision must not fall between an admin write's commit and the cache_bump that
 * follows it, or it would use what the write just changed (a suspended partner, a revoked token) as it was.
 * Admin writes hold this lock exclusively from before their transaction until after the bump; the second
 * decision holds it shared, and so does the recorder around each commit, which hands every record the
 * generation it was committed at. A second decision made at another generation than its record's is not
 * made: the download is recorded again (handle). So a copy is served only on the state that its download's
 * place in the log shows. Writers are preferred: downloads never stop coming.
 */
static pthread_rwlock_t policy_lock;

static void policy_lock_init(void)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&policy_lock, &a);
	pthread_rwlockattr_destroy(&a);
}

void server_policy_read_lock(void)
{
	pthread_rwlock_rdlock(&policy_lock);
}

void server_policy_read_unlock(void)
{
	pthread_rwlock_unlock(&policy_lock);
}

/* Runs the route's handler (again, after a deferred record) and turns its outcome into a reply. */
static int run_handler(struct request *rq)
{
	const struct route *route = rq->route;
	int admin_write = route->role == ROLE_ADMIN && strcmp(rq->method, "GET") != 0, r;

	if (admin_write) {
		pthread_rwlock_wrlock(&policy_lock);
		r = route->fn(rq); /* an admin route never defers */
		/* Every admin write invalidates the caches before it answers. */
		if (r == 0 && rq->status < 300)
			cache_bump();
		pthread_rwlock_unlock(&policy_lock);
	} else {
		r = route->fn(rq);
	}
	if (r == REQUEST_DEFERRED)
		return r;
	if (r < 0)
		reply_fw_error(rq, r, NULL);
	if (route->wakes && rq->status < 300)
		scheduler_wake(rq->srv->sched);
	return 0;
}

/* A download recorded again each time an admin write came between its record and its decision: so often
 * only if admin writes never stop. */
#define MAX_RECORDS 4

static void record_done(void *arg, int result, uint64_t log_index, uint64_t gen)
{
	struct conn_state *cs = arg;

	/* From the recorder thread: MHD allows resuming from any thread. */
	cs->rq.record_result = result;
	cs->rq.recorded = result == 0;
	cs->rq.log_index = log_index;
	cs->rq.record_gen = gen;
	MHD_resume_connection(cs->rq.conn);
}

int request_defer(struct request *rq)
{
	struct conn_state *cs = rq->cs;
	int r;

	rq->records++;
	rq->recorded = 0;
	rq->record_result = 0;
	/* Its log entry drafted on this thread, so the single writer has only to stamp its time; without a
	 * draft (an error here) the writer makes the whole entry, and reports what fails. */
	if (fw_ops_download_prepare(rq->store, &rq->job) < 0)
		rq->job.drafted = 0;
	MHD_suspend_connection(rq->conn);
	/* Out of MHD's epoll set until the next EAGAIN, real or not (fw_tls_io_park). */
	fw_tls_io_park(conn_tls(rq->conn));
	cs->record = (struct recorder_entry){.job = &rq->job, .done = record_done, .arg = cs};
	r = recorder_enqueue(rq->srv->recorder, &cs->record);
	if (r < 0)
		record_done(cs, r, 0, 0); /* resumes at once with the error */
	return REQUEST_DEFERRED;
}

static enum MHD_Result finish(struct conn_state *cs)
{
	struct request *rq = &cs->rq;
	enum MHD_Result ret;

	if (!rq->srv->cfg.quiet)
		fprintf(stderr, "%s %s %s %d\n", rq->address, rq->method, rq->path, rq->status);
	ret = respond(rq->conn, rq);
	fw_buf_release(&rq->out);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **con_cls)
{
	struct server *srv = cls;
	struct conn_state *cs = *con_cls;
	struct request *rq;
	int found;

	(void)version;
	if (!cs) {
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		fw_buf_init(&cs->body, srv->cfg.limits.body_max);
		/* A body we will refuse is read and dropped, not kept: clients get their 413 without a reset.
		 */
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.limits.body_max)
			cs->too_big = 1;
		*con_cls = cs;
		return MHD_YES;
	}
	rq = &cs->rq;
	if (cs->deferred) {
		/*
		 * Resumed: the download record is durable (or failed); run the handler again, deciding on the
		 * state the record's place in the log shows. An admin write since it was authenticated (the
		 * token revoked, the partner suspended) is seen: it is authenticated again first. An admin
		 * write after the record (the partner reinstated) would decide on a state the log shows only
		 * after the download's entry: the download is recorded again instead, after it (I1,
		 * docs/policy.md).
		 */
		uint64_t gen;
		int r = 0;
		cs->deferred = 0;
		server_policy_read_lock();
		gen = cache_generation();
		cache_begin_request();
		if (rq->record_result < 0) {
			reply_fw_error(rq, rq->record_result, NULL);
		} else if (gen != rq->record_gen && rq->records >= MAX_RECORDS) {
			reply_error(
			    rq, 503, "unavailable", NULL,
			    "the partner's access kept changing while the download was recorded; ask again");
		} else {
			if (gen != rq->record_gen)
				rq->recorded = 0;
			if (gen == rq->gen || (rq->gen = gen, authenticate(rq, rq->route->role) == 0))
				r = run_handler(rq);
		}
		server_policy_read_unlock();
		if (r == REQUEST_DEFERRED)
			return cs->deferred = 1, MHD_YES;
		return finish(cs);
	}
	if (*upload_data_size) {
		if (!cs->too_big && fw_buf_append(&cs->body, upload_data, *upload_data_size) < 0)
			cs->too_big = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* rq is still all zeros: cs is allocated zeroed for each request (above) and freed when it ends. */
	rq->srv = srv;
	rq->conn = c;
	rq->cs = cs;
	rq->method = method;
	rq->path = url;
	rq->body = cs->body.data ? cs->body.data : "";
	rq->body_len = cs->body.len;
	fw_buf_init(&rq->out, FW_RESPONSE_MAX);
	client_address(c, rq->address);
	rq->route = find_route(method, url, rq->params, cs->caps, sizeof(cs->caps), &found);
	if (cs->too_big) {
		char msg[64];
		size_t max = srv->cfg.limits.body_max;
		if (max % (1024 * 1024) == 0)
			snprintf(msg, sizeof(msg), "the request body exceeds %zu MiB", max / (1024 * 1024));
		else
			snprintf(msg, sizeof(msg), "the request body exceeds %zu bytes", max);
		reply_error(rq, 413, "too_large", NULL, msg);
	} else if (!rq->route) {
		if (found)
			reply_error(rq, 405, "method_not_allowed", NULL, "method not allowed on this route");
		else
			reply_error(rq, 404, "not_found", NULL, "not found");
	} else if (!(rq->store = thread_store(srv))) {
		reply_error(rq, 503, "unavailable", NULL, "the store cannot be opened");
	} else {
		rq->gen = cache_generation();
		cache_begin_request();
		if (authenticate(rq, rq->route->role) == 0 && run_handler(rq) == REQUEST_DEFERRED) {
			cs->deferred = 1;
			return MHD_YES;
		}
	}
	return finish(cs);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)toe;
	if (cs && cs->corked)
		uncork_response(c);
	if (cs) {
		fw_buf_release(&cs->body);
		fw_buf_release(&cs->rq.out);
		free(cs);
		*con_cls = NULL;
	}
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int server_store_open(struct server *srv, struct fw_store **ret, struct fw_error *err)
{
	struct fw_store *s = NULL;
	int r = fw_store_open(srv->store_uri, srv->cfg.store_flags, &s, err);

	if (r == 0 && (r = fw_store_set_data_key(s, srv->data_key, err)) < 0)
		fw_store_free(s);
	if (r == 0)
		*ret = s;
	return r;
}

static int load_server(struct server *srv, struct server_config *cfg)
{
	char path[PATH_MAX + 32], val[256];
	struct fw_store *s = NULL;
	struct fw_error err = {0};
	int r;

	memset(srv, 0, sizeof(*srv));
	srv->cfg = *cfg;
	srv->dir_lock = -1;
	snprintf(path, sizeof(path), "%s/token.key", cfg->data_dir);
	r = fw_key_file_load(path, srv->token_key);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot load the token key '%s': %s%s\n", path, fw_strerror(r),
		        r == FW_EPERM ? " (the file must be mode 0600)" : "");
		return r;
	}
	snprintf(path, sizeof(path), "%s/mark.key", cfg->data_dir);
	r = fw_key_file_load(path, srv->mark_key);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot load the fingerprinting key '%s': %s%s\n", path,
		        fw_strerror(r), r == FW_EPERM ? " (the file must be mode 0600)" : "");
		return r;
	}
	/* Held while the server runs: a data key rotation cannot start under it, nor it under a rotation. */
	srv->dir_lock = datakey_lock("forewarn", cfg->data_dir, 0);
	if (srv->dir_lock < 0)
		return srv->dir_lock;
	snprintf(srv->store_uri, sizeof(srv->store_uri), "sqlite:%s/forewarn.db", cfg->data_dir);
	r = fw_store_open(srv->store_uri, cfg->store_flags, &s, &err);
	if (r < 0) {
		fprintf(stderr, "forewarn: %s\n", err.message);
		return r;
	}
	/* The first connection, alone: it may finish an interrupted key rotation before the others open. */
	r = datakey_attach("forewarn", cfg->data_dir, s, &srv->data_key);
	if (r < 0) {
		fw_store_free(s);
		return r;
	}
	snprintf(srv->publisher_name, sizeof(srv->publisher_name), "Forewarn operator");
	snprintf(srv->publisher_namespace, sizeof(srv->publisher_namespace), "https://forewarn.example");
	if (fw_store_meta_get(s, "publisher_name", val, sizeof(val)) == 0)
		snprintf(srv->publisher_name, sizeof(srv->publisher_name), "%s", val);
	if (fw_store_meta_get(s, "publisher_namespace", val, sizeof(val)) == 0)
		snprintf(srv->publisher_namespace, sizeof(srv->publisher_namespace), "%s", val);
	r = fw_store_meta_get(s, "log_origin", srv->log_origin, sizeof(srv->log_origin));
	fw_store_free(s);
	if (r < 0) {
		fprintf(stderr, "forewarn: the data directory '%s' has no log origin: %s\n", cfg->data_dir,
		        fw_strerror(r));
		return r;
	}
	if (!cfg->plain_http) {
		r = fw_tls_files_load(cfg->tls_cert, cfg->tls_key, fw_time_now(), &srv->tls_cert_pem,
		                      &srv->tls_key_pem, &err);
		if (r < 0) {
			fprintf(stderr, "forewarn: %s\n", err.message[0] ? err.message : fw_strerror(r));
			return r;
		}
	}
	{
		char skey[FW_NOTE_SKEY_MAX];
		snprintf(path, sizeof(path), "%s/log.key", cfg->data_dir);
		r = fw_secret_file_read(path, skey, sizeof(skey));
		if (r == 0)
			r = fw_note_signer_new(skey, &srv->log_signer, &err);
		fw_crypto_wipe(skey, sizeof(skey));
		if (r < 0) {
			fprintf(stderr, "forewarn: cannot load the log key '%s': %s%s\n", path,
			        fw_strerror(r), r == FW_EPERM ? " (the file must be mode 0600)" : "");
			return r;
		}
		fw_note_signer_vkey(srv->log_signer, srv->log_vkey);
	}
	{
		/* Copies are signed with their own key, never the log's (docs/formats.md, "Signatures"). */
		unsigned char pk[FW_ED25519_PUBLIC_BYTES];
		struct fw_buf doc;
		snprintf(path, sizeof(path), "%s/sign.key", cfg->data_dir);
		r = fw_signer_load(path, &srv->signer);
		if (r < 0) {
			fprintf(stderr, "forewarn: cannot load the signing key '%s': %s%s\n", path,
			        fw_strerror(r),
			        r == FW_EPERM    ? " (the file must be mode 0600)"
			        : r == FW_ENOENT ? " (a data directory made by an older 'forewarn init')"
			                         : "");
			return r;
		}
		fw_signer_public(srv->signer, pk);
		fw_buf_init(&doc, sizeof(srv->sign_key_doc) - 1);
		r = fw_sign_key_write(pk, &doc);
		if (r == 0)
			memcpy(srv->sign_key_doc, doc.data, doc.len + 1);
		fw_buf_release(&doc);
		if (r < 0)
			return r;
	}
	return 0;
}

static void release_server(struct server *srv)
{
	fw_crypto_wipe(srv->token_key, sizeof(srv->token_key));
	fw_crypto_wipe(srv->mark_key, sizeof(srv->mark_key));
	fw_note_signer_free(srv->log_signer);
	srv->log_signer = NULL;
	free(srv->tls_cert_pem);
	fw_tls_key_free(srv->tls_key_pem);
	srv->tls_cert_pem = srv->tls_key_pem = NULL;
	fw_data_key_free(srv->data_key);
	srv->data_key = NULL;
	if (srv->dir_lock >= 0)
		close(srv->dir_lock);
	srv->dir_lock = -1;
	fw_signer_free(srv->signer);
	srv->signer = NULL;
}

int log_checkpoint(struct server *srv, struct fw_store *s, char **ret, uint64_t *ret_size)
{
	return fw_log_checkpoint(s, srv->log_signer, srv->log_origin, ret, ret_size);
}

int server_check(struct server_config *cfg)
{
	static struct server srv;
	int r = load_server(&srv, cfg);

	release_server(&srv);
	return r;
}

int server_run(struct server_config *cfg)
{
	static struct server srv;
	struct sockaddr_in sin;
	struct MHD_Daemon *d = NULL;
	struct sigaction sa;
	sigset_t block, old;
	int r, masked = 0;

	policy_lock_init();
	r = load_server(&srv, cfg);
	if (r < 0)
		goto out;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(cfg->port);
	if (inet_pton(AF_INET, cfg->listen_addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "forewarn: cannot listen on '%s': not an IPv4 address\n", cfg->listen_addr);
		r = FW_EINVAL;
		goto out;
	}
	/*
	 * SIGINT and SIGTERM stay blocked in every thread (threads inherit the mask) and are taken only by
	 * the main thread's sigsuspend: a stop request can neither slip in before the wait nor land
	 * elsewhere.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	masked = 1;
	r = recorder_start(&srv, &srv.recorder);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot start the download recorder: %s\n", fw_strerror(r));
		goto out;
	}
	/* Before the scheduler, which wakes it after each release. */
	r = webhook_start(&srv, &srv.webhook);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot start the webhook sender: %s\n", fw_strerror(r));
		goto out;
	}
	r = authlimit_new(&cfg->limits, &srv.authlimit);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot start the authentication limiter: %s\n", fw_strerror(r));
		goto out;
	}
	r = scheduler_start(&srv, &srv.sched);
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot start the scheduler: %s\n", fw_strerror(r));
		goto out;
	}
	/*
	 * HTTPS: TLS 1.2 and 1.3 only. The trust list (the server's own certificate) makes MHD request a
	 * client certificate, optionally; it is never used to verify one: auth_cert.c matches fingerprints
	 * instead.
	 */
	struct MHD_OptionItem tls_opts[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, srv.tls_cert_pem},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, srv.tls_key_pem},
	    {MHD_OPTION_HTTPS_MEM_TRUST, 0, srv.tls_cert_pem},
	    {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
	    {MHD_OPTION_END, 0, NULL},
	};
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                         MHD_ALLOW_SUSPEND_RESUME | (srv.tls_cert_pem ? MHD_USE_TLS : 0),
	                     cfg->port, NULL, NULL, handle, &srv, MHD_OPTION_ARRAY,
	                     srv.tls_cert_pem ? tls_opts : tls_opts + 4, MHD_OPTION_SOCK_ADDR,
	                     (struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	                     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
	                     notify_connection, &srv, MHD_OPTION_CONNECTION_LIMIT, cfg->limits.conn_max,
	                     MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->limits.conn_per_ip,
	                     MHD_OPTION_CONNECTION_TIMEOUT, cfg->limits.idle_timeout,
	                     MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->limits.header_max, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "forewarn: cannot listen on %s:%u: %s\n", cfg->listen_addr, cfg->port,
		        strerror(errno));
		r = FW_EIO;
		goto out;
	}
	srv.mhd = d;
	if (cfg->port == 0) {
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		if (di)
			cfg->port = di->port;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("forewarn: listening on %s://%s:%u/\n", srv.tls_cert_pem ? "https" : "http", cfg->listen_addr,
	       cfg->port);
	fflush(stdout);
	while (!stop_requested)
		sigsuspend(&old);
	fprintf(stderr, "forewarn: shutting down\n");
	r = 0;
out:
	/* Record and resume every waiting download before the daemon stops (MHD requires none suspended). */
	recorder_stop(srv.recorder);
	if (d)
		MHD_stop_daemon(d);
	recorder_free(srv.recorder);
	scheduler_stop(srv.sched);
	webhook_stop(srv.webhook);
	pthread_rwlock_destroy(&policy_lock); /* the webhook sender holds it too: only once it has stopped */
	authlimit_free(srv.authlimit);
	srv.authlimit = NULL;
	cache_release_all();
	inbox_list_release_all();
	pthread_mutex_lock(&stores_lock);
	for (size_t i = 0; i < nstores; i++)
		fw_store_free(stores[i]);
	nstores = 0;
	pthread_mutex_unlock(&stores_lock);
	release_server(&srv);
	if (masked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
