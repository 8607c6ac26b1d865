/* Bounded growable buffers (in the manner of curl's dynbuf): appends past the maximum fail cleanly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/buf.h"

void fw_buf_init(struct fw_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void fw_buf_release(struct fw_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void fw_buf_reset(struct fw_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int grow(struct fw_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->max && (need > b->max || b->len > b->max - need))
		return FW_ETOOBIG;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1) {
		if (cap > (size_t)-1 / 2)
			return FW_ENOMEM;
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (!p)
		return FW_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int fw_buf_append(struct fw_buf *b, const void *p, size_t n)
{
	int r = grow(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int fw_buf_puts(struct fw_buf *b, const char *s)
{
	return fw_buf_append(b, s, strlen(s));
}

int fw_buf_printf(struct fw_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n, r;

	/* One pass when the text fits the room already there (the common case), a second after growing. */
	room = b->cap > b->len ? b->cap - b->len : 0;
	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FW_EINVAL;
	if ((size_t)n < room) {
		if (b->max && b->len + (size_t)n > b->max) {
			b->data[b->len] = '\0'; /* over the limit: as if nothing was written */
			return FW_ETOOBIG;
		}
		b->len += (size_t)n;
		return 0;
	}
	r = grow(b, (size_t)n);
	if (r < 0) {
		if (b->data)
			b->data[b->len] = '\0';
		return r;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int fw_buf_steal(struct fw_buf *b, char **ret, size_t *ret_len)
{
	if (!b->data) {
		int r = grow(b, 0);
		if (r < 0)
			return r;
		b->data[0] = '\0';
	}
	*ret = b->data;
	if (ret_len)
		*ret_len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return 0;
}
