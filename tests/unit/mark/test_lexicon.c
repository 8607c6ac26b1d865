/*
 * Auto-slotting of unmarked prose (lib/mark/lexicon.c): five advisory paragraphs in the style of vendor
 * advisories (slots per sentence, load-bearing tokens byte-identical and outside every slot, the first
 * options render the input back, the template parser agrees), every group of the lexicon matched in a
 * context of its own, and the rules one by one: word boundaries, case, contexts, protected spans, dates,
 * counts, escapes, authored templates, limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include "forewarn/lexicon.h"
#include "forewarn/template.h"

/* ---- helpers ---- */

/* The template of s (NUL-terminated), or NULL when slotting fails; *slots gets the slot count. */
static char *slot(const char *s, size_t *slots)
{
	struct fw_buf b;
	char *t = NULL;
	size_t len = 0, n = (size_t)-1;

	fw_buf_init(&b, 0);
	assert_int_equal(fw_lexicon_slot(s, strlen(s), &b, &n), 0);
	assert_true(n <= FW_LEXICON_SLOTS_MAX);
	assert_int_equal(fw_buf_steal(&b, &t, &len), 0);
	if (slots)
		*slots = n;
	return t;
}

/* A tiny renderer: every slot at its first option, "{{{{" back to "{{". Also counts the slots. */
static char *render0(const char *t, size_t *slots)
{
	size_t n = strlen(t), i = 0, k = 0, count = 0;
	char *r = malloc(n + 1);

	assert_non_null(r);
	while (i < n) {
		if (t[i] == '{' && t[i + 1] == '{' && t[i + 2] == '{' && t[i + 3] == '{') {
			r[k++] = '{';
			r[k++] = '{';
			i += 4;
		} else if (t[i] == '{' && t[i + 1] == '{') {
			const char *end = strstr(t + i + 2, "}}"), *bar;

			assert_non_null(end);
			bar = memchr(t + i + 2, '|', (size_t)(end - (t + i + 2)));
			assert_non_null(bar); /* an alternative has at least two options */
			memcpy(r + k, t + i + 2, (size_t)(bar - (t + i + 2)));
			k += (size_t)(bar - (t + i + 2));
			i = (size_t)(end - t) + 2;
			count++;
		} else {
			r[k++] = t[i++];
		}
	}
	r[k] = '\0';
	if (slots)
		*slots = count;
	return r;
}

/* Is offset o of template t inside a slot ("{{" .. "}}", escapes excepted)? */
static int in_slot(const char *t, size_t o)
{
	size_t i = 0;

	while (t[i] && i <= o) {
		if (t[i] == '{' && t[i + 1] == '{' && t[i + 2] == '{' && t[i + 3] == '{') {
			i += 4;
		} else if (t[i] == '{' && t[i + 1] == '{') {
			size_t e = (size_t)(strstr(t + i, "}}") - t) + 2;

			if (o >= i && o < e)
				return 1;
			i = e;
		} else {
			i++;
		}
	}
	return 0;
}

/* The options of the first slot of t, joined by '|' (caller frees), or NULL if t has none. */
static char *first_slot(const char *t)
{
	const char *p = t, *e;
	char *r;

	while ((p = strstr(p, "{{"))) {
		if (!strncmp(p, "{{{{", 4)) {
			p += 4;
			continue;
		}
		e = strstr(p, "}}");
		assert_non_null(e);
		r = strndup(p + 2, (size_t)(e - p - 2));
		assert_non_null(r);
		return r;
	}
	return NULL;
}

static void expect(const char *in, const char *want, size_t want_slots)
{
	size_t n;
	char *t = slot(in, &n);

	if (strcmp(t, want) != 0 || n != want_slots) {
		print_error("in:   %s\ngot:  %s (%zu slots)\nwant: %s (%zu slots)\n", in, t, n, want,
		            want_slots);
		fail();
	}
	free(t);
}

/* No slot at all: the template is the input. */
static void expect_none(const char *in)
{
	expect(in, in, 0);
}

/* ---- advisory paragraphs ---- */

struct para {
	const char *text;
	size_t sentences; /* counted by hand; the code line of paragraph 5 is not a sentence */
};

