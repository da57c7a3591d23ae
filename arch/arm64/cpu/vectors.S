/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * EL2 exception vectors. Exceptions taken from EL2 itself save the full
 * register frame (struct arm64_regs) on the current stack and call
 * arm64_exception(regs, vector); on return the frame is restored.
 * Exceptions from the lower ELs can only come from a running guest: they
 * end its run through arm64_guest_exit (vcpu_entry.S).
 */
#include <arch/regs.h>

.macro vector_entry number
	.balign	0x80
	sub	sp, sp, #REGS_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\number
	b	exception_common
.endm

/* The guest's x0 and x1 go on the host stack (SP_EL2, untouched by the
 * guest) to free two registers for the exit path. */
.macro guest_vector_entry number
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\number
	b	arm64_guest_exit
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.globl	exception_vectors
exception_vectors:
	vector_entry 0
	vector_entry 1
	vector_entry 2
	vector_entry 3
	vector_entry 4
	vector_entry 5
	vector_entry 6
	vector_entry 7
	guest_vector_entry 8
	guest_vector_entry 9
	guest_vector_entry 10
	guest_vector_entry 11
	guest_vector_entry 12
	guest_vector_entry 13
	guest_vector_entry 14
	guest_vector_entry 15

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x2, sp, #REGS_SIZE
	stp	x30, x2, [sp, #REGS_X30_SP]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #REGS_ELR_SPSR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #REGS_ESR_FAR]
	/* A frame record linking to the interrupted code, for backtraces. */
	stp	x29, x2, [sp, #-16]!
	ldr	x2, [sp, #(16 + REGS_ELR_SPSR)]
	str	x2, [sp, #8]
	mov	x29, sp
	add	x0, sp, #16
	bl	arm64_exception
	add	sp, sp, #16

	ldp	x2, x3, [sp, #REGS_ELR_SPSR]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #REGS_X30_SP]
	add	sp, sp, #REGS_SIZE
	eret
