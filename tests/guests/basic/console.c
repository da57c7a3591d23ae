/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Console output: a small printf (%c %s %d %i %u %x %p, flags 0 and -, a
 * width, length modifiers l ll z) and whole lines that start with "basic: ".
 */
#include "arch.h"

/* Where formatted text goes: the console when buf is NULL. */
struct sink {
	char *buf;
	size_t size;
	size_t used;
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf) {
		/* Terminals need "\r\n" to return to column 0. */
		if (c == '\n')
			arch_console_putc('\r');
		arch_console_putc(c);
		return;
	}
	if (s->used + 1 < s->size)
		s->buf[s->used++] = c;
}

static void sink_put_padded(struct sink *s, const char *text, size_t len,
			    unsigned int width, bool left, char pad)
{
	size_t fill = width > len ? width - len : 0;

	if (!left)
		while (fill--)
			sink_put(s, pad);
	for (size_t i = 0; i < len; i++)
		sink_put(s, text[i]);
	if (left)
		while (fill--)
			sink_put(s, ' ');
}

static void sink_put_number(struct sink *s, uint64_t value, unsigned int base,
			    bool negative, unsigned int width, bool left,
			    char pad)
{
	char digits[24];
	char text[24];
	size_t n = 0, len = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	/* With zero padding the sign goes before the zeros. */
	if (negative && pad == '0') {
		sink_put(s, '-');
		if (width)
			width--;
	} else if (negative) {
		text[len++] = '-';
	}
	while (n)
		text[len++] = digits[--n];
	sink_put_padded(s, text, len, width, left, pad);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int width = 0, longs = 0;
		bool left = false;
		char pad = ' ';
		uint64_t u;
		int64_t i;
		const char *str;

		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else
				left = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (unsigned int)(*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;
		if (left)
			pad = ' ';

		switch (*fmt) {
		case 'c':
			sink_put(s, (char)va_arg(ap, int));
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			sink_put_padded(s, str, string_length(str), width,
					left, ' ');
			break;
		case 'd':
		case 'i':
			i = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
			sink_put_number(s, u, 10, i < 0, width, left, pad);
			break;
		case 'u':
		case 'x':
			u = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			sink_put_number(s, u, *fmt == 'x' ? 16 : 10, false,
					width, left, pad);
			break;
		case 'p':
			sink_put(s, '0');
			sink_put(s, 'x');
			sink_put_number(s, (uintptr_t)va_arg(ap, void *), 16,
					false, width, left, pad);
			break;
		case '%':
			sink_put(s, '%');
			break;
		case '\0':
			return;
		default:
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
	}
}

void print_line(const char *fmt, ...)
{
	struct sink console = { 0 };
	va_list ap;

	for (const char *prefix = "basic: "; *prefix; prefix++)
		sink_put(&console, *prefix);
	va_start(ap, fmt);
	format(&console, fmt, ap);
	va_end(ap);
	sink_put(&console, '\n');
}

void format_string_va(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink out = { .buf = buf, .size = size };

	if (!size)
		return;
	format(&out, fmt, ap);
	buf[out.used] = '\0';
}

void format_string(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_string_va(buf, size, fmt, ap);
	va_end(ap);
}
