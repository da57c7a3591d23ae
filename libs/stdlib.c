/* SPDX-License-Identifier: GPL-2.0-only */
/* strtoul for the freestanding target build. */
#include <ctype.h>
#include <stdlib.h>

#define STDLIB_ULONG_MAX (__LONG_MAX__ * 2UL + 1UL)

static int stdlib_digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return 99;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long value = 0;
	int negative = 0, overflow = 0, any = 0;

	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	/* Only take "0x" as a prefix when a hex digit follows it, so "0x"
	 * alone parses as the number 0 followed by "x". */
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d = stdlib_digit_value(*p);

		if (d >= base)
			break;
		any = 1;
		if (value > (STDLIB_ULONG_MAX - (unsigned long)d) / (unsigned long)base)
			overflow = 1;
		else
			value = value * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return STDLIB_ULONG_MAX;
	return negative ? -value : value;
}
