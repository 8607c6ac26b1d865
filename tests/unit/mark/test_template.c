/*
 * Variation slots (lib/mark/template.c): syntax errors with positions, feature and slot counts, golden
 * renders, the canary pools, and extraction: whole copies, copies with mangled whitespace and case, 30%
 * fragments, reformatted code, JSON-escaped copies, Unicode variants, paraphrased canaries, order blocks of 2
 * to 8 items, adjacent slots, unrelated and pathological texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forewarn/tardos.h"
#include "forewarn/template.h"

#define SEED   0x5107ed7e3a11ull
#define UNSEEN FW_TARDOS_UNSEEN

/* A realistic part: prose with alternatives and canaries, a mitigation list whose order varies, and a PoC
 * with literal bases, a harmless User-Agent, header order and a marker. */
static const char advisory[] =
    "A {{critical|severe}} flaw in the {{request parser|HTTP request parser}} of ExampleServer 4.2.1 "
    "{{allows|enables}} a remote, unauthenticated attacker to run code on the host. CVE-2024-99999 is "
    "{{tracked|being tracked}} by the vendor.\n"
    "\n"
    "The issue {{lies|resides}} in parse_chunk(), which {{trusts|relies on}} the length field of each chunk\n"
    "without checking it against the buffer size. {{An attacker|A malicious client}} who sends a chunk "
    "header\n"
    "larger than 0x7fffffff {{triggers|causes}} a heap overflow{{,|;}} {{the overflow then|which then}}\n"
    "overwrites a function pointer. The attacker does not need to authenticate: the vulnerable code runs\n"
    "before the login check.\n"
    "\n"
    "In our lab the target at {{canary:ipv4}} was compromised from {{canary:ipv4}} in under a minute; the\n"
    "attacker logged in as {{canary:user}} and dropped {{canary:file}} into the web root.\n"
    "\n"
    "Mitigation:\n"
    "{{order}}- {{Apply|Install}} the vendor patch for release 4.2.2.\n"
    "{{;}}- Restrict access to the admin interface with a firewall rule.\n"
    "{{;}}- Rotate credentials stored on {{affected|exposed}} servers.\n"
    "{{;}}- Monitor the logs for oversized chunk headers.\n"
    "{{/order}}"
    "\n"
    "Proof of concept:\n"
    "import socket\n"
    "HOST = \"{{canary:host}}\"\n"
    "PORT = {{canary:port}}\n"
    "s = socket.create_connection((HOST, PORT), timeout={{int:30}})\n"
    "req = b\"POST /upload HTTP/1.1\\r\\n\"\n"
    "{{order}}req += b\"Host: target.internal\\r\\n\"\n"
    "{{;}}req += b\"User-Agent: "
    "{{curl/8.5.0|Wget/1.21.4|python-requests/2.31.0|Go-http-client/1.1}}\\r\\n\"\n"
    "{{;}}req += b\"Transfer-Encoding: chunked\\r\\n\"\n"
    "{{;}}req += b\"X-Request-Id: {{canary:marker}}\\r\\n\"\n"
    "{{/order}}"
    "req += b\"\\r\\n%x\\r\\n\" % ({{int:2147483647}} + {{int:16}})\n"
    "s.sendall(req)\n"
    "buf = s.recv({{int:4096}})\n"
    "print(\"{{done|finished|complete}}\", len(buf))\n";

/* Features of advisory, slot by slot: 10 prose alternatives of 1, ipv4 8 8, user 8, file 8, order of 4 items
 * 4, nested 1 1, host 8, port 8, int 1, order of 4 items 4, User-Agent (4 options) 2, marker 8, ints 1 1 1,
 * done (3 options) 1. */
#define ADV_FEATURES (10 + 8 * 4 + 4 + 2 + 8 * 2 + 1 + 4 + 2 + 8 + 3 + 1)
#define ADV_SLOTS    (10 + 4 + 1 + 2 + 2 + 1 + 1 + 2 + 3 + 1)

static const char unrelated[] =
    "Summary: a use-after-free in the image decoder of PhotoViewer 7.1 allows a remote attacker to run code\n"
    "when a victim opens a crafted TIFF file. The issue lies in the tile cache, which frees a buffer twice.\n"
    "An attacker who convinces a user to open the file triggers a heap overflow and can then overwrite a\n"
    "function pointer. Affected hosts include 192.0.2.1 and files such as report.docx on www.example.com.\n"
    "Mitigation: apply the vendor patch, restrict access to the admin interface, rotate credentials.\n"
    "Proof of concept: curl -H 'User-Agent: curl/8.5.0' http://198.51.100.7:8080/upload --max-time 30\n";

static uint64_t rng_state = SEED;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static struct fw_template *parse_ok(const char *s)
{
	struct fw_template *t = NULL;
	struct fw_error err = {"", ""};
	int r = fw_template_parse(s, strlen(s), &t, &err);

	if (r != 0) {
		print_error("parse failed: %d %s: %s\n", r, err.field, err.message);
		fail();
	}
	return t;
}

/* render(bits) as a malloc'd NUL-terminated string. */
static char *render(const struct fw_template *t, const unsigned char *bits, size_t nbits)
{
	struct fw_buf b;

	fw_buf_init(&b, 0);
	assert_int_equal(fw_template_render(t, bits, nbits, 0, &b), 0);
	assert_non_null(b.data); /* NUL-terminated; the caller frees it */
	return b.data;
}

static void random_bits(unsigned char *bits, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bits[i] = (unsigned char)(rnd() >> 63);
}

static size_t observed(const unsigned char *obs, size_t n)
{
	return fw_tardos_observed(obs, n);
}

