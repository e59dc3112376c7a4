/*
 * fuzz_config.c - libFuzzer target over the INI parser: config_parse_buffer()
 * on arbitrary bytes, without loading plugins. Any crash, sanitizer report or
 * leak is a bug in the parser. Built by `make fuzz` (clang, libFuzzer,
 * ASan+UBSan) and, with fuzz_main.c, as an ordinary test over the corpus.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cfg.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = { 0 };
	struct config cfg;
	int err;

	err = config_parse_buffer(&cfg, "fuzz.conf", (const char *)data, size, &errs);
	/* a refusal always says why; an acceptance says nothing */
	if ((err != 0) != (errs.total != 0))
		__builtin_trap();
	for (size_t i = 0; i < errs.n; i++)
		if (strncmp(errs.msg[i], "fuzz.conf:", 10) != 0)
			__builtin_trap();
	config_release(&cfg);
	errlist_release(&errs);
	return 0;
}
