/*
 * bench_eval: how well leak tracing names leakers, and that it never names an innocent (docs/evaluation.md).
 * Synthetic partners receive copies of realistic advisories rendered by the server's own code; leakers and
 * colluders attack their copies; each leak is traced as fw_ops_trace does (partner-agnostic observation,
 * exact Chernoff threshold at FW_TARDOS_ACCUSE_EPS, every recipient scored). Prints one line per scenario and
 * one per claim that must hold; exits 1 when a claim fails. Usage: bench_eval [--quick] [options] (--help).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "forewarn/ops.h"
#include "forewarn/tardos.h"
#include "forewarn/trace.h"
#include "../timing.h"
#include "eval.h"

#ifndef FW_EVAL_DATA
#define FW_EVAL_DATA "bench/eval/data"
#endif

enum transform { T_WS = 1, T_UNICODE = 2, T_REFORMAT = 4, T_FLIPS = 8, T_CSAF = 16 };
enum source { SRC_COPY, SRC_TRAFFIC, SRC_UNRELATED };
enum must { MUST_NONE, MUST_LONE30, MUST_COLLUDE2, MUST_TRAFFIC };

#define PARTS_PROSE ((1u << FW_PART_SUMMARY) | (1u << FW_PART_DETAILS) | (1u << FW_PART_DETECTION))
#define PARTS_POC   (1u << FW_PART_POC)

struct scenario {
	size_t partners;
	int colluders;
	enum strategy strat;
	double frac; /* 1: the whole text */
	int scattered;
	unsigned transforms;
	unsigned parts; /* the parts leaked (of the copy) */
	enum source src;
	enum must must;
	int trials;
	/* per trial */
	unsigned char *detected, *ok;
	size_t *false_acc, *innocents, *observed, *misread;
	double *ms, *cpu_ms;
};

struct trial_out {
	int detected;
	size_t false_acc, innocents, observed, misread;
	double ms, cpu_ms;
};

/* Per thread scratch: observation, scores, codewords. */
struct work {
	unsigned char *obs, *words[EVAL_MAX_COLLUDERS], *bits;
	double *biases, *scores;
};

static struct corpus corpus;
static char **ids;
static size_t max_partners;
static struct scenario *scen;
static size_t nscen;
static uint64_t seed = 20260101;
static char tmpdir[256];
static int have_clang_format, have_python;
static atomic_size_t next_job;
static size_t njobs, *job_scen, *job_trial;
static atomic_int failed_trials;
static _Thread_local const struct scenario *cur;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: bench_eval [--quick] [--partners N] [--trials N] [--seed S] [--jobs N] [--data DIR]\n"
	    "                  [--dump DIR]\n"
	    "  --quick       the CTest run: 100 partners, fewer trials, no 10,000-partner scenarios\n"
	    "  --partners N  only the scenarios at N partners (the 100-partner set, or above 1,000 the large "
	    "one)\n"
	    "  --trials N    trials per scenario at 100 partners (default 200, quick 100; a quarter at "
	    "10,000)\n"
	    "  --seed S      seed of keys, leakers and attacks (default 20260101): runs are reproducible\n"
	    "  --jobs N      worker threads (default 2)\n"
	    "  --data DIR    advisories and unrelated texts (default %s)\n"
	    "  --dump DIR    write one partner's copy, CSAF copy, fragment and PoC traffic to DIR and exit\n",
	    FW_EVAL_DATA);
}

static void add(size_t partners, int c, enum strategy st, double frac, int scattered, unsigned tr,
                unsigned parts, enum source src, enum must must, int trials)
{
	struct scenario *s;

	if (trials < 1)
		trials = 1;
	s = &scen[nscen++];
	memset(s, 0, sizeof(*s));
	s->partners = partners;
	s->colluders = c;
	s->strat = st;
	s->frac = frac;
	s->scattered = scattered;
	s->transforms = tr;
	s->parts = parts;
	s->src = src;
	s->must = must;
	s->trials = trials;
}

