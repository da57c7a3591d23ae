/* SPDX-License-Identifier: GPL-2.0-only */
/* Host fake boot hooks: a test process has one CPU and no page tables. */
#include <stdio.h>
#include <stdlib.h>
#include <keel/mm.h>
#include <arch/boot.h>

/* What the linker script provides on a real arch: the image's bounds. */
char __image_start[PAGE_SIZE], __image_end[1];

int arch_mmu_init(void)
{
	return 0;
}

__noreturn void arch_cpu_park(void)
{
	fprintf(stderr, "arch_cpu_park: a CPU was parked\n");
	abort();
}

uint64_t arch_cpu_hwid(void)
{
	return 0;
}

hpa_t arch_secondary_entry(void)
{
	return 0;
}
