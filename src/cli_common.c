/*
 * What every client command shares: the man pages, parsing with the global options (--url, --token,
 * --token-file, --json), percent-encoded request paths, the request with its error report, the output as
 * tables, "field: value" lines or raw JSON, bounded file reading, and JSON bodies built with proper escaping.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "forewarn/crypto.h"
#include "forewarn/json.h"
#include "forewarn/model.h"
#include "client.h"
#include "cli_common.h"

#define DEFAULT_URL "https://127.0.0.1:8443"

enum { OPT_URL = 0x100, OPT_TOKEN, OPT_TOKEN_FILE, OPT_JSON, OPT_CACERT, OPT_CERT, OPT_KEY };

static const struct option global_opts[] = {
    {"url", required_argument, NULL, OPT_URL},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"json", no_argument, NULL, OPT_JSON},
    {"raw", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, 'h'},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
};

static const char exit_status[] =
    "EXIT STATUS\n"
    "    0  success\n"
    "    1  failure: the server answered with an error, printed on standard error as\n"
    "       \"forewarn: STATUS MESSAGE (field: FIELD)\", or it could not be reached\n"
    "    2  bad usage: unknown command or option, missing argument, unreadable file\n\n";

void cli_init(struct cli *c, const struct cli_group *g, const struct cli_cmd *cmd)
{
	memset(c, 0, sizeof(*c));
	c->group = g;
	c->cmd = cmd;
	if (cmd->name)
		snprintf(c->prefix, sizeof(c->prefix), "forewarn %s %s", g->name, cmd->name);
	else
		snprintf(c->prefix, sizeof(c->prefix), "forewarn %s", g->name);
	fw_buf_init(&c->answer, HTTP_RESPONSE_MAX);
}

void cli_release(struct cli *c)
{
	fw_crypto_wipe(c->token, sizeof(c->token));
	fw_buf_release(&c->answer);
}

static int has_option(const struct option *opts, const char *name)
{
	for (; opts && opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return 1;
	return 0;
}

/* The global options as the man pages show them; --json is --raw where a command reads --json FILE. */
static void global_options_help(const struct cli_cmd *cmd, FILE *out)
{
	fprintf(
	    out,
	    "    --url URL          the server (default: $FOREWARN_URL, else " DEFAULT_URL ")\n"
	    "    --token-file FILE  read the bearer token from FILE\n"
	    "    --token TOKEN      the bearer token (default: $FOREWARN_TOKEN); other local users\n"
	    "                       can see command lines, so prefer --token-file or the environment\n"
	    "    --cacert FILE      trust the server certificates in FILE, PEM (default: $FOREWARN_CACERT,\n"
	    "                       else the system's); for a server made by 'forewarn init', DIR/tls.crt\n"
	    "    --cert FILE        present this client certificate, PEM (default: $FOREWARN_CERT): a\n"
	    "                       partner registered by certificate needs no token unless its mode is\n"
	    "                       token+cert\n"
	    "    --key FILE         the client certificate's key, PEM (default: $FOREWARN_KEY, else the\n"
	    "                       --cert file; for 'forewarn log', whose --key is the log's key, use\n"
	    "                       FOREWARN_KEY)\n"
	    "%s"
	    "    -h, --help         print this help\n\n",
	    cmd && has_option(cmd->opts, "json")
	        ? "    --raw              print the server's JSON answer as is (here --json FILE is\n"
	          "                       the request body)\n"
	        : "    --json, --raw      print the server's JSON answer as is instead of a table\n");
}

void cli_cmd_synopsis(const struct cli_group *g, const struct cli_cmd *cmd, char *out, size_t outsz)
{
	snprintf(out, outsz, "forewarn %s%s%s%s%s", g->name, cmd->name ? " " : "", cmd->name ? cmd->name : "",
	         cmd->args[0] ? " " : "", cmd->args);
}