static void observe(const struct fw_template *t, const char *text, size_t len, unsigned char *obs, size_t m)
{
	assert_int_equal(fw_template_observe(t, text, len, 0, obs, m), 0);
}

/* Every feature observed and equal to its bit. */
static void assert_reads(const struct fw_template *t, const char *text, const unsigned char *bits)
{
	size_t m = fw_template_features(t);
	unsigned char *obs = malloc(m + 1);

	assert_non_null(obs);
	observe(t, text, strlen(text), obs, m);
	for (size_t i = 0; i < m; i++)
		if (obs[i] != bits[i]) {
			print_error("feature %zu: read %u, bit %u, in:\n%s\n", i, obs[i], bits[i], text);
			fail();
		}
	free(obs);
}

/* ---- syntax ---- */

#define LEN_STR ((size_t)-1) /* expect_error: the length of s is strlen(s) */

static void expect_error(const char *s, size_t len, int code, const char *message)
{
	struct fw_template *t = (struct fw_template *)&rng_state; /* a sentinel: must stay untouched */
	struct fw_error err = {"", ""};

	assert_int_equal(fw_template_parse(s, len == LEN_STR ? strlen(s) : len, &t, &err), code);
	assert_ptr_equal(t, (struct fw_template *)&rng_state);
	assert_string_equal(err.field, "template");
	if (strncmp(err.message, message, strlen(message)) != 0) {
		print_error("message \"%s\", want a start of \"%s\"\n", err.message, message);
		fail();
	}
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("abc {{foo}} x", LEN_STR, FW_EINVAL, "line 1, column 5: unknown slot '{{foo}}'");
	expect_error("a {{canaries:ipv4,mac}}", LEN_STR, FW_EINVAL,
	             "line 1, column 19: bad canary facts '{{canaries:ipv4,mac}}'");
	expect_error("a {{canaries:user,user}}", LEN_STR, FW_EINVAL, "line 1, column 19: bad canary facts");
	expect_error("a {{canariesx}}", LEN_STR, FW_EINVAL, "line 1, column 13: bad canary facts");
	expect_error("line one\nline two {{a|b", LEN_STR, FW_EINVAL,
	             "line 2, column 10: '{{' is never closed");
	expect_error("x {{a||b}}", LEN_STR, FW_EINVAL, "line 1, column 7: empty option");
	expect_error("x {{a|b|}}", LEN_STR, FW_EINVAL, "line 1, column 9: empty option");
	expect_error("{{|b}}", LEN_STR, FW_EINVAL, "line 1, column 3: empty option");
	expect_error("{{}}", LEN_STR, FW_EINVAL, "line 1, column 1: empty slot");
	expect_error("ip {{canary:mac}}", LEN_STR, FW_EINVAL, "line 1, column 13: unknown canary kind 'mac'");
	expect_error("{{int:016}}", LEN_STR, FW_EINVAL, "line 1, column 1: {{int:N}} takes a decimal number");
	expect_error("{{int:}}", LEN_STR, FW_EINVAL, "line 1, column 1: {{int:N}} takes a decimal number");
	expect_error("{{int:0x10}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: {{int:N}} takes a decimal number");
	expect_error("{{int:2147483649}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: {{int:N}} is at most 2147483648");
	expect_error("{{order}}a{{/order}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: an order block needs at least 2");
	expect_error("{{order}}a{{;}}{{/order}}", LEN_STR, FW_EINVAL, "line 1, column 16: empty order item");
	expect_error("{{order}}a{{;}}{{;}}b{{/order}}", LEN_STR, FW_EINVAL,
	             "line 1, column 16: empty order item");
	expect_error("{{order}}a{{;}}b{{order}}", LEN_STR, FW_EINVAL,
	             "line 1, column 17: order blocks do not nest");
	expect_error("a\n  {{;}}", LEN_STR, FW_EINVAL, "line 2, column 3: {{;}} outside an order block");
	expect_error("{{/order}}", LEN_STR, FW_EINVAL, "line 1, column 1: {{/order}} outside an order block");
	expect_error("x\n{{order}}a{{;}}b", LEN_STR, FW_EINVAL,
	             "line 2, column 1: {{order}} is never closed");
	expect_error("{{order}}same{{;}} Same {{/order}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: order items 1 and 2 read the same");
	expect_error("{{a|{{b}}", LEN_STR, FW_EINVAL, "line 1, column 5: '{{' inside a slot");
	expect_error("{{Server|server}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: options 1 and 2 differ only in case");
	expect_error("{{a b|a  b}}", LEN_STR, FW_EINVAL,
	             "line 1, column 1: options 1 and 2 differ only in case");
	expect_error("h\xc3\xa9llo {{x}}", LEN_STR, FW_EINVAL, "line 1, column 7: unknown slot");
	expect_error("a\r\nb {{x}}", LEN_STR, FW_EINVAL, "line 2, column 3: unknown slot");
	expect_error("ab\0{{a|b}}", 10, FW_EINVAL, "line 1, column 3: NUL byte");
	expect_error("{{a|b\0}}", 8, FW_EINVAL, "line 1, column 6: NUL byte");
	expect_error("{{ order }}", LEN_STR, FW_EINVAL, "line 1, column 1: unknown slot '{{ order }}'");
}

