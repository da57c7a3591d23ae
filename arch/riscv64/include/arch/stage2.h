/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's G-stage translation (mmu/gstage.c): Sv39x4, a 41-bit
 * guest-physical space walked from a 16 KiB root, or Sv48x4 (50 bits,
 * one level more) for a guest with RAM above 2 TiB on harts that have it.
 */
#ifndef ARCH_RISCV64_STAGE2_H
#define ARCH_RISCV64_STAGE2_H

#include <keel/spinlock.h>
#include <keel/types.h>

#define RISCV_GSTAGE_ROOT_ORDER 2        /* 4 pages, 16 KiB */

struct riscv64_gstage {
	uint64_t *root;
	uint64_t hgatp;                  /* mode, VMID, root */
	unsigned int levels;             /* 3 (Sv39x4) or 4 (Sv48x4) */
	gpa_t gpa_limit;                 /* 2^41 or 2^50 */
	unsigned int vmid;
	spinlock_t lock;                 /* table updates */
};

#endif
