/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3 (see vgicv3.h for the model). Arch-neutral: it sees
 * MMIO accesses and list-register images only, so it runs in host tests.
 *
 * Each interrupt has a pending latch (an edge, an injection or a software
 * pend), an input line (SPIs; level-sensitive ones are pending while it is
 * high), an active bit and its configuration. An interrupt the arch holds
 * in a list register belongs to that vCPU's image until the guest
 * completes it or a flush takes it back; the image is then the truth about
 * its pending and active state. Filling an image consumes the latch (the
 * guest's acknowledge is what ends it); taking an image back restores it.
 * A level-sensitive SPI asks for a maintenance interrupt on completion, so
 * that a line still high makes it pending again at once.
 *
 * Decisions worth knowing:
 * - SPIs with GICD_IROUTER.Interrupt_Routing_Mode = 1 ("any vCPU") go to
 *   vCPU 0. With mode 0 an affinity that names no vCPU routes nowhere:
 *   the SPI stays pending until rerouted (as on hardware).
 * - Group 0 interrupts are kept but never delivered; guests run group 1.
 * - The redistributors' GICR_WAKER only reports the sleep handshake; a
 *   sleeping redistributor still forwards interrupts.
 * - ISACTIVER writes for an interrupt held in a list register are ignored
 *   (the list register decides its active state).
 *
 * One spinlock per vgic. vCPUs are kicked and self-raised interrupts are
 * counted after it is released.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>
#include <lib/format.h>
#include <string.h>
#include "vgicv3.h"

_Static_assert(GUEST_MAX_VCPUS <= VGIC_MAX_VCPUS,
	       "vCPU affinities must fit one SGI target list");
_Static_assert(VGIC_MAX_VCPUS <= 32, "kick masks are 32 bits");

/* ---- register map ---- */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_IGRPMODR 0x0d00
#define GICD_NSACR 0x0e00
#define GICD_SGIR 0x0f00
#define GICD_CPENDSGIR 0x0f10
#define GICD_SPENDSGIR 0x0f20
#define GICD_IROUTER 0x6000
#define GICD_IROUTER_END 0x7fe0
#define GIC_PIDR2 0xffe8
#define GIC_CIDR0 0xfff0

#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)

#define GICD_TYPER_IDBITS(n) (((n) - 1u) << 19)
#define GICD_IROUTER_IRM (1ULL << 31)
#define GICD_IROUTER_MASK (GICD_IROUTER_IRM | 0xffffffULL) /* A3V = 0 */

#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_STATUSR 0x0010
#define GICR_WAKER 0x0014
#define GICR_SGI_FRAME 0x10000
#define GICR_TYPER_LAST (1ULL << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* "K" for Keel, no JEP106 implementer claimed. */
#define VGIC_IIDR 0x4b000000u
#define VGIC_PIDR2 0x38u             /* ArchRev 3 (GICv3), JEDEC id used */
#define VGIC_PRIORITY_MASK 0xf8u     /* 32 levels, as the CPU interface */
#define VGIC_NO_VCPU 0xff
#define VGIC_SPI_WORDS ((VGIC_MAX_SPIS + 63) / 64)

struct vgic_irq {
	uint8_t priority;
	bool enabled;
	bool group1;
	bool edge;            /* edge-triggered, else level-sensitive */
	bool latch;           /* pending latch: an edge or a software pend */
	bool line;            /* input line (SPIs; level ones pend while high) */
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

/* What an operation leaves to do once the lock is released. */
struct vgic_after {
	uint32_t kick;                        /* vCPUs to kick, by bit */
	unsigned int self_irqs;               /* for guest_count_self_irq() */
};

static const struct mmio_ops vgic_dist_ops;
static const struct mmio_ops vgic_redist_ops;

/* ---- interrupt state (lock held) ---- */

/* The interrupt intid as seen by vCPU cpu (NULL: the distributor, which
 * has SPIs only), or NULL when there is none. */
static struct vgic_irq *vgic_irq_at(struct vgic *vgic, struct vgic_cpu *cpu,
				    unsigned int intid)
{
	if (cpu)
		return intid < VGIC_NR_PRIVATE ? &cpu->irqs[intid] : NULL;
	if (intid < VGIC_NR_PRIVATE || intid - VGIC_NR_PRIVATE >= vgic->spi_count)
		return NULL;
	return &vgic->spis[intid - VGIC_NR_PRIVATE];
}

/* The interrupt intid of vCPU vcpu_id (private) or shared. */
static struct vgic_irq *vgic_irq_of(struct vgic *vgic, unsigned int vcpu_id,
				    unsigned int intid)
{
	return vgic_irq_at(vgic, intid < VGIC_NR_PRIVATE ? &vgic->cpus[vcpu_id] : NULL,
			   intid);
}

static bool vgic_irq_is_spi(struct vgic *vgic, const struct vgic_irq *irq)
{
	return irq >= vgic->spis && irq < vgic->spis + vgic->spi_count;
}

/* An SPI may now be pending, active or held: the scans must look at it. */
static void vgic_mark_busy(struct vgic *vgic, struct vgic_irq *irq)
{
	if (vgic_irq_is_spi(vgic, irq)) {
		size_t index = (size_t)(irq - vgic->spis);

		vgic->spi_busy[index / 64] |= 1ULL << (index % 64);
	}
}

static bool vgic_irq_in_lr(const struct vgic_irq *irq)
{
	return irq->lr_vcpu != VGIC_NO_VCPU;
}

/* Pending outside any list register. */
static bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

/* The GIC would forward it to a CPU interface (group 1, enabled). */
static bool vgic_irq_forwardable(const struct vgic *vgic,
				 const struct vgic_irq *irq)
{
	return irq->enabled && irq->group1 && (vgic->ctlr & GICD_CTLR_ENABLE_G1);
}

static unsigned int vgic_irq_target(const struct vgic_cpu *cpu,
				    const struct vgic_irq *irq)
{
	return cpu ? cpu->id : irq->target;
}

/* Kicks the vCPU that would take irq if it is deliverable now, and the
 * vCPU holding it in a list register when that image must change. */
static void vgic_irq_note(const struct vgic *vgic, const struct vgic_cpu *cpu,
			  const struct vgic_irq *irq, struct vgic_after *after)
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

static void vgic_lr_release(struct vgic_irq *irq)
{
	irq->lr_vcpu = VGIC_NO_VCPU;
	irq->lr_slot = 0;
	irq->lr_state = VGIC_LR_INVALID;
	irq->lr_latched = false;
	irq->lr_unpend = false;
	irq->lr_deactivate = false;
}

/* Where GICD_IROUTER value routes an SPI: vCPU n has affinity 0.0.0.n. */
static uint8_t vgic_route_target(const struct vgic *vgic, uint64_t irouter)
{
	unsigned int aff0 = (unsigned int)(irouter & 0xff);

	if (irouter & GICD_IROUTER_IRM)
		return 0;
	if ((irouter & 0xffff00) || aff0 >= vgic->vcpu_count)
		return VGIC_NO_VCPU;
	return (uint8_t)aff0;
}

static void vgic_irq_reset(struct vgic_irq *irq, bool edge)
{
	bool line = irq->line;   /* the device's, not the GIC's */

	*irq = (struct vgic_irq){
		.group1 = true, .edge = edge, .line = line, .target = 0,
	};
	vgic_lr_release(irq);
}

static void vgic_after_run(struct vgic *vgic, const struct vgic_after *after)
{
	struct guest *g = vgic->guest;

	for (unsigned int n = 0; n < vgic->vcpu_count; n++)
		if ((after->kick & (1u << n)) && g->vcpus[n])
			vcpu_kick(g->vcpus[n]);
	for (unsigned int i = 0; i < after->self_irqs; i++)
		guest_count_self_irq(g);
}

/* ---- life cycle ---- */

void vgic_reset(struct vgic *vgic)
{
	unsigned long flags = spin_lock_irqsave(&vgic->lock);

	vgic->ctlr = 0;
	for (unsigned int n = 0; n < vgic->vcpu_count; n++) {
		struct vgic_cpu *cpu = &vgic->cpus[n];

		cpu->asleep = true;
		/* SGIs are always edge-triggered; PPIs start level-sensitive. */
		for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++)
			vgic_irq_reset(&cpu->irqs[i], i < VGIC_NR_SGIS);
	}
	memset(vgic->spi_busy, 0, sizeof(vgic->spi_busy));
	for (unsigned int i = 0; i < vgic->spi_count; i++) {
		vgic_irq_reset(&vgic->spis[i], false);
		if (vgic->spis[i].line)
			vgic_mark_busy(vgic, &vgic->spis[i]);
	}
	spin_unlock_irqrestore(&vgic->lock, flags);
}

/* Takes every region of vgic out of its guest's MMIO table. */
static void vgic_unregister(struct vgic *vgic)
{
	struct mmio_table *table = &vgic->guest->mmio;
	unsigned int kept = 0;

	for (unsigned int i = 0; i < table->count; i++) {
		const struct mmio_region *r = &table->regions[i];
		bool mine = (r->ops == &vgic_dist_ops && r->state == vgic) ||
			    (r->ops == &vgic_redist_ops &&
			     r->state >= (void *)&vgic->cpus[0] &&
			     r->state < (void *)&vgic->cpus[VGIC_MAX_VCPUS]);

		if (!mine)
			table->regions[kept++] = *r;
	}
	table->count = kept;
}

struct vgic *vgic_create(struct guest *g, unsigned int vcpu_count,
			 unsigned int spi_count)
{
	const char *guest_name = g && g->name ? g->name : "?";
	struct vgic *vgic;
	int err;

	if (!g || !vcpu_count || vcpu_count > GUEST_MAX_VCPUS ||
	    spi_count > VGIC_MAX_SPIS) {
		log_error("guest %s: GICv3: %u vCPUs and %u SPIs are not supported",
			  guest_name, vcpu_count, spi_count);
		return NULL;
	}
	vgic = kzalloc(sizeof(*vgic));
	if (!vgic)
		goto err_nomem;
	vgic->spis = kzalloc(MAX(spi_count, 1u) * sizeof(struct vgic_irq));
	if (!vgic->spis)
		goto err_free_vgic;
	vgic->guest = g;
	vgic->lock = (spinlock_t)SPINLOCK_INIT;
	vgic->vcpu_count = vcpu_count;
	vgic->spi_count = spi_count;
	for (unsigned int n = 0; n < vcpu_count; n++) {
		vgic->cpus[n].vgic = vgic;
		vgic->cpus[n].id = n;
		fmt_snprintf(vgic->cpus[n].name, sizeof(vgic->cpus[n].name),
			     "GICv3 redistributor %u", n);
	}
	vgic_reset(vgic);

	err = mmio_table_add(&g->mmio, VGIC_DIST_BASE, VGIC_DIST_SIZE,
			     "GICv3 distributor", &vgic_dist_ops, vgic);
	if (err) {
		log_error("guest %s: GICv3 distributor at 0x%llx: %s", guest_name,
			  (unsigned long long)VGIC_DIST_BASE, keel_strerror(err));
		goto err_unregister;
	}
	for (unsigned int n = 0; n < vcpu_count; n++) {
		gpa_t base = VGIC_REDIST_BASE + n * VGIC_REDIST_STRIDE;

		err = mmio_table_add(&g->mmio, base, VGIC_REDIST_STRIDE,
				     vgic->cpus[n].name, &vgic_redist_ops,
				     &vgic->cpus[n]);
		if (err) {
			log_error("guest %s: %s at 0x%llx: %s", guest_name,
				  vgic->cpus[n].name, (unsigned long long)base,
				  keel_strerror(err));
			goto err_unregister;
		}
	}
	return vgic;

err_unregister:
	vgic_unregister(vgic);
	kfree(vgic->spis);
err_free_vgic:
	kfree(vgic);
	return NULL;
err_nomem:
	log_error("guest %s: GICv3: out of memory", guest_name);
	return NULL;
}

void vgic_destroy(struct vgic *vgic)
{
	if (!vgic)
		return;
	vgic_unregister(vgic);
	kfree(vgic->spis);
	kfree(vgic);
}

/* ---- injection ---- */

void vgic_set_spi_level(struct vgic *vgic, unsigned int intid, bool level)
{
	struct vgic_after after = { 0 };
	struct vgic_irq *irq;
	unsigned long flags;

	flags = spin_lock_irqsave(&vgic->lock);
	irq = vgic_irq_at(vgic, NULL, intid);
	if (irq && irq->line != level) {
		irq->line = level;
		if (level) {
			if (irq->edge)
				irq->latch = true;
			vgic_mark_busy(vgic, irq);
			vgic_irq_note(vgic, NULL, irq, &after);
		}
	}
	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
}

void vgic_inject_private(struct vgic *vgic, unsigned int vcpu_id,
			 unsigned int intid)
{
	struct vgic_after after = { 0 };
	unsigned long flags;

	if (vcpu_id >= vgic->vcpu_count || intid >= VGIC_NR_PRIVATE)
		return;
	flags = spin_lock_irqsave(&vgic->lock);
	vgic->cpus[vcpu_id].irqs[intid].latch = true;
	vgic_irq_note(vgic, &vgic->cpus[vcpu_id], &vgic->cpus[vcpu_id].irqs[intid],
		      &after);
	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
}

void vgic_send_sgi(struct vgic *vgic, unsigned int src_vcpu, uint64_t sgi1r)
{
	unsigned int intid = (unsigned int)(sgi1r >> 24) & 0xf;
	struct vgic_after after = { 0 };
	uint32_t targets = 0;
	unsigned long flags;

	if (src_vcpu >= vgic->vcpu_count)
		return;
	if (sgi1r & (1ULL << 40)) {
		targets = ((1u << vgic->vcpu_count) - 1) & ~(1u << src_vcpu);
	} else if (!(sgi1r & 0xff00ff00ff0000ULL)) {
		/* Aff3.Aff2.Aff1 must be 0; RS picks 16 Aff0 values. */
		unsigned int range = (unsigned int)(sgi1r >> 44) & 0xf;

		for (unsigned int bit = 0; bit < 16; bit++) {
			unsigned int n = range * 16 + bit;

			if ((sgi1r & (1u << bit)) && n < vgic->vcpu_count)
				targets |= 1u << n;
		}
	}

	flags = spin_lock_irqsave(&vgic->lock);
	for (unsigned int n = 0; n < vgic->vcpu_count; n++) {
		struct vgic_cpu *cpu = &vgic->cpus[n];

		if (!(targets & (1u << n)))
			continue;
		cpu->irqs[intid].latch = true;
		vgic_irq_note(vgic, cpu, &cpu->irqs[intid], &after);
		after.self_irqs++;
	}
	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
}

/*
 * The first SPI index >= from that may be pending, active or in a list
 * register, or spi_count when there is none. Idle SPIs met on the way
 * leave the busy map.
 */
static unsigned int vgic_next_busy_spi(struct vgic *vgic, unsigned int from)
{
	while (from < vgic->spi_count) {
		uint64_t word = vgic->spi_busy[from / 64] >> (from % 64);
		const struct vgic_irq *irq;

		if (!word) {
			from = (from | 63) + 1;
			continue;
		}
		from += (unsigned int)__builtin_ctzll(word);
		if (from >= vgic->spi_count)
			break;
		irq = &vgic->spis[from];
		if (irq->latch || irq->line || irq->active || vgic_irq_in_lr(irq))
			return from;
		vgic->spi_busy[from / 64] &= ~(1ULL << (from % 64));
		from++;
	}
	return vgic->spi_count;
}

#define vgic_for_each_busy_spi(vgic, index)                                   \
	for (unsigned int index = vgic_next_busy_spi(vgic, 0);                \
	     index < (vgic)->spi_count; index = vgic_next_busy_spi(vgic, index + 1))

bool vgic_vcpu_pending(struct vgic *vgic, unsigned int vcpu_id)
{
	struct vgic_cpu *cpu;
	unsigned long flags;
	bool pending = false;

	if (vcpu_id >= vgic->vcpu_count)
		return false;
	cpu = &vgic->cpus[vcpu_id];
	flags = spin_lock_irqsave(&vgic->lock);
	for (unsigned int i = 0; i < VGIC_NR_PRIVATE && !pending; i++) {
		struct vgic_irq *p = &cpu->irqs[i];

		if (vgic_irq_in_lr(p))
			pending = p->lr_state & VGIC_LR_PENDING;
		else
			pending = vgic_irq_forwardable(vgic, p) && vgic_irq_pending(p);
	}
	vgic_for_each_busy_spi(vgic, index) {
		const struct vgic_irq *irq = &vgic->spis[index];

		if (pending)
			break;
		if (vgic_irq_in_lr(irq))
			pending = irq->lr_vcpu == vcpu_id &&
				  (irq->lr_state & VGIC_LR_PENDING);
		else
			pending = irq->target == vcpu_id &&
				  vgic_irq_forwardable(vgic, irq) &&
				  vgic_irq_pending(irq);
	}
	spin_unlock_irqrestore(&vgic->lock, flags);
	return pending;
}

/* ---- list registers ---- */

struct vgic_candidate {
	uint8_t priority;
	uint32_t intid;
	struct vgic_irq *irq;
};

/* Keeps the best `room` candidates sorted by priority, then INTID. */
static void vgic_candidate_add(struct vgic_candidate *best, unsigned int *count,
			       unsigned int room, struct vgic_irq *irq,
			       unsigned int intid)
{
	unsigned int pos = *count;

	while (pos > 0 && (best[pos - 1].priority > irq->priority ||
			   (best[pos - 1].priority == irq->priority &&
			    best[pos - 1].intid > intid)))
		pos--;
	if (pos >= room)
		return;
	if (*count < room)
		(*count)++;
	for (unsigned int i = *count - 1; i > pos; i--)
		best[i] = best[i - 1];
	best[pos] = (struct vgic_candidate){ irq->priority, intid, irq };
}

/*
 * Whether irq (INTID intid) wants a list register of vCPU cpu. One that
 * this vCPU's images should hold but do not (they were replaced behind
 * the vgic's back) is released first, as if the guest had completed it.
 */
static bool vgic_irq_wants_lr(const struct vgic *vgic, const struct vgic_cpu *cpu,
			      struct vgic_irq *irq, unsigned int intid, bool shared,
			      const struct vgic_lr *lrs, unsigned int nr_lrs)
{
	if (irq->lr_vcpu == cpu->id &&
	    (irq->lr_slot >= nr_lrs || lrs[irq->lr_slot].state == VGIC_LR_INVALID ||
	     lrs[irq->lr_slot].intid != intid)) {
		if (irq->lr_latched)
			irq->latch = true;
		irq->active = false;
		vgic_lr_release(irq);
	}
	if (vgic_irq_in_lr(irq) || !vgic_irq_forwardable(vgic, irq))
		return false;
	if (shared && irq->target != cpu->id)
		return false;
	return vgic_irq_pending(irq) || irq->active;
}

/* Brings an image the vgic already handed out up to date; lock held. */
static void vgic_lr_refresh(struct vgic *vgic, struct vgic_cpu *cpu,
			    struct vgic_lr *lr, unsigned int slot)
{
	struct vgic_irq *irq = lr->intid < 1020 ?
			       vgic_irq_of(vgic, cpu->id, lr->intid) : NULL;
	uint8_t state = lr->state & VGIC_LR_PENDING_ACTIVE;

	if (!irq || irq->lr_vcpu != cpu->id || irq->lr_slot != slot) {
		/* Not ours (any more): a reset happened. */
		*lr = (struct vgic_lr){ 0 };
		return;
	}
	if (irq->lr_deactivate)
		state &= (uint8_t)~VGIC_LR_ACTIVE;
	if (irq->lr_unpend) {
		state &= (uint8_t)~VGIC_LR_PENDING;
		irq->lr_latched = false;
	}
	irq->lr_unpend = false;
	irq->lr_deactivate = false;
	if (irq->latch && state != VGIC_LR_INVALID) {
		/* Raised again: merges with the pending state, or becomes
		 * pending behind the active one. */
		state |= VGIC_LR_PENDING;
		irq->latch = false;
		irq->lr_latched = true;
	}
	if (state == VGIC_LR_PENDING) {
		bool still_wanted = vgic_irq_forwardable(vgic, irq) &&
			       (!vgic_irq_is_spi(vgic, irq) || irq->target == cpu->id) &&
			       (irq->lr_latched || (!irq->edge && irq->line));
		if (!still_wanted) {
			/* Take it back; a latched one stays pending. */
			if (irq->lr_latched)
				irq->latch = true;
			state = VGIC_LR_INVALID;
		} else {
			lr->priority = irq->priority;
		}
	}
	if (state == VGIC_LR_INVALID) {
		irq->active = false;
		vgic_lr_release(irq);
		*lr = (struct vgic_lr){ 0 };
		return;
	}
	lr->state = state;
	irq->lr_state = state;
}

static void vgic_lr_fill(struct vgic *vgic, struct vgic_cpu *cpu,
			 struct vgic_lr *lr, unsigned int slot,
			 const struct vgic_candidate *c)
{
	struct vgic_irq *irq = c->irq;
	uint8_t state = 0;

	if (vgic_irq_pending(irq))
		state |= VGIC_LR_PENDING;
	if (irq->active)
		state |= VGIC_LR_ACTIVE;
	*lr = (struct vgic_lr){
		.intid = c->intid,
		.priority = irq->priority,
		.state = state,
		/* Only a line can re-pend it at completion; private
		 * interrupts have none. */
		.eoi_notify = !irq->edge && vgic_irq_is_spi(vgic, irq),
	};
	/* The latch now lives in the list register (the guest's
	 * acknowledge consumes it); a level line stays the device's. */
	irq->lr_latched = irq->latch;
	irq->latch = false;
	irq->lr_vcpu = (uint8_t)cpu->id;
	irq->lr_slot = (uint8_t)slot;
	irq->lr_state = state;
	irq->lr_unpend = false;
	irq->lr_deactivate = false;
}

void vgic_vcpu_flush(struct vgic *vgic, unsigned int vcpu_id,
		     struct vgic_lr *lrs, unsigned int nr_lrs, bool *underflow)
{
	struct vgic_candidate best[VGIC_MAX_LRS];
	unsigned int room = 0, count = 0, waiting = 0, next = 0;
	unsigned int nr = nr_lrs;
	struct vgic_cpu *cpu;
	unsigned long flags;

	*underflow = false;
	if (vcpu_id >= vgic->vcpu_count)
		return;
	if (nr > VGIC_MAX_LRS)
		nr = VGIC_MAX_LRS;
	cpu = &vgic->cpus[vcpu_id];
	flags = spin_lock_irqsave(&vgic->lock);
	for (unsigned int i = 0; i < nr; i++) {
		if (lrs[i].state != VGIC_LR_INVALID)
			vgic_lr_refresh(vgic, cpu, &lrs[i], i);
		if (lrs[i].state == VGIC_LR_INVALID)
			room++;
	}

	for (unsigned int i = 0; i < VGIC_NR_PRIVATE; i++) {
		if (!vgic_irq_wants_lr(vgic, cpu, &cpu->irqs[i], i, false, lrs, nr))
			continue;
		waiting++;
		vgic_candidate_add(best, &count, room, &cpu->irqs[i], i);
	}
	vgic_for_each_busy_spi(vgic, index) {
		struct vgic_irq *irq = &vgic->spis[index];

		if (!vgic_irq_wants_lr(vgic, cpu, irq, VGIC_NR_PRIVATE + index,
				       true, lrs, nr))
			continue;
		waiting++;
		vgic_candidate_add(best, &count, room, irq,
				   VGIC_NR_PRIVATE + index);
	}

	for (unsigned int i = 0; i < count; i++) {
		while (lrs[next].state != VGIC_LR_INVALID)
			next++;
		vgic_lr_fill(vgic, cpu, &lrs[next], next, &best[i]);
	}
	*underflow = waiting > count;
	spin_unlock_irqrestore(&vgic->lock, flags);
}

void vgic_vcpu_sync(struct vgic *vgic, unsigned int vcpu_id,
		    struct vgic_lr *lrs, unsigned int nr_lrs)
{
	struct vgic_after after = { 0 };
	unsigned int nr = nr_lrs;
	unsigned long flags;

	if (vcpu_id >= vgic->vcpu_count)
		return;
	if (nr > VGIC_MAX_LRS)
		nr = VGIC_MAX_LRS;
	flags = spin_lock_irqsave(&vgic->lock);
	for (unsigned int i = 0; i < nr; i++) {
		struct vgic_lr *lr = &lrs[i];
		uint8_t state = lr->state & VGIC_LR_PENDING_ACTIVE;
		struct vgic_irq *irq = lr->intid < 1020 ?
				       vgic_irq_of(vgic, vcpu_id, lr->intid) : NULL;

		if (!irq || irq->lr_vcpu != vcpu_id || irq->lr_slot != i) {
			*lr = (struct vgic_lr){ 0 };
			continue;
		}
		/* Acknowledged: the pending state it had is consumed. */
		if (!(state & VGIC_LR_PENDING))
			irq->lr_latched = false;
		if (state == VGIC_LR_INVALID) {
			irq->active = false;
			vgic_lr_release(irq);
			*lr = (struct vgic_lr){ 0 };
			/* Pending again (a level line still high, raised
			 * again meanwhile): this vCPU re-enters anyway;
			 * another target must be told. */
			if (vgic_irq_is_spi(vgic, irq) && irq->target != vcpu_id)
				vgic_irq_note(vgic, NULL, irq, &after);
			continue;
		}
		irq->active = state & VGIC_LR_ACTIVE;
		irq->lr_state = state;
		lr->state = state;
	}
	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
}

/* ---- MMIO: the registers with a field per interrupt ---- */

enum vgic_bit_reg {
	VGIC_REG_GROUP, VGIC_REG_SET_ENABLE, VGIC_REG_CLEAR_ENABLE,
	VGIC_REG_SET_PENDING, VGIC_REG_CLEAR_PENDING, VGIC_REG_SET_ACTIVE,
	VGIC_REG_CLEAR_ACTIVE,
};

static bool vgic_bit_get(const struct vgic_irq *irq, enum vgic_bit_reg reg)
{
	switch (reg) {
	case VGIC_REG_GROUP:
		return irq->group1;
	case VGIC_REG_SET_ENABLE:
	case VGIC_REG_CLEAR_ENABLE:
		return irq->enabled;
	case VGIC_REG_SET_PENDING:
	case VGIC_REG_CLEAR_PENDING:
		return vgic_irq_pending(irq) ||
		       (vgic_irq_in_lr(irq) && (irq->lr_state & VGIC_LR_PENDING));
	case VGIC_REG_SET_ACTIVE:
	case VGIC_REG_CLEAR_ACTIVE:
		return vgic_irq_in_lr(irq) ? (irq->lr_state & VGIC_LR_ACTIVE) != 0 :
					     irq->active;
	}
	return false;
}

static void vgic_bit_set(struct vgic *vgic, struct vgic_cpu *cpu,
			 struct vgic_irq *irq, enum vgic_bit_reg reg, bool bit,
			 struct vgic_after *after)
{
	switch (reg) {
	case VGIC_REG_GROUP:
		irq->group1 = bit;
		break;
	case VGIC_REG_SET_ENABLE:
		if (!bit)
			return;
		irq->enabled = true;
		break;
	case VGIC_REG_CLEAR_ENABLE:
		if (!bit)
			return;
		irq->enabled = false;
		break;
	case VGIC_REG_SET_PENDING:
		if (!bit)
			return;
		irq->latch = true;
		vgic_mark_busy(vgic, irq);
		after->self_irqs++;
		break;
	case VGIC_REG_CLEAR_PENDING:
		if (!bit)
			return;
		irq->latch = false;
		if (vgic_irq_in_lr(irq))
			irq->lr_unpend = true;
		break;
	case VGIC_REG_SET_ACTIVE:
		if (!bit || vgic_irq_in_lr(irq))
			return;
		irq->active = true;
		vgic_mark_busy(vgic, irq);
		break;
	case VGIC_REG_CLEAR_ACTIVE:
		if (!bit)
			return;
		if (vgic_irq_in_lr(irq))
			irq->lr_deactivate = true;
		else
			irq->active = false;
		break;
	}
	vgic_irq_note(vgic, cpu, irq, after);
}

static bool vgic_valid_width(uint64_t offset, unsigned int size, bool byte_ok)
{
	if (size != 4 && !(size == 1 && byte_ok))
		return false;
	return (offset & (size - 1)) == 0;
}

/*
 * The registers distributor and SGI frame share (IGROUPR to NSACR), for
 * the interrupts of cpu (NULL: the distributor's SPIs). Returns 1 when
 * offset is not one of them, else 0 or -KEEL_EINVAL.
 */
static int vgic_irq_reg_access(struct vgic *vgic, struct vgic_cpu *cpu,
			       uint64_t offset, unsigned int size, bool write,
			       uint64_t *value, struct vgic_after *after)
{
	uint32_t result = 0;
	uint32_t data = (uint32_t)*value;

	if (offset >= GICD_IGROUPR && offset < GICD_IPRIORITYR) {
		enum vgic_bit_reg reg = (enum vgic_bit_reg)((offset - GICD_IGROUPR) / 0x80);
		unsigned int first = (unsigned int)(offset & 0x7f) * 8;

		if (!vgic_valid_width(offset, size, false))
			return -KEEL_EINVAL;
		for (unsigned int bit = 0; bit < 32; bit++) {
			struct vgic_irq *irq = vgic_irq_at(vgic, cpu, first + bit);

			if (!irq)
				continue;
			if (write)
				vgic_bit_set(vgic, cpu, irq, reg,
					     (data >> bit) & 1, after);
			else if (vgic_bit_get(irq, reg))
				result |= 1u << bit;
		}
	} else if (offset >= GICD_IPRIORITYR && offset < GICD_ITARGETSR) {
		unsigned int first = (unsigned int)(offset - GICD_IPRIORITYR);

		if (!vgic_valid_width(offset, size, true))
			return -KEEL_EINVAL;
		for (unsigned int byte = 0; byte < size; byte++) {
			struct vgic_irq *irq = vgic_irq_at(vgic, cpu, first + byte);

			if (!irq)
				continue;
			if (write)
				irq->priority = (uint8_t)(data >> (byte * 8)) &
						VGIC_PRIORITY_MASK;
			else
				result |= (uint32_t)irq->priority << (byte * 8);
		}
	} else if (offset >= GICD_ITARGETSR && offset < GICD_ICFGR) {
		/* RES0 with affinity routing. */
		if (!vgic_valid_width(offset, size, true))
			return -KEEL_EINVAL;
	} else if (offset >= GICD_ICFGR && offset < GICD_IGRPMODR) {
		unsigned int first = (unsigned int)(offset - GICD_ICFGR) * 4;

		if (!vgic_valid_width(offset, size, false))
			return -KEEL_EINVAL;
		for (unsigned int field = 0; field < 16; field++) {
			unsigned int intid = first + field;
			struct vgic_irq *irq = vgic_irq_at(vgic, cpu, intid);

			if (!irq)
				continue;
			if (write && intid >= VGIC_NR_SGIS)
				irq->edge = (data >> (field * 2 + 1)) & 1;
			if (irq->edge)
				result |= 2u << (field * 2);
		}
	} else if (offset >= GICD_IGRPMODR && offset < GICD_SGIR) {
		/* IGRPMODR, NSACR: one security state, RAZ/WI. */
		if (!vgic_valid_width(offset, size, false))
			return -KEEL_EINVAL;
	} else {
		return 1;
	}
	if (!write)
		*value = result;
	return 0;
}

/* Accesses to reserved or unimplemented offsets: RAZ/WI for 32- and
 * 64-bit aligned accesses. */
static int vgic_reserved_access(uint64_t offset, unsigned int size,
				uint64_t *value)
{
	if ((size != 4 && size != 8) || (offset & (size - 1)))
		return -KEEL_EINVAL;
	*value = 0;
	return 0;
}

/* PIDR2 and the component id registers CIDR0-3; the rest reads as 0. */
static uint32_t vgic_id_register(uint64_t offset)
{
	static const uint8_t cidr[4] = { 0x0d, 0xf0, 0x05, 0xb1 };

	if (offset == GIC_PIDR2)
		return VGIC_PIDR2;
	if (offset >= GIC_CIDR0)
		return cidr[(offset - GIC_CIDR0) / 4];
	return 0;
}

/* ---- MMIO: distributor ---- */

static uint32_t vgic_dist_typer(const struct vgic *vgic)
{
	unsigned int lines = (VGIC_NR_PRIVATE + vgic->spi_count + 31) / 32 - 1;

	return GICD_TYPER_IDBITS(10) | ((vgic->vcpu_count - 1) << 5) | lines;
}

static int vgic_irouter_access(struct vgic *vgic, uint64_t offset,
			       unsigned int size, bool write, uint64_t *value,
			       struct vgic_after *after)
{
	unsigned int intid = (unsigned int)((offset - GICD_IROUTER) / 8);
	struct vgic_irq *irq = vgic_irq_at(vgic, NULL, intid);
	bool high = offset & 4;
	uint64_t irouter;

	if ((size != 8 && size != 4) || (offset & (size - 1)))
		return -KEEL_EINVAL;
	if (!irq) {
		*value = write ? *value : 0;
		return 0;
	}
	if (!write) {
		*value = size == 8 ? irq->irouter :
			 (uint32_t)(irq->irouter >> (high ? 32 : 0));
		return 0;
	}
	if (size == 8)
		irouter = *value;
	else if (high)
		irouter = (irq->irouter & 0xffffffffULL) |
			  ((uint64_t)(uint32_t)*value << 32);
	else
		irouter = (irq->irouter & ~0xffffffffULL) | (uint32_t)*value;
	irq->irouter = irouter & GICD_IROUTER_MASK;
	if (vgic_irq_in_lr(irq))
		after->kick |= 1u << irq->lr_vcpu;   /* may have to give it up */
	irq->target = vgic_route_target(vgic, irq->irouter);
	vgic_irq_note(vgic, NULL, irq, after);
	return 0;
}

static int vgic_dist_access(struct vgic *vgic, uint64_t offset, unsigned int size,
			    bool write, uint64_t *value, struct vgic_after *after)
{
	int ret;

	if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END)
		return vgic_irouter_access(vgic, offset, size, write, value, after);
	ret = vgic_irq_reg_access(vgic, NULL, offset, size, write, value, after);
	if (ret <= 0)
		return ret;

	if (offset >= GICD_SGIR && offset < GICD_SPENDSGIR + 0x10) {
		/* SGIR and the SGI pend registers: GICv2 only, RES0. */
		if (!vgic_valid_width(offset, size, offset >= GICD_CPENDSGIR))
			return -KEEL_EINVAL;
		*value = write ? *value : 0;
		return 0;
	}
	if (offset > GICD_TYPER2 && offset < 0xffd0)
		return vgic_reserved_access(offset, size, value);
	if (!vgic_valid_width(offset, size, false))
		return -KEEL_EINVAL;
	if (write) {
		if (offset == GICD_CTLR) {
			uint32_t old = vgic->ctlr;

			vgic->ctlr = (uint32_t)*value &
				     (GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1);
			if (vgic->ctlr != old)
				after->kick |= (1u << vgic->vcpu_count) - 1;
		}
		return 0;
	}
	switch (offset) {
	case GICD_CTLR:
		*value = vgic->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
		break;
	case GICD_TYPER:
		*value = vgic_dist_typer(vgic);
		break;
	case GICD_IIDR:
		*value = VGIC_IIDR;
		break;
	case GICD_TYPER2:
		*value = 0;
		break;
	default:
		*value = vgic_id_register(offset);
		break;
	}
	return 0;
}

