/*
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys in the text formats of Go's
 * golang.org/x/mod/sumdb/note, and C2SP tlog checkpoints (c2sp.org/tlog-checkpoint) signed as notes.
 * Call fw_crypto_init once first. All functions are thread-safe; a signer or verifier may be used by several
 * threads at once (nothing here modifies it after creation).
 */
#ifndef FW_NOTE_H
#define FW_NOTE_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/err.h"

#define FW_NOTE_MAX      (1024 * 1024)           /* bytes of a signed note, text and signature lines */
#define FW_NOTE_SIGS_MAX 100                     /* signature lines in a note */
#define FW_NOTE_NAME_MAX 255                     /* bytes of a key name */
#define FW_NOTE_VKEY_MAX (FW_NOTE_NAME_MAX + 56) /* "<name>+<8 hex>+<44 base64>" and NUL */
#define FW_NOTE_SKEY_MAX (FW_NOTE_NAME_MAX + 68) /* "PRIVATE+KEY+" and the same */

struct fw_note_signer;   /* an Ed25519 private key with its name and key id; opaque, secret */
struct fw_note_verifier; /* an Ed25519 public key with its name and key id; opaque */

/*
 * fw_note_name_valid: 1 if the len bytes at name are a valid key name: 1 to FW_NOTE_NAME_MAX bytes of UTF-8
 * without '+', ASCII control characters, or Unicode spaces (White_Space: tab to CR, space, U+0085, U+00A0,
 * U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000); else 0.
 */
int fw_note_name_valid(const char *name, size_t len);

/*
 * fw_note_key_generate: a new random Ed25519 key named name. Writes the signer key
 * "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>" to ret_skey and the verifier key
 * "<name>+<key id>+<base64(0x01 || public key)>" to ret_vkey, both NUL-terminated, where the key id is the
 * first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key) as 8 lower-case hex digits. ret_skey is a
 * secret: the caller wipes it (fw_crypto_wipe) when done. FW_EINVAL for an invalid name; outputs are
 * written only on success.
 */
FW_WUR int fw_note_key_generate(const char *name, char ret_skey[FW_NOTE_SKEY_MAX],
                                char ret_vkey[FW_NOTE_VKEY_MAX]);

/*
 * fw_note_signer_new: parses a signer key in the format above (exactly; the key id must be the one the name
 * and key imply, in lower-case hex). The signer lives in guarded memory and is the caller's: release it with
 * fw_note_signer_free. FW_EINVAL (detail in err, which may be NULL; it never quotes the key) or FW_ENOMEM.
 */
FW_WUR int fw_note_signer_new(const char *skey, struct fw_note_signer **ret, struct fw_error *err);
/* fw_note_signer_from_seed: the signer of a 32-byte Ed25519 seed under name; as fw_note_signer_new. */
FW_WUR int fw_note_signer_from_seed(const char *name, const unsigned char seed[32],
                                    struct fw_note_signer **ret);
/* fw_note_signer_free: wipes and frees s; accepts NULL. */
void fw_note_signer_free(struct fw_note_signer *s);
/* fw_note_signer_name, fw_note_signer_keyid: the key's name (owned by s) and key id. */
const char *fw_note_signer_name(const struct fw_note_signer *s);
uint32_t fw_note_signer_keyid(const struct fw_note_signer *s);
/* fw_note_signer_vkey: the verifier key text of s, NUL-terminated, into out. */
void fw_note_signer_vkey(const struct fw_note_signer *s, char out[FW_NOTE_VKEY_MAX]);

/*
 * fw_note_verifier_new: parses a verifier key "<name>+<key id>+<base64(0x01 || public key)>" (exactly, as
 * fw_note_signer_new). The verifier is the caller's: release it with fw_note_verifier_free. FW_EINVAL (detail
 * in err, which may be NULL) or FW_ENOMEM.
 */
FW_WUR int fw_note_verifier_new(const char *vkey, struct fw_note_verifier **ret, struct fw_error *err);
/* fw_note_verifier_free: frees v; accepts NULL. */
void fw_note_verifier_free(struct fw_note_verifier *v);
/* fw_note_verifier_name, fw_note_verifier_keyid: the key's name (owned by v) and key id. */
const char *fw_note_verifier_name(const struct fw_note_verifier *v);
uint32_t fw_note_verifier_keyid(const struct fw_note_verifier *v);

