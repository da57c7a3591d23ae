// SPDX-License-Identifier: GPL-2.0-only
/* The threaded host fake: real locks, a CPU id and interrupt mask per thread. */
#include <keel/spinlock.h>
#include <arch/cpu.h>
#include "unit.h"

#define HOST_THREADS 4
#define HOST_ROUNDS 20000

struct host_counting {
	spinlock_t lock;
	unsigned long count;            /* under lock */
	unsigned int cpu_seen[HOST_THREADS];
	int masked_seen[HOST_THREADS];
};

static void host_count(unsigned int cpu, void *arg)
{
	struct host_counting *c = arg;

	c->cpu_seen[cpu] = arch_cpu_id();
	for (unsigned int i = 0; i < HOST_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&c->lock);
		/* A read-modify-write that loses updates unless excluded. */
		unsigned long v = c->count;

		if ((i & 1023) == 0)
			arch_cpu_relax();
		c->count = v + 1;
		spin_unlock_irqrestore(&c->lock, flags);
	}
	/* Only this thread's mask changed: CPU 0 masks, the others do not. */
	if (cpu == 0)
		arch_irq_disable();
	arch_cpu_relax();
	c->masked_seen[cpu] = host_irqs_masked();
	arch_irq_enable();
}

TEST(host_threads_spinlock_excludes_and_cpu_is_per_thread)
{
	static struct host_counting c = { .lock = SPINLOCK_INIT };

	unit_run_cpus(HOST_THREADS, host_count, &c);
	CHECK_EQ(c.count, (unsigned long)HOST_THREADS * HOST_ROUNDS);
	for (unsigned int i = 0; i < HOST_THREADS; i++) {
		CHECK_EQ(c.cpu_seen[i], i);
		CHECK_EQ(c.masked_seen[i], i == 0);
	}
	/* The main thread is CPU 0 with interrupts unmasked throughout. */
	CHECK_EQ(arch_cpu_id(), 0);
	CHECK(!host_irqs_masked());
}

static void host_relax(unsigned int cpu, void *arg)
{
	arch_cpu_relax();
}

TEST(host_threads_counter_is_shared)
{
	uint64_t before = arch_counter_read();

	unit_run_cpus(2, host_relax, NULL);
	CHECK(arch_counter_read() >= before + 2000);
}

static void host_take_twice(void *arg)
{
	spinlock_t *l = arg;

	spin_lock(l);
	spin_lock(l);
}

static void host_unlock_on_cpu(unsigned int cpu, void *arg)
{
	if (cpu == 1)
		spin_unlock(arg);
}

/* Taken on this thread, released by another: a real lock would now be
 * "free" while its holder still runs under it. */
static void host_release_by_other(void *arg)
{
	spinlock_t *l = arg;

	spin_lock(l);
	unit_run_cpus(2, host_unlock_on_cpu, l);
}

TEST(host_threads_spinlock_misuse_aborts)
{
	spinlock_t l = SPINLOCK_INIT;

	CHECK(unit_expect_abort(host_take_twice, &l));
	CHECK(unit_expect_abort(host_release_by_other, &l));
	/* Nothing was left held here: the misuse happened in a child. */
	spin_lock(&l);
	spin_unlock(&l);
}
