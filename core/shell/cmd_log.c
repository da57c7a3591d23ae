/* SPDX-License-Identifier: GPL-2.0-only */
/* `log`: prints the kept boot and run-time log. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell_internal.h>

static void log_print_piece(const char *text, size_t len, void *ctx __unused)
{
	shell_print_text(text, len);
}

static int log_run(int argc, char **argv __unused)
{
	if (argc > 1) {
		kprintf("log: takes no arguments\n");
		return -KEEL_EINVAL;
	}
	log_replay(log_print_piece, NULL);
	return 0;
}

SHELL_COMMAND(log,
	.name = "log",
	.usage = "log",
	.summary = "show the log kept since boot",
	.help = "Each message is stamped with the time since Keel started.\n"
		"When the log buffer is full the oldest messages are dropped.",
	.run = log_run);
