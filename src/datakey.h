/*
 * The data directory's data key (docs/security.md): where it comes from (FOREWARN_DATA_KEY, else
 * DIR/data.key), the directory lock that keeps a rotation and a server apart, and the rotation's crash-safe
 * file steps. Each function prints what went wrong on standard error, prefixed by `prog`, and returns a
 * negative code.
 */
#ifndef FW_SRC_DATAKEY_H
#define FW_SRC_DATAKEY_H

#include "forewarn/crypto.h"
#include "forewarn/store.h"

#define DATA_KEY_ENV     "FOREWARN_DATA_KEY"
#define DATA_KEY_NEW_ENV "FOREWARN_NEW_DATA_KEY"

/*
 * datakey_lock: locks the data directory without waiting: shared for a server, exclusive for a rotation.
 * Returns a descriptor to keep open as long as the lock is needed (close() releases it), or a negative code
 * when the other kind of holder is there.
 */
int datakey_lock(const char *prog, const char *dir, int exclusive);

/*
 * datakey_create: for `forewarn init`: writes a new DIR/data.key (mode 0600), unless FOREWARN_DATA_KEY is
 * set (the key then lives outside the directory).
 */
int datakey_create(const char *prog, const char *dir);

/*
 * datakey_attach: gives s, a store on DIR's database, the data key: FOREWARN_DATA_KEY when set (then wiped
 * from the environment), else DIR/data.key. When the database is sealed under DIR/data.key.new instead (a
 * rotation stopped after its commit), renames that file over data.key first; when a rotation left its purge
 * undone, purges (s must then be the process's only connection). *ret: a copy of the key for the process's
 * other connections (fw_data_key_free), written only on success.
 */
int datakey_attach(const char *prog, const char *dir, struct fw_store *s, struct fw_data_key **ret);

/* cmd_data_key: `forewarn data-key rotate|verify|generate`. */
int cmd_data_key(int argc, char **argv);

#endif