/* The scenarios: quick is the CTest set; the full set adds colluders, trials and 10,000 partners. */
static int plan(int quick, size_t only_partners, int trials)
{
	size_t sets[2] = {100, 10000}, nsets = quick ? 1 : 2;
	const enum strategy strats[] = {STRAT_INTERLEAVE, STRAT_MAJORITY, STRAT_MINORITY, STRAT_RANDOM,
	                                STRAT_SPLICE};
	const double fracs[] = {0.1, 0.3, 0.5};

	scen = calloc(256, sizeof(*scen)); /* 50 scenarios in all */
	if (!scen)
		return -1;
	if (only_partners) {
		sets[0] = only_partners;
		nsets = 1;
	}
	for (size_t k = 0; k < nsets; k++) {
		size_t P = sets[k];
		int T = P > 1000 ? trials / 4 : trials, few = quick ? T / 5 : T / 2;

		if (P > 1000) { /* the large set: the claims again, where scoring 10,000 partners costs */
			add(P, 1, STRAT_NONE, 0.3, 0, 0, FW_PARTS_ALL, SRC_COPY, MUST_LONE30, T);
			add(P, 1, STRAT_NONE, 0.3, 1, 0, FW_PARTS_ALL, SRC_COPY, MUST_LONE30, T);
			add(P, 1, STRAT_NONE, 1, 0, 0, FW_PARTS_ALL, SRC_TRAFFIC, MUST_TRAFFIC, T);
			for (size_t i = 0; i < 5; i++)
				add(P, 2, strats[i], 1, 0, 0, FW_PARTS_ALL, SRC_COPY, MUST_COLLUDE2, T);
			add(P, 3, STRAT_INTERLEAVE, 1, 0, 0, FW_PARTS_ALL, SRC_COPY, MUST_NONE, T);
			add(P, 1, STRAT_NONE, 1, 0, 0, FW_PARTS_ALL, SRC_UNRELATED, MUST_NONE, T);
			continue;
		}
		add(P, 1, STRAT_NONE, 1, 0, 0, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		for (size_t f = 0; f < 3; f++)
			for (int sc = 0; sc < 2; sc++)
				add(P, 1, STRAT_NONE, fracs[f], sc, 0, FW_PARTS_ALL, SRC_COPY,
				    fracs[f] == 0.3 ? MUST_LONE30 : MUST_NONE, fracs[f] == 0.3 ? T : few);
		add(P, 1, STRAT_NONE, 1, 0, 0, PARTS_PROSE, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, 0, PARTS_POC, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 0.3, 0, 0, PARTS_PROSE, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, T_WS, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, T_UNICODE, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 0.3, 0, T_WS | T_UNICODE, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, T_REFORMAT, PARTS_POC, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 0.3, 0, T_REFORMAT, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, T_FLIPS, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 0.3, 0, T_FLIPS | T_WS | T_UNICODE, FW_PARTS_ALL, SRC_COPY, MUST_NONE,
		    few);
		add(P, 1, STRAT_NONE, 1, 0, T_CSAF, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 0.3, 0, T_CSAF, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, 0, FW_PARTS_ALL, SRC_TRAFFIC, MUST_TRAFFIC, quick ? few : T);
		for (int c = 2; c <= (quick ? 3 : 4); c++)
			for (size_t i = 0; i < 5; i++)
				add(P, c, strats[i], 1, 0, 0, FW_PARTS_ALL, SRC_COPY,
				    c == 2 ? MUST_COLLUDE2 : MUST_NONE, c == 2 ? T : few);
		add(P, 2, STRAT_INTERLEAVE, 0.5, 0, 0, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 2, STRAT_MAJORITY, 0.5, 1, 0, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 2, STRAT_RANDOM, 1, 0, T_WS | T_UNICODE | T_REFORMAT, FW_PARTS_ALL, SRC_COPY,
		    MUST_NONE, few);
		add(P, 2, STRAT_MINORITY, 1, 0, T_FLIPS, FW_PARTS_ALL, SRC_COPY, MUST_NONE, few);
		add(P, 1, STRAT_NONE, 1, 0, 0, FW_PARTS_ALL, SRC_UNRELATED, MUST_NONE, T);
	}
	for (size_t i = 0; i < nscen; i++)
		if (scen[i].partners > max_partners)
			max_partners = scen[i].partners;
	return 0;
}

/* The advisory trial t of scenario s uses: in turn among those that have what the scenario needs. */
static const struct advisory *pick_advisory(const struct scenario *s, int t)
{
	const struct advisory *ok[EVAL_MAX_ADV];
	size_t n = 0;

	for (size_t i = 0; i < corpus.nadv; i++) {
		const struct advisory *a = &corpus.adv[i];
		if ((s->src == SRC_TRAFFIC && a->poc != POC_PYTHON) ||
		    ((s->transforms & T_REFORMAT) && a->poc != POC_C) ||
		    (s->parts == PARTS_POC && a->poc == POC_NONE))
			continue;
		ok[n++] = a;
	}
	return n ? ok[(size_t)t % n] : NULL;
}

/* The text a leaker has of the parts in mask, as a reader copies it: parts one after the other. */
static int assemble(const struct fw_revision *rev, unsigned mask, struct fw_buf *out)
{
	int r = 0;

	for (int p = 0; r == 0 && p < FW_PART_COUNT; p++)
		if ((mask & (1u << p)) && rev->parts[p])
			r = fw_buf_printf(out, "%s%s", out->len ? "\n\n" : "", rev->parts[p]);
	return r;
}

/*
 * EVAL_DEBUG=1 in the environment: every lone leaker missed, and every position misread (read as a value no
 * leaker's copy holds, slot flips aside) with its slot, on stderr; the first 50 such texts go to
 * /tmp/eval-misread-N.txt. For finding out why a scenario does worse than it should.
 */
static void debug_trace(const struct advisory *a, const char *text, size_t len, const size_t *coll, int c,
                        const struct work *w, size_t seen, double thr)
{
	static atomic_int nfile;
	size_t sn = (size_t)(cur - scen);

	if (c == 1 && cur->src == SRC_COPY && w->scores[coll[0]] < thr)
		fprintf(stderr, "missed %s scenario %zu: %zu positions, leaker score %.1f, threshold %.1f\n",
		        a->id, sn, seen, seen ? w->scores[coll[0]] : 0.0, thr);
	if (cur->transforms & T_FLIPS)
		return;
	for (int p = 0; p < FW_PART_COUNT; p++)
		for (size_t q = 0; q < a->part[p].nslots; q++) {
			const struct slot *sl = &a->part[p].slots[q];
			unsigned read = 0, held = 0;
			char fn[64];
			FILE *f;
			int k;

			for (unsigned b = 0; b < sl->k; b++) {
				unsigned char y = w->obs[sl->feat + b];
				int ok = y == FW_TARDOS_UNSEEN;
				for (int l = 0; l < c && !ok; l++)
					ok = w->words[l][sl->feat + b] == y;
				held |= (unsigned)!ok;
				read = read << 1 | (y & 1);
			}
			if (!held)
				continue;
			fprintf(
			    stderr,
			    "misread %s scenario %zu part %s slot %zu (%u features): read %u, leaker's %u\n",
			    a->id, sn, fw_part_name((enum fw_part)p), q, sl->k, read,
			    slot_value(w->words[0], sl));
			k = atomic_fetch_add(&nfile, 1);
			snprintf(fn, sizeof(fn), "/tmp/eval-misread-%d.txt", k);
			if (k < 50 && (f = fopen(fn, "wb")) != NULL) {
				fprintf(stderr, "  text in %s\n", fn);
				fwrite(text, 1, len, f);
				fclose(f);
			}
		}
}

/*
 * trace: what fw_ops_trace decides for one advisory (lib/ops/trace.c): the text's observation, read without
 * any codeword, the accusation threshold at FW_TARDOS_ACCUSE_EPS over the observed positions, and the score
 * of every one of the P partners. Timed from the raw text to the last score. coll: the c leakers (c may be
 * 0).
 */
static int trace(const struct advisory *a, const unsigned char *key, const char *text, size_t len, size_t P,
                 const size_t *coll, int c, struct work *w, struct trial_out *o)
{
	struct fw_template_text *x = NULL;
	double t0 = now_s(), c0 = thread_cpu_s(), thr = INFINITY;
	size_t seen = 0;
	int r;

	r = fw_tardos_biases(key, a->code, a->m, w->biases);
	if (r == 0)
		r = fw_template_text_new(text, len, &x);
	if (r == 0)
		r = fw_fingerprint_observe(a->fp, x, w->obs);
	fw_template_text_free(x);
	if (r == 0)
		seen = fw_tardos_observed(w->obs, a->m);
	if (r == 0 && seen)
		r = fw_tardos_threshold(w->obs, w->biases, a->m, FW_TARDOS_ACCUSE_EPS, &thr);
	if (r == 0 && seen)
		r = fw_tardos_score_partners(key, a->code, (const char *const *)ids, P, w->biases, w->obs,
		                             a->m, w->scores);
	o->ms += 1e3 * (now_s() - t0);
	o->cpu_ms += 1e3 * (thread_cpu_s() - c0);
	if (r < 0)
		return r;
	o->observed += seen;
	o->innocents += P - (size_t)c;
	/* A misread: a position read as a value that none of the leakers' copies holds there. */
	for (size_t i = 0; c && i < a->m; i++) {
		int held = w->obs[i] == FW_TARDOS_UNSEEN;
		for (int k = 0; k < c && !held; k++)
			held = w->words[k][i] == w->obs[i];
		o->misread += !held;
	}
	if (c && cur && getenv("EVAL_DEBUG"))
		debug_trace(a, text, len, coll, c, w, seen, thr);
	for (size_t j = 0; seen && j < P; j++) {
		int is_coll = 0;
		for (int k = 0; k < c; k++)
			is_coll |= coll[k] == j;
		if (w->scores[j] < thr)
			continue;
		if (is_coll)
			o->detected = 1;
		else
			o->false_acc++;
	}
	return 0;
}

static void release_revs(struct fw_revision *v, int n)
{
	for (int i = 0; i < n; i++)
		fw_revision_release(&v[i]);
}

/* One trial of scenario s: its own key (so its own codewords), leakers, attack, and the trace. */
static int run_trial(const struct scenario *s, int t, struct work *w, struct trial_out *o)
{
	struct fw_revision copies[EVAL_MAX_COLLUDERS], leak;
	const struct advisory *a = pick_advisory(s, t);
	unsigned char key[FW_KEY_BYTES];
	size_t coll[EVAL_MAX_COLLUDERS];
	struct fw_buf text, tmp;
	struct rng g;
	int r = 0, c = s->colluders;

	memset(o, 0, sizeof(*o));
	cur = s;
	rng_seed(&g, seed, (uint64_t)(s - scen), (uint64_t)t);
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)rng_next(&g);
	if (s->src == SRC_UNRELATED) { /* every advisory against one unrelated text: nobody may be named */
		const char *u = corpus.unrelated[(size_t)t % corpus.nunrelated];
		for (size_t i = 0; r == 0 && i < corpus.nadv; i++)
			r = trace(&corpus.adv[i], key, u, strlen(u), s->partners, NULL, 0, w, o);
		o->observed /= corpus.nadv;
		return r;
	}
	if (!a)
		return 1;
	for (int k = 0; k < c; k++) { /* distinct leakers */
		int dup;
		do {
			coll[k] = rng_below(&g, s->partners);
			dup = 0;
			for (int l = 0; l < k; l++)
				dup |= coll[l] == coll[k];
		} while (dup);
	}
	memset(copies, 0, sizeof(copies));
	memset(&leak, 0, sizeof(leak));
	fw_buf_init(&text, 0);
	fw_buf_init(&tmp, 0);
	/* The colluders' own copies, as the server renders them for each. */
	for (int k = 0; r == 0 && k < c; k++)
		r = render_server(a, key, ids[coll[k]], &copies[k]);
	/* Their codewords: for the per-slot strategies, and to count misreads. */
	if (r == 0)
		r = fw_tardos_biases(key, a->code, a->m, w->biases);
	for (int k = 0; r == 0 && k < c; k++)
		r = codeword(a, key, w->biases, ids[coll[k]], w->words[k]);
	if (r == 0 && (s->strat == STRAT_MAJORITY || s->strat == STRAT_MINORITY || s->strat == STRAT_RANDOM ||
	               (s->transforms & T_FLIPS))) {
		{
			if (c > 1)
				collude_slots(a, s->strat, w->words, (size_t)c, &g, w->bits);
			else
				memcpy(w->bits, w->words[0], a->m);
			if (s->transforms & T_FLIPS)
				flip_slots(a, 0.05, &g, w->bits);
			r = render_bits(a, w->bits, &leak);
		}
	} else if (r == 0 && c > 1) { /* interleave, splice: part by part, on the copies' bytes */
		for (int p = 0; r == 0 && p < FW_PART_COUNT; p++) {
			const char *v[EVAL_MAX_COLLUDERS];
			if (!copies[0].parts[p])
				continue;
			for (int k = 0; k < c; k++)
				v[k] = copies[k].parts[p];
			fw_buf_reset(&tmp);
			r = collude_text(s->strat, v, (size_t)c, &g, &tmp);
			if (r == 0)
				r = fw_buf_steal(&tmp, &leak.parts[p], NULL);
		}
	} else {
		leak = copies[0];
		memset(&copies[0], 0, sizeof(copies[0]));
	}
	if (r == 0 && (s->transforms & T_REFORMAT) && leak.parts[FW_PART_POC]) {
		fw_buf_reset(&tmp);
		r = reformat_c(leak.parts[FW_PART_POC], strlen(leak.parts[FW_PART_POC]), tmpdir, &tmp);
		free(leak.parts[FW_PART_POC]);
		leak.parts[FW_PART_POC] = NULL;
		if (r == 0)
			r = fw_buf_steal(&tmp, &leak.parts[FW_PART_POC], NULL);
	}
	if (r == 0 && s->src == SRC_TRAFFIC)
		r = run_poc_python(leak.parts[FW_PART_POC], tmpdir, &text);
	else if (r == 0 && (s->transforms & T_CSAF))
		r = render_csaf(a, ids[coll[0]], &leak, &text);
	else if (r == 0)
		r = assemble(&leak, s->parts, &text);
	if (r == 0 && s->frac < 1) {
		fw_buf_reset(&tmp);
		r = fragment(text.data, text.len, s->frac, s->scattered, &g, &tmp);
		fw_buf_reset(&text);
		if (r == 0)
			r = fw_buf_append(&text, tmp.data ? tmp.data : "", tmp.len);
	}
	if (r == 0 && (s->transforms & T_UNICODE)) {
		fw_buf_reset(&tmp);
		r = normalise_unicode(text.data, text.len, &tmp);
		fw_buf_reset(&text);
		if (r == 0)
			r = fw_buf_append(&text, tmp.data ? tmp.data : "", tmp.len);
	}
	if (r == 0 && (s->transforms & T_WS)) {
		fw_buf_reset(&tmp);
		r = normalise_ws(text.data, text.len, &tmp);
		fw_buf_reset(&text);
		if (r == 0)
			r = fw_buf_append(&text, tmp.data ? tmp.data : "", tmp.len);
	}
	if (r == 0)
		r = trace(a, key, text.data ? text.data : "", text.len, s->partners, coll, c, w, o);
	release_revs(copies, c);
	fw_revision_release(&leak);
	fw_buf_release(&text);
	fw_buf_release(&tmp);
	return r;
}

