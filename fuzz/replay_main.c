/*
 * Corpus replay: a main() for any libFuzzer driver, so its corpus runs as a plain CTest test with any
 * compiler. Every regular file in the directories (recursively) and files named on the command line goes
 * through LLVMFuzzerTestOneInput once, in sorted order; arguments starting with '-' (libFuzzer flags) are
 * ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_INPUT (16u * 1024 * 1024) /* larger seeds are a mistake, not a test */
#define REPLAY_MAX_DEPTH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_path(const char *path, int depth, size_t *count);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One input in a buffer of exactly its size, so a sanitizer sees any read past the end. */
static int replay_file(const char *path, off_t size, size_t *count)
{
	uint8_t *data;
	size_t n = 0;
	FILE *f;

	if (size < 0 || (uint64_t)size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %u bytes\n", path, REPLAY_MAX_INPUT);
		return -1;
	}
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		fclose(f);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	if (size)
		n = fread(data, 1, (size_t)size, f);
	fclose(f);
	if (n != (size_t)size) {
		free(data);
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	(*count)++;
	return 0;
}

static int replay_dir(const char *path, int depth, size_t *count)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int r = 0;
	DIR *d;

	if (depth >= REPLAY_MAX_DEPTH) {
		fprintf(stderr, "replay: %s: directories nest deeper than %d levels\n", path,
		        REPLAY_MAX_DEPTH);
		return -1;
	}
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') /* ., .., and hidden files such as .gitkeep */
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				r = -1;
				break;
			}
			names = grown;
		}
		names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
		if (!names[n]) {
			r = -1;
			break;
		}
		sprintf(names[n], "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	if (r == 0 && n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (r == 0)
			r = replay_path(names[i], depth + 1, count);
		free(names[i]);
	}
	free(names);
	return r;
}

static int replay_path(const char *path, int depth, size_t *count)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: cannot stat %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_dir(path, depth, count);
	if (S_ISREG(st.st_mode))
		return replay_file(path, st.st_size, count);
	return 0;
}

int main(int argc, char **argv)
{
	size_t count = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (replay_path(argv[i], 0, &count) < 0)
			return 1;
	}
	printf("replayed %zu inputs\n", count);
	return 0;
}
