/* The `forewarn` program's commands: each returns the exit status (0 ok, 1 failure, 2 bad usage). */
#ifndef FW_SRC_CLI_H
#define FW_SRC_CLI_H

#include "forewarn/store.h"

#define EXIT_USAGE 2

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* cmd_client: every admin and partner command that talks to a server (src/client.c). */
int cmd_client(const char *group, int argc, char **argv);
/* client_groups: the command groups cmd_client serves, NULL-terminated; client_usage prints their help. */
extern const char *const client_groups[];
void client_usage(FILE *out);

/* demo_seed: fills a fresh data directory with the demo scenario; prints two partner tokens. */
int demo_seed(struct fw_store *s, const unsigned char key[32], FILE *out);

#endif
