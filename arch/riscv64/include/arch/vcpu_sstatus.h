/* SPDX-License-Identifier: GPL-2.0-only */
/* The sstatus a guest is entered with (pure, so that unit tests see it). */
#ifndef ARCH_RISCV64_VCPU_SSTATUS_H
#define ARCH_RISCV64_VCPU_SSTATUS_H

#include <stdint.h>
#include "csr.h"

/*
 * From Keel's own sstatus (host): sret into VS (spp = SSTATUS_SPP) or VU
 * (0) with interrupts as they were, FS usable and clean, so that a run
 * that writes an FP register shows as dirty, and VS off: the vector
 * registers are not switched between vCPUs, so with VS off every vector
 * instruction is illegal in the guest (the H extension honours both
 * sstatus.VS and vsstatus.VS while V = 1), as its ISA string, which has
 * no V, says. The firmware may have left VS on for Keel (OpenSBI does on
 * a hart with V).
 */
static inline uint64_t riscv_vcpu_entry_sstatus(uint64_t host, uint64_t spp)
{
	return (host & ~(SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE | SSTATUS_FS | SSTATUS_VS)) |
	       (spp & SSTATUS_SPP) | SSTATUS_FS_CLEAN;
}

#endif
