/* SPDX-License-Identifier: GPL-2.0-only */
/* The register frame vectors.S saves on every exception taken to EL2. */
#ifndef ARCH_ARM64_REGS_H
#define ARCH_ARM64_REGS_H

#define REGS_SIZE 288
#define REGS_X30_SP 240
#define REGS_ELR_SPSR 256
#define REGS_ESR_FAR 272

#ifndef __ASSEMBLY__
#include <stdint.h>

struct arm64_regs {
	uint64_t x[31];
	uint64_t sp;   /* SP at the time of the exception */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct arm64_regs) == REGS_SIZE, "regs frame layout");

/* Vector numbers: group * 4 + type, as laid out in VBAR_EL2. */
enum arm64_vector {
	VECTOR_CUR_SP0_SYNC, VECTOR_CUR_SP0_IRQ, VECTOR_CUR_SP0_FIQ, VECTOR_CUR_SP0_SERROR,
	VECTOR_CUR_SPX_SYNC, VECTOR_CUR_SPX_IRQ, VECTOR_CUR_SPX_FIQ, VECTOR_CUR_SPX_SERROR,
	VECTOR_LOW64_SYNC, VECTOR_LOW64_IRQ, VECTOR_LOW64_FIQ, VECTOR_LOW64_SERROR,
	VECTOR_LOW32_SYNC, VECTOR_LOW32_IRQ, VECTOR_LOW32_FIQ, VECTOR_LOW32_SERROR,
};

void arm64_exception(struct arm64_regs *regs, unsigned long vector);
#endif

#endif
