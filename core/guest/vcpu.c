/* SPDX-License-Identifier: GPL-2.0-only */
/* vCPU services for arch code and emulators: kicks and power state. */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <arch/cpu.h>

void vcpu_kick(struct vcpu *v)
{
	/* The order sched_block() relies on: kicks, then blocked. */
	__atomic_add_fetch(&v->kicks, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST)) {
		sched_wake(v);
		return;
	}
	/* Running elsewhere: make it exit so it sees what changed. */
	if (__atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST) && v->pcpu != arch_cpu_id())
		arch_kick_cpu(v->pcpu);
}

int vcpu_power_on(struct vcpu *v, gpa_t entry, uint64_t arg)
{
	struct guest *g = v->guest;
	uint64_t deadline = time_now_ns() + NSEC_PER_MSEC;
	unsigned long flags;

	/* A vCPU that just turned itself off may still be finishing that
	 * exit on its CPU; that takes microseconds. */
	while (READ_ONCE(v->power) == VCPU_POWER_OFF &&
	       __atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST) && time_now_ns() < deadline)
		arch_cpu_relax();
	flags = spin_lock_irqsave(&g->lock);
	if (v->power == VCPU_POWER_ON || __atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST)) {
		spin_unlock_irqrestore(&g->lock, flags);
		return -KEEL_EBUSY;
	}
	arch_vcpu_reset(v, entry, arg);
	v->blocked = false;
	v->power = VCPU_POWER_ON;
	spin_unlock_irqrestore(&g->lock, flags);
	sched_enqueue(v);
	return 0;
}

void vcpu_power_off(struct vcpu *v)
{
	struct guest *g = v->guest;
	unsigned long flags = spin_lock_irqsave(&g->lock);

	v->power = VCPU_POWER_OFF;
	spin_unlock_irqrestore(&g->lock, flags);
	sched_dequeue(v);
}

struct vcpu *vcpu_find_by_hwid(struct guest *g, uint64_t hwid)
{
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		if (arch_vcpu_hwid(g->vcpus[i]) == hwid)
			return g->vcpus[i];
	return NULL;
}
