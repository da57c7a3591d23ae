/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The G-stage mode a riscv64 guest gets (arch/riscv64/mmu/gstage_mode.c):
 * Sv39x4 while its RAM stays within 2 TiB, Sv48x4 above where the harts
 * have it, and a refusal that says what to change where they do not.
 */
#include <keel/errno.h>
#include <string.h>
#include "../../arch/riscv64/mmu/gstage_mode.h"
#include "unit.h"

TEST(riscv_gstage_mode_is_sv39x4_until_2_tib_then_sv48x4)
{
	struct riscv_gstage_mode m;
	char why[160] = "";

	CHECK_EQ(riscv_gstage_mode_pick(0x90000000, true, &m, why, sizeof(why)), 0);
	CHECK_EQ(m.hgatp_mode, 8ULL << 60);
	CHECK_EQ(m.levels, 3);
	CHECK_EQ(m.gpa_limit, 1ULL << 41);
	/* RAM ending exactly at 2 TiB still fits. */
	CHECK_EQ(riscv_gstage_mode_pick(1ULL << 41, false, &m, why, sizeof(why)), 0);
	CHECK_EQ(m.levels, 3);

	CHECK_EQ(riscv_gstage_mode_pick((1ULL << 41) + 0x1000, true, &m, why, sizeof(why)), 0);
	CHECK_EQ(m.hgatp_mode, 9ULL << 60);
	CHECK_EQ(m.levels, 4);
	CHECK_EQ(m.gpa_limit, 1ULL << 50);
	CHECK_EQ(riscv_gstage_mode_pick(1ULL << 50, true, &m, why, sizeof(why)), 0);
	CHECK_STR_EQ(why, "");
}

TEST(riscv_gstage_mode_refuses_ram_the_harts_cannot_reach)
{
	struct riscv_gstage_mode m;
	char why[160];

	CHECK_EQ(riscv_gstage_mode_pick(0x30000200000ULL, false, &m, why, sizeof(why)),
		 -KEEL_ERANGE);
	CHECK_STR_EQ(why, "RAM up to 0x30000200000 needs Sv48x4 G-stage translation, which "
		     "this host's harts lack; keep guest RAM below 0x20000000000 (2 TiB)");
	CHECK_EQ(riscv_gstage_mode_pick((1ULL << 50) + 0x1000, true, &m, why, sizeof(why)),
		 -KEEL_ERANGE);
}
