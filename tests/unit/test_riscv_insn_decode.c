/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64 MMIO instruction decoder (arch/riscv64/virt/insn_decode.c,
 * built here as it is in Keel): every integer load and store of RV64GC in
 * both lengths (width, register, and the base register and offset of the
address), with the encodings taken from the GNU assembler's output,
 * and the refusals that name what a guest aimed at a device.
 */
#include <keel/errno.h>
#include <string.h>
#include "../../arch/riscv64/virt/insn_decode.c"
#include "unit.h"

struct decode_case {
	const char *text;       /* what the assembler was given */
	uint32_t insn;
	unsigned int len, size;
	bool write, sign_extend;
	unsigned int reg;
	unsigned int base;      /* the address: x[base] + offset */
	int64_t offset;
};

static const struct decode_case decode_cases[] = {
	{ "lb a0,0(a1)", 0x00058503, 4, 1, false, true, 10, 11, 0 },
	{ "lh t0,-4(s0)", 0xffc41283, 4, 2, false, true, 5, 8, -4 },
	{ "lw s1,8(a5)", 0x0087a483, 4, 4, false, true, 9, 15, 8 },
	{ "ld ra,16(sp)", 0x01013083, 4, 8, false, false, 1, 2, 16 },
	{ "lbu t6,1(t5)", 0x001f4f83, 4, 1, false, false, 31, 30, 1 },
	{ "lhu zero,2(a0)", 0x00255003, 4, 2, false, false, 0, 10, 2 },
	{ "lwu t6,2047(t5)", 0x7fff6f83, 4, 4, false, false, 31, 30, 2047 },
	{ "sb a2,0(a3)", 0x00c68023, 4, 1, true, false, 12, 13, 0 },
	{ "sh t6,-2048(ra)", 0x81f09023, 4, 2, true, false, 31, 1, -2048 },
	{ "sw zero,4(a0)", 0x00052223, 4, 4, true, false, 0, 10, 4 },
	{ "sd s11,8(s10)", 0x01bd3423, 4, 8, true, false, 27, 26, 8 },
	{ "c.lw a0,4(a1)", 0x41c8, 2, 4, false, true, 10, 11, 4 },
	{ "c.ld s0,8(a5)", 0x6780, 2, 8, false, false, 8, 15, 8 },
	{ "c.sw a4,0(s1)", 0xc098, 2, 4, true, false, 14, 9, 0 },
	{ "c.sd a5,248(a3)", 0xfefc, 2, 8, true, false, 15, 13, 248 },
	{ "c.lwsp ra,12(sp)", 0x40b2, 2, 4, false, true, 1, 2, 12 },
	{ "c.ldsp t6,504(sp)", 0x7ffe, 2, 8, false, false, 31, 2, 504 },
	{ "c.swsp zero,4(sp)", 0xc202, 2, 4, true, false, 0, 2, 4 },
	{ "c.sdsp t6,8(sp)", 0xe47e, 2, 8, true, false, 31, 2, 8 },
	{ "c.lw a0,124(a1)", 0x5de8, 2, 4, false, true, 10, 11, 124 },
	{ "c.sw a4,124(s1)", 0xdcf8, 2, 4, true, false, 14, 9, 124 },
	{ "c.ld s0,248(a5)", 0x7fe0, 2, 8, false, false, 8, 15, 248 },
	{ "c.lwsp ra,252(sp)", 0x50fe, 2, 4, false, true, 1, 2, 252 },
	{ "c.swsp a0,252(sp)", 0xdfaa, 2, 4, true, false, 10, 2, 252 },
	{ "c.sdsp t6,504(sp)", 0xfffe, 2, 8, true, false, 31, 2, 504 },
	{ "sw a0,-1(t0)", 0xfea2afa3, 4, 4, true, false, 10, 5, -1 },
	{ "sd a0,2047(t0)", 0x7ea2bfa3, 4, 8, true, false, 10, 5, 2047 },
};

