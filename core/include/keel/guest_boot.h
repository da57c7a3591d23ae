/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest nodes compiled into the image (CONFIG_GUEST_NODES). */
#ifndef KEEL_GUEST_BOOT_H
#define KEEL_GUEST_BOOT_H

/* Loads the built-in guest nodes, then creates and starts those marked
 * "autostart" unless host_fdt's command line says keel.autostart=0.
 * Problems are logged; Keel boots on regardless. */
void guest_boot_builtin(const void *host_fdt);

#endif
