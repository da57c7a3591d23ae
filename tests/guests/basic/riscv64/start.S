/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64 entry of the basic guest. Its loader (QEMU -kernel, booti, Keel)
 * jumps to _start in S-mode with translation off, a0 = the hart id and
 * a1 = the DTB address. The image is not relocatable: it runs where it is
 * linked, RAM base + 0x200000 (its RISC-V Image header says so). Also
 * here: the secondary vCPU entry, the trap vector and the few routines
 * whose instructions the trap handler must recognise. No compressed
 * instructions, so that every one the handler steps over is 4 bytes.
 */
#include "riscv64.h"

	.option norvc

	.section .text.head, "ax"
	.globl	_start
_start:
	/* The RISC-V Linux Image header. */
	j	primary_entry
	.long	0
	.quad	0x200000		/* text_offset */
	.quad	__image_size		/* bytes to reserve, .bss included */
	.quad	0			/* flags: little endian */
	.long	2			/* header version 0.2 */
	.long	0
	.quad	0
	.ascii	"RISCV\0\0\0"
	.ascii	"RSC\x05"
	.long	0

	.text
primary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	mv	s0, a1
	lla	t0, _start
	ld	t1, link_address
	bne	t0, t1, wrong_load_address
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	li	a0, 0
	call	cpu_setup
	mv	a0, s0
	call	basic_main
	j	halt

/* SBI HSM hart_start starts secondary vCPUs here: a0 = hart id, a1 = the
 * opaque value, which the guest makes the vCPU index. */
	.globl	secondary_entry
secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	mv	s0, a1
	beqz	s0, halt
	li	t0, BASIC_MAX_CPUS
	bgeu	s0, t0, halt
	mv	a0, s0
	call	cpu_setup
	mv	a0, s0
	call	secondary_main
	j	halt

/* Stack, vCPU index (tp) and trap vector for the vCPU whose index is a0. */
	.globl	cpu_setup_c
cpu_setup_c:
cpu_setup:
	lla	t0, cpu_stacks
	addi	t1, a0, 1
	li	t2, STACK_SIZE
	mul	t1, t1, t2
	add	sp, t0, t1
	mv	tp, a0
	lla	t0, trap_entry
	csrw	stvec, t0
	ret

halt:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
1:	wfi
	j	1b

/* Before C can run: say what is wrong with PC-relative code only. */
wrong_load_address:
	lla	a0, msg_wrong_load_address
	li	a1, UART_BASE
1:	lbu	a2, 0(a0)
	beqz	a2, halt
2:	lbu	a3, 5(a1)		/* LSR */
	andi	a3, a3, 0x20		/* THRE */
	beqz	a3, 2b
	sb	a2, 0(a1)		/* THR */
	addi	a0, a0, 1
	j	1b

	.balign	8
link_address:
	.quad	_start
msg_wrong_load_address:
	.asciz	"basic: FAIL boot: not loaded at its link address 0x80200000 (RAM base + text_offset 0x200000)\r\n"

/* int guard_call(void (*fn)(void *), void *arg, struct guard_context *ctx) */
	.balign	4
	.globl	guard_call
guard_call:
	sd	ra, 0(a2)
	sd	sp, 8(a2)
	sd	s0, 16(a2)
	sd	s1, 24(a2)
	sd	s2, 32(a2)
	sd	s3, 40(a2)
	sd	s4, 48(a2)
	sd	s5, 56(a2)
	sd	s6, 64(a2)
	sd	s7, 72(a2)
	sd	s8, 80(a2)
	sd	s9, 88(a2)
	sd	s10, 96(a2)
	sd	s11, 104(a2)
	addi	sp, sp, -16
	sd	ra, 8(sp)
	mv	t0, a0
	mv	a0, a1
	jalr	t0
	ld	ra, 8(sp)
	addi	sp, sp, 16
	li	a0, 0
	ret

/* The trap handler srets here with a0 = the guard_context: returns -1
 * from the guard_call that saved it. */
	.globl	guard_abandon
