/*
 * C2SP signed notes and tlog checkpoints: Ed25519 signer and verifier keys in Go's sumdb/note text formats,
 * signing, strict parsing and verification of notes, and the checkpoint body format. Everything read from
 * outside is bounded (FW_NOTE_MAX, FW_NOTE_SIGS_MAX) and checked before use; secrets live in guarded memory
 * or on the stack and are wiped on every exit path.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/buf.h"
#include "forewarn/crypto.h"
#include "forewarn/note.h"

#define SIG_PREFIX     "\xe2\x80\x94 " /* EM DASH (U+2014) and a space */
#define SIG_PREFIX_LEN 4
#define SKEY_PREFIX    "PRIVATE+KEY+"
#define ALG_ED25519    0x01
#define KEY_B64_LEN    44 /* base64 of 0x01 || 32-byte key */
#define SIG_BYTES      (4 + FW_ED25519_SIG_BYTES)

struct fw_note_signer {
	char name[FW_NOTE_NAME_MAX + 1];
	uint32_t keyid;
	unsigned char pk[FW_ED25519_PUBLIC_BYTES];
	unsigned char sk[FW_ED25519_SECRET_BYTES];
};

struct fw_note_verifier {
	char name[FW_NOTE_NAME_MAX + 1];
	uint32_t keyid;
	unsigned char pk[FW_ED25519_PUBLIC_BYTES];
};

/* One strict UTF-8 sequence at s (n > 0 bytes): its length, or 0 if invalid (overlong, surrogate, cut). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return len;
}

/* Valid UTF-8 without ASCII control characters other than newline: what a note may contain. */
static int text_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_next(s + i, n - i, &cp);

		if (k == 0 || (cp < 0x20 && cp != '\n'))
			return 0;
		i += k;
	}
	return 1;
}

/* Unicode White_Space, as Go's unicode.IsSpace. */
static int unicode_space(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
	       cp == 0x205f || cp == 0x3000;
}

int fw_note_name_valid(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t cp;

	if (!name || len == 0 || len > FW_NOTE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_next(s + i, len - i, &cp);

		if (k == 0 || cp < 0x20 || cp == '+' || unicode_space(cp))
			return 0;
		i += k;
	}
	return 1;
}

/* Key id: the first 4 bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key). */
static uint32_t key_id(const char *name, size_t len, const unsigned char pk[FW_ED25519_PUBLIC_BYTES])
{
	unsigned char in[FW_NOTE_NAME_MAX + 2 + FW_ED25519_PUBLIC_BYTES], h[32];

	memcpy(in, name, len);
	in[len] = '\n';
	in[len + 1] = ALG_ED25519;
	memcpy(in + len + 2, pk, FW_ED25519_PUBLIC_BYTES);
	fw_sha256(in, len + 2 + FW_ED25519_PUBLIC_BYTES, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* Exactly 8 lower-case hex digits: the form we write, so the only one we read. */
static int parse_keyid(const char *s, uint32_t *ret)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else
			return FW_EINVAL;
	}
	*ret = v;
	return 0;
}

/*
 * Splits "<name>+<8 hex>+<44 base64 of 0x01 || 32 bytes>" (s is NUL-terminated) and decodes the key into
 * ret_key (written only on success, like the others). The key may be a seed: the caller wipes ret_key.
 */
static int parse_key(const char *s, char ret_name[FW_NOTE_NAME_MAX + 1], uint32_t *ret_keyid,
                     unsigned char ret_key[32], struct fw_error *err)
{
	unsigned char raw[KEY_B64_LEN];
	const char *plus = strchr(s, '+');
	size_t name_len, n = 0;
	uint32_t keyid;
	int r;

	if (!plus || !fw_note_name_valid(s, (size_t)(plus - s)))
		return fw_error_set(err, FW_EINVAL, "key", "the key name is missing or invalid");
	name_len = (size_t)(plus - s);
	s = plus + 1;
	if (strnlen(s, 9) < 9 || s[8] != '+' || parse_keyid(s, &keyid) < 0)
		return fw_error_set(err, FW_EINVAL, "key", "the key id is not 8 lower-case hex digits");
	s += 9;
	if (strnlen(s, KEY_B64_LEN + 1) != KEY_B64_LEN)
		return fw_error_set(err, FW_EINVAL, "key", "the key is not 44 base64 characters");
	r = fw_base64_decode(s, KEY_B64_LEN, raw, sizeof(raw), &n);
	if (r < 0 || n != 33 || raw[0] != ALG_ED25519) {
		fw_crypto_wipe(raw, sizeof(raw));
		return fw_error_set(err, FW_EINVAL, "key", "the key is not base64 of 0x01 and 32 bytes");
	}
	memcpy(ret_name, plus - name_len, name_len);
	ret_name[name_len] = '\0';
	*ret_keyid = keyid;
	memcpy(ret_key, raw + 1, 32);
	fw_crypto_wipe(raw, sizeof(raw));
	return 0;
}

