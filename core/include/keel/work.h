/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deferred work: a small job that Keel runs later on some host CPU, out of
 * the exit or the call that asked for it. Devices use it to continue what
 * one guest notification may not finish (a notify serves a bounded budget
 * of requests; the rest is a work item's).
 *
 * A work item is embedded in its owner and queued at most once: queueing
 * it again while it waits does nothing, and queueing it while it runs
 * makes it run once more afterwards, never on two CPUs at once. Items run
 * in the order they were queued, from the scheduler between two vCPU runs
 * and when a CPU would otherwise idle (core/sched/sched.c calls
 * work_run()), with interrupts enabled and no lock held. A run must itself
 * be bounded: an item with more to do queues itself again.
 *
 * Locking: one lock guards the list of queued items; it is taken inside
 * any other lock (work_queue() may be called with device locks held) and
 * never held while an item runs.
 */
#ifndef KEEL_WORK_H
#define KEEL_WORK_H

#include <keel/types.h>
#include <lib/list.h>

struct work;

typedef void (*work_fn)(struct work *w);

struct work {
	struct list_head node;           /* in the queue (work lock) */
	work_fn fn;
	unsigned int flags;              /* WORK_* in work.c (work lock) */
};

/* Sets w up to run fn; w is idle and enabled. */
void work_init(struct work *w, work_fn fn);
/* Asks for w to run (once more); false when w is disabled. Any context. */
bool work_queue(struct work *w);
/*
 * Takes w out of the queue and waits until it does not run on any CPU;
 * until work_enable(), work_queue(w) does nothing. Never call it from w's
 * own function or while holding a lock w's function takes. After it
 * returns, w may be freed.
 */
void work_disable_sync(struct work *w);
/* Lets w be queued again (after work_disable_sync()). */
void work_enable(struct work *w);
/* Runs at most max queued items, in order; returns how many ran. */
unsigned int work_run(unsigned int max);
/* True while some item waits in the queue. */
bool work_pending(void);

#endif
