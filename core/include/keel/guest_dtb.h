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
 * device whose emulator is a UART becomes /chosen/stdout-path.
 * Returns 0, -KEEL_ENOSPC when buf is too small, or -KEEL_EINVAL.
 */
int guest_dtb_build(const struct guest_config *cfg,
		    const struct guest_dtb_extra *extra, void *buf, size_t size);

/*
 * For an emulator's dt_emit(): the "interrupts" (as the platform encodes
 * dev's interrupt, driven as trigger says) and "interrupt-parent"
 * properties of the node being written; nothing when dev has no
 * interrupt. Returns 0 or a libfdt error (-FDT_ERR_NOSPACE), -KEEL_EINVAL
 * for an interrupt the platform does not have.
 */
int guest_dt_interrupts(void *fdt, const struct guest_device_config *dev,
			enum guest_irq_trigger trigger, uint32_t intc_phandle);

#endif
