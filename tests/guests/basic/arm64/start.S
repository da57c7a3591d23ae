/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 entry of the basic guest. Its loader (QEMU -kernel, booti, Keel)
 * jumps to _start at EL1 with the MMU off and the DTB address in x0. The
 * image is not relocatable: it runs where it is linked, RAM base + 0x80000.
 * Also here: the secondary vCPU entry, the exception vectors and the few
 * routines whose instructions the exception handler must recognise.
 */
#include "arm64.h"

	.section .text.head, "ax"
	.globl	_start
_start:
	/* The arm64 Linux Image header. */
	b	primary_entry
	.long	0
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* bytes to reserve, .bss included */
	.quad	0x2			/* little endian, 4K pages, not anywhere */
	.quad	0
	.quad	0
	.quad	0
	.ascii	"ARM\x64"
	.long	0

	.text
primary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	mrs	x1, CurrentEL
	cmp	x1, #(1 << 2)
	b.ne	wrong_exception_level
	ldr	x1, =SCTLR_EL1_VALUE
	msr	sctlr_el1, x1
	isb
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	wrong_load_address

	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	cpu_setup
	mov	x0, x19
	bl	basic_main
	b	halt

/* PSCI CPU_ON starts secondary vCPUs here with their index in x0. */
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	ldr	x1, =SCTLR_EL1_VALUE
	msr	sctlr_el1, x1
	isb
	cbz	x19, halt
	cmp	x19, #BASIC_MAX_CPUS
	b.hs	halt
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	b	halt

/* Stack, vCPU index (TPIDR_EL1) and vectors for the vCPU whose index is x0. */
cpu_setup:
	msr	spsel, #1
	ldr	x1, =cpu_stacks
	add	x2, x0, #1
	mov	x3, #STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	msr	tpidr_el1, x0
	ldr	x1, =exception_vectors
	msr	vbar_el1, x1
	isb
	ret

halt:
	msr	daifset, #0xf
1:	wfi
	b	1b

/* Before C can run: say what is wrong with PC-relative code only. */
wrong_exception_level:
	adr	x0, msg_wrong_exception_level
	b	early_fail
wrong_load_address:
	adr	x0, msg_wrong_load_address
early_fail:
	ldr	x1, =PL011_BASE
1:	ldrb	w2, [x0], #1
	cbz	w2, halt
2:	ldr	w3, [x1, #0x18]		/* UARTFR */
	tbnz	w3, #5, 2b		/* TXFF */
	str	w2, [x1]		/* UARTDR */
	b	1b

msg_wrong_exception_level:
	.asciz	"basic: FAIL boot: entered above EL1; the basic guest runs at EL1\r\n"
msg_wrong_load_address:
	.asciz	"basic: FAIL boot: not loaded at its link address 0x40080000 (RAM base + text_offset 0x80000)\r\n"
	.balign	4

/* int guard_call(void (*fn)(void *), void *arg, struct guard_context *ctx) */
	.globl	guard_call
guard_call:
	stp	x19, x20, [x2, #0]
	stp	x21, x22, [x2, #16]
	stp	x23, x24, [x2, #32]
	stp	x25, x26, [x2, #48]
	stp	x27, x28, [x2, #64]
	stp	x29, x30, [x2, #80]
	mov	x3, sp
	str	x3, [x2, #GUARD_SP]
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	mov	x3, x0
	mov	x0, x1
	blr	x3
	ldp	x29, x30, [sp], #16
	mov	x0, #0
	ret

/* The exception handler erets here with x0 = the guard_context: returns -1
 * from the guard_call that saved it. */
	.globl	guard_abandon
guard_abandon:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x1, [x0, #GUARD_SP]
	mov	sp, x1
	mov	x0, #-1
	ret

/* void arch_wait_for_interrupt(void): an IRQ taken just before the WFI makes
 * the IRQ handler step over it (see gic_handle_irq), so it cannot sleep on. */
	.globl	arch_wait_for_interrupt
	.globl	wfi_instruction
arch_wait_for_interrupt:
	dsb	sy
	msr	daifclr, #2
wfi_instruction:
	wfi
	msr	daifset, #2
	ret

/* uint64_t probe_read64(uint64_t addr): an expected data abort skips the load. */
	.globl	probe_read64
	.globl	probe_read_instruction
probe_read64:
probe_read_instruction:
	ldr	x0, [x0]
	ret

/* uint64_t smccc_hvc(function, a1, a2, a3): an undefined HVC is skipped. */
	.globl	smccc_hvc
	.globl	smccc_hvc_instruction
smccc_hvc:
smccc_hvc_instruction:
	hvc	#0
	ret

/*
 * EL1 exception vectors: each entry saves a struct exception_frame on the
 * stack and calls exception_handle(frame, entry number); on return the
 * (possibly changed) frame is restored.
 */
.macro vector_entry number
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\number
	b	exception_common
.endm

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
	vector_entry 8
	vector_entry 9
	vector_entry 10
	vector_entry 11
	vector_entry 12
	vector_entry 13
	vector_entry 14
	vector_entry 15

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
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x30, x2, [sp, #240]
	str	x3, [sp, #FRAME_SPSR]
	mov	x0, sp
	bl	exception_handle
	ldp	x30, x2, [sp, #240]
	ldr	x3, [sp, #FRAME_SPSR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
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
	add	sp, sp, #FRAME_SIZE
	eret
