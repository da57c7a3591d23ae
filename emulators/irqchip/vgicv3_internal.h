/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private to the emulated GICv3 (emulators/irqchip/vgicv3*.c): the state
 * behind the registers, and the helpers every part of it needs. The
 * emulation is split by concern (life cycle and injection, distributor,
 * redistributors, list registers); they share one lock and one state, and
 * this header is where that state is described. Nothing outside
 * emulators/irqchip includes it: the rest of Keel sees vgicv3.h only.
 *
 * Each interrupt has a pending latch (an edge, an injection or a software
 * pend), an input line (SPIs and the timer PPIs; level-sensitive ones
 * are pending while it is high), an active bit and its configuration. An interrupt the arch holds
 * in a list register belongs to that vCPU's image until the guest
 * completes it or a flush takes it back; the image is then the truth about
 * its pending and active state. Filling an image consumes the latch (the
 * guest's acknowledge is what ends it); taking an image back restores it.
 * A level-sensitive interrupt with a line asks for a maintenance interrupt
 * on completion, so that a line still high makes it pending again at once.
 *
 * One spinlock per vgic guards all of it: every helper here expects it
 * held. vCPUs are kicked and self-raised interrupts are counted after it
 * is released (struct vgic_after, vgic_after_run()).
 */
#ifndef EMULATORS_IRQCHIP_VGICV3_INTERNAL_H
#define EMULATORS_IRQCHIP_VGICV3_INTERNAL_H

#include <keel/emu.h>
#include <keel/spinlock.h>
#include <keel/types.h>
#include "vgicv3.h"
#include <hw/gicv3.h>

/* GICD_CTLR enable bits: the distributor and the helpers below read them. */

/* "K" for Keel, no JEP106 implementer claimed. */
#define VGIC_IIDR 0x4b000000u
#define VGIC_NO_VCPU 0xff
#define VGIC_SPI_WORDS ((VGIC_MAX_SPIS + 63) / 64)

struct vgic_irq {
	uint8_t priority;
	bool enabled;
	bool group1;
	bool edge;            /* edge-triggered, else level-sensitive */
	bool latch;           /* pending latch: an edge or a software pend */
	bool line;            /* input line (SPIs, timer PPIs; level ones pend while high) */
	bool active;          /* while not in a list register */
	uint8_t lr_vcpu;      /* whose list register image holds it */
	uint8_t lr_slot;
	uint8_t lr_state;     /* that image's state as of the last flush/sync */
	bool lr_latched;      /* the image's pending state came from the latch */
	bool lr_unpend;       /* ICPENDR hit it while in a list register */
	bool lr_deactivate;   /* ICACTIVER hit it while in a list register */
	uint8_t target;       /* SPIs: the vCPU it is routed to */
	uint64_t irouter;     /* SPIs: GICD_IROUTER as written */
};

struct vgic_cpu {
	struct vgic *vgic;
	unsigned int id;
	bool asleep;                          /* GICR_WAKER.ProcessorSleep */
	struct vgic_irq irqs[VGIC_NR_PRIVATE];
	char name[32];                        /* of its MMIO region */
};

struct vgic {
	struct guest *guest;
	spinlock_t lock;
	unsigned int vcpu_count;
	unsigned int spi_count;
	uint32_t ctlr;                        /* EnableGrp0 | EnableGrp1 */
	struct vgic_irq *spis;                /* INTID 32 + index */
	/* SPIs that may be pending, active or in a list register: a superset,
	 * trimmed by the scans that walk it. */
	uint64_t spi_busy[VGIC_SPI_WORDS];
	struct vgic_cpu cpus[VGIC_MAX_VCPUS];
};

_Static_assert(VGIC_MAX_VCPUS <= 32, "kick masks are 32 bits");

/* What an operation leaves to do once the lock is released. */
struct vgic_after {
	uint32_t kick;                        /* vCPUs to kick, by bit */
	unsigned int self_irqs;               /* for guest_count_self_irq() */
};

/* The MMIO callbacks of the distributor (state: the struct vgic) and of a
 * redistributor (state: its struct vgic_cpu). */
extern const struct mmio_ops vgic_dist_ops;
extern const struct mmio_ops vgic_redist_ops;

/* Kicks the vCPUs and counts the self-raised interrupts after recorded;
 * called with the lock released. */
void vgic_after_run(struct vgic *vgic, const struct vgic_after *after);

/*
 * The registers the distributor and a redistributor's SGI frame share
 * (IGROUPR to NSACR), for the interrupts of cpu (NULL: the distributor's
 * SPIs). Returns 1 when offset is not one of them, else 0 or -KEEL_EINVAL.
 */
int vgic_irq_reg_access(struct vgic *vgic, struct vgic_cpu *cpu,
			uint64_t offset, unsigned int size, bool write,
			uint64_t *value, struct vgic_after *after);
/* Accesses to reserved offsets, or to registers this GIC does not have:
 * RAZ/WI for 32- and 64-bit aligned accesses, else -KEEL_EINVAL. */
int vgic_reserved_access(uint64_t offset, unsigned int size, uint64_t *value);
/* PIDR2 and the component id registers CIDR0-3 at the top of a frame;
 * the rest of the identification block reads as 0. */
uint32_t vgic_id_register(uint64_t offset);

/* ---- interrupt state (lock held) ---- */

/* A 4-byte access (or a 1-byte one where byte_ok), naturally aligned. */
static inline bool vgic_valid_width(uint64_t offset, unsigned int size,
				    bool byte_ok)
{
	if (size != 4 && !(size == 1 && byte_ok))
		return false;
	return (offset & (size - 1)) == 0;
}

/* The interrupt intid as seen by vCPU cpu (NULL: the distributor, which
 * has SPIs only), or NULL when there is none. */
static inline struct vgic_irq *vgic_irq_at(struct vgic *vgic,
					   struct vgic_cpu *cpu,
					   unsigned int intid)
{
	if (cpu)
		return intid < VGIC_NR_PRIVATE ? &cpu->irqs[intid] : NULL;
	if (intid < VGIC_NR_PRIVATE || intid - VGIC_NR_PRIVATE >= vgic->spi_count)
		return NULL;
	return &vgic->spis[intid - VGIC_NR_PRIVATE];
}

/* The interrupt intid of vCPU vcpu_id (private) or shared. */
static inline struct vgic_irq *vgic_irq_of(struct vgic *vgic,
					   unsigned int vcpu_id,
					   unsigned int intid)
{
	return vgic_irq_at(vgic, intid < VGIC_NR_PRIVATE ? &vgic->cpus[vcpu_id] : NULL,
			   intid);
}

static inline bool vgic_irq_is_spi(const struct vgic *vgic,
				   const struct vgic_irq *irq)
{
	return irq >= vgic->spis && irq < vgic->spis + vgic->spi_count;
}

/* An SPI may now be pending, active or held: the scans must look at it. */
static inline void vgic_mark_busy(struct vgic *vgic, struct vgic_irq *irq)
{
	if (vgic_irq_is_spi(vgic, irq)) {
		size_t index = (size_t)(irq - vgic->spis);

		vgic->spi_busy[index / 64] |= 1ULL << (index % 64);
	}
}

static inline bool vgic_irq_in_lr(const struct vgic_irq *irq)
{
	return irq->lr_vcpu != VGIC_NO_VCPU;
}

/* Pending outside any list register. */
static inline bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

/* The GIC would forward it to a CPU interface (group 1, enabled). Group 0
 * interrupts are kept but never delivered; guests run group 1. */
static inline bool vgic_irq_forwardable(const struct vgic *vgic,
					const struct vgic_irq *irq)
{
	return irq->enabled && irq->group1 && (vgic->ctlr & GICD_CTLR_ENABLE_G1);
}

static inline unsigned int vgic_irq_target(const struct vgic_cpu *cpu,
					   const struct vgic_irq *irq)
{
	return cpu ? cpu->id : irq->target;
}

/* Kicks the vCPU that would take irq if it is deliverable now, and the
 * vCPU holding it in a list register when that image must change. */
static inline void vgic_irq_note(const struct vgic *vgic,
				 const struct vgic_cpu *cpu,
				 const struct vgic_irq *irq,
				 struct vgic_after *after)
{
	unsigned int target = vgic_irq_target(cpu, irq);

	if (vgic_irq_in_lr(irq)) {
		after->kick |= 1u << irq->lr_vcpu;
		return;
	}
	if (target < vgic->vcpu_count && vgic_irq_forwardable(vgic, irq) &&
	    vgic_irq_pending(irq))
		after->kick |= 1u << target;
}

/* No list register image holds irq any more. */
static inline void vgic_lr_release(struct vgic_irq *irq)
{
	irq->lr_vcpu = VGIC_NO_VCPU;
	irq->lr_slot = 0;
	irq->lr_state = VGIC_LR_INVALID;
	irq->lr_latched = false;
	irq->lr_unpend = false;
	irq->lr_deactivate = false;
}

#endif
