/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3's side of the list registers: before a vCPU enters,
 * vgic_vcpu_flush() hands the highest-priority deliverable interrupts to
 * free list-register images and updates the images already handed out;
 * after it exits, vgic_vcpu_sync() accounts for what the guest
 * acknowledged and completed. vgic_vcpu_pending() answers the same
 * question as a flush ("is anything deliverable?") for WFI, so the scan of
 * busy SPIs both of them walk lives here too.
 *
 * It is kept apart from the MMIO emulation because it is the hot path of
 * every guest entry and exit, and the part whose invariants (who holds an
 * interrupt, where its pending state lives) are subtle: see
 * vgicv3_internal.h.
 */
#include <keel/spinlock.h>
#include "vgicv3.h"
#include "vgicv3_internal.h"

/* ---- the pending scan ---- */

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
		/* Only a line can re-pend it at completion: SPIs and the
		 * private interrupts Keel drives as a level (the timers). */
		.eoi_notify = !irq->edge && (vgic_irq_is_spi(vgic, irq) || irq->line),
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

/*
 * Moves the images still held to the lowest slots, in the order they had;
 * lock held. Between interrupts of equal priority the CPU interface may
 * pick either (IMPLEMENTATION DEFINED); an emulated one and many real ones
 * take the lowest list register. Were an interrupt completed and raised
 * again (a timer whose guest handler takes longer than its period) put
 * back in its freed low slot, it would win against one already waiting in
 * a higher slot at every entry, and that one would wait for as long as the
 * other kept firing. Held images first, new ones after: of equal
 * priority, the one listed earlier is taken first.
 */
static void vgic_lrs_compact(struct vgic *vgic, struct vgic_cpu *cpu,
			     struct vgic_lr *lrs, unsigned int nr)
{
	unsigned int to = 0;

	for (unsigned int i = 0; i < nr; i++) {
		struct vgic_irq *irq;

		if (lrs[i].state == VGIC_LR_INVALID)
			continue;
		if (i != to) {
			/* vgic_lr_refresh() left only images of ours. */
			irq = vgic_irq_of(vgic, cpu->id, lrs[i].intid);
			lrs[to] = lrs[i];
			lrs[i] = (struct vgic_lr){ 0 };
			if (irq)
				irq->lr_slot = (uint8_t)to;
		}
		to++;
	}
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
	vgic_lrs_compact(vgic, cpu, lrs, nr);

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
