/* SPDX-License-Identifier: GPL-2.0-only */
/* `echo`: prints its arguments; handy in boot scripts. */
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <string.h>

static int echo_run(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (i > 1)
			kprintf(" ");
		shell_print_text(argv[i], strlen(argv[i]));
	}
	kprintf("\n");
	return 0;
}

SHELL_COMMAND(echo,
	.name = "echo",
	.usage = "echo [words...]",
	.summary = "print the words, separated by spaces",
	.help = "Quote words to keep spaces: echo \"two  spaces\".",
	.run = echo_run);
