/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host fake: a real spinlock, so unit tests can run locking code on several
 * threads (each acting as a CPU). It also catches the two misuses a real
 * ticket lock turns into a hang or silent corruption: a thread taking a lock
 * it already holds, and a thread releasing a lock it does not hold.
 */
#ifndef ARCH_HOST_SPINLOCK_H
#define ARCH_HOST_SPINLOCK_H

#include <arch/cpu.h>
#include <assert.h>
#include <stdint.h>

struct arch_spinlock {
	int locked;
	uintptr_t owner;                /* host_thread_self() of the holder */
};

#define ARCH_SPINLOCK_INIT { 0, 0 }

static inline void arch_spin_lock(struct arch_spinlock *l)
{
	uintptr_t self = host_thread_self();

	/* Only this thread stores self, so a relaxed read cannot be stale. */
	assert(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != self &&
	       "spinlock taken twice by the same thread (would deadlock)");
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			host_spin_wait();
	}
	__atomic_store_n(&l->owner, self, __ATOMIC_RELAXED);
}

static inline void arch_spin_unlock(struct arch_spinlock *l)
{
	assert(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) ==
		       host_thread_self() &&
	       "spinlock released by a thread that does not hold it");
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
