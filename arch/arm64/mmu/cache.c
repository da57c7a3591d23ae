/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cache maintenance for guest RAM Keel writes. A guest starts with its
 * MMU and caches off: its loads are non-cacheable and go to memory, past
 * the lines Keel's cacheable writes left dirty. Cleaning those lines to
 * the point of coherency makes the guest read the zeros and the payload
 * Keel wrote, never what a previous owner of the pages left in DRAM.
 *
 * Stage-2 forced write-back (FEAT_S2FWB) would make the guest's accesses
 * cacheable instead, but changes the meaning of every stage-2 memory
 * attribute; cleaning by line works on every CPU, and costs one pass over
 * RAM when a guest is created or reset.
 */
#include <keel/guest.h>
#include <arch/sysreg.h>

/* CTR_EL0.DminLine: log2 of the smallest data cache line, in words. */
static uintptr_t dcache_line_size(void)
{
	return 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void arch_guest_memory_written(void *hva, size_t len)
{
	uintptr_t line = dcache_line_size();
	uintptr_t addr = (uintptr_t)hva & ~(line - 1);
	uintptr_t end = (uintptr_t)hva + len;

	if (!len)
		return;
	for (; addr < end; addr += line)
		__asm__ volatile("dc cvac, %0" ::"r"(addr) : "memory");
	dsb(sy);
}
