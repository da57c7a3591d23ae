/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64 ticket spinlock: fair between CPUs. Taking a ticket is one AMO
 * (amoadd.w.aq); the owner is handed on with a release store. Word-sized
 * fields: GCC would build sub-word atomics out of LR/SC loops.
 */
#ifndef ARCH_RISCV64_SPINLOCK_H
#define ARCH_RISCV64_SPINLOCK_H

#include <arch/cpu.h>

struct arch_spinlock {
	uint32_t owner;
	uint32_t next;
};

#define ARCH_SPINLOCK_INIT { 0, 0 }

static inline void arch_spin_lock(struct arch_spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline void arch_spin_unlock(struct arch_spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

#endif
