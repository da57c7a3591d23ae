/* SPDX-License-Identifier: GPL-2.0-only */
/* `version`: which Keel this is, how it was built and what it has. */
#include <keel/config_options.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>
#include <string.h>

/* No build date or host name: the same sources must give the same image. */
#if defined(__clang__)
#define VERSION_COMPILER __VERSION__
#elif defined(__GNUC__)
#define VERSION_COMPILER "gcc " __VERSION__
#else
#define VERSION_COMPILER "unknown compiler"
#endif

/* Every option the configuration sets, "CONFIG_X=value\n" each. */
static const char version_config[] =
#include <generated/config_list.h>
;

/* The devices and backends a guest node can ask for, and whether each is
 * in this build: what a user picks a configuration by. */
static void version_print_options(const struct config_option_table *table)
{
	enum config_option_kind kind;
	unsigned int i;

	for (kind = CONFIG_OPTION_DEVICE; kind <= CONFIG_OPTION_BACKEND; kind++) {
		bool any = false;

		kprintf("%s:", kind == CONFIG_OPTION_DEVICE ? "devices" : "backends");
		for (i = 0; i < table->count; i++) {
			if (table->entries[i].kind != kind || !table->entries[i].enabled)
				continue;
			kprintf(" %s", table->entries[i].key);
			any = true;
		}
		kprintf("%s\n", any ? "" : " none");
	}
}

static int version_run(int argc, char **argv)
{
	bool verbose = argc == 2 && !strcmp(argv[1], "-v");

	if (argc > 2 || (argc == 2 && !verbose)) {
		kprintf("version: the only option is -v (every configuration option)\n");
		return -KEEL_EINVAL;
	}
	kprintf("Keel v%s (%s), for %s\n", keel_version(),
		keel_config_name(), KEEL_ARCH);
	kprintf("built with %s\n", VERSION_COMPILER);
	version_print_options(&config_options_built);
	if (!verbose)
		return 0;
	kprintf("%s", version_config);
	return 0;
}

SHELL_COMMAND(version,
	.name = "version",
	.usage = "version [-v]",
	.summary = "show Keel's version, configuration and compiler",
	.help = "Lists the guest devices and backends this build has; -v\n"
		"also prints every option of its configuration.",
	.run = version_run);
