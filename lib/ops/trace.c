/*
 * Leak tracing over the store: each leaked text is read against every revision of the candidate advisories
 * without looking at any codeword and matched to the revision it shows most of; the recipients of the
 * matched revisions are scored with the Tardos code, their evidence summed over the revisions each received,
 * and only scores above the exact Chernoff threshold of that sum accuse.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forewarn/fingerprint.h"
#include "forewarn/ops.h"
#include "forewarn/template.h"
#include "forewarn/trace.h"

#define CONFLICT 3 /* a position two leaks of one revision read differently: unseen, for good */

/* The advisories the leaks may come from, each with its number of revisions. */
struct candidates {
	struct candidate {
		char id[FW_ID_MAX + 1];
		int revisions;
	} * c;
	size_t n, cap;
};

static int add_candidate(void *ctx, const struct fw_advisory *a)
{
	struct candidates *l = ctx;

	if (a->status == FW_ADV_DRAFT)
		return 0; /* nobody received a draft */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->c, cap * sizeof(*l->c));
		if (!p)
			return FW_ENOMEM;
		l->c = p;
		l->cap = cap;
	}
	memcpy(l->c[l->n].id, a->id, sizeof(l->c[l->n].id));
	l->c[l->n++].revisions = a->revision;
	return 0;
}

/* One revision the leaks matched: its code and what they show of it. */
struct block {
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	size_t m, observed;
	unsigned char *obs;
	double *biases;
};

struct recipient {
	char id[FW_ID_MAX + 1];
	uint32_t mask; /* the blocks whose revision the partner received */
};

struct work {
	struct fw_store *s;
	struct block blocks[FW_TRACE_LEAKS_MAX];
	size_t nblocks, cur;
	struct recipient *who;
	size_t nwho, capwho;
};

/* The best revision of one leak so far: the one showing most positions. */
struct best {
	char advisory_id[FW_ID_MAX + 1];
	int revision;
	size_t observed, m;
	unsigned char *obs;
};

/* The leaks being read: their prepared texts, and the revision each shows most of so far. */
struct reading {
	const struct fw_trace_leak *leaks;
	size_t n;
	struct fw_template_text *x[FW_TRACE_LEAKS_MAX];
	struct best best[FW_TRACE_LEAKS_MAX];
};

/*
 * Builds one revision's fingerprint once and reads every leak that may be of its advisory against it; a
 * leak keeps the revision when it shows more positions there than in the best so far.
 */
static int consider(struct fw_store *s, const char *id, int number, struct reading *rd)
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
	for (size_t i = 0; r == 0 && m > 0 && i < rd->n; i++) {
		struct best *b = &rd->best[i];

		if (rd->leaks[i].advisory_id && strcmp(rd->leaks[i].advisory_id, id) != 0)
			continue;
		if (!obs && !(obs = malloc(m))) {
			r = FW_ENOMEM;
			break;
		}
		if ((r = fw_fingerprint_observe(fp, rd->x[i], obs)) < 0)
			break;
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
	}
	free(obs);
	fw_fingerprint_free(fp);
	return r;
}

/*
 * Reads every leak: prepares its text, checks the advisory it names, then reads each revision of the
 * candidate advisories (every one, when some leak names none) once for all the leaks.
 */
static int read_leaks(struct fw_store *s, struct reading *rd, struct fw_error *err)
{
	struct candidates cand = {NULL, 0, 0};
	int any = 0, r = 0;

	for (size_t i = 0; r == 0 && i < rd->n; i++) {
		const struct fw_trace_leak *l = &rd->leaks[i];
		struct fw_advisory a;

		r = fw_template_text_new(l->text, l->len, &rd->x[i]);
		if (r == FW_ETOOBIG)
			r = fw_error_set(err, r, "text", "the text exceeds %u bytes", FW_TEMPLATE_TEXT_MAX);
		if (r < 0)
			break; /* to free the candidates */
		if (!l->advisory_id) {
			any = 1;
			continue;
		}
		r = fw_store_advisory_get(s, l->advisory_id, &a);
		if (r == FW_ENOENT)
			r = fw_error_set(err, FW_ENOENT, "advisory", "no advisory \"%.64s\"", l->advisory_id);
		for (size_t k = 0; r == 0 && k < cand.n; k++)
			if (strcmp(cand.c[k].id, a.id) == 0)
				goto next;
		if (r == 0 && !any)
			r = add_candidate(&cand, &a);
	next:;
	}
	if (r == 0 && any) {
		cand.n = 0; /* every advisory, the named ones among them */
		r = fw_store_advisory_each(s, 0, add_candidate, &cand);
	}
	for (size_t i = 0; r == 0 && i < cand.n; i++)
		for (int n = 1; r == 0 && n <= cand.c[i].revisions; n++)
			r = consider(s, cand.c[i].id, n, rd);
	free(cand.c);
	return r;
}

