/* SPDX-License-Identifier: GPL-2.0-only */
/* fmt_snprintf and friends: conversions, flags, truncation, return values. */
#include <lib/format.h>
#include <stdint.h>
#include <string.h>
#include "unit.h"

static char out[128];

/* Formats into `out`; the format string is checked by the compiler. */
static int __attribute__((format(printf, 1, 2))) f(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	return n;
}

/* The same without the compiler's check, for formats it rightly frowns on
 * but that the formatter must still handle. */
static int odd(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	return n;
}

TEST(format_plain_text_and_percent)
{
	CHECK_EQ(f("hello"), 5);
	CHECK_STR_EQ(out, "hello");
	CHECK_EQ(f("100%%"), 4);
	CHECK_STR_EQ(out, "100%");
	CHECK_EQ(f("%s", ""), 0);
	CHECK_STR_EQ(out, "");
}

TEST(format_signed_decimal)
{
	f("%d %i %d", 0, -1, 42);
	CHECK_STR_EQ(out, "0 -1 42");
	f("%d %d", INT32_MAX, INT32_MIN);
	CHECK_STR_EQ(out, "2147483647 -2147483648");
	f("%lld", (long long)INT64_MIN);
	CHECK_STR_EQ(out, "-9223372036854775808");
	f("%lld", (long long)INT64_MAX);
	CHECK_STR_EQ(out, "9223372036854775807");
	f("%jd", (intmax_t)INT64_MIN);
	CHECK_STR_EQ(out, "-9223372036854775808");
}

TEST(format_unsigned_hex_octal)
{
	f("%u %x %X %o", 4000000000U, 0xdeadbeefU, 0xabcU, 8U);
	CHECK_STR_EQ(out, "4000000000 deadbeef ABC 10");
	f("%llu", (unsigned long long)UINT64_MAX);
	CHECK_STR_EQ(out, "18446744073709551615");
	f("%llx", (unsigned long long)UINT64_MAX);
	CHECK_STR_EQ(out, "ffffffffffffffff");
	f("%llo", (unsigned long long)UINT64_MAX);
	CHECK_STR_EQ(out, "1777777777777777777777");
}

