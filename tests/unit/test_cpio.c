/* SPDX-License-Identifier: GPL-2.0-only */
/* The image file system: mounting cpio newc archives, good and corrupt. */
#include <keel/errno.h>
#include <keel/fs.h>
#include <keel/mm.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"

#define MODE_DIR 0040755
#define MODE_FILE 0100644
#define MODE_SYMLINK 0120777

struct archive {
	char data[16384];
	size_t len;
};

static void pad4(struct archive *a)
{
	while (a->len % 4)
		a->data[a->len++] = '\0';
}

/* Appends one newc entry; namesize may be forced (0: the right value). */
static size_t put_entry_raw(struct archive *a, const char *name, uint32_t mode,
			    const void *data, size_t size, uint32_t namesize)
{
	size_t start = a->len;
	char header[111];

	if (!namesize)
		namesize = (uint32_t)strlen(name) + 1;
	snprintf(header, sizeof(header),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned int)(start + 1), mode, 0U, 0U, 1U, 0U,
		 (unsigned int)size, 0U, 0U, 0U, 0U, namesize, 0U);
	memcpy(a->data + a->len, header, 110);
	a->len += 110;
	memcpy(a->data + a->len, name, strlen(name) + 1);
	a->len += strlen(name) + 1;
	pad4(a);
	if (size)
		memcpy(a->data + a->len, data, size);
	a->len += size;
	pad4(a);
	return start;
}

static size_t put_entry(struct archive *a, const char *name, uint32_t mode,
			const char *text)
{
	return put_entry_raw(a, name, mode, text, text ? strlen(text) : 0, 0);
}

static size_t put_trailer(struct archive *a)
{
	return put_entry(a, "TRAILER!!!", 0, NULL);
}

static struct archive a;

static void archive_reset(void)
{
	memset(&a, 0, sizeof(a));
}

/* A small but typical image: explicit and implied directories. */
static void build_good_archive(void)
{
	archive_reset();
	put_entry(&a, ".", MODE_DIR, NULL);
	put_entry(&a, "./boot.keel", MODE_FILE, "guest load /guests/basic.dtb\n");
	put_entry(&a, "guests", MODE_DIR, NULL);
	put_entry(&a, "./guests/basic.dtb", MODE_FILE, "DTB!");
	put_entry(&a, "/images/deep/er/kernel", MODE_FILE, "KERNEL");
	put_entry(&a, "guests-old", MODE_FILE, "x");
	put_entry(&a, "guests/linux0", MODE_DIR, NULL);
	put_entry(&a, "guests/a-b", MODE_FILE, "");
	put_entry(&a, "images", 040700, NULL); /* after its child: merged */
	put_trailer(&a);
}

struct names {
	char text[512];
};

static void add_name(const struct fs_node *node, void *ctx)
{
	struct names *n = ctx;

	strcat(n->text, node->name);
	strcat(n->text, node->is_dir ? "/ " : " ");
}

static const char *list(const char *dir, int *err)
{
	static struct names n;

	memset(&n, 0, sizeof(n));
	*err = fs_list(dir, add_name, &n);
	return n.text;
}

TEST(cpio_mounts_a_good_archive)
{
	const struct fs_node *node;
	int err;

	build_good_archive();
	CHECK_EQ(fs_mount_cpio(a.data, a.len), 0);
	CHECK(fs_is_mounted());
	/* boot.keel guests guests/linux0 guests/basic.dtb guests/a-b
	 * images images/deep images/deep/er images/deep/er/kernel
	 * guests-old */
	CHECK_EQ(fs_node_count(), 10);

	REQUIRE(fs_lookup("/guests/basic.dtb", &node) == 0);
	CHECK_STR_EQ(node->path, "/guests/basic.dtb");
	CHECK_STR_EQ(node->name, "basic.dtb");
	CHECK_EQ(node->size, 4);
	CHECK(!node->is_dir);
	CHECK(memcmp(node->data, "DTB!", 4) == 0);
	/* Served in place from the archive. */
	CHECK((const char *)node->data > a.data &&
	      (const char *)node->data < a.data + a.len);
	CHECK_EQ(node->mode, MODE_FILE);

	CHECK_EQ(fs_lookup("guests/basic.dtb", &node), 0);
	CHECK_EQ(fs_lookup("//guests/./basic.dtb/", &node), 0);
	CHECK_EQ(fs_lookup("/images/deep/er", &node), 0);
	CHECK(node->is_dir);
	CHECK(node->data == NULL);
	CHECK_EQ(fs_lookup("/images", &node), 0);
	CHECK_EQ(node->mode, 040700);
	CHECK_EQ(fs_lookup("/", &node), 0);
	CHECK_STR_EQ(node->name, "");
	CHECK(node->is_dir);

	CHECK_EQ(fs_lookup("/guests/missing", &node), -KEEL_ENOENT);
	CHECK_EQ(fs_lookup("/guests/../boot.keel", &node), -KEEL_EINVAL);
	CHECK_EQ(fs_lookup("", &node), -KEEL_ENOENT);

	CHECK_STR_EQ(list("/", &err), "boot.keel guests/ guests-old images/ ");
	CHECK_EQ(err, 0);
	CHECK_STR_EQ(list("/guests", &err), "a-b basic.dtb linux0/ ");
	CHECK_STR_EQ(list("images/deep", &err), "er/ ");
	CHECK_STR_EQ(list("/guests/linux0", &err), "");
	CHECK_EQ(err, 0);
	list("/boot.keel", &err);
	CHECK_EQ(err, -KEEL_ENOTDIR);
	list("/nope", &err);
	CHECK_EQ(err, -KEEL_ENOENT);
	fs_unmount();
	CHECK(!fs_is_mounted());
	CHECK_EQ(fs_node_count(), 0);
}

TEST(cpio_unmount_and_failure_free_all_memory)
{
	struct heap_stats s0, s1;

	heap_stats(&s0);
	build_good_archive();
	CHECK_EQ(fs_mount_cpio(a.data, a.len), 0);
	fs_unmount();
	a.data[0] = 'X';
	CHECK(fs_mount_cpio(a.data, a.len) < 0);
	heap_stats(&s1);
	CHECK_EQ(s1.bytes_in_use, s0.bytes_in_use);
}

/* Mounts the archive expecting failure; checks the fs is then empty and
 * the message names the offset and the problem. */
static void check_rejected(size_t offset, const char *problem)
{
	char where[64];
	const struct fs_node *node;

	/* A good mount first: a failed one must not leave it behind. */
	build_good_archive();
	{
		static struct archive saved;

		saved = a;
		CHECK_EQ(fs_mount_cpio(saved.data, saved.len), 0);
	}
	unit_console_clear();
	CHECK(fs_mount_cpio(a_bad.data, a_bad.len) < 0);
	CHECK(!fs_is_mounted());
	CHECK_EQ(fs_node_count(), 0);
	CHECK_EQ(fs_lookup("/", &node), 0);
	CHECK_EQ(fs_lookup("/boot.keel", &node), -KEEL_ENOENT);
	snprintf(where, sizeof(where), "initrd: entry at offset 0x%zx: ", offset);
	CHECK(strstr(unit_console_text(), where) != NULL);
	CHECK(strstr(unit_console_text(), problem) != NULL);
	CHECK(strstr(unit_console_text(), "; image fs left empty") != NULL);
	if (!strstr(unit_console_text(), problem))
		printf("    console: %s", unit_console_text());
}