/* Adds a leak's reading to the block of its revision, new or not; *ret_block gets the block's index. */
static int merge(struct work *w, struct best *b, size_t *ret_block)
{
	struct block *k;
	size_t i;

	for (i = 0; i < w->nblocks; i++)
		if (w->blocks[i].revision == b->revision && !strcmp(w->blocks[i].advisory_id, b->advisory_id))
			break;
	k = &w->blocks[i];
	*ret_block = i;
	if (i == w->nblocks) {
		memcpy(k->advisory_id, b->advisory_id, sizeof(k->advisory_id));
		k->revision = b->revision;
		k->m = b->m;
		k->obs = b->obs;
		b->obs = NULL;
		w->nblocks++;
		return 0;
	}
	/* Another leak of the same revision: what either shows is seen; where they disagree, nothing is. */
	for (size_t p = 0; p < k->m; p++)
		if (k->obs[p] == FW_TARDOS_UNSEEN)
			k->obs[p] = b->obs[p];
		else if (b->obs[p] != FW_TARDOS_UNSEEN && b->obs[p] != k->obs[p])
			k->obs[p] = CONFLICT;
	return 0;
}

static int add_recipient(void *ctx, const struct fw_delivery *d)
{
	struct work *w = ctx;
	struct recipient *rc;

	if (d->revision != w->blocks[w->cur].revision)
		return 0;
	if (w->nwho == w->capwho) {
		size_t cap = w->capwho ? w->capwho * 2 : 64;
		void *p = realloc(w->who, cap * sizeof(*w->who));
		if (!p)
			return FW_ENOMEM;
		w->who = p;
		w->capwho = cap;
	}
	rc = &w->who[w->nwho++];
	memcpy(rc->id, d->partner_id, sizeof(rc->id));
	rc->mask = (uint32_t)1 << w->cur;
	return 0;
}

static int cmp_recipient(const void *a, const void *b)
{
	return strcmp(((const struct recipient *)a)->id, ((const struct recipient *)b)->id);
}

/* Sorts the recipients by id and folds each partner's rows into one, its mask the union. */
static void fold_recipients(struct work *w)
{
	size_t k = 0;

	qsort(w->who, w->nwho, sizeof(*w->who), cmp_recipient);
	for (size_t i = 0; i < w->nwho; i++) {
		if (k > 0 && !strcmp(w->who[k - 1].id, w->who[i].id))
			w->who[k - 1].mask |= w->who[i].mask;
		else
			w->who[k++] = w->who[i];
	}
	w->nwho = k;
}

/* The thresholds of one set of blocks (a partner is judged on the revisions it received). */
struct band {
	uint32_t mask;
	double accuse, investigate;
	size_t positions;
};

static int select_blocks(const struct work *w, uint32_t mask, struct fw_tardos_block *out, size_t *ret_n,
                         size_t *ret_positions)
{
	size_t n = 0, pos = 0;

	for (size_t i = 0; i < w->nblocks; i++)
		if (mask & ((uint32_t)1 << i)) {
			out[n].biases = w->blocks[i].biases;
			out[n].obs = w->blocks[i].obs;
			out[n].m = w->blocks[i].m;
			pos += w->blocks[i].observed;
			n++;
		}
	*ret_n = n;
	*ret_positions = pos;
	return 0;
}

