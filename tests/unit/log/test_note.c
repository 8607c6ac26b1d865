/*
 * C2SP signed notes and tlog checkpoints: the vectors of tests/data/signed-note.md reproduced byte for byte,
 * every corruption refused, key formats, round trips with fresh keys, strict checkpoint parsing; and the
 * Ed25519 and base64 primitives of lib/crypto they rest on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/crypto.h"
#include "forewarn/note.h"

#define EM_DASH "\xe2\x80\x94"

/* The vectors, read from tests/data/signed-note.md by setup(). */
static struct vectors {
	char *skey;    /* PeterNeumann signer key */
	char *vkey;    /* PeterNeumann verifier key */
	char *text;    /* the two-line text */
	char *sigline; /* its signature line, without the newline */
	char *note;    /* text, blank line, signature line: built from the three above */
	char *cp_name; /* the checkpoint's key name */
	char *cp_note; /* the signed checkpoint, as given */
	char *cp_vkey; /* its verifier key */
	unsigned char root8[32];
} V;

static const char *const *none = NULL;

/* The file's path: under $FW_TESTDATA, else tests/data next to this source file. */
static int data_path(char *out, size_t n, const char *rel)
{
	static const char self[] = "tests/unit/log/test_note.c";
	const char *dir = getenv("FW_TESTDATA"), *file = __FILE__;
	size_t flen = strlen(file), slen = strlen(self);

	if (dir && dir[0])
		return snprintf(out, n, "%s/%s", dir, rel) < (int)n ? 0 : -1;
	if (flen < slen || strcmp(file + flen - slen, self) != 0)
		return -1;
	return snprintf(out, n, "%.*stests/data/%s", (int)(flen - slen), file, rel) < (int)n ? 0 : -1;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		s = malloc((size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, f) == (size_t)n) {
			s[n] = '\0';
		} else {
			free(s);
			s = NULL;
		}
	}
	fclose(f);
	return s;
}

/* A copy of what lies between the first start (found from hay on) and the next stop; NULL if absent. */
static char *between(const char *hay, const char *start, const char *stop)
{
	const char *a = strstr(hay, start), *b;
	char *s;

	if (!a)
		return NULL;
	a += strlen(start);
	b = strstr(a, stop);
	if (!b)
		return NULL;
	s = malloc((size_t)(b - a) + 1);
	if (!s)
		return NULL;
	memcpy(s, a, (size_t)(b - a));
	s[b - a] = '\0';
	return s;
}

static char *concat(const char *a, const char *b, const char *c, const char *d)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d);
	char *s = malloc(n + 1);

	if (s)
		snprintf(s, n + 1, "%s%s%s%s", a, b, c, d);
	return s;
}

static int unhex(const char *hex, unsigned char *out, size_t n)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static int setup(void **state)
{
	char path[4096], *md, *l1, *l2, *root;
	const char *cp;
	int ok;

	(void)state;
	if (fw_crypto_init() < 0)
		return -1;
	if (data_path(path, sizeof(path), "signed-note.md") < 0 || !(md = read_all(path))) {
		fprintf(stderr, "cannot read %s (set FW_TESTDATA to the project's tests/data)\n", path);
		return -1;
	}
	V.skey = between(md, "signer key: `", "`");
	V.vkey = between(md, "- verifier key: `", "`");
	l1 = between(md, "each ending in a newline):\n  `", "`");
	l2 = between(md, "` / `", "`");
	V.sigline = between(md, "followed by one space):\n  `", "`");
	V.cp_name = between(md, "under the name `", "`");
	cp = strstr(md, "```\n");
	V.cp_note = cp ? between(cp, "```\n", "```") : NULL;
	V.cp_vkey = cp ? between(cp, "verifier key: `", "`") : NULL;
	root = between(md, "root of all 8: `", "`");
	ok = V.skey && V.vkey && l1 && l2 && V.sigline && V.cp_name && V.cp_note && V.cp_vkey && root &&
	     unhex(root, V.root8, sizeof(V.root8)) == 0;
	if (ok) {
		V.text = concat(l1, "\n", l2, "\n");
		V.note = V.text ? concat(V.text, "\n", V.sigline, "\n") : NULL;
		ok = V.note != NULL;
	}
	free(l1);
	free(l2);
	free(root);
	free(md);
	if (!ok)
		fprintf(stderr, "%s: a vector is missing\n", path);
	return ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(V.skey);
	free(V.vkey);
	free(V.text);
	free(V.sigline);
	free(V.note);
	free(V.cp_name);
	free(V.cp_note);
	free(V.cp_vkey);
	return 0;
}

/* Opens note against one verifier; the text must not be written on failure. */
static int open1(const char *note, size_t len, struct fw_note_verifier *v)
{
	char *text = (char *)&none, *got = text;
	struct fw_error err = {{0}, {0}};
	size_t tlen = 12345;
	int r = fw_note_open(note, len, &v, 1, &text, &tlen, &err);

	if (r == 0) {
		free(text);
		return 0;
	}
	assert_ptr_equal(text, got);
	assert_int_equal(tlen, 12345);
	assert_true(err.message[0] != '\0');
	return r;
}

