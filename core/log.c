/*
 * log.c - stderr logger with levels and an optional journal priority prefix.
 * Lines are written with one write(2) so concurrent writers do not interleave.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "crmsync";
static int log_threshold = LOG_LVL_INFO;
static int log_journal;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error", [LOG_LVL_WARNING] = "warning", [LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

void log_setup(const char *prog, int level)
{
	log_prog = prog;
	if (level >= LOG_LVL_ERR && level <= LOG_LVL_DEBUG)
		log_threshold = level;
	/* systemd sets JOURNAL_STREAM when stderr is connected to the journal */
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

int log_level(void)
{
	return log_threshold;
}

int log_parse_level(const char *s)
{
	for (int i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void log_vmsg_tagged(int level, const char *tag, const char *fmt, va_list ap)
{
	char line[2048];
	int n = 0;

	if (level > log_threshold)
		return;
	if (level < LOG_LVL_ERR)
		level = LOG_LVL_ERR;
	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;
	if (log_journal)
		n = snprintf(line, sizeof(line), "<%d>", level);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s: %s%s", log_prog,
		      level_names[level], tag ? tag : "", tag ? ": " : "");
	if (n < (int)sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	n = (int)strlen(line);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg_tagged(level, NULL, fmt, ap);
	va_end(ap);
}