static const struct para paras[] = {
    {"CVE-2025-31337: A heap-based buffer overflow was discovered in the mod_proxy_uwsgi module of Example "
     "HTTP Server versions prior to 2.4.59. The vulnerability exists in the parser for uwsgi response "
     "headers, which does not properly validate the 16-bit length field read at offset 0x1c of each packet. "
     "A remote attacker who controls a backend server can send a specially crafted response and trigger an "
     "out-of-bounds write of up to two kilobytes on the heap. Successful exploitation could lead to a denial "
     "of service and, in certain configurations, to remote code execution in the context of the worker "
     "process. The issue was reported to the vendor on June 24, 2025 and is fixed in 2.4.59, published with "
     "commit 3f9a2c7e51b04d8e9c6a1f2b7d3e5a9c0b1d2e3f. Users are advised to upgrade to version 2.4.59 as "
     "soon as possible. Further details are available at "
     "https://httpd.example.org/security/vulnerabilities_24.html and in the `ProxyPass` documentation.\n",
     7},
    {"Summary: Acme Portal 5.2.0 and earlier does not correctly sanitize the \"redirect\" parameter of the "
     "login page. An unauthenticated attacker could exploit this flaw by sending a victim a link to "
     "/portal/login?redirect= followed by a crafted value, which allows an attacker to execute arbitrary "
     "JavaScript in the browser of the victim. Because the session cookie is not marked HttpOnly, this "
     "behavior can be used to steal the session of an administrator. In addition, the same parameter is "
     "written unescaped to the audit log at /var/log/acme/audit.log, so log viewers that render HTML are "
     "exposed as well. The vendor has released version 5.2.1, which sanitizes the parameter before use. As "
     "a workaround, administrators can restrict access to the login page to the range 198.51.100.0/24 "
     "until they apply the update. The fix is tracked as CVE-2025-40112 and ACME-SA-2025-007; questions go "
     "to psirt@acme.example.\n",
     7},
    {"A use-after-free vulnerability in the netfilter subsystem of the Linux kernel allows a local attacker "
     "to escalate privileges to root. The flaw resides in nft_set_elem_destroy(), which frees a set element "
     "while a concurrent transaction may still hold a reference to it. By racing netlink requests, an "
     "attacker with CAP_NET_ADMIN in a user namespace can corrupt kernel memory and gain access to "
     "arbitrary kernel addresses. This issue affects kernels from 5.14 up to 6.8.2 and was introduced by "
     "commit 0a9e1c77d4b2. Distributions that enable unprivileged user namespaces by default are especially "
     "exposed. A fix has been merged upstream in 6.8.3; as a temporary mitigation, administrators can set "
     "the sysctl kernel.unprivileged_userns_clone to 0. Please note that disabling user namespaces may "
     "break rootless containers. The issue was first identified while fuzzing with syzkaller on March 3, "
     "2025.\n",
     8},
    {"Multiple vulnerabilities were identified in the firmware of the Example NetCam 300 series, versions "
     "3.1.4 and earlier. First, the web interface uses hard-coded credentials (user \"support\", MD5 "
     "5f4dcc3b5aa765d61d8327deb882cf99) that the owner cannot change. Second, the diagnostics page passes "
     "the host field to /bin/ping without validation, which enables an authenticated attacker to execute "
     "arbitrary commands as root, e.g., by appending `; id` to an address such as 192.0.2.10. Together, "
     "these flaws allow an unauthenticated attacker on the local network to take full control of the "
     "camera. The device also stores the Wi-Fi passphrase in plaintext in /etc/wpa.conf. The manufacturer "
     "has published firmware 3.1.5, which removes the account and sanitizes the host field. Owners should "
     "install the update from https://support.example.com/netcam/fw/3.1.5 and restrict access to the "
     "management interface, e.g., with a separate VLAN.\n",
     7},
    {"The XML parsing component of libexample before 1.9.12 is vulnerable to an XML external entity (XXE) "
     "attack. When processing untrusted documents, the parser resolves external entities by default, i.e., "
     "it fetches any SYSTEM URI named in the DOCTYPE. An attacker who can supply XML to an affected "
     "application can read arbitrary files, such as /etc/passwd, or make the server send requests to "
     "internal hosts like 10.0.0.5. In addition, deeply nested entities can lead to excessive memory use. "
     "The behavior was changed in 1.9.12: external entities are now disabled unless the caller sets the "
     "XML_OPT_ALLOW_EXTERNAL flag. Applications that cannot upgrade should disable entity resolution "
     "explicitly:\n"
     "\n"
     "    parser_set_option(p, XML_OPT_NO_NET, 1);\n"
     "\n"
     "The vendor thanks the three researchers who reported this issue on 2025-05-02. For more information, "
     "please refer to the advisory at https://libexample.org/sa/2025-003 (SHA-256 of the release tarball: "
     "9b74c9897bac770ffc029102a200c5de0c7b1f6f3e3b7e4ad9b2f1c1e0d3a4b5).\n",
     8},
};

