/* SPDX-License-Identifier: GPL-2.0-only */
/* printf-style formatting into a buffer or through an emit callback. */
#include <lib/format.h>
#include <stdbool.h>
#include <stdint.h>

/* <limits.h> is avoided: gcc's copy needs a libc one behind it. */
#define FMT_INT_MAX __INT_MAX__

#define FMT_LEFT 0x01   /* '-' */
#define FMT_ZERO 0x02   /* '0' */
#define FMT_PLUS 0x04   /* '+' */
#define FMT_SPACE 0x08  /* ' ' */
#define FMT_ALT 0x10    /* '#' */

/* Width and precision beyond this are clamped so the arithmetic below
 * cannot overflow an int, whatever the format string says. */
#define FMT_FIELD_MAX 4096

enum fmt_length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG,
		  LEN_SIZE, LEN_PTRDIFF, LEN_INTMAX };

struct fmt_spec {
	unsigned int flags;
	int width;
	int precision; /* -1 when not given */
};

/*
 * Where the text goes: either a caller's buffer (only the first size-1
 * characters are kept) or an emit callback fed through a small staging
 * buffer. `len` always counts every character produced.
 */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
	fmt_emit_fn emit;
	void *ctx;
	char chunk[64];
	size_t chunk_len;
};

static void fmt_flush(struct fmt_out *o)
{
	if (o->emit && o->chunk_len) {
		o->emit(o->chunk, o->chunk_len, o->ctx);
		o->chunk_len = 0;
	}
}

static void fmt_put_char(struct fmt_out *o, char c)
{
	if (o->emit) {
		o->chunk[o->chunk_len++] = c;
		if (o->chunk_len == sizeof(o->chunk))
			fmt_flush(o);
	} else if (o->size && o->len < o->size - 1) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void fmt_put_repeat(struct fmt_out *o, char c, int count)
{
	while (count-- > 0)
		fmt_put_char(o, c);
}

static void fmt_put_string(struct fmt_out *o, const char *s,
			   const struct fmt_spec *spec)
{
	int len = 0;

	if (!s)
		s = "(null)";
	/* Never read past the precision: the string need not be terminated. */
	while ((spec->precision < 0 || len < spec->precision) && s[len] &&
	       len < FMT_INT_MAX)
		len++;
	if (!(spec->flags & FMT_LEFT))
		fmt_put_repeat(o, ' ', spec->width - len);
	for (int i = 0; i < len; i++)
		fmt_put_char(o, s[i]);
	if (spec->flags & FMT_LEFT)
		fmt_put_repeat(o, ' ', spec->width - len);
}

/*
 * "%pE": a string from a guest (or a guest node) shown on the operator's
 * terminal. Control characters (C0, DEL, and every byte from 0x80, which
 * holds the 8-bit C1 controls such as CSI 0x9b) are written as \n, \r,
 * \t or \xNN and a backslash as \\, so the text can neither move the
 * cursor, retitle nor reprogram the terminal, and what is shown maps back
 * to the bytes. Returns how many characters byte c becomes; out gets them.
 */
static int fmt_escape_byte(unsigned char c, char out[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c < 0x7f && c != '\\') {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	switch (c) {
	case '\\':
		out[1] = '\\';
		return 2;
	case '\n':
		out[1] = 'n';
		return 2;
	case '\r':
		out[1] = 'r';
		return 2;
	case '\t':
		out[1] = 't';
		return 2;
	default:
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 15];
		return 4;
	}
}

static void fmt_put_escaped(struct fmt_out *o, const char *s, const struct fmt_spec *spec)
{
	char esc[4];
	int len = 0;

	if (!s)
		s = "(null)";
	for (const char *c = s; *c && len < FMT_INT_MAX - 4; c++)
		len += fmt_escape_byte((unsigned char)*c, esc);
	if (!(spec->flags & FMT_LEFT))
		fmt_put_repeat(o, ' ', spec->width - len);
	for (const char *c = s; *c; c++) {
		int n = fmt_escape_byte((unsigned char)*c, esc);

		for (int i = 0; i < n; i++)
			fmt_put_char(o, esc[i]);
	}
	if (spec->flags & FMT_LEFT)
		fmt_put_repeat(o, ' ', spec->width - len);
}

size_t fmt_escape(char *dst, size_t size, const void *src, size_t len)
{
	const unsigned char *bytes = src;
	size_t out = 0;
	char esc[4];

	if (!dst || !size)
		return 0;
	for (size_t i = 0; bytes && i < len && bytes[i]; i++) {
		size_t n = (size_t)fmt_escape_byte(bytes[i], esc);

		/* An escape is never cut in half. */
		if (out + n >= size)
			break;
		for (size_t k = 0; k < n; k++)
			dst[out++] = esc[k];
	}
	dst[out] = '\0';
	return out;
}

static void fmt_put_number(struct fmt_out *o, uintmax_t value, bool negative,
			   unsigned int base, bool upper, const char *prefix,
			   const struct fmt_spec *spec)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[3 * sizeof(uintmax_t)]; /* enough for octal */
	int ndigits = 0, zeros, prefix_len = 0, total;
	char sign = 0;

	/* An explicit precision of zero prints nothing for the value zero. */
	if (!(value == 0 && spec->precision == 0)) {
		do {
			digits[ndigits++] = set[value % base];
			value /= base;
		} while (value);
	}
	if (negative)
		sign = '-';
	else if (spec->flags & FMT_PLUS)
		sign = '+';
	else if (spec->flags & FMT_SPACE)
		sign = ' ';
	while (prefix && prefix[prefix_len])
		prefix_len++;

	zeros = spec->precision > ndigits ? spec->precision - ndigits : 0;
	/* "%#o" guarantees a leading zero digit. */
	if (base == 8 && (spec->flags & FMT_ALT) && zeros == 0 &&
	    (ndigits == 0 || digits[ndigits - 1] != '0'))
		zeros = 1;
	total = (sign ? 1 : 0) + prefix_len + zeros + ndigits;
	/* The '0' flag pads with zeros only when no precision is given. */
	if ((spec->flags & FMT_ZERO) && !(spec->flags & FMT_LEFT) &&
	    spec->precision < 0 && spec->width > total) {
		zeros += spec->width - total;
		total = spec->width;
	}

	if (!(spec->flags & FMT_LEFT))
		fmt_put_repeat(o, ' ', spec->width - total);
	if (sign)
		fmt_put_char(o, sign);
	for (int i = 0; i < prefix_len; i++)
		fmt_put_char(o, prefix[i]);
	fmt_put_repeat(o, '0', zeros);
	while (ndigits)
		fmt_put_char(o, digits[--ndigits]);
	if (spec->flags & FMT_LEFT)
		fmt_put_repeat(o, ' ', spec->width - total);
}

