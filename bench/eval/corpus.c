/*
 * The harness's advisories: read from bench/eval/data, planned by fw_fingerprint_new exactly as the server
 * plans a revision, and rendered for partners by fw_fingerprint_render (the function deliver_copy calls). The
 * per-part templates are rebuilt here the same way (lexicon in prose, authored slots in the PoC) so that the
 * attacks that choose slot variants can render any codeword; corpus_load checks both paths give the same
 * bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/csaf.h"
#include "forewarn/lexicon.h"
#include "forewarn/tardos.h"
#include "eval.h"

/* floor(log2(n!)) for an order block of n items (docs/templates.md). */
static const unsigned char order_feats[FW_TEMPLATE_ITEMS_MAX + 1] = {0, 0, 1, 2, 4, 6, 9, 12, 15};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		s = malloc((size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else if (s) {
			s[n] = '\0';
		}
	}
	fclose(f);
	return s;
}

/*
 * The slots of a template in the order their features are laid out: an order block's own features come
 * first, then those of the slots inside it (lib/mark/template.c). fw_template_features checks the sum.
 */
static int list_slots(const char *tpl, size_t len, struct part_plan *pp)
{
	size_t cap = 64, open = (size_t)-1, items = 0, feat = pp->offset;
	struct slot *v = malloc(cap * sizeof(*v));

	if (!v)
		return -1;
	pp->nslots = 0;
	for (size_t i = 0; i + 1 < len;) {
		const char *c, *e;
		size_t cl;
		unsigned k;

		if (tpl[i] != '{' || tpl[i + 1] != '{') {
			i++;
			continue;
		}
		if (i + 3 < len && tpl[i + 2] == '{' && tpl[i + 3] == '{') {
			i += 4; /* the escape of a literal "{{" */
			continue;
		}
		c = tpl + i + 2;
		e = strstr(c, "}}");
		if (!e)
			break;
		cl = (size_t)(e - c);
		i = (size_t)(e - tpl) + 2;
		if (cl == 1 && c[0] == ';') {
			items++;
			continue;
		}
		if (cl == 6 && memcmp(c, "/order", 6) == 0) {
			k = order_feats[items <= FW_TEMPLATE_ITEMS_MAX ? items : 0];
			v[open].k = k;
			/* The block's features were reserved when it opened: shift what came inside it. */
			for (size_t j = open + 1; j < pp->nslots; j++)
				v[j].feat += k;
			feat += k;
			open = (size_t)-1;
			continue;
		}
		if (pp->nslots == cap) {
			struct slot *w = realloc(v, 2 * cap * sizeof(*v));
			if (!w) {
				free(v);
				return -1;
			}
			v = w;
			cap *= 2;
		}
		if (cl == 5 && memcmp(c, "order", 5) == 0) {
			open = pp->nslots;
			items = 1;
			v[pp->nslots++] = (struct slot){feat, 0};
			continue;
		}
		if (cl > 7 && memcmp(c, "canary:", 7) == 0) {
			k = 8;
		} else if (cl > 4 && memcmp(c, "int:", 4) == 0) {
			k = 1;
		} else {
			size_t q = 1;
			for (size_t j = 0; j < cl; j++)
				q += c[j] == '|';
			for (k = 0; (2u << k) <= q; k++)
				;
		}
		v[pp->nslots++] = (struct slot){feat, k};
		feat += k;
	}
	pp->slots = v;
	return feat - pp->offset == pp->features ? 0 : -1;
}

/* The part's template as fingerprint.c makes it: the lexicon's slots in prose, the PoC as its author wrote.
 */
static int plan_part(enum fw_part p, const char *text, size_t offset, struct part_plan *pp)
{
	struct fw_error err = {{0}, {0}};
	struct fw_buf b;
	int r;

	fw_buf_init(&b, FW_TEMPLATE_MAX);
	r = p == FW_PART_POC ? fw_buf_puts(&b, text) : fw_lexicon_slot(text, strlen(text), &b, NULL);
	if (r == 0)
		r = fw_template_parse(b.data ? b.data : "", b.len, &pp->t, &err);
	if (r == 0) {
		pp->offset = offset;
		pp->features = fw_template_features(pp->t);
		r = list_slots(b.data ? b.data : "", b.len, pp);
	}
	if (r < 0)
		fprintf(stderr, "bench_eval: part %s: %s %s\n", fw_part_name(p), err.field, err.message);
	fw_buf_release(&b);
	return r;
}

