/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the shell's line editor: keys in, terminal output checked. */
#include <stdio.h>
#include <string.h>

#include <keel/line_edit.h>

#include "unit.h"

#define PROMPT "keel# "

struct editor_fixture {
	struct line_edit le;
	char out[8192];
	size_t out_len;
	char last[SHELL_LINE_MAX]; /* the last completed line */
	unsigned int lines;        /* lines completed so far */
	const char *const *names;  /* completion candidates, NULL-terminated */
};

/* Big (the history): one static instance, reset by every test. */
static struct editor_fixture fixture;

static void editor_write(void *ctx, const char *text, size_t len)
{
	struct editor_fixture *f = ctx;
	size_t room = sizeof(f->out) - 1 - f->out_len;

	len = len < room ? len : room;
	memcpy(f->out + f->out_len, text, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
}

static const char *editor_complete(void *ctx, unsigned int index)
{
	struct editor_fixture *f = ctx;
	unsigned int i;

	for (i = 0; f->names[i]; i++)
		if (i == index)
			return f->names[i];
	return NULL;
}

static const char *const command_names[] = {
	"cat", "cpus", "dt", "echo", "guest-list", "guest-load", "help",
	"log", "ls", "poweroff", "version", NULL,
};

static struct editor_fixture *editor_setup(bool completion)
{
	memset(&fixture, 0, sizeof(fixture));
	fixture.names = command_names;
	line_edit_init(&fixture.le, PROMPT, editor_write,
		       completion ? editor_complete : NULL, &fixture);
	line_edit_start(&fixture.le);
	return &fixture;
}

static void editor_clear_output(struct editor_fixture *f)
{
	f->out_len = 0;
	f->out[0] = '\0';
}

/* Feeds keys; every completed line is saved and a new one started. */
static void editor_type(struct editor_fixture *f, const char *keys)
{
	for (; *keys; keys++) {
		if (line_edit_feed(&f->le, *keys)) {
			strcpy(f->last, line_edit_line(&f->le));
			f->lines++;
			line_edit_start(&f->le);
		}
	}
}

TEST(line_edit_types_and_accepts_a_line)
{
	struct editor_fixture *f = editor_setup(false);

	CHECK_STR_EQ(f->out, PROMPT);
	editor_type(f, "help\r");
	CHECK_EQ(f->lines, 1);
	CHECK_STR_EQ(f->last, "help");
	CHECK_STR_EQ(f->out, PROMPT "help\n" PROMPT);
}

TEST(line_edit_crlf_is_one_enter)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "a\r\nb\r\n");
	CHECK_EQ(f->lines, 2);
	CHECK_STR_EQ(f->last, "b");
	editor_type(f, "c\nd\n");
	CHECK_EQ(f->lines, 4);
	CHECK_STR_EQ(f->last, "d");
	/* Two bare CRs are two (empty) lines, as are two LFs. */
	editor_type(f, "\r\r\n\n");
	CHECK_EQ(f->lines, 7);
	CHECK_STR_EQ(f->last, "");
}

TEST(line_edit_backspace_both_codes)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "helpx\x7f\r");
	CHECK_STR_EQ(f->last, "help");
	editor_type(f, "ab\bc\r");
	CHECK_STR_EQ(f->last, "ac");
	/* Nothing to erase: a bell, and the line stays empty. */
	editor_clear_output(f);
	editor_type(f, "\x7f");
	CHECK_STR_EQ(f->out, "\a");
	CHECK_STR_EQ(line_edit_line(&f->le), "");
}

TEST(line_edit_insert_in_the_middle_redraws)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "hlp\x1b[D\x1b[D");
	editor_clear_output(f);
	editor_type(f, "e");
	CHECK_STR_EQ(f->out, "\r" PROMPT "help\x1b[K\x1b[2D");
	editor_type(f, "\r");
	CHECK_STR_EQ(f->last, "help");
}

TEST(line_edit_cursor_moves)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "abc");
	editor_clear_output(f);
	editor_type(f, "\x1b[D");
	CHECK_STR_EQ(f->out, "\x1b[1D");
	editor_clear_output(f);
	editor_type(f, "\x1b[C");
	CHECK_STR_EQ(f->out, "\x1b[1C");
	/* Right at the end and left at the start do nothing. */
	editor_clear_output(f);
	editor_type(f, "\x1b[C");
	CHECK_STR_EQ(f->out, "");
	editor_type(f, "\x01");
	CHECK_STR_EQ(f->out, "\x1b[3D");
	editor_clear_output(f);
	editor_type(f, "\x1b[D");
	CHECK_STR_EQ(f->out, "");
	editor_type(f, "\x05");
	CHECK_STR_EQ(f->out, "\x1b[3C");
}