void cli_help(const struct cli_group *g, const struct cli_cmd *cmd, FILE *out)
{
	char syn[256];

	if (!cmd && !g->cmds[0].name)
		cmd = &g->cmds[0];
	if (cmd) {
		cli_cmd_synopsis(g, cmd, syn, sizeof(syn));
		fprintf(out, "NAME\n    forewarn %s%s%s - %s\n\n", g->name, cmd->name ? " " : "",
		        cmd->name ? cmd->name : "", cmd->brief);
		fprintf(out, "SYNOPSIS\n    %s [global options]\n\n", syn);
		fprintf(out, "DESCRIPTION\n%s\n\n", cmd->description);
		fprintf(out, "OPTIONS\n");
		if (cmd->options)
			fprintf(out, "%s\n", cmd->options);
		global_options_help(cmd, out);
		fprintf(out, "%sEXAMPLE\n%s\n", exit_status, cmd->example);
		return;
	}
	fprintf(out, "NAME\n    forewarn %s - %s\n\nSYNOPSIS\n", g->name, g->brief);
	for (const struct cli_cmd *k = g->cmds; k->run; k++) {
		cli_cmd_synopsis(g, k, syn, sizeof(syn));
		fprintf(out, "    %s\n", syn);
	}
	fprintf(out, "    forewarn %s COMMAND --help\n\nDESCRIPTION\n%s\n\nCOMMANDS\n", g->name,
	        g->description);
	for (const struct cli_cmd *k = g->cmds; k->run; k++)
		fprintf(out, "    %-20s %s\n", k->name, k->brief);
	fprintf(out, "\nOPTIONS (of every command)\n");
	global_options_help(NULL, out);
	fprintf(out, "%sEXAMPLE\n%s\n", exit_status, g->example);
}

int cli_usage_error(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(try '%s --help')\n", c->prefix);
	return EXIT_USAGE;
}

int cli_failedv(const char *head, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", head);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return 1;
}

int cli_failed(const char *head, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cli_failedv(head, fmt, ap);
	va_end(ap);
	return r;
}

static int stop(struct cli *c, int status)
{
	c->status = status;
	return -1;
}

static void build_options(struct cli *c)
{
	size_t n = 0, i;

	for (const struct option *o = c->cmd->opts; o && o->name; o++) {
		assert(n < CLI_OPTS_MAX - 1);
		c->opts[n++] = *o;
	}
	for (i = 0; i < sizeof(global_opts) / sizeof(global_opts[0]); i++)
		if (!has_option(c->cmd->opts, global_opts[i].name)) {
			assert(n < CLI_OPTS_MAX - 1);
			c->opts[n++] = global_opts[i];
		}
	memset(&c->opts[n], 0, sizeof(c->opts[n]));
	/* ':' first: a missing argument is reported as ':', apart from an unknown option. */
	snprintf(c->shortopts, sizeof(c->shortopts), ":h%s", c->cmd->shortopts ? c->cmd->shortopts : "");
}

/* A token is one header-safe word; checked here so that a bad one is a usage error, never printed. */
static int token_ok(const char *t)
{
	if (!*t)
		return 0;
	for (; *t; t++)
		if (*t < 0x21 || *t > 0x7e)
			return 0;
	return 1;
}

static int load_token(struct cli *c)
{
	const char *from = c->token_opt ? "--token" : "FOREWARN_TOKEN";
	const char *t = c->token_opt ? c->token_opt : getenv("FOREWARN_TOKEN");
	struct fw_buf b = {0};
	int r;

	if (c->token_opt && c->token_file)
		return cli_usage_error(c, "give --token or --token-file, not both");
	if (c->token_file) {
		r = cli_read_file(c, "the token file", c->token_file, sizeof(c->token) - 1, 1, &b);
		if (r != 0)
			return r;
		strcpy(c->token, cli_trim(&b)); /* fits: the file holds at most sizeof(c->token) - 1 bytes */
		fw_crypto_wipe(b.data, b.cap);
		fw_buf_release(&b);
		from = "the token file";
	} else if (t && *t) {
		if (strlen(t) >= sizeof(c->token))
			return cli_usage_error(c, "the token from %s is too long", from);
		strcpy(c->token, t);
	} else if (c->cert || c->token_optional) {
		return 0; /* the client certificate alone, or no token where none is needed */
	} else {
		return cli_usage_error(c, "no token: give --token-file FILE or --token TOKEN, or set "
		                          "FOREWARN_TOKEN (or a client certificate: --cert FILE)");
	}
	if (!token_ok(c->token))
		return cli_usage_error(c, "the token from %s is empty or holds spaces or control characters",
		                       from);
	return 0;
}

