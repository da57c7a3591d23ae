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

/* Appends one newc entry; ino 0 picks a unique one. */
static size_t put_entry_full(struct archive *a, const char *name, uint32_t mode,
			     const void *data, size_t size, uint32_t namesize,
			     uint32_t ino, uint32_t nlink)
{
	size_t start = a->len;
	char header[111];

	snprintf(header, sizeof(header),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino ? ino : (unsigned int)(start + 1), mode, 0U, 0U, nlink, 0U,
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

/* Appends one newc entry; namesize may be forced (0: the right value). */
static size_t put_entry_raw(struct archive *a, const char *name, uint32_t mode,
			    const void *data, size_t size, uint32_t namesize)
{
	if (!namesize)
		namesize = (uint32_t)strlen(name) + 1;
	return put_entry_full(a, name, mode, data, size, namesize, 0, 1);
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

static struct archive a, bad;

static void archive_reset(struct archive *x)
{
	memset(x, 0, sizeof(*x));
}

/* A small but typical image: explicit and implied directories. */
static void build_good_archive(struct archive *x)
{
	archive_reset(x);
	put_entry(x, ".", MODE_DIR, NULL);
	put_entry(x, "./boot.keel", MODE_FILE, "guest load /guests/basic.dtb\n");
	put_entry(x, "guests", MODE_DIR, NULL);
	put_entry(x, "./guests/basic.dtb", MODE_FILE, "DTB!");
	put_entry(x, "/images/deep/er/kernel", MODE_FILE, "KERNEL");
	put_entry(x, "guests-old", MODE_FILE, "x");
	put_entry(x, "guests/linux0", MODE_DIR, NULL);
	put_entry(x, "guests/a-b", MODE_FILE, "");
	put_entry(x, "images", 040700, NULL); /* after its child: merged */
	put_trailer(x);
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

	build_good_archive(&a);
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
	CHECK_STR_EQ(list("/", &err), "");
	CHECK_EQ(err, 0);
}

TEST(cpio_remount_replaces_and_memory_is_freed)
{
	struct heap_stats s0, s1;
	const struct fs_node *node;

	heap_stats(&s0);
	build_good_archive(&a);
	CHECK_EQ(fs_mount_cpio(a.data, a.len), 0);
	archive_reset(&bad);
	put_entry(&bad, "only", MODE_FILE, "1");
	put_trailer(&bad);
	CHECK_EQ(fs_mount_cpio(bad.data, bad.len), 0);
	CHECK_EQ(fs_node_count(), 1);
	CHECK_EQ(fs_lookup("/boot.keel", &node), -KEEL_ENOENT);
	fs_unmount();
	heap_stats(&s1);
	CHECK_EQ(s1.bytes_in_use, s0.bytes_in_use);
}

TEST(cpio_hard_links_share_the_data)
{
	const struct fs_node *node;

	/* As GNU cpio writes them: the data only with the last name. */
	archive_reset(&bad);
	put_entry_full(&bad, "bin/ls", MODE_FILE, NULL, 0, 7, 42, 3);
	put_entry_full(&bad, "bin/cat", MODE_FILE, NULL, 0, 8, 42, 3);
	put_entry_full(&bad, "bin/busybox", MODE_FILE, "ELF!", 4, 12, 42, 3);
	put_entry_full(&bad, "empty", MODE_FILE, NULL, 0, 6, 43, 2);
	put_trailer(&bad);
	CHECK_EQ(fs_mount_cpio(bad.data, bad.len), 0);
	REQUIRE(fs_lookup("/bin/ls", &node) == 0);
	CHECK_EQ(node->size, 4);
	CHECK(node->data && memcmp(node->data, "ELF!", 4) == 0);
	REQUIRE(fs_lookup("/bin/cat", &node) == 0);
	CHECK_EQ(node->size, 4);
	/* A linked file whose data never comes stays empty. */
	REQUIRE(fs_lookup("/empty", &node) == 0);
	CHECK_EQ(node->size, 0);
	fs_unmount();
}

TEST(cpio_skips_symlinks_with_a_warning)
{
	const struct fs_node *node;

	archive_reset(&bad);
	put_entry(&bad, "bin/sh", MODE_SYMLINK, "busybox");
	put_entry(&bad, "bin/busybox", MODE_FILE, "ELF");
	put_trailer(&bad);
	unit_console_clear();
	CHECK_EQ(fs_mount_cpio(bad.data, bad.len), 0);
	CHECK_EQ(fs_lookup("/bin/sh", &node), -KEEL_ENOENT);
	CHECK_EQ(fs_lookup("/bin/busybox", &node), 0);
	CHECK(strstr(unit_console_text(), "warning: initrd: entry at offset 0x0: \"bin/sh\" is neither") != NULL);
	fs_unmount();
}

/*
 * Mounts `bad` expecting failure, after a good mount that must not
 * survive it; checks the fs is then empty, nothing leaked, and the message
 * names the offset and the problem.
 */
static void check_rejected(size_t offset, const char *problem)
{
	const struct fs_node *node;
	struct heap_stats s0, s1;
	char where[64];

	fs_unmount();
	heap_stats(&s0);
	build_good_archive(&a);
	CHECK_EQ(fs_mount_cpio(a.data, a.len), 0);
	unit_console_clear();
	CHECK(fs_mount_cpio(bad.data, bad.len) < 0);
	CHECK(!fs_is_mounted());
	CHECK_EQ(fs_node_count(), 0);
	CHECK_EQ(fs_lookup("/", &node), 0);
	CHECK_EQ(fs_lookup("/boot.keel", &node), -KEEL_ENOENT);
	heap_stats(&s1);
	CHECK_EQ(s1.bytes_in_use, s0.bytes_in_use);
	snprintf(where, sizeof(where), "error: initrd: entry at offset 0x%zx: ",
		 offset);
	CHECK(strstr(unit_console_text(), where) != NULL);
	CHECK(strstr(unit_console_text(), problem) != NULL);
	CHECK(strstr(unit_console_text(), "; image fs left empty\n") != NULL);
	if (!strstr(unit_console_text(), where) ||
	    !strstr(unit_console_text(), problem))
		printf("    console was: %s", unit_console_text());
}

TEST(cpio_rejects_bad_magic)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "a", MODE_FILE, "1");
	at = put_entry(&bad, "b", MODE_FILE, "2");
	put_trailer(&bad);
	bad.data[at + 5] = 'X';
	check_rejected(at, "bad magic \"07070X\" (expected \"070701\")");
	/* Binary junk is shown as '?', never sent raw to the console. */
	bad.data[at + 1] = '\x1b';
	check_rejected(at, "bad magic \"0?070X\"");
}

TEST(cpio_rejects_bad_hex_field)
{
	size_t at;

	archive_reset(&bad);
	at = put_entry(&bad, "a", MODE_FILE, "1");
	put_trailer(&bad);
	bad.data[at + 6 + 8 * 6 + 3] = 'g'; /* filesize */
	check_rejected(at, "field filesize is not 8 hex digits (\"000g0001\")");
}

TEST(cpio_rejects_truncated_header)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "a", MODE_FILE, "1");
	at = put_trailer(&bad);
	bad.len = at + 60;
	check_rejected(at, "truncated header (60 bytes left, a header is 110)");
}