static void test_limits(void **state)
{
	struct fw_buf b;
	struct fw_template *t = NULL;

	(void)state;
	/* 9 items */
	expect_error("{{order}}1{{;}}2{{;}}3{{;}}4{{;}}5{{;}}6{{;}}7{{;}}8{{;}}9{{/order}}", LEN_STR,
	             FW_ETOOBIG, "line 1, column 53: an order block holds at most 8 items");
	/* 4096 slots pass, 4097 do not */
	fw_buf_init(&b, 0);
	for (int i = 0; i < FW_TEMPLATE_SLOTS_MAX; i++)
		assert_int_equal(fw_buf_puts(&b, "x{{a|b}}"), 0);
	assert_int_equal(fw_template_parse(b.data, b.len, &t, NULL), 0);
	assert_int_equal(fw_template_slots(t), FW_TEMPLATE_SLOTS_MAX);
	assert_int_equal(fw_template_features(t), FW_TEMPLATE_SLOTS_MAX);
	fw_template_free(t);
	assert_int_equal(fw_buf_puts(&b, "\n{{a|b}}"), 0);
	expect_error(b.data, b.len, FW_ETOOBIG, "line 2, column 1: more than 4096 slots");
	/* 256 options pass (8 features), 257 do not */
	fw_buf_reset(&b);
	assert_int_equal(fw_buf_puts(&b, "{{o0"), 0);
	for (int i = 1; i < FW_TEMPLATE_OPTIONS_MAX; i++)
		assert_int_equal(fw_buf_printf(&b, "|o%d", i), 0);
	assert_int_equal(fw_buf_puts(&b, "}}"), 0);
	assert_int_equal(fw_template_parse(b.data, b.len, &t, NULL), 0);
	assert_int_equal(fw_template_features(t), 8);
	fw_template_free(t);
	b.len -= 2;
	assert_int_equal(fw_buf_puts(&b, "|o256}}"), 0);
	expect_error(b.data, b.len, FW_ETOOBIG, "line 1, column 1: more than 256 options");
	fw_buf_release(&b);
	/* the size limit */
	{
		char *big = malloc(FW_TEMPLATE_MAX + 1);

		assert_non_null(big);
		memset(big, 'x', FW_TEMPLATE_MAX + 1);
		assert_int_equal(fw_template_parse(big, FW_TEMPLATE_MAX, &t, NULL), 0);
		fw_template_free(t);
		expect_error(big, FW_TEMPLATE_MAX + 1, FW_ETOOBIG, "a template is at most 1048576 bytes");
		free(big);
	}
	/* the largest integer */
	t = parse_ok("{{int:2147483648}} {{int:0}}");
	{
		unsigned char ones[2] = {1, 1};
		char *s = render(t, ones, 2);

		assert_string_equal(s, "0x80000000 0x0");
		free(s);
	}
	fw_template_free(t);
}

static void test_counts(void **state)
{
	static const struct {
		const char *s;
		size_t features, slots;
	} cases[] = {
	    {"", 0, 0},
	    {"no slots at all }} {{{{literal}} }", 0, 0},
	    {"{{a|b}}", 1, 1},
	    {"{{a|b|c}}", 1, 1},
	    {"{{a|b|c|d}}", 2, 1},
	    {"{{a|b|c|d|e|f|g}}", 2, 1},
	    {"{{a|b|c|d|e|f|g|h}}", 3, 1},
	    {"{{canary:ipv4}}{{canary:host}}{{canary:user}}{{canary:file}}{{canary:marker}}{{canary:port}}",
	     48, 6},
	    {"{{int:16}}", 1, 1},
	    {"{{order}}a{{;}}b{{/order}}", 1, 1},
	    {"{{order}}a{{;}}b{{;}}c{{/order}}", 2, 1},
	    {"{{order}}a{{;}}b{{;}}c{{;}}d{{/order}}", 4, 1},
	    {"{{order}}a{{;}}b{{;}}c{{;}}d{{;}}e{{/order}}", 6, 1},
	    {"{{order}}a{{;}}b{{;}}c{{;}}d{{;}}e{{;}}f{{/order}}", 9, 1},
	    {"{{order}}a{{;}}b{{;}}c{{;}}d{{;}}e{{;}}f{{;}}g{{/order}}", 12, 1},
	    {"{{order}}a{{;}}b{{;}}c{{;}}d{{;}}e{{;}}f{{;}}g{{;}}h{{/order}}", 15, 1},
	    {"{{order}}{{x|y}}a{{;}}b{{canary:port}}{{;}}{{int:5}}{{/order}}", 2 + 1 + 8 + 1, 4},
	    {advisory, ADV_FEATURES, ADV_SLOTS},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw_template *t = parse_ok(cases[i].s);

		assert_int_equal(fw_template_features(t), cases[i].features);
		assert_int_equal(fw_template_slots(t), cases[i].slots);
		fw_template_free(t);
	}
}

/* ---- rendering ---- */

