/* SPDX-License-Identifier: GPL-2.0-only */
/* Between the cpio parser and the image file system's node table. */
#ifndef KEEL_FS_INTERNAL_H
#define KEEL_FS_INTERNAL_H

#include <keel/fs.h>

#define FS_PATH_MAX 256
#define FS_MODE_TYPE 0170000
#define FS_MODE_DIR 0040000
#define FS_MODE_FILE 0100000

struct fs_entry {
	struct fs_node node;
	bool explicit; /* named by the archive, not only implied by a child */
	/* Identity of the file in the archive, for hard links: newc stores
	 * the data only with the last name of a linked file. */
	uint32_t ino, dev_major, dev_minor, nlink;
};

/* The nodes, sorted by path with strcmp(); entry 0 is always "/". */
struct fs_table {
	struct fs_entry *entries;
	unsigned int count;
	unsigned int capacity;
};

/*
 * Writes the normalised absolute form of the len bytes at path ("a//./b/"
 * -> "/a/b") to out. Returns its length, or a negative error with *problem
 * saying why (".." component, empty name, too long).
 */
int fs_path_normalise(const char *path, size_t len, char *out,
		      size_t out_size, const char **problem);

/* The entry for a normalised path, or NULL. */
struct fs_entry *fs_table_find(const struct fs_table *t, const char *path);
/* Starts a table holding only "/". */
int fs_table_init(struct fs_table *t);
/*
 * Adds a node for the normalised path, creating missing parent directories.
 * Returns 0, -KEEL_EEXIST (already named by the archive), -KEEL_ENOTDIR
 * (a parent is a file) or -KEEL_ENOMEM.
 */
int fs_table_add(struct fs_table *t, const char *path, uint32_t mode,
		 const void *data, size_t size);
void fs_table_free(struct fs_table *t);
/* Makes t the mounted file system (taking ownership of its memory). */
void fs_table_install(struct fs_table *t);

#endif
