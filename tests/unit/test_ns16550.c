/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated ns16550a UART (emulators/serial/ns16550.c) driven through
 * its MMIO region as Linux's 8250 driver and polled firmware drive it:
 * transmit into the console buffer, receive from console input with its
 * interrupt, IIR priorities, the divisor latch, loopback (Linux's probe),
 * the 32-bit register layout, and refused accesses. Its node validation
 * and device-tree node are checked here too.
 */
#include <keel/emu.h>
#include <keel/errno.h>
#include <keel/guest.h>
#include <keel/guest_console.h>
#include <keel/guest_internal.h>
#include <libfdt.h>
#include <string.h>
#include <arch/guest_platform.h>
#include "guest_fixture.h"
#include "unit.h"

#define BASE 0x10000000ULL
#define IRQ 10

#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static struct fixture_ram_guest uart_guest;
static struct mmio_region uart_region;
static void *uart_state;
static unsigned int uart_shift;

/* A guest with an ns16550a at BASE on source IRQ as its console;
 * registers 1 << shift bytes apart, io_width bytes wide. */
static struct guest *uart_setup(unsigned int shift, unsigned int io_width)
{
	struct guest_device_config dev = {
		.name = "uart0", .compatible = "ns16550a", .base = BASE, .size = 0x100,
		.has_irq = true, .irq = IRQ, .reg_shift = (uint8_t)shift,
		.reg_io_width = (uint8_t)io_width,
	};
	const struct emulator *e = emulator_find("ns16550a");
	struct guest *g = fixture_ram_guest_reset(&uart_guest, "uart0", 0x80000000, 0x10000);
	const struct mmio_region *r;

	mmio_table_init(&g->mmio);
	guest_console_init(g);
	uart_shift = shift;
	if (!e || !e->uart || e->create(g, &dev, &uart_state))
		return NULL;
	r = mmio_table_find(&g->mmio, BASE);
	if (!r)
		return NULL;
	uart_region = *r;
	return g;
}

static void uart_done(struct guest *g)
{
	guest_console_detach(g);
	emulator_find("ns16550a")->destroy(uart_state);
	CHECK(g->console.input_ready == NULL);
}

static int access(unsigned int reg, unsigned int size, bool write, uint64_t *value)
{
	uint64_t offset = (uint64_t)reg << uart_shift;

	if (write)
		return uart_region.ops->write(uart_region.state, NULL, offset, size, *value);
	return uart_region.ops->read(uart_region.state, NULL, offset, size, value);
}

static uint8_t rd(unsigned int reg)
{
	uint64_t value = 0xdead;

	CHECK_EQ(access(reg, 1, false, &value), 0);
	CHECK(value <= 0xff);
	return (uint8_t)value;
}

static void wr(unsigned int reg, uint8_t value)
{
	uint64_t v = value;

	CHECK_EQ(access(reg, 1, true, &v), 0);
}

static bool irq_high(struct guest *g)
{
	return g->arch.irq_level[IRQ];
}

/* What the console endpoint kept of the guest's output. */
static size_t console_text(struct guest *g, char *buf, size_t len)
{
	size_t n = ringbuf_peek(&g->console.out, buf, len - 1);

	buf[n] = '\0';
	return n;
}

TEST(ns16550_transmits_into_the_console_buffer)
{
	struct guest *g = uart_setup(0, 0);
	char text[64];

	REQUIRE(g);
	CHECK(g->console.input_state == uart_state);
	/* Polled output as firmware does it: wait for THRE, write THR. */
	for (const char *c = "hi\n"; *c; c++) {
		CHECK(rd(LSR) & 0x20);
		wr(THR, (uint8_t)*c);
	}
	CHECK_EQ(rd(LSR), 0x60);            /* THRE | TEMT, no data */
	console_text(g, text, sizeof(text));
	CHECK_STR_EQ(text, "hi\n");
	CHECK(!irq_high(g));
	uart_done(g);
}

TEST(ns16550_receives_console_input_with_its_interrupt)
{
	struct guest *g = uart_setup(0, 0);

	REQUIRE(g);
	CHECK_EQ(rd(IIR) & 0x0f, 0x01);
	CHECK_EQ(guest_console_input(g, "ab", 2), 2);
	/* Data ready, but the interrupt is not enabled. */
	CHECK_EQ(rd(LSR) & 0x01, 1);
	CHECK(!irq_high(g));
	wr(IER, 0x01);                      /* ERBFI */
	CHECK(irq_high(g));
	CHECK_EQ(rd(IIR), 0x04);            /* data available, FIFO off */
	CHECK_EQ(rd(RBR), 'a');
	CHECK(irq_high(g));
	CHECK_EQ(rd(RBR), 'b');
	CHECK(!irq_high(g));
	CHECK_EQ(rd(LSR) & 0x01, 0);
	CHECK_EQ(rd(IIR), 0x01);
	/* An empty receiver reads zero. */
	CHECK_EQ(rd(RBR), 0);
	/* Input arriving later raises the line by itself (the reader). */
	CHECK_EQ(guest_console_input(g, "c", 1), 1);
	CHECK(irq_high(g));
	CHECK_EQ(rd(RBR), 'c');
	CHECK(!irq_high(g));
	uart_done(g);
}

TEST(ns16550_iir_priorities_and_thre)
{
	struct guest *g = uart_setup(0, 0);

	REQUIRE(g);
	wr(FCR, 0x01);
	CHECK_EQ(rd(IIR), 0xc1);            /* FIFOs on, nothing pending */
	/* Turning ETBEI on with the transmitter empty interrupts at once. */
	wr(IER, 0x02);
	CHECK(irq_high(g));
	CHECK_EQ(rd(IIR), 0xc2);
	/* Reading IIR while it showed THRE cleared it. */
	CHECK(!irq_high(g));
	CHECK_EQ(rd(IIR), 0xc1);
	/* A byte sent: THRE again. */
	wr(THR, 'x');
	CHECK(irq_high(g));
	/* Received data outranks THRE, and THRE is not cleared by a read of
	 * IIR that shows the other. */
	wr(IER, 0x03);
	CHECK_EQ(guest_console_input(g, "y", 1), 1);
	CHECK_EQ(rd(IIR), 0xc4);
	CHECK_EQ(rd(RBR), 'y');
	CHECK_EQ(rd(IIR), 0xc2);
	CHECK_EQ(rd(IIR), 0xc1);
	/* A THR write clears a pending THRE and sets it again (sent). */
	wr(THR, 'z');
	wr(IER, 0x00);
	CHECK(!irq_high(g));
	/* Modem status: lowest; in loopback a modem output change is a
	 * delta, read from MSR clears it. */
	wr(IER, 0x08);
	CHECK(!irq_high(g));
	/* LOOP | RTS: CTS stays, DSR and DCD (DTR, OUT2 off) fall. */
	wr(MCR, 0x10 | 0x02);
	CHECK(irq_high(g));
	CHECK_EQ(rd(IIR), 0xc0);
	CHECK_EQ(rd(MSR), 0x10 | 0x02 | 0x08);          /* CTS, DDSR, DDCD */
	CHECK(!irq_high(g));
	CHECK_EQ(rd(IIR), 0xc1);
	uart_done(g);
}

TEST(ns16550_divisor_latch_and_plain_registers)
{
	struct guest *g = uart_setup(0, 0);
	char text[16];

	REQUIRE(g);
	wr(IER, 0x05);
	wr(LCR, 0x83);                      /* DLAB, 8 bits */
	wr(DLL, 0x01);
	wr(DLM, 0x02);
	CHECK_EQ(rd(DLL), 0x01);
	CHECK_EQ(rd(DLM), 0x02);
	CHECK_EQ(rd(LCR), 0x83);
	/* With DLAB set nothing is sent and IER is out of sight. */
	CHECK_EQ(console_text(g, text, sizeof(text)), 0);
	wr(LCR, 0x03);
	CHECK_EQ(rd(IER), 0x05);
	CHECK_EQ(rd(DLL), 0);               /* RBR: nothing received */
	wr(IER, 0xff);
	CHECK_EQ(rd(IER), 0x0f);            /* four bits */
	wr(IER, 0);
	wr(SCR, 0x5a);
	CHECK_EQ(rd(SCR), 0x5a);
	wr(MCR, 0xff);
	CHECK_EQ(rd(MCR), 0x1f);
	wr(MCR, 0x0b);
	/* Outside loopback the console is connected: DCD, DSR, CTS. */
	CHECK_EQ(rd(MSR) & 0xf0, 0xb0);
	/* LSR and MSR ignore writes. */
	wr(LSR, 0);
	CHECK_EQ(rd(LSR), 0x60);
	/* Reset: all back. */
	emulator_find("ns16550a")->reset(uart_state);
	CHECK_EQ(rd(LCR), 0);
	CHECK_EQ(rd(SCR), 0);
	CHECK_EQ(rd(MCR), 0);
	CHECK_EQ(rd(IIR), 0x01);
	uart_done(g);
}

/* What Linux's 8250 probe checks before it believes in the UART. */
TEST(ns16550_passes_the_8250_probe)
{
	struct guest *g = uart_setup(0, 0);
	char text[16];

	REQUIRE(g);
	/* IER: the low four bits hold what is written. */
	wr(IER, 0);
	CHECK_EQ(rd(IER) & 0x0f, 0);
	wr(IER, 0x0f);
	CHECK_EQ(rd(IER) & 0x0f, 0x0f);
	wr(IER, 0);
	/* Loopback with OUT2 | RTS: MSR's top nibble is DCD | CTS. */
	wr(MCR, 0x10 | 0x0a);
	CHECK_EQ(rd(MSR) & 0xf0, 0x90);
	/* Loopback sends to the receiver, not the console. */
	wr(THR, 'L');
	CHECK_EQ(rd(LSR) & 0x01, 1);
	CHECK_EQ(rd(RBR), 'L');
	CHECK_EQ(rd(LSR) & 0x01, 0);
	CHECK_EQ(console_text(g, text, sizeof(text)), 0);
	/* Console input is not received in loopback ... */
	CHECK_EQ(guest_console_input(g, "k", 1), 1);
	CHECK_EQ(rd(LSR) & 0x01, 0);
	/* ... but after it. A full loopback FIFO drops the overrun. */
	for (unsigned int i = 0; i < 20; i++)
		wr(THR, (uint8_t)('a' + i));
	wr(MCR, 0x0b);
	CHECK_EQ(rd(RBR), 'k');
	wr(THR, 'T');
	CHECK_EQ(console_text(g, text, sizeof(text)), 1);
	CHECK_STR_EQ(text, "T");
	wr(MCR, 0x10);
	for (unsigned int i = 0; i < 20; i++)
		wr(THR, (uint8_t)('a' + i));
	for (unsigned int i = 0; i < 16; i++)
		CHECK_EQ(rd(RBR), 'a' + i);
	CHECK_EQ(rd(LSR) & 0x01, 0);
	uart_done(g);
}

TEST(ns16550_fcr_clears_the_receiver)
{
	struct guest *g = uart_setup(0, 0);

	REQUIRE(g);
	CHECK_EQ(guest_console_input(g, "0123456789abcdefXY", 18), 18);
	wr(FCR, 0x07);                      /* on, clear both FIFOs */
	/* One FIFO's worth is gone; what came after it is still there. */
	CHECK_EQ(rd(RBR), 'X');
	CHECK_EQ(rd(RBR), 'Y');
	wr(FCR, 0xc1);
	CHECK_EQ(rd(IIR) & 0xc0, 0xc0);
	uart_done(g);
}

TEST(ns16550_32bit_register_layout)
{
	struct guest *g = uart_setup(2, 4);
	uint64_t value;
	char text[16];

	REQUIRE(g);
	value = 'W';
	CHECK_EQ(access(THR, 4, true, &value), 0);
	value = 0x55;
	CHECK_EQ(access(SCR, 4, true, &value), 0);
	CHECK_EQ(access(SCR, 4, false, &value), 0);
	CHECK_EQ(value, 0x55);
	/* Byte accesses to a register still work. */
	CHECK_EQ(rd(SCR), 0x55);
	CHECK_EQ(rd(LSR), 0x60);
	console_text(g, text, sizeof(text));
	CHECK_STR_EQ(text, "W");
	/* Not on a register boundary, or 2 or 8 bytes: refused. */
	CHECK_EQ(uart_region.ops->read(uart_region.state, NULL, 1, 1, &value), -KEEL_EINVAL);
	CHECK_EQ(uart_region.ops->read(uart_region.state, NULL, 4, 2, &value), -KEEL_EINVAL);
	CHECK_EQ(uart_region.ops->write(uart_region.state, NULL, 0, 8, 'x'), -KEEL_EINVAL);
	uart_done(g);
}

TEST(ns16550_refuses_bad_widths_and_ignores_other_offsets)
{
	struct guest *g = uart_setup(0, 0);
	uint64_t value = 0x77;
	char text[16];

	REQUIRE(g);
	for (unsigned int size = 2; size <= 8; size *= 2) {
		for (unsigned int reg = 0; reg < 8; reg++) {
			CHECK_EQ(access(reg, size, false, &value), -KEEL_EINVAL);
			CHECK_EQ(access(reg, size, true, &value), -KEEL_EINVAL);
		}
	}
	CHECK_EQ(value, 0x77);
	/* Nothing was sent by the refused THR writes. */
	CHECK_EQ(console_text(g, text, sizeof(text)), 0);
	/* Past the eight registers: zero, writes ignored. */
	value = 0xff;
	CHECK_EQ(uart_region.ops->write(uart_region.state, NULL, 8, 1, value), 0);
	CHECK_EQ(uart_region.ops->read(uart_region.state, NULL, 0xff, 1, &value), 0);
	CHECK_EQ(value, 0);
	CHECK_EQ(uart_region.size, 0x100);
	uart_done(g);
}

/* ---- input typed on one CPU while the guest reads on another ---- */

#define RACE_BYTES 2000

struct uart_race {
	char got[RACE_BYTES];
	unsigned int count;
};

static void uart_race_cpu(unsigned int cpu, void *arg)
{
	struct uart_race *r = arg;

	if (cpu == 1) {
		/* The shell: types as fast as the queue takes it. */
		for (unsigned int sent = 0; sent < RACE_BYTES;) {
			char c = (char)('a' + sent % 26);

			sent += (unsigned int)guest_console_input(&uart_guest.g, &c, 1);
		}
		return;
	}
	/* The guest's driver: reads while LSR says data is ready. */
	for (unsigned long spins = 0; r->count < RACE_BYTES && spins < 100000000UL; spins++) {
		uint64_t lsr = 0, c = 0;

		CHECK_EQ(access(LSR, 1, false, &lsr), 0);
		if (!(lsr & 0x01))
			continue;
		CHECK_EQ(access(RBR, 1, false, &c), 0);
		r->got[r->count++] = (char)c;
	}
}

TEST(ns16550_input_races_the_guest_reading_it)
{
	static struct uart_race r;
	struct guest *g = uart_setup(0, 0);

	REQUIRE(g);
	memset(&r, 0, sizeof(r));
	wr(IER, 0x01);
	unit_run_cpus(2, uart_race_cpu, &r);
	CHECK_EQ(r.count, RACE_BYTES);
	for (unsigned int i = 0; i < r.count; i++)
		if (!CHECK_EQ(r.got[i], 'a' + i % 26))
			break;
	/* All taken: nothing pending, the line low. */
	CHECK_EQ(rd(LSR) & 0x01, 0);
	CHECK(!irq_high(g));
	uart_done(g);
}

/* The console endpoint of the UART is named as the guest's kernel names
 * the platform's UART. */
TEST(ns16550_console_is_named_as_the_platform_says)
{
	struct guest *g;

	host_guest_platform_select(&riscv64_virt_platform);
	g = uart_setup(0, 0);
	REQUIRE(g);
	CHECK_STR_EQ(g->console.name, "ttyS0");
	CHECK(guest_console_find(g, "ttyS0") == &g->console);
	CHECK(guest_console_find(g, NULL) == &g->console);
	uart_done(g);
	host_guest_platform_select(&arm64_virt_platform);
	g = uart_setup(0, 0);
	REQUIRE(g);
	CHECK_STR_EQ(g->console.name, "ttyAMA0");
	uart_done(g);
}

/* ---- the guest node and the device tree ---- */

static unsigned char node_tree[2048] __attribute__((aligned(8)));

static int validate_with(int shift, int width, uint64_t size, char *err)
{
	const struct emulator *e = emulator_find("ns16550a");
	struct guest_device_config dev = { .base = BASE, .size = size };
	fdt32_t cell;
	int node;

	CHECK_EQ(fdt_create_empty_tree(node_tree, sizeof(node_tree)), 0);
	node = fdt_add_subnode(node_tree, 0, "uart0");
	CHECK_EQ(fdt_setprop_string(node_tree, node, "compatible", "ns16550a"), 0);
	if (shift >= 0) {
		cell = cpu_to_fdt32((uint32_t)shift);
		CHECK_EQ(fdt_setprop(node_tree, node, "reg-shift", &cell, sizeof(cell)), 0);
	}
	if (width >= 0) {
		cell = cpu_to_fdt32((uint32_t)width);
		CHECK_EQ(fdt_setprop(node_tree, node, "reg-io-width", &cell, sizeof(cell)), 0);
	}
	err[0] = '\0';
	return e->validate(node_tree, node, &dev, err, GUEST_ERROR_MAX);
}

TEST(ns16550_validates_its_node)
{
	char err[GUEST_ERROR_MAX];

	CHECK_EQ(validate_with(-1, -1, 0x100, err), 0);
	CHECK_EQ(validate_with(0, 1, 8, err), 0);
	CHECK_EQ(validate_with(2, 4, 0x20, err), 0);
	CHECK_EQ(validate_with(2, 1, 0x20, err), 0);
	CHECK_EQ(validate_with(1, -1, 0x100, err), -KEEL_EINVAL);
	CHECK(strstr(err, "\"reg-shift\" must be one cell, 0 or 2"));
	CHECK_EQ(validate_with(0, 4, 0x100, err), -KEEL_EINVAL);
	CHECK(strstr(err, "\"reg-io-width\""));
	CHECK_EQ(validate_with(2, 2, 0x100, err), -KEEL_EINVAL);
	CHECK_EQ(validate_with(2, 4, 0x10, err), -KEEL_EINVAL);
	CHECK(strstr(err, "must cover the 8 registers: 0x20 bytes"));
	/* An unknown property is named. */
	CHECK_EQ(fdt_setprop_string(node_tree, fdt_path_offset(node_tree, "/uart0"),
				    "current-speed", "x"), 0);
	CHECK_EQ(validate_with(-1, -1, 0x100, err), 0);   /* a fresh tree */
	{
		const struct emulator *e = emulator_find("ns16550a");
		struct guest_device_config dev = { .base = BASE, .size = 0x100 };
		int node = fdt_path_offset(node_tree, "/uart0");

		CHECK_EQ(fdt_setprop_string(node_tree, node, "current-speed", "x"), 0);
		CHECK_EQ(e->validate(node_tree, node, &dev, err, sizeof(err)), -KEEL_EINVAL);
		CHECK(strstr(err, "unknown property \"current-speed\""));
	}
}
