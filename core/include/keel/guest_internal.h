/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the files of core/guest; not for other subsystems. */
#ifndef KEEL_GUEST_INTERNAL_H
#define KEEL_GUEST_INTERNAL_H

#include <keel/guest.h>

/* Writes "guest <name>: <message>" into err (and nothing when err is NULL). */
void guest_error(char *err, size_t err_len, const struct guest *g,
		 const char *fmt, ...) __printf(4, 5);

/* RAM (core/guest/guest_mem.c). */
int guest_mem_alloc(struct guest *g, char *err, size_t err_len);
void guest_mem_free(struct guest *g);
void guest_mem_clear(struct guest *g);
uint64_t guest_config_ram_bytes(const struct guest_config *cfg);

/* Copies kernel, initrd and the generated device tree into guest RAM and
 * sets g->entry and g->dtb_gpa (core/guest/guest_boot.c). */
int guest_boot_load(struct guest *g, char *err, size_t err_len);

/* Console buffers back to empty (core/guest/guest_console.c). */
void guest_console_init(struct guest *g);

/* Runs resets that guests asked for (CPU 0, from sched_service()). */
void guest_service_requests(void);

#endif