/* Writes "<name>+<key id>+<base64(0x01 || key)>" and a NUL to out, which has room (FW_NOTE_VKEY_MAX). */
static void format_key(char *out, const char *name, uint32_t keyid, const unsigned char key[32])
{
	unsigned char raw[33];
	size_t n = strlen(name);

	memcpy(out, name, n);
	snprintf(out + n, 11, "+%08" PRIx32 "+", keyid);
	raw[0] = ALG_ED25519;
	memcpy(raw + 1, key, 32);
	fw_base64_encode(raw, sizeof(raw), out + n + 10);
	fw_crypto_wipe(raw, sizeof(raw));
}

int fw_note_signer_from_seed(const char *name, const unsigned char seed[32], struct fw_note_signer **ret)
{
	struct fw_note_signer *s;
	size_t len = name ? strnlen(name, FW_NOTE_NAME_MAX + 1) : 0;
	int r;

	if (!fw_note_name_valid(name, len))
		return FW_EINVAL;
	s = fw_crypto_secret_alloc(sizeof(*s));
	if (!s)
		return FW_ENOMEM;
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, len);
	r = fw_ed25519_seed_keypair(seed, s->pk, s->sk);
	if (r < 0) {
		fw_crypto_secret_free(s);
		return r;
	}
	s->keyid = key_id(s->name, len, s->pk);
	*ret = s;
	return 0;
}

int fw_note_signer_new(const char *skey, struct fw_note_signer **ret, struct fw_error *err)
{
	char name[FW_NOTE_NAME_MAX + 1];
	unsigned char seed[32];
	struct fw_note_signer *s = NULL;
	uint32_t keyid;
	int r;

	if (!skey || strncmp(skey, SKEY_PREFIX, strlen(SKEY_PREFIX)) != 0)
		return fw_error_set(err, FW_EINVAL, "key", "a signer key starts with \"" SKEY_PREFIX "\"");
	r = parse_key(skey + strlen(SKEY_PREFIX), name, &keyid, seed, err);
	if (r < 0)
		return r;
	r = fw_note_signer_from_seed(name, seed, &s);
	if (r < 0)
		goto out;
	/* The key id is redundant: a mismatch means a damaged or hand-edited key, so refuse it. */
	if (s->keyid != keyid) {
		r = fw_error_set(err, FW_EINVAL, "key", "the key id does not match the name and key");
		goto out;
	}
	*ret = s;
	s = NULL;
out:
	fw_crypto_wipe(seed, sizeof(seed));
	fw_note_signer_free(s);
	return r;
}

void fw_note_signer_free(struct fw_note_signer *s)
{
	if (s)
		fw_crypto_secret_free(s);
}

const char *fw_note_signer_name(const struct fw_note_signer *s)
{
	return s->name;
}

uint32_t fw_note_signer_keyid(const struct fw_note_signer *s)
{
	return s->keyid;
}

void fw_note_signer_vkey(const struct fw_note_signer *s, char out[FW_NOTE_VKEY_MAX])
{
	format_key(out, s->name, s->keyid, s->pk);
}

int fw_note_key_generate(const char *name, char ret_skey[FW_NOTE_SKEY_MAX], char ret_vkey[FW_NOTE_VKEY_MAX])
{
	char skey[FW_NOTE_SKEY_MAX], vkey[FW_NOTE_VKEY_MAX];
	unsigned char seed[32];
	struct fw_note_signer *s = NULL;
	int r;

	fw_crypto_random(seed, sizeof(seed));
	r = fw_note_signer_from_seed(name, seed, &s);
	if (r < 0)
		goto out;
	memcpy(skey, SKEY_PREFIX, strlen(SKEY_PREFIX));
	format_key(skey + strlen(SKEY_PREFIX), s->name, s->keyid, seed);
	format_key(vkey, s->name, s->keyid, s->pk);
	memcpy(ret_skey, skey, strlen(skey) + 1);
	memcpy(ret_vkey, vkey, strlen(vkey) + 1);
out:
	fw_crypto_wipe(seed, sizeof(seed));
	fw_crypto_wipe(skey, sizeof(skey));
	fw_note_signer_free(s);
	return r;
}

