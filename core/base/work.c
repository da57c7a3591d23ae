/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deferred work (keel/work.h): one queue for all CPUs. Whichever CPU gets
 * to an item first runs it; the RUNNING flag keeps a second CPU from
 * running the same item meanwhile, AGAIN remembers a queueing that came
 * while it ran.
 */
#include <arch/cpu.h>
#include <keel/spinlock.h>
#include <keel/work.h>

#define WORK_QUEUED 1u                   /* on the queue */
#define WORK_RUNNING 2u                  /* its function runs on some CPU */
#define WORK_AGAIN 4u                    /* queued while it ran */
#define WORK_DISABLED 8u                 /* work_queue() does nothing */

static spinlock_t work_lock = SPINLOCK_INIT;
static LIST_HEAD(work_queue_head);

void work_init(struct work *w, work_fn fn)
{
	list_init(&w->node);
	w->fn = fn;
	w->flags = 0;
}

/* Work lock held. */
static void work_add_locked(struct work *w)
{
	list_add_tail(&w->node, &work_queue_head);
	w->flags |= WORK_QUEUED;
}

bool work_queue(struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);
	bool ok = !(w->flags & WORK_DISABLED);

	if (ok) {
		if (w->flags & WORK_RUNNING)
			w->flags |= WORK_AGAIN;
		else if (!(w->flags & WORK_QUEUED))
			work_add_locked(w);
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return ok;
}

void work_disable_sync(struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);

	w->flags |= WORK_DISABLED;
	w->flags &= ~WORK_AGAIN;
	if (w->flags & WORK_QUEUED) {
		list_del(&w->node);
		w->flags &= ~WORK_QUEUED;
	}
	while (w->flags & WORK_RUNNING) {
		spin_unlock_irqrestore(&work_lock, flags);
		arch_cpu_relax();
		flags = spin_lock_irqsave(&work_lock);
	}
	spin_unlock_irqrestore(&work_lock, flags);
}

void work_enable(struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);

	w->flags &= ~WORK_DISABLED;
	spin_unlock_irqrestore(&work_lock, flags);
}

/* Takes the first queued item and marks it running; NULL when none. */
static struct work *work_take(void)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);
	struct work *w = NULL;

	if (!list_empty(&work_queue_head)) {
		w = list_entry(work_queue_head.next, struct work, node);
		list_del(&w->node);
		w->flags = (w->flags & ~WORK_QUEUED) | WORK_RUNNING;
	}
	spin_unlock_irqrestore(&work_lock, flags);
	return w;
}

/* After w's function returned: queued again when asked meanwhile. Once
 * RUNNING is clear, w may be freed by work_disable_sync()'s caller: w is
 * not touched after the lock is dropped. */
static void work_done(struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);

	w->flags &= ~WORK_RUNNING;
	if ((w->flags & WORK_AGAIN) && !(w->flags & WORK_DISABLED))
		work_add_locked(w);
	w->flags &= ~WORK_AGAIN;
	spin_unlock_irqrestore(&work_lock, flags);
}

unsigned int work_run(unsigned int max)
{
	unsigned int ran = 0;

	while (ran < max) {
		struct work *w = work_take();

		if (!w)
			break;
		w->fn(w);
		work_done(w);
		ran++;
	}
	return ran;
}

bool work_pending(void)
{
	unsigned long flags = spin_lock_irqsave(&work_lock);
	bool pending = !list_empty(&work_queue_head);

	spin_unlock_irqrestore(&work_lock, flags);
	return pending;
}
