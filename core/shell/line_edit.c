/* SPDX-License-Identifier: GPL-2.0-only */
/* The shell's line editor: keys in, VT100 output through a callback. */
#include <keel/line_edit.h>
#include <lib/format.h>
#include <string.h>

#define KEY_CTRL(c) ((c) & 0x1f)
#define KEY_ESCAPE 0x1b
#define KEY_DELETE 0x7f
/* Keeps a stray digit run in an escape sequence from overflowing. */
#define CSI_PARAM_MAX 1000
/* Completion candidates are listed in columns up to this width. */
#define LIST_WIDTH 80

static void line_edit_write(struct line_edit *le, const char *text, size_t len)
{
	if (len)
		le->write(le->ctx, text, len);
}

static void line_edit_puts(struct line_edit *le, const char *text)
{
	line_edit_write(le, text, strlen(text));
}

static void line_edit_bell(struct line_edit *le)
{
	line_edit_puts(le, "\a");
}

/* "ESC [ 0 D" would move one column on a VT100, so moves of 0 write nothing. */
static void line_edit_move(struct line_edit *le, size_t columns, char direction)
{
	char seq[24];
	int n;

	if (!columns)
		return;
	n = fmt_snprintf(seq, sizeof(seq), "\x1b[%zu%c", columns, direction);
	line_edit_write(le, seq, (size_t)n);
}

/* Rewrites prompt and line from the row start, then places the cursor. */
static void line_edit_redraw(struct line_edit *le)
{
	line_edit_puts(le, "\r");
	line_edit_puts(le, le->prompt);
	line_edit_write(le, le->line, le->len);
	line_edit_puts(le, "\x1b[K");
	line_edit_move(le, le->len - le->cursor, 'D');
}

void line_edit_init(struct line_edit *le, const char *prompt,
		    line_edit_write_fn write, line_edit_complete_fn complete,
		    void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->prompt = prompt ? prompt : "";
	le->write = write;
	le->complete = complete;
	le->ctx = ctx;
}

static void line_edit_clear(struct line_edit *le)
{
	le->line[0] = '\0';
	le->len = 0;
	le->cursor = 0;
	le->history_pos = 0;
	le->input = LINE_EDIT_INPUT_NORMAL;
}

void line_edit_start(struct line_edit *le)
{
	/* after_cr survives: the '\n' of a "\r\n" may still be on its way. */
	line_edit_clear(le);
	le->after_tab = false;
	line_edit_puts(le, le->prompt);
}

const char *line_edit_line(const struct line_edit *le)
{
	return le->line;
}

/* Inserts text at the cursor, all or nothing. */
static bool line_edit_insert(struct line_edit *le, const char *text, size_t len)
{
	if (len > SHELL_LINE_MAX - 1 - le->len) {
		line_edit_bell(le);
		return false;
	}
	memmove(le->line + le->cursor + len, le->line + le->cursor,
		le->len - le->cursor + 1);
	memcpy(le->line + le->cursor, text, len);
	le->len += len;
	le->cursor += len;
	if (le->cursor == le->len)
		line_edit_write(le, text, len);
	else
		line_edit_redraw(le);
	return true;
}

/* Removes line[from, to) and redraws. */
static void line_edit_delete(struct line_edit *le, size_t from, size_t to)
{
	if (from >= to)
		return;
	memmove(le->line + from, le->line + to, le->len - to + 1);
	le->len -= to - from;
	if (le->cursor >= to)
		le->cursor -= to - from;
	else if (le->cursor > from)
		le->cursor = from;
	line_edit_redraw(le);
}

/* Replaces the whole line (history browsing) with the cursor at its end. */
static void line_edit_set_line(struct line_edit *le, const char *text)
{
	size_t len = strlen(text);

	if (len > SHELL_LINE_MAX - 1)
		len = SHELL_LINE_MAX - 1;
	memcpy(le->line, text, len);
	le->line[len] = '\0';
	le->len = len;
	le->cursor = len;
	line_edit_redraw(le);
}

static void line_edit_cursor_to(struct line_edit *le, size_t position)
{
	if (position < le->cursor)
		line_edit_move(le, le->cursor - position, 'D');
	else
		line_edit_move(le, position - le->cursor, 'C');
	le->cursor = position;
}

/* ---- history ---- */

unsigned int line_edit_history_count(const struct line_edit *le)
{
	return le->history_count;
}

const char *line_edit_history_entry(const struct line_edit *le, unsigned int n)
{
	if (n >= le->history_count)
		return NULL;
	return le->history[(le->history_next + LINE_EDIT_HISTORY - 1 - n) %
			   LINE_EDIT_HISTORY];
}

