/* SPDX-License-Identifier: GPL-2.0-only */
/* `cat`: prints a text file of the image file system. */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/log.h>
#include <keel/shell_internal.h>

/*
 * A file is text unless it holds a NUL byte or more than one control byte
 * in sixteen: binary data would only scramble the terminal.
 */
static bool cat_is_binary(const unsigned char *data, size_t size)
{
	size_t i, control = 0;

	for (i = 0; i < size; i++) {
		unsigned char c = data[i];

		if (!c)
			return true;
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
		    c == 0x7f)
			control++;
	}
	return control * 16 > size;
}

static int cat_run(int argc, char **argv)
{
	const struct fs_node *node;
	const char *data;
	int err;

	if (argc != 2) {
		kprintf(argc < 2 ? "cat: which file?\n" :
				   "cat: one file at a time\n");
		return -KEEL_EINVAL;
	}
	err = fs_lookup(argv[1], &node);
	if (!err && node->is_dir)
		err = -KEEL_EISDIR;
	if (err) {
		shell_print_path_error("cat", argv[1], err);
		return err;
	}
	data = node->data;
	if (cat_is_binary(node->data, node->size)) {
		kprintf("cat: %s: binary file (%zu bytes); not shown\n",
			argv[1], node->size);
		return 0;
	}
	shell_print_text(data, node->size);
	/* Keep the next prompt at the start of a line. */
	if (node->size && data[node->size - 1] != '\n')
		kprintf("\n");
	return 0;
}

SHELL_COMMAND(cat,
	.name = "cat",
	.usage = "cat <file>",
	.summary = "print a text file of the image file system",
	.help = "Binary files (device trees, images) are not printed; their size is.",
	.run = cat_run);
