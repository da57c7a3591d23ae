/* SPDX-License-Identifier: GPL-2.0-only */
/* The register frame cpu/trap_entry.S saves on every trap taken to HS-mode. */
#ifndef ARCH_RISCV64_REGS_H
#define ARCH_RISCV64_REGS_H

/* Byte offsets, for trap_entry.S. x[n] is at 8 * n. */
#define REGS_SEPC 256
#define REGS_SSTATUS 264
#define REGS_SCAUSE 272
#define REGS_STVAL 280
#define REGS_HTVAL 288
#define REGS_HTINST 296
#define REGS_SIZE 304

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct riscv_regs {
	uint64_t x[32];      /* x[0] unused; x[2] is sp before the trap */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t htval;
	uint64_t htinst;
};

_Static_assert(offsetof(struct riscv_regs, sepc) == REGS_SEPC, "regs sepc");
_Static_assert(offsetof(struct riscv_regs, htinst) == REGS_HTINST, "regs htinst");
_Static_assert(sizeof(struct riscv_regs) == REGS_SIZE, "regs frame layout");
_Static_assert(REGS_SIZE % 16 == 0, "stack stays 16-byte aligned");

/* Called by trap_entry.S with the frame it saved. */
void riscv_trap(struct riscv_regs *regs);
#endif

#endif
