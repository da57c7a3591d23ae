/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The RISC-V ISA string (arch/riscv64/virt/guest_isa.c): what Keel reads
 * out of a host hart's "riscv,isa", and what riscv64 guests are offered
 * for a given host.
 */
#include <string.h>
#include "../../arch/riscv64/virt/guest_isa.h"
#include "unit.h"

#define RV64GC (RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(F) | \
		RISCV_EXT(D) | RISCV_EXT(C) | RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI))

TEST(riscv_isa_parse_reads_letters_and_words)
{
	/* QEMU 7.2's rv64 with H and Sstc. */
	CHECK_EQ(riscv_isa_parse("rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc"),
		 RV64GC | RISCV_EXT(H) | RISCV_EXT(ZIHINTPAUSE) | RISCV_EXT(ZBA) |
		 RISCV_EXT(ZBB) | RISCV_EXT(ZBC) | RISCV_EXT(ZBS) | RISCV_EXT(SSTC));
	/* G, either case, versions, a first word straight after the letters,
	 * names Keel does not know. */
	CHECK_EQ(riscv_isa_parse("RV64GCV"), RV64GC | RISCV_EXT(V));
	CHECK_EQ(riscv_isa_parse("rv64i2p1m2p0a2p1c2p0_zba1p0_xfoo_svinval"),
		 RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(C) |
		 RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI) | RISCV_EXT(ZBA));
	CHECK_EQ(riscv_isa_parse("rv64imaczbb_sstc"),
		 RISCV_EXT(I) | RISCV_EXT(M) | RISCV_EXT(A) | RISCV_EXT(C) |
		 RISCV_EXT(ZICSR) | RISCV_EXT(ZIFENCEI) | RISCV_EXT(ZBB) | RISCV_EXT(SSTC));
	/* A word is a whole word: "sstcx" and "zb" are not Sstc and Zbb. */
	CHECK_EQ(riscv_isa_parse("rv64i_sstcx_zb__"), RISCV_EXT(I) | RISCV_EXT(ZICSR) |
		 RISCV_EXT(ZIFENCEI));
	/* Not RV64. */
	CHECK_EQ(riscv_isa_parse("rv32imafdc"), 0);
	CHECK_EQ(riscv_isa_parse("rv6"), 0);
	CHECK_EQ(riscv_isa_parse(""), 0);
	CHECK_EQ(riscv_isa_parse(NULL), 0);
}

TEST(riscv_guest_isa_offers_what_the_host_has_and_keel_can_give)
{
	const uint64_t qemu = riscv_isa_parse(
		"rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");

	/* Until told, RV64GC. */
	CHECK_STR_EQ(riscv_guest_isa(), "rv64imafdc_zicsr_zifencei");

	/* Never H or V; Sstc only where vstimecmp works. */
	riscv_guest_isa_offer(qemu | RISCV_EXT(V), true);
	CHECK_STR_EQ(riscv_guest_isa(),
		     "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
	CHECK_EQ(riscv_guest_isa_exts() & (RISCV_EXT(H) | RISCV_EXT(V)), 0);
	riscv_guest_isa_offer(qemu, false);
	CHECK_STR_EQ(riscv_guest_isa(), "rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs");
	CHECK_EQ(riscv_guest_isa_exts() & RISCV_EXT(SSTC), 0);

	/* Working vstimecmp is not Sstc the host did not name; what the
	 * host lacks is not offered. */
	riscv_guest_isa_offer(riscv_isa_parse("rv64imach"), true);
	CHECK_STR_EQ(riscv_guest_isa(), "rv64imac_zicsr_zifencei");

	/* The harts' common part (boot/early.c ANDs them). */
	riscv_guest_isa_offer(qemu & riscv_isa_parse("rv64imafdch_zba_sstc"), true);
	CHECK_STR_EQ(riscv_guest_isa(), "rv64imafdc_zicsr_zifencei_zba_sstc");

	riscv_guest_isa_offer(riscv_isa_parse("rv64imafdc"), false);
	CHECK_STR_EQ(riscv_guest_isa(), "rv64imafdc_zicsr_zifencei");
}