/* The band of mask, from bands (room for one per recipient and one more) or added to it. */
static int band_of(const struct work *w, struct band *bands, size_t *nbands, uint32_t mask,
                   const struct band **ret)
{
	struct fw_tardos_block tb[FW_TRACE_LEAKS_MAX];
	struct band *b;
	size_t n;
	int r;

	for (size_t i = 0; i < *nbands; i++)
		if (bands[i].mask == mask) {
			*ret = &bands[i];
			return 0;
		}
	b = &bands[*nbands];
	b->mask = mask;
	select_blocks(w, mask, tb, &n, &b->positions);
	r = fw_tardos_threshold_blocks(tb, n, FW_TARDOS_ACCUSE_EPS, &b->accuse);
	if (r == 0)
		r = fw_tardos_threshold_blocks(tb, n, FW_TARDOS_INVESTIGATE_EPS, &b->investigate);
	if (r < 0)
		return r;
	(*nbands)++;
	*ret = b;
	return 0;
}

static int cmp_hits(const void *a, const void *b)
{
	const struct fw_trace_hit *x = a, *y = b;

	return (x->score < y->score) - (x->score > y->score);
}

/* Scores every recipient of every block, summed over the blocks each received, into scores[]. */
static int score_all(struct work *w, const unsigned char key[FW_KEY_BYTES], double *scores)
{
	const char **ptrs = malloc((w->nwho ? w->nwho : 1) * sizeof(*ptrs));
	size_t *at = malloc((w->nwho ? w->nwho : 1) * sizeof(*at));
	double *part = malloc((w->nwho ? w->nwho : 1) * sizeof(*part));
	char code[FW_FINGERPRINT_CODE_MAX];
	int r = 0;

	if (!ptrs || !at || !part) {
		r = FW_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < w->nwho; i++)
		scores[i] = 0;
	for (size_t b = 0; r == 0 && b < w->nblocks; b++) {
		size_t n = 0;

		for (size_t i = 0; i < w->nwho; i++)
			if (w->who[i].mask & ((uint32_t)1 << b)) {
				ptrs[n] = w->who[i].id;
				at[n++] = i;
			}
		fw_fingerprint_code(w->blocks[b].advisory_id, w->blocks[b].revision, code);
		if (n)
			r = fw_tardos_score_partners(key, code, ptrs, n, w->blocks[b].biases,
			                             w->blocks[b].obs, w->blocks[b].m, part);
		for (size_t k = 0; r == 0 && k < n; k++)
			scores[at[k]] += part[k];
	}
out:
	free(ptrs);
	free(at);
	free(part);
	return r;
}

int fw_ops_trace_leaks(struct fw_store *s, const unsigned char key[FW_KEY_BYTES],
                       const struct fw_trace_leak *leaks, size_t nleaks, struct fw_trace_result *ret,
                       struct fw_error *err)
{
	struct fw_trace_result res;
	struct reading rd;
	struct work w;
	struct band *bands =
	    NULL; /* one per distinct set of revisions received: at most one per partner, + all */
	size_t nbands = 0;
	const struct band *all;
	double *scores = NULL;
	char code[FW_FINGERPRINT_CODE_MAX];
	int r = 0;

