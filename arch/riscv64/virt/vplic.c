// SPDX-License-Identifier: GPL-2.0-only
/*
 * The riscv64 guest's interrupt controller: one emulated PLIC per guest
 * (emulators/irqchip/plic.c) at QEMU virt's address, with two contexts
 * per hart. Its output for a hart's S context is that vCPU's virtual
 * supervisor external interrupt (hvip.VSEIP, virt/vinterrupt.c); device
 * interrupt n is PLIC source n (source 0 does not exist).
 *
 * Lock order: the PLIC's lock -> nothing (the notification only records
 * the level; the PLIC kicks the vCPU after dropping its lock).
 */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_config.h>
#include <keel/log.h>
#include <keel/vcpu.h>
#include <arch/virt.h>
#include <irqchip/plic.h>

/* Where virt/platform.c's device tree puts it, as on QEMU virt. */
#define VIRT_PLIC_BASE 0x0c000000ULL

extern const struct guest_platform riscv64_virt_platform;

const struct guest_platform *arch_guest_platform(void)
{
	return &riscv64_virt_platform;
}

static void vplic_set_external(void *arg, unsigned int vcpu_id, bool pending)
{
	struct guest *g = arg;

	if (vcpu_id < g->vcpu_count)
		riscv_vcpu_set_external_irq(g->vcpus[vcpu_id], pending);
}

int arch_guest_platform_create(struct guest *g)
{
	const struct guest_platform *platform = arch_guest_platform();
	struct plic_notify notify = { .set_external = vplic_set_external, .arg = g };
	/* Sources 1 .. the platform's last device interrupt. */
	unsigned int sources = platform->irq_first + platform->irq_count - 1;

	if (sources > PLIC_MAX_SOURCES)
		sources = PLIC_MAX_SOURCES;
	g->arch.plic = plic_create(g, VIRT_PLIC_BASE, g->vcpu_count, sources, &notify);
	if (!g->arch.plic)
		return -KEEL_ENOMEM;
	return 0;
}

void arch_guest_platform_reset(struct guest *g)
{
	if (g->arch.plic)
		plic_reset(g->arch.plic);
	for (unsigned int i = 0; i < g->vcpu_count; i++)
		riscv_vcpu_set_external_irq(g->vcpus[i], false);
}

void arch_guest_platform_destroy(struct guest *g)
{
	plic_destroy(g->arch.plic);
	g->arch.plic = NULL;
}

void arch_guest_set_irq_level(struct guest *g, unsigned int irq, bool level)
{
	if (g->arch.plic)
		plic_set_level(g->arch.plic, irq, level);
}
