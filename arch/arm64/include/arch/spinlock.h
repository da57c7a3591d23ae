/* SPDX-License-Identifier: GPL-2.0-only */
/* arm64 ticket spinlock: fair between CPUs, built on load/store exclusives. */
#ifndef ARCH_ARM64_SPINLOCK_H
#define ARCH_ARM64_SPINLOCK_H

#include <arch/cpu.h>

struct arch_spinlock {
	uint16_t owner;
	uint16_t next;
};

#define ARCH_SPINLOCK_INIT { 0, 0 }

static inline void arch_spin_lock(struct arch_spinlock *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		__asm__ volatile("wfe" ::: "memory");
}

static inline void arch_spin_unlock(struct arch_spinlock *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
	/* Wake CPUs waiting in WFE. */
	dsb(ishst);
	__asm__ volatile("sev" ::: "memory");
}

#endif
