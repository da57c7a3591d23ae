/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated Arm generic timer (emulators/timer/arm_gtimer.c): its
 * output is a level that follows ENABLE, IMASK and CVAL as the Arm ARM
 * says, the guest reads back the CTL bits it wrote, and a register write
 * racing the timer's callback on another CPU never deadlocks.
 */
#include <keel/spinlock.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <timer/arm_gtimer.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "unit.h"

#define ENABLE GTIMER_CTL_ENABLE
#define IMASK GTIMER_CTL_IMASK
#define ISTATUS GTIMER_CTL_ISTATUS

struct line_probe {
	bool level;
	unsigned long rises, falls;
};

static void probe_set_line(void *ctx, bool level)
{
	struct line_probe *p = ctx;

	p->level = level;
	if (level)
		__atomic_add_fetch(&p->rises, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&p->falls, 1, __ATOMIC_RELAXED);
}

static void gtimer_test_begin(void)
{
	host_counter_set_freq(1000000000ULL);
	host_counter_set(1000000);
	host_set_cpu_id(0);
	time_init(0);
}

TEST(gtimer_line_is_a_level_that_enable_and_imask_remove)
{
	static struct gtimer t;
	struct line_probe p = { 0 };

	gtimer_test_begin();
	gtimer_init(&t, probe_set_line, &p);
	gtimer_reset(&t);
	CHECK(!p.level);

	/* Condition met at once: the line rises. */
	gtimer_write_cval(&t, arch_counter_read() - 1);
	gtimer_write_ctl(&t, ENABLE);
	CHECK(p.level);
	CHECK_EQ(gtimer_read_ctl(&t), ENABLE | ISTATUS);

	/* IMASK lowers it; ISTATUS still shows the condition; the guest
	 * reads back exactly what it wrote. */
	gtimer_write_ctl(&t, ENABLE | IMASK);
	CHECK(!p.level);
	CHECK_EQ(gtimer_read_ctl(&t), ENABLE | IMASK | ISTATUS);
	gtimer_write_ctl(&t, ENABLE);
	CHECK(p.level);

	/* ENABLE = 0 lowers it (ISTATUS then reads 0 here). */
	gtimer_write_ctl(&t, 0);
	CHECK(!p.level);
	CHECK_EQ(gtimer_read_ctl(&t), 0);

	/* A CVAL moved into the future lowers it too. */
	gtimer_write_ctl(&t, ENABLE);
	CHECK(p.level);
	gtimer_write_tval(&t, 1000);
	CHECK(!p.level);
	CHECK_EQ(gtimer_read_ctl(&t), ENABLE);
	CHECK(gtimer_deadline_ns(&t) != 0);

	/* Reserved and read-only bits are not stored. */
	gtimer_write_ctl(&t, ~0ULL);
	CHECK_EQ(gtimer_read_ctl(&t) & ~ISTATUS, ENABLE | IMASK);
	gtimer_destroy(&t);
}

TEST(gtimer_event_raises_the_line_at_cval_and_polls_agree)
{
	static struct gtimer t;
	struct line_probe p = { 0 };

	gtimer_test_begin();
	gtimer_init(&t, probe_set_line, &p);
	gtimer_reset(&t);
	gtimer_write_cval(&t, arch_counter_read() + 5000);
	gtimer_write_ctl(&t, ENABLE);
	CHECK(!p.level);
	CHECK(!gtimer_poll(&t));
	CHECK(host_timer_deadline(0) != 0);

	host_counter_set(arch_counter_read() + 5000);
	timer_event_expire();
	CHECK(p.level);
	CHECK_EQ(p.rises, 1);
	/* High already: no event is wanted, and it stays high. */
	CHECK_EQ(gtimer_deadline_ns(&t), 0);
	CHECK(gtimer_poll(&t));
	CHECK_EQ(p.rises, 1);

	/* Reset lowers the line and cancels everything. */
	gtimer_write_tval(&t, 100);
	gtimer_reset(&t);
	CHECK(!p.level);
	host_counter_set(arch_counter_read() + 1000);
	timer_event_expire();
	CHECK(!p.level);
	gtimer_destroy(&t);
}