static int finish(struct cli *c, int argc, char **argv)
{
	const char *u = c->url_opt, *from = "--url";
	char syn[256];
	size_t n;
	int r;

	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs < c->cmd->min_args) {
		cli_cmd_synopsis(c->group, c->cmd, syn, sizeof(syn));
		return stop(c, cli_usage_error(c, "missing argument (usage: %s)", syn));
	}
	if (c->nargs > c->cmd->max_args)
		return stop(c, cli_usage_error(c, "unexpected argument '%s'", c->args[c->cmd->max_args]));
	if (!u) {
		u = getenv("FOREWARN_URL");
		from = "FOREWARN_URL";
	}
	if (!u || !*u)
		u = DEFAULT_URL;
	if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0)
		return stop(c, cli_usage_error(c, "%s: '%s' is not an http:// or https:// URL", from, u));
	n = strlen(u);
	if (n >= sizeof(c->url))
		return stop(c, cli_usage_error(c, "%s: the URL is too long", from));
	while (n > 8 && u[n - 1] == '/')
		n--;
	memcpy(c->url, u, n);
	c->url[n] = '\0';
	/* TLS: the options, else the environment; empty means unset. */
	c->cacert = c->cacert_opt ? c->cacert_opt : getenv("FOREWARN_CACERT");
	c->cert = c->cert_opt ? c->cert_opt : getenv("FOREWARN_CERT");
	c->key = c->key_opt ? c->key_opt : getenv("FOREWARN_KEY");
	if (c->cacert && !*c->cacert)
		c->cacert = NULL;
	if (c->cert && !*c->cert)
		c->cert = NULL;
	if (c->key && !*c->key)
		c->key = NULL;
	if (c->key && !c->cert)
		return stop(c,
		            cli_usage_error(c, "a client key (--key or FOREWARN_KEY) needs its certificate "
		                               "(--cert or FOREWARN_CERT)"));
	http_tls_set(c->cacert, c->cert, c->key);
	r = load_token(c);
	return r ? stop(c, r) : 0;
}

/* Says why getopt refused arg: an unknown option, an abbreviation of several, or an argument too many. */
static int bad_option(struct cli *c, const char *arg)
{
	size_t n = strcspn(arg + 2, "="), matches = 0;

	if (optopt && optopt < 0x100 && arg[1] != '-')
		return cli_usage_error(c, "unknown option '-%c'", optopt);
	if (arg[0] != '-' || arg[1] != '-')
		return cli_usage_error(c, "unknown option '%s'", arg);
	for (const struct option *o = c->opts; o->name; o++) {
		if (strncmp(o->name, arg + 2, n) != 0)
			continue;
		if (o->name[n] == '\0' && arg[2 + n] == '=')
			return cli_usage_error(c, "option '--%s' takes no argument", o->name);
		matches++;
	}
	if (matches > 1)
		return cli_usage_error(c, "option '%.*s' is ambiguous: give more of its name", (int)n + 2,
		                       arg);
	return cli_usage_error(c, "unknown option '%.*s'", (int)n + 2, arg);
}

int cli_getopt(struct cli *c, int argc, char **argv)
{
	int o;

	if (!c->parsing) {
		build_options(c);
		c->parsing = 1;
		/* glibc: 0 re-initialises getopt completely; 1 could keep state from an earlier parse. */
		optind = 0;
		opterr = 0;
	}
	for (;;) {
		o = getopt_long(argc, argv, c->shortopts, c->opts, NULL);
		switch (o) {
		case -1:
			return finish(c, argc, argv);
		case 'h':
			cli_help(c->group, c->cmd, stdout);
			return stop(c, 0);
		case OPT_URL:
			c->url_opt = optarg;
			break;
		case OPT_TOKEN:
			c->token_opt = optarg;
			break;
		case OPT_TOKEN_FILE:
			c->token_file = optarg;
			break;
		case OPT_JSON:
			c->json = 1;
			break;
		case OPT_CACERT:
			c->cacert_opt = optarg;
			break;
		case OPT_CERT:
			c->cert_opt = optarg;
			break;
		case OPT_KEY:
			c->key_opt = optarg;
			break;
		case ':':
			return stop(c, cli_usage_error(c, "option '%s' needs an argument", argv[optind - 1]));
		case '?':
			return stop(c, bad_option(c, argv[optind - 1]));
		default:
			return o;
		}
	}
}

/* Percent-encodes s (all but RFC 3986 unreserved characters, and '.' so no segment is "." or ".."). */
static int encode(char *out, size_t outsz, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		            (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '~';
		if (*pos + 4 >= outsz)
			return -1;
		if (plain) {
			out[(*pos)++] = (char)ch;
		} else {
			out[(*pos)++] = '%';
			out[(*pos)++] = hex[ch >> 4];
			out[(*pos)++] = hex[ch & 15];
		}
	}
	out[*pos] = '\0';
	return 0;
}

