/* forewarn: the program's entry point: dispatches to init, serve and the client command groups. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "forewarn/crypto.h"
#include "cli.h"
#include "datakey.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "NAME\n"
	        "    forewarn - early-warning server for embargoed vulnerability information\n\n"
	        "SYNOPSIS\n"
	        "    forewarn init DIR [options]            create a data directory\n"
	        "    forewarn serve --data DIR [options]    run the server\n"
	        "    forewarn data-key rotate --data DIR    rotate the key that encrypts content at rest\n"
	        "    forewarn GROUP COMMAND [options]       talk to a running server (see below)\n"
	        "    forewarn COMMAND --help                help on one command\n\n");
	client_usage(out);
	fprintf(out, "\nEXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	umask(077); /* the database holds embargoed content: private to its owner */
	if (fw_crypto_init() < 0) {
		fprintf(stderr, "forewarn: cannot initialise libsodium\n");
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("forewarn 0.1.0\n");
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "data-key") == 0)
		return cmd_data_key(argc - 1, argv + 1);
	for (size_t i = 0; client_groups[i]; i++)
		if (strcmp(argv[1], client_groups[i]) == 0)
			return cmd_client(argv[1], argc - 1, argv + 1);
	fprintf(stderr, "forewarn: unknown command '%s' (try 'forewarn --help')\n", argv[1]);
	return EXIT_USAGE;
}