static void test_golden_render(void **state)
{
	static const char tpl[] = "Restart the {{server|service}} at {{canary:ipv4}}:{{canary:port}} after "
	                          "{{int:30}} seconds. {{order}}A{{;}}B{{;}}C{{/order}}! {{{{x}} }}";
	/* alternative, ipv4 (index 5), port (index 255), int, order (rank 3) */
	static const unsigned char bits[20] = {1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct fw_template *t = parse_ok(tpl);
	struct fw_buf b;
	char *s;

	(void)state;
	assert_int_equal(fw_template_features(t), 20);
	assert_int_equal(fw_template_slots(t), 5);
	s = render(t, NULL, 0);
	assert_string_equal(s, "Restart the server at 192.0.2.20:20011 after 30 seconds. ABC! {{x}} }}");
	free(s);
	s = render(t, bits, 20);
	assert_string_equal(s, "Restart the service at 203.0.113.57:62596 after 0x1e seconds. BCA! {{x}} }}");
	free(s);
	/* the same bits from an offset inside a longer codeword */
	{
		unsigned char longer[25] = {1, 1, 1};

		memcpy(longer + 3, bits, 20);
		fw_buf_init(&b, 0);
		assert_int_equal(fw_buf_puts(&b, ">"), 0);
		assert_int_equal(fw_template_render(t, longer, 25, 3, &b), 0);
		assert_string_equal(
		    b.data, ">Restart the service at 203.0.113.57:62596 after 0x1e seconds. BCA! {{x}} }}");
		/* bad ranges and bits leave the buffer alone */
		assert_int_equal(fw_template_render(t, longer, 22, 3, &b), FW_EINVAL);
		assert_int_equal(fw_template_render(t, longer, 25, 26, &b), FW_EINVAL);
		longer[10] = 2;
		assert_int_equal(fw_template_render(t, longer, 25, 3, &b), FW_EINVAL);
		assert_int_equal(
		    b.len,
		    strlen(">Restart the service at 203.0.113.57:62596 after 0x1e seconds. BCA! {{x}} }}"));
		fw_buf_release(&b);
	}
	/* strip is the neutral render; a full buffer fails cleanly */
	fw_buf_init(&b, 40);
	assert_int_equal(fw_buf_puts(&b, "kept"), 0);
	assert_int_equal(fw_template_strip(t, &b), FW_ETOOBIG);
	assert_string_equal(b.data, "kept");
	fw_buf_release(&b);
	fw_template_free(t);
}

/* Canary facts: the directive becomes one sentence with a canary slot per kind, read back anywhere. */
static void test_canary_facts(void **state)
{
	struct fw_template *t = parse_ok("Apply the fix now. {{canaries}} Then restart.");
	unsigned char bits[32], obs[32];
	char *s, host[FW_TEMPLATE_CANARY_LEN], ip[FW_TEMPLATE_CANARY_LEN], text[512];

	(void)state;
	assert_int_equal(fw_template_slots(t), 4);
	assert_int_equal(fw_template_features(t), 32);
	s = render(t, NULL, 0);
	assert_string_equal(
	    s, "Apply the fix now. In our test set-up, the target host was amber-bay.example.com, its "
	       "address was 192.0.2.20, the account used was a.adams and the uploaded file was "
	       "report-q3.docx. Then restart.");
	free(s);
	random_bits(bits, 32);
	s = render(t, bits, 32);
	assert_reads(t, s, bits);
	free(s);
	/* paraphrased, the host and address alone still give their 16 positions */
	memset(bits, 0, sizeof(bits));
	bits[0] = bits[7] = bits[9] = 1; /* host 0x81, ipv4 0x40 */
	assert_int_equal(fw_template_canary("host", 0x81, host), 0);
	assert_int_equal(fw_template_canary("ipv4", 0x40, ip), 0);
	snprintf(text, sizeof(text), "Researchers hit %s (%s) in their lab.", ip, host);
	observe(t, text, strlen(text), obs, 32);
	assert_int_equal(observed(obs, 32), 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(obs[i], bits[i]);
	fw_template_free(t);
	/* a chosen list, in the sentence's order */
	t = parse_ok("{{canaries:marker,port}}");
	assert_int_equal(fw_template_slots(t), 2);
	s = render(t, NULL, 0);
	assert_string_equal(
	    s, "In our test set-up, the service listened on port 20011 and the request marker was "
	       "fw-03c1.");
	free(s);
	fw_template_free(t);
	assert_int_equal(fw_template_facts_directive("{{canaries}}x", 13), 12);
	assert_int_equal(fw_template_facts_directive("{{canaries:ipv4}}", 17), 17);
	assert_int_equal(fw_template_facts_directive("{{canaries:ipv4,ipv4}}", 22), 0);
	assert_int_equal(fw_template_facts_directive("{{canaries:}}", 13), 0);
	assert_int_equal(fw_template_facts_directive("{{canariesx}}", 13), 0);
	assert_int_equal(fw_template_facts_directive("{{canaries", 10), 0);
}

/* Options past 2^k are never rendered; a text showing one observes nothing for the slot. */
static void test_unused_options(void **state)
{
	struct fw_template *t =
	    parse_ok("The scanner reported {{one|two|three}} findings on the host today.");
	unsigned char bit, obs[1];

	(void)state;
	for (bit = 0; bit < 2; bit++) {
		char *s = render(t, &bit, 1);

		assert_null(strstr(s, "three"));
		assert_reads(t, s, &bit);
		free(s);
	}
	observe(t, "The scanner reported three findings on the host today.", 54, obs, 1);
	assert_int_equal(obs[0], UNSEEN);
	fw_template_free(t);
}

static void test_canary_pools(void **state)
{
	static const char *const kinds[] = {"ipv4", "host", "user", "file", "marker", "port"};
	char v[FW_TEMPLATE_CANARY_LEN], all[FW_TEMPLATE_CANARY_VALUES][FW_TEMPLATE_CANARY_LEN];

	(void)state;
	for (size_t k = 0; k < 6; k++) {
		for (unsigned i = 0; i < FW_TEMPLATE_CANARY_VALUES; i++) {
			size_t n;

			assert_int_equal(fw_template_canary(kinds[k], i, all[i]), 0);
			n = strlen(all[i]);
			assert_true(n >= 5 && n < FW_TEMPLATE_CANARY_LEN);
			for (size_t j = 0; j < n;
			     j++) /* lower case, no spaces: what extraction's tokens hold */
				assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", all[i][j]));
			for (unsigned j = 0; j < i; j++)
				assert_string_not_equal(all[i], all[j]);
			if (k == 0) {
				unsigned a, b, c, d;
				char end;

				assert_int_equal(sscanf(all[i], "%u.%u.%u.%u%c", &a, &b, &c, &d, &end), 4);
				assert_true(d >= 1 && d <= 254);
				assert_true((a == 192 && b == 0 && c == 2) ||
				            (a == 198 && b == 51 && c == 100) ||
				            (a == 203 && b == 0 && c == 113));
			} else if (k == 1) {
				const char *dot = strchr(all[i], '.');

				assert_non_null(dot);
				assert_true(!strcmp(dot, ".example.com") || !strcmp(dot, ".example.net") ||
				            !strcmp(dot, ".example.org"));
			} else if (k == 5) {
				long p = strtol(all[i], NULL, 10);

				assert_true(p >= 1024 && p <= 65535);
			}
		}
	}
	/* golden values at both ends of every pool */
	assert_int_equal(fw_template_canary("ipv4", 255, v), 0);
	assert_string_equal(v, "192.0.2.211");
	assert_int_equal(fw_template_canary("host", 0, v), 0);
	assert_string_equal(v, "amber-bay.example.com");
	assert_int_equal(fw_template_canary("host", 255, v), 0);
	assert_string_equal(v, "pebble-works.example.com");
	assert_int_equal(fw_template_canary("user", 0, v), 0);
	assert_string_equal(v, "a.adams");
	assert_int_equal(fw_template_canary("user", 255, v), 0);
	assert_string_equal(v, "s.patel");
	assert_int_equal(fw_template_canary("file", 0, v), 0);
	assert_string_equal(v, "report-q3.docx");
	assert_int_equal(fw_template_canary("file", 255, v), 0);
	assert_string_equal(v, "install-review.log");
	assert_int_equal(fw_template_canary("marker", 0, v), 0);
	assert_string_equal(v, "fw-03c1");
	assert_int_equal(fw_template_canary("marker", 255, v), 0);
	assert_string_equal(v, "fw-dedc");
	assert_int_equal(fw_template_canary("port", 1, v), 0);
	assert_string_equal(v, "20178");
	strcpy(v, "untouched");
	assert_int_equal(fw_template_canary("mac", 0, v), FW_EINVAL);
	assert_int_equal(fw_template_canary("ipv4", 256, v), FW_EINVAL);
	assert_int_equal(fw_template_canary(NULL, 0, v), FW_EINVAL);
	assert_string_equal(v, "untouched");
}

/* ---- extraction ---- */

static void test_round_trip(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char bits[ADV_FEATURES];

	(void)state;
	for (int trial = 0; trial < 200; trial++) {
		char *s;

		random_bits(bits, ADV_FEATURES);
		if (trial == 0)
			memset(bits, 0, sizeof(bits));
		if (trial == 1)
			memset(bits, 1, sizeof(bits));
		s = render(t, bits, ADV_FEATURES);
		assert_reads(t, s, bits);
		free(s);
	}
	fw_template_free(t);
}

/* Whitespace runs rewritten (reflow, CRLF, tabs, no-break spaces) and letters in random case. */
static char *mangle(const char *s)
{
	static const char *const spaces[] = {" ", "  ", "\t", "\n", " \r\n  ", "\xc2\xa0"};
	size_t n = strlen(s);
	char *out = malloc(8 * n + 1), *p = out;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		const char *w;

		if (c == ' ' || c == '\n') {
			w = c == '\n' && rnd() % 2 ? "\r\n" : spaces[rnd() % 6];
			p += strlen(strcpy(p, w));
			continue;
		}
		if (c >= 'a' && c <= 'z' && rnd() % 3 == 0)
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z' && rnd() % 3 == 0)
			c = (char)(c - 'A' + 'a');
		*p++ = c;
	}
	*p = '\0';
	return out;
}

static void test_round_trip_mangled(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char bits[ADV_FEATURES];

	(void)state;
	for (int trial = 0; trial < 100; trial++) {
		char *s, *m;

		random_bits(bits, ADV_FEATURES);
		s = render(t, bits, ADV_FEATURES);
		m = mangle(s);
		assert_reads(t, m, bits);
		free(m);
		free(s);
	}
	fw_template_free(t);
}

/* A copy leaked as the JSON of the partner's CSAF document: escaped line breaks, quotes and backslashes. */
static char *json_escape(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 1), *p = out;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\t' || s[i] == '"' || s[i] == '\\') {
			*p++ = '\\';
			*p++ = s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : s[i];
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return out;
}