static int vgic_dist_read(void *state, struct vcpu *vcpu, uint64_t offset,
			  unsigned int size, uint64_t *value)
{
	struct vgic *vgic = state;
	struct vgic_after after = { 0 };
	unsigned long flags = spin_lock_irqsave(&vgic->lock);
	int ret;

	*value = 0;
	ret = vgic_dist_access(vgic, offset, size, false, value, &after);
	spin_unlock_irqrestore(&vgic->lock, flags);
	return ret;
}

static int vgic_dist_write(void *state, struct vcpu *vcpu, uint64_t offset,
			   unsigned int size, uint64_t value)
{
	struct vgic *vgic = state;
	struct vgic_after after = { 0 };
	unsigned long flags = spin_lock_irqsave(&vgic->lock);
	int ret = vgic_dist_access(vgic, offset, size, true, &value, &after);

	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
	return ret;
}

static const struct mmio_ops vgic_dist_ops = {
	.read = vgic_dist_read,
	.write = vgic_dist_write,
};

/* ---- MMIO: redistributors ---- */

static uint64_t vgic_redist_typer(const struct vgic_cpu *cpu)
{
	uint64_t typer = (uint64_t)cpu->id << 32 | (uint64_t)cpu->id << 8;

	if (cpu->id == cpu->vgic->vcpu_count - 1)
		typer |= GICR_TYPER_LAST;
	return typer;
}

