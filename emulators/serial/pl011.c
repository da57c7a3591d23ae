/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An Arm PL011 UART as a guest's console. Transmitted bytes go to the
 * guest's console buffer at once (the transmit FIFO is always empty): a
 * copy under the buffer's own lock, never a wait for the host's terminal,
 * which takes them later (keel/guest_console.h);
 * received bytes come from the shell's `console` through the guest's input
 * queue. The interrupt line is the OR of the unmasked raw interrupts.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/log.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/virq.h>
#include <libfdt.h>
#include <lib/format.h>
#include "uart.h"

#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048
#define UARTPERIPHID0 0xfe0

#define FR_RXFE (1u << 4)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu
#define CR_RESET 0x300   /* TXE | RXE */
#define IFLS_RESET 0x12

#define PL011_REGION_SIZE 0x1000

/* PrimeCell identification registers 0xfe0..0xffc, one byte each. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct pl011 {
	struct uart_port port;
	struct guest *guest;
	spinlock_t lock;
	uint32_t ris;            /* raw interrupt status */
	uint32_t imsc;           /* interrupt mask set/clear */
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, ilpr, dmacr;
};

/* Lock held. */
static void pl011_update_irq(struct pl011 *u)
{
	if (guest_console_input_pending(u->guest))
		u->ris |= INT_RX | INT_RT;
	else
		u->ris &= ~(INT_RX | INT_RT);
	virq_line_set(&u->port.irq, (u->ris & u->imsc) != 0);
}

static void pl011_input_ready(void *state)
{
	struct pl011 *u = state;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	pl011_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

static int pl011_read(void *state, struct vcpu *vcpu, uint64_t offset,
		      unsigned int size, uint64_t *value)
{
	struct pl011 *u = state;
	unsigned long flags;
	uint32_t v = 0;
	int c;

	if (size != 4 && !(size == 1 && offset == UARTDR) && !(size == 2 && offset < 0x50))
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&u->lock);
	switch (offset) {
	case UARTDR:
		c = guest_console_getc(u->guest);
		v = c < 0 ? 0 : (uint32_t)c;
		pl011_update_irq(u);
		break;
	case UARTFR:
		v = FR_TXFE | (guest_console_input_pending(u->guest) ? 0 : FR_RXFE);
		break;
	case UARTILPR: v = u->ilpr; break;
	case UARTIBRD: v = u->ibrd; break;
	case UARTFBRD: v = u->fbrd; break;
	case UARTLCR_H: v = u->lcr_h; break;
	case UARTCR: v = u->cr; break;
	case UARTIFLS: v = u->ifls; break;
	case UARTIMSC: v = u->imsc; break;
	case UARTRIS: v = u->ris; break;
	case UARTMIS: v = u->ris & u->imsc; break;
	case UARTDMACR: v = u->dmacr; break;
	default:
		if (offset >= UARTPERIPHID0 && offset < PL011_REGION_SIZE && !(offset & 3))
			v = pl011_id[(offset - UARTPERIPHID0) / 4];
		break; /* everything else reads as zero */
	}
	spin_unlock_irqrestore(&u->lock, flags);
	*value = v;
	return 0;
}

