/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the attack mode: the second vCPU's own entry, and device accesses of
 * every width whose exception (an access fault the hypervisor injects)
 * the trap handler skips: every instruction from probe_begin to probe_end
 * is one 4-byte load or store or a return.
 */
#include "riscv64.h"

	.option norvc
	.text

/* SBI HSM hart_start starts vCPU 1 here (opaque 1) for the attacks. */
	.globl	attack_secondary_entry
attack_secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	li	t0, 1
	bne	a1, t0, 9f
	mv	s0, a1
	mv	a0, a1
	call	cpu_setup_c
	mv	a0, s0
	call	attack_secondary_main
9:	csrw	sie, zero
	wfi
	j	9b

	.balign	4
	.globl	probe_begin
probe_begin:
	.globl	attack_read8
attack_read8:
	lbu	a0, 0(a0)
	ret
	.globl	attack_read16
attack_read16:
	lhu	a0, 0(a0)
	ret
	.globl	attack_read32
attack_read32:
	lwu	a0, 0(a0)
	ret
	.globl	attack_read64
attack_read64:
	ld	a0, 0(a0)
	ret
	.globl	attack_write8
attack_write8:
	sb	a1, 0(a0)
	ret
	.globl	attack_write16
attack_write16:
	sh	a1, 0(a0)
	ret
	.globl	attack_write32
attack_write32:
	sw	a1, 0(a0)
	ret
	.globl	attack_write64
attack_write64:
	sd	a1, 0(a0)
	ret
	.globl	attack_read_cycle
attack_read_cycle:
	csrr	a0, cycle
	ret
	.globl	attack_read_instret
attack_read_instret:
	csrr	a0, instret
	ret
	.globl	attack_read_hpmcounter3
attack_read_hpmcounter3:
	csrr	a0, hpmcounter3
	ret
	.globl	probe_end
probe_end:

/*
 * mmio-undecodable: a floating-point load from a device register, which
 * no device can complete (Keel stops the guest and names it).
 */
	.option	push
	.option	arch, +f
	.globl	attack_flw
attack_flw:
	flw	ft0, 0(a0)
	ret
	.option	pop

/*
 * decode-fetch-race: a page of its own, mapped at a virtual address
 * (attacks.c) whose page-table entry vCPU 1 takes away, points at one of
 * two alias pages and puts back while vCPU 0 runs these device loads from
 * it, so that the hypervisor's read of the trapping instruction may find
 * the page gone, or another instruction in its place.
 *
 * uint64_t race_page(uintptr_t reg, uint32_t expected, uint64_t n,
 *                    uint64_t sentinel, 4 unused, a6 = sentinel,
 *                    a7 = &sentinel)
 * Loads reg n times with a 4-byte lw and a 2-byte c.lw; returns the
 * loads done, or -1 when one did not read expected or a6 no longer holds
 * the sentinel. The aliases have the same layout, each with one of the
 * two device loads replaced: race_alias_a by "lw a6, 0(a7)" (the
 * sentinel, from RAM: a device value in a6 means the hypervisor completed
 * it for a trap of the lw), race_alias_b by c.nop (no access at all: the
 * hypervisor must not take it for the c.lw that trapped). Each keeps one
 * device load, so that every page keeps trapping. An instruction page
 * fault anywhere in the pages returns to the caller (trap.c): a0 = t1,
 * the loads done so far; t0, a4 and a6 are checked.
 */
.macro	RACE_BODY wide, narrow
	mv	t0, a1
	mv	a4, a1
	mv	a5, a0
	li	t1, 0
1:	\wide
	bne	t0, a1, 2f
	.option	push
	.option	rvc
	\narrow
	.option	pop
	bne	a4, a1, 2f
	bne	a6, a3, 2f
	addi	t1, t1, 2
	bltu	t1, a2, 1b
	mv	a0, t1
	ret
2:	li	a0, -1
	ret
.endm

	.section .text.race, "ax"
	.balign	4096
	.globl	race_page
race_page:
	RACE_BODY "lw t0, 0(a0)", "c.lw a4, 0(a5)"
	.balign	4096
	.globl	race_alias_a
race_alias_a:
	RACE_BODY "lw a6, 0(a7)", "c.lw a4, 0(a5)"
	.balign	4096
	.globl	race_alias_b
race_alias_b:
	RACE_BODY "lw t0, 0(a0)", "c.nop"
	.balign	4096
	.globl	race_page_end
race_page_end:
