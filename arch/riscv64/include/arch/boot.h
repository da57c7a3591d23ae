/* SPDX-License-Identifier: GPL-2.0-only */
/* riscv64 hooks used by core/init.c to bring the machine up. */
#ifndef ARCH_RISCV64_BOOT_H
#define ARCH_RISCV64_BOOT_H

#include <keel/types.h>
#include <arch/cpu.h>

/* Builds the final Sv39 page tables from the memory map and switches to
 * them: Keel's code read-only+executable, everything else non-executable,
 * device windows mapped, the first 2 MiB unmapped. */
int arch_mmu_init(void);

/* Parks the calling CPU with interrupts masked; never returns. */
__noreturn void arch_cpu_park(void);

/* Hart ids of the logical CPUs (head.S and the secondary entry fill them
 * in: S-mode cannot read mhartid). */
extern uint64_t riscv_hartid[];

/* Hardware id of the calling CPU: its hart id. */
static inline uint64_t arch_cpu_hwid(void)
{
	return riscv_hartid[arch_cpu_id()];
}

/* Physical address where secondary CPUs start (a0 = hart id, a1 = logical
 * CPU id, as SBI HSM hart_start passes them). */
hpa_t arch_secondary_entry(void);

#endif
