/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-guest budgets for the work a guest drives outside its devices:
 * inter-processor interrupts it sends (arm64 ICC_SGI1R writes, riscv64 SBI
 * IPI and RFENCE), emulated timer reprogramming, other firmware calls
 * (PSCI, SBI), interrupt-controller maintenance exits and guest resets.
 * Each is a token bucket (GCRA): a sustained rate and a burst, numbers in
 * docs/virtualization.md
 * ("Throttling"). An operation beyond its budget still happens (no IPI,
 * timer write or firmware call is lost); the guest is slowed instead: the
 * vCPU waits off its host CPU until half the burst has refilled, a reset
 * waits for the management CPU, and what was throttled is counted for
 * `stats`.
 *
 * Lock order: guest_throttle.lock is a leaf (nothing is taken under it);
 * it is per guest, never shared between guests.
 */
#ifndef KEEL_GUEST_THROTTLE_H
#define KEEL_GUEST_THROTTLE_H

#include <keel/guest_config.h>
#include <keel/spinlock.h>
#include <keel/types.h>

struct guest;
struct vcpu;

enum guest_throttle_class {
	GUEST_THROTTLE_IPI,
	GUEST_THROTTLE_TIMER,
	GUEST_THROTTLE_FIRMWARE,
	GUEST_THROTTLE_MAINTENANCE,
	GUEST_THROTTLE_RESET,
	GUEST_THROTTLE_COUNT,
};

struct guest_throttle_limit {
	const char *name;            /* as `stats` prints it */
	uint64_t interval_ns;        /* one token per interval: the rate */
	uint64_t burst;              /* tokens the bucket holds */
};

struct guest_throttle {
	spinlock_t lock;
	uint64_t tat_ns[GUEST_THROTTLE_COUNT];      /* theoretical arrival */
	uint64_t charged[GUEST_THROTTLE_COUNT];
	uint64_t throttled[GUEST_THROTTLE_COUNT];
	uint64_t vcpu_until_ns[GUEST_MAX_VCPUS];    /* vCPU delayed until */
	uint64_t last_log_ns[GUEST_THROTTLE_COUNT];
};

extern const struct guest_throttle_limit guest_throttle_limits[GUEST_THROTTLE_COUNT];

/* The rate of class c as text: "20000/s", or "1/10s" below one a second. */
const char *guest_throttle_rate(enum guest_throttle_class c, char *buf, size_t size);
/* Fresh budgets and zero counts (guest creation). */
void guest_throttle_init(struct guest_throttle *t);

/*
 * Charges one operation of class c to g at time now. Returns 0 when it is
 * within budget, else the time_now_ns() from which the guest should go on
 * (counted as throttled; a message is logged at most once a second per
 * class).
 */
uint64_t guest_throttle_charge_at(struct guest *g, enum guest_throttle_class c,
				  uint64_t now);
/* Charges an operation of vCPU v now; over budget, v is delayed (it
 * stays off its CPU until then at its next wait, see
 * guest_throttle_vcpu_delayed()). True when within budget. */
bool guest_throttle_charge(struct vcpu *v, enum guest_throttle_class c);
/* v is delayed now: a wait it enters does not end for an interrupt. */
bool guest_throttle_vcpu_delayed(struct vcpu *v);
/* When a wait of v should end given its timers' deadline (0: none). */
uint64_t guest_throttle_wake_deadline(struct vcpu *v, uint64_t deadline);
/* Blocks v (from its own exit handler) until its delay is over. */
void guest_throttle_delay(struct vcpu *v);

#endif
