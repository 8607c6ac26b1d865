/*
 * log_rewrite, a helper of tests/cli/test_log.sh: plays a dishonest operator who rewrites history. It copies
 * every log entry of SRC/forewarn.db into DST/forewarn.db (whose log tables the script has emptied), with
 * entry K changed (the first FROM replaced by TO), rebuilding every subtree hash with fw_log_append, then
 * signs a fresh checkpoint with DST/log.key: a log that verifies on its own, but is not the one it was.
 * Usage: log_rewrite SRC DST K FROM TO; prints the new checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/crypto.h"
#include "forewarn/log.h"

struct entries {
	char **data;
	size_t *len;
	size_t n, cap;
};

static int collect(void *ctx, uint64_t index, const void *entry, size_t len)
{
	struct entries *e = ctx;

	if (index != e->n)
		return FW_EINVAL;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		char **d = realloc(e->data, cap * sizeof(*d));
		size_t *l = d ? realloc(e->len, cap * sizeof(*l)) : NULL;
		if (d)
			e->data = d;
		if (!d || !l)
			return FW_ENOMEM;
		e->len = l;
		e->cap = cap;
	}
	e->data[e->n] = malloc(len + 1);
	if (!e->data[e->n])
		return FW_ENOMEM;
	memcpy(e->data[e->n], entry, len);
	e->data[e->n][len] = '\0';
	e->len[e->n++] = len;
	return 0;
}

/* Replaces the first from in entry k by to. */
static int rewrite(struct entries *e, size_t k, const char *from, const char *to)
{
	char *at = k < e->n ? strstr(e->data[k], from) : NULL, *s;
	size_t nf = strlen(from), nt = strlen(to), len;

	if (!at)
		return -1;
	len = e->len[k] - nf + nt;
	s = malloc(len + 1);
	if (!s)
		return -1;
	memcpy(s, e->data[k], (size_t)(at - e->data[k]));
	memcpy(s + (at - e->data[k]), to, nt);
	strcpy(s + (at - e->data[k]) + nt, at + nf);
	free(e->data[k]);
	e->data[k] = s;
	e->len[k] = len;
	return 0;
}

static struct fw_store *open_store(const char *dir)
{
	char uri[4200];
	struct fw_error err = {{0}, {0}};
	struct fw_store *s = NULL;

	snprintf(uri, sizeof(uri), "sqlite:%s/forewarn.db", dir);
	if (fw_store_open(uri, 0, &s, &err) < 0) {
		fprintf(stderr, "log_rewrite: %s\n", err.message);
		return NULL;
	}
	return s;
}

int main(int argc, char **argv)
{
	struct entries e = {NULL, NULL, 0, 0};
	struct fw_note_signer *signer = NULL;
	struct fw_error err = {{0}, {0}};
	struct fw_store *src = NULL, *dst = NULL;
	char skey[FW_NOTE_SKEY_MAX], origin[256], path[4200], *note = NULL;
	uint64_t size = 0, n;
	int r = -1;

	if (argc != 6) {
		fprintf(stderr, "usage: log_rewrite SRC DST K FROM TO\n");
		return 2;
	}
	if (fw_crypto_init() < 0 || !(src = open_store(argv[1])) || !(dst = open_store(argv[2])))
		goto out;
	if (fw_store_log_size(src, &size) < 0 || fw_store_log_entry_each(src, 0, size, collect, &e) < 0 ||
	    e.n != size) {
		fprintf(stderr, "log_rewrite: cannot read the entries of %s\n", argv[1]);
		goto out;
	}
	if (rewrite(&e, strtoull(argv[3], NULL, 10), argv[4], argv[5]) < 0) {
		fprintf(stderr, "log_rewrite: entry %s holds no '%s'\n", argv[3], argv[4]);
		goto out;
	}
	if (fw_store_log_size(dst, &n) < 0 || n != 0) {
		fprintf(stderr, "log_rewrite: the log of %s is not empty\n", argv[2]);
		goto out;
	}
	if (fw_store_begin(dst) < 0)
		goto out;
	for (size_t i = 0; i < e.n; i++)
		if (fw_log_append(dst, e.data[i], e.len[i], NULL) < 0) {
			fw_store_rollback(dst);
			fprintf(stderr, "log_rewrite: cannot append entry %zu\n", i);
			goto out;
		}
	if (fw_store_commit(dst) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/log.key", argv[2]);
	if (fw_secret_file_read(path, skey, sizeof(skey)) < 0 ||
	    fw_note_signer_new(skey, &signer, &err) < 0 ||
	    fw_store_meta_get(dst, "log_origin", origin, sizeof(origin)) < 0 ||
	    fw_log_checkpoint(dst, signer, origin, &note, &n) < 0) {
		fprintf(stderr, "log_rewrite: cannot sign a checkpoint with %s\n", path);
		goto out;
	}
	fputs(note, stdout);
	r = 0;
out:
	fw_crypto_wipe(skey, sizeof(skey));
	fw_note_signer_free(signer);
	free(note);
	for (size_t i = 0; i < e.n; i++)
		free(e.data[i]);
	free(e.data);
	free(e.len);
	fw_store_free(src);
	fw_store_free(dst);
	return r == 0 ? 0 : 1;
}
