/*
 * log.h - the core's logger: one line per event on stderr (the journal adds
 * time and unit), with a syslog priority prefix "<N>" when stderr is the
 * journal. Never log a secret.
 */
#ifndef CRMSYNC_LOG_H
#define CRMSYNC_LOG_H

#include <stdarg.h>

enum { LOG_LVL_ERR = 3, LOG_LVL_WARNING = 4, LOG_LVL_NOTICE = 5, LOG_LVL_INFO = 6,
       LOG_LVL_DEBUG = 7 };

void log_setup(const char *prog, int level);
int log_level(void);
/* Parse "error", "warning", "notice", "info", "debug" -> level, or -1. */
int log_parse_level(const char *s);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* tag is e.g. "object/contact(contact)"; may be NULL. */
void log_vmsg_tagged(int level, const char *tag, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