/* The RD frame: control, identification, power. */
static int vgic_rd_access(struct vgic_cpu *cpu, uint64_t offset,
			  unsigned int size, bool write, uint64_t *value)
{
	if (offset == GICR_TYPER || offset == GICR_TYPER + 4) {
		uint64_t typer = vgic_redist_typer(cpu);

		if ((size != 8 && size != 4) || (offset & (size - 1)))
			return -KEEL_EINVAL;
		if (!write)
			*value = size == 8 ? typer :
				 (uint32_t)(typer >> (offset == GICR_TYPER ? 0 : 32));
		return 0;
	}
	if (offset > GICR_WAKER && offset < 0xffd0)
		return vgic_reserved_access(offset, size, value);
	if (!vgic_valid_width(offset, size, false))
		return -KEEL_EINVAL;
	if (write) {
		if (offset == GICR_WAKER)
			cpu->asleep = *value & GICR_WAKER_PROCESSOR_SLEEP;
		return 0;
	}
	switch (offset) {
	case GICR_IIDR:
		*value = VGIC_IIDR;
		break;
	case GICR_WAKER:
		*value = cpu->asleep ? GICR_WAKER_PROCESSOR_SLEEP |
				       GICR_WAKER_CHILDREN_ASLEEP : 0;
		break;
	case GICR_CTLR:     /* no LPIs; writes are complete at once */
	case GICR_STATUSR:
		*value = 0;
		break;
	default:
		*value = vgic_id_register(offset);
		break;
	}
	return 0;
}

