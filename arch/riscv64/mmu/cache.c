/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * After Keel writes guest RAM (zeroing, loading an image). RISC-V's data
 * caches are coherent for every hart and device, so only instruction
 * fetch needs help: a hart may still hold stale instructions for memory
 * Keel just wrote, and FENCE.I only synchronizes the hart that runs it.
 * Keel fences its own hart, and asks the firmware for a FENCE.I on every
 * other hart (SBI RFENCE), since the guest may start on any of them.
 */
#include <keel/guest.h>
#include <keel/log.h>
#include <arch/sbi.h>

void arch_guest_memory_written(void *hva, size_t len)
{
	long err;

	if (!len)
		return;
	__asm__ volatile("fence.i" ::: "memory");
	err = sbi_remote_fence_i_all();
	if (err)
		log_error("riscv64: SBI remote FENCE.I failed (error %ld); other harts may run stale guest code",
			  err);
}
