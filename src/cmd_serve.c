/*
 * `forewarn serve`: runs the HTTPS (or loopback-only HTTP) server, the release scheduler and the webhook
 * sender on a data directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "server.h"

/*
 * default_threads: one HTTP worker per online CPU, as nginx's "worker_processes auto", and at least two
 * (one epoll thread alone collapses at some connection counts, DESIGN.md). More threads than CPUs cost
 * wake-ups and context switches for nothing: with 8 on this 2-CPU machine a download cost 61 us of CPU,
 * with 2 it cost 53 (docs/performance.md).
 */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 128 ? 128 : (unsigned)n;
}

static const char limits_help[] =
    "LIMITS (docs/security.md, \"Limits and abuse\"; a SIZE may end in K, M or G: 1024, 1024^2, 1024^3)\n"
    "    --max-body SIZE             request bodies; larger ones get 413 (default 8M; 1K to 256M)\n"
    "    --max-header SIZE           memory per connection for the request line and headers; larger\n"
    "                                ones get 431 (default 8K; 4K to 1M)\n"
    "    --max-connections N         connections at once, shared evenly by the threads; more are\n"
    "                                closed at once (default 4096; --threads to 65536)\n"
    "    --max-connections-per-ip N  connections at once from one address; more are closed at once\n"
    "                                (default 256; 0: no limit; at most 65536)\n"
    "    --idle-timeout SECONDS      a connection without traffic for this long is closed (default\n"
    "                                30; 1 to 3600)\n"
    "    --auth-fail-limit N         failed authentications from one address (IPv6: its /64), or with\n"
    "                                one token, after which it gets 429 (default 10; 0: no limit; at\n"
    "                                most 1000000)\n"
    "    --auth-fail-window SECONDS  the window those failures are counted in, and how long the\n"
    "                                lockout lasts (default 60; 1 to 86400)\n\n";

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "NAME\n    forewarn serve - run the server\n\n"
	    "SYNOPSIS\n    forewarn serve --data DIR [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
	    "                   [--plain-http] [--threads N] [--sync normal|full]\n"
	    "                   [--webhook-backoff TIME] [--webhook-max-tries N]\n"
	    "                   [--webhook-timeout TIME] [--webhook-connect-timeout TIME]\n"
	    "                   [limits] [--quiet] [--check]\n\n"
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
	    "    --threads N         HTTP worker threads, 1 to 128 (default: one per online CPU, at\n"
	    "                        least 2). A connection stays with one thread; a long request\n"
	    "                        (a leak trace, a CSAF import) holds up the others on it\n"
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
	    "                        exit (-n); it also prints the limits\n\n"
	    "%s"
	    "EXAMPLES\n"
	    "    forewarn serve --data /var/lib/forewarn --listen 0.0.0.0:8443 \\\n"
	    "        --tls-cert /etc/forewarn/tls.crt --tls-key /etc/forewarn/tls.key\n"
	    "    curl --cacert /var/lib/forewarn/tls.crt https://127.0.0.1:8443/api/v1/health\n\n"
	    "ENVIRONMENT\n"
	    "    FOREWARN_DATA_KEY   the data key (64 hex digits or 44 characters of base64), in place of\n"
	    "                        DIR/data.key: see 'forewarn data-key --help'\n\n"
	    "EXIT STATUS\n    0 success, 1 failure, 2 bad usage.\n",
	    limits_help);
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

enum {
	OPT_MAX_BODY = 256,
	OPT_MAX_HEADER,
	OPT_MAX_CONN,
	OPT_MAX_CONN_IP,
	OPT_IDLE_TIMEOUT,
	OPT_AUTH_FAIL_LIMIT,
	OPT_AUTH_FAIL_WINDOW,
};

/* The limits' options: name, minimum, maximum, whether it is a SIZE. */
static const struct limit_opt {
	int code;
	const char *name;
	unsigned long long min, max;
	int size;
} limit_opts[] = {
    {OPT_MAX_BODY, "max-body", 1024, 256 << 20, 1},
    {OPT_MAX_HEADER, "max-header", 4096, 1 << 20, 1},
    {OPT_MAX_CONN, "max-connections", 1, 65536, 0},
    {OPT_MAX_CONN_IP, "max-connections-per-ip", 0, 65536, 0},
    {OPT_IDLE_TIMEOUT, "idle-timeout", 1, 3600, 0},
    {OPT_AUTH_FAIL_LIMIT, "auth-fail-limit", 0, 1000000, 0},
    {OPT_AUTH_FAIL_WINDOW, "auth-fail-window", 1, 86400, 0},
};

