/* SPDX-License-Identifier: GPL-2.0-only */
/* The image file system's node table: lookup and listing of sorted paths. */
#include <keel/errno.h>
#include <keel/mm.h>
#include <string.h>
#include "fs_internal.h"

/* What an empty (or unmounted) file system shows: the root alone. */
static struct fs_entry fs_empty_root = {
	.node = { .path = "/", .name = "", .mode = FS_MODE_DIR | 0755,
		  .is_dir = true },
	.explicit = true,
};

static struct fs_table fs_mounted;
static bool fs_has_archive;

int fs_path_normalise(const char *path, size_t len, char *out,
		      size_t out_size, const char **problem)
{
	size_t i = 0, o = 0;

	if (len == 0) {
		*problem = "empty name";
		return -KEEL_EINVAL;
	}
	if (out_size < 2) {
		*problem = "path too long";
		return -KEEL_ENAMETOOLONG;
	}
	out[o++] = '/';
	while (i < len) {
		size_t start, component;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		component = i - start;
		if (component == 0 || (component == 1 && path[start] == '.'))
			continue;
		if (component == 2 && path[start] == '.' && path[start + 1] == '.') {
			*problem = "\"..\" components are not allowed";
			return -KEEL_EINVAL;
		}
		/* Room for an optional '/', the component and the NUL. */
		if (o + (o > 1) + component + 1 > out_size) {
			*problem = "path too long";
			return -KEEL_ENAMETOOLONG;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, path + start, component);
		o += component;
	}
	out[o] = '\0';
	return (int)o;
}

