/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Planning Keel's own 1:1 (virtual = physical) map: which ranges are
 * mapped and with which protection. The arch turns each range into its
 * page-table entries.
 */
#ifndef KEEL_IDMAP_H
#define KEEL_IDMAP_H

#include <keel/types.h>

/* Device windows are mapped in steps of this size (one 2 MiB block). */
#define IDMAP_DEVICE_STEP (2ULL << 20)

enum idmap_prot {
	IDMAP_RAM,	/* read/write, never executable, normal memory */
	IDMAP_TEXT,	/* read-only, executable */
	IDMAP_RODATA,	/* read-only, never executable */
	IDMAP_DEVICE,	/* read/write, never executable, I/O */
};

/* Keel's image sections that get their own protection (addresses). */
struct idmap_layout {
	uint64_t text_start, text_end;
	uint64_t rodata_start, rodata_end;
};

/*
 * Arch hook: maps [base, end) 1:1 into the table tree at root with prot,
 * replacing whatever was mapped there, after widening the range to whole
 * pages; returns 0 or a negative -KEEL_E* error (nothing is undone).
 */
typedef int (*idmap_map_fn)(void *root, uint64_t base, uint64_t end,
			    enum idmap_prot prot);

/*
 * Maps, in this order (a later range overrides an earlier one): the low
 * 4 GiB outside RAM as device windows, except the first step so that a
 * NULL pointer faults; every RAM region; Keel's text; its read-only data.
 * Logs and returns the first error.
 */
int idmap_build(void *root, const struct idmap_layout *layout, idmap_map_fn map);

#endif
