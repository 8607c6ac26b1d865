/*
 * The framework of the client commands (src/cli_*.c): command tables and their man pages, option parsing
 * with the global options, requests with error reporting, output as tables or raw JSON, files, JSON bodies.
 * Commands return the exit status: 0 success, 1 failure, EXIT_USAGE (2) bad usage.
 */
#ifndef FW_SRC_CLI_COMMON_H
#define FW_SRC_CLI_COMMON_H

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include "forewarn/buf.h"
#include "cli.h"

#define CLI_BODY_MAX  (8 * 1024 * 1024) /* the server's limit on request bodies */
#define CLI_PATH_MAX  2048
#define CLI_OPTS_MAX  40
#define CLI_OPT_FIRST 0x200 /* commands' long-only option codes start here; smaller ones are global */

struct cli;

struct cli_cmd {
	const char *name;          /* NULL in a group that is itself the command (inbox, events) */
	const char *args;          /* the synopsis after the command name: "ID [--reason TEXT]" */
	const char *brief;         /* one line, for NAME and the summaries */
	const char *description;   /* paragraphs, each line indented by 4 spaces */
	const char *options;       /* the command's own options, indented by 4; NULL if none */
	const char *example;       /* indented by 4 */
	const struct option *opts; /* its own options (terminated by a zero entry), or NULL */
	const char *shortopts;     /* its own short options for getopt ("o:"), or NULL */
	int min_args, max_args;    /* how many positional arguments it takes */
	int (*run)(struct cli *c, int argc, char **argv);
};

struct cli_group {
	const char *name;
	const char *brief;
	const char *description;
	const char *example;
	const struct cli_cmd *cmds; /* terminated by an entry whose run is NULL */
};

/* The groups (src/cli_*.c). */
extern const struct cli_group cli_partner_group, cli_tier_group, cli_rule_group, cli_advisory_group,
    cli_inbox_group, cli_events_group;

struct cli {
	const struct cli_group *group;
	const struct cli_cmd *cmd;
	char prefix[96]; /* "forewarn partner show", for messages */
	int parsing;
	struct option opts[CLI_OPTS_MAX];
	char shortopts[32];
	const char *url_opt, *token_opt, *token_file;
	int token_optional; /* set before cli_getopt by commands that work offline: no token is no error */
	const char *cacert_opt, *cert_opt, *key_opt;
	const char *cacert, *cert, *key; /* TLS settings in force (NULL: unset) */
	char url[1024];
	char token[4096]; /* wiped by cli_release */
	int json;         /* --json: print the server's answer as is */
	char **args;      /* the positional arguments, after parsing */
	int nargs;
	int status; /* the exit status when cli_getopt returns -1 */
	char path[CLI_PATH_MAX];
	long http_status;
	struct fw_buf answer;
};

void cli_init(struct cli *c, const struct cli_group *g, const struct cli_cmd *cmd);
void cli_release(struct cli *c);

/* cli_help: the man page of a command (cmd != NULL) or of a group. cli_cmd_synopsis: "forewarn G C ARGS". */
void cli_help(const struct cli_group *g, const struct cli_cmd *cmd, FILE *out);
void cli_cmd_synopsis(const struct cli_group *g, const struct cli_cmd *cmd, char *out, size_t outsz);

/*
 * cli_getopt: the next option of the command: its code (optarg holds the argument), after handling the global
 * options itself. 0 at the end: the positional arguments are in c->args, c->url and c->token are set.
 * -1 when the command must stop with exit status c->status (--help printed, or bad usage reported).
 */
int cli_getopt(struct cli *c, int argc, char **argv);
/* cli_no_options: cli_getopt for a command with no options of its own: 0, or -1 as cli_getopt. */
int cli_no_options(struct cli *c, int argc, char **argv);
/* cli_is_number: 1 if s is a whole number in digits only, at most 18 of them (fits a JSON integer). */
int cli_is_number(const char *s);
/* cli_usage_error: prints "<prefix>: <message>" and a hint to --help; returns EXIT_USAGE. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* cli_failed: prints "<head>: <message>" on standard error, a check's failure ("verification FAILED");
 * returns 1, the exit status. cli_failedv: the same with a va_list. */
int cli_failed(const char *head, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_failedv(const char *head, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * cli_pathf: sets c->path from fmt, each %s replaced by its argument percent-encoded (the only conversion).
 * cli_query: appends ?key=value or &key=value (nothing if value is NULL). Both: 0, or EXIT_USAGE reported.
 */
int cli_pathf(struct cli *c, const char *fmt, ...);
int cli_query(struct cli *c, const char *key, const char *value);

/*
 * cli_call: sends the request to c->path. 0 on a 2xx answer (in c->answer). Else reports the server's error
 * ("forewarn: 404 not found (field: f)") or the transport failure on standard error and returns 1.
 */
int cli_call(struct cli *c, const char *method, const char *body, size_t len);

/*
 * Output of c->answer: each returns 0, or 1 after reporting an answer it cannot render. With --json each
 * prints the answer as is instead. cli_table: the array under key (NULL: the answer itself as one row);
 * cli_fields: "field: value" lines; cli_raw: the answer as is, with a final newline.
 */
int cli_table(struct cli *c, const char *key, const char *const *columns);
int cli_fields(struct cli *c, const char *const *fields);
int cli_raw(struct cli *c);
/* cli_text: the text at a dotted path of the answer into out (reinitialised, caller releases); 0 or FW_E*. */
int cli_text(struct cli *c, const char *path, struct fw_buf *out);

/*
 * cli_read_file: the whole of path ("-": standard input), at most max bytes, into out (reinitialised; the
 * caller releases it). text: must be UTF-8 without NUL bytes. On failure reports "cannot read <what> 'path':
 * reason" and returns EXIT_USAGE.
 */
int cli_read_file(struct cli *c, const char *what, const char *path, size_t max, int text,
                  struct fw_buf *out);
/* cli_trim: b's text without the spaces, tabs and line ends around it, cut in place; "" when there is none.
 */
const char *cli_trim(struct fw_buf *b);

/* A JSON object under construction in a buffer; errors are sticky and returned by cli_obj_end. */
struct cli_obj {
	struct fw_buf *b;
	int n;
	int r;
};
void cli_obj_begin(struct cli_obj *o, struct fw_buf *b);
/* cli_obj_key: writes the separator and "key": (for a nested value written next). */
void cli_obj_key(struct cli_obj *o, const char *key);
/* cli_obj_str: "key": "value" (escaped); nothing if value is NULL. */
void cli_obj_str(struct cli_obj *o, const char *key, const char *value);
/* cli_obj_raw: "key": json, the JSON text as it is. */
void cli_obj_raw(struct cli_obj *o, const char *key, const char *json, size_t len);
/* cli_obj_strs: "key": [values...]; cli_obj_csv: "key": the comma-separated items of csv as strings. */
void cli_obj_strs(struct cli_obj *o, const char *key, char *const *values, size_t n);
void cli_obj_csv(struct cli_obj *o, const char *key, const char *csv);
/* cli_obj_end: closes the object; 0, or the first error (FW_EINVAL: a value was not valid UTF-8). */
int cli_obj_end(struct cli_obj *o);
/* cli_body_error: reports a failed body construction (r from cli_obj_end); returns the exit status. */
int cli_body_error(struct cli *c, int r);

#endif
