/* SPDX-License-Identifier: GPL-2.0-only */
/* Virtual interrupt lines on top of the guest's interrupt controller. */
#include <keel/guest.h>
#include <keel/virq.h>

void virq_line_init(struct virq_line *line, struct guest *g, unsigned int irq)
{
	line->guest = g;
	line->irq = irq;
	line->level = false;
	line->connected = true;
}

void virq_line_set(struct virq_line *line, bool level)
{
	if (!line->connected || line->level == level)
		return;
	line->level = level;
	arch_guest_set_irq_level(line->guest, line->irq, level);
}

void virq_line_reset(struct virq_line *line)
{
	virq_line_set(line, false);
}