static void *worker(void *arg)
{
	struct work w;
	size_t mmax = 1;

	(void)arg;
	for (size_t i = 0; i < corpus.nadv; i++)
		if (corpus.adv[i].m > mmax)
			mmax = corpus.adv[i].m;
	memset(&w, 0, sizeof(w));
	w.obs = malloc(mmax);
	w.bits = malloc(mmax);
	w.biases = malloc(mmax * sizeof(double));
	w.scores = malloc(max_partners * sizeof(double));
	for (int k = 0; k < EVAL_MAX_COLLUDERS; k++)
		w.words[k] = malloc(mmax);
	for (;;) {
		size_t j = atomic_fetch_add(&next_job, 1);
		struct scenario *s;
		struct trial_out o;
		int t, r;

		if (j >= njobs)
			break;
		s = &scen[job_scen[j]];
		t = (int)job_trial[j];
		r = w.obs && w.bits && w.biases && w.scores && w.words[EVAL_MAX_COLLUDERS - 1]
		        ? run_trial(s, t, &w, &o)
		        : -1;
		if (r != 0) {
			/* A trial that could not run (a tool failed) counts as neither caught nor innocent.
			 */
			atomic_fetch_add(&failed_trials, 1);
			continue;
		}
		s->ok[t] = 1;
		s->detected[t] = (unsigned char)o.detected;
		s->false_acc[t] = o.false_acc;
		s->innocents[t] = o.innocents;
		s->observed[t] = o.observed;
		s->misread[t] = o.misread;
		s->ms[t] = o.ms;
		s->cpu_ms[t] = o.cpu_ms;
	}
	free(w.obs);
	free(w.bits);
	free(w.biases);
	free(w.scores);
	for (int k = 0; k < EVAL_MAX_COLLUDERS; k++)
		free(w.words[k]);
	return NULL;
}

