/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The shell's line editor: a state machine fed one received byte at a time.
 * It does no I/O of its own; everything it shows (echo, cursor moves,
 * redraws, bells) goes through the write callback, so it runs the same on
 * the console and in unit tests. Output uses plain VT100 sequences.
 */
#ifndef KEEL_LINE_EDIT_H
#define KEEL_LINE_EDIT_H

#include <keel/shell.h>
#include <keel/types.h>

#define LINE_EDIT_HISTORY 32

/*
 * Writes terminal output. A lone "\n" is written where a new line starts:
 * the writer is expected to be a terminal writer such as console_write()
 * that turns it into "\r\n".
 */
typedef void (*line_edit_write_fn)(void *ctx, const char *text, size_t len);
/* Returns the completion candidate number `index` (any order), or NULL once
 * index is past the last one. */
typedef const char *(*line_edit_complete_fn)(void *ctx, unsigned int index);

enum line_edit_input {
	LINE_EDIT_INPUT_NORMAL,
	LINE_EDIT_INPUT_ESCAPE,  /* after ESC */
	LINE_EDIT_INPUT_CSI,     /* after ESC [ , collecting a parameter */
	LINE_EDIT_INPUT_SS3,     /* after ESC O */
};

struct line_edit {
	const char *prompt;
	line_edit_write_fn write;
	line_edit_complete_fn complete; /* may be NULL: no completion */
	void *ctx;

	char line[SHELL_LINE_MAX];      /* always NUL-terminated */
	size_t len;
	size_t cursor;

	enum line_edit_input input;
	unsigned int csi_param;
	bool csi_param_valid;
	bool after_cr;                  /* swallow the '\n' of "\r\n" */
	bool after_tab;                 /* a second tab lists candidates */

	/* A ring of accepted lines; browsing keeps the line being typed. */
	char history[LINE_EDIT_HISTORY][SHELL_LINE_MAX];
	unsigned int history_count;     /* entries stored, at most HISTORY */
	unsigned int history_next;      /* ring slot the next entry goes to */
	unsigned int history_pos;       /* 0: the edited line; n: n-th newest */
	char saved[SHELL_LINE_MAX];     /* the edited line while browsing */
};

/* Prepares le; nothing is written until line_edit_start(). */
void line_edit_init(struct line_edit *le, const char *prompt,
		    line_edit_write_fn write, line_edit_complete_fn complete,
		    void *ctx);
/* Starts a new, empty line and writes the prompt. */
void line_edit_start(struct line_edit *le);
/*
 * Handles one received byte. Returns true when it completed a line: the
 * line is then line_edit_line(le), already added to the history, and the
 * caller calls line_edit_start() once it has dealt with it.
 */
bool line_edit_feed(struct line_edit *le, char c);
/* The line being edited, or the one just completed. */
const char *line_edit_line(const struct line_edit *le);
/* Number of history entries and the n-th newest one (0 = newest). */
unsigned int line_edit_history_count(const struct line_edit *le);
const char *line_edit_history_entry(const struct line_edit *le,
				    unsigned int n);

#endif
