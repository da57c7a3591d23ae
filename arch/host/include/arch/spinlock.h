/* SPDX-License-Identifier: GPL-2.0-only */
/* Host fake: a single-threaded test process; the lock checks it is balanced. */
#ifndef ARCH_HOST_SPINLOCK_H
#define ARCH_HOST_SPINLOCK_H

#include <arch/cpu.h>
#include <assert.h>

struct arch_spinlock {
	int held;
};

#define ARCH_SPINLOCK_INIT { 0 }

static inline void arch_spin_lock(struct arch_spinlock *l)
{
	assert(!l->held && "spinlock taken twice (would deadlock)");
	l->held = 1;
}

static inline void arch_spin_unlock(struct arch_spinlock *l)
{
	assert(l->held && "spinlock released but not held");
	l->held = 0;
}

#endif