struct tally {
	size_t trials, detected, false_acc, innocents, observed, misread;
};

static void tally(const struct scenario *s, struct tally *t)
{
	for (int i = 0; i < s->trials; i++) {
		if (!s->ok[i])
			continue;
		t->trials++;
		t->detected += s->detected[i];
		t->false_acc += s->false_acc[i];
		t->innocents += s->innocents[i];
		t->observed += s->observed[i];
		t->misread += s->misread[i];
	}
}

static void describe(const struct scenario *s, char frag[32], char tr[64])
{
	static const char *const names[] = {"ws", "unicode", "clang-format", "5%-flips", "csaf-json"};
	size_t n = 0;

	if (s->src == SRC_TRAFFIC)
		snprintf(frag, 32, "PoC HTTP requests");
	else if (s->src == SRC_UNRELATED)
		snprintf(frag, 32, "unrelated texts");
	else if (s->frac >= 1)
		snprintf(frag, 32, "whole%s",
		         s->parts == PARTS_POC     ? " PoC"
		         : s->parts == PARTS_PROSE ? " prose"
		                                   : "");
	else
		snprintf(frag, 32, "%d%% %s%s", (int)lround(100 * s->frac),
		         s->scattered ? "scattered" : "contiguous", s->parts == PARTS_PROSE ? " prose" : "");
	tr[0] = '\0';
	for (int i = 0; i < 5; i++)
		if (s->transforms & (1u << i))
			n += (size_t)snprintf(tr + n, 64 - n, "%s%s", n ? "+" : "", names[i]);
	if (!n)
		snprintf(tr, 64, "none");
}

