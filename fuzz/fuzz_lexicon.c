/*
 * libFuzzer driver for auto-slotting (fw_lexicon_slot): any bytes are slotted as prose. The template must
 * render back to the input with every first option, parse with fw_template_parse into as many slots, be
 * the same on a second run, and come back unchanged when slotted again; authored templates pass unchanged,
 * NUL bytes are refused, and a refusal leaves the output buffer alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/lexicon.h"
#include "forewarn/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first "}}" in s[0 .. n), or NULL. */
static const char *find_close(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '}' && s[i + 1] == '}')
			return s + i;
	return NULL;
}

/* A "{{" other than the escape "{{{{", closed by a later "}}" (the rule of lexicon.h). */
static int has_slot(const char *s, size_t n)
{
	size_t i = 0;

	while (i + 1 < n) {
		size_t d = fw_template_facts_directive(s + i, n - i);

		if (d > 0)
			i += d;
		else if (s[i] != '{' || s[i + 1] != '{')
			i++;
		else if (i + 3 < n && s[i + 2] == '{' && s[i + 3] == '{')
			i += 4;
		else
			return find_close(s + i + 2, n - i - 2) != NULL;
	}
	return 0;
}

/* Every slot at its first option, escapes undone, into r (room for n bytes); returns the length, and the
 * number of slots in *slots. Aborts on a slot without '|' or without its "}}". */
static size_t render0(const char *t, size_t n, char *r, size_t *slots)
{
	size_t i = 0, k = 0;

	*slots = 0;
	while (i < n) {
		size_t d = fw_template_facts_directive(t + i, n - i);

		if (d > 0) {
			memcpy(r + k, t + i, d); /* a canary-facts directive passes through */
			k += d;
			i += d;
		} else if (i + 3 < n && !memcmp(t + i, "{{{{", 4)) {
			memcpy(r + k, "{{", 2);
			k += 2;
			i += 4;
		} else if (i + 1 < n && t[i] == '{' && t[i + 1] == '{') {
			const char *e = find_close(t + i + 2, n - i - 2), *bar;

			if (!e || !(bar = memchr(t + i + 2, '|', (size_t)(e - t) - i - 2)))
				abort();
			memcpy(r + k, t + i + 2, (size_t)(bar - t) - i - 2);
			k += (size_t)(bar - t) - i - 2;
			i = (size_t)(e - t) + 2;
			(*slots)++;
		} else {
			r[k++] = t[i++];
		}
	}
	return k;
}

static int has_directive(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (fw_template_facts_directive((const char *)s + i, n - i))
			return 1;
	return 0;
}

/* The template parser agrees: same slots, and its neutral copy is the prose. */
static void check_parser(const char *t, size_t tlen, const uint8_t *data, size_t size, size_t slots)
{
	struct fw_template *tp = NULL;
	struct fw_buf b;

	if (tlen > FW_TEMPLATE_MAX)
		return;
	if (fw_template_parse(t, tlen, &tp, NULL) != 0 || fw_template_slots(tp) < slots)
		abort();
	if (has_directive(data, size)) {
		/* canary facts expand into a sentence and add their slots: nothing more to compare */
		fw_template_free(tp);
		return;
	}
	if (fw_template_slots(tp) != slots)
		abort();
	fw_buf_init(&b, 0);
	if (fw_template_strip(tp, &b) != 0 || b.len != size || (size && memcmp(b.data, data, size)))
		abort();
	fw_buf_release(&b);
	fw_template_free(tp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fw_buf out, again;
	size_t slots = 99, slots2 = 99, rslots;
	char *r;
	int rc;

	fw_buf_init(&out, 0);
	if (fw_buf_puts(&out, "pre") != 0)
		abort();
	rc = fw_lexicon_slot(s, size, &out, &slots);
	if (rc != 0) {
		/* refused: only a NUL byte or the size limit, and nothing written */
		if (slots != 99 || out.len != 3 || memcmp(out.data, "pre", 4) ||
		    !(rc == FW_EINVAL ? memchr(s, '\0', size) != NULL
		                      : rc == FW_ETOOBIG && size > FW_LEXICON_PROSE_MAX))
			abort();
		fw_buf_release(&out);
		return 0;
	}
	if (memchr(s, '\0', size) || slots > FW_LEXICON_SLOTS_MAX || out.len < 3 + size ||
	    memcmp(out.data, "pre", 3))
		abort();
	const char *t = out.data + 3;
	size_t tlen = out.len - 3;

	if (has_slot(s, size)) {
		/* an authored template passes unchanged */
		if (slots != 0 || tlen != size || memcmp(t, s, size))
			abort();
	} else {
		r = malloc(tlen + 1);
		if (!r)
			abort();
		if (render0(t, tlen, r, &rslots) != size || memcmp(r, s, size) || rslots != slots)
			abort();
		free(r);
		check_parser(t, tlen, data, size, slots);
	}
	/* deterministic, and idempotent once the output holds a slot */
	fw_buf_init(&again, 0);
	if (fw_lexicon_slot(s, size, &again, &slots2) != 0 || slots2 != slots || again.len != tlen ||
	    (tlen && memcmp(again.data, t, tlen)))
		abort();
	if (slots > 0) {
		fw_buf_reset(&again);
		if (fw_lexicon_slot(t, tlen, &again, &slots2) != 0 || slots2 != 0 || again.len != tlen ||
		    memcmp(again.data, t, tlen))
			abort();
	}
	fw_buf_release(&again);
	fw_buf_release(&out);
	return 0;
}
