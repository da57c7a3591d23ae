/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The riscv64-private parts of struct vcpu and struct guest. This build
 * runs no guests yet (cpu/vcpu.c refuses to create one): the parts hold
 * nothing. The guest side (VS-mode world switch, G-stage, exits, SBI for
 * guests, virtual interrupts and timer) replaces this file, cpu/vcpu.c,
 * mmu/gstage.c and arch/stage2.h, arch/virt.h.
 */
#ifndef ARCH_RISCV64_VCPU_H
#define ARCH_RISCV64_VCPU_H

#include <arch/stage2.h>

struct arch_vcpu {
	unsigned int unused;
};

struct arch_guest {
	struct riscv64_gstage gstage;
};

#endif
