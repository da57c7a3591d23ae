/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An emulated Arm generic timer: see arm_gtimer.h for the model and the
 * lock order. Every change of state is two steps: under the lock, the
 * registers change and the output is driven; after it, the host event is
 * moved to the new deadline by gtimer_apply().
 */
#include <keel/spinlock.h>
#include <keel/time.h>
#include <arch/cpu.h>
#include "arm_gtimer.h"

/* Deadlines further away than this (about 146 years) are capped. */
#define GTIMER_MAX_DELTA_NS (1ULL << 62)

/* ticks of the counter in nanoseconds, rounded up, capped. */
static uint64_t gtimer_ticks_to_ns_ceil(uint64_t ticks)
{
	uint64_t freq = arch_counter_freq();
	uint64_t seconds, rest;

	if (!freq)
		return GTIMER_MAX_DELTA_NS;
	seconds = ticks / freq;
	rest = ticks % freq;
	if (seconds >= GTIMER_MAX_DELTA_NS / NSEC_PER_SEC)
		return GTIMER_MAX_DELTA_NS;
	return seconds * NSEC_PER_SEC + (rest * NSEC_PER_SEC + freq - 1) / freq;
}

uint64_t gtimer_counter_deadline_ns(uint64_t counter)
{
	uint64_t now = arch_counter_read();
	uint64_t now_ns = time_now_ns();

	if (counter <= now)
		return MAX(now_ns, 1);
	return now_ns + gtimer_ticks_to_ns_ceil(counter - now);
}

/* ---- lock held ---- */

static bool gtimer_condition(const struct gtimer *t, uint64_t now)
{
	return (t->ctl & GTIMER_CTL_ENABLE) && now >= t->cval;
}

/* Drives the output from the registers and the counter now. */
static void gtimer_drive(struct gtimer *t)
{
	bool line = gtimer_condition(t, arch_counter_read()) &&
		    !(t->ctl & GTIMER_CTL_IMASK);

	/* Held by a rate limit: a rising edge waits; falling never does. */
	if (line && !t->line && t->hold_until_ns && time_now_ns() < t->hold_until_ns)
		return;

	if (t->dead || line == t->line)
		return;
	t->line = line;
	if (t->set_line)
		t->set_line(t->ctx, line);
}

/* When the host event should fire, 0 for no event. */
static uint64_t gtimer_wanted_deadline(const struct gtimer *t)
{
	if (t->stopped || t->dead || t->line ||
	    (t->ctl & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK)) != GTIMER_CTL_ENABLE)
		return 0;
	return MAX(gtimer_counter_deadline_ns(t->cval), t->hold_until_ns);
}

/* ---- the host event (no lock held) ---- */

/*
 * Moves the host event to the deadline the state wants now. Whoever finds
 * another CPU at it leaves a note and returns without waiting (the event's
 * own callback among them); the CPU at it re-reads the state until no note
 * is left, so the last change is the one applied.
 */
static void gtimer_apply(struct gtimer *t)
{
	__atomic_store_n(&t->rearm, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&t->rearm, __ATOMIC_SEQ_CST)) {
		if (__atomic_exchange_n(&t->arming, 1, __ATOMIC_SEQ_CST))
			return;
		while (__atomic_exchange_n(&t->rearm, 0, __ATOMIC_SEQ_CST)) {
			unsigned long flags = spin_lock_irqsave(&t->lock);
			uint64_t deadline = gtimer_wanted_deadline(t);

			spin_unlock_irqrestore(&t->lock, flags);
			if (deadline)
				timer_event_add(&t->event, deadline);
			else
				timer_event_cancel(&t->event);
		}
		__atomic_store_n(&t->arming, 0, __ATOMIC_SEQ_CST);
	}
}

/* Interrupt context. The event may come a tick early (rounding): then
 * the line stays low and gtimer_apply() arms it again. While held, the
 * line waits for the hold to end (polls see the same). */
static void gtimer_event_expired(struct timer_event *event, void *arg)
{
	struct gtimer *t = arg;
	unsigned long flags = spin_lock_irqsave(&t->lock);

	gtimer_drive(t);
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}

/* ---- life cycle ---- */

void gtimer_init(struct gtimer *t, void (*set_line)(void *ctx, bool level),
		 void *ctx)
{
	*t = (struct gtimer){
		.lock = SPINLOCK_INIT,
		.set_line = set_line,
		.ctx = ctx,
		.event = { .fn = gtimer_event_expired, .arg = t },
	};
}

void gtimer_reset(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->ctl = 0;
	t->cval = 0;
	t->hold_until_ns = 0;
	gtimer_drive(t);
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}

void gtimer_destroy(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->dead = true;
	spin_unlock_irqrestore(&t->lock, flags);
	/* Nobody arms it again: wait out whoever is arming, then the
	 * callback (which finds it dead and cancels, never adds). */
	while (__atomic_load_n(&t->arming, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
	timer_event_cancel(&t->event);
	while (__atomic_load_n(&t->arming, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
}

/* ---- registers ---- */

uint64_t gtimer_read_ctl(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);
	/* ISTATUS is the condition, whatever IMASK says; with ENABLE = 0
	 * it is UNKNOWN: 0 here. */
	uint64_t value = t->ctl |
			 (gtimer_condition(t, arch_counter_read()) ? GTIMER_CTL_ISTATUS : 0);

	spin_unlock_irqrestore(&t->lock, flags);
	return value;
}

uint64_t gtimer_read_cval(struct gtimer *t)
{
	return READ_ONCE(t->cval);
}

uint64_t gtimer_read_tval(struct gtimer *t)
{
	return (uint32_t)(READ_ONCE(t->cval) - arch_counter_read());
}

enum gtimer_reg { GTIMER_CTL, GTIMER_CVAL, GTIMER_TVAL };

static void gtimer_write(struct gtimer *t, enum gtimer_reg reg, uint64_t value)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	if (reg == GTIMER_CTL)
		t->ctl = value & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK);
	else if (reg == GTIMER_CVAL)
		t->cval = value;
	else
		t->cval = arch_counter_read() + (uint64_t)(int64_t)(int32_t)value;
	gtimer_drive(t);
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}

void gtimer_write_ctl(struct gtimer *t, uint64_t value)
{
	gtimer_write(t, GTIMER_CTL, value);
}

void gtimer_write_cval(struct gtimer *t, uint64_t value)
{
	gtimer_write(t, GTIMER_CVAL, value);
}

void gtimer_write_tval(struct gtimer *t, uint64_t value)
{
	gtimer_write(t, GTIMER_TVAL, value);
}

/* ---- polling, waits and pause ---- */

bool gtimer_poll(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);
	bool line;

	gtimer_drive(t);
	line = t->line;
	spin_unlock_irqrestore(&t->lock, flags);
	return line;
}

uint64_t gtimer_deadline_ns(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);
	uint64_t deadline = 0;

	if (!t->line &&
	    (t->ctl & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK)) == GTIMER_CTL_ENABLE)
		deadline = MAX(gtimer_counter_deadline_ns(t->cval), t->hold_until_ns);
	spin_unlock_irqrestore(&t->lock, flags);
	return deadline;
}

void gtimer_hold(struct gtimer *t, uint64_t until_ns)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->hold_until_ns = MAX(t->hold_until_ns, until_ns);
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}

void gtimer_stop(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->stopped = true;
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}

void gtimer_start(struct gtimer *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	t->stopped = false;
	gtimer_drive(t);
	spin_unlock_irqrestore(&t->lock, flags);
	gtimer_apply(t);
}
