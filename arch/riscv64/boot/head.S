/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv64 entry. OpenSBI (QEMU -kernel) or U-Boot's booti jumps to _head
 * in HS-mode with a0 = hart id, a1 = the host DTB, translation off,
 * wherever it placed the image. Keel is linked at 0 as a position-
 * independent image: before any C runs it applies its own relocations for
 * the load address, clears .bss, turns on a coarse 1:1 Sv39 map and calls
 * riscv_boot_main(), which reads what the arch needs from the DTB before
 * time starts and enters keel_main().
 */
#include <arch/csr.h>
#include <arch/mmu.h>

#define R_RISCV_RELATIVE 3
#define SBI_EXT_HSM 0x48534D
#define SBI_HSM_HART_STOP 1

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _head
_head:
	/* The RISC-V Image header that booti reads (all little endian). */
	j	primary_entry		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset: 2 MiB above RAM's start */
	.dword	__image_end - _head	/* bytes to reserve, .bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated by magic2) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* no PE/COFF header */
	.option pop

	.section .text.entry, "ax"
primary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	csrw	satp, zero
	mv	s0, a0			/* hart id */
	mv	s1, a1			/* host DTB */
	rdtime	s2			/* time zero for boot timing */

	/* Only one hart boots Keel; a firmware that lets several in gets
	 * the others stopped (the boot hart starts them later). */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w.aq t1, t1, (t0)
	bnez	t1, hart_not_boot

	lla	s3, _head		/* where we were loaded */

	/* Apply R_RISCV_RELATIVE relocations: *(base + off) = base + addend. */
	lla	t0, __rela_start
	lla	t1, __rela_end
	li	t5, R_RISCV_RELATIVE
1:	bgeu	t0, t1, 2f
	ld	t2, 0(t0)		/* r_offset */
	ld	t3, 8(t0)		/* r_info: symbol 0, type in the low word */
	ld	t4, 16(t0)		/* r_addend */
	addi	t0, t0, 24
	bne	t3, t5, 1b
	add	t4, t4, s3
	add	t2, t2, s3
	sd	t4, 0(t2)
	j	1b
2:
	/* Clear .bss (16-byte aligned by the linker script). */
	lla	t0, __bss_start
	lla	t1, __bss_end
3:	bgeu	t0, t1, 4f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	3b
4:
	/* The boot hart is logical CPU 0. */
	li	tp, 0
	lla	t0, riscv_hartid
	sd	s0, 0(t0)
	lla	sp, cpu_stacks
	li	t0, CONFIG_CPU_STACK_SIZE
	add	sp, sp, t0
	mv	fp, zero
	mv	ra, zero
	lla	t0, riscv_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero

	/* Coarse 1:1 map: the low 256 GiB in 1 GiB pages, read/write/
	 * execute (physical memory attributes decide what is a device). */
	lla	t0, early_root_table
	li	t1, 0
	li	t2, 256
	li	t3, EARLY_GIGAPAGE_FLAGS
5:	slli	t4, t1, 28		/* (i << 30) >> 12 << 10 */
	or	t4, t4, t3
	slli	t6, t1, 3
	add	t6, t6, t0
	sd	t4, 0(t6)
	addi	t1, t1, 1
	bltu	t1, t2, 5b
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma

	mv	a0, s1
	mv	a1, s2
	mv	a2, s3
	call	riscv_boot_main
	j	arch_cpu_park

/*
 * Secondary harts arrive here from SBI HSM hart_start with translation
 * off, a0 = hart id and a1 = the logical CPU id (the opaque argument).
 * The final page tables already exist.
 */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	mv	tp, a1
	lla	t0, riscv_hartid
	slli	t1, a1, 3
	add	t0, t0, t1
	sd	a0, 0(t0)
	/* Stack: slot a1 of cpu_stacks. */
	lla	sp, cpu_stacks
	li	t0, CONFIG_CPU_STACK_SIZE
	addi	t1, a1, 1
	mul	t1, t1, t0
	add	sp, sp, t1
	mv	fp, zero
	mv	ra, zero
	lla	t0, riscv_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	lla	t0, riscv_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	mv	a0, tp
	call	secondary_main
	j	arch_cpu_park

/* Lost the boot lottery: give the hart back to the firmware. */
hart_not_boot:
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_HART_STOP
	ecall
6:	wfi
	j	6b

	.section .data.boot_lottery, "aw"
	.balign 4
boot_lottery:
	.word	0

	.section .bss.early_root_table, "aw", %nobits
	.balign 4096
early_root_table:
	.space 4096
