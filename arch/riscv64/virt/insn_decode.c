// SPDX-License-Identifier: GPL-2.0-only
/*
 * The RV64GC loads and stores that can reach a device, decoded from their
 * encoding (RISC-V unprivileged ISA, "RV32I/RV64I base" and "C" chapters).
 *
 * Devices take integer registers only: a floating-point load or store
 * (FLW/FLD/FSW/FSD and their compressed forms), an atomic (LR/SC/AMO) or
 * a vector access aimed at a device is refused with its name
 * (-KEEL_EINVAL), and the vCPU code stops the guest, as no device model
 * has a meaning for it and Keel would otherwise have to read and write
 * the guest's FP or vector state in the middle of an exit. An
 * instruction that accesses no memory (or a reserved encoding) cannot be
 * what trapped on a device access: -KEEL_ENOENT, and the vCPU code
 * takes it for an instruction replaced since the trap.
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
	       bool write, bool sign_extend, unsigned int reg, unsigned int base,
	       int64_t offset)
{
	out->len = len;
	out->size = size;
	out->write = write;
	out->sign_extend = sign_extend;
	out->reg = reg;
	out->base = base;
	out->offset = offset;
	return 0;
}

/* The 12-bit signed immediates of the I (loads) and S (stores) formats. */
static int64_t imm_i(uint32_t insn)
{
	return (int64_t)(int32_t)insn >> 20;
}

static int64_t imm_s(uint32_t insn)
{
	return (int64_t)((int32_t)(insn & 0xfe000000u) >> 20) | bits(insn, 11, 7);
}

/* A load or store no device can complete (FP, vector, atomic). */
static int refuse(const char **why, const char *what)
{
	if (why)
		*why = what;
	return -KEEL_EINVAL;
}

/* An instruction that accesses no memory at all (or a reserved encoding,
 * which traps as illegal before it could access anything). */
static int no_access(const char **why, const char *what)
{
	if (why)
		*why = what;
	return -KEEL_ENOENT;
}

static int decode_32(uint32_t insn, struct riscv_mmio_insn *out, const char **why)
{
	unsigned int funct3 = bits(insn, 14, 12);
	unsigned int rd = bits(insn, 11, 7);
	unsigned int rs2 = bits(insn, 24, 20);
	unsigned int rs1 = bits(insn, 19, 15);

	switch (bits(insn, 6, 0)) {
	case OPCODE_LOAD:
		/* funct3: LB LH LW LD LBU LHU LWU; 7 is reserved. */
		if (funct3 == 7)
			return no_access(why, "reserved load encoding");
		return set(out, 4, 1u << (funct3 & 3), false, funct3 < 3, rd, rs1, imm_i(insn));
	case OPCODE_STORE:
		/* funct3: SB SH SW SD; 4 and above are reserved. */
		if (funct3 > 3)
			return no_access(why, "reserved store encoding");
		return set(out, 4, 1u << funct3, true, false, rs2, rs1, imm_s(insn));
	case OPCODE_LOAD_FP:
		return refuse(why, funct3 >= 1 && funct3 <= 4 ? "floating-point load"
							      : "vector load");
	case OPCODE_STORE_FP:
		return refuse(why, funct3 >= 1 && funct3 <= 4 ? "floating-point store"
							      : "vector store");
	case OPCODE_AMO:
		return refuse(why, "atomic (LR/SC/AMO)");
	default:
		return no_access(why, "not a load or store");
	}
}

/* Register fields of the CL/CS formats name x8..x15. */
static unsigned int creg(unsigned int field)
{
	return 8 + field;
}

/* The zero-extended offsets of the compressed loads and stores, scaled
 * by their size ("C" chapter, CL/CS/CI/CSS formats). */
static int64_t cl_offset_w(uint16_t insn)       /* C.LW, C.SW: uimm[5:3|2|6] */
{
	return bits(insn, 12, 10) << 3 | bits(insn, 6, 6) << 2 | bits(insn, 5, 5) << 6;
}

static int64_t cl_offset_d(uint16_t insn)       /* C.LD, C.SD: uimm[5:3|7:6] */
{
	return bits(insn, 12, 10) << 3 | bits(insn, 6, 5) << 6;
}

static int64_t ci_offset_w(uint16_t insn)       /* C.LWSP: uimm[5|4:2|7:6] */
{
	return bits(insn, 12, 12) << 5 | bits(insn, 6, 4) << 2 | bits(insn, 3, 2) << 6;
}

static int64_t ci_offset_d(uint16_t insn)       /* C.LDSP: uimm[5|4:3|8:6] */
{
	return bits(insn, 12, 12) << 5 | bits(insn, 6, 5) << 3 | bits(insn, 4, 2) << 6;
}

static int64_t css_offset_w(uint16_t insn)      /* C.SWSP: uimm[5:2|7:6] */
{
	return bits(insn, 12, 9) << 2 | bits(insn, 8, 7) << 6;
}

static int64_t css_offset_d(uint16_t insn)      /* C.SDSP: uimm[5:3|8:6] */
{
	return bits(insn, 12, 10) << 3 | bits(insn, 9, 7) << 6;
}

#define REG_SP 2

static int decode_16(uint16_t insn, struct riscv_mmio_insn *out, const char **why)
{
	unsigned int funct3 = bits(insn, 15, 13);
	unsigned int rd_full = bits(insn, 11, 7);
	unsigned int rs1c = creg(bits(insn, 9, 7));
	unsigned int rc = creg(bits(insn, 4, 2));

	switch (bits(insn, 1, 0)) {
	case 0: /* quadrant 0: CL/CS, rd'/rs2' in bits 4:2, rs1' in 9:7 */
		switch (funct3) {
		case 2: return set(out, 2, 4, false, true, rc, rs1c, cl_offset_w(insn));  /* C.LW */
		case 3: return set(out, 2, 8, false, false, rc, rs1c, cl_offset_d(insn)); /* C.LD */
		case 6: return set(out, 2, 4, true, false, rc, rs1c, cl_offset_w(insn));  /* C.SW */
		case 7: return set(out, 2, 8, true, false, rc, rs1c, cl_offset_d(insn));  /* C.SD */
		case 1: return refuse(why, "compressed floating-point load (C.FLD)");
		case 5: return refuse(why, "compressed floating-point store (C.FSD)");
		default: return no_access(why, "not a load or store");
		}
	case 2: /* quadrant 2: stack-pointer based */
		switch (funct3) {
		case 2: /* C.LWSP; rd = 0 is reserved */
			if (!rd_full)
				return no_access(why, "reserved C.LWSP encoding (rd = x0)");
			return set(out, 2, 4, false, true, rd_full, REG_SP, ci_offset_w(insn));
		case 3: /* C.LDSP; rd = 0 is reserved */
			if (!rd_full)
				return no_access(why, "reserved C.LDSP encoding (rd = x0)");
			return set(out, 2, 8, false, false, rd_full, REG_SP, ci_offset_d(insn));
		case 6: /* C.SWSP */
			return set(out, 2, 4, true, false, bits(insn, 6, 2), REG_SP, css_offset_w(insn));
		case 7: /* C.SDSP */
			return set(out, 2, 8, true, false, bits(insn, 6, 2), REG_SP, css_offset_d(insn));
		case 1: return refuse(why, "compressed floating-point load (C.FLDSP)");
		case 5: return refuse(why, "compressed floating-point store (C.FSDSP)");
		default: return no_access(why, "not a load or store");
		}
	default: /* quadrant 1 has no memory access */
		return no_access(why, "not a load or store");
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
		return no_access(why, "instruction longer than 32 bits");
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