/* Parses a decimal field (width or precision), clamped to FMT_FIELD_MAX. */
static int fmt_parse_field(const char **p)
{
	int value = 0;

	while (**p >= '0' && **p <= '9') {
		if (value < FMT_FIELD_MAX)
			value = value * 10 + (**p - '0');
		(*p)++;
	}
	return value > FMT_FIELD_MAX ? FMT_FIELD_MAX : value;
}

static enum fmt_length fmt_parse_length(const char **p)
{
	switch (**p) {
	case 'h':
		(*p)++;
		if (**p == 'h') {
			(*p)++;
			return LEN_CHAR;
		}
		return LEN_SHORT;
	case 'l':
		(*p)++;
		if (**p == 'l') {
			(*p)++;
			return LEN_LLONG;
		}
		return LEN_LONG;
	case 'z':
		(*p)++;
		return LEN_SIZE;
	case 't':
		(*p)++;
		return LEN_PTRDIFF;
	case 'j':
		(*p)++;
		return LEN_INTMAX;
	default:
		return LEN_INT;
	}
}

/* va_list is passed by pointer so every helper consumes the same list. */
static intmax_t fmt_arg_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
	case LEN_PTRDIFF:
		/* The signed type of the size of size_t is ptrdiff_t here. */
		return va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fmt_arg_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:
		return (uintmax_t)va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static void fmt_format(struct fmt_out *o, const char *fmt, va_list *ap)
{
	const char *p = fmt;

	while (*p) {
		struct fmt_spec spec = { 0, 0, -1 };
		const char *start = p;
		enum fmt_length length;
		intmax_t sval;
		uintmax_t uval;
		char c;

		if (*p != '%') {
			fmt_put_char(o, *p++);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				spec.flags |= FMT_LEFT;
			else if (*p == '0')
				spec.flags |= FMT_ZERO;
			else if (*p == '+')
				spec.flags |= FMT_PLUS;
			else if (*p == ' ')
				spec.flags |= FMT_SPACE;
			else if (*p == '#')
				spec.flags |= FMT_ALT;
			else
				break;
		}
		if (*p == '*') {
			int w = va_arg(*ap, int);

			p++;
			/* A negative width argument means left alignment. */
			if (w < 0) {
				spec.flags |= FMT_LEFT;
				w = w < -FMT_FIELD_MAX ? FMT_FIELD_MAX : -w;
			}
			spec.width = w > FMT_FIELD_MAX ? FMT_FIELD_MAX : w;
		} else {
			spec.width = fmt_parse_field(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				int prec = va_arg(*ap, int);

				p++;
				/* A negative precision counts as none given. */
				spec.precision = prec < 0 ? -1 :
					prec > FMT_FIELD_MAX ? FMT_FIELD_MAX : prec;
			} else {
				spec.precision = fmt_parse_field(&p);
			}
		}
		length = fmt_parse_length(&p);

		c = *p;
		if (c)
			p++;
		switch (c) {
		case 'd':
		case 'i':
			sval = fmt_arg_signed(ap, length);
			/* Negate in unsigned arithmetic so INTMAX_MIN works. */
			uval = sval < 0 ? -(uintmax_t)sval : (uintmax_t)sval;
			fmt_put_number(o, uval, sval < 0, 10, false, NULL, &spec);
			break;
		case 'u':
			spec.flags &= ~(FMT_PLUS | FMT_SPACE);
			fmt_put_number(o, fmt_arg_unsigned(ap, length), false, 10,
				       false, NULL, &spec);
			break;
		case 'o':
			spec.flags &= ~(FMT_PLUS | FMT_SPACE);
			fmt_put_number(o, fmt_arg_unsigned(ap, length), false, 8,
				       false, NULL, &spec);
			break;
		case 'x':
		case 'X':
			spec.flags &= ~(FMT_PLUS | FMT_SPACE);
			uval = fmt_arg_unsigned(ap, length);
			fmt_put_number(o, uval, false, 16, c == 'X',
				       (spec.flags & FMT_ALT) && uval ?
				       (c == 'X' ? "0X" : "0x") : NULL, &spec);
			break;
		case 'p':
			if (*p == 'E') {
				p++;
				fmt_put_escaped(o, va_arg(*ap, const char *), &spec);
				break;
			}
			spec.flags &= ~(FMT_PLUS | FMT_SPACE);
			uval = (uintptr_t)va_arg(*ap, void *);
			fmt_put_number(o, uval, false, 16, false, "0x", &spec);
			break;
		case 's':
			fmt_put_string(o, va_arg(*ap, const char *), &spec);
			break;
		case 'c':
			/* Precision means nothing for %c; a NUL is still output. */
			if (!(spec.flags & FMT_LEFT))
				fmt_put_repeat(o, ' ', spec.width - 1);
			fmt_put_char(o, (char)va_arg(*ap, int));
			if (spec.flags & FMT_LEFT)
				fmt_put_repeat(o, ' ', spec.width - 1);
			break;
		case '%':
			fmt_put_char(o, '%');
			break;
		default:
			/* Unknown conversion: show it as written, never guess. */
			while (start < p)
				fmt_put_char(o, *start++);
			break;
		}
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size };
	va_list copy;

	va_copy(copy, ap);
	fmt_format(&o, fmt, &copy);
	va_end(copy);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > FMT_INT_MAX ? FMT_INT_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

int fmt_vformat(fmt_emit_fn emit, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_out o = { .emit = emit, .ctx = ctx };
	va_list copy;

	va_copy(copy, ap);
	fmt_format(&o, fmt, &copy);
	va_end(copy);
	fmt_flush(&o);
	return o.len > FMT_INT_MAX ? FMT_INT_MAX : (int)o.len;
}