static bool line_edit_blank(const char *text)
{
	for (; *text; text++)
		if (*text != ' ' && *text != '\t')
			return false;
	return true;
}

static void line_edit_history_add(struct line_edit *le, const char *text)
{
	const char *newest = line_edit_history_entry(le, 0);

	if (line_edit_blank(text) || (newest && !strcmp(newest, text)))
		return;
	memcpy(le->history[le->history_next], text, strlen(text) + 1);
	le->history_next = (le->history_next + 1) % LINE_EDIT_HISTORY;
	if (le->history_count < LINE_EDIT_HISTORY)
		le->history_count++;
}

static void line_edit_history_older(struct line_edit *le)
{
	if (le->history_pos >= le->history_count) {
		line_edit_bell(le);
		return;
	}
	if (le->history_pos == 0)
		memcpy(le->saved, le->line, le->len + 1);
	le->history_pos++;
	line_edit_set_line(le, line_edit_history_entry(le, le->history_pos - 1));
}

static void line_edit_history_newer(struct line_edit *le)
{
	if (le->history_pos == 0) {
		line_edit_bell(le);
		return;
	}
	le->history_pos--;
	if (le->history_pos == 0)
		line_edit_set_line(le, le->saved);
	else
		line_edit_set_line(le,
				   line_edit_history_entry(le, le->history_pos - 1));
}

/* ---- completion of the command name ---- */

static void line_edit_write_spaces(struct line_edit *le, size_t count)
{
	static const char spaces[] = "                ";

	while (count) {
		size_t n = MIN(count, sizeof(spaces) - 1);

		line_edit_write(le, spaces, n);
		count -= n;
	}
}

/* Lists the candidates starting with prefix in columns, then redraws. */
static void line_edit_list(struct line_edit *le, const char *prefix,
			   size_t prefix_len)
{
	size_t width = 0, per_row, column = 0, previous = 0;
	const char *name;
	unsigned int i;

	for (i = 0; (name = le->complete(le->ctx, i)); i++)
		if (!strncmp(name, prefix, prefix_len))
			width = MAX(width, strlen(name));
	width += 2;
	per_row = MAX((size_t)1, LIST_WIDTH / width);

	line_edit_puts(le, "\n");
	for (i = 0; (name = le->complete(le->ctx, i)); i++) {
		if (strncmp(name, prefix, prefix_len))
			continue;
		/* Pad before a name, not after, so rows end without blanks. */
		if (column == per_row) {
			line_edit_puts(le, "\n");
			column = 0;
		} else if (column) {
			line_edit_write_spaces(le, width - previous);
		}
		previous = strlen(name);
		line_edit_write(le, name, previous);
		column++;
	}
	line_edit_puts(le, "\n");
	line_edit_redraw(le);
}

static void line_edit_complete_name(struct line_edit *le, bool second_tab)
{
	size_t start = 0, prefix_len, common = 0, i;
	const char *prefix, *name, *first = NULL;
	unsigned int index, matches = 0;

	le->after_tab = true;
	if (!le->complete) {
		line_edit_bell(le);
		return;
	}
	while (start < le->cursor && le->line[start] == ' ')
		start++;
	/* Only the first word (a command name), and only at its end. */
	for (i = start; i < le->cursor; i++) {
		if (le->line[i] == ' ') {
			line_edit_bell(le);
			return;
		}
	}
	if (le->cursor < le->len && le->line[le->cursor] != ' ') {
		line_edit_bell(le);
		return;
	}
	prefix = le->line + start;
	prefix_len = le->cursor - start;

	for (index = 0; (name = le->complete(le->ctx, index)); index++) {
		if (strncmp(name, prefix, prefix_len))
			continue;
		if (!matches++) {
			first = name;
			common = strlen(name);
			continue;
		}
		for (i = prefix_len; i < common && name[i] == first[i]; i++)
			;
		common = i;
	}

	if (!matches) {
		line_edit_bell(le);
	} else if (matches == 1) {
		char completion[SHELL_LINE_MAX];
		size_t n = common - prefix_len;

		if (n >= sizeof(completion)) {
			line_edit_bell(le);
			return;
		}
		memcpy(completion, first + prefix_len, n);
		if (le->cursor == le->len) {
			completion[n++] = ' ';
			line_edit_insert(le, completion, n);
		} else if (line_edit_insert(le, completion, n)) {
			/* A space already follows: step over it. */
			line_edit_cursor_to(le, le->cursor + 1);
		}
	} else if (common > prefix_len) {
		line_edit_insert(le, first + prefix_len, common - prefix_len);
	} else if (second_tab) {
		line_edit_list(le, prefix, prefix_len);
	} else {
		line_edit_bell(le);
	}
}

