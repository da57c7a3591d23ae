/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What Keel's emulated UARTs (pl011.c, ns16550.c) share: a UART is the
 * guest's console when it is the guest's first (endpoint 0 of
 * keel/guest_console.h), raises one interrupt line, owns one MMIO region
 * and describes itself by one device-tree node. Register emulation is
 * each UART's own.
 */
#ifndef EMULATORS_SERIAL_UART_H
#define EMULATORS_SERIAL_UART_H

#include <keel/emu.h>
#include <keel/guest_config.h>
#include <keel/virq.h>

struct guest;

struct uart_port {
	struct guest *guest;
	struct virq_line irq;
	void *state;                /* the UART's, as its callbacks get it */
};

/*
 * Sets port up for device dev of g: its interrupt line (when dev has one),
 * its MMIO region (region_size bytes at dev->base, at most dev->size) with
 * ops and state, and, when g's console has no device yet, this UART as
 * the reader of its input (input_ready(state) is called when input comes).
 * Returns 0 or the MMIO table's error, with nothing registered.
 */
int uart_port_attach(struct uart_port *port, struct guest *g,
		     const struct guest_device_config *dev, uint64_t region_size,
		     const struct mmio_ops *ops, void *state,
		     void (*input_ready)(void *state));
/* Stops being the console's reader (if it was). The region goes with the
 * guest's MMIO table. */
void uart_port_detach(struct uart_port *port);

/*
 * Begins the UART's node "<node_name>@<base>" in the guest device tree
 * with "compatible" (compatible_len bytes, a string list), "reg" (reg_size
 * bytes, at most dev->size) and its interrupt as the platform encodes it
 * (level-triggered). The caller adds its own properties and ends the
 * node. Returns 0 or a negative error.
 */
int uart_dt_begin(void *fdt, const char *node_name,
		  const struct guest_device_config *dev, const char *compatible,
		  size_t compatible_len, uint64_t reg_size, uint32_t intc_phandle);

#endif
