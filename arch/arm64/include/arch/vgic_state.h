/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vCPU's GICv3 virtual CPU interface while it is not on a host CPU
 * (virt/vgic.c): the list-register images the emulated GIC fills and
 * reads back (emulators/irqchip/vgicv3.h), and the ICH_* state the guest
 * changes through its ICC_* registers (priority mask, group enables,
 * active priorities). All zero is the power-on state.
 */
#ifndef ARCH_ARM64_VGIC_STATE_H
#define ARCH_ARM64_VGIC_STATE_H

#include <keel/types.h>
#include <irqchip/vgicv3.h>

struct arm64_vgic_cpu {
	struct vgic_lr lrs[VGIC_MAX_LRS];  /* image of ICH_LR<n>_EL2 */
	unsigned int nr_lrs;               /* ICH_VTR_EL2.ListRegs + 1 */
	uint32_t lrs_used;                 /* written at the last entry */
	uint64_t vmcr;                     /* ICH_VMCR_EL2 */
	uint32_t ap0r[4];                  /* ICH_AP0R<n>_EL2 */
	uint32_t ap1r[4];                  /* ICH_AP1R<n>_EL2 */
	uint64_t hcr;                      /* ICH_HCR_EL2 of the last entry */
};

#endif
