/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64-private parts of struct vcpu and struct guest. Each part has
 * its own header, owned by the code that uses it:
 *   cpu_context.h  registers, EL1 system registers, FP/SIMD (cpu/vcpu.c)
 *   stage2.h       stage-2 tables and VMID (mmu/stage2.c)
 *   vgic_state.h   list registers and virtual CPU interface (virt/vgic.c)
 *   vtimer_state.h virtual and emulated physical timers (virt/vtimer.c)
 */
#ifndef ARCH_ARM64_VCPU_H
#define ARCH_ARM64_VCPU_H

#include <arch/cpu_context.h>
#include <arch/stage2.h>
#include <arch/vgic_state.h>
#include <arch/vtimer_state.h>

struct arch_vcpu {
	struct arm64_cpu_context ctx;
	struct arm64_vgic_cpu vgic;
	struct arm64_vtimer vtimer;
	uint64_t mpidr;                 /* what the guest reads as MPIDR_EL1 */
};

struct arch_guest {
	struct arm64_stage2 stage2;
	struct vgic *vgic;              /* the emulated GICv3 (emulators/irqchip) */
	uint64_t cntvoff;               /* CNTVOFF_EL2 of every vCPU */
	uint64_t time_stopped_at;       /* counter when paused, 0 if running */
	uint32_t hidden_features_logged; /* a bit per hidden feature reported */
};

#endif
