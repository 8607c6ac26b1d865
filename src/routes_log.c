/*
 * Transparency log routes (admin or partner token): the verifier key, the latest signed checkpoint, the
 * entries, inclusion and consistency proofs, and receipts for downloaded copies (docs/log.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/json.h"
#include "forewarn/log.h"
#include "server.h"

#define ENTRIES_MAX 1000 /* entries per answer */

/* query_u64: ?key= as a whole number into *ret; 1 if present and valid, 0 if absent, -1 if malformed. */
static int query_u64(struct request *rq, const char *key, uint64_t *ret)
{
	const char *v = request_query(rq, key);
	char *end;
	unsigned long long n;

	if (!v)
		return 0;
	if (*v < '0' || *v > '9')
		return -1;
	n = strtoull(v, &end, 10);
	if (*end || n > INT64_MAX)
		return -1;
	*ret = n;
	return 1;
}

static int bad(struct request *rq, const char *field, const char *message)
{
	return reply_error(rq, 400, "invalid", field, message);
}

static int b64(struct fw_buf *out, const void *p, size_t n)
{
	char s[64];

	if (n > 32)
		return FW_EINVAL;
	fw_base64_encode(p, n, s);
	return fw_buf_printf(out, "\"%s\"", s);
}

static int proof_json(struct fw_buf *out, const unsigned char *proof, size_t len)
{
	int r = fw_buf_puts(out, "[");

	for (size_t i = 0; r == 0 && i < len; i++) {
		r = i ? fw_buf_puts(out, ",") : 0;
		if (r == 0)
			r = b64(out, proof + i * FW_MERKLE_HASH_BYTES, FW_MERKLE_HASH_BYTES);
	}
	return r == 0 ? fw_buf_puts(out, "]") : r;
}

static int log_key(struct request *rq)
{
	rq->status = 200;
	rq->content_type = "text/plain; charset=utf-8";
	return fw_buf_printf(&rq->out, "%s\n", rq->srv->log_vkey);
}

static int log_checkpoint_route(struct request *rq)
{
	uint64_t size;
	char *note;
	int r = log_checkpoint(rq->srv, rq->store, &note, &size);

	if (r < 0)
		return r;
	r = fw_buf_puts(&rq->out, note);
	free(note);
	rq->status = 200;
	rq->content_type = "text/plain; charset=utf-8";
	return r;
}

struct entries_ctx {
	struct request *rq;
	size_t n;
};

static int entry_json(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct entries_ctx *c = ctx;
	char *s = malloc(fw_base64_encoded_len(len) + 1);
	int r;

	if (!s)
		return FW_ENOMEM;
	fw_base64_encode(entry, len, s);
	r = fw_buf_printf(&c->rq->out, "%s{\"index\":%llu,\"data\":\"%s\"}", c->n++ ? "," : "",
	                  (unsigned long long)index, s);
	free(s);
	return r;
}

/* The entries themselves, base64 of their exact bytes: ?start=N&end=M (at most 1000). */
static int log_entries(struct request *rq)
{
	struct entries_ctx c = {rq, 0};
	uint64_t start = 0, end, size;
	int r, has_end;

	r = fw_store_log_size(rq->store, &size);
	if (r < 0)
		return r;
	if (query_u64(rq, "start", &start) < 0)
		return bad(rq, "start", "start must be a whole number");
	has_end = query_u64(rq, "end", &end);
	if (has_end < 0 || (has_end && end < start))
		return bad(rq, "end", "end must be a whole number not below start");
	if (!has_end || end > size)
		end = size;
	if (end > start && end - start > ENTRIES_MAX)
		end = start + ENTRIES_MAX;
	r = fw_buf_printf(&rq->out, "{\"size\":%llu,\"entries\":[", (unsigned long long)size);
	if (r == 0 && start < end)
		r = fw_store_log_entry_each(rq->store, start, end, entry_json, &c);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "]}");
	return r < 0 ? r : reply_json(rq, 200);
}

