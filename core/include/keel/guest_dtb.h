/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device tree a guest kernel receives, generated from its guest
 * node's configuration: memory, the arch's platform nodes (cpus,
 * interrupt controller, timer, firmware), every device, and /chosen.
 */
#ifndef KEEL_GUEST_DTB_H
#define KEEL_GUEST_DTB_H

#include <keel/guest_config.h>
#include <keel/types.h>

/* What only the loader knows: where it put the initrd. */
struct guest_dtb_extra {
	gpa_t initrd_start;
	gpa_t initrd_end;      /* exclusive; initrd_start == initrd_end: none */
};

/*
 * Builds the guest device tree of cfg (validated by guest_config_parse())
 * into buf, which must be 8-byte aligned; extra may be NULL. The result is
 * compact: fdt_totalsize(buf) bytes are what to copy into the guest.
 * Devices are emitted by their emulator's dt_emit() in config order; an
 * emulator names its node "<emulator name>@<base in hex>", and the first
 * UART among the devices becomes /chosen/stdout-path.
 * Returns 0, -KEEL_ENOSPC when buf is too small, or -KEEL_EINVAL.
 */
int guest_dtb_build(const struct guest_config *cfg,
		    const struct guest_dtb_extra *extra, void *buf, size_t size);

#endif
