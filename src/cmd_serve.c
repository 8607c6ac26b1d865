/* `forewarn serve`: runs the HTTP server and the release scheduler on a data directory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "server.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "NAME\n    forewarn serve - run the server\n\n"
	        "SYNOPSIS\n    forewarn serve --data DIR [--listen ADDR:PORT] [--threads N] [--sync "
	        "normal|full]\n"
	        "                   [--quiet] [--check]\n\n"
	        "DESCRIPTION\n"
	        "    Serves the admin and partner API (docs/api.md) over HTTP and runs the scheduler that "
	        "releases\n"
	        "    each advisory revision to each partner at T minus its lead. Stops cleanly on SIGINT or "
	        "SIGTERM.\n\n"
	        "OPTIONS\n"
	        "    --data DIR          the data directory made by 'forewarn init' (or FOREWARN_DATA)\n"
	        "    --listen ADDR:PORT  IPv4 address and port (default 127.0.0.1:8443; port 0 picks a free "
	        "one)\n"
	        "    --threads N         HTTP worker threads (default 8)\n"
	        "    --sync MODE         full: every commit is fsync'ed, once per group of downloads, and\n"
	        "                        survives power loss (default); normal: commits survive a killed\n"
	        "                        process but the last ones may be lost with the power\n"
	        "    --quiet             no request log on standard error\n"
	        "    --check             check the configuration and the data directory, then exit (-n)\n\n"
	        "ENVIRONMENT\n"
	        "    FOREWARN_DATA_KEY   the data key (64 hex digits or 44 characters of base64), in place of\n"
	        "                        DIR/data.key: see 'forewarn data-key --help'\n\n"
	        "EXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n");
}

static int parse_listen(const char *s, struct server_config *cfg)
{
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(cfg->listen_addr))
		return -1;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535)
		return -1;
	memcpy(cfg->listen_addr, s, (size_t)(colon - s));
	cfg->listen_addr[colon - s] = '\0';
	cfg->port = (unsigned short)port;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},    {"listen", required_argument, NULL, 'l'},
	    {"threads", required_argument, NULL, 't'}, {"sync", required_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},         {"check", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct server_config cfg;
	const char *data = getenv("FOREWARN_DATA");
	int c, check = 0;
	struct stat st;
	char *end;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.listen_addr, "127.0.0.1");
	cfg.port = 8443;
	cfg.threads = 8;
	/* Durable means on disk: each commit (one per group of downloads) is fsync'ed unless told otherwise. */
	cfg.store_flags = FW_STORE_SYNC_FULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hn", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'l':
			if (parse_listen(optarg, &cfg) < 0) {
				fprintf(stderr, "forewarn serve: --listen: '%s' is not ADDR:PORT\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			cfg.threads = (unsigned)strtoul(optarg, &end, 10);
			if (*end || cfg.threads < 1 || cfg.threads > 128) {
				fprintf(stderr, "forewarn serve: --threads: must be 1 to 128\n");
				return EXIT_USAGE;
			}
			break;
		case 's':
			if (strcmp(optarg, "normal") == 0) {
				cfg.store_flags &= ~FW_STORE_SYNC_FULL;
			} else if (strcmp(optarg, "full") != 0) {
				fprintf(stderr, "forewarn serve: --sync: must be normal or full\n");
				return EXIT_USAGE;
			}
			break;
		case 'q':
			cfg.quiet = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !data || !data[0]) {
		if (!data || !data[0])
			fprintf(stderr, "forewarn serve: --data DIR is required\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strlen(data) >= sizeof(cfg.data_dir) - 32) {
		fprintf(stderr, "forewarn serve: the data directory name is too long\n");
		return EXIT_USAGE;
	}
	strcpy(cfg.data_dir, data);
	if (stat(data, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
		        "forewarn serve: '%s' is not a data directory (run 'forewarn init %s' first)\n", data,
		        data);
		return 1;
	}
	if (check) {
		if (server_check(&cfg) < 0)
			return 1;
		printf("forewarn serve: configuration OK (data %s, listen %s:%u)\n", data, cfg.listen_addr,
		       cfg.port);
		return 0;
	}
	return server_run(&cfg) < 0 ? 1 : 0;
}
