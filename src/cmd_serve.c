/*
 * `forewarn serve`: runs the HTTPS (or loopback-only HTTP) server, the release scheduler and the webhook
 * sender on a data directory.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "server.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n    forewarn serve - run the server\n\n"
	    "SYNOPSIS\n    forewarn serve --data DIR [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	    "                   [--plain-http] [--threads N] [--sync normal|full]\n"
	    "                   [--webhook-backoff TIME] [--webhook-max-tries N]\n"
	    "                   [--webhook-timeout TIME] [--webhook-connect-timeout TIME]\n"
	    "                   [--quiet] [--check]\n\n"
	    "DESCRIPTION\n"
	    "    Serves the admin and partner API (docs/api.md) over HTTPS and runs the scheduler that "
	    "releases\n"
	    "    each advisory revision to each partner at T minus its lead, and the sender that notifies\n"
	    "    partners' webhooks of each release (docs/webhooks.md). Stops cleanly on SIGINT or "
	    "SIGTERM.\n\n"
	    "    HTTPS uses the certificate and key given, else DIR/tls.crt and DIR/tls.key (the "
	    "self-signed\n"
	    "    pair 'forewarn init' makes for local use). The server asks every client for a certificate\n"
	    "    (optional) and checks it on every request: partners may authenticate with a registered\n"
	    "    client certificate instead of, or as well as, their token (docs/security.md). Plain HTTP "
	    "is\n"
	    "    served only when asked for with --plain-http, and only on a loopback address.\n\n"
	    "OPTIONS\n"
	    "    --data DIR          the data directory made by 'forewarn init' (or FOREWARN_DATA)\n"
	    "    --listen ADDR:PORT  IPv4 address and port (default 127.0.0.1:8443; port 0 picks a free "
	    "one)\n"
	    "    --tls-cert FILE     the server's certificate, PEM, chain allowed (default DIR/tls.crt)\n"
	    "    --tls-key FILE      its private key, PEM, not readable by others (default DIR/tls.key)\n"
	    "    --plain-http        serve HTTP without TLS; refused unless ADDR is a loopback address\n"
	    "                        (127.0.0.0/8), for tests and benchmarks on this machine\n"
	    "    --threads N         HTTP worker threads (default 8)\n"
	    "    --sync MODE         full: every commit is fsync'ed, once per group of downloads, and\n"
	    "                        survives power loss (default); normal: commits survive a killed\n"
	    "                        process but the last ones may be lost with the power\n"
	    "    --webhook-backoff TIME\n"
	    "                        the delay before a failed webhook notification is tried\n"
	    "                        again, doubled at each further try (at most 1 h), plus up\n"
	    "                        to a quarter at random (default 30s)\n"
	    "    --webhook-max-tries N\n"
	    "                        tries before a notification is set aside for the operator\n"
	    "                        ('forewarn outbox list --state failed'): 1 to 100 (default 8)\n"
	    "    --webhook-timeout TIME\n"
	    "                        the longest one try may take, all in (default 10s)\n"
	    "    --webhook-connect-timeout TIME\n"
	    "                        the longest its connection may take (default 5s)\n"
	    "                        TIME: a whole number and a unit, ms, s, m or h (250ms, 30s)\n"
	    "    --quiet             no request log on standard error\n"
	    "    --check             check the configuration, the data directory and the TLS files, then\n"
	    "                        exit (-n)\n\n"
	    "EXAMPLES\n"
	    "    forewarn serve --data /var/lib/forewarn --listen 0.0.0.0:8443 \\\n"
	    "        --tls-cert /etc/forewarn/tls.crt --tls-key /etc/forewarn/tls.key\n"
	    "    curl --cacert /var/lib/forewarn/tls.crt https://127.0.0.1:8443/api/v1/health\n\n"
	    "EXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n");
}

/* 1 if addr is an IPv4 loopback address (127.0.0.0/8). */
static int loopback(const char *addr)
{
	struct in_addr a;

	return inet_pton(AF_INET, addr, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* parse_time: "250ms", "30s", "2m", "1h" into milliseconds, from 1 ms to a day; -1 if malformed. */
static int64_t parse_time(const char *s)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (v == 0 || v > 86400000ULL / (unsigned long long)units[i].ms)
				return -1;
			return (int64_t)v * units[i].ms;
		}
	return -1;
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
	    {"data", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"threads", required_argument, NULL, 't'},
	    {"sync", required_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"check", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {"tls-cert", required_argument, NULL, 'C'},
	    {"tls-key", required_argument, NULL, 'K'},
	    {"plain-http", no_argument, NULL, 'P'},
	    {"webhook-backoff", required_argument, NULL, 'B'},
	    {"webhook-max-tries", required_argument, NULL, 'M'},
	    {"webhook-timeout", required_argument, NULL, 'T'},
	    {"webhook-connect-timeout", required_argument, NULL, 'W'},
	    {NULL, 0, NULL, 0},
	};
	const char *tls_cert = NULL, *tls_key = NULL;
	struct server_config cfg;
	const char *data = getenv("FOREWARN_DATA");
	int c, check = 0;
	struct stat st;
	char *end;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.listen_addr, "127.0.0.1");
	cfg.port = 8443;
	cfg.threads = 8;
	/* Durable means on disk: each commit (one per group of downloads) is fsync'ed unless told otherwise.
	 */
	cfg.store_flags = FW_STORE_SYNC_FULL;
	cfg.webhook_backoff_ms = 30000;
	cfg.webhook_max_tries = 8;
	cfg.webhook_timeout_ms = 10000;
	cfg.webhook_connect_timeout_ms = 5000;
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
		case 'B':
		case 'T':
		case 'W': {
			int64_t *dst = c == 'B'   ? &cfg.webhook_backoff_ms
			               : c == 'T' ? &cfg.webhook_timeout_ms
			                          : &cfg.webhook_connect_timeout_ms;
			if ((*dst = parse_time(optarg)) < 0) {
				const char *name = c == 'B'   ? "backoff"
				                   : c == 'T' ? "timeout"
				                              : "connect-timeout";
				fprintf(stderr,
				        "forewarn serve: --webhook-%s: '%s' is not a time such as 250ms, 30s "
				        "or 2m (at most a day)\n",
				        name, optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'M':
			cfg.webhook_max_tries = (int)strtol(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end || cfg.webhook_max_tries < 1 ||
			    cfg.webhook_max_tries > 100) {
				fprintf(stderr, "forewarn serve: --webhook-max-tries: must be 1 to 100\n");
				return EXIT_USAGE;
			}
			break;
		case 'n':
			check = 1;
			break;
		case 'C':
			tls_cert = optarg;
			break;
		case 'K':
			tls_key = optarg;
			break;
		case 'P':
			cfg.plain_http = 1;
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
	/* Plain HTTP would carry tokens and embargoed copies in clear: only on this machine, only when asked.
	 */
	if (cfg.plain_http && (tls_cert || tls_key)) {
		fprintf(stderr, "forewarn serve: give --plain-http or --tls-cert/--tls-key, not both\n");
		return EXIT_USAGE;
	}
	if (cfg.plain_http && !loopback(cfg.listen_addr)) {
		fprintf(stderr,
		        "forewarn serve: --plain-http is refused on '%s': plain HTTP is served only on a "
		        "loopback "
		        "address (127.0.0.0/8); give --tls-cert and --tls-key to serve HTTPS there\n",
		        cfg.listen_addr);
		return EXIT_USAGE;
	}
	if (!cfg.plain_http) {
		if ((size_t)snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "%s%s", tls_cert ? tls_cert : data,
		                     tls_cert ? "" : "/tls.crt") >= sizeof(cfg.tls_cert) ||
		    (size_t)snprintf(cfg.tls_key, sizeof(cfg.tls_key), "%s%s", tls_key ? tls_key : data,
		                     tls_key ? "" : "/tls.key") >= sizeof(cfg.tls_key)) {
			fprintf(stderr, "forewarn serve: a TLS file name is too long\n");
			return EXIT_USAGE;
		}
		if (!tls_cert != !tls_key) {
			fprintf(stderr, "forewarn serve: give both --tls-cert and --tls-key\n");
			return EXIT_USAGE;
		}
		if (!tls_cert && (access(cfg.tls_cert, F_OK) != 0 || access(cfg.tls_key, F_OK) != 0)) {
			fprintf(stderr,
			        "forewarn serve: no TLS certificate: '%s' has no tls.crt and tls.key; give "
			        "--tls-cert FILE --tls-key FILE, or --plain-http on a loopback address\n",
			        data);
			return 1;
		}
	}
	if (check) {
		if (server_check(&cfg) < 0)
			return 1;
		printf("forewarn serve: configuration OK (data %s, listen %s://%s:%u)\n", data,
		       cfg.plain_http ? "http" : "https", cfg.listen_addr, cfg.port);
		return 0;
	}
	return server_run(&cfg) < 0 ? 1 : 0;
}
