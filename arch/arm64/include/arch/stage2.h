/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's stage-2 translation (mmu/stage2.c): 4K granule, 40-bit IPA
 * space, walks starting at level 1 from two concatenated level-1 tables.
 */
#ifndef ARCH_ARM64_STAGE2_H
#define ARCH_ARM64_STAGE2_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define ARM64_STAGE2_IPA_BITS 40
#define ARM64_STAGE2_ROOT_ORDER 1       /* 8 KiB: two level-1 tables */

struct arm64_stage2 {
	uint64_t *root;                 /* NULL until arch_guest_init() */
	unsigned int vmid;              /* 1..255; 0 = none */
	uint64_t vttbr;                 /* VMID << 48 | root */
	spinlock_t lock;                /* table changes */
};

#endif
