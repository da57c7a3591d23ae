/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trap vector (stvec, direct mode) for traps taken while Keel itself
 * runs in HS-mode: it saves every register and the trap CSRs in a frame
 * on the current stack, calls riscv_trap() and returns with sret. A guest
 * runs with its own vector in stvec (installed by the world switch), so
 * this one never sees guest state.
 */
#include <arch/csr.h>
#include <arch/regs.h>

	.section .text.trap, "ax"
	.balign 4
	.globl riscv_trap_entry
riscv_trap_entry:
	addi	sp, sp, -REGS_SIZE
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
	addi	t0, sp, REGS_SIZE
	sd	t0, 16(sp)		/* sp before the trap */
	csrr	t0, sepc
	sd	t0, REGS_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, REGS_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, REGS_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, REGS_STVAL(sp)
	csrr	t0, CSR_HTVAL
	sd	t0, REGS_HTVAL(sp)
	csrr	t0, CSR_HTINST
	sd	t0, REGS_HTINST(sp)

	mv	a0, sp
	call	riscv_trap

	ld	t0, REGS_SEPC(sp)
	csrw	sepc, t0
	ld	t0, REGS_SSTATUS(sp)
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
	addi	sp, sp, REGS_SIZE
	sret
