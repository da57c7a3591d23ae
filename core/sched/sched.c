/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU run queues of vCPUs. Run-to-exit: sched_run_once() enters one
 * vCPU, handles its exit on this CPU's stack and moves it to the back of
 * the queue when it can still run, so vCPUs sharing a CPU take turns at
 * every exit; a time slice forces an exit from a vCPU that never traps.
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_internal.h>
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/vcpu.h>
#include <keel/vcpu_exit.h>
#include <keel/work.h>
#include <arch/cpu.h>

/* Deferred work items run before each vCPU run (keel/work.h). */
#define SCHED_WORK_PER_RUN 4

struct run_queue {
	spinlock_t lock;
	struct list_head vcpus;
	unsigned int length;
	struct vcpu *current;
	struct timer_event slice;
};

static struct run_queue run_queues[KEEL_MAX_CPUS];
static bool service_requested;

static void slice_expired(struct timer_event *event, void *arg)
{
	/* Nothing to do: the interrupt itself made the vCPU exit. */
}

void sched_init(void)
{
	for (unsigned int i = 0; i < KEEL_MAX_CPUS; i++) {
		struct run_queue *rq = &run_queues[i];

		*rq = (struct run_queue){ .lock = SPINLOCK_INIT };
		list_init(&rq->vcpus);
		rq->slice.fn = slice_expired;
	}
}

static struct run_queue *run_queue_of(unsigned int cpu)
{
	BUG_ON(cpu >= KEEL_MAX_CPUS);
	return &run_queues[cpu];
}

static bool vcpu_can_run(const struct vcpu *v)
{
	return __atomic_load_n(&v->guest->state, __ATOMIC_SEQ_CST) == GUEST_RUNNING &&
	       v->power == VCPU_POWER_ON && !v->blocked;
}

/* Queue lock held. */
static void run_queue_add(struct run_queue *rq, struct vcpu *v)
{
	if (v->queued || !vcpu_can_run(v))
		return;
	list_add_tail(&v->run_node, &rq->vcpus);
	v->queued = true;
	WRITE_ONCE(rq->length, rq->length + 1);
}

static void run_queue_remove(struct run_queue *rq, struct vcpu *v)
{
	if (!v->queued)
		return;
	list_del(&v->run_node);
	v->queued = false;
	WRITE_ONCE(rq->length, rq->length - 1);
}

