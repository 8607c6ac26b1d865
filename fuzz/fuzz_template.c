/*
 * libFuzzer driver for the template module: any byte string is parsed as a template (a refusal must say
 * where and why and leave the out-parameter alone), an accepted one is rendered with fixed bits and neutrally
 * and read back; and the bytes are read as a suspect text against a fixed template. Renders must be
 * deterministic, observations valid and the same through a prepared text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/tardos.h"
#include "forewarn/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every kind of slot, nested slots in an order block, and a canary alone of its kind. */
static const char fixed[] =
    "A {{critical|severe}} flaw in the {{request parser|HTTP parser}} {{allows|lets}} a remote attacker to "
    "run "
    "code. Hosts at {{canary:ipv4}} and {{canary:ipv4}} were hit; {{canary:user}} uploaded {{canary:file}} "
    "to {{canary:host}} on port {{canary:port}}.\n"
    "{{order}}- {{Apply|Install}} the patch.\n{{;}}- Restrict the admin interface.\n{{;}}- Rotate "
    "credentials.\n{{/order}}"
    "s.sendall(b\"X-Id: {{canary:marker}}\\r\\n\" * {{int:16}})\nprint(\"{{done|finished|complete}}\")\n";

static void check_obs(const unsigned char *obs, size_t m)
{
	for (size_t i = 0; i < m; i++)
		if (obs[i] != FW_TARDOS_OBS_0 && obs[i] != FW_TARDOS_OBS_1 && obs[i] != FW_TARDOS_UNSEEN)
			abort();
}

/* Observes text against t through fw_template_observe and a prepared text: both must agree. */
static void observe_both(const struct fw_template *t, const char *text, size_t len)
{
	size_t m = fw_template_features(t);
	unsigned char *a = malloc(m + 2), *b = malloc(m + 2);
	struct fw_template_text *x = NULL;

	if (!a || !b)
		abort();
	a[0] = b[0] = a[m + 1] = b[m + 1] = 0xee; /* guards: only [1, m + 1) may be written */
	if (fw_template_observe(t, text, len, 1, a, m + 1) != 0 || fw_template_text_new(text, len, &x) != 0 ||
	    fw_template_observe_text(t, x, 1, b, m + 1) != 0)
		abort();
	if (a[0] != 0xee || a[m + 1] != 0xee || b[0] != 0xee || memcmp(a, b, m + 2) != 0)
		abort();
	check_obs(a + 1, m);
	fw_template_text_free(x);
	free(a);
	free(b);
}

static void check_template(const uint8_t *data, size_t size)
{
	static int dummy;
	struct fw_template *sentinel = (struct fw_template *)&dummy, *t = sentinel;
	struct fw_error err = {{0}, {0}};
	struct fw_buf one, two, strip;
	unsigned char *bits;
	size_t m;
	int r;

	r = fw_template_parse((const char *)data, size, &t, &err);
	if (r < 0) {
		if (t != sentinel ||
		    (r != FW_ENOMEM && (strcmp(err.field, "template") != 0 || !err.message[0])))
			abort();
		return;
	}
	m = fw_template_features(t);
	if (fw_template_slots(t) > FW_TEMPLATE_SLOTS_MAX || m > 15 * fw_template_slots(t))
		abort();
	bits = malloc(m + 1);
	if (!bits)
		abort();
	for (size_t i = 0; i < m; i++)
		bits[i] = (unsigned char)((i * 7 + 3) % 5 < 2);
	fw_buf_init(&one, 0);
	fw_buf_init(&two, 0);
	fw_buf_init(&strip, 0);
	if (fw_template_render(t, bits, m, 0, &one) != 0 || fw_template_render(t, bits, m, 0, &two) != 0 ||
	    fw_template_strip(t, &strip) != 0)
		abort();
	if (one.len != two.len || (one.len && memcmp(one.data, two.data, one.len) != 0))
		abort();
	fw_buf_reset(&two);
	if (fw_template_render(t, NULL, 0, 0, &two) != 0 || two.len != strip.len ||
	    (two.len && memcmp(two.data, strip.data, two.len) != 0))
		abort();
	if (m && fw_template_render(t, bits, m - 1, 0, &two) != FW_EINVAL)
		abort();
	observe_both(t, one.data ? one.data : "", one.len);
	fw_buf_release(&one);
	fw_buf_release(&two);
	fw_buf_release(&strip);
	free(bits);
	fw_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_template *t = NULL;

	check_template(data, size);
	if (fw_template_parse(fixed, sizeof(fixed) - 1, &t, NULL) != 0)
		abort();
	observe_both(t, (const char *)data, size < FW_TEMPLATE_TEXT_MAX ? size : FW_TEMPLATE_TEXT_MAX);
	fw_template_free(t);
	return 0;
}
