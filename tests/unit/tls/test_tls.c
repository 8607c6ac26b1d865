/* lib/tls: fingerprints as people write them, the self-signed pair, certificate parsing, server files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "forewarn/tls.h"

static void test_fingerprint_parse(void **state)
{
	const char *canon = "sha256:0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375";
	static const char *const same[] = {
	    "sha256:0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375",
	    "SHA256:0C:C2:2D:A8:CA:4D:B5:B6:23:01:15:A0:7D:86:F2:21:1B:E0:BE:35:18:0A:84:36:21:05:86:86:BE:"
	    "09:83:75",
	    "0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375",
	};
	static const char *const bad[] = {
	    "",
	    "sha256:",
	    "sha256:abcd",
	    "sha1:0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375",
	    "sha256:0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be09837",   /* 63 digits */
	    "sha256:0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be0983750", /* 65 */
	    "sha256:zcc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375",
	    "sha256: 0cc22da8ca4db5b6230115a07d86f2211be0be35180a843621058686be098375"};
	char out[FW_TLS_FP_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(fw_tls_fingerprint_parse(same[i], out), 0);
		assert_string_equal(out, canon);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_tls_fingerprint_parse(bad[i], out) != FW_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(b);
	*len = fread(b, 1, 65535, f);
	fclose(f);
	return b;
}

static void test_selfsigned(void **state)
{
	char dir[] = "/tmp/fw-tls-unit.XXXXXX", crt[128], key[128], crt2[128], key2[128];
	const char *names[] = {"localhost", "127.0.0.1", "::1", "forewarn.example"};
	const char *badnames[] = {"local host"};
	struct fw_tls_cert_info info;
	struct fw_error err = {0};
	char *cert_pem = NULL, *key_pem = NULL, *text;
	int64_t now = time(NULL);
	struct stat st;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(crt, sizeof(crt), "%s/tls.crt", dir);
	snprintf(key, sizeof(key), "%s/tls.key", dir);
	snprintf(crt2, sizeof(crt2), "%s/b.crt", dir);
	snprintf(key2, sizeof(key2), "%s/b.key", dir);
	assert_int_equal(fw_tls_selfsigned_create(crt, key, names, 4, 825, &err), 0);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Never over an existing pair; a bad name writes nothing. */
	assert_int_equal(fw_tls_selfsigned_create(crt, key, names, 4, 825, &err), FW_EEXIST);
	assert_int_equal(fw_tls_selfsigned_create(crt2, key2, badnames, 1, 825, &err), FW_EINVAL);
	assert_int_equal(access(key2, F_OK), -1);

	text = slurp(crt, &len);
	assert_int_equal(fw_tls_cert_parse(text, len, &info, &err), 0);
	assert_string_equal(info.subject, "CN=localhost");
	assert_true(info.not_before <= now && info.not_before >= now - 3700);
	assert_true(info.not_after >= now + 824 * 86400LL && info.not_after <= now + 826 * 86400LL);
	assert_int_equal(strncmp(info.fingerprint, "sha256:", 7), 0);
	assert_int_equal(strlen(info.fingerprint), 71);
	assert_int_equal(fw_tls_cert_parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	                                   60, &info, &err),
	                 FW_EINVAL);
	assert_string_equal(err.field, "certificate");
	free(text);

	/* The pair loads; a key of another pair, or one others can read, does not. */
	assert_int_equal(fw_tls_files_load(crt, key, now, &cert_pem, &key_pem, &err), 0);
	assert_non_null(strstr(cert_pem, "BEGIN CERTIFICATE"));
	free(cert_pem);
	fw_tls_key_free(key_pem);
	assert_int_equal(fw_tls_files_load(crt, key, now + 900 * 86400LL, &cert_pem, &key_pem, &err),
	                 FW_EINVAL);
	assert_non_null(strstr(err.message, "expired"));
	assert_int_equal(fw_tls_selfsigned_create(crt2, key2, names, 1, 1, &err), 0);
	assert_int_equal(fw_tls_files_load(crt, key2, now, &cert_pem, &key_pem, &err), FW_EINVAL);
	assert_non_null(strstr(err.message, "does not fit"));
	assert_int_equal(chmod(key, 0604), 0);
	assert_int_equal(fw_tls_files_load(crt, key, now, &cert_pem, &key_pem, &err), FW_EPERM);
	assert_int_equal(fw_tls_files_load("/nonexistent/x.crt", key, now, &cert_pem, &key_pem, &err),
	                 FW_ENOENT);
	assert_string_equal(err.field, "tls-cert");
	unlink(crt);
	unlink(key);
	unlink(crt2);
	unlink(key2);
	rmdir(dir);
}

static void test_peer_none(void **state)
{
	char fp[FW_TLS_FP_LEN] = "";

	(void)state;
	assert_int_equal(fw_tls_peer_check(NULL, 0, fp), FW_TLS_PEER_NONE);
	assert_string_equal(fw_tls_peer_name(FW_TLS_PEER_EXPIRED), "expired");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fingerprint_parse),
	    cmocka_unit_test(test_selfsigned),
	    cmocka_unit_test(test_peer_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