TEST(line_edit_home_and_end_keys)
{
	static const char *const home_keys[] = { "\x01", "\x1b[H", "\x1b[1~",
						 "\x1b[7~", "\x1bOH" };
	static const char *const end_keys[] = { "\x05", "\x1b[F", "\x1b[4~",
						"\x1b[8~", "\x1bOF" };
	struct editor_fixture *f = editor_setup(false);
	unsigned int i;

	for (i = 0; i < sizeof(home_keys) / sizeof(home_keys[0]); i++) {
		editor_type(f, "bc");
		editor_type(f, home_keys[i]);
		editor_type(f, "a");
		editor_type(f, end_keys[i]);
		editor_type(f, "d\r");
		CHECK_STR_EQ(f->last, "abcd");
	}
}

TEST(line_edit_delete_key)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "xabc\x01\x1b[3~\r");
	CHECK_STR_EQ(f->last, "abc");
	/* At the end of the line there is nothing to delete. */
	editor_type(f, "abc");
	editor_clear_output(f);
	editor_type(f, "\x1b[3~");
	CHECK_STR_EQ(f->out, "\a");
	editor_type(f, "\r");
	CHECK_STR_EQ(f->last, "abc");
}

TEST(line_edit_ctrl_u_erases_before_the_cursor)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "junk\x15help\r");
	CHECK_STR_EQ(f->last, "help");
	editor_type(f, "abc def\x1b[D\x1b[D\x1b[D\x15\r");
	CHECK_STR_EQ(f->last, "def");
}

TEST(line_edit_ctrl_c_abandons_the_line)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "reboot");
	editor_clear_output(f);
	editor_type(f, "\x03");
	CHECK_EQ(f->lines, 0);
	CHECK_STR_EQ(f->out, "^C\n" PROMPT);
	CHECK_STR_EQ(line_edit_line(&f->le), "");
	editor_type(f, "ls\r");
	CHECK_STR_EQ(f->last, "ls");
	/* An abandoned line is not history. */
	CHECK_EQ(line_edit_history_count(&f->le), 1);
}

TEST(line_edit_history_browsing_keeps_the_edited_line)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "one\rtwo\rpar");
	editor_type(f, "\x1b[A");
	CHECK_STR_EQ(line_edit_line(&f->le), "two");
	editor_type(f, "\x1b[A");
	CHECK_STR_EQ(line_edit_line(&f->le), "one");
	/* Past the oldest entry: a bell, the line stays. */
	editor_clear_output(f);
	editor_type(f, "\x1b[A");
	CHECK_STR_EQ(f->out, "\a");
	CHECK_STR_EQ(line_edit_line(&f->le), "one");
	editor_type(f, "\x1b[B");
	CHECK_STR_EQ(line_edit_line(&f->le), "two");
	editor_clear_output(f);
	editor_type(f, "\x1b[B");
	CHECK_STR_EQ(line_edit_line(&f->le), "par");
	CHECK_STR_EQ(f->out, "\r" PROMPT "par\x1b[K");
	editor_type(f, "\x1b[B");
	CHECK_STR_EQ(line_edit_line(&f->le), "par");
	editor_type(f, "t\r");
	CHECK_STR_EQ(f->last, "part");
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 0), "part");
}

TEST(line_edit_recalled_line_can_be_edited)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "echo a\r\x1b[A\x7f" "b\r");
	CHECK_STR_EQ(f->last, "echo b");
	CHECK_EQ(line_edit_history_count(&f->le), 2);
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 1), "echo a");
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 0), "echo b");
}

TEST(line_edit_history_skips_repeats_and_blank_lines)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "\r   \r");
	CHECK_EQ(line_edit_history_count(&f->le), 0);
	editor_type(f, "a\ra\rb\ra\r");
	CHECK_EQ(line_edit_history_count(&f->le), 3);
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 0), "a");
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 1), "b");
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 2), "a");
	CHECK(line_edit_history_entry(&f->le, 3) == NULL);
}

TEST(line_edit_history_keeps_the_last_32)
{
	struct editor_fixture *f = editor_setup(false);
	char line[16];
	unsigned int i;

	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "cmd%u\r", i);
		editor_type(f, line);
	}
	CHECK_EQ(line_edit_history_count(&f->le), LINE_EDIT_HISTORY);
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 0), "cmd39");
	CHECK_STR_EQ(line_edit_history_entry(&f->le, 31), "cmd8");
	for (i = 0; i < 40; i++)
		editor_type(f, "\x1b[A");
	CHECK_STR_EQ(line_edit_line(&f->le), "cmd8");
}