/*
 * Cross-check with the real fw_ops_trace: the advisories released to 100 partners in a SQLite store, and a
 * few leaks traced by both; the accused sets must be the same. Returns the number of disagreements, or -1.
 */
static int cross_check(int n)
{
	struct fw_tier tiers[FW_MAX_TIERS];
	struct fw_store *st = NULL;
	struct fw_data_key *dk = NULL;
	struct fw_error err = {{0}, {0}};
	unsigned char key[FW_KEY_BYTES];
	int64_t now = 1767225600, next;
	size_t P = 100, delivered = 0;
	int r, bad = 0;
	struct work w;
	size_t mmax = 1;

	for (size_t i = 0; i < corpus.nadv; i++)
		if (corpus.adv[i].m > mmax)
			mmax = corpus.adv[i].m;
	memset(key, 0x42, sizeof(key));
	r = fw_store_open("sqlite::memory:", 0, &st, &err);
	if (r == 0)
		r = fw_data_key_generate(&dk);
	if (r == 0)
		r = fw_store_set_data_key(st, dk, &err);
	if (r == 0)
		r = fw_ops_tiers_set(st, "eval", tiers, fw_default_tiers(tiers), now, &err);
	if (r == 0)
		r = fw_store_begin(st);
	for (size_t i = 0; r == 0 && i < P; i++) {
		struct fw_partner p;
		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "%s", ids[i]);
		snprintf(p.name, sizeof(p.name), "Partner %zu", i);
		memcpy(p.country, "DE", 3);
		snprintf(p.tier, sizeof(p.tier), "vetted");
		p.entitlements = FW_PARTS_ALL;
		p.created_at = p.updated_at = now;
		r = fw_store_partner_insert(st, &p);
	}
	if (r == 0)
		r = fw_store_commit(st);
	for (size_t i = 0; r == 0 && i < corpus.nadv; i++) {
		struct fw_advisory a = corpus.adv[i].meta;
		struct fw_revision rev = corpus.adv[i].rev;
		r = fw_ops_advisory_create(st, "eval", &a, &rev, now + 3600, now, &err);
	}
	if (r == 0)
		r = fw_ops_release_due(st, now, &next, &delivered);
	if (r < 0) {
		fprintf(stderr, "bench_eval: cross-check store: %s %s %s\n", fw_strerror(r), err.field,
		        err.message);
		fw_store_free(st);
		fw_data_key_free(dk);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	w.obs = malloc(mmax);
	w.words[0] = malloc(mmax);
	w.biases = malloc(mmax * sizeof(double));
	w.scores = malloc(P * sizeof(double));
	if (!w.obs || !w.words[0] || !w.biases || !w.scores)
		r = FW_ENOMEM;
	for (int t = 0; r == 0 && t < n; t++) {
		const struct advisory *a = &corpus.adv[(size_t)t % corpus.nadv];
		struct fw_revision copy;
		struct fw_buf text, frag;
		struct fw_trace_result res;
		struct trial_out o;
		struct rng g;
		size_t leaker, coll[1], mine = 0;

		rng_seed(&g, seed, 999, (uint64_t)t);
		leaker = rng_below(&g, P);
		coll[0] = leaker;
		memset(&copy, 0, sizeof(copy));
		fw_buf_init(&text, 0);
		fw_buf_init(&frag, 0);
		r = render_server(a, key, ids[leaker], &copy);
		if (r == 0)
			r = fw_tardos_biases(key, a->code, a->m, w.biases);
		if (r == 0)
			r = codeword(a, key, w.biases, ids[leaker], w.words[0]);
		if (r == 0)
			r = assemble(&copy, FW_PARTS_ALL, &text);
		/* Whole copies, 30% and 10% fragments, and unrelated texts in turn. */
		if (r == 0 && t % 4 == 3 && corpus.nunrelated) {
			fw_buf_reset(&text);
			r = fw_buf_puts(&text, corpus.unrelated[(size_t)t / 4 % corpus.nunrelated]);
		} else if (r == 0 && t % 4) {
			r = fragment(text.data, text.len, t % 4 == 1 ? 0.3 : 0.1, 0, &g, &frag);
			fw_buf_reset(&text);
			if (r == 0)
				r = fw_buf_append(&text, frag.data ? frag.data : "", frag.len);
		}
		memset(&o, 0, sizeof(o));
		memset(&res, 0, sizeof(res));
		if (r == 0)
			r = trace(a, key, text.data ? text.data : "", text.len, P, coll, 1, &w, &o);
		if (r == 0)
			r = fw_ops_trace(st, key, text.data ? text.data : "", text.len, NULL, &res, &err);
		if (r == 0) {
			int leaker_named = 0;
			for (size_t k = 0; k < res.naccused; k++)
				if (strcmp(res.accused[k].partner_id, ids[leaker]) == 0)
					leaker_named = 1;
			mine = (size_t)o.detected + o.false_acc;
			/* An unrelated text may match another advisory best: then nobody is named by either.
			 */
			if (res.naccused != mine || leaker_named != o.detected ||
			    (res.advisory_id[0] && res.naccused && strcmp(res.advisory_id, a->id) != 0)) {
				fprintf(stderr,
				        "bench_eval: cross-check %d (%s): fw_ops_trace names %zu (%s), the "
				        "harness %zu\n",
				        t, a->id, res.naccused,
				        leaker_named ? "the leaker" : "not the leaker", mine);
				bad++;
			}
		}
		fw_trace_result_release(&res);
		fw_revision_release(&copy);
		fw_buf_release(&text);
		fw_buf_release(&frag);
	}
	free(w.obs);
	free(w.words[0]);
	free(w.biases);
	free(w.scores);
	fw_store_free(st);
	fw_data_key_free(dk);
	return r < 0 ? -1 : bad;
}