int cli_pathf(struct cli *c, const char *fmt, ...)
{
	size_t pos = 0;
	va_list ap;
	int r = 0;

	va_start(ap, fmt);
	for (; *fmt && r == 0; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 's') {
			r = encode(c->path, sizeof(c->path), &pos, va_arg(ap, const char *));
			fmt++;
		} else if (pos + 1 < sizeof(c->path)) {
			c->path[pos++] = *fmt;
		} else {
			r = -1;
		}
	}
	va_end(ap);
	c->path[pos] = '\0';
	return r == 0 ? 0 : cli_usage_error(c, "an argument is too long");
}

int cli_query(struct cli *c, const char *key, const char *value)
{
	size_t pos = strlen(c->path);

	if (!value)
		return 0;
	if (pos + strlen(key) + 3 >= sizeof(c->path))
		return cli_usage_error(c, "an argument is too long");
	pos += (size_t)sprintf(c->path + pos, "%c%s=", strchr(c->path, '?') ? '&' : '?', key);
	if (encode(c->path, sizeof(c->path), &pos, value) < 0)
		return cli_usage_error(c, "an argument is too long");
	return 0;
}

/* Server text goes to a terminal: control characters become '?'. */
static void print_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void report_error(struct cli *c)
{
	struct fw_buf msg = {0}, field = {0};

	fprintf(stderr, "forewarn: %ld ", c->http_status);
	if (cli_text(c, "error.message", &msg) == 0 && msg.len) {
		print_clean(stderr, msg.data);
		if (cli_text(c, "error.field", &field) == 0 && field.len) {
			fputs(" (field: ", stderr);
			print_clean(stderr, field.data);
			fputc(')', stderr);
		}
	} else if (c->http_status >= 300 && c->http_status < 400) {
		fputs("unexpected redirect (is --url right?)", stderr);
	} else {
		fputs("the server's answer holds no error message", stderr);
	}
	fputc('\n', stderr);
	fw_buf_release(&msg);
	fw_buf_release(&field);
}

int cli_call(struct cli *c, const char *method, const char *body, size_t len)
{
	char errbuf[HTTP_ERRBUF_SIZE];
	int r;

	r = http_call(method, c->url, c->path, c->token[0] ? c->token : NULL, body, len, &c->http_status,
	              &c->answer, errbuf);
	if (r == FW_ETOOBIG) {
		fprintf(stderr, "forewarn: %s: %s\n", c->url, errbuf);
		return 1;
	}
	if (r < 0) {
		fprintf(stderr, "forewarn: cannot reach %s: %s\n", c->url, errbuf);
		return 1;
	}
	if (c->http_status >= 200 && c->http_status < 300)
		return 0;
	report_error(c);
	return 1;
}

static const char *answer(struct cli *c)
{
	return c->answer.data ? c->answer.data : "";
}

static int unexpected(struct cli *c)
{
	fprintf(stderr, "forewarn: the server's answer is not what %s expects (try --json)\n", c->prefix);
	return 1;
}

int cli_raw(struct cli *c)
{
	if (c->answer.len == 0)
		return 0;
	fwrite(c->answer.data, 1, c->answer.len, stdout);
	if (c->answer.data[c->answer.len - 1] != '\n')
		putchar('\n');
	return 0;
}

static int print_buf(struct fw_buf *b, int r)
{
	if (r == 0 && b->len)
		fwrite(b->data, 1, b->len, stdout);
	fw_buf_release(b);
	return r;
}

int cli_table(struct cli *c, const char *key, const char *const *columns)
{
	struct fw_buf out;

	if (c->json)
		return cli_raw(c);
	fw_buf_init(&out, 0);
	if (print_buf(&out, fw_json_table(answer(c), c->answer.len, key, columns, &out)) < 0)
		return unexpected(c);
	return 0;
}

int cli_fields(struct cli *c, const char *const *fields)
{
	struct fw_buf out;

	if (c->json)
		return cli_raw(c);
	fw_buf_init(&out, 0);
	if (print_buf(&out, fw_json_fields(answer(c), c->answer.len, fields, &out)) < 0)
		return unexpected(c);
	return 0;
}

int cli_text(struct cli *c, const char *path, struct fw_buf *out)
{
	fw_buf_init(out, HTTP_RESPONSE_MAX);
	return fw_json_get_text(answer(c), c->answer.len, path, out);
}