/* Index of the first entry whose path is not below key in sort order. */
static unsigned int fs_table_lower_bound(const struct fs_table *t,
					 const char *key)
{
	unsigned int lo = 0, hi = t->count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (strcmp(t->entries[mid].node.path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct fs_entry *fs_table_find(const struct fs_table *t, const char *path)
{
	unsigned int i = fs_table_lower_bound(t, path);

	if (i < t->count && strcmp(t->entries[i].node.path, path) == 0)
		return &t->entries[i];
	return NULL;
}

static int fs_table_insert(struct fs_table *t, const char *path, uint32_t mode,
			   const void *data, size_t size, bool explicit)
{
	unsigned int i = fs_table_lower_bound(t, path);
	struct fs_entry *e;
	char *copy;

	if (t->count == t->capacity) {
		unsigned int capacity = t->capacity ? t->capacity * 2 : 32;
		struct fs_entry *grown = kmalloc(capacity * sizeof(*grown));

		if (!grown)
			return -KEEL_ENOMEM;
		if (t->count)
			memcpy(grown, t->entries, t->count * sizeof(*grown));
		kfree(t->entries);
		t->entries = grown;
		t->capacity = capacity;
	}
	copy = kstrdup(path);
	if (!copy)
		return -KEEL_ENOMEM;
	memmove(&t->entries[i + 1], &t->entries[i],
		(t->count - i) * sizeof(t->entries[0]));
	t->count++;
	e = &t->entries[i];
	e->node.path = copy;
	e->node.name = strrchr(copy, '/') + 1;
	e->node.is_dir = (mode & FS_MODE_TYPE) == FS_MODE_DIR;
	e->node.data = e->node.is_dir ? NULL : data;
	e->node.size = e->node.is_dir ? 0 : size;
	e->node.mode = mode;
	e->explicit = explicit;
	e->ino = 0;
	e->dev_major = 0;
	e->dev_minor = 0;
	e->nlink = 0;
	return 0;
}

int fs_table_init(struct fs_table *t)
{
	t->entries = NULL;
	t->count = 0;
	t->capacity = 0;
	return fs_table_insert(t, "/", FS_MODE_DIR | 0755, NULL, 0, true);
}

int fs_table_add(struct fs_table *t, const char *path, uint32_t mode,
		 const void *data, size_t size)
{
	char parent[FS_PATH_MAX];
	size_t len = strlen(path);
	struct fs_entry *e;
	int err;

	if (len >= sizeof(parent))
		return -KEEL_ENAMETOOLONG;
	/* Every proper prefix ending before a '/' must be a directory;
	 * archives often leave those entries out. */
	for (size_t i = 1; i < len; i++) {
		if (path[i] != '/')
			continue;
		memcpy(parent, path, i);
		parent[i] = '\0';
		e = fs_table_find(t, parent);
		if (e && !e->node.is_dir)
			return -KEEL_ENOTDIR;
		if (!e) {
			err = fs_table_insert(t, parent, FS_MODE_DIR | 0755,
					      NULL, 0, false);
			if (err)
				return err;
		}
	}
	e = fs_table_find(t, path);
	if (!e)
		return fs_table_insert(t, path, mode, data, size, true);
	/* A directory made for a child earlier is now named itself: take
	 * the archive's mode. Anything else is a second entry. */
	if (e->explicit || !e->node.is_dir ||
	    (mode & FS_MODE_TYPE) != FS_MODE_DIR)
		return -KEEL_EEXIST;
	e->node.mode = mode;
	e->explicit = true;
	return 0;
}

void fs_table_free(struct fs_table *t)
{
	for (unsigned int i = 0; i < t->count; i++)
		kfree((void *)t->entries[i].node.path);
	kfree(t->entries);
	t->entries = NULL;
	t->count = 0;
	t->capacity = 0;
}

void fs_table_install(struct fs_table *t)
{
	fs_unmount();
	fs_mounted = *t;
	fs_has_archive = true;
	t->entries = NULL;
	t->count = 0;
	t->capacity = 0;
}

void fs_unmount(void)
{
	if (fs_has_archive)
		fs_table_free(&fs_mounted);
	fs_has_archive = false;
}

bool fs_is_mounted(void)
{
	return fs_has_archive;
}

unsigned int fs_node_count(void)
{
	/* The root is always there and not counted. */
	return fs_has_archive ? fs_mounted.count - 1 : 0;
}

static const struct fs_table *fs_current(void)
{
	static struct fs_table empty = { &fs_empty_root, 1, 1 };

	return fs_has_archive ? &fs_mounted : &empty;
}

int fs_lookup(const char *path, const struct fs_node **node)
{
	char normal[FS_PATH_MAX];
	const char *problem;
	struct fs_entry *e;
	int len;

	if (!path)
		return -KEEL_EINVAL;
	len = fs_path_normalise(path, strlen(path), normal, sizeof(normal),
				&problem);
	if (len < 0)
		return len == -KEEL_EINVAL && !*path ? -KEEL_ENOENT : len;
	e = fs_table_find(fs_current(), normal);
	if (!e)
		return -KEEL_ENOENT;
	*node = &e->node;
	return 0;
}

int fs_list(const char *dir, void (*fn)(const struct fs_node *node, void *ctx),
	    void *ctx)
{
	const struct fs_table *t = fs_current();
	char prefix[FS_PATH_MAX + 1];
	const struct fs_node *node;
	size_t plen;
	int err;

	err = fs_lookup(dir, &node);
	if (err)
		return err;
	if (!node->is_dir)
		return -KEEL_ENOTDIR;
	/* Descendants of "/a" are exactly the paths starting with "/a/";
	 * they are contiguous in sorted order, and among them the direct
	 * children (no further '/') come in name order. */
	plen = strlen(node->path);
	memcpy(prefix, node->path, plen);
	if (plen > 1)
		prefix[plen++] = '/';
	prefix[plen] = '\0';
	for (unsigned int i = fs_table_lower_bound(t, prefix); i < t->count; i++) {
		const struct fs_node *child = &t->entries[i].node;

		if (strncmp(child->path, prefix, plen) != 0)
			break;
		if (child->path[plen] && !strchr(child->path + plen, '/'))
			fn(child, ctx);
	}
	return 0;
}