static void test_crypto_base64(void **state)
{
	static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bad[] = {
	    "Zg",   "Zg=",   "Zh==", "Zm9=",  "Zm9v\n", " Zm9v", "Zm9vYg==Zg==", "Zm-v",    "Zm_v",
	    "====", "Zg===", "Z===", "Zm9vY", "Zg==\n", "Zm8 ",  "Zm9v=",        "Zm9vYg=A"};
	unsigned char out[16];
	char b64[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		assert_int_equal(fw_base64_encoded_len(i), strlen(enc[i]));
		fw_base64_encode("foobar", i, b64);
		assert_string_equal(b64, enc[i]);
		n = 99;
		assert_int_equal(fw_base64_decode(enc[i], strlen(enc[i]), out, sizeof(out), &n), 0);
		assert_int_equal(n, i);
		assert_memory_equal(out, "foobar", i);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 99;
		if (fw_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) != FW_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(n, 99);
	}
	/* Exactly the RFC 4648 alphabet: libsodium 1.0.18 alone reads "\xc9\x93" as "//" (fuzz_note). */
	for (int c = 0; c < 256; c++) {
		char quad[4] = {'A', 'A', 'A', (char)c}, lead[4] = {(char)c, 'A', 'A', 'A'};
		int digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            c == '+' || c == '/';

		assert_int_equal(fw_base64_decode(quad, 4, out, sizeof(out), &n),
		                 digit || c == '=' ? 0 : FW_EINVAL);
		assert_int_equal(fw_base64_decode(lead, 4, out, sizeof(out), &n), digit ? 0 : FW_EINVAL);
	}
	assert_int_equal(
	    fw_base64_decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL\xc9\x93gz+Nw7/RgQyg=", 44, out, 32, &n),
	    FW_EINVAL);
	/* An embedded NUL is not base64. */
	assert_int_equal(fw_base64_decode("Zm\0v", 4, out, sizeof(out), &n), FW_EINVAL);
	/* Too small an output: refused, and the buffer zeroed. */
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(fw_base64_decode("Zm9vYmFy", 8, out, 5, &n), FW_ETOOBIG);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(fw_base64_decode("Zm9vYmFy", 8, out, 6, &n), 0);
	assert_int_equal(n, 6);
}

/* RFC 8032 section 7.1, test 1 (the empty message). */
static void test_crypto_ed25519(void **state)
{
	unsigned char seed[32], pk[32], sk[64], want_pk[32], sig[64], want_sig[64];

	(void)state;
	assert_int_equal(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", seed, 32),
	                 0);
	assert_int_equal(
	    unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", want_pk, 32), 0);
	assert_int_equal(
	    unhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
	          "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
	          want_sig, 64),
	    0);
	assert_int_equal(fw_ed25519_seed_keypair(seed, pk, sk), 0);
	assert_memory_equal(pk, want_pk, 32);
	assert_memory_equal(sk, seed, 32);
	assert_int_equal(fw_ed25519_sign(sk, "", 0, sig), 0);
	assert_memory_equal(sig, want_sig, 64);
	assert_int_equal(fw_ed25519_verify(pk, "", 0, sig), 0);
	assert_int_equal(fw_ed25519_verify(pk, "x", 1, sig), FW_ECRYPTO);
	sig[63] ^= 0x10;
	assert_int_equal(fw_ed25519_verify(pk, "", 0, sig), FW_ECRYPTO);
	fw_crypto_wipe(sk, sizeof(sk));
	fw_crypto_wipe(seed, sizeof(seed));
	for (size_t i = 0; i < sizeof(sk); i++)
		assert_int_equal(sk[i], 0);
}

/* The PeterNeumann keys: parse, print back, key id by the formula. */
static void test_vector_keys(void **state)
{
	struct fw_note_signer *s = NULL;
	struct fw_note_verifier *v = NULL;
	char vkey[FW_NOTE_VKEY_MAX], in[64];
	unsigned char raw[40], h[32];
	size_t n;

	(void)state;
	assert_int_equal(fw_note_signer_new(V.skey, &s, NULL), 0);
	assert_string_equal(fw_note_signer_name(s), "PeterNeumann");
	assert_int_equal(fw_note_signer_keyid(s), 0xc74f20a3);
	fw_note_signer_vkey(s, vkey);
	assert_string_equal(vkey, V.vkey);
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	assert_string_equal(fw_note_verifier_name(v), "PeterNeumann");
	assert_int_equal(fw_note_verifier_keyid(v), 0xc74f20a3);
	/* key id = SHA-256("PeterNeumann" || 0x0A || 0x01 || public key)[:4], computed here independently */
	assert_int_equal(
	    fw_base64_decode(V.vkey + strlen("PeterNeumann+c74f20a3+"), 44, raw, sizeof(raw), &n), 0);
	assert_int_equal(n, 33);
	assert_int_equal(raw[0], 0x01);
	memcpy(in, "PeterNeumann\n", 13);
	memcpy(in + 13, raw, 33);
	fw_sha256(in, 46, h);
	assert_memory_equal(h, "\xc7\x4f\x20\xa3", 4);
	fw_note_signer_free(s);
	fw_note_verifier_free(v);
}

static void test_vector_note(void **state)
{
	struct fw_note_signer *s = NULL;
	struct fw_note_verifier *v = NULL;
	char *note = NULL, *text = NULL;
	size_t len = 0, tlen = 0;

	(void)state;
	assert_int_equal(fw_note_signer_new(V.skey, &s, NULL), 0);
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	assert_int_equal(fw_note_sign(V.text, strlen(V.text), &s, 1, &note, &len), 0);
	assert_int_equal(len, strlen(V.note));
	assert_string_equal(note, V.note);
	assert_int_equal(strncmp(V.sigline, EM_DASH " PeterNeumann ", 17), 0);
	assert_int_equal(fw_note_open(V.note, strlen(V.note), &v, 1, &text, &tlen, NULL), 0);
	assert_int_equal(tlen, strlen(V.text));
	assert_string_equal(text, V.text);
	free(text);
	free(note);
	fw_note_signer_free(s);
	fw_note_verifier_free(v);
}