static int pl011_write(void *state, struct vcpu *vcpu, uint64_t offset,
		       unsigned int size, uint64_t value)
{
	struct pl011 *u = state;
	uint32_t v = (uint32_t)value;
	unsigned long flags;

	if (size != 4 && !(size == 1 && offset == UARTDR) && !(size == 2 && offset < 0x50))
		return -KEEL_EINVAL;
	if (offset == UARTDR) {
		char c = (char)(v & 0xff);

		/* Outside the UART lock, which is never held with the
		 * console endpoint's (the reader callback takes it). */
		guest_console_output(u->guest, &c, 1);
	}
	flags = spin_lock_irqsave(&u->lock);
	switch (offset) {
	case UARTDR:
		/* Sent at once: the transmit FIFO is empty again. */
		u->ris |= INT_TX;
		break;
	case UARTRSR: break; /* error clear: there are no errors */
	case UARTILPR: u->ilpr = v & 0xff; break;
	case UARTIBRD: u->ibrd = v & 0xffff; break;
	case UARTFBRD: u->fbrd = v & 0x3f; break;
	case UARTLCR_H: u->lcr_h = v & 0xff; break;
	case UARTCR: u->cr = v & 0xff87; break;
	case UARTIFLS: u->ifls = v & 0x3f; break;
	case UARTIMSC: u->imsc = v & INT_ALL; break;
	case UARTICR: u->ris &= ~(v & INT_ALL); break;
	case UARTDMACR: u->dmacr = v & 0x7; break;
	default: break; /* read-only or reserved: ignored */
	}
	pl011_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
	return 0;
}

static const struct mmio_ops pl011_ops = {
	.read = pl011_read,
	.write = pl011_write,
};

static void pl011_reset(void *state)
{
	struct pl011 *u = state;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	u->ris = 0;
	u->imsc = 0;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	u->lcr_h = u->ibrd = u->fbrd = u->ilpr = u->dmacr = 0;
	virq_line_reset(&u->port.irq);
	spin_unlock_irqrestore(&u->lock, flags);
}

static int pl011_create(struct guest *g, const struct guest_device_config *dev,
			void **state)
{
	struct pl011 *u = kzalloc(sizeof(*u));
	int ret;

	if (!u)
		return -KEEL_ENOMEM;
	u->guest = g;
	u->lock = (spinlock_t)SPINLOCK_INIT;
	ret = uart_port_attach(&u->port, g, dev, PL011_REGION_SIZE, &pl011_ops, u,
			       pl011_input_ready);
	if (ret) {
		kfree(u);
		return ret;
	}
	pl011_reset(u);
	*state = u;
	return 0;
}

static void pl011_destroy(void *state)
{
	struct pl011 *u = state;

	uart_port_detach(&u->port);
	kfree(u);
}

#define PL011_CLOCK_PHANDLE 0x8000
#define PL011_CLOCK_HZ 24000000

static int pl011_dt_emit(void *fdt, const struct guest_device_config *dev,
			 uint32_t intc_phandle)
{
	char name[48];
	/* One fixed clock per UART, its phandle derived from the UART's
	 * address so that several UARTs never share one by accident. */
	uint32_t clock = PL011_CLOCK_PHANDLE + (uint32_t)((dev->base >> 12) & 0xfff);
	fdt32_t clocks[2] = { cpu_to_fdt32(clock), cpu_to_fdt32(clock) };
	static const char compatible[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	int ret = 0;

	/* The Linux driver will not probe without its clocks. */
	fmt_snprintf(name, sizeof(name), "clock-%s", dev->name);
	ret |= fdt_begin_node(fdt, name);
	ret |= fdt_property_string(fdt, "compatible", "fixed-clock");
	ret |= fdt_property_u32(fdt, "#clock-cells", 0);
	ret |= fdt_property_u32(fdt, "clock-frequency", PL011_CLOCK_HZ);
	ret |= fdt_property_string(fdt, "clock-output-names", "clk24mhz");
	ret |= fdt_property_u32(fdt, "phandle", clock);
	ret |= fdt_end_node(fdt);
	ret |= uart_dt_begin(fdt, "pl011", dev, compatible, sizeof(compatible),
			     dev->size, intc_phandle);
	ret |= fdt_property(fdt, "clocks", clocks, sizeof(clocks));
	ret |= fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names));
	ret |= fdt_end_node(fdt);
	return ret ? -KEEL_ENOSPC : 0;
}

EMULATOR_DEFINE(pl011, .name = "pl011", .compatible = "arm,pl011", .uart = true,
		.create = pl011_create, .reset = pl011_reset,
		.destroy = pl011_destroy, .dt_emit = pl011_dt_emit);
