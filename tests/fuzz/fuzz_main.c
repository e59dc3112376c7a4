/*
 * fuzz_main.c - runs a libFuzzer target without libFuzzer: every file named
 * on the command line (or, without arguments, every file of the seed corpus)
 * goes through LLVMFuzzerTestOneInput() once. Keeps the harness building and
 * the corpus passing under plain `make check`.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	char *buf;
	size_t len;
	int err = read_file(path, 16u * 1024 * 1024, &buf, &len);

	if (err) {
		fprintf(stderr, "fuzz_main: cannot read '%s': %s\n", path, strerror(-err));
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

static int run_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, bad = 0;

	if (!d) {
		fprintf(stderr, "fuzz_main: cannot open '%s'\n", dir);
		return 1;
	}
	while ((de = readdir(d))) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		bad |= run_file(path);
		free(path);
		n++;
	}
	closedir(d);
	printf("fuzz_main: %d input(s) from '%s'\n", n, dir);
	if (!n) {
		fprintf(stderr, "fuzz_main: '%s' holds no inputs\n", dir);
		return 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return run_dir(CORPUS_DIR);
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);

		if (d) {
			closedir(d);
			bad |= run_dir(argv[i]);
		} else {
			bad |= run_file(argv[i]);
		}
	}
	return bad;
}
