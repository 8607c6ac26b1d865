/*
 * Leak tracing over the store: every revision of the candidate advisories is read against the suspect text
 * without looking at any codeword; the best-matching revision's recipients are scored with the Tardos code,
 * and only scores above the exact Chernoff threshold accuse.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/fingerprint.h"
#include "forewarn/ops.h"
#include "forewarn/template.h"
#include "forewarn/trace.h"

struct ids {
	char (*id)[FW_ID_MAX + 1];
	size_t n, cap;
	struct fw_store *s;
	int revision;
};

static int add_candidate(void *ctx, const struct fw_advisory *a)
{
	struct ids *l = ctx;

	if (a->status == FW_ADV_DRAFT)
		return 0; /* nobody received a draft */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->id, cap * sizeof(*l->id));
		if (!p)
			return FW_ENOMEM;
		l->id = p;
		l->cap = cap;
	}
	memcpy(l->id[l->n++], a->id, sizeof(a->id));
	return 0;
}

static int add_recipient(void *ctx, const struct fw_delivery *d)
{
	struct ids *l = ctx;

	if (d->revision != l->revision)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->id[i], d->partner_id) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->id, cap * sizeof(*l->id));
		if (!p)
			return FW_ENOMEM;
		l->id = p;
		l->cap = cap;
	}
	memcpy(l->id[l->n++], d->partner_id, sizeof(d->partner_id));
	return 0;
}

struct best {
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	size_t observed, m;
	unsigned char *obs;
};

/* Reads one revision against the text; keeps it when it shows more positions than the best so far. */
static int consider(struct fw_store *s, const char *id, int number, const struct fw_template_text *x,
                    struct best *b)
{
	struct fw_fingerprint *fp = NULL;
	struct fw_revision rev;
	unsigned char *obs = NULL;
	size_t m, seen;
	int r;

	memset(&rev, 0, sizeof(rev));
	r = fw_store_revision_get(s, id, number, &rev);
	if (r == 0)
		r = fw_fingerprint_new(&rev, &fp, NULL);
	fw_revision_release(&rev);
	if (r < 0)
		return r == FW_EINVAL ? 0 : r; /* a revision whose slots do not parse carries no code */
	m = fw_fingerprint_positions(fp);
	if (m == 0)
		goto out;
	obs = malloc(m);
	if (!obs) {
		r = FW_ENOMEM;
		goto out;
	}
	r = fw_fingerprint_observe(fp, x, obs);
	if (r < 0)
		goto out;
	seen = fw_tardos_observed(obs, m);
	if (seen > b->observed) {
		free(b->obs);
		b->obs = obs;
		obs = NULL;
		b->observed = seen;
		b->m = m;
		b->revision = number;
		memcpy(b->advisory_id, id, sizeof(b->advisory_id));
	}
out:
	free(obs);
	fw_fingerprint_free(fp);
	return r;
}

static int cmp_hits(const void *a, const void *b)
{
	const struct fw_trace_hit *x = a, *y = b;

	return (x->score < y->score) - (x->score > y->score);
}