static void test_round_trip_json(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char bits[ADV_FEATURES];

	(void)state;
	for (int trial = 0; trial < 50; trial++) {
		char *s, *j;

		random_bits(bits, ADV_FEATURES);
		s = render(t, bits, ADV_FEATURES);
		j = json_escape(s);
		assert_reads(t, j, bits);
		free(j);
		free(s);
	}
	fw_template_free(t);
}

/* Where feature f shows in the copy s of bits: the bytes that change when f flips, as [ret_lo, ret_hi). */
static void feature_span(const struct fw_template *t, const char *s, unsigned char *bits, size_t f,
                         size_t *ret_lo, size_t *ret_hi)
{
	char *u;
	size_t n = strlen(s), k, lo = 0, hi = 0;

	bits[f] ^= 1;
	u = render(t, bits, ADV_FEATURES);
	bits[f] ^= 1;
	k = strlen(u);
	while (lo < n && lo < k && s[lo] == u[lo])
		lo++;
	while (hi < n - lo && hi < k - lo && s[n - 1 - hi] == u[k - 1 - hi])
		hi++;
	*ret_lo = lo;
	*ret_hi = n - hi;
	free(u);
}

/* 30% contiguous fragments: features inside read right, features outside unseen, nothing read wrong. */
static void test_fragments(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char bits[ADV_FEATURES], obs[ADV_FEATURES];
	size_t lo[ADV_FEATURES], hi[ADV_FEATURES], inside = 0, inside_read = 0;

	(void)state;
	for (int trial = 0; trial < 60; trial++) {
		char *s;
		size_t n, len, at;

		random_bits(bits, ADV_FEATURES);
		s = render(t, bits, ADV_FEATURES);
		n = strlen(s);
		len = n * 3 / 10;
		at = (size_t)(rnd() % (n - len + 1));
		for (size_t f = 0; f < ADV_FEATURES; f++)
			feature_span(t, s, bits, f, &lo[f], &hi[f]);
		observe(t, s + at, len, obs, ADV_FEATURES);
		for (size_t f = 0; f < ADV_FEATURES; f++) {
			if (obs[f] != UNSEEN && obs[f] != bits[f]) {
				print_error("trial %d: feature %zu read %u, bit %u\n", trial, f, obs[f],
				            bits[f]);
				fail();
			}
			if ((hi[f] <= at || lo[f] >= at + len) && obs[f] != UNSEEN) {
				print_error("trial %d: feature %zu at [%zu, %zu) read outside [%zu, %zu)\n",
				            trial, f, lo[f], hi[f], at, at + len);
				fail();
			}
			/* well inside: the slot and its context are in the fragment */
			if (lo[f] >= at + 30 && hi[f] + 30 <= at + len) {
				inside++;
				inside_read += obs[f] != UNSEEN;
			}
		}
		free(s);
	}
	print_message("fragments: %zu of %zu features well inside read\n", inside_read, inside);
	assert_true(inside > 500);
	assert_true(inside_read * 100 >= inside * 97);
	fw_template_free(t);
}

