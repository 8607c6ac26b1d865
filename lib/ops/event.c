/*
 * The one place events are made: every state change, release and download passes through fw_event_emit,
 * inside the transaction of the act it records. The transparency log will consume this stream.
 */
#include <stdarg.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/ops.h"
#include "forewarn/timeutil.h"

int fw_event_emit(struct fw_store *s, const char *type, const char *actor, const char *subject,
                  const char *detail)
{
	struct fw_event e;

	memset(&e, 0, sizeof(e));
	e.at_ms = fw_time_now_ms();
	/* Callers pass fixed type names and bounded ids; truncation here would be a bug, not input. */
	strncpy(e.type, type, sizeof(e.type) - 1);
	strncpy(e.actor, actor ? actor : "", sizeof(e.actor) - 1);
	strncpy(e.subject, subject ? subject : "", sizeof(e.subject) - 1);
	if (detail && strlen(detail) >= sizeof(e.detail))
		return FW_ETOOBIG;
	strcpy(e.detail, detail && detail[0] ? detail : "{}");
	return fw_store_event_insert(s, &e, NULL);
}

int fw_event_emitkv(struct fw_store *s, const char *type, const char *actor, const char *subject, ...)
{
	struct fw_buf b;
	const char *k;
	va_list ap;
	int r, first = 1;

	fw_buf_init(&b, 511);
	r = fw_buf_puts(&b, "{");
	va_start(ap, subject);
	while (r == 0 && (k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		r = fw_buf_puts(&b, first ? "" : ",");
		if (r == 0)
			r = fw_json_string_write(k, &b);
		if (r == 0)
			r = fw_buf_puts(&b, ":");
		if (r == 0)
			r = fw_json_string_write(v ? v : "", &b);
		first = 0;
	}
	va_end(ap);
	if (r == 0)
		r = fw_buf_puts(&b, "}");
	if (r == 0)
		r = fw_event_emit(s, type, actor, subject, b.data);
	fw_buf_release(&b);
	return r;
}
