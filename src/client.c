/*
 * Outgoing HTTP on libcurl. The client's transport: one request per call, http:// and https:// only, no
 * redirects, connect timeout 10 s and total 120 s, answers bounded at 64 MiB, TLS peers verified (against
 * --cacert when given), a client certificate presented when given; the token goes only into the
 * Authorization header and is never printed, not even in error messages. The server's webhook POSTs: a pool
 * of concurrent transfers on curl's multi interface, driven by one thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include "forewarn/webhook.h"
#include "client.h"

#define URL_MAX 8192

static const char *tls_cacert, *tls_cert, *tls_key;

void http_tls_set(const char *cacert, const char *cert, const char *key)
{
	tls_cacert = cacert;
	tls_cert = cert;
	tls_key = key;
}

struct sink {
	struct fw_buf *buf;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	int r = fw_buf_append(s->buf, p, size * n);

	if (r < 0) {
		s->too_big = r == FW_ETOOBIG;
		return 0; /* aborts the transfer */
	}
	return size * n;
}

/* A token must be one header-safe word: printable ASCII without spaces (no header injection). */
static int token_ok(const char *t)
{
	for (; *t; t++)
		if (*t < 0x21 || *t > 0x7e)
			return 0;
	return 1;
}

static int fail(char *errbuf, int code, const char *msg)
{
	snprintf(errbuf, HTTP_ERRBUF_SIZE, "%s", msg);
	return code;
}

int http_call(const char *method, const char *url_base, const char *path, const char *token, const char *body,
              size_t len, long *ret_status, struct fw_buf *ret_body, char errbuf[HTTP_ERRBUF_SIZE])
{
	char url[URL_MAX], cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL, *h;
	struct sink sink = {ret_body, 0};
	CURLcode rc;
	CURL *curl;
	long status = 0;
	int r = 0;

	fw_buf_release(ret_body);
	fw_buf_init(ret_body, HTTP_RESPONSE_MAX);
	if (strncasecmp(url_base, "http://", 7) != 0 && strncasecmp(url_base, "https://", 8) != 0)
		return fail(errbuf, FW_EINVAL, "the URL must start with http:// or https://");
	if ((size_t)snprintf(url, sizeof(url), "%s%s", url_base, path) >= sizeof(url))
		return fail(errbuf, FW_EINVAL, "the URL is too long");
	if (token && !token_ok(token))
		return fail(errbuf, FW_EINVAL, "the token holds spaces or characters that are not ASCII");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return fail(errbuf, FW_ENOMEM, "cannot initialise libcurl");
	curl = curl_easy_init();
	if (!curl) {
		r = fail(errbuf, FW_ENOMEM, "cannot initialise libcurl");
		goto out;
	}
	/* Without "Expect:" curl waits for 100-continue before large bodies; without a body, no form type. */
	headers = curl_slist_append(NULL, "Expect:");
	h = headers
	        ? curl_slist_append(headers, body && len ? "Content-Type: application/json" : "Content-Type:")
	        : NULL;
	if (!h) {
		r = fail(errbuf, FW_ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_RESPONSE_MAX);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "forewarn/0.1.0");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	/* Peers are always verified (curl's default); the CA may be the server's own self-signed certificate.
	 */
	if (tls_cacert)
		curl_easy_setopt(curl, CURLOPT_CAINFO, tls_cacert);
	if (tls_cert) {
		curl_easy_setopt(curl, CURLOPT_SSLCERT, tls_cert);
		curl_easy_setopt(curl, CURLOPT_SSLKEY, tls_key ? tls_key : tls_cert);
	}
	if (token) {
		curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, token);
	}
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	} else {
		if (body) {
			curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		}
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		*ret_status = status;
	} else if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		r = fail(errbuf, FW_ETOOBIG, "the answer exceeds 64 MiB");
	} else {
		r = fail(errbuf, rc == CURLE_OUT_OF_MEMORY ? FW_ENOMEM : FW_EIO,
		         cerr[0] ? cerr : curl_easy_strerror(rc));
	}
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return r;
}

/* The webhook pool: each transfer keeps its own headers and error text until it is reported. */
struct transfer {
	struct transfer *prev, *next;
	CURL *easy;
	struct curl_slist *headers;
	int64_t tag;
	int public_only;
	char refused[INET6_ADDRSTRLEN]; /* the address it would not connect to, if any */
	char err[CURL_ERROR_SIZE];
};

struct http_pool {
	CURLM *multi;
	struct transfer *head;
	int proxied; /* a proxy from the environment carries https:// traffic */
};

static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && v[0];
}

/*
 * open_socket: curl's socket for each address it tries. A partner's own webhook gets none for an address
 * that is not public: a name may lead anywhere (or change where it leads after it was registered), so the
 * address is checked here, where the connection is made, not only the URL when it was registered.
 */