guard_abandon:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	ld	s0, 16(a0)
	ld	s1, 24(a0)
	ld	s2, 32(a0)
	ld	s3, 40(a0)
	ld	s4, 48(a0)
	ld	s5, 56(a0)
	ld	s6, 64(a0)
	ld	s7, 72(a0)
	ld	s8, 80(a0)
	ld	s9, 88(a0)
	ld	s10, 96(a0)
	ld	s11, 104(a0)
	li	a0, -1
	ret

/* uint64_t probe_read64(uint64_t addr): an expected access fault skips it. */
	.globl	probe_read64
	.globl	probe_read_instruction
probe_read64:
probe_read_instruction:
	ld	a0, 0(a0)
	ret

/* uint64_t probe_vsetvli(void): vsetvli t0, zero, e8, m1 (the vector
 * length it sets, VLMAX); an expected illegal-instruction exception skips
 * it (written as a word: the guest is built without V). */
	.globl	probe_vsetvli
	.globl	probe_vsetvli_instruction
probe_vsetvli:
	li	t0, 0
probe_vsetvli_instruction:
	.4byte	0x000072d7
	mv	a0, t0
	ret

/*
 * The trap vector (direct mode): saves a struct trap_frame on the stack,
 * calls trap_handle(frame) and restores the (possibly changed) frame.
 * Traps come from S-mode only: the stack is the vCPU's own.
 */
	.balign	4
	.globl	trap_entry
trap_entry:
	addi	sp, sp, -FRAME_SIZE
	sd	x1, 8(sp)
	sd	x3, 24(sp)
	sd	x4, 32(sp)
	sd	x5, 40(sp)
	sd	x6, 48(sp)
	sd	x7, 56(sp)
	sd	x8, 64(sp)
	sd	x9, 72(sp)
	sd	x10, 80(sp)
	sd	x11, 88(sp)
	sd	x12, 96(sp)
	sd	x13, 104(sp)
	sd	x14, 112(sp)
	sd	x15, 120(sp)
	sd	x16, 128(sp)
	sd	x17, 136(sp)
	sd	x18, 144(sp)
	sd	x19, 152(sp)
	sd	x20, 160(sp)
	sd	x21, 168(sp)
	sd	x22, 176(sp)
	sd	x23, 184(sp)
	sd	x24, 192(sp)
	sd	x25, 200(sp)
	sd	x26, 208(sp)
	sd	x27, 216(sp)
	sd	x28, 224(sp)
	sd	x29, 232(sp)
	sd	x30, 240(sp)
	sd	x31, 248(sp)
	addi	t0, sp, FRAME_SIZE
	sd	t0, 16(sp)
	csrr	t0, sepc
	sd	t0, FRAME_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, FRAME_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, FRAME_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, FRAME_STVAL(sp)
	mv	a0, sp
	call	trap_handle
	ld	t0, FRAME_SEPC(sp)
	csrw	sepc, t0
	ld	t0, FRAME_SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, 8(sp)
	ld	x3, 24(sp)
	ld	x4, 32(sp)
	ld	x5, 40(sp)
	ld	x6, 48(sp)
	ld	x7, 56(sp)
	ld	x8, 64(sp)
	ld	x9, 72(sp)
	ld	x10, 80(sp)
	ld	x11, 88(sp)
	ld	x12, 96(sp)
	ld	x13, 104(sp)
	ld	x14, 112(sp)
	ld	x15, 120(sp)
	ld	x16, 128(sp)
	ld	x17, 136(sp)
	ld	x18, 144(sp)
	ld	x19, 152(sp)
	ld	x20, 160(sp)
	ld	x21, 168(sp)
	ld	x22, 176(sp)
	ld	x23, 184(sp)
	ld	x24, 192(sp)
	ld	x25, 200(sp)
	ld	x26, 208(sp)
	ld	x27, 216(sp)
	ld	x28, 224(sp)
	ld	x29, 232(sp)
	ld	x30, 240(sp)
	ld	x31, 248(sp)
	addi	sp, sp, FRAME_SIZE
	sret
