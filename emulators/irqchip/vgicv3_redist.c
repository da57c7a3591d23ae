/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3's redistributors, one per vCPU: the RD frame
 * (control, identification, power) and the SGI frame (the per-interrupt
 * registers of that vCPU's SGIs and PPIs). The SGI frame's registers have
 * the distributor's layout and share its code (vgic_irq_reg_access() in
 * vgicv3_dist.c); what is the redistributors' own is here.
 *
 * Decision worth knowing: GICR_WAKER only reports the sleep handshake; a
 * sleeping redistributor still forwards interrupts.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/spinlock.h>
#include "vgicv3.h"
#include "vgicv3_internal.h"
#include <hw/gicv3.h>

/* ---- register map ---- */

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

const struct mmio_ops vgic_redist_ops = {
	.read = vgic_redist_read,
	.write = vgic_redist_write,
};
