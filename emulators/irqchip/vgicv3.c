/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3 (see vgicv3.h for the model): its life cycle and the
 * injection API the rest of Keel calls. Arch-neutral: it sees MMIO
 * accesses and list-register images only, so it runs in host tests.
 *
 * The emulation is one subsystem spread over files by concern, sharing
 * the state described in vgicv3_internal.h:
 *   vgicv3.c        create/destroy/reset, injection, work after the lock
 *   vgicv3_dist.c   the distributor's MMIO registers
 *   vgicv3_redist.c the redistributors' MMIO registers
 *   vgicv3_lr.c     list-register flush/sync and the pending scan
 *
 * One spinlock per vgic. vCPUs are kicked and self-raised interrupts are
 * counted after it is released: kicking takes the scheduler's locks.
 * Lock order: a timer's lock (arch vtimer, emulators/timer) -> vgic.lock;
 * then, released, the scheduler's run-queue locks and the guest's lock
 * (storm count). Nothing here waits for a callback: a kick may cancel the
 * vCPU's wake event (its callback only kicks, taking no lock of ours).
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
#include "vgicv3_internal.h"

_Static_assert(GUEST_MAX_VCPUS <= VGIC_MAX_VCPUS,
	       "vCPU affinities must fit one SGI target list");

/* ---- work left for after the lock ---- */

void vgic_after_run(struct vgic *vgic, const struct vgic_after *after)
{
	struct guest *g = vgic->guest;

	for (unsigned int n = 0; n < vgic->vcpu_count; n++)
		if ((after->kick & (1u << n)) && g->vcpus[n])
			vcpu_kick(g->vcpus[n]);
	for (unsigned int i = 0; i < after->self_irqs; i++)
		guest_count_self_irq(g);
}

/* ---- life cycle ---- */

static void vgic_irq_reset(struct vgic_irq *irq, bool edge)
{
	bool line = irq->line;   /* the device's, not the GIC's */

	*irq = (struct vgic_irq){
		.group1 = true, .edge = edge, .line = line, .target = 0,
	};
	vgic_lr_release(irq);
}

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

/* Takes the region at base out of the guest's MMIO table if it is still
 * the one vgic added there (a failed create may not have got that far). */
static void vgic_unregister_region(struct vgic *vgic, gpa_t base,
				   const struct mmio_ops *ops, const void *state)
{
	struct mmio_table *table = &vgic->guest->mmio;
	const struct mmio_region *r = mmio_table_find(table, base);

	if (r && r->base == base && r->ops == ops && r->state == state)
		mmio_table_remove(table, base);
}

/* Takes every region of vgic out of its guest's MMIO table. */
static void vgic_unregister(struct vgic *vgic)
{
	vgic_unregister_region(vgic, VGIC_DIST_BASE, &vgic_dist_ops, vgic);
	for (unsigned int n = 0; n < vgic->vcpu_count; n++)
		vgic_unregister_region(vgic, VGIC_REDIST_BASE + n * VGIC_REDIST_STRIDE,
				       &vgic_redist_ops, &vgic->cpus[n]);
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

/*
 * Drives irq's input line (of vCPU cpu, NULL for an SPI); lock held. A
 * level-sensitive interrupt is pending exactly while its line is high: a
 * line that falls takes back a pending state the line alone gave it, in
 * a list register too (the image loses it at the next flush, and the
 * pending registers stop showing it at once). An edge latches on the
 * rising edge only.
 */
static void vgic_irq_drive_line(struct vgic *vgic, struct vgic_cpu *cpu,
				struct vgic_irq *irq, bool level,
				struct vgic_after *after)
{
	if (irq->line == level)
		return;
	irq->line = level;
	if (level) {
		if (irq->edge)
			irq->latch = true;
		else if (vgic_irq_in_lr(irq) && !irq->lr_latched)
			irq->lr_unpend = false;
		vgic_mark_busy(vgic, irq);
		vgic_irq_note(vgic, cpu, irq, after);
		return;
	}
	if (!irq->edge && vgic_irq_in_lr(irq) && !irq->lr_latched &&
	    (irq->lr_state & VGIC_LR_PENDING)) {
		irq->lr_unpend = true;
		/* The holder's image must change even if it stays out. */
		after->kick |= 1u << irq->lr_vcpu;
	}
}

void vgic_set_spi_level(struct vgic *vgic, unsigned int intid, bool level)
{
	struct vgic_after after = { 0 };
	struct vgic_irq *irq;
	unsigned long flags;

	flags = spin_lock_irqsave(&vgic->lock);
	irq = vgic_irq_at(vgic, NULL, intid);
	if (irq)
		vgic_irq_drive_line(vgic, NULL, irq, level, &after);
	spin_unlock_irqrestore(&vgic->lock, flags);
	vgic_after_run(vgic, &after);
}

void vgic_set_private_level(struct vgic *vgic, unsigned int vcpu_id,
			    unsigned int intid, bool level)
{
	struct vgic_after after = { 0 };
	struct vgic_cpu *cpu;
	unsigned long flags;

	if (vcpu_id >= vgic->vcpu_count || intid < VGIC_NR_SGIS ||
	    intid >= VGIC_NR_PRIVATE)
		return;
	cpu = &vgic->cpus[vcpu_id];
	flags = spin_lock_irqsave(&vgic->lock);
	vgic_irq_drive_line(vgic, cpu, &cpu->irqs[intid], level, &after);
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
