/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NS16550A-compatible UART as Keel's console: interrupt-driven receive
 * into the console's input queue; transmit polled until the interrupt is
 * hooked up, then driven by the transmitter-empty interrupt
 * (keel/console.h): the console enables ETBEI while it has output, and
 * the interrupt, raised while the transmit FIFO is empty, gives the FIFO
 * what it takes, never waiting.
 *
 * Registers are 1 << reg-shift bytes apart and reg-io-width bytes wide
 * (device-tree properties; 0 and 1 by default). IER is written only under
 * the console's console_irq_lock (tx_irq) or before the interrupt is
 * hooked up, and by the interrupt handler's CPU never.
 */
#include <keel/console.h>
#include <keel/devtree.h>
#include <keel/driver.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <arch/io.h>
#include <libfdt.h>

#define UART_RBR 0  /* read: receive buffer */
#define UART_THR 0  /* write: transmit holding */
#define UART_IER 1
#define UART_IIR 2  /* read: interrupt identification */
#define UART_FCR 2  /* write: FIFO control */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define IER_ERBFI 0x01  /* receive data available (and timeout) */
#define IER_ETBEI 0x02  /* transmit holding register empty */
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define LCR_WLEN8 0x03
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08   /* gates the interrupt line on PC-style boards */
#define LSR_DR 0x01
#define LSR_THRE 0x20

static volatile uint8_t *uart_base;
static unsigned int uart_shift;
static unsigned int uart_width;  /* 1 or 4 */
static uint8_t uart_ier;         /* what IER holds */

static uint8_t uart_read(unsigned int reg)
{
	volatile uint8_t *addr = uart_base + (reg << uart_shift);

	return uart_width == 4 ? (uint8_t)io_read32(addr) : io_read8(addr);
}

static void uart_write(unsigned int reg, uint8_t value)
{
	volatile uint8_t *addr = uart_base + (reg << uart_shift);

	if (uart_width == 4)
		io_write32(addr, value);
	else
		io_write8(addr, value);
}

/* Polled: only before the transmit interrupt works, and for a panic. */
static void uart_putc(char c)
{
	while (!(uart_read(UART_LSR) & LSR_THRE))
		;
	uart_write(UART_THR, (uint8_t)c);
}

static bool uart_try_putc(char c)
{
	if (!(uart_read(UART_LSR) & LSR_THRE))
		return false;
	uart_write(UART_THR, (uint8_t)c);
	return true;
}

/* Setting ETBEI while the transmitter is empty raises the interrupt at
 * once, as the console asks of tx_irq(true). */
static void uart_tx_irq(bool on)
{
	uart_ier = on ? uart_ier | IER_ETBEI : uart_ier & ~IER_ETBEI;
	uart_write(UART_IER, uart_ier);
}

static void uart_interrupt(unsigned int irq, void *arg)
{
	uint8_t lsr;

	/* Reading IIR acknowledges a transmitter-empty interrupt; it is
	 * raised again while the FIFO stays empty and ETBEI is set. */
	(void)uart_read(UART_IIR);
	while ((lsr = uart_read(UART_LSR)) & LSR_DR)
		console_rx_push((char)uart_read(UART_RBR));
	if ((lsr & LSR_THRE) && (READ_ONCE(uart_ier) & IER_ETBEI))
		console_tx_interrupt();
}

static const struct console_ops uart_console = {
	.name = "ns16550",
	.putc = uart_putc,
	.try_putc = uart_try_putc,
	.tx_irq = uart_tx_irq,
};

/* Console output must work before the interrupt controller exists; the
 * receive interrupt is hooked up later by uart_start(). */
static int uart_probe(const void *fdt, int node)
{
	uint64_t base, size;
	uint32_t shift = 0, width = 1;
	int err = devtree_read_reg(fdt, node, 0, &base, &size);

	if (err)
		return err;
	if (fdt_getprop(fdt, node, "reg-shift", NULL) &&
	    devtree_read_u32(fdt, node, "reg-shift", &shift))
		return -KEEL_EINVAL;
	if (fdt_getprop(fdt, node, "reg-io-width", NULL) &&
	    devtree_read_u32(fdt, node, "reg-io-width", &width))
		return -KEEL_EINVAL;
	if (shift > 2 || (width != 1 && width != 4))
		return -KEEL_EINVAL;
	uart_base = hpa_to_ptr(base);
	uart_shift = shift;
	uart_width = width;
	/* Keep the loader's baud rate (divisor); 8n1, FIFOs on. */
	uart_write(UART_LCR, LCR_WLEN8);
	uart_write(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	uart_write(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	uart_ier = 0;
	uart_write(UART_IER, 0);
	console_register(&uart_console);
	return 0;
}

static int uart_start(const void *fdt, int node)
{
	int irq;
	int err;

	if (!uart_base)
		return -KEEL_ENOENT;
	irq = irq_from_devtree(fdt, node, 0);
	if (irq < 0)
		return irq;
	irq_route((unsigned int)irq, 0);
	err = irq_request((unsigned int)irq, uart_interrupt, NULL);
	if (err)
		return err;
	uart_ier = IER_ERBFI;
	uart_write(UART_IER, uart_ier);
	/* Bytes that arrived before the interrupt was on. */
	uart_interrupt((unsigned int)irq, NULL);
	console_start_async();
	return 0;
}

static const char *const uart_compatible[] = { "ns16550a", "ns16550", NULL };

HOST_DRIVER(ns16550, .name = "ns16550", .class = DRIVER_CLASS_CONSOLE,
	    .compatible = uart_compatible, .probe = uart_probe,
	    .start = uart_start);
