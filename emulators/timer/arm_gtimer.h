/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One emulated Arm generic timer (the comparator behind CNTP_CTL/CVAL/TVAL
 * of a vCPU whose physical timer traps), over the host's physical counter
 * and a host timer event. Arch-neutral, so it runs in host unit tests.
 *
 * The output is a level (Arm ARM, "Operation of the timer"): the timer
 * condition is met when ENABLE = 1 and the counter has reached CVAL
 * (CTL.ISTATUS reads it), and the interrupt is asserted while the
 * condition is met and IMASK = 0. Writing ENABLE = 0, IMASK = 1 or a CVAL
 * in the future lowers it at once; CTL reads back exactly the ENABLE and
 * IMASK the guest wrote.
 *
 * Lock order and waits:
 *   gtimer.lock -> (set_line callback: the vGIC's lock -> scheduler locks)
 * The host timer event is armed and cancelled only outside gtimer.lock:
 * a cancel waits for the event's callback running on another CPU, and
 * that callback takes gtimer.lock. One CPU at a time applies the wanted
 * deadline (an atomic "arming" flag, never waited on by the callback: a
 * callback that finds it taken leaves a "rearm" note that the CPU arming
 * reads before it lets go), so the last state always wins.
 */
#ifndef EMULATORS_TIMER_ARM_GTIMER_H
#define EMULATORS_TIMER_ARM_GTIMER_H

#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/types.h>

#define GTIMER_CTL_ENABLE (1ULL << 0)
#define GTIMER_CTL_IMASK (1ULL << 1)
#define GTIMER_CTL_ISTATUS (1ULL << 2)

struct gtimer {
	spinlock_t lock;
	uint64_t ctl;                 /* ENABLE | IMASK as written */
	uint64_t cval;
	bool line;                    /* the output, as last driven */
	bool stopped;                 /* paused: no host event */
	bool dead;                    /* destroyed: nothing is driven again */
	/* Drives the interrupt line; called with lock held. */
	void (*set_line)(void *ctx, bool level);
	void *ctx;
	struct timer_event event;
	uint32_t arming;              /* a CPU applies the deadline */
	uint32_t rearm;               /* the wanted deadline changed */
	uint64_t hold_until_ns;       /* no host event fires before */
};

/* Power-on state (disabled, line low), driving set_line(ctx, level). */
void gtimer_init(struct gtimer *t, void (*set_line)(void *ctx, bool level),
		 void *ctx);
/* Disabled, CVAL 0, line lowered, host event cancelled. */
void gtimer_reset(struct gtimer *t);
/* No callback runs or starts after it returns; call with no lock held. */
void gtimer_destroy(struct gtimer *t);

/* Register accesses (the guest's, by its vCPU). */
uint64_t gtimer_read_ctl(struct gtimer *t);
uint64_t gtimer_read_cval(struct gtimer *t);
uint64_t gtimer_read_tval(struct gtimer *t);
void gtimer_write_ctl(struct gtimer *t, uint64_t value);
void gtimer_write_cval(struct gtimer *t, uint64_t value);
/* TVAL: a signed 32-bit offset from the counter now. */
void gtimer_write_tval(struct gtimer *t, uint64_t value);

/* Re-evaluates the output now (a WFI looks at its timers); true when
 * the line is high. */
bool gtimer_poll(struct gtimer *t);
/* The time_now_ns() at which the line rises unless reprogrammed, 0 for
 * never (off, masked, or already high). */
uint64_t gtimer_deadline_ns(struct gtimer *t);
/* Rate limit: the host event fires no sooner than until_ns (the line
 * rises late), whatever the guest programs meanwhile. */
void gtimer_hold(struct gtimer *t, uint64_t until_ns);
/* Pause and resume: no host event while stopped; the output is
 * re-evaluated on start. */
void gtimer_stop(struct gtimer *t);
void gtimer_start(struct gtimer *t);

/* The time_now_ns() at which the host counter reaches counter (never 0). */
uint64_t gtimer_counter_deadline_ns(uint64_t counter);

#endif
