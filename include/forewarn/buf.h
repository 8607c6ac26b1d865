/* Bounded growable byte buffers: every buffer fed from outside has a maximum size. */
#ifndef FW_BUF_H
#define FW_BUF_H

#include <stddef.h>
#include "forewarn/err.h"

struct fw_buf {
	char *data; /* always NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t max; /* appends that would exceed max fail with FW_ETOOBIG; 0 = no limit */
};

/* fw_buf_init: empty buffer that may grow to max bytes (0 = unbounded, for internal data only). */
void fw_buf_init(struct fw_buf *b, size_t max);
/* fw_buf_release: frees the storage; b may be re-initialised. Accepts a zeroed buffer. */
void fw_buf_release(struct fw_buf *b);
/* fw_buf_reset: length back to 0, storage kept. */
void fw_buf_reset(struct fw_buf *b);
FW_WUR int fw_buf_append(struct fw_buf *b, const void *p, size_t n);
FW_WUR int fw_buf_puts(struct fw_buf *b, const char *s);
FW_WUR int fw_buf_printf(struct fw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fw_buf_steal: hands the NUL-terminated data to the caller (free() it) and empties b. Never NULL on success.
 */
FW_WUR int fw_buf_steal(struct fw_buf *b, char **ret, size_t *ret_len);

#endif
