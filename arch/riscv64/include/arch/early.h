/* SPDX-License-Identifier: GPL-2.0-only */
/* What boot/early.c found in the host device tree before Keel's boot began. */
#ifndef ARCH_RISCV64_EARLY_H
#define ARCH_RISCV64_EARLY_H

#include <stdbool.h>

#define RISCV_ISA_STRING_MAX 128

/* The boot hart's "riscv,isa" (harts are assumed alike, as on QEMU virt). */
struct riscv_isa {
	bool known;           /* the boot hart's node had a riscv,isa */
	bool h;               /* hypervisor extension */
	bool sstc;            /* stimecmp / vstimecmp */
	char string[RISCV_ISA_STRING_MAX];
};

extern struct riscv_isa riscv_isa;

#endif
