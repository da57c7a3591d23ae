/* SPDX-License-Identifier: GPL-2.0-only */
/* printf-style formatting into a buffer (no floating point). */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Supports %d %i %u %x %X %o %p %s %c %%, flags "-0+ #", width and precision
 * (also "*"), and the length modifiers hh h l ll z t j. Always terminates
 * buf when size > 0; returns the length the full text would have.
 *
 * "%pE" prints a NUL-terminated string (const char *) with its control
 * characters escaped: bytes 0x20-0x7e but the backslash as they are, \n \r
 * \t, a backslash as "\\", every other byte (C0, DEL, 0x80-0xff) as \xNN.
 * Width and '-' apply to the escaped text. It is Keel's one way to show
 * text that comes from a guest or a guest node on the operator's terminal
 * (names, paths, backend strings, replies, log lines quoting them): only
 * an attached `console` passes a guest's bytes through raw.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/*
 * "%pE" into a buffer for bytes that need not be terminated: escapes src
 * up to len bytes or its first NUL into dst, which is always terminated
 * (size > 0) and never ends in half an escape. Returns the length written.
 */
size_t fmt_escape(char *dst, size_t size, const void *src, size_t len);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * As fmt_vsnprintf(), but hands the text to emit() in pieces instead of
 * storing it, so output of any length is never truncated. Returns the
 * total length emitted.
 */
typedef void (*fmt_emit_fn)(const char *text, size_t len, void *ctx);
int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap);

#endif
