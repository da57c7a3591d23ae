/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The image file system: a cpio "newc" archive handed over by the boot
 * loader, mounted read-only at "/". Files are served in place.
 */
#ifndef KEEL_FS_H
#define KEEL_FS_H

#include <keel/types.h>

struct fs_node {
	const char *path;   /* absolute, normalised: "/guests/basic.dtb" */
	const char *name;   /* last component; "" for "/" */
	const void *data;   /* file contents (NULL for directories) */
	size_t size;
	uint32_t mode;      /* as stored in the archive (S_IFDIR, S_IFREG...) */
	bool is_dir;
};

/*
 * Mounts the archive. On failure returns a negative error and logs what was
 * wrong (offset and field); the file system is then empty but usable.
 */
int fs_mount_cpio(const void *archive, size_t size);
/* Forgets the mounted archive (tests and re-mounting). */
void fs_unmount(void);
bool fs_is_mounted(void);
/* Finds path ("/a/b", "a/b", "/a/./b/" all accepted). */
int fs_lookup(const char *path, const struct fs_node **node);
/* Calls fn for every direct child of dir, sorted by name. */
int fs_list(const char *dir, void (*fn)(const struct fs_node *node, void *ctx),
	    void *ctx);
/* Number of files and directories mounted. */
unsigned int fs_node_count(void);

#endif
