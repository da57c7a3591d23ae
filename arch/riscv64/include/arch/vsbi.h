/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SBI Keel offers its riscv64 guests (arch/riscv64/virt/sbi*.c): the
 * supervisor binary interface a VS-mode kernel calls with ecall, served
 * on the exit. The calls reach the vCPU through the hooks below, which
 * the riscv64 vCPU code implements (and the unit tests fake), so the SBI
 * logic itself is arch-register free.
 */
#ifndef ARCH_RISCV64_VSBI_H
#define ARCH_RISCV64_VSBI_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm_exit;

/* SBI state kept per vCPU (inside struct arch_vcpu). */
struct vsbi_vcpu {
	/* In HSM hart_suspend, until the vCPU next enters the guest. */
	bool suspended;
};

/* What an RFENCE asks of a target hart. */
enum vsbi_fence {
	VSBI_FENCE_I = 1u << 0,          /* remote fence.i */
	VSBI_FENCE_VVMA = 1u << 1,       /* remote sfence.vma: its VS-stage TLB */
};

/* Serves the SBI call of v described by exit (a7 = extension, a6 =
 * function, a0..a5 = arguments) and completes it (a0 = error, a1 = value),
 * or stops, suspends or resets v or its guest as the call asks. */
void vsbi_handle_call(struct vcpu *v, const struct vm_exit *exit);

/* ---- hooks the riscv64 vCPU code implements ---- */

/* v's SBI state. */
struct vsbi_vcpu *riscv_vcpu_sbi(struct vcpu *v);
/* SBI TIME set_timer: v's supervisor timer fires at counter value
 * deadline (time CSR units); any pending timer interrupt is cleared. */
void riscv_vcpu_set_timer(struct vcpu *v, uint64_t deadline);
/* Makes a supervisor software interrupt pending on target (SBI IPI). */
void riscv_vcpu_send_ipi(struct vcpu *target);
/* Asks target to perform the fences in what (enum vsbi_fence bits)
 * before it next runs guest code; kicks it if it runs now. */
void riscv_vcpu_fence_request(struct vcpu *target, unsigned int what);
/* Returns once target has performed what was asked of it, or cannot use
 * anything stale any more (it is not in the guest). */
void riscv_vcpu_fence_wait(struct vcpu *target);
/* True once v has run guest code since it was last powered on (HSM:
 * STARTED rather than START_PENDING). */
bool riscv_vcpu_started(struct vcpu *v);
/* HSM non-retentive resume: v restarts at addr in VS-mode with its
 * translation and interrupts off, a0 = its hart id, a1 = opaque. */
void riscv_vcpu_resume_at(struct vcpu *v, uint64_t addr, uint64_t opaque);

#endif
