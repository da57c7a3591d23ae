/* SPDX-License-Identifier: GPL-2.0-only */
/* `version`: which Keel this is and how it was built. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>

/* No build date or host name: the same sources must give the same image. */
#if defined(__clang__)
#define VERSION_COMPILER __VERSION__
#elif defined(__GNUC__)
#define VERSION_COMPILER "gcc " __VERSION__
#else
#define VERSION_COMPILER "unknown compiler"
#endif

static int version_run(int argc, char **argv __unused)
{
	if (argc > 1) {
		kprintf("version: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	kprintf("Keel v%s (%s), for %s\n", keel_version(),
		keel_config_name(), KEEL_ARCH);
	kprintf("built with %s\n", VERSION_COMPILER);
	return 0;
}

SHELL_COMMAND(version,
	.name = "version",
	.usage = "version",
	.summary = "show Keel's version, configuration and compiler",
	.help = NULL,
	.run = version_run);
