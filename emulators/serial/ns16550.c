/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An ns16550a UART (a 16550 with working FIFOs) as a guest's console: what
 * QEMU's riscv virt machine has at 0x10000000, and what Linux's 8250
 * driver, OpenSBI and U-Boot drive by polling or by interrupts.
 *
 * Transmitted bytes go to the guest's console buffer at once (the
 * transmitter is always empty: LSR.THRE and TEMT stay set), a copy under
 * the buffer's own lock, never a wait for the host's terminal; received
 * bytes come from the shell's `console` through the guest's input queue,
 * which plays the receive FIFO. In loopback mode (MCR.LOOP) transmitted
 * bytes come back in a FIFO of their own instead, the modem inputs
 * follow the modem outputs, and the console is neither written nor read
 * (Linux's probe checks this).
 *
 * Interrupts (IIR, highest first): receiver line status (never: no
 * errors), received data available (IER.ERBFI and data waiting; with no
 * trigger level to wait for, data is reported at once, so there are no
 * character timeouts), transmitter holding register empty (IER.ETBEI: set
 * when a byte was sent and when ETBEI is turned on, cleared by reading IIR
 * while it is the one shown, or by the next THR write), modem status
 * (IER.EDSSI and a delta bit in MSR). The line is high while IIR shows
 * one; OUT2 does not gate it (as on SoCs and QEMU).
 *
 * Registers are 1 << reg-shift bytes apart and reg-io-width bytes wide
 * (guest node properties, 0 and 1 unless given; 2 and 4 for a 32-bit
 * layout); a register may also be read or written one byte wide. Other
 * widths and misaligned accesses are refused (the guest's MMIO policy);
 * offsets past the eight registers read as zero and ignore writes.
 */
#include <keel/devtree.h>
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/mm.h>
#include <keel/spinlock.h>
#include <keel/virq.h>
#include <libfdt.h>
#include <lib/format.h>
#include <string.h>
#include "uart.h"

/* Register numbers (before reg-shift); DLAB = LCR bit 7 swaps 0 and 1. */
#define REG_RBR_THR_DLL 0
#define REG_IER_DLM 1
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define NS16550_REGS 8

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IER_ELSI 0x04
#define IER_EDSSI 0x08
#define IER_MASK 0x0f

#define IIR_NO_INT 0x01
#define IIR_MSR 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_FIFO 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_TRIGGER 0xc0

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DELTAS 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
/* Outside loopback the console is always there and ready. */
#define MSR_CONNECTED (MSR_CTS | MSR_DSR | MSR_DCD)

#define NS16550_FIFO 16
#define NS16550_REGION_MAX 0x1000ULL
/* QEMU virt's: what a guest computing divisors from it expects. */
#define NS16550_CLOCK_HZ 3686400

struct ns16550 {
	struct uart_port port;
	struct guest *guest;
	spinlock_t lock;
	unsigned int reg_shift;
	unsigned int io_width;
	uint8_t ier, fcr, lcr, mcr, msr, scr, dll, dlm;
	bool thre_pending;      /* the THRE interrupt's own latch */
	/* Loopback: bytes sent while MCR.LOOP, read back through RBR. */
	uint8_t loop[NS16550_FIFO];
	unsigned int loop_head, loop_count;
};

/* ---- state (lock held) ---- */

static bool ns16550_loopback(const struct ns16550 *u)
{
	return (u->mcr & MCR_LOOP) != 0;
}

static bool ns16550_data_ready(const struct ns16550 *u)
{
	if (ns16550_loopback(u))
		return u->loop_count != 0;
	return guest_console_input_pending(u->guest);
}

/* The modem inputs as they are now: the outputs looped back, or a
 * console that is always connected. */
static uint8_t ns16550_modem_inputs(const struct ns16550 *u)
{
	uint8_t in = 0;

	if (!ns16550_loopback(u))
		return MSR_CONNECTED;
	if (u->mcr & MCR_RTS)
		in |= MSR_CTS;
	if (u->mcr & MCR_DTR)
		in |= MSR_DSR;
	if (u->mcr & MCR_OUT1)
		in |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		in |= MSR_DCD;
	return in;
}

/* Updates MSR's inputs and delta bits (DCTS, DDSR, TERI on RI falling,
 * DDCD) after the inputs may have changed. */
static void ns16550_update_msr(struct ns16550 *u)
{
	uint8_t old = u->msr & ~MSR_DELTAS, now = ns16550_modem_inputs(u);
	uint8_t changed = old ^ now, deltas = 0;

	if (changed & MSR_CTS)
		deltas |= 0x01;
	if (changed & MSR_DSR)
		deltas |= 0x02;
	if ((old & MSR_RI) && !(now & MSR_RI))
		deltas |= 0x04;
	if (changed & MSR_DCD)
		deltas |= 0x08;
	u->msr = (uint8_t)(now | ((u->msr | deltas) & MSR_DELTAS));
}

/* The interrupt IIR shows, IIR_NO_INT for none. */
static uint8_t ns16550_pending_iir(const struct ns16550 *u)
{
	if ((u->ier & IER_ERBFI) && ns16550_data_ready(u))
		return IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	if ((u->ier & IER_EDSSI) && (u->msr & MSR_DELTAS))
		return IIR_MSR;
	return IIR_NO_INT;
}

static void ns16550_update_irq(struct ns16550 *u)
{
	virq_line_set(&u->port.irq, ns16550_pending_iir(u) != IIR_NO_INT);
}

static void ns16550_input_ready(void *state)
{
	struct ns16550 *u = state;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	ns16550_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
}

static int ns16550_read_rbr(struct ns16550 *u)
{
	int c;

	if (ns16550_loopback(u)) {
		if (!u->loop_count)
			return 0;
		c = u->loop[u->loop_head];
		u->loop_head = (u->loop_head + 1) % NS16550_FIFO;
		u->loop_count--;
		return c;
	}
	c = guest_console_getc(u->guest);
	return c < 0 ? 0 : c;
}

/* FCR: FIFOs on or off, receive FIFO cleared (what the console holds of
 * the FIFO's worth: at most NS16550_FIFO bytes). */
static void ns16550_write_fcr(struct ns16550 *u, uint8_t value)
{
	if ((value & FCR_ENABLE) != (u->fcr & FCR_ENABLE) || (value & FCR_CLEAR_RX)) {
		u->loop_count = 0;
		if (!ns16550_loopback(u))
			for (unsigned int i = 0; i < NS16550_FIFO; i++)
				if (guest_console_getc(u->guest) < 0)
					break;
	}
	u->fcr = value & (FCR_ENABLE | FCR_TRIGGER);
}

/* ---- MMIO ---- */

/* The register an access at offset of size bytes reaches, or -1 for a
 * refused access, NS16550_REGS for one past the registers. */
static int ns16550_decode(const struct ns16550 *u, uint64_t offset, unsigned int size)
{
	uint64_t stride = 1ULL << u->reg_shift;

	if ((size != 1 && size != u->io_width) || (offset & (stride - 1)))
		return -1;
	if (offset / stride >= NS16550_REGS)
		return NS16550_REGS;
	return (int)(offset / stride);
}

static int ns16550_read(void *state, struct vcpu *vcpu, uint64_t offset,
			unsigned int size, uint64_t *value)
{
	struct ns16550 *u = state;
	int reg = ns16550_decode(u, offset, size);
	unsigned long flags;
	uint8_t v = 0;

	if (reg < 0)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&u->lock);
	switch (reg) {
	case REG_RBR_THR_DLL:
		v = u->lcr & LCR_DLAB ? u->dll : (uint8_t)ns16550_read_rbr(u);
		break;
	case REG_IER_DLM:
		v = u->lcr & LCR_DLAB ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		v = ns16550_pending_iir(u);
		/* Reading IIR while it shows THRE is what clears THRE. */
		if (v == IIR_THRE)
			u->thre_pending = false;
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO;
		break;
	case REG_LCR: v = u->lcr; break;
	case REG_MCR: v = u->mcr; break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (ns16550_data_ready(u) ? LSR_DR : 0);
		break;
	case REG_MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		break;
	case REG_SCR: v = u->scr; break;
	default: break;    /* past the registers: reads as zero */
	}
	ns16550_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
	*value = v;
	return 0;
}

static int ns16550_write(void *state, struct vcpu *vcpu, uint64_t offset,
			 unsigned int size, uint64_t value)
{
	struct ns16550 *u = state;
	int reg = ns16550_decode(u, offset, size);
	uint8_t v = (uint8_t)value;
	bool transmit = false;
	unsigned long flags;

	if (reg < 0)
		return -KEEL_EINVAL;
	flags = spin_lock_irqsave(&u->lock);
	switch (reg) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else if (ns16550_loopback(u)) {
			/* A full loopback FIFO overruns: the byte is lost. */
			if (u->loop_count < NS16550_FIFO)
				u->loop[(u->loop_head + u->loop_count++) % NS16550_FIFO] = v;
			u->thre_pending = true;
		} else {
			transmit = true;
			u->thre_pending = true;
		}
		break;
	case REG_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Turning ETBEI on with the transmitter empty interrupts. */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = v & IER_MASK;
		break;
	case REG_IIR_FCR: ns16550_write_fcr(u, v); break;
	case REG_LCR: u->lcr = v; break;
	case REG_MCR:
		if ((v ^ u->mcr) & MCR_LOOP)
			u->loop_count = 0;
		u->mcr = v & MCR_MASK;
		ns16550_update_msr(u);
		break;
	case REG_SCR: u->scr = v; break;
	default: break;    /* LSR, MSR (read-only), past the registers */
	}
	ns16550_update_irq(u);
	spin_unlock_irqrestore(&u->lock, flags);
	/* Outside the UART lock, which is never held with the console
	 * endpoint's (the reader callback takes it). */
	if (transmit) {
		char c = (char)v;

		guest_console_output(u->guest, &c, 1);
	}
	return 0;
}

