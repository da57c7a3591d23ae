/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64-private parts of struct vcpu and struct guest: a vCPU's
 * registers, its VS-mode CSRs, its FP state, its virtual interrupts and
 * timer, and its guest's G-stage tables and time base.
 */
#ifndef ARCH_RISCV64_VCPU_H
#define ARCH_RISCV64_VCPU_H

#include <keel/log_ratelimit.h>
#include <keel/spinlock.h>
#include <keel/time.h>
#include <keel/types.h>
#include <arch/stage2.h>
#include <arch/vcpu_context.h>
#include <arch/vsbi.h>

/* The VS-mode CSRs: the guest's own supervisor state. */
struct riscv_vs_csrs {
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t vstimecmp;              /* Sstc */
	uint64_t henvcfg;
};

struct arch_vcpu {
	struct riscv_vcpu_context ctx;
	struct riscv_vs_csrs vs;
	struct riscv_fp_state fp;
	/* hvip as the guest left it at its last exit (VSSIP is writable by
	 * the guest through sip); VSEIP and VSTIP are recomputed. */
	uint64_t hvip;
	/* Set by other CPUs, folded in at entry. */
	uint32_t ssip_pending;           /* SBI IPI: VSSIP */
	uint32_t seip_level;             /* the PLIC's output for this hart */
	uint32_t fence_pending;          /* enum vsbi_fence bits */
	/* In guest mode now (between the fence check and the exit), and
	 * how many runs ended so far: an RFENCE waits for either to say the
	 * target can hold nothing stale. */
	uint32_t in_guest;
	uint64_t runs_done;
	/* Timer without Sstc: the guest's stimecmp, in guest time. */
	uint64_t stimecmp;
	struct timer_event timer_event;
	uint64_t timer_armed_ns;         /* what timer_event was added for */
	/* Length of the instruction that trapped (sepc's step over it). */
	unsigned int insn_len;
	bool started;                    /* ran since power-on (HSM) */
	struct vsbi_vcpu sbi;
	/* What the last exit's abort message names. */
	char abort_what[192];
};

struct plic;

struct arch_guest {
	struct plic *plic;               /* its interrupt controller */
	struct riscv64_gstage gstage;
	/* Guest time = host time + htimedelta; stands still while paused. */
	uint64_t htimedelta;
	uint64_t time_stopped_at;        /* host counter at pause, 0: running */
	struct log_ratelimit fence_log;  /* a vCPU slow to take a remote fence */
};

#endif
