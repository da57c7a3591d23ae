/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64 EL2 stage-1 translation: attributes shared by head.S and hyp_mmu.c. */
#ifndef ARCH_ARM64_MMU_H
#define ARCH_ARM64_MMU_H

#ifdef __ASSEMBLY__
#define BIT64(n) (1 << (n))
#else
#define BIT64(n) (1ULL << (n))
#endif

/* MAIR_EL2 slots. */
#define MT_DEVICE_nGnRnE 0
#define MT_DEVICE_nGnRE 1
#define MT_NORMAL 2
#define MT_NORMAL_NC 3
#define MAIR_EL2_VALUE 0x44ff0400

/* 39-bit VA (T0SZ=25, walk starts at level 1), 4K granule, write-back
 * cacheable inner-shareable walks; PS is filled in from ID_AA64MMFR0_EL1. */
#define TCR_EL2_VALUE ((25) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (1 << 31))
#define TCR_PS_SHIFT 16

#define PTE_VALID (1 << 0)
#define PTE_TABLE (1 << 1) /* at levels 1-2: next-level table */
#define PTE_PAGE (1 << 1)  /* at level 3: page */
#define PTE_ATTR(idx) ((idx) << 2)
#define PTE_AP_RW (1 << 6)              /* AP[1] is RES1 at EL2 */
#define PTE_AP_RO ((1 << 6) | (1 << 7))
#define PTE_SH_INNER (3 << 8)
#define PTE_AF (1 << 10)
#define PTE_XN BIT64(54)

/* The coarse map head.S builds before the device tree is read: 1 GiB
 * blocks, the first one device memory, the rest normal memory. */
#define EARLY_BLOCK_DEVICE (PTE_VALID | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AP_RW | PTE_AF | PTE_XN)
#define EARLY_BLOCK_NORMAL (PTE_VALID | PTE_ATTR(MT_NORMAL) | PTE_AP_RW | PTE_SH_INNER | PTE_AF)

#ifndef __ASSEMBLY__
#include <keel/types.h>

/* Root table the secondary CPUs load (physical address). */
extern uint64_t hyp_ttbr0;
#endif

#endif