TEST(line_edit_tab_completes_a_unique_name)
{
	struct editor_fixture *f = editor_setup(true);

	editor_type(f, "he");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "lp ");
	CHECK_STR_EQ(line_edit_line(&f->le), "help ");
	editor_type(f, "\r");
	/* Leading blanks are not part of the name. */
	editor_type(f, "  po\t\r");
	CHECK_STR_EQ(f->last, "  poweroff ");
}

TEST(line_edit_tab_common_prefix_then_list)
{
	struct editor_fixture *f = editor_setup(true);

	editor_type(f, "g");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(line_edit_line(&f->le), "guest-l");
	CHECK_STR_EQ(f->out, "uest-l");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\nguest-list  guest-load\n\r" PROMPT
			     "guest-l\x1b[K");
	CHECK_STR_EQ(line_edit_line(&f->le), "guest-l");
	editor_type(f, "o\t\r");
	CHECK_STR_EQ(f->last, "guest-load ");
}

TEST(line_edit_tab_ambiguous_needs_a_second_tab)
{
	struct editor_fixture *f = editor_setup(true);

	editor_type(f, "c");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\a");
	/* Another key in between: the next tab is a first tab again. */
	editor_type(f, "x\x7f");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\a");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\ncat   cpus\n\r" PROMPT "c\x1b[K");
}

TEST(line_edit_tab_only_completes_the_first_word)
{
	struct editor_fixture *f = editor_setup(true);

	editor_type(f, "echo he");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\a");
	CHECK_STR_EQ(line_edit_line(&f->le), "echo he");
	editor_type(f, "\x15zz\t");
	CHECK_STR_EQ(line_edit_line(&f->le), "zz");
	/* The cursor inside the name: nothing to complete. */
	editor_type(f, "\x15help\x1b[D\x1b[D");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\a");
	/* Before an existing argument: complete and step over the space. */
	editor_type(f, "\x05\x15" "ec cat\x01\x1b[C\x1b[C\t!");
	CHECK_STR_EQ(line_edit_line(&f->le), "echo !cat");
}

TEST(line_edit_tab_without_completion_rings)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "he");
	editor_clear_output(f);
	editor_type(f, "\t");
	CHECK_STR_EQ(f->out, "\a");
	CHECK_STR_EQ(line_edit_line(&f->le), "he");
}

TEST(line_edit_refuses_characters_past_the_limit)
{
	struct editor_fixture *f = editor_setup(true);
	unsigned int i, bells = 0;
	size_t k;

	for (i = 0; i < SHELL_LINE_MAX + 40; i++)
		editor_type(f, "a");
	CHECK_EQ(strlen(line_edit_line(&f->le)), SHELL_LINE_MAX - 1);
	for (k = 0; k < f->out_len; k++)
		bells += f->out[k] == '\a';
	CHECK_EQ(bells, 41);
	/* Inserting in the middle of a full line is refused too. */
	editor_type(f, "\x01" "b");
	CHECK_EQ(line_edit_line(&f->le)[0], 'a');
	editor_type(f, "\r");
	CHECK_EQ(strlen(f->last), SHELL_LINE_MAX - 1);
	/* A completion that does not fit is refused whole. */
	for (i = 0; i < SHELL_LINE_MAX - 3; i++)
		editor_type(f, " ");
	editor_type(f, "ve\t");
	CHECK_EQ(strlen(line_edit_line(&f->le)), SHELL_LINE_MAX - 1);
	CHECK_EQ(line_edit_line(&f->le)[SHELL_LINE_MAX - 2], 'e');
}

TEST(line_edit_ignores_unknown_sequences_and_bytes)
{
	struct editor_fixture *f = editor_setup(false);

	editor_type(f, "ab");
	editor_clear_output(f);
	/* Page Up, F1, a modified arrow's parameters, 8-bit and NUL bytes. */
	editor_type(f, "\x1b[5~\x1bOP\x1b[99999999Z\xc3\xa9");
	editor_type(f, (const char[]){ '\x1b', 'x', 0 });
	CHECK_STR_EQ(f->out, "");
	editor_type(f, "\x1b[1;5D");
	CHECK_STR_EQ(f->out, "\x1b[1D");
	editor_type(f, "\r");
	CHECK_STR_EQ(f->last, "ab");
}