static void test_vector_checkpoint(void **state)
{
	struct fw_note_signer *s = NULL, *pn = NULL;
	struct fw_note_verifier *v = NULL;
	struct fw_checkpoint c, got;
	char vkey[FW_NOTE_VKEY_MAX], *note = NULL, *text = NULL;
	unsigned char raw[40];
	size_t n, len;

	(void)state;
	/* Same seed as PeterNeumann, the log's name. */
	assert_int_equal(
	    fw_base64_decode(V.skey + strlen("PRIVATE+KEY+PeterNeumann+c74f20a3+"), 44, raw, sizeof(raw), &n),
	    0);
	assert_int_equal(n, 33);
	assert_int_equal(fw_note_signer_from_seed(V.cp_name, raw + 1, &s), 0);
	fw_crypto_wipe(raw, sizeof(raw));
	fw_note_signer_vkey(s, vkey);
	assert_string_equal(vkey, V.cp_vkey);
	assert_int_equal(fw_note_verifier_new(V.cp_vkey, &v, NULL), 0);

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", V.cp_name);
	c.size = 8;
	memcpy(c.root, V.root8, 32);
	assert_int_equal(fw_checkpoint_format(&c, &text, &len), 0);
	assert_string_equal(text,
	                    "example.com/advisory-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n");
	assert_int_equal(len, strlen(text));
	assert_int_equal(strncmp(V.cp_note, text, len), 0);
	free(text);

	assert_int_equal(fw_checkpoint_sign(&c, &s, 1, &note, &len), 0);
	assert_int_equal(len, strlen(V.cp_note));
	assert_string_equal(note, V.cp_note);
	free(note);

	memset(&got, 0xee, sizeof(got));
	assert_int_equal(fw_checkpoint_open(V.cp_note, strlen(V.cp_note), &v, 1, &got, NULL), 0);
	assert_string_equal(got.origin, "example.com/advisory-log");
	assert_true(got.size == 8);
	assert_memory_equal(got.root, V.root8, 32);
	assert_null(got.extensions);
	fw_checkpoint_release(&got);

	/* The PeterNeumann key is the same Ed25519 key under another name: a different key id, so unknown. */
	fw_note_verifier_free(v);
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	assert_int_equal(fw_checkpoint_open(V.cp_note, strlen(V.cp_note), &v, 1, &got, NULL), FW_ECRYPTO);
	assert_int_equal(fw_note_signer_new(V.skey, &pn, NULL), 0);
	assert_int_not_equal(fw_note_signer_keyid(pn), fw_note_signer_keyid(s));
	fw_note_signer_free(pn);
	fw_note_signer_free(s);
	fw_note_verifier_free(v);
}

/* Every single-byte change anywhere in a signed note is refused. */
static void flip_all(const char *note, struct fw_note_verifier *v)
{
	static const unsigned char masks[] = {0x01, 0x02, 0x20, 0x80};
	size_t len = strlen(note);
	char *copy = malloc(len + 1);

	assert_non_null(copy);
	assert_int_equal(open1(note, len, v), 0);
	for (size_t i = 0; i < len; i++)
		for (size_t m = 0; m < sizeof(masks); m++) {
			memcpy(copy, note, len + 1);
			copy[i] = (char)(copy[i] ^ masks[m]);
			if (open1(copy, len, v) == 0)
				fail_msg("accepted the note with byte %zu xor 0x%02x", i, masks[m]);
		}
	/* Every prefix, too. */
	for (size_t i = 0; i < len; i++)
		if (open1(note, i, v) == 0)
			fail_msg("accepted the first %zu bytes", i);
	free(copy);
}

static void test_corruptions_flip(void **state)
{
	struct fw_note_verifier *v = NULL, *cv = NULL;

	(void)state;
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	assert_int_equal(fw_note_verifier_new(V.cp_vkey, &cv, NULL), 0);
	flip_all(V.note, v);
	flip_all(V.cp_note, cv);
	fw_note_verifier_free(v);
	fw_note_verifier_free(cv);
}

/* Every bit of the decoded key id and signature, flipped and re-encoded: an unknown key, or a bad signature.
 */
static void test_corruptions_decoded(void **state)
{
	struct fw_note_verifier *v = NULL;
	unsigned char raw[80];
	char b64[128], note[512];
	size_t n;

	(void)state;
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	assert_int_equal(fw_base64_decode(strrchr(V.sigline, ' ') + 1, strlen(strrchr(V.sigline, ' ') + 1),
	                                  raw, sizeof(raw), &n),
	                 0);
	assert_int_equal(n, 68);
	for (size_t i = 0; i < n; i++)
		for (int bit = 0; bit < 8; bit++) {
			raw[i] ^= (unsigned char)(1u << bit);
			fw_base64_encode(raw, n, b64);
			snprintf(note, sizeof(note), "%s\n" EM_DASH " PeterNeumann %s\n", V.text, b64);
			if (open1(note, strlen(note), v) != FW_ECRYPTO)
				fail_msg("byte %zu bit %d: not refused as a bad signature", i, bit);
			raw[i] ^= (unsigned char)(1u << bit);
		}
	/* unchanged, it opens */
	fw_base64_encode(raw, n, b64);
	snprintf(note, sizeof(note), "%s\n" EM_DASH " PeterNeumann %s\n", V.text, b64);
	assert_string_equal(note, V.note);
	assert_int_equal(open1(note, strlen(note), v), 0);
	fw_note_verifier_free(v);
}