/* ?index=N&size=M: the inclusion proof of entry N in the tree of M entries (default: the log's size). */
static int log_inclusion(struct request *rq)
{
	unsigned char proof[FW_MERKLE_PROOF_BYTES], leaf[FW_MERKLE_HASH_BYTES];
	uint64_t index, size;
	size_t len;
	int r;

	uint64_t log_size;
	int has;

	has = query_u64(rq, "index", &index);
	if (has != 1)
		return bad(rq, "index",
		           has ? "index must be a whole number" : "index is required: the entry's index");
	r = fw_store_log_size(rq->store, &log_size);
	if (r < 0)
		return r;
	size = log_size;
	if (query_u64(rq, "size", &size) < 0 || size > log_size)
		return bad(rq, "size", "size must be a whole number, at most the log's size");
	if (index >= size)
		return bad(rq, "index", "index must be below size");
	r = fw_log_inclusion_proof(rq->store, index, size, proof, &len);
	if (r == 0)
		r = fw_store_log_node_get(rq->store, 0, index, leaf);
	if (r == 0)
		r = fw_buf_printf(&rq->out,
		                  "{\"index\":%llu,\"size\":%llu,\"leaf_hash\":", (unsigned long long)index,
		                  (unsigned long long)size);
	if (r == 0)
		r = b64(&rq->out, leaf, sizeof(leaf));
	if (r == 0)
		r = fw_buf_puts(&rq->out, ",\"proof\":");
	if (r == 0)
		r = proof_json(&rq->out, proof, len);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "}");
	return r < 0 ? r : reply_json(rq, 200);
}

/* ?old=N&new=M: the consistency proof between the trees of N and M entries. */
static int log_consistency(struct request *rq)
{
	unsigned char proof[FW_MERKLE_PROOF_BYTES];
	uint64_t old_size, new_size;
	size_t len;
	int r;

	uint64_t log_size;

	if (query_u64(rq, "old", &old_size) != 1)
		return bad(rq, "old", "old is required: a tree size, a whole number");
	if (query_u64(rq, "new", &new_size) != 1)
		return bad(rq, "new", "new is required: a tree size, a whole number");
	r = fw_store_log_size(rq->store, &log_size);
	if (r < 0)
		return r;
	if (new_size > log_size)
		return bad(rq, "new", "new must be at most the log's size");
	if (old_size == 0 || old_size > new_size)
		return bad(rq, "old", "old must be above 0 and at most new");
	r = fw_log_consistency_proof(rq->store, old_size, new_size, proof, &len);
	if (r == 0)
		r = fw_buf_printf(&rq->out,
		                  "{\"old\":%llu,\"new\":%llu,\"proof\":", (unsigned long long)old_size,
		                  (unsigned long long)new_size);
	if (r == 0)
		r = proof_json(&rq->out, proof, len);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "}");
	return r < 0 ? r : reply_json(rq, 200);
}

static int receipt_entry(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct request *rq = ctx;

	return entry_json(&(struct entries_ctx){rq, 0}, index, entry, len);
}

/*
 * ?index=N: everything to check offline that entry N is in the log: the entry, a signed checkpoint that
 * includes it, and the inclusion proof to that checkpoint (`forewarn log verify-receipt`).
 */
static int log_receipt(struct request *rq)
{
	unsigned char proof[FW_MERKLE_PROOF_BYTES];
	uint64_t index, size;
	char *note = NULL;
	size_t len;
	int r;

	int has = query_u64(rq, "index", &index);

	if (has != 1)
		return bad(rq, "index",
		           has ? "index must be a whole number"
		               : "index is required: the entry's index (the Forewarn-Log-Index header)");
	r = log_checkpoint(rq->srv, rq->store, &note, &size);
	if (r < 0)
		return r;
	if (index >= size) {
		free(note);
		return bad(rq, "index", "no such entry");
	}
	r = fw_log_inclusion_proof(rq->store, index, size, proof, &len);
	if (r == 0)
		r = fw_buf_printf(&rq->out, "{\"index\":%llu,\"size\":%llu", (unsigned long long)index,
		                  (unsigned long long)size);
	if (r == 0)
		r = fw_buf_puts(&rq->out, ",\"entry\":");
	if (r == 0)
		r = fw_store_log_entry_each(rq->store, index, index + 1, receipt_entry, rq);
	if (r == 0)
		r = fw_buf_puts(&rq->out, ",\"checkpoint\":");
	if (r == 0)
		r = fw_json_string_write(note, &rq->out);
	if (r == 0)
		r = fw_buf_puts(&rq->out, ",\"proof\":");
	if (r == 0)
		r = proof_json(&rq->out, proof, len);
	if (r == 0)
		r = fw_buf_puts(&rq->out, "}");
	free(note);
	return r < 0 ? r : reply_json(rq, 200);
}

const struct route log_routes[] = {
    {"GET", "/api/v1/log/key", ROLE_ANY, log_key, 0},
    {"GET", "/api/v1/log/checkpoint", ROLE_ANY, log_checkpoint_route, 0},
    {"GET", "/api/v1/log/entries", ROLE_ANY, log_entries, 0},
    {"GET", "/api/v1/log/proof/inclusion", ROLE_ANY, log_inclusion, 0},
    {"GET", "/api/v1/log/proof/consistency", ROLE_ANY, log_consistency, 0},
    {"GET", "/api/v1/log/receipt", ROLE_ANY, log_receipt, 0},
    {NULL, NULL, ROLE_NONE, NULL, 0},
};
