/* SPDX-License-Identifier: GPL-2.0-only */
/* Time since boot from the arch's free-running counter, and timer events. */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/types.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

/* Records the counter value read at Keel's entry: time zero. */
void time_init(uint64_t entry_counter);
/* Nanoseconds since Keel's entry. */
uint64_t time_now_ns(void);
/* Busy-waits (for device timeouts before interrupts are up). */
void time_delay_us(uint64_t us);
/* The counter value at which time_now_ns() reaches ns (for timer drivers
 * that program a compare register from a timer_event deadline). */
uint64_t time_ns_to_counter(uint64_t ns);

/*
 * A one-shot event on the CPU that adds it. The callback runs in interrupt
 * context on that CPU. Events are kept sorted in a per-CPU queue.
 * Two adds of one event (its callback's included) never run at once:
 * the owner serializes them. A cancel may race its callback re-adding
 * the event; it waits for a callback running elsewhere, so the caller
 * holds no lock that callback takes (docs/locking.md).
 */
struct timer_event {
	struct timer_event *next;
	uint64_t deadline_ns;
	void (*fn)(struct timer_event *event, void *arg);
	void *arg;
	bool queued;
};

void timer_event_add(struct timer_event *event, uint64_t deadline_ns);
void timer_event_cancel(struct timer_event *event);
/* Called by the timer driver's interrupt: runs the events that are due. */
void timer_event_expire(void);

#endif