/* Replaces the first occurrence of from in s with to; a new string. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t n;
	char *out;

	assert_non_null(p);
	n = strlen(s) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	snprintf(out, n + 1, "%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	return out;
}

static void test_corruptions_named(void **state)
{
	struct fw_note_verifier *v = NULL, *other = NULL;
	char skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX], *b64, *m;
	size_t nlen = strlen(V.note);

	(void)state;
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	b64 = strrchr(V.sigline, ' ') + 1;

	/* wrong key: a fresh key under the same name, then under another */
	assert_int_equal(fw_note_key_generate("PeterNeumann", skey, vkey), 0);
	assert_int_equal(fw_note_verifier_new(vkey, &other, NULL), 0);
	assert_int_equal(open1(V.note, nlen, other), FW_ECRYPTO);
	fw_note_verifier_free(other);
	assert_int_equal(fw_note_key_generate("example.org/other", skey, vkey), 0);
	assert_int_equal(fw_note_verifier_new(vkey, &other, NULL), 0);
	assert_int_equal(open1(V.note, nlen, other), FW_ECRYPTO);
	fw_crypto_wipe(skey, sizeof(skey));
	/* no verifiers at all */
	assert_int_equal(fw_note_open(V.note, nlen, NULL, 0, &m, NULL, NULL), FW_ECRYPTO);

	/* missing final newline; extra blank line between, at the end, at the start */
	assert_int_equal(open1(V.note, nlen - 1, v), FW_EINVAL);
	m = concat(V.note, "\n", "", "");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "\n\n", "\n\n\n");
	assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
	free(m);
	m = concat("\n", V.note, "", "");
	assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
	free(m);
	/* no blank line at all; only a blank line and no signature */
	m = replace(V.note, "\n\n", "\n");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = concat(V.text, "\n", "", "");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);

	/* the signature line without its em dash, or with a hyphen, an en dash, no space, two spaces */
	static const char *const dashes[] = {"",           "- ",  "\xe2\x80\x93 ", EM_DASH,
	                                     EM_DASH "  ", "-- ", " " EM_DASH " ", EM_DASH "\t"};
	for (size_t i = 0; i < sizeof(dashes) / sizeof(dashes[0]); i++) {
		m = replace(V.note, EM_DASH " ", dashes[i]);
		if (open1(m, strlen(m), v) == 0)
			fail_msg("accepted dash %zu", i);
		free(m);
	}
	/* a tab or two spaces between name and signature */
	m = replace(V.note, "PeterNeumann ", "PeterNeumann\t");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "PeterNeumann ", "PeterNeumann  ");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);

	/* truncated base64: one character, the padding, four characters (valid base64, too short a signature)
	 */
	for (size_t cut = 1; cut <= 8; cut++) {
		char *t = malloc(nlen + 1);

		assert_non_null(t);
		memcpy(t, V.note, nlen - 1 - cut);
		memcpy(t + nlen - 1 - cut, "\n", 2);
		if (open1(t, strlen(t), v) == 0)
			fail_msg("accepted the signature cut by %zu", cut);
		free(t);
	}
	/* base64 of the key id alone: not a signature; of key id and one byte: a signature that fails */
	m = replace(V.note, b64, "x08gow==");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, b64, "x08go/Y=");
	assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
	free(m);
	/* an empty signature */
	m = replace(V.note, b64, "");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);

	/* duplicate lines: the signature line twice, a text line twice */
	m = concat(V.note, V.sigline, "\n", "");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "\nthen", "\nthen you don't know what your problem is.\nthen");
	assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
	free(m);
	m = concat(V.text, V.text, "\n", V.sigline);
	{
		char *t = concat(m, "\n", "", "");

		assert_int_equal(open1(t, strlen(t), v), FW_ECRYPTO);
		free(t);
	}
	free(m);

	/* a control character, a CR before the newline, invalid UTF-8, in the text */
	m = replace(V.note, "cryptography", "crypto\tgraphy");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "problem,\n", "problem,\r\n");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "answer", "answ\xc3r");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "answer", "answ\xc0\xa0r");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, "answer", "answ\xed\xa0\x80r");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	/* a NUL inside */
	m = strdup(V.note);
	assert_non_null(m);
	m[5] = '\0';
	assert_int_equal(open1(m, nlen, v), FW_EINVAL);
	free(m);

	/* a bad name in the signature line: with '+', with a no-break space */
	m = replace(V.note, EM_DASH " PeterNeumann", EM_DASH " Peter+Neumann");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	m = replace(V.note, EM_DASH " PeterNeumann", EM_DASH " Peter\xc2\xa0Neumann");
	assert_int_equal(open1(m, strlen(m), v), FW_EINVAL);
	free(m);
	/* a text line that looks like a signature line is text */
	m = concat(EM_DASH " PeterNeumann AAAA\n", V.note, "", "");
	assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
	free(m);
	/* a NULL note */
	assert_int_equal(fw_note_open(NULL, 0, &v, 1, &m, NULL, NULL), FW_EINVAL);
	fw_note_verifier_free(other);
	fw_note_verifier_free(v);
}

