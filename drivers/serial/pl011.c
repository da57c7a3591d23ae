/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm PL011 UART as Keel's console: polled transmit, interrupt-driven
 * receive into the console's input queue.
 */
#include <keel/console.h>
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTIBRD 0x024
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIMSC 0x038
#define UARTICR 0x044

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define IMSC_RXIM (1u << 4)
#define IMSC_RTIM (1u << 6)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define LCR_FEN (1u << 4)
#define LCR_WLEN8 (3u << 5)

static volatile uint32_t *pl011_base;

static uint32_t pl011_read(unsigned int reg)
{
	return pl011_base[reg / 4];
}

static void pl011_write(unsigned int reg, uint32_t value)
{
	pl011_base[reg / 4] = value;
}

static void pl011_putc(char c)
{
	while (pl011_read(UARTFR) & FR_TXFF)
		;
	pl011_write(UARTDR, (uint8_t)c);
}

static void pl011_interrupt(unsigned int irq, void *arg)
{
	/*
	 * Clear first, then drain: a byte that arrives while the FIFO is
	 * drained raises the interrupt again. The other order loses it
	 * for good when it lands between the last FIFO check and the clear
	 * (the UART only interrupts when its FIFO reaches the trigger level,
	 * and that byte keeps the level above it).
	 */
	pl011_write(UARTICR, IMSC_RXIM | IMSC_RTIM);
	while (!(pl011_read(UARTFR) & FR_RXFE))
		console_rx_push((char)(pl011_read(UARTDR) & 0xff));
}

static const struct console_ops pl011_console = {
	.name = "pl011",
	.putc = pl011_putc,
};

/* Console output must work before the interrupt controller exists; the
 * receive interrupt is hooked up later by pl011_start(). */
static int pl011_probe(const void *fdt, int node)
{
	uint64_t base, size;
	int err = devtree_read_reg(fdt, node, 0, &base, &size);

	if (err)
		return err;
	pl011_base = hpa_to_ptr(base);
	/* Keep the loader's baud rate; make sure FIFOs, 8n1, TX and RX are on. */
	pl011_write(UARTLCR_H, pl011_read(UARTLCR_H) | LCR_FEN | LCR_WLEN8);
	pl011_write(UARTCR, pl011_read(UARTCR) | CR_UARTEN | CR_TXE | CR_RXE);
	pl011_write(UARTIMSC, 0);
	console_register(&pl011_console);
	return 0;
}

static int pl011_start(const void *fdt, int node)
{
	int irq;
	int err;

	if (!pl011_base)
		return -KEEL_ENOENT;
	irq = irq_from_devtree(fdt, node, 0);
	if (irq < 0)
		return irq;
	irq_route((unsigned int)irq, 0);
	err = irq_request((unsigned int)irq, pl011_interrupt, NULL);
	if (err)
		return err;
	pl011_write(UARTICR, 0x7ff);
	pl011_write(UARTIMSC, IMSC_RXIM | IMSC_RTIM);
	/* Bytes that arrived before the interrupt was on. */
	pl011_interrupt((unsigned int)irq, NULL);
	return 0;
}

static const char *const pl011_compatible[] = { "arm,pl011", NULL };

HOST_DRIVER(pl011, .name = "pl011", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = pl011_compatible, .probe = pl011_probe,
	    .start = pl011_start);
