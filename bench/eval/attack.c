/*
 * What a leaker does to its copy before it leaks: colluders combine their copies (per slot where they
 * differ, or by lines and chunks of text), fragments, whitespace and Unicode normalisation, reformatting with
 * clang-format, random slot flips; and the PoC run against a capture server, whose requests are the leak.
 * Everything but the per-slot choices works on the copy's bytes.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "eval.h"

extern char **environ;

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *g, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ull ^ rotl(b, 21) ^ rotl(c * 0xd1b54a32d192ed03ull, 42);

	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix(&x);
}

uint64_t rng_next(struct rng *g)
{
	uint64_t *s = g->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

size_t rng_below(struct rng *g, size_t n)
{
	return (size_t)(rng_unit(g) * (double)n);
}

double rng_unit(struct rng *g)
{
	return (double)(rng_next(g) >> 11) * 0x1p-53;
}

const char *strategy_name(enum strategy s)
{
	static const char *const names[] = {"-", "interleave", "majority", "minority", "random", "splice"};
	return names[s];
}

/* Colluders compare their copies: a slot whose variant differs between them is one they can choose. */
void collude_slots(const struct advisory *a, enum strategy s, unsigned char *const *words, size_t nwords,
                   struct rng *g, unsigned char *bits)
{
	memcpy(bits, words[0], a->m);
	for (int p = 0; p < FW_PART_COUNT; p++)
		for (size_t i = 0; i < a->part[p].nslots; i++) {
			const struct slot *sl = &a->part[p].slots[i];
			unsigned val[EVAL_MAX_COLLUDERS], cnt[EVAL_MAX_COLLUDERS], pick[EVAL_MAX_COLLUDERS];
			size_t nv = 0, np = 0;

			for (size_t j = 0; j < nwords; j++) {
				unsigned v = slot_value(words[j], sl);
				size_t k = 0;
				while (k < nv && val[k] != v)
					k++;
				if (k == nv) {
					val[nv] = v;
					cnt[nv++] = 0;
				}
				cnt[k]++;
			}
			if (nv == 1)
				continue; /* the marking assumption: identical everywhere, the colluders
				             cannot tell */
			for (size_t k = 0; k < nv; k++) {
				unsigned best = cnt[k];
				for (size_t l = 0; l < nv; l++)
					if ((s == STRAT_MAJORITY && cnt[l] > best) ||
					    (s == STRAT_MINORITY && cnt[l] < best))
						best = cnt[l];
				if (s == STRAT_RANDOM || cnt[k] == best)
					pick[np++] = val[k];
			}
			slot_set(bits, sl, pick[rng_below(g, np)]);
		}
}

void flip_slots(const struct advisory *a, double frac, struct rng *g, unsigned char *bits)
{
	for (int p = 0; p < FW_PART_COUNT; p++)
		for (size_t i = 0; i < a->part[p].nslots; i++) {
			const struct slot *sl = &a->part[p].slots[i];
			unsigned v, n = 1u << sl->k;
			if (rng_unit(g) >= frac)
				continue;
			v = slot_value(bits, sl);
			slot_set(bits, sl, (v + 1 + (unsigned)rng_below(g, n - 1)) % n);
		}
}

/* Units of text a person moves around: lines, and sentences inside long lines. Offsets of their starts. */
struct units {
	size_t *at, n;
};

static int split_units(const char *t, size_t len, struct units *u)
{
	size_t cap = 256;

	u->n = 0;
	u->at = malloc((cap + 1) * sizeof(*u->at));
	if (!u->at)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int cut =
		    i == 0 || t[i - 1] == '\n' ||
		    (i >= 2 && t[i - 1] == ' ' && strchr(".?!", t[i - 2]) && t[i] >= 'A' && t[i] <= 'Z');
		if (!cut)
			continue;
		if (u->n == cap) {
			size_t *p = realloc(u->at, (2 * cap + 1) * sizeof(*p));
			if (!p)
				return -1;
			u->at = p;
			cap *= 2;
		}
		u->at[u->n++] = i;
	}
	u->at[u->n] = len;
	return 0;
}

