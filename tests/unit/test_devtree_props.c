/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the checked property readers (core/base/devtree_props.c). */
#include <string.h>

#include <keel/devtree_props.h>
#include <libfdt.h>

#include "unit.h"

TEST(devtree_props_tell_strings_apart)
{
	CHECK(devtree_value_is_string("abc", 4));
	CHECK(devtree_value_is_string("", 1));
	CHECK(!devtree_value_is_string("abc", 3));        /* no terminator */
	CHECK(!devtree_value_is_string("a\0b", 4));       /* NUL inside */
	CHECK(!devtree_value_is_string("abc", 0));
	CHECK(!devtree_value_is_string(NULL, 4));

	CHECK(devtree_value_is_stringlist("a\0bc", 5));
	CHECK(devtree_value_is_stringlist("abc", 4));
	CHECK(!devtree_value_is_stringlist("", 1));       /* empty string */
	CHECK(!devtree_value_is_stringlist("a\0\0b", 5)); /* empty entry */
	CHECK(!devtree_value_is_stringlist("\0a", 3));
	CHECK(!devtree_value_is_stringlist("a\0b", 3));   /* unterminated */
	CHECK(!devtree_value_is_stringlist(NULL, 2));

	CHECK_STR_EQ(devtree_stringlist_at("a\0bc", 5, 0), "a");
	CHECK_STR_EQ(devtree_stringlist_at("a\0bc", 5, 1), "bc");
	CHECK(devtree_stringlist_at("a\0bc", 5, 2) == NULL);
}

TEST(devtree_props_read_unaligned_cells)
{
	static const unsigned char bytes[] = { 0xff, 0x00, 0x00, 0x00, 0x01,
					       0x80, 0x00, 0x00, 0x02 };

	/* One byte in: not 4-byte aligned (UBSan would see a bad load). */
	CHECK_EQ(devtree_cells_to_u64((const fdt32_t *)(const void *)(bytes + 1), 2),
		 0x0000000180000002ULL);
	CHECK_EQ(devtree_cells_to_u64((const fdt32_t *)(const void *)(bytes + 1), 1),
		 1);
	CHECK_EQ(devtree_cells_to_u64((const fdt32_t *)(const void *)bytes, 0), 0);
}

TEST(devtree_props_copy_hostile_text)
{
	char out[8], wide[16];

	/* Escaped like "%pE"; an escape that does not fit is left out whole. */
	devtree_copy_printable(wide, sizeof(wide), "ab\x01\xff" "cd", 6);
	CHECK_STR_EQ(wide, "ab\\x01\\xffcd");
	devtree_copy_printable(out, sizeof(out), "ab\x1b" "c", 4);
	CHECK_STR_EQ(out, "ab\\x1bc");
	devtree_copy_printable(out, sizeof(out), "abcd\x1b", 5);
	CHECK_STR_EQ(out, "abcd");
	devtree_copy_printable(out, sizeof(out), "abcdefghijk", 11);
	CHECK_STR_EQ(out, "abcdefg");
	devtree_copy_printable(out, sizeof(out), "abc", 2);   /* len bounds */
	CHECK_STR_EQ(out, "ab");
	devtree_copy_printable(out, sizeof(out), "a\0bc", 4); /* stops at NUL */
	CHECK_STR_EQ(out, "a");
	devtree_copy_printable(out, sizeof(out), NULL, 4);
	CHECK_STR_EQ(out, "");
	devtree_copy_printable(out, 1, "abc", 3);
	CHECK_STR_EQ(out, "");
}

TEST(devtree_props_name_a_node)
{
	static unsigned char tree[1024] __attribute__((aligned(8)));
	char path[64], tiny[12];
	int node;

	REQUIRE(fdt_create_empty_tree(tree, sizeof(tree)) == 0);
	node = fdt_add_subnode(tree, fdt_add_subnode(tree, 0, "guests"),
			       "basic0");
	REQUIRE(node >= 0);
	devtree_node_path(tree, node, path, sizeof(path));
	CHECK_STR_EQ(path, "/guests/basic0");
	/* Too long for the buffer: the node's own name is kept. */
	devtree_node_path(tree, node, tiny, sizeof(tiny));
	CHECK_STR_EQ(tiny, ".../basic0");
	devtree_node_path(tree, -1, path, sizeof(path));
	CHECK_STR_EQ(path, "?");
	/* A name with control characters is shown escaped, in full or cut. */
	node = fdt_add_subnode(tree, 0, "x\x1b]0;t\a");
	REQUIRE(node >= 0);
	devtree_node_path(tree, node, path, sizeof(path));
	CHECK_STR_EQ(path, "/x\\x1b]0;t\\x07");
	devtree_node_path(tree, node, tiny, sizeof(tiny));
	CHECK_STR_EQ(tiny, ".../x\\x1b]0");
}
