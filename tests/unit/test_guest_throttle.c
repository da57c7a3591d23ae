/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-guest budgets (core/guest/guest_throttle.c): a burst passes, the
 * sustained rate passes, a storm is throttled and counted, a throttled
 * vCPU is told to wait, and one guest's storm leaves another's budget
 * alone.
 */
#include <keel/guest.h>
#include <keel/guest_throttle.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include <string.h>
#include "unit.h"

static struct guest throttle_guests[2];
static struct vcpu throttle_vcpus[2];

static void throttle_setup(void)
{
	host_counter_set_freq(1000000000ULL);
	host_counter_set(5 * NSEC_PER_SEC);
	host_set_cpu_id(0);
	time_init(0);
	for (unsigned int i = 0; i < 2; i++) {
		memset(&throttle_guests[i], 0, sizeof(throttle_guests[i]));
		throttle_guests[i].name = i ? "quiet" : "storm";
		guest_throttle_init(&throttle_guests[i].throttle);
		memset(&throttle_vcpus[i], 0, sizeof(throttle_vcpus[i]));
		throttle_vcpus[i].guest = &throttle_guests[i];
		throttle_vcpus[i].id = 0;
	}
}

TEST(guest_throttle_passes_a_burst_and_throttles_a_storm)
{
	const struct guest_throttle_limit *l = &guest_throttle_limits[GUEST_THROTTLE_IPI];
	struct guest *g = &throttle_guests[0];
	uint64_t now, resume = 0;
	unsigned int passed = 0;

	throttle_setup();
	now = time_now_ns();
	/* All at the same instant: exactly the burst passes. */
	for (unsigned int i = 0; i < l->burst + 10; i++) {
		uint64_t r = guest_throttle_charge_at(g, GUEST_THROTTLE_IPI, now);

		if (!r)
			passed++;
		else
			resume = r;
	}
	CHECK_EQ(passed, l->burst);
	CHECK_EQ(g->throttle.throttled[GUEST_THROTTLE_IPI], 10);
	CHECK_EQ(g->throttle.charged[GUEST_THROTTLE_IPI], l->burst + 10);
	/* Told to wait until half the burst has come back. */
	CHECK_EQ(resume, now + l->interval_ns * l->burst / 2);
	CHECK(strstr(unit_console_text(), "guest storm: throttled: ipi storm (over 20000/s, burst 2000)") != NULL);
	/* At that time, half a burst passes again. */
	passed = 0;
	for (unsigned int i = 0; i < l->burst; i++)
		passed += !guest_throttle_charge_at(g, GUEST_THROTTLE_IPI, resume);
	CHECK_EQ(passed, l->burst / 2);
	/* The other classes and the other guest are untouched. */
	CHECK(!guest_throttle_charge_at(g, GUEST_THROTTLE_FIRMWARE, resume));
	CHECK(!guest_throttle_charge_at(&throttle_guests[1], GUEST_THROTTLE_IPI, resume));
	CHECK_EQ(throttle_guests[1].throttle.throttled[GUEST_THROTTLE_IPI], 0);
}

TEST(guest_throttle_lets_the_sustained_rate_through)
{
	const struct guest_throttle_limit *l = &guest_throttle_limits[GUEST_THROTTLE_FIRMWARE];
	struct guest *g = &throttle_guests[0];
	uint64_t now;

	throttle_setup();
	now = time_now_ns();
	/* A whole second at exactly the rate, then some: never throttled. */
	for (unsigned int i = 0; i < 3 * NSEC_PER_SEC / l->interval_ns; i++)
		CHECK(!guest_throttle_charge_at(g, GUEST_THROTTLE_FIRMWARE, now + i * l->interval_ns));
	CHECK_EQ(g->throttle.throttled[GUEST_THROTTLE_FIRMWARE], 0);
}

TEST(guest_throttle_delays_the_vcpu_that_storms)
{
	const struct guest_throttle_limit *l = &guest_throttle_limits[GUEST_THROTTLE_FIRMWARE];
	struct vcpu *v = &throttle_vcpus[0];
	unsigned int i;

	throttle_setup();
	for (i = 0; i < l->burst; i++)
		CHECK(guest_throttle_charge(v, GUEST_THROTTLE_FIRMWARE));
	CHECK(!guest_throttle_vcpu_delayed(v));
	CHECK_EQ(guest_throttle_wake_deadline(v, 123), 123);
	CHECK(!guest_throttle_charge(v, GUEST_THROTTLE_FIRMWARE));
	CHECK(guest_throttle_vcpu_delayed(v));
	/* A wait ends when the delay does, not at the timer's deadline. */
	CHECK_EQ(guest_throttle_wake_deadline(v, 0),
		 time_now_ns() + l->interval_ns * l->burst / 2);
	CHECK_EQ(guest_throttle_wake_deadline(v, time_now_ns() + 1),
		 time_now_ns() + l->interval_ns * l->burst / 2);
	CHECK(!guest_throttle_vcpu_delayed(&throttle_vcpus[1]));
	host_counter_set(arch_counter_read() + l->interval_ns * l->burst / 2);
	CHECK(!guest_throttle_vcpu_delayed(v));
	CHECK(guest_throttle_charge(v, GUEST_THROTTLE_FIRMWARE));
}
