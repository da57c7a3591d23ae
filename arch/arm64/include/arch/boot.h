/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64 hooks used by core/init.c to bring the machine up. */
#ifndef ARCH_ARM64_BOOT_H
#define ARCH_ARM64_BOOT_H

#include <keel/types.h>
#include <arch/sysreg.h>

/* Builds the final EL2 page tables from the memory map and switches to
 * them: Keel's code read-only+executable, everything else non-executable,
 * RAM cacheable, device windows device-nGnRE, the first 2 MiB unmapped. */
int arch_mmu_init(void);

/* Parks the calling CPU with interrupts masked; never returns. */
__noreturn void arch_cpu_park(void);

/* Hardware id of the calling CPU (MPIDR affinity fields). */
static inline uint64_t arch_cpu_hwid(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_HWID_MASK;
}

/* Physical address where secondary CPUs start (x0 = logical CPU id). */
hpa_t arch_secondary_entry(void);

#endif
