// SPDX-License-Identifier: GPL-2.0-only
/*
 * The G-stage mode of a riscv64 guest: Sv39x4 (41-bit guest-physical
 * space, three levels) unless its RAM reaches above 2 TiB, then Sv48x4
 * (50 bits, four levels) where the harts have it. Smaller is better: one
 * level less for every TLB miss.
 */
#include <keel/errno.h>
#include <lib/format.h>

#include "gstage_mode.h"

#define SV39X4_GPA_BITS 41
#define SV48X4_GPA_BITS 50

int riscv_gstage_mode_pick(gpa_t ram_end, bool have_sv48x4, struct riscv_gstage_mode *mode,
			   char *why, size_t why_len)
{
	mode->hgatp_mode = RISCV_HGATP_MODE_SV39X4;
	mode->levels = 3;
	mode->gpa_limit = 1ULL << SV39X4_GPA_BITS;
	if (ram_end <= mode->gpa_limit)
		return 0;
	if (ram_end > 1ULL << SV48X4_GPA_BITS) {
		fmt_snprintf(why, why_len, "RAM up to 0x%llx is beyond the largest G-stage "
			     "space (Sv48x4, 50 bits)", (unsigned long long)ram_end);
		return -KEEL_ERANGE;
	}
	if (!have_sv48x4) {
		fmt_snprintf(why, why_len,
			     "RAM up to 0x%llx needs Sv48x4 G-stage translation, which this "
			     "host's harts lack; keep guest RAM below 0x%llx (2 TiB)",
			     (unsigned long long)ram_end, (unsigned long long)mode->gpa_limit);
		return -KEEL_ERANGE;
	}
	mode->hgatp_mode = RISCV_HGATP_MODE_SV48X4;
	mode->levels = 4;
	mode->gpa_limit = 1ULL << SV48X4_GPA_BITS;
	return 0;
}
