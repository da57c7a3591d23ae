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