static void meta_line(struct fw_advisory *m, char *line)
{
	char *v = strchr(line, ':');

	if (!v)
		return;
	*v++ = '\0';
	while (*v == ' ')
		v++;
	if (strcmp(line, "title") == 0)
		snprintf(m->title, sizeof(m->title), "%s", v);
	else if (strcmp(line, "cve") == 0 && m->ncves < FW_MAX_CVES)
		snprintf(m->cves[m->ncves++], sizeof(m->cves[0]), "%s", v);
	else if (strcmp(line, "product") == 0 && m->nproducts < FW_MAX_PRODUCTS)
		snprintf(m->products[m->nproducts++], sizeof(m->products[0]), "%s", v);
	else if (strcmp(line, "cvss") == 0)
		snprintf(m->cvss_v3, sizeof(m->cvss_v3), "%s", v);
}

static int load_advisory(struct advisory *a, const char *dir, const char *name)
{
	static const char *const files[FW_PART_COUNT][2] = {
	    {"summary.txt", NULL}, {"details.txt", NULL}, {"detection.txt", NULL}, {"poc.c", "poc.py"}};
	char path[1024], *meta;
	struct fw_error err = {{0}, {0}};
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", name);
	fw_fingerprint_code(a->id, 1, a->code);
	snprintf(a->meta.id, sizeof(a->meta.id), "%s", name);
	snprintf(a->rev.advisory_id, sizeof(a->rev.advisory_id), "%s", name);
	a->rev.number = a->meta.revision = 1;
	snprintf(path, sizeof(path), "%s/%s/meta", dir, name);
	meta = read_file(path);
	for (char *l = meta ? strtok(meta, "\n") : NULL; l; l = strtok(NULL, "\n"))
		meta_line(&a->meta, l);
	free(meta);
	for (int p = 0; p < FW_PART_COUNT; p++)
		for (int k = 0; k < 2 && files[p][k] && !a->rev.parts[p]; k++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, name, files[p][k]);
			a->rev.parts[p] = read_file(path);
			if (a->rev.parts[p] && p == FW_PART_POC)
				a->poc = k == 0 ? POC_C : POC_PYTHON;
		}
	if (!a->rev.parts[FW_PART_SUMMARY] || !a->meta.title[0]) {
		fprintf(stderr, "bench_eval: %s/%s: needs meta (title: ...) and summary.txt\n", dir, name);
		return -1;
	}
	a->meta.parts = fw_revision_parts(&a->rev);
	if (fw_fingerprint_new(&a->rev, &a->fp, &err) < 0) {
		fprintf(stderr, "bench_eval: %s: %s: %s\n", name, err.field, err.message);
		return -1;
	}
	a->m = fw_fingerprint_positions(a->fp);
	for (int p = 0; p < FW_PART_COUNT; p++) {
		size_t slots, positions;

		if (!a->rev.parts[p] || !a->rev.parts[p][0])
			continue;
		if (plan_part((enum fw_part)p, a->rev.parts[p], off, &a->part[p]) < 0)
			return -1;
		fw_fingerprint_part(a->fp, (enum fw_part)p, &slots, &positions);
		if (positions != a->part[p].features) {
			fprintf(stderr,
			        "bench_eval: %s: part %s: %zu positions here, %zu in the server's plan\n",
			        name, fw_part_name((enum fw_part)p), a->part[p].features, positions);
			return -1;
		}
		off += positions;
	}
	return off == a->m ? 0 : -1;
}

/* Both rendering paths must agree, or the attacks that re-render would evaluate something else. */
static int check_render(const struct advisory *a)
{
	unsigned char key[FW_KEY_BYTES], *bits = malloc(a->m ? a->m : 1);
	double *biases = malloc((a->m ? a->m : 1) * sizeof(double));
	struct fw_revision x, y;
	int r = bits && biases ? 0 : -1;

	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	memset(key, 0x5a, sizeof(key));
	if (r == 0)
		r = fw_tardos_biases(key, a->code, a->m, biases);
	if (r == 0)
		r = codeword(a, key, biases, "partner-check", bits);
	if (r == 0)
		r = render_server(a, key, "partner-check", &x);
	if (r == 0)
		r = render_bits(a, bits, &y);
	for (int p = 0; r == 0 && p < FW_PART_COUNT; p++)
		if ((x.parts[p] || y.parts[p]) &&
		    (!x.parts[p] || !y.parts[p] || strcmp(x.parts[p], y.parts[p]) != 0))
			r = -1;
	if (r < 0)
		fprintf(stderr,
		        "bench_eval: %s: the copy rendered from the codeword differs from the server's\n",
		        a->id);
	fw_revision_release(&x);
	fw_revision_release(&y);
	free(bits);
	free(biases);
	return r;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The sorted names of the entries of dir (files or directories as asked), without hidden ones. */
static size_t list_dir(const char *dir, int dirs, char names[][64], size_t max)
{
	char *ptr[64], path[1024];
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL && n < max && n < 64) {
		DIR *sub;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= 64)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		sub = opendir(path);
		if (sub)
			closedir(sub);
		if (!!sub != !!dirs || (dirs && strcmp(e->d_name, "unrelated") == 0))
			continue;
		ptr[n] = strdup(e->d_name);
		if (ptr[n])
			n++;
	}
	closedir(d);
	qsort(ptr, n, sizeof(*ptr), cmp_str);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], 64, "%s", ptr[i]);
		free(ptr[i]);
	}
	return n;
}

int corpus_load(struct corpus *c, const char *dir)
{
	char names[EVAL_MAX_ADV + EVAL_MAX_UNRELATED][64], path[1024];
	size_t n;

	memset(c, 0, sizeof(*c));
	n = list_dir(dir, 1, names, EVAL_MAX_ADV);
	for (size_t i = 0; i < n; i++) {
		if (load_advisory(&c->adv[c->nadv], dir, names[i]) < 0 ||
		    check_render(&c->adv[c->nadv]) < 0) {
			c->nadv++;
			return -1;
		}
		c->nadv++;
	}
	snprintf(path, sizeof(path), "%s/unrelated", dir);
	n = list_dir(path, 0, names, EVAL_MAX_UNRELATED);
	for (size_t i = 0; i < n; i++) {
		char file[1100];
		snprintf(file, sizeof(file), "%s/%s", path, names[i]);
		c->unrelated[c->nunrelated] = read_file(file);
		if (!c->unrelated[c->nunrelated])
			return -1;
		snprintf(c->unrelated_name[c->nunrelated++], 64, "%s", names[i]);
	}
	if (c->nadv == 0) {
		fprintf(stderr, "bench_eval: no advisory under %s (%s)\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->nadv; i++) {
		struct advisory *a = &c->adv[i];
		for (int p = 0; p < FW_PART_COUNT; p++) {
			fw_template_free(a->part[p].t);
			free(a->part[p].slots);
		}
		fw_fingerprint_free(a->fp);
		fw_revision_release(&a->rev);
	}
	for (size_t i = 0; i < c->nunrelated; i++)
		free(c->unrelated[i]);
	memset(c, 0, sizeof(*c));
}

int codeword(const struct advisory *a, const unsigned char key[FW_KEY_BYTES], const double *biases,
             const char *partner, unsigned char *bits)
{
	return fw_tardos_codeword(key, a->code, partner, biases, a->m, bits);
}

int render_server(const struct advisory *a, const unsigned char key[FW_KEY_BYTES], const char *partner,
                  struct fw_revision *rev)
{
	return fw_fingerprint_render(a->fp, key, a->code, partner, FW_PARTS_ALL, rev);
}

int render_bits(const struct advisory *a, const unsigned char *bits, struct fw_revision *rev)
{
	int r = 0;

	for (int p = 0; r == 0 && p < FW_PART_COUNT; p++) {
		struct fw_buf b;

		if (!a->part[p].t)
			continue;
		fw_buf_init(&b, FW_TEMPLATE_TEXT_MAX);
		r = fw_template_render(a->part[p].t, bits, a->m, a->part[p].offset, &b);
		free(rev->parts[p]);
		rev->parts[p] = NULL;
		if (r == 0)
			r = fw_buf_steal(&b, &rev->parts[p], NULL);
		fw_buf_release(&b);
	}
	return r;
}

unsigned slot_value(const unsigned char *bits, const struct slot *s)
{
	unsigned v = 0;

	for (unsigned i = 0; i < s->k; i++)
		v = v << 1 | bits[s->feat + i];
	return v;
}

void slot_set(unsigned char *bits, const struct slot *s, unsigned v)
{
	for (unsigned i = 0; i < s->k; i++)
		bits[s->feat + i] = (unsigned char)(v >> (s->k - 1 - i) & 1);
}

int render_csaf(const struct advisory *a, const char *partner, const struct fw_revision *rev,
                struct fw_buf *out)
{
	struct fw_revision_meta hist = {1, 1767225600, "Initial release"};
	struct fw_partner p;
	struct fw_advisory adv = a->meta;
	struct fw_revision copy = *rev;
	struct fw_render_in in;

	copy.number = 1;
	snprintf(copy.advisory_id, sizeof(copy.advisory_id), "%s", a->id);
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "%s", partner);
	snprintf(p.name, sizeof(p.name), "Partner %s", partner);
	memcpy(p.country, "DE", 3);
	snprintf(p.tier, sizeof(p.tier), "vetted");
	p.entitlements = FW_PARTS_ALL;
	adv.status = FW_ADV_SCHEDULED;
	adv.public_at = 1767225600 + 7 * 86400;
	adv.created_at = adv.updated_at = 1767225600;
	memset(&in, 0, sizeof(in));
	in.publisher_name = "Example Vendor PSIRT";
	in.publisher_namespace = "https://psirt.example.com";
	in.partner = &p;
	in.advisory = &adv;
	in.revision = &copy;
	in.history = &hist;
	in.nhistory = 1;
	in.parts = a->meta.parts;
	in.public_copy = 0;
	in.now = 1767225600 + 86400;
	return fw_csaf_render(&in, out);
}
