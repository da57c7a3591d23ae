// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RV64GC loads and stores that can reach a device, decoded from their
 * encoding (RISC-V unprivileged ISA, "RV32I/RV64I base" and "C" chapters).
 *
 * Devices take integer registers only: a floating-point load or store
 * (FLW/FLD/FSW/FSD and their compressed forms), an atomic (LR/SC/AMO) or
 * a vector access aimed at a device is refused with its name, and the
 * vCPU code stops the guest, as no device model has a meaning for it and
 * Keel would otherwise have to read and write the guest's FP or vector
 * state in the middle of an exit.
 */
#include "../include/arch/insn_decode.h"
#include <keel/errno.h>

#define OPCODE_LOAD 0x03
#define OPCODE_LOAD_FP 0x07
#define OPCODE_STORE 0x23
#define OPCODE_STORE_FP 0x27
#define OPCODE_AMO 0x2f

static unsigned int bits(uint32_t v, unsigned int hi, unsigned int lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int set(struct riscv_mmio_insn *out, unsigned int len, unsigned int size,
	       bool write, bool sign_extend, unsigned int reg)
{
	out->len = len;
	out->size = size;
	out->write = write;
	out->sign_extend = sign_extend;
	out->reg = reg;
	return 0;
}

static int refuse(const char **why, const char *what)
{
	if (why)
		*why = what;
	return -KEEL_EINVAL;
}

static int decode_32(uint32_t insn, struct riscv_mmio_insn *out, const char **why)
{
	unsigned int funct3 = bits(insn, 14, 12);
	unsigned int rd = bits(insn, 11, 7);
	unsigned int rs2 = bits(insn, 24, 20);

	switch (bits(insn, 6, 0)) {
	case OPCODE_LOAD:
		/* funct3: LB LH LW LD LBU LHU LWU; 7 is reserved. */
		if (funct3 == 7)
			return refuse(why, "reserved load encoding");
		return set(out, 4, 1u << (funct3 & 3), false, funct3 < 3, rd);
	case OPCODE_STORE:
		/* funct3: SB SH SW SD; 4 and above are reserved. */
		if (funct3 > 3)
			return refuse(why, "reserved store encoding");
		return set(out, 4, 1u << funct3, true, false, rs2);
	case OPCODE_LOAD_FP:
		return refuse(why, funct3 >= 1 && funct3 <= 4 ? "floating-point load"
							      : "vector load");
	case OPCODE_STORE_FP:
		return refuse(why, funct3 >= 1 && funct3 <= 4 ? "floating-point store"
							      : "vector store");
	case OPCODE_AMO:
		return refuse(why, "atomic (LR/SC/AMO)");
	default:
		return refuse(why, "not a load or store");
	}
}

/* Register fields of the CL/CS formats name x8..x15. */
static unsigned int creg(unsigned int field)
{
	return 8 + field;
}

static int decode_16(uint16_t insn, struct riscv_mmio_insn *out, const char **why)
{
	unsigned int funct3 = bits(insn, 15, 13);
	unsigned int rd_full = bits(insn, 11, 7);

	switch (bits(insn, 1, 0)) {
	case 0: /* quadrant 0: CL/CS, rd'/rs2' in bits 4:2 */
		switch (funct3) {
		case 2: return set(out, 2, 4, false, true, creg(bits(insn, 4, 2)));  /* C.LW */
		case 3: return set(out, 2, 8, false, false, creg(bits(insn, 4, 2))); /* C.LD */
		case 6: return set(out, 2, 4, true, false, creg(bits(insn, 4, 2)));  /* C.SW */
		case 7: return set(out, 2, 8, true, false, creg(bits(insn, 4, 2)));  /* C.SD */
		case 1: return refuse(why, "compressed floating-point load (C.FLD)");
		case 5: return refuse(why, "compressed floating-point store (C.FSD)");
		default: return refuse(why, "not a load or store");
		}
	case 2: /* quadrant 2: stack-pointer based */
		switch (funct3) {
		case 2: /* C.LWSP; rd = 0 is reserved */
			if (!rd_full)
				return refuse(why, "reserved C.LWSP encoding (rd = x0)");
			return set(out, 2, 4, false, true, rd_full);
		case 3: /* C.LDSP; rd = 0 is reserved */
			if (!rd_full)
				return refuse(why, "reserved C.LDSP encoding (rd = x0)");
			return set(out, 2, 8, false, false, rd_full);
		case 6: return set(out, 2, 4, true, false, bits(insn, 6, 2)); /* C.SWSP */
		case 7: return set(out, 2, 8, true, false, bits(insn, 6, 2)); /* C.SDSP */
		case 1: return refuse(why, "compressed floating-point load (C.FLDSP)");
		case 5: return refuse(why, "compressed floating-point store (C.FSDSP)");
		default: return refuse(why, "not a load or store");
		}
	default: /* quadrant 1 has no memory access */
		return refuse(why, "not a load or store");
	}
}

int riscv_insn_decode_mmio(uint32_t insn, struct riscv_mmio_insn *out,
			   const char **why)
{
	if (riscv_insn_length((uint16_t)insn) == 2)
		return decode_16((uint16_t)insn, out, why);
	/* 48-bit and longer encodings (bits 4:2 = 111) hold no load or store
	 * of the ratified ISA. */
	if (bits(insn, 4, 2) == 7)
		return refuse(why, "instruction longer than 32 bits");
	return decode_32(insn, out, why);
}

int riscv_insn_fetch(uint64_t pc, riscv_insn_read16_fn read16, void *ctx,
		     uint32_t *insn)
{
	uint16_t low, high = 0;
	int err = read16(ctx, pc, &low);

	if (err)
		return err;
	if (riscv_insn_length(low) == 4) {
		err = read16(ctx, pc + 2, &high);
		if (err)
			return err;
	}
	*insn = (uint32_t)high << 16 | low;
	return 0;
}
