/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's generic timers (virt/vtimer.c): the virtual timer, which the
 * guest programs in hardware (CNTV_*, switched around each entry), and
 * the EL1 physical timer, whose registers trap and which Keel emulates
 * with a timer event on the host.
 */
#ifndef ARCH_ARM64_VTIMER_STATE_H
#define ARCH_ARM64_VTIMER_STATE_H

#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/types.h>
#include <timer/arm_gtimer.h>

struct guest;
struct vcpu;

struct arm64_vtimer {
	spinlock_t lock;               /* the virtual timer's fields */
	bool loaded;                   /* CNTV_* are in the hardware now */
	bool cntv_line;                /* PPI 27 as last driven */
	uint64_t cntv_ctl;             /* CNTV_CTL_EL0: ENABLE, IMASK */
	uint64_t cntv_cval;            /* CNTV_CVAL_EL0 */
	struct gtimer cntp;            /* the emulated EL1 physical timer */
};

/* ---- between virt/vtimer.c and virt/vgic.c ---- */

/* Sets up the timers of every vCPU of a new guest (then as reset). */
void arm64_vtimer_guest_create(struct guest *g);
/* Virtual counter restarted (CNTVOFF_EL2 = now), both timers of every
 * vCPU disabled; for guest creation and reset. */
void arm64_vtimer_guest_reset(struct guest *g);
/* Cancels every vCPU's pending timer event (guest destroy). */
void arm64_vtimer_guest_destroy(struct guest *g);
/* For a vCPU out of the guest: raises the timer interrupts whose
 * condition is met; true when it raised one. */
bool arm64_vtimer_poll(struct vcpu *v);

#endif