static void limits_default(struct server_limits *l)
{
	l->body_max = FW_BODY_MAX;
	l->header_max = FW_CONN_MEMORY;
	l->conn_max = FW_CONN_MAX;
	l->conn_per_ip = FW_CONN_PER_IP;
	l->idle_timeout = FW_IDLE_TIMEOUT;
	l->auth_fail_limit = FW_AUTH_FAIL_LIMIT;
	l->auth_fail_window = FW_AUTH_FAIL_WINDOW;
}

/* limit_option: sets the limit of option `code` from s; -1 (with a message) if s is not a number in range. */
static int limit_option(int code, const char *s, struct server_limits *l)
{
	static const char units[] = "KMG";
	const struct limit_opt *o = limit_opts;
	unsigned long long v, mul = 1;
	char *end;

	while (o->code != code)
		o++;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (o->size && end != s && end[0] && !end[1]) {
		const char *u = strchr(units, end[0]);
		mul = u ? 1ULL << (10 * (u - units + 1)) : 0;
		end += u != NULL;
	}
	if (s[0] < '0' || s[0] > '9' || *end || errno || mul == 0 || v > o->max / mul || v * mul < o->min) {
		fprintf(stderr, "forewarn serve: --%s: '%s' is not %s from %llu to %llu%s\n", o->name, s,
		        o->size ? "a size" : "a whole number", o->min, o->max,
		        o->size ? " bytes (K, M, G: 1024, 1024^2, 1024^3)" : "");
		return -1;
	}
	v *= mul;
	switch (code) {
	case OPT_MAX_BODY:
		l->body_max = (size_t)v;
		break;
	case OPT_MAX_HEADER:
		l->header_max = (size_t)v;
		break;
	case OPT_MAX_CONN:
		l->conn_max = (unsigned)v;
		break;
	case OPT_MAX_CONN_IP:
		l->conn_per_ip = (unsigned)v;
		break;
	case OPT_IDLE_TIMEOUT:
		l->idle_timeout = (unsigned)v;
		break;
	case OPT_AUTH_FAIL_LIMIT:
		l->auth_fail_limit = (unsigned)v;
		break;
	default:
		l->auth_fail_window = (unsigned)v;
		break;
	}
	return 0;
}

static void print_limits(const struct server_limits *l)
{
	printf("  limits: body %zu bytes, request line and headers %zu bytes, %u connections", l->body_max,
	       l->header_max, l->conn_max);
	if (l->conn_per_ip)
		printf(" (%u per address)", l->conn_per_ip);
	else
		printf(" (no limit per address)");
	printf(", idle timeout %u s\n", l->idle_timeout);
	if (l->auth_fail_limit)
		printf("  failed authentications: %u in %u s per address or token, then 429 for %u s\n",
		       l->auth_fail_limit, l->auth_fail_window, l->auth_fail_window);
	else
		printf("  failed authentications: no limit\n");
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
	    {"max-body", required_argument, NULL, OPT_MAX_BODY},
	    {"max-header", required_argument, NULL, OPT_MAX_HEADER},
	    {"max-connections", required_argument, NULL, OPT_MAX_CONN},
	    {"max-connections-per-ip", required_argument, NULL, OPT_MAX_CONN_IP},
	    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	    {"auth-fail-limit", required_argument, NULL, OPT_AUTH_FAIL_LIMIT},
	    {"auth-fail-window", required_argument, NULL, OPT_AUTH_FAIL_WINDOW},
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
	cfg.threads = default_threads();
	/* Durable means on disk: each commit (one per group of downloads) is fsync'ed unless told otherwise.
	 */
	cfg.store_flags = FW_STORE_SYNC_FULL;
	cfg.webhook_backoff_ms = 30000;
	cfg.webhook_max_tries = 8;
	cfg.webhook_timeout_ms = 10000;
	cfg.webhook_connect_timeout_ms = 5000;
	limits_default(&cfg.limits);
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
		case OPT_MAX_BODY:
		case OPT_MAX_HEADER:
		case OPT_MAX_CONN:
		case OPT_MAX_CONN_IP:
		case OPT_IDLE_TIMEOUT:
		case OPT_AUTH_FAIL_LIMIT:
		case OPT_AUTH_FAIL_WINDOW:
			if (limit_option(c, optarg, &cfg.limits) < 0)
				return EXIT_USAGE;
			break;
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
	/* MHD gives each thread an equal share of the connections: every thread needs at least one. */
	if (cfg.limits.conn_max < cfg.threads) {
		fprintf(stderr, "forewarn serve: --max-connections (%u) must be at least --threads (%u)\n",
		        cfg.limits.conn_max, cfg.threads);
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
		print_limits(&cfg.limits);
		return 0;
	}
	return server_run(&cfg) < 0 ? 1 : 0;
}