/* Unknown signatures are ignored, up to FW_NOTE_SIGS_MAX lines; a failing known one sinks the note. */
static void test_signature_counts(void **state)
{
	struct fw_note_verifier *v = NULL;
	char line[128], *buf;
	size_t cap, len;

	(void)state;
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	cap = strlen(V.note) + (FW_NOTE_SIGS_MAX + 1) * sizeof(line);
	buf = malloc(cap);
	assert_non_null(buf);
	memcpy(buf, V.note, strlen(V.note));
	len = strlen(V.note);
	for (int i = 1; i <= FW_NOTE_SIGS_MAX; i++) {
		/* an unknown key: another name, the same key id */
		int k = snprintf(line, sizeof(line), EM_DASH " witness%d.example x08go/ZJkuBS9UG/SfcA\n", i);

		memcpy(buf + len, line, (size_t)k);
		len += (size_t)k;
		assert_int_equal(open1(buf, len, v), i < FW_NOTE_SIGS_MAX ? 0 : FW_ETOOBIG);
	}
	free(buf);

	/* Only unknown signatures: refused. */
	{
		char *m = replace(V.note, "PeterNeumann", "PeterNeumann2");

		assert_int_equal(open1(m, strlen(m), v), FW_ECRYPTO);
		free(m);
	}
	/* A known key with a signature of the wrong length: refused, even next to a good one. */
	{
		char *m = concat(EM_DASH " PeterNeumann x08go/ZJkuBS9UG/SfcA\n", "", "", "");
		char *t = concat(V.note, m, "", "");

		assert_int_equal(open1(t, strlen(t), v), FW_EINVAL); /* same name and key id twice */
		free(t);
		t = concat(V.text, "\n", m, "");
		assert_int_equal(open1(t, strlen(t), v), FW_ECRYPTO);
		free(t);
		free(m);
	}
	fw_note_verifier_free(v);
}

static void test_size_limits(void **state)
{
	struct fw_note_signer *s = NULL;
	struct fw_note_verifier *v = NULL;
	size_t big = FW_NOTE_MAX + 1;
	char *t = malloc(big + 1), *note = NULL, *text = NULL;

	(void)state;
	assert_non_null(t);
	assert_int_equal(fw_note_signer_new(V.skey, &s, NULL), 0);
	assert_int_equal(fw_note_verifier_new(V.vkey, &v, NULL), 0);
	memset(t, 'a', big);
	for (size_t i = 63; i < big; i += 64)
		t[i] = '\n';
	t[big - 1] = '\n';
	t[big] = '\0';
	assert_int_equal(fw_note_sign(t, big, &s, 1, &note, NULL), FW_ETOOBIG);
	assert_int_equal(open1(t, big, v), FW_ETOOBIG);
	/* A text that fits but whose note would not. */
	t[FW_NOTE_MAX - 10 - 1] = '\n';
	assert_int_equal(fw_note_sign(t, FW_NOTE_MAX - 10, &s, 1, &note, NULL), FW_ETOOBIG);
	/* A large note that fits opens. */
	t[FW_NOTE_MAX - 200 - 1] = '\n';
	assert_int_equal(fw_note_sign(t, FW_NOTE_MAX - 200, &s, 1, &note, NULL), 0);
	assert_int_equal(fw_note_open(note, strlen(note), &v, 1, &text, NULL, NULL), 0);
	assert_int_equal(strlen(text), FW_NOTE_MAX - 200);
	free(text);
	free(note);
	free(t);
	fw_note_signer_free(s);
	fw_note_verifier_free(v);
}