static void test_unrelated(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char obs[ADV_FEATURES];
	char *s, *m;

	(void)state;
	observe(t, unrelated, strlen(unrelated), obs, ADV_FEATURES);
	assert_true(observed(obs, ADV_FEATURES) <= 8);
	observe(t, "", 0, obs, ADV_FEATURES);
	assert_int_equal(observed(obs, ADV_FEATURES), 0);
	/* random bytes and random words */
	s = malloc(20000);
	assert_non_null(s);
	for (size_t i = 0; i < 20000; i++)
		s[i] = (char)(rnd() >> 56);
	observe(t, s, 20000, obs, ADV_FEATURES);
	assert_int_equal(observed(obs, ADV_FEATURES), 0);
	free(s);
	/* the neutral copy of another template */
	{
		struct fw_template *u =
		    parse_ok("{{Restart|Reboot}} the {{server|service}} at the end of the day.\n"
		             "An attacker who sends a chunk header triggers a crash.");

		s = render(u, NULL, 0);
		m = mangle(s);
		observe(t, m, strlen(m), obs, ADV_FEATURES);
		assert_true(observed(obs, ADV_FEATURES) <= 2);
		free(m);
		free(s);
		fw_template_free(u);
	}
	fw_template_free(t);
}

/* An option that also occurs in the fixed text is still read through its context. */
static void test_option_in_fixed_text(void **state)
{
	static const char tpl[] =
	    "The attacker gains access. The {{attacker|adversary}} then reads the logs. "
	    "The adversary model assumes network access only.";
	struct fw_template *t = parse_ok(tpl);

	(void)state;
	for (unsigned char bit = 0; bit < 2; bit++) {
		char *s = render(t, &bit, 1);

		assert_reads(t, s, &bit);
		free(s);
	}
	fw_template_free(t);
}

/* Slots next to each other are read through each other, over passes. */
static void test_adjacent_slots(void **state)
{
	static const char tpl[] = "Please run the {{quick|fast}} {{scan|check}} {{now|today}}{{.|!}}\n"
	                          "{{Then|Afterwards}}{{,|;}} {{collect|gather}} the logs from every node.";
	struct fw_template *t = parse_ok(tpl);
	unsigned char bits[8];

	(void)state;
	assert_int_equal(fw_template_features(t), 7);
	for (unsigned v = 0; v < 128; v++) {
		char *s;

		for (int i = 0; i < 7; i++)
			bits[i] = (unsigned char)(v >> i & 1);
		s = render(t, bits, 7);
		assert_reads(t, s, bits);
		free(s);
	}
	fw_template_free(t);
}

/* Order blocks of n = 2..8 items round trip for every permutation number used (a sample for large n). */
static void test_order_blocks(void **state)
{
	static const char *const items[8] = {
	    "- Open the administration console.\n",  "- Enable verbose logging for the parser.\n",
	    "- Upload the crafted archive.\n",       "- Wait for the worker to pick it up.\n",
	    "- Check the crash dump in /var/tmp.\n", "- Note the faulting address.\n",
	    "- Restore the default settings.\n",     "- Report the result to the vendor.\n"};
	static const unsigned feats[9] = {0, 0, 1, 2, 4, 6, 9, 12, 15};

	(void)state;
	for (size_t n = 2; n <= 8; n++) {
		struct fw_buf b;
		struct fw_template *t;
		unsigned k = feats[n], total = 1u << k;

		fw_buf_init(&b, 0);
		assert_int_equal(fw_buf_puts(&b, "Steps to reproduce:\n{{order}}"), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(fw_buf_printf(&b, "%s%s", i ? "{{;}}" : "", items[i]), 0);
		assert_int_equal(fw_buf_puts(&b, "{{/order}}Then restart the service."), 0);
		t = parse_ok(b.data);
		assert_int_equal(fw_template_features(t), k);
		for (unsigned trial = 0; trial < (total < 256 ? total : 256); trial++) {
			unsigned r = total <= 256 ? trial
			             : trial < 2  ? trial * (total - 1)
			                          : (unsigned)(rnd() % total);
			unsigned char bits[16];
			char *s, *m;

			for (unsigned i = 0; i < k; i++)
				bits[i] = (unsigned char)(r >> (k - 1 - i) & 1);
			s = render(t, bits, k);
			assert_reads(t, s, bits);
			m = mangle(s);
			assert_reads(t, m, bits);
			free(m);
			free(s);
		}
		fw_template_free(t);
		fw_buf_release(&b);
	}
}

/* The permutation numbers follow the factorial number system: 0 is the template's order. */
static void test_order_golden(void **state)
{
	struct fw_template *t = parse_ok("{{order}}a{{;}}b{{;}}c{{;}}d{{/order}}");
	static const struct {
		unsigned r;
		const char *s;
	} cases[] = {{0, "abcd"}, {1, "abdc"}, {2, "acbd"}, {5, "adcb"}, {6, "bacd"}, {15, "cbda"}};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char bits[4];
		char *s;

		for (int j = 0; j < 4; j++)
			bits[j] = (unsigned char)(cases[i].r >> (3 - j) & 1);
		s = render(t, bits, 4);
		assert_string_equal(s, cases[i].s);
		free(s);
	}
	fw_template_free(t);
}

