/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU queues of one-shot timer events, sorted by deadline. */
#include <keel/log.h>
#include <keel/platform.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <arch/cpu.h>

struct timer_queue {
	spinlock_t lock;
	struct timer_event *head; /* earliest deadline first */
	/* The event whose callback runs now (unlocked), so that a cancel on
	 * another CPU can wait for it before its owner frees it. */
	struct timer_event *running;
};

static struct timer_queue timer_queues[KEEL_MAX_CPUS] = {
	[0 ... KEEL_MAX_CPUS - 1] = { .lock = SPINLOCK_INIT },
};

static struct timer_queue *timer_queue_this_cpu(void)
{
	unsigned int cpu = arch_cpu_id();

	BUG_ON(cpu >= KEEL_MAX_CPUS);
	return &timer_queues[cpu];
}

/* Tells this CPU's timer about the earliest deadline; lock held. */
static void timer_queue_program(struct timer_queue *q)
{
	/* 0 means "disarm" to the arch: a deadline at time zero is simply
	 * already due, so ask for the earliest representable instead. */
	if (q->head)
		arch_timer_set_deadline(MAX(q->head->deadline_ns, 1));
	else
		arch_timer_set_deadline(0);
}

/*
 * queued is read without the queue's lock (an add on one CPU while the
 * event's expiry takes it off another's queue): release and acquire, so
 * whoever sees it off a queue also sees that queue done with the event
 * (its deadline read, its link cleared) before touching them.
 */
static void timer_event_set_queued(struct timer_event *event, bool queued)
{
	__atomic_store_n(&event->queued, queued, __ATOMIC_RELEASE);
}

static bool timer_event_is_queued(struct timer_event *event)
{
	return __atomic_load_n(&event->queued, __ATOMIC_ACQUIRE);
}

/* Unlinks event from q; returns false when it was not on q. Lock held. */
static bool timer_queue_remove(struct timer_queue *q, struct timer_event *event)
{
	for (struct timer_event **link = &q->head; *link; link = &(*link)->next) {
		if (*link == event) {
			*link = event->next;
			event->next = NULL;
			timer_event_set_queued(event, false);
			return true;
		}
	}
	return false;
}

void timer_event_add(struct timer_event *event, uint64_t deadline_ns)
{
	struct timer_queue *q;
	struct timer_event **link;
	unsigned long flags;

	/* Re-adding moves the event: it is never on two queues. */
	if (timer_event_is_queued(event))
		timer_event_cancel(event);

	q = timer_queue_this_cpu();
	flags = spin_lock_irqsave(&q->lock);
	event->deadline_ns = deadline_ns;
	/* After the events with the same deadline: they run in the order
	 * they were added. */
	link = &q->head;
	while (*link && (*link)->deadline_ns <= deadline_ns)
		link = &(*link)->next;
	event->next = *link;
	*link = event;
	timer_event_set_queued(event, true);
	if (q->head == event)
		timer_queue_program(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

/* Waits until no other CPU is running event's callback. */
static void timer_event_wait_idle(struct timer_event *event, unsigned int self)
{
	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		while (cpu != self &&
		       __atomic_load_n(&timer_queues[cpu].running, __ATOMIC_ACQUIRE) == event)
			arch_cpu_relax();
}

/* Takes event off whichever queue holds it. */
static void timer_event_unqueue(struct timer_event *event, unsigned int self)
{
	/* Usually the event is on this CPU's queue; it may be on another if
	 * it was added there, so look on every queue, this one first. Every
	 * queue's lock is taken even when the event looks idle: an expiry
	 * that just took it off its queue marked it running under that lock,
	 * and the wait that follows must see that. */
	for (unsigned int i = 0; i < KEEL_MAX_CPUS; i++) {
		unsigned int cpu = (self + i) % KEEL_MAX_CPUS;
		struct timer_queue *q = &timer_queues[cpu];
		unsigned long flags = spin_lock_irqsave(&q->lock);
		bool was_first = q->head == event;
		bool found = timer_event_is_queued(event) && timer_queue_remove(q, event);

		/* Another CPU's timer cannot be programmed from here; it
		 * fires, finds nothing due and reprograms itself. */
		if (found && was_first && cpu == self)
			timer_queue_program(q);
		spin_unlock_irqrestore(&q->lock, flags);
	}
}

/*
 * The caller holds no lock the callback takes: this waits for a callback
 * running on another CPU (docs/locking.md).
 */
void timer_event_cancel(struct timer_event *event)
{
	unsigned int self = arch_cpu_id();

	/* A callback already running elsewhere finishes before the caller
	 * may free the event. It may have added its event again meanwhile
	 * (a periodic event): then take it off again, so that cancelled
	 * means neither queued nor running. Each round needs the callback
	 * to have run once more, which it cannot once it is off the queues
	 * and idle. */
	do {
		timer_event_unqueue(event, self);
		timer_event_wait_idle(event, self);
	} while (timer_event_is_queued(event));
}

void timer_event_expire(void)
{
	struct timer_queue *q = timer_queue_this_cpu();
	unsigned long flags = spin_lock_irqsave(&q->lock);

	for (;;) {
		struct timer_event *event = q->head;

		if (!event || event->deadline_ns > time_now_ns())
			break;
		q->head = event->next;
		event->next = NULL;
		timer_event_set_queued(event, false);
		WRITE_ONCE(q->running, event);
		/* Unlocked, so the callback may add or cancel events,
		 * including itself. */
		spin_unlock_irqrestore(&q->lock, flags);
		event->fn(event, event->arg);
		flags = spin_lock_irqsave(&q->lock);
		/* Release: what the callback did (adding its event again)
		 * is seen by a cancel that sees it finished. */
		__atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
	}
	timer_queue_program(q);
	spin_unlock_irqrestore(&q->lock, flags);
}