void sched_enqueue(struct vcpu *v)
{
	struct run_queue *rq = run_queue_of(v->pcpu);
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	run_queue_add(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* An idle CPU waits in WFI: wake it to look at its queue. */
	if (v->pcpu != arch_cpu_id())
		arch_kick_cpu(v->pcpu);
}

void sched_dequeue(struct vcpu *v)
{
	struct run_queue *rq = run_queue_of(v->pcpu);
	unsigned long flags = spin_lock_irqsave(&rq->lock);

	run_queue_remove(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
}

int sched_wait_off_cpu(struct vcpu *v, uint64_t deadline_ns)
{
	if (v->pcpu != arch_cpu_id())
		arch_kick_cpu(v->pcpu);
	while (__atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST)) {
		/* A CPU can stay in one exit for long (a device serving a
		 * guest's requests): the caller reports it and finishes
		 * later, Keel does not stop. */
		if (time_now_ns() > deadline_ns)
			break;
		arch_cpu_relax();
	}
	return sched_vcpu_left(v) ? 0 : -KEEL_ETIMEDOUT;
}

bool sched_vcpu_left(struct vcpu *v)
{
	struct run_queue *rq = run_queue_of(v->pcpu);
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	/* Under the lock run_queue_put() clears on_cpu with: either it is
	 * clear now, or the put-back sees the request and asks for service. */
	bool left = !__atomic_load_n(&v->on_cpu, __ATOMIC_SEQ_CST);

	if (!left)
		v->service_on_leave = true;
	spin_unlock_irqrestore(&rq->lock, flags);
	return left;
}

unsigned int sched_queue_length(unsigned int cpu)
{
	return cpu < KEEL_MAX_CPUS ? READ_ONCE(run_queue_of(cpu)->length) : 0;
}

void sched_block(struct vcpu *v, uint64_t kick_seen)
{
	struct run_queue *rq = run_queue_of(v->pcpu);
	unsigned long flags;
	/*
	 * The wait's end is read before what is pending: a vCPU whose
	 * guest's budgets delay it has nothing pending until the delay ends,
	 * and a deadline read after the delay ended would miss both.
	 */
	uint64_t deadline = arch_vcpu_timer_deadline_ns(v);

	if (arch_vcpu_irq_pending(v))
		return;
	flags = spin_lock_irqsave(&rq->lock);
	/*
	 * blocked is published before kicks is read again, and vcpu_kick()
	 * adds to kicks before it reads blocked (both sequentially
	 * consistent): either this reads the new kick and does not block, or
	 * the kicker reads blocked and wakes v. Checking kicks first and then
	 * setting blocked lost a kick that came in between.
	 */
	__atomic_store_n(&v->blocked, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->kicks, __ATOMIC_SEQ_CST) != kick_seen) {
		WRITE_ONCE(v->blocked, false);
		spin_unlock_irqrestore(&rq->lock, flags);
		return;
	}
	run_queue_remove(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* The guest's own timer ends the wait as an interrupt would. */
	if (deadline)
		timer_event_add(&v->wake_event, deadline);
}

void sched_wake(struct vcpu *v)
{
	struct run_queue *rq = run_queue_of(v->pcpu);
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	bool woke = v->blocked;

	WRITE_ONCE(v->blocked, false);
	if (woke)
		run_queue_add(rq, v);
	spin_unlock_irqrestore(&rq->lock, flags);
	/*
	 * The wait's timer event is left to fire: by then v may have run and
	 * blocked again, adding the event anew, and a cancel here (it cannot
	 * be under the queue lock: the event's callback takes that lock)
	 * would take that new event away and leave v asleep for good. An
	 * event of an earlier wait that fires only kicks v: at worst a WFI
	 * ends early, which the architecture allows.
	 */
	if (woke && v->pcpu != arch_cpu_id())
		arch_kick_cpu(v->pcpu);
}

/* Picks the first runnable vCPU and marks it held by this CPU. */
static struct vcpu *run_queue_pick(struct run_queue *rq)
{
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	struct vcpu *v = NULL;

	if (rq->length) {
		v = list_entry(rq->vcpus.next, struct vcpu, run_node);
		run_queue_remove(rq, v);
		__atomic_store_n(&v->on_cpu, true, __ATOMIC_SEQ_CST);
		WRITE_ONCE(rq->current, v);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	return v;
}

/* Back to the end of the queue when it can still run; releases it. */
static void run_queue_put(struct run_queue *rq, struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&rq->lock);
	/* Read with v still held: once on_cpu is false, CPU 0 may free v. */
	bool service = v->service_on_leave;

	v->service_on_leave = false;
	WRITE_ONCE(rq->current, NULL);
	run_queue_add(rq, v);
	__atomic_store_n(&v->on_cpu, false, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&rq->lock, flags);
	/* A pause, stop, reset or destroy gave up waiting for v and left
	 * the rest to CPU 0's service work: it may finish now. */
	if (service)
		sched_request_service();
}

struct vcpu *vcpu_current(void)
{
	unsigned int cpu = arch_cpu_id();

	return cpu < KEEL_MAX_CPUS ? READ_ONCE(run_queues[cpu].current) : NULL;
}

/* A few deferred work items, interrupts on; true when any ran. */
static bool sched_run_work(void)
{
	unsigned int ran;

	if (!work_pending())
		return false;
	arch_irq_enable();
	ran = work_run(SCHED_WORK_PER_RUN);
	arch_irq_disable();
	return ran != 0;
}

/*
 * Work this CPU leaves queued as it enters a guest, which may keep it for
 * long (a vCPU alone on its CPU has no time slice): an idle CPU is woken
 * to take it. An idle CPU publishes that it is before it looks at the
 * queue one last time (cpu_idle_once()), so either it sees the work or
 * this sees it idle.
 */
static void sched_hand_off_work(void)
{
	unsigned int self = arch_cpu_id();

	if (!work_pending())
		return;
	for (unsigned int cpu = 0; cpu < cpu_count && cpu < KEEL_MAX_CPUS; cpu++) {
		if (cpu == self || READ_ONCE(cpu_info[cpu].state) != CPU_ONLINE ||
		    !__atomic_load_n(&cpu_info[cpu].idle_since_ns, __ATOMIC_SEQ_CST))
			continue;
		arch_kick_cpu(cpu);
		return;
	}
}

bool sched_run_once(void)
{
	struct run_queue *rq = run_queue_of(arch_cpu_id());
	bool worked = sched_run_work();
	struct vm_exit exit;
	struct vcpu *v = run_queue_pick(rq);

	if (!v)
		return worked;
	/* Picked, then checked: a lifecycle change writes the guest state
	 * and then waits for on_cpu, so one of the two sees the other. */
	if (!vcpu_can_run(v)) {
		run_queue_put(rq, v);
		return true;
	}
	if (READ_ONCE(rq->length))
		timer_event_add(&rq->slice, time_now_ns() + SCHED_SLICE_NS);
	sched_hand_off_work();
	arch_vcpu_run(v, &exit);
	/* Host interrupts that made the guest exit are taken here; exits are
	 * handled with interrupts on, like any other Keel code. */
	arch_irq_enable();
	timer_event_cancel(&rq->slice);
	vcpu_handle_exit(v, &exit);
	arch_irq_disable();
	run_queue_put(rq, v);
	return true;
}

void sched_request_service(void)
{
	__atomic_store_n(&service_requested, true, __ATOMIC_SEQ_CST);
	if (arch_cpu_id() != 0)
		arch_kick_cpu(0);
}

bool sched_service_requested(void)
{
	return __atomic_load_n(&service_requested, __ATOMIC_SEQ_CST);
}

void sched_service(void)
{
	if (arch_cpu_id() != 0 ||
	    !__atomic_exchange_n(&service_requested, false, __ATOMIC_SEQ_CST))
		return;
	guest_service_requests();
}
