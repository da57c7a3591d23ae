/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host driver matching (core/base/driver.c): drivers of devices no
 * device-tree node describes (SBI firmware, its console) probe with node
 * -1; and the kick IPI is the interrupt controller's choice (core/base/irq.c).
 */
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <libfdt.h>
#include <string.h>
#include "unit.h"

static int nodeless_firmware_node = 99;
static int nodeless_console_node = 99;
static int uart_node_probed = 99;

static int probe_nodeless_firmware(const void *fdt, int node)
{
	nodeless_firmware_node = node;
	return 0;
}

static int probe_nodeless_console(const void *fdt, int node)
{
	nodeless_console_node = node;
	return 0;
}

static int probe_uart(const void *fdt, int node)
{
	uart_node_probed = node;
	return 0;
}

static int probe_absent(const void *fdt, int node)
{
	return -KEEL_ENOENT;
}

static const char *const unit_uart_compatible[] = { "unit,uart", NULL };

HOST_DRIVER(unit_firmware, .name = "unit-firmware", .class = DRIVER_CLASS_FIRMWARE,
	    .compatible = NULL, .probe = probe_nodeless_firmware);
/* Listed before the console without a node: a node must never reach it. */
HOST_DRIVER(unit_uart, .name = "unit-uart", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = unit_uart_compatible, .probe = probe_uart);
HOST_DRIVER(unit_fw_console, .name = "unit-fw-console", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = NULL, .probe = probe_nodeless_console);
HOST_DRIVER(unit_absent_timer, .name = "unit-absent-timer", .class = DRIVER_CLASS_TIMER,
	    .compatible = NULL, .probe = probe_absent);

static int make_tree(char *buf, int size)
{
	int node;

	CHECK_EQ(fdt_create_empty_tree(buf, size), 0);
	node = fdt_add_subnode(buf, 0, "serial@1000");
	CHECK(node >= 0);
	CHECK_EQ(fdt_setprop_string(buf, node, "compatible", "unit,uart"), 0);
	return node;
}

TEST(driver_without_node_probes_with_node_minus_one)
{
	char fdt[1024];

	make_tree(fdt, sizeof(fdt));
	nodeless_firmware_node = 99;
	CHECK_EQ(driver_probe_class(fdt, DRIVER_CLASS_FIRMWARE), 0);
	CHECK_EQ(nodeless_firmware_node, -1);
}

TEST(driver_without_node_serves_only_no_node)
{
	char fdt[1024];
	int uart = make_tree(fdt, sizeof(fdt));

	nodeless_console_node = uart_node_probed = 99;
	CHECK_EQ(driver_probe_node(fdt, uart, DRIVER_CLASS_CONSOLE), 0);
	CHECK_EQ(uart_node_probed, uart);
	CHECK_EQ(nodeless_console_node, 99);

	uart_node_probed = 99;
	CHECK_EQ(driver_probe_node(fdt, -FDT_ERR_NOTFOUND, DRIVER_CLASS_CONSOLE), 0);
	CHECK_EQ(nodeless_console_node, -FDT_ERR_NOTFOUND);
	CHECK_EQ(uart_node_probed, 99);
}

TEST(driver_without_node_failing_is_named_in_the_log)
{
	char fdt[1024];

	make_tree(fdt, sizeof(fdt));
	unit_console_clear();
	CHECK_EQ(driver_probe_class(fdt, DRIVER_CLASS_TIMER), -KEEL_ENOENT);
	CHECK(strstr(unit_console_text(),
		     "driver unit-absent-timer: (no device-tree node): probe failed") != NULL);
	unit_console_clear();
}

static unsigned int enabled_irq;

static void record_enable(unsigned int irq)
{
	enabled_irq = irq;
}

static void ignore_irq(unsigned int irq)
{
}

TEST(kick_ipi_is_the_controllers_choice)
{
	static const struct irqchip_ops chip = {
		.name = "unit-chip",
		.enable = record_enable,
		.disable = ignore_irq,
		.ipi_kick = 7,
	};

	irqchip_register(&chip);
	enabled_irq = 0;
	CHECK_EQ(irq_ipi_kick_id(), 7u);
	irq_ipi_cpu_init();
	CHECK_EQ(enabled_irq, 7u);
	irqchip_register(NULL);
}
