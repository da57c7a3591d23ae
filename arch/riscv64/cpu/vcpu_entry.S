/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 world switch. riscv_guest_enter() keeps Keel's callee-saved
 * registers, stvec, sscratch, sstatus and hstatus in the context, points
 * stvec at riscv_guest_exit with the context in sscratch, loads the
 * guest's registers and srets into VS/VU-mode (hstatus.SPV = 1). Any trap
 * to HS-mode while the guest runs (an exception the guest does not take
 * itself, or a host interrupt, which V = 1 never masks) lands in
 * riscv_guest_exit, which saves the guest's registers and the trap CSRs,
 * puts Keel's state back and returns from riscv_guest_enter().
 */
#include <arch/vcpu_context.h>

#define SSTATUS_FS 0x6000

	.section .text
	.option push
	.option norvc

	.globl riscv_guest_enter
	.type riscv_guest_enter, %function
	.balign 4
riscv_guest_enter:
	sd	ra, CTX_HOST_RA(a0)
	sd	sp, CTX_HOST_SP(a0)
	sd	gp, CTX_HOST_GP(a0)
	sd	tp, CTX_HOST_TP(a0)
	sd	s0, CTX_HOST_S(0)(a0)
	sd	s1, CTX_HOST_S(1)(a0)
	sd	s2, CTX_HOST_S(2)(a0)
	sd	s3, CTX_HOST_S(3)(a0)
	sd	s4, CTX_HOST_S(4)(a0)
	sd	s5, CTX_HOST_S(5)(a0)
	sd	s6, CTX_HOST_S(6)(a0)
	sd	s7, CTX_HOST_S(7)(a0)
	sd	s8, CTX_HOST_S(8)(a0)
	sd	s9, CTX_HOST_S(9)(a0)
	sd	s10, CTX_HOST_S(10)(a0)
	sd	s11, CTX_HOST_S(11)(a0)
	csrr	t0, sstatus
	sd	t0, CTX_HOST_SSTATUS(a0)
	csrr	t0, hstatus
	sd	t0, CTX_HOST_HSTATUS(a0)
	csrr	t0, stvec
	sd	t0, CTX_HOST_STVEC(a0)
	csrr	t0, sscratch
	sd	t0, CTX_HOST_SSCRATCH(a0)

	lla	t0, riscv_guest_exit
	csrw	stvec, t0
	csrw	sscratch, a0
	ld	t0, CTX_SEPC(a0)
	csrw	sepc, t0
	ld	t0, CTX_SSTATUS(a0)
	csrw	sstatus, t0
	ld	t0, CTX_HSTATUS(a0)
	csrw	hstatus, t0

	ld	ra, CTX_X(1)(a0)
	ld	sp, CTX_X(2)(a0)
	ld	gp, CTX_X(3)(a0)
	ld	tp, CTX_X(4)(a0)
	ld	t0, CTX_X(5)(a0)
	ld	t1, CTX_X(6)(a0)
	ld	t2, CTX_X(7)(a0)
	ld	s0, CTX_X(8)(a0)
	ld	s1, CTX_X(9)(a0)
	ld	a1, CTX_X(11)(a0)
	ld	a2, CTX_X(12)(a0)
	ld	a3, CTX_X(13)(a0)
	ld	a4, CTX_X(14)(a0)
	ld	a5, CTX_X(15)(a0)
	ld	a6, CTX_X(16)(a0)
	ld	a7, CTX_X(17)(a0)
	ld	s2, CTX_X(18)(a0)
	ld	s3, CTX_X(19)(a0)
	ld	s4, CTX_X(20)(a0)
	ld	s5, CTX_X(21)(a0)
	ld	s6, CTX_X(22)(a0)
	ld	s7, CTX_X(23)(a0)
	ld	s8, CTX_X(24)(a0)
	ld	s9, CTX_X(25)(a0)
	ld	s10, CTX_X(26)(a0)
	ld	s11, CTX_X(27)(a0)
	ld	t3, CTX_X(28)(a0)
	ld	t4, CTX_X(29)(a0)
	ld	t5, CTX_X(30)(a0)
	ld	t6, CTX_X(31)(a0)
	ld	a0, CTX_X(10)(a0)
	sret
	.size riscv_guest_enter, . - riscv_guest_enter

	/* stvec's direct mode needs 4-byte alignment. */
	.balign 4
	.type riscv_guest_exit, %function
