/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of shell word splitting and script splitting. */
#include <stdio.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/shell_internal.h>

#include "unit.h"

static struct shell_args args;

static int parse(const char *line)
{
	return shell_parse_line(line, strlen(line), &args);
}

TEST(parse_splits_on_blanks)
{
	CHECK_EQ(parse("  ls\t /guests  \r\n"), 0);
	CHECK_EQ(args.argc, 2);
	CHECK_STR_EQ(args.argv[0], "ls");
	CHECK_STR_EQ(args.argv[1], "/guests");
	CHECK(args.argv[2] == NULL);
}

TEST(parse_blank_and_comment_lines_have_no_words)
{
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(args.argc, 0);
	CHECK(args.argv[0] == NULL);
	CHECK_EQ(parse("   \t "), 0);
	CHECK_EQ(args.argc, 0);
	CHECK_EQ(parse("# a comment \"with an open quote"), 0);
	CHECK_EQ(args.argc, 0);
	CHECK_EQ(parse("  #indented"), 0);
	CHECK_EQ(args.argc, 0);
}

TEST(parse_comment_only_at_word_start)
{
	CHECK_EQ(parse("echo a#b # the rest"), 0);
	CHECK_EQ(args.argc, 2);
	CHECK_STR_EQ(args.argv[1], "a#b");
	CHECK_EQ(parse("echo '#' \\# \"#\""), 0);
	CHECK_EQ(args.argc, 4);
	CHECK_STR_EQ(args.argv[1], "#");
	CHECK_STR_EQ(args.argv[2], "#");
	CHECK_STR_EQ(args.argv[3], "#");
}

TEST(parse_double_quotes)
{
	CHECK_EQ(parse("echo \"two  words\" \"say \\\"hi\\\"\" \"a\\\\b\" \"c\\d\""), 0);
	CHECK_EQ(args.argc, 5);
	CHECK_STR_EQ(args.argv[1], "two  words");
	CHECK_STR_EQ(args.argv[2], "say \"hi\"");
	CHECK_STR_EQ(args.argv[3], "a\\b");
	/* Inside double quotes other backslashes stay. */
	CHECK_STR_EQ(args.argv[4], "c\\d");
}

TEST(parse_single_quotes_are_literal)
{
	CHECK_EQ(parse("echo 'a \\\"b\\' \"x'y\""), 0);
	CHECK_EQ(args.argc, 3);
	CHECK_STR_EQ(args.argv[1], "a \\\"b\\");
	CHECK_STR_EQ(args.argv[2], "x'y");
}

TEST(parse_backslash_outside_quotes)
{
	CHECK_EQ(parse("echo a\\ b \\\"q\\' end\\"), 0);
	CHECK_EQ(args.argc, 4);
	CHECK_STR_EQ(args.argv[1], "a b");
	CHECK_STR_EQ(args.argv[2], "\"q'");
	/* A backslash with nothing after it is kept. */
	CHECK_STR_EQ(args.argv[3], "end\\");
}

TEST(parse_quotes_join_a_word)
{
	CHECK_EQ(parse("x=\"a b\"'c d'e \"\" ''"), 0);
	CHECK_EQ(args.argc, 3);
	CHECK_STR_EQ(args.argv[0], "x=a bc de");
	CHECK_STR_EQ(args.argv[1], "");
	CHECK_STR_EQ(args.argv[2], "");
}

TEST(parse_unterminated_quote)
{
	CHECK_EQ(parse("echo \"abc"), -KEEL_EINVAL);
	CHECK_STR_EQ(args.error, "unterminated quote");
	CHECK_EQ(args.argc, 0);
	CHECK_EQ(parse("echo 'abc"), -KEEL_EINVAL);
	CHECK_STR_EQ(args.error, "unterminated quote");
	CHECK_EQ(parse("echo \"abc\\\""), -KEEL_EINVAL);
	CHECK_EQ(parse("echo \"abc\\\\\""), 0);
	CHECK(args.error == NULL);
}