#define NPARAS (sizeof(paras) / sizeof(paras[0]))

/* Load-bearing tokens, as a reader would pick them out: each must come out byte-identical, outside slots. */
static const char *const loadbearing[] = {
    "CVE-[0-9]{4}-[0-9]{4,}",                        /* CVE ids */
    "[A-Z]+-SA-[0-9]{4}-[0-9]+",                     /* vendor advisory ids */
    "[a-z][a-z0-9+.-]*://[^] \t\n)]+",               /* URLs */
    "`[^`]+`",                                       /* code spans */
    "0x[0-9a-fA-F]+",                                /* hex offsets */
    "[0-9a-fA-F]{12,}",                              /* hashes and commit ids */
    "[vV]?[0-9]+(\\.[0-9]+)+(/[0-9]+)?",             /* versions, IP addresses, ranges */
    "(/[A-Za-z0-9_.?=-]+)+",                         /* paths */
    "[A-Za-z0-9._-]+@[A-Za-z0-9.-]+",                /* e-mail addresses */
    "\"[^\"\n]*\"",                                  /* quoted strings */
    "[A-Za-z0-9]*_[A-Za-z0-9_]+(\\(\\))?",           /* identifiers */
    "(^|\n)    [^\n]*",                              /* indented code */
    "[0-9]+-bit|SHA-256|MD5|HttpOnly|CAP_NET_ADMIN", /* technical words */
};

#define NLB (sizeof(loadbearing) / sizeof(loadbearing[0]))

/* The matches of re in s, in order, joined by '\n' into out; with t = s a template, checks none is in a
 * slot and skips nothing (a match inside a slot fails). */
static void tokens(const regex_t *re, const char *s, int is_template, char *out, size_t outsz)
{
	regmatch_t m;
	size_t o = 0, k = 0;

	out[0] = '\0';
	while (s[o] && regexec(re, s + o, 1, &m, o ? REG_NOTBOL : 0) == 0) {
		size_t a = o + (size_t)m.rm_so, b = o + (size_t)m.rm_eo;

		if (b == a) {
			o = a + 1;
			continue;
		}
		if (is_template)
			for (size_t i = a; i < b; i++)
				if (in_slot(s, i)) {
					print_error("load-bearing token '%.*s' inside a slot\n", (int)(b - a),
					            s + a);
					fail();
				}
		assert_true(k + (b - a) + 2 < outsz);
		memcpy(out + k, s + a, b - a);
		k += b - a;
		out[k++] = '\n';
		out[k] = '\0';
		o = b;
	}
}

static void test_paragraphs(void **state)
{
	size_t total_slots = 0, total_sentences = 0;
	regex_t re[NLB];
	char *a = malloc(8192), *b = malloc(8192);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (size_t r = 0; r < NLB; r++)
		assert_int_equal(regcomp(&re[r], loadbearing[r], REG_EXTENDED), 0);
	for (size_t p = 0; p < NPARAS; p++) {
		size_t n, n2, words = 0;
		char *t = slot(paras[p].text, &n), *back = render0(t, &n2);

		for (const char *c = paras[p].text; *c; c++)
			words +=
			    (c == paras[p].text || c[-1] == ' ' || c[-1] == '\n') && *c != ' ' && *c != '\n';
		assert_string_equal(back, paras[p].text);
		assert_int_equal(n2, n);
		/* every load-bearing token of the input is in the output, in order, none inside a slot */
		for (size_t r = 0; r < NLB; r++) {
			tokens(&re[r], paras[p].text, 0, a, 8192);
			tokens(&re[r], t, 1, b, 8192);
			assert_string_equal(a, b);
		}
		print_message("paragraph %zu: %zu words, %zu sentences, %zu slots (%.2f per sentence)\n",
		              p + 1, words, paras[p].sentences, n, (double)n / (double)paras[p].sentences);
		assert_true(words >= 120 && words <= 180);
		assert_true(n >= paras[p].sentences - 1); /* each paragraph close to one per sentence */
		total_slots += n;
		total_sentences += paras[p].sentences;
		free(back);
		free(t);
	}
	print_message("all: %zu slots over %zu sentences (%.2f per sentence)\n", total_slots, total_sentences,
	              (double)total_slots / (double)total_sentences);
	assert_true(total_slots >= total_sentences);
	for (size_t r = 0; r < NLB; r++)
		regfree(&re[r]);
	free(a);
	free(b);
}

