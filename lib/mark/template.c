/*
 * Variation slots (docs/templates.md): the template parser, rendering of a partner's copy from codeword bits,
 * and partner-agnostic extraction. Extraction normalises and indexes the suspect text (8-byte grams in hash
 * chains), then reads each slot through its fixed context in the template, over a few passes that widen the
 * contexts across neighbouring slots and order blocks as these are read.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include "forewarn/tardos.h"
#include "forewarn/template.h"

#define GRAM        8   /* bytes of an index gram */
#define CTX         24  /* normalised characters of context each side */
#define CTX_SHORT   12  /* the context tried when the full one is reworded */
#define CTX_MIN     10  /* less context than this never decides a slot */
#define CTX_BUF     80  /* joined context before the cut: 2 * CTX and the spaces between pieces */
#define OCC_CAP     16  /* occurrences of a context checked one by one */
#define PAT_CAP     64  /* occurrences of a whole pattern looked at for the word-boundary guards */
#define LOC_MIN     3   /* characters of an order item that can locate it */
#define LOC_MAX     256 /* an order item is located by at most this many characters of its text */
#define LOC_OCC     8   /* occurrences of an item's text sorted out by elimination */
#define PASSES_MAX  64
#define BUDGET_BASE (1u << 24) /* work units of one extraction, plus 64 per byte of text */
#define SHOW_MAX    20         /* bytes of a bad slot echoed in an error message */
#define NONE        ((size_t)-1)

enum { N_LIT, N_ALT, N_CANARY, N_INT, N_ORDER };
enum { K_IPV4, K_HOST, K_USER, K_FILE, K_MARKER, K_PORT, NKINDS };

static const char *const kind_names[NKINDS] = {"ipv4", "host", "user", "file", "marker", "port"};

/* floor(log2(n!)): the features of an order block of n items. */
static const unsigned char order_feats[FW_TEMPLATE_ITEMS_MAX + 1] = {0, 0, 1, 2, 4, 6, 9, 12, 15};

/* ---- canary pools: constants, reviewed; every value is lower case ASCII without spaces ---- */

static const char *const host_a[16] = {"amber",  "birch",  "cedar",  "delta",   "ember",   "falcon",
                                       "garnet", "harbor", "indigo", "juniper", "kestrel", "lumen",
                                       "maple",  "nimbus", "orchid", "pebble"};
static const char *const host_b[16] = {"bay",   "bridge", "cloud", "core", "dock", "edge",
                                       "field", "gate",   "grove", "hub",  "lake", "mill",
                                       "point", "ridge",  "stone", "works"};
static const char *const host_tld[3] = {"example.com", "example.net", "example.org"};
static const char user_initial[17] = "abcdefghjklmnprs";
static const char *const user_last[16] = {"adams",  "baker",  "clark", "davis",  "evans", "foster",
                                          "garcia", "hughes", "irwin", "jensen", "kumar", "lopez",
                                          "moreno", "nguyen", "owens", "patel"};
static const char *const file_stem[16][2] = {
    {"report", "docx"},    {"invoice", "pdf"}, {"backup", "zip"},   {"notes", "txt"},
    {"budget", "xlsx"},    {"payload", "bin"}, {"config", "yaml"},  {"export", "csv"},
    {"archive", "tar.gz"}, {"minutes", "odt"}, {"slides", "pptx"},  {"dump", "sql"},
    {"scan", "png"},       {"readme", "md"},   {"capture", "pcap"}, {"install", "log"}};
static const char *const file_word[16] = {"q3",    "final",  "draft", "old",   "v2",    "march",
                                          "team",  "copy",   "east",  "west",  "alpha", "2019",
                                          "local", "shared", "temp",  "review"};

static char pool_val[NKINDS][FW_TEMPLATE_CANARY_VALUES][FW_TEMPLATE_CANARY_LEN];
static unsigned char pool_len[NKINDS][FW_TEMPLATE_CANARY_VALUES];
static uint16_t pool_map[4096]; /* value -> kind * 256 + index + 1, open addressing; 0 = empty */
static unsigned char pool_cut[NKINDS][FW_TEMPLATE_CANARY_VALUES]; /* CUT_* bits */
static once_flag pool_once = ONCE_FLAG_INIT;

static size_t put_str(char *b, size_t n, const char *s)
{
	size_t k = strlen(s);

	memcpy(b + n, s, k);
	return n + k;
}

static size_t put_uint(char *b, size_t n, unsigned v)
{
	char tmp[12];
	size_t k = 0;

	do
		tmp[k++] = (char)('0' + v % 10);
	while (v /= 10);
	while (k)
		b[n++] = tmp[--k];
	return n;
}

/* A variant that another variant of its slot starts (CUT_HEAD) or ends (CUT_TAIL) with: read at an end of
 * the text, it may be the other one cut short ("192.0.2.21" of "192.0.2.211"). */
#define CUT_HEAD 1
#define CUT_TAIL 2

static unsigned cut_bits(const char *a, size_t an, const char *b, size_t bn)
{
	if (bn <= an)
		return 0;
	return (memcmp(a, b, an) == 0 ? CUT_HEAD : 0) | (memcmp(a, b + bn - an, an) == 0 ? CUT_TAIL : 0);
}

/* Value i of a pool into b (FW_TEMPLATE_CANARY_LEN bytes), NUL-terminated; returns its length. */
static size_t canary_format(int kind, unsigned i, char *b)
{
	static const char *const nets[3] = {"192.0.2.", "198.51.100.", "203.0.113."};
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	unsigned v;

	switch (kind) {
	case K_IPV4: /* RFC 5737 only: the three /24s in turn, hosts 20 to 230 scattered (37 is prime to 211)
	              */
		n = put_str(b, n, nets[i % 3]);
		n = put_uint(b, n, 20 + i / 3 * 37 % 211);
		break;
	case K_HOST: /* reserved names (RFC 2606) */
		n = put_str(b, n, host_a[i >> 4]);
		b[n++] = '-';
		n = put_str(b, n, host_b[i & 15]);
		b[n++] = '.';
		n = put_str(b, n, host_tld[((i >> 4) + i) % 3]);
		break;
	case K_USER:
		b[n++] = user_initial[i >> 4];
		b[n++] = '.';
		n = put_str(b, n, user_last[i & 15]);
		break;
	case K_FILE:
		n = put_str(b, n, file_stem[i >> 4][0]);
		b[n++] = '-';
		n = put_str(b, n, file_word[i & 15]);
		b[n++] = '.';
		n = put_str(b, n, file_stem[i >> 4][1]);
		break;
	case K_MARKER: /* an odd multiplier is a bijection modulo 2^16: 256 distinct tags */
		v = (i * 0x9e5u + 0x3c1u) & 0xffffu;
		n = put_str(b, n, "fw-");
		for (int s = 12; s >= 0; s -= 4)
			b[n++] = hex[v >> s & 15];
		break;
	default: /* K_PORT: 20011 to 62596, above the registered ports most write-ups mention */
		n = put_uint(b, n, 20011 + 167 * i);
		break;
	}
	b[n] = '\0';
	return n;
}

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void pool_init(void)
{
	for (int k = 0; k < NKINDS; k++)
		for (unsigned i = 0; i < FW_TEMPLATE_CANARY_VALUES; i++) {
			size_t n = canary_format(k, i, pool_val[k][i]);
			uint32_t h = str_hash(pool_val[k][i], n) & 4095;

			pool_len[k][i] = (unsigned char)n;
			while (pool_map[h]) /* 1536 values in 4096 cells: never full */
				h = (h + 1) & 4095;
			pool_map[h] = (uint16_t)(k * 256 + i + 1);
		}
	for (int k = 0; k < NKINDS; k++)
		for (unsigned i = 0; i < FW_TEMPLATE_CANARY_VALUES; i++)
			for (unsigned j = 0; j < FW_TEMPLATE_CANARY_VALUES; j++)
				pool_cut[k][i] |= (unsigned char)cut_bits(pool_val[k][i], pool_len[k][i],
				                                          pool_val[k][j], pool_len[k][j]);
}