TEST(cpio_rejects_name_past_end)
{
	archive_reset(&bad);
	put_entry_raw(&bad, "abc", MODE_FILE, NULL, 0, 0x1000);
	check_rejected(0, "name (4096 bytes) runs past the end of the archive");
}

TEST(cpio_rejects_namesize_mismatch)
{
	archive_reset(&bad);
	put_entry_raw(&bad, "abcdef", MODE_FILE, NULL, 0, 3);
	put_trailer(&bad);
	check_rejected(0, "namesize 3 does not match the NUL-terminated name \"abc\"");
	archive_reset(&bad);
	put_entry_raw(&bad, "", MODE_FILE, NULL, 0, 0);
	put_trailer(&bad);
	check_rejected(0, "empty name");
}

TEST(cpio_rejects_size_past_end)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "a", MODE_FILE, "1");
	at = put_entry(&bad, "big", MODE_FILE, "0123456789");
	bad.len -= 8; /* the data is cut short; no trailer either */
	check_rejected(at, "\"big\": file size 10 runs past the end of the archive");
}

TEST(cpio_rejects_missing_trailer)
{
	size_t end;

	archive_reset(&bad);
	put_entry(&bad, "a", MODE_FILE, "1");
	put_entry(&bad, "b", MODE_DIR, NULL);
	end = bad.len;
	check_rejected(end, "archive ends without a \"TRAILER!!!\" entry");
}

TEST(cpio_rejects_dotdot_components)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "ok", MODE_FILE, "1");
	at = put_entry(&bad, "guests/../../etc/passwd", MODE_FILE, "x");
	put_trailer(&bad);
	check_rejected(at, "name \"guests/../../etc/passwd\": \"..\" components are not allowed");
}

TEST(cpio_rejects_duplicates)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "guests/x.dtb", MODE_FILE, "1");
	at = put_entry(&bad, "./guests//x.dtb", MODE_FILE, "2");
	put_trailer(&bad);
	check_rejected(at, "duplicate path \"/guests/x.dtb\"");

	/* A directory named twice is a duplicate too... */
	archive_reset(&bad);
	put_entry(&bad, "d", MODE_DIR, NULL);
	at = put_entry(&bad, "d/", MODE_DIR, NULL);
	put_trailer(&bad);
	check_rejected(at, "duplicate path \"/d\"");

	/* ...and so is a file where a directory was implied. */
	archive_reset(&bad);
	put_entry(&bad, "d/f", MODE_FILE, "1");
	at = put_entry(&bad, "d", MODE_FILE, "2");
	put_trailer(&bad);
	check_rejected(at, "duplicate path \"/d\"");
}

TEST(cpio_rejects_entries_inside_files)
{
	size_t at;

	archive_reset(&bad);
	put_entry(&bad, "f", MODE_FILE, "1");
	at = put_entry(&bad, "f/g", MODE_FILE, "2");
	put_trailer(&bad);
	check_rejected(at, "\"/f/g\" is inside something that is a file");
}

TEST(cpio_rejects_file_named_root_and_long_paths)
{
	char name[300];

	archive_reset(&bad);
	put_entry(&bad, "./", MODE_FILE, "1");
	put_trailer(&bad);
	check_rejected(0, "file entry \"./\" names the root directory");

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	archive_reset(&bad);
	put_entry(&bad, name, MODE_FILE, "1");
	put_trailer(&bad);
	check_rejected(0, "path too long");
}

TEST(cpio_rejects_empty_or_missing_archive)
{
	unit_console_clear();
	CHECK_EQ(fs_mount_cpio(NULL, 100), -KEEL_EINVAL);
	CHECK_EQ(fs_mount_cpio(a.data, 0), -KEEL_EINVAL);
	CHECK(strstr(unit_console_text(), "initrd: no archive given") != NULL);
	CHECK(!fs_is_mounted());
}
