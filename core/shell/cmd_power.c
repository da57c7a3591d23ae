/* SPDX-License-Identifier: GPL-2.0-only */
/* `reboot` and `poweroff`: hand the machine back to the firmware. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>

static int reboot_run(int argc, char **argv __unused)
{
	if (argc > 1) {
		kprintf("reboot: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	kprintf("rebooting...\n");
	platform_reboot();
}

static int poweroff_run(int argc, char **argv __unused)
{
	if (argc > 1) {
		kprintf("poweroff: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	kprintf("powering off...\n");
	platform_poweroff();
}

SHELL_COMMAND(reboot,
	.name = "reboot",
	.usage = "reboot",
	.summary = "restart the machine",
	.help = "Guests are not asked to shut down first.",
	.run = reboot_run);

SHELL_COMMAND(poweroff,
	.name = "poweroff",
	.usage = "poweroff",
	.summary = "switch the machine off",
	.help = "Guests are not asked to shut down first; under QEMU this ends QEMU.",
	.run = poweroff_run);
