/*
 * The partner inbox's list (src/inbox_list.c): every visible advisory, read and decrypted once and shared by
 * every server thread until the next admin write (cache_generation).
 */
#ifndef FW_SRC_INBOX_LIST_H
#define FW_SRC_INBOX_LIST_H

#include "forewarn/buf.h"
#include "forewarn/policy.h"
#include "forewarn/store.h"

struct inbox_list;

/* inbox_list_get: the current list (built from s when the generation moved on); release it with
 * inbox_list_put. A negative FW_E* code when the store cannot be read. Thread-safe. */
FW_WUR int inbox_list_get(struct fw_store *s, struct inbox_list **ret);
void inbox_list_put(struct inbox_list *l);
/* inbox_list_write: the items partner p may see at `now`, comma-separated, in id order (the inbox's
 * "advisories" array without its brackets). */
FW_WUR int inbox_list_write(const struct inbox_list *l, const struct fw_policy_ctx *ctx,
                            const struct fw_partner *p, int64_t now, struct fw_buf *out);
/* inbox_list_release_all: drops the shared list (at shutdown, when no request runs). */
void inbox_list_release_all(void);

#endif
