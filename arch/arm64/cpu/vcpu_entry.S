/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The world switch. arm64_guest_enter() keeps the host's callee-saved
 * registers and SP in this CPU's struct arm64_host_context, loads the
 * guest's general-purpose registers, PC and PSTATE, and erets to EL1.
 * Any exception the guest takes to EL2 arrives through the lower-EL
 * vectors (vectors.S) at arm64_guest_exit, which stores the guest's
 * registers and the syndrome into its context, restores the host and
 * returns from arm64_guest_enter() with the vector number.
 *
 * Both run with interrupts masked. SP_EL2 is the host stack throughout:
 * the guest cannot change it, so the exit path can use it for scratch.
 */
#include <arch/cpu_context.h>

	.text

/* uint64_t arm64_guest_enter(struct arm64_cpu_context *guest,
 *                            struct arm64_host_context *host) */
	.globl	arm64_guest_enter
	.type	arm64_guest_enter, %function
	.balign	16
arm64_guest_enter:
	str	x0, [x1, #ARM64_HOST_GUEST]
	stp	x19, x20, [x1, #(ARM64_HOST_X19 + 0)]
	stp	x21, x22, [x1, #(ARM64_HOST_X19 + 16)]
	stp	x23, x24, [x1, #(ARM64_HOST_X19 + 32)]
	stp	x25, x26, [x1, #(ARM64_HOST_X19 + 48)]
	stp	x27, x28, [x1, #(ARM64_HOST_X19 + 64)]
	stp	x29, x30, [x1, #(ARM64_HOST_X19 + 80)]
	mov	x2, sp
	str	x2, [x1, #ARM64_HOST_SP]

	ldp	x2, x3, [x0, #ARM64_CTX_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3

	ldp	x2, x3, [x0, #(ARM64_CTX_X + 16)]
	ldp	x4, x5, [x0, #(ARM64_CTX_X + 32)]
	ldp	x6, x7, [x0, #(ARM64_CTX_X + 48)]
	ldp	x8, x9, [x0, #(ARM64_CTX_X + 64)]
	ldp	x10, x11, [x0, #(ARM64_CTX_X + 80)]
	ldp	x12, x13, [x0, #(ARM64_CTX_X + 96)]
	ldp	x14, x15, [x0, #(ARM64_CTX_X + 112)]
	ldp	x16, x17, [x0, #(ARM64_CTX_X + 128)]
	ldp	x18, x19, [x0, #(ARM64_CTX_X + 144)]
	ldp	x20, x21, [x0, #(ARM64_CTX_X + 160)]
	ldp	x22, x23, [x0, #(ARM64_CTX_X + 176)]
	ldp	x24, x25, [x0, #(ARM64_CTX_X + 192)]
	ldp	x26, x27, [x0, #(ARM64_CTX_X + 208)]
	ldp	x28, x29, [x0, #(ARM64_CTX_X + 224)]
	ldr	x30, [x0, #(ARM64_CTX_X + 240)]
	ldp	x0, x1, [x0, #(ARM64_CTX_X + 0)]
	eret
	/* Never reached; stops straight-line speculation past the eret. */
	dsb	nsh
	isb
	.size	arm64_guest_enter, . - arm64_guest_enter

/*
 * Entered from a lower-EL vector with the guest's x0 and x1 pushed on the
 * host stack (SP_EL2) and the vector number in x1.
 */
	.globl	arm64_guest_exit
	.type	arm64_guest_exit, %function
	.balign	16
arm64_guest_exit:
	stp	x2, x3, [sp, #-16]!
	/* x0 = this CPU's host context, x2 = the guest context. */
	mrs	x2, tpidr_el2
	adrp	x0, arm64_host_contexts
	add	x0, x0, :lo12:arm64_host_contexts
	mov	x3, #ARM64_HOST_SIZE
	madd	x0, x2, x3, x0
	ldr	x2, [x0, #ARM64_HOST_GUEST]

	stp	x4, x5, [x2, #(ARM64_CTX_X + 32)]
	stp	x6, x7, [x2, #(ARM64_CTX_X + 48)]
	stp	x8, x9, [x2, #(ARM64_CTX_X + 64)]
	stp	x10, x11, [x2, #(ARM64_CTX_X + 80)]
	stp	x12, x13, [x2, #(ARM64_CTX_X + 96)]
	stp	x14, x15, [x2, #(ARM64_CTX_X + 112)]
	stp	x16, x17, [x2, #(ARM64_CTX_X + 128)]
	stp	x18, x19, [x2, #(ARM64_CTX_X + 144)]
	stp	x20, x21, [x2, #(ARM64_CTX_X + 160)]
	stp	x22, x23, [x2, #(ARM64_CTX_X + 176)]
	stp	x24, x25, [x2, #(ARM64_CTX_X + 192)]
	stp	x26, x27, [x2, #(ARM64_CTX_X + 208)]
	stp	x28, x29, [x2, #(ARM64_CTX_X + 224)]
	str	x30, [x2, #(ARM64_CTX_X + 240)]
	ldp	x4, x5, [sp], #16		/* guest x2, x3 */
	stp	x4, x5, [x2, #(ARM64_CTX_X + 16)]
	ldp	x4, x5, [sp], #16		/* guest x0, x1 */
	stp	x4, x5, [x2, #(ARM64_CTX_X + 0)]

	mrs	x4, elr_el2
	mrs	x5, spsr_el2
	stp	x4, x5, [x2, #ARM64_CTX_PC]
	mrs	x4, esr_el2
	mrs	x5, far_el2
	stp	x4, x5, [x2, #ARM64_CTX_ESR]
	mrs	x4, hpfar_el2
	str	x4, [x2, #ARM64_CTX_HPFAR]

	ldr	x2, [x0, #ARM64_HOST_SP]
	mov	sp, x2
	ldp	x19, x20, [x0, #(ARM64_HOST_X19 + 0)]
	ldp	x21, x22, [x0, #(ARM64_HOST_X19 + 16)]
	ldp	x23, x24, [x0, #(ARM64_HOST_X19 + 32)]
	ldp	x25, x26, [x0, #(ARM64_HOST_X19 + 48)]
	ldp	x27, x28, [x0, #(ARM64_HOST_X19 + 64)]
	ldp	x29, x30, [x0, #(ARM64_HOST_X19 + 80)]
	mov	x0, x1
	ret
	.size	arm64_guest_exit, . - arm64_guest_exit

/* void arm64_fpsimd_save(struct arm64_cpu_context *ctx) */
	.globl	arm64_fpsimd_save
	.type	arm64_fpsimd_save, %function
	.balign	16
arm64_fpsimd_save:
	add	x1, x0, #ARM64_CTX_VREGS
	stp	q0, q1, [x1, #0]
	stp	q2, q3, [x1, #32]
	stp	q4, q5, [x1, #64]
	stp	q6, q7, [x1, #96]
	stp	q8, q9, [x1, #128]
	stp	q10, q11, [x1, #160]
	stp	q12, q13, [x1, #192]
	stp	q14, q15, [x1, #224]
	stp	q16, q17, [x1, #256]
	stp	q18, q19, [x1, #288]
	stp	q20, q21, [x1, #320]
	stp	q22, q23, [x1, #352]
	stp	q24, q25, [x1, #384]
	stp	q26, q27, [x1, #416]
	stp	q28, q29, [x1, #448]
	stp	q30, q31, [x1, #480]
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [x0, #ARM64_CTX_FPSR]
	ret
	.size	arm64_fpsimd_save, . - arm64_fpsimd_save

/* void arm64_fpsimd_restore(const struct arm64_cpu_context *ctx) */
	.globl	arm64_fpsimd_restore
	.type	arm64_fpsimd_restore, %function
	.balign	16
arm64_fpsimd_restore:
	add	x1, x0, #ARM64_CTX_VREGS
	ldp	q0, q1, [x1, #0]
	ldp	q2, q3, [x1, #32]
	ldp	q4, q5, [x1, #64]
	ldp	q6, q7, [x1, #96]
	ldp	q8, q9, [x1, #128]
	ldp	q10, q11, [x1, #160]
	ldp	q12, q13, [x1, #192]
	ldp	q14, q15, [x1, #224]
	ldp	q16, q17, [x1, #256]
	ldp	q18, q19, [x1, #288]
	ldp	q20, q21, [x1, #320]
	ldp	q22, q23, [x1, #352]
	ldp	q24, q25, [x1, #384]
	ldp	q26, q27, [x1, #416]
	ldp	q28, q29, [x1, #448]
	ldp	q30, q31, [x1, #480]
	ldp	x2, x3, [x0, #ARM64_CTX_FPSR]
	msr	fpsr, x2
	msr	fpcr, x3
	ret
	.size	arm64_fpsimd_restore, . - arm64_fpsimd_restore