/* The kind * 256 + index of a pool value, or -1. */
static int pool_lookup(const char *s, size_t n)
{
	uint32_t h = str_hash(s, n) & 4095;

	for (; pool_map[h]; h = (h + 1) & 4095) {
		int e = pool_map[h] - 1;

		if (pool_len[e >> 8][e & 255] == n && !memcmp(pool_val[e >> 8][e & 255], s, n))
			return e;
	}
	return -1;
}

/* ---- normalisation: what survives copy-paste, reflow, retyping and code formatters ---- */

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_word(unsigned char c)
{
	return is_alnum(c) || c == '_' || c >= 0x80;
}

/* Whether whitespace (pending) between the normalised text buf (len bytes) and next stays as one space:
 * only between two word characters, so "f(a, b)", "f( a,b )" and "x = 1", "x=1" read alike. */
static int keep_space(int pending, const char *buf, size_t len, char next)
{
	return pending && len && is_word((unsigned char)buf[len - 1]) && is_word((unsigned char)next);
}

enum { U_NONE, U_WS, U_DROP, U_MAP };

/* Non-ASCII characters that copy-paste and word processors bring: spaces, invisible characters, typographic
 * quotes and hyphens. Returns the sequence's length (0: none of them), what it is, and its ASCII mapping. */
static size_t uspecial(const unsigned char *s, size_t n, int *what, unsigned char *map)
{
	/* Latin-1 letters with a canonical decomposition, by their base letter: NFC and NFD read alike. */
	static const char latin1[33] = "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0\0";

	if (n >= 2 && s[0] == 0xc3 && s[1] >= 0x80 && s[1] <= 0xbf) {
		*what = U_MAP;
		*map = s[1] == 0xbf ? 'y' : (unsigned char)latin1[s[1] & 0x1f];
		return *map ? 2 : 0;
	}
	if (n >= 2 && ((s[0] == 0xcc && s[1] >= 0x80 && s[1] <= 0xbf) ||
	               (s[0] == 0xcd && s[1] >= 0x80 && s[1] <= 0xaf))) {
		*what = U_DROP; /* combining diacritical marks */
		return 2;
	}
	if (n >= 2 && s[0] == 0xc2) {
		*what = s[1] == 0xad ? U_DROP : U_WS; /* soft hyphen; no-break space, NEL */
		return s[1] == 0xa0 || s[1] == 0x85 || s[1] == 0xad ? 2 : 0;
	}
	if (n < 3)
		return 0;
	if (s[0] == 0xe2 && s[1] == 0x80) {
		unsigned c = s[2];

		*what = U_MAP;
		if ((c >= 0x80 && c <= 0x8a) || c == 0xa8 || c == 0xa9 || c == 0xaf)
			*what = U_WS;
		else if (c >= 0x8b && c <= 0x8d)
			*what = U_DROP;
		else if (c >= 0x90 && c <= 0x93)
			*map = '-';
		else if (c == 0x98 || c == 0x99 || c == 0x9c || c == 0x9d)
			*map = '"';
		else
			return 0;
		return 3;
	}
	if (s[0] == 0xe2 && s[1] == 0x81 && (s[2] == 0x9f || s[2] == 0xa0)) {
		*what = s[2] == 0x9f ? U_WS : U_DROP;
		return 3;
	}
	if ((s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
	    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)) {
		*what = s[0] == 0xe3 ? U_WS : U_DROP;
		return 3;
	}
	return 0;
}

/*
 * src (n bytes) normalised into out (room for n bytes): ASCII letters folded to lower case, every run of
 * whitespace and line breaks one space, none at either end; returns the length and whether whitespace was
 * cut before (ret_lead) and after (ret_trail) the result. The normal form of a concatenation is that of the
 * parts joined with one space where either side had whitespace, which is how contexts are assembled.
 */
static size_t normalise(const char *src, size_t n, char *out, unsigned char *ret_lead,
                        unsigned char *ret_trail)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, k = 0;
	int pending = 0, lead = 0;

	while (i < n) {
		unsigned char c = s[i];
		int what = U_NONE;
		size_t w = 1;

		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			what = U_WS;
		} else if (c == '\\') {
			/* A copy leaked as JSON or in a string literal: backslashes vanish, \n \r \t are
			 * spaces. */
			what = U_DROP;
			unsigned char e =
			    i + 1 < n ? (unsigned char)(s[i + 1] | 0x20) : 0; /* case folded too */

			if (e == 'n' || e == 'r' || e == 't') {
				what = U_WS;
				w = 2;
			}
		} else if (c >= 0x80 && (w = uspecial(s + i, n - i, &what, &c)) == 0) {
			w = 1;
		}
		i += w;
		if (what == U_DROP)
			continue;
		if (what == U_WS) {
			lead |= !k;
			pending = 1;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		else if (c == '\'')
			c = '"'; /* formatters rewrite string quotes */
		if (keep_space(pending, out, k, (char)c))
			out[k++] = ' ';
		pending = 0;
		out[k++] = (char)c;
	}
	*ret_lead = (unsigned char)lead;
	*ret_trail = (unsigned char)pending;
	return k;
}

/* ---- the parsed template ---- */

struct txt { /* fixed text: as rendered (raw) and normalised, both in the pool */
	size_t raw, rawlen, nrm, nrmlen;
	unsigned char lead, trail, cut; /* cut: CUT_* bits of an option among the others of its slot */
};

struct node {
	unsigned char type, kind, nfeat, nitems;
	size_t feat; /* the first feature, counted from the template's offset */
	size_t first,
	    count; /* N_LIT: txts[first]; N_ALT, N_INT: the options are txts[first .. first + count) */
	size_t item[FW_TEMPLATE_ITEMS_MAX + 1]; /* N_ORDER: item i is nodes[item[i] .. item[i + 1]) */
};

struct fw_template {
	struct node *nodes;
	struct txt *txts;
	char *pool;
	size_t nnodes, ntxts, features, slots;
	unsigned kinds[NKINDS]; /* canary slots per kind */
};

struct piece { /* a piece of normalised text: the core and whether whitespace surrounds it */
	const char *s;
	size_t n;
	unsigned char lead, trail;
};

static int is_leaf(const struct node *nd)
{
	return nd->type == N_ALT || nd->type == N_CANARY || nd->type == N_INT;
}

static size_t node_nopt(const struct node *nd)
{
	return nd->type == N_CANARY ? FW_TEMPLATE_CANARY_VALUES : nd->count;
}

/* The normalised text of a literal (opt ignored) or of option opt of a slot. */
static struct piece node_piece(const struct fw_template *t, const struct node *nd, size_t opt)
{
	struct piece p;
	const struct txt *x;

	if (nd->type == N_CANARY) {
		p.s = pool_val[nd->kind][opt];
		p.n = pool_len[nd->kind][opt];
		p.lead = p.trail = 0;
		return p;
	}
	x = &t->txts[nd->first + (nd->type == N_LIT ? 0 : opt)];
	p.s = t->pool + x->nrm;
	p.n = x->nrmlen;
	p.lead = x->lead;
	p.trail = x->trail;
	return p;
}

/* The CUT_* bits of variant opt of a slot. */
static unsigned node_cut(const struct fw_template *t, const struct node *nd, size_t opt)
{
	return nd->type == N_CANARY ? pool_cut[nd->kind][opt] : t->txts[nd->first + opt].cut;
}

/* The rendered bytes of a literal or of option opt of a slot. */
static const char *node_raw(const struct fw_template *t, const struct node *nd, size_t opt, size_t *ret_len)
{
	const struct txt *x;

	if (nd->type == N_CANARY) {
		*ret_len = pool_len[nd->kind][opt];
		return pool_val[nd->kind][opt];
	}
	x = &t->txts[nd->first + (nd->type == N_LIT ? 0 : opt)];
	*ret_len = x->rawlen;
	return t->pool + x->raw;
}

/* ---- parser ---- */

struct parser {
	const char *s;
	size_t n;
	struct fw_template *t;
	struct fw_error *err;
	size_t capn, capt;
	struct fw_buf pool, lit;
	size_t order, order_at,
	    order_feat; /* the open order block (NONE), where it opened, its first feature */
};

