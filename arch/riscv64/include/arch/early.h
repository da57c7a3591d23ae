/* SPDX-License-Identifier: GPL-2.0-only */
/* What boot/early.c found in the host device tree before Keel's boot began. */
#ifndef ARCH_RISCV64_EARLY_H
#define ARCH_RISCV64_EARLY_H

#include <stdbool.h>
#include <stdint.h>

#define RISCV_ISA_STRING_MAX 128

/* The host harts' ISA: the boot hart's "riscv,isa", and the extensions
 * (riscv64/virt/guest_isa.h) every enabled hart has. */
struct riscv_isa {
	bool known;           /* the boot hart's node had a riscv,isa */
	bool h;               /* hypervisor extension */
	bool sstc;            /* stimecmp / vstimecmp, on every hart */
	uint64_t exts;        /* RISCV_EXT() bits every hart has */
	char string[RISCV_ISA_STRING_MAX];
};

extern struct riscv_isa riscv_isa;

#endif
