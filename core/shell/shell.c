/* SPDX-License-Identifier: GPL-2.0-only */
/* The shell: command table, running lines and scripts, the console loop. */
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/line_edit.h>
#include <keel/log.h>
#include <keel/shell_internal.h>
#include <string.h>

#define SHELL_PROMPT "keel# "
/* The sorted index is a fixed array: the shell needs no heap to start. */
#define SHELL_MAX_COMMANDS 128

/* Placed by SHELL_COMMAND(); the linker provides the bounds. */
extern const struct shell_command __start_keel_shell_commands[];
extern const struct shell_command __stop_keel_shell_commands[];

static const struct shell_command *shell_index[SHELL_MAX_COMMANDS];
static unsigned int shell_index_count;
static bool shell_index_ready;

/*
 * The section is const and in link order; keep a sorted index beside it.
 * The bounds are two different symbols as far as C knows, so they are
 * compared as addresses, not as pointers into one array.
 */
static void shell_index_build(void)
{
	size_t count = ((uintptr_t)__stop_keel_shell_commands -
			(uintptr_t)__start_keel_shell_commands) /
		       sizeof(struct shell_command);
	size_t n;

	if (shell_index_ready)
		return;
	BUG_ON(count > SHELL_MAX_COMMANDS);
	for (n = 0; n < count; n++) {
		const struct shell_command *cmd = &__start_keel_shell_commands[n];
		unsigned int i = shell_index_count++;

		while (i && strcmp(shell_index[i - 1]->name, cmd->name) > 0) {
			shell_index[i] = shell_index[i - 1];
			i--;
		}
		shell_index[i] = cmd;
	}
	shell_index_ready = true;
}

unsigned int shell_command_count(void)
{
	shell_index_build();
	return shell_index_count;
}

const struct shell_command *shell_command_at(unsigned int index)
{
	shell_index_build();
	if (index >= shell_index_count)
		return NULL;
	return shell_index[index];
}

const struct shell_command *shell_command_find(const char *name)
{
	unsigned int low = 0, high;

	shell_index_build();
	high = shell_index_count;
	while (low < high) {
		unsigned int mid = low + (high - low) / 2;
		int order = strcmp(name, shell_index[mid]->name);

		if (!order)
			return shell_index[mid];
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

int shell_run_command(const char *text, size_t len)
{
	const struct shell_command *cmd;
	struct shell_args args;
	int err;

	err = shell_parse_line(text, len, &args);
	if (err) {
		kprintf("%s\n", args.error);
		return err;
	}
	if (!args.argc)
		return 0;
	cmd = shell_command_find(args.argv[0]);
	if (!cmd) {
		kprintf("unknown command \"%s\" — type \"help\" for the list of commands\n",
			args.argv[0]);
		return -KEEL_ENOENT;
	}
	err = cmd->run(args.argc, args.argv);
	if (err == -KEEL_EINVAL)
		kprintf("usage: %s  (see \"help %s\")\n",
			cmd->usage ? cmd->usage : cmd->name, cmd->name);
	return err;
}

int shell_run_line(const char *line)
{
	return shell_run_command(line, strlen(line));
}

int shell_run_script(const char *text, size_t len, const char *origin)
{
	struct shell_script script;
	unsigned int commands = 0;
	const char *command;
	size_t command_len;
	int failures = 0;

	shell_script_init(&script, text, len);
	while (shell_script_next(&script, &command, &command_len)) {
		/* Echo first, so the output that follows has its cause above. */
		if (origin)
			kprintf("[%s] ", origin);
		kprintf(SHELL_PROMPT);
		shell_print_text(command, command_len);
		kprintf("\n");
		commands++;
		if (shell_run_command(command, command_len))
			failures++;
	}
	if (failures)
		kprintf("[%s] %d of %u commands failed\n",
			origin ? origin : "script", failures, commands);
	return failures;
}

static void shell_console_write(void *ctx __unused, const char *text, size_t len)
{
	console_write(text, len);
}

static const char *shell_complete_command(void *ctx __unused, unsigned int index)
{
	const struct shell_command *cmd = shell_command_at(index);

	return cmd ? cmd->name : NULL;
}

/* Static: the editor carries its history, too big for a boot stack. */
static struct line_edit shell_editor;

__noreturn void shell_main(void)
{
	line_edit_init(&shell_editor, SHELL_PROMPT, shell_console_write,
		       shell_complete_command, NULL);
	line_edit_start(&shell_editor);
	for (;;) {
		int c = console_getc_wait();

		if (c < 0)
			continue;
		if (line_edit_feed(&shell_editor, (char)c)) {
			shell_run_line(line_edit_line(&shell_editor));
			line_edit_start(&shell_editor);
		}
	}
}