TEST(parse_argument_limit)
{
	char line[SHELL_LINE_MAX];
	size_t len = 0;
	int i;

	for (i = 0; i < SHELL_MAX_ARGS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "w%d ", i);
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(args.argc, SHELL_MAX_ARGS);
	CHECK_STR_EQ(args.argv[SHELL_MAX_ARGS - 1], "w15");
	CHECK(args.argv[SHELL_MAX_ARGS] == NULL);
	/* A trailing comment is not a word. */
	snprintf(line + len, sizeof(line) - len, "# w16");
	CHECK_EQ(parse(line), 0);
	snprintf(line + len, sizeof(line) - len, "w16");
	CHECK_EQ(parse(line), -KEEL_EINVAL);
	CHECK_STR_EQ(args.error, "too many arguments (at most 16 words)");
}

TEST(parse_line_length_limit)
{
	char line[SHELL_LINE_MAX + 1];

	memset(line, 'a', sizeof(line) - 1);
	line[SHELL_LINE_MAX] = '\0';
	CHECK_EQ(parse(line), -KEEL_EINVAL);
	CHECK_STR_EQ(args.error, "line too long (at most 255 characters)");
	line[SHELL_LINE_MAX - 1] = '\0';
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(args.argc, 1);
	/* One word filling the line uses the whole word buffer. */
	CHECK_EQ(strlen(args.argv[0]), SHELL_LINE_MAX - 1);
}

TEST(parse_stops_at_a_nul_byte)
{
	static const char line[] = "echo a\0b c";

	CHECK_EQ(shell_parse_line(line, sizeof(line) - 1, &args), 0);
	CHECK_EQ(args.argc, 2);
	CHECK_STR_EQ(args.argv[1], "a");
}

/* Collects the commands of a script, joined with '|' for easy checks. */
static unsigned int split(const char *text, char *out, size_t size)
{
	struct shell_script script;
	const char *command;
	unsigned int count = 0;
	size_t len, used = 0;

	out[0] = '\0';
	shell_script_init(&script, text, strlen(text));
	while (shell_script_next(&script, &command, &len)) {
		used += (size_t)snprintf(out + used, size - used, "%s%.*s",
					 count ? "|" : "", (int)len, command);
		count++;
	}
	return count;
}

TEST(script_splits_on_semicolons_and_newlines)
{
	char out[256];

	CHECK_EQ(split("help; version\nls /\r\n  echo  x  ", out, sizeof(out)), 4);
	CHECK_STR_EQ(out, "help|version|ls /|echo  x");
}

TEST(script_skips_blank_commands)
{
	char out[256];

	CHECK_EQ(split(";;\n\n  ; \t\n", out, sizeof(out)), 0);
	CHECK_EQ(split("", out, sizeof(out)), 0);
	CHECK_EQ(split(";a;", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "a");
}

TEST(script_keeps_quoted_separators)
{
	char out[256];

	CHECK_EQ(split("echo 'a;b' \"c;d\nstill\"; echo e\\;f; g", out,
		       sizeof(out)), 3);
	CHECK_STR_EQ(out, "echo 'a;b' \"c;d\nstill\"|echo e\\;f|g");
	CHECK_EQ(split("echo \"x\\\";y\"; z", out, sizeof(out)), 2);
	CHECK_STR_EQ(out, "echo \"x\\\";y\"|z");
}

TEST(script_comments_run_to_the_end_of_the_line)
{
	char out[256];

	CHECK_EQ(split("# setup; not run\necho a # note; still a note\necho b",
		       out, sizeof(out)), 2);
	CHECK_STR_EQ(out, "echo a|echo b");
	CHECK_EQ(split("echo x#y; z", out, sizeof(out)), 2);
	CHECK_STR_EQ(out, "echo x#y|z");
}

TEST(script_unterminated_quote_takes_the_rest)
{
	char out[256];

	CHECK_EQ(split("echo \"a; b\nc", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "echo \"a; b\nc");
}
