/*
 * Thin wrappers over libsodium: randomness, bearer tokens and their keyed hashes, key files.
 * Secrets are wiped on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "forewarn/crypto.h"

int fw_crypto_init(void)
{
	return sodium_init() < 0 ? FW_ECRYPTO : 0;
}

void fw_crypto_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

void fw_crypto_hex(const void *bin, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bin, n);
}

void fw_token_generate(char out[FW_TOKEN_LEN])
{
	unsigned char raw[FW_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "fw_", 3);
	sodium_bin2base64(out + 3, FW_TOKEN_LEN - 3, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void fw_token_hash(const unsigned char key[FW_KEY_BYTES], const char *token, size_t len,
                   unsigned char out[FW_HASH_BYTES])
{
	crypto_generichash(out, FW_HASH_BYTES, (const unsigned char *)token, len, key, FW_KEY_BYTES);
}

int fw_crypto_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void fw_crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void fw_sha256(const void *p, size_t n, unsigned char out[32])
{
	crypto_hash_sha256(out, p, n);
}

int fw_key_file_create(const char *path)
{
	unsigned char key[FW_KEY_BYTES];
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? FW_EEXIST : FW_EIO;
	randombytes_buf(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) < 0)
		r = FW_EIO;
	sodium_memzero(key, sizeof(key));
	if (close(fd) < 0)
		r = FW_EIO;
	if (r < 0)
		unlink(path);
	return r;
}

int fw_key_file_load(const char *path, unsigned char ret[FW_KEY_BYTES])
{
	unsigned char key[FW_KEY_BYTES + 1];
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? FW_ENOENT : FW_EIO;
	if (fstat(fd, &st) < 0) {
		r = FW_EIO;
		goto out;
	}
	/* A key others can read is a leaked key: refuse it rather than use it. */
	if (st.st_mode & 077) {
		r = FW_EPERM;
		goto out;
	}
	n = read(fd, key, sizeof(key));
	if (n != FW_KEY_BYTES) {
		r = FW_EINVAL;
		goto out;
	}
	memcpy(ret, key, FW_KEY_BYTES);
out:
	sodium_memzero(key, sizeof(key));
	close(fd);
	return r;
}
