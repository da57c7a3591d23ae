/* SPDX-License-Identifier: GPL-2.0-only */
/* `ls`: lists a directory of the image file system. */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/log.h>
#include <keel/shell_internal.h>

static void ls_print_node(const struct fs_node *node, const char *name)
{
	if (node->is_dir)
		kprintf("%10s  %s/\n", "", name);
	else
		kprintf("%10zu  %s\n", node->size, name);
}

static void ls_print_child(const struct fs_node *node, void *ctx __unused)
{
	ls_print_node(node, node->name);
}

static int ls_run(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	const struct fs_node *node;
	int err;

	if (argc > 2) {
		kprintf("ls: one path at a time\n");
		return -KEEL_EINVAL;
	}
	if (!fs_is_mounted()) {
		kprintf("ls: no image file system is mounted\n");
		return -KEEL_ENOENT;
	}
	err = fs_lookup(path, &node);
	if (err) {
		shell_print_path_error("ls", path, err);
		return err;
	}
	if (!node->is_dir) {
		ls_print_node(node, node->path);
		return 0;
	}
	err = fs_list(node->path, ls_print_child, NULL);
	if (err)
		shell_print_path_error("ls", path, err);
	return err;
}

SHELL_COMMAND(ls,
	.name = "ls",
	.usage = "ls [path]",
	.summary = "list a directory of the image file system",
	.help = "Shows each entry's size in bytes; directories end in \"/\".\n"
		"The path defaults to \"/\".",
	.run = ls_run);
