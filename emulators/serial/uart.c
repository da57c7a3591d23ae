/* SPDX-License-Identifier: GPL-2.0-only */
/* The parts every emulated UART shares (see uart.h). */
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_dtb.h>
#include <lib/format.h>
#include <libfdt.h>
#include "uart.h"

int uart_port_attach(struct uart_port *port, struct guest *g,
		     const struct guest_device_config *dev, uint64_t region_size,
		     const struct mmio_ops *ops, void *state,
		     void (*input_ready)(void *state))
{
	int ret;

	port->guest = g;
	port->state = state;
	if (dev->has_irq)
		virq_line_init(&port->irq, g, dev->irq);
	ret = mmio_table_add(&g->mmio, dev->base, MIN(dev->size, region_size),
			     dev->name, ops, state);
	if (ret)
		return ret;
	/* The first UART of a guest is its console (endpoint 0). */
	if (!g->console.input_ready)
		console_endpoint_set_reader(&g->console, input_ready, state);
	return 0;
}

void uart_port_detach(struct uart_port *port)
{
	if (port->guest->console.input_state == port->state)
		console_endpoint_set_reader(&port->guest->console, NULL, NULL);
}

int uart_dt_begin(void *fdt, const char *node_name,
		  const struct guest_device_config *dev, const char *compatible,
		  size_t compatible_len, uint64_t reg_size, uint32_t intc_phandle)
{
	uint64_t size = MIN(dev->size, reg_size);
	fdt32_t reg[4] = {
		cpu_to_fdt32((uint32_t)(dev->base >> 32)), cpu_to_fdt32((uint32_t)dev->base),
		cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size),
	};
	char name[48];
	int ret;

	fmt_snprintf(name, sizeof(name), "%s@%llx", node_name,
		     (unsigned long long)dev->base);
	ret = fdt_begin_node(fdt, name);
	if (!ret)
		ret = fdt_property(fdt, "compatible", compatible, (int)compatible_len);
	if (!ret)
		ret = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!ret)
		ret = guest_dt_interrupts(fdt, dev, GUEST_IRQ_LEVEL, intc_phandle);
	return ret;
}