int fw_ops_trace(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *text, size_t len,
                 const char *advisory_id, struct fw_trace_result *ret, struct fw_error *err)
{
	struct fw_trace_result res;
	struct fw_template_text *x = NULL;
	struct ids cand = {NULL, 0, 0, s, 0}, who = {NULL, 0, 0, s, 0};
	struct best b;
	char code[FW_FINGERPRINT_CODE_MAX];
	double *biases = NULL, *scores = NULL;
	const char **ptrs = NULL;
	int r;

	memset(&res, 0, sizeof(res));
	memset(&b, 0, sizeof(b));
	/* Until evidence says otherwise, no score is enough. */
	res.accuse_threshold = res.investigate_threshold = INFINITY;
	r = fw_template_text_new(text, len, &x);
	if (r == FW_ETOOBIG)
		return fw_error_set(err, r, "text", "the text exceeds %u bytes", FW_TEMPLATE_TEXT_MAX);
	if (r < 0)
		return r;
	if (advisory_id) {
		struct fw_advisory a;
		r = fw_store_advisory_get(s, advisory_id, &a);
		if (r == FW_ENOENT)
			r = fw_error_set(err, FW_ENOENT, "advisory", "no advisory \"%.64s\"", advisory_id);
		if (r == 0)
			r = add_candidate(&cand, &a);
	} else {
		r = fw_store_advisory_each(s, 0, add_candidate, &cand);
	}
	for (size_t i = 0; r == 0 && i < cand.n; i++) {
		struct fw_advisory a;
		r = fw_store_advisory_get(s, cand.id[i], &a);
		for (int n = 1; r == 0 && n <= a.revision; n++)
			r = consider(s, cand.id[i], n, x, &b);
	}
	if (r < 0 || b.observed == 0)
		goto out;
	memcpy(res.advisory_id, b.advisory_id, sizeof(res.advisory_id));
	res.revision = b.revision;
	res.positions = b.observed;
	res.length = b.m;
	/* Everyone who received this revision is scored: the innocent and the leaker alike. */
	who.revision = b.revision;
	r = fw_store_delivery_each(s, b.advisory_id, NULL, add_recipient, &who);
	if (r < 0)
		goto out;
	res.partners = who.n;
	fw_fingerprint_code(b.advisory_id, b.revision, code);
	biases = malloc(b.m * sizeof(*biases));
	scores = malloc((who.n ? who.n : 1) * sizeof(*scores));
	ptrs = malloc((who.n ? who.n : 1) * sizeof(*ptrs));
	if (!biases || !scores || !ptrs) {
		r = FW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < who.n; i++)
		ptrs[i] = who.id[i];
	r = fw_tardos_biases(key, code, b.m, biases);
	if (r == 0)
		r = fw_tardos_threshold(b.obs, biases, b.m, FW_TARDOS_ACCUSE_EPS, &res.accuse_threshold);
	if (r == 0)
		r = fw_tardos_threshold(b.obs, biases, b.m, FW_TARDOS_INVESTIGATE_EPS, &res.investigate_threshold);
	if (r == 0 && who.n)
		r = fw_tardos_score_partners(key, code, ptrs, who.n, biases, b.obs, b.m, scores);
	if (r < 0)
		goto out;
	res.accused = calloc(who.n ? who.n : 1, sizeof(*res.accused));
	res.investigate = calloc(who.n ? who.n : 1, sizeof(*res.investigate));
	if (!res.accused || !res.investigate) {
		r = FW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; r == 0 && i < who.n; i++) {
		struct fw_trace_hit *h;
		int accused = scores[i] >= res.accuse_threshold;
		if (!accused && scores[i] < res.investigate_threshold)
			continue;
		h = accused ? &res.accused[res.naccused++] : &res.investigate[res.ninvestigate++];
		memcpy(h->partner_id, who.id[i], sizeof(h->partner_id));
		h->score = scores[i];
		h->threshold = accused ? res.accuse_threshold : res.investigate_threshold;
		h->positions = b.observed;
		r = fw_tardos_bound(b.obs, biases, b.m, scores[i], &h->bound);
	}
	qsort(res.accused, res.naccused, sizeof(*res.accused), cmp_hits);
	qsort(res.investigate, res.ninvestigate, sizeof(*res.investigate), cmp_hits);
out:
	fw_template_text_free(x);
	free(cand.id);
	free(who.id);
	free(b.obs);
	free(biases);
	free(scores);
	free(ptrs);
	if (r < 0) {
		fw_trace_result_release(&res);
		return r;
	}
	*ret = res;
	return 0;
}

void fw_trace_result_release(struct fw_trace_result *r)
{
	if (!r)
		return;
	free(r->accused);
	free(r->investigate);
	r->accused = r->investigate = NULL;
	r->naccused = r->ninvestigate = 0;
}
