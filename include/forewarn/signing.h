/*
 * Signed copies (docs/formats.md, "Signatures"): the server's Ed25519 key for copies and PoCs, its published
 * form, the Forewarn-Signature header and the signature document that the companion routes serve and
 * `forewarn verify` reads. Every signature is a plain detached Ed25519 signature (RFC 8032) of the exact
 * bytes, so any Ed25519 implementation checks it. Call fw_crypto_init once first; all functions are
 * thread-safe, and a signer may be used by several threads at once.
 */
#ifndef FW_SIGNING_H
#define FW_SIGNING_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/crypto.h"
#include "forewarn/err.h"
#include "forewarn/model.h"

#define FW_KEY_ID_HEX      17   /* a key id: 16 lower-case hex digits and NUL */
#define FW_SIGN_HEADER_MAX 160  /* "alg=ed25519; keyid=<16 hex>; sig=<88 base64>" (129) and NUL */
#define FW_SIGN_DOC_MAX    4096 /* bytes of a signature document we read */
#define FW_SIGN_KEY_MAX    4096 /* bytes of a public key file we read */

/* fw_key_id: a public key's id: the first 8 bytes of SHA-256 of its 32 bytes, in lower-case hex. */
void fw_key_id(const unsigned char pk[32], char out[FW_KEY_ID_HEX]);

struct fw_signer; /* an Ed25519 key pair with its key id; opaque, the secret half in guarded memory */

/*
 * fw_signer_from_seed: the signer of a 32-byte seed. fw_signer_load: of the seed held by the key file path
 * (32 bytes, mode 0600, as fw_key_file_create makes it: DIR/sign.key); FW_ENOENT, FW_EPERM (readable by
 * others), FW_EINVAL (not a key file) as fw_key_file_load. The signer is the caller's: fw_signer_free wipes
 * and frees it (accepts NULL). FW_ENOMEM, FW_ECRYPTO.
 */
FW_WUR int fw_signer_from_seed(const unsigned char seed[FW_ED25519_SEED_BYTES], struct fw_signer **ret);
FW_WUR int fw_signer_load(const char *path, struct fw_signer **ret);
void fw_signer_free(struct fw_signer *s);
/* fw_signer_public: the public key; fw_signer_keyid: its key id (owned by s). */
void fw_signer_public(const struct fw_signer *s, unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES]);
const char *fw_signer_keyid(const struct fw_signer *s);
/* fw_signer_sign: the detached Ed25519 signature of the n bytes at msg. 0 or FW_ECRYPTO. */
FW_WUR int fw_signer_sign(const struct fw_signer *s, const void *msg, size_t n,
                          unsigned char ret_sig[FW_ED25519_SIG_BYTES]);

/*
 * fw_sign_key_write: appends the published key document (GET /api/v1/keys/signing, DIR/sign.pub) to out:
 * {"algorithm":"ed25519","key_id":"<hex>","public_key":"<base64 of the 32 bytes>","public_key_pem":"<PEM
 * SubjectPublicKeyInfo, RFC 8410>"}, on one line without a final newline.
 */
FW_WUR int fw_sign_key_write(const unsigned char pk[FW_ED25519_PUBLIC_BYTES], struct fw_buf *out);
/*
 * fw_sign_key_parse: a public key from the len bytes of text, in any of the forms we publish: the key
 * document (its "public_key"; a "key_id" or "algorithm" present must agree), a PEM "PUBLIC KEY" block of an
 * Ed25519 key (RFC 8410), or one line of base64 of the 32 bytes. Leading and trailing white space is ignored.
 * FW_EINVAL with err saying what is wrong; ret_pk written only on success.
 */
FW_WUR int fw_sign_key_parse(const char *text, size_t len, unsigned char ret_pk[FW_ED25519_PUBLIC_BYTES],
                             struct fw_error *err);

/*
 * A signature: what the companion routes (/api/v1/inbox/{id}/sig, .../poc/sig) serve as a JSON document and
 * the Forewarn-Signature header carries in short. have_digest is 0 for one read from a header value, which
 * carries no size, digest, advisory, revision or what.
 */
struct fw_signature {
	char key_id[FW_KEY_ID_HEX];
	unsigned char sig[FW_ED25519_SIG_BYTES];
	int have_digest;
	unsigned char sha256[32];
	uint64_t size;
	char advisory[FW_ID_MAX + 1];
	int revision;
	char what[8]; /* "csaf" or "poc" */
};

/*
 * fw_sign_header: the Forewarn-Signature header value "alg=ed25519; keyid=<hex>; sig=<base64>" into out.
 */
void fw_sign_header(const char key_id[FW_KEY_ID_HEX], const unsigned char sig[FW_ED25519_SIG_BYTES],
                    char out[FW_SIGN_HEADER_MAX]);
/*
 * fw_signature_write: appends the signature document of d (have_digest must be 1) to out: {"v":1,
 * "algorithm":"ed25519","key_id","signature","sha256","size","advisory","revision","what"}, one line and a
 * newline.
 */
FW_WUR int fw_signature_write(const struct fw_signature *d, struct fw_buf *out);
/*
 * fw_signature_parse: a signature document (strictly: one JSON object, no duplicate keys, v 1, algorithm
 * "ed25519", every field of the right form), or a Forewarn-Signature header value (with or without the
 * "Forewarn-Signature:" name). FW_EINVAL with err naming the field at fault, FW_ETOOBIG past FW_SIGN_DOC_MAX;
 * *ret written only on success.
 */
FW_WUR int fw_signature_parse(const char *text, size_t len, struct fw_signature *ret, struct fw_error *err);
/*
 * fw_signature_verify: 0 if the n bytes at msg are what d signs under pk: d names pk's key id, and (when d
 * has them) the size and SHA-256 agree, and the Ed25519 signature verifies. Else FW_ECRYPTO with err (may be
 * NULL) saying which check failed, the first in that order.
 */
FW_WUR int fw_signature_verify(const struct fw_signature *d, const unsigned char pk[FW_ED25519_PUBLIC_BYTES],
                               const void *msg, size_t n, struct fw_error *err);

#endif
