/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console printing and the boot log.
 *
 * kprintf() writes to the console only (command output). log_*() messages
 * are stamped with the time since boot, kept in the log ring buffer (shown
 * by the `log` command) and echoed to the console.
 */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#include <stdarg.h>
#include <keel/types.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void kprintf(const char *fmt, ...) __printf(1, 2);
void kvprintf(const char *fmt, va_list ap);

void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);
#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* Calls emit() with the kept log text in order, oldest first, in pieces. */
void log_replay(void (*emit)(const char *text, size_t len, void *ctx), void *ctx);

/* Stops every CPU after printing the message; for Keel's own bugs only. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                       \
	do {                                                               \
		if (unlikely(cond))                                        \
			panic("BUG: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
