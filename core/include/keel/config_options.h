/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration as a guest node sees it: which devices and backends
 * this build of Keel has (keel/config_options.def). A guest node that
 * asks for one left out is refused with the option to enable, never
 * silently given less.
 */
#ifndef KEEL_CONFIG_OPTIONS_H
#define KEEL_CONFIG_OPTIONS_H

#include <keel/types.h>

enum config_option_kind {
	CONFIG_OPTION_DEVICE,    /* key: a device node's "compatible" */
	CONFIG_OPTION_BACKEND,   /* key: a backend URL's scheme */
};

struct config_option {
	enum config_option_kind kind;
	/* Arrays, not pointers: the table needs no relocation. */
	char key[16];            /* "virtio,net", "hostdisk" */
	char option[24];         /* "CONFIG_VIRTIO_NET" */
	char menu[12];           /* where `make menuconfig` shows it */
	bool enabled;            /* whether this build has it */
};

struct config_option_table {
	const struct config_option *entries;
	unsigned int count;
};

/* This build's table. */
extern const struct config_option_table config_options_built;

/*
 * The entry of table for key (len bytes, not terminated) when its option
 * is off in that configuration; NULL when the key is built or is not one
 * the configuration chooses.
 */
const struct config_option *config_option_left_out(const struct config_option_table *table,
						   enum config_option_kind kind,
						   const char *key, size_t len);

#endif
