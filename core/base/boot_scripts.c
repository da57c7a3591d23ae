/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Commands that run by themselves at boot: first the image's /boot.keel
 * script, then keel.bootcmd="..." from the boot loader's command line, so
 * that a per-boot command line can follow up on the image's set-up.
 */
#include <keel/boot.h>
#include <keel/bootargs.h>
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/shell.h>
#include <libfdt.h>

#define BOOT_SCRIPT_PATH "/boot.keel"
#define BOOTCMD_KEY "keel.bootcmd"
#define BOOTCMD_MAX 1024

static void run_image_script(void)
{
	const struct fs_node *node;

	if (fs_lookup(BOOT_SCRIPT_PATH, &node) != 0)
		return;
	if (node->is_dir) {
		log_warn("%s is a directory, not a script; not run", BOOT_SCRIPT_PATH);
		return;
	}
	shell_run_script(node->data, node->size, BOOT_SCRIPT_PATH);
}

static void run_bootcmd(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *bootargs = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", NULL) : NULL;
	char *commands;
	int len;

	if (!bootargs)
		return;
	commands = kmalloc(BOOTCMD_MAX);
	if (!commands)
		return;
	len = bootargs_get(bootargs, BOOTCMD_KEY, commands, BOOTCMD_MAX);
	if (len == -KEEL_EINVAL)
		log_error("%s: unterminated quote in the boot command line; not run", BOOTCMD_KEY);
	else if (len == -KEEL_E2BIG)
		log_error("%s: longer than %d bytes; not run", BOOTCMD_KEY, BOOTCMD_MAX - 1);
	else if (len > 0)
		shell_run_script(commands, (size_t)len, BOOTCMD_KEY);
	kfree(commands);
}

void boot_scripts_run(const void *fdt)
{
	run_image_script();
	run_bootcmd(fdt);
}
