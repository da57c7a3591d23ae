/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the shell's own files (core/shell/) and their unit tests: word
 * splitting, script splitting and the helpers commands print with. The rest
 * of Keel uses keel/shell.h.
 */
#ifndef KEEL_SHELL_INTERNAL_H
#define KEEL_SHELL_INTERNAL_H

#include <keel/shell.h>
#include <keel/types.h>

/* One line split into words; argv points into buf. */
struct shell_args {
	int argc;
	char *argv[SHELL_MAX_ARGS + 1];    /* NULL-terminated */
	char buf[SHELL_LINE_MAX];
	const char *error;                 /* why parsing failed */
};

/*
 * Splits line[0, len) into words: blanks separate words, '...' keeps
 * everything literally, "..." keeps everything but \" and \\, a backslash
 * outside quotes takes the next character literally, and '#' at the start
 * of a word comments out the rest. Returns 0 (argc may be 0 for a blank or
 * comment line) or -KEEL_EINVAL with args->error set.
 */
int shell_parse_line(const char *line, size_t len, struct shell_args *args);

/* Walks a script command by command. */
struct shell_script {
	const char *text;
	size_t len;
	size_t pos;
};

void shell_script_init(struct shell_script *script, const char *text,
		       size_t len);
/*
 * Finds the next command: ';' and newlines end a command unless quoted or
 * escaped, and a comment runs to the end of its line. The command is
 * returned trimmed of blanks; blank and comment-only commands are skipped.
 * Returns false at the end of the script.
 */
bool shell_script_next(struct shell_script *script, const char **command,
		       size_t *len);

/* Runs one command given as text that need not be NUL-terminated. */
int shell_run_command(const char *text, size_t len);

/* Prints "command: path: what is wrong" for a file-system error. */
void shell_print_path_error(const char *command, const char *path, int err);
/* Prints text of any length through kprintf(); text holds no NUL bytes. */
void shell_print_text(const char *text, size_t len);
/*
 * Formats a byte count for people: "512 B", "4 KiB", "1.5 GiB" (binary
 * units, one decimal when it is not zero, rounded). Returns buf.
 */
char *shell_format_size(uint64_t bytes, char *buf, size_t size);
#define SHELL_SIZE_BUF 16

#endif
