/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the program's lines go. As PID 1 it writes to /dev/console (the
 * kernel's console, ttyAMA0), which it opens itself with O_NOCTTY so that
 * the console never becomes init's controlling terminal: the shell takes
 * ttyAMA0 as its own later. Lines end in a bare "\n"; the tty's ONLCR turns
 * it into "\r\n", so the text must not add a "\r" of its own.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "init.h"

static FILE *console;
static const char *console_prefix = "";

void console_open(const char *prefix)
{
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	console_prefix = prefix;
	/*
	 * The kernel already gave init /dev/console as fd 1; that is the
	 * fallback when the node cannot be opened (an initramfs without it).
	 */
	console = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!console)
		console = stdout;
	setvbuf(console, NULL, _IOLBF, 0);
}

void console_use_stdout(const char *prefix)
{
	console_prefix = prefix;
	console = stdout;
	setvbuf(console, NULL, _IOLBF, 0);
}

void console_print(const char *fmt, ...)
{
	va_list ap;

	if (!console)
		console = stdout;
	fputs(console_prefix, console);
	va_start(ap, fmt);
	vfprintf(console, fmt, ap);
	va_end(ap);
	fputc('\n', console);
	fflush(console);
}

void console_flush(void)
{
	fflush(NULL);
}
