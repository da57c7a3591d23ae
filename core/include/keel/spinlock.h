/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Spinlocks; the arch provides the atomic primitives. docs/locking.md gives
 * the order Keel's locks are taken in and what may run under each.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <keel/types.h>
#include <arch/spinlock.h>

typedef struct {
	struct arch_spinlock arch;
#ifdef CONFIG_DEBUG_LOCK_ORDER
	/* The lock's class for the order checker: "file:line" of its
	 * SPINLOCK_INIT (NULL in zeroed memory: its address is used). */
	const char *class_name;
#endif
} spinlock_t;

#ifdef CONFIG_DEBUG_LOCK_ORDER
#define SPINLOCK_STR_(x) #x
#define SPINLOCK_STR(x) SPINLOCK_STR_(x)
#define SPINLOCK_INIT { ARCH_SPINLOCK_INIT, __FILE__ ":" SPINLOCK_STR(__LINE__) }

/* The order checker's hooks (core/base/lock_order.c): before a lock is
 * taken, and after it is released. */
void lock_order_acquire(const spinlock_t *l);
void lock_order_release(const spinlock_t *l);
/* Inversions found so far (each pair of classes once). */
unsigned long lock_order_reports(void);
#else
#define SPINLOCK_INIT { ARCH_SPINLOCK_INIT }

static inline void lock_order_acquire(const spinlock_t *l)
{
}

static inline void lock_order_release(const spinlock_t *l)
{
}
#endif

static inline void spin_lock(spinlock_t *l)
{
	lock_order_acquire(l);
	arch_spin_lock(&l->arch);
}

static inline void spin_unlock(spinlock_t *l)
{
	arch_spin_unlock(&l->arch);
	lock_order_release(l);
}

/* Take the lock with local interrupts masked; returns the previous mask. */
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = arch_irq_save();

	lock_order_acquire(l);
	arch_spin_lock(&l->arch);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	arch_spin_unlock(&l->arch);
	lock_order_release(l);
	arch_irq_restore(flags);
}

#endif