/* The SGI frame: the per-interrupt registers of SGIs and PPIs. */
static int vgic_sgi_access(struct vgic_cpu *cpu, uint64_t offset,
			   unsigned int size, bool write, uint64_t *value,
			   struct vgic_after *after)
{
	/* Only the first register of each array covers INTIDs < 32. */
	int ret = vgic_irq_reg_access(cpu->vgic, cpu, offset, size, write, value,
				      after);

	if (ret <= 0)
		return ret;
	return vgic_reserved_access(offset, size, value);
}

static int vgic_redist_access(struct vgic_cpu *cpu, uint64_t offset,
			      unsigned int size, bool write, uint64_t *value,
			      struct vgic_after *after)
{
	if (offset >= GICR_SGI_FRAME)
		return vgic_sgi_access(cpu, offset - GICR_SGI_FRAME, size, write,
				       value, after);
	return vgic_rd_access(cpu, offset, size, write, value);
}

static int vgic_redist_read(void *state, struct vcpu *vcpu, uint64_t offset,
			    unsigned int size, uint64_t *value)
{
	struct vgic_cpu *cpu = state;
	struct vgic_after after = { 0 };
	unsigned long flags = spin_lock_irqsave(&cpu->vgic->lock);
	int ret;

	*value = 0;
	ret = vgic_redist_access(cpu, offset, size, false, value, &after);
	spin_unlock_irqrestore(&cpu->vgic->lock, flags);
	return ret;
}

static int vgic_redist_write(void *state, struct vcpu *vcpu, uint64_t offset,
			     unsigned int size, uint64_t value)
{
	struct vgic_cpu *cpu = state;
	struct vgic_after after = { 0 };
	unsigned long flags = spin_lock_irqsave(&cpu->vgic->lock);
	int ret = vgic_redist_access(cpu, offset, size, true, &value, &after);

	spin_unlock_irqrestore(&cpu->vgic->lock, flags);
	vgic_after_run(cpu->vgic, &after);
	return ret;
}

static const struct mmio_ops vgic_redist_ops = {
	.read = vgic_redist_read,
	.write = vgic_redist_write,
};
