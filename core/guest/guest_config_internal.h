/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the parts of the guest node parser (guest_config*.c): the
 * parse in progress and the checked readers. Every function that refuses
 * something has written the one message (guest_config_error()) and
 * returns its negative error; the caller passes it on.
 */
#ifndef KEEL_GUEST_CONFIG_INTERNAL_H
#define KEEL_GUEST_CONFIG_INTERNAL_H

#include <keel/devtree_props.h>
#include <keel/errno.h>
#include <keel/guest_config.h>
#include <keel/types.h>

#define GUEST_CONFIG_PAGE_SIZE 0x1000ULL
#define GUEST_CONFIG_PATH_MAX 128

struct guest_parse {
	const void *fdt;
	const struct guest_platform *platform;
	const struct config_option_table *options;  /* what is built */
	struct guest_config *cfg;
	char name[GUEST_NAME_MAX];   /* printable guest name for messages */
	uint64_t ipa_limit;          /* guest-physical addresses below this */
	char *err;
	size_t err_len;
};

/* Writes "guest <name>: node <path of node>: <fmt...>" into p->err;
 * returns -KEEL_EINVAL. */
int guest_config_error(struct guest_parse *p, int node, const char *fmt, ...)
	__printf(3, 4);

/* A guest or device name: 1..GUEST_NAME_MAX-1 characters, a lower-case
 * letter, then [a-z0-9_-]. len is the name's length. */
bool guest_config_name_valid(const char *name, int len);
/* The index of name in known[], or -1. */
int guest_config_known_index(const char *name, const char *const *known,
			     unsigned int count);
/*
 * Checks node's properties against known[] (at most 32 names): one not in
 * the list is refused unless allow_others, and one in the list may appear
 * only once. Without allow_others the walk ends at the first property not
 * in the list, so it is short whatever the tree holds.
 */
int guest_config_check_props(struct guest_parse *p, int node,
			     const char *const *known, unsigned int count,
			     bool allow_others);
/* Refuses any subnode of node. */
int guest_config_no_subnodes(struct guest_parse *p, int node);
/* Refuses "#address-cells" / "#size-cells" other than 2. */
int guest_config_check_cells(struct guest_parse *p, int node);

/* Typed values: *present says whether the property exists; absent is not
 * an error. A present value of the wrong size or form is refused. */
int guest_config_read_u32(struct guest_parse *p, int node, const char *prop,
			  bool *present, uint32_t *value);
/* Two cells: a 64-bit address. */
int guest_config_read_addr(struct guest_parse *p, int node, const char *prop,
			   bool *present, uint64_t *value);
/* One terminated string of at most size-1 characters, copied into dst. */
int guest_config_read_string(struct guest_parse *p, int node,
			     const char *prop, bool *present, char *dst,
			     size_t size);

/* Whether [a_base, +a_size) and [b_base, +b_size) share a byte; a must
 * not wrap, b saturates at the top of the address space. */
bool guest_config_ranges_overlap(uint64_t a_base, uint64_t a_size,
				 uint64_t b_base, uint64_t b_size);
/* Checks [base, base+size) of node's "reg" entry `entry` (-1: the node
 * has one entry): not empty, not wrapping, inside the guest-physical
 * space, clear of the platform's ranges. */
int guest_config_check_range(struct guest_parse *p, int node, int entry,
			     uint64_t base, uint64_t size);

/* The memory node (guest_config_layout.c): fills cfg->mem. */
int guest_config_parse_memory(struct guest_parse *p, int node);
/* The devices node, after memory: fills cfg->devices. */
int guest_config_parse_devices(struct guest_parse *p, int node);

#endif
