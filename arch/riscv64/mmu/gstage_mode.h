/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which G-stage mode a riscv64 guest gets (gstage_mode.c). Built for the
 * host fake too (arch/host/gstage_mode_riscv64.c), so unit tests check
 * the choice and the refusal on harts that lack Sv48x4.
 */
#ifndef RISCV64_MMU_GSTAGE_MODE_H
#define RISCV64_MMU_GSTAGE_MODE_H

#include <keel/types.h>

struct riscv_gstage_mode {
	uint64_t hgatp_mode;             /* hgatp.MODE, in place (bits 63:60) */
	unsigned int levels;             /* 3 (Sv39x4) or 4 (Sv48x4) */
	gpa_t gpa_limit;                 /* 2^41 or 2^50 */
};

#define RISCV_HGATP_MODE_SV39X4 (8ULL << 60)
#define RISCV_HGATP_MODE_SV48X4 (9ULL << 60)

/*
 * The smallest mode whose space holds RAM ending at ram_end: Sv39x4, or
 * Sv48x4 where have_sv48x4. 0, or -KEEL_ERANGE when no mode the harts
 * have will do (why gets a message to follow "guest <name>: ").
 */
int riscv_gstage_mode_pick(gpa_t ram_end, bool have_sv48x4, struct riscv_gstage_mode *mode,
			   char *why, size_t why_len);

#endif
