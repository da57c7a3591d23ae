/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decoding the guest load or store behind a guest-page fault. The
 * hardware may describe the access in htinst; QEMU leaves it 0, so Keel
 * reads the instruction at the guest's sepc and decodes it here. Pure
 * code (no CSR, no memory access), built into the unit tests and a fuzz
 * harness as well as into Keel.
 */
#ifndef ARCH_RISCV64_INSN_DECODE_H
#define ARCH_RISCV64_INSN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* What an MMIO load or store does, from its encoding alone. */
struct riscv_mmio_insn {
	unsigned int len;       /* 2 (compressed) or 4: how far sepc advances */
	unsigned int size;      /* bytes accessed: 1, 2, 4 or 8 */
	bool write;             /* a store */
	bool sign_extend;       /* loads: sign-extend into the 64-bit register */
	unsigned int reg;       /* x register: rd of a load, rs2 of a store */
	/* The address it accesses: x[base] + offset (rs1 and the immediate;
	 * sp for the stack-pointer based compressed forms). */
	unsigned int base;
	int64_t offset;
};

/* 2 when the low halfword starts a compressed instruction, else 4. */
static inline unsigned int riscv_insn_length(uint16_t low)
{
	return (low & 3) == 3 ? 4 : 2;
}

/*
 * Decodes insn (the low halfword alone for a compressed instruction; the
 * upper 16 bits are ignored then) as an integer load or store of RV64GC.
 * Returns 0, or with *why naming what the instruction is:
 * -KEEL_EINVAL for a memory access Keel cannot complete against a device
 * ("floating-point load", "atomic (LR/SC/AMO)", "vector store", ...);
 * -KEEL_ENOENT for one that accesses no memory ("not a load or store",
 * a reserved encoding), which cannot be what trapped.
 */
int riscv_insn_decode_mmio(uint32_t insn, struct riscv_mmio_insn *out,
			   const char **why);

/* Reads the guest halfword at guest-virtual va as an instruction fetch
 * would; returns 0, or a negative error when that fetch faults. */
typedef int (*riscv_insn_read16_fn)(void *ctx, uint64_t va, uint16_t *out);

/*
 * Fetches the instruction at guest-virtual pc one halfword at a time (an
 * instruction is only 2-byte aligned, and its second half may lie on the
 * next page): the second halfword is read only when the first says the
 * instruction is 4 bytes long. Returns 0 with *insn filled, or the first
 * read's error (*insn is then untouched).
 */
int riscv_insn_fetch(uint64_t pc, riscv_insn_read16_fn read16, void *ctx,
		     uint32_t *insn);

#endif
