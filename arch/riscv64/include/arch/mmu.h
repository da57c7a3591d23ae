/* SPDX-License-Identifier: GPL-2.0-only */
/* riscv64 Sv39 translation for Keel itself: bits shared by head.S and mmu/mmu.c. */
#ifndef ARCH_RISCV64_MMU_H
#define ARCH_RISCV64_MMU_H

#include <arch/csr.h>

#define PTE_V _UL(0x1)
#define PTE_R _UL(0x2)
#define PTE_W _UL(0x4)
#define PTE_X _UL(0x8)
#define PTE_U _UL(0x10)
#define PTE_G _UL(0x20)
#define PTE_A _UL(0x40)
#define PTE_D _UL(0x80)
#define PTE_PPN_SHIFT 10

/* The coarse map head.S builds before the device tree is read: accessed
 * and dirty preset, so no hardware or firmware update is needed. */
#define EARLY_GIGAPAGE_FLAGS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)

#ifndef __ASSEMBLY__
#include <keel/types.h>

/* What secondary harts write to satp (the final tables). */
extern uint64_t riscv_satp;
#endif

#endif