int collude_text(enum strategy s, const char *const *copies, size_t n, struct rng *g, struct fw_buf *out)
{
	struct units u[EVAL_MAX_COLLUDERS];
	size_t cuts[2 * EVAL_MAX_COLLUDERS + 1], nseg = 2 * n, most = 0, first = rng_below(g, n);
	int r = 0;

	memset(u, 0, sizeof(u));
	for (size_t j = 0; j < n && r == 0; j++) {
		r = split_units(copies[j], strlen(copies[j]), &u[j]);
		if (r == 0 && u[j].n > most)
			most = u[j].n;
	}
	/* splice: 2n contiguous chunks at random cuts, taken from the copies in turn. */
	cuts[0] = 0;
	for (size_t k = 1; k < nseg; k++)
		cuts[k] = 1 + rng_below(g, most > 1 ? most - 1 : 1);
	cuts[nseg] = most;
	for (size_t k = 1; k < nseg; k++) /* insertion sort of a handful of cuts */
		for (size_t l = k; l > 1 && cuts[l] < cuts[l - 1]; l--) {
			size_t x = cuts[l];
			cuts[l] = cuts[l - 1];
			cuts[l - 1] = x;
		}
	for (size_t i = 0, seg = 0; r == 0 && i < most; i++) {
		size_t j;
		while (s == STRAT_SPLICE && seg + 1 < nseg && i >= cuts[seg + 1])
			seg++;
		j = (first + (s == STRAT_SPLICE ? seg : i)) % n;
		/* Copies whose slots moved lines have a unit fewer or more: take what the chosen copy has. */
		for (size_t tries = 0; i >= u[j].n && tries < n; tries++)
			j = (j + 1) % n;
		if (i < u[j].n)
			r = fw_buf_append(out, copies[j] + u[j].at[i], u[j].at[i + 1] - u[j].at[i]);
	}
	for (size_t j = 0; j < n; j++)
		free(u[j].at);
	return r;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int fragment(const char *text, size_t len, double frac, int scattered, struct rng *g, struct fw_buf *out)
{
	size_t want = (size_t)(frac * (double)len), got = 0, *order;
	struct units u;
	unsigned char *take;
	int r = 0;

	if (!scattered) {
		size_t start = rng_below(g, len - want + 1), end = start + want;
		/* A selection by mouse or by lines: from a word's start to a word's end. */
		while (start > 0 && start < end && !is_space(text[start - 1]))
			start++;
		while (end < len && end > start && !is_space(text[end]))
			end--;
		return fw_buf_append(out, text + start, end - start);
	}
	if (split_units(text, len, &u) < 0)
		return -1;
	order = malloc((u.n + 1) * sizeof(*order));
	take = calloc(u.n + 1, 1);
	if (!order || !take) {
		r = -1;
		goto out;
	}
	for (size_t i = 0; i < u.n; i++)
		order[i] = i;
	for (size_t i = u.n; i > 1; i--) { /* Fisher-Yates */
		size_t k = rng_below(g, i), x = order[i - 1];
		order[i - 1] = order[k];
		order[k] = x;
	}
	for (size_t i = 0; i < u.n && got < want; i++) {
		take[order[i]] = 1;
		got += u.at[order[i] + 1] - u.at[order[i]];
	}
	for (size_t i = 0; r == 0 && i < u.n; i++) {
		size_t a = u.at[i], b = u.at[i + 1];
		if (!take[i])
			continue;
		r = fw_buf_append(out, text + a, b - a);
		if (r == 0 && b > a && !is_space(text[b - 1]))
			r = fw_buf_puts(out, "\n");
	}
out:
	free(order);
	free(take);
	free(u.at);
	return r;
}

int normalise_ws(const char *text, size_t len, struct fw_buf *out)
{
	size_t col = 0, i = 0;
	int r = 0;

	while (r == 0 && i < len) {
		size_t nl = 0, w;
		while (i < len && is_space(text[i]))
			nl += text[i++] == '\n';
		if (i == len)
			break;
		for (w = i; w < len && !is_space(text[w]); w++)
			;
		if (nl >= 2 && col) { /* a blank line ends the paragraph */
			r = fw_buf_puts(out, "\n\n");
			col = 0;
		} else if (col && col + 1 + (w - i) > 72) {
			r = fw_buf_puts(out, "\n");
			col = 0;
		} else if (col) {
			r = fw_buf_puts(out, " ");
			col++;
		}
		if (r == 0)
			r = fw_buf_append(out, text + i, w - i);
		col += w - i;
		i = w;
	}
	return r == 0 ? fw_buf_puts(out, "\n") : r;
}

/* The code point at s (n bytes left) and its length; invalid bytes stand for themselves. */
static unsigned utf8_at(const unsigned char *s, size_t n, size_t *ret_len)
{
	if (s[0] >= 0xe0 && s[0] < 0xf0 && n >= 3 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*ret_len = 3;
		return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	if (s[0] >= 0xc0 && s[0] < 0xe0 && n >= 2 && (s[1] & 0xc0) == 0x80) {
		*ret_len = 2;
		return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	*ret_len = 1;
	return 0xffffffffu;
}

int normalise_unicode(const char *text, size_t len, struct fw_buf *out)
{
	static const char *const lig[] = {"ff", "fi", "fl", "ffi", "ffl"};
	const unsigned char *s = (const unsigned char *)text;
	int r = 0;

	for (size_t i = 0, n; r == 0 && i < len; i += n) {
		unsigned c = utf8_at(s + i, len - i, &n);
		const char *to = NULL;
		char one[2] = {0, 0};

		if ((c >= 0x2018 && c <= 0x201b) || c == 0x2032)
			to = "'";
		else if ((c >= 0x201c && c <= 0x201f) || c == 0x2033)
			to = "\"";
		else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
			to = "-";
		else if (c == 0xa0 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f ||
		         c == 0x3000)
			to = " ";
		else if ((c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff || c == 0xad)
			to = "";
		else if (c == 0x2026)
			to = "...";
		else if (c >= 0xfb00 && c <= 0xfb04)
			to = lig[c - 0xfb00];
		else if (c >= 0xff01 && c <= 0xff5e) /* fullwidth forms, as NFKC folds them */
			to = (one[0] = (char)(c - 0xff01 + 0x21), one);
		r = to ? fw_buf_puts(out, to) : fw_buf_append(out, text + i, n);
	}
	return r;
}

/* A private file under dir holding text; its path into path. */
static int temp_file(const char *dir, const char *suffix, const char *text, size_t len, char path[512])
{
	int fd;

	snprintf(path, 512, "%s/eval-XXXXXX%s", dir, suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Runs argv with stdout into the file out_path (or /dev/null), stderr to /dev/null; its pid. */
static int spawn(char *const argv[], const char *out_path, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(ret_pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return r == 0 ? 0 : -1;
}

static int wait_ok(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int tool_available(const char *prog)
{
	char *argv[] = {(char *)prog, (char *)"--version", NULL};
	pid_t pid;

	return spawn(argv, NULL, &pid) == 0 && wait_ok(pid) == 0;
}

int reformat_c(const char *text, size_t len, const char *tmpdir, struct fw_buf *out)
{
	char in[512], res[600], *argv[] = {(char *)"clang-format", (char *)"--style=Google", in, NULL};
	pid_t pid;
	int r = -1;
	FILE *f;

	if (temp_file(tmpdir, ".c", text, len, in) < 0)
		return -1;
	snprintf(res, sizeof(res), "%s.out", in);
	if (spawn(argv, res, &pid) == 0 && wait_ok(pid) == 0 && (f = fopen(res, "rb")) != NULL) {
		char buf[65536];
		size_t n;
		r = 0;
		while (r == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			r = fw_buf_append(out, buf, n);
		fclose(f);
	}
	unlink(in);
	unlink(res);
	return r;
}

/* One HTTP/1.1 request from c: the header block, then Content-Length bytes of body; appended to out. */
static int capture_request(int c, struct fw_buf *out)
{
	static const char reply[] =
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: "
	    "session=3f2a9c; Path=/\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
	    "{\"ok\":true}";
	size_t start = out->len, body = 0, need = (size_t)-1;
	char buf[16384];
	struct pollfd pf = {c, POLLIN, 0};

	while (out->len - start < need && poll(&pf, 1, 5000) > 0) {
		ssize_t n = read(c, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (fw_buf_append(out, buf, (size_t)n) < 0)
			return -1;
		if (!body) {
			const char *h = out->data + start, *e = memmem(h, out->len - start, "\r\n\r\n", 4),
			           *cl;
			if (!e)
				continue;
			body = (size_t)(e - h) + 4;
			need = body;
			for (cl = h; cl && cl < e; cl = memchr(cl, '\n', (size_t)(e - cl))) {
				cl += *cl == '\n';
				if (strncasecmp(cl, "content-length:", 15) == 0)
					need = body + strtoul(cl + 15, NULL, 10);
			}
		}
	}
	if (write(c, reply, sizeof(reply) - 1) < 0)
		return -1;
	return 0;
}

int run_poc_python(const char *poc, const char *tmpdir, struct fw_buf *out)
{
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof(sa);
	char path[512], port[16], *argv[] = {(char *)"python3", path, (char *)"127.0.0.1", port, NULL};
	int ls = -1, r = -1, exited = 0, st;
	pid_t pid = -1;
	double deadline = (double)time(NULL) + 30;

	if (temp_file(tmpdir, ".py", poc, strlen(poc), path) < 0)
		return -1;
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 16) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
		goto out;
	snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
	if (spawn(argv, NULL, &pid) < 0)
		goto out;
	r = 0;
	/* Serve one request per connection until the PoC has exited and nothing is left to accept. */
	while (r == 0 && (double)time(NULL) < deadline) {
		struct pollfd pf = {ls, POLLIN, 0};
		int c, ready = poll(&pf, 1, exited ? 0 : 50);
		if (ready > 0 && (c = accept(ls, NULL, NULL)) >= 0) {
			r = capture_request(c, out);
			close(c);
			continue;
		}
		if (exited)
			break;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			exited = 1;
			r = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
		}
	}
	if (!exited) {
		kill(pid, SIGKILL); /* our own child, by its pid */
		waitpid(pid, &st, 0);
		r = -1;
	}
out:
	if (ls >= 0)
		close(ls);
	unlink(path);
	return r;
}
