/* SPDX-License-Identifier: GPL-2.0-only */
/* A guest's G-stage translation: none in this build (mmu/gstage.c refuses). */
#ifndef ARCH_RISCV64_STAGE2_H
#define ARCH_RISCV64_STAGE2_H

struct riscv64_gstage {
	unsigned int unused;
};

#endif
