/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-guest budgets for what a guest drives besides its devices (see
 * keel/guest_throttle.h). A generic cell rate algorithm: each class keeps
 * the theoretical arrival time (TAT) of its next operation; an operation
 * is within budget while TAT lies less than burst intervals ahead of now,
 * and moves TAT one interval on. Over budget, the guest is told to wait
 * until half the burst has come back: long enough for its neighbours to
 * get the CPU, short enough for a guest that was only busy.
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/log.h>
#include <keel/sched.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <lib/format.h>

#define USEC (1000ULL)
#define MSEC (1000ULL * USEC)

/*
 * Well above what a Linux guest does (it sends a few thousand IPIs a
 * second under load, a handful of firmware (PSCI, SBI) calls per CPU at
 * boot and hotplug, resets once; its clock events use the virtual timer, whose
 * registers do not trap), far below what pins a host CPU. A reset costs
 * the service CPU a reload of the guest (images copied, RAM zeroed).
 */
const struct guest_throttle_limit guest_throttle_limits[GUEST_THROTTLE_COUNT] = {
	[GUEST_THROTTLE_IPI] = { "ipi", 50 * USEC, 2000 },            /* 20000/s */
	[GUEST_THROTTLE_TIMER] = { "timer", 200 * USEC, 500 },        /* 5000/s */
	[GUEST_THROTTLE_FIRMWARE] = { "firmware", 1 * MSEC, 200 },    /* 1000/s */
	[GUEST_THROTTLE_MAINTENANCE] = { "maintenance", 50 * USEC, 2000 }, /* 20000/s */
	[GUEST_THROTTLE_RESET] = { "reset", 10000 * MSEC, 3 },        /* 1 per 10 s */
};

const char *guest_throttle_rate(enum guest_throttle_class c, char *buf, size_t size)
{
	const struct guest_throttle_limit *limit = &guest_throttle_limits[c];

	if (limit->interval_ns <= NSEC_PER_SEC)
		fmt_snprintf(buf, size, "%llu/s",
			     (unsigned long long)(NSEC_PER_SEC / limit->interval_ns));
	else
		fmt_snprintf(buf, size, "1/%llus",
			     (unsigned long long)(limit->interval_ns / NSEC_PER_SEC));
	return buf;
}

void guest_throttle_init(struct guest_throttle *t)
{
	*t = (struct guest_throttle){ .lock = SPINLOCK_INIT };
}

uint64_t guest_throttle_charge_at(struct guest *g, enum guest_throttle_class c,
				  uint64_t now)
{
	const struct guest_throttle_limit *limit = &guest_throttle_limits[c];
	struct guest_throttle *t = &g->throttle;
	uint64_t window = limit->interval_ns * limit->burst;
	uint64_t resume = 0, tat;
	bool log = false;
	char rate[24];
	unsigned long flags;

	if (c >= GUEST_THROTTLE_COUNT)
		return 0;
	flags = spin_lock_irqsave(&t->lock);
	tat = MAX(t->tat_ns[c], now);
	t->charged[c]++;
	if (tat + limit->interval_ns - now > window) {
		/* Over budget: the operation is not refused, but TAT does not
		 * move, so a guest that keeps on is throttled every time. */
		t->throttled[c]++;
		resume = tat - window + window / 2;
		resume = MAX(resume, now + 1);
		if (now - t->last_log_ns[c] >= NSEC_PER_SEC || !t->last_log_ns[c]) {
			t->last_log_ns[c] = now;
			log = true;
		}
	} else {
		t->tat_ns[c] = tat + limit->interval_ns;
	}
	spin_unlock_irqrestore(&t->lock, flags);
	if (log)
		log_warn("guest %s: throttled: %s storm (over %s, burst %llu); %llu throttled so far (`stats %s`)",
			 g->name, limit->name, guest_throttle_rate(c, rate, sizeof(rate)),
			 (unsigned long long)limit->burst,
			 (unsigned long long)READ_ONCE(t->throttled[c]), g->name);
	return resume;
}

bool guest_throttle_charge(struct vcpu *v, enum guest_throttle_class c)
{
	struct guest *g = v->guest;
	uint64_t resume = guest_throttle_charge_at(g, c, time_now_ns());
	unsigned long flags;

	if (!resume)
		return true;
	if (v->id < GUEST_MAX_VCPUS) {
		flags = spin_lock_irqsave(&g->throttle.lock);
		g->throttle.vcpu_until_ns[v->id] = MAX(g->throttle.vcpu_until_ns[v->id],
							resume);
		spin_unlock_irqrestore(&g->throttle.lock, flags);
	}
	return false;
}

bool guest_throttle_vcpu_delayed(struct vcpu *v)
{
	return v->id < GUEST_MAX_VCPUS &&
	       time_now_ns() < READ_ONCE(v->guest->throttle.vcpu_until_ns[v->id]);
}

uint64_t guest_throttle_wake_deadline(struct vcpu *v, uint64_t deadline)
{
	if (!guest_throttle_vcpu_delayed(v))
		return deadline;
	/* Delayed: the wait ends when the delay does (an interrupt does not
	 * end it sooner; a WFI may always end later than asked). */
	return READ_ONCE(v->guest->throttle.vcpu_until_ns[v->id]);
}

void guest_throttle_delay(struct vcpu *v)
{
	if (guest_throttle_vcpu_delayed(v))
		sched_block(v, __atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST));
}
