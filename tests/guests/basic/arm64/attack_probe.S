/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the attack mode: the second vCPU's own entry, and device accesses of
 * every width whose exception (a data abort the hypervisor injects) the
 * attack's handler skips. Each access is one plain ldr/str without
 * writeback, so a hypervisor gets a valid instruction syndrome.
 */
#include "arm64.h"

	.text
/* PSCI CPU_ON starts vCPU 1 here (context id 1) for the attacks. */
	.globl	attack_secondary_entry
attack_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	ldr	x1, =SCTLR_EL1_VALUE
	msr	sctlr_el1, x1
	isb
	cmp	x19, #1
	b.ne	9f
	msr	spsel, #1
	ldr	x1, =cpu_stacks
	add	x2, x19, #1
	mov	x3, #STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	msr	tpidr_el1, x19
	ldr	x1, =exception_vectors
	msr	vbar_el1, x1
	isb
	mov	x0, x19
	bl	attack_secondary_main
9:	msr	daifset, #0xf
	wfi
	b	9b

	.globl	attack_read8
attack_read8:
	ldrb	w0, [x0]
	ret
	.globl	attack_read16
attack_read16:
	ldrh	w0, [x0]
	ret
	.globl	attack_read32
attack_read32:
	ldr	w0, [x0]
	ret
	.globl	attack_read64
attack_read64:
	ldr	x0, [x0]
	ret
	.globl	attack_write8
attack_write8:
	strb	w1, [x0]
	ret
	.globl	attack_write16
attack_write16:
	strh	w1, [x0]
	ret
	.globl	attack_write32
attack_write32:
	str	w1, [x0]
	ret
	.globl	attack_write64
attack_write64:
	str	x1, [x0]
	ret