int fw_note_verifier_new(const char *vkey, struct fw_note_verifier **ret, struct fw_error *err)
{
	struct fw_note_verifier *v;
	char name[FW_NOTE_NAME_MAX + 1];
	unsigned char pk[FW_ED25519_PUBLIC_BYTES];
	uint32_t keyid;
	int r;

	if (!vkey)
		return fw_error_set(err, FW_EINVAL, "key", "no verifier key");
	r = parse_key(vkey, name, &keyid, pk, err);
	if (r < 0)
		return r;
	if (key_id(name, strlen(name), pk) != keyid)
		return fw_error_set(err, FW_EINVAL, "key", "the key id does not match the name and key");
	v = calloc(1, sizeof(*v));
	if (!v)
		return FW_ENOMEM;
	memcpy(v->name, name, sizeof(name));
	v->keyid = keyid;
	memcpy(v->pk, pk, sizeof(pk));
	*ret = v;
	return 0;
}

void fw_note_verifier_free(struct fw_note_verifier *v)
{
	free(v);
}

const char *fw_note_verifier_name(const struct fw_note_verifier *v)
{
	return v->name;
}

uint32_t fw_note_verifier_keyid(const struct fw_note_verifier *v)
{
	return v->keyid;
}

int fw_note_sign(const char *text, size_t len, struct fw_note_signer *const *signers, size_t n,
                 char **ret_note, size_t *ret_len)
{
	unsigned char sig[SIG_BYTES];
	char b64[4 * ((SIG_BYTES + 2) / 3) + 1];
	struct fw_buf out;
	int r;

	if (len > FW_NOTE_MAX)
		return FW_ETOOBIG;
	if (!text || len == 0 || text[len - 1] != '\n' || !text_valid(text, len))
		return FW_EINVAL;
	if (!signers || n == 0 || n > FW_NOTE_SIGS_MAX)
		return FW_EINVAL;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (signers[i]->keyid == signers[j]->keyid &&
			    strcmp(signers[i]->name, signers[j]->name) == 0)
				return FW_EINVAL; /* fw_note_open would refuse the note */
	fw_buf_init(&out, FW_NOTE_MAX);
	r = fw_buf_append(&out, text, len);
	if (r >= 0)
		r = fw_buf_append(&out, "\n", 1);
	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct fw_note_signer *s = signers[i];

		sig[0] = (unsigned char)(s->keyid >> 24);
		sig[1] = (unsigned char)(s->keyid >> 16);
		sig[2] = (unsigned char)(s->keyid >> 8);
		sig[3] = (unsigned char)s->keyid;
		r = fw_ed25519_sign(s->sk, text, len, sig + 4);
		if (r < 0)
			break;
		fw_base64_encode(sig, sizeof(sig), b64);
		r = fw_buf_printf(&out, SIG_PREFIX "%s %s\n", s->name, b64);
	}
	if (r >= 0)
		r = fw_buf_steal(&out, ret_note, ret_len);
	fw_buf_release(&out);
	return r;
}

/* A parsed signature line; name points into the note, sig into the decoded-signature buffer. */
struct sigline {
	const char *name;
	size_t name_len;
	uint32_t keyid;
	const unsigned char *sig;
	size_t sig_len;
};

static const struct fw_note_verifier *find_verifier(struct fw_note_verifier *const *verifiers, size_t n,
                                                    const struct sigline *l)
{
	for (size_t i = 0; i < n; i++)
		if (verifiers[i]->keyid == l->keyid && strlen(verifiers[i]->name) == l->name_len &&
		    memcmp(verifiers[i]->name, l->name, l->name_len) == 0)
			return verifiers[i];
	return NULL;
}