static int perr(struct parser *p, int code, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A syntax error at byte at: "line L, column C: ..." with columns in UTF-8 characters. */
static int perr(struct parser *p, int code, size_t at, const char *fmt, ...)
{
	char msg[160];
	size_t line = 1, col = 1;
	va_list ap;

	for (size_t i = 0; i < at && i < p->n; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)p->s[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fw_error_set(p->err, code, "template", "line %zu, column %zu: %s", line, col, msg);
}

/* Up to SHOW_MAX bytes of s, printable ASCII only, for an error message. */
static const char *show(const char *s, size_t n, char buf[SHOW_MAX + 4])
{
	size_t k = 0;

	for (; k < n && k < SHOW_MAX; k++)
		buf[k] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
	if (n > SHOW_MAX)
		buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
	buf[k] = '\0';
	return buf;
}

static int add_txt(struct parser *p, const char *raw, size_t len)
{
	struct fw_template *t = p->t;
	struct txt *x;
	int r;

	if (t->ntxts == p->capt) {
		size_t cap = p->capt ? 2 * p->capt : 64;
		struct txt *v = realloc(t->txts, cap * sizeof(*v));

		if (!v)
			return FW_ENOMEM;
		t->txts = v;
		p->capt = cap;
	}
	x = &t->txts[t->ntxts];
	x->raw = p->pool.len;
	x->rawlen = len;
	if ((r = fw_buf_append(&p->pool, raw, len)) < 0)
		return r;
	x->nrm = p->pool.len;
	if ((r = fw_buf_append(&p->pool, raw, len)) < 0) /* room for the normal form, written over it */
		return r;
	x->nrmlen = normalise(p->pool.data + x->raw, len, p->pool.data + x->nrm, &x->lead, &x->trail);
	p->pool.len = x->nrm + x->nrmlen;
	p->pool.data[p->pool.len] = '\0';
	t->ntxts++;
	return 0;
}

static struct node *add_node(struct parser *p, int type)
{
	struct fw_template *t = p->t;
	struct node *nd;

	if (t->nnodes == p->capn) {
		size_t cap = p->capn ? 2 * p->capn : 32;
		struct node *v = realloc(t->nodes, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->nodes = v;
		p->capn = cap;
	}
	nd = &t->nodes[t->nnodes++];
	memset(nd, 0, sizeof(*nd));
	nd->type = (unsigned char)type;
	nd->first = t->ntxts;
	return nd;
}

static int flush_literal(struct parser *p)
{
	int r;

	if (!p->lit.len)
		return 0;
	if ((r = add_txt(p, p->lit.data, p->lit.len)) < 0)
		return r;
	if (!add_node(p, N_LIT))
		return FW_ENOMEM;
	p->t->nodes[p->t->nnodes - 1].first = p->t->ntxts - 1;
	fw_buf_reset(&p->lit);
	return 0;
}

static int count_slot(struct parser *p, size_t at)
{
	if (++p->t->slots > FW_TEMPLATE_SLOTS_MAX)
		return perr(p, FW_ETOOBIG, at, "more than %d slots in one part", FW_TEMPLATE_SLOTS_MAX);
	return 0;
}

/* A leaf slot of k features with the options just added (txts[first ..]). */
static int add_leaf(struct parser *p, int type, int kind, size_t first, size_t count, unsigned k)
{
	struct node *nd = add_node(p, type);

	if (!nd)
		return FW_ENOMEM;
	nd->kind = (unsigned char)kind;
	nd->first = first;
	nd->count = count;
	nd->nfeat = (unsigned char)k;
	nd->feat = p->t->features;
	p->t->features += k;
	return 0;
}

static void options_cut(struct parser *p, size_t first, size_t q)
{
	struct txt *o = &p->t->txts[first];

	for (size_t i = 0; i < q; i++) {
		o[i].cut = 0;
		for (size_t j = 0; j < q; j++)
			o[i].cut |= (unsigned char)cut_bits(p->pool.data + o[i].nrm, o[i].nrmlen,
			                                    p->pool.data + o[j].nrm, o[j].nrmlen);
	}
}

static int parse_alt(struct parser *p, const char *c, size_t cl, size_t at)
{
	size_t first = p->t->ntxts, q = 0, start = 0;
	unsigned k = 0;
	int r;

	for (size_t i = 0; i <= cl; i++) {
		if (i < cl && c[i] != '|')
			continue;
		if (i == start)
			return perr(p, FW_EINVAL, at + 2 + start,
			            "empty option (alternatives are {{A|B|...}})");
		if (++q > FW_TEMPLATE_OPTIONS_MAX)
			return perr(p, FW_ETOOBIG, at, "more than %d options", FW_TEMPLATE_OPTIONS_MAX);
		if ((r = add_txt(p, c + start, i - start)) < 0)
			return r;
		start = i + 1;
	}
	/* Options that read the same once normalised cannot be told apart in a leak: reject them. */
	for (size_t i = 0; i < q; i++)
		for (size_t j = 0; j < i; j++) {
			const struct txt *a = &p->t->txts[first + i], *b = &p->t->txts[first + j];

			if (a->nrmlen == b->nrmlen &&
			    !memcmp(p->pool.data + a->nrm, p->pool.data + b->nrm, a->nrmlen))
				return perr(
				    p, FW_EINVAL, at,
				    "options %zu and %zu differ only in case or whitespace, which a leak "
				    "does not keep",
				    j + 1, i + 1);
		}
	options_cut(p, first, q);
	while ((2u << k) <= q)
		k++;
	return add_leaf(p, N_ALT, 0, first, q, k);
}

static int parse_int(struct parser *p, const char *c, size_t cl, size_t at)
{
	char dec[16], hex[16];
	uint64_t v = 0;
	size_t first = p->t->ntxts;
	int r;

	if (!cl || cl > 10 || (cl > 1 && c[0] == '0'))
		return perr(p, FW_EINVAL, at,
		            "{{int:N}} takes a decimal number 0 to %u without leading zeros",
		            FW_TEMPLATE_INT_MAX);
	for (size_t i = 0; i < cl; i++) {
		if (c[i] < '0' || c[i] > '9')
			return perr(p, FW_EINVAL, at, "{{int:N}} takes a decimal number 0 to %u",
			            FW_TEMPLATE_INT_MAX);
		v = v * 10 + (uint64_t)(c[i] - '0');
	}
	if (v > FW_TEMPLATE_INT_MAX)
		return perr(p, FW_EINVAL, at, "{{int:N}} is at most %u", FW_TEMPLATE_INT_MAX);
	snprintf(dec, sizeof(dec), "%u", (unsigned)v);
	snprintf(hex, sizeof(hex), "0x%x", (unsigned)v);
	if ((r = add_txt(p, dec, strlen(dec))) < 0 || (r = add_txt(p, hex, strlen(hex))) < 0)
		return r;
	options_cut(p, first, 2);
	return add_leaf(p, N_INT, 0, first, 2, 1);
}

/* The neutral normalised text of nodes[first .. end) into b, pieces joined as normalise() would. */
static int seq_neutral(const struct fw_template *t, size_t first, size_t end, struct fw_buf *b)
{
	int pending = 0, r;

	fw_buf_reset(b);
	for (size_t i = first; i < end; i++) {
		struct piece pc = node_piece(t, &t->nodes[i], 0);

		pending |= pc.lead;
		if (pc.n) {
			if (keep_space(pending, b->data, b->len, pc.s[0]) &&
			    (r = fw_buf_append(b, " ", 1)) < 0)
				return r;
			if ((r = fw_buf_append(b, pc.s, pc.n)) < 0)
				return r;
			pending = pc.trail;
		} else {
			pending |= pc.trail;
		}
	}
	return 0;
}

static int order_close(struct parser *p, size_t at)
{
	struct fw_template *t = p->t;
	struct node *o = &t->nodes[p->order];
	struct fw_buf a, b;
	int r = 0;

	if (t->nnodes == o->item[o->nitems])
		return perr(p, FW_EINVAL, at, "empty order item");
	o->item[++o->nitems] = t->nnodes;
	if (o->nitems < 2)
		return perr(p, FW_EINVAL, p->order_at,
		            "an order block needs at least 2 items, separated by {{;}}");
	/* Items that read the same cannot show their order. */
	t->pool = p->pool.data; /* node_piece reads the pool, still growing */
	fw_buf_init(&a, 0);
	fw_buf_init(&b, 0);
	for (size_t i = 0; i < o->nitems && !r; i++)
		for (size_t j = 0; j < i && !r; j++) {
			if ((r = seq_neutral(t, o->item[i], o->item[i + 1], &a)) < 0 ||
			    (r = seq_neutral(t, o->item[j], o->item[j + 1], &b)) < 0)
				break;
			if (a.len == b.len && (!a.len || !memcmp(a.data, b.data, a.len)))
				r = perr(p, FW_EINVAL, p->order_at, "order items %zu and %zu read the same",
				         j + 1, i + 1);
		}
	fw_buf_release(&a);
	fw_buf_release(&b);
	if (r < 0)
		return r;
	/* The block's own features come first, before those of the slots inside it. */
	o->nfeat = order_feats[o->nitems];
	o->feat = p->order_feat;
	for (size_t i = o->item[0]; i < t->nnodes; i++)
		if (is_leaf(&t->nodes[i]))
			t->nodes[i].feat += o->nfeat;
	t->features += o->nfeat;
	p->order = NONE;
	return 0;
}

static int keyword(const char *c, size_t cl, const char *kw)
{
	return cl == strlen(kw) && !memcmp(c, kw, cl);
}

/* ---- canary facts: {{canaries}} and {{canaries:KIND,...}} ---- */

#define DEFAULT_FACTS ((1u << K_HOST) | (1u << K_IPV4) | (1u << K_USER) | (1u << K_FILE))

/* One clause per kind, in this order; each names its value so that it reads as a fact of the lab set-up. */
static const char *const fact_clause[NKINDS] = {
    [K_HOST] = "the target host was ",      [K_IPV4] = "its address was ",
    [K_USER] = "the account used was ",     [K_FILE] = "the uploaded file was ",
    [K_MARKER] = "the request marker was ", [K_PORT] = "the service listened on port ",
};
static const int fact_order[NKINDS] = {K_HOST, K_IPV4, K_PORT, K_USER, K_FILE, K_MARKER};

/*
 * The kinds a directive's body c[0 .. cl) ("canaries" or "canaries:k,k,...") asks for, as bits; 0 when the
 * body is not a well-formed directive (unknown or repeated kind, empty list). *ret_bad (may be NULL) gets
 * the offset of the first wrong byte.
 */
static unsigned facts_kinds(const char *c, size_t cl, size_t *ret_bad)
{
	unsigned kinds = 0;
	size_t i;

	if (cl < 8 || memcmp(c, "canaries", 8) != 0)
		return 0;
	if (cl == 8)
		return DEFAULT_FACTS;
	if (c[8] != ':')
		goto bad8;
	for (i = 9; i <= cl;) {
		size_t e = i;
		int k;

		while (e < cl && c[e] != ',')
			e++;
		for (k = 0; k < NKINDS; k++)
			if (keyword(c + i, e - i, kind_names[k]))
				break;
		if (k == NKINDS || (kinds & (1u << k))) {
			if (ret_bad)
				*ret_bad = i;
			return 0;
		}
		kinds |= 1u << k;
		i = e + 1;
	}
	return kinds;
bad8:
	if (ret_bad)
		*ret_bad = 8;
	return 0;
}

size_t fw_template_facts_directive(const char *s, size_t n)
{
	size_t j;

	if (n < 12 || memcmp(s, "{{canaries", 10) != 0)
		return 0;
	for (j = 2; j + 1 < n && j < 96; j++)
		if (s[j] == '}' && s[j + 1] == '}')
			return facts_kinds(s + 2, j - 2, NULL) ? j + 2 : 0;
	return 0;
}

/* Expands a directive into one sentence: fixed text around a canary slot per kind asked for. */
static int parse_facts(struct parser *p, unsigned kinds, size_t at)
{
	struct fw_template *t = p->t;
	unsigned n = 0, total = 0;
	int r;

	for (int k = 0; k < NKINDS; k++)
		total += (kinds >> k) & 1u;
	if ((r = fw_buf_puts(&p->lit, "In our test set-up, ")) < 0)
		return r;
	for (int i = 0; i < NKINDS; i++) {
		int k = fact_order[i];

		if (!(kinds & (1u << k)))
			continue;
		if (n > 0 && (r = fw_buf_puts(&p->lit, n + 1 == total ? " and " : ", ")) < 0)
			return r;
		if ((r = fw_buf_puts(&p->lit, fact_clause[k])) < 0 || (r = flush_literal(p)) < 0 ||
		    (r = count_slot(p, at)) < 0)
			return r;
		t->kinds[k]++;
		if ((r = add_leaf(p, N_CANARY, k, t->ntxts, 0, 8)) < 0)
			return r;
		n++;
	}
	return fw_buf_puts(&p->lit, ".");
}

/* The slot that opens with "{{" at s[at]; *ret_next is the byte after its "}}". */
static int parse_slot(struct parser *p, size_t at, size_t *ret_next)
{
	const char *s = p->s, *c;
	struct fw_template *t = p->t;
	char buf[SHOW_MAX + 4];
	size_t j = at + 2, cl;
	int r;

	for (;; j++) {
		if (j + 1 >= p->n)
			return perr(p, FW_EINVAL, at,
			            "'{{' is never closed by '}}' (a literal '{{' is written '{{{{')");
		if (s[j] == '\0')
			return perr(p, FW_EINVAL, j, "NUL byte");
		if (s[j] == '}' && s[j + 1] == '}')
			break;
		if (s[j] == '{' && s[j + 1] == '{')
			return perr(p, FW_EINVAL, j,
			            "'{{' inside a slot (a literal '{{' is written '{{{{' outside slots)");
	}
	c = s + at + 2;
	cl = j - at - 2;
	*ret_next = j + 2;
	if ((r = flush_literal(p)) < 0)
		return r;

	if (keyword(c, cl, "order")) {
		struct node *o;

		if (p->order != NONE)
			return perr(p, FW_EINVAL, at, "order blocks do not nest");
		if ((r = count_slot(p, at)) < 0)
			return r;
		if (!(o = add_node(p, N_ORDER)))
			return FW_ENOMEM;
		p->order = t->nnodes - 1;
		p->order_at = at;
		p->order_feat = t->features;
		o->item[0] = t->nnodes;
		return 0;
	}
	if (keyword(c, cl, ";") || keyword(c, cl, "/order")) {
		struct node *o;

		if (p->order == NONE)
			return perr(p, FW_EINVAL, at, "{{%s}} outside an order block",
			            cl == 1 ? ";" : "/order");
		if (cl != 1)
			return order_close(p, at);
		o = &t->nodes[p->order];
		if (t->nnodes == o->item[o->nitems])
			return perr(p, FW_EINVAL, at, "empty order item");
		o->item[++o->nitems] = t->nnodes;
		if (o->nitems >= FW_TEMPLATE_ITEMS_MAX)
			return perr(p, FW_ETOOBIG, at, "an order block holds at most %d items",
			            FW_TEMPLATE_ITEMS_MAX);
		return 0;
	}
	if (cl == 0)
		return perr(p, FW_EINVAL, at, "empty slot {{}}");
	if (cl >= 8 && !memcmp(c, "canaries", 8)) {
		size_t bad = 0;
		unsigned kinds = facts_kinds(c, cl, &bad);

		if (!kinds)
			return perr(
			    p, FW_EINVAL, at + 2 + bad,
			    "bad canary facts '{{%s}}' ({{canaries}}, or {{canaries:KIND,...}} with distinct "
			    "kinds among ipv4, host, user, file, marker, port)",
			    show(c, cl, buf));
		return parse_facts(p, kinds, at);
	}
	if ((r = count_slot(p, at)) < 0)
		return r;
	if (cl > 7 && !memcmp(c, "canary:", 7)) {
		for (int k = 0; k < NKINDS; k++)
			if (keyword(c + 7, cl - 7, kind_names[k])) {
				t->kinds[k]++;
				return add_leaf(p, N_CANARY, k, t->ntxts, 0, 8);
			}
		return perr(p, FW_EINVAL, at + 9,
		            "unknown canary kind '%s' (ipv4, host, user, file, marker, port)",
		            show(c + 7, cl - 7, buf));
	}
	if (cl >= 4 && !memcmp(c, "int:", 4))
		return parse_int(p, c + 4, cl - 4, at);
	if (memchr(c, '|', cl))
		return parse_alt(p, c, cl, at);
	return perr(p, FW_EINVAL, at,
	            "unknown slot '{{%s}}' (alternatives need '|'; a literal '{{' is '{{{{')",
	            show(c, cl, buf));
}

static int parse_all(struct parser *p)
{
	const char *s = p->s;
	size_t i = 0, run = 0;
	int r;

	while (i < p->n) {
		if (s[i] == '\0')
			return perr(p, FW_EINVAL, i, "NUL byte");
		if (s[i] != '{' || i + 1 >= p->n || s[i + 1] != '{') {
			i++;
			continue;
		}
		if ((r = fw_buf_append(&p->lit, s + run, i - run)) < 0)
			return r;
		if (i + 3 < p->n && s[i + 2] == '{' && s[i + 3] == '{') {
			if ((r = fw_buf_append(&p->lit, "{{", 2)) < 0)
				return r;
			i += 4;
		} else if ((r = parse_slot(p, i, &i)) < 0) {
			return r;
		}
		run = i;
	}
	if ((r = fw_buf_append(&p->lit, s + run, p->n - run)) < 0 || (r = flush_literal(p)) < 0)
		return r;
	if (p->order != NONE)
		return perr(p, FW_EINVAL, p->order_at, "{{order}} is never closed by {{/order}}");
	return 0;
}

int fw_template_parse(const char *text, size_t len, struct fw_template **ret, struct fw_error *err)
{
	struct parser p;
	struct fw_template *t;
	int r;

	call_once(&pool_once, pool_init);
	if (len > FW_TEMPLATE_MAX)
		return fw_error_set(err, FW_ETOOBIG, "template", "a template is at most %u bytes",
		                    FW_TEMPLATE_MAX);
	if (!text && len)
		return fw_error_set(err, FW_EINVAL, "template", "no text");
	if (!(t = calloc(1, sizeof(*t))))
		return FW_ENOMEM;
	memset(&p, 0, sizeof(p));
	p.s = text ? text : "";
	p.n = len;
	p.t = t;
	p.err = err;
	p.order = NONE;
	fw_buf_init(&p.pool, 0);
	fw_buf_init(&p.lit, 0);
	r = fw_buf_append(&p.pool, "", 0); /* the pool exists even when empty */
	if (r == 0)
		r = parse_all(&p);
	fw_buf_release(&p.lit);
	t->pool = p.pool.data;
	if (r < 0) {
		fw_template_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

void fw_template_free(struct fw_template *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->txts);
	free(t->pool);
	free(t);
}

size_t fw_template_features(const struct fw_template *t)
{
	return t->features;
}

size_t fw_template_slots(const struct fw_template *t)
{
	return t->slots;
}

int fw_template_canary(const char *kind, unsigned index, char ret_value[FW_TEMPLATE_CANARY_LEN])
{
	call_once(&pool_once, pool_init);
	if (!kind || index >= FW_TEMPLATE_CANARY_VALUES)
		return FW_EINVAL;
	for (int k = 0; k < NKINDS; k++)
		if (!strcmp(kind, kind_names[k])) {
			memcpy(ret_value, pool_val[k][index], (size_t)pool_len[k][index] + 1);
			return 0;
		}
	return FW_EINVAL;
}

/* ---- rendering ---- */

/* The k features at bits[feat ..], the first most significant; 0 for the neutral copy (bits NULL). */
static unsigned bits_value(const unsigned char *bits, size_t feat, unsigned k)
{
	unsigned v = 0;

	for (unsigned i = 0; bits && i < k; i++)
		v = v << 1 | bits[feat + i];
	return v;
}

/* Permutation number r (factorial number system, Lehmer code) of n items: perm[position] = item. */
static void lehmer_perm(size_t r, size_t n, unsigned char *perm)
{
	unsigned char avail[FW_TEMPLATE_ITEMS_MAX];
	size_t fact = 1;

	for (size_t i = 0; i < n; i++)
		avail[i] = (unsigned char)i;
	for (size_t i = 2; i < n; i++)
		fact *= i;
	for (size_t i = 0; i < n; i++) {
		size_t d = r / fact;

		r %= fact;
		perm[i] = avail[d];
		memmove(avail + d, avail + d + 1, n - i - d - 1);
		if (n - 1 - i > 1)
			fact /= n - 1 - i;
	}
}

/* The number of permutation perm (inverse of lehmer_perm). */
static size_t lehmer_rank(const unsigned char *perm, size_t n)
{
	size_t r = 0;
	unsigned used = 0;

	for (size_t i = 0; i < n; i++) {
		size_t d = 0;

		for (unsigned v = 0; v < perm[i]; v++)
			d += !(used >> v & 1);
		r = r * (n - i) + d;
		used |= 1u << perm[i];
	}
	return r;
}

static int render_seq(const struct fw_template *t, size_t first, size_t end, const unsigned char *bits,
                      struct fw_buf *out)
{
	for (size_t i = first; i < end;) {
		const struct node *nd = &t->nodes[i];
		const char *s;
		size_t n;
		int r;

		if (nd->type == N_ORDER) {
			unsigned char perm[FW_TEMPLATE_ITEMS_MAX];

			lehmer_perm(bits_value(bits, nd->feat, nd->nfeat), nd->nitems, perm);
			for (size_t k = 0; k < nd->nitems; k++)
				if ((r = render_seq(t, nd->item[perm[k]], nd->item[perm[k] + 1], bits, out)) <
				    0)
					return r;
			i = nd->item[nd->nitems];
			continue;
		}
		s = node_raw(t, nd, nd->type == N_LIT ? 0 : bits_value(bits, nd->feat, nd->nfeat), &n);
		if ((r = fw_buf_append(out, s, n)) < 0)
			return r;
		i++;
	}
	return 0;
}

int fw_template_render(const struct fw_template *t, const unsigned char *bits, size_t nbits, size_t offset,
                       struct fw_buf *out)
{
	size_t len = out->len;
	int r;

	if (bits) {
		if (offset > nbits || t->features > nbits - offset)
			return FW_EINVAL;
		bits += offset;
		for (size_t i = 0; i < t->features; i++)
			if (bits[i] > 1)
				return FW_EINVAL;
	}
	r = render_seq(t, 0, t->nnodes, bits, out);
	if (r < 0 && out->data) { /* leave out as it was */
		out->len = len;
		out->data[len] = '\0';
	}
	return r;
}

int fw_template_strip(const struct fw_template *t, struct fw_buf *out)
{
	return fw_template_render(t, NULL, 0, 0, out);
}

/* ---- the suspect text: normalised, indexed by 8-byte grams, canary values found ---- */

struct fw_template_text {
	char *s; /* normalised */
	size_t n;
	uint32_t *head, *next; /* gram chains: head[hash] and next[position] hold a position + 1, 0 ends */
	uint16_t *cnt;         /* grams per hash bucket (saturating): how rare a gram is */
	unsigned shift;
	unsigned short cfound[NKINDS]; /* distinct values of each pool that occur as tokens */
	unsigned char cidx[NKINDS];    /* one of them */
};

static size_t gram_hash(const char *p, unsigned shift)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> shift);
}

static int tok_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-' || c == '_';
}

/* Canary values occur as tokens of [a-z0-9._-] ("192.0.2.7." ends a sentence, "j.smith@..." is a login). */
static void scan_canaries(struct fw_template_text *x)
{
	uint32_t seen[NKINDS][FW_TEMPLATE_CANARY_VALUES / 32];
	const char *s = x->s;
	size_t i = 0;

	memset(seen, 0, sizeof(seen));
	while (i < x->n) {
		size_t a = i, b;
		int e;

		if (!tok_char((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (i < x->n && tok_char((unsigned char)s[i]))
			i++;
		b = i;
		while (a < b && !is_alnum((unsigned char)s[a]))
			a++;
		while (b > a && !is_alnum((unsigned char)s[b - 1]))
			b--;
		if (b - a < 3 || b - a >= FW_TEMPLATE_CANARY_LEN || (e = pool_lookup(s + a, b - a)) < 0)
			continue;
		/* A token at an end of the text may be another value cut short: no reading then. */
		if ((a == 0 && pool_cut[e >> 8][e & 255] & CUT_TAIL) ||
		    (b == x->n && pool_cut[e >> 8][e & 255] & CUT_HEAD))
			continue;
		if (!(seen[e >> 8][(e & 255) >> 5] >> (e & 31) & 1)) {
			seen[e >> 8][(e & 255) >> 5] |= 1u << (e & 31);
			x->cfound[e >> 8]++;
			x->cidx[e >> 8] = (unsigned char)(e & 255);
		}
	}
}

void fw_template_text_free(struct fw_template_text *x)
{
	if (!x)
		return;
	free(x->s);
	free(x->head);
	free(x->next);
	free(x->cnt);
	free(x);
}

int fw_template_text_new(const char *suspect, size_t len, struct fw_template_text **ret)
{
	struct fw_template_text *x;
	unsigned char lead, trail;

	call_once(&pool_once, pool_init);
	if (len > FW_TEMPLATE_TEXT_MAX)
		return FW_ETOOBIG;
	if (!suspect && len)
		return FW_EINVAL;
	if (!(x = calloc(1, sizeof(*x))) || !(x->s = malloc(len + 1)))
		goto nomem;
	x->n = len ? normalise(suspect, len, x->s, &lead, &trail) : 0;
	x->s[x->n] = '\0';
	if (x->n >= GRAM) {
		size_t nb = 64, grams = x->n - GRAM + 1;
		unsigned bitsn = 6;

		while (nb < x->n / 2)
			nb <<= 1, bitsn++;
		x->shift = 64 - bitsn;
		x->head = calloc(nb, sizeof(*x->head));
		x->cnt = calloc(nb, sizeof(*x->cnt));
		x->next = malloc(grams * sizeof(*x->next));
		if (!x->head || !x->cnt || !x->next)
			goto nomem;
		for (size_t i = 0; i < grams; i++) {
			size_t h = gram_hash(x->s + i, x->shift);

			x->next[i] = x->head[h];
			x->head[h] = (uint32_t)(i + 1);
			x->cnt[h] += x->cnt[h] < UINT16_MAX;
		}
	}
	scan_canaries(x);
	*ret = x;
	return 0;
nomem:
	fw_template_text_free(x);
	return FW_ENOMEM;
}

/* ---- extraction ---- */

enum { E_TEXT, E_SLOT, E_BAR };

struct lin { /* the template as far as it is read: known text, unread slots, and barriers */
	unsigned char kind;
	size_t node;
	struct piece p;
};

struct ctx { /* one side of a slot's context */
	char buf[CTX_BUF];
	const char *s; /* at most CTX characters, nearest the slot last (left) or first (right) */
	size_t n;
	int ws;    /* whitespace between the context and the slot */
	int guard; /* the slot's edge is a word boundary: a variant must not run into letters there */
};

struct obsv {
	const struct fw_template *t;
	const struct fw_template_text *x;
	int *res;            /* per node: the variant read (an order block: 1, with perm), or -1 */
	unsigned char *perm; /* per node, FW_TEMPLATE_ITEMS_MAX bytes: an order block's items by position */
	uint32_t *tried; /* per node: the contexts of the last attempt, so unchanged ones are not redone */
	struct lin *lin;
	size_t nlin;
	struct fw_buf pat, loc;
	size_t occ[PAT_CAP + 1];
	uint64_t budget;
	int spent; /* the work budget ran out: decide nothing more */
};

static int charge(struct obsv *o, uint64_t units)
{
	if (o->spent || units > o->budget) {
		o->spent = 1;
		return 0;
	}
	o->budget -= units;
	return 1;
}

/* The lowest bucket count of p's grams: how many places could hold p at most, roughly. */
static unsigned rarity(const struct fw_template_text *x, const char *p, size_t len, size_t *ret_at)
{
	unsigned best = UINT_MAX;

	*ret_at = 0;
	if (!x->cnt) /* a text shorter than a gram holds no long pattern */
		return 0;
	for (size_t j = 0; j + GRAM <= len && best; j++) {
		unsigned c = x->cnt[gram_hash(p + j, x->shift)];

		if (c < best) {
			best = c;
			*ret_at = j;
		}
	}
	return best;
}

/* The starts of p (len bytes) in the text, up to cap + 1 of them into o->occ; -1 when the budget is spent. */
static long find(struct obsv *o, const char *p, size_t len, size_t cap)
{
	const struct fw_template_text *x = o->x;
	size_t k = 0, at;

	if (!len || len > x->n)
		return 0;
	if (len < GRAM) { /* short: a scan of the whole text */
		const char *q = x->s, *end = x->s + x->n - len + 1;

		if (!charge(o, x->n))
			return -1;
		while (k <= cap && q < end && (q = memchr(q, p[0], (size_t)(end - q))) != NULL) {
			if (!memcmp(q, p, len))
				o->occ[k++] = (size_t)(q - x->s);
			q++;
		}
		return (long)k;
	}
	if (!charge(o, len) || rarity(x, p, len, &at) == 0)
		return o->spent ? -1 : 0;
	for (uint32_t e = x->head[gram_hash(p + at, x->shift)]; e && k <= cap; e = x->next[e - 1]) {
		size_t g = e - 1;

		if (!charge(o, 1))
			return -1;
		if (g >= at && g - at + len <= x->n && !memcmp(x->s + g - at, p, len))
			o->occ[k++] = g - at;
	}
	return (long)k;
}

static void build_lin_seq(struct obsv *o, size_t first, size_t end)
{
	for (size_t i = first; i < end; i++) {
		const struct node *nd = &o->t->nodes[i];
		struct lin *l = &o->lin[o->nlin++];

		l->node = i;
		if (nd->type == N_LIT || o->res[i] >= 0) {
			l->kind = E_TEXT;
			l->p = node_piece(o->t, nd, nd->type == N_LIT ? 0 : (size_t)o->res[i]);
		} else {
			l->kind = E_SLOT;
		}
	}
}

/* The template in reading order as far as it is read: an unread order block's items stand apart. */
static void build_lin(struct obsv *o)
{
	const struct fw_template *t = o->t;

	o->nlin = 0;
	for (size_t i = 0; i < t->nnodes;) {
		const struct node *nd = &t->nodes[i];

		if (nd->type != N_ORDER) {
			build_lin_seq(o, i, i + 1);
			i++;
			continue;
		}
		if (o->res[i] < 0)
			o->lin[o->nlin++].kind = E_BAR;
		for (size_t k = 0; k < nd->nitems; k++) {
			size_t it = o->res[i] >= 0 ? o->perm[i * FW_TEMPLATE_ITEMS_MAX + k] : k;

			build_lin_seq(o, nd->item[it], nd->item[it + 1]);
			if (o->res[i] < 0)
				o->lin[o->nlin++].kind = E_BAR;
		}
		i = nd->item[nd->nitems];
	}
}

/* Appends piece pc to a context being joined in reading order; head/tail cut it to CTX characters. */
static void ctx_join(struct ctx *c, struct piece pc, int *pending, int *first_ws, int cut_head, int cut_tail)
{
	if (cut_tail && pc.n > CTX) /* the farthest piece on the left: only its end matters */
		pc.s += pc.n - CTX, pc.n = CTX, pc.lead = 0;
	if (cut_head && pc.n > CTX)
		pc.n = CTX, pc.trail = 0;
	*pending |= pc.lead;
	if (!pc.n) {
		*pending |= pc.trail;
		return;
	}
	if (!c->n && *first_ws < 0)
		*first_ws = *pending;
	if (keep_space(*pending, c->buf, c->n, pc.s[0]))
		c->buf[c->n++] = ' ';
	memcpy(c->buf + c->n, pc.s, pc.n);
	c->n += pc.n;
	*pending = pc.trail;
}

/* Up to CTX characters of known text left of lin[k], stopping at unread slots and barriers. */
static void ctx_left(const struct obsv *o, size_t k, struct ctx *c)
{
	size_t idx[CTX + 2], m = 0, acc = 0;
	int pending = 0, first_ws = -1, barrier = 0;

	for (size_t j = k; j-- > 0 && m < CTX + 2;) {
		if (o->lin[j].kind != E_TEXT) {
			barrier = 1;
			break;
		}
		idx[m++] = j;
		if ((acc += o->lin[j].p.n + 1) > CTX)
			break;
	}
	c->n = 0;
	for (size_t i = m; i-- > 0;)
		ctx_join(c, o->lin[idx[i]].p, &pending, &first_ws, 0, i == m - 1);
	c->ws = pending;
	/* A boundary: whitespace, punctuation, or the start of the part (not an unread slot: unknown). */
	c->guard = c->ws || (c->n ? !is_alnum((unsigned char)c->buf[c->n - 1]) : !barrier);
	c->s = c->buf + (c->n > CTX ? c->n - CTX : 0);
	c->n = c->n > CTX ? CTX : c->n;
}

/* Up to CTX characters of known text right of lin[k]. */
static void ctx_right(const struct obsv *o, size_t k, struct ctx *c)
{
	size_t acc = 0;
	int pending = 0, first_ws = -1, barrier = 0;

	c->n = 0;
	for (size_t j = k + 1, m = 0; j < o->nlin && m < CTX + 2 && acc <= CTX; j++, m++) {
		if (o->lin[j].kind != E_TEXT) {
			barrier = 1;
			break;
		}
		acc += o->lin[j].p.n + 1;
		ctx_join(c, o->lin[j].p, &pending, &first_ws, acc > CTX, 0);
	}
	c->ws = first_ws < 0 ? pending : first_ws;
	c->guard = c->ws || (c->n ? !is_alnum((unsigned char)c->buf[0]) : !barrier);
	c->s = c->buf;
	c->n = c->n > CTX ? CTX : c->n;
}

/* pattern = left context (a chars) + variant + right context (b chars), joined as the copy normalises. */
static int pat_build(struct fw_buf *b, const struct ctx *l, size_t a, struct piece v, const struct ctx *r,
                     size_t bn)
{
	int pending = 0, rc = 0;

	fw_buf_reset(b);
	if (a) {
		rc = fw_buf_append(b, l->s + l->n - a, a);
		pending = l->ws;
	}
	pending |= v.lead;
	if (v.n) {
		if (keep_space(pending, b->data, b->len, v.s[0]) && rc == 0)
			rc = fw_buf_append(b, " ", 1);
		if (rc == 0)
			rc = fw_buf_append(b, v.s, v.n);
		pending = v.trail;
	} else {
		pending |= v.trail;
	}
	pending |= r->ws;
	if (bn && rc == 0) {
		if (keep_space(pending, b->data, b->len, r->s[0]))
			rc = fw_buf_append(b, " ", 1);
		if (rc == 0)
			rc = fw_buf_append(b, r->s, bn);
	}
	return rc;
}

#define M_NONE  (-1)
#define M_AMBIG (-2)

/*
 * The edges of a match at [start, end) of the text for variant v (CUT_* bits cut) when a context side is
 * left out (omit_l, omit_r): at an end of the text the variant must not be another one cut short, and where
 * the template has a word boundary (gl, gr) the variant must not run into letters.
 */
static int edges_ok(const struct obsv *o, size_t start, size_t end, struct piece v, unsigned cut, int omit_l,
                    int omit_r, int gl, int gr)
{
	const unsigned char *s = (const unsigned char *)o->x->s;

	if (omit_l && v.n &&
	    (start == 0 ? (cut & CUT_TAIL) != 0
	                : gl && is_alnum((unsigned char)v.s[0]) && is_alnum(s[start - 1])))
		return 0;
	if (omit_r && v.n &&
	    (end >= o->x->n ? (cut & CUT_HEAD) != 0
	                    : gr && is_alnum((unsigned char)v.s[v.n - 1]) && is_alnum(s[end])))
		return 0;
	return 1;
}

/*
 * Which variant of leaf nd occurs between a chars of left context and b of right context: its index,
 * M_NONE, M_AMBIG (more than one does), or a negative FW_E* code. A context side of at least GRAM characters
 * anchors the search (its few occurrences are checked against every variant); otherwise each variant's whole
 * pattern is looked up.
 */
static int match(struct obsv *o, const struct node *nd, const struct ctx *l, size_t a, const struct ctx *r,
                 size_t b)
{
	const struct fw_template_text *x = o->x;
	size_t anc[OCC_CAP + 1], found = NONE, nopt = node_nopt(nd), at;
	long nanc = -1;
	int left = 0, rc;

	if (a >= GRAM || b >= GRAM) {
		left =
		    b < GRAM || (a >= GRAM && rarity(x, l->s + l->n - a, a, &at) <= rarity(x, r->s, b, &at));
		nanc = left ? find(o, l->s + l->n - a, a, OCC_CAP) : find(o, r->s, b, OCC_CAP);
		if (nanc <= 0)
			return M_NONE; /* absent, or the budget is spent */
		if (nanc > OCC_CAP)
			nanc = -1; /* a common context: look variants up whole */
		else
			memcpy(anc, o->occ, (size_t)nanc * sizeof(*anc));
	}
	for (size_t i = 0; i < nopt && !o->spent; i++) {
		struct piece v = node_piece(o->t, nd, i);
		unsigned cut = node_cut(o->t, nd, i);
		const char *p;
		size_t plen, off;
		int hit = 0;

		if ((rc = pat_build(&o->pat, l, a, v, r, b)) < 0)
			return rc;
		p = o->pat.data;
		plen = o->pat.len;
		if (!plen)
			continue;
		if (nanc >= 0) {
			off = left ? 0 : plen - b;
			for (long k = 0; k < nanc && !hit; k++) {
				size_t st = anc[k] - (anc[k] >= off ? off : 0);

				hit = anc[k] >= off && st + plen <= x->n && !memcmp(x->s + st, p, plen) &&
				      edges_ok(o, st, st + plen, v, cut, !a, !b, l->guard, r->guard);
			}
		} else {
			long c = find(o, p, plen, PAT_CAP);

			hit = c > PAT_CAP;
			for (long k = 0; k < c && !hit; k++)
				hit = edges_ok(o, o->occ[k], o->occ[k] + plen, v, cut, !a, !b, l->guard,
				               r->guard);
		}
		if (hit) {
			if (found != NONE)
				return M_AMBIG;
			found = i;
		}
	}
	return o->spent || found == NONE ? M_NONE : (int)found;
}

/* Reads the unread leaf at lin[k]: 1 when read, 0 when not, or a negative FW_E* code. */
static int eval_leaf(struct obsv *o, size_t k)
{
	static const unsigned char levels[][2] = {{CTX, CTX}, {CTX, 0}, {0, CTX}, {CTX_SHORT, CTX_SHORT}};
	size_t ni = o->lin[k].node, done[4][2], ndone = 0;
	const struct node *nd = &o->t->nodes[ni];
	struct ctx l, r;
	uint32_t key;

	ctx_left(o, k, &l);
	ctx_right(o, k, &r);
	key = 1 + ((uint32_t)l.n << 16 | (uint32_t)r.n << 8 | (uint32_t)l.ws << 1 | (uint32_t)r.ws);
	if (o->tried[ni] == key) /* the same contexts as last time: the same answer */
		return 0;
	o->tried[ni] = key;
	for (size_t lv = 0; lv < sizeof(levels) / sizeof(levels[0]); lv++) {
		size_t a = levels[lv][0] < l.n ? levels[lv][0] : l.n,
		       b = levels[lv][1] < r.n ? levels[lv][1] : r.n;
		int dup = 0, m;

		for (size_t i = 0; i < ndone; i++)
			dup |= done[i][0] == a && done[i][1] == b;
		if (dup || a + b < CTX_MIN)
			continue;
		done[ndone][0] = a;
		done[ndone++][1] = b;
		m = match(o, nd, &l, a, &r, b);
		if (m == M_NONE)
			continue;
		if (m == M_AMBIG)
			return 0;
		if (m < 0)
			return m;
		o->res[ni] = m;
		o->lin[k].kind = E_TEXT; /* later slots of this pass see it already */
		o->lin[k].p = node_piece(o->t, nd, (size_t)m);
		return 1;
	}
	return 0;
}

/* The text that locates item it of order block nd: its longest run of known text, into o->loc. */
static int item_locator(struct obsv *o, const struct node *nd, size_t it, unsigned *ret_known)
{
	struct fw_buf *run = &o->pat;
	int pending = 0, rc = 0;

	fw_buf_reset(&o->loc);
	fw_buf_reset(run);
	for (size_t i = nd->item[it]; i <= nd->item[it + 1] && rc == 0; i++) {
		const struct node *c = i < nd->item[it + 1] ? &o->t->nodes[i] : NULL;
		struct piece pc;

		if (!c || (c->type != N_LIT && o->res[i] < 0)) { /* a run ends */
			if (run->len > o->loc.len) {
				fw_buf_reset(&o->loc);
				rc = fw_buf_append(&o->loc, run->data, run->len);
			}
			fw_buf_reset(run);
			pending = 0;
			continue;
		}
		*ret_known += c->type != N_LIT;
		pc = node_piece(o->t, c, c->type == N_LIT ? 0 : (size_t)o->res[i]);
		pending |= pc.lead;
		if (pc.n && run->len < LOC_MAX) {
			if (keep_space(pending, run->data, run->len, pc.s[0]))
				rc = fw_buf_append(run, " ", 1);
			if (rc == 0)
				rc = fw_buf_append(run, pc.s, pc.n < LOC_MAX ? pc.n : LOC_MAX);
			pending = pc.trail;
		} else {
			pending |= pc.trail;
		}
	}
	if (o->loc.len > LOC_MAX)
		o->loc.len = LOC_MAX;
	return rc;
}

/* Reads unread order block ni from where its items occur: 1 when read, 0 when not, or FW_ENOMEM. */
static int eval_order(struct obsv *o, size_t ni)
{
	const struct node *nd = &o->t->nodes[ni];
	size_t occ[FW_TEMPLATE_ITEMS_MAX][LOC_OCC], nocc[FW_TEMPLATE_ITEMS_MAX], len[FW_TEMPLATE_ITEMS_MAX];
	size_t pos[FW_TEMPLATE_ITEMS_MAX];
	unsigned char fixed[FW_TEMPLATE_ITEMS_MAX] = {0}, *perm = &o->perm[ni * FW_TEMPLATE_ITEMS_MAX];
	unsigned known = 0, nfixed = 0;
	int rc, progress = 1;

	for (size_t it = 0; it < nd->nitems; it++)
		if ((rc = item_locator(o, nd, it, &known)) < 0)
			return rc;
	if (o->tried[ni] == known + 1u) /* nothing new inside it since the last attempt */
		return 0;
	o->tried[ni] = known + 1u;
	for (size_t it = 0; it < nd->nitems; it++) {
		long c;

		if ((rc = item_locator(o, nd, it, &known)) < 0)
			return rc;
		if (o->loc.len < LOC_MIN)
			return 0;
		c = find(o, o->loc.data, o->loc.len, LOC_OCC - 1);
		if (c <= 0 || c >= LOC_OCC)
			return 0; /* missing (a fragment), too common, or the budget is spent */
		memcpy(occ[it], o->occ, (size_t)c * sizeof(size_t));
		nocc[it] = (size_t)c;
		len[it] = o->loc.len;
	}
	/* Items found once are placed; an item found more often is placed when all but one of its places
	 * overlap items already placed (an item that is part of another, say). */
	while (progress && nfixed < nd->nitems) {
		progress = 0;
		for (size_t it = 0; it < nd->nitems; it++) {
			size_t left = 0, last = 0;

			if (fixed[it])
				continue;
			for (size_t k = 0; k < nocc[it]; k++) {
				int clash = 0;

				for (size_t f = 0; f < nd->nitems && !clash; f++)
					clash = fixed[f] && occ[it][k] < pos[f] + len[f] &&
					        pos[f] < occ[it][k] + len[it];
				if (!clash)
					left++, last = occ[it][k];
			}
			if (left == 1) {
				fixed[it] = 1;
				pos[it] = last;
				nfixed++;
				progress = 1;
			}
		}
	}
	if (nfixed < nd->nitems)
		return 0;
	for (size_t i = 0; i < nd->nitems; i++) { /* position k holds the item with k items before it */
		size_t before = 0;

		for (size_t j = 0; j < nd->nitems; j++)
			before += pos[j] < pos[i] || (pos[j] == pos[i] && j < i);
		perm[before] = (unsigned char)i;
	}
	for (size_t i = 0; i < nd->nitems; i++)
		for (size_t j = 0; j < i; j++)
			if (pos[i] < pos[j] + len[j] && pos[j] < pos[i] + len[i])
				return 0; /* overlapping items are no reading */
	o->res[ni] = 1;
	return 1;
}

static void write_bits(unsigned char *obs, size_t feat, unsigned k, size_t v, int seen)
{
	for (unsigned i = 0; i < k; i++)
		obs[feat + i] = seen ? (unsigned char)(v >> (k - 1 - i) & 1) : FW_TARDOS_UNSEEN;
}

int fw_template_observe_text(const struct fw_template *t, const struct fw_template_text *x, size_t offset,
                             unsigned char *obs, size_t m)
{
	struct obsv o;
	size_t nn = t->nnodes ? t->nnodes : 1;
	int rc = 0;

	if (offset > m || t->features > m - offset || (!obs && t->features))
		return FW_EINVAL;
	memset(&o, 0, sizeof(o));
	o.t = t;
	o.x = x;
	o.budget = BUDGET_BASE + 64 * (uint64_t)x->n;
	fw_buf_init(&o.pat, 0);
	fw_buf_init(&o.loc, 0);
	o.res = malloc(nn * sizeof(*o.res));
	o.perm = calloc(nn, FW_TEMPLATE_ITEMS_MAX);
	o.tried = calloc(nn, sizeof(*o.tried));
	o.lin = malloc((2 * nn + 2) * sizeof(*o.lin));
	if (!o.res || !o.perm || !o.tried || !o.lin) {
		rc = FW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct node *nd = &t->nodes[i];

		o.res[i] = -1;
		/* A canary alone of its kind is read wherever its pool shows exactly one value: canaries
		 * survive paraphrase. Not ports: bare numbers are too common in unrelated text. */
		if (nd->type == N_CANARY && nd->kind != K_PORT && t->kinds[nd->kind] == 1 &&
		    x->cfound[nd->kind] == 1)
			o.res[i] = x->cidx[nd->kind];
	}
	for (int pass = 0, progress = 1; progress && pass < PASSES_MAX && !o.spent; pass++) {
		progress = 0;
		build_lin(&o);
		for (size_t k = 0; k < o.nlin && !o.spent; k++) {
			if (o.lin[k].kind != E_SLOT)
				continue;
			if ((rc = eval_leaf(&o, k)) < 0)
				goto out;
			progress |= rc;
		}
		for (size_t i = 0; i < t->nnodes && !o.spent; i++) {
			if (t->nodes[i].type != N_ORDER || o.res[i] >= 0)
				continue;
			if ((rc = eval_order(&o, i)) < 0)
				goto out;
			progress |= rc;
		}
	}
	rc = 0;
	obs += offset;
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct node *nd = &t->nodes[i];
		size_t v = 0;

		if (nd->type == N_LIT)
			continue;
		if (o.res[i] >= 0)
			v = nd->type == N_ORDER ? lehmer_rank(&o.perm[i * FW_TEMPLATE_ITEMS_MAX], nd->nitems)
			                        : (size_t)o.res[i];
		/* A variant no codeword selects (an option past 2^k, a permutation past 2^k) is no reading.
		 */
		write_bits(obs, nd->feat, nd->nfeat, v, o.res[i] >= 0 && v >> nd->nfeat == 0);
	}
out:
	free(o.res);
	free(o.perm);
	free(o.tried);
	free(o.lin);
	fw_buf_release(&o.pat);
	fw_buf_release(&o.loc);
	return rc;
}

int fw_template_observe(const struct fw_template *t, const char *suspect, size_t len, size_t offset,
                        unsigned char *obs, size_t m)
{
	struct fw_template_text *x;
	int r;

	if (offset > m || t->features > m - offset)
		return FW_EINVAL;
	if ((r = fw_template_text_new(suspect, len, &x)) < 0)
		return r;
	r = fw_template_observe_text(t, x, offset, obs, m);
	fw_template_text_free(x);
	return r;
}
