/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The management shell. A command is one const descriptor placed in the
 * keel_shell_commands linker section by SHELL_COMMAND(), so adding a command
 * touches only the file that implements it.
 */
#ifndef KEEL_SHELL_H
#define KEEL_SHELL_H

#include <keel/types.h>

#define SHELL_MAX_ARGS 16
#define SHELL_LINE_MAX 256

struct shell_command {
	const char *name;
	const char *usage;   /* "dt [path]" */
	const char *summary; /* one line for `help` */
	const char *help;    /* more text for `help <command>`, may be NULL */
	/* Returns 0 on success; on bad arguments print what was wrong and
	 * return -KEEL_EINVAL (the shell then points at `help <command>`). */
	int (*run)(int argc, char **argv);
};

#define SHELL_COMMAND(ident, ...)                                         \
	static const struct shell_command shell_command_##ident            \
		__attribute__((used, section("keel_shell_commands"),       \
			       aligned(sizeof(void *)))) = { __VA_ARGS__ }

/* Command table, sorted by name on first use. */
unsigned int shell_command_count(void);
const struct shell_command *shell_command_at(unsigned int index);
const struct shell_command *shell_command_find(const char *name);

/* Runs one line: splits it into words (quotes and backslash escapes
 * honoured), ignores it when empty or a '#' comment, runs the command. */
int shell_run_line(const char *line);
/* Runs commands separated by ';' or newlines; `origin` names the source in
 * messages ("keel.bootcmd", "/boot.keel"). Stops at nothing: every command
 * runs, failures are reported. Returns the number of commands that failed. */
int shell_run_script(const char *text, size_t len, const char *origin);
/* The interactive loop on the console; never returns. */
__noreturn void shell_main(void);

#endif
