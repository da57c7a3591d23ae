/* SPDX-License-Identifier: GPL-2.0-only */
/* The host console: one output device, and a receive queue fed by its IRQ. */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/types.h>

struct console_ops {
	const char *name;
	void (*putc)(char c);       /* polled; waits until the byte is queued */
};

/* Makes ops the console; text logged before this is written out first. */
void console_register(const struct console_ops *ops);
/* Writes text, turning "\n" into "\r\n"; safe from any CPU. */
void console_write(const char *s, size_t len);
/* The same for a log line: after a guest's bare "\r" (its "\n" not yet
 * written) it moves down a line first, so as not to overwrite the guest's
 * line; in the middle of a line it follows the guest's text. */
void console_write_line(const char *s, size_t len);
/* Ends a half-written line, if the last byte written left one. */
void console_start_line(void);
/* Writes bytes as they are: a guest's output, with its own line endings. */
void console_write_raw(const char *s, size_t len);
/* Called by the console driver's receive interrupt for every byte. */
void console_rx_push(char c);
/* Returns the next received byte, or -1 when none is waiting. */
int console_getc(void);
/* Waits (idle, interrupts on) until a byte arrives and returns it. */
int console_getc_wait(void);

#endif
