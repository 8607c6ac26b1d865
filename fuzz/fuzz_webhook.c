/*
 * libFuzzer driver for webhook registrations: the bytes as a URL for fw_webhook_url_validate, and as a body
 * for fw_json_webhook_parse followed by the URL check, as PUT .../webhook does. An accepted URL must be
 * https:// (or http:// to loopback), printable ASCII, bounded, without user information or fragment; a
 * refusal must name the field and say why; the parser must leave its output untouched when it refuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "forewarn/json.h"
#include "forewarn/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const char *url)
{
	size_t n = strlen(url), auth;
	const char *host;

	if (n == 0 || n > FW_WEBHOOK_URL_MAX || strchr(url, '#'))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			abort();
	if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		abort();
	auth = strcspn(host, "/?");
	if (auth == 0 || memchr(host, '@', auth))
		abort();
	/* http:// only to loopback. */
	if (host == url + 7 && strncmp(host, "127.", 4) != 0 && strncasecmp(host, "localhost", 9) != 0 &&
	    strncmp(host, "[::1]", 5) != 0)
		abort();
}

static void check_refused(int r, const struct fw_error *err)
{
	if (r != FW_EINVAL || err->message[0] == '\0')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char url[FW_WEBHOOK_URL_MAX + 1], *text = malloc(size + 1);
	struct fw_error err;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* up to the first NUL, as a C string */
	memset(&err, 0, sizeof(err));
	r = fw_webhook_url_validate(text, &err);
	if (r == 0)
		check_accepted(text);
	else if (r != FW_EINVAL || strcmp(err.field, "url") != 0 || err.message[0] == '\0')
		abort();
	free(text);

	memset(url, 0x5a, sizeof(url));
	memset(&err, 0, sizeof(err));
	r = fw_json_webhook_parse((const char *)data, size, url, sizeof(url), NULL, &err);
	if (r < 0) {
		check_refused(r, &err);
		for (size_t i = 0; i < sizeof(url); i++)
			if (url[i] != 0x5a)
				abort();
		return 0;
	}
	if (!memchr(url, '\0', sizeof(url)))
		abort();
	memset(&err, 0, sizeof(err));
	r = fw_webhook_url_validate(url, &err);
	if (r == 0)
		check_accepted(url);
	else
		check_refused(r, &err);
	return 0;
}