/* ---- keys ---- */

static bool line_edit_accept(struct line_edit *le)
{
	line_edit_puts(le, "\n");
	line_edit_history_add(le, le->line);
	le->history_pos = 0;
	return true;
}

static void line_edit_cancel(struct line_edit *le)
{
	line_edit_puts(le, "^C\n");
	line_edit_start(le);
}

static void line_edit_backspace(struct line_edit *le)
{
	if (!le->cursor)
		line_edit_bell(le);
	else
		line_edit_delete(le, le->cursor - 1, le->cursor);
}

static void line_edit_delete_forward(struct line_edit *le)
{
	if (le->cursor == le->len)
		line_edit_bell(le);
	else
		line_edit_delete(le, le->cursor, le->cursor + 1);
}

/* The final byte of ESC [ ... or ESC O ...; param is 0 when absent. */
static void line_edit_sequence(struct line_edit *le, char final,
			       unsigned int param)
{
	switch (final) {
	case 'A':
		line_edit_history_older(le);
		break;
	case 'B':
		line_edit_history_newer(le);
		break;
	case 'C':
		if (le->cursor < le->len)
			line_edit_cursor_to(le, le->cursor + 1);
		break;
	case 'D':
		if (le->cursor)
			line_edit_cursor_to(le, le->cursor - 1);
		break;
	case 'H':
		line_edit_cursor_to(le, 0);
		break;
	case 'F':
		line_edit_cursor_to(le, le->len);
		break;
	case '~':
		if (param == 1 || param == 7)
			line_edit_cursor_to(le, 0);
		else if (param == 4 || param == 8)
			line_edit_cursor_to(le, le->len);
		else if (param == 3)
			line_edit_delete_forward(le);
		break;
	default:
		break; /* keys the editor has no use for */
	}
}

/* Consumes bytes of an escape sequence; returns false for normal input. */
static bool line_edit_escape(struct line_edit *le, char c)
{
	switch (le->input) {
	case LINE_EDIT_INPUT_NORMAL:
		return false;
	case LINE_EDIT_INPUT_ESCAPE:
		le->csi_param = 0;
		if (c == '[')
			le->input = LINE_EDIT_INPUT_CSI;
		else if (c == 'O')
			le->input = LINE_EDIT_INPUT_SS3;
		else
			le->input = LINE_EDIT_INPUT_NORMAL;
		return true;
	case LINE_EDIT_INPUT_SS3:
		le->input = LINE_EDIT_INPUT_NORMAL;
		line_edit_sequence(le, c, 0);
		return true;
	case LINE_EDIT_INPUT_CSI:
		if (c >= '0' && c <= '9') {
			le->csi_param = MIN(le->csi_param * 10 +
						    (unsigned int)(c - '0'),
					    (unsigned int)CSI_PARAM_MAX);
		} else if (c == ';') {
			/* Modifiers ("1;5C") follow: keep the key's own. */
		} else if (c >= 0x40 && c <= 0x7e) {
			le->input = LINE_EDIT_INPUT_NORMAL;
			line_edit_sequence(le, c, le->csi_param);
		} else if (c < 0x20 || c > 0x7e) {
			le->input = LINE_EDIT_INPUT_NORMAL; /* broken sequence */
		}
		return true;
	}
	return false;
}

bool line_edit_feed(struct line_edit *le, char c)
{
	bool after_cr = le->after_cr, after_tab = le->after_tab;

	le->after_cr = false;
	le->after_tab = false;
	if (line_edit_escape(le, c))
		return false;

	switch (c) {
	case '\r':
		le->after_cr = true;
		return line_edit_accept(le);
	case '\n':
		if (after_cr)
			return false; /* the second half of "\r\n" */
		return line_edit_accept(le);
	case KEY_ESCAPE:
		le->input = LINE_EDIT_INPUT_ESCAPE;
		break;
	case KEY_DELETE:
	case KEY_CTRL('H'):
		line_edit_backspace(le);
		break;
	case KEY_CTRL('A'):
		line_edit_cursor_to(le, 0);
		break;
	case KEY_CTRL('E'):
		line_edit_cursor_to(le, le->len);
		break;
	case KEY_CTRL('U'):
		/* As in bash: everything before the cursor goes. */
		line_edit_delete(le, 0, le->cursor);
		break;
	case KEY_CTRL('C'):
		line_edit_cancel(le);
		break;
	case '\t':
		line_edit_complete_name(le, after_tab);
		break;
	default:
		if (c >= 0x20 && c < 0x7f)
			line_edit_insert(le, &c, 1);
		break; /* other control bytes and 8-bit input are ignored */
	}
	return false;
}
