/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated GICv3's distributor: its MMIO frame (control,
 * identification, the SPIs' per-interrupt registers and their routing).
 *
 * A redistributor's SGI frame repeats the distributor's per-interrupt
 * register layout (IGROUPR to NSACR) for the SGIs and PPIs of its vCPU,
 * so the code for those registers lives here, once, and vgicv3_redist.c
 * calls it with that vCPU (vgic_irq_reg_access()).
 *
 * Decisions worth knowing:
 * - SPIs with GICD_IROUTER.Interrupt_Routing_Mode = 1 ("any vCPU") go to
 *   vCPU 0. With mode 0 an affinity that names no vCPU routes nowhere:
 *   the SPI stays pending until rerouted (as on hardware).
 * - ISACTIVER writes for an interrupt held in a list register are ignored
 *   (the list register decides its active state).
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/spinlock.h>
#include "vgicv3.h"
#include "vgicv3_internal.h"
#include <hw/gicv3.h>

/* ---- register map ---- */
#define GICD_IROUTER_END 0x7fe0
#define GIC_CIDR0 0xfff0


#define GICD_TYPER_IDBITS(n) (((n) - 1u) << 19)
#define GICD_IROUTER_IRM (1ULL << 31)
#define GICD_IROUTER_MASK (GICD_IROUTER_IRM | 0xffffffULL) /* A3V = 0 */

#define VGIC_PIDR2 0x38u             /* ArchRev 3 (GICv3), JEDEC id used */
#define VGIC_PRIORITY_MASK 0xf8u     /* 32 levels, as the CPU interface */

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
		       (vgic_irq_in_lr(irq) && (irq->lr_state & VGIC_LR_PENDING) &&
			!irq->lr_unpend);
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

/*
 * The registers distributor and SGI frame share (IGROUPR to NSACR), for
 * the interrupts of cpu (NULL: the distributor's SPIs). Returns 1 when
 * offset is not one of them, else 0 or -KEEL_EINVAL.
 */
int vgic_irq_reg_access(struct vgic *vgic, struct vgic_cpu *cpu,
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

/* Accesses to reserved offsets, or to registers this GIC does not have:
 * RAZ/WI for 32- and 64-bit aligned accesses. */
int vgic_reserved_access(uint64_t offset, unsigned int size, uint64_t *value)
{
	if ((size != 4 && size != 8) || (offset & (size - 1)))
		return -KEEL_EINVAL;
	*value = 0;
	return 0;
}

/* PIDR2 and the component id registers CIDR0-3; the rest reads as 0. */
uint32_t vgic_id_register(uint64_t offset)
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

const struct mmio_ops vgic_dist_ops = {
	.read = vgic_dist_read,
	.write = vgic_dist_write,
};