static void test_sign_rejects(void **state)
{
	struct fw_note_signer *s[2] = {NULL, NULL};
	char *note = (char *)&none;

	(void)state;
	assert_int_equal(fw_note_signer_new(V.skey, &s[0], NULL), 0);
	assert_int_equal(fw_note_signer_new(V.skey, &s[1], NULL), 0);
	static const char *const bad[] = {"",       "no newline",       "tab\there\n",
	                                  "cr\r\n", "bad \xff utf-8\n", "overlong \xc0\xaf\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_note_sign(bad[i], strlen(bad[i]), s, 1, &note, NULL) != FW_EINVAL)
			fail_msg("signed \"%s\"", bad[i]);
	assert_int_equal(fw_note_sign(NULL, 0, s, 1, &note, NULL), FW_EINVAL);
	assert_int_equal(fw_note_sign("a\n", 2, s, 0, &note, NULL), FW_EINVAL);
	assert_int_equal(fw_note_sign("a\n", 2, NULL, 1, &note, NULL), FW_EINVAL);
	/* the same key twice */
	assert_int_equal(fw_note_sign("a\n", 2, s, 2, &note, NULL), FW_EINVAL);
	assert_ptr_equal(note, (char *)&none);
	fw_note_signer_free(s[0]);
	fw_note_signer_free(s[1]);
}

static void test_names(void **state)
{
	static const char *const good[] = {
	    "a", "PeterNeumann", "example.com/advisory-log", "caf\xc3\xa9", "a=b", "\xe2\x80\x94", "x\x7fy"};
	static const char *const bad[] = {"",
	                                  "a+b",
	                                  "a b",
	                                  "a\tb",
	                                  "a\nb",
	                                  "a\rb",
	                                  "a\x01",
	                                  "a\xc2\x85",     /* NEL */
	                                  "a\xc2\xa0",     /* no-break space */
	                                  "a\xe1\x9a\x80", /* ogham space mark */
	                                  "a\xe2\x80\x80", /* en quad */
	                                  "a\xe2\x80\x8a", /* hair space */
	                                  "a\xe2\x80\xa8", /* line separator */
	                                  "a\xe2\x80\xa9", /* paragraph separator */
	                                  "a\xe2\x80\xaf", /* narrow no-break space */
	                                  "a\xe2\x81\x9f", /* medium mathematical space */
	                                  "a\xe3\x80\x80", /* ideographic space */
	                                  "a\xff",
	                                  "a\xc3",
	                                  "a\xc0\x80",
	                                  "a\xed\xa0\x80",
	                                  "a\xf4\x90\x80\x80"};
	char longname[FW_NOTE_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!fw_note_name_valid(good[i], strlen(good[i])))
			fail_msg("refused name \"%s\"", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (fw_note_name_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted name %zu", i);
	assert_false(fw_note_name_valid("a\0b", 3));
	assert_false(fw_note_name_valid(NULL, 0));
	memset(longname, 'n', sizeof(longname));
	assert_true(fw_note_name_valid(longname, FW_NOTE_NAME_MAX));
	assert_false(fw_note_name_valid(longname, FW_NOTE_NAME_MAX + 1));
	/* zero-width space U+200B is not White_Space (as in Go) */
	assert_true(fw_note_name_valid("a\xe2\x80\x8b", 4));
}

static void test_key_parse_rejects(void **state)
{
	struct fw_note_signer *s = (struct fw_note_signer *)&none;
	struct fw_note_verifier *v = (struct fw_note_verifier *)&none;
	struct fw_error err;
	char longkey[FW_NOTE_SKEY_MAX + 64];
	const char *vk = V.vkey, *sk = V.skey;
	char *m;

	(void)state;
	static const char *const vbad[] = {
	    "",
	    "PeterNeumann",
	    "PeterNeumann+c74f20a3",
	    "PeterNeumann+c74f20a3+",
	    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a3a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWA",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T=",
	    "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW",
	    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	};
	for (size_t i = 0; i < sizeof(vbad) / sizeof(vbad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (fw_note_verifier_new(vbad[i], &v, &err) != FW_EINVAL)
			fail_msg("accepted verifier key \"%s\"", vbad[i]);
		assert_true(err.message[0] != '\0');
	}
	assert_int_equal(fw_note_verifier_new(NULL, &v, NULL), FW_EINVAL);
	/* a signer key is not a verifier key and the other way round */
	assert_int_equal(fw_note_verifier_new(sk, &v, NULL), FW_EINVAL);
	assert_int_equal(fw_note_signer_new(vk, &s, NULL), FW_EINVAL);
	assert_ptr_equal(v, (struct fw_note_verifier *)&none);

	static const char *const sbad[] = {
	    "",
	    "PRIVATE+KEY+",
	    "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	    "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	    "PRIVATE+KEY+PeterNeumann2+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz ",
	    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFy",
	};
	for (size_t i = 0; i < sizeof(sbad) / sizeof(sbad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (fw_note_signer_new(sbad[i], &s, &err) != FW_EINVAL)
			fail_msg("accepted signer key %zu", i);
		assert_true(err.message[0] != '\0');
		/* the detail never quotes the key */
		assert_null(strstr(err.message, "AYEKF"));
	}
	assert_int_equal(fw_note_signer_new(NULL, &s, NULL), FW_EINVAL);
	assert_ptr_equal(s, (struct fw_note_signer *)&none);
	/* an overlong name */
	memset(longkey, 'n', sizeof(longkey));
	memcpy(longkey + FW_NOTE_NAME_MAX + 1, "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", 55);
	assert_int_equal(fw_note_verifier_new(longkey, &v, NULL), FW_EINVAL);
	/* a valid key with one character changed anywhere is refused or is another key */
	m = strdup(vk);
	assert_non_null(m);
	for (size_t i = 0; m[i]; i++) {
		char c = m[i];

		m[i] = (char)(c ^ 0x01);
		if (fw_note_verifier_new(m, &v, NULL) == 0)
			fail_msg("accepted the verifier key with byte %zu changed", i);
		m[i] = c;
	}
	free(m);
	assert_ptr_equal(v, (struct fw_note_verifier *)&none);
	fw_note_signer_free(NULL);
	fw_note_verifier_free(NULL);
}

static void test_generate_roundtrip(void **state)
{
	const char *names[] = {"example.org/log", "witness.example/w1", "\xc3\xa9t\xc3\xa9"};
	struct fw_note_signer *s[3] = {NULL, NULL, NULL};
	struct fw_note_verifier *v[3] = {NULL, NULL, NULL};
	char skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX], again[FW_NOTE_VKEY_MAX], *note, *text;
	static const char *const texts[] = {"a\n",
	                                    "\n",
	                                    "one\n\ntwo\n",
	                                    "ends in blank lines\n\n\n",
	                                    "unicode: \xe2\x80\x94 \xf0\x9f\x94\x91\n",
	                                    EM_DASH " looks like a signature line\n"};
	size_t len;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(fw_note_key_generate(names[i], skey, vkey), 0);
		assert_int_equal(strncmp(skey, "PRIVATE+KEY+", 12), 0);
		assert_int_equal(strcmp(skey + 12 + strlen(names[i]) + 10, vkey + strlen(names[i]) + 10) == 0,
		                 0);
		assert_int_equal(strlen(vkey), strlen(names[i]) + 54);
		assert_int_equal(strlen(skey), strlen(names[i]) + 66);
		assert_int_equal(fw_note_signer_new(skey, &s[i], NULL), 0);
		assert_int_equal(fw_note_verifier_new(vkey, &v[i], NULL), 0);
		fw_note_signer_vkey(s[i], again);
		assert_string_equal(again, vkey);
		assert_string_equal(fw_note_signer_name(s[i]), names[i]);
		assert_int_equal(fw_note_signer_keyid(s[i]), fw_note_verifier_keyid(v[i]));
		fw_crypto_wipe(skey, sizeof(skey));
	}
	/* invalid names are refused, outputs untouched */
	memset(skey, 'x', sizeof(skey));
	assert_int_equal(fw_note_key_generate("bad name", skey, vkey), FW_EINVAL);
	assert_int_equal(fw_note_key_generate("", skey, vkey), FW_EINVAL);
	assert_int_equal(fw_note_key_generate(NULL, skey, vkey), FW_EINVAL);
	assert_int_equal(skey[0], 'x');

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		/* all three sign; any one verifier opens it; any subset too */
		assert_int_equal(fw_note_sign(texts[t], strlen(texts[t]), s, 3, &note, &len), 0);
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(fw_note_open(note, len, &v[i], 1, &text, NULL, NULL), 0);
			assert_string_equal(text, texts[t]);
			free(text);
		}
		assert_int_equal(fw_note_open(note, len, v, 3, &text, NULL, NULL), 0);
		assert_string_equal(text, texts[t]);
		free(text);
		free(note);
		/* signed by the first only: the others do not know it */
		assert_int_equal(fw_note_sign(texts[t], strlen(texts[t]), s, 1, &note, &len), 0);
		assert_int_equal(open1(note, len, v[1]), FW_ECRYPTO);
		assert_int_equal(open1(note, len, v[0]), 0);
		free(note);
	}
	/* a signer from a seed equals the same key parsed */
	{
		unsigned char seed[32];
		struct fw_note_signer *a = NULL;
		char *n1, *n2;

		fw_crypto_random(seed, sizeof(seed));
		assert_int_equal(fw_note_signer_from_seed("seed.example", seed, &a), 0);
		assert_int_equal(fw_note_signer_from_seed("bad+name", seed, &s[0]), FW_EINVAL);
		assert_int_equal(fw_note_sign("x\n", 2, &a, 1, &n1, NULL), 0);
		assert_int_equal(fw_note_sign("x\n", 2, &a, 1, &n2, NULL), 0);
		assert_string_equal(n1, n2); /* Ed25519 is deterministic */
		free(n1);
		free(n2);
		fw_crypto_wipe(seed, sizeof(seed));
		fw_note_signer_free(a);
	}
	for (size_t i = 0; i < 3; i++) {
		fw_note_signer_free(s[i]);
		fw_note_verifier_free(v[i]);
	}
}

#define ROOT8 "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="

static void test_checkpoint_parse(void **state)
{
	struct fw_checkpoint c, sentinel;
	struct fw_error err;
	char *text;
	size_t len;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_checkpoint_parse("o\n0\n" ROOT8 "\n", 4 + 45, &c, NULL), 0);
	assert_true(c.size == 0);
	assert_string_equal(c.origin, "o");
	assert_int_equal(fw_checkpoint_parse("o\n18446744073709551615\n" ROOT8 "\n", 23 + 45, &c, NULL), 0);
	assert_true(c.size == UINT64_MAX);
	assert_memory_equal(c.root, V.root8, 32);
	/* an origin with spaces and other Unicode: only a recommendation */
	text = "example.com/log 42 \xe2\x80\x94\n1\n" ROOT8 "\n";
	assert_int_equal(fw_checkpoint_parse(text, strlen(text), &c, NULL), 0);
	assert_string_equal(c.origin, "example.com/log 42 \xe2\x80\x94");

	static const char *const sizes[] = {"01",
	                                    "-1",
	                                    "18446744073709551616",
	                                    "",
	                                    "1 ",
	                                    " 1",
	                                    "+1",
	                                    "0x10",
	                                    "1e3",
	                                    "1.0",
	                                    "00",
	                                    "99999999999999999999",
	                                    "184467440737095516150"};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "o\n%s\n" ROOT8 "\n", sizes[i]);

		memset(&err, 0, sizeof(err));
		memset(&sentinel, 0x5a, sizeof(sentinel));
		c = sentinel;
		if (fw_checkpoint_parse(buf, (size_t)n, &c, &err) != FW_EINVAL)
			fail_msg("accepted size \"%s\"", sizes[i]);
		assert_string_equal(err.field, "size");
		assert_memory_equal(&c, &sentinel, sizeof(c));
	}
	/* no padding, too much, unused bits set, URL-safe alphabet, 31 bytes, 43 characters, 33 bytes,
	 * 35 bytes with padding inside, trailing and leading space, twice, hex, empty, a bad character */
	static const char *const roots[] = {
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg==",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQ==",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQygA",
	    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=AAAA",
	    ROOT8 " ",
	    " " ROOT8,
	    ROOT8 ROOT8,
	    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	    "",
	    "!cnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char buf[160];
		int n = snprintf(buf, sizeof(buf), "o\n8\n%s\n", roots[i]);

		memset(&err, 0, sizeof(err));
		if (fw_checkpoint_parse(buf, (size_t)n, &c, &err) != FW_EINVAL)
			fail_msg("accepted root \"%s\"", roots[i]);
		assert_string_equal(err.field, "root");
	}
	static const char *const shapes[] = {"",
	                                     "o\n",
	                                     "o\n8\n",
	                                     "o\n8\n" ROOT8,
	                                     "\n8\n" ROOT8 "\n",
	                                     "o\n8\n" ROOT8 "\n\n",
	                                     "o\n8\n" ROOT8 "\next\n\n",
	                                     "o\n8\n" ROOT8 "\n\next\n",
	                                     "o\n8\n" ROOT8 "\next",
	                                     "o\r\n8\n" ROOT8 "\n",
	                                     "o\n8\r\n" ROOT8 "\n",
	                                     "o\n8\n" ROOT8 "\r\n",
	                                     "o\xff\n8\n" ROOT8 "\n",
	                                     "o\t\n8\n" ROOT8 "\n",
	                                     "8\n" ROOT8 "\n",
	                                     "o\n" ROOT8 "\n8\n"};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (fw_checkpoint_parse(shapes[i], strlen(shapes[i]), &c, &err) != FW_EINVAL)
			fail_msg("accepted checkpoint %zu", i);
		assert_true(err.message[0] != '\0');
	}
	assert_int_equal(fw_checkpoint_parse(NULL, 0, &c, NULL), FW_EINVAL);
	/* an origin of FW_CHECKPOINT_ORIGIN_MAX bytes, and one more */
	{
		char buf[FW_CHECKPOINT_ORIGIN_MAX + 64];

		memset(buf, 'o', FW_CHECKPOINT_ORIGIN_MAX);
		len = FW_CHECKPOINT_ORIGIN_MAX;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n8\n" ROOT8 "\n");
		assert_int_equal(fw_checkpoint_parse(buf, len, &c, NULL), 0);
		assert_int_equal(strlen(c.origin), FW_CHECKPOINT_ORIGIN_MAX);
		memset(buf, 'o', FW_CHECKPOINT_ORIGIN_MAX + 1);
		len = FW_CHECKPOINT_ORIGIN_MAX + 1;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n8\n" ROOT8 "\n");
		assert_int_equal(fw_checkpoint_parse(buf, len, &c, NULL), FW_EINVAL);
	}
}

