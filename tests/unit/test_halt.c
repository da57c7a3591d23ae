/* SPDX-License-Identifier: GPL-2.0-only */
/* Halting: every other CPU is kicked, after keel_halting is visible. */
#include <keel/irq.h>
#include <keel/platform.h>
#include <arch/cpu.h>
#include "unit.h"

static unsigned int kicked_mask;
static unsigned int kick_irq;
static bool halting_seen_by_all;

static void record_ipi(unsigned int irq, unsigned int cpu)
{
	kicked_mask |= 1u << cpu;
	kick_irq = irq;
	if (!READ_ONCE(keel_halting))
		halting_seen_by_all = false;
}

static void ignore_irq(unsigned int irq)
{
}

TEST(halt_others_kicks_every_other_cpu_after_setting_halting)
{
	static const struct irqchip_ops chip = {
		.name = "unit-chip",
		.enable = ignore_irq,
		.disable = ignore_irq,
		.send_ipi = record_ipi,
		.ipi_kick = 5,
	};
	unsigned int saved_count = cpu_count;

	irqchip_register(&chip);
	cpu_count = 4;
	kicked_mask = 0;
	halting_seen_by_all = true;
	platform_halt_others();
	CHECK(READ_ONCE(keel_halting));
	CHECK(halting_seen_by_all);
	/* The test runs as CPU 0: CPUs 1 to 3 are kicked, not itself. */
	CHECK_EQ(arch_cpu_id(), 0u);
	CHECK_EQ(kicked_mask, 0xeu);
	CHECK_EQ(kick_irq, 5u);
	WRITE_ONCE(keel_halting, false);
	cpu_count = saved_count;
	irqchip_register(NULL);
}
