/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hooks between the parts of riscv64 CPU virtualization. This build has
 * none: it runs no guests (cpu/vcpu.c).
 */
#ifndef ARCH_RISCV64_VIRT_H
#define ARCH_RISCV64_VIRT_H

/* The message every refused guest operation logs. */
#define RISCV64_NO_GUESTS "riscv64: running guests is not supported by this build yet"

#endif