	if (nleaks == 0 || nleaks > FW_TRACE_LEAKS_MAX)
		return fw_error_set(err, FW_EINVAL, "leaks", "give 1 to %d leaked texts", FW_TRACE_LEAKS_MAX);
	memset(&res, 0, sizeof(res));
	memset(&w, 0, sizeof(w));
	memset(&rd, 0, sizeof(rd));
	w.s = s;
	/* Until evidence says otherwise, no score is enough. */
	res.accuse_threshold = res.investigate_threshold = INFINITY;
	res.nleaks = nleaks;
	rd.leaks = leaks;
	rd.n = nleaks;
	r = read_leaks(s, &rd, err);
	for (size_t i = 0; r == 0 && i < nleaks; i++) {
		struct best *b = &rd.best[i];
		size_t k;

		if (b->observed == 0)
			continue;
		r = merge(&w, b, &k);
		memcpy(res.leaks[i].advisory_id, b->advisory_id, sizeof(b->advisory_id));
		res.leaks[i].revision = b->revision;
		res.leaks[i].positions = b->observed;
	}
	for (size_t i = 0; i < nleaks; i++) {
		free(rd.best[i].obs);
		fw_template_text_free(rd.x[i]);
	}
	if (r < 0 || w.nblocks == 0)
		goto out;
	for (size_t b = 0; r == 0 && b < w.nblocks; b++) {
		struct block *k = &w.blocks[b];

		for (size_t p = 0; p < k->m; p++)
			if (k->obs[p] == CONFLICT)
				k->obs[p] = FW_TARDOS_UNSEEN;
		k->observed = fw_tardos_observed(k->obs, k->m);
		k->biases = malloc(k->m * sizeof(*k->biases));
		if (!k->biases) {
			r = FW_ENOMEM;
			break;
		}
		fw_fingerprint_code(k->advisory_id, k->revision, code);
		r = fw_tardos_biases(key, code, k->m, k->biases);
		/* Everyone who received this revision is scored: the innocent and the leaker alike. */
		w.cur = b;
		if (r == 0)
			r = fw_store_delivery_each(s, k->advisory_id, NULL, add_recipient, &w);
		res.positions += k->observed;
		res.length += k->m;
	}
	if (r < 0)
		goto out;
	fold_recipients(&w);
	memcpy(res.advisory_id, w.blocks[0].advisory_id, sizeof(res.advisory_id));
	res.revision = w.blocks[0].revision;
	res.partners = w.nwho;
	res.revisions = w.nblocks;
	bands = malloc((w.nwho + 1) * sizeof(*bands));
	if (!bands) {
		r = FW_ENOMEM;
		goto out;
	}
	r = band_of(&w, bands, &nbands, (uint32_t)((1ull << w.nblocks) - 1), &all);
	if (r < 0)
		goto out;
	res.accuse_threshold = all->accuse;
	res.investigate_threshold = all->investigate;
	scores = malloc((w.nwho ? w.nwho : 1) * sizeof(*scores));
	res.accused = calloc(w.nwho ? w.nwho : 1, sizeof(*res.accused));
	res.investigate = calloc(w.nwho ? w.nwho : 1, sizeof(*res.investigate));
	if (!scores || !res.accused || !res.investigate) {
		r = FW_ENOMEM;
		goto out;
	}
	r = score_all(&w, key, scores);
	for (size_t i = 0; r == 0 && i < w.nwho; i++) {
		struct fw_tardos_block tb[FW_TRACE_LEAKS_MAX];
		const struct band *bd;
		struct fw_trace_hit *h;
		size_t n, pos;
		int accused;

		if ((r = band_of(&w, bands, &nbands, w.who[i].mask, &bd)) < 0)
			break;
		accused = scores[i] >= bd->accuse;
		if (!accused && scores[i] < bd->investigate)
			continue;
		h = accused ? &res.accused[res.naccused++] : &res.investigate[res.ninvestigate++];
		memcpy(h->partner_id, w.who[i].id, sizeof(h->partner_id));
		h->score = scores[i];
		h->threshold = accused ? bd->accuse : bd->investigate;
		h->positions = bd->positions;
		select_blocks(&w, w.who[i].mask, tb, &n, &pos);
		r = fw_tardos_bound_blocks(tb, n, scores[i], &h->bound);
	}
	qsort(res.accused, res.naccused, sizeof(*res.accused), cmp_hits);
	qsort(res.investigate, res.ninvestigate, sizeof(*res.investigate), cmp_hits);
out:
	for (size_t b = 0; b < w.nblocks; b++) {
		free(w.blocks[b].obs);
		free(w.blocks[b].biases);
	}
	free(w.who);
	free(bands);
	free(scores);
	if (r < 0) {
		fw_trace_result_release(&res);
		return r;
	}
	*ret = res;
	return 0;
}

int fw_ops_trace(struct fw_store *s, const unsigned char key[FW_KEY_BYTES], const char *text, size_t len,
                 const char *advisory_id, struct fw_trace_result *ret, struct fw_error *err)
{
	struct fw_trace_leak l = {text, len, advisory_id};

	return fw_ops_trace_leaks(s, key, &l, 1, ret, err);
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
