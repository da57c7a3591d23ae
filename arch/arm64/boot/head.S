/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64 entry. U-Boot's booti (or QEMU -kernel) jumps to _head at EL2 with
 * the MMU off and the host DTB address in x0, wherever it placed the image.
 * Keel is linked at 0 as a position-independent image, so before any C runs
 * it applies its own relocations for the load address, clears .bss, turns
 * on a coarse 1:1 map so C code runs with caches and unaligned accesses,
 * and calls keel_main().
 */
#include <arch/mmu.h>

#define R_AARCH64_RELATIVE 1027
/* SCTLR_EL2: RES1 bits, I-cache, SP alignment check, D-cache, MMU. */
#define SCTLR_VALUE ((3 << 28) | (3 << 22) | (1 << 18) | (1 << 16) | (1 << 11) | \
		     (3 << 4) | (1 << 12) | (1 << 3) | (1 << 2) | (1 << 0))

	.section .text.head, "ax"
	.globl _head
_head:
	/* The arm64 Image header that booti and QEMU read. */
	b	primary_entry
	.long	0
	.quad	0			/* text_offset */
	.quad	__image_size		/* bytes to reserve, .bss included */
	.quad	0xa			/* little endian, 4K pages, anywhere */
	.quad	0
	.quad	0
	.quad	0
	.ascii	"ARM\x64"
	.long	0

	.section .text.entry, "ax"
primary_entry:
	mov	x19, x0			/* host DTB */
	mrs	x20, cntpct_el0		/* time zero for boot timing */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	wrong_exception_level
	bl	caches_mmu_off

	adr	x21, _head		/* where we were loaded */

	/* Apply R_AARCH64_RELATIVE relocations: *(base + off) = base + addend. */
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16
	ldr	x5, [x1], #8
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	1b
	add	x5, x5, x21
	str	x5, [x21, x3]
	b	1b
2:
	/* Clear .bss (16-byte aligned by the linker script). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
3:	cmp	x1, x2
	b.hs	4f
	stp	xzr, xzr, [x1], #16
	b	3b
4:
	/* Coarse 1:1 map: 512 x 1 GiB blocks. */
	adrp	x1, early_l1_table
	add	x1, x1, :lo12:early_l1_table
	ldr	x3, =EARLY_BLOCK_DEVICE
	ldr	x4, =EARLY_BLOCK_NORMAL
	mov	x2, #0
5:	lsl	x5, x2, #30
	cmp	x2, #0
	csel	x6, x3, x4, eq
	orr	x5, x5, x6
	str	x5, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #512
	b.lo	5b

	mov	x0, x1
	bl	mmu_enable

	/* CPU 0's stack is the first slot of cpu_stacks. */
	msr	tpidr_el2, xzr
	adrp	x1, cpu_stacks
	add	x1, x1, :lo12:cpu_stacks
	ldr	x2, =CONFIG_CPU_STACK_SIZE
	add	sp, x1, x2
	mov	x29, xzr
	mov	x30, xzr

	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	keel_main
	b	arch_cpu_park

/*
 * Secondary CPUs arrive here from PSCI CPU_ON with the MMU off and their
 * logical id in x0 (the context id). The final page tables already exist.
 */
	.globl secondary_entry
secondary_entry:
	mov	x19, x0
	bl	caches_mmu_off
	msr	tpidr_el2, x19
	adrp	x1, hyp_ttbr0
	ldr	x0, [x1, :lo12:hyp_ttbr0]
	bl	mmu_enable
	adrp	x1, cpu_stacks
	add	x1, x1, :lo12:cpu_stacks
	ldr	x2, =CONFIG_CPU_STACK_SIZE
	madd	x1, x19, x2, x1
	add	sp, x1, x2
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	bl	secondary_main
	b	arch_cpu_park

/* Leaves EL2 translation and caches off, whatever the loader did. */
caches_mmu_off:
	mrs	x0, sctlr_el2
	bic	x0, x0, #(1 << 0)	/* M */
	bic	x0, x0, #(1 << 2)	/* C */
	bic	x0, x0, #(1 << 12)	/* I */
	msr	sctlr_el2, x0
	isb
	ret

/*
 * Turns on EL2 stage-1 translation with the table in x0, installs the
 * exception vectors and routes physical IRQ/FIQ/SError to EL2.
 */
mmu_enable:
	ldr	x1, =MAIR_EL2_VALUE
	msr	mair_el2, x1
	mrs	x2, id_aa64mmfr0_el1
	and	x2, x2, #0x7		/* PARange -> TCR_EL2.PS */
	ldr	x1, =TCR_EL2_VALUE
	orr	x1, x1, x2, lsl #TCR_PS_SHIFT
	msr	tcr_el2, x1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	ish
	isb
	adrp	x1, exception_vectors
	add	x1, x1, :lo12:exception_vectors
	msr	vbar_el2, x1
	mov	x1, #((1 << 3) | (1 << 4) | (1 << 5))	/* FMO IMO AMO */
	orr	x1, x1, #(1 << 31)			/* RW: lower ELs are AArch64 */
	msr	hcr_el2, x1
	ldr	x1, =(SCTLR_VALUE)
	msr	sctlr_el2, x1
	isb
	ret

/* Not at EL2: Keel cannot virtualize anything; wait forever. */
wrong_exception_level:
	wfe
	b	wrong_exception_level

	.ltorg

	.section .bss.early_l1_table, "aw", %nobits
	.balign 4096
early_l1_table:
	.space 4096
