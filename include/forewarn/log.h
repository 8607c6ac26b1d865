/*
 * The transparency log over a store: appends (with the subtree hashes they complete), roots, proofs,
 * signed checkpoints, and full verification. Entries are the canonical event records of docs/log.md.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/merkle.h"
#include "forewarn/note.h"
#include "forewarn/store.h"

/*
 * fw_log_append: appends entry (len bytes, at most FW_LOG_ENTRY_MAX) as the next leaf and stores the hashes
 * of the complete subtrees it finishes. Call inside the store transaction of the act the entry records, so
 * both are durable together or not at all. *ret_index (may be NULL) gets the entry's index.
 */
FW_WUR int fw_log_append(struct fw_store *s, const void *entry, size_t len, uint64_t *ret_index);
/*
 * fw_log_append_hashed: fw_log_append for a caller that has the entry's leaf hash already (which must be
 * fw_merkle_leaf_hash of these bytes: a wrong one makes a log that fails verification).
 */
FW_WUR int fw_log_append_hashed(struct fw_store *s, const void *entry, size_t len,
                                const unsigned char leaf[FW_MERKLE_HASH_BYTES], uint64_t *ret_index);

/* fw_log_root: the root of the tree of the first size entries (size <= the log's size) into out. */
FW_WUR int fw_log_root(struct fw_store *s, uint64_t size, unsigned char out[FW_MERKLE_HASH_BYTES]);

/* Proofs from the stored subtree hashes; buffers as in merkle.h (FW_MERKLE_PROOF_BYTES). */
FW_WUR int fw_log_inclusion_proof(struct fw_store *s, uint64_t index, uint64_t size, unsigned char *ret_proof,
                                  size_t *ret_len);
FW_WUR int fw_log_consistency_proof(struct fw_store *s, uint64_t old_size, uint64_t new_size,
                                    unsigned char *ret_proof, size_t *ret_len);

/*
 * fw_log_checkpoint: the signed checkpoint of the log as it is now: the stored one when the log has not
 * grown since, else a new one signed with signer under origin and stored. *ret_note: malloc()ed note text,
 * the caller's; *ret_size: its tree size. Call outside any transaction (it runs its own). FW_ECONFLICT when
 * the log is shorter than a size already signed: entries were lost, and no checkpoint must say otherwise.
 */
FW_WUR int fw_log_checkpoint(struct fw_store *s, struct fw_note_signer *signer, const char *origin,
                             char **ret_note, uint64_t *ret_size);

/*
 * fw_log_verify: recomputes the whole tree from the stored entries and compares it with the stored subtree
 * hashes and with the latest checkpoint (its signature checked with verifier). Returns 0 when everything
 * agrees, with the size in *ret_size; FW_EINVAL when not, with *ret_bad_index the first entry index at fault
 * and err saying what; other FW_E* codes for I/O.
 */
FW_WUR int fw_log_verify(struct fw_store *s, struct fw_note_verifier *verifier, uint64_t *ret_size,
                         uint64_t *ret_bad_index, struct fw_error *err);

#endif
