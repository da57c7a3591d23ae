/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * G-stage translation: not in this build, so no guest can be created.
 * arch_guest_init() is the first hook guest creation calls: it refuses,
 * naming why, and nothing of the guest reaches a CPU.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <arch/virt.h>

int arch_guest_init(struct guest *g)
{
	log_error(RISCV64_NO_GUESTS);
	return -KEEL_ENOSYS;
}

void arch_guest_destroy(struct guest *g)
{
}

int arch_stage2_map(struct guest *g, gpa_t gpa, hpa_t hpa, uint64_t size)
{
	return -KEEL_ENOSYS;
}

void arch_stage2_unmap(struct guest *g, gpa_t gpa, uint64_t size)
{
}
