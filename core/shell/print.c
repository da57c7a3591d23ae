/* SPDX-License-Identifier: GPL-2.0-only */
/* Output helpers shared by the shell commands. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <lib/format.h>

/* "%.*s" takes an int precision: longer text goes out in pieces. */
#define SHELL_PRINT_CHUNK 0x10000

void shell_print_text(const char *text, size_t len)
{
	while (len) {
		size_t n = MIN(len, (size_t)SHELL_PRINT_CHUNK);

		kprintf("%.*s", (int)n, text);
		text += n;
		len -= n;
	}
}

void shell_print_path_error(const char *command, const char *path, int err)
{
	const char *what;

	/* The words users know from Unix, for the errors a path can hit. */
	switch (err) {
	case -KEEL_ENOENT:
		what = "no such file or directory";
		break;
	case -KEEL_ENOTDIR:
		what = "not a directory";
		break;
	case -KEEL_EISDIR:
		what = "is a directory";
		break;
	default:
		what = keel_strerror(err);
		break;
	}
	kprintf("%s: %s: %s\n", command, path, what);
}

char *shell_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	unsigned int unit = 0, shift;
	uint64_t whole, tenths;

	while (unit + 1 < ARRAY_SIZE(units) &&
	       bytes >= (1ULL << (10 * (unit + 1))))
		unit++;
	if (!unit) {
		fmt_snprintf(buf, size, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	shift = 10 * unit;
	whole = bytes >> shift;
	/* The remainder is below 2^60, so ten times it still fits. */
	tenths = ((bytes & ((1ULL << shift) - 1)) * 10 + (1ULL << (shift - 1))) >>
		 shift;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && unit + 1 < ARRAY_SIZE(units)) {
		whole = 1;
		unit++;
	}
	if (tenths)
		fmt_snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
			     (unsigned long long)tenths, units[unit]);
	else
		fmt_snprintf(buf, size, "%llu %s", (unsigned long long)whole,
			     units[unit]);
	return buf;
}