TEST(riscv_insn_decode_reads_every_integer_load_and_store)
{
	for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		struct riscv_mmio_insn d;
		const char *why = NULL;

		memset(&d, 0xa5, sizeof(d));
		if (!CHECK_EQ(riscv_insn_decode_mmio(c->insn, &d, &why), 0)) {
			CHECK_STR_EQ(c->text, "decoded");
			continue;
		}
		if (!(CHECK_EQ(d.len, c->len) && CHECK_EQ(d.size, c->size) &&
		      CHECK_EQ(d.write, c->write) && CHECK_EQ(d.sign_extend, c->sign_extend) &&
		      CHECK_EQ(d.reg, c->reg) && CHECK_EQ(d.base, c->base) &&
		      CHECK_EQ(d.offset, c->offset)))
			CHECK_STR_EQ(c->text, "as expected");
	}
}

TEST(riscv_insn_decode_ignores_the_halfword_after_a_compressed_one)
{
	struct riscv_mmio_insn d;

	/* The fetch reads 4 bytes only when the first 2 say so; what follows
	 * a compressed instruction is the next instruction, not part of it. */
	REQUIRE(riscv_insn_decode_mmio(0xffff0000u | 0x41c8, &d, NULL) == 0);
	CHECK_EQ(d.len, 2);
	CHECK_EQ(d.size, 4);
	CHECK_EQ(d.reg, 10);
	CHECK_EQ(riscv_insn_length(0x41c8), 2);
	CHECK_EQ(riscv_insn_length(0x8503), 4);
}

struct refuse_case {
	uint32_t insn;
	const char *why;
};

/* Accesses no device can complete: -KEEL_EINVAL (the guest is stopped);
 * instructions that access no memory: -KEEL_ENOENT (what trapped was
 * replaced since; the guest retries). */
static bool accesses_memory(const char *why)
{
	return !strstr(why, "not a load or store") && !strstr(why, "reserved") &&
	       !strstr(why, "longer than 32 bits");
}

static const struct refuse_case refuse_cases[] = {
	{ 0x00052507, "floating-point load" },                     /* flw fa0,0(a0) */
	{ 0x0085b587, "floating-point load" },                     /* fld fa1,8(a1) */
	{ 0x00c62027, "floating-point store" },                    /* fsw fa2,0(a2) */
	{ 0x00d6b427, "floating-point store" },                    /* fsd fa3,8(a3) */
	{ 0x2508, "compressed floating-point load (C.FLD)" },      /* c.fld fa0,8(a0) */
	{ 0xa58c, "compressed floating-point store (C.FSD)" },     /* c.fsd fa1,8(a1) */
	{ 0x2622, "compressed floating-point load (C.FLDSP)" },    /* c.fldsp fa2,8(sp) */
	{ 0xa436, "compressed floating-point store (C.FSDSP)" },   /* c.fsdsp fa3,8(sp) */
	{ 0x02056087, "vector load" },                             /* vle32.v v1,(a0) */
	{ 0x02058127, "vector store" },                            /* vse8.v v2,(a1) */
	{ 0x08b6252f, "atomic (LR/SC/AMO)" },     /* amoswap.w a0,a1,(a2) */
	{ 0x1005b52f, "atomic (LR/SC/AMO)" },     /* lr.d a0,(a1) */
	{ 0x18b6252f, "atomic (LR/SC/AMO)" },     /* sc.w a0,a1,(a2) */
	{ 0x00150513, "not a load or store" },                     /* addi a0,a0,1 */
	{ 0x10002573, "not a load or store" },                     /* csrr a0,sstatus */
	{ 0x0505, "not a load or store" },                         /* c.addi a0,1 */
	{ 0x450d, "not a load or store" },                         /* c.li a0,3 */
	{ 0x0000, "not a load or store" },                         /* the defined illegal one */
	{ 0x00007003 | (10 << 7), "reserved load encoding" },      /* LOAD funct3 7 */
	{ 0x00004023, "reserved store encoding" },                 /* STORE funct3 4 */
	{ 0x4002, "reserved C.LWSP encoding (rd = x0)" },
	{ 0x6002, "reserved C.LDSP encoding (rd = x0)" },
	{ 0x0000001f, "instruction longer than 32 bits" },
	{ 0x0000003f, "instruction longer than 32 bits" },
};

