// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timer events on real threads acting as CPUs: a cancel waits for the
 * callback running on another CPU, also when that callback adds its event
 * again; adds, cancels and expiries from four CPUs at once keep every
 * queue consistent and never run one event twice at the same time.
 */
#include <keel/time.h>
#include <arch/cpu.h>
#include <string.h>
#include "unit.h"

static int load(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Lets the other threads run for a while (time passes too). */
static void pause_a_little(void)
{
	for (int i = 0; i < 200; i++)
		arch_cpu_relax();
}

struct cancel_race {
	struct timer_event event;
	int in_callback;                /* the callback runs on CPU 1 */
	int cancelling;                 /* CPU 2 is about to cancel */
	int callback_done;
	int re_add;                     /* the callback adds its event again */
	int runs;
	int runs_at_cancel_return;
	int queued_at_cancel_return;
	int done_at_cancel_return;
	int stop;
};

static void cancel_race_callback(struct timer_event *event, void *arg)
{
	struct cancel_race *r = arg;

	__atomic_fetch_add(&r->runs, 1, __ATOMIC_SEQ_CST);
	if (load(&r->in_callback)) {
		/* Later runs (after a re-add the cancel missed) only count. */
		return;
	}
	store(&r->in_callback, 1);
	while (!load(&r->cancelling))
		arch_cpu_relax();
	/* Long enough for the cancel to pass every queue and wait. */
	pause_a_little();
	if (load(&r->re_add))
		timer_event_add(event, time_now_ns() + 1000);
	store(&r->callback_done, 1);
}

static void cancel_race_cpu(unsigned int cpu, void *arg)
{
	struct cancel_race *r = arg;

	if (cpu == 1) {
		timer_event_add(&r->event, time_now_ns());
		/* Expire until told to stop: a re-added event runs again. */
		while (!load(&r->stop)) {
			timer_event_expire();
			arch_cpu_relax();
		}
		return;
	}
	if (cpu != 2)
		return;
	while (!load(&r->in_callback))
		arch_cpu_relax();
	store(&r->cancelling, 1);
	timer_event_cancel(&r->event);
	r->done_at_cancel_return = load(&r->callback_done);
	r->queued_at_cancel_return = __atomic_load_n(&r->event.queued, __ATOMIC_SEQ_CST);
	r->runs_at_cancel_return = load(&r->runs);
	/* CPU 1 keeps expiring for a while: a cancelled event stays quiet. */
	pause_a_little();
	store(&r->stop, 1);
}

static void cancel_race_run(struct cancel_race *r, int re_add)
{
	memset(r, 0, sizeof(*r));
	r->event.fn = cancel_race_callback;
	r->event.arg = r;
	r->re_add = re_add;
	time_init(0);
	unit_run_cpus(3, cancel_race_cpu, r);
}

TEST(timer_event_cancel_waits_for_the_callback_on_another_cpu)
{
	static struct cancel_race r;

	cancel_race_run(&r, 0);
	CHECK(r.done_at_cancel_return);
	CHECK(!r.queued_at_cancel_return);
	CHECK_EQ(r.runs, 1);
}

TEST(timer_event_cancel_wins_over_a_callback_that_adds_itself_again)
{
	static struct cancel_race r;

	cancel_race_run(&r, 1);
	CHECK(r.done_at_cancel_return);
	/* Cancelled means not queued, and not run again afterwards. */
	CHECK(!r.queued_at_cancel_return);
	CHECK(!r.event.queued);
	CHECK_EQ(r.runs, r.runs_at_cancel_return);
	/* (It may have run twice: once more before the cancel caught it.) */
}

#define STRESS_CPUS 4
#define STRESS_EVENTS_PER_CPU 4
#define STRESS_ROUNDS 3000

struct stress_event {
	struct timer_event event;
	unsigned int owner;             /* the only CPU that adds it */
	int running;                    /* callbacks running now */
	int runs;
	int overlaps;                   /* ran on two CPUs at once */
	int wrong_cpu;                  /* ran on a CPU that never added it */
};

static struct stress_event stress[STRESS_CPUS * STRESS_EVENTS_PER_CPU];

static void stress_callback(struct timer_event *event, void *arg)
{
	struct stress_event *e = arg;

	if (__atomic_fetch_add(&e->running, 1, __ATOMIC_SEQ_CST))
		__atomic_fetch_add(&e->overlaps, 1, __ATOMIC_SEQ_CST);
	if (arch_cpu_id() != e->owner)
		__atomic_fetch_add(&e->wrong_cpu, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&e->runs, 1, __ATOMIC_SEQ_CST);
	arch_cpu_relax();
	__atomic_fetch_sub(&e->running, 1, __ATOMIC_SEQ_CST);
}

static void stress_cpu(unsigned int cpu, void *arg)
{
	uint32_t seed = 12345 + cpu * 7919;

	for (unsigned int round = 0; round < STRESS_ROUNDS; round++) {
		unsigned int mine, any;

		seed = seed * 1103515245 + 12345;
		mine = cpu * STRESS_EVENTS_PER_CPU + (seed >> 16) % STRESS_EVENTS_PER_CPU;
		any = (seed >> 8) % (STRESS_CPUS * STRESS_EVENTS_PER_CPU);
		switch ((seed >> 24) % 3) {
		case 0:
			timer_event_add(&stress[mine].event, time_now_ns() + (seed >> 20) % 5000);
			break;
		case 1:
			timer_event_cancel(&stress[any].event);
			break;
		default:
			timer_event_expire();
			break;
		}
		arch_cpu_relax();
	}
	/* Each CPU cancels its own: none may stay queued. */
	for (unsigned int i = 0; i < STRESS_EVENTS_PER_CPU; i++)
		timer_event_cancel(&stress[cpu * STRESS_EVENTS_PER_CPU + i].event);
}

TEST(timer_events_from_four_cpus_at_once_stay_consistent)
{
	unsigned int total = 0;

	time_init(0);
	for (unsigned int i = 0; i < ARRAY_SIZE(stress); i++) {
		memset(&stress[i], 0, sizeof(stress[i]));
		stress[i].owner = i / STRESS_EVENTS_PER_CPU;
		stress[i].event.fn = stress_callback;
		stress[i].event.arg = &stress[i];
	}
	unit_run_cpus(STRESS_CPUS, stress_cpu, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(stress); i++) {
		CHECK(!stress[i].event.queued);
		CHECK_EQ(stress[i].overlaps, 0);
		CHECK_EQ(stress[i].wrong_cpu, 0);
		total += (unsigned int)stress[i].runs;
	}
	/* The mix did run callbacks (not only cancels). */
	CHECK(total > 100);
	/* Every queue is empty: its CPU's timer is disarmed after an expiry. */
	for (unsigned int cpu = 0; cpu < STRESS_CPUS; cpu++) {
		host_set_cpu_id(cpu);
		timer_event_expire();
		CHECK_EQ(host_timer_deadline(cpu), 0);
	}
	host_set_cpu_id(0);
}