int cli_read_file(struct cli *c, const char *what, const char *path, size_t max, int text, struct fw_buf *out)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = fd == STDIN_FILENO ? "standard input" : path;
	char chunk[65536];
	ssize_t n;
	int r = 0;

	fw_buf_release(out);
	fw_buf_init(out, max);
	if (fd < 0) {
		cli_usage_error(c, "cannot read %s '%s': %s", what, name, strerror(errno));
		return EXIT_USAGE;
	}
	while (r == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_usage_error(c, "cannot read %s '%s': %s", what, name, strerror(errno));
			r = EXIT_USAGE;
		} else if (fw_buf_append(out, chunk, (size_t)n) < 0) {
			int mib = max % (1024 * 1024) == 0;
			cli_usage_error(c, "cannot read %s '%s': larger than %zu %s", what, name,
			                mib ? max / (1024 * 1024) : max, mib ? "MiB" : "bytes");
			r = EXIT_USAGE;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (r == 0 && text && !fw_utf8_valid(out->data ? out->data : "", out->len)) {
		cli_usage_error(c, "cannot read %s '%s': not UTF-8 text (or holds NUL bytes)", what, name);
		r = EXIT_USAGE;
	}
	fw_crypto_wipe(chunk, sizeof(chunk));
	return r;
}

int cli_no_options(struct cli *c, int argc, char **argv)
{
	int o;

	while ((o = cli_getopt(c, argc, argv)) > 0)
		;
	return o;
}

int cli_is_number(const char *s)
{
	return s[0] && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 18;
}

const char *cli_trim(struct fw_buf *b)
{
	size_t s = 0, e = b->len;

	if (!b->data)
		return "";
	while (s < e && strchr(" \t\r\n", b->data[s]))
		s++;
	while (e > s && strchr(" \t\r\n", b->data[e - 1]))
		e--;
	b->data[e] = '\0';
	return b->data + s;
}

void cli_obj_begin(struct cli_obj *o, struct fw_buf *b)
{
	o->b = b;
	o->n = 0;
	o->r = fw_buf_puts(b, "{");
}

void cli_obj_key(struct cli_obj *o, const char *key)
{
	if (o->r == 0 && o->n++)
		o->r = fw_buf_puts(o->b, ",");
	if (o->r == 0)
		o->r = fw_json_string_write(key, o->b);
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, ":");
}

/* A JSON string of s[0..n): checked here, as fw_json_string_write stops at a NUL and rejects bad UTF-8. */
static void string(struct cli_obj *o, const char *s, size_t n)
{
	char *copy = NULL;

	if (o->r == 0 && !fw_utf8_valid(s, n))
		o->r = FW_EINVAL;
	if (o->r == 0 && s[n] != '\0') {
		copy = strndup(s, n);
		if (!copy)
			o->r = FW_ENOMEM;
	}
	if (o->r == 0)
		o->r = fw_json_string_write(copy ? copy : s, o->b);
	free(copy);
}

void cli_obj_str(struct cli_obj *o, const char *key, const char *value)
{
	if (!value)
		return;
	cli_obj_key(o, key);
	string(o, value, strlen(value));
}

void cli_obj_raw(struct cli_obj *o, const char *key, const char *json, size_t len)
{
	cli_obj_key(o, key);
	if (o->r == 0)
		o->r = fw_buf_append(o->b, json, len);
}

void cli_obj_strs(struct cli_obj *o, const char *key, char *const *values, size_t n)
{
	cli_obj_key(o, key);
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, "[");
	for (size_t i = 0; i < n && o->r == 0; i++) {
		if (i)
			o->r = fw_buf_puts(o->b, ",");
		string(o, values[i], strlen(values[i]));
	}
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, "]");
}

void cli_obj_csv(struct cli_obj *o, const char *key, const char *csv)
{
	size_t i = 0, n;

	cli_obj_key(o, key);
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, "[");
	while (*csv && o->r == 0) {
		n = strcspn(csv, ",");
		if (n && i++)
			o->r = fw_buf_puts(o->b, ",");
		if (n)
			string(o, csv, n);
		csv += n + (csv[n] == ',');
	}
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, "]");
}

int cli_obj_end(struct cli_obj *o)
{
	if (o->r == 0)
		o->r = fw_buf_puts(o->b, "}");
	return o->r;
}

int cli_body_error(struct cli *c, int r)
{
	if (r == FW_EINVAL)
		return cli_usage_error(c, "an argument is not valid UTF-8 text");
	if (r == FW_ETOOBIG)
		return cli_usage_error(c, "the request would exceed the server's limit of 8 MiB");
	fprintf(stderr, "%s: %s\n", c->prefix, fw_strerror(r));
	return 1;
}