int fw_note_open(const char *note, size_t len, struct fw_note_verifier *const *verifiers, size_t n,
                 char **ret_text, size_t *ret_len, struct fw_error *err)
{
	struct sigline lines[FW_NOTE_SIGS_MAX];
	unsigned char *decoded = NULL;
	size_t text_len, nlines = 0, used = 0, verified = 0;
	const char *p, *end;
	char *text;
	int r = 0;

	if (!note)
		return fw_error_set(err, FW_EINVAL, "note", "no note");
	if (len > FW_NOTE_MAX)
		return fw_error_set(err, FW_ETOOBIG, "note", "the note is longer than %d bytes", FW_NOTE_MAX);
	if (!text_valid(note, len))
		return fw_error_set(err, FW_EINVAL, "note", "not UTF-8, or an ASCII control character");
	/* The text ends at the last blank line; the text itself may contain blank lines. */
	for (text_len = len; text_len >= 2; text_len--)
		if (note[text_len - 2] == '\n' && note[text_len - 1] == '\n')
			break;
	if (text_len < 2)
		return fw_error_set(err, FW_EINVAL, "note", "no blank line before the signatures");
	p = note + text_len;
	end = note + len;
	text_len--;
	if (p == end || end[-1] != '\n')
		return fw_error_set(err, FW_EINVAL, "signature", "no signature lines, or no final newline");
	/* Every decoded signature fits in the decoded size of the whole signature block. */
	decoded = malloc((size_t)(end - p) / 4 * 3 + 3);
	if (!decoded)
		return FW_ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		struct sigline *l = &lines[nlines];
		size_t b64_len, sig_len = 0;

		if (nlines == FW_NOTE_SIGS_MAX) {
			r = fw_error_set(err, FW_ETOOBIG, "signature", "more than %d signatures",
			                 FW_NOTE_SIGS_MAX);
			goto out;
		}
		if ((size_t)(nl - p) < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
			r = fw_error_set(err, FW_EINVAL, "signature",
			                 "line %zu does not start with an em dash and a space", nlines + 1);
			goto out;
		}
		p += SIG_PREFIX_LEN;
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (!sp || !fw_note_name_valid(p, (size_t)(sp - p))) {
			r = fw_error_set(err, FW_EINVAL, "signature", "line %zu: no valid key name",
			                 nlines + 1);
			goto out;
		}
		l->name = p;
		l->name_len = (size_t)(sp - p);
		b64_len = (size_t)(nl - sp - 1);
		if (b64_len == 0 ||
		    fw_base64_decode(sp + 1, b64_len, decoded + used, b64_len / 4 * 3, &sig_len) < 0 ||
		    sig_len < 5) {
			r = fw_error_set(err, FW_EINVAL, "signature",
			                 "line %zu: the signature is not base64 of 5 bytes or more",
			                 nlines + 1);
			goto out;
		}
		l->keyid = (uint32_t)decoded[used] << 24 | (uint32_t)decoded[used + 1] << 16 |
		           (uint32_t)decoded[used + 2] << 8 | decoded[used + 3];
		l->sig = decoded + used + 4;
		l->sig_len = sig_len - 4;
		used += sig_len;
		/* Go's note drops repeated keys; we refuse them: one note, one signature per key. */
		for (size_t i = 0; i < nlines; i++)
			if (lines[i].keyid == l->keyid && lines[i].name_len == l->name_len &&
			    memcmp(lines[i].name, l->name, l->name_len) == 0) {
				r = fw_error_set(err, FW_EINVAL, "signature",
				                 "line %zu repeats the key of line %zu", nlines + 1, i + 1);
				goto out;
			}
		nlines++;
		p = nl + 1;
	}
	/* Verify only once the whole note parsed: a malformed note is malformed whoever signed it. */
	for (size_t i = 0; i < nlines; i++) {
		const struct fw_note_verifier *v = find_verifier(verifiers, verifiers ? n : 0, &lines[i]);

		if (!v)
			continue; /* unknown keys are ignored (signed-note: MUST) */
		if (lines[i].sig_len != FW_ED25519_SIG_BYTES ||
		    fw_ed25519_verify(v->pk, note, text_len, lines[i].sig) < 0) {
			r = fw_error_set(err, FW_ECRYPTO, "signature",
			                 "the signature by %s+%08" PRIx32 " does not verify", v->name,
			                 v->keyid);
			goto out;
		}
		verified++;
	}
	if (verified == 0) {
		r = fw_error_set(err, FW_ECRYPTO, "signature", "no signature by a known key");
		goto out;
	}
	text = malloc(text_len + 1);
	if (!text) {
		r = FW_ENOMEM;
		goto out;
	}
	memcpy(text, note, text_len);
	text[text_len] = '\0';
	*ret_text = text;
	if (ret_len)
		*ret_len = text_len;
out:
	free(decoded);
	return r;
}

void fw_checkpoint_release(struct fw_checkpoint *c)
{
	if (!c)
		return;
	free(c->extensions);
	c->extensions = NULL;
}

/* Extension lines: none, or non-empty lines each ending in a newline. */
static int extensions_valid(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	if (s[0] == '\n' || s[n - 1] != '\n' || !text_valid(s, n))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '\n' && s[i - 1] == '\n')
			return 0;
	return 1;
}

