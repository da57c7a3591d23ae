/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sub-word atomics for GCC. The A extension works on 32- and 64-bit
 * words only, and GCC 12 turns a 1- or 2-byte atomic (a bool exchanged,
 * a 16-bit compare-and-swap) into a call to __atomic_*_1/_2, which Keel,
 * linked without libatomic, provides here: an LR/SC loop on the aligned
 * word that holds the value, changing only the value's bits. Every one is
 * sequentially consistent (LR with aq+rl, SC with rl), whatever order
 * the caller asked for.
 *
 * In: a0 the value's address. Out: t0 its bit shift in the word, t1 the
 * mask of its bits (shifted), a0 the word's address.
 */
.macro subword_prepare mask
	andi	t0, a0, 3
	slli	t0, t0, 3
	andi	a0, a0, -4
	li	t1, \mask
	sll	t1, t1, t0
.endm

/* T __atomic_exchange_N(volatile void *ptr, T value, int order) */
	.section .text.__atomic_exchange_1, "ax"
	.globl __atomic_exchange_1
	.type __atomic_exchange_1, %function
__atomic_exchange_1:
	subword_prepare 0xff
	andi	a1, a1, 0xff
	j	exchange_common
	.size __atomic_exchange_1, . - __atomic_exchange_1

	.globl __atomic_exchange_2
	.type __atomic_exchange_2, %function
__atomic_exchange_2:
	subword_prepare 0xffff
	slli	a1, a1, 48
	srli	a1, a1, 48
	/* fall through */
exchange_common:
	sll	a1, a1, t0
1:	lr.w.aqrl t2, (a0)
	and	t3, t2, t1		/* the old value's bits */
	xor	t4, t2, t3		/* the word without them */
	or	t4, t4, a1
	sc.w.rl	t5, t4, (a0)
	bnez	t5, 1b
	srl	a0, t3, t0
	ret
	.size __atomic_exchange_2, . - __atomic_exchange_2

/* bool __atomic_compare_exchange_N(volatile void *ptr, T *expected,
 *                                  T desired, bool weak, int, int) */
	.section .text.__atomic_compare_exchange_1, "ax"
	.globl __atomic_compare_exchange_1
	.type __atomic_compare_exchange_1, %function
__atomic_compare_exchange_1:
	lbu	a6, 0(a1)
	subword_prepare 0xff
	andi	a2, a2, 0xff
	sll	a6, a6, t0
	sll	a2, a2, t0
1:	lr.w.aqrl t2, (a0)
	and	t3, t2, t1
	bne	t3, a6, 2f
	xor	t4, t2, t3
	or	t4, t4, a2
	sc.w.rl	t5, t4, (a0)
	bnez	t5, 1b
	li	a0, 1
	ret
2:	srl	t3, t3, t0
	sb	t3, 0(a1)
	li	a0, 0
	ret
	.size __atomic_compare_exchange_1, . - __atomic_compare_exchange_1

	.globl __atomic_compare_exchange_2
	.type __atomic_compare_exchange_2, %function
__atomic_compare_exchange_2:
	lhu	a6, 0(a1)
	subword_prepare 0xffff
	slli	a2, a2, 48
	srli	a2, a2, 48
	sll	a6, a6, t0
	sll	a2, a2, t0
1:	lr.w.aqrl t2, (a0)
	and	t3, t2, t1
	bne	t3, a6, 2f
	xor	t4, t2, t3
	or	t4, t4, a2
	sc.w.rl	t5, t4, (a0)
	bnez	t5, 1b
	li	a0, 1
	ret
2:	srl	t3, t3, t0
	sh	t3, 0(a1)
	li	a0, 0
	ret
	.size __atomic_compare_exchange_2, . - __atomic_compare_exchange_2
