/*
 * The leak-tracing evaluation harness (bench_eval, docs/evaluation.md): advisories loaded from
 * bench/eval/data and planned with the server's own fingerprinting (corpus.c), the attacks a leaker applies
 * to its copy (attack.c), and the scenarios with their figures (eval.c). Internal to the harness.
 */
#ifndef FW_BENCH_EVAL_H
#define FW_BENCH_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include "forewarn/buf.h"
#include "forewarn/crypto.h"
#include "forewarn/fingerprint.h"
#include "forewarn/model.h"
#include "forewarn/template.h"

#define EVAL_MAX_ADV       8
#define EVAL_MAX_UNRELATED 16
#define EVAL_MAX_COLLUDERS 4

/* A seeded generator (xoshiro256**): every trial draws from its own, so results do not depend on threads. */
struct rng {
	uint64_t s[4];
};
void rng_seed(struct rng *g, uint64_t a, uint64_t b, uint64_t c);
uint64_t rng_next(struct rng *g);
size_t rng_below(struct rng *g, size_t n); /* uniform in [0, n), n > 0 */
double rng_unit(struct rng *g);            /* uniform in [0, 1) */

/* One slot of a part: its first feature (offset in the advisory's codeword) and its k features. */
struct slot {
	size_t feat;
	unsigned k;
};

/* A part as the server plans it (lexicon slots in unmarked prose, the author's in a PoC), its slots listed.
 */
struct part_plan {
	struct fw_template *t; /* NULL when the part is absent */
	size_t offset, features;
	struct slot *slots;
	size_t nslots;
};

enum poc_lang { POC_NONE = 0, POC_C, POC_PYTHON };

struct advisory {
	char id[FW_ID_MAX + 1];
	char code[FW_FINGERPRINT_CODE_MAX]; /* the code name the server uses: "<id>/r1" */
	struct fw_advisory meta;            /* title, CVE, product: for the CSAF copy */
	struct fw_revision rev;             /* the parts as authored (templates and unmarked prose) */
	struct fw_fingerprint *fp;          /* the server's plan of the revision */
	struct part_plan part[FW_PART_COUNT];
	size_t m;
	enum poc_lang poc;
};

struct corpus {
	struct advisory adv[EVAL_MAX_ADV];
	size_t nadv;
	char *unrelated[EVAL_MAX_UNRELATED];
	char unrelated_name[EVAL_MAX_UNRELATED][64];
	size_t nunrelated;
};

/* corpus_load: reads every advisory directory and data/unrelated/ under dir; 0 or -1 with a message. */
int corpus_load(struct corpus *c, const char *dir);
void corpus_free(struct corpus *c);

/* codeword: partner's bits of advisory a under key (m bytes into bits, biases m doubles). 0 or < 0. */
int codeword(const struct advisory *a, const unsigned char key[FW_KEY_BYTES], const double *biases,
             const char *partner, unsigned char *bits);
/* render_server: partner's copy through fw_fingerprint_render, as the server makes it (heap parts into rev).
 */
int render_server(const struct advisory *a, const unsigned char key[FW_KEY_BYTES], const char *partner,
                  struct fw_revision *rev);
/* render_bits: the copy for any codeword bits (after collusion or flips), part by part, same templates. */
int render_bits(const struct advisory *a, const unsigned char *bits, struct fw_revision *rev);
/* slot_value / slot_set: a slot's k features as a number, first feature most significant. */
unsigned slot_value(const unsigned char *bits, const struct slot *s);
void slot_set(unsigned char *bits, const struct slot *s, unsigned v);
/* render_csaf: the partner's CSAF 2.0 document of the copy rev (every part), as the server renders it. */
int render_csaf(const struct advisory *a, const char *partner, const struct fw_revision *rev,
                struct fw_buf *out);

/* Attacks on copy bytes (attack.c). Each appends its result to out; 0, or < 0 on failure. */
enum strategy {
	STRAT_NONE = 0,
	STRAT_INTERLEAVE,
	STRAT_MAJORITY,
	STRAT_MINORITY,
	STRAT_RANDOM,
	STRAT_SPLICE
};
const char *strategy_name(enum strategy s);
/* collude_slots: majority, minority or random per slot where the colluders' copies differ, into bits. */
void collude_slots(const struct advisory *a, enum strategy s, unsigned char *const *words, size_t nwords,
                   struct rng *g, unsigned char *bits);
/* flip_slots: gives a random other variant to each slot with probability frac. */
void flip_slots(const struct advisory *a, double frac, struct rng *g, unsigned char *bits);
/* collude_text: interleave (alternate lines and sentences) or splice (contiguous chunks) of the copies. */
int collude_text(enum strategy s, const char *const *copies, size_t n, struct rng *g, struct fw_buf *out);
/* fragment: frac of text, one contiguous window (scattered = 0) or random sentences and lines. */
int fragment(const char *text, size_t len, double frac, int scattered, struct rng *g, struct fw_buf *out);
/* normalise_ws: collapses whitespace runs and reflows paragraphs to 72 columns. */
int normalise_ws(const char *text, size_t len, struct fw_buf *out);
/* normalise_unicode: NFKC-like folding: typographic quotes, dashes, spaces, ellipses, ligatures to ASCII. */
int normalise_unicode(const char *text, size_t len, struct fw_buf *out);
/* reformat_c: the text through clang-format (another style than the author's); tmpdir for its files. */
int reformat_c(const char *text, size_t len, const char *tmpdir, struct fw_buf *out);
/* run_poc_python: runs the Python PoC against a loopback capture server; appends every request it sent. */
int run_poc_python(const char *poc, const char *tmpdir, struct fw_buf *out);
/* tool_available: 1 if the program runs (clang-format --version, python3 --version). */
int tool_available(const char *prog);

#endif
