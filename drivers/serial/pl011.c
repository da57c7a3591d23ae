/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arm PL011 UART as Keel's console: interrupt-driven receive into the
 * console's input queue; transmit polled until the interrupt is hooked up,
 * then driven by the transmit interrupt (keel/console.h): the console
 * unmasks TXIM while it has output, and the interrupt (raised when the
 * FIFO falls to 1/8 full) gives the FIFO what it takes, never waiting.
 *
 * The transmit interrupt's raw status is never cleared by us: it stays set
 * once the FIFO has drained, so that unmasking TXIM when output arrives
 * raises the interrupt at once; writing to the FIFO clears it (on QEMU's
 * model, which has no transmit FIFO, it is set again by every write).
 * UARTIMSC is written only under the console's console_irq_lock (tx_irq)
 * or before the interrupt is hooked up.
 */
#include <keel/console.h>
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <arch/io.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTIBRD 0x024
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTMIS 0x040
#define UARTICR 0x044

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define IMSC_RXIM (1u << 4)
#define IMSC_TXIM (1u << 5)
#define IMSC_RTIM (1u << 6)
#define IFLS_TX_MASK 0x7u         /* TXIFLSEL; 0: at 1/8 full */
#define IFLS_RX_HALF (2u << 3)    /* RXIFLSEL: at 1/2 full */
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define LCR_FEN (1u << 4)
#define LCR_WLEN8 (3u << 5)

static volatile uint32_t *pl011_base;
static uint32_t pl011_imsc;   /* what UARTIMSC holds */

static uint32_t pl011_read(unsigned int reg)
{
	return io_read32(&pl011_base[reg / 4]);
}

static void pl011_write(unsigned int reg, uint32_t value)
{
	io_write32(&pl011_base[reg / 4], value);
}

/* Polled: only before the transmit interrupt works, and for a panic. */
static void pl011_putc(char c)
{
	while (pl011_read(UARTFR) & FR_TXFF)
		;
	pl011_write(UARTDR, (uint8_t)c);
}

static bool pl011_try_putc(char c)
{
	if (pl011_read(UARTFR) & FR_TXFF)
		return false;
	pl011_write(UARTDR, (uint8_t)c);
	return true;
}

static void pl011_tx_irq(bool on)
{
	pl011_imsc = on ? pl011_imsc | IMSC_TXIM : pl011_imsc & ~IMSC_TXIM;
	pl011_write(UARTIMSC, pl011_imsc);
}

static void pl011_interrupt(unsigned int irq, void *arg)
{
	uint32_t pending = pl011_read(UARTMIS);

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
	if (pending & IMSC_TXIM)
		console_tx_interrupt();
}

static const struct console_ops pl011_console = {
	.name = "pl011",
	.putc = pl011_putc,
	.try_putc = pl011_try_putc,
	.tx_irq = pl011_tx_irq,
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
	pl011_imsc = 0;
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
	/* Everything but the transmit interrupt's status: see the top. */
	pl011_write(UARTICR, 0x7ff & ~IMSC_TXIM);
	pl011_write(UARTIFLS, IFLS_RX_HALF);
	pl011_imsc = IMSC_RXIM | IMSC_RTIM;
	pl011_write(UARTIMSC, pl011_imsc);
	/* Bytes that arrived before the interrupt was on. */
	pl011_interrupt((unsigned int)irq, NULL);
	console_start_async();
	return 0;
}

static const char *const pl011_compatible[] = { "arm,pl011", NULL };

HOST_DRIVER(pl011, .name = "pl011", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = pl011_compatible, .probe = pl011_probe,
	    .start = pl011_start);