int fw_checkpoint_format(const struct fw_checkpoint *c, char **ret_text, size_t *ret_len)
{
	char root[4 * ((sizeof(c->root) + 2) / 3) + 1];
	size_t olen = strnlen(c->origin, sizeof(c->origin));
	size_t elen = c->extensions ? strlen(c->extensions) : 0;
	struct fw_buf out;
	int r;

	if (olen == 0 || olen == sizeof(c->origin) || memchr(c->origin, '\n', olen) ||
	    !text_valid(c->origin, olen))
		return FW_EINVAL;
	if (!extensions_valid(c->extensions, elen))
		return FW_EINVAL;
	fw_base64_encode(c->root, sizeof(c->root), root);
	fw_buf_init(&out, FW_NOTE_MAX);
	r = fw_buf_printf(&out, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, root);
	if (r >= 0)
		r = fw_buf_append(&out, c->extensions, elen);
	if (r >= 0)
		r = fw_buf_steal(&out, ret_text, ret_len);
	fw_buf_release(&out);
	return r;
}

/* Tree size: ASCII decimal, no sign, no leading zero unless the size is 0, no overflow. */
static int parse_size(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
		return FW_EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return FW_EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return FW_EINVAL;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int fw_checkpoint_parse(const char *text, size_t len, struct fw_checkpoint *ret, struct fw_error *err)
{
	struct fw_checkpoint c;
	const char *line[3], *end, *p = text;
	size_t line_len[3], n = 0;

	if (!text)
		return fw_error_set(err, FW_EINVAL, "checkpoint", "no checkpoint");
	end = text + len;
	if (len > FW_NOTE_MAX)
		return fw_error_set(err, FW_ETOOBIG, "checkpoint", "longer than %d bytes", FW_NOTE_MAX);
	if (len == 0 || end[-1] != '\n' || !text_valid(text, len))
		return fw_error_set(err, FW_EINVAL, "checkpoint", "not UTF-8 lines each ending in a newline");
	for (int i = 0; i < 3; i++) {
		const char *nl;

		if (p == end)
			return fw_error_set(err, FW_EINVAL, "checkpoint", "fewer than three lines");
		nl = memchr(p, '\n', (size_t)(end - p));
		line[i] = p;
		line_len[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	memset(&c, 0, sizeof(c));
	if (line_len[0] == 0 || line_len[0] > FW_CHECKPOINT_ORIGIN_MAX)
		return fw_error_set(err, FW_EINVAL, "origin", "empty, or longer than %d bytes",
		                    FW_CHECKPOINT_ORIGIN_MAX);
	memcpy(c.origin, line[0], line_len[0]);
	if (parse_size(line[1], line_len[1], &c.size) < 0)
		return fw_error_set(err, FW_EINVAL, "size",
		                    "not a decimal number below 2^64 without leading zeros");
	if (line_len[2] != 44 || fw_base64_decode(line[2], line_len[2], c.root, sizeof(c.root), &n) < 0 ||
	    n != sizeof(c.root))
		return fw_error_set(err, FW_EINVAL, "root", "not base64 of 32 bytes");
	if (!extensions_valid(p, (size_t)(end - p)))
		return fw_error_set(err, FW_EINVAL, "extension", "an empty extension line");
	if (p < end) {
		c.extensions = malloc((size_t)(end - p) + 1);
		if (!c.extensions)
			return FW_ENOMEM;
		memcpy(c.extensions, p, (size_t)(end - p));
		c.extensions[end - p] = '\0';
	}
	*ret = c;
	return 0;
}

int fw_checkpoint_sign(const struct fw_checkpoint *c, struct fw_note_signer *const *signers, size_t n,
                       char **ret_note, size_t *ret_len)
{
	char *text;
	size_t len;
	int r;

	r = fw_checkpoint_format(c, &text, &len);
	if (r < 0)
		return r;
	r = fw_note_sign(text, len, signers, n, ret_note, ret_len);
	free(text);
	return r;
}

int fw_checkpoint_open(const char *note, size_t len, struct fw_note_verifier *const *verifiers, size_t n,
                       struct fw_checkpoint *ret, struct fw_error *err)
{
	char *text;
	size_t text_len;
	int r;

	r = fw_note_open(note, len, verifiers, n, &text, &text_len, err);
	if (r < 0)
		return r;
	r = fw_checkpoint_parse(text, text_len, ret, err);
	free(text);
	return r;
}