TEST(gtimer_hold_delays_a_rising_line_only)
{
	static struct gtimer t;
	struct line_probe p = { 0 };

	gtimer_test_begin();
	gtimer_init(&t, probe_set_line, &p);
	gtimer_reset(&t);
	gtimer_hold(&t, time_now_ns() + 10000);
	gtimer_write_cval(&t, arch_counter_read() + 10);
	gtimer_write_ctl(&t, ENABLE);
	host_counter_set(arch_counter_read() + 100);
	timer_event_expire();
	CHECK(!p.level);                  /* held */
	CHECK(gtimer_deadline_ns(&t) >= time_now_ns() + 9000);
	host_counter_set(arch_counter_read() + 10000);
	timer_event_expire();
	CHECK(p.level);                   /* the hold is over */
	gtimer_write_ctl(&t, 0);
	CHECK(!p.level);                  /* falling never waits */
	gtimer_destroy(&t);
}

TEST(gtimer_destroy_leaves_no_event_behind)
{
	static struct gtimer t;
	struct line_probe p = { 0 };

	gtimer_test_begin();
	gtimer_init(&t, probe_set_line, &p);
	gtimer_reset(&t);
	gtimer_write_tval(&t, 500);
	gtimer_write_ctl(&t, ENABLE);
	gtimer_destroy(&t);
	host_counter_set(arch_counter_read() + 1000);
	timer_event_expire();
	CHECK(!p.level);
	CHECK_EQ(p.rises, 0);
	CHECK_EQ(host_timer_deadline(0), 0);
}

/*
 * CPU 1 keeps the timer's host event firing on its own queue (the callback
 * takes the timer's lock); CPU 0 keeps rewriting the registers, which moves
 * and cancels that event. A cancel that waited for the callback with the
 * lock held would hang both: the alarm turns that into a failure.
 */
#define RACE_ROUNDS 20000

struct gtimer_race {
	struct gtimer t;
	struct line_probe p;
	unsigned int done;
};

static void race_alarm(int sig)
{
	static const char msg[] =
		"FAIL gtimer_register_writes_race_the_callback_without_deadlock: "
		"no progress in 20 s (a cancel waits for the callback under the lock it takes)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void race_cpu(unsigned int cpu, void *arg)
{
	struct gtimer_race *r = arg;

	for (unsigned int i = 0; i < RACE_ROUNDS; i++) {
		if (cpu == 1) {
			/* Arm the event here (CPU 1's queue), let it come due,
			 * fire it. */
			gtimer_write_cval(&r->t, arch_counter_read() + 200);
			gtimer_write_ctl(&r->t, ENABLE);
			arch_cpu_relax();
			timer_event_expire();
		} else {
			gtimer_write_ctl(&r->t, (i & 1) ? ENABLE : ENABLE | IMASK);
			if ((i & 7) == 0)
				gtimer_reset(&r->t);
		}
	}
	__atomic_add_fetch(&r->done, 1, __ATOMIC_SEQ_CST);
}

TEST(gtimer_register_writes_race_the_callback_without_deadlock)
{
	static struct gtimer_race r;

	gtimer_test_begin();
	gtimer_init(&r.t, probe_set_line, &r.p);
	gtimer_reset(&r.t);
	signal(SIGALRM, race_alarm);
	alarm(20);
	unit_run_cpus(2, race_cpu, &r);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	CHECK_EQ(r.done, 2);
	/* The callback did run and raise the line while CPU 0 wrote. */
	CHECK(r.p.rises > 0);
	gtimer_destroy(&r.t);
	host_set_cpu_id(0);
	host_set_cpu_id(1);
	timer_event_expire();
	host_set_cpu_id(0);
	timer_event_expire();
	CHECK_EQ(r.t.arming, 0);
}
