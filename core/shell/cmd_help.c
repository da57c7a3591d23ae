/* SPDX-License-Identifier: GPL-2.0-only */
/* `help`: the list of commands, or one command's usage and description. */
#include <keel/errno.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <string.h>

static void help_list_commands(void)
{
	const struct shell_command *cmd;
	unsigned int i;
	int width = 0;

	for (i = 0; (cmd = shell_command_at(i)); i++)
		width = MAX(width, (int)strlen(cmd->name));
	kprintf("Commands (\"help <command>\" tells more about one):\n");
	for (i = 0; (cmd = shell_command_at(i)); i++)
		kprintf("  %-*s  %s\n", width, cmd->name,
			cmd->summary ? cmd->summary : "");
}

static int help_show_command(const char *name)
{
	const struct shell_command *cmd = shell_command_find(name);

	if (!cmd) {
		kprintf("help: no command \"%s\" — type \"help\" for the list of commands\n",
			name);
		return -KEEL_ENOENT;
	}
	kprintf("usage: %s\n", cmd->usage ? cmd->usage : cmd->name);
	if (cmd->summary)
		kprintf("%s\n", cmd->summary);
	if (cmd->help) {
		size_t len = strlen(cmd->help);

		kprintf("\n");
		shell_print_text(cmd->help, len);
		if (len && cmd->help[len - 1] != '\n')
			kprintf("\n");
	}
	return 0;
}

static int help_run(int argc, char **argv)
{
	if (argc > 2) {
		kprintf("help: one command at a time\n");
		return -KEEL_EINVAL;
	}
	if (argc == 2)
		return help_show_command(argv[1]);
	help_list_commands();
	return 0;
}

SHELL_COMMAND(help,
	.name = "help",
	.usage = "help [command]",
	.summary = "list the commands, or describe one",
	.help = "Without an argument, lists every command with a one-line summary.\n"
		"With a command name, shows its usage and what it does.\n"
		"Keys: Tab completes a command name, Up/Down walk the history,\n"
		"Ctrl-A/Ctrl-E go to the start/end, Ctrl-U erases to the start,\n"
		"Ctrl-C abandons the line.",
	.run = help_run);