/* A lone canary of its kind is read anywhere, after paraphrase; two of a kind only through context. */
static void test_canary_paraphrase(void **state)
{
	static const char tpl[] = "The sample beacons to {{canary:host}} every hour and stores its loot in "
	                          "{{canary:file}} under the temp directory.";
	struct fw_template *t = parse_ok(tpl);
	unsigned char obs[16];
	char host[FW_TEMPLATE_CANARY_LEN], file[FW_TEMPLATE_CANARY_LEN], text[256];

	(void)state;
	assert_int_equal(fw_template_canary("host", 0x5a, host), 0);
	assert_int_equal(fw_template_canary("file", 0xc3, file), 0);
	snprintf(text, sizeof(text), "Rewritten: loot ends up as %s; C2 is %s, contacted hourly.", file,
	         host);
	observe(t, text, strlen(text), obs, 16);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(obs[i], 0x5a >> (7 - i) & 1);
		assert_int_equal(obs[8 + i], 0xc3 >> (7 - i) & 1);
	}
	/* two values of one pool: neither is read */
	snprintf(text, sizeof(text), "Hosts %s and amber-bay.example.com were seen.", host);
	observe(t, text, strlen(text), obs, 16);
	assert_int_equal(observed(obs, 16), 0);
	/* a value cut at the end of a fragment is no reading */
	fw_template_free(t);
	t = parse_ok("Traffic went to {{canary:ipv4}} on the inside.");
	{
		char ip[FW_TEMPLATE_CANARY_LEN];
		size_t i;

		for (i = 0; i < 256; i++) { /* a value whose prefix is another value */
			char shorter[FW_TEMPLATE_CANARY_LEN];

			assert_int_equal(fw_template_canary("ipv4", (unsigned)i, ip), 0);
			memcpy(shorter, ip, strlen(ip) - 1);
			shorter[strlen(ip) - 1] = '\0';
			for (unsigned j = 0; j < 256; j++) {
				char other[FW_TEMPLATE_CANARY_LEN];

				assert_int_equal(fw_template_canary("ipv4", j, other), 0);
				if (!strcmp(other, shorter))
					goto found;
			}
		}
		fail();
	found:
		snprintf(text, sizeof(text), "Traffic went to %s", ip);
		observe(t, text, strlen(text) - 1, obs, 8);
		assert_int_equal(observed(obs, 8), 0);
		observe(t, text, strlen(text), obs, 8);
		assert_int_equal(observed(obs, 8),
		                 8); /* the whole value at the very end: no other is longer */
		snprintf(text, sizeof(text), "Traffic went to %s.", ip);
		observe(t, text, strlen(text), obs, 8);
		assert_int_equal(observed(obs, 8), 8);
	}
	fw_template_free(t);
}

static void test_observe_args(void **state)
{
	struct fw_template *t =
	    parse_ok("Reboot the {{server|service}} at noon, then {{check|verify}} the logs.");
	struct fw_template_text *x = NULL;
	unsigned char obs[4] = {9, 9, 9, 9};
	char *big;

	(void)state;
	assert_int_equal(fw_template_observe(t, "x", 1, 3, obs, 4), FW_EINVAL);
	assert_int_equal(fw_template_observe(t, "x", 1, 5, obs, 4), FW_EINVAL);
	assert_int_equal(obs[0], 9);
	/* only the template's range is written */
	assert_int_equal(
	    fw_template_observe(t, "Reboot the service at noon, then verify the logs.", 49, 1, obs, 4), 0);
	assert_int_equal(obs[0], 9);
	assert_int_equal(obs[1], 1);
	assert_int_equal(obs[2], 1);
	assert_int_equal(obs[3], 9);
	/* one prepared text, several templates */
	assert_int_equal(fw_template_text_new("Reboot the server at noon, then check the logs.", 47, &x), 0);
	assert_int_equal(fw_template_observe_text(t, x, 0, obs, 2), 0);
	assert_int_equal(obs[0], 0);
	assert_int_equal(obs[1], 0);
	fw_template_text_free(x);
	fw_template_text_free(NULL);
	fw_template_free(NULL);
	big = calloc(1, FW_TEMPLATE_TEXT_MAX + 1);
	assert_non_null(big);
	x = (struct fw_template_text *)&rng_state;
	assert_int_equal(fw_template_text_new(big, FW_TEMPLATE_TEXT_MAX + 1, &x), FW_ETOOBIG);
	assert_ptr_equal(x, (struct fw_template_text *)&rng_state);
	assert_int_equal(fw_template_observe(t, big, FW_TEMPLATE_TEXT_MAX + 1, 0, obs, 4), FW_ETOOBIG);
	free(big);
	fw_template_free(t);
}