riscv_guest_exit:
	csrrw	a0, sscratch, a0
	sd	ra, CTX_X(1)(a0)
	sd	sp, CTX_X(2)(a0)
	sd	gp, CTX_X(3)(a0)
	sd	tp, CTX_X(4)(a0)
	sd	t0, CTX_X(5)(a0)
	sd	t1, CTX_X(6)(a0)
	sd	t2, CTX_X(7)(a0)
	sd	s0, CTX_X(8)(a0)
	sd	s1, CTX_X(9)(a0)
	sd	a1, CTX_X(11)(a0)
	sd	a2, CTX_X(12)(a0)
	sd	a3, CTX_X(13)(a0)
	sd	a4, CTX_X(14)(a0)
	sd	a5, CTX_X(15)(a0)
	sd	a6, CTX_X(16)(a0)
	sd	a7, CTX_X(17)(a0)
	sd	s2, CTX_X(18)(a0)
	sd	s3, CTX_X(19)(a0)
	sd	s4, CTX_X(20)(a0)
	sd	s5, CTX_X(21)(a0)
	sd	s6, CTX_X(22)(a0)
	sd	s7, CTX_X(23)(a0)
	sd	s8, CTX_X(24)(a0)
	sd	s9, CTX_X(25)(a0)
	sd	s10, CTX_X(26)(a0)
	sd	s11, CTX_X(27)(a0)
	sd	t3, CTX_X(28)(a0)
	sd	t4, CTX_X(29)(a0)
	sd	t5, CTX_X(30)(a0)
	sd	t6, CTX_X(31)(a0)
	csrr	t0, sscratch
	sd	t0, CTX_X(10)(a0)
	csrr	t0, sepc
	sd	t0, CTX_SEPC(a0)
	csrr	t0, sstatus
	sd	t0, CTX_SSTATUS(a0)
	csrr	t0, hstatus
	sd	t0, CTX_HSTATUS(a0)
	csrr	t0, scause
	sd	t0, CTX_SCAUSE(a0)
	csrr	t0, stval
	sd	t0, CTX_STVAL(a0)
	csrr	t0, htval
	sd	t0, CTX_HTVAL(a0)
	csrr	t0, htinst
	sd	t0, CTX_HTINST(a0)

	ld	t0, CTX_HOST_STVEC(a0)
	csrw	stvec, t0
	ld	t0, CTX_HOST_SSCRATCH(a0)
	csrw	sscratch, t0
	/* hstatus keeps the trap's SPV/SPVP/GVA until the exit is decoded
	 * (HLVX reads with SPVP); only the host's other bits come back. */
	ld	t0, CTX_HOST_SSTATUS(a0)
	csrw	sstatus, t0

	ld	ra, CTX_HOST_RA(a0)
	ld	sp, CTX_HOST_SP(a0)
	ld	gp, CTX_HOST_GP(a0)
	ld	tp, CTX_HOST_TP(a0)
	ld	s0, CTX_HOST_S(0)(a0)
	ld	s1, CTX_HOST_S(1)(a0)
	ld	s2, CTX_HOST_S(2)(a0)
	ld	s3, CTX_HOST_S(3)(a0)
	ld	s4, CTX_HOST_S(4)(a0)
	ld	s5, CTX_HOST_S(5)(a0)
	ld	s6, CTX_HOST_S(6)(a0)
	ld	s7, CTX_HOST_S(7)(a0)
	ld	s8, CTX_HOST_S(8)(a0)
	ld	s9, CTX_HOST_S(9)(a0)
	ld	s10, CTX_HOST_S(10)(a0)
	ld	s11, CTX_HOST_S(11)(a0)
	ret
	.size riscv_guest_exit, . - riscv_guest_exit

/*
 * int riscv_guest_fetch16(uint64_t va, uint16_t *out)
 * HLVX.HU with stvec pointed at a handler for the moment: a fault (the
 * guest's page went away, or is not executable) comes back as -EFAULT
 * instead of reaching Keel's trap handler. Interrupts are masked, so
 * only the HLVX can trap here.
 */
	.globl riscv_guest_fetch16
	.type riscv_guest_fetch16, %function
	.balign 4
riscv_guest_fetch16:
	csrr	t0, stvec
	lla	t1, riscv_guest_fetch_fault
	csrw	stvec, t1
	li	t2, 0
	.insn r 0x73, 0x4, 0x32, t3, a0, x3     /* hlvx.hu t3, (a0) */
	csrw	stvec, t0
	bnez	t2, 1f
	sh	t3, 0(a1)
	li	a0, 0
	ret
