/*
 * Signed and sealed copies on the command line (src/cli_sign.c): the commands verify, open and keygen, and
 * the sealing-key request shared by `forewarn partner seal-key` (admin) and `forewarn inbox` (the partner).
 */
#ifndef FW_SRC_CLI_SIGN_H
#define FW_SRC_CLI_SIGN_H

#include "cli_common.h"

extern const struct cli_group cli_verify_group, cli_open_group, cli_keygen_group;

/*
 * cli_seal_key: on the sealing key at c->path (already set): with file, registers the public key it holds
 * (one line of base64, as 'forewarn keygen --seal' writes OUT.pub) with PUT; with remove, removes it with
 * DELETE; else shows it (GET). Prints the key's fields (or a line for a removal). Returns the exit status.
 */
int cli_seal_key(struct cli *c, const char *file, int remove);

#endif