/* What code formatters do to a PoC: spaces around operators and after commas, other indentation, other
 * string quotes. */
static char *reformat(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(4 * n + 1), *p = out;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\'')
			c = '"';
		else if (c == '"')
			c = '\'';
		if (c == '=' || c == '+')
			p += strlen(strcpy(p, c == '=' ? " = " : " + "));
		else if (c == ',')
			p += strlen(strcpy(p, ", "));
		else if (c == '(')
			p += strlen(strcpy(p, "( "));
		else if (c == '\n')
			p += strlen(strcpy(p, "\n  "));
		else
			*p++ = c;
	}
	*p = '\0';
	return out;
}

static void test_code_reformatted(void **state)
{
	static const char tpl[] =
	    "def exploit(host,port):\n"
	    "    s=socket.create_connection((host,port),timeout={{int:30}})\n"
	    "    s.send(b'{{GET|HEAD}} /{{index|home}}.php?id={{int:7}} HTTP/1.1\\r\\n')\n"
	    "    s.send(b'X-{{Trace|Debug}}: {{canary:marker}}\\r\\n\\r\\n')\n"
	    "    return s.recv({{int:65536}})\n";
	struct fw_template *t = parse_ok(tpl);
	unsigned char bits[16];

	(void)state;
	assert_int_equal(fw_template_features(t), 14);
	for (int trial = 0; trial < 50; trial++) {
		char *s, *r;

		random_bits(bits, 14);
		s = render(t, bits, 14);
		r = reformat(s);
		assert_reads(t, r, bits);
		free(r);
		free(s);
	}
	fw_template_free(t);
}

/* Typographic quotes and dashes, NFD accents, no-break and zero-width characters read as plain ASCII. */
static void test_unicode_variants(void **state)
{
	static const char tpl[] =
	    "The caf\xc3\xa9 server doesn't check the l\xc3\xa9ngth; it {{crashes|aborts}} at "
	    "once - a \"classic\" bug.";
	static const char text[] = "THE CAFE\xcc\x81 SERVER DOESN\xe2\x80\x99T\xc2\xa0"
	                           "CHECK THE LE\xcc\x81NGTH; "
	                           "IT\xe2\x80\x8b ABORTS AT ONCE \xe2\x80\x93 A \xe2\x80\x9c"
	                           "CLASSIC\xe2\x80\x9d BUG.";
	struct fw_template *t = parse_ok(tpl);
	unsigned char bit = 1;

	(void)state;
	assert_reads(t, text, &bit);
	fw_template_free(t);
}

/* A fragment that starts or ends inside a variant does not read as a shorter variant. */
static void test_fragment_edges(void **state)
{
	struct fw_template *t =
	    parse_ok("The bug {{overwrites|writes}} a saved pointer in the heap {{area|areas}}");
	unsigned char bits[2] = {0, 1}, obs[2];
	char *s = render(t, bits, 2);
	const char *w = strstr(s, "writes a saved"), *end = strstr(s, "areas");

	(void)state;
	assert_reads(t, s, bits);
	observe(t, w, strlen(w), obs, 2); /* "writes a saved pointer ...": perhaps "overwrites" cut */
	assert_int_equal(obs[0], UNSEEN);
	assert_int_equal(obs[1], 1);
	observe(t, s, (size_t)(end - s) + 4, obs, 2); /* "... heap area": perhaps "areas" cut */
	assert_int_equal(obs[0], 0);
	assert_int_equal(obs[1], UNSEEN);
	free(s);
	fw_template_free(t);
}

/* Pathological suspect texts stay fast and read nothing wrong. */
static void test_pathological_text(void **state)
{
	struct fw_template *t = parse_ok(advisory);
	unsigned char obs[ADV_FEATURES];
	size_t n = 4u << 20;
	char *s = malloc(n);

	(void)state;
	assert_non_null(s);
	memset(s, 'a', n);
	observe(t, s, n, obs, ADV_FEATURES);
	assert_int_equal(observed(obs, ADV_FEATURES), 0);
	/* the neutral copy repeated many times: every context is common, nothing is unique */
	{
		char *c = render(t, NULL, 0);
		size_t k = strlen(c), at = 0;

		while (at + k <= n) {
			memcpy(s + at, c, k);
			at += k;
		}
		observe(t, s, at, obs, ADV_FEATURES);
		for (size_t i = 0; i < ADV_FEATURES; i++)
			assert_true(obs[i] == UNSEEN || obs[i] == 0);
		free(c);
	}
	free(s);
	fw_template_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_golden_render),
	    cmocka_unit_test(test_unused_options),
	    cmocka_unit_test(test_canary_pools),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_round_trip_mangled),
	    cmocka_unit_test(test_fragments),
	    cmocka_unit_test(test_unrelated),
	    cmocka_unit_test(test_option_in_fixed_text),
	    cmocka_unit_test(test_adjacent_slots),
	    cmocka_unit_test(test_order_blocks),
	    cmocka_unit_test(test_order_golden),
	    cmocka_unit_test(test_canary_paraphrase),
	    cmocka_unit_test(test_canary_facts),
	    cmocka_unit_test(test_observe_args),
	    cmocka_unit_test(test_pathological_text),
	    cmocka_unit_test(test_code_reformatted),
	    cmocka_unit_test(test_unicode_variants),
	    cmocka_unit_test(test_fragment_edges),
	    cmocka_unit_test(test_round_trip_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
