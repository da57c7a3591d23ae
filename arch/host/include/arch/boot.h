/* SPDX-License-Identifier: GPL-2.0-only */
/* Host fake of the boot hooks: enough for core/init.c to compile and link. */
#ifndef ARCH_HOST_BOOT_H
#define ARCH_HOST_BOOT_H

#include <keel/types.h>

int arch_mmu_init(void);
__noreturn void arch_cpu_park(void);
uint64_t arch_cpu_hwid(void);
hpa_t arch_secondary_entry(void);

#endif
