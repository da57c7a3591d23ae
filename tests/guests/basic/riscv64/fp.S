/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The FP registers for the fp-registers check: the guest is built without
 * F and D (its C code never touches them), so these are written here,
 * with sstatus.FS already on.
 */
	.option	arch, +d
	.text

/* void fp_fill(uint64_t seed): f0..f31 = seed, seed + 1, ..., and
 * fcsr = seed & 0x7f (a valid rounding mode, and flags). */
	.globl	fp_fill
fp_fill:
	mv	t0, a0
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.d.x	f\n, t0
	addi	t0, t0, 1
	.endr
	andi	t1, a0, 0x7f
	fscsr	t1
	ret

/* void fp_dump(uint64_t out[33]): f0..f31, then fcsr. */
	.globl	fp_dump
fp_dump:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t1
	sd	t1, 256(a0)
	ret
