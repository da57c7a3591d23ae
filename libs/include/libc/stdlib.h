/* SPDX-License-Identifier: GPL-2.0-only */
/* Keel's freestanding <stdlib.h>: number parsing only. Target build only. */
#ifndef KEEL_LIBC_STDLIB_H
#define KEEL_LIBC_STDLIB_H

#include <stddef.h>

/*
 * As the C library's: optional leading space and sign, base 0 (auto:
 * "0x" hex, "0" octal, else decimal) or 2..36; saturates at ULONG_MAX on
 * overflow. *end points after the last digit used (at s if none).
 */
unsigned long strtoul(const char *s, char **end, int base);

#endif