/* The template parser of lib/mark/template.c reads the output as a template of the same slots, its neutral
 * copy is the input, and every slot carries whole features (2 or 4 options). */
static void test_template_parser_agrees(void **state)
{
	(void)state;
	for (size_t p = 0; p < NPARAS; p++) {
		struct fw_template *tp = NULL;
		struct fw_error err;
		struct fw_buf b;
		size_t n;
		char *t = slot(paras[p].text, &n);

		if (fw_template_parse(t, strlen(t), &tp, &err) != 0) {
			print_error("paragraph %zu: %s: %s\n", p + 1, err.field, err.message);
			fail();
		}
		assert_int_equal(fw_template_slots(tp), n);
		assert_true(fw_template_features(tp) >= n);
		fw_buf_init(&b, 0);
		assert_int_equal(fw_template_strip(tp, &b), 0);
		assert_int_equal(b.len, strlen(paras[p].text));
		assert_memory_equal(b.data, paras[p].text, b.len);
		fw_buf_release(&b);
		fw_template_free(tp);
		free(t);
	}
}

/* ---- the lexicon ---- */

static size_t split(const char *v, char parts[8][96])
{
	size_t k = 0;

	for (const char *p = v;; k++) {
		const char *q = strchr(p, '|');
		size_t l = q ? (size_t)(q - p) : strlen(p);

		assert_true(k < 8 && l > 0 && l < 96);
		memcpy(parts[k], p, l);
		parts[k][l] = '\0';
		if (!q)
			return k + 1;
		p = q + 1;
	}
}