static void test_checkpoint_extensions(void **state)
{
	struct fw_note_signer *s = NULL;
	struct fw_note_verifier *v = NULL;
	struct fw_checkpoint c, got;
	char skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX], *text, *note;
	const char *in = "example.org/log\n42\n" ROOT8 "\n\xe2\x80\x94 ext one\nrekor-like: 2\n";
	size_t len;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(fw_checkpoint_parse(in, strlen(in), &c, NULL), 0);
	assert_string_equal(c.extensions, "\xe2\x80\x94 ext one\nrekor-like: 2\n");
	assert_int_equal(fw_checkpoint_format(&c, &text, &len), 0);
	assert_string_equal(text, in);
	free(text);

	assert_int_equal(fw_note_key_generate("example.org/log", skey, vkey), 0);
	assert_int_equal(fw_note_signer_new(skey, &s, NULL), 0);
	fw_crypto_wipe(skey, sizeof(skey));
	assert_int_equal(fw_note_verifier_new(vkey, &v, NULL), 0);
	assert_int_equal(fw_checkpoint_sign(&c, &s, 1, &note, &len), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(fw_checkpoint_open(note, len, &v, 1, &got, NULL), 0);
	assert_string_equal(got.origin, "example.org/log");
	assert_true(got.size == 42);
	assert_memory_equal(got.root, c.root, 32);
	assert_string_equal(got.extensions, c.extensions);
	fw_checkpoint_release(&got);
	assert_null(got.extensions);
	fw_checkpoint_release(&got);
	fw_checkpoint_release(NULL);
	free(note);

	/* a signed note whose text is not a checkpoint */
	assert_int_equal(fw_note_sign("not\na checkpoint\n", 17, &s, 1, &note, &len), 0);
	assert_int_equal(fw_checkpoint_open(note, len, &v, 1, &got, NULL), FW_EINVAL);
	free(note);

	/* formatting refuses what parsing would */
	static const char *const bad_ext[] = {"\n", "a", "a\n\nb\n", "\na\n", "a\tb\n", "a\xff\n"};
	for (size_t i = 0; i < sizeof(bad_ext) / sizeof(bad_ext[0]); i++) {
		char *saved = c.extensions;

		c.extensions = (char *)bad_ext[i];
		if (fw_checkpoint_format(&c, &text, &len) != FW_EINVAL)
			fail_msg("formatted extension %zu", i);
		c.extensions = saved;
	}
	fw_checkpoint_release(&c);
	c.extensions = NULL;
	static const char *const bad_origin[] = {"", "a\nb", "a\rb", "a\xc3"};
	for (size_t i = 0; i < sizeof(bad_origin) / sizeof(bad_origin[0]); i++) {
		snprintf(c.origin, sizeof(c.origin), "%s", bad_origin[i]);
		if (fw_checkpoint_format(&c, &text, &len) != FW_EINVAL)
			fail_msg("formatted origin %zu", i);
	}
	memset(c.origin, 'o', sizeof(c.origin)); /* not terminated */
	assert_int_equal(fw_checkpoint_format(&c, &text, &len), FW_EINVAL);
	fw_note_signer_free(s);
	fw_note_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crypto_base64),       cmocka_unit_test(test_crypto_ed25519),
	    cmocka_unit_test(test_vector_keys),         cmocka_unit_test(test_vector_note),
	    cmocka_unit_test(test_vector_checkpoint),   cmocka_unit_test(test_corruptions_flip),
	    cmocka_unit_test(test_corruptions_decoded), cmocka_unit_test(test_corruptions_named),
	    cmocka_unit_test(test_signature_counts),    cmocka_unit_test(test_size_limits),
	    cmocka_unit_test(test_sign_rejects),        cmocka_unit_test(test_names),
	    cmocka_unit_test(test_key_parse_rejects),   cmocka_unit_test(test_generate_roundtrip),
	    cmocka_unit_test(test_checkpoint_parse),    cmocka_unit_test(test_checkpoint_extensions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
