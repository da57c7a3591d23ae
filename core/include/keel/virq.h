/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A virtual interrupt line: how a device emulator raises an interrupt in
 * its guest without knowing the guest's interrupt controller. The line is
 * level-triggered; set_level only reaches the controller on a change.
 */
#ifndef KEEL_VIRQ_H
#define KEEL_VIRQ_H

#include <keel/types.h>

struct guest;

struct virq_line {
	struct guest *guest;
	unsigned int irq;       /* device interrupt number (struct guest_platform) */
	bool level;
	bool connected;
};

/* Connects line to device interrupt irq of g, low. */
void virq_line_init(struct virq_line *line, struct guest *g, unsigned int irq);
/* Drives the line; a no-op on an unconnected line. */
void virq_line_set(struct virq_line *line, bool level);
/* Drops the line (device reset/destroy). */
void virq_line_reset(struct virq_line *line);

#endif