static char up(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The option list of a slot whose first option is v, in the group's order with v first. */
static void rotation(char parts[8][96], size_t np, size_t k, int capital, char *out, size_t outsz)
{
	out[0] = '\0';
	for (size_t j = 0; j <= np; j++) {
		size_t i = j == 0 ? k : j - 1;
		char w[96];

		if (j > 0 && i == k)
			continue;
		snprintf(w, sizeof(w), "%s", parts[i]);
		if (capital)
			w[0] = up(w[0]);
		if (out[0])
			strncat(out, "|", outsz - strlen(out) - 1);
		strncat(out, w, outsz - strlen(out) - 1);
	}
}

static void test_table(void **state)
{
	size_t g, ng = fw_lexicon_groups(), total = 0;
	const char *note;

	(void)state;
	print_message("%zu groups\n", ng);
	assert_true(ng >= 150);
	assert_null(fw_lexicon_group(ng, NULL));
	for (g = 0; g < ng; g++) {
		char parts[8][96];
		const char *v = fw_lexicon_group(g, &note);
		size_t np;

		assert_non_null(v);
		assert_true(note && note[0]);
		np = split(v, parts);
		/* 2 or 4 options: every option can be selected by whole features */
		assert_true(np == 2 || np == 4);
		total += np;
		for (size_t i = 0; i < np; i++) {
			size_t l = strlen(parts[i]);

			assert_null(strpbrk(parts[i], "{}|\t\n"));
			assert_true(parts[i][0] != ' ' && parts[i][l - 1] != ' ' && !strstr(parts[i], "  "));
			for (size_t j = 0; j < i; j++)
				assert_true(strcasecmp(parts[i], parts[j]) != 0); /* a leak keeps no case */
		}
	}
	print_message("%zu variants\n", total);
}

/* Every group is recognised in a context of its own: its first variant at least, and whatever variant is
 * recognised gives a slot listing its group with the variant present first. */
static void test_every_group_matches(void **state)
{
	/* prefix and suffix around the variant; an empty prefix puts it at the start of a sentence */
	static const char *const contexts[][2] = {{"x ", "."},          {"x ", " x."},
	                                          {"x ", " requests."}, {"x ", " 2.4.58."},
	                                          {"x 2.4.57 ", "."},   {"", " x."}};
	size_t ng = fw_lexicon_groups(), recognised = 0, variants = 0;

	(void)state;
	for (size_t g = 0; g < ng; g++) {
		char parts[8][96], text[256], want[512], cap[96];
		size_t np = split(fw_lexicon_group(g, NULL), parts);

		for (size_t k = 0; k < np; k++) {
			int seen = 0;

			variants++;
			for (size_t c = 0; c < sizeof(contexts) / sizeof(contexts[0]); c++) {
				int capital = contexts[c][0][0] == '\0';
				char *t, *opts;

				snprintf(cap, sizeof(cap), "%s", parts[k]);
				if (capital)
					cap[0] = up(cap[0]);
				snprintf(text, sizeof(text), "%s%s%s", contexts[c][0], cap, contexts[c][1]);
				t = slot(text, NULL);
				opts = first_slot(t);
				if (opts && strncmp(opts, cap, strlen(cap)) == 0 &&
				    opts[strlen(cap)] == '|') {
					rotation(parts, np, k, capital, want, sizeof(want));
					if (strcmp(opts, want) != 0) {
						/* another group claims this string: it must be that group's
						 * own slot */
						int other = 0;

						for (size_t h = 0; h < ng && !other; h++) {
							char p2[8][96], w2[512];
							size_t n2 = split(fw_lexicon_group(h, NULL), p2);

							for (size_t j = 0; j < n2 && !other; j++)
								if (strcasecmp(p2[j], parts[k]) == 0) {
									rotation(p2, n2, j, capital, w2,
									         sizeof(w2));
									other = strcmp(opts, w2) == 0;
								}
						}
						if (!other) {
							print_error("'%s': got {{%s}}, want {{%s}}\n", text,
							            opts, want);
							fail();
						}
					} else {
						seen = 1;
					}
				}
				free(opts);
				free(t);
			}
			recognised += seen;
			if (k == 0 && !seen) {
				print_error("group %zu: first variant '%s' is recognised in no context\n", g,
				            parts[0]);
				fail();
			}
		}
	}
	print_message("%zu of %zu variants recognised in a test context\n", recognised, variants);
}

/* ---- rules ---- */

static void test_word_boundaries(void **state)
{
	(void)state;
	expect_none("the unallows x, reallows, allowsx, allows_y, allows-list, x.allows, allows.c, allows()");
	expect_none("a sanitizer-like sanitizers desanitize behaviorism");
	expect_none("x vulnerability-scanner and /vulnerability? and @attacker and attacker's.");
	expect("x allows y.", "x {{allows|permits}} y.", 1);
	expect("(allows y)", "({{allows|permits}} y)", 1);
	expect("x **behavior**.", "x **{{behavior|behaviour}}**.", 1);
	expect("x allows, y", "x {{allows|permits}}, y", 1);
}

static void test_case(void **state)
{
	(void)state;
	expect("Behaviour differs. Allows x.", "{{Behaviour|Behavior}} differs. {{Allows|Permits}} x.", 2);
	expect("Additionally, x.", "{{Additionally,|In addition,|Furthermore,|Moreover,}} x.", 1);
	expect("- Moreover, x.", "- {{Moreover,|Additionally,|In addition,|Furthermore,}} x.", 1);
	expect("x:\n\nFurthermore, x.", "x:\n\n{{Furthermore,|Additionally,|In addition,|Moreover,}} x.", 1);
	/* a capitalised word inside a sentence is a name, and the sentence adverbs only open sentences */
	expect_none("the Sanitize option and the Vulnerability Scanner; x additionally, y");
	expect_none("x\nAdditionally, y");
	/* only the first letter folds */
	expect_none("ALLOWS x and BEHAVIOR y");
}

static void test_contexts(void **state)
{
	(void)state;
	/* versions around the words */
	expect("versions 2.4.57 and earlier", "versions 2.4.57 {{and earlier|and older}}", 1);
	expect_none("released in May and earlier reported");
	expect("x fixed in 2.4.58.", "x {{fixed in|addressed in|resolved in|corrected in}} 2.4.58.", 1);
	expect("x fixed in version v3.1.",
	       "x {{fixed in|addressed in|resolved in|corrected in}} version v3.1.", 1);
	expect_none("name resolved in 192.0.2.1 and fixed in the config");
	expect("x before 1.9.12.", "x {{before|prior to|earlier than|older than}} 1.9.12.", 1);
	/* nouns only as the head of their clause */
	expect("the vulnerability is", "the {{vulnerability|flaw}} is", 1);
	expect("a vulnerability (CVE-2025-0001)", "a {{vulnerability|flaw}} (CVE-2025-0001)", 1);
	expect_none("the vulnerability scanner and vulnerability management");
	/* words that must not follow */
	expect_none("this allows for reuse; disable it");
	expect("due to a race", "{{due to|because of|owing to|as a result of}} a race", 1);
	expect_none("the fix is due to be released");
	/* variants ending in another preposition never leave a coordinated "to" dangling */
	expect("x could lead to a crash.",
	       "x {{could lead to|may lead to|could result in|may result in}} a crash.", 1);
	expect_none("x could lead to a crash and, in some cases, to code execution.");
	expect_none("x leads to a crash or to a hang; due to a race and to a leak");
	expect("x leads to a crash. Then to y.", "x {{leads to|results in}} a crash. Then to y.", 1);
	/* the attack sentence takes its subject and "to" */
	expect("lets an attacker read",
	       "{{lets an attacker|allows an attacker to|enables an attacker to|"
	       "permits an attacker to}} read",
	       1);
	/* one-way groups */
	expect("(e.g., Apache)", "({{e.g.,|for example,}} Apache)", 1);
	expect_none("the server, for example, may");
	expect_none("the various options");
	expect_none("the patched release performs as well as the old one");
}

static void test_counts(void **state)
{
	(void)state;
	expect("x sends two requests.", "x sends {{two|2}} requests.", 1);
	expect("x three bytes, y", "x {{three|3}} bytes, y", 1);
	expect_none("two is two, two of them, two process, two previous, Two requests, 2 requests");
	expect_none("Log4j 2 users and two-factor logins");
}

static void test_dates(void **state)
{
	(void)state;
	expect("on June 24, 2025, x", "on {{June 24, 2025|24 June 2025|2025-06-24|24-Jun-2025}}, x", 1);
	expect("on 4 July 2024.", "on {{4 July 2024|July 4, 2024|2024-07-04|04-Jul-2024}}.", 1);
	expect("on 2024-02-29.", "on {{2024-02-29|February 29, 2024|29 February 2024|29-Feb-2024}}.", 1);
	expect("on Sep 9, 2025 x", "on {{Sep 9, 2025|9 September 2025|2025-09-09|09-Sep-2025}} x", 1);
	expect("(May 1, 2025)", "({{May 1, 2025|1 May 2025|2025-05-01|01-May-2025}})", 1);
	expect_none("February 30, 2025, 2025-02-29, 2025-13-01, June 04, 2025, 32 June 2025, 1969-12-31");
	expect_none("at 2025-06-24T10:00Z, in build 2025-06-24, file-2025-06-24, 2025-06-24.tar");
}

static void test_protected(void **state)
{
	(void)state;
	expect_none("`allows x` and ``a ` allows`` and \"allows x\" and 'allows x' and \xe2\x80\x9c"
	            "allows\xe2\x80\x9d and \xe2\x80\x98"
	            "allows\xe2\x80\x99");
	expect_none(
	    "https://x.example/allows?q=behavior /usr/share/allows C:\\allows\\behavior a@allows.example");
	expect_none("x:\n    allows indented\n\tallows tab\n");
	expect_none("```\nallows fenced\n```\n~~~~\nallows\n~~~~\n");
	expect_none("x \"unclosed quote allows\nand the rest of the paragraph allows\n");
	expect("x \"q\"\n\nallows y", "x \"q\"\n\n{{allows|permits}} y", 1);
	/* an unclosed code span protects its paragraph, not the next one */
	expect("`open allows\n\nx allows y", "`open allows\n\nx {{allows|permits}} y", 1);
	/* a fence that is never closed protects the rest */
	expect_none("```c\nallows\n\nallows\n");
	/* the apostrophe of a possessive does not open a quote */
	expect("the users' data allows x", "the users' data {{allows|permits}} x", 1);
}

static void test_escapes_and_templates(void **state)
{
	struct fw_buf b;
	size_t n = 99, n2;
	char *t, *t2;

	(void)state;
	expect("a {{ b allows c", "a {{{{ b {{allows|permits}} c", 1);
	expect("{{{ x", "{{{{{ x", 0);
	expect("{{{{ x", "{{{{{{{{ x", 0);
	/* authored templates are left as they are */
	expect_none("x {{allows|permits}} y and behavior");
	expect_none("payload {{7*7}} allows x");
	/* a canary-facts directive is no authored slot: it passes through and the prose around it is slotted
	 */
	expect("It allows {{canaries}} and {{canaries:ipv4,user}} x",
	       "It {{allows|permits}} {{canaries}} and {{canaries:ipv4,user}} x", 1);
	/* a malformed one counts as an authored slot (which the template parser then refuses, naming it) */
	expect_none("It allows {{canaries:mac}} x");
	/* idempotent on output holding a slot */
	t = slot("The flaw allows a remote attacker to run arbitrary code {{ here.", &n);
	assert_true(n >= 2);
	t2 = slot(t, &n2);
	assert_string_equal(t2, t);
	assert_int_equal(n2, 0);
	free(t2);
	free(t);
	/* empty input */
	fw_buf_init(&b, 0);
	assert_int_equal(fw_lexicon_slot(NULL, 0, &b, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(fw_lexicon_slot("", 0, &b, &n), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(fw_lexicon_slot("x", 1, &b, NULL), 0);
	assert_string_equal(b.data, "x");
	fw_buf_release(&b);
}

static void test_errors_and_limits(void **state)
{
	struct fw_buf b;
	size_t n = 77, need = FW_LEXICON_SLOTS_MAX + 10, len, n2;
	char *big, *t;
	const char *unit = "x allows y. ";

	(void)state;
	fw_buf_init(&b, 0);
	assert_int_equal(fw_lexicon_slot("x", 1, NULL, &n), FW_EINVAL);
	assert_int_equal(fw_lexicon_slot(NULL, 1, &b, &n), FW_EINVAL);
	assert_int_equal(fw_lexicon_slot("a\0allows b", 10, &b, &n), FW_EINVAL);
	assert_int_equal(n, 77);
	/* too long */
	big = malloc(FW_LEXICON_PROSE_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', FW_LEXICON_PROSE_MAX + 1);
	assert_int_equal(fw_lexicon_slot(big, FW_LEXICON_PROSE_MAX + 1, &b, &n), FW_ETOOBIG);
	assert_int_equal(n, 77);
	assert_int_equal(b.len, 0);
	/* at most FW_LEXICON_SLOTS_MAX slots; the rest stays text */
	len = need * strlen(unit);
	for (size_t i = 0; i < need; i++)
		memcpy(big + i * strlen(unit), unit, strlen(unit));
	big[len] = '\0';
	t = slot(big, &n);
	assert_int_equal(n, FW_LEXICON_SLOTS_MAX);
	free(render0(t, &n2));
	assert_int_equal(n2, FW_LEXICON_SLOTS_MAX);
	free(t);
	/* out's own maximum: out is left as it was */
	fw_buf_init(&b, 20);
	assert_int_equal(fw_buf_puts(&b, "keep"), 0);
	assert_int_equal(fw_lexicon_slot(big, len, &b, &n), FW_ETOOBIG);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	/* appends */
	assert_int_equal(fw_lexicon_slot("x allows", 8, &b, &n), FW_ETOOBIG);
	fw_buf_release(&b);
	fw_buf_init(&b, 0);
	assert_int_equal(fw_buf_puts(&b, "keep:"), 0);
	assert_int_equal(fw_lexicon_slot("x allows", 8, &b, &n), 0);
	assert_string_equal(b.data, "keep:x {{allows|permits}}");
	assert_int_equal(n, 1);
	fw_buf_release(&b);
	free(big);
}

/* Deterministic, and a whole paragraph of every kind of input never crashes (sanitizers watch). */
static void test_deterministic(void **state)
{
	(void)state;
	for (size_t p = 0; p < NPARAS; p++) {
		char *a = slot(paras[p].text, NULL), *b = slot(paras[p].text, NULL);

		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paragraphs),
	    cmocka_unit_test(test_template_parser_agrees),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_every_group_matches),
	    cmocka_unit_test(test_word_boundaries),
	    cmocka_unit_test(test_case),
	    cmocka_unit_test(test_contexts),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_protected),
	    cmocka_unit_test(test_escapes_and_templates),
	    cmocka_unit_test(test_errors_and_limits),
	    cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
