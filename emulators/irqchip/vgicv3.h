/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3 a guest sees: the distributor and one redistributor
 * per vCPU as MMIO regions, the interrupt state behind them, and the
 * arch-neutral list-register images through which the arch presents the
 * pending interrupts to its virtual CPU interface.
 *
 * The model: affinity routing only (no GICv2 compatibility), a single
 * security state (GICD_CTLR.DS = 1), no LPIs and no ITS. SGIs (INTID
 * 0-15) and PPIs (16-31) exist once per vCPU; SPIs (32 up) are shared.
 * Only group 1 interrupts are delivered: group 0 ones are kept pending.
 *
 * The arch part (arch/<arch>/virt) copies images to and from the hardware
 * list registers around each guest entry:
 *
 *   enter: vgic_vcpu_flush() fills free images, the arch writes them;
 *   exit:  the arch reads them back, vgic_vcpu_sync() accounts for what
 *          the guest acknowledged and completed.
 *
 * Between an exit and the next entry of a vCPU the images stay with the
 * arch unchanged; they are the truth for the interrupts they hold.
 */
#ifndef EMULATORS_IRQCHIP_VGICV3_H
#define EMULATORS_IRQCHIP_VGICV3_H

#include <keel/types.h>

struct guest;

/* Guest-physical layout (the same for every guest). */
#define VGIC_DIST_BASE 0x08000000ULL
#define VGIC_DIST_SIZE 0x10000ULL
#define VGIC_REDIST_BASE 0x080a0000ULL
#define VGIC_REDIST_STRIDE 0x20000ULL   /* RD frame + SGI frame */

#define VGIC_NR_SGIS 16
#define VGIC_NR_PRIVATE 32               /* SGIs and PPIs */
#define VGIC_MAX_SPIS 988                /* INTIDs 32..1019 */
#define VGIC_MAX_VCPUS 16                /* Aff0 0..15, one SGI target list */
#define VGIC_MAX_LRS 16

/* Private interrupts Keel itself raises. */
#define VGIC_INTID_MAINTENANCE 25
#define VGIC_INTID_VTIMER 27
#define VGIC_INTID_PTIMER 30

/* What an interrupt of a list register is doing. */
#define VGIC_LR_INVALID 0
#define VGIC_LR_PENDING 1
#define VGIC_LR_ACTIVE 2
#define VGIC_LR_PENDING_ACTIVE 3

/* One list register, arch-neutral. */
struct vgic_lr {
	uint32_t intid;
	uint8_t priority;
	uint8_t state;          /* VGIC_LR_*: 0 invalid (free) */
	bool eoi_notify;        /* level-triggered: ask for a maintenance
				 * interrupt when the guest completes it */
};

struct vgic;

/*
 * Creates the GIC of guest g for vcpu_count vCPUs (1..VGIC_MAX_VCPUS and
 * at most GUEST_MAX_VCPUS) and spi_count shared interrupts (at most
 * VGIC_MAX_SPIS) in its power-on state, and adds the distributor and each
 * vCPU's redistributor to g->mmio. NULL on failure (logged), with nothing
 * left in g->mmio.
 */
struct vgic *vgic_create(struct guest *g, unsigned int vcpu_count,
			 unsigned int spi_count);
/* Removes the regions from g->mmio (if still there) and frees vgic. */
void vgic_destroy(struct vgic *vgic);
/* Power-on state: everything disabled, idle, priority 0, group 1, SPIs
 * level-triggered and routed to vCPU 0; redistributors asleep. Nothing is
 * left in any list register (stale images are dropped by the next flush
 * or sync). */
void vgic_reset(struct vgic *vgic);

/* ---- injection (any CPU, any context) ---- */

/* Drives the line of SPI intid (32..): level-triggered SPIs are pending
 * while it is high, edge-triggered ones latch a rising edge. */
void vgic_set_spi_level(struct vgic *vgic, unsigned int intid, bool level);
/* Drives the line of PPI intid (16..31) of vCPU vcpu_id, as
 * vgic_set_spi_level() does for an SPI: the timers' outputs. */
void vgic_set_private_level(struct vgic *vgic, unsigned int vcpu_id,
			    unsigned int intid, bool level);
/* Makes private interrupt intid (< 32) of vCPU vcpu_id pending, as an
 * edge. */
void vgic_inject_private(struct vgic *vgic, unsigned int vcpu_id,
			 unsigned int intid);
/* A guest write of ICC_SGI1R_EL1 (ASGI1R and SGI0R too) by vCPU
 * src_vcpu: INTID [27:24], Aff3 [55:48], Aff2 [39:32], Aff1 [23:16],
 * RS [47:44], TargetList [15:0], IRM [40] = every vCPU but the sender.
 * vCPU n has affinity 0.0.0.n. Each SGI raised counts as one interrupt
 * the guest raised for itself. */
void vgic_send_sgi(struct vgic *vgic, unsigned int src_vcpu, uint64_t sgi1r);

/* True when vCPU vcpu_id has an enabled group 1 interrupt pending (in a
 * list register or waiting for one): a WFI ends. */
bool vgic_vcpu_pending(struct vgic *vgic, unsigned int vcpu_id);

/* ---- list registers (the arch, on the vCPU's CPU, around entries) ---- */

/*
 * Before entry: fills free (invalid) images with the highest-priority
 * deliverable interrupts of vcpu_id not yet in a list register, and
 * updates the images it already holds (a new edge on an active
 * interrupt, pending cleared by the guest through the distributor).
 * *underflow is set when more are waiting than fitted: the arch asks for
 * a maintenance interrupt when the list registers (nearly) empty.
 */
void vgic_vcpu_flush(struct vgic *vgic, unsigned int vcpu_id,
		     struct vgic_lr *lrs, unsigned int nr_lrs, bool *underflow);
/*
 * After exit, with the images read back from the list registers: an
 * image that became invalid was completed by the guest (its slot is
 * freed; a level-triggered interrupt whose line is still high is pending
 * again); an active one is recorded as active and keeps its slot.
 */
void vgic_vcpu_sync(struct vgic *vgic, unsigned int vcpu_id,
		    struct vgic_lr *lrs, unsigned int nr_lrs);

#endif
