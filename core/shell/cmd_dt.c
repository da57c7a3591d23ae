/* SPDX-License-Identifier: GPL-2.0-only */
/* `dt`: prints the host device tree, or one subtree of it, as source. */
#include <keel/devtree.h>
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell.h>

static int dt_run(int argc, char **argv)
{
	const void *fdt = devtree_host();

	if (argc > 2) {
		kprintf("dt: one path at a time\n");
		return -KEEL_EINVAL;
	}
	if (!fdt) {
		kprintf("dt: no valid host device tree\n");
		return -KEEL_ENOENT;
	}
	return devtree_print(fdt, argc > 1 ? argv[1] : "/");
}

SHELL_COMMAND(dt,
	.name = "dt",
	.usage = "dt [path]",
	.summary = "print the host device tree as source",
	.help = "The path is a node (\"/cpus\") or an alias (\"serial0\");\n"
		"it defaults to the whole tree.",
	.run = dt_run);