TEST(format_length_modifiers)
{
	f("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	CHECK_STR_EQ(out, "44 44 4464 4464");
	f("%hhx %hx", -1, -1);
	CHECK_STR_EQ(out, "ff ffff");
	f("%zu %zx %td", (size_t)123, (size_t)0x1f, (ptrdiff_t)-5);
	CHECK_STR_EQ(out, "123 1f -5");
	f("%ld %lu", -7L, 7UL);
	CHECK_STR_EQ(out, "-7 7");
	f("%ju", (uintmax_t)UINT64_MAX);
	CHECK_STR_EQ(out, "18446744073709551615");
}

TEST(format_width_and_flags)
{
	f("[%5d][%-5d][%05d]", 42, 42, 42);
	CHECK_STR_EQ(out, "[   42][42   ][00042]");
	f("[%05d][%+d][% d][%+d]", -42, 5, 5, -5);
	CHECK_STR_EQ(out, "[-0042][+5][ 5][-5]");
	f("[%#x][%#X][%#o][%#x][%#o]", 255U, 255U, 8U, 0U, 0U);
	CHECK_STR_EQ(out, "[0xff][0XFF][010][0][0]");
	f("[%#010x]", 0x1234U);
	CHECK_STR_EQ(out, "[0x00001234]");
	/* '-' wins over '0'. */
	odd("[%-05d]", 7);
	CHECK_STR_EQ(out, "[7    ]");
	f("[%1d]", 12345);
	CHECK_STR_EQ(out, "[12345]");
}

TEST(format_precision)
{
	f("[%.3d][%.0d][%.0d][%5.3d]", 7, 0, 1, -7);
	CHECK_STR_EQ(out, "[007][][1][ -007]");
	/* The '0' flag is ignored when a precision is given. */
	odd("[%08.3d]", 7);
	CHECK_STR_EQ(out, "[     007]");
	f("[%.2s][%-6.3s][%6s]", "abcdef", "abcdef", "ab");
	CHECK_STR_EQ(out, "[ab][abc   ][    ab]");
	f("[%#.0o]", 0U);
	CHECK_STR_EQ(out, "[0]");
}

TEST(format_star_width_and_precision)
{
	f("[%*d][%-*d][%*d]", 4, 1, 4, 2, -4, 3);
	CHECK_STR_EQ(out, "[   1][2   ][3   ]");
	f("[%.*s][%.*d]", 2, "xyz", 4, 9);
	CHECK_STR_EQ(out, "[xy][0009]");
	/* A negative precision means none. */
	f("[%.*s]", -1, "xyz");
	CHECK_STR_EQ(out, "[xyz]");
}

TEST(format_precision_bounds_unterminated_string)
{
	char raw[3] = { 'a', 'b', 'c' }; /* no NUL: must not be read past 3 */

	f("%.3s", raw);
	CHECK_STR_EQ(out, "abc");
}

TEST(format_strings_chars_pointers)
{
	odd("%s|%c%c|%3c|%-3c|", (const char *)NULL, 'o', 'k', 'x', 'y');
	CHECK_STR_EQ(out, "(null)|ok|  x|y  |");
	f("%p", (void *)0x1000);
	CHECK_STR_EQ(out, "0x1000");
	f("%p", (void *)NULL);
	CHECK_STR_EQ(out, "0x0");
	f("[%18p]", (void *)0xabc);
	CHECK_STR_EQ(out, "[             0xabc]");
}

TEST(format_truncation_keeps_return_value)
{
	char small[8];

	memset(small, 'X', sizeof(small));
	CHECK_EQ(fmt_snprintf(small, sizeof(small), "%s", "0123456789"), 10);
	CHECK_STR_EQ(small, "0123456");
	CHECK_EQ(fmt_snprintf(small, 1, "abc"), 3);
	CHECK_EQ(small[0], '\0');
	/* size 0: nothing written at all, not even the NUL. */
	small[0] = 'Q';
	CHECK_EQ(fmt_snprintf(small, 0, "abc%d", 12), 5);
	CHECK_EQ(small[0], 'Q');
	CHECK_EQ(fmt_snprintf(NULL, 0, "%08d", 1), 8);
	/* Exactly fitting text. */
	CHECK_EQ(fmt_snprintf(small, sizeof(small), "%s", "1234567"), 7);
	CHECK_STR_EQ(small, "1234567");
}

TEST(format_unknown_conversion_is_shown)
{
	CHECK_EQ(odd("<%y>%"), 5);
	CHECK_STR_EQ(out, "<%y>%");
}

struct collect {
	char text[8192];
	size_t len;
	unsigned int pieces;
};

static void collect_emit(const char *text, size_t len, void *ctx)
{
	struct collect *c = ctx;

	memcpy(c->text + c->len, text, len);
	c->len += len;
	c->text[c->len] = '\0';
	c->pieces++;
}

static int vformat(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int vformat(struct collect *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(collect_emit, c, fmt, ap);
	va_end(ap);
	return n;
}

TEST(format_vformat_streams_long_output)
{
	static struct collect c;
	char big[3001];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&c, 0, sizeof(c));
	CHECK_EQ(vformat(&c, "<%s|%d>", big, -12), 3006);
	CHECK_EQ(c.len, 3006);
	CHECK(c.pieces > 1);
	CHECK(c.text[0] == '<' && strcmp(c.text + 3001, "|-12>") == 0);
	memset(&c, 0, sizeof(c));
	CHECK_EQ(vformat(&c, "%s", ""), 0);
	CHECK_EQ(c.pieces, 0);
}

TEST(format_escapes_guest_text_with_pE)
{
	/* ESC [ 2 J clears the screen, OSC 0 retitles the window, 0x9b is
	 * the 8-bit CSI: none of them reach the terminal as such. */
	CHECK_EQ(f("[%pE]", "a\x1b[2Jb"), 11);
	CHECK_STR_EQ(out, "[a\\x1b[2Jb]");
	CHECK_EQ(f("%pE", "\x1b]0;owned\a"), 16);
	CHECK_STR_EQ(out, "\\x1b]0;owned\\x07");
	CHECK_EQ(f("%pE", "\x9b" "31m\x7f"), 11);
	CHECK_STR_EQ(out, "\\x9b31m\\x7f");
	/* Named escapes, and the backslash itself so the text maps back. */
	CHECK_EQ(f("%pE", "a\nb\rc\td\\e"), 13);
	CHECK_STR_EQ(out, "a\\nb\\rc\\td\\\\e");
	/* Plain text is untouched; width pads the escaped text. */
	CHECK_EQ(f("%pE", "basic0/net0 ok-_~"), 17);
	CHECK_STR_EQ(out, "basic0/net0 ok-_~");
	CHECK_EQ(f("[%-8pE]", "\x01z"), 10);
	CHECK_STR_EQ(out, "[\\x01z   ]");
	CHECK_EQ(f("[%6pE]", "\x01"), 8);
	CHECK_STR_EQ(out, "[  \\x01]");
	CHECK_EQ(f("%pE", (const char *)NULL), 6);
	CHECK_STR_EQ(out, "(null)");
	/* A plain %p still prints the pointer. */
	CHECK_EQ(f("%p", (void *)0x10), 4);
	CHECK_STR_EQ(out, "0x10");
}

TEST(format_fmt_escape_bounds_its_input_and_output)
{
	char buf[8];

	CHECK_EQ(fmt_escape(buf, sizeof(buf), "ab\x1b" "cdef", 7), 7);
	CHECK_STR_EQ(buf, "ab\\x1bc");
	/* Never half an escape. */
	CHECK_EQ(fmt_escape(buf, sizeof(buf), "abcd\x1b", 5), 4);
	CHECK_STR_EQ(buf, "abcd");
	/* len and the first NUL both end the input. */
	CHECK_EQ(fmt_escape(buf, sizeof(buf), "abc", 2), 2);
	CHECK_STR_EQ(buf, "ab");
	CHECK_EQ(fmt_escape(buf, sizeof(buf), "a\0b", 3), 1);
	CHECK_STR_EQ(buf, "a");
	CHECK_EQ(fmt_escape(buf, 1, "abc", 3), 0);
	CHECK_STR_EQ(buf, "");
	CHECK_EQ(fmt_escape(buf, sizeof(buf), NULL, 3), 0);
	CHECK_STR_EQ(buf, "");
}