static const struct mmio_ops ns16550_ops = {
	.read = ns16550_read,
	.write = ns16550_write,
};

/* ---- life cycle ---- */

static void ns16550_reset(void *state)
{
	struct ns16550 *u = state;
	unsigned long flags = spin_lock_irqsave(&u->lock);

	u->ier = u->fcr = u->lcr = u->mcr = u->scr = u->dll = u->dlm = 0;
	u->msr = MSR_CONNECTED;
	u->thre_pending = false;
	u->loop_head = u->loop_count = 0;
	virq_line_reset(&u->port.irq);
	spin_unlock_irqrestore(&u->lock, flags);
}

static uint64_t ns16550_span(const struct guest_device_config *dev)
{
	return (uint64_t)NS16550_REGS << dev->reg_shift;
}

static int ns16550_validate(const void *fdt, int node, struct guest_device_config *dev,
			    char *err, size_t err_len)
{
	static const char *const known[] = {
		"compatible", "reg", "interrupts", "reg-shift", "reg-io-width",
	};
	uint32_t shift = 0, width = 1;
	int prop, len;

	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		unsigned int i;

		fdt_getprop_by_offset(fdt, prop, &name, &len);
		for (i = 0; name && i < ARRAY_SIZE(known); i++)
			if (!strcmp(name, known[i]))
				break;
		if (!name || i == ARRAY_SIZE(known)) {
			fmt_snprintf(err, err_len, "unknown property \"%s\"; known: %s, %s, %s, %s, %s",
				     name ? name : "?", known[0], known[1], known[2], known[3],
				     known[4]);
			return -KEEL_EINVAL;
		}
	}
	if (fdt_getprop(fdt, node, "reg-shift", &len) &&
	    (devtree_read_u32(fdt, node, "reg-shift", &shift) || len != 4 ||
	     (shift != 0 && shift != 2))) {
		fmt_snprintf(err, err_len, "\"reg-shift\" must be one cell, 0 or 2");
		return -KEEL_EINVAL;
	}
	if (fdt_getprop(fdt, node, "reg-io-width", &len) &&
	    (devtree_read_u32(fdt, node, "reg-io-width", &width) || len != 4 ||
	     (width != 1 && width != 4) || (width == 4 && shift != 2))) {
		fmt_snprintf(err, err_len,
			     "\"reg-io-width\" must be one cell, 1 or 4 (4 with \"reg-shift\" 2)");
		return -KEEL_EINVAL;
	}
	dev->reg_shift = (uint8_t)shift;
	dev->reg_io_width = (uint8_t)width;
	if (dev->size < ns16550_span(dev)) {
		fmt_snprintf(err, err_len, "\"reg\" must cover the 8 registers: 0x%llx bytes or more",
			     (unsigned long long)ns16550_span(dev));
		return -KEEL_EINVAL;
	}
	return 0;
}