1:	li	a0, -14                          /* -KEEL_EFAULT */
	ret
	.size riscv_guest_fetch16, . - riscv_guest_fetch16

	.balign 4
riscv_guest_fetch_fault:
	csrr	t2, sepc
	addi	t2, t2, 4
	csrw	sepc, t2
	li	t2, 1
	sret

	.option pop

/* The guest's FP registers: Keel's code is integer only (arch.mk), so
 * these are the only users of the F and D instructions. */
	.option push
	.option arch, +d
	.globl riscv_fp_save
	.type riscv_fp_save, %function
	.balign 4
riscv_fp_save:
	csrr	t1, sstatus
	li	t0, SSTATUS_FS
	csrs	sstatus, t0
	fsd	f0, FP_F(0)(a0)
	fsd	f1, FP_F(1)(a0)
	fsd	f2, FP_F(2)(a0)
	fsd	f3, FP_F(3)(a0)
	fsd	f4, FP_F(4)(a0)
	fsd	f5, FP_F(5)(a0)
	fsd	f6, FP_F(6)(a0)
	fsd	f7, FP_F(7)(a0)
	fsd	f8, FP_F(8)(a0)
	fsd	f9, FP_F(9)(a0)
	fsd	f10, FP_F(10)(a0)
	fsd	f11, FP_F(11)(a0)
	fsd	f12, FP_F(12)(a0)
	fsd	f13, FP_F(13)(a0)
	fsd	f14, FP_F(14)(a0)
	fsd	f15, FP_F(15)(a0)
	fsd	f16, FP_F(16)(a0)
	fsd	f17, FP_F(17)(a0)
	fsd	f18, FP_F(18)(a0)
	fsd	f19, FP_F(19)(a0)
	fsd	f20, FP_F(20)(a0)
	fsd	f21, FP_F(21)(a0)
	fsd	f22, FP_F(22)(a0)
	fsd	f23, FP_F(23)(a0)
	fsd	f24, FP_F(24)(a0)
	fsd	f25, FP_F(25)(a0)
	fsd	f26, FP_F(26)(a0)
	fsd	f27, FP_F(27)(a0)
	fsd	f28, FP_F(28)(a0)
	fsd	f29, FP_F(29)(a0)
	fsd	f30, FP_F(30)(a0)
	fsd	f31, FP_F(31)(a0)
	frcsr	t0
	sd	t0, FP_FCSR(a0)
	csrw	sstatus, t1
	ret
	.size riscv_fp_save, . - riscv_fp_save

	.globl riscv_fp_restore
	.type riscv_fp_restore, %function
	.balign 4
riscv_fp_restore:
	csrr	t1, sstatus
	li	t0, SSTATUS_FS
	csrs	sstatus, t0
	fld	f0, FP_F(0)(a0)
	fld	f1, FP_F(1)(a0)
	fld	f2, FP_F(2)(a0)
	fld	f3, FP_F(3)(a0)
	fld	f4, FP_F(4)(a0)
	fld	f5, FP_F(5)(a0)
	fld	f6, FP_F(6)(a0)
	fld	f7, FP_F(7)(a0)
	fld	f8, FP_F(8)(a0)
	fld	f9, FP_F(9)(a0)
	fld	f10, FP_F(10)(a0)
	fld	f11, FP_F(11)(a0)
	fld	f12, FP_F(12)(a0)
	fld	f13, FP_F(13)(a0)
	fld	f14, FP_F(14)(a0)
	fld	f15, FP_F(15)(a0)
	fld	f16, FP_F(16)(a0)
	fld	f17, FP_F(17)(a0)
	fld	f18, FP_F(18)(a0)
	fld	f19, FP_F(19)(a0)
	fld	f20, FP_F(20)(a0)
	fld	f21, FP_F(21)(a0)
	fld	f22, FP_F(22)(a0)
	fld	f23, FP_F(23)(a0)
	fld	f24, FP_F(24)(a0)
	fld	f25, FP_F(25)(a0)
	fld	f26, FP_F(26)(a0)
	fld	f27, FP_F(27)(a0)
	fld	f28, FP_F(28)(a0)
	fld	f29, FP_F(29)(a0)
	fld	f30, FP_F(30)(a0)
	fld	f31, FP_F(31)(a0)
	ld	t0, FP_FCSR(a0)
	fscsr	t0
	csrw	sstatus, t1
	ret
	.size riscv_fp_restore, . - riscv_fp_restore
	.option pop