static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct transfer *t = ctx;
	const unsigned char *ip = NULL;
	size_t len = 0;

	(void)purpose;
	if (a->family == AF_INET && a->addrlen >= sizeof(struct sockaddr_in)) {
		ip = (const unsigned char *)&((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
		len = 4;
	} else if (a->family == AF_INET6 && a->addrlen >= sizeof(struct sockaddr_in6)) {
		ip = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
		len = 16;
	}
	if (t->public_only && !(ip && fw_webhook_address_public(ip, len))) {
		if (!ip || !inet_ntop(a->family, ip, t->refused, sizeof(t->refused)))
			snprintf(t->refused, sizeof(t->refused), "a non-IP address");
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

int http_pool_new(struct http_pool **ret)
{
	struct http_pool *p;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return FW_ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->multi = curl_multi_init())) {
		free(p);
		curl_global_cleanup();
		return FW_ENOMEM;
	}
	p->proxied =
	    env_set("https_proxy") || env_set("HTTPS_PROXY") || env_set("all_proxy") || env_set("ALL_PROXY");
	*ret = p;
	return 0;
}

static void transfer_free(struct http_pool *p, struct transfer *t)
{
	curl_multi_remove_handle(p->multi, t->easy);
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	if (t->prev)
		t->prev->next = t->next;
	else
		p->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

/* The receiver's answer is not kept: its status says everything. */
static size_t drop(char *ptr, size_t size, size_t n, void *ctx)
{
	(void)ptr;
	(void)ctx;
	return size * n;
}

int http_pool_add(struct http_pool *p, const struct http_post *req, char errbuf[HTTP_ERRBUF_SIZE])
{
	struct transfer *t = calloc(1, sizeof(*t));
	struct curl_slist *h;
	int ok = 1;

	if (!t || !(t->easy = curl_easy_init())) {
		free(t);
		return fail(errbuf, FW_ENOMEM, "out of memory");
	}
	t->tag = req->tag;
	t->public_only = req->public_only && !p->proxied;
	/* Without "Expect:" curl would wait for 100-continue before a large body. */
	t->headers = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; t->headers && req->headers && req->headers[i]; i++) {
		if (!(h = curl_slist_append(t->headers, req->headers[i]))) {
			ok = 0;
			break;
		}
		t->headers = h;
	}
	if (!ok || !t->headers) {
		curl_slist_free_all(t->headers);
		curl_easy_cleanup(t->easy);
		free(t);
		return fail(errbuf, FW_ENOMEM, "out of memory");
	}
	curl_easy_setopt(t->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	/* A proxy from the environment may carry the traffic out, never the loopback receivers'. */
	curl_easy_setopt(t->easy, CURLOPT_NOPROXY, "localhost,127.0.0.0/8,::1");
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "forewarn-webhook/0.1.0");
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	curl_easy_setopt(t->easy, CURLOPT_COPYPOSTFIELDS, req->body ? req->body : "");
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, drop);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->err);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(t->easy, CURLOPT_OPENSOCKETDATA, t);
	t->next = p->head;
	if (p->head)
		p->head->prev = t;
	p->head = t;
	if (curl_multi_add_handle(p->multi, t->easy) != CURLM_OK) {
		transfer_free(p, t);
		return fail(errbuf, FW_EIO, "cannot start the transfer");
	}
	return 0;
}

static size_t reap(struct http_pool *p, http_done_fn done, void *ctx)
{
	struct transfer *t;
	CURLMsg *m;
	size_t n = 0;
	int left;

	while ((m = curl_multi_info_read(p->multi, &left))) {
		long status = 0;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (m->data.result == CURLE_OK) {
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
			done(ctx, t->tag, status, NULL);
		} else if (t->refused[0] && m->data.result == CURLE_COULDNT_CONNECT) {
			char why[HTTP_ERRBUF_SIZE];
			snprintf(why, sizeof(why),
			         "refused to connect to %s: a partner's own webhook may lead only to public "
			         "addresses",
			         t->refused);
			done(ctx, t->tag, 0, why);
		} else {
			done(ctx, t->tag, 0, t->err[0] ? t->err : curl_easy_strerror(m->data.result));
		}
		transfer_free(p, t);
		n++;
	}
	return n;
}

size_t http_pool_run(struct http_pool *p, int wait_ms, http_done_fn done, void *ctx)
{
	size_t n = 0;
	int running = 0;

	curl_multi_perform(p->multi, &running);
	if (reap(p, done, ctx) == 0) {
		curl_multi_poll(p->multi, NULL, 0, wait_ms < 0 ? 0 : wait_ms, NULL);
		curl_multi_perform(p->multi, &running);
		reap(p, done, ctx);
	}
	for (struct transfer *t = p->head; t; t = t->next)
		n++;
	return n;
}

void http_pool_wake(struct http_pool *p)
{
	if (p)
		curl_multi_wakeup(p->multi);
}

void http_pool_free(struct http_pool *p)
{
	if (!p)
		return;
	while (p->head)
		transfer_free(p, p->head);
	curl_multi_cleanup(p->multi);
	free(p);
	curl_global_cleanup();
}