/*
 * fw_note_sign: signs the len bytes of text with each of the n signers (1 to FW_NOTE_SIGS_MAX, no two with
 * the same name and key id; not modified) and returns the signed note: text, a blank line, then one line per
 * signer: EM DASH (U+2014), space, name, space, base64(key id as 4 bytes big-endian || Ed25519 signature),
 * newline. text must be non-empty, valid UTF-8 without ASCII control characters other than newline, and end
 * in a newline; it may contain blank lines. *ret_note is NUL-terminated, malloc()ed, the caller's to free();
 * *ret_len excludes the NUL (ret_len may be NULL). FW_EINVAL for bad text or signers, FW_ETOOBIG past
 * FW_NOTE_MAX bytes, FW_ENOMEM, FW_ECRYPTO.
 */
FW_WUR int fw_note_sign(const char *text, size_t len, struct fw_note_signer *const *signers, size_t n,
                        char **ret_note, size_t *ret_len);

/*
 * fw_note_open: parses the len bytes of a signed note strictly and verifies it against the n verifiers.
 * Signature lines by keys not among the verifiers (name and key id both compared) are ignored once parsed;
 * every signature by a known key must verify, and at least one must. A malformed note is FW_EINVAL (not valid
 * UTF-8, a control character, no blank line before the signatures, a line without the em dash and space, a
 * bad name or base64, a signature shorter than 5 bytes, two lines for the same name and key id), more than
 * FW_NOTE_SIGS_MAX signatures or FW_NOTE_MAX bytes are FW_ETOOBIG, a failing or missing known signature is
 * FW_ECRYPTO; err (may be NULL) says which. On success the note text (with its final newline, without the
 * blank line) is returned as a NUL-terminated malloc()ed copy the caller frees; ret_len may be NULL.
 */
FW_WUR int fw_note_open(const char *note, size_t len, struct fw_note_verifier *const *verifiers, size_t n,
                        char **ret_text, size_t *ret_len, struct fw_error *err);

#define FW_CHECKPOINT_ORIGIN_MAX 255 /* bytes of a checkpoint origin line */

/*
 * struct fw_checkpoint: a tlog checkpoint body. origin is a non-empty line (no newline, no control
 * characters, valid UTF-8); size is the number of leaves; root the RFC 6962 Merkle tree hash at that size.
 * extensions is NULL or the extension lines, each non-empty and ending in a newline, malloc()ed and owned by
 * the struct; fw_checkpoint_release frees it. Caller storage: zero it (or fill it) before use.
 */
struct fw_checkpoint {
	char origin[FW_CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t size;
	unsigned char root[32];
	char *extensions;
};

/* fw_checkpoint_release: frees c's extensions and sets them to NULL; the rest is left as is. */
void fw_checkpoint_release(struct fw_checkpoint *c);

/*
 * fw_checkpoint_format: the note text of c: "<origin>\n<size in decimal>\n<base64 root>\n" and the extension
 * lines. *ret_text is NUL-terminated, malloc()ed, the caller's to free(); ret_len may be NULL. FW_EINVAL if
 * c's origin or extensions break the rules above, FW_ETOOBIG past FW_NOTE_MAX bytes, FW_ENOMEM.
 */
FW_WUR int fw_checkpoint_format(const struct fw_checkpoint *c, char **ret_text, size_t *ret_len);

/*
 * fw_checkpoint_parse: parses a checkpoint body strictly: an origin line, a size line (decimal digits, no
 * leading zero except "0" itself, at most 2^64 - 1), a root line (base64 of exactly 32 bytes), then non-empty
 * extension lines; every line ends in a newline. On success *ret is overwritten (release an earlier value
 * first) and owns its extensions. FW_EINVAL (detail in err, which may be NULL), FW_ETOOBIG, FW_ENOMEM.
 */
FW_WUR int fw_checkpoint_parse(const char *text, size_t len, struct fw_checkpoint *ret, struct fw_error *err);

/* fw_checkpoint_sign: fw_checkpoint_format, then fw_note_sign; same results and ownership. */
FW_WUR int fw_checkpoint_sign(const struct fw_checkpoint *c, struct fw_note_signer *const *signers, size_t n,
                              char **ret_note, size_t *ret_len);

/*
 * fw_checkpoint_open: fw_note_open, then fw_checkpoint_parse of the verified text; same results. The caller
 * checks that the origin is the log it expects (the signature only says who signed).
 */
FW_WUR int fw_checkpoint_open(const char *note, size_t len, struct fw_note_verifier *const *verifiers,
                              size_t n, struct fw_checkpoint *ret, struct fw_error *err);

#endif
