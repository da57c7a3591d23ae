/* SPDX-License-Identifier: GPL-2.0-only */
/* `uptime`: time since Keel started, and how long boot took. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/shell.h>
#include <keel/time.h>

static int uptime_run(int argc, char **argv __unused)
{
	unsigned long long ms, days, hours, minutes, seconds;

	if (argc > 1) {
		kprintf("uptime: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	ms = time_now_ns() / NSEC_PER_MSEC;
	seconds = ms / 1000;
	minutes = seconds / 60;
	hours = minutes / 60;
	days = hours / 24;
	kprintf("up %llud %02llu:%02llu:%02llu.%03llu\n", days, hours % 24,
		minutes % 60, seconds % 60, ms % 1000);
	/* Set with the banner, before the boot scripts run. */
	kprintf("boot took %llu ms (from Keel's entry to the banner)\n",
		(unsigned long long)keel_boot_ms);
	return 0;
}

SHELL_COMMAND(uptime,
	.name = "uptime",
	.usage = "uptime",
	.summary = "show the time since Keel started",
	.help = "Printed as days, then hours:minutes:seconds.milliseconds.",
	.run = uptime_run);
