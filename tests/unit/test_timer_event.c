/* SPDX-License-Identifier: GPL-2.0-only */
/* Time from the counter, and the per-CPU timer event queues. */
#include <keel/time.h>
#include <arch/cpu.h>
#include <string.h>
#include "unit.h"

struct trace {
	char order[32];
	int n;
};

static struct trace trace;

static void record(struct timer_event *event, void *arg)
{
	(void)event;
	trace.order[trace.n++] = *(const char *)arg;
	trace.order[trace.n] = '\0';
}

static void event_init(struct timer_event *e, const char *tag)
{
	memset(e, 0, sizeof(*e));
	e->fn = record;
	e->arg = (void *)tag;
}

static void timer_test_begin(void)
{
	memset(&trace, 0, sizeof(trace));
	host_counter_set_freq(1000000000ULL);
	host_counter_set(0);
	host_set_cpu_id(0);
	time_init(0);
}

TEST(time_converts_counter_without_overflow)
{
	timer_test_begin();
	host_counter_set_freq(62500000); /* QEMU's arm64 counter */
	host_counter_set(62500000ULL * 3 + 62500);
	CHECK_EQ(time_now_ns(), 3001000000ULL);
	/* ~10 years of uptime: counter * 1e9 would overflow 64 bits. */
	host_counter_set(62500000ULL * 315360000ULL + 1);
	CHECK_EQ(time_now_ns(), 315360000ULL * NSEC_PER_SEC + 16);
	/* Time zero is the counter at entry. */
	time_init(62500000ULL * 315360000ULL);
	CHECK_EQ(time_now_ns(), 16);
	CHECK_EQ(time_ns_to_counter(16), 62500000ULL * 315360000ULL + 1);
	/* A deadline between ticks rounds up, never fires early. */
	CHECK_EQ(time_ns_to_counter(17), 62500000ULL * 315360000ULL + 2);
	CHECK_EQ(time_ns_to_counter(2 * NSEC_PER_SEC),
		 62500000ULL * 315360000ULL + 125000000ULL);
	timer_test_begin();
}

TEST(time_delay_waits_at_least_that_long)
{
	timer_test_begin();
	host_counter_set(5000);
	time_delay_us(250);
	CHECK(time_now_ns() >= 5000 + 250 * NSEC_PER_USEC);
	CHECK(time_now_ns() < 5000 + 260 * NSEC_PER_USEC);
	timer_test_begin();
}

TEST(timer_events_run_in_deadline_order)
{
	struct timer_event a, b, c, d;

	timer_test_begin();
	event_init(&a, "a");
	event_init(&b, "b");
	event_init(&c, "c");
	event_init(&d, "d");
	timer_event_add(&a, 300);
	CHECK_EQ(host_timer_deadline(0), 300);
	timer_event_add(&b, 100);
	CHECK_EQ(host_timer_deadline(0), 100);
	timer_event_add(&c, 200);
	CHECK_EQ(host_timer_deadline(0), 100); /* not the earliest */
	/* Equal deadlines keep the order they were added in. */
	timer_event_add(&d, 200);

	host_counter_set(99);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "");
	CHECK_EQ(host_timer_deadline(0), 100);

	host_counter_set(200);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "bcd");
	CHECK(!b.queued && !c.queued && !d.queued && a.queued);
	CHECK_EQ(host_timer_deadline(0), 300);

	host_counter_set(1000);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "bcda");
	CHECK_EQ(host_timer_deadline(0), 0); /* nothing left: disarmed */
	timer_test_begin();
}

TEST(timer_event_cancel_and_re_add)
{
	struct timer_event a, b, c;

	timer_test_begin();
	event_init(&a, "a");
	event_init(&b, "b");
	event_init(&c, "c");
	timer_event_add(&a, 100);
	timer_event_add(&b, 200);
	timer_event_add(&c, 300);
	timer_event_cancel(&b);
	CHECK(!b.queued);
	CHECK_EQ(host_timer_deadline(0), 100);
	/* Cancelling the first reprograms the timer for the next one. */
	timer_event_cancel(&a);
	CHECK_EQ(host_timer_deadline(0), 300);
	timer_event_cancel(&a); /* not queued: harmless */
	/* Re-adding a queued event moves it. */
	timer_event_add(&c, 50);
	CHECK_EQ(host_timer_deadline(0), 50);
	timer_event_add(&b, 60);
	host_counter_set(400);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "cb");
	CHECK_EQ(host_timer_deadline(0), 0);
	timer_test_begin();
}

static int periodic_runs;

static void periodic(struct timer_event *event, void *arg)
{
	(void)arg;
	if (++periodic_runs < 3)
		timer_event_add(event, event->deadline_ns + 1000);
}

TEST(timer_event_callback_may_re_add_itself)
{
	struct timer_event e;

	timer_test_begin();
	memset(&e, 0, sizeof(e));
	e.fn = periodic;
	periodic_runs = 0;
	timer_event_add(&e, 1000);
	host_counter_set(1500);
	timer_event_expire();
	CHECK_EQ(periodic_runs, 1);
	CHECK(e.queued);
	CHECK_EQ(host_timer_deadline(0), 2000);
	host_counter_set(10000);
	timer_event_expire(); /* both due runs happen in one expiry */
	CHECK_EQ(periodic_runs, 3);
	CHECK(!e.queued);
	CHECK_EQ(host_timer_deadline(0), 0);
	timer_test_begin();
}

TEST(timer_events_are_per_cpu)
{
	struct timer_event a, b;

	timer_test_begin();
	event_init(&a, "a");
	event_init(&b, "b");
	timer_event_add(&a, 100);
	host_set_cpu_id(1);
	timer_event_add(&b, 50);
	CHECK_EQ(host_timer_deadline(1), 50);
	CHECK_EQ(host_timer_deadline(0), 100);
	host_counter_set(500);
	timer_event_expire(); /* CPU 1 runs only its own */
	CHECK_STR_EQ(trace.order, "b");
	CHECK(a.queued);
	/* Cancelling from another CPU finds the event on its queue. */
	timer_event_cancel(&a);
	CHECK(!a.queued);
	host_set_cpu_id(0);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "b");
	CHECK_EQ(host_timer_deadline(0), 0);
	timer_test_begin();
}

TEST(timer_event_at_time_zero_still_arms)
{
	struct timer_event a;

	timer_test_begin();
	event_init(&a, "a");
	timer_event_add(&a, 0);
	/* 0 would mean "disarm" to the arch. */
	CHECK_EQ(host_timer_deadline(0), 1);
	timer_event_expire();
	CHECK_STR_EQ(trace.order, "a");
	timer_test_begin();
}