static int ns16550_create(struct guest *g, const struct guest_device_config *dev,
			  void **state)
{
	struct ns16550 *u = kzalloc(sizeof(*u));
	int ret;

	if (!u)
		return -KEEL_ENOMEM;
	u->guest = g;
	u->lock = (spinlock_t)SPINLOCK_INIT;
	u->reg_shift = dev->reg_shift;
	u->io_width = dev->reg_io_width ? dev->reg_io_width : 1;
	ret = uart_port_attach(&u->port, g, dev, NS16550_REGION_MAX, &ns16550_ops, u,
			       ns16550_input_ready);
	if (ret) {
		kfree(u);
		return ret;
	}
	ns16550_reset(u);
	*state = u;
	return 0;
}

static void ns16550_destroy(void *state)
{
	struct ns16550 *u = state;

	uart_port_detach(&u->port);
	kfree(u);
}

static int ns16550_dt_emit(void *fdt, const struct guest_device_config *dev,
			   uint32_t intc_phandle)
{
	static const char compatible[] = "ns16550a";
	int ret;

	ret = uart_dt_begin(fdt, "ns16550", dev, compatible, sizeof(compatible),
			    dev->size, intc_phandle);
	if (!ret)
		ret = fdt_property_u32(fdt, "clock-frequency", NS16550_CLOCK_HZ);
	if (!ret && dev->reg_shift)
		ret = fdt_property_u32(fdt, "reg-shift", dev->reg_shift);
	if (!ret && dev->reg_io_width > 1)
		ret = fdt_property_u32(fdt, "reg-io-width", dev->reg_io_width);
	if (!ret)
		ret = fdt_end_node(fdt);
	return ret;
}

EMULATOR_DEFINE(ns16550, .name = "ns16550", .compatible = "ns16550a", .uart = true,
		.validate = ns16550_validate, .create = ns16550_create,
		.reset = ns16550_reset, .destroy = ns16550_destroy,
		.dt_emit = ns16550_dt_emit);