TEST(riscv_insn_decode_names_what_it_refuses)
{
	for (size_t i = 0; i < sizeof(refuse_cases) / sizeof(refuse_cases[0]); i++) {
		struct riscv_mmio_insn d;
		const char *why = NULL;

		CHECK_EQ(riscv_insn_decode_mmio(refuse_cases[i].insn, &d, &why),
			 accesses_memory(refuse_cases[i].why) ? -KEEL_EINVAL : -KEEL_ENOENT);
		if (CHECK(why != NULL))
			CHECK_STR_EQ(why, refuse_cases[i].why);
	}
}

TEST(riscv_insn_decode_answers_every_16_bit_encoding)
{
	/* Every compressed encoding: decoded ones are sane, others named. */
	for (uint32_t insn = 0; insn < 0x10000; insn++) {
		struct riscv_mmio_insn d;
		const char *why = NULL;

		if ((insn & 3) == 3)
			continue;
		if (riscv_insn_decode_mmio(insn, &d, &why) == 0) {
			if (!(CHECK_EQ(d.len, 2) && CHECK(d.size == 4 || d.size == 8) &&
			      CHECK(d.reg < 32) && CHECK(d.base < 32) &&
			      CHECK(d.offset >= 0 && d.offset <= 504) &&
			      CHECK_EQ(d.offset % d.size, 0)))
				return;
		} else if (!CHECK(why != NULL)) {
			return;
		}
	}
}

/* A guest address space of one page at 0x1000 holding the bytes below. */
struct fetch_space {
	uint8_t page[0x1000];
	unsigned int reads;
};

static int fetch_read16(void *ctx, uint64_t va, uint16_t *out)
{
	struct fetch_space *s = ctx;

	s->reads++;
	if (va < 0x1000 || va + 2 > 0x2000)
		return -KEEL_EFAULT;
	*out = (uint16_t)(s->page[va - 0x1000] | s->page[va - 0x1000 + 1] << 8);
	return 0;
}

TEST(riscv_insn_fetch_reads_halfwords_as_the_length_asks)
{
	static struct fetch_space s;
	uint32_t insn = 0;

	memset(&s, 0, sizeof(s));
	/* lw s1,8(a5) at 0x1002 (2-byte aligned), c.lw a0,4(a1) at 0x1010. */
	s.page[2] = 0x83; s.page[3] = 0xa4; s.page[4] = 0x87; s.page[5] = 0x00;
	s.page[0x10] = 0xc8; s.page[0x11] = 0x41; s.page[0x12] = 0xff; s.page[0x13] = 0xff;
	REQUIRE(riscv_insn_fetch(0x1002, fetch_read16, &s, &insn) == 0);
	CHECK_EQ(insn, 0x0087a483);
	CHECK_EQ(s.reads, 2);
	s.reads = 0;
	REQUIRE(riscv_insn_fetch(0x1010, fetch_read16, &s, &insn) == 0);
	CHECK_EQ(insn, 0x41c8);
	CHECK_EQ(s.reads, 1);
}

TEST(riscv_insn_fetch_reports_a_fault_in_either_half)
{
	static struct fetch_space s;
	uint32_t insn = 0x12345678;

	memset(&s, 0, sizeof(s));
	/* A 4-byte instruction whose second half is on the next, unmapped page. */
	s.page[0xffe] = 0x03;
	s.page[0xfff] = 0x85;
	CHECK_EQ(riscv_insn_fetch(0x1ffe, fetch_read16, &s, &insn), -KEEL_EFAULT);
	CHECK_EQ(insn, 0x12345678);
	/* A compressed one there needs no second read. */
	s.page[0xffe] = 0xc8;
	s.page[0xfff] = 0x41;
	CHECK_EQ(riscv_insn_fetch(0x1ffe, fetch_read16, &s, &insn), 0);
	CHECK_EQ(insn, 0x41c8);
	CHECK_EQ(riscv_insn_fetch(0x3000, fetch_read16, &s, &insn), -KEEL_EFAULT);
}