/* --dump: one partner's copy and its derived leaks, to look at (and to seed fuzz corpora). */
static int dump(const char *dir)
{
	unsigned char key[FW_KEY_BYTES];
	int r = 0;

	memset(key, 0x42, sizeof(key));
	for (size_t i = 0; r == 0 && i < corpus.nadv; i++) {
		const struct advisory *a = &corpus.adv[i];
		struct fw_revision copy;
		struct fw_buf b, f;
		struct rng g;
		char path[1024];
		FILE *out;
		const char *what[] = {"copy.txt", "csaf.json", "fragment30.txt", "traffic.txt"};

		memset(&copy, 0, sizeof(copy));
		rng_seed(&g, seed, 7, i);
		r = render_server(a, key, ids[1], &copy);
		for (int k = 0; r == 0 && k < 4; k++) {
			fw_buf_init(&b, 0);
			fw_buf_init(&f, 0);
			if (k == 3 && (a->poc != POC_PYTHON || !have_python)) {
				fw_buf_release(&b);
				continue;
			}
			r = k == 1   ? render_csaf(a, ids[1], &copy, &b)
			    : k == 3 ? run_poc_python(copy.parts[FW_PART_POC], tmpdir, &b)
			             : assemble(&copy, FW_PARTS_ALL, &b);
			if (r == 0 && k == 2)
				r = fragment(b.data, b.len, 0.3, 0, &g, &f);
			snprintf(path, sizeof(path), "%s/%s-%s", dir, a->id, what[k]);
			out = r == 0 ? fopen(path, "wb") : NULL;
			if (out) {
				const struct fw_buf *w = k == 2 ? &f : &b;
				if (w->len)
					fwrite(w->data, 1, w->len, out);
				fclose(out);
				printf("%s\n", path);
			} else {
				r = -1;
			}
			fw_buf_release(&b);
			fw_buf_release(&f);
		}
		fw_revision_release(&copy);
	}
	return r;
}

