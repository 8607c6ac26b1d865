/*
 * The client's HTTP transport on libcurl: one request per call, http:// and https:// only, no redirects,
 * connect timeout 10 s and total 120 s, answers bounded at 64 MiB, TLS peers verified (against --cacert when
 * given), a client certificate presented when given. The token goes only into the Authorization header; it is
 * never printed, not even in error messages.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
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
