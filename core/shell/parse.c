/* SPDX-License-Identifier: GPL-2.0-only */
/* Splitting shell input: a line into words, a script into commands. */
#include <keel/errno.h>
#include <keel/shell_internal.h>
#include <string.h>

/* The messages below spell the limits out. */
_Static_assert(SHELL_LINE_MAX == 256, "update the \"line too long\" message");
_Static_assert(SHELL_MAX_ARGS == 16, "update the \"too many arguments\" message");

static bool parse_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int parse_fail(struct shell_args *args, const char *error)
{
	args->argc = 0;
	args->argv[0] = NULL;
	args->error = error;
	return -KEEL_EINVAL;
}

int shell_parse_line(const char *line, size_t len, struct shell_args *args)
{
	const char *nul = memchr(line, '\0', len);
	bool in_word = false;
	size_t i, out = 0;
	char quote = 0;

	args->argc = 0;
	args->argv[0] = NULL;
	args->error = NULL;
	if (nul)
		len = (size_t)(nul - line);
	/*
	 * Every byte written to buf consumes at least one input byte, except
	 * the terminator of a word that ends the line: len + 1 bytes at most.
	 */
	if (len > SHELL_LINE_MAX - 1)
		return parse_fail(args, "line too long (at most 255 characters)");

	for (i = 0; i < len; i++) {
		char c = line[i];

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				args->buf[out++] = c;
			continue;
		}
		if (quote == '"') {
			if (c == '"')
				quote = 0;
			else if (c == '\\' && i + 1 < len &&
				 (line[i + 1] == '"' || line[i + 1] == '\\'))
				args->buf[out++] = line[++i];
			else
				args->buf[out++] = c;
			continue;
		}
		if (parse_blank(c)) {
			if (in_word) {
				args->buf[out++] = '\0';
				in_word = false;
			}
			continue;
		}
		if (!in_word) {
			if (c == '#')
				break;
			if (args->argc == SHELL_MAX_ARGS)
				return parse_fail(args,
						  "too many arguments (at most 16 words)");
			args->argv[args->argc++] = args->buf + out;
			in_word = true;
		}
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '\\' && i + 1 < len)
			args->buf[out++] = line[++i];
		else
			args->buf[out++] = c;
	}
	if (quote)
		return parse_fail(args, "unterminated quote");
	if (in_word)
		args->buf[out] = '\0';
	args->argv[args->argc] = NULL;
	return 0;
}

void shell_script_init(struct shell_script *script, const char *text,
		       size_t len)
{
	script->text = text;
	script->len = len;
	script->pos = 0;
}

/* Returns the index of the byte that ends the command starting at pos,
 * and in *comment whether a comment cut it short. */
static size_t shell_script_command_end(const struct shell_script *script,
				       size_t pos, bool *comment)
{
	const char *text = script->text;
	bool word_start = true;
	char quote = 0;
	size_t i;

	*comment = false;
	for (i = pos; i < script->len; i++) {
		char c = text[i];

		if (quote) {
			if (c == quote)
				quote = 0;
			else if (quote == '"' && c == '\\' && i + 1 < script->len)
				i++;
			continue;
		}
		if (c == ';' || c == '\n' || c == '\0')
			break;
		if (c == '#' && word_start) {
			*comment = true;
			break;
		}
		if (c == '\\' && i + 1 < script->len)
			i++;
		else if (c == '\'' || c == '"')
			quote = c;
		word_start = c == ' ' || c == '\t' || c == '\r';
	}
	return i;
}

bool shell_script_next(struct shell_script *script, const char **command,
		       size_t *len)
{
	const char *text = script->text;

	while (script->pos < script->len) {
		size_t start = script->pos, end;
		bool comment;

		end = shell_script_command_end(script, start, &comment);
		script->pos = end;
		if (comment) {
			/* A comment hides ';' too: it runs to the line's end. */
			while (script->pos < script->len &&
			       text[script->pos] != '\n')
				script->pos++;
		}
		if (script->pos < script->len)
			script->pos++;

		while (start < end && parse_blank(text[start]))
			start++;
		while (end > start && parse_blank(text[end - 1]))
			end--;
		if (start == end)
			continue;
		*command = text + start;
		*len = end - start;
		return true;
	}
	return false;
}
