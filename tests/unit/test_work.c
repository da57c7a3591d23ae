/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deferred work (core/base/work.c): queued at most once, run again when
 * queued while it runs but never on two CPUs at once, and disabled
 * safely while another CPU runs it.
 */
#include <arch/cpu.h>
#include <keel/work.h>
#include "unit.h"

struct counted_work {
	struct work work;
	int runs;
	int running;                     /* CPUs in fn now */
	int overlaps;                    /* fn found another CPU in it */
	int queue_again;                 /* fn queues itself this many times */
	int spin;                        /* relax this often inside fn */
};

static void counted_fn(struct work *w)
{
	struct counted_work *c = list_entry(w, struct counted_work, work);

	if (__atomic_add_fetch(&c->running, 1, __ATOMIC_SEQ_CST) != 1)
		__atomic_add_fetch(&c->overlaps, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < c->spin; i++)
		arch_cpu_relax();
	__atomic_add_fetch(&c->runs, 1, __ATOMIC_SEQ_CST);
	if (c->queue_again > 0) {
		c->queue_again--;
		work_queue(w);
	}
	__atomic_sub_fetch(&c->running, 1, __ATOMIC_SEQ_CST);
}

TEST(work_is_queued_at_most_once_and_runs_again_when_queued_while_running)
{
	static struct counted_work c;

	work_init(&c.work, counted_fn);
	CHECK(work_queue(&c.work));
	CHECK(work_queue(&c.work));
	CHECK(work_pending());
	CHECK_EQ(work_run(10), 1);
	CHECK_EQ(c.runs, 1);
	CHECK(!work_pending());
	/* Queued from inside its own run: once more, after it. */
	c.queue_again = 2;
	work_queue(&c.work);
	CHECK_EQ(work_run(1), 1);
	CHECK(work_pending());
	CHECK_EQ(work_run(10), 2);
	CHECK_EQ(c.runs, 4);
	CHECK(!work_pending());
	/* Disabled: queueing does nothing until enabled again. */
	work_queue(&c.work);
	work_disable_sync(&c.work);
	CHECK(!work_pending());
	CHECK(!work_queue(&c.work));
	CHECK_EQ(work_run(10), 0);
	work_enable(&c.work);
	CHECK(work_queue(&c.work));
	CHECK_EQ(work_run(10), 1);
	CHECK_EQ(c.runs, 5);
}

/* Three CPUs queue and run the same item; one disables it at the end. */
#define WORK_ROUNDS 3000

static struct counted_work shared;
static int disabled_while_running;

static void work_race_cpu(unsigned int cpu, void *arg)
{
	for (int i = 0; i < WORK_ROUNDS; i++) {
		work_queue(&shared.work);
		work_run(2);
	}
	if (cpu == 0) {
		work_disable_sync(&shared.work);
		/* Once it returns, no CPU is inside the item. */
		if (__atomic_load_n(&shared.running, __ATOMIC_SEQ_CST))
			disabled_while_running++;
	}
}

TEST(work_never_runs_on_two_cpus_at_once_and_disable_waits_for_a_run)
{
	shared = (struct counted_work){ .spin = 20 };
	work_init(&shared.work, counted_fn);
	unit_run_cpus(3, work_race_cpu, NULL);
	CHECK_EQ(shared.overlaps, 0);
	CHECK_EQ(disabled_while_running, 0);
	CHECK(shared.runs > 0);
	CHECK(!work_pending());
	work_enable(&shared.work);
}
