/* SPDX-License-Identifier: GPL-2.0-only */
/* Spinlocks; the arch provides the atomic primitives. */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>
#include <arch/spinlock.h>

typedef struct {
	struct arch_spinlock arch;
} spinlock_t;

#define SPINLOCK_INIT { ARCH_SPINLOCK_INIT }

static inline void spin_lock(spinlock_t *l)
{
	arch_spin_lock(&l->arch);
}

static inline void spin_unlock(spinlock_t *l)
{
	arch_spin_unlock(&l->arch);
}

/* Take the lock with local interrupts masked; returns the previous mask. */
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = arch_irq_save();

	arch_spin_lock(&l->arch);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	arch_spin_unlock(&l->arch);
	arch_irq_restore(flags);
}

#endif