int main(int argc, char **argv)
{
	const char *data = FW_EVAL_DATA, *dump_dir = NULL;
	int quick = 0, trials = 0, jobs = 2, rc = 0, xcheck;
	size_t only = 0;
	pthread_t th[16];
	struct tally all = {0}, unrel = {0}, must[4] = {{0}}, must_min[4];
	double t0, ms10k[4096], cpu10k[4096];
	int n10k = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else if (strcmp(argv[i], "--partners") == 0 && v) {
			only = strtoul(v, NULL, 10), i++;
		} else if (strcmp(argv[i], "--trials") == 0 && v) {
			trials = atoi(v), i++;
		} else if (strcmp(argv[i], "--seed") == 0 && v) {
			seed = strtoull(v, NULL, 10), i++;
		} else if (strcmp(argv[i], "--jobs") == 0 && v) {
			jobs = atoi(v), i++;
		} else if (strcmp(argv[i], "--data") == 0 && v) {
			data = v, i++;
		} else if (strcmp(argv[i], "--dump") == 0 && v) {
			dump_dir = v, i++;
		} else {
			usage(strcmp(argv[i], "--help") == 0 ? stdout : stderr);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* each line as it comes, also into a pipe */
	if (jobs < 1 || jobs > 16 || trials < 0 || trials > 100000 ||
	    (only && (only < 5 || only > 1000000))) {
		usage(stderr);
		return 2;
	}
	if (!trials)
		trials = quick ? 100 : 200;
	if (fw_crypto_init() < 0 || corpus_load(&corpus, data) < 0)
		return 1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/fw-eval-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("bench_eval: mkdtemp");
		return 1;
	}
	have_clang_format = tool_available("clang-format");
	have_python = tool_available("python3");
	if (plan(quick, only, trials) < 0)
		return 1;
	if (max_partners < 100)
		max_partners = 100; /* the cross-check's store */
	ids = malloc(max_partners * sizeof(*ids));
	for (size_t j = 0; ids && j < max_partners; j++) {
		ids[j] = malloc(32);
		if (!ids[j])
			return 1;
		snprintf(ids[j], 32, "partner-%05zu", j);
	}
	if (!ids)
		return 1;
	if (dump_dir) {
		rc = dump(dump_dir) < 0;
		goto out;
	}
	printf("leak-tracing evaluation: %zu advisories, %zu unrelated texts, seed %llu%s\n", corpus.nadv,
	       corpus.nunrelated, (unsigned long long)seed, quick ? ", quick" : "");
	for (size_t i = 0; i < corpus.nadv; i++) {
		const struct advisory *a = &corpus.adv[i];
		printf(
		    "  %-22s %4zu code positions (summary %zu, details %zu, detection %zu, PoC %zu in %s)\n",
		    a->id, a->m, a->part[0].features, a->part[1].features, a->part[2].features,
		    a->part[3].features,
		    a->poc == POC_C        ? "C"
		    : a->poc == POC_PYTHON ? "Python"
		                           : "-");
	}
	if (!have_clang_format || !have_python)
		printf("  missing %s%s%s: those scenarios are skipped (scripts/install-deps.sh --bench)\n",
		       have_clang_format ? "" : "clang-format",
		       !have_clang_format && !have_python ? ", " : "", have_python ? "" : "python3");
	/* The jobs: every trial of every scenario that can run here. */
	for (size_t i = 0; i < nscen; i++)
		njobs += (size_t)scen[i].trials;
	job_scen = malloc(njobs * sizeof(*job_scen));
	job_trial = malloc(njobs * sizeof(*job_trial));
	njobs = 0;
	for (size_t i = 0; job_scen && job_trial && i < nscen; i++) {
		struct scenario *s = &scen[i];
		int skip = (s->src == SRC_TRAFFIC && !have_python) ||
		           ((s->transforms & T_REFORMAT) && !have_clang_format) ||
		           (s->src == SRC_UNRELATED && !corpus.nunrelated) ||
		           (s->src != SRC_UNRELATED && !pick_advisory(s, 0));
		s->detected = calloc((size_t)s->trials, 1);
		s->ok = calloc((size_t)s->trials, 1);
		s->false_acc = calloc((size_t)s->trials, sizeof(size_t));
		s->innocents = calloc((size_t)s->trials, sizeof(size_t));
		s->observed = calloc((size_t)s->trials, sizeof(size_t));
		s->misread = calloc((size_t)s->trials, sizeof(size_t));
		s->ms = calloc((size_t)s->trials, sizeof(double));
		s->cpu_ms = calloc((size_t)s->trials, sizeof(double));
		if (!s->detected || !s->ok || !s->false_acc || !s->innocents || !s->observed || !s->misread ||
		    !s->ms)
			return 1;
		for (int t = 0; !skip && t < s->trials; t++) {
			job_scen[njobs] = i;
			job_trial[njobs++] = (size_t)t;
		}
	}
	t0 = now_s();
	for (int k = 0; k < jobs; k++)
		if (pthread_create(&th[k], NULL, worker, NULL) != 0)
			return 1;
	for (int k = 0; k < jobs; k++)
		pthread_join(th[k], NULL);

	printf("\n%8s %4s %-10s %-22s %-26s %6s %8s %9s %7s %s\n", "partners", "coll", "strategy", "leak",
	       "transforms", "trials", "detected", "positions", "misread",
	       "false accusations / innocent trials");
	for (int k = 0; k < 4; k++)
		must_min[k] =
		    (struct tally){0, 1, 0, 0, 0, 0}; /* lowest detection rate over a claim's scenarios */
	for (size_t i = 0; i < nscen; i++) {
		struct scenario *s = &scen[i];
		struct tally t = {0};
		char frag[32], tr[64], rate[16];

		tally(s, &t);
		describe(s, frag, tr);
		if (!t.trials) {
			printf("%8zu %4d %-10s %-22s %-26s %6s (not run: a tool is missing or the trials "
			       "failed)\n",
			       s->partners, s->colluders, strategy_name(s->strat), frag, tr, "-");
			continue;
		}
		if (s->src == SRC_UNRELATED)
			snprintf(rate, sizeof(rate), "-");
		else
			snprintf(rate, sizeof(rate), "%.1f%%", 100.0 * (double)t.detected / (double)t.trials);
		printf("%8zu %4d %-10s %-22s %-26s %6zu %8s %9.1f %7.1f %zu / %zu\n", s->partners,
		       s->src == SRC_UNRELATED ? 0 : s->colluders, strategy_name(s->strat), frag, tr,
		       t.trials, rate, (double)t.observed / (double)t.trials,
		       s->src == SRC_UNRELATED ? 0.0 : (double)t.misread / (double)t.trials, t.false_acc,
		       t.innocents);
		all.false_acc += t.false_acc;
		all.innocents += t.innocents;
		all.trials += t.trials;
		if (s->src == SRC_UNRELATED) {
			unrel.trials += t.trials;
			unrel.false_acc += t.false_acc;
			unrel.innocents += t.innocents;
			unrel.observed += t.observed;
		}
		if (s->must) {
			struct tally *m = &must[s->must];
			m->trials += t.trials;
			m->detected += t.detected;
			if ((double)t.detected * (double)must_min[s->must].trials <
			    (double)must_min[s->must].detected * (double)t.trials)
				must_min[s->must] = t;
		}
		for (int k = 0; s->partners >= 10000 && s->src == SRC_COPY && k < s->trials && n10k < 4096;
		     k++)
			if (s->ok[k]) {
				ms10k[n10k] = s->ms[k];
				cpu10k[n10k++] = s->cpu_ms[k];
			}
	}
	printf("\n(%.0f s with %d threads; %d trials could not run)\n", now_s() - t0, jobs,
	       atomic_load(&failed_trials));
	xcheck = cross_check(quick ? 12 : 24);
	printf("cross-check with fw_ops_trace on a SQLite store, 100 partners: %s\n",
	       xcheck == 0  ? "same accusations on every leak"
	       : xcheck < 0 ? "could not run"
	                    : "DISAGREES");
	rc |= xcheck != 0;

	printf("\nclaims:\n");
	printf("  no false accusation: %zu in %zu innocent trials (every innocent partner scored in every "
	       "trial); "
	       "%s\n",
	       all.false_acc, all.innocents, all.false_acc == 0 && all.innocents >= 10000 ? "PASS" : "FAIL");
	rc |= all.false_acc != 0 || all.innocents < 10000;
	printf("    of which unrelated texts: %zu false accusations in %zu trials (each text against every "
	       "advisory: "
	       "%zu innocent trials), %.1f positions read on average\n",
	       unrel.false_acc, unrel.trials, unrel.innocents,
	       unrel.trials ? (double)unrel.observed / (double)unrel.trials : 0.0);
	{
		static const char *const what[] = {
		    "", "lone leaker, 30% fragment (contiguous and scattered)",
		    "2 colluders, whole copy, at least one caught (5 strategies)",
		    "lone leaker, HTTP requests of one PoC run"};
		static const double target[] = {0, 0.99, 0.90, 0.99};
		for (int k = 1; k < 4; k++) {
			double rate = must[k].trials ? (double)must[k].detected / (double)must[k].trials : 0,
			       low = must_min[k].trials
			                 ? (double)must_min[k].detected / (double)must_min[k].trials
			                 : 0;
			int pass = must[k].trials && low >= target[k];
			printf("  %s: %.1f%% of %zu trials (lowest scenario %.1f%%), target >= %.0f%%: %s\n",
			       what[k], 100 * rate, must[k].trials, 100 * low, 100 * target[k],
			       must[k].trials ? (pass ? "PASS" : "FAIL") : "NOT RUN");
			rc |= k != 3 ? !pass : (must[k].trials && !pass);
		}
	}
	if (n10k)
		printf("  trace over 10,000 partners in the harness (observe, thresholds, 10,000 scores): "
		       "median %.1f ms "
		       "CPU, %.1f ms wall, over %d traces (target <= 100 ms; through the server: "
		       "bench/trace.sh)\n",
		       median(cpu10k, n10k), median(ms10k, n10k), n10k);
out:
	for (size_t i = 0; i < nscen; i++) {
		free(scen[i].detected);
		free(scen[i].ok);
		free(scen[i].false_acc);
		free(scen[i].innocents);
		free(scen[i].observed);
		free(scen[i].misread);
		free(scen[i].ms);
		free(scen[i].cpu_ms);
	}
	free(scen);
	free(job_scen);
	free(job_trial);
	for (size_t j = 0; ids && j < max_partners; j++)
		free(ids[j]);
	free(ids);
	corpus_free(&corpus);
	rmdir(tmpdir);
	return rc;
}
