/* SPDX-License-Identifier: GPL-2.0-only */
/* Keel's options on the boot loader's command line (/chosen/bootargs). */
#ifndef KEEL_BOOTARGS_H
#define KEEL_BOOTARGS_H

#include <keel/types.h>

/*
 * Copies the value of `key=value` from a command line into out. The value
 * ends at a space unless it is double-quoted (`keel.bootcmd="a; b"`); a
 * backslash escapes a quote inside quotes. Returns the value's length,
 * -KEEL_ENOENT when the key is absent, -KEEL_EINVAL for an unterminated
 * quote and -KEEL_E2BIG when it does not fit in out.
 */
int bootargs_get(const char *cmdline, const char *key, char *out, size_t size);

#endif
